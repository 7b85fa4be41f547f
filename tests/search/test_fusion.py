"""Rank fusion and exact-match pinning: pure functions, checked against hand-computed tables."""

import pytest

from papersift.search import fusion


@pytest.mark.parametrize("lexical, dense, weight, expected", [
    # Both lists agree: the shared top document wins.
    ({1: 10.0, 2: 5.0}, {1: 0.9, 2: 0.5}, 0.5, [1, 2]),
    # Lexical-only weight: dense order ignored.
    ({1: 10.0, 2: 9.0}, {2: 0.9, 1: 0.1}, 0.0, [1, 2]),
    # Dense-only weight.
    ({1: 10.0, 2: 9.0}, {2: 0.9, 1: 0.1}, 1.0, [2, 1]),
    # A document only the dense side found still ranks, below a strong two-sided match.
    ({1: 10.0}, {1: 0.8, 3: 0.7, 4: 0.2}, 0.5, [1, 3, 4]),
    # Ties break by key, so results are stable.
    ({5: 1.0, 4: 1.0}, {}, 0.5, [4, 5]),
])
def test_weighted_fusion_order(lexical, dense, weight, expected):
    assert [key for key, _ in fusion.weighted(lexical, dense, weight)] == expected


def test_weighted_fusion_scores():
    fused = dict(fusion.weighted({1: 8.0, 2: 4.0}, {1: 0.5, 3: 0.9}, dense_weight=0.25))
    # 1: 0.75 * 8/8 + 0.25 * (0.5-0.5)/0.4 = 0.75;  2: 0.75 * 0.5 = 0.375;  3: 0.25 * 1 = 0.25
    assert fused == pytest.approx({1: 0.75, 2: 0.375, 3: 0.25})


@pytest.mark.parametrize("scores, expected", [
    ({}, {}), ({1: 0.0}, {1: 0.0}), ({1: 2.0, 2: 1.0}, {1: 1.0, 2: 0.5}),
])
def test_normalise_max(scores, expected):
    assert fusion.normalise_max(scores) == expected


@pytest.mark.parametrize("scores, expected", [
    ({}, {}), ({1: 0.3}, {1: 1.0}), ({1: 0.9, 2: 0.5, 3: 0.7}, {1: 1.0, 2: 0.0, 3: 0.5}),
])
def test_normalise_minmax(scores, expected):
    assert fusion.normalise_minmax(scores) == pytest.approx(expected)


def test_rrf():
    fused = fusion.rrf([[1, 2, 3], [3, 1]], k=60)
    assert [k for k, _ in fused] == [1, 3, 2]
    assert dict(fused)[1] == pytest.approx(1 / 61 + 1 / 62)


@pytest.mark.parametrize("ranked, pinned, expected", [
    ([(1, 0.9), (2, 0.8), (3, 0.1)], [3], [3, 1, 2]),
    ([(1, 0.9), (2, 0.8)], [], [1, 2]),
    ([(1, 0.9)], [7, 1], [7, 1]),  # a pinned paper the ranking missed still comes first
    ([], [4], [4]),
])
def test_pin_first(ranked, pinned, expected):
    out = fusion.pin_first(ranked, pinned)
    assert [k for k, _ in out] == expected
    assert [s for _, s in out] == sorted((s for _, s in out), reverse=True)


@pytest.mark.parametrize("ranked, lexical, dense, floor, expected", [
    # Dense-only hits under the floor go; lexical hits stay whatever their cosine; order is kept.
    ([(1, .9), (2, .8), (3, .7), (4, .1)], {1: 5.0, 4: 1.0}, {1: .2, 2: .5, 3: .25, 4: .05}, 0.3, [1, 2, 4]),
    # A query with no real match: nothing but far neighbours, so nothing at all.
    ([(7, .2), (8, .19)], {}, {7: .2, 8: .19}, 0.3, []),
    # At the floor is enough.
    ([(7, .3)], {}, {7: .3}, 0.3, [7]),
    # No floor (None or 0): everything.
    ([(7, .2), (8, .1)], {}, {7: .2, 8: .1}, None, [7, 8]),
    ([(7, .2), (8, .1)], {}, {7: .2, 8: .1}, 0.0, [7, 8]),
    # Lexical-only results (no dense side) are untouched.
    ([(1, 3.0), (2, 1.0)], {1: 3.0, 2: 1.0}, {}, 0.3, [1, 2]),
])
def test_floor_drops_only_weak_dense_only_hits(ranked, lexical, dense, floor, expected):
    assert [key for key, _ in fusion.floor_dense_only(ranked, lexical, dense, floor)] == expected
