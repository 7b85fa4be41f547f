"""The scoring core, with tables: no Django, no database (papersift.recommend.scoring)."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from papersift.recommend import scoring

PAPERS = [
    "Diffusion language models for text generation with masked denoising",            # 0 candidates
    "Masked diffusion language models scale text generation",                         # 1
    "Graph neural networks for molecule property prediction",                         # 2
    "Reinforcement learning agents play board games with tree search",                # 3
    "Molecule generation with graph neural networks and property prediction heads",   # 4
    "Text generation with masked diffusion language models at scale",                 # 5 signals
    "Graph neural networks predict molecule property from structure",                 # 6
    "Board games: tree search and reinforcement learning agents",                     # 7
]
CANDIDATES, SIGNALS = list(range(5)), [5, 6, 7]


def _similarities(vectors: bool = False) -> scoring.Similarities:
    matrix = scoring.lexical_matrix(PAPERS)
    dense = np.random.default_rng(1).normal(size=(len(PAPERS), 8)).astype(np.float32) if vectors else None
    return scoring.Similarities.compute(matrix[SIGNALS], matrix[CANDIDATES],
                                        dense[SIGNALS] if vectors else None, dense[CANDIDATES] if vectors else None)


@pytest.mark.parametrize("positives, best", [
    ([0], {0, 1}),          # the diffusion seed: the two diffusion papers first
    ([1], {2, 4}),          # the molecule seed
    ([2], {3}),             # the games seed (only one paper like it)
])
def test_a_readers_positives_pull_papers_like_them_first(positives, best):
    scores = scoring.score_readers(_similarities(), [positives])[0]
    ranked = scoring.top(scores, set(), len(best))
    assert set(ranked.order) == best


def test_readers_are_scored_independently_in_one_product():
    together = scoring.score_readers(_similarities(), [[0], [1], [0, 1]])
    for row, positives in enumerate([[0], [1], [0, 1]]):
        alone = scoring.score_readers(_similarities(), [positives])[0]
        assert np.allclose(together[row], alone)


def test_a_dismissed_paper_lowers_papers_like_it():
    similar = _similarities()
    liked_both = scoring.score_readers(similar, [[0, 1]])[0]
    dismissed_molecules = scoring.score_readers(similar, [[0, 1]], [[1]])[0]     # signal row 1: molecules
    assert dismissed_molecules[4] < liked_both[4] and dismissed_molecules[2] < liked_both[2]


@pytest.mark.parametrize("weights, moved", [
    (scoring.Weights(prior=0.0), False),
    (scoring.Weights(prior=5.0), True),
])
def test_priors_lift_followed_papers_by_their_weight(weights, moved):
    priors = np.zeros((1, len(CANDIDATES)), dtype=np.float32)
    priors[0, 3] = 1.0                                            # the games paper is in a followed category
    scores = scoring.score_readers(_similarities(), [[0]], priors=priors, weights=weights)[0]
    assert (scoring.top(scores, set(), 1).order == [3]) is moved


def test_without_positives_a_reader_gets_no_ranking_signal():
    scores = scoring.score_readers(_similarities(), [[]], [[]])[0]
    assert np.all(scores == 0)


def test_the_dense_half_counts_only_papers_with_vectors():
    similar = _similarities(vectors=True)
    similar.candidate_has_vector[2] = False
    scores = scoring.score_readers(similar, [[0]], weights=scoring.Weights(dense=1.0))[0]
    lexical_only = scoring.score_readers(similar, [[0]], weights=scoring.Weights(dense=0.0))[0]
    assert scores[2] == pytest.approx(lexical_only[2])           # no vector: its dense part is neutral
    assert not np.allclose(scores, lexical_only)


@pytest.mark.parametrize("excluded, limit, expected_length", [(set(), 3, 3), ({0, 1}, 5, 3), ({0, 1, 2, 3, 4}, 2, 0)])
def test_top_leaves_out_what_is_excluded(excluded, limit, expected_length):
    ranked = scoring.top(np.arange(5, dtype=np.float32), excluded, limit)
    assert len(ranked.order) == expected_length and not excluded & set(ranked.order)
    assert ranked.scores == sorted(ranked.scores, reverse=True)


def test_the_seeds_that_drew_a_paper_are_named_best_first():
    assert scoring.nearest_signals(_similarities(), [0, 1, 2], [4, 0, 3], top=1) == [[1], [0], [2]]
    assert scoring.nearest_signals(_similarities(), [0, 1, 2], [1], top=3)[0][0] == 0
    assert scoring.nearest_signals(_similarities(), [], [4]) == [[]]


@pytest.mark.parametrize("repeated, once", [
    ("Diffusion models for text. Diffusion models, diffusion everywhere.", "Diffusion models for text everywhere"),
    ("Graph neural networks: graph neural networks predict molecules", "Graph neural networks predict molecules"),
])
def test_a_paper_repeating_the_readers_words_ranks_level_with_one_saying_them_once(repeated, once):
    # Binary tf (docs/recommendations.md, 2026-12-03): a reader's interest shows in how much of their vocabulary
    # a paper shares, not in how often the paper repeats it.
    texts = [repeated, once, "Board games and tree search agents", once.lower() + " and more"]
    matrix = scoring.lexical_matrix(texts)
    assert np.allclose(matrix[0].toarray(), matrix[1].toarray())
    similar = scoring.Similarities.compute(matrix[[3]], matrix[:3])
    scores = scoring.score_readers(similar, [[0]])[0]
    assert scores[0] == pytest.approx(scores[1]) and scores[0] > scores[2]


@pytest.mark.parametrize("texts", [[], ["one"], ["alpha beta", "gamma delta"]])
def test_too_few_shared_words_give_zero_similarity_not_an_error(texts):
    matrix = scoring.lexical_matrix(texts)
    assert matrix.shape[0] == len(texts) and matrix.nnz == 0
    empty = scoring.document_frequencies(scoring.term_counts([]))       # an empty catalog's reference
    matrix = scoring.lexical_matrix(texts, empty)
    assert matrix.shape[0] == len(texts) and matrix.nnz == 0 and empty.documents == 0


def test_the_scoring_and_evaluation_modules_do_not_import_django():
    for name in ("scoring.py", "evaluation.py", "references.py"):
        source = (Path(scoring.__file__).parent / name).read_text()
        imported = {alias.name.split(".")[0] for node in ast.walk(ast.parse(source))
                    if isinstance(node, (ast.Import, ast.ImportFrom))
                    for alias in (node.names if isinstance(node, ast.Import) else [ast.alias(node.module or "")])}
        assert "django" not in imported, name


# -- document frequencies from the catalog (docs/recommendations.md, 2026-12-03) --------------------------------------

CATALOG = ([f"A new benchmark for task {i}" for i in range(20)]        # "benchmark", "dataset": common
           + [f"A large dataset of records number {i}" for i in range(20)]
           + ["Quantum gravity in two dimensions", "Zebrafish heart regeneration", "Lattice field theory"])


@pytest.mark.parametrize("rare, common", [("zebrafish", "benchmark"), ("lattice", "dataset")])
def test_a_word_rare_in_the_catalog_shared_with_a_seed_lifts_a_paper_more_than_a_common_one(rare, common):
    # The pool alone cannot tell the two words apart: each is in the seed and in one candidate.
    pool = [f"{rare.title()} kinetics", f"{common.title()} solvers", "Protein folding", f"{rare} {common}"]
    reference = scoring.document_frequencies(scoring.term_counts(CATALOG))
    for fitted, expect_tie in ((scoring.lexical_matrix(pool), True), (scoring.lexical_matrix(pool, reference), False)):
        similar = scoring.Similarities.compute(fitted[[3]], fitted[:3])
        scores = scoring.score_readers(similar, [[0]])[0]
        if expect_tie:
            assert scores[0] == pytest.approx(scores[1])
        else:
            assert scores[0] > scores[1] > scores[2]


def test_papers_in_the_reference_sample_are_not_counted_twice():
    pool = PAPERS[:4]
    with_pool = scoring.document_frequencies(scoring.term_counts(CATALOG + pool))
    without = scoring.document_frequencies(scoring.term_counts(CATALOG))
    assert with_pool.documents == len(CATALOG) + 4
    counted = scoring.lexical_matrix(pool, with_pool, counted=np.ones(4, dtype=bool))
    added = scoring.lexical_matrix(pool, without)
    assert np.allclose(counted.toarray(), added.toarray()) and counted.nnz


@pytest.mark.parametrize("reference", [["Nothing alike at all"], []])
def test_an_out_of_date_reference_never_makes_the_pools_shared_words_vanish(reference):
    # The pool's papers are marked as in a reference that no longer holds their words (read before an update).
    frequencies = scoring.document_frequencies(scoring.term_counts(reference or [""]))
    matrix = scoring.lexical_matrix(PAPERS, frequencies, counted=np.ones(len(PAPERS), dtype=bool))
    assert np.allclose(matrix.toarray(), scoring.lexical_matrix(PAPERS).toarray())
    assert all(matrix[i].nnz for i in range(len(PAPERS)))


def test_document_frequencies_count_a_term_once_per_paper():
    frequencies = scoring.document_frequencies(scoring.term_counts(["graph graph graph", "graph nets", "nets"]))
    graph, nets = (int(scoring.term_counts([w]).indices[0]) for w in ("graph", "nets"))
    found = dict(zip(frequencies.terms.tolist(), frequencies.papers.tolist()))
    assert frequencies.documents == 3 and found[graph] == 2 and found[nets] == 2
