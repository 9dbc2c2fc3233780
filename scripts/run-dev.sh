#!/usr/bin/env bash
# Serve the API for development. Where REDIS_URL is configured (environment or .env),
# an RQ worker and the periodic-job scheduler run beside the web server, so webhooks,
# e-mails and order expiry are really processed; they stop when the server stops.
set -euo pipefail
cd "$(dirname "$0")/.."
export FLASK_APP=wsgi.py
redis_url=$(.venv/bin/python -c 'from config import Config; print(Config.REDIS_URL)')
if [ -n "$redis_url" ]; then
    .venv/bin/flask worker &
    worker=$!
    .venv/bin/flask scheduler &
    scheduler=$!
    trap 'kill "$worker" "$scheduler" 2>/dev/null || true' EXIT INT TERM
    echo "RQ worker (pid $worker) and scheduler (pid $scheduler) started on $redis_url"
else
    echo "REDIS_URL not set: jobs run inline, no worker needed"
fi
echo "Sokoni: http://127.0.0.1:8000/api/  Swagger UI: http://127.0.0.1:8000/swagger/  Console: http://127.0.0.1:8000/admin/"
.venv/bin/flask run --host "${HOST:-127.0.0.1}" --port "${PORT:-8000}" --with-threads
