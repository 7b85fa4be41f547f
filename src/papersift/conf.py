"""Every papersift setting, declared once with its type, default and help.

Values come from, in order of precedence: the environment (`PAPERSIFT_<NAME>`), a file named by
`PAPERSIFT_<NAME>_FILE` (for secrets), the TOML file named by `PAPERSIFT_CONFIG_FILE` (keys in lower case),
then the default. This module is the only place that reads the environment; `papersift config` prints the
result with secrets redacted, and a test checks that every setting here is documented in the README.
"""

from __future__ import annotations

import os
import re
import secrets
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

PREFIX = "PAPERSIFT_"


class ConfigError(Exception):
    """A setting has a value papersift cannot use; the message names the setting and the value's source."""


def _bool(raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"expected true/false, got {raw!r}")


def _list(raw: str) -> list[str]:
    return [part.strip() for part in raw.split(",") if part.strip()]


@dataclass(frozen=True)
class Setting:
    name: str
    parse: Callable[[str], Any]
    default: Any
    help: str
    secret: bool = False


def _default_data_dir() -> str:
    xdg = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return str(Path(xdg) / "papersift")


SETTINGS: tuple[Setting, ...] = (
    Setting("ENV", str, "development",
            "`development` or `production`. Production refuses a missing or placeholder SECRET_KEY and turns DEBUG off."),
    Setting("DATA_DIR", str, None,
            "Directory for the SQLite database, the generated secret key, harvest spool files and (later) indexes. "
            "Default: `$XDG_DATA_HOME/papersift` (`~/.local/share/papersift`)."),
    Setting("DATABASE_URL", str, None,
            "Database URL. Default: `sqlite:///<DATA_DIR>/papersift.sqlite3`. PostgreSQL 15+: "
            "`postgresql://user:password@host:5432/dbname`."),
    Setting("SECRET_KEY", str, None,
            "Django secret key. In development it is generated once and kept in `<DATA_DIR>/secret_key`; "
            "in production it must be set (or given through `PAPERSIFT_SECRET_KEY_FILE`).", secret=True),
    Setting("DEBUG", _bool, False, "Django debug pages. Never in production."),
    Setting("ALLOWED_HOSTS", _list, ["127.0.0.1", "localhost", "[::1]"],
            "Comma-separated host names the web server answers to."),
    Setting("LOAD_SAMPLE", _bool, True,
            "Load the bundled Hugging Face daily-papers sample into an empty catalog when the server starts."),
    Setting("HARVEST_DELAY", float, 3.0,
            "Seconds between two requests to the same service (arXiv asks for 3); for arXiv across every process of "
            "the installation (worker, web processes fetching submitted papers, CLI), through `<DATA_DIR>/polite/`."),
    Setting("HTTP_TIMEOUT", float, 60.0, "Seconds before an HTTP request to a source is abandoned."),
    Setting("HTTP_RETRIES", int, 5,
            "How many times a request that got 503/429/5xx or a connection error is retried before the harvest stops."),
    Setting("MAX_RETRY_AFTER", float, 600.0,
            "Longest `Retry-After` wait (seconds) papersift honours; a longer one stops the harvest with a message."),
    Setting("CONTACT_EMAIL", str, "",
            "E-mail address sent in the User-Agent of harvest requests, as arXiv asks of bulk harvesters."),
    Setting("INGEST_BATCH", int, 2000, "Records written per database transaction during ingest."),
    Setting("INGEST_MAX_FIELD", int, 100_000,
            "Longest title, abstract, comment or journal reference (characters) ingest stores; a record with a longer "
            "one is refused with an error naming the field (arXiv's abstracts stop at 1,920)."),
    Setting("INGEST_MAX_LINE", int, 4 << 20,
            "Longest line (bytes) of a JSON-lines input (arxiv-snapshot, arxiv-listing); a longer line is reported "
            "and skipped without being held in memory."),
    Setting("INGEST_MAX_DOCUMENT", int, 64 << 20,
            "Largest whole document (bytes, after decompression) ingest holds in memory: an hf-daily JSON file and "
            "each fetched page (OAI-PMH, arXiv API, RSS); a larger one is refused. Downloads to a file (snapshot "
            "dumps) and local XML files are streamed and have no such limit."),
    Setting("SERVER_WORKERS", int, 2, "Worker processes of `papersift serve` (gunicorn)."),
    Setting("SERVER_THREADS", int, 4, "Threads per worker process of `papersift serve`."),
    Setting("PAGE_CACHE_SECONDS", int, 60,
            "How long a page kept for readers who are not signed in (paper pages, search results, lists) may be "
            "served again before it is rendered anew; any write on the site starts every page afresh. 0 turns "
            "the page cache off. Signed-in readers always get their own render."),
    Setting("PAGE_CACHE_ENTRIES", int, 20_000,
            "Pages kept at most (files under DATA_DIR/pages, shared by the server's processes; about 10 KB each, "
            "compressed); when full, a third of them, at random, make room."),
    Setting("SEARCH_SEMANTIC", _bool, True,
            "Use the embedding model and vector index in search and similar papers; off means lexical (BM25) only."),
    Setting("SEARCH_MIN_SIMILARITY", float, 0.3,
            "Relevance floor of search hits found only by semantic search: one whose cosine similarity to the query "
            "is below this is left out, so a query with no real match finds nothing. 0 keeps every nearest "
            "neighbour. Chosen by measurement (docs/search.md)."),
    Setting("QUERY_EMBED_TIMEOUT", float, 2.0,
            "Seconds a query's embedding may take before the search answers with lexical results only."),
    Setting("LOG_LEVEL", str, "INFO", "Log level: DEBUG, INFO, WARNING or ERROR."),
    Setting("SITE_URL", str, "http://127.0.0.1:8000",
            "The address users reach this papersift at; links in e-mails are built from it. When it is not set, "
            "`papersift serve` uses the address it serves (its --host and --port) and passes it to its worker."),
    Setting("EMAIL_FROM", str, "papersift <papersift@localhost>", "Sender of every e-mail papersift sends."),
    Setting("SMTP_HOST", str, "127.0.0.1", "SMTP server the outbox worker delivers mail through."),
    Setting("SMTP_PORT", int, 25, "Its port (587 for STARTTLS, 465 for TLS, usually)."),
    Setting("SMTP_SECURITY", str, "none", "`none`, `starttls` or `tls` (implicit TLS)."),
    Setting("SMTP_USER", str, "", "User name for SMTP authentication; empty for none."),
    Setting("SMTP_PASSWORD", str, "", "Password for SMTP authentication.", secret=True),
    Setting("SMTP_TIMEOUT", float, 30.0, "Seconds before an SMTP connection or command is abandoned."),
    Setting("LOGIN_FAILURE_LIMIT", str, "20/5m/ip,5/5m/key",
            "Failed logins allowed before login is refused until the period passes, even with the right password: "
            "per IP and per account (`key`), in django-allauth's rate form `N/period/kind`."),
    Setting("ARXIV_API_URL", str, "https://export.arxiv.org/api/query",
            "arXiv Atom API endpoint used to fetch a submitted paper's metadata."),
    Setting("SUBMIT_MAX_AGE_DAYS", int, 14,
            "A paper can be submitted to the daily list only within this many days of its first version."),
    Setting("OUTBOX_RETRY_BASE", float, 60.0,
            "Seconds before the first retry of a message the SMTP server refused for now (4xx); each further retry "
            "waits twice as long, up to OUTBOX_RETRY_MAX."),
    Setting("OUTBOX_RETRY_MAX", float, 21600.0, "Longest wait (seconds) between two retries of one message."),
    Setting("OUTBOX_MAX_ATTEMPTS", int, 8,
            "Attempts before a message the server keeps refusing for now is marked failed. An unreachable server "
            "costs no attempt: the mail waits for it."),
    Setting("DIGEST_SEND_EMPTY", _bool, False,
            "Send a digest even when nothing is new for it (\"nothing new today\"); off: skip it, logged as "
            "`nothing-new`."),
    Setting("DIGEST_MAX_PER_SECTION", int, 20,
            "Most papers a saved-search or category section lists (the mail links to the rest)."),
    Setting("DIGEST_MIN_SIMILARITY", float, 0.2,
            "Relevance floor of saved-search alerts: a matching paper whose embedding's cosine similarity to the "
            "query is below this is left out (a passing mention). 0 keeps every match."),
    Setting("DIGEST_CHECK_INTERVAL", float, 60.0, "Seconds between the worker's checks for digests that are due."),
    Setting("DIGEST_DEFAULT_HOUR", int, 8, "Hour (0-23) the subscription forms offer first."),
    Setting("DIGEST_DEFAULT_TIMEZONE", str, "UTC",
            "Time zone the subscription forms offer first (the browser's own is chosen when it tells it)."),
    Setting("SUBSCRIBE_RATE_LIMIT", str, "20/h/ip,3/h/key",
            "Subscriptions (each one mails a confirmation) allowed per IP and per address (`key`) in a period, in "
            "django-allauth's rate form; past it the form says to wait."),
    Setting("COMMENT_RATE_LIMIT", str, "5/m/user,30/h/user",
            "Comments posted or edited allowed per account (`user`) in a period, in django-allauth's rate form "
            "`N/period/kind` (kind `user`, `ip` or `key`); past it the write is refused with 429 and `Retry-After`."),
    Setting("VOTE_RATE_LIMIT", str, "30/m/user,500/h/user", "Upvotes and withdrawn upvotes allowed per account."),
    Setting("LIST_RATE_LIMIT", str, "30/m/user,300/h/user",
            "Changes to reading lists (create, rename, publish, delete, save or remove a paper) allowed per account."),
    Setting("SUBMIT_RATE_LIMIT", str, "3/m/user,20/h/user",
            "Paper submissions allowed per account (each one may ask the arXiv API)."),
    Setting("TOKEN_RATE_LIMIT", str, "5/h/user", "API tokens created allowed per account."),
    Setting("WRITE_RATE_LIMIT", str, "30/m/user,300/h/user",
            "Any other write (reporting or deleting a comment, ...) allowed per account: the rate of a write "
            "without a setting of its own."),
    Setting("COMMENT_MAX_CHARS", int, 10_000,
            "Longest comment, in characters of Markdown (at most 50,000); a longer one is refused with the count."),
    Setting("TRUSTED_PROXY_HOPS", int, 0,
            "Reverse proxies in front of papersift that the client's address is read through: the client is "
            "the N-th address from the right of `X-Forwarded-For`, and a proxy's `X-Forwarded-Proto: https` "
            "marks a request as secure. 0 (the default): the header is ignored, the connection's peer is the "
            "client. Every rate limit keys on this address."),
    Setting("HTTPS", _bool, True,
            "Production only: papersift is reached over HTTPS, so it redirects http to https, sends HSTS "
            "(`HSTS_SECONDS`) and secure cookies. Behind a TLS-terminating proxy set TRUSTED_PROXY_HOPS so "
            "its `X-Forwarded-Proto` is believed; `false` for a site served over plain http."),
    Setting("HSTS_SECONDS", int, 31_536_000,
            "Production with HTTPS: how long browsers keep to https for this host (`Strict-Transport-Security`); "
            "0 sends no HSTS header."),
    Setting("AUTO_UPDATE", _bool, True,
            "`papersift worker` (started by `serve`) runs the sources (`papersift sources list`) on their schedules: "
            "arXiv after each announcement, Hugging Face through its day, missed days caught up. Off: never "
            "(an offline machine); `papersift sources run` still works by hand."),
    Setting("ARXIV_RSS_URL", str, "https://rss.arxiv.org/rss/",
            "arXiv's announcement feeds; a source's categories are appended (`cs.CL+cs.LG`). The Atom variant "
            "(`https://rss.arxiv.org/atom/`) works too."),
    Setting("ARXIV_OAI_URL", str, "https://oaipmh.arxiv.org/oai",
            "arXiv's OAI-PMH endpoint, used to catch up on announcements a source missed."),
    Setting("HF_API_URL", str, "https://huggingface.co/api",
            "Hugging Face's API; the daily papers are read from `<HF_API_URL>/daily_papers?date=YYYY-MM-DD`."),
    Setting("IMAGE_FETCH_INTERVAL", float, 300.0,
            "Seconds between the worker's passes that copy thumbnails and avatars to `<DATA_DIR>/images/`; "
            "0: never (pages show placeholders)."),
    Setting("IMAGE_FETCH_DELAY", float, 1.0, "Seconds between two image downloads."),
    Setting("IMAGE_MAX_BYTES", int, 5_000_000, "Largest image download accepted, in bytes."),
    Setting("IMAGE_SOURCES", _list,
            ["https://cdn-thumbnails.huggingface.co/", "https://cdn-avatars.huggingface.co/",
             "https://cdn-uploads.huggingface.co/", "https://huggingface.co/", "https://www.gravatar.com/avatar/"],
            "Comma-separated URL prefixes images may be copied from (Hugging Face's CDNs); any other URL, and any "
            "that resolves to a loopback or private address, is refused."),
    Setting("IMAGE_ALLOW_PRIVATE", _bool, False,
            "Let image downloads reach loopback and private addresses (a mirror on the local network, tests)."),
)

