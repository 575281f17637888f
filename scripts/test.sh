#!/usr/bin/env bash
# All of shishi's tests, on a fresh machine: makes sure what the tests drive is there, then runs
# the suite. It installs and starts PostgreSQL when it is missing or stopped (the storage tests
# run on SQLite and on PostgreSQL), and puts the Python tools the tests drive (aiosmtpd, a real
# SMTP server; schemathesis, the API fuzzer) into a virtual environment under target/.
# Arguments go to `cargo test`, e.g. `scripts/test.sh -p shishi-web`.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { echo "test.sh: $*"; }

# ---- PostgreSQL ----
export SHISHI_TEST_DATABASE_URL="${SHISHI_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
pg_ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
  say "PostgreSQL is missing or stopped and this user cannot install or start it; start it, or set SHISHI_TEST_DATABASE_URL to a server you can use" >&2; exit 1; fi; }

if ! pg_ready; then
  if ! command -v pg_isready >/dev/null 2>&1 || ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
    say "installing PostgreSQL (Debian packages)"
    export DEBIAN_FRONTEND=noninteractive
    as_root apt-get update -qq
    as_root apt-get install -y -qq postgresql >/dev/null
    fresh_install=1
  fi
  if ! pg_ready; then
    say "starting PostgreSQL"
    version="$(ls /etc/postgresql | sort -V | tail -n 1)"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
  fi
  if [ "${fresh_install:-0}" = 1 ]; then
    # A fresh Debian cluster asks for a password on TCP; give the test user one.
    as_root su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'shishi-test'\""
    export SHISHI_TEST_DATABASE_URL="postgres://postgres:shishi-test@127.0.0.1:5432/postgres"
  fi
fi
pg_ready || { say "PostgreSQL is not reachable at 127.0.0.1:5432" >&2; exit 1; }
psql "$SHISHI_TEST_DATABASE_URL" -qtc "SELECT 1" >/dev/null

# Test databases left by an interrupted earlier run.
for db in $(psql "$SHISHI_TEST_DATABASE_URL" -qtAc "SELECT datname FROM pg_database WHERE datname LIKE 'shishi_t_%'"); do
  psql "$SHISHI_TEST_DATABASE_URL" -qc "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null || true
done

# ---- Python tools the tests drive ----
# Pinned, in a virtual environment of the project's own (a Debian Python refuses system-wide
# pip installs, and nothing here should change the machine's Python).
venv="target/test-python"
requirements="scripts/test-requirements.txt"
stamp="$venv/.installed"
if [ ! -x "$venv/bin/python3" ]; then
  say "creating $venv"
  python3 -m venv "$venv" || { say "python3 -m venv failed: install python3-venv (Debian) and run again" >&2; exit 1; }
fi
if [ ! -f "$stamp" ] || ! cmp -s "$requirements" "$stamp"; then
  say "installing $(grep -v '^#' "$requirements" | tr '\n' ' ')"
  "$venv/bin/python3" -m pip install -q --disable-pip-version-check -r "$requirements"
  cp "$requirements" "$stamp"
fi
# The tests call `python3` and `schemathesis`: these are the environment's.
export PATH="$PWD/$venv/bin:$PATH"

# ---- the suite ----
exec cargo test --workspace "$@"
