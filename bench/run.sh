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
# shellcheck source=bench/common.sh
. bench/common.sh
BACKEND="${1:-sqlite}"
CASES="${2:-1000000}"
DURATION="${BENCH_DURATION:-20s}"
CONC="${BENCH_CONCURRENCY:-16}"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
BIN="$TARGET/release/jiujinan"
case "$BACKEND" in
  sqlite | postgres) ;;
  *) echo "usage: bench/run.sh sqlite|postgres [CASES]" >&2; exit 2 ;;
esac

ensure_wrk
cargo build --release --locked --features bench --bin jiujinan >/dev/null

WORK="$(mktemp -d)"
trap 'stop_server; rm -rf "$WORK"' EXIT
DB="$(bench_database "$BACKEND" bench)"

mkdir -p bench/results
OUT="bench/results/$(date +%Y-%m-%d)-$BACKEND-$CASES.txt"
exec > >(tee "$OUT") 2>&1

echo "# jiujinan benchmark: $BACKEND, $CASES cases, concurrency $CONC, $DURATION per run"
echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ); commit: $(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
echo "# machine: $(nproc) cores, $(free -g | awk '/Mem:/{print $2}') GiB, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

echo "## seed"
seed_bench "$BIN" "$DB" "$CASES"
start_server "$BIN" "$DB"
rss() { awk '/VmHWM|VmRSS/{printf "%s %s %s  ", $1, $2, $3}' "/proc/$SERVER_PID/status"; echo; }
echo "server RSS after start: $(rss)"

echo "## 1. POST /api/v1/leads (street $STREET), durable 201s"
post_leads
echo "server RSS: $(rss)"

echo "## 2. GET first page of the street reviewer's case queue"
get_queue
echo "server RSS: $(rss)"

echo "## 3. GET random case files (audited reads)"
get_cases
echo "server RSS: $(rss)"
"$BIN" audit verify --database-url "$DB"
echo "# results written to $OUT"
