"""Comment pages: POST forms (with CSRF) that call one service each and go back to the paper; the edit page.

Anonymous visitors are sent to log in and then back to the paper's comments. Someone else's comment: the
services raise PermissionDenied, which Django answers with 403, and nothing changes.
"""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from papersift.catalog.models import Paper
from papersift.comments import selectors, services
from papersift.comments.models import Comment, body_max
from papersift import ratelimit
from papersift.ratelimit import rate_limited


def _comments_of(paper: Paper) -> str:
    return reverse("paper", args=[paper.arxiv_id]) + "#comments"


def _form(request: HttpRequest, *, paper: Paper, action: str, body: str, comment: Comment | None = None,
          error: str = "", status: int = 200) -> HttpResponse:
    return render(request, "comments/form.html", {"paper": paper, "action": action, "body": body,
                                                  "comment": comment, "error": error, "body_max": body_max()},
                  status=status)


def _refused(request: HttpRequest, exc: Exception, **form) -> HttpResponse:
    """The form again, with the text as typed and why it was refused: 400 for the text, 429 for the rate."""
    if isinstance(exc, ratelimit.RateLimited):
        response = _form(request, **form, error=exc.sentence(), status=429)
        response["Retry-After"] = str(exc.retry_after)
        return response
    return _form(request, **form, error=str(exc), status=400)


@require_POST
def post_comment(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if paper is None:
        raise Http404(f"no paper {arxiv_id} in this catalog")
    if not request.user.is_authenticated:
        return redirect_to_login(_comments_of(paper))
    body = request.POST.get("body", "")
    try:
        ratelimit.check(request, "comment")
        comment = services.post_comment(request.user, paper, body)
    except (services.InvalidInput, ratelimit.RateLimited) as exc:   # the text comes back in the form, not lost
        return _refused(request, exc, paper=paper, action=reverse("comment-post", args=[paper.arxiv_id]), body=body)
    return redirect(reverse("paper", args=[paper.arxiv_id]) + f"#comment-{comment.id}")


@login_required
@require_http_methods(["GET", "POST"])
def edit_comment(request: HttpRequest, comment_id: int) -> HttpResponse:
    try:
        comment = selectors.own_comment(request.user, comment_id)
    except Comment.DoesNotExist:
        raise Http404(f"no comment {comment_id}") from None
    action = reverse("comment-edit", args=[comment.id])
    if request.method == "GET":
        return _form(request, paper=comment.paper, action=action, body=comment.body, comment=comment)
    body = request.POST.get("body", "")
    try:
        ratelimit.check(request, "comment")
        services.edit_comment(request.user, comment.id, body)
    except (services.InvalidInput, ratelimit.RateLimited) as exc:
        return _refused(request, exc, paper=comment.paper, action=action, body=body, comment=comment)
    return redirect(reverse("paper", args=[comment.paper.arxiv_id]) + f"#comment-{comment.id}")


def comment_action(view):
    """POST only; 404 for an unknown comment; anonymous visitors log in and come back to the paper; a
    correctable mistake (an empty reason) is shown as a message on the paper page."""

    @require_POST
    @wraps(view)
    def wrapper(request: HttpRequest, comment_id: int) -> HttpResponse:
        paper = selectors.paper_of(comment_id)
        if paper is None:
            raise Http404(f"no comment {comment_id}")
        if not request.user.is_authenticated:
            return redirect_to_login(_comments_of(paper))
        try:
            done = view(request, comment_id)
        except Comment.DoesNotExist:         # deleted between the two queries
            raise Http404(f"no comment {comment_id}") from None
        except services.InvalidInput as exc:
            messages.error(request, str(exc))
            return redirect(_comments_of(paper))
        if done:
            messages.success(request, done)
        return redirect(_comments_of(paper))

    return wrapper


@rate_limited("comment-delete")
@comment_action
def delete_comment(request: HttpRequest, comment_id: int) -> str:
    services.delete_comment(request.user, comment_id)
    return "Your comment was deleted."


@rate_limited("comment-report")
@comment_action
def report_comment(request: HttpRequest, comment_id: int) -> str:
    _, new = services.report_comment(request.user, comment_id, request.POST.get("reason", ""))
    return "Thank you: a moderator will look at it." if new else "You have already reported this comment."


@comment_action
def hide_comment(request: HttpRequest, comment_id: int) -> str:
    services.hide_comment(request.user, comment_id, request.POST.get("reason", ""))
    return f"Comment {comment_id} is hidden."


@comment_action
def unhide_comment(request: HttpRequest, comment_id: int) -> str:
    services.unhide_comment(request.user, comment_id, request.POST.get("reason", ""))
    return f"Comment {comment_id} is shown again."
