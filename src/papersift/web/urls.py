from django.urls import path, re_path
from django.views.generic import RedirectView

from papersift.web import look, views
from papersift.web.api import api
from papersift.web.feeds import FEEDS

# New-style ids (2405.15738) and old-style ids with their archive (math/0701001, math.GT/0309136).
ARXIV_ID = r"(?P<arxiv_id>\d{4}\.\d{4,5}|[a-z][a-z\-]*(?:\.[A-Z]{2})?/\d{7}|[a-z][a-z0-9]{1,15}:\S{1,200}?)"
CATEGORY = r"(?P<category>[a-z][a-z\-]*(?:\.[A-Za-z\-]{2,})?)"


def feed_urls(prefix: str, name: str) -> list:
    atom, rss = FEEDS[name]
    return [path(f"{prefix}feed.atom", atom, name=f"feed-{name}-atom"),
            path(f"{prefix}feed.rss", rss, name=f"feed-{name}-rss")]


def category_feed_urls() -> list:
    atom, rss = FEEDS["category"]
    return [re_path(rf"^papers/category/{CATEGORY}/feed\.atom$", atom, name="feed-category-atom"),
            re_path(rf"^papers/category/{CATEGORY}/feed\.rss$", rss, name="feed-category-rss")]


urlpatterns = [
    path("", RedirectView.as_view(pattern_name="daily", permanent=False)),
    path("api/", api.urls),
    *feed_urls("papers/", "daily"),
    *feed_urls("papers/trending/", "trending"),
    *feed_urls("search/", "search"),
    *feed_urls("announcements/", "announcements"),
    *category_feed_urls(),
    path("theme", look.set_theme, name="theme"),
    path("manifest.webmanifest", look.manifest, name="manifest"),
    path("favicon.ico", look.favicon, name="favicon"),
    path("papers", views.listing, name="daily"),
    path("papers/trending", views.trending, name="trending"),
    path("papers/date", views.pick_date, name="daily-pick"),
    path("papers/date/<str:key>", views.listing, {"kind": "day"}, name="daily-date"),
    path("papers/week", views.listing, {"kind": "week"}, name="weekly-latest"),
    path("papers/week/<str:key>", views.listing, {"kind": "week"}, name="weekly"),
    path("papers/month", views.listing, {"kind": "month"}, name="monthly-latest"),
    path("papers/month/<str:key>", views.listing, {"kind": "month"}, name="monthly"),
    path("search", views.search_page, name="search"),
    path("authors/<path:name>", views.author, name="author"),
    path("announcements", views.announcements, name="announcements"),
    path("announcements/<str:key>", views.announcements, name="announcements-date"),
    re_path(rf"^papers/{ARXIV_ID}(?:v\d+)?\.md$", views.paper_markdown, name="paper-markdown"),
    re_path(rf"^papers/{ARXIV_ID}(?:v\d+)?\.bib$", views.paper_bibtex, name="paper-bib"),
    re_path(rf"^papers/{ARXIV_ID}(?:v\d+)?$", views.paper, name="paper"),
]
