"""The `papersift` command: thin faces over the services (parse arguments, call one service, print)."""

from __future__ import annotations

import json
import os
import sys

import click

from papersift.agents.commands import mcp
from papersift.cli_common import django_setup, print_delivery, print_mapping, ready
from papersift.digests.commands import digest   # click only at import time: `--help` needs no Django
from papersift.images.commands import images
from papersift.recommend.commands import eval_recommend, recommend
from papersift.sources.commands import sources

FORMAT_NAMES = ("arxiv-oai", "arxiv-atom", "arxiv-rss", "arxiv-snapshot", "arxiv-listing", "hf-daily")


_django = django_setup     # the names the command groups used before cli_common existed
_ready = ready


@click.group()
@click.version_option(package_name="papersift")
def main() -> None:
    """papersift: a self-hosted research-paper discovery hub."""


@main.command()
@click.argument("format_name", metavar="FORMAT", type=click.Choice(FORMAT_NAMES))
@click.argument("sources", nargs=-1, required=True)
@click.option("--strict", is_flag=True, help="Abort a file at its first bad record, writing nothing from it.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: when stderr is a terminal).")
def ingest(format_name: str, sources: tuple[str, ...], strict: bool, as_json: bool, progress: bool | None) -> None:
    """Ingest papers from files, directories, .gz files or http(s) URLs in FORMAT.

    Exits 0 only when no record and no input had an error.
    """
    _ready()
    from papersift.ingest.progress import IngestProgress
    from papersift.ingest.services import Ingest

    show = sys.stderr.isatty() if progress is None else progress
    with IngestProgress(sources, enabled=show) as bar:
        report = Ingest(format_name, strict=strict, on_progress=bar.update).run(sources)
    summary = report.as_dict()
    if as_json:
        click.echo(json.dumps(summary, indent=2))
    else:
        for problem in summary["problems"]:
            where = f"{problem['input']}:{problem['location']}" if problem["location"] else problem["input"]
            click.echo(f"error: {where}: {problem['message']}", err=True)
        for file_report in report.files:
            if file_report.aborted:
                click.echo(f"error: {file_report.name}: --strict: nothing from this input was written", err=True)
        papers, listings = summary["papers"], summary["listings"]
        click.echo(f"papers: {papers['new']} new, {papers['updated']} updated, {papers['unchanged']} unchanged, "
                   f"{papers['stale']} stale (older than stored, ignored)")
        click.echo(f"listings: {listings['new']} new, {listings['updated']} updated, {listings['unchanged']} unchanged")
        announced = summary["announcements"]
        if any(announced.values()):
            click.echo(f"arXiv announcements: {announced['new']} new, {announced['updated']} updated, "
                       f"{announced['unchanged']} unchanged")
        indexed = summary["indexed"]
        click.echo("search index: " + (f"{indexed} papers (re)indexed for BM25; `papersift index update` embeds them"
                                       if indexed is not None else "busy (another indexing run); run "
                                       "`papersift index update` later"))
        click.echo(f"errors: {summary['errors']}")
        click.echo(f"inputs: {summary['inputs']} in {summary['seconds']:.1f} s")
    if report.error_count:
        sys.exit(1)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def stats(as_json: bool) -> None:
    """Counts of papers, listings, listing days and papers per primary category."""
    _ready()
    from papersift.catalog.selectors import catalog_stats

    data = catalog_stats()
    if as_json:
        click.echo(json.dumps(data, indent=2))
        return
    for key in ("papers", "listings", "listing_days", "first_listing_day", "last_listing_day", "withdrawn"):
        click.echo(f"{key}: {data[key]}")
    click.echo("top categories: " + ", ".join(f"{k} {v}" for k, v in list(data["categories"].items())[:10]))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to bind.")
@click.option("--workers", type=int, default=None, help="Worker processes (default PAPERSIFT_SERVER_WORKERS).")
@click.option("--with-worker/--no-worker", default=True, show_default=True,
              help="Also run `papersift worker` (mail, digests, the sources' runs) beside the server.")
