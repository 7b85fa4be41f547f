"""Reading lists through the pages, as a browser drives them: the forms each page renders, posted with CSRF."""

from __future__ import annotations

import json
import re
from html import unescape

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from allauth.account.models import EmailAddress

from papersift.catalog.models import Paper
from papersift.lists import services
from papersift.lists.models import ReadingList, ReadingListItem
from tests.people import PASSWORD, browser_for
from tests.forms import forms, submit
from tests.test_url_safety import snapshot
from tests.web.test_pages import page_ids

pytestmark = pytest.mark.django_db

DAY = "/papers/date/2026-08-21"
FIRST = "2608.19880"


def save_form(html: str, arxiv_id: str):
    found = [f for f in forms(html, "/lists/save") if f.fields.get("paper") == arxiv_id]
    assert len(found) == 1, f"one save button for {arxiv_id} expected, found {len(found)}"
    return found[0]


def save_from_card(client: Client, page: str, arxiv_id: str, list_name: str):
    """Pick ``list_name`` in the paper's save button on ``page`` and press Save."""
    html = client.get(page).content.decode()
    form = save_form(html, arxiv_id)
    choice = [value for value, text in form.options["list"] if text.removesuffix(" (saved)") == list_name]
    assert choice, f"{list_name!r} not offered by the save button: {form.options['list']}"
    return client.post(form.action, {**form.fields, "list": choice[0]})


def bib_entries(text: str) -> dict[str, dict[str, str]]:
    """A strict reading of the .bib file: nothing but `@type{key, name={value}, ...}` entries with balanced braces.
    Returns key -> fields; fails on anything else, and on a key used twice."""
    entries, i = {}, 0
    while True:
        rest = text[i:].lstrip()
        if not rest:
            return entries
        head = re.match(r"@(\w+)\{([^,\s{}]+),", rest)
        assert head, f"not a BibTeX entry at: {rest[:60]!r}"
        depth, j = 0, 0
        for j, ch in enumerate(rest):
            depth += {"{": 1, "}": -1}.get(ch, 0)
            if depth == 0 and ch == "}":
                break
        assert depth == 0, "unbalanced braces"
        body = rest[head.end():j]
        fields = dict(re.findall(r"^\s*(\w+)=\{(.*)\},?\s*$", body, re.M))
        assert head.group(2) not in entries, f"key {head.group(2)} used twice"
        entries[head.group(2)] = fields
        i = len(text) - len(rest) + j + 1


