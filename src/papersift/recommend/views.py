"""Pages: "For you" (day and week views), "Your interests" (every signal, each removable; imports; follows;
the private feed link), and the 👍/👎 buttons on cards. Thin faces over ``services`` and ``selectors``.

Every change is a POST with CSRF that works without JavaScript and comes back to the page it came from. Another
reader's signal or follow is a 404, exactly as one that does not exist.
"""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_POST, require_safe

from papersift.lists.selectors import paper_by_id
from papersift.ratelimit import rate_limited
from papersift.recommend import selectors, services
from papersift.recommend.models import Follow, Signal
from papersift.web.params import next_path

WINDOWS = ("day", "week")
PAGE_LIMIT = 30


def _private(response: HttpResponse) -> HttpResponse:
    patch_cache_control(response, private=True, no_store=True)
    return response


def window_from(request: HttpRequest) -> tuple[str, date | None]:
    """``?window=day|week&date=YYYY-MM-DD``; Http404 naming the parameter when malformed."""
    kind = request.GET.get("window") or "day"
    if kind not in WINDOWS:
        raise Http404(f"window: must be day or week, got {kind[:20]!r}")
    text = request.GET.get("date") or ""
    try:
        return kind, date.fromisoformat(text) if text else None
    except ValueError:
        raise Http404(f"date: {text[:20]!r} is not a date (YYYY-MM-DD)") from None


@login_required
@require_safe
def for_you(request: HttpRequest) -> HttpResponse:
    kind, day = window_from(request)
    found = selectors.window_papers(kind, day)
    result, start, end = None, None, None
    if found is not None:
        candidates, start, end = found
        result = selectors.for_user(request.user, candidates, PAGE_LIMIT)
    return _private(render(request, "recommend/for_you.html", {
        "kind": kind, "start": start, "end": end, "result": result, "day": day,
        "day_url": f"{reverse('for-you')}?window=day" + (f"&date={end.isoformat()}" if end else ""),
        "week_url": f"{reverse('for-you')}?window=week" + (f"&date={end.isoformat()}" if end else ""),
    }))


@require_POST
@rate_limited("interest")
def mark(request: HttpRequest) -> HttpResponse:
    """A card's buttons: ``signal`` = more | dismiss | undo on ``paper``; back to ``next``."""
    here = next_path(request, reverse("for-you"))
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(here)
    paper = paper_by_id(request.POST.get("paper", ""))
    if paper is None:
        raise Http404("no such paper in this catalog")
    action = request.POST.get("signal")
    if action == "more":
        services.more_like_this(request.user, paper)
        messages.success(request, f"Noted: more papers like {paper.arxiv_id}.")
    elif action == "dismiss":
        services.dismiss(request.user, paper)
        messages.success(request, f"Hidden {paper.arxiv_id} from your lists; papers like it rank lower. "
                                  "Undo it on “Your interests”.")
    elif action == "undo":
        services.forget(request.user, paper)
        messages.success(request, f"Undone: {paper.arxiv_id} is back to no signal.")
    else:
        return HttpResponse("signal: must be more, dismiss or undo", status=400, content_type="text/plain")
    return redirect(here)


@login_required
@require_safe
def interests(request: HttpRequest) -> HttpResponse:
    from papersift.lists.selectors import lists_of

    return _private(render(request, "recommend/interests.html", {
        **selectors.interest_page(request.user), "reading_lists_owned": lists_of(request.user),
        "feed_url": _feed_url(request, selectors.feed_key_of(request.user)),
        "report": request.session.pop("recommend_import", None),
        "kinds": Signal.Kind, "follow_kinds": Follow.Kind.choices,
    }))


def _feed_url(request: HttpRequest, key: str | None) -> str | None:
    return request.build_absolute_uri(reverse("for-you-feed", args=[key])) if key else None


