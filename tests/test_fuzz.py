"""Fuzz every parameter of every route the URL resolver knows (pages, feeds, API, admin): no input gives a 5xx.

Routes come from `tests/routes.py`, so a route any app adds is fuzzed without a list to update. Parameters are
found, not listed: the API's from its OpenAPI document; a page's by serving it and recording which query-string
and form fields the view reads (again with those filled in, until no new name turns up). Path parameters are
fuzzed too, within and outside what their pattern accepts. Values mix the names' good values, strings that
broke something once (`tests/strategies.NASTY`), any text, huge numbers, calendar keys of any year, and queries
of the search language. Each request goes as an anonymous visitor or as a staff user who owns the data.

The data are loaded once for the module (the bundled sample plus a comment, a list, a token, a subscription);
every test runs in a transaction that is rolled back. The Hypothesis profile (`tests/conftest.py`) is
derandomised, so a run is reproducible; `HYPOTHESIS_PROFILE=explore` draws more and at random.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from functools import cache
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.http import QueryDict
from django.test import Client, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.routes import VALUES, Route, routes
from tests.strategies import parameter_values, queries, values_for

pytestmark = pytest.mark.django_db

#: Examples per route: a few for a route that reads no parameter (its path is fuzzed), more for each it reads.
BASE_EXAMPLES = max(2, settings.default.max_examples // 25)
#: Good values for parameters that pages and the API share, so that fuzzing one reaches past the others' checks.
KNOWN = {
    "q": ["agents", "graph neural networks", "ti:diffusion cat:cs.CV"], "sort": ["relevance", "trending", "newest",
    "date", "upvotes", "publishedAt"], "mode": ["hybrid", "lexical", "dense"], "category": ["cs", "cs.CL", "cs.CV"],
    "date": ["2026-08-21"], "week": ["2026-W34"], "month": ["2026-08"], "since": ["2026-08"], "until": ["2026-08-31"],
    "p": ["0", "1"], "limit": ["1", "10"], "offset": ["0", "20"], "submitter": ["akhaliq"], "next": ["/papers"],
    "arxiv_id": ["2608.19880"], "body": ["A *comment* with $x^2$."], "name": ["Reading"], "email": ["fuzz@example.org"],
}
#: Routes that end the session the rest of an example needs, or that only render Django's admin JavaScript
#: catalogue: fuzzed like the others but never POSTed to.
NO_POST = {"account_logout", "account_delete"}


@dataclass
class Site:
    admin: object
    values: dict[str, dict[str, str]] = field(default_factory=dict)   # route name -> path values naming real data

    def __repr__(self) -> str:   # Hypothesis prints the arguments of a failing example
        return "Site(sample, root, a comment, a list, a token, a subscription)"


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The sample and some user data, committed once for the module and flushed at its end."""
    data_dir = str(tmp_path_factory.mktemp("fuzz") / "data")
    before = django_settings.PAPERSIFT["DATA_DIR"]
    django_settings.PAPERSIFT["DATA_DIR"] = data_dir
    try:
        with django_db_blocker.unblock():
            try:
                made = _make_site()
                made.values["__data_dir__"] = {"path": data_dir}
                yield made
            finally:
                call_command("flush", interactive=False, verbosity=0)
    finally:
        django_settings.PAPERSIFT["DATA_DIR"] = before


