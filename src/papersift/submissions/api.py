"""Submitting a paper through the JSON API, mounted under /api/ by papersift.web.api (before the routes with
`/papers/{arxiv_id}`, which would otherwise take `/papers/index`).

`POST /api/papers/index {"arxivId": "..."}` (Hugging Face's path and key), with a Bearer token or a browser
session and its CSRF token: 201 and the new daily entry, 200 and the existing entry when the paper is listed
already; in the API's one error shape, 400 for a malformed id or a paper older than the window, 404 for an id
arXiv does not have, 502 when arXiv cannot be reached, 401 without credentials.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from papersift.accounts.auth import API_WRITE_AUTH
from papersift.ratelimit import rate_limited
from papersift.submissions import services
from papersift.web import hf
from papersift.web.openapi import WRITE, errors
from papersift.web.params import BadParameter

router = Router(tags=["submissions"])


class PaperToIndex(Schema):
    arxivId: str  # noqa: N815 (the API's keys are camelCase, as Hugging Face's)


@router.post("/papers/index", auth=API_WRITE_AUTH, response={200: dict, 201: dict},
             summary="Submit a paper to today's list (Hugging Face compatible)", openapi_extra=errors(*WRITE, 404, 502))
@rate_limited("submit")
def index_paper(request: HttpRequest, body: PaperToIndex):
    """`arxivId` is an arXiv id or URL (`2405.15738`, `arXiv:2405.15738v2`, `https://arxiv.org/abs/...`).
    Its metadata comes from the arXiv API; it must be within `SUBMIT_MAX_AGE_DAYS` of its first version."""
    try:
        done = services.submit(request.auth, body.arxivId)
    except services.Refused as exc:
        if exc.status == 404:
            raise Http404(exc.reason) from None
        if exc.status == 400:
            raise BadParameter("arxivId", exc.reason) from None
        raise HttpError(exc.status, exc.reason) from None
    return Status(201 if done.created else 200, hf.daily_entry(done.listing))
