"""Account changes that django-allauth does not make: API tokens and deleting an account with its data."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from papersift.accounts.models import ApiToken
from papersift.catalog.models import DailyListing, Paper

TOKEN_PREFIX = "ps_"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(user: User, name: str) -> tuple[ApiToken, str]:
    """A new token; the plain text is returned once and only its digest is stored."""
    name = " ".join(name.split())[:100]
    if not name:
        raise ValueError("name: give the token a name (what will use it)")
    plain = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=plain[:10], digest=_digest(plain))
    return token, plain


def revoke_token(user: User, token_id: int) -> bool:
    return bool(ApiToken.objects.filter(user=user, id=token_id, revoked_at__isnull=True)
                .update(revoked_at=timezone.now()))


def user_for_token(plain: str) -> User | None:
    """The active user a live token belongs to, noting when it was used; None for anything else."""
    if not plain or not plain.startswith(TOKEN_PREFIX):
        return None
    token = (ApiToken.objects.select_related("user")
             .filter(digest=_digest(plain), revoked_at__isnull=True, user__is_active=True).first())
    if token is None:
        return None
    ApiToken.objects.filter(id=token.id).update(last_used_at=timezone.now())
    return token.user


def delete_account(user: User) -> None:
    """Remove the user and everything personal: votes, comments, lists, tokens and addresses go with the
    user row (foreign keys cascade); the user name is cleared from the papers it submitted on papersift.

    Only from those: a listing imported from Hugging Face names its submitter as Hugging Face has it, which is
    data about that listing, not this account, even when someone signed up here under the same name."""
    from papersift.submissions.services import SOURCE as SUBMITTED_HERE

    with transaction.atomic():
        DailyListing.objects.filter(submitted_by=user.username, source=SUBMITTED_HERE).update(submitted_by="")
        Paper.objects.filter(votes__user=user).update(community_votes=F("community_votes") - 1)
        user.delete()
