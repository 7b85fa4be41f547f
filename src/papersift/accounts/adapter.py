"""django-allauth in papersift's words: mails say and sign "papersift", not the host name they were asked from.

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

SITE_NAME = "papersift"


@dataclass(frozen=True)
class SiteName:
    """What allauth's templates read from a Site: its name and domain."""

    name: str
    domain: str


class AccountAdapter(DefaultAccountAdapter):
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
