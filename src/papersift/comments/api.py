"""Comments in the JSON API, mounted under /api/ by papersift.web.api.

Paths start with /comments, not /papers/{id}/comments: an arXiv id may hold a slash (math/0701001), and the
papers router's `/papers/{path:arxiv_id}` must never have to tell the two apart.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError

from papersift.accounts.auth import API_WRITE_AUTH
from papersift.catalog.models import Paper
from papersift.comments import selectors, services
from papersift.comments.models import Comment
from papersift.ratelimit import rate_limited
from papersift.web.openapi import WRITE, errors
from papersift.web.params import BadParameter

router = Router(tags=["comments"])


class CommentIn(Schema):
    body: str


class NewComment(CommentIn):
    paper: str


class ReportIn(Schema):
    reason: str


def comment_json(comment: Comment, viewer) -> dict:
    """One comment; ``body`` (Markdown) and ``html`` (rendered, sanitised) are null when it is hidden, except
    for staff."""
    shown = not comment.hidden or selectors.is_moderator(viewer)
    return {
        "id": comment.id, "paper": comment.paper.arxiv_id, "author": comment.author.get_username(),
        "createdAt": comment.created_at.isoformat(),
        "editedAt": comment.edited_at.isoformat() if comment.edited_at else None,
        "hidden": comment.hidden, "hiddenReason": comment.hidden_reason or None,
        "body": comment.body if shown else None, "html": comment.body_html if shown else None,
    }


def _paper(arxiv_id: str | None) -> Paper:
    if not arxiv_id:
        raise BadParameter("paper", "give the paper's arXiv id (?paper=2405.15738)")
    paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if paper is None:
        raise Http404(f"no paper {arxiv_id} in this catalog")
    return paper


def _calling(request: HttpRequest, action, *args):
    """Run a service, answering its refusals in the API's error shape."""
    try:
        return action(request.auth, *args)
    except services.InvalidInput as exc:
        raise BadParameter(exc.field, exc.message) from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    except Comment.DoesNotExist:
        raise Http404(f"no comment {args[0]}") from None


def _one(comment_id: int) -> Comment:
    return Comment.objects.select_related("paper", "author").get(id=comment_id)


@router.get("/comments", summary="A paper's comments, oldest first (papersift)", openapi_extra=errors(400, 404))
def list_comments(request: HttpRequest, paper: str | None = Query(None, max_length=64)):
    found = _paper(paper)
    comments = selectors.discussion(found, request.user)
    return {"paper": found.arxiv_id, "count": found.community_comments,
            "comments": [comment_json(c, request.user) for c in comments]}


@router.post("/comments", auth=API_WRITE_AUTH, response={201: dict}, summary="Comment on a paper (papersift)",
             openapi_extra=errors(*WRITE, 404))
@rate_limited("comment")
def create_comment(request: HttpRequest, data: NewComment):
    """Markdown with $…$ math, at most 10,000 characters. Bearer token, or a browser session with CSRF."""
    comment = _calling(request, services.post_comment, _paper(data.paper), data.body)
    return Status(201, comment_json(_one(comment.id), request.auth))


@router.put("/comments/{int:comment_id}", auth=API_WRITE_AUTH, summary="Edit your comment (papersift)",
            openapi_extra=errors(*WRITE, 403, 404))
@rate_limited("comment")
def update_comment(request: HttpRequest, comment_id: int, data: CommentIn):
    _calling(request, services.edit_comment, comment_id, data.body)
    return comment_json(_one(comment_id), request.auth)


@router.delete("/comments/{int:comment_id}", auth=API_WRITE_AUTH, response={204: None},
               summary="Delete your comment (papersift)", openapi_extra=errors(*WRITE, 403, 404))
@rate_limited("comment-delete")
def remove_comment(request: HttpRequest, comment_id: int):
    _calling(request, services.delete_comment, comment_id)
    return Status(204, None)


@router.post("/comments/{int:comment_id}/report", auth=API_WRITE_AUTH, summary="Report a comment (papersift)",
             openapi_extra=errors(*WRITE, 404))
@rate_limited("comment-report")
def report_comment(request: HttpRequest, comment_id: int, data: ReportIn):
    report, new = _calling(request, services.report_comment, comment_id, data.reason)
    return {"comment": comment_id, "report": report.id, "new": new}
