"""Every change to comments, reports and the moderation log; the pages, the API and the admin call these.

``Paper.community_comments`` counts visible comments. Posting, hiding and unhiding move it here, in the same
transaction as the row. Deleting moves it in ``comment_deleted`` (a pre_delete receiver, connected in
apps.py): comments also vanish by cascades this app does not run (an account deleted on its settings page or
in the admin), and the count must follow those too. Rows are locked (SELECT ... FOR UPDATE on PostgreSQL;
SQLite's writers are serialised) before their state is read, so a hide racing a delete counts once.
"""

from __future__ import annotations

import logging

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from papersift.catalog.models import DailyListing, Paper
from papersift.comments.models import REASON_MAX, Comment, ModerationLog, Report, body_max
from papersift.comments.rendering import render

log = logging.getLogger(__name__)


class InvalidInput(ValueError):
    """Input a user can fix; the message starts with the field it is about ("body: ...")."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _text(field: str, value: str, limit: int, what: str) -> str:
    value = (value or "").replace("\r\n", "\n").strip()
    if not value:
        raise InvalidInput(field, f"write {what}")
    if len(value) > limit:
        raise InvalidInput(field, f"{len(value):,} characters is too long (at most {limit:,})")
    return value


def _locked(comment_id: int) -> Comment:
    """The comment, its row locked for this transaction; Comment.DoesNotExist when there is none."""
    return Comment.objects.select_for_update().get(id=comment_id)


def _require_moderator(actor: User) -> None:
    from papersift.comments.selectors import is_moderator

    if not is_moderator(actor):
        raise PermissionDenied("only moderators (the comments.moderate permission) can do this")


def _move_count(paper_id: int, by: int) -> None:
    Paper.objects.filter(id=paper_id).update(community_comments=F("community_comments") + by)


@transaction.atomic
def post_comment(author: User, paper: Paper, body: str) -> Comment:
    body = _text("body", body, body_max(), "a comment")
    comment = Comment.objects.create(paper=paper, author=author, body=body, body_html=render(body))
    _move_count(paper.id, +1)
    log.info("comments.post", extra={"comment": comment.id, "paper": paper.arxiv_id, "user": author.id})
    return comment


@transaction.atomic
def edit_comment(user: User, comment_id: int, body: str) -> Comment:
    """Change the text of one's own comment. A hidden comment stays as the moderator found it."""
    comment = _locked(comment_id)
    if comment.author_id != user.id:
        raise PermissionDenied("comment: only its author can edit it")
    if comment.hidden:
        raise PermissionDenied("comment: hidden by a moderator, it can no longer be edited")
    body = _text("body", body, body_max(), "a comment")
    if body != comment.body:
        comment.body, comment.body_html, comment.edited_at = body, render(body), timezone.now()
        comment.save(update_fields=["body", "body_html", "edited_at"])
    return comment


def render_all(comments=None, batch: int = 500) -> int:
    """Render and store the HTML of every comment (or of ``comments``, a queryset): after a change to the
    rendering policy, a data migration calls this. Each batch is one transaction. Returns how many."""
    query = (comments if comments is not None else Comment.objects.all()).order_by("id").only("id", "body")
    done, last = 0, 0
    while True:
        rows = list(query.filter(id__gt=last)[:batch])
        if not rows:
            return done
        with transaction.atomic():
            for row in rows:
                Comment.objects.filter(id=row.id).update(body_html=render(row.body))
        done, last = done + len(rows), rows[-1].id


@transaction.atomic
def delete_comment(user: User, comment_id: int) -> None:
    """Delete one's own comment for good (its text is the author's to withdraw); open reports go with it.

    Moderation log entries about it stay: they name it by id.
    """
    comment = _locked(comment_id)
    if comment.author_id != user.id:
        raise PermissionDenied("comment: only its author can delete it")
    comment.delete()
    log.info("comments.delete", extra={"comment": comment_id, "user": user.id})


def comment_deleted(sender, instance: Comment, **kwargs) -> None:
    """pre_delete receiver: a visible comment leaving takes one off its paper's count, whatever deletes it.

    The hidden flag is read again under the row lock, not from ``instance``: a cascade's instance may have been
    loaded before a moderator's hide committed.
    """
    visible = Comment.objects.select_for_update().filter(id=instance.id, hidden=False).values_list("id", flat=True)
    if list(visible):
        _move_count(instance.paper_id, -1)


