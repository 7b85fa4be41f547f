from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("papersift.web.urls")),
]

handler404 = "papersift.web.views.not_found"
handler500 = "papersift.web.views.server_error"
