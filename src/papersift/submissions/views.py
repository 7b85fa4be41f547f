"""The submit page: a thin face over `services.submit` (GET shows the form, POST + CSRF submits)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from papersift.ratelimit import rate_limited
from papersift.submissions import services


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@transaction.non_atomic_requests   # arXiv is asked first; the service writes in its own short transaction
@rate_limited("submit")
def submit(request: HttpRequest) -> HttpResponse:
    """`/papers/submit`: on success (or for a paper listed already) go to the paper's page with a message;
    a refusal shows the form again with the reason (400, or 404/502 when arXiv has no such paper / is down)."""
    if request.method != "POST":
        return _form(request, typed=request.GET.get("id", ""))
    typed = request.POST.get("paper", "")
    try:
        done = services.submit(request.user, typed)
    except services.Refused as exc:
        return _form(request, typed=typed, error=exc.reason, status=exc.status)
    listing = done.listing
    if done.created:
        messages.success(request, f"Added {listing.paper.arxiv_id} to the list of {listing.date:%B} "
                                  f"{listing.date.day}, {listing.date.year}. Thank you!")
    else:
        by = f" (submitted by {listing.submitted_by})" if listing.submitted_by else ""
        messages.info(request, f"{listing.paper.arxiv_id} is already on the list of {listing.date:%B} "
                               f"{listing.date.day}, {listing.date.year}{by}.")
    return redirect("paper", arxiv_id=listing.paper.arxiv_id)


def _form(request: HttpRequest, *, typed: str, error: str = "", status: int = 200) -> HttpResponse:
    return render(request, "submissions/submit.html", {
        "typed": typed, "error": error, "window": settings.PAPERSIFT["SUBMIT_MAX_AGE_DAYS"],
    }, status=status)
