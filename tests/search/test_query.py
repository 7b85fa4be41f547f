"""The query language: table-driven cases of what a person types and what the engine is asked."""

from datetime import date

import pytest
from hypothesis import given, strategies as st

from papersift.search.query import ARXIV_ID, CATEGORY, Clause, parse, parse_date
from tests.strategies import calendar_keys, queries


@pytest.mark.parametrize("text, must, exclude, categories, ids, since, until", [
    ("graph neural networks", [Clause("graph"), Clause("neural"), Clause("networks")], [], [], [], None, None),
    ('"diffusion model" video', [Clause("diffusion model", phrase=True), Clause("video")], [], [], [], None, None),
    ("llm -survey", [Clause("llm")], [Clause("survey")], [], [], None, None),
    ('agents -"large language"', [Clause("agents")], [Clause("large language", phrase=True)], [], [], None, None),
    ("ti:transformer au:Hinton abs:protein",
     [Clause("transformer", "title"), Clause("Hinton", "authors"), Clause("protein", "abstract")], [], [], [], None, None),
    ('au:"Yann LeCun"', [Clause("Yann LeCun", "authors", True)], [], [], [], None, None),
    ("cat:cs.CL cat:math", [], [], ["cs.CL", "math"], [], None, None),
    ("retrieval -cat:cs.IR", [Clause("retrieval")], [Clause("cs.IR", "categories")], [], [], None, None),
    ("2401.00001", [], [], [], ["2401.00001"], None, None),
    ("arXiv:2401.00001v3", [], [], [], ["2401.00001"], None, None),
    ("id:hep-th/9901001", [], [], [], ["hep-th/9901001"], None, None),
    ("since:2025-01-01 until:2025-06 rl", [Clause("rl")], [], [], [], date(2025, 1, 1), date(2025, 6, 30)),
    ("since:2024 until:2024", [], [], [], [], date(2024, 1, 1), date(2024, 12, 31)),
])
def test_parse(text, must, exclude, categories, ids, since, until):
    parsed = parse(text)
    assert (parsed.must, parsed.exclude, parsed.categories, parsed.ids, parsed.since, parsed.until) == (
        must, exclude, categories, ids, since, until)
    assert parsed.warnings == []


@pytest.mark.parametrize("text, must, warning", [
    ('"unclosed phrase', [Clause("unclosed phrase", phrase=True)], "unbalanced quote"),
    ("foo:bar baz", [Clause("foo bar", phrase=True), Clause("baz")], "unknown field foo"),
    ("since:yesterday rl", [Clause("rl")], "since:yesterday is not a date"),
    ("since:2025-13-01 rl", [Clause("rl")], "since:2025-13-01 is not a date"),
    ("ti: transformers", [Clause("transformers")], "ti: has no value"),
    ("cat:!! rl", [Clause("rl")], "cat:!! is not an arXiv category"),
    ("id:notanid", [Clause("notanid")], "id:notanid is not an arXiv id"),
])
def test_malformed_syntax_degrades_to_text_with_a_warning(text, must, warning):
    parsed = parse(text)
    assert parsed.must == must
    assert any(warning in w for w in parsed.warnings), parsed.warnings


def test_free_text_is_what_gets_embedded():
    parsed = parse('ti:"protein folding" au:smith dynamics -survey cat:q-bio.BM')
    assert parsed.free_text == "protein folding dynamics"


@pytest.mark.parametrize("value, end, expected", [
    ("2024", False, date(2024, 1, 1)), ("2024", True, date(2024, 12, 31)),
    ("2024-02", True, date(2024, 2, 29)), ("2023-02", True, date(2023, 2, 28)), ("2024-02-10", True, date(2024, 2, 10)),
])
def test_parse_date_widens_open_periods(value, end, expected):
    assert parse_date(value, end) == expected


@pytest.mark.parametrize("value", ["24", "2024-1-1-1", "2024-xx", "", "2024-00"])
def test_parse_date_rejects(value):
    with pytest.raises(ValueError):
        parse_date(value, False)


def test_the_engine_package_never_imports_django():
    import subprocess
    import sys

    code = ("import sys, pkgutil, importlib, papersift.search as s\n"
            "for m in pkgutil.iter_modules(s.__path__): importlib.import_module('papersift.search.' + m.name)\n"
            "print(sorted(n for n in sys.modules if n.split('.')[0] == 'django'))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- properties (Hypothesis) ------------------------------------------------------------------------------------

PLAIN_WORDS = st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=10).filter(
    lambda w: not ARXIV_ID.match(w))


@given(st.one_of(queries(), st.text()))
def test_any_text_parses_into_clean_parts_without_raising(text):
    parsed = parse(text)
    assert all(isinstance(w, str) and w for w in parsed.warnings)
    for clause in parsed.must + parsed.exclude:
        assert clause.text and clause.text == clause.text.strip() and not clause.text.startswith("-")
        assert clause.field in (None, "title", "abstract", "authors", "categories", "id")
    assert all(CATEGORY.match(c) for c in parsed.categories)
    assert all(ARXIV_ID.match(i) for i in parsed.ids)
    assert all(d is None or isinstance(d, date) for d in (parsed.since, parsed.until))


@st.composite
def written_queries(draw):
    """A query written from known parts, with the structure the parser must give back."""
    must, exclude, categories = [], [], []
    pieces = []
    for kind in draw(st.lists(st.sampled_from(["word", "phrase", "field", "exclude", "category"]), max_size=6)):
        words = draw(st.lists(PLAIN_WORDS, min_size=1, max_size=3))
        if kind == "word":
            pieces.append(words[0])
            must.append(Clause(words[0]))
        elif kind == "phrase":
            pieces.append('"' + " ".join(words) + '"')
            must.append(Clause(" ".join(words), phrase=True))
        elif kind == "field":
            prefix, name = draw(st.sampled_from([("ti", "title"), ("au", "authors"), ("abs", "abstract")]))
            pieces.append(f"{prefix}:{words[0]}")
            must.append(Clause(words[0], name))
        elif kind == "exclude":
            pieces.append(f"-{words[0]}")
            exclude.append(Clause(words[0]))
        else:
            category = draw(st.sampled_from(["cs", "cs.CL", "math.DG", "q-bio.BM", "hep-th"]))
            pieces.append(f"cat:{category}")
            categories.append(category)
    return " ".join(pieces), must, exclude, categories


@given(written_queries())
def test_a_well_formed_query_parses_to_what_was_written(written):
    text, must, exclude, categories = written
    parsed = parse(text)
    assert (parsed.must, parsed.exclude, parsed.categories, parsed.warnings) == (must, exclude, categories, [])


@given(st.dates(), st.booleans())
def test_every_day_of_the_calendar_parses_as_itself(day, end):
    assert parse_date(day.isoformat(), end) == day
    year = f"{day.year:04d}"
    assert parse_date(year, end) == (date(day.year, 12, 31) if end else date(day.year, 1, 1))
    assert parse_date(f"{year}-{day.month:02d}", end).month == day.month


@given(st.one_of(calendar_keys(), st.text(max_size=12)), st.booleans())
def test_parse_date_gives_a_date_or_a_value_error_for_anything(value, end):
    try:
        assert isinstance(parse_date(value, end), date)
    except ValueError:
        pass
