"""papersift's django-allauth adapter: the client address behind trusted proxies, the failed-login limit per
account, and mails in papersift's words.

allauth counts failed logins per client address (``LOGIN_FAILURE_LIMIT``'s ``ip`` rates) and per "key". Its key
is what was typed, so the user name and the e-mail address of one account were two buckets (twice the guesses),
and the address, behind a proxy, was the proxy's (everyone's). Here the address comes from ``papersift.proxy``
and the key is the account the login names, however it is named; a login that names no account is keyed on
what was typed, so guessing unknown names locks no real account.

allauth names the site in its mails with `get_current_site(request)`, which without django.contrib.sites is the
request's host ("Hello from 127.0.0.1:8000!"). Here every allauth mail gets papersift's name, and the address
of the site the request came to, as the digests' mails sign with (`account/email/base_message.txt`).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.core import context as allauth_context
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Q

from papersift.proxy import client_ip

SITE_NAME = "papersift"


def account_key(login: str | None) -> str:
    """The failed-login bucket of what someone typed: ``account:<id>`` when it names an account (by user name, or
    by any of its e-mail addresses, ignoring case), else ``login:<what was typed, lower-cased>``."""
    login = (login or "").strip()
    if "@" in login:
        names = Q(emailaddress__email__iexact=login) | Q(email__iexact=login)
    else:
        names = Q(username__iexact=login)
    user = get_user_model().objects.filter(names).first()
    return f"account:{user.id}" if user else f"login:{login.lower()}"


@dataclass(frozen=True)
class SiteName:
    """What allauth's templates read from a Site: its name and domain."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request) -> str:
        return client_ip(request)

    # allauth calls this for the key of its failed-login limit, both when counting a failure and when a password
    # reset clears the count, so both follow the account.
    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        # The login form gives "username" always (user names are a login method) and "email" too for an address;
        # a password reset clears the count with "email" alone.
        return account_key(credentials.get("username") or credentials.get("email"))

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        request = allauth_context.request
        site_url = (request.build_absolute_uri("/").rstrip("/") if request is not None
                    else settings.PAPERSIFT["SITE_URL"].rstrip("/"))
        context = {**context, "current_site": SiteName(SITE_NAME, urlsplit(site_url).netloc), "site_url": site_url}
        super().send_mail(template_prefix, email, context)


class LoginForm(AllauthLoginForm):
    """allauth's login form with papersift's labels ("User name or e-mail", not "Login")."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["login"].label = "User name or e-mail"
        if "remember" in self.fields:
            self.fields["remember"] = forms.BooleanField(label="Keep me logged in on this browser", required=False)
