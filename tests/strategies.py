"""Hypothesis strategies for what people (and attackers) type: queries of the search language, calendar keys of
any year, and hostile strings. Shared by the parser's property tests and the fuzz of every route."""

from __future__ import annotations

from hypothesis import strategies as st

#: Values that broke something once, somewhere: keep them in every draw's reach.
NASTY = ["", " ", "-1", "0", "101", "1e3", "abc", "2026-02-30", "2026-W54", "2026-W00", "2026-13", "0000-01-01",
         "9999-12-31", "9999-W52", "9999-12", "0001-01-01", "0001-W01", "99999999999999999999999", "%00", "\x00",
         "\x01", "\x1f\x0b", "' OR 1=1 --", "<script>alert(1)</script>", "x" * 300, "😀", "\ud7ff\ufffe\uffff",
         "2026-08-21T00:00:00", "NaN", "-0", "1.5", "[]", "{}", "../../etc/passwd", "a a", "the a", "NOT a",
         "to be or not to be", "since:1500", "until:9999", '"', "-", "--", ":", "cat:", "ti:", "\\"]

STOP_WORDS = ["a", "an", "the", "to", "be", "or", "not", "NOT", "of", "and", "OR", "AND", "is", "will", "in"]
TOPIC_WORDS = ["agents", "graph", "neural", "diffusion", "protein", "transformer", "language", "survey", "video",
               "reinforcement", "learning", "models", "Wang", "zebrafish"]
FIELDS = ["ti", "title", "au", "author", "abs", "abstract", "id", "arxiv", "cat", "since", "until", "foo", "TI"]
CATEGORIES = ["cs", "cs.CL", "cs.LG", "math", "math.DG", "q-bio.BM", "hep-th", "cs.XX", "!!", "CS.cl"]


def years() -> st.SearchStrategy[str]:
    """Years, the ends of the calendar and of tantivy's date range drawn as often as all the others."""
    return st.one_of(st.sampled_from([9999, 1, 1500, 1677, 1678, 2262, 2263, 2026]), st.integers(0, 10_000)).map(
        lambda year: f"{year:04d}")


def calendar_keys() -> st.SearchStrategy[str]:
    """Days, ISO weeks and months, of any year and with out-of-range parts: what windows and date filters get."""
    number = st.one_of(st.sampled_from([1, 12, 31, 52, 53]), st.integers(0, 99)).map(lambda n: f"{n:02d}")
    return st.one_of(
        st.sampled_from(["9999-12-31", "9999-W52", "9999-12", "0001-01-01", "0001-W01", "0001-01", "1677-09-21",
                         "2262-04-12"]),
        st.dates().map(lambda d: d.isoformat()),
        st.builds(lambda y, m, d: f"{y}-{m}-{d}", years(), number, number),
        st.builds(lambda y, w: f"{y}-W{w}", years(), number),
        st.builds(lambda y, m: f"{y}-{m}", years(), number),
        years(),
    )


def words() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(STOP_WORDS + TOPIC_WORDS), st.text(min_size=1, max_size=8))


def terms() -> st.SearchStrategy[str]:
    """One piece of a query: a word, a phrase, a field, a category, a date, an exclusion, stray syntax."""
    return st.one_of(
        words(),
        st.lists(words(), min_size=1, max_size=4).map(lambda ws: '"' + " ".join(ws) + '"'),
        st.builds(lambda f, w: f"{f}:{w}", st.sampled_from(FIELDS), words()),
        st.builds(lambda f, ws: f'{f}:"{" ".join(ws)}"', st.sampled_from(FIELDS), st.lists(words(), max_size=3)),
        st.sampled_from(CATEGORIES).map(lambda c: f"cat:{c}"),
        st.builds(lambda f, key: f"{f}:{key}", st.sampled_from(["since", "until"]), calendar_keys()),
        words().map(lambda w: f"-{w}"),
        st.sampled_from(["2401.00001", "arXiv:2608.19880v2", "id:hep-th/9901001", "id:notanid", "2608.19880"]),
        st.sampled_from(['"', "-", "--", ":", "-cat:cs.CV", '-"the a"', "\x00", "\x01", "(", ")", "*", "?", "~2",
                         "^3", "[a TO z]", "+", "&&", "||"]),
    )


def queries() -> st.SearchStrategy[str]:
    return st.one_of(st.lists(terms(), min_size=1, max_size=6).map(" ".join),
                     st.lists(st.sampled_from(STOP_WORDS), min_size=1, max_size=5).map(" ".join),
                     st.text(max_size=60))


#: Parameters whose values have a shape of their own, drawn in that shape half the time.
TYPED = {"q": queries, "date": calendar_keys, "week": calendar_keys, "month": calendar_keys, "since": calendar_keys,
         "until": calendar_keys, "key": calendar_keys}


def values_for(name: str, known: list[str] | tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """Values for the parameter ``name``: of its own shape (a query, a calendar key) or anything."""
    anything = parameter_values(known)
    return st.one_of(TYPED[name](), anything) if name in TYPED else anything


def parameter_values(known: list[str] | tuple[str, ...] = ()) -> st.SearchStrategy[str]:
    """Any value a query-string or form parameter might be sent: ``known`` good ones included."""
    return st.one_of(
        st.sampled_from(list(known) or ["1"]),
        st.sampled_from(NASTY),
        st.text(max_size=40),
        st.integers(-(10 ** 20), 10 ** 20).map(str),
        calendar_keys(),
        queries(),
    )