def test_make_a_list_fill_it_share_it_and_export_it(ada, sample):
    me = browser_for(ada)
    assert "You have no reading lists yet" in me.get("/lists").content.decode()
    created = submit(me, me.get("/lists").content.decode(), "/lists/new", name="  Agents   to read ")
    reading_list = ReadingList.objects.get(owner=ada)
    assert created.status_code == 302 and created["Location"] == f"/lists/{reading_list.slug}"
    response = me.get(created["Location"])
    page = response.content.decode()
    assert "<h1 id=\"list-heading\">Agents to read</h1>" in page and "Private: only you can see this list." in page
    assert "no-store" in response["Cache-Control"]                     # no shared cache keeps a private list
    assert "no-store" in me.get(created["Location"] + ".bib")["Cache-Control"]

    # Save two papers from the day's cards, one of them twice.
    day_ids = page_ids(me.get(DAY).content.decode())
    second = day_ids[1] if day_ids[0] == FIRST else day_ids[0]
    saved = save_from_card(me, DAY, FIRST, "Agents to read")
    assert saved.status_code == 302 and saved["Location"] == DAY
    html = me.get(DAY).content.decode()
    assert "Saved 2608.19880 to “Agents to read”." in html
    assert ("Agents to read (saved)") in [text for _, text in save_form(html, FIRST).options["list"]]
    assert "Already saved 2608.19880" in me.get(save_from_card(me, DAY, FIRST, "Agents to read")["Location"]) \
        .content.decode()
    assert save_from_card(me, f"/papers/{second}", second, "Agents to read")["Location"] == f"/papers/{second}"
    assert sorted(reading_list.items.values_list("paper__arxiv_id", flat=True)) == sorted([FIRST, second])

    # The list page shows both, newest addition first; rename it and remove one.
    page = me.get(f"/lists/{reading_list.slug}").content.decode()
    assert page_ids(page) == [second, FIRST]
    renamed = submit(me, page, f"/lists/{reading_list.slug}/rename", name="Agents", description="For Friday")
    page = me.get(renamed["Location"]).content.decode()
    assert "<h1 id=\"list-heading\">Agents</h1>" in page and "For Friday" in page
    removed = [f for f in forms(page, f"/lists/{reading_list.slug}/remove") if f.fields["paper"] == second]
    assert me.post(removed[0].action, removed[0].fields).status_code == 302
    page = me.get(f"/lists/{reading_list.slug}").content.decode()
    assert page_ids(page) == [FIRST] and f"Removed {second} from “Agents”." in page

    # Private: nobody else sees it, page or exports.
    share = f"/lists/{reading_list.slug}"
    stranger = Client()
    for url in (share, share + ".bib", share + ".json"):
        assert stranger.get(url).status_code == 404
    published = submit(me, page, f"/lists/{reading_list.slug}/publish")
    page = me.get(published["Location"]).content.decode()
    share_url = re.search(r'<input id="share-url" readonly value="([^"]+)">', page).group(1)
    assert share_url == f"http://testserver{share}"
    assert ReadingList.objects.get(id=reading_list.id).public

    # Shared: a logged-out visitor sees the papers, without the owner's controls, and can export them.
    seen = stranger.get(share)
    html = seen.content.decode()
    assert "no-store" not in seen.get("Cache-Control", "")             # a public list may be cached
    assert seen.status_code == 200 and page_ids(html) == [FIRST] and "Public reading list by ada" in html
    assert not forms(html, f"{share}/rename") and not forms(html, f"{share}/remove")
    services.add_paper(ada, reading_list, Paper.objects.get(arxiv_id=second))
    bib = stranger.get(share + ".bib")
    assert bib.status_code == 200 and bib["Content-Type"] == "text/x-bibtex; charset=utf-8"
    entries = bib_entries(bib.content.decode())
    assert [fields["eprint"] for fields in entries.values()] == [second, FIRST]
    assert "huang2026envharness" in entries and entries["huang2026envharness"]["archivePrefix"] == "arXiv"
    exported = stranger.get(share + ".json").json()
    assert [p["id"] for p in exported["papers"]] == [second, FIRST]
    assert (exported["id"], exported["name"], exported["public"], exported["paperCount"]) == (
        reading_list.slug, "Agents", True, 2)
    assert exported["description"] == "For Friday" and exported["url"] == share_url
    assert exported["papers"][1]["title"] == "EnvHarness: Awakening Static Worlds for Agent Learning"

    # Private again, then deleted.
    page = me.get(share).content.decode()
    submit(me, page, f"/lists/{reading_list.slug}/publish")
    assert stranger.get(share).status_code == 404 and stranger.get(share + ".json").status_code == 404
    kept = submit(me, page, f"/lists/{reading_list.slug}/delete")           # the box is not ticked
    assert ReadingList.objects.filter(id=reading_list.id).exists()
    assert "tick the box to confirm" in me.get(kept["Location"]).content.decode()
    gone = submit(me, page, f"/lists/{reading_list.slug}/delete", confirm="yes")
    assert gone["Location"] == "/lists" and not ReadingList.objects.exists() and not ReadingListItem.objects.exists()
    assert me.get(share).status_code == 404


def test_new_list_from_the_save_button_saves_the_paper_and_comes_back(ada, sample):
    me = browser_for(ada)
    html = me.get(DAY).content.decode()
    link = re.search(r'<a href="(/lists\?save=2608\.19880&amp;next=[^"]+)">Save to a new reading list</a>', html)
    assert link, "a user without lists gets a link to make one"
    page = me.get(unescape(link.group(1))).content.decode()
    assert "to a new list" in page and "EnvHarness" in page
    done = submit(me, page, "/lists/new", name="Harnesses")
    assert done.status_code == 302 and done["Location"] == DAY
    assert list(ReadingListItem.objects.values_list("reading_list__name", "paper__arxiv_id")) == [("Harnesses", FIRST)]

    # With a list, the button offers "New list…" in its menu, which leads to the same form.
    form = save_form(me.get(DAY).content.decode(), FIRST)
    assert form.options["list"][-1] == ("+new", "New list…")
    to_form = me.post(form.action, {**form.fields, "list": "+new"})
    assert to_form.status_code == 302 and to_form["Location"].startswith("/lists?save=2608.19880&next=")
    assert ReadingList.objects.count() == 1


def test_bad_list_names_are_refused_with_the_reason_and_the_typed_text_kept(ada, sample):
    me = browser_for(ada)
    page = me.get("/lists").content.decode()
    response = submit(me, page, "/lists/new", name="x" * 101, description="kept")
    html = response.content.decode()
    assert response.status_code == 400 and "name: is 101 characters long; at most 100 are allowed" in html
    assert 'aria-invalid="true"' in html and ">kept</textarea>" in html
    services.create_list(ada, "Taken")
    assert "you already have a list named “taken”" in submit(me, page, "/lists/new", name="taken").content.decode()
    reading_list = ReadingList.objects.get()
    detail = me.get(f"/lists/{reading_list.slug}").content.decode()
    response = submit(me, detail, f"/lists/{reading_list.slug}/rename", name="   ")
    assert "Nothing was changed: name: give the list a name" in me.get(response["Location"]).content.decode()
    assert ReadingList.objects.get().name == "Taken"


