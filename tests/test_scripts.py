"""`scripts/lib.sh`'s `ensure_venv`, which `scripts/serve` and `scripts/test` call on every start: it installs into
`.venv` (saying so, with pip's progress) only when `pyproject.toml`, the extras or the Python changed, or the
install is broken, and otherwise starts at once.

Run with a real pip on a stand-in project (a package named papersift with no dependencies), so a reinstall takes
seconds instead of the real project's minutes.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import REPO

PYPROJECT = """\
[build-system]
requires = ["setuptools>=69"]
build-backend = "setuptools.build_meta"

[project]
name = "papersift"
version = "{version}"

[project.scripts]
papersift = "papersift:main"
"""


def ensure_venv(project: Path, extras: str = "") -> subprocess.CompletedProcess:
    script = f'. "{REPO / "scripts" / "lib.sh"}" && ensure_venv "{extras}"'
    return subprocess.run(["bash", "-c", script], cwd=project, capture_output=True, text=True, timeout=600)


def installed_version(project: Path) -> str:
    return subprocess.run([str(project / ".venv" / "bin" / "papersift")], capture_output=True, text=True,
                          check=True).stdout.strip()


def test_ensure_venv_installs_once_and_again_only_when_pyproject_or_the_install_changed(tmp_path):
    project = tmp_path / "checkout"
    (project / "src" / "papersift").mkdir(parents=True)
    (project / "pyproject.toml").write_text(PYPROJECT.format(version="0.0.1"))
    (project / "src" / "papersift" / "__init__.py").write_text(textwrap.dedent("""\
        from importlib.metadata import version
        def main():
            print(version("papersift"))
    """))
    # An existing environment (making one is the unchanged part of ensure_venv, and upgrading its pip is slow).
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", str(project / ".venv")],
                   check=True, timeout=300)

    first = ensure_venv(project)
    assert first.returncode == 0, first.stderr
    assert "papersift: installing papersift and its dependencies into .venv" in first.stderr
    assert "Successfully installed papersift-0.0.1" in first.stderr      # pip's own progress is shown
    assert first.stdout == ""                                               # stdout stays the command's own
    assert installed_version(project) == "0.0.1"

    again = ensure_venv(project)
    assert again.returncode == 0 and again.stdout == again.stderr == "", again.stderr   # no pip run at all

    (project / "pyproject.toml").write_text(PYPROJECT.format(version="0.0.2"))
    changed = ensure_venv(project)
    assert changed.returncode == 0 and "Successfully installed papersift-0.0.2" in changed.stderr, changed.stderr
    assert installed_version(project) == "0.0.2"
    assert ensure_venv(project).stderr == ""

    # The stamp alone is not trusted: an install that no longer imports from this checkout is redone.
    site = next((project / ".venv" / "lib").glob("python*/site-packages"))
    for entry in site.glob("__editable__*papersift*"):
        entry.unlink()
    broken = ensure_venv(project)
    assert broken.returncode == 0 and "Successfully installed papersift-0.0.2" in broken.stderr, broken.stderr
    assert installed_version(project) == "0.0.2"


def test_a_failed_install_leaves_no_stamp_so_the_next_start_tries_again(tmp_path):
    project = tmp_path / "checkout"
    (project / "src" / "papersift").mkdir(parents=True)
    (project / "src" / "papersift" / "__init__.py").write_text("def main():\n    pass\n")
    (project / "pyproject.toml").write_text(PYPROJECT.format(version="0.0.1"))
    subprocess.run([getattr(sys, "_base_executable", sys.executable), "-m", "venv", "--without-pip",
                    str(project / ".venv")], check=True, timeout=300)

    failed = ensure_venv(project)          # no pip in this environment: the install cannot succeed
    assert failed.returncode != 0
    assert not list((project / ".venv").glob(".papersift-install*"))
    assert "papersift: installing" in ensure_venv(project).stderr
