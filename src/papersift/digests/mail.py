"""The digest and confirmation e-mails: template triples rendered into multipart messages for mail clients.

Each message is ``subject.txt``, ``body.txt`` and ``body.html`` under ``digests/email/<name>/``. The HTML's
``<style>`` is inlined into ``style`` attributes (css-inline; mail clients drop ``<style>`` blocks), and no
remote stylesheet is ever fetched. Digests carry ``List-Unsubscribe`` with ``List-Unsubscribe-Post``
(RFC 8058 one-click), ``List-Id``, ``Auto-Submitted`` and a ``Message-ID`` derived from the subscription and
period, so a retried delivery is recognisably the same message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid
from urllib.parse import urlsplit

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse

from papersift.digests import tokens
from papersift.digests.models import Subscription
from papersift.digests.schedule import DAILY, WEEKDAYS
from papersift.digests.selectors import Section, Window, followed_authors, site_url

ABSTRACT_CHARS = 320
AUTHORS_SHOWN = 6
_INLINER = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False, keep_link_tags=False)


@dataclass
class DigestContent:
    subscription: Subscription
    slot: datetime
    window: Window
    sections: list[Section]

    @property
    def period(self) -> str:
        return self.subscription.schedule.period(self.slot)

    @property
    def count(self) -> int:
        return sum(len(section.papers) for section in self.sections)

    @property
    def heading(self) -> str:
        schedule = self.subscription.schedule
        day = schedule.local_date(self.slot)
        if schedule.frequency == DAILY:
            return f"Your papers for {WEEKDAYS[day.weekday()]} {day.day} {day:%B %Y}"
        start = schedule.local_date(self.window.start)
        return f"Your week of papers, {start.day} {start:%B} – {day.day} {day:%B %Y}"


def paths(subscription: Subscription) -> dict[str, str]:
    """The signed, login-free links of a subscription: ``manage``, ``unsubscribe`` and ``feed`` paths."""
    public_id = subscription.public_id
    return {"manage": reverse("digest-manage", args=[tokens.make("manage", public_id)]),
            "unsubscribe": reverse("digest-unsubscribe", args=[tokens.make("unsubscribe", public_id)]),
            "feed": reverse("digest-feed", args=[tokens.make("feed", public_id)])}


def links(subscription: Subscription) -> dict[str, str]:
    """The same as absolute URLs on ``PAPERSIFT_SITE_URL``, for mails: ``manage_url`` and so on."""
    return {f"{name}_url": site_url(path) for name, path in paths(subscription).items()}


def short_abstract(text: str, limit: int = ABSTRACT_CHARS) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit]
    sentence = cut.rfind(". ")
    cut = cut[:sentence + 1] if sentence > limit // 2 else cut[:cut.rfind(" ")] + " …"
    return cut


def _paper_context(paper, why: str = "") -> dict:
    authors = list(paper.authors or [])
    shown = ", ".join(authors[:AUTHORS_SHOWN]) + (" et al." if len(authors) > AUTHORS_SHOWN else "")
    return {"arxiv_id": paper.arxiv_id, "title": " ".join(paper.title.split()), "authors": shown,
            "abstract": short_abstract(paper.abstract), "url": site_url(reverse("paper", args=[paper.arxiv_id])),
            "abs_url": paper.abs_url, "pdf_url": paper.pdf_url, "upvotes": getattr(paper, "upvotes", 0),
            "categories": ", ".join((paper.categories or [])[:3]), "why": why}


def _render(name: str, context: dict) -> tuple[str, str, str]:
    base = f"digests/email/{name}"
    subject = " ".join(render_to_string(f"{base}/subject.txt", context).split())
    text = render_to_string(f"{base}/body.txt", context)
    html = _INLINER.inline(render_to_string(f"{base}/body.html", context))
    return subject, re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", html


def _host() -> str:
    return urlsplit(settings.PAPERSIFT["SITE_URL"]).hostname or "localhost"


def _message(subject: str, text: str, html: str, to: str, headers: dict, idstring: str) -> EmailMultiAlternatives:
    headers = {"Message-ID": make_msgid(idstring=idstring, domain=_host()), "Auto-Submitted": "auto-generated",
               **headers}
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers)
    message.attach_alternative(html, "text/html")
    return message


def digest(content: DigestContent) -> EmailMultiAlternatives:
    subscription = content.subscription
    context = {
        "heading": content.heading, "count": content.count, "schedule": subscription.schedule.describe(),
        "site_url": site_url("/"), "recipient": subscription.recipient,
        "sections": [{"title": s.title, "notes": s.notes, "more": s.more, "more_url": s.more_url,
                      "papers": [_paper_context(p, s.reasons.get(p.id, "")) for p in s.papers]}
                     for s in content.sections],
        "window_start": content.window.start, "window_end": content.window.end, **links(subscription),
    }
    subject, text, html = _render("digest", context)
    headers = {
        "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"papersift digests <digests.{_host()}>",
        "Precedence": "bulk",
    }
    period = re.sub(r"[^A-Za-z0-9-]", "-", content.period)
    return _message(subject, text, html, subscription.recipient, headers,
                    f"digest-{subscription.public_id.hex[:12]}-{period}")


def confirmation(subscription: Subscription) -> EmailMultiAlternatives:
    confirm_url = site_url(reverse("digest-confirm", args=[tokens.make("confirm", subscription.public_id)]))
    context = {"confirm_url": confirm_url, "schedule": subscription.schedule.describe(),
               "sections": describe_sections(subscription), "site_url": site_url("/"),
               "expires_days": tokens.CONFIRM_MAX_AGE // 86400}
    subject, text, html = _render("confirm", context)
    return _message(subject, text, html, subscription.email, {}, f"confirm-{subscription.public_id.hex[:12]}")


def describe_sections(subscription: Subscription) -> list[str]:
    out = []
    if subscription.trending_top:
        out.append(f"the {subscription.trending_top} top trending papers")
    out.extend(f"new papers matching “{s.query}”" for s in subscription.searches.all())
    out.extend(f"new papers in {category}" for category in subscription.categories)
    if subscription.for_you and subscription.user_id:
        out.append("new papers picked for you from your interests")
    if followed_authors(subscription):
        out.append("new papers by the authors you follow")
    return out


def preview_window_label(content: DigestContent) -> str:
    start, end = content.window.start, content.window.end
    return f"papers new between {start:%Y-%m-%d %H:%M} and {end:%Y-%m-%d %H:%M} UTC" + (
        "" if end - start <= timedelta(days=8) else " (a long gap since the previous digest)")
