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

ensure_venv() {  # $1: extras, e.g. "test" or ""
  local python extras="${1:-}"
  python="$(find_python)"
  if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    rm -rf .venv
    "$python" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
  fi
  if [ -n "$extras" ]; then
    .venv/bin/python -m pip install --quiet -e ".[$extras]"
  else
    .venv/bin/python -m pip install --quiet -e .
  fi
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
