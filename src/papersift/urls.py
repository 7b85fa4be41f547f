from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    # Staff log in through the same form as everyone, so the failed-login lockout covers the admin too.
    path("admin/login/", RedirectView.as_view(url="/accounts/login/", query_string=True), name="admin-login"),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("papersift.accounts.urls")),
    path("", include("papersift.community.urls")),
    path("", include("papersift.comments.urls")),
    path("", include("papersift.lists.urls")),
    path("", include("papersift.submissions.urls")),
    path("", include("papersift.digests.urls")),
    path("", include("papersift.images.urls")),
    path("", include("papersift.agents.urls")),
    path("", include("papersift.recommend.urls")),
    path("", include("papersift.web.urls")),
]

handler404 = "papersift.web.views.not_found"
handler500 = "papersift.web.views.server_error"
