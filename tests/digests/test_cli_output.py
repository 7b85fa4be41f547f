"""What the digest commands print: `digest preview` writes where it says (a temporary directory by default,
never the working directory; stdout with `--output -`), and `digest status` reads as lines, not Python dicts."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from papersift.digests.models import Subscription
from papersift.ingest.sample import load_sample
from tests.digests.conftest import paper_ids, papersift

NOW = "2026-08-20T08:00Z"


@pytest.fixture
def subscribed(worker_env):
    assert load_sample(only_if_empty=True).error_count == 0
    Subscription.objects.create(email="ann@example.org", status="active", trending_top=4)
    Subscription.objects.create(email="ann@example.org", status="pending", frequency="weekly", trending_top=2)
    return worker_env


def run(env: dict, *args: str, cwd: Path) -> tuple[str, str]:
    proc = papersift(env, *args, cwd=cwd)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    return out, err


def test_preview_writes_into_a_temporary_directory_it_names_not_the_working_directory(subscribed, tmp_path):
    work, temporary = tmp_path / "work", tmp_path / "tmp"
    work.mkdir()
    temporary.mkdir()
    out, _ = run({**subscribed, "TMPDIR": str(temporary)}, "digest", "preview", "--to", "ann@example.org",
                 "--now", NOW, cwd=work)
    assert list(work.iterdir()) == []
    written = [Path(path) for path in re.findall(r"^(/\S+\.html): ", out, re.MULTILINE)]
    assert len(written) == 2 and all(path.is_file() for path in written), out
    assert written[0].parent.parent == temporary and written[0].parent.name.startswith("papersift-preview-")
    assert f"previews written to {written[0].parent}" in out
    assert "Your papers for Thursday 20 August 2026: 4 new papers" in out
    assert len(paper_ids(written[0].read_text())) == 4


def test_preview_to_stdout_with_output_dash(subscribed, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    out, err = run(subscribed, "digest", "preview", "--to", "ann@example.org", "--now", NOW, "--output", "-",
                   cwd=work)
    assert out.count("<html") == 2 and out.lstrip().lower().startswith("<!doctype html")
    assert "Your papers for Thursday 20 August 2026: 4 new papers" in err
    assert list(work.iterdir()) == []


def test_preview_to_a_named_file(subscribed, tmp_path):
    out, _ = run(subscribed, "digest", "preview", "--to", "ann@example.org", "--now", NOW,
                 "--output", str(tmp_path / "p.html"), cwd=tmp_path)
    assert (tmp_path / "p.html").is_file() and (tmp_path / "p-2.html").is_file()
    assert f"{tmp_path / 'p.html'}: " in out


def test_status_prints_readable_lines_and_json_on_request(subscribed, tmp_path):
    out, _ = run(subscribed, "digest", "status", cwd=tmp_path)
    assert "{" not in out and "}" not in out and "'" not in out, out
    assert out.splitlines() == [
        "subscriptions:",
        "  active daily: 1",
        "  pending weekly: 1",
        "digests_last_7_days: none",
        "papers_sent: 0",
    ]
    out, _ = run(subscribed, "digest", "status", "--json", cwd=tmp_path)
    assert json.loads(out) == {"subscriptions": {"active daily": 1, "pending weekly": 1},
                               "digests_last_7_days": {}, "papers_sent": 0}
