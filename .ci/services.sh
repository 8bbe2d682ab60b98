#!/usr/bin/env bash
# Make PostgreSQL and Redis answer on 127.0.0.1, idempotently (about 1 s when they already run).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

apt_install() {
  if [ ! -f /tmp/.psynet-apt-updated ]; then apt-get update -qq && touch /tmp/.psynet-apt-updated; fi
  apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  command -v pg_ctlcluster >/dev/null 2>&1 || apt_install postgresql
  if ls /etc/postgresql/*/main >/dev/null 2>&1; then
    version=$(ls /etc/postgresql | sort -n | tail -n 1)
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    datadir=/tmp/psynet-pg
    if [ ! -d "$datadir" ]; then
      mkdir -p "$datadir" && chown postgres "$datadir"
      su postgres -c "$bindir/initdb -D $datadir -A trust -U postgres -E UTF8" >/dev/null
    fi
    su postgres -c "$bindir/pg_ctl -D $datadir -w -l $datadir/log -o '-c listen_addresses=127.0.0.1 -p 5432 -c fsync=off -k /tmp' start" >/dev/null
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 && break; sleep 1; done
fi
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" >/dev/null
echo "PostgreSQL answers on 127.0.0.1:5432"

if ! redis-cli -h 127.0.0.1 ping 2>/dev/null | grep -q PONG; then
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/psynet.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 ping 2>/dev/null | grep -q PONG && break; sleep 0.5; done
fi
echo "Redis answers on 127.0.0.1:6379"
