"""Local copies of thumbnails and avatars: fetched once from a real loopback server serving real image bytes,
checked and re-encoded, served with cache headers; and every guard (allowed sources, private addresses,
content type, size, decoding) refusing what it must, before any byte is kept."""

from __future__ import annotations

import gzip
import io
import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from papersift.catalog.models import DailyListing, Organization, Paper
from papersift.images import services
from papersift.images.models import CachedImage
from papersift.ingest.sample import SAMPLE_DIR
from papersift.ingest.services import Ingest
from tests.conftest import run_cli
from tests.httpserver import RecordedServer

pytestmark = pytest.mark.django_db


def picture(fmt: str, size=(1200, 648), mode="RGB") -> bytes:
    """A real image file, as an image CDN would send it (a gradient, so it does not compress to nothing)."""
    image = Image.linear_gradient("L").resize(size).convert(mode)
    out = io.BytesIO()
    image.save(out, fmt)
    return out.getvalue()


PNG, JPEG = picture("PNG"), picture("JPEG", (400, 400))
GIF = picture("GIF", (96, 96), "P")
_bomb = io.BytesIO()
Image.new("1", (9000, 9000)).save(_bomb, "PNG")       # 81 megapixels in a few kilobytes
BOMB = _bomb.getvalue()


def serve(files: dict[str, tuple[int, dict, bytes]]) -> RecordedServer:
    return RecordedServer(lambda path, count: files.get(path, (404, {"Content-Type": "text/plain"}, b"no")))


@pytest.fixture
def image_settings(settings):
    def configure(server: RecordedServer, **extra):
        settings.PAPERSIFT = {**settings.PAPERSIFT, "IMAGE_SOURCES": [server.base + "/"],
                              "IMAGE_ALLOW_PRIVATE": True, "IMAGE_FETCH_DELAY": 0.0, **extra}
    return configure


def daily_file(tmp_path, base: str):
    """The sample's 2026-08-21 list, its first entry's image URLs pointed at the loopback server."""
    entries = json.loads(gzip.decompress((SAMPLE_DIR / "2026-08-21.json.gz").read_bytes()))[:2]
    first = entries[0]
    first["thumbnail"] = f"{base}/thumb/2608.19880.png"
    first["paper"]["organization"]["avatar"] = f"{base}/org/google.jpg"
    first["paper"]["submittedOnDailyBy"]["avatarUrl"] = f"{base}/user/taesiri.gif"
    first["submittedBy"] = first["paper"]["submittedOnDailyBy"]
    second = entries[1]
    second["thumbnail"] = f"{base}/thumb/missing.png"
    second.pop("organization", None), second["paper"].pop("organization", None)
    for who in (second.get("submittedBy"), second["paper"].get("submittedOnDailyBy")):
        if who:
            who["avatarUrl"] = "/avatars/0123.svg"        # Hugging Face's own placeholder: not kept
    path = tmp_path / "2026-08-21.json"
    path.write_text(json.dumps(entries))
    report = Ingest("hf-daily").run([str(path)])
    assert report.error_count == 0
    return entries


FILES = {"/thumb/2608.19880.png": (200, {"Content-Type": "image/png"}, PNG),
         "/org/google.jpg": (200, {"Content-Type": "image/jpeg"}, JPEG),
         "/user/taesiri.gif": (200, {"Content-Type": "image/gif"}, GIF)}


