"""The one rate limit on user writes (papersift.ratelimit): every write is limited, per account, with a 429 page or
the API's error shape and Retry-After, nothing written past the limit, and the count shared by server processes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest
from django.test import Client, RequestFactory

from papersift import ratelimit
from papersift.accounts.models import ApiToken
from papersift.accounts.services import create_token
from papersift.catalog.models import Paper
from papersift.comments.models import Comment
from papersift.comments.services import post_comment
from papersift.community.models import Vote
from papersift.digests.models import Subscription
from papersift.ingest.sample import load_sample
from papersift.lists.models import ReadingList
from papersift.lists.services import create_list
from tests.forms import submit
from tests.people import browser_for

PAPER = "2608.19880"
OTHER = "2608.18580"
ERROR_KEYS = {"error", "code", "status", "field"}


@pytest.fixture
def sample(db):
    load_sample(only_if_empty=True)


def rates(settings, **values):
    settings.PAPERSIFT = {**settings.PAPERSIFT, **values}


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(user, 'script')[1]}"}


def api(client: Client, method: str, path: str, body=None, **headers):
    return getattr(client, method)(path, body, content_type="application/json", **headers)


def assert_api_429(response, what: str) -> dict:
    body = response.json()
    assert response.status_code == 429 and set(body) == ERROR_KEYS, body
    assert body["status"] == 429 and body["code"] == "rate_limited" and body["error"].startswith(f"too many {what}")
    assert 1 <= int(response["Retry-After"]) <= 60
    return body


def test_comments_past_the_default_rate_get_429_and_nothing_more_is_written(sample, ada):
    """The documented default, COMMENT_RATE_LIMIT = 5/m/user: the sixth comment within a minute is refused."""
    headers = bearer(ada)
    client = Client()
    statuses = [api(client, "post", "/api/comments", {"paper": PAPER, "body": f"comment {i}"}, **headers).status_code
                for i in range(5)]
    assert statuses == [201] * 5
    body = assert_api_429(api(client, "post", "/api/comments", {"paper": PAPER, "body": "one more"}, **headers),
                          "comments")
    assert "at most 5 a minute per account" in body["error"]
    assert Comment.objects.count() == 5 and Paper.objects.get(arxiv_id=PAPER).community_comments == 5


def test_the_comment_page_keeps_the_text_and_answers_429(sample, ada, settings):
    rates(settings, COMMENT_RATE_LIMIT="1/m/user")
    browser = browser_for(ada)
    page = browser.get(f"/papers/{PAPER}").content.decode()
    assert submit(browser, page, f"/papers/{PAPER}/comments", body="first").status_code == 302
    refused = submit(browser, page, f"/papers/{PAPER}/comments", body="my long considered second thought")
    assert refused.status_code == 429 and 1 <= int(refused["Retry-After"]) <= 60
    html = refused.content.decode()
    assert "Too many comments" in html and "my long considered second thought" in html   # the text is not lost
    assert Comment.objects.count() == 1


def test_one_accounts_limit_is_not_anothers(sample, ada, bob, settings):
    rates(settings, COMMENT_RATE_LIMIT="1/m/user")
    post_first = api(Client(), "post", "/api/comments", {"paper": PAPER, "body": "a"}, **bearer(ada))
    assert post_first.status_code == 201
    assert_api_429(api(Client(), "post", "/api/comments", {"paper": PAPER, "body": "b"}, **bearer(ada)), "comments")
    assert api(Client(), "post", "/api/comments", {"paper": PAPER, "body": "c"}, **bearer(bob)).status_code == 201


# (setting, what the message names, a write that can be repeated: a callable (user, n) -> response)
def _api_writes():
    def comment_edit(user, n):
        comment = Comment.objects.filter(author=user).first() or post_comment(user, Paper.objects.get(arxiv_id=PAPER),
                                                                              "x")
        return api(Client(), "put", f"/api/comments/{comment.id}", {"body": f"edit {n}"}, **bearer(user))

    def comment_report(user, n):
        other = Comment.objects.exclude(author=user).first()
        return api(Client(), "post", f"/api/comments/{other.id}/report", {"reason": f"spam {n}"}, **bearer(user))

    def vote(user, n):
        return api(Client(), "post" if n % 2 == 0 else "delete", f"/api/papers/{PAPER}/upvote", **bearer(user))

    def new_list(user, n):
        return api(Client(), "post", "/api/lists", {"name": f"list {n}"}, **bearer(user))

    def add_to_list(user, n):
        reading_list = ReadingList.objects.filter(owner=user).first() or create_list(user, "mine", "")
        return api(Client(), "post", f"/api/lists/{reading_list.slug}/papers",
                   {"arxivId": PAPER if n % 2 == 0 else OTHER}, **bearer(user))

    def submission(user, n):   # a paper listed already: answered without asking arXiv
        return api(Client(), "post", "/api/papers/index", {"arxivId": PAPER}, **bearer(user))

    return [("COMMENT_RATE_LIMIT", "comments", comment_edit), ("WRITE_RATE_LIMIT", "writes", comment_report),
            ("VOTE_RATE_LIMIT", "votes", vote), ("LIST_RATE_LIMIT", "changes to reading lists", new_list),
            ("LIST_RATE_LIMIT", "changes to reading lists", add_to_list),
            ("SUBMIT_RATE_LIMIT", "paper submissions", submission)]


@pytest.mark.parametrize("setting, what, write", _api_writes(), ids=lambda v: getattr(v, "__name__", v))
def test_every_api_write_is_limited(sample, ada, bob, settings, setting, what, write):
    post_comment(bob, Paper.objects.get(arxiv_id=PAPER), "bob's comment")    # something to report
    rates(settings, **{setting: "2/m/user"})
    assert [write(ada, n).status_code < 400 for n in range(2)] == [True, True]
    assert_api_429(write(ada, 2), what)


def _page_writes():
    def vote(browser, n):
        html = browser.get(f"/papers/{PAPER}").content.decode()
        return submit(browser, html, f"/papers/{PAPER}/vote")

    def new_list(browser, n):
        return submit(browser, browser.get("/lists").content.decode(), "/lists/new", name=f"list {n}")

    def token(browser, n):
        return submit(browser, browser.get("/account/").content.decode(), "/account/tokens", name=f"bot {n}")

    def submission(browser, n):
        return submit(browser, browser.get("/papers/submit").content.decode(), "/papers/submit", paper=PAPER)

    def comment(browser, n):
        html = browser.get(f"/papers/{PAPER}").content.decode()
        return submit(browser, html, f"/papers/{PAPER}/comments", body=f"comment {n}")

    return [("VOTE_RATE_LIMIT", "votes", vote), ("LIST_RATE_LIMIT", "changes to reading lists", new_list),
            ("TOKEN_RATE_LIMIT", "new API tokens", token), ("SUBMIT_RATE_LIMIT", "paper submissions", submission),
            ("COMMENT_RATE_LIMIT", "comments", comment)]


@pytest.mark.parametrize("setting, what, write", _page_writes(), ids=lambda v: getattr(v, "__name__", v))
def test_every_page_write_is_limited_with_a_429_page(sample, ada, settings, setting, what, write):
    rates(settings, **{setting: "2/m/user"})
    browser = browser_for(ada)
    assert [write(browser, n).status_code for n in range(2)] == [302, 302]
    written = (Vote.objects.count(), ReadingList.objects.count(), ApiToken.objects.count(), Comment.objects.count())
    refused = write(browser, 2)
    assert refused.status_code == 429 and f"Too many {what}" in refused.content.decode()
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert (Vote.objects.count(), ReadingList.objects.count(), ApiToken.objects.count(),
                                  Comment.objects.count()) == written


def test_subscriptions_are_limited_per_address_and_per_client_address(sample, settings):
    rates(settings, SUBSCRIBE_RATE_LIMIT="3/h/ip,2/h/key")
    browser = browser_for()
    html = browser.get("/digests/subscribe").content.decode()
    statuses = [submit(browser, html, "/digests/subscribe", email="ned@example.org").status_code for _ in range(3)]
    assert statuses == [302, 302, 429]
    refused = submit(browser, html, "/digests/subscribe", email="ned@example.org")
    assert "Too many subscriptions: at most 2 an hour per e-mail address" in refused.content.decode()
    assert 3000 < int(refused["Retry-After"]) <= 3600
    assert submit(browser, html, "/digests/subscribe", email="ola@example.org").status_code == 302   # 3rd from here
    refused = submit(browser, html, "/digests/subscribe", email="pia@example.org")
    assert refused.status_code == 429 and "per address" in refused.content.decode()
    assert Subscription.objects.count() == 3


def test_reads_are_never_limited(sample, ada, settings):
    rates(settings, VOTE_RATE_LIMIT="1/m/user")
    browser = browser_for(ada)
    assert all(browser.get(f"/papers/{PAPER}").status_code == 200 for _ in range(5))


def test_retry_after_is_when_the_oldest_counted_write_leaves_the_window(settings, db, time_machine):
    rates(settings, WRITE_RATE_LIMIT="2/m/ip")
    request = RequestFactory().post("/")
    time_machine.move_to("2026-08-21 12:00:00+00:00", tick=False)
    ratelimit.check(request, "thing")
    time_machine.move_to("2026-08-21 12:00:40+00:00", tick=False)
    ratelimit.check(request, "thing")
    time_machine.move_to("2026-08-21 12:00:50+00:00", tick=False)
    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.check(request, "thing")
    assert refused.value.retry_after == 10                    # 12:01:00, when the first leaves the minute
    time_machine.move_to("2026-08-21 12:01:00.5+00:00", tick=False)
    ratelimit.check(request, "thing")                         # one slot free again
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.check(request, "thing")


def test_a_refused_write_counts_nothing(settings, db):
    """Both rates are checked before either counts: refused by the second, the first is not used up."""
    rates(settings, WRITE_RATE_LIMIT="3/m/ip,1/m/key")
    request = RequestFactory().post("/")
    ratelimit.check(request, "thing", key="a")
    for _ in range(3):
        with pytest.raises(ratelimit.RateLimited):
            ratelimit.check(request, "thing", key="a")
    ratelimit.check(request, "thing", key="b")
    ratelimit.check(request, "thing", key="c")                # 3 counted per address: a, b, c
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.check(request, "thing", key="d")


def test_the_count_is_shared_by_server_processes(settings, db):
    """gunicorn's workers are processes: a write counted in one must count in the others (the file cache)."""
    rates(settings, WRITE_RATE_LIMIT="1/m/ip")
    from django.conf import settings as live   # this run's cache directory (tests/conftest.py's own_cache)

    location = live.CACHES["default"]["LOCATION"]    # every server process of an installation shares its one
    child = ("import django; django.setup(); from django.conf import settings; "
             f"settings.CACHES['default']['LOCATION'] = {location!r}; "
             "from django.test import RequestFactory; from papersift import ratelimit; "
             "ratelimit.check(RequestFactory().post('/'), 'shared')")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "papersift.settings", "PAPERSIFT_WRITE_RATE_LIMIT": "1/m/ip"}
    done = subprocess.run([sys.executable, "-c", child], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.check(RequestFactory().post("/"), "shared")


@pytest.mark.parametrize("text, described", [
    ("5/m/user", "5 a minute per account"),
    ("30/h/user", "30 an hour per account"),
    ("20/2h/ip", "20 every 2 hours per address"),
    ("3/d/key", "3 a day per e-mail address"),
    ("10/30s/ip", "10 every 30 seconds per address"),
    ("10/1.5m/ip", "10 every 90 seconds per address"),      # not a whole number of minutes: in seconds
    ("10/0.5s/ip", "10 every 0.5 seconds per address"),     # under a second
    ("10/120m/ip", "10 every 2 hours per address"),
])
def test_rates_read_and_described(text, described):
    (rate,) = ratelimit.parse_rates(text)
    assert rate.describe() == described


@pytest.mark.parametrize("text, rates", [
    ("", []), (None, []), ("  ", []),                                     # no limit at all
    ("5/m/user, ,30/h/user,", ["5/m/user", "30/h/user"]),                 # blank parts are skipped
    (" 3/h/key ", ["3/h/key"]),
])
def test_rate_lists_skip_blank_parts(text, rates):
    assert [rate.text for rate in ratelimit.parse_rates(text)] == rates


@pytest.mark.parametrize("text", ["5", "5/m", "5/m/everyone", "x/m/user", "5/w/user", "5/m/user/extra"])
def test_malformed_rates_are_refused_naming_the_part(text):
    with pytest.raises(ValueError) as refused:
        ratelimit.parse_rates(f"1/m/user,{text}")
    assert str(refused.value) == (f"{text!r} is not N/period/kind with kind user, ip or key "
                                  "(e.g. 5/m/user, 20/h/ip, 3/h/key)")


def _view(request):
    from django.http import HttpResponse

    return HttpResponse("written")


@pytest.mark.parametrize("path", ["/papers/x/vote", "/api/things"])
def test_the_decorator_counts_writes_not_reads_and_answers_429(settings, db, path):
    rates(settings, WRITE_RATE_LIMIT="2/m/ip")
    limited = ratelimit.rate_limited("thing")(_view)
    factory = RequestFactory()
    assert all(limited(factory.get(path)).status_code == 200 for _ in range(5))     # reads are free
    assert [limited(factory.post(path)).status_code for _ in range(2)] == [200, 200]
    refused = limited(factory.delete(path))
    assert refused.status_code == 429 and 50 <= int(refused["Retry-After"]) <= 60
    if path.startswith("/api/"):
        body = json.loads(refused.content)
        assert set(body) == ERROR_KEYS and body["code"] == "rate_limited" and body["status"] == 429
        assert re.fullmatch(r"too many writes: at most 2 a minute per address; try again in \d\d seconds",
                            body["error"])
    else:
        assert "Too many writes: at most 2 a minute per address" in refused.content.decode()
    assert limited(factory.post(path, REMOTE_ADDR="10.9.9.9")).status_code == 200   # another address


def test_per_account_rates_count_per_account_and_anonymous_requests_per_address(settings, db, ada, bob):
    rates(settings, WRITE_RATE_LIMIT="1/m/user")
    factory = RequestFactory()

    def as_(user, address="127.0.0.1"):
        request = factory.post("/", REMOTE_ADDR=address)
        if user is not None:
            request.user = user
        return request

    ratelimit.check(as_(ada), "thing")
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.check(as_(ada, "10.0.0.1"), "thing")          # the account, whatever its address
    ratelimit.check(as_(bob), "thing")
    ratelimit.check(as_(None), "thing")                          # anonymous: per address
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.check(as_(None), "thing")
    ratelimit.check(as_(None, "10.0.0.2"), "thing")


def test_a_key_rate_needs_a_key(settings, db):
    rates(settings, WRITE_RATE_LIMIT="1/m/key")
    with pytest.raises(ValueError, match="counts per key"):
        ratelimit.check(RequestFactory().post("/"), "thing")
    ratelimit.check(RequestFactory().post("/"), "thing", key="A@example.org")
    with pytest.raises(ratelimit.RateLimited):
        ratelimit.check(RequestFactory().post("/"), "thing", key="a@EXAMPLE.org")    # keys ignore case


class Body:
    """A type only this module knows, as an API endpoint's body schema is."""


def _endpoint(request, body: Body, n: int = 1):
    return None


def test_the_decorated_endpoint_keeps_its_evaluated_signature():
    """django-ninja reads parameters from the signature, evaluating string annotations in the function's module:
    the decorator's own module does not know the endpoint's types."""
    import inspect

    parameters = inspect.signature(ratelimit.rate_limited("thing")(_endpoint)).parameters
    assert parameters["body"].annotation is Body and parameters["n"].annotation is int


def test_the_429_page_is_the_sites_page_for_the_signed_in_user(settings, db, ada):
    rates(settings, WRITE_RATE_LIMIT="1/m/user")
    limited = ratelimit.rate_limited("thing")(_view)
    request = RequestFactory().post("/papers/x/vote")
    request.user = ada
    limited(request)
    refused = limited(request)
    html = refused.content.decode()
    assert refused.status_code == 429 and "Too many writes" in html and ">ada</a>" in html   # with its header
    assert "<h1>Too many requests</h1>" in html and "<title>429 · papersift" in html


@pytest.mark.parametrize("seconds, said", [
    (0, "0 seconds"), (1, "1 second"), (2, "2 seconds"), (89, "89 seconds"), (90, "2 minutes"),
    (5399, "90 minutes"), (5400, "2 hours"), (86400, "24 hours"),
])
def test_the_wait_is_said_in_the_unit_a_reader_would_use(seconds, said):
    refused = ratelimit.RateLimited("comment", ratelimit.parse_rates("5/m/user")[0], seconds)
    assert str(refused).endswith(f"; try again in {said}")


def test_the_page_says_it_as_a_sentence():
    refused = ratelimit.RateLimited("comment", ratelimit.parse_rates("5/m/user")[0], 30)
    assert refused.sentence() == "Too many comments: at most 5 a minute per account; try again in 30 seconds."


class FakeClock:
    """The limiter's clock and sleep, stepped by hand: which pauses it takes is then exact, not timing."""

    def __init__(self):
        self.now, self.pauses = 1000.0, []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.pauses.append(seconds)
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    import time
    import types

    fake = FakeClock()
    monkeypatch.setattr(ratelimit, "time", types.SimpleNamespace(monotonic=fake.monotonic, sleep=fake.sleep,
                                                                 time=time.time))
    return fake


def test_a_free_bucket_is_locked_at_once_and_its_lock_expires_if_never_released(db, clock, time_machine):
    from django.core.cache import cache

    time_machine.move_to("2026-08-21 12:00:00+00:00", tick=False)
    bucket = "papersift:rl:test:free"
    assert ratelimit._locked(bucket) and clock.pauses == []
    assert cache.get(bucket + ":lock") == 1
    time_machine.move_to(f"2026-08-21 12:00:{ratelimit.LOCK_TIMEOUT - 1:02d}+00:00", tick=False)
    assert cache.get(bucket + ":lock") == 1                    # still held by its (killed) owner
    time_machine.move_to(f"2026-08-21 12:00:{ratelimit.LOCK_TIMEOUT + 1:02d}+00:00", tick=False)
    assert ratelimit._locked(bucket) and clock.pauses == []    # gone: a killed process blocks no one for long


def test_a_bucket_locked_elsewhere_is_waited_for_with_a_growing_pause_then_refused(db, clock):
    from django.core.cache import cache

    bucket = "papersift:rl:test:held"
    cache.add(bucket + ":lock", 1, timeout=60)
    assert ratelimit._locked(bucket) is False
    assert clock.pauses[:6] == pytest.approx([0.005, 0.01, 0.02, 0.04, 0.08, 0.1])
    assert all(pause == pytest.approx(0.1) for pause in clock.pauses[5:])
    assert ratelimit.LOCK_WAIT < sum(clock.pauses) <= ratelimit.LOCK_WAIT + 0.1


def test_with_no_wait_a_held_bucket_is_still_tried_twice(db, clock, monkeypatch):
    from django.core.cache import cache

    monkeypatch.setattr(ratelimit, "LOCK_WAIT", 0.0)
    bucket = "papersift:rl:test:no-wait"
    cache.add(bucket + ":lock", 1, timeout=60)
    assert ratelimit._locked(bucket) is False and clock.pauses == [0.005]


def test_a_write_whose_bucket_stays_locked_is_refused_and_leaves_the_lock_to_its_owner(settings, db, clock):
    from django.core.cache import cache

    rates(settings, WRITE_RATE_LIMIT="5/m/user")
    request = RequestFactory().post("/papers/x/vote", REMOTE_ADDR="203.0.113.9")
    rate = ratelimit.rates_for("thing")[0]
    lock = ratelimit._bucket(request, "thing", rate, None) + ":lock"
    cache.add(lock, 1, timeout=60)
    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.check(request, "thing")
    assert (refused.value.action, refused.value.rate, refused.value.retry_after) == ("thing", rate, 1)
    assert str(refused.value) == "too many writes: at most 5 a minute per account; try again in 1 second"
    assert cache.get(lock) == 1


def test_a_write_counts_for_exactly_its_window_and_its_history_leaves_the_cache_after(settings, db, time_machine):
    from django.core.cache import cache

    rates(settings, WRITE_RATE_LIMIT="1/m/user")
    request = RequestFactory().post("/papers/x/vote", REMOTE_ADDR="203.0.113.10")
    bucket = ratelimit._bucket(request, "thing", ratelimit.rates_for("thing")[0], None)
    time_machine.move_to("2026-08-21 12:00:00+00:00", tick=False)
    ratelimit.check(request, "thing")
    time_machine.move_to("2026-08-21 12:00:59.500+00:00", tick=False)
    with pytest.raises(ratelimit.RateLimited) as refused:
        ratelimit.check(request, "thing")
    assert refused.value.retry_after == 1                      # half a second left: said as one, never more
    time_machine.move_to("2026-08-21 12:01:00+00:00", tick=False)
    ratelimit.check(request, "thing")                          # a minute on, the first write no longer counts
    time_machine.move_to("2026-08-21 12:02:00.500+00:00", tick=False)
    assert cache.get(bucket) is not None                       # kept for the window and a second more...
    time_machine.move_to("2026-08-21 12:02:01.500+00:00", tick=False)
    assert cache.get(bucket) is None                           # ...then gone: no history outlives its use
