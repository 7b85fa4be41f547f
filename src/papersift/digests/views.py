"""Subscription pages: subscribe (the short form on every page, the full one here), confirm, manage, unsubscribe.

No login is needed: confirm, manage and unsubscribe pages are reached through signed links (``digests.tokens``).
GETs only show; every change is a POST with CSRF, except the one-click unsubscribe that mail providers send
(RFC 8058: a POST with no cookie and no form token), which the signed link itself authorises and which can
only ever stop mail.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from papersift import ratelimit
from papersift.digests import mail, selectors, services, tokens
from papersift.digests.forms import SubscriptionForm
from papersift.digests.models import Subscription
from papersift.digests.schedule import WEEKDAYS, zone_names
from papersift.web.params import next_path


def subscription_or_404(purpose: str, token: str) -> Subscription:
    try:
        return selectors.by_link(purpose, token)
    except (tokens.BadToken, Subscription.DoesNotExist) as exc:
        raise Http404(str(exc)) from None


def _form_page(request: HttpRequest, form: SubscriptionForm, *, status: int = 200, **extra) -> HttpResponse:
    return render(request, "digests/subscribe.html", {
        "form": form, "zones": zone_names(), "weekdays": list(enumerate(WEEKDAYS)), "hours": range(24), **extra,
    }, status=status)


def _user_email(request: HttpRequest) -> str:
    return request.user.email if request.user.is_authenticated else ""


@require_http_methods(["GET", "POST"])
def subscribe(request: HttpRequest) -> HttpResponse:
    """GET: the full form. POST (from it or from the short form on any page): a new subscription."""
    if request.method == "GET":
        initial = {"email": _user_email(request), "searches": request.GET.get("q", "")}
        if request.GET.get("q"):
            initial["trending_top"] = 0
        if request.GET.get("category"):
            initial["categories"] = request.GET["category"]
        return _form_page(request, SubscriptionForm(initial=initial))
    form = SubscriptionForm(request.POST)
    if not form.is_valid():
        return _form_page(request, form, status=400)
    email = form.cleaned_data["email"]
    try:
        ratelimit.check(request, "subscribe", key=email)    # each one mails a confirmation
    except ratelimit.RateLimited as exc:
        response = _form_page(request, form, status=429, limited=exc.sentence())
        response["Retry-After"] = str(exc.retry_after)
        return response
    subscription = services.subscribe(email, form.choices(), user=request.user)
    if subscription.status == Subscription.Status.ACTIVE:
        messages.success(request, f"Subscribed: digests go to {email} {subscription.schedule.describe()}.")
        return redirect("digest-manage", token=tokens.make("manage", subscription.public_id))
    messages.success(request, f"Almost done: we sent a confirmation link to {email}. Nothing else is sent "
                              "until you follow it.")
    return redirect(next_path(request, reverse("digest-subscribe")))


@require_http_methods(["GET", "POST"])
def confirm(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the subscription is, with a button; the POST of that button confirms it (a link scanner
    that fetches the mail's links therefore confirms nothing)."""
    try:
        subscription = selectors.by_link("confirm", token)
    except (tokens.BadToken, Subscription.DoesNotExist) as exc:
        status = 400 if isinstance(exc, tokens.BadToken) else 404
        return render(request, "digests/bad_link.html", {"message": str(exc)}, status=status)
    if request.method == "POST":
        if services.confirm(subscription):
            messages.success(request, f"Subscription confirmed: digests come {subscription.schedule.describe()}. "
                                      f"{_next_words(subscription)}")
        return redirect("digest-manage", token=tokens.make("manage", subscription.public_id))
    return render(request, "digests/confirm.html", {
        "subscription": subscription, "sections": mail.describe_sections(subscription),
    })


def _next_words(subscription: Subscription) -> str:
    now = timezone.now()
    due = selectors.next_due(subscription, now)
    if due <= now:
        since = selectors.local_time(subscription, subscription.schedule.previous_slot(due))
        return f"The first, with the papers new since {since}, goes out within minutes if there are any."
    return f"The next is due {selectors.local_time(subscription, due)}."


@require_http_methods(["GET", "POST"])
@ratelimit.rate_limited("subscription-change")
def manage(request: HttpRequest, token: str) -> HttpResponse:
    subscription = subscription_or_404("manage", token)
    if request.method == "POST":
        form = SubscriptionForm(request.POST, require_email=False)
        if form.is_valid():
            services.change(subscription, form.choices())
            messages.success(request, f"Saved: {subscription.schedule.describe()}.")
            return redirect("digest-manage", token=token)
        status = 400
    else:
        form, status = SubscriptionForm(initial=SubscriptionForm.initial_for(subscription), require_email=False), 200
    links = mail.paths(subscription)
    return _form_page(request, form, status=status, subscription=subscription, manage_token=token,
                      sections=mail.describe_sections(subscription), unsubscribe_path=links["unsubscribe"],
                      feed_url=request.build_absolute_uri(links["feed"]),
                      next_words=_next_words(subscription),
                      recent=subscription.digests.order_by("-slot_at")[:10])


@require_POST
def resubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """Subscribe again: at once for the signed-in owner of the verified address, else after a new confirmation
    link (counted like a new subscription: it mails one)."""
    subscription = subscription_or_404("manage", token)
    try:
        ratelimit.check(request, "subscribe", key=subscription.recipient)
    except ratelimit.RateLimited as exc:
        return ratelimit.too_many(request, exc)
    if services.resubscribe(subscription, user=request.user):
        messages.success(request, "Subscribed again.")
    elif subscription.status == Subscription.Status.PENDING:
        messages.success(request, f"Almost done: we sent a confirmation link to {subscription.recipient}. Nothing "
                                  "is sent until you follow it.")
    return redirect("digest-manage", token=token)


@csrf_exempt   # RFC 8058 one-click: the mail provider POSTs with no cookie or form; the signed link authorises it
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET: a page with an "Unsubscribe" button. POST (that button, or a mail client's one-click): unsubscribed."""
    subscription = subscription_or_404("unsubscribe", token)
    if request.method == "POST":
        services.unsubscribe(subscription)
        return render(request, "digests/unsubscribed.html", {
            "subscription": subscription,
            "manage_url": reverse("digest-manage", args=[tokens.make("manage", subscription.public_id)])})
    return render(request, "digests/unsubscribe.html", {"subscription": subscription})