def _make_site() -> Site:
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    from papersift.accounts.services import create_token
    from papersift.catalog.models import Paper
    from papersift.comments.services import post_comment
    from papersift.community.services import set_vote
    from papersift.digests import services as digests, tokens
    from papersift.ingest.sample import load_sample
    from papersift.lists.services import add_paper, create_list

    assert load_sample(only_if_empty=True).error_count == 0
    admin = get_user_model().objects.create_superuser("root", "root@example.org", "a long admin password")
    EmailAddress.objects.create(user=admin, email=admin.email, verified=True, primary=True)
    paper = Paper.objects.get(arxiv_id=VALUES["arxiv_id"])
    set_vote(admin, paper, True)
    token, _ = create_token(admin, "fuzz")
    comment = post_comment(admin, paper, "A first comment with $x^2$.")
    reading_list = create_list(admin, "Fuzzed", public=True)
    add_paper(admin, reading_list, paper)
    subscription = digests.subscribe("fuzz@example.org", digests.Choices(searches=["agents"]))
    site = Site(admin)
    for route in routes():
        values = {"comment_id": str(comment.id), "slug": reading_list.slug, "list_id": reading_list.slug,
                  "token_id": str(token.id)}
        if route.name and route.name.startswith("digest-") and any(s.name == "token" for s in route.slots):
            purpose = route.name.removeprefix("digest-")
            purpose = {"resubscribe": "manage"}.get(purpose, purpose)
            values["token"] = tokens.make(purpose, subscription.public_id)
        site.values[route.name or ""] = values
    return site


@pytest.fixture(autouse=True)
def own_data_dir(site, monkeypatch):
    """The module's one search index (conftest's own_data_dir would give each test an empty one)."""
    monkeypatch.setitem(django_settings.PAPERSIFT, "DATA_DIR", site.values["__data_dir__"]["path"])


# -- finding a route's parameters --------------------------------------------------------------------------------

_seen = threading.local()


class _RecordingQueryDict(QueryDict):
    """A QueryDict that notes each name a view asks it for."""

    def _note(self, key):
        getattr(_seen, "names", set()).add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._note(key)
        return super().getlist(key, default)


def _recording(data: QueryDict, encoding) -> QueryDict:
    copy = _RecordingQueryDict(mutable=True, encoding=encoding)
    for key, values in data.lists():
        copy.setlist(key, values)
    copy._mutable = False
    return copy


class RecordParameters:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.GET = _recording(request.GET, request.encoding)
        if request.method == "POST" and not request.path.startswith("/api/"):
            request.body        # kept, so that a view reading the raw body (/mcp) still can after POST is parsed
            request.POST = _recording(request.POST, request.encoding)
        return self.get_response(request)


@dataclass(frozen=True)
class Parameters:
    get: tuple[str, ...]
    post: tuple[str, ...]


IGNORED_NAMES = {"csrfmiddlewaretoken"}


def _read_names(client: Client, method: str, url: str, names: set[str], variant: int) -> set[str]:
    _seen.names = set()
    data = {}
    for name in names:
        known = KNOWN.get(name, [VALUES.get(name, "1")])
        data[name] = known[variant % len(known)]
    (client.get if method == "GET" else client.post)(url, data)
    return _seen.names - IGNORED_NAMES


def _discover(client: Client, method: str, url: str) -> tuple[str, ...]:
    """The names a view reads: asked with none, then with those filled by a few different good values (a view
    reads some only past its checks of others: the search page reads `p` only for a valid query)."""
    names = _read_names(client, method, url, set(), 0)
    for variant in range(3 if names else 0):
        names |= _read_names(client, method, url, names, variant)
    return tuple(sorted(names))


