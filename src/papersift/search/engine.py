"""The search engine: query language + lexical index + vector index + fusion, returning ranked paper keys.

It knows nothing of Django or the database: callers hand it documents and vectors, and get keys back.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Literal, Sequence

import numpy as np

from papersift.search import fusion
from papersift.search.embed import EmbedTimeout, ModelUnavailable, QueryEncoder
from papersift.search.lexical import Hit, LexicalIndex
from papersift.search.query import ParsedQuery, parse
from papersift.search.vectors import VectorIndex

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "lexical", "dense"]
Sort = Literal["relevance", "newest", "upvotes"]
SORT_FIELDS = {"newest": "published", "upvotes": "upvotes"}
#: How many candidates each side contributes before fusion (at least; deeper pages ask for more).
DEPTH = 100
#: Similar-paper lists an engine keeps (about 100 bytes each): a paper page's neighbours are the same on every view
#: until the index changes, and a changed index is a new engine.
SIMILAR_CACHE = 50_000


@dataclass
class ResultHit:
    key: int
    score: float
    snippet: str | None = None
    matched: tuple[str, ...] = ()  # "exact", "lexical", "dense"


@dataclass
class Results:
    hits: list[ResultHit]
    total: int
    mode: str
    query: ParsedQuery
    warnings: list[str] = field(default_factory=list)
    semantic: bool = True  # False when the dense half could not run (no model, no vectors, timeout)
    total_is_floor: bool = False  # True when more papers match than were ranked (relevance order)


class SearchEngine:
    def __init__(self, lexical: LexicalIndex, vectors: VectorIndex | None = None,
                 encoder: QueryEncoder | None = None, dense_weight: float = fusion.DENSE_WEIGHT,
                 min_similarity: float | None = fusion.MIN_SIMILARITY):
        self.lexical = lexical
        self.vectors = vectors
        self.encoder = encoder
        self.dense_weight = dense_weight
        self.min_similarity = min_similarity   # floor of dense-only hits (fusion.floor_dense_only)
        self._neighbours: OrderedDict[tuple[int, int], tuple[tuple[int, float], ...]] = OrderedDict()
        self._neighbours_lock = threading.Lock()

    # -- search ----------------------------------------------------------------------------------------------------
    def search(self, text: str, *, mode: Mode = "hybrid", sort: Sort = "relevance", limit: int = 20,
               offset: int = 0, categories: tuple[str, ...] = (), since=None, until=None,
               snippets: bool = True) -> Results:
        parsed = parse(text)
        parsed.categories.extend(c for c in categories if c not in parsed.categories)
        parsed.since = since or parsed.since
        parsed.until = until or parsed.until
        warnings = list(parsed.warnings)
        self._warn_if_nothing_to_search(parsed, warnings)
        if sort != "relevance" or not parsed.has_text:
            results = self._sorted(parsed, sort if sort != "relevance" else "newest", limit, offset, warnings)
        else:
            results = self._ranked(parsed, mode, limit, offset, warnings)
        text_query = self.lexical.snippet_query(parsed) if snippets and results.hits else None
        if text_query is not None:
            found = self.lexical.snippets(text_query, [h.key for h in results.hits])
            for hit in results.hits:
                hit.snippet = found.get(hit.key)
        return results

    def _sorted(self, parsed: ParsedQuery, sort: str, limit: int, offset: int, warnings: list[str]) -> Results:
        query = self.lexical.compile(parsed, conjunction=True)
        hits, total = self.lexical.search(query, limit, offset, order_by=SORT_FIELDS[sort])
        return Results([ResultHit(h.key, h.score, matched=("lexical",)) for h in hits], total, "lexical",
                       parsed, warnings)

    def _ranked(self, parsed: ParsedQuery, mode: Mode, limit: int, offset: int, warnings: list[str]) -> Results:
        # Relevance ranking does not count every match (block-max WAND stops early); ``total`` is then a floor.
        depth = offset + limit if mode == "lexical" else max(DEPTH, offset + limit)
        dense, semantic = self._dense(parsed, depth, warnings) if mode != "lexical" else ({}, True)
        lexical_hits: list[Hit] = []
        if mode != "dense" or not semantic or not parsed.free_text:
            lexical_hits, _ = self.lexical.search(self.lexical.compile(parsed), depth, count=False)
        lexical = {h.key: h.score for h in lexical_hits}
        if dense and lexical:
            ranked = fusion.weighted(lexical, dense, self.dense_weight)
        elif dense:
            ranked = sorted(dense.items(), key=lambda item: (-item[1], item[0]))
        else:
            ranked = [(h.key, h.score) for h in lexical_hits]
        ranked = fusion.floor_dense_only(ranked, lexical, dense, self.min_similarity)
        exact = self.lexical.exact(parsed)
        ranked = fusion.pin_first(ranked, exact)
        page = ranked[offset:offset + limit]
        hits = [ResultHit(key, score, matched=_sources(key, exact, lexical, dense)) for key, score in page]
        used = "hybrid" if dense and mode == "hybrid" else ("dense" if dense else "lexical")
        # Nearer neighbours come first: once the floor cut some, every dense match above it was among them.
        dense_cut = bool(self.min_similarity) and any(s < self.min_similarity for s in dense.values())
        more = len(lexical_hits) >= depth or (len(dense) >= depth and not dense_cut)
        return Results(hits, len(ranked), used, parsed, warnings, semantic, total_is_floor=more)

    def _words_to_search(self, parsed: ParsedQuery) -> bool:
        """False when the query has text, all of it stop words or punctuation (``the a``, ``"to be or not"``)."""
        return not parsed.must or any(self.lexical.searchable(clause) for clause in parsed.must)

    def _warn_if_nothing_to_search(self, parsed: ParsedQuery, warnings: list[str]) -> None:
        if not self._words_to_search(parsed):
            warnings.append("the query has only common words (such as “the” or “a”) or punctuation, which are not "
                            "searched: nothing to find")

    def _dense(self, parsed: ParsedQuery, depth: int, warnings: list[str]) -> tuple[dict[int, float], bool]:
        """Cosine scores of the nearest papers that also pass the query's filters and exclusions.

        A query of stop words only has no topic to embed: its nearest papers would be noise, so there are none."""
        if not parsed.free_text or not self._words_to_search(parsed):
            return {}, True
        vector = self._query_vector(parsed.free_text, warnings, "lexical results only")
        if vector is None:
            return {}, False
        neighbours = self.vectors.search(vector, depth)
        scores = {n.key: n.score for n in neighbours}
        restrict = ParsedQuery(exclude=parsed.exclude, categories=parsed.categories, since=parsed.since,
                               until=parsed.until, must=[c for c in parsed.must if c.field == "authors"])
        if restrict.exclude or restrict.categories or restrict.since or restrict.until or restrict.must:
            allowed = self.lexical.keys_matching(self.lexical.compile(restrict, conjunction=True), list(scores))
            scores = {k: s for k, s in scores.items() if k in allowed}
        return scores, True

    # -- ranking a given set (alerts) ------------------------------------------------------------------------------
    def rank_among(self, text: str, keys: Sequence[int], *, categories: tuple[str, ...] = (),
                   min_similarity: float | None = None) -> Results:
        """The papers of ``keys`` (say, those new since a subscriber's last digest) that match ``text``, best first.

        Matching is the search language's strict sense, as in ``sort=newest`` and the search feeds: every word or
        phrase present (stemmed), fields, exclusions and filters applied; so an alert never lists a paper without
        its words. Ranking is hybrid: BM25 within the set fused with the cosine similarity of each paper's vector
        to the query's (every candidate is scored exactly, not just the index's nearest neighbours). With
        ``min_similarity``, a match whose vector is further from the query than that is dropped (a passing
        mention); matches without a vector yet keep their place on their words alone.
        """
        parsed = parse(text)
        parsed.categories.extend(c for c in categories if c not in parsed.categories)
        warnings = list(parsed.warnings)
        self._warn_if_nothing_to_search(parsed, warnings)
        if not keys:
            return Results([], 0, "lexical", parsed, warnings)
        lexical = self.lexical.scores_among(self.lexical.compile(parsed, conjunction=True), keys)
        dense, semantic = self._cosines(parsed, list(lexical), warnings)
        if min_similarity is not None and dense:
            dropped = {key for key, cosine in dense.items() if cosine < min_similarity}
            lexical = {k: s for k, s in lexical.items() if k not in dropped}
            dense = {k: s for k, s in dense.items() if k not in dropped}
        if dense:
            # A paper without a vector gets the set's median cosine, so it is neither buried nor promoted.
            middle = float(np.median(list(dense.values())))
            ranked = fusion.weighted(lexical, {k: dense.get(k, middle) for k in lexical}, self.dense_weight)
        else:
            ranked = sorted(lexical.items(), key=lambda item: (-item[1], item[0]))
        hits_out = [ResultHit(key, score, matched=("lexical", "dense") if key in dense else ("lexical",))
                    for key, score in ranked]
        return Results(hits_out, len(hits_out), "hybrid" if dense else "lexical", parsed, warnings, semantic)

    def _query_vector(self, text: str, warnings: list[str], fallback: str) -> np.ndarray | None:
        """The query's embedding; None, with a warning saying why and that ``fallback`` is what the caller gets."""
        if self.vectors is None or self.encoder is None or len(self.vectors) == 0:
            warnings.append(f"semantic search is unavailable (no embedding model or no vectors): {fallback}")
            return None
        try:
            return self.encoder.encode(text)
        except (EmbedTimeout, ModelUnavailable) as exc:
            warnings.append(f"semantic search skipped, {fallback}: {exc}")
            return None

    def _cosines(self, parsed: ParsedQuery, keys: list[int], warnings: list[str]) -> tuple[dict[int, float], bool]:
        if not parsed.free_text or not keys:
            return {}, True
        query = self._query_vector(parsed.free_text, warnings, "ranked by words only")
        if query is None:
            return {}, False
        out = {}
        for key in keys:
            vector = self.vectors.get(key)
            if vector is not None:
                out[key] = float(np.dot(vector, query) / (np.linalg.norm(vector) * np.linalg.norm(query) or 1.0))
        return out, True

    # -- similar papers --------------------------------------------------------------------------------------------
    def similar(self, key: int, limit: int = 10) -> Results:
        """Nearest papers by vector, the paper itself excluded; lexical "more like this" without a vector.
        Neighbours are remembered for the engine's life (``SIMILAR_CACHE`` lists, least recently used out): they
        change only with the index, and a changed index is a new engine."""
        neighbours = self._remembered(key, limit)
        if neighbours is None:
            vector = self.vectors.get(key) if self.vectors is not None else None
            if vector is None:
                hits = self.lexical.more_like_this(key, limit)
                return Results([ResultHit(h.key, h.score, matched=("lexical",)) for h in hits], len(hits),
                               "lexical", ParsedQuery(), ["this paper has no vector yet: similar by shared words"],
                               False)
            neighbours = tuple((n.key, n.score) for n in self.vectors.search(vector, limit + 1)
                               if n.key != key)[:limit]
            self._remember(key, limit, neighbours)
        return Results([ResultHit(k, score, matched=("dense",)) for k, score in neighbours], len(neighbours),
                       "dense", ParsedQuery())

    def _remembered(self, key: int, limit: int) -> tuple[tuple[int, float], ...] | None:
        with self._neighbours_lock:
            found = self._neighbours.get((key, limit))
            if found is not None:
                self._neighbours.move_to_end((key, limit))
            return found

    def _remember(self, key: int, limit: int, neighbours: tuple[tuple[int, float], ...]) -> None:
        with self._neighbours_lock:
            self._neighbours[key, limit] = neighbours
            while len(self._neighbours) > SIMILAR_CACHE:
                self._neighbours.popitem(last=False)


def _sources(key: int, exact: list[int], lexical: dict, dense: dict) -> tuple[str, ...]:
    return tuple(name for name, present in (("exact", key in exact), ("lexical", key in lexical),
                                            ("dense", key in dense)) if present)

