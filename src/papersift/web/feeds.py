"""RSS 2.0 and Atom feeds (Django's syndication framework): the daily lists, trending, a category, any search.

Entry ids are the paper's arXiv abstract URL (a paper is one entry whichever papersift host serves it, and a
reader that saw it in one feed knows it in another); links go to the paper's page here.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone
from urllib.parse import urlencode

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from papersift.catalog import selectors as catalog
from papersift.catalog.models import Paper
from papersift.indexing import selectors as search
from papersift.web import hf, params
from papersift.web.params import BadParameter

FEED_DAYS = 7      # the daily and trending feeds cover the last week of listing days
FEED_ITEMS = 50
#: Characters XML 1.0 cannot carry at all, escaped or not (Django's feed writer refuses them with an exception).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(value):
    """``value`` (a string, or a list of them) with the characters XML cannot carry made spaces: a search feed's
    title holds whatever query it was asked for, and a paper's text whatever its source sent."""
    if isinstance(value, str):
        return NOT_XML.sub(" ", value)
    if isinstance(value, (list, tuple)):
        return [xml_text(item) for item in value]
    return value


class _XmlSafe:
    """A feed generator that cleans every text it is given (see ``xml_text``) before writing it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*map(xml_text, args), **{name: xml_text(value) for name, value in kwargs.items()})

    def add_item(self, *args, **kwargs):
        super().add_item(*map(xml_text, args), **{name: xml_text(value) for name, value in kwargs.items()})


class AtomFeed(_XmlSafe, Atom1Feed):
    pass


class RssFeed(_XmlSafe, Rss201rev2Feed):
    pass


class PaperFeed(Feed):
    """Items are papers; a list's feed sets ``feed_date`` (the listing time) on each, search feeds use ``published``."""

    feed_type = AtomFeed

    def item_title(self, item: Paper) -> str:
        return item.title

    def item_description(self, item: Paper) -> str:
        return item.abstract

    def item_link(self, item: Paper) -> str:
        return reverse("paper", args=[item.arxiv_id])

    def item_guid(self, item: Paper) -> str:
        return item.abs_url or f"urn:papersift:paper:{item.arxiv_id}"

    item_guid_is_permalink = False

    def item_author_name(self, item: Paper) -> str:
        return ", ".join(item.authors[:10]) + (" et al." if len(item.authors) > 10 else "")

    def item_categories(self, item: Paper) -> list[str]:
        return item.categories

    def item_pubdate(self, item: Paper) -> datetime | None:
        return getattr(item, "feed_date", None) or item.published or item.created_at

    def item_updateddate(self, item: Paper) -> datetime | None:
        return max(filter(None, (item.updated, item.modified_at, self.item_pubdate(item))))


def _recent_window() -> catalog.Window | None:
    return catalog.recent_window(FEED_DAYS)


def _listed_papers(page: catalog.ListingPage) -> list[Paper]:
    papers = []
    for listing in page.entries:
        listing.paper.feed_date = hf.listed_at(listing)
        papers.append(listing.paper)
    return papers


class DailyFeed(PaperFeed):
    title = "papersift: daily papers"
    description = "Papers on the daily lists of the last week, newest listing first."

    def link(self):
        return reverse("daily")

    def items(self):
        return _listed_papers(catalog.listing_page(_recent_window(), sort="date", limit=FEED_ITEMS,
                                                   neighbours=False))


class TrendingFeed(PaperFeed):
    title = "papersift: trending papers"
    description = "The most upvoted papers listed in the last week."

    def link(self):
        return reverse("daily")

    def items(self):
        return _listed_papers(catalog.listing_page(_recent_window(), sort="trending", limit=30, neighbours=False))


class SearchFeed(PaperFeed):
    """Any query of the search language, newest papers first: a saved search as a feed."""

    def get_object(self, request, *args, **kwargs):
        try:
            return params.search_request(request.GET.get("q"), category=request.GET.get("category"))
        except BadParameter as exc:
            raise Http404(str(exc)) from None

    def title(self, query: params.SearchRequest) -> str:
        return f"papersift: {query.q}"

    def description(self, query: params.SearchRequest) -> str:
        return f"Newest papers matching {query.q!r}."

    def link(self, query: params.SearchRequest) -> str:
        return f"{reverse('search')}?{urlencode({'q': query.q, 'sort': 'newest'})}"

    def items(self, query: params.SearchRequest) -> list[Paper]:
        try:
            found = search.search(query.q, sort="newest", limit=FEED_ITEMS, categories=query.categories)
        except search.IndexMissing:
            return []
        return [hit.paper for hit in found.hits]


class CategoryFeed(SearchFeed):
    def get_object(self, request, category: str):
        return params.SearchRequest(f"cat:{category}", categories=(category,))

    def title(self, query: params.SearchRequest) -> str:
        return f"papersift: {query.categories[0]}"

    def description(self, query: params.SearchRequest) -> str:
        return f"Newest papers in {query.categories[0]}."


class AnnouncementsFeed(PaperFeed):
    """arXiv's latest announcement in the followed categories (`?category=cs.CL` for one): its new papers and
    cross-lists, dated by the announcement."""

    def get_object(self, request, *args, **kwargs):
        try:
            return params.announcements(category=request.GET.get("category"), limit=100)
        except BadParameter as exc:
            raise Http404(str(exc)) from None

    def title(self, page: catalog.AnnouncementPage) -> str:
        return f"papersift: new on arXiv{' in ' + page.category if page.category else ''}"

    def description(self, page: catalog.AnnouncementPage) -> str:
        return f"arXiv's announcement of {page.day or 'the latest day'}: new papers and cross-lists."

    def link(self, page: catalog.AnnouncementPage) -> str:
        return reverse("announcements") + (f"?category={page.category}" if page.category else "")

    def items(self, page: catalog.AnnouncementPage) -> list[Paper]:
        out = []
        for announcement in page.entries:
            if announcement.mark != "replaced":
                announcement.paper.feed_date = datetime.combine(announcement.date, time(), tzinfo=timezone.utc)
                out.append(announcement.paper)
        return out

    def item_title(self, item: Paper) -> str:
        return item.title


def _rss(feed_class: type[Feed]) -> type[Feed]:
    return type(f"{feed_class.__name__}Rss", (feed_class,), {"feed_type": RssFeed})


FEEDS = {name: (cls(), _rss(cls)()) for name, cls in
         (("daily", DailyFeed), ("trending", TrendingFeed), ("search", SearchFeed), ("category", CategoryFeed),
          ("announcements", AnnouncementsFeed))}
