#!/usr/bin/env bash
# What one server carries: gunicorn on loopback, a throw-away PostgreSQL database at scale, locust over a working
# day's mix (scripts/locustfile.py), then twenty sign-ins at once (scripts/sign_in_storm.py). Reports requests per
# second, p50/p95 per request, and the CPU the server's own processes spent per request: gunicorn's (master and
# workers) and PostgreSQL's backends for this database, read from /proc (tooling/load_meter.py), so locust on the
# same cores does not count; and, as in production, a Celery worker over Redis takes the work pages hand to the
# background (summary refreshes, letters), its CPU reported apart. Fails on any error.
#
#   make load-test    REFERRALS=100000 USERS=50 DURATION=3m WORKERS=2 THREADS=16 by default
#                     LOAD_TEST_REDIS_URL=redis://127.0.0.1:6379/13 (a Redis database of its own)
#
# The seeded database (vig_load_seed_scale) is kept between runs and copied for each run (RESEED=1 seeds it again):
# seeding 100,000 referrals takes minutes. The report goes to stdout and to $LOAD_TEST_OUT/report.md.
set -euo pipefail
cd "$(dirname "$0")/.."
REFERRALS="${REFERRALS:-100000}"
USERS="${USERS:-50}"
DURATION="${DURATION:-3m}"
WORKERS="${WORKERS:-2}"
THREADS="${THREADS:-16}"
PORT="${PORT:-8765}"
SEED_DB=vig_load_seed_scale
DB=vig_load_scale
PG="-h 127.0.0.1 -U postgres"
OUT="${LOAD_TEST_OUT:-$(mktemp -d)}"
mkdir -p "$OUT"
export DEMO_MODE=1 DEBUG=0 SECURE_COOKIES=0 SECURE_SSL_REDIRECT=0 ALLOWED_HOSTS=127.0.0.1
export SECRET_KEY="load-test-only-$(date +%s)-not-a-secret"
# One connection per worker thread, kept for the whole run (and so counted by the meter).
export CONN_MAX_AGE=900 METRICS_ALLOWED_IPS=127.0.0.1
export LOAD_TEST_CAST="$OUT/cast.json"
export LOG_LEVEL=WARNING  # quiet set-up; the server logs at INFO as in production (below)
PY=.venv/bin/python

seeded="$(psql $PG -tAc "select 1 from pg_database where datname='${SEED_DB}'" postgres || true)"
if [[ "$seeded" != 1 || "${RESEED:-0}" == 1 ]]; then
  dropdb --if-exists $PG "$SEED_DB"
  createdb $PG "$SEED_DB"
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/${SEED_DB}" $PY manage.py migrate --noinput >/dev/null
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/${SEED_DB}" $PY manage.py load_demo_data >/dev/null
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/${SEED_DB}" $PY manage.py seed_scale --referrals "$REFERRALS"
fi
dropdb --if-exists $PG "$DB"
createdb $PG -T "$SEED_DB" "$DB"
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/${DB}"
$PY manage.py migrate --noinput >/dev/null
$PY manage.py prepare_load_test --out "$LOAD_TEST_CAST"
$PY manage.py collectstatic --noinput >/dev/null
export LOG_LEVEL=INFO  # the app's JSON line per request, as in production, into $OUT/app.log

# A real broker and one worker, as in production: without them each write's background work (ADR 0022's summary
# refresh, letters) would run inside the request and be counted as the page's.
export REDIS_URL="${LOAD_TEST_REDIS_URL:-redis://127.0.0.1:6379/13}"
if ! .venv/bin/python -c "import redis, sys; redis.Redis.from_url(sys.argv[1]).ping()" "$REDIS_URL" 2>/dev/null; then
  echo "The load test needs Redis at $REDIS_URL (LOAD_TEST_REDIS_URL): start it, or point it elsewhere." >&2
  exit 2
fi
.venv/bin/celery -A vig_service worker --concurrency 1 --loglevel WARNING >"$OUT/worker.log" 2>&1 &
worker=$!

# One worker process per core (Python runs one thread at a time per process), each with gthread's threads: a thread
# waiting on PostgreSQL, or on a password hash (which runs in its own lower-priority thread, outside the GIL:
# accounts/hashers.py), leaves the core to another request. 16 threads, so twenty sign-ins at once (ten a worker)
# still leave threads free for everyone else's pages. Keep-alive above locust's pauses, so an idle connection is
# never closed just as the next request is sent on it.
.venv/bin/gunicorn vig_service.wsgi --bind "127.0.0.1:${PORT}" --worker-class gthread --workers "$WORKERS" \
  --threads "$THREADS" --keep-alive 30 --log-level warning --access-logfile "$OUT/access.log" 2>"$OUT/app.log" &
server=$!
sampler=""
trap 'kill $server $worker 2>/dev/null || true; [[ -n "$sampler" ]] && kill $sampler 2>/dev/null || true' EXIT
for _ in $(seq 1 60); do curl -fs "http://127.0.0.1:${PORT}/healthz" >/dev/null && break; sleep 1; done
curl -fs "http://127.0.0.1:${PORT}/metrics" >"$OUT/metrics-before.txt"

$PY -m tooling.load_meter sample --gunicorn "$server" --worker "$worker" --database "$DB" --out "$OUT/cpu.json" &
sampler=$!
status=0
.venv-load/bin/locust -f scripts/locustfile.py --headless --host "http://127.0.0.1:${PORT}" \
  --users "$USERS" --spawn-rate 10 --run-time "$DURATION" --csv "$OUT/load" --only-summary \
  --exit-code-on-error 1 >"$OUT/locust.txt" 2>&1 || status=$?
kill -TERM $sampler && wait $sampler || true
sampler=""
curl -fs "http://127.0.0.1:${PORT}/metrics" >"$OUT/metrics-after.txt"

{
  echo "## Load test: $(date -u +%Y-%m-%d), $(nproc) cores, gunicorn gthread ${WORKERS} workers x ${THREADS} threads, 1 Celery worker,"
  echo "## ${USERS} users for ${DURATION}, $(psql $PG -tAc 'select count(*) from referrals_referral' "$DB") referrals"
  echo
  $PY -m tooling.load_meter report --cpu "$OUT/cpu.json" --locust "$OUT/load_stats.csv" \
    --metrics-before "$OUT/metrics-before.txt" --metrics-after "$OUT/metrics-after.txt"
  echo
  echo "### Twenty sign-ins at once"
  echo
  .venv-load/bin/python scripts/sign_in_storm.py "http://127.0.0.1:${PORT}"
} | tee "$OUT/report.md"

if [[ $status != 0 ]]; then
  tail -n 30 "$OUT/locust.txt"
  echo "Load test had errors (locust exit $status); everything is in $OUT." >&2
  exit $status
fi
echo "Load test finished with no errors; everything is in $OUT."