def test_images_are_fetched_once_reencoded_and_served_with_cache_headers(tmp_path, image_settings, client):
    with serve(FILES) as server:
        image_settings(server)
        daily_file(tmp_path, server.base)
        paper = Paper.objects.select_related("organization").get(arxiv_id="2608.19880")
        listing = DailyListing.objects.get(paper=paper)
        before = client.get(paper.thumbnail_src)
        assert before.status_code == 200 and before["Content-Type"] == "image/svg+xml"    # placeholder meanwhile
        assert "max-age=300" in before["Cache-Control"]

        report = services.fetch_missing(limit=10)
        assert (report.stored, report.refused, report.failed) == (3, 1, 0), report.errors
        assert "HTTP 404" in report.errors[0]
        assert sorted(server.paths()) == sorted([*FILES, "/thumb/missing.png"])
        again = services.fetch_missing(limit=10)
        assert (again.stored, again.failed, again.refused) == (0, 0, 0)
        assert len(server.paths()) == 4                                 # fetched once, never again

    for src, longest in ((paper.thumbnail_src, 640), (paper.organization.avatar_src, 128),
                         (listing.submitter_avatar_src, 96)):
        response = client.get(src)
        assert response.status_code == 200 and response["Content-Type"] == "image/webp", src
        assert response["Cache-Control"] == "public, max-age=31536000, immutable" and response["ETag"]
        body = b"".join(response.streaming_content)
        decoded = Image.open(io.BytesIO(body))
        assert decoded.format == "WEBP" and max(decoded.size) == longest
        assert client.get(src, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    row = CachedImage.objects.get(url=paper.thumbnail_url)
    assert row.path.is_file() and row.path.is_relative_to(tmp_path) and (row.width, row.height) == (640, 346)


def test_private_addresses_are_refused_unless_allowed(tmp_path, image_settings):
    with serve(FILES) as server:
        image_settings(server, IMAGE_ALLOW_PRIVATE=False)
        daily_file(tmp_path, server.base)
        report = services.fetch_missing(limit=10)
        assert report.stored == 0 and report.refused == 4
        assert server.paths() == []                                      # no connection was made at all
        assert "non-public address (127.0.0.1)" in CachedImage.objects.first().error


def test_urls_outside_the_allowed_sources_are_refused_without_a_request(tmp_path, image_settings):
    with serve(FILES) as server, serve(FILES) as other:
        image_settings(other)                                            # allowed: the other server only
        daily_file(tmp_path, server.base)
        report = services.fetch_missing(limit=10)
        assert report.refused == 4 and server.paths() == [] and other.paths() == []
        assert "not under an allowed image source" in report.errors[0]


def test_redirects_are_followed_only_to_allowed_sources(tmp_path, image_settings):
    with serve(FILES) as elsewhere:
        files = {"/thumb/2608.19880.png": (302, {"Location": "/org/google.jpg"}, b""),
                 "/org/google.jpg": (200, {"Content-Type": "image/jpeg"}, JPEG),
                 "/user/taesiri.gif": (301, {"Location": f"{elsewhere.base}/user/taesiri.gif"}, b"")}
        with serve(files) as server:
            image_settings(server)
            daily_file(tmp_path, server.base)
            services.fetch_missing(limit=10)
        assert elsewhere.paths() == []
    statuses = dict(CachedImage.objects.values_list("url", "status"))
    assert statuses[f"{server.base}/thumb/2608.19880.png"] == "stored"       # same host: followed
    assert statuses[f"{server.base}/user/taesiri.gif"] == "refused"


@pytest.mark.parametrize("headers, body, limit, says", [
    ({"Content-Type": "text/html"}, b"<html>login</html>", None, "is not a raster image"),
    ({"Content-Type": "image/svg+xml"}, b"<svg onload='alert(1)'/>", None, "is not a raster image"),
    ({"Content-Type": "image/png"}, b"<html>not really</html>", None, "not a JPEG, PNG, GIF or WebP"),
    ({"Content-Type": "image/png"}, PNG, 1000, "allowed"),                                 # over the byte cap
    ({"Content-Type": "image/png"}, BOMB, None, "not an acceptable image size"),
])
def test_what_is_not_a_safe_image_is_refused_and_nothing_is_stored(tmp_path, image_settings, client, headers,
                                                                    body, limit, says):
    with serve({"/thumb/2608.19880.png": (200, headers, body)}) as server:
        image_settings(server, **({"IMAGE_MAX_BYTES": limit} if limit else {}))
        daily_file(tmp_path, server.base)
        services.fetch_missing(limit=10)
    row = CachedImage.objects.get(url=f"{server.base}/thumb/2608.19880.png")
    assert row.status == "refused" and says in row.error and not row.path.exists()
    assert client.get(Paper.objects.get(arxiv_id="2608.19880").thumbnail_src)["Content-Type"] == "image/svg+xml"


def test_a_source_asking_to_wait_stops_the_pass_and_is_retried_later(tmp_path, image_settings):
    def route(path, count):
        if path == "/thumb/2608.19880.png" and count == 1:
            return 503, {"Retry-After": "120"}, b"busy"
        return FILES.get(path, (404, {}, b""))

    with RecordedServer(route) as server:
        image_settings(server)
        daily_file(tmp_path, server.base)
        thumb = f"{server.base}/thumb/2608.19880.png"
        first = services.fetch_missing(limit=10)          # organisation avatars come first, then thumbnails
        assert (first.stored, first.failed) == (1, 1) and "120 s" in first.stopped
        assert server.paths() == ["/org/google.jpg", "/thumb/2608.19880.png"]
        row = CachedImage.objects.get(url=thumb)
        assert row.status == "failed" and row.attempts == 1
        assert row.next_attempt_at > timezone.now() + timedelta(seconds=100)
        second = services.fetch_missing(limit=10)         # the rest; the thumbnail is not due yet
        assert (second.stored, second.refused, second.failed) == (1, 1, 0)
        assert server.paths().count("/thumb/2608.19880.png") == 1
        CachedImage.objects.filter(url=thumb).update(next_attempt_at=timezone.now())
        third = services.fetch_missing(limit=10)
    assert third.stored == 1 and CachedImage.objects.get(url=thumb).status == "stored"


def test_no_answer_from_the_network_stops_the_pass_and_costs_the_images_nothing(tmp_path, image_settings):
    with serve(FILES) as server:
        image_settings(server)
        daily_file(tmp_path, server.base)
    # The server is gone: connections are refused, as when the network is down.
    report = services.fetch_missing(limit=10)
    assert report.stored == report.failed == report.refused == 0 and "no answer from the network" in report.stopped
    assert not CachedImage.objects.exists()          # nothing held against the images: the next pass tries again


def test_a_pass_ends_when_the_worker_asks_it_to(tmp_path, image_settings):
    with serve(FILES) as server:
        image_settings(server)
        daily_file(tmp_path, server.base)
        asked = iter([False, True])
        report = services.fetch_missing(limit=10, should_stop=lambda: next(asked))
        assert report.stored == 1 and report.stopped == "asked to stop" and len(server.paths()) == 1


def test_pages_never_point_the_browser_at_another_host(tmp_path, image_settings, client):
    with serve(FILES) as server:
        image_settings(server)
        daily_file(tmp_path, server.base)
    for url in ("/papers/date/2026-08-21", "/papers/2608.19880", "/orgs/google", "/search?q=EnvHarness"):
        html = client.get(url).content.decode()
        sources = re.findall(r"\b(?:src|srcset|poster)=\"([^\"]*)\"", html)
        assert sources and all(src.startswith("/") and not src.startswith("//") for src in sources), (url, sources)
    assert '<img class="avatar org large" src="/images/avatar/' in client.get("/orgs/google").content.decode()


def test_placeholders_for_unknown_keys_and_papers_without_images(client):
    response = client.get("/images/avatar/" + "0" * 32)
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    assert client.get("/images/avatar/not-a-key").status_code == 404
    assert Paper(arxiv_id="2101.00001", title="t").thumbnail_src.endswith("papersift/placeholder-thumbnail.svg")
    assert Organization(name="x").avatar_src.endswith("papersift/placeholder-avatar.svg")


def test_worker_copies_images_only_when_an_interval_is_set(settings):
    from papersift.worker import jobs

    assert "images" in [job.name for job in jobs(10)]
    assert not next(job for job in jobs(10) if job.name == "images").at_start
    settings.PAPERSIFT = {**settings.PAPERSIFT, "IMAGE_FETCH_INTERVAL": 0.0}
    assert "images" not in [job.name for job in jobs(10)]


@pytest.mark.django_db(transaction=True)
def test_cli_fetch_and_status(tmp_path, cli_env):
    with serve(FILES) as server:
        entries = json.loads(gzip.decompress((SAMPLE_DIR / "2026-08-21.json.gz").read_bytes()))[:1]
        entries[0]["thumbnail"] = f"{server.base}/thumb/2608.19880.png"
        entries[0]["paper"]["organization"]["avatar"] = f"{server.base}/elsewhere.jpg"
        source = tmp_path / "2026-08-21.json"
        source.write_text(json.dumps(entries))
        env = {**cli_env, "PAPERSIFT_IMAGE_SOURCES": server.base + "/thumb/", "PAPERSIFT_IMAGE_ALLOW_PRIVATE": "true",
               "PAPERSIFT_IMAGE_FETCH_DELAY": "0", "PAPERSIFT_SEARCH_SEMANTIC": "false"}
        assert run_cli(env, "ingest", "hf-daily", str(source)).returncode == 0
        fetched = run_cli(env, "images", "fetch", "--json")
    report = json.loads(fetched.stdout)
    assert fetched.returncode == 1 and (report["stored"], report["refused"]) == (1, 2), fetched.stderr
    status = json.loads(run_cli(env, "images", "status", "--json").stdout)
    assert status["stored"] == 1 and status["refused"] == 2 and status["never_tried"] == 0
    assert status["stored_bytes"] > 0
