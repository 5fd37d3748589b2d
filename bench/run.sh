#!/usr/bin/env bash
# Benchmark of intake and case reads over HTTP, on SQLite or PostgreSQL.
#
#   bash bench/run.sh sqlite   [CASES]     # default 1,000,000 cases
#   bash bench/run.sh postgres [CASES]     # needs JIUJINAN_BENCH_PG_URL (an empty database
#                                          # is created next to it) or a local server on 5432
#
# Builds the release binary, seeds CASES synthetic cases (bench seed), starts the server,
# then drives it with wrk at concurrency 16 on loopback:
#   1. POST /api/v1/leads with a fresh Idempotency-Key per request (durable 201s),
#   2. GET the first page of a street reviewer's case queue,
#   3. GET random case files (each read is also an audit write).
# Prints wrk's latency distribution, the server's peak and current RSS, and writes everything
# to bench/results/<date>-<backend>-<cases>.txt. Loops are bounded by -d; wrk stops by itself.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BACKEND="${1:-sqlite}"
CASES="${2:-1000000}"
DURATION="${BENCH_DURATION:-20s}"
CONC="${BENCH_CONCURRENCY:-16}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET/release/jiujinan"

command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
cargo build --release --locked --bin jiujinan >/dev/null

WORK="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

case "$BACKEND" in
  sqlite) DB="sqlite://$WORK/bench.db" ;;
  postgres)
    ADMIN="${JIUJINAN_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    NAME="bench_$(date +%s)"
    psql -q "$ADMIN" -c "CREATE DATABASE $NAME"
    DB="${ADMIN%/*}/$NAME"
    ;;
  *) echo "usage: bench/run.sh sqlite|postgres [CASES]" >&2; exit 2 ;;
esac

mkdir -p bench/results
OUT="bench/results/$(date +%Y-%m-%d)-$BACKEND-$CASES.txt"
exec > >(tee "$OUT") 2>&1

echo "# jiujinan benchmark: $BACKEND, $CASES cases, concurrency $CONC, $DURATION per run"
echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

echo "## seed"
/usr/bin/time -f "seed wall %e s, peak RSS %M KiB" \
  "$BIN" bench seed --cases "$CASES" --open-leads $((CASES / 10)) --database-url "$DB" --sample-out "$WORK/ids.txt" 2>/dev/null | tee "$WORK/seed.txt"
STREET="$(sed -n 's/.*busiest street \([0-9]*\).*/\1/p' "$WORK/seed.txt")"
printf '%s' 'Bench-password-1' | "$BIN" user add --username bench_hotline --unit 11:mz --role admin --password-stdin --database-url "$DB" >/dev/null
printf '%s' 'Bench-password-1' | "$BIN" user add --username bench_reviewer --unit "$STREET:mz" --role street_reviewer --password-stdin --database-url "$DB" >/dev/null
HOTLINE="$("$BIN" token issue --username bench_hotline --database-url "$DB" 2>/dev/null)"
REVIEWER="$("$BIN" token issue --username bench_reviewer --database-url "$DB" 2>/dev/null)"

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
RUST_LOG=warn "$BIN" serve --listen "127.0.0.1:$PORT" --database-url "$DB" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$PORT/readyz" >/dev/null && break; sleep 0.2; done
BASE="http://127.0.0.1:$PORT"
rss() { awk '/VmHWM|VmRSS/{printf "%s %s %s  ", $1, $2, $3}' "/proc/$SERVER_PID/status"; echo; }
echo "server RSS after start: $(rss)"

echo "## 1. POST /api/v1/leads (street $STREET), durable 201s"
BENCH_TOKEN="$HOTLINE" BENCH_LOCATION="$STREET" wrk -t2 -c"$CONC" -d"$DURATION" --latency -s bench/post_lead.lua "$BASE"
echo "server RSS: $(rss)"

echo "## 2. GET first page of the street reviewer's case queue"
BENCH_TOKEN="$REVIEWER" BENCH_PATH="/api/v1/cases?status=investigating&limit=50" wrk -t2 -c"$CONC" -d"$DURATION" --latency -s bench/get_queue.lua "$BASE"
echo "server RSS: $(rss)"

echo "## 3. GET random case files (audited reads)"
BENCH_TOKEN="$HOTLINE" BENCH_IDS="$WORK/ids.txt" wrk -t2 -c"$CONC" -d"$DURATION" --latency -s bench/get_case.lua "$BASE"
echo "server RSS: $(rss)"
"$BIN" audit verify --database-url "$DB"
echo "# results written to $OUT"
