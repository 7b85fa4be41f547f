"""Ingest bookkeeping: where a paged harvest stands, so a killed harvest resumes instead of starting over."""

from __future__ import annotations

from django.db import models


class HarvestState(models.Model):
    """One paged harvest (an OAI-PMH ListRecords or arXiv API query URL) and the next page to fetch.

    `next_url` is written in the same transaction as the records of the page before it, so after a crash
    the harvest resumes exactly after the last page whose records were committed.
    """

    RUNNING, DONE = "running", "done"

    format = models.CharField(max_length=32)
    start_url = models.TextField()
    url_key = models.CharField(max_length=64, unique=True, help_text="sha256 of format and start URL.")
    next_url = models.TextField(blank=True)
    status = models.CharField(max_length=16, default=RUNNING)
    pages = models.PositiveIntegerField(default=0)
    records = models.PositiveIntegerField(default=0)
    last_datestamp = models.CharField(max_length=32, blank=True,
                                      help_text="OAI-PMH datestamp of the last committed record (restart point).")
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.format} {self.start_url} ({self.status}, {self.pages} pages)"
