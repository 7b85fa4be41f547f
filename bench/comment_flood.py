"""Benchmark: a paper page before and after a flood of hostile comments (issue 16, finding 1), and what one rate-limit
check costs on each cache backend the server processes could share.

    .venv/bin/python bench/comment_flood.py                  # fresh SQLite database in a temporary DATA_DIR
    .venv/bin/python bench/comment_flood.py --comments 40 --iterations 50

Loads the bundled sample into an empty catalog, then requests one paper page through Django's test Client (the
whole middleware stack, the view, template rendering; no network) N times: with no comments, then after one account
posted --comments comments of ``"[" * 9990`` (the probe's flood; Markdown's link scanning is quadratic on it) through
the service (rendered once, when written, and stored: the cost per comment is printed). For comparison it also times
rendering those comments again, which is what every view of the page did before comments were stored rendered.
Then the same number of short comments replaces them (a comment costs its template, whatever its length), and
then none again (the machine's load drifts; the two comment-free runs bracket it). Every response must be 200 and hold the comments (a correctness check; no time is asserted).

Then the rate limiter (papersift.ratelimit.check, two rates of one action, one process) on: the file cache under
DATA_DIR (what papersift uses: shared by gunicorn's worker processes), Django's database cache (shared too, on the
catalog's database), and the per-process memory cache (not shared: each worker would count alone; shown as the
floor). Prints figures only.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import git_commit, log, machine, percentile  # bench/common.py (benchmarks run as scripts from bench/)

PAPER = "2608.19880"


def timed(call, n: int) -> list[float]:
    out = []
    for _ in range(n):
        started = time.perf_counter()
        call()
        out.append(time.perf_counter() - started)
    return out


def summary(times: list[float]) -> str:
    return f"median {percentile(times, 0.5):8.2f} ms  p95 {percentile(times, 0.95):8.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comments", type=int, default=40)
    parser.add_argument("--iterations", type=int, default=30, help="timed page requests before and after")
    parser.add_argument("--checks", type=int, default=2000, help="timed rate-limit checks per cache backend")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="papersift-bench-flood-"))
    os.environ.update(PAPERSIFT_DATA_DIR=str(workdir), PAPERSIFT_LOAD_SAMPLE="false",
                      DJANGO_SETTINGS_MODULE="papersift.settings", PAPERSIFT_SEARCH_SEMANTIC="false",
                      PAPERSIFT_COMMENT_RATE_LIMIT="100000/m/user", PAPERSIFT_ALLOWED_HOSTS="testserver")
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
    try:
        run(args, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def run(args, workdir: Path) -> None:
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.core.management import call_command
    from django.test import Client

    from papersift.catalog.models import Paper
    from papersift.comments.models import Comment
    from papersift.comments.rendering import render
    from papersift.comments.services import post_comment
    from papersift.ingest.sample import load_sample

    print(f"machine: {machine('django')}  commit: {git_commit()}")
    call_command("migrate", verbosity=0)
    load_sample(only_if_empty=True)
    paper = Paper.objects.get(arxiv_id=PAPER)
    client = Client()

    def page() -> None:
        response = client.get(f"/papers/{PAPER}")
        assert response.status_code == 200, response.status_code

    timed(page, 5)
    before = timed(page, args.iterations)
    log(f"paper page, no comments:         {summary(before)}")
    author = User.objects.create_user("flood", "flood@example.org", "pw-flood-123456")
    body = "[" * 9990
    writes = timed(lambda: post_comment(author, paper, body), args.comments)
    log(f"posting one comment (rendered):  {summary(writes)}  ({args.comments} posted)")
    timed(page, 2)
    after = timed(page, args.iterations)
    html = client.get(f"/papers/{PAPER}").content.decode()
    assert html.count('class="comment-body"') >= args.comments
    log(f"paper page, {args.comments} flood comments: {summary(after)}")
    Comment.objects.filter(author=author).delete()        # the same number of ordinary comments
    for n in range(args.comments):
        post_comment(author, paper, f"An ordinary comment, number {n}, with $x^2$ in it.")
    ordinary = timed(page, args.iterations)
    log(f"paper page, {args.comments} short comments: {summary(ordinary)}")
    Comment.objects.filter(author=author).delete()        # the same page without them again: load drift shows
    again = timed(page, args.iterations)
    log(f"paper page, comments deleted:    {summary(again)}")
    rerender = timed(lambda: [render(body) for _ in range(args.comments)], 1)
    log(f"rendering them again (old views): {summary(rerender)}  per page view before this change")
    bench_limiter(args.checks, workdir)


def bench_limiter(n: int, workdir: Path) -> None:
    from django.conf import settings
    from django.core.management import call_command
    from django.test import RequestFactory
    from django.utils.module_loading import import_string

    from papersift import ratelimit

    settings.PAPERSIFT["WRITE_RATE_LIMIT"] = f"{n * 10}/m/ip,{n * 10}/h/ip"
    backends = {
        "file cache (used; shared by processes)": settings.CACHES["default"],
        "database cache (shared by processes)": {"BACKEND": "django.core.cache.backends.db.DatabaseCache",
                                                 "LOCATION": "papersift_cache"},
        "memory cache (per process: not usable)": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    }
    call_command("createcachetable", "papersift_cache", verbosity=0)
    request = RequestFactory().post("/")
    for name, config in backends.items():
        params = {key: value for key, value in config.items() if key not in ("BACKEND", "LOCATION")}
        ratelimit.cache = import_string(config["BACKEND"])(config.get("LOCATION", ""), params)
        times = timed(lambda: ratelimit.check(request, "bench"), n)
        log(f"rate-limit check, {name:40s} {summary(times)}")


if __name__ == "__main__":
    main()
