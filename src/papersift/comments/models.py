"""Comments on papers, readers' reports about them, and the moderators' audit log.

``Paper.community_comments`` counts the visible (not hidden) comments of a paper; the services move it in the
same transaction as every change that makes a comment appear or disappear.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from papersift.catalog.models import Paper

REASON_MAX = 500
MODERATE = "moderate"                  # the permission, "comments.moderate"


def body_max() -> int:
    """Longest comment in characters of Markdown (the COMMENT_MAX_CHARS setting; 10,000 by default: a long review
    fits, a pasted paper does not)."""
    return settings.PAPERSIFT["COMMENT_MAX_CHARS"]


class Comment(models.Model):
    paper = models.ForeignKey(Paper, on_delete=models.CASCADE, related_name="discussion",
                              help_text="(Paper.comments is arXiv's comment line, hence 'discussion'.)")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comments")
    body = models.TextField(help_text="Markdown as written (at most COMMENT_MAX_CHARS characters).")
    body_html = models.TextField(blank=True, help_text="``body`` rendered and sanitised (comments.rendering), "
                                 "written with it: pages show this, never render.")
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True, help_text="Last edit by its author, if any.")
    hidden = models.BooleanField(default=False, help_text="Hidden by a moderator (changed only through the "
                                 "hide/unhide services, which keep the count and the audit log).")
    hidden_reason = models.CharField(max_length=REASON_MAX, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")
    hidden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["paper", "created_at"], name="comment_paper_created")]
        constraints = [models.CheckConstraint(condition=Q(hidden=False) | ~Q(hidden_reason=""),
                                              name="hidden_comment_has_reason")]
        # Granted to moderators in the admin (a user's or a group's permissions); superusers have it. Being staff
        # (admin access) is not enough: staff may be there for something else.
        permissions = [(MODERATE, "Can moderate: hide and unhide comments, resolve reports, remove listings")]

    def __str__(self) -> str:
        return f"comment {self.id} by {self.author} on {self.paper.arxiv_id}"


class Report(models.Model):
    """A reader's report that a comment breaks the rules; open until a moderator resolves it."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_reports")
    reason = models.CharField(max_length=REASON_MAX)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["comment", "reporter"], condition=Q(resolved_at__isnull=True),
                                               name="one_open_report_per_reporter")]

    def __str__(self) -> str:
        return f"report {self.id} on comment {self.comment_id}"


class ModerationLog(models.Model):
    """What a moderator did, to what, and why. Rows are written once and never edited or deleted.

    Targets are named by plain ids and text, not foreign keys: the entry outlives the listing it removed and
    the comment its author later deleted. ``paper_arxiv_id`` + ``listing_date`` of a ``remove_listing`` entry say
    which daily-list entry a re-import must not bring back.
    """

    class Action(models.TextChoices):
        HIDE_COMMENT = "hide_comment", "hide comment"
        UNHIDE_COMMENT = "unhide_comment", "unhide comment"
        REMOVE_LISTING = "remove_listing", "remove listing"

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    actor_name = models.CharField(max_length=150, help_text="The moderator's user name, kept if the account goes.")
    action = models.CharField(max_length=32, choices=Action.choices)
    target = models.CharField(max_length=300, help_text="What was acted on, in words.")
    comment_id = models.PositiveIntegerField(null=True, blank=True)
    paper_arxiv_id = models.CharField(max_length=64, blank=True, db_index=True)
    listing_date = models.DateField(null=True, blank=True)
    reason = models.CharField(max_length=REASON_MAX)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(condition=~Q(reason=""), name="moderation_has_reason")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action} {self.target}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("moderation log entries are never edited")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("moderation log entries are never deleted")
