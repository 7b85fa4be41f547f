"""Account settings beyond django-allauth's pages: API tokens and deleting the account."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from papersift.accounts import services
from papersift.ratelimit import rate_limited


@login_required
def settings_page(request: HttpRequest) -> HttpResponse:
    from papersift.digests.selectors import of_account

    return render(request, "accounts/settings.html", {
        "tokens": request.user.api_tokens.filter(revoked_at__isnull=True),
        "new_token": request.session.pop("new_token", None),
        "subscriptions": of_account(request.user),
    })


@login_required
@require_POST
@rate_limited("token")
def create_token(request: HttpRequest) -> HttpResponse:
    try:
        _, plain = services.create_token(request.user, request.POST.get("name", ""))
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        request.session["new_token"] = plain      # shown once, on the next page, then gone
    return redirect("account_settings")


@login_required
@require_POST
@rate_limited("token-revoke")
def revoke_token(request: HttpRequest, token_id: int) -> HttpResponse:
    if not services.revoke_token(request.user, token_id):
        messages.error(request, "No such token (or it was already revoked).")
    return redirect("account_settings")


@login_required
@require_POST
def delete_account(request: HttpRequest) -> HttpResponse:
    if not request.user.check_password(request.POST.get("password", "")):
        messages.error(request, "Your account was not deleted: the password is not right.")
        return redirect("account_settings")
    user = request.user
    logout(request)
    services.delete_account(user)
    messages.success(request, "Your account and everything you added to papersift have been deleted.")
    return redirect("daily")