def serve(host: str, port: int, workers: int | None, with_worker: bool) -> None:
    """Serve the web pages with gunicorn (a production WSGI server), loading the sample into an empty catalog."""
    _ready()
    from django.conf import settings

    from papersift import server
    from papersift.ingest.sample import load_sample

    config = settings.PAPERSIFT
    where = server.addresses(host, port)
    mail_line = server.adopt_site_url(config, where, host)
    warning = server.host_warning(config["SITE_URL"], settings.ALLOWED_HOSTS)
    if config["LOAD_SAMPLE"]:
        report = load_sample(only_if_empty=True)
        if report is not None:
            click.echo(f"loaded the bundled sample: {report.totals().papers['new']} papers", err=True)
    env = server.helper_environment(dict(os.environ), config)
    helpers = [_embed_in_background(env) if config["SEARCH_SEMANTIC"] else None,
               _background("worker", env=env) if with_worker else None]

    def ready() -> None:
        elsewhere = f", or {where.public}/papers from other machines" if where.public != where.local else ""
        click.echo(f"papersift is ready: open {where.local}/papers{elsewhere} (Ctrl-C stops it)")
        click.echo(mail_line)
        if not with_worker and config["_SOURCES"]["SITE_URL"].startswith("derived"):
            click.echo(f"digests are built by a separate `papersift worker`: start it with "
                       f"PAPERSIFT_SITE_URL={config['SITE_URL']} so that their links agree")
        if warning:
            click.echo(f"warning: {warning}", err=True)

    try:
        server.run_server(host, port, workers or config["SERVER_WORKERS"], config["SERVER_THREADS"], on_ready=ready)
    finally:
        _stop(helpers)


def _background(*command: str, env: dict, nice: int = 0, quiet: bool = False):
    """``papersift COMMAND`` beside the server. It ignores the terminal's Ctrl-C (SIGINT reaches the whole process
    group): `serve` stops it itself once gunicorn is down (:func:`_stop`), so it never dies half-way with a
    KeyboardInterrupt traceback."""
    import signal
    import subprocess

    def start() -> None:
        os.nice(nice)
        signal.signal(signal.SIGINT, signal.SIG_IGN)

    return subprocess.Popen([sys.executable, "-m", "papersift", *command], preexec_fn=start, env=env,
                            stdout=subprocess.DEVNULL if quiet else None)


def _stop(helpers: list, grace: float = 30.0) -> None:
    """SIGTERM each helper still running and wait for it (the worker finishes the jobs it is running), then
    SIGKILL what is left after ``grace`` seconds: the outbox's claim protocol covers a killed delivery."""
    import subprocess

    running = [helper for helper in helpers if helper is not None and helper.poll() is None]
    for helper in running:
        helper.terminate()
    for helper in running:
        try:
            helper.wait(grace)
        except subprocess.TimeoutExpired:
            helper.kill()
            helper.wait()


def _embed_in_background(env: dict):
    """Papers without vectors are embedded by a low-priority `papersift index update` beside the server.

    Search answers from BM25 meanwhile and picks the vectors up when the run swaps its manifest.
    """
    from papersift.indexing.selectors import index_status

    status = index_status()
    if not status["embeddings_pending"] and not status["lexical_pending"]:
        return None
    click.echo(f"embedding {status['embeddings_pending']} papers in the background (papersift index update)",
               err=True)
    return _background("index", "update", "--no-progress", env=env, nice=10, quiet=True)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def config(as_json: bool) -> None:
    """Print the effective settings, secrets redacted, and where each came from."""
    _django()
    from django.conf import settings

    from papersift.conf import redacted

    values = redacted(settings.PAPERSIFT)
    if as_json:
        click.echo(json.dumps(values, indent=2))
        return
    sources = settings.PAPERSIFT["_SOURCES"]
    for name, value in values.items():
        click.echo(f"PAPERSIFT_{name}={value if not isinstance(value, list) else ','.join(value)}"
                   f"    # {sources.get(name, 'derived')}")


