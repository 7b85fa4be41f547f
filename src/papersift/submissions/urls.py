from django.urls import path

from papersift.submissions import views

# Included before papersift.web.urls; `submit` is no arXiv id, so the paper page's pattern could not take it anyway.
urlpatterns = [
    path("papers/submit", views.submit, name="submit"),
]