HOSTILE = ["<script>alert(1)</script>", '<img src=x onerror="alert(2)">']


@pytest.mark.parametrize("name", HOSTILE)
def test_list_names_with_markup_render_as_text_everywhere(ada, bob, sample, name):
    me = browser_for(ada)
    done = submit(me, me.get("/lists").content.decode(), "/lists/new", name=name, description=name)
    reading_list = ReadingList.objects.get()
    escaped = name.replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    saved = save_from_card(me, DAY, FIRST, name)
    services.set_public(ada, reading_list, True)
    pages = {
        "list page": me.get(done["Location"]),
        "your lists": me.get("/lists"),
        "day page with save buttons, and the saved message": me.get(saved["Location"]),
        "paper page": me.get(f"/papers/{FIRST}"),
        "list page seen by another": browser_for(bob).get(done["Location"]),
    }
    bob_client = browser_for(bob)
    bob_page = bob_client.get(done["Location"]).content.decode()
    pages["refusal to another"] = bob_client.post(f"/lists/{reading_list.slug}/rename", {
        "name": "x", "csrfmiddlewaretoken": forms(bob_page)[0].fields["csrfmiddlewaretoken"]})
    assert pages["refusal to another"].status_code == 403
    for what, response in pages.items():
        html = response.content.decode()
        assert name not in html, f"{what}: the name's markup reached the page"
        assert escaped in html.replace("&#x27;", "'").replace("&#34;", "&quot;"), f"{what}: the name is not shown"
    assert json.loads(me.get(done["Location"] + ".json").content)["name"] == name
    assert me.get(done["Location"] + ".json")["Content-Type"] == "application/json"


def test_another_user_can_neither_see_a_private_list_nor_change_any(ada, bob, sample):
    private = services.create_list(ada, "Secret")
    public = services.create_list(ada, "Open", public=True)
    paper = Paper.objects.get(arxiv_id=FIRST)
    for reading_list in (private, public):
        services.add_paper(ada, reading_list, paper)
    other = browser_for(bob)
    token = forms(other.get(DAY).content.decode())[0].fields["csrfmiddlewaretoken"]
    for suffix in ("", ".bib", ".json"):
        assert other.get(f"/lists/{private.slug}{suffix}").status_code == 404
        assert other.get(f"/lists/{public.slug}{suffix}").status_code == 200
    public_page = other.get(f"/lists/{public.slug}").content.decode()
    assert not forms(public_page, f"/lists/{public.slug}/rename") and "Make private" not in public_page
    before = snapshot()
    changes = [("rename", {"name": "Mine now"}), ("publish", {"public": "1"}), ("delete", {"confirm": "yes"}),
               ("remove", {"paper": FIRST})]
    for action, data in changes:
        data = {**data, "csrfmiddlewaretoken": token}
        assert other.post(f"/lists/{private.slug}/{action}", data).status_code == 404
        refused = other.post(f"/lists/{public.slug}/{action}", {**data, "public": "0"})
        assert refused.status_code == 403 and "only the owner of “Open” can change it" in refused.content.decode()
        assert Client().post(f"/lists/{public.slug}/{action}", data)["Location"].startswith("/accounts/login/")
    another = Paper.objects.exclude(id=paper.id).first()
    for target in (private, public):
        response = other.post("/lists/save", {"paper": another.arxiv_id, "list": target.slug, "next": DAY,
                                              "csrfmiddlewaretoken": token})
        assert response.status_code == (404 if target is private else 403)
    assert snapshot() == before
    assert other.get("/lists").content.decode().count("Secret") == 0
    services.create_list(bob, "Bob's")
    assert [text for _, text in save_form(other.get(DAY).content.decode(), FIRST).options["list"]] == [
        "Bob's", "New list…"]


def test_posts_without_a_csrf_token_are_refused_and_change_nothing(ada, sample):
    reading_list = services.create_list(ada, "Guarded")
    services.add_paper(ada, reading_list, Paper.objects.get(arxiv_id=FIRST))
    me = browser_for(ada)
    before = snapshot()
    posts = [("/lists/new", {"name": "Forged"}), ("/lists/save", {"paper": FIRST, "list": reading_list.slug}),
             *[(f"/lists/{reading_list.slug}/{action}", data) for action, data in (
                 ("rename", {"name": "Forged"}), ("publish", {"public": "1"}), ("delete", {"confirm": "yes"}),
                 ("remove", {"paper": FIRST}))]]
    for url, data in posts:
        response = me.post(url, data)
        assert response.status_code == 403 and b"CSRF" in response.content, url
    assert snapshot() == before


