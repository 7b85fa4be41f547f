"""Read queries for the comments pages, the API and the admin."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.utils.safestring import mark_safe

from papersift.catalog.models import Paper
from papersift.comments.models import MODERATE, Comment, ModerationLog, Report


def is_moderator(user: User | AnonymousUser) -> bool:
    """An active account with the ``comments.moderate`` permission (given in the admin; superusers have it)."""
    return bool(user.is_authenticated and user.is_active and user.has_perm(f"comments.{MODERATE}"))


def discussion(paper: Paper, viewer: User | AnonymousUser) -> list[Comment]:
    """The paper's comments, oldest first, as ``viewer`` may see them (two queries, three for a logged-in viewer).

    Each comment carries ``html`` (its sanitised HTML, stored when it was written, as a safe string; None when it
    is hidden and the viewer is no moderator), ``mine`` (the viewer wrote it) and
    ``reported`` (the viewer has an open report on it).
    """
    comments = list(Comment.objects.filter(paper=paper).select_related("author").order_by("created_at", "id"))
    staff = is_moderator(viewer)
    reported = set()
    if viewer.is_authenticated and comments:
        reported = set(Report.objects.filter(reporter=viewer, resolved_at__isnull=True, comment__paper=paper)
                       .values_list("comment_id", flat=True))
    for comment in comments:
        comment.html = mark_safe(comment.body_html) if staff or not comment.hidden else None
        comment.mine = viewer.is_authenticated and comment.author_id == viewer.id
        comment.reported = comment.id in reported
    return comments


def own_comment(user: User, comment_id: int) -> Comment:
    """A comment of ``user``'s for its edit page; Comment.DoesNotExist when there is none with that id, and
    PermissionDenied when it is someone else's (services.edit_comment refuses the same)."""
    comment = Comment.objects.select_related("paper").get(id=comment_id)
    if comment.author_id != user.id:
        raise PermissionDenied("comment: only its author can edit it")
    return comment


def paper_of(comment_id: int) -> Paper | None:
    """The paper a comment is on (to send a visitor back to), or None."""
    return Paper.objects.filter(discussion__id=comment_id).only("arxiv_id").first()


def removed_listings() -> set[tuple[str, object]]:
    """(arxiv id, date) of every daily-list entry a moderator removed: an import must not bring them back."""
    return set(ModerationLog.objects.filter(action=ModerationLog.Action.REMOVE_LISTING)
               .values_list("paper_arxiv_id", "listing_date"))