# Settings that were replaced: naming one is an error that says what to do instead, not a silent no-op.
RETIRED = {
    "HARVEST_CRON": "sources now have their own schedules (papersift sources list)",
    "HARVEST_SOURCES": "sources are kept in the database: papersift sources add|remove, or the admin",
    "INDEX_UPDATE_CRON": "the worker embeds new papers after each source run; papersift index update by hand",
}

BY_NAME = {setting.name: setting for setting in SETTINGS}
PLACEHOLDER_SECRETS = {"", "changeme", "change-me", "secret", "insecure", "django-insecure"}


def _toml_values() -> dict[str, Any]:
    path = os.environ.get(PREFIX + "CONFIG_FILE")
    if not path:
        return {}
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{PREFIX}CONFIG_FILE={path}: {exc}") from exc
    for key in data:
        if key.upper() in RETIRED:
            raise ConfigError(f"{path}: {key} was replaced: {RETIRED[key.upper()]}; remove it")
    unknown = sorted(key for key in data if key.upper() not in BY_NAME)
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s) {', '.join(unknown)}")
    return {key.upper(): value for key, value in data.items()}


def _resolve(setting: Setting, toml: dict[str, Any]) -> tuple[Any, str]:
    env_name = PREFIX + setting.name
    if env_name in os.environ:
        raw, source = os.environ[env_name], f"environment {env_name}"
    elif env_name + "_FILE" in os.environ:
        file_path = os.environ[env_name + "_FILE"]
        try:
            raw = Path(file_path).read_text().strip()
        except OSError as exc:
            raise ConfigError(f"{env_name}_FILE={file_path}: {exc}") from exc
        source = f"file {file_path}"
    elif setting.name in toml:
        value = toml[setting.name]
        return (value if not isinstance(value, str) else _parse(setting, value, "config file")), "config file"
    else:
        return setting.default, "default"
    return _parse(setting, raw, source), source


