import math

import pytest

from papersift.search import metrics


def test_ndcg_perfect_and_worst():
    judged = {"a": 2, "b": 1}
    assert metrics.ndcg_at(["a", "b", "c"], judged, 10) == pytest.approx(1.0)
    assert metrics.ndcg_at(["c", "d"], judged, 10) == 0.0


def test_ndcg_graded_by_hand():
    judged = {"a": 3, "b": 1, "z": 0}
    ranked = ["b", "x", "a"]
    dcg = 1 / math.log2(2) + 3 / math.log2(4)
    ideal = 3 / math.log2(2) + 1 / math.log2(3)
    assert metrics.ndcg_at(ranked, judged, 10) == pytest.approx(dcg / ideal)
    assert metrics.ndcg_at(ranked, judged, 1) == pytest.approx(1 / 3)


def test_recall_and_mrr():
    judged = {"a": 1, "b": 1, "c": 0}
    assert metrics.recall_at(["x", "a", "c"], judged, 100) == 0.5
    assert metrics.mrr_at(["x", "c", "b"], judged, 10) == pytest.approx(1 / 3)
    assert metrics.mrr_at(["x"], judged, 10) == 0.0
    assert metrics.recall_at(["a"], {}, 10) == 0.0