@main.command()
def migrate() -> None:
    """Apply pending database migrations (other commands also do this on their own)."""
    _django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=1)


@main.command("load-sample")
def load_sample_command() -> None:
    """Ingest the bundled Hugging Face sample (eight weeks of daily lists) into the catalog."""
    _ready()
    from papersift.ingest.sample import load_sample

    report = load_sample(only_if_empty=False)
    totals = report.totals()
    click.echo(f"papers: {totals.papers['new']} new, {totals.papers['unchanged']} unchanged; "
               f"listings: {totals.listings['new']} new")


class _StageBars:
    """One tqdm bar per indexing stage, with a rate and (when the total is known) an ETA."""

    def __init__(self, enabled: bool):
        self.enabled, self.bars = enabled, {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        from tqdm import tqdm

        if stage not in self.bars:
            self.bars[stage] = tqdm(total=total or None, desc=stage, unit="paper", dynamic_ncols=True)
        self.bars[stage].update(done)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


@main.group()
def index() -> None:
    """Search indexes: lexical (tantivy), embeddings and the vector index, all derived from the database."""


def _index_run(action, as_json: bool, progress: bool | None) -> None:
    from papersift.indexing.services import IndexBusy
    from papersift.search.embed import ModelUnavailable

    bars = _StageBars(sys.stderr.isatty() if progress is None else progress)
    try:
        report = action(on_progress=bars)
    except (IndexBusy, ModelUnavailable) as exc:
        raise click.ClickException(str(exc)) from exc
    finally:
        bars.close()
    if as_json:
        click.echo(json.dumps(report.as_dict(), indent=2))
    else:
        click.echo(f"lexical: {report.lexical} papers indexed; embedded: {report.embedded} "
                   f"(kept {report.kept} unchanged texts); vectors added: {report.vectors}; "
                   f"{report.seconds:.1f} s; generation {report.generation}")


@index.command("update")
@click.option("--lexical-only", is_flag=True, help="Only the BM25 index; no embeddings (as ingest does).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--progress/--no-progress", default=None, help="Progress bars (default: when stderr is a terminal).")
def index_update(lexical_only: bool, as_json: bool, progress: bool | None) -> None:
    """Index what changed since the last run, embed papers that lack a vector, add them to the vector index.

    Resumable: an interrupted run keeps every batch it committed, and the next run goes on from there.
    """
    _ready()
    from papersift.indexing.services import update

    _index_run(lambda on_progress: update(embed=not lexical_only, on_progress=on_progress), as_json, progress)


@index.command("rebuild")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--progress/--no-progress", default=None, help="Progress bars (default: when stderr is a terminal).")
def index_rebuild(as_json: bool, progress: bool | None) -> None:
    """Build all indexes from the database into a new directory, then swap it in atomically."""
    _ready()
    from papersift.indexing.services import rebuild

    _index_run(rebuild, as_json, progress)


@index.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def index_status(as_json: bool) -> None:
    """Counts, model id and what is not indexed yet."""
    _ready()
    from papersift.indexing.selectors import index_status as status

    print_mapping(status(), as_json)


def _print_hits(page, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps({
            "total": page.total, "total_is_floor": page.total_is_floor, "mode": page.mode, "semantic": page.semantic, "warnings": page.warnings,
            "seconds": page.seconds,
            "results": [{"id": h.paper.arxiv_id, "title": h.paper.title, "score": round(h.score, 4),
                         "published": h.paper.published.date().isoformat() if h.paper.published else None,
                         "categories": h.paper.categories, "matched": list(h.matched), "snippet": h.snippet}
                        for h in page.hits]}, indent=2))
        return
    for warning in page.warnings:
        click.echo(f"warning: {warning}", err=True)
    for rank, hit in enumerate(page.hits, start=1):
        day = hit.paper.published.date().isoformat() if hit.paper.published else "          "
        click.echo(f"{rank:>3}. {hit.paper.arxiv_id:<16} {day}  {hit.paper.title}")
    click.echo(f"{page.total}{'+' if page.total_is_floor else ''} matching, {page.mode}, "
               f"{page.seconds * 1000:.0f} ms", err=True)


def _search_call(fn, *args, **kwargs):
    from papersift.indexing.selectors import IndexMissing

    try:
        return fn(*args, **kwargs)
    except IndexMissing as exc:
        raise click.ClickException(str(exc)) from exc


@main.command()
@click.argument("query", nargs=-1, required=True)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 1000), help="Results to show.")
@click.option("--offset", default=0, type=click.IntRange(0), help="Skip this many results (paging).")
@click.option("--mode", type=click.Choice(["hybrid", "lexical", "dense"]), default="hybrid", show_default=True)
@click.option("--sort", type=click.Choice(["relevance", "newest", "upvotes"]), default="relevance",
              show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def search(query: tuple[str, ...], limit: int, offset: int, mode: str, sort: str, as_json: bool) -> None:
    """Search the catalog. QUERY: words, "phrases", -exclude, ti: au: abs: id: cat:cs.CL since:2025-01 until:."""
    _ready()
    import time

    from papersift.indexing import selectors
    from papersift.search.embed import ModelUnavailable

    started = time.perf_counter()
    engine = _search_call(selectors.engine)
    opened = time.perf_counter()
    note = ""
    if mode != "lexical" and engine.encoder is not None:
        try:
            engine.encoder.embedder  # load the model now, so its time is reported apart from the search
            note = f", embedding model loaded in {(time.perf_counter() - opened) * 1000:.0f} ms"
        except ModelUnavailable as exc:
            note = f", no embedding model: {exc}"
    page = _search_call(selectors.search, " ".join(query), mode=mode, sort=sort, limit=limit, offset=offset)
    if not as_json:
        click.echo(f"(index opened in {(opened - started) * 1000:.0f} ms{note})", err=True)
    _print_hits(page, as_json)


@main.command()
@click.argument("arxiv_id")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 100))
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def similar(arxiv_id: str, limit: int, as_json: bool) -> None:
    """Papers similar to ARXIV_ID (nearest by embedding; by shared words when it has no vector yet)."""
    _ready()
    from papersift.catalog.models import Paper
    from papersift.indexing import selectors
    from papersift.ingest.records import split_arxiv_id

    try:
        base = split_arxiv_id(arxiv_id)[0]
    except ValueError:
        base = arxiv_id
    try:
        page = _search_call(selectors.similar, base, limit)
    except Paper.DoesNotExist as exc:
        raise click.ClickException(str(exc)) from exc
    _print_hits(page, as_json)


