"""`arxiv-rss`: arXiv's announcement feeds (RSS 2.0 and Atom), on the recorded whole day, the empty feed and the
error feed; the announce types; and hostile input (Hypothesis) that must give records or clear errors, never a crash."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from datetime import date, datetime, timezone

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from papersift.ingest.formats import rss
from papersift.ingest.records import FormatError, PageInfo, Parsed, RecordError, SourceError
from tests.conftest import run_cli

RSS_DIR = "arxiv-raw/rss"
DAY = "rss_all-archives_2024-11-28.xml"
EMPTY = "rss_empty-test-archive_2024-11-28.xml"
ERROR = "rss_error-bad-archive_2024-11-28.xml"


def parse_bytes(body: bytes):
    items = list(rss.parse(io.BufferedReader(io.BytesIO(body)), "feed.xml", PageInfo()))
    return [i for i in items if isinstance(i, Parsed)], [i for i in items if isinstance(i, RecordError)]


def as_atom(rss_body: bytes, limit: int | None = None) -> bytes:
    """The same announcement in arXiv's Atom layout (`rss.arxiv.org/atom/...`, docs_atom_specifications.md):
    each RSS item rewritten field for field as the Atom feed carries it."""
    text = rss_body.decode()
    entries = []
    for item in re.findall(r"<item>(.*?)</item>", text, re.S)[:limit]:
        def field(tag):
            found = re.search(rf"<{tag}[^>]*>(.*?)</{tag}>", item, re.S)
            return found.group(1) if found else ""
        categories = "".join(f'<category term="{c}"/>' for c in re.findall(r"<category>(.*?)</category>", item))
        moment = datetime.strptime(field("pubDate"), "%a, %d %b %Y %H:%M:%S %z").isoformat()
        extra = "".join(f"<{tag}>{field(tag)}</{tag}>" for tag in ("arxiv:journal_reference", "arxiv:DOI")
                        if field(tag))
        entries.append(
            f"<entry><id>{field('guid')}</id><title>{field('title')}</title><updated>{moment}</updated>"
            f'<link href="{field("link")}" rel="alternate" type="text/html"/><summary>{field("description")}</summary>'
            f"{categories}<published>{moment}</published><arxiv:announce_type>{field('arxiv:announce_type')}"
            f"</arxiv:announce_type><dc:rights>{field('dc:rights')}</dc:rights>{extra}"
            f"<dc:creator>{field('dc:creator')}</dc:creator></entry>")
    return ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" '
            'xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            "<id>http://rss.arxiv.org/atom/cs</id><title>cs updates on arXiv.org</title>"
            "<updated>2024-11-28T05:00:00+00:00</updated>" + "".join(entries) + "</feed>").encode()


def test_a_whole_day_gives_every_item_with_its_announce_type_and_day(shared):
    papers, errors = parse_bytes((shared / RSS_DIR / DAY).read_bytes())
    assert errors == [] and len(papers) == 1504
    kinds = Counter((p.announcement.kind, p.announcement.date) for p in papers)
    assert kinds == {("new", date(2024, 11, 28)): 926, ("replace", date(2024, 11, 28)): 569,
                     ("cross", date(2024, 11, 28)): 9}
    assert all(p.paper.categories for p in papers)
    by_id = {p.paper.arxiv_id: p for p in papers}
    ecg = by_id["2411.17702"]
    assert ecg.paper.authors == ["Hyewon Jeong", "Suyeol Yun", "Hammaad Adam"]
    assert ecg.paper.categories == ["eess.SP", "cs.LG"]          # primary first, as arXiv writes them
    assert ecg.paper.version == 1 and ecg.paper.announced == date(2024, 11, 28)
    assert ecg.paper.abstract.startswith("Electrocardiograms (ECGs)")   # the "arXiv:... Announce Type" preamble is cut
    assert ecg.location.startswith("item 3 (oai:arXiv.org:2411.17702v1)")
    # A replacement or a cross-listing is not the paper's first announcement: it leaves `announced` alone.
    replaced = next(p for p in papers if p.announcement.kind == "replace")
    assert replaced.paper.announced is None and replaced.paper.version > 1
    cross = by_id["2411.16552"]
    assert cross.announcement.kind == "cross" and cross.paper.announced is None
    assert cross.paper.categories == ["stat.AP", "cs.LG", "econ.EM", "stat.ME", "stat.ML"]
    assert sum(1 for p in papers if p.paper.doi) == 111 and sum(1 for p in papers if p.paper.journal_ref) == 97


def test_the_atom_layout_gives_the_same_records(shared):
    body = (shared / RSS_DIR / DAY).read_bytes()
    from_rss, _ = parse_bytes(body)
    from_atom, errors = parse_bytes(as_atom(body))
    assert errors == [] and len(from_atom) == 1504
    for a, b in zip(from_rss, from_atom):
        assert (a.paper.arxiv_id, a.paper.version, a.paper.title, a.paper.abstract, a.paper.authors,
                a.paper.categories, a.paper.doi, a.announcement) == \
               (b.paper.arxiv_id, b.paper.version, b.paper.title, b.paper.abstract, b.paper.authors,
                b.paper.categories, b.paper.doi, b.announcement)


def test_replace_cross_is_a_new_version_and_unknown_types_are_reported(shared):
    body = (shared / RSS_DIR / DAY).read_bytes()
    first = re.search(rb"<item>.*?</item>", body, re.S).group(0)
    head = body[:body.index(b"<item>")]
    replace_cross = first.replace(b"<arxiv:announce_type>new", b"<arxiv:announce_type>replace-cross") \
        .replace(b"2411.17700v1", b"2411.17700v3")
    unknown = first.replace(b"<arxiv:announce_type>new", b"<arxiv:announce_type>jref")
    papers, errors = parse_bytes(head + replace_cross + unknown + b"</channel></rss>")
    assert [(p.announcement.kind, p.paper.version, p.paper.announced) for p in papers] == [("replace-cross", 3, None)]
    assert len(errors) == 1 and "announce type 'jref'" in errors[0].message and errors[0].location.startswith("item 2")


def test_an_empty_feed_is_a_day_without_announcements(shared):
    assert parse_bytes((shared / RSS_DIR / EMPTY).read_bytes()) == ([], [])


def test_the_error_feed_names_the_bad_archive(shared):
    with pytest.raises(SourceError, match="Bad archive 'astroph'"):
        parse_bytes((shared / RSS_DIR / ERROR).read_bytes())


@pytest.mark.parametrize("payload, message", [
    (b"<!doctype html><html><body>502</body></html>", "HTML page"),
    (b'<?xml version="1.0"?><OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"/>', "not <rss> or <feed>"),
    (b"<rss><channel><item><title>cut", "malformed or cut short"),
    (b"", "is not XML"),
])
def test_input_that_is_not_a_feed_is_refused_whole(payload, message):
    with pytest.raises(FormatError, match=message):
        parse_bytes(payload)


def test_entities_are_not_expanded(shared):
    """A feed declaring an entity (a billion-laughs attack in small) gets no expansion."""
    body = (b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]>'
            b'<rss><channel><title>t</title><item><title>&b;</title><guid>oai:arXiv.org:2411.17700v1</guid>'
            b"<description>x</description><pubDate>Thu, 28 Nov 2024 00:00:00 -0500</pubDate>"
            b"<arxiv:announce_type xmlns:arxiv='http://arxiv.org/schemas/atom'>new</arxiv:announce_type>"
            b"</item></channel></rss>")
    papers, errors = parse_bytes(body)
    assert all("aaaaaaaaaa" not in p.paper.title for p in papers)


ITEM = st.fixed_dictionaries({
    "guid": st.one_of(st.just("oai:arXiv.org:2411.17700v1"), st.text(max_size=30)),
    "title": st.text(max_size=60),
    "description": st.one_of(st.just("arXiv:2411.17700v1 Announce Type: new \nAbstract: words"), st.text(max_size=80)),
    "pubDate": st.one_of(st.just("Thu, 28 Nov 2024 00:00:00 -0500"), st.text(max_size=30)),
    "arxiv:announce_type": st.one_of(st.sampled_from(["new", "cross", "replace", "replace-cross"]),
                                     st.text(max_size=12)),
    "dc:creator": st.text(max_size=60),
    "category": st.text(max_size=12),
})


def _escape(text: str) -> str:
    text = "".join(c for c in text if c in "\t\n\r" or (" " <= c <= "\ud7ff") or ("\ue000" <= c <= "\ufffd"))
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(ITEM, max_size=5))
def test_any_item_content_gives_a_record_or_a_located_error(items):
    body = "".join("<item>" + "".join(f"<{k}>{_escape(v)}</{k}>" for k, v in item.items()) + "</item>"
                   for item in items)
    feed = ('<rss xmlns:arxiv="http://arxiv.org/schemas/atom" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<channel><title>cs updates on arXiv.org</title>{body}</channel></rss>").encode()
    papers, errors = parse_bytes(feed)
    assert len(papers) + len(errors) == len(items)
    for error in errors:
        assert re.match(r"item \d+ \(", error.location) and error.message
    for paper in papers:
        assert paper.paper.title and paper.announcement.kind in ("new", "cross", "replace", "replace-cross")


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_crash_the_parser(payload):
    try:
        parse_bytes(payload)
    except (FormatError, SourceError):
        pass


# --- through the CLI, as the acceptance reads ---------------------------------------------------------------

def _stats(env) -> dict:
    return json.loads(run_cli(env, "stats", "--json").stdout)


def test_ingest_a_day_then_again_then_the_empty_and_the_error_feed(shared, cli_env):
    day = str(shared / RSS_DIR / DAY)
    first = run_cli(cli_env, "ingest", "arxiv-rss", day, "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["papers"]["new"] == 1504 and report["announcements"]["new"] == 1504
    assert report["listings"]["new"] == 0            # arXiv's announcements do not go on the curated daily list
    stats = _stats(cli_env)
    assert stats["papers"] == 1504 and stats["listings"] == 0
    assert "(none)" not in stats["categories"]        # every paper has its primary category
    assert stats["announcements"]["by_kind"] == {"new": 926, "cross": 9, "replace": 569}
    assert stats["announcements"]["first_day"] == stats["announcements"]["last_day"] == "2024-11-28"

    again = json.loads(run_cli(cli_env, "ingest", "arxiv-rss", day, "--json").stdout)
    assert again["papers"] == {"new": 0, "updated": 0, "unchanged": 1504, "stale": 0}
    assert again["announcements"] == {"new": 0, "updated": 0, "unchanged": 1504}
    assert _stats(cli_env) == stats

    empty = run_cli(cli_env, "ingest", "arxiv-rss", str(shared / RSS_DIR / EMPTY))
    assert empty.returncode == 0 and "papers: 0 new" in empty.stdout
    error = run_cli(cli_env, "ingest", "arxiv-rss", str(shared / RSS_DIR / ERROR))
    assert error.returncode == 1
    assert "rss_error-bad-archive_2024-11-28.xml" in error.stderr and "Bad archive 'astroph'" in error.stderr
    assert _stats(cli_env) == stats


def test_the_new_items_are_the_days_new_papers(shared, db):
    from papersift.catalog.models import Announcement, Paper
    from papersift.ingest.services import Ingest

    report = Ingest("arxiv-rss").run([str(shared / RSS_DIR / DAY)])
    assert report.error_count == 0
    assert Paper.objects.filter(announced=date(2024, 11, 28)).count() == 926
    assert Announcement.objects.filter(date=date(2024, 11, 28), kind="new").count() == 926
    replaced = Announcement.objects.filter(kind="replace").select_related("paper").first()
    assert replaced.version == replaced.paper.version > 1
    observed = Paper.objects.get(arxiv_id="2411.17702").observed_at
    assert observed == datetime(2024, 11, 28, 5, tzinfo=timezone.utc)


def test_a_paper_new_in_one_feed_and_cross_in_another_stays_new(shared, db, tmp_path):
    """Feeds for two categories carry a paper as `new` (its primary) and `cross` (the other): one announcement, new."""
    from papersift.catalog.models import Announcement
    from papersift.ingest.services import Ingest

    body = (shared / RSS_DIR / DAY).read_bytes()
    item = re.search(rb"<item>(?:(?!</item>).)*?2411\.17702v1.*?</item>", body, re.S).group(0)
    head = body[:body.index(b"<item>")]
    as_cross = item.replace(b"<arxiv:announce_type>new", b"<arxiv:announce_type>cross")
    (tmp_path / "cs.LG.xml").write_bytes(head + as_cross + b"</channel></rss>")
    (tmp_path / "eess.SP.xml").write_bytes(head + item + b"</channel></rss>")
    Ingest("arxiv-rss").run([str(tmp_path / "cs.LG.xml")])
    assert Announcement.objects.get().kind == "cross"
    Ingest("arxiv-rss").run([str(tmp_path / "eess.SP.xml")])
    assert Announcement.objects.get().kind == "new"
    Ingest("arxiv-rss").run([str(tmp_path / "cs.LG.xml")])
    assert Announcement.objects.get().kind == "new"


def test_a_newer_version_in_the_feed_replaces_the_stored_metadata(shared, db, tmp_path):
    from papersift.catalog.models import Paper
    from papersift.ingest.services import Ingest

    body = (shared / RSS_DIR / DAY).read_bytes()
    head = body[:body.index(b"<item>")]
    item = re.search(rb"<item>(?:(?!</item>).)*?2411\.17702v1.*?</item>", body, re.S).group(0)
    v2 = (item.replace(b"2411.17702v1", b"2411.17702v2").replace(b"Announce Type: new", b"Announce Type: replace")
          .replace(b"<arxiv:announce_type>new", b"<arxiv:announce_type>replace")
          .replace(b"<title>", b"<title>Revised: ", 1))
    (tmp_path / "d1.xml").write_bytes(head + item + b"</channel></rss>")
    (tmp_path / "d2.xml").write_bytes(head.replace(b"Thu, 28 Nov", b"Fri, 29 Nov")
                                      + v2.replace(b"Thu, 28 Nov", b"Fri, 29 Nov") + b"</channel></rss>")
    Ingest("arxiv-rss").run([str(tmp_path / "d1.xml")])
    Ingest("arxiv-rss").run([str(tmp_path / "d2.xml")])
    paper = Paper.objects.get(arxiv_id="2411.17702")
    assert paper.version == 2 and paper.title.startswith("Revised: ")
    assert paper.announced == date(2024, 11, 28)     # the first announcement stays the paper's
    assert sorted(paper.announcements.values_list("date", "kind")) == [
        (date(2024, 11, 28), "new"), (date(2024, 11, 29), "replace")]
    # The older day's feed again changes nothing: version 1 is older than the stored version 2.
    report = Ingest("arxiv-rss").run([str(tmp_path / "d1.xml")]).as_dict()
    assert report["papers"]["stale"] == 1 and Paper.objects.get(arxiv_id="2411.17702").version == 2

