"""`papersift recommend` and `papersift eval recommend`, run as a user runs them (the installed console script)."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_cli


@pytest.fixture
def sample_env(cli_env):
    done = run_cli(cli_env, "load-sample")
    assert done.returncode == 0, done.stderr
    return cli_env


def test_recommend_for_seeds_names_a_seed_in_every_reason_and_never_returns_a_seed(sample_env):
    done = run_cli(sample_env, "recommend", "--seeds", "2607.00394,2608.15008", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["method"] == "profile-lexical" and "no embeddings" in out["signal"]    # before vectors exist
    ids = [r["id"] for r in out["results"]]
    assert len(ids) == 10 and not {"2607.00394", "2608.15008"} & set(ids)
    scores = [r["score"] for r in out["results"]]
    assert scores == sorted(scores, reverse=True)
    for result in out["results"]:
        assert result["title"] and any(r["kind"] == "seed" and r["arxivId"] in {"2607.00394", "2608.15008"}
                                       for r in result["reasons"])


def test_recommend_text_output_and_bad_arguments(sample_env):
    done = run_cli(sample_env, "recommend", "--seeds", "2608.15008", "--since", "2026-08-01", "--limit", "3")
    assert done.returncode == 0 and done.stdout.count("why: like") == 3
    assert "ranked by your papers' words" in done.stderr
    both = run_cli(sample_env, "recommend", "--user", "x", "--seeds", "2608.15008")
    assert both.returncode == 2 and "exactly one of --user NAME and --seeds" in both.stderr
    assert "no account named 'nobody'" in run_cli(sample_env, "recommend", "--user", "nobody").stderr
    assert "not arXiv ids: banana" in run_cli(sample_env, "recommend", "--seeds", "banana").stderr
    assert "--since" in run_cli(sample_env, "recommend", "--seeds", "2608.15008", "--since", "soon").stderr
    unknown = run_cli(sample_env, "recommend", "--seeds", "1111.11111")
    assert unknown.returncode == 1 and "none of the seeds is in the catalog" in unknown.stderr


def _benchmark(directory, users: list[dict], corpus: list[dict]) -> None:
    directory.mkdir()
    (directory / "corpus.jsonl").write_text("".join(json.dumps(p) + "\n" for p in corpus))
    (directory / "users.jsonl").write_text("".join(json.dumps(u) + "\n" for u in users))


def test_eval_recommend_on_any_directory_of_the_layout(cli_env, tmp_path):
    topics = {"graph": "graph neural networks message passing node", "speech": "speech recognition acoustic audio",
              "protein": "protein folding structure amino acid"}
    corpus = []
    for day in range(1, 21):
        for topic, words in topics.items():
            corpus.append({"id": f"2601.{day:03d}{len(corpus):02d}", "title": f"{topic} study {day}",
                           "abstract": f"{words} {words.split()[day % 4]} results {day}", "date": f"2026-01-{day:02d}"})
    users = [{"user": topic, "seeds": [p["id"] for p in corpus[:30] if p["title"].startswith(topic)],
              "window": ["2026-01-11", "2026-01-21"],
              "relevant": [p["id"] for p in corpus[30:] if p["title"].startswith(topic)]} for topic in topics]
    _benchmark(tmp_path / "toy", users, corpus)
    done = run_cli(cli_env, "eval", "recommend", str(tmp_path / "toy"), "--method", "profile-lexical", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["users"] == 3 and out["ndcg@10"] > 0.9 and out["method"] == "profile-lexical"
    assert set(out["baselines"]) == {"random", "tfidf-svm"}               # no upvotes in this corpus: no popular
    assert out["baselines"]["random"]["ndcg@10"] < out["ndcg@10"]
    text = run_cli(cli_env, "eval", "recommend", str(tmp_path / "toy"), "--method", "centroid-tfidf",
                   "--no-baselines")
    assert text.returncode == 0 and text.stdout.startswith("centroid-tfidf")


@pytest.mark.parametrize("users, corpus, says", [
    ("", '{"id": "1", "title": "t", "date": "2026-01-01"}\n', "users.jsonl: no users"),
    ('{"user": "a", "seeds": "x", "window": ["2026-01-01", "2026-01-02"], "relevant": []}\n',
     '{"id": "1", "title": "t", "date": "2026-01-01"}\n', "users.jsonl:1: 'seeds' and 'relevant' must be lists"),
    ('{"user": "a", "seeds": [], "window": ["2026-01-01", "2026-01-02"], "relevant": []}\n',
     '{"id": "1", "title": "t", "date": "January"}\n', "corpus.jsonl:1: date 'January' is not a date"),
    ('{"user": "a"}\n', '{"id": "1", "title": "t", "date": "2026-01-01"}\n{oops\n', "corpus.jsonl:2: not JSON"),
])
def test_eval_recommend_names_the_file_line_and_field_of_bad_input(cli_env, tmp_path, users, corpus, says):
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "users.jsonl").write_text(users)
    (tmp_path / "bad" / "corpus.jsonl").write_text(corpus)
    done = run_cli(cli_env, "eval", "recommend", str(tmp_path / "bad"), "--method", "random")
    assert done.returncode == 1 and says in done.stderr, done.stderr
    assert "--method" in run_cli(cli_env, "eval", "recommend", str(tmp_path / "bad"), "--method", "magic").stderr
