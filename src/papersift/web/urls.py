from django.urls import path, re_path
from django.views.generic import RedirectView

from papersift.web import views

# New-style ids (2405.15738) and old-style ids with their archive (math/0701001, math.GT/0309136).
ARXIV_ID = r"(?P<arxiv_id>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}|[a-z][a-z0-9]{1,15}:\S{1,200}?)"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="daily", permanent=False)),
    path("papers", views.daily, name="daily"),
    path("papers/date/<str:day>", views.daily, name="daily-date"),
    re_path(rf"^papers/{ARXIV_ID}(?:v\d+)?$", views.paper, name="paper"),
]
