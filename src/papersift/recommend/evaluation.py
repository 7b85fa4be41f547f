"""Evaluating recommenders on a recsys-hf-layout directory (``corpus.jsonl``, ``users.jsonl``). No Django.

Protocol (``shared/data/recsys-hf/README.md``): for each user the candidates are every corpus paper whose
``date`` falls in the user's ``window`` (start inclusive, end exclusive), minus the seeds; a method ranks them
from the seeds (and anything in the corpus: text, dates, upvotes as a popularity prior); nDCG@10, recall@50
and MRR@10 against ``relevant``, averaged over users. ``authors``, ``categories`` and ``upvotes`` are optional
fields; no method here reads authors.

Methods (``METHODS``): the shipped one (``profile``; ``profile-lexical`` is the same before vectors exist) and
the candidates it was chosen against. ``profile`` and ``profile-lexical`` build tf-idf as the product does
(``selectors.Pool``): document frequencies from the user's candidates and seeds plus a reference sample of the
catalog, the ``scoring.REFERENCE`` most recent corpus papers dated up to the window's newest candidate (the
product's sample is the most recent papers of its catalog). ``profile-corpus-idf`` and ``profile-pool-idf`` fit
them on the whole corpus and on candidates + seeds alone, for comparison; the other methods use the whole-corpus
fit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
import scipy.sparse as sp

from papersift.recommend import scoring
from papersift.search import metrics
from papersift.search.embed import document_text


class DatasetError(ValueError):
    """The directory is not in recsys-hf layout; the message names the file, line and field."""


@dataclass
class User:
    name: str
    seeds: list[str]
    start: date
    end: date
    relevant: list[str]


@dataclass
class Dataset:
    corpus: list[dict]
    users: list[User]
    index: dict[str, int]
    ordinals: np.ndarray      # each paper's date as a day number

    @property
    def texts(self) -> list[str]:
        return [document_text(p.get("title", ""), p.get("abstract", "")) for p in self.corpus]

    @property
    def has_upvotes(self) -> bool:
        return any("upvotes" in p for p in self.corpus)

    def candidates(self, user: User) -> np.ndarray:
        inside = (self.ordinals >= user.start.toordinal()) & (self.ordinals < user.end.toordinal())
        seeds = {self.index[s] for s in user.seeds if s in self.index}
        return np.array([i for i in np.nonzero(inside)[0] if i not in seeds], dtype=np.int64)

    def seeds(self, user: User) -> list[int]:
        return [self.index[s] for s in user.seeds if s in self.index]


def _jsonl(path: Path) -> Iterable[tuple[int, dict]]:
    if not path.is_file():
        raise DatasetError(f"{path}: missing (a recommendation benchmark has corpus.jsonl and users.jsonl)")
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                raise DatasetError(f"{path}:{number}: not JSON ({exc.msg})") from None
            if not isinstance(record, dict):
                raise DatasetError(f"{path}:{number}: expected an object")
            yield number, record


def _day(path: Path, number: int, field: str, value) -> date:
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise DatasetError(f"{path}:{number}: {field} {value!r} is not a date (YYYY-MM-DD)") from None


def load(directory: Path) -> Dataset:
    corpus_path, users_path = directory / "corpus.jsonl", directory / "users.jsonl"
    corpus, ordinals = [], []
    for number, paper in _jsonl(corpus_path):
        for key in ("id", "title", "date"):
            if not isinstance(paper.get(key), str):
                raise DatasetError(f"{corpus_path}:{number}: field {key!r} missing or not a string")
        ordinals.append(_day(corpus_path, number, "date", paper["date"]).toordinal())
        corpus.append(paper)
    users = []
    for number, row in _jsonl(users_path):
        seeds, relevant, window = row.get("seeds"), row.get("relevant"), row.get("window")
        if not (isinstance(seeds, list) and isinstance(relevant, list)):
            raise DatasetError(f"{users_path}:{number}: 'seeds' and 'relevant' must be lists of paper ids")
        if not (isinstance(window, list) and len(window) == 2):
            raise DatasetError(f"{users_path}:{number}: 'window' must be [START, END]")
        users.append(User(str(row.get("user", number)), [str(s) for s in seeds],
                          _day(users_path, number, "window", window[0]), _day(users_path, number, "window",
                                                                              window[1]), [str(r) for r in relevant]))
    if not users:
        raise DatasetError(f"{users_path}: no users")
    return Dataset(corpus, users, {p["id"]: i for i, p in enumerate(corpus)}, np.array(ordinals, dtype=np.int64))


# -- methods: each maps (context, seeds, candidates) to one score per candidate -----------------------------------

@dataclass
class Context:
    dataset: Dataset
    lexical: sp.csr_matrix            # tf-idf fitted on the whole corpus (the baselines' representation)
    vectors: np.ndarray | None        # corpus embeddings, unit rows, or None
    seed: int = 0
    counts: sp.csr_matrix | None = None   # corpus term counts (scoring.term_counts)
    reference: int = scoring.REFERENCE    # papers in the catalog sample (the product's is as large)
    _references: dict = field(default_factory=dict, repr=False)
    _order: np.ndarray | None = field(default=None, repr=False)

    def similarities(self, seeds: list[int], candidates: np.ndarray, idf: str = "corpus") -> scoring.Similarities:
        """Seeds x candidates similarities; ``idf``: "corpus" (whole-corpus fit), "pool" (candidates + seeds
        alone) or "catalog" (the product's: candidates + seeds + the ``reference`` most recent papers dated up to
        the window's newest candidate, as the product's catalog holds papers up to the day it ranks)."""
        vectors = self.vectors
        if idf == "corpus":
            seed_lex, candidate_lex = self.lexical[seeds], self.lexical[candidates]
        else:
            rows = np.r_[np.asarray(seeds, dtype=np.int64), candidates]
            reference, counted = None, None
            if idf == "catalog":
                reference, sample = self.reference_before(int(self.dataset.ordinals[candidates].max()) + 1)
                counted = np.isin(rows, sample)
            matrix = scoring.lexical_rows(self.counts[rows], reference, counted)
            seed_lex, candidate_lex = matrix[:len(seeds)], matrix[len(seeds):]
        return scoring.Similarities.compute(
            seed_lex, candidate_lex,
            vectors[seeds] if vectors is not None else None, vectors[candidates] if vectors is not None else None)

    def reference_before(self, end: int) -> tuple[scoring.Frequencies, np.ndarray]:
        """The frequencies of the ``reference`` most recent corpus papers dated before day ``end`` (by date, then
        id), and their rows (sorted). Cached per day."""
        if end not in self._references:
            dataset = self.dataset
            if self._order is None:
                self._order = np.lexsort(([p["id"] for p in dataset.corpus], dataset.ordinals))
            before = int(np.searchsorted(dataset.ordinals[self._order], end, side="left"))
            sample = np.sort(self._order[max(0, before - self.reference):before])
            self._references[end] = (scoring.document_frequencies(self.counts[sample]), sample)
        return self._references[end]


def _profile(weights: scoring.Weights, popularity: float = 0.0, idf: str = "catalog"):
    def method(context: Context, seeds: list[int], candidates: np.ndarray) -> np.ndarray:
        similar = context.similarities(seeds, candidates, idf)
        scores = scoring.score_readers(similar, [list(range(len(seeds)))], weights=weights)[0]
        if popularity:
            scores = scores + popularity * _z(np.log1p(_upvotes(context, candidates)))
        return scores
    return method


def _z(values: np.ndarray) -> np.ndarray:
    std = values.std()
    return (values - values.mean()) / std if std > 0 else values * 0


def _upvotes(context: Context, candidates: np.ndarray) -> np.ndarray:
    return np.array([float(context.dataset.corpus[i].get("upvotes") or 0) for i in candidates])


def _nearest_seed(context: Context, seeds: list[int], candidates: np.ndarray) -> np.ndarray:
    """Max over seeds (not the centroid) of the fused similarity."""
    similar = context.similarities(seeds, candidates)
    combined = _zrows(similar.lexical)
    if similar.dense is not None:
        combined = combined + scoring.SHIPPED.dense * _zrows(similar.dense)
    return combined.max(axis=0)


def _zrows(matrix: np.ndarray) -> np.ndarray:
    std = matrix.std(axis=1, keepdims=True)
    return np.divide(matrix - matrix.mean(axis=1, keepdims=True), std, out=np.zeros_like(matrix), where=std > 0)


def _linear(context: Context, seeds: list[int], candidates: np.ndarray) -> np.ndarray:
    """A per-user logistic regression over [tf-idf | embedding]: seeds positive, the candidates negative."""
    from sklearn.linear_model import LogisticRegression

    rows = list(seeds) + list(candidates)
    features = context.lexical[rows]
    if context.vectors is not None:
        features = sp.hstack([features, sp.csr_matrix(context.vectors[rows])]).tocsr()
    labels = np.r_[np.ones(len(seeds)), np.zeros(len(candidates))]
    model = LogisticRegression(C=10.0, class_weight="balanced", max_iter=2000).fit(features, labels)
    return model.decision_function(features[len(seeds):])


def _tfidf_svm(context: Context, seeds: list[int], candidates: np.ndarray) -> np.ndarray:
    """arxiv-sanity-lite's method: a linear SVM per user over its tf-idf, C=0.01, the candidates as negatives."""
    from sklearn import svm

    matrix = _arxiv_sanity_tfidf(context)
    rows = list(seeds) + list(candidates)
    labels = np.r_[np.ones(len(seeds)), np.zeros(len(candidates))]
    model = svm.LinearSVC(class_weight="balanced", max_iter=10000, tol=1e-6, C=0.01).fit(matrix[rows], labels)
    return model.decision_function(matrix[candidates])