def _parse(setting: Setting, raw: str, source: str) -> Any:
    try:
        return setting.parse(raw)
    except ValueError as exc:
        expected = {int: "expected a whole number", float: "expected a number"}.get(setting.parse)
        message = f"{expected}, got {raw!r}" if expected else str(exc)
        raise ConfigError(f"{PREFIX}{setting.name} (from {source}): {message}") from exc


def load() -> dict[str, Any]:
    """Resolve every setting; derive the defaults that depend on others (data dir, database, secret key)."""
    for name, instead in RETIRED.items():
        if PREFIX + name in os.environ:
            raise ConfigError(f"{PREFIX}{name} was replaced: {instead}; unset it")
    toml = _toml_values()
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for setting in SETTINGS:
        values[setting.name], sources[setting.name] = _resolve(setting, toml)
    if values["ENV"] not in {"development", "production"}:
        raise ConfigError(f"{PREFIX}ENV must be 'development' or 'production', got {values['ENV']!r}")
    data_dir = Path(values["DATA_DIR"] or _default_data_dir()).expanduser().resolve()
    values["DATA_DIR"] = str(data_dir)
    if not values["DATABASE_URL"]:
        values["DATABASE_URL"] = f"sqlite:///{data_dir / 'papersift.sqlite3'}"
    values["SECRET_KEY"], sources["SECRET_KEY"] = _secret_key(values, sources["SECRET_KEY"], data_dir)
    _check_rates(values, "LOGIN_FAILURE_LIMIT")
    for name in ("SUBSCRIBE_RATE_LIMIT", "COMMENT_RATE_LIMIT", "VOTE_RATE_LIMIT", "LIST_RATE_LIMIT",
                 "SUBMIT_RATE_LIMIT", "TOKEN_RATE_LIMIT", "WRITE_RATE_LIMIT"):
        _check_write_rates(values, name)
    if not 1 <= values["COMMENT_MAX_CHARS"] <= 50_000:
        raise ConfigError(f"{PREFIX}COMMENT_MAX_CHARS must be between 1 and 50000, got {values['COMMENT_MAX_CHARS']}")
    if not 0 <= values["TRUSTED_PROXY_HOPS"] <= 10:
        raise ConfigError(f"{PREFIX}TRUSTED_PROXY_HOPS must be between 0 and 10, got {values['TRUSTED_PROXY_HOPS']}")
    if values["HSTS_SECONDS"] < 0:
        raise ConfigError(f"{PREFIX}HSTS_SECONDS must be 0 or more, got {values['HSTS_SECONDS']}")
    for name in ("ARXIV_RSS_URL", "ARXIV_OAI_URL", "HF_API_URL", "ARXIV_API_URL"):
        if not re.match(r"https?://[^/\s]+", values[name]):
            raise ConfigError(f"{PREFIX}{name}: {values[name]!r} is not an http(s) URL")
    if not 0 <= values["DIGEST_DEFAULT_HOUR"] <= 23:
        raise ConfigError(f"{PREFIX}DIGEST_DEFAULT_HOUR must be between 0 and 23, got {values['DIGEST_DEFAULT_HOUR']}")
    for prefix in values["IMAGE_SOURCES"]:
        if not re.match(r"https?://[^/@\s]+/", prefix):
            raise ConfigError(f"{PREFIX}IMAGE_SOURCES: {prefix!r} is not an http(s) URL prefix ending in / after "
                              "the host (e.g. https://cdn-thumbnails.huggingface.co/)")
    if values["SMTP_SECURITY"] not in {"none", "starttls", "tls"}:
        raise ConfigError(f"{PREFIX}SMTP_SECURITY must be none, starttls or tls, got {values['SMTP_SECURITY']!r}")
    if values["ENV"] == "production" and values["DEBUG"]:
        raise ConfigError(f"{PREFIX}DEBUG must be off when {PREFIX}ENV=production")
    values["_SOURCES"] = sources
    return values