def test_gets_change_nothing(ada, sample):
    reading_list = services.create_list(ada, "Read only")
    services.add_paper(ada, reading_list, Paper.objects.get(arxiv_id=FIRST))
    me = browser_for(ada)
    before = snapshot()
    base = f"/lists/{reading_list.slug}"
    for url in ("/lists", base, base + ".bib", base + ".json", DAY, f"/papers/{FIRST}"):
        assert me.get(url).status_code == 200, url
    for url in ("/lists/new?name=x", f"/lists/save?paper={FIRST}&list={reading_list.slug}", base + "/rename?name=x",
                base + "/publish?public=1", base + "/delete?confirm=yes", base + f"/remove?paper={FIRST}"):
        assert me.get(url).status_code == 405, url
    assert snapshot() == before


def test_anonymous_save_is_a_link_to_log_in_and_come_back(client, sample, ada):
    html = client.get(DAY).content.decode()
    assert not forms(html, "/lists/save")
    links = re.findall(r'<p class="save-to-list"><a href="([^"]+)"[^>]*>Save</a></p>', html)
    assert len(links) == len(page_ids(html)) and set(links) == {"/accounts/login/?next=/papers/date/2026-08-21"}
    EmailAddress.objects.create(user=ada, email=ada.email, verified=True, primary=True)
    login_page = client.get(unescape(links[0]))
    assert login_page.status_code == 200
    token = forms(login_page.content.decode(), "/accounts/login/")[0].fields
    back = client.post(unescape(links[0]), {**token, "login": "ada", "password": PASSWORD})
    assert back.status_code == 302 and back["Location"] == DAY
    # A save posted while logged out (an old tab) goes to the login page, and saves nothing.
    client.logout()
    response = client.post("/lists/save", {"paper": FIRST, "list": "whatever", "next": DAY})
    assert response["Location"].startswith("/accounts/login/?next=/papers/date/2026-08-21")
    assert not ReadingListItem.objects.exists()


def test_save_only_returns_to_pages_on_this_site(ada, sample):
    reading_list = services.create_list(ada, "Safe")
    client = Client()
    client.force_login(ada)
    response = client.post("/lists/save", {"paper": FIRST, "list": reading_list.slug, "next": "https://evil.example/"})
    assert response["Location"] == f"/papers/{FIRST}"
    assert client.post("/lists/save", {"paper": "2101.00001", "list": reading_list.slug}).status_code == 404


def _list_queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries if "lists_readinglist" in q["sql"]]


def test_the_save_menu_costs_nothing_on_pages_without_save_buttons_and_two_queries_on_pages_with_many(ada, sample):
    for name in ("One", "Two", "Three"):
        services.add_paper(ada, services.create_list(ada, name), Paper.objects.get(arxiv_id=FIRST))
    client = Client()
    client.force_login(ada)
    assert _list_queries(client, "/account/") == []
    assert _list_queries(client, "/search") == []
    day = client.get(DAY).content.decode()
    assert len(forms(day, "/lists/save")) == len(page_ids(day)) == 17
    assert len(_list_queries(client, DAY)) == 2
    options = save_form(day, FIRST).options["list"]
    assert [text for _, text in options] == ["Three (saved)", "Two (saved)", "One (saved)", "New list…"]


def test_bibtex_export_parses_with_distinct_keys_even_when_papers_would_share_one(ada, sample):
    first = Paper.objects.get(arxiv_id=FIRST)
    twins = list(Paper.objects.exclude(id=first.id).order_by("arxiv_id")[:2])
    # Same first author, year and first title word: catalog.cite gives all three the key huang2026envharness.
    Paper.objects.filter(id__in=[p.id for p in twins]).update(authors=first.authors, published=first.published,
                                                               title=first.title + " II")
    reading_list = services.create_list(ada, "Cites")
    for paper in (first, *twins):
        services.add_paper(ada, reading_list, paper)
    me = browser_for(ada)
    response = me.get(f"/lists/{reading_list.slug}.bib")
    assert response["Content-Disposition"] == 'attachment; filename="cites.bib"'
    text = response.content.decode()
    entries = bib_entries(text)
    assert list(entries) == ["huang2026envharness", "huang2026envharnessb", "huang2026envharnessc"]
    assert [f["eprint"] for f in entries.values()] == [twins[1].arxiv_id, twins[0].arxiv_id, FIRST]
    pybtex = pytest.importorskip("pybtex.database", reason="pybtex (a BibTeX parser) is not installed")
    parsed = pybtex.parse_string(text, "bibtex")          # refuses repeated keys and malformed entries
    assert [entry.fields["eprint"] for entry in parsed.entries.values()] == [twins[1].arxiv_id, twins[0].arxiv_id,
                                                                             FIRST]
    assert parsed.entries["huang2026envharnessc"].persons["author"][0].last_names == ["Huang"]
    empty = services.create_list(ada, "Nothing yet")
    assert me.get(f"/lists/{empty.slug}.bib").content == b""
