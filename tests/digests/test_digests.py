"""Building digests on the bundled sample and delivering them to a real SMTP server: what they list, once."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone

import pytest
from django.test import Client

from papersift.catalog import trending
from papersift.catalog.models import DailyListing, Paper
from papersift.digests.models import Digest, DigestItem, Subscription
from papersift.digests.services import send_due
from papersift.ingest.services import Ingest
from papersift.outbox.models import OutboxMessage
from papersift.outbox.services import deliver
from tests.digests.conftest import THURSDAY, active, link, paper_ids, parts

WEDNESDAY = THURSDAY - timedelta(days=1)


def test_a_digest_lists_the_days_trending_papers_in_both_parts(sample, smtp_server, client):
    active("ann@example.org", trending_top=5)
    report = send_due(THURSDAY)
    assert report.built == 1 and report.papers == 5
    assert smtp_server.messages == []                       # queued in the outbox, not sent while building
    assert deliver().sent == 1
    (mail,) = smtp_server.wait_for(1)
    expected = [e["paper"]["id"] for e in
                client.get("/api/daily_papers?date=2026-08-20&sort=trending&limit=5").json()]
    text, html = parts(mail)
    assert paper_ids(text) == expected and paper_ids(html) == expected
    for arxiv_id in expected:
        title = " ".join(Paper.objects.get(arxiv_id=arxiv_id).title.split())
        assert title in text and title.replace("&", "&amp;") in html.replace("&#x27;", "'").replace("&#39;", "'")
    assert mail.envelope_to == ["ann@example.org"]
    assert mail["Subject"].startswith("[papersift] Your papers for Thursday 20 August 2026: 5 new papers")


def test_digest_mime_is_valid_multipart_with_one_click_unsubscribe_headers(sample, smtp_server):
    active("ann@example.org", trending_top=3)
    send_due(THURSDAY)
    deliver()
    (mail,) = smtp_server.wait_for(1)
    assert mail.get_content_type() == "multipart/alternative" and not mail.defects
    assert [p.get_content_type() for p in mail.iter_parts()] == ["text/plain", "text/html"]
    assert all(p.get_content_charset() == "utf-8" and not p.defects for p in mail.iter_parts())
    assert re.fullmatch(r"<[^<>@\s]+@[^<>\s]+>", mail["Message-ID"]) and mail["Date"].datetime.tzinfo
    assert re.fullmatch(r"<https?://[^>\s]+/digests/unsubscribe/[^>\s]+>", mail["List-Unsubscribe"])
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail["List-Id"].startswith("papersift digests <") and mail["Auto-Submitted"] == "auto-generated"
    raw_headers = mail.raw.split(b"\r\n\r\n", 1)[0]
    assert b"=?utf-8?" not in raw_headers.split(b"List-Unsubscribe:", 1)[1].split(b"\r\n")[0]  # the URL as is
    _, html = parts(mail)
    assert "<style" not in html and 'style="' in html            # CSS inlined for mail clients
    assert not re.search(r"<(img|link|script)\b", html)           # nothing fetched when the mail is opened


def test_one_click_unsubscribe_works_without_login_cookie_or_csrf_token(sample, smtp_server):
    subscription = active("ann@example.org", trending_top=3)
    send_due(THURSDAY)
    deliver()
    (mail,) = smtp_server.wait_for(1)
    url = mail["List-Unsubscribe"].strip("<>")
    path = url.split("://", 1)[1].split("/", 1)[1]
    mail_client = Client(enforce_csrf_checks=True)                # as a mail provider posts: no cookie, no form
    assert mail_client.get(f"/{path}").status_code == 200        # a GET only shows the button
    assert Subscription.objects.get(id=subscription.id).status == "active"
    response = mail_client.post(f"/{path}", "List-Unsubscribe=One-Click",
                                content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200 and "You are unsubscribed" in response.content.decode()
    assert Subscription.objects.get(id=subscription.id).status == "unsubscribed"
    report = send_due(THURSDAY + timedelta(days=1))
    assert report.built == 0 and report.skipped["unsubscribed"] == 1
    text, _ = parts(mail)                                         # the footer's link is the same one
    assert link(text, "/digests/unsubscribe/") == f"/{path}"


def test_sending_again_for_the_same_period_sends_nothing_new(sample, smtp_server):
    active("ann@example.org", trending_top=5)
    active("bob@example.org", trending_top=2, frequency="weekly", weekday=3)
    assert send_due(THURSDAY).built == 2
    assert deliver().sent == 2
    for later in (THURSDAY, THURSDAY + timedelta(hours=9)):      # same day: same daily and weekly periods
        again = send_due(later)
        assert again.built == 0
    assert deliver().sent == 0 and len(smtp_server.wait_for(2)) == 2
    assert OutboxMessage.objects.filter(kind="digest").count() == Digest.objects.count() == 2


def _matches(paper: Paper, word: str) -> bool:
    return re.search(rf"\b{word}", f"{paper.title} {paper.abstract}", re.IGNORECASE) is not None


def _arrived(paper: Paper, start: datetime, end: datetime) -> bool:
    events = [datetime.combine(li.date, datetime.min.time(), tzinfo=timezone.utc) if li.submitted_at is None
              else li.submitted_at for li in paper.listings.all()]
    events += [paper.published] if paper.published else []
    return any(start < event <= end for event in events)


def test_saved_search_alert_lists_only_new_matches_and_never_a_paper_twice(sample, smtp_server, shared, tmp_path):
    subscription = active("cy@example.org", trending_top=0, searches=["reasoning"])
    # A paper of Wednesday's list is listed again on Thursday: new on both days, sent only once.
    again = json.loads((shared / "hf-daily/raw/2026-08-19.json").read_text())
    reasoning = [e for e in again if "reasoning" in (e["paper"]["title"] + e["paper"]["summary"]).lower()]
    (tmp_path / "2026-08-20.json").write_text(json.dumps(reasoning[:1]))
    assert Ingest("hf-daily").run([str(tmp_path / "2026-08-20.json")]).error_count == 0
    relisted = Paper.objects.get(arxiv_id=reasoning[0]["paper"]["id"])
    assert relisted.listings.count() == 2

    digests = []
    for now in (WEDNESDAY, THURSDAY):
        assert send_due(now).built == 1
        digest = Digest.objects.get(subscription=subscription, slot_at=now)
        papers = [item.paper for item in digest.items.select_related("paper")]
        assert papers and all(_matches(p, "reason") for p in papers)           # only matches of the query
        assert all(_arrived(p, digest.window_start, digest.window_end) for p in papers)   # only new ones
        digests.append({p.arxiv_id for p in papers})
    assert Digest.objects.get(subscription=subscription, slot_at=THURSDAY).window_start == WEDNESDAY
    assert not digests[0] & digests[1] and relisted.arxiv_id in digests[0]

    deliver()
    first, second = smtp_server.wait_for(2)
    for mail, ids in ((first, digests[0]), (second, digests[1])):
        text, html = parts(mail)
        assert set(paper_ids(text)) == ids == set(paper_ids(html))
        assert "New for “reasoning”" in text


def test_an_address_never_gets_a_paper_twice_across_its_subscriptions(sample):
    active("dee@example.org", trending_top=10)
    active("DEE@example.org", trending_top=0, searches=["agent"], frequency="weekly", weekday=3)
    assert send_due(THURSDAY).built == 2
    items = list(DigestItem.objects.values_list("recipient", "paper_id"))
    assert len(items) == len(set(items)) and {r for r, _ in items} == {"dee@example.org"}


def test_a_weekly_digest_ranks_the_weeks_new_listings_by_trending(sample):
    subscription = active("eve@example.org", trending_top=8, frequency="weekly", weekday=0)
    monday = datetime(2026, 8, 24, 8, tzinfo=timezone.utc)
    assert send_due(monday + timedelta(hours=3)).built == 1
    digest = Digest.objects.get(subscription=subscription)
    assert digest.period == "weekly:2026-W35" and digest.window_start == monday - timedelta(days=7)
    rows = DailyListing.objects.filter(date__gt="2026-08-17", date__lte="2026-08-24").select_related("paper")
    expected = sorted(rows, key=lambda li: trending.sort_key(
        li.upvotes_imported + li.paper.community_votes, li.comments_imported, li.date, li.paper.arxiv_id, monday))
    assert [i.paper.arxiv_id for i in digest.items.order_by("position")] == [li.paper.arxiv_id for li in expected[:8]]


def test_category_section_lists_new_arxiv_papers_of_the_archive(sample, shared, tmp_path, settings):
    settings.PAPERSIFT = {**settings.PAPERSIFT, "DIGEST_MAX_PER_SECTION": 1000}   # the whole section, uncut
    lines = [line for line in (shared / "arxiv-listings/sample-5000.jsonl").read_text().splitlines()
             if '"listing_date": "2026-08-' in line]
    (tmp_path / "new.jsonl").write_text("\n".join(lines) + "\n")
    assert Ingest("arxiv-listing").run([str(tmp_path / "new.jsonl")]).error_count == 0
    subscription = active("fay@example.org", trending_top=0, categories=["cs"])
    assert send_due(THURSDAY).built == 1
    papers = [i.paper for i in Digest.objects.get(subscription=subscription).items.all()]
    listed = {json.loads(line)["id"] for line in lines if json.loads(line)["listing_date"] == "2026-08-20"
              and any(c.split(".")[0] == "cs" for c in json.loads(line)["categories"])}
    assert listed and listed <= {p.arxiv_id for p in papers}
    # The rest are the sample's daily-list papers of the window that carry a cs category (the sample has them).
    others = [p for p in papers if p.arxiv_id not in listed]
    assert others and all(p.listings.exists() and any(c.startswith("cs.") for c in p.categories) for p in others)


def test_nothing_new_is_skipped_with_its_reason_unless_empty_digests_are_wanted(sample, smtp_server, settings):
    subscription = active("gus@example.org", trending_top=5)
    december = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
    report = send_due(december)
    assert report.built == 0 and report.skipped == {"nothing-new": 1}
    assert Digest.objects.get(subscription=subscription).skip_reason == "nothing-new"
    settings.PAPERSIFT = {**settings.PAPERSIFT, "DIGEST_SEND_EMPTY": True}
    assert send_due(december + timedelta(days=1)).built == 1
    deliver()
    (mail,) = smtp_server.wait_for(1)
    assert "0 new papers" in mail["Subject"]


def test_unconfirmed_subscriptions_get_nothing_but_the_confirmation(sample, smtp_server):
    from papersift.digests import services

    services.subscribe("hal@example.org", services.Choices())
    report = send_due(THURSDAY)
    assert report.built == 0 and report.skipped == {"unconfirmed": 1}
    deliver()
    (mail,) = smtp_server.wait_for(1)
    assert "Confirm" in mail["Subject"] and not paper_ids(parts(mail)[0])


def test_dry_run_and_preview_write_nothing(sample):
    from papersift.digests.services import preview

    active("ivy@example.org", trending_top=4)
    report = send_due(THURSDAY, dry_run=True)
    assert report.built == 1 and report.papers == 4 and report.built_for == ["ivy@example.org daily:2026-08-20 4"]
    (content,) = preview("ivy@example.org", THURSDAY)
    assert content.count == 4
    assert not Digest.objects.exists() and not OutboxMessage.objects.filter(kind="digest").exists()


@pytest.mark.parametrize("hour, zone, expected_day", [(8, "Asia/Tokyo", "2026-08-19"),
                                                       (8, "America/New_York", "2026-08-20")])
def test_the_window_follows_the_subscribers_time_zone(sample, hour, zone, expected_day):
    subscription = active("jo@example.org", trending_top=50, hour=hour, timezone=zone)
    send_due(datetime(2026, 8, 20, 13, tzinfo=timezone.utc))
    items = Digest.objects.get(subscription=subscription).items.all()
    assert items and all(item.paper.listings.filter(date=expected_day).exists() for item in items)


def test_a_listing_harvested_after_its_days_digest_goes_in_the_next_one(sample, shared):
    subscription = active("kai@example.org", trending_top=50)
    late = DailyListing.objects.filter(date="2026-08-19").order_by("-upvotes_imported").first()
    arxiv_id = late.paper.arxiv_id
    late.delete()                                           # not harvested yet when Wednesday's digest is built
    send_due(WEDNESDAY)
    wednesday = Digest.objects.get(subscription=subscription, slot_at=WEDNESDAY)
    assert arxiv_id not in {i.paper.arxiv_id for i in wednesday.items.all()}
    assert Ingest("hf-daily").run([str(shared / "hf-daily/raw/2026-08-19.json")]).error_count == 0
    send_due(THURSDAY)
    thursday = [i.paper.arxiv_id for i in Digest.objects.get(subscription=subscription, slot_at=THURSDAY).items.all()]
    assert arxiv_id in thursday and thursday.count(arxiv_id) == 1


@pytest.mark.parametrize("races_lost", [1, 2])
def test_a_paper_another_digest_of_the_address_took_meanwhile_is_chosen_again_once(sample, monkeypatch, races_lost):
    """Two workers build digests for one address's two subscriptions at once. Whoever writes a paper first keeps it
    (the unique constraint); the other chooses again without it, once. Losing twice leaves nothing half-written:
    the next run builds it."""
    from papersift.digests import selectors, services

    mine = active("eve@example.org", trending_top=5)
    theirs = active("EVE@example.org", trending_top=5, frequency="weekly")
    services.unsubscribe(theirs)                # its worker is the test's: send_due builds only `mine`
    real_write, stolen = services._write, []

    def racing(content, seen_up_to):
        if len(stolen) < races_lost:        # the other worker commits a paper of this choice first
            paper = next(p for section in content.sections for p in section.papers if p.id not in stolen)
            theirs_digest = Digest.objects.create(
                subscription=theirs, period=f"weekly:race-{len(stolen)}", slot_at=content.slot,
                window_start=content.window.start, window_end=content.window.end, status=Digest.Status.QUEUED)
            DigestItem.objects.create(digest=theirs_digest, recipient="eve@example.org", paper=paper,
                                      section="race", position=0)
            stolen.append(paper.id)
        return real_write(content, seen_up_to)

    monkeypatch.setattr(services, "_write", racing)
    built = Digest.objects.filter(subscription=mine)
    if races_lost == 1:
        report = send_due(THURSDAY)
        assert report.built == 1 and report.papers == 5
        papers = set(DigestItem.objects.filter(digest__in=built).values_list("paper_id", flat=True))
        assert len(papers) == 5 and not papers & set(stolen)
    else:
        (slot,) = [slot for subscription, slot in services.due(THURSDAY) if subscription.id == mine.id]
        papers = selectors.WindowPapers(selectors.window_for(mine, slot))
        assert services._build(mine, slot, papers, False) == ("already-built", 0)
        assert not built.exists() and not OutboxMessage.objects.filter(kind="digest").exists()
        monkeypatch.setattr(services, "_write", real_write)
        assert send_due(THURSDAY).built == 1                                             # the next run
    items = list(DigestItem.objects.values_list("recipient", "paper_id"))
    assert len(items) == len(set(items))


def test_a_digest_already_written_for_the_period_is_not_written_again(sample, caplog):
    """The check before writing (the unique constraint is the backstop): a second writer of the same subscription
    and period writes nothing; another subscription's digest of the same period is no reason to skip."""
    from papersift.digests import mail, selectors, services

    fay, gus = active("fay@example.org", trending_top=3), active("gus@example.org", trending_top=3)
    kit = active("kit@example.org", trending_top=0, searches=["qqqzzzxxy"])               # nothing will match
    slots = {subscription.id: slot for subscription, slot in services.due(THURSDAY)}

    def content(subscription):
        papers = selectors.WindowPapers(selectors.window_for(subscription, slots[subscription.id]))
        return mail.DigestContent(subscription, slots[subscription.id], papers.window,
                                  selectors.sections(subscription, papers)), papers.seen_up_to

    first, again, other, empty = content(fay), content(fay), content(gus), content(kit)
    with caplog.at_level("INFO", logger="papersift.digests.services"):
        assert services._write(*first) == ("built", 3)
    period = first[0].period
    assert [(r.subscription, r.period, r.papers) for r in caplog.records if r.getMessage() == "digest.built"] \
        == [(fay.id, period, 3)]
    assert OutboxMessage.objects.get(kind="digest").dedupe_key == f"digest:{fay.id}:{period}"
    expected = [(section.key, paper.id) for section in first[0].sections for paper in section.papers]
    assert list(DigestItem.objects.filter(digest__subscription=fay).order_by("position").values_list(
        "position", "section", "paper_id")) == [(n, key, pid) for n, (key, pid) in enumerate(expected)]
    assert services._write(*other) == ("built", 3)                 # same period, another subscription
    assert services._write(*again) == ("already-built", 0)
    assert services._write(*empty) == ("nothing-new", 0)
    assert Digest.objects.get(subscription=kit).skip_reason == "nothing-new"
    assert Digest.objects.count() == 3 and OutboxMessage.objects.filter(kind="digest").count() == 2


