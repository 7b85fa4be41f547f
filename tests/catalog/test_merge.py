"""The merge rules of the catalog upsert, as a table: which record wins, what is filled, what is stale."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from papersift.catalog.services import NEW, STALE, UNCHANGED, UPDATED, content_hash, freshness, merge


def at(day: int) -> datetime:
    return datetime(2025, 1, day, tzinfo=timezone.utc)


def paper(**fields):
    base = dict(title="T", abstract="A", authors=["X"], categories=["cs.CL"], version=None, versions=[],
                published=None, updated=None, announced=None, comments="", journal_ref="", doi="", license="",
                withdrawn=False, code_url="", project_url="", observed=None, ai_summary="", ai_keywords=[],
                ai_summary_model="", github_stars=None, organization=None, thumbnail_url="", media_urls=[],
                hf_observed=None)
    base.update(fields)
    return base


@pytest.mark.parametrize("current, incoming, expected", [
    (dict(version=1), dict(version=2), "newer"),
    (dict(version=3), dict(version=2), "older"),
    (dict(version=2, observed=at(1)), dict(version=2, observed=at(5)), "newer"),
    (dict(version=2, observed=at(5)), dict(version=2, observed=at(1)), "older"),
    (dict(version=2), dict(version=2), "same"),
    (dict(version=None, updated=at(2)), dict(version=None, updated=at(3)), "newer"),
    (dict(version=None, observed=at(9)), dict(version=None, observed=at(3)), "older"),
    (dict(version=None), dict(version=None), "same"),
    (dict(version=2), dict(version=None), "unknown"),   # HF record against an arXiv record
    (dict(version=None), dict(version=4), "unknown"),
])
def test_freshness_orders_by_version_then_update_then_observation(current, incoming, expected):
    assert freshness(paper(**current), paper(**incoming)) == expected


@pytest.mark.parametrize("current, incoming, outcome, check", [
    (None, dict(title="New"), NEW, {"title": "New"}),
    (dict(version=1, title="Old"), dict(version=2, title="Revised"), UPDATED, {"title": "Revised", "version": 2}),
    (dict(version=2, title="Revised"), dict(version=1, title="Old"), STALE, {"title": "Revised", "version": 2}),
    (dict(version=1, title="T"), dict(version=1, title="T"), UNCHANGED, {"title": "T"}),
    # A source without a field never erases it.
    (dict(version=1, doi="10.1/x"), dict(version=2, doi=""), UPDATED, {"doi": "10.1/x", "version": 2}),
    # Unordered records only fill gaps: HF adds the code link but does not replace arXiv's title.
    (dict(version=3, title="arXiv title", categories=["cs.LG"]),
     dict(version=None, title="HF title", code_url="https://github.com/a/b", categories=[]),
     UPDATED, {"title": "arXiv title", "code_url": "https://github.com/a/b", "categories": ["cs.LG"]}),
    # Versions are unioned, not replaced.
    (dict(version=2, versions=[{"version": 1, "date": "d1"}, {"version": 2, "date": "d2"}]),
     dict(version=3, versions=[{"version": 3, "date": "d3"}]), UPDATED,
     {"versions": [{"version": 1, "date": "d1"}, {"version": 2, "date": "d2"}, {"version": 3, "date": "d3"}]}),
    # Same content seen later: unchanged, but the later observation is kept.
    (dict(title="T", observed=at(1)), dict(title="T", observed=at(4)), UNCHANGED, {"observed": at(4)}),
    # A withdrawal notice in a newer version marks the paper withdrawn (a tombstone, not a deletion).
    (dict(version=1), dict(version=2, withdrawn=True, comments="This paper has been withdrawn"), UPDATED,
     {"withdrawn": True, "title": "T"}),
])
def test_merge_table(current, incoming, outcome, check):
    result, merged = merge(paper(**current) if current is not None else None, paper(**incoming))
    assert result == outcome
    for key, value in check.items():
        assert merged[key] == value, key


@pytest.mark.parametrize("current, incoming, outcome, check", [
    # A later Hugging Face listing brings new stars and a summary: an update.
    (dict(github_stars=3, hf_observed=at(1), observed=at(1)),
     dict(github_stars=9, ai_summary="S", observed=at(2)), UPDATED,
     {"github_stars": 9, "ai_summary": "S", "hf_observed": at(2)}),
    # An earlier listing changes none of them (the whole record is older: stale).
    (dict(github_stars=9, hf_observed=at(5), observed=at(5)), dict(github_stars=3, observed=at(2)), STALE,
     {"github_stars": 9}),
    # The paper came from arXiv (a version): HF's fields still follow HF's own order, later listing wins...
    (dict(version=2, github_stars=3, organization="google", hf_observed=at(1), observed=at(9)),
     dict(version=None, github_stars=12, organization="deepmind", observed=at(3)), UPDATED,
     {"github_stars": 12, "organization": "deepmind", "version": 2, "hf_observed": at(3)}),
    # ... an earlier listing does not roll them back ...
    (dict(version=2, github_stars=12, hf_observed=at(3), observed=at(9)),
     dict(version=None, github_stars=3, observed=at(1)), UNCHANGED, {"github_stars": 12, "hf_observed": at(3)}),
    # ... and a record without them (arXiv) erases none of them.
    (dict(version=1, ai_summary="S", ai_keywords=["k"], thumbnail_url="https://t", hf_observed=at(3)),
     dict(version=2, title="v2"), UPDATED, {"ai_summary": "S", "ai_keywords": ["k"], "thumbnail_url": "https://t",
                                            "title": "v2"}),
    # A listing without a field keeps the stored one; zero stars is a value, not a missing field.
    (dict(ai_summary="S", github_stars=5, hf_observed=at(1), observed=at(1)),
     dict(ai_summary="", github_stars=0, observed=at(2)), UPDATED, {"ai_summary": "S", "github_stars": 0}),
    # Same fields seen again: unchanged.
    (dict(ai_summary="S", organization="google", hf_observed=at(1), observed=at(1)),
     dict(ai_summary="S", organization="google", observed=at(1)), UNCHANGED, {"ai_summary": "S"}),
    (None, dict(ai_summary="S", observed=at(4)), NEW, {"hf_observed": at(4)}),
    (None, dict(title="arXiv only", observed=at(4)), NEW, {"hf_observed": None}),
])
def test_merge_of_what_hugging_face_adds(current, incoming, outcome, check):
    result, merged = merge(paper(**current) if current is not None else None, paper(**incoming))
    assert result == outcome
    for key, value in check.items():
        assert merged[key] == value, key


def test_content_hash_counts_hugging_face_fields_but_not_their_observation_day():
    a = paper(ai_summary="S", github_stars=3, organization="google")
    assert content_hash(a) == content_hash({**a, "hf_observed": at(3)})
    for change in (dict(ai_summary="other"), dict(github_stars=4), dict(organization="nvidia"),
                   dict(ai_keywords=["x"]), dict(thumbnail_url="https://t"), dict(media_urls=["https://m"])):
        assert content_hash(a) != content_hash({**a, **change}), change


def test_content_hash_ignores_bookkeeping_but_not_content():
    a = paper(title="Same")
    assert content_hash(a) == content_hash({**a, "observed": at(3), "id": 7})
    assert content_hash(a) != content_hash({**a, "abstract": "different"})


def test_content_hash_does_not_depend_on_json_key_order():
    # PostgreSQL's jsonb returns {"date": ..., "version": ...} for a stored {"version": ..., "date": ...}.
    stored = paper(versions=[{"version": 1, "date": "2007-04-02T19:18:42+00:00"}])
    reloaded = paper(versions=[{"date": "2007-04-02T19:18:42+00:00", "version": 1}])
    assert content_hash(stored) == content_hash(reloaded)
