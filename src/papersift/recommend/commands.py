"""`papersift recommend` and `papersift eval recommend`: faces over ``recommend.selectors`` and
``recommend.evaluation`` (parse arguments, call, print). `cli.py` adds them to its groups."""

from __future__ import annotations

import json
import sys
from datetime import date, timedelta
from pathlib import Path

import click

from papersift.cli_common import eval_cache_dir, ready


def _since(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)", param_hint="--since") from None


@click.command()
@click.option("--user", "username", metavar="NAME", help="Rank for this account, from its signals.")
@click.option("--seeds", metavar="ID,ID,...", help="Rank for these arXiv ids (no account needed).")
@click.option("--since", metavar="DATE", help="Candidates: papers listed or published since DATE "
              "(default: the week up to the last listed day).")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, 500))
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def recommend(username: str | None, seeds: str | None, since: str | None, limit: int, as_json: bool) -> None:
    """Papers recommended for an account (--user) or for a set of seed papers (--seeds), with reasons."""
    if bool(username) == bool(seeds):
        raise click.UsageError("give exactly one of --user NAME and --seeds ID,ID,...")
    start = _since(since)
    ready()
    from django.contrib.auth import get_user_model

    from papersift.recommend import selectors
    from papersift.recommend.references import ids_from_text

    last = selectors.last_listing_day()
    if last is None:
        raise click.ClickException("the catalog has no listed papers yet (papersift load-sample, or ingest)")
    start = start or last - timedelta(days=6)
    end = max(last, start)
    unknown: list[str] = []
    if username:
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise click.ClickException(f"no account named {username!r}")
        reader = selectors.interests([user.id])[user.id]
    else:
        ids, bad = ids_from_text(seeds)
        if bad:
            raise click.BadParameter(f"not arXiv ids: {', '.join(bad)}", param_hint="--seeds")
        reader, unknown = selectors.seeds_interests(ids)
        if not reader.positives:
            raise click.ClickException(f"none of the seeds is in the catalog: {', '.join(unknown)}")
    result = selectors.with_papers(selectors.recommend([reader], selectors.listed_between(start, end),
                                                       limit)[reader.user_id])
    _print(result, start, end, unknown, as_json)


def _print(result, start: date, end: date, unknown: list[str], as_json: bool) -> None:
    signal = {"profile": "your papers' words and embeddings", "trending": "trending (no signals yet)",
              "profile-lexical": "your papers' words (no embeddings yet)"}[result.method]
    if as_json:
        click.echo(json.dumps({
            "method": result.method, "signal": signal, "note": result.note, "since": start.isoformat(),
            "until": end.isoformat(), "candidates": result.candidates, "unknown_seeds": unknown,
            "results": [{"id": i.paper.arxiv_id, "title": " ".join(i.paper.title.split()), "score": i.score,
                         "reasons": [r.as_dict() for r in i.reasons]} for i in result.items]}, indent=2))
        return
    click.echo(f"ranked by {signal}; {result.candidates} candidates {start} – {end}", err=True)
    for note in filter(None, [result.note] + [f"not in the catalog: {', '.join(unknown)}"] * bool(unknown)):
        click.echo(f"note: {note}", err=True)
    for rank, item in enumerate(result.items, start=1):
        click.echo(f"{rank:>3}. {item.paper.arxiv_id:<12} {item.score:7.3f}  {' '.join(item.paper.title.split())}")
        click.echo(f"     why: {'; '.join(r.text for r in item.reasons)}")


@click.command("recommend")
@click.argument("directory", type=click.Path(exists=True, file_okay=False))
@click.option("--method", default="profile", show_default=True, metavar="NAME",
              help="The method to score: profile (shipped), profile-lexical, profile-corpus-idf, "
                   "profile-pool-idf, profile+popularity, centroid-tfidf, "
                   "centroid-embedding, nearest-seed, linear, tfidf-svm, random, popular.")
@click.option("--baselines/--no-baselines", default=True, show_default=True,
              help="Also score random, popular (when the corpus has upvotes) and tfidf-svm.")
@click.option("--json", "as_json", is_flag=True, help="Print as JSON.")
def eval_recommend(directory: str, method: str, baselines: bool, as_json: bool) -> None:
    """nDCG@10, recall@50 and MRR@10 of recommendations on a recsys-hf-layout directory (corpus.jsonl,
    users.jsonl): the chosen method and the baselines. Corpus embeddings are cached like `eval beir`'s."""
    from papersift.recommend import evaluation

    if method not in evaluation.METHODS:
        raise click.BadParameter(f"{method!r}: one of {', '.join(evaluation.METHODS)}", param_hint="--method")
    try:
        dataset = evaluation.load(Path(directory))
    except evaluation.DatasetError as exc:
        raise click.ClickException(str(exc)) from exc
    names = [method] + [b for b in ("random", "popular", "tfidf-svm") if baselines and b != method
                        and (b != "popular" or dataset.has_upvotes)]
    vectors = None
    if any(evaluation.METHODS[name][1] for name in names):
        vectors = _vectors(dataset, evaluation)
    context = evaluation.context_for(dataset, vectors)
    result = {**evaluation.evaluate(context, method), "method": method,
              "baselines": {name: evaluation.evaluate(context, name) for name in names[1:]}}
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    for name in names:
        scores = result if name == method else result["baselines"][name]
        click.echo(f"{name:<20} nDCG@10 {scores['ndcg@10']:.4f}  recall@50 {scores['recall@50']:.4f}  "
                   f"MRR@10 {scores['mrr@10']:.4f}  users {scores['users']}")


def _vectors(dataset, evaluation):
    from tqdm import tqdm

    from papersift.search.embed import ModelUnavailable, load_embedder
    from papersift.search.evaluation import cached_vectors

    try:
        embedder = load_embedder()
    except ModelUnavailable as exc:
        raise click.ClickException(f"this method needs the embedding model: {exc}") from exc
    texts = dataset.texts
    with tqdm(total=len(texts), desc="embed corpus", unit="doc", disable=not sys.stderr.isatty()) as bar:
        return cached_vectors(texts, embedder, eval_cache_dir(), on_progress=bar.update)   # eval beir's cache