def test_unsubscribing_ends_a_subscription_once_and_says_so(sample, caplog):
    from papersift.digests.services import subscribe, unsubscribe
    from papersift.digests.services import Choices

    running, waiting = active("hal@example.org"), subscribe("ivy@example.org", Choices())
    before = datetime.now(timezone.utc)
    with caplog.at_level("INFO", logger="papersift.digests.services"):
        assert unsubscribe(running) is True and unsubscribe(waiting) is True      # a pending one ends too
    ended_at = running.unsubscribed_at
    assert running.status == waiting.status == Subscription.Status.UNSUBSCRIBED and ended_at >= before
    assert unsubscribe(running) is False and running.unsubscribed_at == ended_at  # the second click: nothing
    events = [r.subscription for r in caplog.records if r.getMessage() == "digest.unsubscribe"]
    assert events == [running.id, waiting.id]


def test_a_long_saved_searchs_section_is_recorded_cut_to_its_column(sample):
    query = " ".join(["agents"] * 14)                                      # 97 characters
    active("lee@example.org", trending_top=0, searches=[query])
    assert send_due(THURSDAY).built == 1
    sections = set(DigestItem.objects.values_list("section", flat=True))
    assert sections == {f"search:{query}"[:80]}


def test_a_dry_run_says_what_would_be_built_and_what_has_nothing_new(sample):
    from papersift.digests import selectors, services

    fay = active("fay@example.org", trending_top=3)
    kit = active("kit@example.org", trending_top=0, searches=["qqqzzzxxy"])               # nothing will match
    report = send_due(THURSDAY, dry_run=True)
    assert (report.built, report.papers, dict(report.skipped)) == (1, 3, {"nothing-new": 1})
    slots = {subscription.id: slot for subscription, slot in services.due(THURSDAY)}
    papers = selectors.WindowPapers(selectors.window_for(kit, slots[kit.id]))
    assert services._build(kit, slots[kit.id], papers, True) == ("nothing-new", 0)
    assert services._build(fay, slots[fay.id], papers, True) == ("built", 3)
    assert not Digest.objects.exists() and not OutboxMessage.objects.filter(kind="digest").exists()


def test_a_confirmation_starts_only_its_own_pending_subscription_once(sample):
    from papersift.digests.services import Choices, confirm, subscribe, unsubscribe

    mine, other = subscribe("mia@example.org", Choices()), subscribe("nia@example.org", Choices())
    ended = active("ola@example.org")
    unsubscribe(ended)
    before = datetime.now(timezone.utc)
    assert confirm(mine) is True
    assert mine.status == Subscription.Status.ACTIVE and mine.confirmed_at >= before
    confirmed_at = mine.confirmed_at
    assert confirm(mine) is False and mine.confirmed_at == confirmed_at          # a second click changes nothing
    assert confirm(ended) is False and ended.status == Subscription.Status.UNSUBSCRIBED
    other.refresh_from_db()
    assert other.status == Subscription.Status.PENDING and other.confirmed_at is None
