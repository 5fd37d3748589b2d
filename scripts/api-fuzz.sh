#!/usr/bin/env bash
# Fuzzes the JSON API with schemathesis (PyPI) against the running server, as a hotline
# system with a read-write token would call it: every operation in /api/openapi.json, a bounded
# number of generated requests each, fixed seed. Fails on any 5xx, any response that does not
# match the document (status, content type, headers, body), a request the document says is
# invalid but the server accepts, or an operation that works without the token.
#
#   scripts/api-fuzz.sh BINARY DATABASE_URL
#
# The database is filled with the demo data (`serve --demo`); use a fresh one.
# Environment: JIUJINAN_FUZZ_EXAMPLES (default 30 per operation), JIUJINAN_FUZZ_VENV (where
# schemathesis is installed; default ~/.cache/jiujinan/schemathesis-<version>).
set -euo pipefail

BIN="${1:?usage: api-fuzz.sh BINARY DATABASE_URL}"
URL="${2:?usage: api-fuzz.sh BINARY DATABASE_URL}"
VERSION="4.32.5"
EXAMPLES="${JIUJINAN_FUZZ_EXAMPLES:-30}"
VENV="${JIUJINAN_FUZZ_VENV:-${XDG_CACHE_HOME:-$HOME/.cache}/jiujinan/schemathesis-$VERSION}"
CHECKS="not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance,negative_data_rejection,use_after_free,ensure_resource_availability,ignored_auth"

if [ ! -x "$VENV/bin/schemathesis" ]; then
  echo "api-fuzz: installing schemathesis $VERSION into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$VERSION"
fi

WORK="$(mktemp -d)"
# The keys kept outside the database (PostgreSQL has no default place for them).
export JIUJINAN_AUDIT_KEY_FILE="$WORK/audit.key" JIUJINAN_PII_KEY_FILE="$WORK/pii.key"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
JIUJINAN_SUPERVISION_INTERVAL_SECONDS=0 JIUJINAN_AUDIT_KEY_FILE="$WORK/audit.key" \
  "$BIN" serve --demo --listen "127.0.0.1:$PORT" --database-url "$URL" >"$WORK/server.log" 2>&1 &
PID=$!
cleanup() {
  kill "$PID" 2>/dev/null || true
  wait "$PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

for _ in $(seq 1 120); do
  if curl -sf "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "$PID" 2>/dev/null; then
    cat "$WORK/server.log" >&2
    echo "api-fuzz: the server did not start" >&2
    exit 1
  fi
  sleep 1
done
TOKEN="$(JIUJINAN_AUDIT_KEY_FILE="$WORK/audit.key" "$BIN" token issue --username admin --name api-fuzz --database-url "$URL" 2>/dev/null | tail -1)"
[ -n "$TOKEN" ] || { echo "api-fuzz: no token issued" >&2; exit 1; }

echo "api-fuzz: schemathesis $VERSION, $EXAMPLES examples per operation, against $(echo "$URL" | sed -E 's#//[^@]*@#//***@#')"
rc=0
# schemathesis keeps a cache of crashes in the working directory: keep it out of the repository.
cd "$WORK"
"$VENV/bin/schemathesis" run "http://127.0.0.1:$PORT/api/openapi.json" \
  -H "Authorization: Bearer $TOKEN" --max-examples "$EXAMPLES" --workers 1 --seed 20261201 \
  --checks "$CHECKS" --no-color || rc=$?
# Every lead the fuzzer created went through the keyed audit writers: the chain must verify.
if ! JIUJINAN_AUDIT_KEY_FILE="$WORK/audit.key" "$BIN" audit verify --database-url "$URL"; then
  echo "api-fuzz: the audit chain does not verify after the run" >&2
  rc=1
fi
if grep -qE "panicked|request failed" "$WORK/server.log"; then
  echo "api-fuzz: the server logged failures:" >&2
  grep -E "panicked|request failed" "$WORK/server.log" | head -20 >&2
  rc=1
fi
exit "$rc"
