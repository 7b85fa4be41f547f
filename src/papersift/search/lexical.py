"""The lexical index: BM25 over title, abstract and authors, with tantivy.

Each document is keyed by ``key`` (the paper's database id, an unsigned fast field). Titles and abstracts
use tantivy's English stemming analyser; authors the default one; categories and ids are kept raw.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Iterable, Sequence

import tantivy

from papersift.search.query import Clause, ParsedQuery

#: BM25 weight of the title on top of "text" (title + abstract): tuned on SciFact test, docs/search.md.
TITLE_BOOST = 0.2
TEXT_FIELDS = ["text", "title", "authors"]
BOOSTS = {"text": 1.0, "title": TITLE_BOOST, "authors": 1.0}
QL_FIELDS = {None: None, "title": "title", "abstract": "abstract", "authors": "authors", "categories": "categories"}
WRITER_HEAP = 128_000_000
#: The days tantivy's date fields can hold (nanoseconds since 1970 in 64 bits): 1677-09-21 to 2262-04-11.
FIRST_DAY, LAST_DAY = date(1677, 9, 22), date(2262, 4, 10)


@dataclass(frozen=True)
class Document:
    key: int
    arxiv_id: str
    title: str
    abstract: str
    authors: Sequence[str]
    categories: Sequence[str]
    published: date | None
    upvotes: int = 0


@dataclass(frozen=True)
class Hit:
    key: int
    score: float


def title_key(title: str) -> str:
    """A title reduced to lowercase letters and digits, so an exact-title query matches whatever its punctuation."""
    folded = unicodedata.normalize("NFKD", title).lower()
    return " ".join(re.findall(r"[^\W_]+", folded))


def archives(categories: Iterable[str]) -> list[str]:
    """Categories plus their archives: ``cs.CL`` is also found by ``cat:cs``."""
    out: list[str] = []
    for category in categories:
        for value in (category.lower(), category.split(".")[0].lower()):
            if value not in out:
                out.append(value)
    return out


def analyzer() -> tantivy.TextAnalyzer:
    """English text: letters and digits, lowercased, ASCII-folded, stop words dropped, Snowball-stemmed."""
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .filter(tantivy.Filter.ascii_fold())
            .filter(tantivy.Filter.stopword("english"))
            .filter(tantivy.Filter.stemmer("english"))
            .build())


def names_analyzer() -> tantivy.TextAnalyzer:
    """What tantivy's "default" tokenizer (the authors field's) does: letters and digits, lowercased; no stop words."""
    return (tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
            .filter(tantivy.Filter.remove_long(40))
            .filter(tantivy.Filter.lowercase())
            .build())


ANALYZER = "english"


def schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_unsigned_field("key", stored=True, indexed=True, fast=True)
    builder.add_text_field("arxiv_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("title", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("title_key", tokenizer_name="raw")
    builder.add_text_field("abstract", stored=True, tokenizer_name=ANALYZER)
    builder.add_text_field("text", tokenizer_name=ANALYZER)
    builder.add_text_field("authors", stored=True)
    builder.add_text_field("categories", tokenizer_name="raw")
    builder.add_date_field("published", indexed=True, fast=True)
    builder.add_integer_field("upvotes", indexed=False, fast=True)
    return builder.build()


class LexicalIndex:
    def __init__(self, path: Path | None):
        self.schema = schema()
        if path is not None:
            path.mkdir(parents=True, exist_ok=True)
        self.index = tantivy.Index(self.schema, path=str(path) if path else None, reuse=True)
        self.index.register_tokenizer(ANALYZER, analyzer())
        self._analyzers = {ANALYZER: analyzer(), "names": names_analyzer()}
        self._writer: tantivy.IndexWriter | None = None

    # -- writing ---------------------------------------------------------------------------------------------------
    def writer(self) -> tantivy.IndexWriter:
        if self._writer is None:
            self._writer = self.index.writer(WRITER_HEAP, num_threads=0)
        return self._writer

    def upsert(self, documents: Iterable[Document], fresh: bool = False) -> int:
        """Add or replace documents by key; ``fresh`` (an index being built from nothing) skips the deletes."""
        writer, count = self.writer(), 0
        for doc in documents:
            if not fresh:
                writer.delete_documents_by_term("key", doc.key)
            writer.add_document(self._document(doc))
            count += 1
        return count

    def delete(self, keys: Iterable[int]) -> None:
        writer = self.writer()
        for key in keys:
            writer.delete_documents_by_term("key", key)

    def commit(self) -> None:
        if self._writer is not None:
            self._writer.commit()
            self._writer.wait_merging_threads()
            self._writer = None
        self.index.reload()

    def _document(self, doc: Document) -> tantivy.Document:
        out = tantivy.Document()
        out.add_unsigned("key", doc.key)
        out.add_integer("upvotes", int(doc.upvotes))
        for name, value in (("arxiv_id", doc.arxiv_id), ("title", doc.title), ("title_key", title_key(doc.title)),
                            ("abstract", doc.abstract), ("authors", ", ".join(doc.authors)),
                            ("text", f"{doc.title}\n{doc.abstract}")):
            out.add_text(name, value)
        for category in archives(doc.categories):
            out.add_text("categories", category)
        if doc.published and FIRST_DAY <= doc.published <= LAST_DAY:  # a date tantivy cannot hold is left out
            out.add_date("published", datetime.combine(doc.published, time(), tzinfo=timezone.utc))
        return out

    # -- reading ---------------------------------------------------------------------------------------------------
    def searcher(self) -> tantivy.Searcher:
        return self.index.searcher()

    def count(self) -> int:
        return self.searcher().num_docs

    def searchable(self, clause: Clause) -> bool:
        """Whether a clause leaves any word to look up once analysed, as its field's analyser does it.

        A clause of stop words only (``the``, ``"to be or not"``) or of punctuation has none. Unfielded words are
        judged by the English analyser of title and abstract: that "a" or "the" is also a token in the authors
        field (whose analyser keeps stop words for names such as "Will") must not make them searched there.
        """
        if clause.field == "categories":
            return bool(clause.text.strip())
        name = "names" if clause.field == "authors" else ANALYZER
        return bool(self._analyzers[name].analyze(clause.text))

    def compile(self, parsed: ParsedQuery, conjunction: bool = False) -> tantivy.Query:
        """The tantivy query for a parsed query: text clauses scored by BM25, filters as non-scoring musts.

        Clauses with nothing searchable in them (see ``searchable``) are left out; a query whose every text clause
        is such matches nothing (a query of "the a" finds nothing rather than everything).
        """
        must = [c for c in parsed.must if self.searchable(c)]
        if parsed.must and not must:
            return tantivy.Query.empty_query()
        parts: list[tuple[tantivy.Occur, tantivy.Query]] = []
        text = " ".join(_ql(c) for c in must)
        if text:
            parts.append((tantivy.Occur.Must, self.index.parse_query(
                text, TEXT_FIELDS, field_boosts=BOOSTS, conjunction_by_default=conjunction)))
        for clause in parsed.exclude:
            if self.searchable(clause):
                parts.append((tantivy.Occur.MustNot, self.index.parse_query(_ql(clause), TEXT_FIELDS)))
        parts.extend((tantivy.Occur.Must, q) for q in self.filters(parsed))
        if not any(occur == tantivy.Occur.Must for occur, _ in parts):
            parts.append((tantivy.Occur.Must, tantivy.Query.all_query()))
        if len(parts) == 1:
            return parts[0][1]  # a bare disjunction keeps tantivy's block-max WAND top-k (~30% faster at 1 M)
        return tantivy.Query.boolean_query(parts)

    def snippet_query(self, parsed: ParsedQuery) -> tantivy.Query | None:
        """The text clauses against the stored fields, for highlighting (the scoring field "text" is not stored)."""
        text = " ".join(_ql(c) for c in parsed.must if c.field in (None, "title", "abstract") and self.searchable(c))
        return self.index.parse_query(text, ["title", "abstract"]) if text else None

    def filters(self, parsed: ParsedQuery) -> list[tantivy.Query]:
        out = []
        if parsed.categories:
            out.append(tantivy.Query.term_set_query(self.schema, "categories", [c.lower() for c in parsed.categories]))
        if parsed.since or parsed.until:
            out.append(self.date_range(parsed.since, parsed.until))
        return out

    def date_range(self, since: date | None, until: date | None) -> tantivy.Query:
        """Papers published from ``since`` to ``until``. The query language allows any day of years 1 to 9999; the
        index holds FIRST_DAY to LAST_DAY (``_document`` leaves other dates out), so a bound beyond those is
        moved to them, and a range that ends before FIRST_DAY or starts after LAST_DAY matches nothing."""
        if (since and since > LAST_DAY) or (until and until < FIRST_DAY):
            return tantivy.Query.empty_query()
        bounds = [datetime.combine(min(max(day, FIRST_DAY), LAST_DAY), time(), tzinfo=timezone.utc) if day else None
                  for day in (since, until)]
        return tantivy.Query.range_query(self.schema, "published", tantivy.FieldType.Date, *bounds)

    def search(self, query: tantivy.Query, limit: int, offset: int = 0, order_by: str | None = None,
               count: bool = True) -> tuple[list[Hit], int | None]:
        """Top hits and, when ``count``, how many documents match (counting every match costs ~25% at 1 M)."""
        searcher = self.searcher()
        if order_by:
            result = searcher.search(query, limit, count=count, offset=offset, order_by_field=order_by)
        else:
            result = searcher.search(query, limit, count=count, offset=offset)
        keys = searcher.fast_field_values("key", [addr for _, addr in result.hits])
        hits = [Hit(key, float(score) if not order_by else 0.0) for (score, _), key in zip(result.hits, keys)]
        return hits, result.count if count else None

    def scores_among(self, query: tantivy.Query, keys: Sequence[int]) -> dict[int, float]:
        """The BM25 scores of those of ``keys`` that match ``query``."""
        if not keys:
            return {}
        combined = tantivy.Query.boolean_query([
            (tantivy.Occur.Must, tantivy.Query.term_set_query(self.schema, "key", list(keys))),
            (tantivy.Occur.Must, query)])
        hits, _ = self.search(combined, len(keys), count=False)
        return {hit.key: hit.score for hit in hits}

    def keys_matching(self, query: tantivy.Query, keys: Sequence[int]) -> set[int]:
        """Which of ``keys`` also match ``query`` (used to apply filters to dense results)."""
        return set(self.scores_among(query, keys))

    def exact(self, parsed: ParsedQuery) -> list[int]:
        """Papers named exactly by the query: by arXiv id, or by their whole title."""
        clauses = []
        if parsed.ids:
            clauses.append(tantivy.Query.term_set_query(self.schema, "arxiv_id", parsed.ids))
        wanted = title_key(parsed.free_text)
        if wanted and len(wanted) >= 12:
            clauses.append(tantivy.Query.term_query(self.schema, "title_key", wanted))
        if not clauses:
            return []
        hits, _ = self.search(tantivy.Query.boolean_query([(tantivy.Occur.Should, q) for q in clauses]), 10)
        return [hit.key for hit in hits]

    def more_like_this(self, key: int, limit: int) -> list[Hit]:
        """Papers sharing the rarer words of this paper's title and abstract (when it has no vector)."""
        searcher = self.searcher()
        result = searcher.search(tantivy.Query.term_query(self.schema, "key", key), 1)
        if not result.hits:
            return []
        stored = searcher.doc(result.hits[0][1])
        text = f"{stored.get_first('title') or ''} {stored.get_first('abstract') or ''}"
        terms = [t for t in re.findall(r"[^\W_]{3,}", text.lower())][:400]
        if not terms:
            return []
        query = tantivy.Query.boolean_query([
            (tantivy.Occur.Must, self.index.parse_query(" ".join(f'"{t}"' for t in dict.fromkeys(terms)),
                                                        ["title", "abstract"], field_boosts={"title": TITLE_BOOST})),
            (tantivy.Occur.MustNot, tantivy.Query.term_query(self.schema, "key", key))])
        hits, _ = self.search(query, limit)
        return hits

    def snippets(self, query: tantivy.Query, keys: Sequence[int], field_name: str = "abstract",
                 max_chars: int = 240) -> dict[int, str]:
        """HTML snippets with matched words in ``<b>``; papers whose text does not match get none."""
        if not keys:
            return {}
        searcher = self.searcher()
        generator = tantivy.SnippetGenerator.create(searcher, query, self.schema, field_name)
        generator.set_max_num_chars(max_chars)
        result = searcher.search(tantivy.Query.term_set_query(self.schema, "key", list(keys)), len(keys))
        out = {}
        for _, address in result.hits:
            doc = searcher.doc(address)
            html = generator.snippet_from_doc(doc).to_html()
            if html:
                out[doc.get_first("key")] = html
        return out


def _ql(clause: Clause) -> str:
    """A clause in tantivy's query language, always quoted so no user input is read as syntax."""
    words = re.sub(r'["\\]', " ", clause.text).strip()
    field = QL_FIELDS.get(clause.field)
    quoted = f'"{words}"'
    return f"{field}:{quoted}" if field else quoted