@main.group("eval")
def evaluate() -> None:
    """Relevance evaluation on benchmark directories (BEIR, CSFCube and recsys-hf layouts)."""


def _eval_setup(directory: str, split: str, mode: str, min_similarity: float | None):
    from pathlib import Path

    from papersift.cli_common import eval_cache_dir
    from papersift.search import evaluation
    from papersift.search.embed import ModelUnavailable, load_embedder

    try:
        dataset = evaluation.load(Path(directory), split)
    except evaluation.DatasetError as exc:
        raise click.ClickException(str(exc)) from exc
    embedder = vectors = None
    if mode != "lexical":
        try:
            embedder = load_embedder()
        except ModelUnavailable as exc:
            raise click.ClickException(f"--mode {mode} needs the embedding model: {exc}") from exc
        cache = eval_cache_dir()
        with _bar(len(dataset.corpus), "embed corpus") as bar:
            vectors = evaluation.corpus_vectors(dataset, embedder, cache, on_progress=bar.update)
    from papersift.search.fusion import MIN_SIMILARITY

    floor = MIN_SIMILARITY if min_similarity is None else min_similarity
    engine = evaluation.build_engine(dataset, embedder, vectors, min_similarity=floor or None)
    return evaluation, dataset, engine, embedder


def _bar(total: int, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="doc", disable=not sys.stderr.isatty(), dynamic_ncols=True)


