#!/usr/bin/env bash
# Bounded load test: 20 concurrent users for 60 s against gunicorn on loopback, on a throw-away PostgreSQL database
# filled by load_demo_data and seed_scale. Prints locust's table; fails on any error.
#   make load-test            (REFERRALS=20000 USERS=20 DURATION=60s by default)
set -euo pipefail
cd "$(dirname "$0")/.."
REFERRALS="${REFERRALS:-20000}"
USERS="${USERS:-20}"
DURATION="${DURATION:-60s}"
PORT="${PORT:-8765}"
DB=vig_load_scale
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${DB}"
export DEMO_MODE=1 DEBUG=0 SECURE_COOKIES=0 SECURE_SSL_REDIRECT=0 ALLOWED_HOSTS=127.0.0.1 LOG_LEVEL=WARNING
export SECRET_KEY="load-test-only-$(date +%s)-not-a-secret"
PY=.venv/bin/python

dropdb --if-exists -h 127.0.0.1 -U postgres "$DB"
createdb -h 127.0.0.1 -U postgres "$DB"
$PY manage.py migrate --noinput >/dev/null
$PY manage.py load_demo_data >/dev/null
$PY manage.py seed_scale --referrals "$REFERRALS" >/dev/null
$PY manage.py collectstatic --noinput >/dev/null

.venv/bin/gunicorn vig_service.wsgi --bind "127.0.0.1:${PORT}" --workers 3 --log-level warning &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
for _ in $(seq 1 30); do curl -fs "http://127.0.0.1:${PORT}/healthz" >/dev/null && break; sleep 1; done

out="$(mktemp -d)"
.venv-load/bin/locust -f scripts/locustfile.py --headless --host "http://127.0.0.1:${PORT}" \
  --users "$USERS" --spawn-rate 10 --run-time "$DURATION" --csv "$out/load" --only-summary --exit-code-on-error 1
echo "Load test finished with no errors (figures above; CSV in $out)."