@transaction.atomic
def report_comment(reporter: User, comment_id: int, reason: str) -> tuple[Report, bool]:
    """Report someone else's comment. Reporting again while one's report is open changes nothing.

    Returns (the open report, whether it is new).
    """
    comment = Comment.objects.get(id=comment_id)
    if comment.author_id == reporter.id:
        raise InvalidInput("comment", "you cannot report your own comment (edit or delete it instead)")
    reason = _text("reason", reason, REASON_MAX, "what is wrong with the comment")
    try:
        with transaction.atomic():
            return Report.objects.create(comment=comment, reporter=reporter, reason=reason), True
    except IntegrityError:      # the partial unique constraint: this reporter's report is still open
        return Report.objects.get(comment=comment, reporter=reporter, resolved_at__isnull=True), False


def _log(actor: User, action: str, target: str, reason: str, **ids) -> ModerationLog:
    entry = ModerationLog.objects.create(actor=actor, actor_name=actor.get_username(), action=action,
                                         target=target[:300], reason=reason, **ids)
    log.info(f"moderation.{action}", extra={"actor": actor.id, "target": target, "entry": entry.id})
    return entry


def _comment_target(comment: Comment, paper: Paper) -> str:
    return f"comment {comment.id} by {comment.author.get_username()} on {paper.arxiv_id}"


@transaction.atomic
def hide_comment(actor: User, comment_id: int, reason: str) -> Comment:
    """Hide a comment from everyone but staff, with the reason shown in its place; resolves its open reports."""
    _require_moderator(actor)
    reason = _text("reason", reason, REASON_MAX, "why the comment is hidden")
    comment = _locked(comment_id)
    if comment.hidden:
        raise InvalidInput("comment", f"comment {comment.id} is already hidden ({comment.hidden_reason})")
    now = timezone.now()
    comment.hidden, comment.hidden_reason, comment.hidden_by, comment.hidden_at = True, reason, actor, now
    comment.save(update_fields=["hidden", "hidden_reason", "hidden_by", "hidden_at"])
    _move_count(comment.paper_id, -1)
    comment.reports.filter(resolved_at__isnull=True).update(resolved_at=now, resolved_by=actor)
    paper = Paper.objects.only("arxiv_id").get(id=comment.paper_id)
    _log(actor, ModerationLog.Action.HIDE_COMMENT, _comment_target(comment, paper), reason,
         comment_id=comment.id, paper_arxiv_id=paper.arxiv_id)
    return comment


@transaction.atomic
def unhide_comment(actor: User, comment_id: int, reason: str) -> Comment:
    _require_moderator(actor)
    reason = _text("reason", reason, REASON_MAX, "why the comment is shown again")
    comment = _locked(comment_id)
    if not comment.hidden:
        raise InvalidInput("comment", f"comment {comment.id} is not hidden")
    comment.hidden, comment.hidden_reason, comment.hidden_by, comment.hidden_at = False, "", None, None
    comment.save(update_fields=["hidden", "hidden_reason", "hidden_by", "hidden_at"])
    _move_count(comment.paper_id, +1)
    paper = Paper.objects.only("arxiv_id").get(id=comment.paper_id)
    _log(actor, ModerationLog.Action.UNHIDE_COMMENT, _comment_target(comment, paper), reason,
         comment_id=comment.id, paper_arxiv_id=paper.arxiv_id)
    return comment


@transaction.atomic
def resolve_reports(actor: User, report_ids) -> int:
    """Close open reports without hiding anything (the comment was fine). Returns how many were open."""
    _require_moderator(actor)
    return Report.objects.filter(id__in=list(report_ids), resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=actor)


@transaction.atomic
def remove_listing(actor: User, listing_id: int, reason: str) -> ModerationLog:
    """Take a paper off one day's list (the paper itself stays in the catalog), logged with the reason."""
    _require_moderator(actor)
    reason = _text("reason", reason, REASON_MAX, "why the listing is removed")
    listing = DailyListing.objects.select_for_update().get(id=listing_id)
    paper = Paper.objects.only("arxiv_id").get(id=listing.paper_id)
    entry = _log(actor, ModerationLog.Action.REMOVE_LISTING, f"{paper.arxiv_id} on the list of {listing.date}",
                 reason, paper_arxiv_id=paper.arxiv_id, listing_date=listing.date)
    listing.delete()
    return entry
