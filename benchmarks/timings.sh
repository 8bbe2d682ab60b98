#!/usr/bin/env bash
# `make test` duration, and `make run` time from a fresh clone to the first page.
set -euo pipefail
cd "$(dirname "$0")/.."
unset DATABASE_URL REDIS_URL DEBUG SECRET_KEY CONN_MAX_AGE CELERY_EAGER ALLOWED_HOSTS SECURE_SSL_REDIRECT
start=$(date +%s.%N)
make test >/tmp/psynet-bench-test.log 2>&1 && status=ok || status=failed
end=$(date +%s.%N)
printf "make test (SQLite): %.0f s (%s)\n" "$(echo "$end - $start" | bc)" "$status"
clone=$(mktemp -d)
git clone -q . "$clone/psynet"
cd "$clone/psynet"
start=$(date +%s.%N)
PORT=8799 make run >/tmp/psynet-bench-run.log 2>&1 &
RUN=$!
until curl -sf -o /dev/null http://127.0.0.1:8799/accounts/login/; do sleep 0.5; done
end=$(date +%s.%N)
printf "make run, fresh clone to first page: %.0f s\n" "$(echo "$end - $start" | bc)"
pkill -f "runserver 127.0.0.1:8799" || true
kill $RUN 2>/dev/null || true
rm -rf "$clone"
