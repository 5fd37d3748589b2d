#!/usr/bin/env bash
# Runs every test of jiujinan: Rust unit/integration tests against a throwaway
# PostgreSQL cluster, then the browser (Playwright) test against the built
# server binary.
#
#   bash scripts/test.sh
#
# Meant for a Debian 12 machine, run as root: missing Debian packages
# (postgresql, chromium, sqlite3, a CJK font, nodejs/npm) are installed with
# apt-get, only when missing. As a non-root user it uses sudo for that if it
# can, and otherwise asks you to install them.
#
# The PostgreSQL cluster is private to this run (temporary directory, free
# port on 127.0.0.1, trust auth) and is stopped and deleted on exit. It serves
# TLS (ssl=on) with a certificate for 127.0.0.1 signed by a throwaway CA made
# with openssl at start; clients may connect with or without TLS. A system
# PostgreSQL service, if any, is neither used nor touched.
#
# Environment:
#   CARGO_TARGET_DIR        cargo's target dir (default <repo>/target)
#   CHROMIUM                chromium executable (default /usr/bin/chromium)
#   JIUJINAN_TEST_ONLY_PG=1 only start PostgreSQL, run `select version()`
#                           against it and exit (checks this script's PG part)
#
# Exported to the tests:
#   JIUJINAN_TEST_PG_URL=postgres://postgres@127.0.0.1:<port>/postgres
#   JIUJINAN_TEST_PG_TLS_URL=<the same>?sslmode=verify-full&sslrootcert=<CA file>
#   JIUJINAN_TEST_PG_TLS_CA=<CA file>  (the CA that signed the cluster's certificate)
#   JIUJINAN_TEST_PG_TLS_WRONG_CA=<CA file>  (an unrelated CA: verify-full must refuse it)
#   JIUJINAN_REQUIRE_PG=1
#   JIUJINAN_ALLOW_UNSAFE_DURABILITY=true  (the cluster runs with fsync=off)
#   JIUJINAN_BIN=<target dir>/debug/jiujinan   (browser test only)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ONLY_PG="${JIUJINAN_TEST_ONLY_PG:-0}"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
export CHROMIUM
CURRENT_STAGE="setup"
FAILED_STAGES=()
PASSED_STAGES=()
PG_TMP=""
PG_BIN=""
PG_STARTED=0

