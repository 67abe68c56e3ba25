#!/usr/bin/env bash
# The whole test suite of Jospar: unit, storage and API tests on SQLite and PostgreSQL, the
# authorisation matrix, the browser test in headless Chromium, then the parser fuzzer
# (scripts/fuzz-parsers.sh) and the API fuzzer (scripts/fuzz-api.sh).
#
# Installs what it needs when missing (Debian): chromium, chromium-driver, the PostgreSQL
# client, and — outside CI, when nothing listens on 127.0.0.1:5432 — a local PostgreSQL.
# In CI (CI=true) PostgreSQL must already run on 127.0.0.1:5432 (user postgres, trust auth).
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
apt_updated=no
apt_install() {
  if [ "$apt_updated" = no ]; then as_root apt-get update -qq; apt_updated=yes; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -x /usr/bin/chromedriver ] || missing+=(chromium-driver)
command -v pg_dump >/dev/null 2>&1 || missing+=(postgresql-client)
command -v pg_isready >/dev/null 2>&1 || missing+=(postgresql-client)
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt_install "${missing[@]}"
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if [ "${CI:-}" = "true" ]; then
    echo "PostgreSQL is not reachable on 127.0.0.1:5432; the PostgreSQL tests must run in CI" >&2
    exit 1
  fi
  echo "no PostgreSQL on 127.0.0.1:5432: installing a local one for the tests"
  apt_install postgresql
  cluster=$(ls /etc/postgresql | head -n 1)
  as_root pg_ctlcluster --skip-systemctl-redirect "$cluster" main start || true
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  as_root su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'jospar-test'\""
  export JOSPAR_TEST_PG="postgres://postgres:jospar-test@127.0.0.1:5432/postgres"
fi

cargo test --locked --workspace --all-targets

# The parser fuzzer: each cargo-fuzz target of fuzz/ for 30 s (longer: scripts/fuzz-parsers.sh SECONDS).
bash scripts/fuzz-parsers.sh

# The API fuzzer: schemathesis against a demo server, every operation, several roles.
bash scripts/fuzz-api.sh
