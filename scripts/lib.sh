# Shared by scripts/serve and scripts/test: find a Python, make .venv, install papersift into it.
# Django 6 needs Python >= 3.12: the first working 3.12 (on PATH, then pyenv's), else a newer one, is used,
# else python3 (3.11 installs Django 5.2 LTS, which papersift also supports).

usable() {  # a Python that really runs (pyenv shims exist for versions that are not selected) and is >= 3.12
  "$1" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1
}

find_python() {
  local candidate root="${PYENV_ROOT:-$HOME/.pyenv}"
  # 3.12 first: it is what the suite is run on; then newer ones.
  for candidate in python3.12 $(ls -d "$root"/versions/3.12* 2>/dev/null | sort -V -r | sed 's|$|/bin/python3|') \
                   python3.13 python3.14 $(ls -d "$root"/versions/3.1[3-9]* 2>/dev/null | sort -V -r | sed 's|$|/bin/python3|'); do
    if usable "$candidate"; then command -v "$candidate" || echo "$candidate"; return; fi
  done
  command -v python3
}

installed_fingerprint() {  # what the install in .venv was made from: pyproject.toml, the extras, the Python
  .venv/bin/python - "$1" <<'PY'
import hashlib, sys
digest = hashlib.sha256(open("pyproject.toml", "rb").read())
digest.update(f"\0{sys.argv[1]}\0{sys.version}".encode())
print(digest.hexdigest())
PY
}

install_is_current() {  # $1: extras. The stamp matches and papersift is importable from this checkout
  local stamp=".venv/.papersift-install${1:+-$1}"
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$(installed_fingerprint "$1")" ] && [ -x .venv/bin/papersift ] &&
    .venv/bin/python -c 'import os, sys, papersift
sys.exit(os.path.realpath(papersift.__file__) != os.path.realpath("src/papersift/__init__.py"))' 2>/dev/null
}

ensure_venv() {  # $1: extras, e.g. "test" or "". Installs only when pyproject.toml, the extras or Python changed.
  local python extras="${1:-}" stamp
  stamp=".venv/.papersift-install${extras:+-$extras}"
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    python="$(find_python)"
    echo "papersift: making a virtual environment in .venv with $("$python" --version 2>&1) ($python)" >&2
    rm -rf .venv
    "$python" -m venv .venv || return 1
    .venv/bin/python -m pip install --quiet --upgrade pip >&2 || return 1
  fi
  # The test extras include everything the plain install has, so their stamp also serves `scripts/serve`.
  if install_is_current "$extras" || { [ -z "$extras" ] && install_is_current test; }; then
    return 0
  fi
  rm -f .venv/.papersift-install*
  echo "papersift: installing papersift${extras:+ with its $extras extras} and its dependencies into .venv" \
       "(first run or pyproject.toml changed; a minute or two)..." >&2
  .venv/bin/python -m pip install -e ".${extras:+[$extras]}" >&2 || return 1
  installed_fingerprint "$extras" >"$stamp"
  echo "papersift: installed; later starts skip this step until pyproject.toml changes" >&2
}

ensure_postgres() {  # Debian's PostgreSQL server binaries for the PostgreSQL half of the test suite
  if command -v pg_ctl >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then return; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing PostgreSQL (Debian package postgresql)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  else
    echo "PostgreSQL server binaries not found and cannot install them (need root and apt-get)" >&2
  fi
}

ensure_chromium() {  # Debian's Chromium for the browser tests (Playwright drives it; no browser download)
  if [ -x /usr/bin/chromium ] || command -v chromium >/dev/null 2>&1; then return; fi
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "installing Chromium (Debian package chromium)" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Chromium not found and cannot install it (need root and apt-get)" >&2
  fi
}
