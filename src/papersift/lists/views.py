"""Reading-list pages: thin views over lists.selectors (reads) and lists.services (every change, POST + CSRF).

A private list is a 404 to everyone but its owner, on its page and its exports alike. Changing someone else's
public list is a 403, checked here before the form is read (so a bad form cannot tell a stranger anything) and
again by the services.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.views.decorators.http import require_POST, require_safe

from papersift.community.services import voted_ids
from papersift.lists import export, selectors, services
from papersift.lists.models import DESCRIPTION_MAX, NAME_MAX, ReadingList
from papersift.ratelimit import rate_limited
from papersift.web.params import next_path

NEW_LIST = "+new"     # the save button's "New list…" choice (no slug has a "+")


def _visible_or_404(request: HttpRequest, slug: str) -> ReadingList:
    found = selectors.visible_list(slug, request.user)
    if found is None:
        raise Http404("no such reading list (or it is private)")
    return found


def _private(response: HttpResponse, reading_list: ReadingList) -> HttpResponse:
    if not reading_list.public:
        patch_cache_control(response, private=True, no_store=True)   # no shared cache may keep a private list
    return response


def _index(request: HttpRequest, *, status: int = 200, error: services.InvalidList | None = None,
           typed: dict | None = None) -> HttpResponse:
    saving = selectors.paper_by_id(request.POST.get("paper") or request.GET.get("save", ""))
    return render(request, "lists/index.html", {
        "lists": selectors.lists_of(request.user), "saving": saving, "next": next_path(request, ""),
        "error": error, "typed": typed or {}, "name_max": NAME_MAX, "description_max": DESCRIPTION_MAX,
    }, status=status)


@login_required
@require_safe
def index(request: HttpRequest) -> HttpResponse:
    """`/lists`: the user's lists and a form for a new one (which also saves `?save=<arxiv id>` to it)."""
    return _index(request)


@login_required
@require_POST
@rate_limited("list")
def create(request: HttpRequest) -> HttpResponse:
    paper = selectors.paper_by_id(request.POST.get("paper", ""))
    try:
        reading_list = services.create_list(request.user, request.POST.get("name", ""),
                                            request.POST.get("description", ""))
    except services.InvalidList as exc:
        return _index(request, status=400, error=exc, typed=request.POST)
    if paper is None:
        messages.success(request, f"Created “{reading_list.name}”.")
        return redirect(reading_list)
    services.add_paper(request.user, reading_list, paper)
    messages.success(request, f"Created “{reading_list.name}” and saved {paper.arxiv_id} to it.")
    return redirect(next_path(request, reading_list.get_absolute_url()))


@require_POST
@rate_limited("list")
def save(request: HttpRequest) -> HttpResponse:
    """The "save" button on every paper: add the paper to the chosen list, then back to the page it was on."""
    paper = selectors.paper_by_id(request.POST.get("paper", ""))
    if paper is None:
        raise Http404("no such paper in this catalog")
    here = next_path(request, reverse("paper", args=[paper.arxiv_id]))
    if not request.user.is_authenticated:
        return redirect_to_login(here)
    choice = request.POST.get("list", "")
    if choice == NEW_LIST:
        return redirect(f"{reverse('lists')}?{urlencode({'save': paper.arxiv_id, 'next': here})}")
    reading_list = _visible_or_404(request, choice)
    try:
        _, added = services.add_paper(request.user, reading_list, paper)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    messages.success(request, f"{'Saved' if added else 'Already saved'} {paper.arxiv_id} to “{reading_list.name}”.")
    return redirect(here)


@require_safe
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    reading_list = _visible_or_404(request, slug)
    entries = selectors.entries(reading_list)
    return _private(render(request, "lists/detail.html", {
        "reading_list": reading_list, "entries": entries, "mine": selectors.is_owner(request.user, reading_list),
        "share_url": request.build_absolute_uri(reading_list.get_absolute_url()),
        "voted": voted_ids(request.user, (entry.paper.id for entry in entries)),
        "name_max": NAME_MAX, "description_max": DESCRIPTION_MAX,
    }), reading_list)


@require_safe
def export_json(request: HttpRequest, slug: str) -> HttpResponse:
    reading_list = _visible_or_404(request, slug)
    body = export.document(reading_list, selectors.entries(reading_list),
                           request.build_absolute_uri(reading_list.get_absolute_url()))
    response = JsonResponse(body, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = content_disposition_header(True, _file_name(reading_list, "json"))
    return _private(response, reading_list)


@require_safe
def export_bib(request: HttpRequest, slug: str) -> HttpResponse:
    reading_list = _visible_or_404(request, slug)
    response = HttpResponse(export.bibliography(selectors.entries(reading_list)),
                            content_type="text/x-bibtex; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, _file_name(reading_list, "bib"))
    return _private(response, reading_list)


def _file_name(reading_list: ReadingList, extension: str) -> str:
    """Exports are downloads (a browser saves them) named after the list, or its link when the name has no
    letters a file name keeps."""
    return f"{slugify(reading_list.name) or reading_list.slug}.{extension}"


def _forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return render(request, "lists/forbidden.html", {"message": str(exc)}, status=403)


def _change(request: HttpRequest, slug: str, change) -> HttpResponse:
    """Run one owner's change on the list and go back to its page, with what happened as a message."""
    if not request.user.is_authenticated:
        return redirect_to_login(reverse("list", args=[slug]))
    reading_list = _visible_or_404(request, slug)
    try:
        if not selectors.is_owner(request.user, reading_list):
            raise PermissionDenied(f"only the owner of “{reading_list.name}” can change it")
        done = change(reading_list)
    except PermissionDenied as exc:
        return _forbidden(request, exc)
    except services.InvalidList as exc:
        messages.error(request, f"Nothing was changed: {exc}")
        done = None
    return done if isinstance(done, HttpResponse) else redirect(reading_list)


@require_POST
@rate_limited("list")
def rename(request: HttpRequest, slug: str) -> HttpResponse:
    def change(reading_list):
        services.rename_list(request.user, reading_list, request.POST.get("name", ""),
                             request.POST.get("description"))
        messages.success(request, f"Saved the name and description of “{reading_list.name}”.")
    return _change(request, slug, change)


@require_POST
@rate_limited("list")
def publish(request: HttpRequest, slug: str) -> HttpResponse:
    def change(reading_list):
        public = request.POST.get("public") == "1"
        services.set_public(request.user, reading_list, public)
        messages.success(request, "The list is public: anyone with its link can see it." if public
                         else "The list is private: only you can see it.")
    return _change(request, slug, change)


@require_POST
@rate_limited("list")
def delete(request: HttpRequest, slug: str) -> HttpResponse:
    def change(reading_list):
        if request.POST.get("confirm") != "yes":
            raise services.InvalidList("confirm", "tick the box to confirm deleting the list")
        services.delete_list(request.user, reading_list)
        messages.success(request, f"Deleted “{reading_list.name}”.")
        return redirect("lists")
    return _change(request, slug, change)


@require_POST
@rate_limited("list")
def remove(request: HttpRequest, slug: str) -> HttpResponse:
    def change(reading_list):
        paper = selectors.paper_by_id(request.POST.get("paper", ""))
        if paper is None or not services.remove_paper(request.user, reading_list, paper):
            raise services.InvalidList("paper", "that paper is not on this list")
        messages.success(request, f"Removed {paper.arxiv_id} from “{reading_list.name}”.")
    return _change(request, slug, change)
