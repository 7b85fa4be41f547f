# Shared by scripts/serve and scripts/test: find a Python, make .venv, install papersift into it.
# Django 6 needs Python >= 3.12: the newest Python >= 3.12 found is used (python3.13/3.12 on PATH, then pyenv's),
# else python3 (3.11 installs Django 5.2 LTS, which papersift also supports).

find_python() {
  local candidate
  for candidate in python3.14 python3.13 python3.12; do
    if command -v "$candidate" >/dev/null 2>&1; then command -v "$candidate"; return; fi
  done
  local root="${PYENV_ROOT:-$HOME/.pyenv}"
  for candidate in $(ls -d "$root"/versions/3.1[2-9]* 2>/dev/null | sort -V -r); do
    if [ -x "$candidate/bin/python3" ]; then echo "$candidate/bin/python3"; return; fi
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
