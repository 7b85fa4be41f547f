"""Signals, seeds and follows (papersift.recommend.services), and the rankings they make (selectors)."""

from __future__ import annotations

import numpy as np
import pytest

from papersift.community.services import set_vote
from papersift.lists import services as lists
from papersift.recommend import scoring, selectors, services
from papersift.recommend.models import Follow, Signal
from tests.recommend.conftest import TWO_ARXIV_BIB, paper, reader

WEEK = ("2026-08-17", "2026-08-21")


def week_ids() -> list[int]:
    from datetime import date

    return selectors.listed_between(date.fromisoformat(WEEK[0]), date.fromisoformat(WEEK[1]))


def recommended(user, limit: int = 20) -> selectors.Result:
    return selectors.for_user(user, week_ids(), limit)


def test_one_signal_per_paper_dismiss_replaces_more_and_undo_forgets(sample):
    ada, memory = reader("ada"), paper("2608.15008")
    services.more_like_this(ada, memory)
    services.dismiss(ada, memory)
    assert list(Signal.objects.filter(user=ada).values_list("kind", flat=True)) == ["dismiss"]
    assert selectors.dismissed_ids(ada) == {memory.id}
    assert services.forget(ada, memory) and not Signal.objects.filter(user=ada).exists()


def test_another_readers_signal_or_follow_cannot_be_removed(sample):
    ada, bob = reader("ada"), reader("bob")
    signal = services.dismiss(ada, paper("2608.15008"))
    follow, _ = services.follow(ada, "category", "cs.CL")
    with pytest.raises(Signal.DoesNotExist):
        services.remove_signal(bob, signal.id)
    with pytest.raises(Follow.DoesNotExist):
        services.remove_follow(bob, follow.id)
    assert Signal.objects.filter(id=signal.id).exists() and Follow.objects.filter(id=follow.id).exists()


def test_a_bibtex_import_matches_arxiv_ids_urls_and_titles_and_reports_the_rest(sample):
    ada = reader("ada")
    extra = (b"@book{nothing, title={A Book Nobody Listed}}\n"
             b"@article{bytitle, title={" + paper("2608.17050").title.upper().encode() + b"}}\n")
    report = services.import_references(ada, TWO_ARXIV_BIB + extra, "My Library.bib")
    assert sorted(report.added) == ["2608.13606", "2608.15008", "2608.17050"]
    assert report.unmatched == ["line 9: nothing"]
    assert set(Signal.objects.filter(user=ada, kind="seed").values_list("source", flat=True)) == {
        "import: My Library.bib"}
    again = services.import_references(ada, TWO_ARXIV_BIB, "again.bib")
    assert again.added == [] and again.already == ["2608.13606", "2608.15008"]


@pytest.mark.parametrize("data", [b"@article{a, title={Unclosed,\n@misc{b, eprint={2608.13606}}\n",
                                  b'@misc{key, title = "unterminated}\n', b"TY  - JOUR\nTI  - open\n"])
def test_a_malformed_file_stores_nothing(sample, data):
    ada = reader("ada")
    with pytest.raises(services.InvalidInterest, match="file: "):
        services.import_references(ada, TWO_ARXIV_BIB + data, "broken.bib")
    assert not Signal.objects.filter(user=ada).exists()


def test_pasted_ids_and_a_reading_list_become_seeds(sample):
    ada = reader("ada")
    report = services.import_ids(ada, "2608.13606 https://arxiv.org/abs/2608.15008 9999.99999 nonsense")
    assert report.added == ["2608.13606", "2608.15008"]
    assert report.unmatched == ["nonsense (not an arXiv id)", "9999.99999 (not in this catalog)"]
    reading = lists.create_list(ada, "Agents")
    lists.add_paper(ada, reading, paper("2608.17050"))
    assert services.import_list(ada, reading).added == ["2608.17050"]
    bob = reader("bob")
    with pytest.raises(PermissionError):
        services.import_list(bob, reading)


@pytest.mark.parametrize("kind, value, field", [("category", "not a category!", "value"), ("planet", "x", "kind"),
                                                ("author", "  ", "value"), ("author", "a" * 201, "value")])
def test_bad_follows_are_refused_naming_the_field(sample, kind, value, field):
    with pytest.raises(services.InvalidInterest) as caught:
        services.follow(reader("ada"), kind, value)
    assert caught.value.field == field


def test_follow_is_idempotent_and_folded(sample):
    ada = reader("ada")
    assert services.follow(ada, "author", "Yann  LeCun")[1] is True
    assert services.follow(ada, "author", "yann lecun")[1] is False
    assert selectors.followed(ada) == {"author": ["Yann LeCun"], "category": []}
    assert services.unfollow(ada, "author", "YANN LECUN") and selectors.followed(ada)["author"] == []


