"""papersift's django-allauth adapter: the client address behind trusted proxies, and the failed-login limit
per account.

allauth counts failed logins per client address (``LOGIN_FAILURE_LIMIT``'s ``ip`` rates) and per "key". Its key
is what was typed, so the user name and the e-mail address of one account were two buckets (twice the guesses),
and the address, behind a proxy, was the proxy's (everyone's). Here the address comes from ``papersift.proxy``
and the key is the account the login names, however it is named; a login that names no account is keyed on
what was typed, so guessing unknown names locks no real account.
"""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.contrib.auth import get_user_model
from django.db.models import Q

from papersift.proxy import client_ip


def account_key(login: str) -> str:
    """The failed-login bucket of what someone typed: ``account:<id>`` when it names an account (by user name or
    by any of its e-mail addresses, ignoring case), else ``login:<what was typed, lower-cased>``."""
    from allauth.account.models import EmailAddress

    login = (login or "").strip()
    users = get_user_model().objects
    if "@" in login:
        found = (EmailAddress.objects.filter(email__iexact=login).values_list("user_id", flat=True).first()
                 or users.filter(email__iexact=login).values_list("id", flat=True).first())
    else:
        found = users.filter(Q(username__iexact=login)).values_list("id", flat=True).first()
    return f"account:{found}" if found else f"login:{login.lower()}"


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        return client_ip(request)

    # allauth calls this for the key of its failed-login limit, both when counting a failure and when a password
    # reset clears the count, so both follow the account.
    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        return account_key(credentials.get("email") or credentials.get("username") or "")
