"""Comments on the paper page, through the real URLs, forms, sessions and database."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from papersift.accounts.services import delete_account
from papersift.catalog.models import Paper
from papersift.comments.models import Comment, ModerationLog, Report, body_max
from tests.comments.conftest import PAGE, PAPER, num_comments

pytestmark = pytest.mark.django_db

XSS = ("<script>window.__xss=1</script> <img src=x onerror=\"window.__xss=2\"> "
       "[click](javascript:window.__xss=3) <a href=\"javascript:window.__xss=4\">a</a> "
       "[t](https://example.org \"x\\\" onmouseover=window.__xss=5\")")


def post(client: Client, body: str, paper: str = PAPER):
    return client.post(f"/papers/{paper}/comments", {"body": body})


def comment_html(page: str, comment: Comment) -> str:
    match = re.search(rf'<li id="comment-{comment.id}".*?</li>', page, re.DOTALL)
    assert match, f"comment {comment.id} is not on the page"
    return match.group(0)


def counts(paper: Paper) -> int:
    paper.refresh_from_db()
    return paper.community_comments


def test_post_shows_the_comment_oldest_first_with_author_and_feeds_the_count(paper, as_ada, as_bob, client):
    before = num_comments(client)
    first = post(as_ada, "First **thoughts**")
    assert first.status_code == 302 and re.fullmatch(rf"{PAGE}#comment-\d+", first["Location"])
    post(as_bob, "A reply")
    page = client.get(PAGE).content.decode()
    assert page.index("<strong>thoughts</strong>") < page.index("A reply")
    ada_comment = Comment.objects.get(author__username="ada")
    assert "ada" in comment_html(page, ada_comment) and "<time datetime=" in comment_html(page, ada_comment)
    assert num_comments(client) == before + 2 and counts(paper) == 2


def test_list_pages_count_papersift_comments(paper, as_ada, client):
    """The daily page's card counts the visible papersift comments apart from those imported from Hugging Face
    ("1 comment · 2 on Hugging Face"), so it never claims more comments than the paper page shows."""
    def card_counts() -> str:
        html = client.get("/papers/date/2026-08-21").content.decode()
        card = html[html.index(f'href="/papers/{PAPER}"'):]
        return re.search(r'<a class="comments"[^>]*>.*?</svg>(.*?)</a>', card, re.S).group(1).strip()

    imported = paper.listings.get().comments_imported
    assert imported and card_counts() == f"{imported} comment{'s' if imported != 1 else ''} on Hugging Face"
    post(as_ada, "one")
    assert card_counts() == f"1 comment · {imported} on Hugging Face"


def test_hostile_markup_is_inert_on_the_paper_page_and_math_stays(paper, as_ada, client):
    post(as_ada, XSS + "\n\nbound $a_1 * b_2 < c$ and $$\\sum_i x_i$$")
    html = comment_html(client.get(PAGE).content.decode(), Comment.objects.get())
    assert "window.__xss" in html                                # the text is shown ...
    assert "<script" not in html and "<img" not in html          # ... as text
    assert not re.search(r"<[^>]*\son\w+=", html) and not re.search(r"<a\s[^>]*javascript", html)
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    assert '<span class="math">$a_1 * b_2 &lt; c$</span>' in html
    assert '<span class="math">$$\\sum_i x_i$$</span>' in html


def test_empty_and_too_long_comments_are_refused_naming_the_field_and_keep_the_text(paper, as_ada):
    assert post(as_ada, "   ").status_code == 400
    response = post(as_ada, "x" * (body_max() + 1))
    assert response.status_code == 400 and "body: 10,001 characters is too long" in response.content.decode()
    assert "x" * 100 in response.content.decode()                # the text comes back in the form
    assert Comment.objects.count() == 0 and counts(paper) == 0


def test_anonymous_visitors_are_sent_to_log_in_and_back(paper, client):
    response = post(client, "hello")
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={PAGE}%23comments"
    assert Comment.objects.count() == 0
    page = client.get(PAGE).content.decode()
    assert f'href="/accounts/login/?next={PAGE}%23comments">Log in</a> to comment' in page
    assert 'name="body"' not in page


def test_edit_own_comment(paper, as_ada, client):
    post(as_ada, "Frist")
    comment = Comment.objects.get()
    form = as_ada.get(f"/comments/{comment.id}/edit")
    assert form.status_code == 200 and ">Frist</textarea>" in form.content.decode()
    assert comment.edited_at is None and Comment.objects.get().body == "Frist"    # the GET changed nothing
    response = as_ada.post(f"/comments/{comment.id}/edit", {"body": "First, *edited*"})
    assert response.status_code == 302 and response["Location"] == f"{PAGE}#comment-{comment.id}"
    comment.refresh_from_db()
    assert comment.body == "First, *edited*" and comment.edited_at is not None
    html = comment_html(client.get(PAGE).content.decode(), comment)
    assert "First, <em>edited</em>" in html and "edited <time" in html
    assert as_ada.post(f"/comments/{comment.id}/edit", {"body": ""}).status_code == 400
    assert Comment.objects.get().body == "First, *edited*" and counts(paper) == 1


def test_someone_elses_comment_cannot_be_edited_or_deleted(paper, as_ada, as_bob, as_mod):
    post(as_ada, "mine")
    comment = Comment.objects.get()
    for client in (as_bob, as_mod):                    # not even by a moderator: they hide instead
        assert client.get(f"/comments/{comment.id}/edit").status_code == 403
        assert client.post(f"/comments/{comment.id}/edit", {"body": "yours now"}).status_code == 403
        assert client.post(f"/comments/{comment.id}/delete").status_code == 403
    assert Comment.objects.get().body == "mine" and counts(paper) == 1
    page = as_bob.get(PAGE).content.decode()
    assert f"/comments/{comment.id}/edit" not in page and f"/comments/{comment.id}/delete" not in page
    assert f"/comments/{comment.id}/report" in page
    assert as_bob.post("/comments/999999/delete").status_code == 404


def test_delete_own_comment_takes_it_off_the_count(paper, as_ada, client):
    post(as_ada, "keep")
    post(as_ada, "oops")
    before = num_comments(client)
    oops = Comment.objects.get(body="oops")
    assert f"/comments/{oops.id}/delete" in as_ada.get(PAGE).content.decode()
    assert as_ada.get(f"/comments/{oops.id}/delete").status_code == 405          # no mutating GET
    response = as_ada.post(f"/comments/{oops.id}/delete")
    assert response.status_code == 302 and response["Location"] == f"{PAGE}#comments"
    assert list(Comment.objects.values_list("body", flat=True)) == ["keep"]
    assert num_comments(client) == before - 1 and counts(paper) == 1
    assert "oops" not in client.get(PAGE).content.decode()


def test_report_once_per_reporter_while_open(paper, as_ada, as_bob, ada):
    post(as_ada, "spam spam")
    comment = Comment.objects.get()
    assert as_bob.post(f"/comments/{comment.id}/report", {"reason": ""}).status_code == 302
    assert Report.objects.count() == 0                                   # "reason: write ..." shown instead
    assert "reason: write what is wrong" in as_bob.get(PAGE).content.decode()
    for _ in range(2):
        assert as_bob.post(f"/comments/{comment.id}/report", {"reason": "spam"}).status_code == 302
    report = Report.objects.get()
    assert (report.reporter.username, report.reason, report.resolved_at) == ("bob", "spam", None)
    assert "You reported this comment." in as_bob.get(PAGE).content.decode()
    as_ada.post(f"/comments/{comment.id}/report", {"reason": "me"})
    assert Report.objects.count() == 1                                   # not one's own
    assert Comment.objects.get().hidden is False                        # a report alone hides nothing


def test_staff_hide_with_reason_is_logged_and_changes_the_count(paper, as_ada, as_bob, as_mod, mod, client):
    post(as_ada, "rude words")
    comment = Comment.objects.get()
    as_bob.post(f"/comments/{comment.id}/report", {"reason": "rude"})
    before = num_comments(client)
    assert as_mod.post(f"/comments/{comment.id}/hide", {"reason": " "}).status_code == 302   # no reason
    assert not Comment.objects.get().hidden and ModerationLog.objects.count() == 0

    assert as_mod.post(f"/comments/{comment.id}/hide", {"reason": "insults another reader"}).status_code == 302
    comment.refresh_from_db()
    assert comment.hidden and comment.hidden_by == mod and comment.hidden_reason == "insults another reader"
    entry = ModerationLog.objects.get()
    assert (entry.actor, entry.action, entry.reason, entry.comment_id, entry.paper_arxiv_id) == (
        mod, "hide_comment", "insults another reader", comment.id, PAPER)
    assert num_comments(client) == before - 1 and counts(paper) == 0
    assert Report.objects.get().resolved_by == mod

    for viewer in (client, as_ada, as_bob):                   # everyone sees why; only staff see the text
        html = comment_html(viewer.get(PAGE).content.decode(), comment)
        assert "Hidden by a moderator: insults another reader" in html and "rude words" not in html
    assert "rude words" in comment_html(as_mod.get(PAGE).content.decode(), comment)
    assert as_ada.post(f"/comments/{comment.id}/edit", {"body": "nice words"}).status_code == 403

    as_mod.post(f"/comments/{comment.id}/unhide", {"reason": "apologised"})
    assert not Comment.objects.get().hidden and num_comments(client) == before
    assert list(ModerationLog.objects.order_by("id").values_list("action", flat=True)) == [
        "hide_comment", "unhide_comment"]


def test_non_staff_cannot_hide(paper, as_ada, as_bob, client):
    post(as_ada, "fine")
    comment = Comment.objects.get()
    assert as_bob.post(f"/comments/{comment.id}/hide", {"reason": "I disagree"}).status_code == 403
    assert as_ada.post(f"/comments/{comment.id}/hide", {"reason": "hide mine"}).status_code == 403
    assert client.post(f"/comments/{comment.id}/hide", {"reason": "x"}).status_code == 302   # to log in
    assert not Comment.objects.get().hidden and ModerationLog.objects.count() == 0 and counts(paper) == 1
    assert f"/comments/{comment.id}/hide" not in as_bob.get(PAGE).content.decode()


def test_posts_without_a_csrf_token_are_refused(paper, ada, mod):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(ada)
    assert strict.post(f"/papers/{PAPER}/comments", {"body": "forged"}).status_code == 403
    assert Comment.objects.count() == 0
    page = strict.get(PAGE).content.decode()                  # the real form carries the token, and works
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    assert strict.post(f"/papers/{PAPER}/comments", {"body": "real", "csrfmiddlewaretoken": token}).status_code == 302
    comment = Comment.objects.get()
    for path, data in ((f"/comments/{comment.id}/edit", {"body": "forged"}), (f"/comments/{comment.id}/delete", {})):
        assert strict.post(path, data).status_code == 403
    staff = Client(enforce_csrf_checks=True)
    staff.force_login(mod)
    assert staff.post(f"/comments/{comment.id}/hide", {"reason": "forged"}).status_code == 403
    assert Comment.objects.get().body == "real" and not Comment.objects.get().hidden and counts(paper) == 1


def test_gets_change_nothing(paper, as_ada, as_mod):
    post(as_ada, "stay")
    comment = Comment.objects.get()
    for path in (f"/comments/{comment.id}/delete", f"/comments/{comment.id}/hide?reason=x",
                 f"/comments/{comment.id}/report?reason=x", f"/papers/{PAPER}/comments?body=x"):
        assert as_mod.get(path).status_code == 405, path
    as_ada.get(f"/comments/{comment.id}/edit?body=changed")
    assert list(Comment.objects.values_list("body", "hidden")) == [("stay", False)]
    assert Report.objects.count() == 0 and ModerationLog.objects.count() == 0 and counts(paper) == 1


def test_deleting_an_account_takes_its_visible_comments_off_the_counts(paper, ada, as_ada, as_bob, as_mod):
    post(as_ada, "one")
    post(as_ada, "two")
    post(as_ada, "hidden one")
    post(as_bob, "bob's")
    hidden = Comment.objects.get(body="hidden one")
    as_mod.post(f"/comments/{hidden.id}/hide", {"reason": "off topic"})
    assert counts(paper) == 3
    delete_account(ada)
    assert list(Comment.objects.values_list("body", flat=True)) == ["bob's"] and counts(paper) == 1
    assert ModerationLog.objects.get().comment_id == hidden.id         # the log outlives the comment
