#!/usr/bin/env bash
# A/B comparison of two server binaries on one seeded database, runs alternating, so that a
# change is measured against its parent on the same machine on the same day.
#
#   bash bench/ab.sh BIN_A BIN_B sqlite|postgres [CASES] [ROUNDS] [WORKLOADS]
#
# WORKLOADS is a comma list of post,queue,case (default all). Seeds CASES cases (default
# 100,000) once with BIN_B (the newer schema; the older binary runs on it), then for each
# round starts A, runs the workloads, stops it, then the same for B. Prints each run's wrk
# summary and the server's peak RSS; the full output goes to
# bench/results/<date>-ab-<backend>-<cases>[-$BENCH_LABEL].txt. BIN_B must be built with
# `cargo build --release --features bench` (it seeds the database with `bench seed`).
# BENCH_SEPARATE_DB=1 seeds one database per binary instead (both built with the feature),
# for a change of schema or of what is stored that the older binary cannot run on; the seed
# is the same, so both hold the same cases.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=bench/common.sh
. bench/common.sh
A="$(realpath "$1")"; B="$(realpath "$2")"; BACKEND="${3:-sqlite}"; CASES="${4:-100000}"; ROUNDS="${5:-2}"
WORKLOADS="${6:-post,queue,case}"
DURATION="${BENCH_DURATION:-20s}"
CONC="${BENCH_CONCURRENCY:-16}"
case "$BACKEND" in
  sqlite | postgres) ;;
  *) echo "usage: bench/ab.sh BIN_A BIN_B sqlite|postgres [CASES] [ROUNDS] [WORKLOADS]" >&2; exit 2 ;;
esac
ensure_wrk

WORK="$(mktemp -d)"
trap 'stop_server; rm -rf "$WORK"' EXIT
DB="$(bench_database "$BACKEND" bench_ab)"
mkdir -p bench/results
OUT="bench/results/$(date +%Y-%m-%d)-ab-$BACKEND-$CASES${BENCH_LABEL:+-$BENCH_LABEL}.txt"
exec > >(tee "$OUT") 2>&1
echo "# A/B: A=$A ($(sha256sum "$A" | cut -c1-12)), B=$B ($(sha256sum "$B" | cut -c1-12))"
echo "# $BACKEND, $CASES cases, concurrency $CONC, $DURATION per run, $ROUNDS rounds; commit $(git rev-parse --short HEAD)"
echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
if [ "${BENCH_SEPARATE_DB:-0}" = 1 ]; then
  DB_A="$(bench_database "$BACKEND" bench_ab_a)"
  seed_bench "$A" "$DB_A" "$CASES"
  HOTLINE_A="$HOTLINE" REVIEWER_A="$REVIEWER"
  cp "$WORK/ids.txt" "$WORK/ids-a.txt"
else
  DB_A="$DB"
fi
seed_bench "$B" "$DB" "$CASES"
HOTLINE_B="$HOTLINE" REVIEWER_B="$REVIEWER"
cp "$WORK/ids.txt" "$WORK/ids-b.txt"
HOTLINE_A="${HOTLINE_A:-$HOTLINE_B}" REVIEWER_A="${REVIEWER_A:-$REVIEWER_B}"
[ -f "$WORK/ids-a.txt" ] || cp "$WORK/ids-b.txt" "$WORK/ids-a.txt"

one() { # label binary
  local db="$DB"
  case "$1" in
    A*) db="$DB_A" HOTLINE="$HOTLINE_A" REVIEWER="$REVIEWER_A" IDS_FILE="$WORK/ids-a.txt" ;;
    *) HOTLINE="$HOTLINE_B" REVIEWER="$REVIEWER_B" IDS_FILE="$WORK/ids-b.txt" ;;
  esac
  start_server "$2" "$db"
  for w in ${WORKLOADS//,/ }; do
    echo "### $1 $w"
    case "$w" in
      post) post_leads "$1-$RANDOM" ;;
      queue) get_queue ;;
      case) get_cases ;;
    esac | grep -E "Requests/sec|  50%|  99%|unexpected|Non-2xx|Socket errors" | sort -u
  done
  echo "$1 peak RSS: $(awk '/VmHWM/{print $2, $3}' "/proc/$SERVER_PID/status")"
  stop_server
}
for r in $(seq 1 "$ROUNDS"); do one "A$r" "$A"; one "B$r" "$B"; done
export JIUJINAN_PII_KEY_FILE="$WORK/pii-$(echo "$DB" | sha256sum | cut -c1-8).key"
"$B" audit verify --database-url "$DB"
