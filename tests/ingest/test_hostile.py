"""Property tests (Hypothesis) over every ingest format: arbitrary and mutated records never escape the per-record
handler, and a good record next to them still lands. Pure parsing plus the one record check; no database."""

from __future__ import annotations

import copy
import io
import json

from xml.sax.saxutils import escape

from hypothesis import HealthCheck, given, settings, strategies as st

from papersift.ingest.formats import FORMATS
from papersift.ingest.records import FormatError, PageInfo, Parsed, RecordError, SourceError
from papersift.ingest.validate import check, record_or_error

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
    | st.sampled_from(["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00", "v-5", "v99999999999999999999",
                       "2024-13-45", "", "\x00", "2401.00002"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8)

GOOD = {
    "arxiv-snapshot": {"id": "2401.00001", "title": "Good", "authors": "A. One", "categories": "cs.CL",
                       "versions": [{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"}],
                       "update_date": "2007-05-23", "authors_parsed": [["One", "A.", ""]]},
    "arxiv-listing": {"id": "2401.00001", "title": "Good", "authors": ["A. One"], "categories": ["cs.CL"],
                      "listing_date": "2024-01-02"},
    "hf-daily": {"paper": {"id": "2401.00001", "title": "Good", "upvotes": 3}, "publishedAt": "2024-01-02T00:00:00Z"},
}


def dumps(value) -> bytes:
    return json.dumps(value).encode()   # integers of any size, as a hostile file may hold


def run(format_name: str, body: bytes, name: str = "2024-01-02.json") -> list:
    """Every item the parser yields, each Parsed put through the record check as ingest does."""
    out = []
    try:
        for item in FORMATS[format_name].parse(io.BufferedReader(io.BytesIO(body)), name, PageInfo()):
            if isinstance(item, Parsed):
                item = record_or_error(item.location, lambda: check(item))
            out.append(item)
    except (FormatError, SourceError):
        pass   # the whole input refused with a message: allowed for garbage, not for a record
    return out


def mutated(good: dict):
    """The good record with one field replaced by an arbitrary JSON value, or a field added."""
    return st.tuples(st.sampled_from(sorted(good) + ["paper.title", "paper.id", "paper.authors", "x"]),
                     JSON_VALUES).map(lambda change: _apply(good, *change))


def _apply(good: dict, key: str, value) -> dict:
    record = copy.deepcopy(good)
    if key.startswith("paper.") and isinstance(record.get("paper"), dict):
        record["paper"][key[6:]] = value
    else:
        record[key] = value
    return record


def _landed(items) -> set[str]:
    return {item.paper.arxiv_id for item in items if isinstance(item, Parsed)}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["arxiv-snapshot", "arxiv-listing"]), st.data())
def test_json_lines_mutated_record_between_good_ones(format_name, data):
    good = GOOD[format_name]
    bad = data.draw(mutated(good))
    last = dict(good, id="2401.00099")
    lines = [dumps(good), dumps(_apply(bad, "id", "2401.00050") if "id" in bad and bad["id"] == good["id"] else bad), dumps(last)]
    items = run(format_name, b"\n".join(lines) + b"\n")
    assert {"2401.00001", "2401.00099"} <= _landed(items)
    assert all(isinstance(item, (Parsed, RecordError)) for item in items)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_hf_daily_mutated_entry_between_good_ones(data):
    good = GOOD["hf-daily"]
    bad = data.draw(mutated(good))
    last = _apply(good, "paper.id", "2401.00099")
    items = run("hf-daily", dumps([good, bad, last]))
    assert {"2401.00001", "2401.00099"} <= _landed(items)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_never_escape_as_anything_but_a_format_error(body):
    for format_name in FORMATS:
        items = run(format_name, body)
        assert all(isinstance(item, (Parsed, RecordError)) for item in items)


XML_TEXT = st.one_of(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
                     st.sampled_from(["0001-01-01T00:00:00+05:00", "9999-12-31T23:00:00-05:00", "v-5",
                                      "v99999999999999999999", "2024-13-45", "&amp;", "5", "2401.00002v0"]))


def _esc(text: str) -> str:
    return text if text == "&amp;" else escape(text, {'"': "&quot;"})


ATOM_ENTRY = ("<entry><id>http://arxiv.org/abs/{id}</id><title>{title}</title><summary>s</summary>"
              "<published>{date}</published><updated>{date}</updated><author><name>{author}</name></author>"
              "<arxiv:primary_category term=\"{cat}\"/></entry>")
OAI_RECORD = ("<record><header><identifier>oai:arXiv.org:{id}</identifier><datestamp>{date}</datestamp></header>"
              "<metadata><arXivRaw xmlns=\"http://arxiv.org/OAI/arXivRaw/\"><id>{id}</id><title>{title}</title>"
              "<authors>{author}</authors><categories>{cat}</categories><version version=\"{version}\"><date>{date}"
              "</date></version></arXivRaw></metadata></record>")
RSS_ITEM = ("<item><title>{title}</title><guid>oai:arXiv.org:{id}</guid><description>arXiv:{id} Announce Type: "
            "{version} Abstract: s</description><pubDate>{date}</pubDate><category>{cat}</category>"
            "<dc:creator>{author}</dc:creator></item>")
GOOD_XML = {"id": "2401.00001", "title": "Good", "date": "2024-01-01T00:00:00Z", "author": "A. One",
            "cat": "cs.CL", "version": "v1"}
GOOD_RSS = dict(GOOD_XML, date="Mon, 01 Jan 2024 00:00:00 -0500", version="new")


def xml_document(format_name: str, fields: list[dict]) -> bytes:
    if format_name == "arxiv-atom":
        body = "".join(ATOM_ENTRY.format(**f) for f in fields)
        return (f'<feed xmlns="http://www.w3.org/2005/Atom" xmlns:arxiv="http://arxiv.org/schemas/atom">{body}'
                "</feed>").encode()
    if format_name == "arxiv-oai":
        body = "".join(OAI_RECORD.format(**f) for f in fields)
        return (f'<OAI-PMH xmlns="http://www.openarchives.org/OAI/2.0/"><ListRecords>{body}</ListRecords>'
                "</OAI-PMH>").encode()
    body = "".join(RSS_ITEM.format(**f) for f in fields)
    return (f'<rss xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>cs updates</title>{body}'
            "</channel></rss>").encode()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(["arxiv-atom", "arxiv-oai", "arxiv-rss"]), st.sampled_from(sorted(GOOD_XML)), XML_TEXT)
def test_xml_mutated_record_between_good_ones(format_name, key, value):
    good = GOOD_RSS if format_name == "arxiv-rss" else GOOD_XML
    bad = {**good, "id": "2401.00050", key: _esc(value)}
    items = run(format_name, xml_document(format_name, [good, bad, dict(good, id="2401.00099")]))
    assert {"2401.00001", "2401.00099"} <= _landed(items)
    assert all(isinstance(item, (Parsed, RecordError)) for item in items)