def _print_metrics(result: dict, as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result))
    else:
        click.echo("  ".join(f"{k}: {v}" for k, v in result.items()))


@evaluate.command("beir")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--split", default="test", show_default=True)
@click.option("--mode", type=click.Choice(["hybrid", "lexical", "dense"]), default="hybrid", show_default=True)
@click.option("--min-similarity", type=click.FloatRange(0, 1), default=None,
              help="Floor of dense-only hits (default: papersift's, search.fusion.MIN_SIMILARITY; 0: none).")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def eval_beir(directory: str, split: str, mode: str, min_similarity: float | None, as_json: bool) -> None:
    """nDCG@10, recall@100 and MRR@10 of papersift's ranking on a BEIR-layout directory."""
    evaluation, dataset, engine, _ = _eval_setup(directory, split, mode, min_similarity)
    _print_metrics(evaluation.evaluate_beir(dataset, engine, mode), as_json)


@evaluate.command("similar")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--split", default="test", show_default=True)
@click.option("--mode", type=click.Choice(["hybrid", "lexical", "dense"]), default="dense", show_default=True)
@click.option("--min-similarity", type=click.FloatRange(0, 1), default=None,
              help="Floor of dense-only candidates (default: papersift's; 0: none).")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def eval_similar(directory: str, split: str, mode: str, min_similarity: float | None, as_json: bool) -> None:
    """nDCG@20 of similar-paper ranking over each query's judged pool (CSFCube layout, graded judgments)."""
    evaluation, dataset, engine, embedder = _eval_setup(directory, split, mode, min_similarity)
    _print_metrics(evaluation.evaluate_similar(dataset, engine, embedder, mode), as_json)


@main.group()
def outbox() -> None:
    """Outgoing e-mail: what is queued, and sending it."""


@outbox.command("send")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def outbox_send(as_json: bool) -> None:
    """Send the e-mail that is due now, once, over SMTP (PAPERSIFT_SMTP_*); exit 1 if any failed."""
    _ready()
    from dataclasses import asdict

    from papersift.outbox.services import deliver

    report = deliver()
    if as_json:
        click.echo(json.dumps(asdict(report), indent=2))
    else:
        print_delivery(report)
    sys.exit(1 if report.trouble else 0)


@outbox.command("status")
def outbox_status() -> None:
    """Messages by status, and the oldest one waiting."""
    _ready()
    from papersift.outbox.selectors import queue_status

    for key, value in queue_status().items():
        click.echo(f"{key}: {value}")


@outbox.command("retry")
@click.argument("ids", nargs=-1, type=int)
def outbox_retry(ids: tuple[int, ...]) -> None:
    """Queue failed or unknown messages again (all of them, or the given ids)."""
    _ready()
    from papersift.outbox.services import retry

    click.echo(f"queued again: {retry(list(ids))}")


@main.command()
@click.option("--interval", default=10.0, show_default=True, type=click.FloatRange(0.5),
              help="Seconds between passes over the outbox.")
@click.option("--once", is_flag=True, help="Deliver the outbox and build due digests once, then exit.")
def worker(interval: float, once: bool) -> None:
    """Background work until stopped (SIGTERM/SIGINT): the outbox every INTERVAL seconds, digests when due,
    and the sources on their schedules (PAPERSIFT_AUTO_UPDATE), embedding what they bring."""
    _ready()
    from papersift.worker import run

    run(interval=interval, once=once)


main.add_command(digest)
main.add_command(images)
main.add_command(mcp)
main.add_command(sources)
main.add_command(recommend)
evaluate.add_command(eval_recommend)


@main.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
@click.argument("args", nargs=-1, type=click.UNPROCESSED)
def manage(args: tuple[str, ...]) -> None:
    """Run a Django management command, e.g. `papersift manage createsuperuser`."""
    _django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["papersift manage", *args])
