# Shared by bench/run.sh and bench/ab.sh (sourced, not run). Expects WORK (a scratch folder)
# and sets SERVER_PID / BASE while a server runs.

ensure_wrk() {
  command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
}

# bench_database BACKEND PREFIX: prints the URL of a new empty database (a file in $WORK for
# SQLite; a new database next to JIUJINAN_BENCH_PG_URL, else on 127.0.0.1:5432, for PostgreSQL).
bench_database() {
  case "$1" in
    sqlite) echo "sqlite://$WORK/$2.db" ;;
    postgres)
      local admin="${JIUJINAN_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
      local name; name="$2_$(date +%s)"
      psql -q "$admin" -c "CREATE DATABASE $name" >&2
      echo "${admin%/*}/$name"
      ;;
    *) return 2 ;;
  esac
}

# seed_bench BIN DB CASES: seeds CASES cases (sample case ids in $WORK/ids.txt), adds a hotline
# admin and a reviewer of the busiest street, and sets STREET, HOTLINE and REVIEWER (tokens).
seed_bench() {
  local bin="$1" db="$2" cases="$3"
  # The personal-data key (PostgreSQL has no default place for it); one per database.
  export JIUJINAN_PII_KEY_FILE="$WORK/pii-$(echo "$db" | sha256sum | cut -c1-8).key"
  /usr/bin/time -f "seed wall %e s, peak RSS %M KiB" \
    "$bin" bench seed --cases "$cases" --open-leads $((cases / 10)) --database-url "$db" --sample-out "$WORK/ids.txt" 2>/dev/null | tee "$WORK/seed.txt"
  STREET="$(sed -n 's/.*busiest street \([0-9]*\).*/\1/p' "$WORK/seed.txt")"
  printf '%s' 'Bench-password-1' | "$bin" user add --username bench_hotline --unit 11:mz --role admin --password-stdin --database-url "$db" >/dev/null
  printf '%s' 'Bench-password-1' | "$bin" user add --username bench_reviewer --unit "$STREET:mz" --role street_reviewer --password-stdin --database-url "$db" >/dev/null
  HOTLINE="$("$bin" token issue --username bench_hotline --database-url "$db" 2>/dev/null)"
  REVIEWER="$("$bin" token issue --username bench_reviewer --database-url "$db" 2>/dev/null)"
}

# start_server BIN DB: serves on a free loopback port; sets SERVER_PID and BASE.
start_server() {
  export JIUJINAN_PII_KEY_FILE="$WORK/pii-$(echo "$2" | sha256sum | cut -c1-8).key"
  local port; port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  RUST_LOG=warn "$1" serve --listen "127.0.0.1:$port" --database-url "$2" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  BASE="http://127.0.0.1:$port"
  for _ in $(seq 1 100); do curl -fs "$BASE/readyz" >/dev/null && break; sleep 0.2; done
}

stop_server() {
  [ -n "${SERVER_PID:-}" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null
  SERVER_PID=""
}

# The three workloads, each driven by wrk at $CONC connections for $DURATION.
post_leads() { BENCH_RUN="${1:-$RANDOM}" BENCH_TOKEN="$HOTLINE" BENCH_LOCATION="$STREET" wrk -t2 -c"$CONC" -d"$DURATION" --latency -s bench/post_lead.lua "$BASE"; }
get_queue() { BENCH_TOKEN="$REVIEWER" BENCH_PATH="/api/v1/cases?status=investigating&limit=50" wrk -t2 -c"$CONC" -d"$DURATION" --latency -s bench/get_queue.lua "$BASE"; }
get_cases() { BENCH_TOKEN="$HOTLINE" BENCH_IDS="${IDS_FILE:-$WORK/ids.txt}" wrk -t2 -c"$CONC" -d"$DURATION" --latency -s bench/get_case.lua "$BASE"; }
