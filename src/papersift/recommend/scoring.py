"""Scoring papers for readers from their signals: pure numpy/scikit-learn, no Django (table-tested, benchmarked).

The shipped method ("profile", chosen by measurement on recsys-hf: docs/recommendations.md) is a Rocchio
profile on two representations, fused:

- lexical: tf-idf over title + abstract (unigrams and bigrams, binary tf: a term counts once per paper, English
  stop words, terms in at least two papers; document frequencies from the papers at hand plus a reference sample
  of the catalog, ``Frequencies``). A paper's score is its mean cosine to the reader's
  positives, minus ``background`` x its mean cosine to the whole candidate set (what every paper of the window
  shares is not a sign of interest), minus ``negative`` x its mean cosine to the reader's dismissed papers;
- dense: the same with the all-MiniLM-L6-v2 vectors, for the papers that have one.

Each half is standardised over the reader's candidates (z-scores) and the two are added with weight ``dense``
on the second. Because a mean of cosines is the cosine to a mean, the whole thing is two matrix products per
half: papers x papers similarities once for everyone (``Similarities``), then a sparse readers x papers weight
matrix times it (``score_readers``). That is what makes 10,000 readers over a day's papers take seconds.

Followed categories and authors are soft priors: ``prior`` (in standard deviations) added to a candidate that
is in a followed category or by a followed author. They cannot be measured on recsys-hf (its corpus has neither)
so they stay small: they break ties among similar papers rather than outrank the reader's own signals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.preprocessing import normalize

#: The lexical representation (measured: bigrams +0.05 nDCG@10, sublinear tf +0.1 over raw tf and binary tf +0.02
#: over sublinear, min_df=2 +0.03 on recsys-hf; docs/recommendations.md).
#: Terms are hashed (HashingVectorizer: no vocabulary to build, so a paper's counts do not depend on the other
#: papers and tokenising takes less than half the time of TfidfVectorizer's); 2**23 buckets keep collisions rare.
TOKENS = dict(ngram_range=(1, 2), stop_words="english", alternate_sign=False, norm=None, n_features=2 ** 23,
              dtype=np.float32)
MIN_DF = 2
#: Papers of the catalog (its most recent) whose document frequencies every pool's tf-idf adds to its own: measured
#: 2,000 / 5,000 / 10,000 on recsys-hf and the dev set, 5,000 best (docs/recommendations.md, 2026-12-03).
REFERENCE = 5000


@dataclass(frozen=True)
class Weights:
    """The shipped method's few parameters (docs/recommendations.md says how each was chosen)."""

    background: float = 1.0   # Rocchio beta: subtract the mean similarity to the candidate set
    negative: float = 0.5     # Rocchio gamma: subtract the mean similarity to dismissed papers
    dense: float = 0.25       # weight of the embedding half against the lexical half (both z-scored)
    prior: float = 0.25       # z-score bonus for a followed category or author


SHIPPED = Weights()


def term_counts(texts: Sequence[str]) -> sp.csr_matrix:
    """Each text's hashed unigram and bigram counts (English stop words out), one row per text."""
    if not len(texts):
        return sp.csr_matrix((0, TOKENS["n_features"]), dtype=TOKENS["dtype"])
    return HashingVectorizer(**TOKENS).transform(texts).tocsr()


@dataclass(frozen=True)
class Frequencies:
    """Document frequencies of a set of papers: how many there are, and for each hashed term that occurs (``terms``,
    sorted column numbers of ``term_counts``) in how many of them it does (``papers``)."""

    documents: int
    terms: np.ndarray
    papers: np.ndarray


def document_frequencies(counts: sp.csr_matrix) -> Frequencies:
    """The document frequencies of the rows of ``counts`` (from ``term_counts``): a term counts once per row."""
    terms, papers = np.unique(counts.indices, return_counts=True)
    return Frequencies(counts.shape[0], terms.astype(np.int64), papers.astype(np.int64))


def lexical_matrix(texts: Sequence[str], reference: Frequencies | None = None,
                   counted: np.ndarray | None = None) -> sp.csr_matrix:
    """L2-normalised tf-idf rows for ``texts`` (binary tf, smoothed idf, terms in at least ``MIN_DF`` papers).

    Document frequencies come from the texts themselves plus ``reference``, the frequencies of a sample of the
    catalog (docs/recommendations.md, "Document frequencies from the catalog"): without it a term's rarity is
    judged by the few hundred papers of one reader's window, which costs 0.02-0.05 nDCG@10. ``counted`` (one bool
    per text) marks the texts already in the reference sample, so that no paper is counted twice.

    Binary tf: a term weighs its idf whether a paper says it once or five times. A reader's interests show in how
    much of their vocabulary a paper shares, not in how often the paper repeats its own topic words (measured
    against sublinear tf: 0.458 against 0.436 nDCG@10 on recsys-hf, 0.400 against 0.373 on the dev set).

    A set with too few shared words (say two papers with nothing in common) gives all-zero rows rather than an
    error: similarities are then zero and the dense half, the priors or popularity decide.
    """
    if not len(texts):
        return sp.csr_matrix((0, 1), dtype=np.float32)
    return lexical_rows(term_counts(texts), reference, counted)


