"""The sources papersift follows (arXiv categories, Hugging Face's daily list), and each run of one."""

from __future__ import annotations

from django.db import models


class Source(models.Model):
    """One thing to follow, with its schedule and how far it has come.

    ``caught_up_to`` is the last day fully read (an arXiv announcement day, a Hugging Face list day, UTC); it
    only moves after that day's papers are committed, so a killed run reads the day again (idempotently).
    """

    ARXIV, HF_DAILY = "arxiv", "hf-daily"
    KINDS = [(ARXIV, "arXiv announcements"), (HF_DAILY, "Hugging Face daily papers")]

    name = models.SlugField(max_length=64, unique=True)
    kind = models.CharField(max_length=16, choices=KINDS)
    categories = models.JSONField(default=list, blank=True,
                                  help_text='arXiv categories or archives, e.g. ["cs.CL", "cs.LG", "hep-th"].')
    schedule = models.CharField(max_length=32, default="auto",
                                help_text="`auto` (arXiv: after each announcement; Hugging Face: hourly) or "
                                          "`every 30m` / `every 2h`.")
    enabled = models.BooleanField(default=True)
    caught_up_to = models.DateField(null=True, blank=True, help_text="Last day fully read.")
    next_run_at = models.DateTimeField(null=True, blank=True, help_text="Empty: at the worker's next look.")
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    failing_since = models.DateTimeField(null=True, blank=True, help_text="First failure since the last success.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SourceRun(models.Model):
    """One run of a source: what it asked for, what it brought, how it ended."""

    RUNNING, OK, PARTIAL, FAILED, INTERRUPTED = "running", "ok", "partial", "failed", "interrupted"
    STATUSES = [(RUNNING, "running"), (OK, "ok"), (PARTIAL, "ok, some records skipped"), (FAILED, "failed"),
                (INTERRUPTED, "interrupted")]

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="runs")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=16, choices=STATUSES, default=RUNNING)
    papers_new = models.PositiveIntegerField(default=0)
    papers_updated = models.PositiveIntegerField(default=0)
    announcements_new = models.PositiveIntegerField(default=0)
    listings_new = models.PositiveIntegerField(default=0)
    errors = models.PositiveIntegerField(default=0)
    days = models.JSONField(default=list, blank=True, help_text="Days read in this run.")
    requests = models.JSONField(default=list, blank=True, help_text="What was asked (feeds, OAI-PMH, HF).")
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["source", "-started_at"], name="source_run_latest"),
                   models.Index(fields=["status", "-finished_at"], name="source_run_finished")]

    def __str__(self) -> str:
        return f"{self.source} {self.started_at:%Y-%m-%d %H:%M} {self.status}"
