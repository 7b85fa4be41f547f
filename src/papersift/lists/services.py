"""The only code that changes reading lists. Pages, the API and anything else call these functions.

Only a list's owner may change it (`PermissionDenied` otherwise). Names are cleaned (runs of whitespace become one
space) and checked; what a user typed wrong raises `InvalidList` naming the field. Each function is one transaction.
"""

from __future__ import annotations

import unicodedata

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from papersift.catalog.models import Paper
from papersift.lists.models import DESCRIPTION_MAX, NAME_MAX, NOTE_MAX, ReadingList, ReadingListItem


class InvalidList(ValueError):
    """Bad input for a list: `field` names the form field or JSON key, `message` says what was wrong."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


def _control_free(field: str, text: str) -> str:
    # PostgreSQL cannot store NUL in text, and other control characters are never meant: refuse them plainly.
    if any(unicodedata.category(c) == "Cc" and c not in "\n\t" for c in text):
        raise InvalidList(field, "must not contain control characters")
    return text


def clean_name(name: str | None) -> str:
    cleaned = _control_free("name", " ".join((name or "").split()))
    if not cleaned:
        raise InvalidList("name", "give the list a name")
    if len(cleaned) > NAME_MAX:
        raise InvalidList("name", f"is {len(cleaned)} characters long; at most {NAME_MAX} are allowed")
    return cleaned


def _clean_text(field: str, text: str | None, limit: int) -> str:
    cleaned = _control_free(field, (text or "").replace("\r\n", "\n").strip())
    if len(cleaned) > limit:
        raise InvalidList(field, f"is {len(cleaned)} characters long; at most {limit} are allowed")
    return cleaned


def _check_owner(user: User, reading_list: ReadingList) -> None:
    if not getattr(user, "is_authenticated", False) or reading_list.owner_id != user.id:
        raise PermissionDenied(f"only the owner of “{reading_list.name}” can change it")


def _check_name_free(owner: User, name: str, *, other_than: int | None = None) -> None:
    taken = ReadingList.objects.filter(owner=owner, name__iexact=name).exclude(id=other_than)
    if taken.exists():
        raise InvalidList("name", f"you already have a list named “{name}”")


def _save_named(reading_list: ReadingList) -> None:
    """Save, turning a lost race on the (owner, name) constraint into the same error as the check before it."""
    try:
        with transaction.atomic():
            reading_list.save()
    except IntegrityError:
        raise InvalidList("name", f"you already have a list named “{reading_list.name}”") from None


@transaction.atomic
def create_list(owner: User, name: str, description: str = "", public: bool = False) -> ReadingList:
    if not getattr(owner, "is_authenticated", False):
        raise PermissionDenied("log in to make reading lists")
    name = clean_name(name)
    _check_name_free(owner, name)
    reading_list = ReadingList(owner=owner, name=name, description=_clean_text("description", description,
                                                                                DESCRIPTION_MAX), public=public)
    _save_named(reading_list)
    return reading_list


@transaction.atomic
def rename_list(user: User, reading_list: ReadingList, name: str, description: str | None = None) -> ReadingList:
    """A new name, and a new description when one is given (None keeps the old one)."""
    _check_owner(user, reading_list)
    reading_list.name = clean_name(name)
    _check_name_free(reading_list.owner, reading_list.name, other_than=reading_list.id)
    if description is not None:
        reading_list.description = _clean_text("description", description, DESCRIPTION_MAX)
    _save_named(reading_list)
    return reading_list


@transaction.atomic
def set_public(user: User, reading_list: ReadingList, public: bool) -> ReadingList:
    _check_owner(user, reading_list)
    if reading_list.public != public:
        reading_list.public = public
        reading_list.save(update_fields=["public", "updated_at"])
    return reading_list


@transaction.atomic
def delete_list(user: User, reading_list: ReadingList) -> None:
    _check_owner(user, reading_list)
    reading_list.delete()


def _touch(reading_list: ReadingList) -> None:
    reading_list.updated_at = timezone.now()
    ReadingList.objects.filter(id=reading_list.id).update(updated_at=reading_list.updated_at)


@transaction.atomic
def add_paper(user: User, reading_list: ReadingList, paper: Paper,
              note: str | None = None) -> tuple[ReadingListItem, bool]:
    """Put ``paper`` on the list once (idempotent: adding it again keeps the one item and its place).

    A ``note`` replaces the item's note; None leaves it as it was. The unique constraint settles racing adds.
    Returns (the item, whether it was added now).
    """
    _check_owner(user, reading_list)
    note = None if note is None else _clean_text("note", note, NOTE_MAX)
    try:
        with transaction.atomic():
            item = ReadingListItem.objects.create(reading_list=reading_list, paper=paper, note=note or "")
        created = True
    except IntegrityError:
        item = ReadingListItem.objects.get(reading_list=reading_list, paper=paper)
        created = False
        if note is not None and note != item.note:
            item.note = note
            item.save(update_fields=["note"])
    if created:
        _touch(reading_list)
    return item, created


@transaction.atomic
def remove_paper(user: User, reading_list: ReadingList, paper: Paper) -> bool:
    """Take ``paper`` off the list; False when it was not on it."""
    _check_owner(user, reading_list)
    removed = ReadingListItem.objects.filter(reading_list=reading_list, paper=paper).delete()[0] > 0
    if removed:
        _touch(reading_list)
    return removed