def _check_rates(values: dict[str, Any], name: str) -> None:
    for part in values[name].split(","):
        if not re.fullmatch(r"\s*\d+/\d*(\.\d+)?[smhd]/(ip|key)\s*", part):
            raise ConfigError(f"{PREFIX}{name}: {part.strip()!r} is not N/period/ip or N/period/key "
                              "(e.g. 5/5m/key, 20/5m/ip)")


def _check_write_rates(values: dict[str, Any], name: str) -> None:
    from papersift.ratelimit import parse_rates   # the limiter's own parser: one syntax, checked once

    try:
        parse_rates(values[name])
    except ValueError as exc:
        raise ConfigError(f"{PREFIX}{name}: {exc}") from None


def _secret_key(values: dict[str, Any], source: str, data_dir: Path) -> tuple[str, str]:
    key = values["SECRET_KEY"]
    if values["ENV"] == "production":
        if key is None or key.strip().lower() in PLACEHOLDER_SECRETS or key.startswith("django-insecure"):
            raise ConfigError(f"{PREFIX}SECRET_KEY must be set to a real secret when {PREFIX}ENV=production")
        return key, source
    if key:
        return key, source
    key_file = data_dir / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip(), f"generated, {key_file}"
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    # Written with O_EXCL so that two processes starting at once agree on one key.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip(), f"generated, {key_file}"
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key, f"generated, {key_file}"


def redacted(values: dict[str, Any]) -> dict[str, Any]:
    """The effective settings for display: secrets and database passwords replaced by `********`."""
    shown: dict[str, Any] = {}
    for setting in SETTINGS:
        value = values[setting.name]
        if setting.secret and value:
            value = "********"
        elif setting.name == "DATABASE_URL":
            value = _redact_url(value)
        shown[setting.name] = value
    return shown


def _redact_url(url: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":********@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url