def lexical_rows(counts: sp.csr_matrix, reference: Frequencies | None = None,
                 counted: np.ndarray | None = None) -> sp.csr_matrix:
    """``lexical_matrix`` from the texts' ``term_counts`` (callers that keep counts need not tokenise again)."""
    terms, present = np.unique(counts.indices, return_counts=True)      # the texts' terms, papers with each
    df, documents = present.copy(), counts.shape[0]
    if counted is not None and np.any(counted):
        counted = np.asarray(counted, dtype=bool)
        inside = document_frequencies(counts[counted])
        df[np.searchsorted(terms, inside.terms)] -= inside.papers
        documents -= inside.documents
    if reference is not None and len(reference.terms):
        at = np.minimum(np.searchsorted(reference.terms, terms), len(reference.terms) - 1)
        known = reference.terms[at] == terms
        df[known] += reference.papers[at[known]]
        documents += reference.documents
    # A union has at least the texts' own frequencies: a reference read before some of the texts changed (or
    # from another database) must not make a term rarer than the texts alone show it.
    df, documents = np.maximum(df, present), max(documents, counts.shape[0])
    chosen = df >= MIN_DF
    keep, df = terms[chosen], df[chosen]
    if not len(keep):
        return sp.csr_matrix((counts.shape[0], 1), dtype=np.float32)
    idf = (np.log((1 + documents) / (1 + df)) + 1).astype(np.float32)
    matrix = counts[:, keep].tocsr()
    matrix.data = np.ones_like(matrix.data, dtype=np.float32)
    matrix = matrix @ sp.diags(idf)
    return normalize(matrix, norm="l2", copy=False).astype(np.float32).tocsr()


def normalised(vectors: np.ndarray) -> np.ndarray:
    """Unit rows (zero rows stay zero: a paper without a vector)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return np.divide(vectors, norms, out=np.zeros_like(vectors), where=norms > 0)


@dataclass
class Similarities:
    """Cosines between the signal papers (rows) and the candidates (columns), lexical and dense.

    ``dense`` is None when no embeddings are available; ``signal_has_vector``/``candidate_has_vector`` say which
    papers have one (a paper without a vector takes no part in the dense half).
    """

    lexical: np.ndarray                      # signals x candidates
    lexical_background: np.ndarray           # per candidate: mean cosine to all candidates
    dense: np.ndarray | None = None
    dense_background: np.ndarray | None = None
    signal_has_vector: np.ndarray | None = None
    candidate_has_vector: np.ndarray | None = None

    @classmethod
    def compute(cls, signal_lex: sp.csr_matrix, candidate_lex: sp.csr_matrix,
                signal_vectors: np.ndarray | None = None, candidate_vectors: np.ndarray | None = None,
                ) -> Similarities:
        lexical = (signal_lex @ candidate_lex.T).toarray().astype(np.float32, copy=False)
        centroid = np.asarray(candidate_lex.mean(axis=0)).ravel()
        background = np.asarray(candidate_lex @ centroid, dtype=np.float32).ravel()
        out = cls(lexical, background)
        if signal_vectors is not None and candidate_vectors is not None:
            signals, candidates = normalised(signal_vectors), normalised(candidate_vectors)
            out.signal_has_vector = np.linalg.norm(signals, axis=1) > 0
            out.candidate_has_vector = np.linalg.norm(candidates, axis=1) > 0
            if out.signal_has_vector.any() and out.candidate_has_vector.any():
                out.dense = (signals @ candidates.T).astype(np.float32, copy=False)
                mean = candidates[out.candidate_has_vector].mean(axis=0)
                out.dense_background = candidates @ mean
        return out

    def rows(self, rows: Sequence[int]) -> Similarities:
        """The same similarities for the signal ``rows`` only (the candidates and backgrounds are unchanged)."""
        rows = np.asarray(rows, dtype=np.intp)
        return Similarities(self.lexical[rows], self.lexical_background,
                            self.dense[rows] if self.dense is not None else None, self.dense_background,
                            self.signal_has_vector[rows] if self.signal_has_vector is not None else None,
                            self.candidate_has_vector)


def _row_mean_weights(members: list[list[int]], columns: int, mask: np.ndarray | None = None) -> sp.csr_matrix:
    """readers x signals: 1/len in each reader's row at its signals (only those in ``mask`` when given)."""
    rows, cols, values = [], [], []
    for reader, chosen in enumerate(members):
        chosen = [c for c in chosen if mask is None or mask[c]]
        for column in chosen:
            rows.append(reader)
            cols.append(column)
            values.append(1.0 / len(chosen))
    return sp.csr_matrix((np.asarray(values, np.float32), (rows, cols)), shape=(len(members), columns))


