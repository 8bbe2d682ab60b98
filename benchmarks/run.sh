#!/usr/bin/env bash
# make bench: national-scale data on PostgreSQL, gunicorn with DEBUG off and persistent connections,
# 20 concurrent clients per page (wrk), queries per page at 1x and 10x data, make test / make run timings.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
export DATABASE_URL=${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/psynet_bench}
export REDIS_URL=${REDIS_URL:-redis://127.0.0.1:6379/1}
export DEBUG=False SECRET_KEY=bench-$(date +%s)-not-secret-but-long-enough-for-checks CONN_MAX_AGE=60
export SECURE_SSL_REDIRECT=False ALLOWED_HOSTS=127.0.0.1,localhost CELERY_EAGER=True
export PRIVATE_MEDIA_ROOT=/tmp/psynet-bench-media
mkdir -p benchmarks/results
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS psynet_bench" -c "CREATE DATABASE psynet_bench" >/dev/null
$PY manage.py migrate --noinput -v0
$PY manage.py compilemessages --ignore=.venv -v0
$PY manage.py collectstatic --noinput -v0
$PY manage.py seed_demo >/dev/null
echo "== generating national-scale data"
/usr/bin/time -f "generate_scale_data: %e s, %M KB peak" $PY manage.py generate_scale_data

PORT=${BENCH_PORT:-8765}
.venv/bin/gunicorn psynet.wsgi:application --bind 127.0.0.1:$PORT --workers 3 --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/health/ping/" >/dev/null && break; sleep 0.2; done
$PY benchmarks/pages.py --base "http://127.0.0.1:$PORT" | tee benchmarks/results/pages.txt
kill $GUNICORN; trap - EXIT
for extra in benchmarks/bench_*.py; do
  [ -e "$extra" ] || continue
  name=$(basename "$extra" .py)
  $PY "$extra" 2>&1 | tee "benchmarks/results/$name.txt" || echo "!! $name failed (see above); going on"
done
# Last, because it grows the measured network's data tenfold.
$PY benchmarks/queries.py | tee benchmarks/results/queries.txt
if [ "${BENCH_SKIP_TIMINGS:-}" != "1" ]; then bash benchmarks/timings.sh | tee benchmarks/results/timings.txt; fi