log() { printf '\n==> [%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
warn() { printf '==> WARNING: %s\n' "$*" >&2; }
DIED=0
die() {
  DIED=1
  printf '\n==> FAILED in stage "%s": %s\n' "$CURRENT_STAGE" "$*" >&2
  exit 1
}

is_root() { [ "$(id -u)" -eq 0 ]; }

as_root() {
  if is_root; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root to run: $* (re-run as root, or install the packages yourself)"
  fi
}

# Run a command as the `postgres` OS user (PostgreSQL refuses to run as root).
# As a non-root user, run it as ourselves.
as_pg() {
  if is_root; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

cleanup() {
  local rc=$?
  set +e
  if [ "$PG_STARTED" = 1 ] && [ -n "$PG_BIN" ]; then
    (cd / && as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" stop -m immediate -w >/dev/null 2>&1)
  fi
  if [ -n "$PG_TMP" ] && [ -d "$PG_TMP" ]; then
    rm -rf "$PG_TMP"
  fi
  if [ "$rc" -ne 0 ] && [ "$DIED" = 0 ] && [ "${#FAILED_STAGES[@]}" -eq 0 ]; then
    printf '\n==> FAILED in stage "%s" (exit code %s)\n' "$CURRENT_STAGE" "$rc" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- install

pg_bin_dir() {
  local d
  # shellcheck disable=SC2012  # version dirs are plain numbers
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
  if [ -n "$d" ] && [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
    printf '%s\n' "$d"
  fi
}

has_cjk_font() {
  command -v fc-list >/dev/null 2>&1 && [ -n "$(fc-list :lang=zh 2>/dev/null | head -1)" ]
}

install_missing() {
  CURRENT_STAGE="install"
  local pkgs=()
  [ -n "$(pg_bin_dir)" ] || pkgs+=(postgresql)
  # The throwaway cluster's TLS certificates are made with the openssl command.
  command -v openssl >/dev/null 2>&1 || pkgs+=(openssl)
  if [ "$ONLY_PG" != 1 ]; then
    [ -x "$CHROMIUM" ] || command -v chromium >/dev/null 2>&1 || pkgs+=(chromium)
    command -v sqlite3 >/dev/null 2>&1 || pkgs+=(sqlite3)
    command -v curl >/dev/null 2>&1 || pkgs+=(curl)
    # The API fuzzing stage installs schemathesis into a virtual environment.
    python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || pkgs+=(python3-venv)
    # Screenshots of a Chinese UI need a CJK font (else every glyph is a box).
    has_cjk_font || pkgs+=(fonts-wqy-microhei)
    if ! command -v node >/dev/null 2>&1; then
      pkgs+=(nodejs npm)
    elif ! command -v npm >/dev/null 2>&1; then
      pkgs+=(npm)
    fi
  fi
  if [ "${#pkgs[@]}" -eq 0 ]; then
    log "install: nothing missing"
    return 0
  fi
  log "install: ${pkgs[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${pkgs[@]}"
  if [ ! -x "$CHROMIUM" ] && [ "$ONLY_PG" != 1 ]; then
    CHROMIUM="$(command -v chromium || true)"
    export CHROMIUM
  fi
}

# --------------------------------------------------------------- postgres

free_port() {
  if command -v python3 >/dev/null 2>&1 &&
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()' 2>/dev/null; then
    return 0
  fi
  if command -v node >/dev/null 2>&1 &&
    node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })' 2>/dev/null; then
    return 0
  fi
  # Last resort: a random high port that nothing answers on.
  local p
  for _ in $(seq 1 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      printf '%s\n' "$p"
      return 0
    fi
  done
  return 1
}

# make_tls_certs DIR: a throwaway CA, a server certificate for 127.0.0.1 signed by it
# (server.crt, server.key), and a second, unrelated CA (wrong-ca.crt) that must not be
# trusted. EC P-256 keys, valid for two days: they live as long as this run.
make_tls_certs() {
  local dir="$1" ext
  mkdir -p "$dir"
  ext="$dir/server.ext"
  printf '%s\n' 'subjectAltName=IP:127.0.0.1' 'basicConstraints=critical,CA:FALSE' \
    'keyUsage=critical,digitalSignature' 'extendedKeyUsage=serverAuth' >"$ext"
  (
    cd "$dir" &&
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj '/CN=jiujinan test CA' -keyout ca.key -out ca.crt &&
      openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
        -subj '/CN=jiujinan test CA' -keyout wrong-ca.key -out wrong-ca.crt &&
      openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
        -subj '/CN=127.0.0.1' -keyout server.key -out server.csr &&
      openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 \
        -extfile "$ext" -out server.crt
  ) >"$dir/openssl.log" 2>&1 || {
    cat "$dir/openssl.log" >&2
    return 1
  }
  rm -f "$dir/ca.key" "$dir/wrong-ca.key" "$dir/server.csr"
  # PostgreSQL reads the key only if its own user owns it and nobody else may read it.
  chmod 600 "$dir/server.key"
  if is_root; then chown postgres: "$dir/server.key"; fi
  chmod 755 "$dir"
  chmod 644 "$dir/ca.crt" "$dir/wrong-ca.crt" "$dir/server.crt"
}

start_postgres() {
  CURRENT_STAGE="postgres"
  PG_BIN="$(pg_bin_dir)"
  [ -n "$PG_BIN" ] || die "no PostgreSQL server binaries under /usr/lib/postgresql/*/bin"
  log "postgres: using $PG_BIN ($("$PG_BIN/postgres" --version))"

  if is_root && ! id -u postgres >/dev/null 2>&1; then
    log "postgres: creating the postgres OS user"
    useradd --system --user-group --no-create-home --home-dir /var/lib/postgresql \
      --shell /bin/sh postgres
  fi

  # Short path under /tmp: the socket path must stay under ~100 bytes, and the
  # postgres user must be able to reach it.
  PG_TMP="$(mktemp -d /tmp/jiujinan-pg.XXXXXX)"
  if is_root; then chown postgres: "$PG_TMP"; fi
  chmod 700 "$PG_TMP"

  # Run from a directory the postgres user can read.
  if ! (cd "$PG_TMP" && as_pg "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$PG_TMP/initdb.log" 2>&1); then
    warn "initdb with --locale=C.UTF-8 failed; retrying with --locale=C"
    rm -rf "$PG_TMP/data"
    if ! (cd "$PG_TMP" && as_pg "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres --auth=trust \
      --encoding=UTF8 --locale=C >"$PG_TMP/initdb.log" 2>&1); then
      cat "$PG_TMP/initdb.log" >&2
      die "initdb failed"
    fi
  fi

  command -v openssl >/dev/null 2>&1 || die "openssl is missing (apt-get install openssl)"
  make_tls_certs "$PG_TMP/tls" || die "could not make the TLS certificates"

  local port attempt
  for attempt in 1 2 3; do
    port="$(free_port)" || die "could not find a free TCP port"
    if (cd "$PG_TMP" && as_pg "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/log" -w -t 60 \
      -o "-p $port -k $PG_TMP -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200 -c ssl=on -c ssl_cert_file=$PG_TMP/tls/server.crt -c ssl_key_file=$PG_TMP/tls/server.key" \
      start >/dev/null); then
      PG_STARTED=1
      break
    fi
    warn "PostgreSQL did not start on port $port (attempt $attempt); server log:"
    tail -n 20 "$PG_TMP/log" >&2 || true
  done
  [ "$PG_STARTED" = 1 ] || die "could not start PostgreSQL"

  export JIUJINAN_TEST_PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
  export JIUJINAN_TEST_PG_TLS_CA="$PG_TMP/tls/ca.crt"
  export JIUJINAN_TEST_PG_TLS_WRONG_CA="$PG_TMP/tls/wrong-ca.crt"
  export JIUJINAN_TEST_PG_TLS_URL="$JIUJINAN_TEST_PG_URL?sslmode=verify-full&sslrootcert=$JIUJINAN_TEST_PG_TLS_CA"
  export JIUJINAN_REQUIRE_PG=1
  # This throwaway cluster runs with fsync off for speed (synchronous_commit stays on, so a
  # test can turn it off for one database and see it refused), which `serve` and `supervise` refuse
  # on a real database; the servers the tests start accept it with a warning. (The refusal
  # itself is tested with its own database, cli tests durability.rs.)
  export JIUJINAN_ALLOW_UNSAFE_DURABILITY=true
  log "postgres: running at $JIUJINAN_TEST_PG_URL (data in $PG_TMP); over TLS: $JIUJINAN_TEST_PG_TLS_URL"
}

# ------------------------------------------------------------------ stages

# run_stage NAME COMMAND...: runs a stage, records pass/fail, never exits.
run_stage() {
  local name="$1"
  shift
  CURRENT_STAGE="$name"
  log "stage $name: start"
  local rc=0
  "$@" || rc=$?
  if [ "$rc" -eq 0 ]; then
    PASSED_STAGES+=("$name")
    log "stage $name: OK"
  else
    FAILED_STAGES+=("$name")
    printf '\n==> stage %s: FAILED (exit code %s)\n' "$name" "$rc" >&2
  fi
  return 0
}

stage_failed() {
  local s
  for s in "${FAILED_STAGES[@]+"${FAILED_STAGES[@]}"}"; do
    [ "$s" = "$1" ] && return 0
  done
  return 1
}

ensure_cargo() {
  if ! command -v cargo >/dev/null 2>&1 && [ -x "$HOME/.cargo/bin/cargo" ]; then
    export PATH="$HOME/.cargo/bin:$PATH"
  fi
  command -v cargo >/dev/null 2>&1 || die "cargo not found (install the Rust toolchain with rustup)"
}

target_dir() {
  local t="${CARGO_TARGET_DIR:-$ROOT/target}"
  case "$t" in
    /*) ;;
    *) t="$ROOT/$t" ;;
  esac
  printf '%s\n' "$t"
}

use_nextest() { cargo nextest --version >/dev/null 2>&1; }

build_server() {
  cargo build --locked --bin jiujinan
}

rust_tests() {
  # The snapshot tests compare with the committed files; this run never rewrites them.
  unset UPDATE_SNAPSHOTS
  # Each PostgreSQL test writes "ran" or "skipped" here; a run where none reached PostgreSQL,
  # or any skipped, fails (the tests themselves also fail under JIUJINAN_REQUIRE_PG=1).
  export JIUJINAN_PG_TEST_LOG="$(target_dir)/pg-tests.log"
  : >"$JIUJINAN_PG_TEST_LOG"
  local rc=0
  if use_nextest; then
    log "running Rust tests with $(cargo nextest --version 2>/dev/null | head -1)"
    cargo nextest run --locked --workspace --no-fail-fast || rc=$?
  else
    log "cargo-nextest not found; running Rust tests with cargo test"
    cargo test --locked --workspace --no-fail-fast || rc=$?
  fi
  local ran skipped
  # One line per database a test asked for: count the tests, not their databases.
  ran="$(grep '^ran ' "$JIUJINAN_PG_TEST_LOG" | sort -u | wc -l)"
  skipped="$(grep '^skipped ' "$JIUJINAN_PG_TEST_LOG" | sort -u | wc -l)"
  log "PostgreSQL tests: $ran ran on a fresh database, $skipped skipped"
  if [ "$ran" -eq 0 ] || [ "$skipped" -ne 0 ]; then
    log "error: every PostgreSQL test must run against the server this script started"
    return 1
  fi
  return "$rc"
}

# nextest does not run doctests; cargo test --doc does (cargo test already did).
rust_doctests() {
  cargo test --locked --workspace --doc --no-fail-fast
}

e2e_deps() {
  local stamp="node_modules/.jiujinan-deps.sha256" want
  want="$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)"
  if [ -d node_modules ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    return 0
  fi
  log "e2e: installing npm dependencies"
  npm ci --no-audit --no-fund || npm install --no-audit --no-fund || return 1
  printf '%s\n' "$want" >"$stamp"
}

browser_tests() {
  local bin node_major
  node_major="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$node_major" -lt 20 ]; then
    warn "Node.js $(node --version 2>/dev/null || echo '(none)') is older than 20, which playwright-core needs"
  fi
  bin="$(target_dir)/debug/jiujinan"
  [ -x "$bin" ] || {
    echo "server binary not found at $bin" >&2
    return 1
  }
  (
    cd "$ROOT/e2e" &&
      e2e_deps &&
      JIUJINAN_BIN="$bin" CHROMIUM="$CHROMIUM" node --test --test-reporter=spec tests/
  )
}

# The JSON API fuzzed by schemathesis (scripts/api-fuzz.sh) on a fresh SQLite file and on a
# fresh database of the throwaway PostgreSQL cluster.
api_fuzz() {
  local bin dir rc=0 pg_url
  bin="$(target_dir)/debug/jiujinan"
  dir="$(mktemp -d)"
  bash "$ROOT/scripts/api-fuzz.sh" "$bin" "sqlite://$dir/fuzz.db" || rc=1
  rm -rf "$dir"
  pg_url="${JIUJINAN_TEST_PG_URL%/*}/jjn_api_fuzz"
  "$PG_BIN/psql" "$JIUJINAN_TEST_PG_URL" -q -v ON_ERROR_STOP=1 -c 'DROP DATABASE IF EXISTS jjn_api_fuzz' \
    -c 'CREATE DATABASE jjn_api_fuzz' || return 1
  bash "$ROOT/scripts/api-fuzz.sh" "$bin" "$pg_url" || rc=1
  return "$rc"
}

# -------------------------------------------------------------------- main

install_missing
start_postgres

if [ "$ONLY_PG" = 1 ]; then
  CURRENT_STAGE="postgres-check"
  "$PG_BIN/psql" "$JIUJINAN_TEST_PG_URL" -v ON_ERROR_STOP=1 -c 'select version()'
  # The same cluster over TLS, the server's certificate checked against the throwaway CA.
  [ "$("$PG_BIN/psql" "$JIUJINAN_TEST_PG_TLS_URL" -At -v ON_ERROR_STOP=1 \
    -c 'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()')" = t ] ||
    die "the connection over $JIUJINAN_TEST_PG_TLS_URL is not encrypted"
  log "postgres: TLS with verify-full works"
  log "JIUJINAN_TEST_ONLY_PG=1: PostgreSQL works; stopping it and exiting"
  exit 0
fi

ensure_cargo
log "cargo target dir: $(target_dir)"

run_stage build build_server
if stage_failed build; then
  log "skipping Rust tests and browser tests: the build failed"
else
  run_stage rust-tests rust_tests
  if use_nextest; then
    run_stage rust-doctests rust_doctests
  fi
  run_stage browser-tests browser_tests
  run_stage api-fuzz api_fuzz
fi

CURRENT_STAGE="summary"
echo
echo "==================== jiujinan test summary ===================="
for s in "${PASSED_STAGES[@]+"${PASSED_STAGES[@]}"}"; do echo "  ok      $s"; done
for s in "${FAILED_STAGES[@]+"${FAILED_STAGES[@]}"}"; do echo "  FAILED  $s"; done
echo "==============================================================="
if [ "${#FAILED_STAGES[@]}" -ne 0 ]; then
  echo "==> FAILED stage(s): ${FAILED_STAGES[*]}" >&2
  exit 1
fi
echo "==> all stages succeeded"