def _zscores(scores: np.ndarray, active: np.ndarray) -> np.ndarray:
    """Standardise each row over its candidates; rows not ``active`` (no signal for this half) become 0."""
    mean = scores.mean(axis=1, keepdims=True)
    std = scores.std(axis=1, keepdims=True)
    out = np.divide(scores - mean, std, out=np.zeros_like(scores), where=std > 1e-9)
    out[~active] = 0.0
    return out


def _half(similar: np.ndarray, background: np.ndarray, positives: list[list[int]], negatives: list[list[int]],
          weights: Weights, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    count = similar.shape[0]
    pos = _row_mean_weights(positives, count, mask)
    neg = _row_mean_weights(negatives, count, mask)
    active = np.asarray(pos.sum(axis=1)).ravel() > 0
    raw = np.asarray(pos @ similar) - weights.background * background[None, :]
    if neg.nnz:
        raw -= weights.negative * np.asarray(neg @ similar)
    return raw.astype(np.float32), active


def score_readers(similar: Similarities, positives: list[list[int]], negatives: list[list[int]] | None = None,
                  priors: np.ndarray | None = None, weights: Weights = SHIPPED) -> np.ndarray:
    """readers x candidates scores (higher is better).

    ``positives[r]`` / ``negatives[r]``: row numbers (in ``similar``) of reader r's positive / dismissed papers.
    ``priors``: readers x candidates, 1 where a candidate matches a followed category or author (else 0).
    A reader without positives gets only the priors (all zero: the caller falls back to trending).
    """
    negatives = negatives or [[] for _ in positives]
    raw, active = _half(similar.lexical, similar.lexical_background, positives, negatives, weights)
    scores = _zscores(raw, active)
    if similar.dense is not None and weights.dense:
        raw, active = _half(similar.dense, similar.dense_background, positives, negatives, weights,
                            mask=similar.signal_has_vector)
        dense = _zscores(raw, active)
        dense[:, ~similar.candidate_has_vector] = 0.0
        scores += weights.dense * dense
    if priors is not None and weights.prior:
        scores += weights.prior * priors
    return scores


def nearest_signals(similar: Similarities, rows: list[int], candidates: list[int], top: int = 2) -> list[list[int]]:
    """For each of ``candidates``: the reader's signal rows most like it (the seeds that drew it), best first.

    One block of the similarity matrices per reader, not one lookup per paper (reasons for 10,000 readers).
    """
    if not rows or not candidates:
        return [[] for _ in candidates]
    block = similar.lexical[np.ix_(rows, candidates)].astype(np.float64)
    if similar.dense is not None:
        dense = similar.dense[np.ix_(rows, candidates)] * similar.signal_has_vector[rows][:, None]
        block = block + dense * similar.candidate_has_vector[candidates][None, :]
    order = np.argsort(-block, axis=0, kind="stable")[:top]
    return [[rows[i] for i in order[:, column] if block[i, column] > 0] for column in range(len(candidates))]


@dataclass
class Ranked:
    """One reader's ranking: candidate positions best first, with their scores."""

    order: list[int]
    scores: list[float] = field(default_factory=list)


def top(scores: np.ndarray, excluded: set[int], limit: int) -> Ranked:
    """The ``limit`` best candidates of one reader's ``scores`` row, leaving out the positions in ``excluded``."""
    row = scores.astype(np.float64).copy()
    if excluded:
        row[list(excluded)] = -np.inf
    keep = min(limit, int(np.isfinite(row).sum()))
    if keep <= 0:
        return Ranked([])
    chosen = np.argpartition(-row, keep - 1)[:keep] if keep < len(row) else np.arange(len(row))
    chosen = chosen[np.lexsort((chosen, -row[chosen]))]
    return Ranked([int(i) for i in chosen], [float(row[i]) for i in chosen])
