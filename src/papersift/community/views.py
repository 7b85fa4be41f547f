"""The upvote button: a POST form (CSRF) that sets the vote and comes back to the page it was on."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from papersift.catalog.models import Paper
from papersift.community import services
from papersift.ratelimit import rate_limited
from papersift.web.params import next_path


@require_POST
@rate_limited("vote")
def vote(request: HttpRequest, arxiv_id: str) -> HttpResponse:
    paper = Paper.objects.filter(arxiv_id=arxiv_id).first()
    if paper is None:
        raise Http404(f"no paper {arxiv_id} in this catalog")
    here = next_path(request, f"/papers/{arxiv_id}")
    if not request.user.is_authenticated:
        return redirect_to_login(here)       # log in, then back to the page the vote was cast on
    services.set_vote(request.user, paper, up=request.POST.get("action", "up") != "down")
    return redirect(here)
