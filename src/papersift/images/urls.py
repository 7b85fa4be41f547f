from django.urls import re_path

from papersift.images import views

urlpatterns = [
    re_path(r"^images/(?P<kind>thumbnail|avatar)/(?P<image_key>[0-9a-f]{32})$", views.image, name="image"),
]