@cache
def _openapi_parameters() -> dict[tuple[str, str], tuple[str, ...]]:
    from papersift.web.api import api

    out = {}
    for path, operations in api.get_openapi_schema()["paths"].items():
        for method, operation in operations.items():
            out[(path, method.upper())] = tuple(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")
    return out


_discovered: dict[str, Parameters] = {}


def parameters(route: Route, site: Site) -> Parameters:
    key = route.template
    if key not in _discovered:
        if route.template.startswith("/api/"):
            _discovered[key] = Parameters(_openapi_parameters().get((route.template, "GET"), ()), ())
        else:
            client = _client(site, staff=True)
            url = route.url(site.values.get(route.name or "", {}))
            with override_settings(MIDDLEWARE=["tests.test_fuzz.RecordParameters", *django_settings.MIDDLEWARE]):
                get = _discover(client, "GET", url)
                post = () if route.name in NO_POST else _discover(client, "POST", url)
            _discovered[key] = Parameters(get, post)
    return _discovered[key]


# -- the fuzz ------------------------------------------------------------------------------------------------------

def _client(site: Site, staff: bool) -> Client:
    client = Client()
    if staff:
        client.force_login(site.admin)
    return client


def _path_value(data, route: Route, slot, site: Site) -> str:
    real = site.values.get(route.name or "", {}).get(slot.name) or VALUES.get(slot.name, "1")
    choice = data.draw(st.sampled_from(["real", "pattern", "any"]), label=f"{slot.name} kind")
    if choice == "real":
        return real
    if choice == "pattern":
        value = data.draw(st.from_regex(slot.regex, fullmatch=True).filter(lambda v: "\x00" not in v),
                          label=slot.name)
    else:
        value = data.draw(parameter_values(), label=slot.name)
    return quote(value, safe="/" if slot.converter == "path" else "") or real


def _draw_fields(data, names: tuple[str, ...], label: str) -> dict[str, str]:
    chosen = data.draw(st.lists(st.sampled_from(names), unique=True, max_size=len(names)), label=label) if names else []
    return {name: data.draw(values_for(name, KNOWN.get(name, [VALUES.get(name, "1")])), label=name) for name in chosen}


#: Django's admin is left out: its views and parameters are Django's own (`_to_field`, `_changelist_filters`, `o`,
#: lookups), staff only, and `tests/test_url_safety.py` walks it. Everything else is fuzzed, routes added later too.
ROUTES = [route for route in routes() if not route.template.startswith("/admin/")]


def test_routes_and_parameters_are_found_so_the_fuzz_is_not_vacuous(site):
    templates = {route.template for route in ROUTES}
    assert {"/search", "/papers", "/api/daily_papers", "/search/feed.atom", "/papers/{arxiv_id}"} <= templates
    by_template = {route.template: route for route in ROUTES}
    assert {"q", "mode", "sort", "category", "since", "until", "p"} <= set(parameters(by_template["/search"], site).get)
    assert {"sort", "category", "p"} <= set(parameters(by_template["/papers/date/{key}"], site).get)
    assert {"date", "week", "month", "sort", "p", "limit", "submitter"} <= set(
        parameters(by_template["/api/daily_papers"], site).get)
    assert "q" in parameters(by_template["/search/feed.rss"], site).get
    assert "body" in parameters(by_template["/papers/{arxiv_id}/comments"], site).post


@pytest.mark.parametrize("route", ROUTES, ids=[f"{r.template} ({r.name})" for r in ROUTES])
def test_no_input_to_any_route_gives_a_server_error(site, route):
    found = parameters(route, site)
    examples = BASE_EXAMPLES * min(10, 1 + len(found.get) + len(found.post))

    @settings(max_examples=examples)
    @given(data=st.data())
    def fuzz(data):
        staff = data.draw(st.booleans(), label="staff")
        path = route.url({slot.name: _path_value(data, route, slot, site) for slot in route.slots})
        query = _draw_fields(data, found.get, "query names")
        client = _client(site, staff)
        response = client.get(path, query)
        assert response.status_code < 500, ("GET", path, query, response.content[:400])
        if found.post and route.name not in NO_POST and data.draw(st.booleans(), label="post"):
            form = _draw_fields(data, found.post, "form names")
            response = client.post(path, form)
            assert response.status_code < 500, ("POST", path, form, response.content[:400])

    fuzz()


@settings(max_examples=settings.default.max_examples * 2)
@given(q=queries(), where=st.sampled_from(["/search", "/api/search", "/api/papers/search", "/search/feed.atom",
                                           "/search/feed.rss"]),
       mode=st.sampled_from(["", "hybrid", "lexical", "dense"]), sort=st.sampled_from(["", "relevance", "newest",
                                                                                         "upvotes"]))
def test_no_query_of_the_search_language_gives_a_server_error(site, client, q, where, mode, sort):
    params = {"q": q, "mode": mode, "sort": sort} if where in ("/search", "/api/search") else {"q": q}
    response = client.get(where, params)
    assert response.status_code < 500, (where, params, response.content[:400])
