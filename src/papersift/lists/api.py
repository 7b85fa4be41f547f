"""Reading lists in the JSON API, mounted under /api/ by papersift.web.api.

Reads: `GET /api/lists` (yours), `GET /api/lists/{id}` (a public list, or one of yours; with a token or a session).
Writes take a Bearer token, or a browser session with its CSRF token. `{id}` is the list's slug, as in its URL.
Errors keep the API's one shape: 400 for bad input (naming the field), 401, 403 for someone else's public list,
404 for a list that is private to someone else or absent.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, JsonResponse
from ninja import Router, Schema
from ninja.errors import AuthenticationError, HttpError

from papersift.accounts.auth import API_WRITE_AUTH, BearerToken
from papersift.lists import export, selectors, services
from papersift.lists.models import ReadingList
from papersift.ratelimit import rate_limited
from papersift.web.openapi import WRITE, errors
from papersift.web.params import BadParameter

router = Router(tags=["lists"])


class NewList(Schema):
    name: str
    description: str = ""
    public: bool = False


class ListChange(Schema):
    name: str | None = None
    description: str | None = None
    public: bool | None = None


class NewItem(Schema):
    arxivId: str  # noqa: N815 (the API's keys are camelCase, as Hugging Face's)
    note: str | None = None


def _viewer(request: HttpRequest):
    """Who reads: the token's user when a token is sent (a bad one is a 401, not anonymous), else the session's."""
    if request.headers.get("Authorization"):
        user = BearerToken()(request)
        if user is None:
            raise AuthenticationError()
        return user
    return request.user


def _list(list_id: str, user) -> ReadingList:
    found = selectors.visible_list(list_id, user)
    if found is None:
        raise Http404(f"no reading list {list_id} (or it is private)")
    return found


def _own_list(list_id: str, user) -> ReadingList:
    """A list the user may change: someone else's public list is a 403, their private one a 404."""
    found = _list(list_id, user)
    if not selectors.is_owner(user, found):
        raise HttpError(403, f"only the owner of “{found.name}” can change it")
    return found


def _url(request: HttpRequest, reading_list: ReadingList) -> str:
    return request.build_absolute_uri(reading_list.get_absolute_url())


def _document(request: HttpRequest, reading_list: ReadingList) -> dict:
    return export.document(reading_list, selectors.entries(reading_list), _url(request, reading_list))


def _apply(change, *args, **kwargs):
    """Call a service, answering its refusals in the API's error shape."""
    try:
        return change(*args, **kwargs)
    except services.InvalidList as exc:
        raise BadParameter(exc.field, exc.message) from None
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None


@router.get("/lists", auth=API_WRITE_AUTH, summary="Your reading lists (papersift)", openapi_extra=errors(401))
def my_lists(request: HttpRequest):
    """Your lists, most recently changed first, without their papers."""
    return [export.summary(rl, _url(request, rl), rl.paper_count) for rl in selectors.lists_of(request.auth)]


@router.post("/lists", auth=API_WRITE_AUTH, response={201: dict}, summary="Create a reading list (papersift)",
             openapi_extra=errors(*WRITE))
@rate_limited("list")
def create_list(request: HttpRequest, body: NewList):
    """`{"name": ..., "description": ..., "public": false}`; names are unique per user (ignoring case)."""
    reading_list = _apply(services.create_list, request.auth, body.name, body.description, body.public)
    return JsonResponse(_document(request, reading_list), status=201)   # (the status tuple is deprecated in ninja 1.7)


@router.get("/lists/{list_id}", summary="A reading list with its papers (papersift)", openapi_extra=errors(401, 404))
def get_list(request: HttpRequest, list_id: str):
    """The list and its papers, newest addition first: the same document as the list page's `.json` export."""
    return _document(request, _list(list_id, _viewer(request)))


@router.patch("/lists/{list_id}", auth=API_WRITE_AUTH, summary="Rename or publish a reading list (papersift)",
              openapi_extra=errors(*WRITE, 403, 404))
@rate_limited("list")
def change_list(request: HttpRequest, list_id: str, body: ListChange):
    """Any of `name`, `description`, `public`; what is left out stays as it was."""
    reading_list = _own_list(list_id, request.auth)
    if body.name is not None or body.description is not None:
        _apply(services.rename_list, request.auth, reading_list,
               reading_list.name if body.name is None else body.name, body.description)
    if body.public is not None:
        _apply(services.set_public, request.auth, reading_list, body.public)
    return _document(request, reading_list)


@router.delete("/lists/{list_id}", auth=API_WRITE_AUTH, summary="Delete a reading list (papersift)",
               openapi_extra=errors(*WRITE, 403, 404))
@rate_limited("list")
def delete_list(request: HttpRequest, list_id: str):
    reading_list = _own_list(list_id, request.auth)
    _apply(services.delete_list, request.auth, reading_list)
    return {"id": list_id, "deleted": True}


@router.post("/lists/{list_id}/papers", auth=API_WRITE_AUTH, summary="Add a paper to a reading list (papersift)",
             openapi_extra=errors(*WRITE, 403, 404))
@rate_limited("list")
def add_paper(request: HttpRequest, list_id: str, body: NewItem):
    """`{"arxivId": "2608.19880", "note": "..."}`. Idempotent: adding a paper twice keeps one entry (`added` is
    false the second time); a `note` replaces the entry's note."""
    reading_list = _own_list(list_id, request.auth)
    paper = selectors.paper_by_id(body.arxivId)
    if paper is None:
        raise Http404(f"no paper {body.arxivId!r} in this catalog")
    item, added = _apply(services.add_paper, request.auth, reading_list, paper, body.note)
    return {"id": reading_list.slug, "arxivId": paper.arxiv_id, "added": added, "note": item.note,
            "paperCount": reading_list.items.count()}


@router.delete("/lists/{list_id}/papers/{path:arxiv_id}", auth=API_WRITE_AUTH,
               summary="Remove a paper from a reading list (papersift)", openapi_extra=errors(*WRITE, 403, 404))
@rate_limited("list")
def remove_paper(request: HttpRequest, list_id: str, arxiv_id: str):
    """`removed` is false when the paper was not on the list."""
    reading_list = _own_list(list_id, request.auth)
    paper = selectors.paper_by_id(arxiv_id)
    if paper is None:
        raise Http404(f"no paper {arxiv_id!r} in this catalog")
    removed = _apply(services.remove_paper, request.auth, reading_list, paper)
    return {"id": reading_list.slug, "arxivId": paper.arxiv_id, "removed": removed,
            "paperCount": reading_list.items.count()}