def _arxiv_sanity_tfidf(context: Context) -> sp.csr_matrix:
    cached = getattr(context, "_sanity", None)
    if cached is None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        # arxiv-sanity-lite compute.py's vectoriser, defaults included (20,000 features, min_df 5, max_df 0.1).
        vectorizer = TfidfVectorizer(strip_accents="unicode", lowercase=True, analyzer="word", stop_words="english",
                                     token_pattern=r"(?u)\b[a-zA-Z_][a-zA-Z0-9_]+\b", ngram_range=(1, 2),
                                     max_features=20000, norm="l2", use_idf=True, smooth_idf=True,
                                     sublinear_tf=True, max_df=0.1, min_df=5)
        try:
            cached = vectorizer.fit_transform(context.dataset.texts).tocsr()
        except ValueError:   # a tiny corpus: no term in five papers
            cached = context.lexical
        context._sanity = cached
    return cached


def _random(context: Context, seeds: list[int], candidates: np.ndarray) -> np.ndarray:
    return np.random.default_rng(context.seed).random(len(candidates))


def _popular(context: Context, seeds: list[int], candidates: np.ndarray) -> np.ndarray:
    return _upvotes(context, candidates)


LEXICAL_ONLY = scoring.Weights(dense=0.0)
METHODS: dict[str, tuple[Callable, bool, str]] = {   # name -> (method, needs vectors, what it is)
    "profile": (_profile(scoring.SHIPPED), True, "shipped: Rocchio profile, tf-idf + embeddings fused"),
    "profile-lexical": (_profile(LEXICAL_ONLY), False, "the shipped method before papers have vectors"),
    "profile-corpus-idf": (_profile(scoring.SHIPPED, idf="corpus"), True,
                           "shipped, document frequencies from the whole corpus"),
    "profile-pool-idf": (_profile(scoring.SHIPPED, idf="pool"), True,
                         "shipped, document frequencies from candidates + seeds alone"),
    "profile+popularity": (_profile(scoring.SHIPPED, popularity=0.2), True, "shipped + 0.2 z(log upvotes)"),
    "centroid-tfidf": (_profile(scoring.Weights(background=0.0, dense=0.0)), False, "tf-idf centroid of seeds"),
    "centroid-embedding": (_profile(scoring.Weights(background=0.0, dense=1e6)), True,
                           "MiniLM centroid of seeds"),
    "nearest-seed": (_nearest_seed, True, "max over seeds of the fused similarity"),
    "linear": (_linear, True, "per-user logistic regression on tf-idf + embeddings, candidates negative"),
    "tfidf-svm": (_tfidf_svm, False, "arxiv-sanity-lite: linear SVM per user over tf-idf, C=0.01"),
    "random": (_random, False, "random order"),
    "popular": (_popular, False, "most upvoted first"),
}
DEFAULT_METHODS = ("profile", "tfidf-svm", "popular", "random")


