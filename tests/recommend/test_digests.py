"""The "For you" section of e-mail digests: opt-in, accounts only, once per address, never a dismissed paper."""

from __future__ import annotations

from datetime import timedelta

import pytest

from papersift.community.services import set_vote
from papersift.digests.models import DigestItem
from papersift.digests.services import Choices, InvalidSubscription, send_due, subscribe
from papersift.outbox.services import deliver
from papersift.recommend import services
from tests.digests.conftest import THURSDAY, paper_ids, parts
from tests.recommend.conftest import paper, reader


def for_you_subscriber():
    ada = reader("ada")
    set_vote(ada, paper("2608.15008"), True)
    return ada, subscribe(ada.email, Choices(trending_top=0, for_you=True), user=ada)


def test_for_you_needs_a_subscription_tied_to_an_account(sample):
    with pytest.raises(InvalidSubscription) as refused:
        subscribe("someone@example.org", Choices(trending_top=0, for_you=True))
    assert refused.value.field == "for_you"


def test_a_for_you_digest_built_twice_for_a_period_mails_once_with_reasons(sample, smtp_server):
    ada, subscription = for_you_subscriber()
    assert send_due(THURSDAY).built == 1
    assert send_due(THURSDAY + timedelta(minutes=30)).built == 0            # same period: nothing new is built
    assert deliver().sent == 1
    (mail,) = smtp_server.wait_for(1)
    text, html = parts(mail)
    assert "== For you ==" in text and "Why: like “Harness the Memory" in text and "Why: like" in html
    sent = paper_ids(text)
    assert sent and "2608.15008" not in sent
    assert set(DigestItem.objects.values_list("section", flat=True)) == {"for-you"}
    assert deliver().sent == 0 and len(smtp_server.messages) == 1


def test_a_paper_dismissed_after_it_was_recommended_is_not_mailed(sample, smtp_server):
    from papersift.digests.services import preview

    ada, subscription = for_you_subscriber()
    (content,) = preview(ada.email, THURSDAY)
    recommended = [p.arxiv_id for section in content.sections for p in section.papers]
    services.dismiss(ada, paper(recommended[0]))
    assert send_due(THURSDAY).built == 1
    mailed = set(DigestItem.objects.values_list("paper__arxiv_id", flat=True))
    assert recommended[0] not in mailed and set(recommended[1:4]) <= mailed


def test_a_mailed_paper_is_not_recommended_again(sample):
    from datetime import date

    from papersift.recommend import selectors

    ada, _ = for_you_subscriber()
    assert send_due(THURSDAY).built == 1
    mailed = set(DigestItem.objects.values_list("paper_id", flat=True))
    week = selectors.listed_between(date(2026, 8, 17), date(2026, 8, 21))
    assert not mailed & {item.paper_id for item in selectors.for_user(ada, week, 100).items}


def test_authors_you_follow_is_a_section_of_account_digests_sent_once(sample, smtp_server):
    from papersift.digests.services import preview

    ada = reader("ada")
    subscribe(ada.email, Choices(trending_top=50), user=ada)
    (before,) = preview(ada.email, THURSDAY)
    assert [s.key for s in before.sections] == ["trending"]
    theirs = before.sections[0].papers[-1]                  # low in trending: the section must lift it
    name = theirs.authors[0]
    services.follow(ada, "author", name.upper())            # matched folded, as follows are
    (content,) = preview(ada.email, THURSDAY)
    authors = content.sections[0]
    assert authors.key == "authors" and authors.title == "Authors you follow"
    assert theirs.arxiv_id in [p.arxiv_id for p in authors.papers]
    assert all(theirs.arxiv_id not in [p.arxiv_id for p in s.papers] for s in content.sections[1:])  # once a mail

    assert send_due(THURSDAY).built == 1 and send_due(THURSDAY + timedelta(minutes=30)).built == 0
    assert deliver().sent == 1
    (mail,) = smtp_server.wait_for(1)
    text, html = parts(mail)
    assert "== Authors you follow ==" in text and f"Why: by {name}, whom you follow" in text
    assert "Authors you follow" in html and theirs.arxiv_id in paper_ids(text)
    assert DigestItem.objects.get(paper=theirs).section == "authors"
    assert deliver().sent == 0 and len(smtp_server.messages) == 1

    services.unfollow(ada, "author", name)
    (after,) = preview(ada.email, THURSDAY)
    assert "authors" not in [s.key for s in after.sections]


def test_an_address_only_subscription_has_no_authors_section(sample):
    from papersift.digests.services import preview

    ada = reader("ada")
    services.follow(ada, "author", paper("2608.15008").authors[0])
    subscribe("someone@example.org", Choices(trending_top=50))
    assert all(s.key != "authors" for content in preview("someone@example.org", THURSDAY) for s in content.sections)
