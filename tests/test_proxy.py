"""The client's address behind trusted proxies (papersift.proxy), the failed-login limit keyed on the account,
and the production HTTPS settings (`check --deploy`)."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.test import Client, RequestFactory

from papersift.proxy import client_ip
from tests.conftest import run_cli
from tests.people import PASSWORD


@pytest.mark.parametrize("hops, peer, header, expected", [
    (0, "10.0.0.9", "", "10.0.0.9"),
    (0, "10.0.0.9", "203.0.113.7", "10.0.0.9"),                     # not trusted by default: spoofing is useless
    (1, "10.0.0.9", "203.0.113.7", "203.0.113.7"),
    (1, "10.0.0.9", "1.1.1.1, 203.0.113.7", "203.0.113.7"),         # what the client wrote itself is ignored
    (2, "10.0.0.9", "1.1.1.1, 203.0.113.7, 10.0.0.5", "203.0.113.7"),
    (2, "10.0.0.9", "203.0.113.7", "203.0.113.7"),                  # fewer entries: all written by trusted proxies
    (1, "10.0.0.9", "", "10.0.0.9"),                                # no header: the peer itself
    (1, "10.0.0.9", "not-an-address", "10.0.0.9"),
    (1, "10.0.0.9", "[2001:db8::1]:4711", "2001:db8::1"),
    (1, "10.0.0.9", "203.0.113.7:4711", "203.0.113.7"),
    (1, "10.0.0.9", " , ", "10.0.0.9"),
    (1, "10.0.0.9", "[2001:db8::1]", "2001:db8::1"),
    (1, "10.0.0.9", "[2001:db8::1", "10.0.0.9"),                    # malformed brackets: not an address
    (1, "10.0.0.9", "[2001:db8::1]]", "10.0.0.9"),
    (1, "10.0.0.9", "[2001:db8::1]:80]", "10.0.0.9"),
    (1, "10.0.0.9", "[2001:db8::1]x", "10.0.0.9"),
    (1, "10.0.0.9", "[[2001:db8::1]]", "10.0.0.9"),
    (1, "10.0.0.9", "203.0.113.7]", "10.0.0.9"),
    (1, "10.0.0.9", "2001:db8::1", "2001:db8::1"),
    (1, "10.0.0.9", "203.0.113.7:http", "10.0.0.9"),
    (1, "10.0.0.9", "203.0.113.7:4711:1", "10.0.0.9"),
    (0, "", "203.0.113.7", "0.0.0.0"),
])
def test_the_client_address_is_read_through_the_trusted_hops_only(settings, hops, peer, header, expected):
    settings.PAPERSIFT = {**settings.PAPERSIFT, "TRUSTED_PROXY_HOPS": hops}
    request = RequestFactory().get("/", REMOTE_ADDR=peer, HTTP_X_FORWARDED_FOR=header)
    assert client_ip(request) == expected


@pytest.mark.parametrize("hops, meta, expected", [
    (1, {"REMOTE_ADDR": "10.0.0.9"}, "10.0.0.9"),                        # no X-Forwarded-For at all
    (1, {"HTTP_X_FORWARDED_FOR": "203.0.113.7"}, "203.0.113.7"),         # no peer address (a Unix socket)
    (1, {"HTTP_X_FORWARDED_FOR": "junk"}, "0.0.0.0"),
    (1, {}, "0.0.0.0"),
    (0, {}, "0.0.0.0"),
])
def test_a_request_without_a_peer_address_or_without_the_header(settings, hops, meta, expected):
    settings.PAPERSIFT = {**settings.PAPERSIFT, "TRUSTED_PROXY_HOPS": hops}
    request = RequestFactory().get("/")
    request.META.pop("REMOTE_ADDR", None)
    request.META.update(meta)
    assert client_ip(request) == expected


def log_in(client: Client, login: str, password: str, through: str = "") -> bool:
    extra = {"HTTP_X_FORWARDED_FOR": through} if through else {}
    response = client.post("/accounts/login/", {"login": login, "password": password}, **extra)
    return response.status_code == 302


@pytest.fixture
def mo(db):
    user = User.objects.create_user("mo", "mo@example.org", PASSWORD)
    EmailAddress.objects.create(user=user, email="mo@example.org", verified=True, primary=True)
    return user


@pytest.mark.django_db
def test_a_login_is_counted_against_the_account_it_names_however_typed():
    """The failed-login bucket: the account named by user name, by an address of its own (allauth's table) or by
    the address on its user row, case and spaces aside; whatever names no account has a bucket of its own."""
    from papersift.accounts.adapter import account_key

    other = User.objects.create_user("zed", "zed@example.org", PASSWORD)   # ids of addresses and users differ
    for n in range(3):
        EmailAddress.objects.create(user=other, email=f"zed{n}@example.org")
    mo = User.objects.create_user("mo", "mo@example.org", PASSWORD)        # its own address not in allauth's table
    EmailAddress.objects.create(user=mo, email="mo-alt@example.org", verified=True)
    assert EmailAddress.objects.get(email="mo-alt@example.org").id != mo.id
    mine = f"account:{mo.id}"
    assert [account_key(typed) for typed in ("mo", " MO ", "mo@example.org", "Mo@Example.org ",
                                            "mo-alt@example.org", "MO-ALT@example.org")] == [mine] * 6
    assert account_key("Nobody@Example.org ") == "login:nobody@example.org"
    assert account_key("Nobody") == "login:nobody"
    assert account_key("") == account_key(None) == account_key("  ") == "login:"


def test_user_name_and_email_count_in_one_bucket(mo, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "100/m/ip,3/m/key"}
    client = Client()
    assert not log_in(client, "mo", "wrong 1")
    assert not log_in(client, "MO@example.org", "wrong 2")
    assert not log_in(client, "mo@example.org", "wrong 3")
    assert not log_in(client, "mo", PASSWORD)        # three failures of the account, however it was named
    assert not log_in(Client(), "mo@example.org", PASSWORD)


def test_guessing_unknown_names_locks_no_account(mo, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "100/m/ip,3/m/key"}
    client = Client()
    for n in range(6):
        assert not log_in(client, f"nobody{n % 2}", "wrong")
    assert log_in(client, "mo", PASSWORD)


def test_behind_a_trusted_proxy_one_readers_failures_lock_only_that_reader(mo, settings):
    settings.PAPERSIFT = {**settings.PAPERSIFT, "TRUSTED_PROXY_HOPS": 1}
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "5/m/ip,100/m/key"}
    attacker, reader = Client(REMOTE_ADDR="10.0.0.2"), Client(REMOTE_ADDR="10.0.0.2")   # both via the proxy
    for n in range(6):
        assert not log_in(attacker, f"unknown{n}", "wrong", through="198.51.100.66")
    assert not log_in(attacker, "mo", PASSWORD, through="198.51.100.66")             # locked out: that address
    assert log_in(reader, "mo", PASSWORD, through="203.0.113.10")                     # anyone else: not


def test_without_trusted_proxies_a_forged_header_does_not_escape_the_lock(mo, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "5/m/ip,100/m/key"}
    client = Client(REMOTE_ADDR="198.51.100.66")
    for n in range(6):
        assert not log_in(client, f"unknown{n}", "wrong", through=f"192.0.2.{n}")
    assert not log_in(client, "mo", PASSWORD, through="203.0.113.10")


def deploy_check(cli_env: dict, **env: str) -> str:
    base = {**cli_env, "PAPERSIFT_ENV": "production", "PAPERSIFT_SECRET_KEY": "x" * 60 + "-not-a-placeholder",
            "PAPERSIFT_ALLOWED_HOSTS": "papers.example.org"}
    result = run_cli({**base, **env}, "manage", "check", "--deploy")
    return result.stdout + result.stderr


def test_production_over_https_passes_the_deploy_check(cli_env):
    output = deploy_check(cli_env)
    for warning in ("security.W004", "security.W008", "security.W012", "security.W016"):  # HSTS, SSL, cookies
        assert warning not in output, output
    assert "System check identified no issues" in output, output


def test_production_over_plain_http_says_what_it_lacks(cli_env):
    output = deploy_check(cli_env, PAPERSIFT_HTTPS="false")
    assert "security.W004" in output and "security.W008" in output


def test_https_and_hsts_headers_in_production(cli_env):
    """A real server in production mode: http is redirected to https; over https (said by the trusted proxy) the
    answer carries HSTS; the proxy's header from an untrusted client is not believed."""
    import subprocess
    import sys

    code = ("import django; django.setup(); from django.test import Client; "
            "c = Client(); r = c.get('/api/openapi.json', REMOTE_ADDR='10.0.0.2'); "
            "print(r.status_code, r.get('Location'));"
            "r = c.get('/api/openapi.json', REMOTE_ADDR='10.0.0.2', HTTP_X_FORWARDED_PROTO='https', "
            "HTTP_X_FORWARDED_FOR='203.0.113.10', HTTP_HOST='papers.example.org');"
            "print(r.status_code, r.get('Strict-Transport-Security'))")
    env = {**cli_env, "PAPERSIFT_ENV": "production", "PAPERSIFT_SECRET_KEY": "x" * 60 + "-not-a-placeholder",
           "PAPERSIFT_ALLOWED_HOSTS": "papers.example.org,testserver", "DJANGO_SETTINGS_MODULE": "papersift.settings"}
    trusted = subprocess.run([sys.executable, "-c", code], env={**env, "PAPERSIFT_TRUSTED_PROXY_HOPS": "1"},
                             capture_output=True, text=True, timeout=120)
    first, second = trusted.stdout.split("\n")[:2]
    assert first == "301 https://testserver/api/openapi.json", trusted.stderr
    assert second == "200 max-age=31536000", trusted.stderr
    untrusted = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert untrusted.stdout.split("\n")[1].startswith("301 "), untrusted.stdout   # still plain http to it