@login_required
@require_safe
def export(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(selectors.export(request.user), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = 'attachment; filename="papersift-interests.json"'
    return _private(response)


def _back() -> HttpResponse:
    return redirect("interests")


@login_required
@require_POST
@rate_limited("interest")
def remove_signal(request: HttpRequest, signal_id: int) -> HttpResponse:
    try:
        signal = services.remove_signal(request.user, signal_id)
    except Signal.DoesNotExist:
        raise Http404("no such signal of yours") from None
    messages.success(request, f"Removed “{signal.get_kind_display()}” on {signal.paper.arxiv_id}.")
    return _back()


@login_required
@require_POST
@rate_limited("follow")
def follow(request: HttpRequest) -> HttpResponse:
    try:
        found, new = services.follow(request.user, request.POST.get("kind", ""), request.POST.get("value", ""))
    except services.InvalidInterest as exc:
        messages.error(request, f"Nothing was followed: {exc}")
    else:
        messages.success(request, f"{'Following' if new else 'Already following'} {found.kind} {found.value}.")
    return redirect(next_path(request, reverse("interests")))


@login_required
@require_POST
@rate_limited("follow")
def unfollow(request: HttpRequest) -> HttpResponse:
    """Stop following by kind and value (the Unfollow button of author and category pages)."""
    kind, value = request.POST.get("kind", ""), request.POST.get("value", "")
    if services.unfollow(request.user, kind, value):
        messages.success(request, f"No longer following {kind} {' '.join(value.split())}.")
    return redirect(next_path(request, reverse("interests")))


@login_required
@require_POST
@rate_limited("follow")
def remove_follow(request: HttpRequest, follow_id: int) -> HttpResponse:
    try:
        found = services.remove_follow(request.user, follow_id)
    except Follow.DoesNotExist:
        raise Http404("no such follow of yours") from None
    messages.success(request, f"No longer following {found.kind} {found.value}.")
    return _back()


def _report(request: HttpRequest, run) -> HttpResponse:
    try:
        report = run()
    except services.InvalidInterest as exc:
        messages.error(request, f"Nothing was imported: {exc.message}")
        return _back()
    request.session["recommend_import"] = report.as_dict()
    messages.success(request, f"{report.source}: {len(report.added)} seed{'s' if len(report.added) != 1 else ''} "
                              f"added, {len(report.already)} already known, {len(report.unmatched)} not matched.")
    return _back()


@login_required
@require_POST
@rate_limited("import")
def import_file(request: HttpRequest) -> HttpResponse:
    from papersift.recommend.references import MAX_BYTES

    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, "Nothing was imported: choose a BibTeX (.bib) or RIS (.ris) file.")
        return _back()
    if upload.size > MAX_BYTES:
        messages.error(request, f"Nothing was imported: {upload.name} is {upload.size / 1048576:.1f} MB; at most "
                                f"{MAX_BYTES // (1024 * 1024)} MB can be imported (export only the collection "
                                "you want).")
        return _back()
    data = upload.read(MAX_BYTES + 1)
    return _report(request, lambda: services.import_references(request.user, data, upload.name))


@login_required
@require_POST
@rate_limited("import")
def import_ids(request: HttpRequest) -> HttpResponse:
    return _report(request, lambda: services.import_ids(request.user, request.POST.get("ids", "")))


@login_required
@require_POST
@rate_limited("import")
def import_list(request: HttpRequest) -> HttpResponse:
    from papersift.lists.models import ReadingList

    found = ReadingList.objects.filter(slug=request.POST.get("list", ""), owner=request.user).first()
    if found is None:
        raise Http404("no such reading list of yours")
    return _report(request, lambda: services.import_list(request.user, found))


@login_required
@require_POST
@rate_limited("feed_key")
def rotate_feed(request: HttpRequest) -> HttpResponse:
    had = selectors.feed_key_of(request.user) is not None
    services.rotate_feed_key(request.user)
    messages.success(request, "Your private feed has a new link; the old one no longer works." if had
                     else "Your private feed's link is below.")
    return _back()
