"""The search, similar, index and eval commands, run as a user runs them."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli


def _catalog(tmp_path, cli_env, listing_lines, n=25):
    path = tmp_path / "papers.jsonl"
    path.write_text("".join(listing_lines[:n]), encoding="utf-8")
    done = run_cli(cli_env, "ingest", "arxiv-listing", str(path))
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in listing_lines[:n]]


def test_search_similar_and_index_commands(tmp_path, cli_env, listing_lines):
    papers = _catalog(tmp_path, cli_env, listing_lines)
    status = json.loads(run_cli(cli_env, "index", "status", "--json").stdout)
    assert (status["lexical_docs"], status["embeddings_pending"]) == (25, 25)

    lexical = run_cli(cli_env, "search", papers[4]["title"], "--limit", "3", "--json")
    assert lexical.returncode == 0, lexical.stderr
    result = json.loads(lexical.stdout)
    assert result["results"][0]["id"] == papers[4]["id"] and result["semantic"] is False

    update = run_cli(cli_env, "index", "update", "--json")
    assert update.returncode == 0, update.stderr
    assert json.loads(update.stdout)["embedded"] == 25

    hybrid = run_cli(cli_env, "search", "differential", "equations", "--limit", "5")
    assert hybrid.returncode == 0, hybrid.stderr
    assert "hybrid" in hybrid.stderr and "embedding model loaded in" in hybrid.stderr
    assert len([line for line in hybrid.stdout.splitlines() if line.strip()]) == 5

    similar = json.loads(run_cli(cli_env, "similar", papers[2]["id"] + "v1", "--json").stdout)
    assert similar["mode"] == "dense" and papers[2]["id"] not in [r["id"] for r in similar["results"]]

    missing = run_cli(cli_env, "similar", "9999.99999")
    assert missing.returncode == 1 and "no paper 9999.99999" in missing.stderr

    bad = run_cli(cli_env, "search", 'ti: "unclosed', "--json")
    assert bad.returncode == 0 and json.loads(bad.stdout)["warnings"]


def test_search_without_an_index_says_what_to_run(cli_env):
    result = run_cli(cli_env, "search", "anything")
    assert result.returncode == 1
    assert "papersift index update" in result.stderr


def test_rebuild_then_status(tmp_path, cli_env, listing_lines):
    _catalog(tmp_path, cli_env, listing_lines, n=10)
    rebuilt = run_cli(cli_env, "index", "rebuild", "--json")
    assert rebuilt.returncode == 0, rebuilt.stderr
    status = json.loads(run_cli(cli_env, "index", "status", "--json").stdout)
    assert status["generation"] == json.loads(rebuilt.stdout)["generation"]
    assert status["lexical_docs"] == 10


def _beir(tmp_path, shared, queries=30):
    """A small BEIR directory cut from SciFact: some judged queries and their documents plus distractors."""
    source = shared / "ir-bench" / "scifact"
    qrels = (source / "qrels" / "test.tsv").read_text().splitlines()
    header, rows = qrels[0], qrels[1:]
    chosen = list(dict.fromkeys(r.split("\t")[0] for r in rows))[:queries]
    kept = [r for r in rows if r.split("\t")[0] in chosen]
    wanted = {r.split("\t")[1] for r in kept}
    corpus = [line for line in (source / "corpus.jsonl").read_text().splitlines()
              if json.loads(line)["_id"] in wanted]
    corpus += (source / "corpus.jsonl").read_text().splitlines()[:120]
    target = tmp_path / "beir"
    (target / "qrels").mkdir(parents=True)
    (target / "corpus.jsonl").write_text("\n".join(dict.fromkeys(corpus)) + "\n")
    (target / "queries.jsonl").write_text("\n".join(
        line for line in (source / "queries.jsonl").read_text().splitlines() if json.loads(line)["_id"] in chosen))
    (target / "qrels" / "test.tsv").write_text("\n".join([header, *kept]) + "\n")
    return target


@pytest.mark.same_on_any_database   # evaluation reads its files, not the catalog
def test_eval_beir_prints_the_metrics(tmp_path, cli_env, shared):
    directory = _beir(tmp_path, shared)
    cli_env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    scores = {}
    for mode in ("lexical", "hybrid"):
        result = run_cli(cli_env, "eval", "beir", str(directory), "--mode", mode, "--json")
        assert result.returncode == 0, result.stderr
        scores[mode] = json.loads(result.stdout)
        assert set(scores[mode]) == {"ndcg@10", "recall@100", "mrr@10", "queries", "mode"}
        assert scores[mode]["queries"] == 30 and scores[mode]["mode"] == mode
    # On the judged documents of 30 SciFact claims among few distractors, both rankings are good.
    assert scores["lexical"]["ndcg@10"] > 0.6 and scores["hybrid"]["ndcg@10"] > 0.6
    assert list((tmp_path / "cache" / "papersift" / "eval").glob("*.npy"))


@pytest.mark.same_on_any_database   # evaluation reads its files, not the catalog
def test_eval_errors_name_the_file(tmp_path, cli_env, shared):
    directory = _beir(tmp_path, shared, queries=3)
    (directory / "qrels" / "test.tsv").unlink()
    result = run_cli(cli_env, "eval", "beir", str(directory), "--mode", "lexical")
    assert result.returncode == 1 and "qrels/test.tsv: missing" in result.stderr
    (directory / "qrels" / "dev.tsv").write_text("query-id\tcorpus-id\tscore\n1\t2\n")
    result = run_cli(cli_env, "eval", "beir", str(directory), "--split", "dev", "--mode", "lexical")
    assert result.returncode == 1 and "dev.tsv:2: expected query-id, corpus-id, score" in result.stderr


def _csfcube(tmp_path, shared, queries: int):
    """A small CSFCube directory: the first judged query-facets, their query papers and judged pools."""
    source = shared / "csfcube"
    qrels = (source / "qrels" / "test.tsv").read_text().splitlines()
    header, rows = qrels[0], qrels[1:]
    chosen = list(dict.fromkeys(r.split("\t")[0] for r in rows))[:queries]
    kept = [r for r in rows if r.split("\t")[0] in chosen]
    wanted = {r.split("\t")[1] for r in kept} | {q.split("_")[0] for q in chosen}
    target = tmp_path / "csfcube"
    (target / "qrels").mkdir(parents=True)
    (target / "corpus.jsonl").write_text("\n".join(
        line for line in (source / "corpus.jsonl").read_text().splitlines() if json.loads(line)["_id"] in wanted))
    (target / "queries.jsonl").write_text("\n".join(
        line for line in (source / "queries.jsonl").read_text().splitlines() if json.loads(line)["_id"] in chosen))
    (target / "qrels" / "test.tsv").write_text("\n".join([header, *kept]) + "\n")
    grades = {}
    for row in kept:
        query, _, grade = row.split("\t")
        grades.setdefault(query, []).append(float(grade))
    return target, grades


def _worst_ndcg(grades: dict[str, list[float]], k: int = 20) -> float:
    """nDCG@k of every pool ranked worst first: what a ranking that knows nothing may fall to."""
    from papersift.search.metrics import ndcg_at

    scores = []
    for judged in grades.values():
        ids = [str(i) for i in range(len(judged))]
        relevance = dict(zip(ids, judged))
        scores.append(ndcg_at(sorted(ids, key=lambda i: relevance[i]), relevance, k))
    return sum(scores) / len(scores)


@pytest.mark.same_on_any_database   # evaluation reads its files, not the catalog
def test_eval_similar_prints_ndcg_for_each_mode(tmp_path, cli_env, shared):
    directory, grades = _csfcube(tmp_path, shared, queries=1)    # one pool of ~125 papers: ~15 CPU-s to embed
    cli_env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    worst = _worst_ndcg(grades)
    for mode in ("lexical", "dense", "hybrid"):
        result = run_cli(cli_env, "eval", "similar", str(directory), "--mode", mode, "--json")
        assert result.returncode == 0, result.stderr
        scores = json.loads(result.stdout)
        assert set(scores) == {"ndcg@20", "queries", "mode"} and (scores["queries"], scores["mode"]) == (1, mode)
        # Ranking each judged pool by similarity to its query paper beats ranking it worst first by a wide margin.
        assert worst + 0.2 < scores["ndcg@20"] <= 1.0, (mode, scores, worst)
    assert list((tmp_path / "cache" / "papersift" / "eval").glob("*.npy"))    # dense's corpus vectors, reused
    (directory / "queries.jsonl").unlink()
    missing = run_cli(cli_env, "eval", "similar", str(directory))
    assert missing.returncode == 1 and "queries.jsonl: missing" in missing.stderr