def context_for(dataset: Dataset, vectors: np.ndarray | None, reference: int = scoring.REFERENCE) -> Context:
    counts = scoring.term_counts(dataset.texts)
    return Context(dataset, scoring.lexical_rows(counts), scoring.normalised(vectors) if vectors is not None
                   else None, counts=counts, reference=reference)


def evaluate(context: Context, method: str, users: list[User] | None = None) -> dict:
    """nDCG@10, recall@50, MRR@10 of ``method`` averaged over the users (those with a candidate and a seed)."""
    function = METHODS[method][0]
    dataset = context.dataset
    ndcg, recall, mrr = [], [], []
    for user in users if users is not None else dataset.users:
        seeds, candidates = dataset.seeds(user), dataset.candidates(user)
        if not seeds or not len(candidates):
            continue
        scores = np.asarray(function(context, seeds, candidates), dtype=np.float64)
        order = np.lexsort((candidates, -scores))
        ranked = [dataset.corpus[candidates[i]]["id"] for i in order]
        judged = {r: 1.0 for r in user.relevant}
        ndcg.append(metrics.ndcg_at(ranked, judged, 10))
        recall.append(metrics.recall_at(ranked, judged, 50))
        mrr.append(metrics.mrr_at(ranked, judged, 10))
    return {"ndcg@10": round(metrics.mean(ndcg), 4), "recall@50": round(metrics.mean(recall), 4),
            "mrr@10": round(metrics.mean(mrr), 4), "users": len(ndcg)}


def halves(users: list[User]) -> tuple[list[User], list[User]]:
    """A fixed split of the users by a hash of their names (tune on one half, check on the other)."""
    first = [u for u in users if int(hashlib.sha256(u.name.encode()).hexdigest(), 16) % 2 == 0]
    return first, [u for u in users if u not in first]

