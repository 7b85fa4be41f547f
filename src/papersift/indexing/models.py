"""Embeddings, stored in the database (the system of record) so the vector index can always be rebuilt."""

from __future__ import annotations

from django.db import models


class Embedding(models.Model):
    """One paper's vector under one model, valid while the paper's content hash is ``content_hash``.

    ``text_hash`` is the hash of the embedded text (title + abstract): a change elsewhere in the paper (a journal
    reference, a category) moves ``content_hash`` but not ``text_hash``, and the vector is then kept, not
    recomputed. A re-embedded paper gets a new row id, which is how the vector index finds what to add.
    """

    paper = models.ForeignKey("catalog.Paper", on_delete=models.CASCADE, related_name="embeddings")
    model_id = models.CharField(max_length=100)
    content_hash = models.CharField(max_length=64)
    text_hash = models.CharField(max_length=64)
    vector = models.BinaryField(help_text="float16 little-endian, unit length")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["paper", "model_id"], name="one_embedding_per_model")]

    def __str__(self) -> str:
        return f"{self.paper_id} {self.model_id}"
