"""The services directly: the rules every face (pages, API) relies on."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from papersift.catalog.models import Paper
from papersift.lists import services
from papersift.lists.models import ReadingList, ReadingListItem
from papersift.lists.services import InvalidList

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("typed, kept", [
    ("  Reading\tgroup \n  week 3 ", "Reading group week 3"),
    ("x" * 100, "x" * 100),
    ("Théorie des catégories ∞", "Théorie des catégories ∞"),
])
def test_names_are_cleaned_of_extra_whitespace(ada, typed, kept):
    assert services.create_list(ada, typed).name == kept
    assert ReadingList.objects.get(owner=ada).name == kept


@pytest.mark.parametrize("typed, message", [
    ("", "name: give the list a name"),
    (" \n\t ", "name: give the list a name"),
    ("x" * 101, "name: is 101 characters long; at most 100 are allowed"),
    ("bad\x00name", "name: must not contain control characters"),
])
def test_bad_names_are_refused_with_a_clear_message(ada, typed, message):
    with pytest.raises(InvalidList) as caught:
        services.create_list(ada, typed)
    assert str(caught.value) == message and caught.value.field == "name"
    assert not ReadingList.objects.exists()


def test_names_are_unique_per_owner_ignoring_case_but_not_across_owners(ada, bob):
    first = services.create_list(ada, "To read")
    with pytest.raises(InvalidList, match="you already have a list named “TO READ”"):
        services.create_list(ada, "  TO   READ ")
    assert services.create_list(bob, "To read").owner == bob
    second = services.create_list(ada, "Later")
    with pytest.raises(InvalidList, match="already have a list named"):
        services.rename_list(ada, second, "to read")
    services.rename_list(ada, first, "To Read")            # its own name, recased, is fine
    assert sorted(ReadingList.objects.filter(owner=ada).values_list("name", flat=True)) == ["Later", "To Read"]


def test_description_and_note_length_limits(ada, sample):
    with pytest.raises(InvalidList, match="description: is 2001 characters long; at most 2000"):
        services.create_list(ada, "Long", description="d" * 2001)
    reading_list = services.create_list(ada, "Short", description="Line one\r\nline two ")
    assert reading_list.description == "Line one\nline two"
    with pytest.raises(InvalidList, match="note: is 1001 characters long"):
        services.add_paper(ada, reading_list, Paper.objects.get(arxiv_id="2608.19880"), note="n" * 1001)
    assert not reading_list.items.exists()


def test_adding_twice_keeps_one_item_and_a_new_note_replaces_the_old(ada, sample):
    reading_list = services.create_list(ada, "Agents")
    paper = Paper.objects.get(arxiv_id="2608.19880")
    item, added = services.add_paper(ada, reading_list, paper, note="read §3")
    again, added_again = services.add_paper(ada, reading_list, paper)
    assert (added, added_again) == (True, False) and again.id == item.id and again.note == "read §3"
    services.add_paper(ada, reading_list, paper, note="done")
    assert list(ReadingListItem.objects.values_list("paper__arxiv_id", "note")) == [("2608.19880", "done")]
    assert services.remove_paper(ada, reading_list, paper) is True
    assert services.remove_paper(ada, reading_list, paper) is False
    assert not ReadingListItem.objects.exists()


def test_adding_and_removing_moves_the_lists_updated_time(ada, sample):
    reading_list = services.create_list(ada, "Agents")
    created = ReadingList.objects.get(id=reading_list.id).updated_at
    services.add_paper(ada, reading_list, Paper.objects.get(arxiv_id="2608.19880"))
    assert ReadingList.objects.get(id=reading_list.id).updated_at > created


def test_only_the_owner_changes_a_list(ada, bob, sample):
    reading_list = services.create_list(ada, "Mine", public=True)
    paper = Paper.objects.get(arxiv_id="2608.19880")
    services.add_paper(ada, reading_list, paper)
    attempts = [
        lambda who: services.rename_list(who, reading_list, "Theirs"),
        lambda who: services.set_public(who, reading_list, False),
        lambda who: services.add_paper(who, ReadingList.objects.get(id=reading_list.id),
                                       Paper.objects.exclude(id=paper.id).first()),
        lambda who: services.remove_paper(who, reading_list, paper),
        lambda who: services.delete_list(who, reading_list),
    ]
    for attempt in attempts:
        for who in (bob, AnonymousUser()):
            with pytest.raises(PermissionDenied, match="only the owner of “Mine” can change it"):
                attempt(who)
    fresh = ReadingList.objects.get(id=reading_list.id)
    assert (fresh.name, fresh.public) == ("Mine", True)
    assert list(fresh.items.values_list("paper_id", flat=True)) == [paper.id]
    with pytest.raises(PermissionDenied):
        services.create_list(AnonymousUser(), "Nobody's")


def test_deleting_a_list_or_its_owner_takes_its_items_but_not_the_papers(ada, django_user_model, sample):
    papers = Paper.objects.count()
    first = services.create_list(ada, "One")
    second = services.create_list(ada, "Two")
    for reading_list in (first, second):
        services.add_paper(ada, reading_list, Paper.objects.get(arxiv_id="2608.19880"))
    services.delete_list(ada, first)
    assert list(ReadingList.objects.values_list("name", flat=True)) == ["Two"]
    ada.delete()
    assert not ReadingList.objects.exists() and not ReadingListItem.objects.exists()
    assert Paper.objects.count() == papers


def test_slugs_are_random_and_not_sequential(ada):
    slugs = [services.create_list(ada, f"List {n}").slug for n in range(20)]
    assert len(set(slugs)) == 20 and all(len(s) == 12 for s in slugs)
    assert not any(s.isdigit() for s in slugs)
