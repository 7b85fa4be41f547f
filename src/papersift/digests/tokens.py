"""Signed links for subscriptions: confirm, manage, unsubscribe and feed, each with its own salt.

A link carries the subscription's random ``public_id`` signed with the site's secret key (Django's signing),
so it works without logging in and cannot be guessed or turned into another subscription's. Each purpose has
its own salt: the one-click unsubscribe link that mail providers see cannot open the manage page, and a feed
link shared with a feed reader can only read. Confirmation links expire; the others last as long as the
subscription (rotating the secret key, with ``SECRET_KEY_FALLBACKS``, is how to revoke them all).
"""

from __future__ import annotations

import uuid

from django.core import signing

CONFIRM_MAX_AGE = 7 * 24 * 3600
PURPOSES = ("confirm", "manage", "unsubscribe", "feed")


class BadToken(ValueError):
    """The link is damaged, for another purpose, or expired."""


def _signer(purpose: str) -> signing.Signer:
    salt = f"papersift.digests.{purpose}"
    return signing.TimestampSigner(salt=salt) if purpose == "confirm" else signing.Signer(salt=salt)


def make(purpose: str, public_id: uuid.UUID) -> str:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown link purpose {purpose!r}")
    return _signer(purpose).sign(public_id.hex)


def read(purpose: str, token: str) -> uuid.UUID:
    """The ``public_id`` a link of ``purpose`` carries; BadToken saying why when it does not verify."""
    signer = _signer(purpose)
    try:
        value = signer.unsign(token, max_age=CONFIRM_MAX_AGE) if purpose == "confirm" else signer.unsign(token)
        return uuid.UUID(hex=value)
    except signing.SignatureExpired:
        raise BadToken("this confirmation link has expired (links last 7 days): subscribe again") from None
    except (signing.BadSignature, ValueError):
        raise BadToken("this link is not valid (it may have been cut short when it was copied)") from None
