# Sourced by .ci/run (and usable by hand): install PostgreSQL from Debian's packages if missing, start a
# throw-away cluster on loopback and export CUTPROOF_TEST_PG for the tests marked `postgres`.
start_test_postgres() {
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
    echo "ci: installing PostgreSQL (Debian packages)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq postgresql >/dev/null
  fi
  local bindir
  bindir=$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -n 1)")
  local port=${CUTPROOF_TEST_PG_PORT:-55432}
  local data
  data=$(mktemp -d /tmp/cutproof-pg.XXXXXX)
  local run_as=()
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir "$data" postgres
    chown postgres "$data"
    run_as=(runuser -u postgres --)
  fi
  "${run_as[@]}" "$bindir/initdb" -D "$data/db" -U cutproof --auth=trust >/dev/null
  "${run_as[@]}" "$bindir/pg_ctl" -D "$data/db" -l "$data/log" -w \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data -c max_connections=200" start >/dev/null
  "${run_as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$port" -U cutproof cutproof_test
  export CUTPROOF_TEST_PG="postgresql+psycopg://cutproof@127.0.0.1:$port/cutproof_test"
  echo "ci: PostgreSQL running at $CUTPROOF_TEST_PG"
  # stop it when the CI script ends
  trap "${run_as[*]} $bindir/pg_ctl -D $data/db -m immediate stop >/dev/null 2>&1 || true" EXIT
}
