"""The paper catalog, kept in Hugging Face's two layers: the paper itself, and its appearances on daily lists."""

from __future__ import annotations

from django.db import models


class Paper(models.Model):
    """One arXiv paper under its base id (no version suffix), holding the newest version seen."""

    arxiv_id = models.CharField(max_length=64, unique=True, help_text="Base arXiv id (2405.15738, math/0701001), or scheme:id for papers not on arXiv.")
    version = models.PositiveIntegerField(null=True, blank=True, help_text="Latest version number, if known.")
    versions = models.JSONField(default=list, blank=True, help_text='[{"version": 1, "date": ISO-8601}, ...]')
    title = models.TextField()
    abstract = models.TextField(blank=True)
    authors = models.JSONField(default=list, blank=True, help_text="Author names, in the paper's order.")
    categories = models.JSONField(default=list, blank=True, help_text="arXiv categories, primary first.")
    primary_category = models.CharField(max_length=32, blank=True, db_index=True)
    published = models.DateTimeField(null=True, blank=True, help_text="Date of the first version.")
    updated = models.DateTimeField(null=True, blank=True, help_text="Date of the latest version or update.")
    announced = models.DateField(null=True, blank=True, help_text="First arXiv daily listing that carried it.")
    observed_at = models.DateTimeField(null=True, blank=True,
                                       help_text="When the source of the stored fields saw them (orders equal versions).")
    comments = models.TextField(blank=True)
    journal_ref = models.TextField(blank=True)
    doi = models.CharField(max_length=255, blank=True)
    license = models.CharField(max_length=255, blank=True)
    withdrawn = models.BooleanField(default=False)
    code_url = models.URLField(max_length=500, blank=True)
    project_url = models.URLField(max_length=500, blank=True)
    content_hash = models.CharField(max_length=64, help_text="sha256 of the descriptive fields; decides 'changed'.")
    community_votes = models.PositiveIntegerField(default=0, help_text="Upvotes by papersift users (kept in step "
                                                  "with community.Vote in the same transaction).")
    community_comments = models.PositiveIntegerField(default=0, help_text="Visible comments on papersift (kept in "
                                                     "step with comments.Comment in the same transaction).")
    source = models.CharField(max_length=32, help_text="Ingest format that last changed this paper.")
    source_uri = models.TextField(help_text="File or URL of that record.")
    source_record = models.CharField(max_length=255, blank=True, help_text="Line, record index or OAI identifier.")
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published", "arxiv_id"]
        indexes = [models.Index(fields=["published"]), models.Index(fields=["updated"]),
                   models.Index(fields=["modified_at", "id"], name="paper_modified")]

    def __str__(self) -> str:
        return f"{self.arxiv_id}: {self.title[:60]}"

    @property
    def is_arxiv(self) -> bool:
        """False for papers known only under another registry's id ('s2:...', 'doi:...')."""
        return ":" not in self.arxiv_id

    @property
    def abs_url(self) -> str:
        if self.is_arxiv:
            return f"https://arxiv.org/abs/{self.arxiv_id}"
        if self.arxiv_id.startswith("doi:"):
            return f"https://doi.org/{self.arxiv_id[4:]}"
        return ""

    @property
    def pdf_url(self) -> str:
        return f"https://arxiv.org/pdf/{self.arxiv_id}" if self.is_arxiv else ""


class DailyListing(models.Model):
    """A paper shown on one day's list, with who submitted it and the counts imported with it."""

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="listings")
    date = models.DateField(db_index=True)
    listed_at = models.DateTimeField(null=True, blank=True, help_text="HF's top-level publishedAt for the entry.")
    submitted_by = models.CharField(max_length=150, blank=True, help_text="Submitter's user name, if known.")
    submitted_at = models.DateTimeField(null=True, blank=True)
    upvotes_imported = models.PositiveIntegerField(default=0)
    comments_imported = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=32)
    source_uri = models.TextField()
    source_record = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    modified_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["paper", "date"], name="listing_once_per_day")]
        indexes = [models.Index(fields=["date", "-upvotes_imported"])]
        ordering = ["-date", "-upvotes_imported"]

    def __str__(self) -> str:
        return f"{self.date} {self.paper_id}"


class Authorship(models.Model):
    """One author name on one paper: the index behind author pages (`/authors/<name>`).

    Papers keep their authors as a JSON list, which no index can search on both SQLite and PostgreSQL; these rows
    are kept in step with it by the catalog upsert (`catalog.services`), in the same transaction. A name is not an
    identity: ``key`` (`catalog.authors.name_key`) folds case, accents and spacing, so spellings of one name meet,
    while two people of the same name share a page.
    """

    # No index of its own: the unique (paper, position) constraint's index serves lookups by paper.
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="authorships", db_index=False)
    position = models.PositiveIntegerField(help_text="0-based place in the paper's author list.")
    name = models.CharField(max_length=300, help_text="The name as the paper gives it.")
    key = models.CharField(max_length=300, help_text="The name folded for lookup (case, accents, spacing).")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["paper", "position"], name="authorship_once_per_place")]
        indexes = [models.Index(fields=["key", "paper"], name="authorship_key")]

    def __str__(self) -> str:
        return f"{self.name} on {self.paper_id}"
class Announcement(models.Model):
    """A paper in one of arXiv's daily announcements, as arXiv's feeds report it (or as a catch-up infers it).

    Kept apart from `DailyListing`: the curated daily list holds what people put on it, this holds everything
    arXiv announced in the followed categories, browsable by day and category without flooding `/papers`.
    """

    NEW, CROSS, REPLACE, REPLACE_CROSS = "new", "cross", "replace", "replace-cross"
    KINDS = [(NEW, "new"), (CROSS, "cross-list"), (REPLACE, "replaced"), (REPLACE_CROSS, "replaced cross-list")]

    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="announcements")
    date = models.DateField(help_text="The announcement (mailing) day, as arXiv's listings and feeds date it.")
    kind = models.CharField(max_length=16, choices=KINDS)
    version = models.PositiveIntegerField(null=True, blank=True, help_text="Version announced, if known.")
    source = models.CharField(max_length=32)
    source_uri = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["paper", "date"], name="announced_once_per_day")]
        indexes = [models.Index(fields=["date", "kind"], name="announcement_day_kind")]
        ordering = ["-date", "paper_id"]

    def __str__(self) -> str:
        return f"{self.date} {self.kind} {self.paper_id}"
