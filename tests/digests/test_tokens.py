"""Signed subscription links, without a database: one purpose each, confirmation links expire after 7 days."""

from __future__ import annotations

import uuid

import pytest
from django.core import signing

from papersift.digests import tokens

ID = uuid.UUID("12345678-1234-5678-1234-567812345678")


@pytest.mark.parametrize("purpose", tokens.PURPOSES)
def test_a_link_reads_back_for_its_purpose(purpose):
    assert tokens.read(purpose, tokens.make(purpose, ID)) == ID


@pytest.mark.parametrize("made_for", tokens.PURPOSES)
@pytest.mark.parametrize("read_as", tokens.PURPOSES)
def test_a_link_of_one_purpose_is_no_link_of_another(made_for, read_as):
    if made_for != read_as:
        with pytest.raises(tokens.BadToken, match="not valid"):
            tokens.read(read_as, tokens.make(made_for, ID))


def test_an_unknown_purpose_is_refused():
    with pytest.raises(ValueError, match="unknown link purpose"):
        tokens.make("admin", ID)


@pytest.mark.parametrize("damage", [lambda t: t[:-1], lambda t: t + "x", lambda t: "0" + t[1:],
                                    lambda t: t.replace(":", "."), lambda t: ""])
def test_a_damaged_link_is_refused(damage):
    with pytest.raises(tokens.BadToken):
        tokens.read("manage", damage(tokens.make("manage", ID)))


def test_confirmation_links_expire_after_seven_days_and_others_do_not(time_machine):
    time_machine.move_to("2026-08-10 09:00:00+00:00", tick=False)
    made = {purpose: tokens.make(purpose, ID) for purpose in tokens.PURPOSES}
    time_machine.move_to("2026-08-17 08:59:59+00:00", tick=False)
    assert tokens.read("confirm", made["confirm"]) == ID
    time_machine.move_to("2026-08-17 09:00:01+00:00", tick=False)
    with pytest.raises(tokens.BadToken, match="expired"):
        tokens.read("confirm", made["confirm"])
    time_machine.move_to("2027-08-17 09:00:00+00:00", tick=False)
    assert all(tokens.read(p, made[p]) == ID for p in ("manage", "unsubscribe", "feed"))


@pytest.mark.parametrize("purpose", tokens.PURPOSES)
@pytest.mark.parametrize("signer", [signing.Signer, signing.TimestampSigner])
def test_a_value_signed_elsewhere_on_the_site_is_no_link(purpose, signer):
    """Only the purpose's own salt opens a link: what any other code signs with Django's default salt does not."""
    with pytest.raises(tokens.BadToken, match="not valid"):
        tokens.read(purpose, signer().sign(ID.hex))


@pytest.mark.parametrize("purpose", ["manage", "unsubscribe", "feed"])
def test_links_already_mailed_keep_their_form(purpose):
    """Manage, unsubscribe and feed links carry no timestamp: the links in mails already sent are plain signatures
    and must still open after an upgrade; confirmation links are timestamped (they expire)."""
    plain = signing.Signer(salt=f"papersift.digests.{purpose}").sign(ID.hex)
    assert tokens.make(purpose, ID) == plain and tokens.read(purpose, plain) == ID
    assert tokens.make("confirm", ID).count(":") == 2


def test_each_refusal_says_why_in_words_a_reader_can_act_on(time_machine):
    time_machine.move_to("2026-08-10 09:00:00+00:00", tick=False)
    made = tokens.make("confirm", ID)
    time_machine.move_to("2026-08-20 09:00:00+00:00", tick=False)
    with pytest.raises(tokens.BadToken) as expired:
        tokens.read("confirm", made)
    assert str(expired.value) == "this confirmation link has expired (links last 7 days): subscribe again"
    with pytest.raises(tokens.BadToken) as damaged:
        tokens.read("manage", "nonsense")
    assert str(damaged.value) == "this link is not valid (it may have been cut short when it was copied)"
