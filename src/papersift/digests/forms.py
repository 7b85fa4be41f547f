"""The subscription form (the short one on every page and the full one share it): checks every field and says
what is wrong with each, so a bad address, time zone, category or query is refused before anything is written."""

from __future__ import annotations

import re

from django import forms
from django.conf import settings
from django.core.validators import validate_email

from papersift.digests.schedule import FREQUENCIES, WEEKDAYS, zone
from papersift.digests.services import Choices
from papersift.search.query import CATEGORY, parse

MAX_SEARCHES = 10
MAX_CATEGORIES = 20
TRENDING_MAX = 50


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class SubscriptionForm(forms.Form):
    email = forms.CharField(max_length=254, required=True, label="E-mail address")
    frequency = forms.ChoiceField(choices=[("daily", "Daily (weekdays)"), ("weekly", "Weekly")], initial="daily",
                                  required=False)
    hour = forms.TypedChoiceField(coerce=int, choices=[(h, f"{h:02d}:00") for h in range(24)], required=False)
    timezone = forms.CharField(max_length=64, required=False)
    weekday = forms.TypedChoiceField(coerce=int, choices=list(enumerate(WEEKDAYS)), required=False, initial=0)
    trending_top = forms.IntegerField(min_value=0, max_value=TRENDING_MAX, required=False, initial=10,
                                      label="Trending papers per digest (0 for none)")
    categories = forms.CharField(max_length=500, required=False, label="Categories (e.g. cs.CL, cs.LG, or a "
                                 "whole archive: math)")
    searches = forms.CharField(max_length=3000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                               label="Saved searches, one per line (the search language: words, \"phrases\", "
                                     "au:, cat:cs.CL, -exclude)")

    for_you = forms.BooleanField(required=False, label="“For you”: papers ranked from your interests")

    def __init__(self, *args, require_email: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = require_email
        self.fields["hour"].initial = settings.PAPERSIFT["DIGEST_DEFAULT_HOUR"]
        self.fields["timezone"].initial = settings.PAPERSIFT["DIGEST_DEFAULT_TIMEZONE"]

    def clean_email(self) -> str:
        email = " ".join((self.cleaned_data.get("email") or "").split())
        if not email and not self.fields["email"].required:
            return ""
        try:
            validate_email(email)
        except forms.ValidationError:
            raise forms.ValidationError(f"{email!r} is not a valid e-mail address (expected name@example.org)")
        return email

    def clean_frequency(self) -> str:
        return self.cleaned_data.get("frequency") or FREQUENCIES[0]

    def clean_hour(self) -> int:
        hour = self.cleaned_data.get("hour")
        return settings.PAPERSIFT["DIGEST_DEFAULT_HOUR"] if hour in (None, "") else hour

    def clean_timezone(self) -> str:
        name = (self.cleaned_data.get("timezone") or "").strip() or settings.PAPERSIFT["DIGEST_DEFAULT_TIMEZONE"]
        try:
            zone(name)
        except ValueError as exc:
            raise forms.ValidationError(str(exc))
        return name

    def clean_weekday(self) -> int:
        value = self.cleaned_data.get("weekday")
        return 0 if value in (None, "") else value

    def clean_trending_top(self) -> int:
        value = self.cleaned_data.get("trending_top")
        return 10 if value is None else value

    def clean_categories(self) -> list[str]:
        found = [c for c in re.split(r"[\s,]+", self.cleaned_data.get("categories") or "") if c]
        bad = [c for c in found if not CATEGORY.match(c)]
        if bad:
            raise forms.ValidationError(f"{', '.join(repr(b) for b in bad)} is not an arXiv category or archive "
                                        "(e.g. cs.CL, math.AP, hep-th, cs)")
        if len(found) > MAX_CATEGORIES:
            raise forms.ValidationError(f"at most {MAX_CATEGORIES} categories")
        return list(dict.fromkeys(found))

    def clean_searches(self) -> list[str]:
        queries = _lines(self.cleaned_data.get("searches") or "")
        if len(queries) > MAX_SEARCHES:
            raise forms.ValidationError(f"at most {MAX_SEARCHES} saved searches (got {len(queries)})")
        problems = []
        for number, query in enumerate(queries, start=1):
            if len(query) > 250:
                problems.append(f"line {number}: longer than 250 characters")
                continue
            parsed = parse(query)
            if parsed.warnings:
                problems.append(f"line {number} ({query!r}): {'; '.join(parsed.warnings)}")
            elif not (parsed.must or parsed.categories or parsed.ids or parsed.since or parsed.until):
                problems.append(f"line {number} ({query!r}): nothing to search for")
        if problems:
            raise forms.ValidationError(problems)
        return list(dict.fromkeys(queries))

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("trending_top") or data.get("categories") or data.get("searches")
                                    or data.get("for_you")):
            raise forms.ValidationError("Choose at least one thing to receive: trending papers, a saved search or "
                                        "a category.")
        return data

    def choices(self) -> Choices:
        data = self.cleaned_data
        return Choices(frequency=data["frequency"], hour=data["hour"], timezone=data["timezone"],
                       weekday=data["weekday"], trending_top=data["trending_top"], categories=data["categories"],
                       searches=data["searches"], for_you=data.get("for_you", False))

    @classmethod
    def initial_for(cls, subscription) -> dict:
        return {"email": subscription.recipient, "frequency": subscription.frequency, "hour": subscription.hour,
                "timezone": subscription.timezone, "weekday": subscription.weekday,
                "trending_top": subscription.trending_top, "categories": ", ".join(subscription.categories),
                "searches": "\n".join(s.query for s in subscription.searches.all()),
                "for_you": subscription.for_you}
