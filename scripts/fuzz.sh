#!/usr/bin/env bash
# Fuzz the live API against its own OpenAPI document with schemathesis (all checks).
# Starts gunicorn on a scratch database, logs in a demo customer for authenticated
# operations, and fails on any server error or schema violation.
#   FUZZ_DATABASE_URL  database to use (default: a temporary SQLite file)
#   FUZZ_REDIS_URL     Redis to use (default: embedded, single worker)
#   FUZZ_MAX_TIME      seconds of fuzzing (default 60)
set -euo pipefail
cd "$(dirname "$0")/.."
port=${FUZZ_PORT:-8765}
workdir=$(mktemp -d)
export FLASK_APP=wsgi.py SOKONI_CONFIG=development LOG_LEVEL=WARNING
export DATABASE_URL=${FUZZ_DATABASE_URL:-sqlite:///$workdir/fuzz.db}
export REDIS_URL=${FUZZ_REDIS_URL:-}
# Rate limits have their own tests; here they would only hide the endpoints behind 429s.
export RATELIMIT_ENABLED=false
.venv/bin/flask db upgrade >/dev/null
.venv/bin/flask seed >/dev/null
.venv/bin/gunicorn -c gunicorn.conf.py --bind "127.0.0.1:$port" --workers 1 --threads 8 \
    --access-logfile /dev/null --pid "$workdir/gunicorn.pid" wsgi:app >"$workdir/server.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$workdir"' EXIT
for _ in $(seq 1 50); do
    curl -fsS "http://127.0.0.1:$port/api/health/" >/dev/null 2>&1 && break
    sleep 0.2
done
login() {
    curl -fsS -X POST "http://127.0.0.1:$port/api/auth/login/" -H 'Content-Type: application/json' \
        -d '{"email": "customer@sokoni.test", "password": "Zambezi-Riverbank-2026"}' |
        .venv/bin/python -c 'import json, sys; print(json.load(sys.stdin)["access"])'
}
token=$(login)
FUZZ_LOGOUT_TOKEN=$(login)
export FUZZ_LOGOUT_TOKEN
status=0
.venv/bin/schemathesis --config-file schemathesis.toml run "http://127.0.0.1:$port/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --max-time "${FUZZ_MAX_TIME:-60}" || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- server log (last 80 lines) ---"
    tail -n 80 "$workdir/server.log"
fi
exit "$status"
