#!/usr/bin/env bash
# The API fuzzer: schemathesis, driven by /api/v1/openapi.json, against a demo server on a fresh
# SQLite database, with the personal API token of several roles. Every operation of the document
# is run (none excluded) with at least FUZZ_EXAMPLES generated requests per role; the run fails on
# any 5xx answer, a dropped connection, an answer that does not conform to its declared schema, or
# a status code the document does not declare.
#
# Installs schemathesis (pinned) with pip into its own virtual environment when missing
# (FUZZ_VENV, default ~/.cache/jospar/fuzz-venv). Environment:
#   FUZZ_EXAMPLES  examples per operation and role (default 50)
#   FUZZ_WORKERS   concurrent workers (default 2)
#   FUZZ_ROLES     demo logins to fuzz as (default "admin planner economist.school5 auditor")
#   FUZZ_SEED      the generator's seed (default 1: every run sends the same requests)
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
examples=${FUZZ_EXAMPLES:-50}
workers=${FUZZ_WORKERS:-2}
roles=${FUZZ_ROLES:-"admin planner economist.school5 auditor"}
seed=${FUZZ_SEED:-1}

# Its own virtual environment, with the newest Python 3.12+ found: Python 3.11's ast module is not
# thread-safe (SystemError "AST constructor recursion depth mismatch" with several workers).
pick_python() {
  local candidate candidates=(python3.13 python3.12)
  if command -v pyenv >/dev/null 2>&1; then
    candidates+=("$(pyenv root)"/versions/3.13*/bin/python3 "$(pyenv root)"/versions/3.12*/bin/python3)
  fi
  for candidate in "${candidates[@]}"; do
    # A pyenv shim may exist and still refuse to run a version that is not selected.
    if "$candidate" -c 'import sys, venv; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then
      echo "$candidate"
      return
    fi
  done
  echo python3
}
python=$(pick_python)
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then
  echo "fuzz: $("$python" --version 2>&1) is older than 3.12: one worker" >&2
  workers=1
fi
venv=${FUZZ_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/jospar/fuzz-venv}
st="$venv/bin/schemathesis"
if [ ! -x "$st" ] || [ "$("$st" --version 2>/dev/null | awk '{print $NF}')" != "$SCHEMATHESIS_VERSION" ]; then
  echo "installing schemathesis $SCHEMATHESIS_VERSION into $venv"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# The binary as the integration tests build it (the test profile): after `cargo test` in
# scripts/test.sh there is nothing left to build, where `cargo build` would build it all again.
cargo test --locked --quiet --no-run -p jospar --test platform
target_dir=${CARGO_TARGET_DIR:-target}
bin="$(cd "$target_dir/debug" && pwd)/jospar"

work=$(mktemp -d)
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

export JOSPAR_LOG=${JOSPAR_LOG:-warn}
export JOSPAR_DATABASE_URL="sqlite:$work/demo.db"
"$bin" --config "$work/none.toml" demo --load-only >"$work/load.log" 2>&1 ||
  { cat "$work/load.log"; exit 1; }
declare -A tokens
for login in $roles; do
  tokens[$login]=$("$bin" --config "$work/none.toml" token create --login "$login" --name fuzz --days 30 | tail -n 1)
done
reader=${tokens[admin]:-${tokens[${roles%% *}]}}

# Each role is fuzzed on its own copy of the demo database by a server of its own: what one
# role's run changed (organisations moved, users blocked) does not decide what the next one sees.
start_server() {
  local db="$work/$1.db"
  cp "$work/demo.db" "$db"
  for suffix in -wal -shm; do [ -f "$work/demo.db$suffix" ] && cp "$work/demo.db$suffix" "$db$suffix"; done
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  JOSPAR_DATABASE_URL="sqlite:$db" "$bin" --config "$work/none.toml" demo --addr "127.0.0.1:$port" \
    >"$work/$1.log" 2>&1 &
  server=$!
  base="http://127.0.0.1:$port"
  for _ in $(seq 1 120); do
    curl -fsS "$base/healthz" >/dev/null 2>&1 && return
    kill -0 "$server" 2>/dev/null || { cat "$work/$1.log"; exit 1; }
    sleep 0.5
  done
  echo "the server did not start" >&2
  exit 1
}
stop_server() {
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
}

identity='^(delete_tokens_id|delete_users_id_grants_grant|patch_users_id|patch_orgs_id)$'
failed=()
total=0
for login in $roles; do
  start_server "$login"
  # Read from a file, not from the server: schemathesis skips an operation that serves the schema
  # it was loaded from, and /api/v1/openapi.json is an operation to fuzz like the others.
  curl -fsS "$base/api/v1/openapi.json" -o "$work/openapi.json"
  FUZZ_LOGINS="$roles" python3 scripts/fuzz-examples.py "$base" "$reader" "$work/openapi.json"
  echo "== fuzzing /api/v1 as $login: $examples examples per operation"
  # Two passes over all the operations: the ones that can sign the fuzzer out (revoking its token
  # or a grant, moving or blocking its user or organisation; schemathesis reuses the ids it reads
  # in answers) run last, so that they do not turn the rest of the run into 401s.
  for pass in main identity; do
    if [ "$pass" = main ]; then filter=(--exclude-operation-id-regex "$identity"); else
      filter=(--include-operation-id-regex "$identity"); fi
    if ! (cd "$work" && "$st" --no-color run "$work/openapi.json" \
      --url "$base" \
      --header "Authorization: Bearer ${tokens[$login]}" \
      "${filter[@]}" \
      --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
      --phases examples,coverage,fuzzing \
      --max-examples "$examples" \
      --seed "$seed" \
      --suppress-health-check all \
      --request-timeout 30 \
      --workers "$workers" \
      --continue-on-failure \
      --warnings off \
      --generation-database none \
      --report junit --report-junit-path "$work/$login-$pass.xml") | tee "$work/$login-$pass.out"; then
      failed+=("$login")
    fi
    cases=$(grep -Eo '[0-9]+ generated' "$work/$login-$pass.out" | awk '{s+=$1} END {print s+0}')
    total=$((total + cases))
  done
  if ! kill -0 "$server" 2>/dev/null; then
    echo "the server stopped while fuzzing as $login" >&2
    tail -n 50 "$work/$login.log" >&2
    failed+=("server")
  fi
  stop_server
  # A handler that panicked dropped its connection: a failure even if schemathesis retried it.
  if grep -q 'panicked' "$work/$login.log"; then
    echo "the server panicked while fuzzing as $login:" >&2
    grep -A3 'panicked' "$work/$login.log" | head -n 40 >&2
    failed+=("server")
  fi
done

operations=$(python3 -c 'import json,sys; print(sum(len(v) for v in json.load(open(sys.argv[1]))["paths"].values()))' "$work/openapi.json")
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: $total test cases over $operations operations; failures as ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: $total test cases over $operations operations as $roles, no server error, every answer as declared"