def test_recommendations_follow_the_signals_name_their_seeds_and_skip_what_was_seen(sample):
    ada = reader("ada")
    memory, cache = paper("2608.15008"), paper("2607.00394")
    set_vote(ada, memory, True)
    services.more_like_this(ada, cache)
    result = recommended(ada)
    assert result.method == "profile-lexical" and "no embeddings yet" in result.note   # the sample has no vectors
    ids = [item.paper.arxiv_id for item in result.items]
    assert memory.arxiv_id not in ids and cache.arxiv_id not in ids
    top = result.items[0]
    assert top.reasons and top.reasons[0].kind == "seed" and top.reasons[0].arxiv_id in {"2608.15008", "2607.00394"}
    assert "memory" in (top.paper.title + top.paper.abstract).lower()

    services.dismiss(ada, top.paper)
    after = [item.paper.arxiv_id for item in recommended(ada).items]
    assert top.paper.arxiv_id not in after


def test_cold_start_is_trending_in_the_followed_categories_and_says_so(sample):
    ada = reader("ada")
    result = recommended(ada, 5)
    assert result.method == "trending" and "no signals yet" in result.note
    assert all(item.reasons[0].kind == "trending" for item in result.items)
    assert any("cs.CV" not in item.paper.categories for item in result.items)    # the plain trending order mixes

    services.follow(ada, "category", "cs.CV")
    followed = recommended(ada, 5)
    assert "in cs.CV" in followed.note and len(followed.items) == 5
    assert all("cs.CV" in item.paper.categories for item in followed.items)


def test_a_followed_author_is_a_reason_and_a_prior(sample):
    ada = reader("ada")
    set_vote(ada, paper("2608.15008"), True)
    target = next(p for p in [item.paper for item in recommended(ada, 60).items][::-1] if p.authors)
    services.follow(ada, "author", target.authors[0])
    item = next(i for i in recommended(ada, 60).items if i.paper.id == target.id)
    assert any(r.kind == "author" and target.authors[0] in r.text for r in item.reasons)


def test_deleting_the_account_deletes_every_signal_and_follow(sample):
    from papersift.accounts.services import delete_account
    from papersift.recommend.models import Reader

    ada = reader("ada")
    services.dismiss(ada, paper("2608.15008"))
    services.follow(ada, "category", "cs.CL")
    services.feed_key(ada)
    delete_account(ada)
    assert not (Signal.objects.exists() or Follow.objects.exists() or Reader.objects.exists())


def _add_papers(count: int, text: str) -> None:
    from papersift.catalog.models import Paper

    start = Paper.objects.filter(arxiv_id__startswith="2699.").count()
    Paper.objects.bulk_create([Paper(arxiv_id=f"2699.{i:05d}", title=f"{text} {i}", abstract=text,
                                     content_hash=str(i), source="test", source_uri="test")
                               for i in range(start, start + count)])


def _in_reference(word: str, reference: selectors.CatalogReference) -> int:
    term = int(scoring.term_counts([word]).indices[0])
    found = np.flatnonzero(reference.frequencies.terms == term)
    return int(reference.frequencies.papers[found[0]]) if len(found) else 0


def test_the_catalog_reference_is_read_once_and_again_when_the_catalog_grows_or_it_ages(sample, monkeypatch):
    from papersift.catalog.models import Paper

    first = selectors.catalog_reference()
    assert first.frequencies.documents == min(Paper.objects.count(), scoring.REFERENCE)
    _add_papers(1, "quokka habitats")
    assert selectors.catalog_reference() is first                       # one more paper: kept
    assert _in_reference("quokka", first) == 0
    _add_papers(int(0.05 * Paper.objects.count()), "quokka habitats")   # 5% more: read again
    grown = selectors.catalog_reference()
    assert grown is not first and _in_reference("quokka", grown) > 1
    monkeypatch.setattr(selectors, "REFERENCE_MAX_AGE", 0.0)
    assert selectors.catalog_reference() is not grown                   # too old: read again


def test_a_word_rare_in_the_catalog_decides_between_two_papers_the_window_alone_ties(sample):
    # Two candidates each share one word with the reader's seed; in the pool both words are in two papers,
    # in the catalog one of them is everywhere.
    from papersift.catalog.models import Paper

    _add_papers(200, "A wombat study")
    seed, rare, common = (Paper.objects.create(arxiv_id=f"2698.0000{i}", title=title, abstract="", content_hash=str(i),
                                                source="test", source_uri="test")
                          for i, title in enumerate(["Quokka wombat", "Quokka kinetics", "Wombat solvers"]))
    readers = [selectors.Interests(None, [seed.id], [], {seed.id})]
    ranked = selectors.recommend(readers, [rare.id, common.id], 2)[None]
    assert [item.paper_id for item in ranked.items] == [rare.id, common.id]
    assert ranked.items[0].score > ranked.items[1].score
