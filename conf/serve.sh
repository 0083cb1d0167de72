#!/bin/sh
# conf/serve.sh: what `make run`, `make stop` and `make db` do.
#
#   conf/serve.sh run <port> <workers>   cluster, migrations, demo data
#                                        once, then Kore in the foreground
#   conf/serve.sh db                     cluster, migrations, demo data
#   conf/serve.sh stop                   stop Kore and the cluster
#   conf/serve.sh conf <run-dir> <port> <workers> <app.so> [extra.conf]
#                                        write <run-dir>/kore.conf
#   conf/serve.sh halt <pid>...          stop servers started in the
#                                        foreground (the tests)
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RUN="$ROOT/var/run"

pgbase() {
	"$ROOT/conf/pg.sh" base "$ROOT"
}

demo_loaded() {
	psql -XAtq "$1" -c "SELECT 1 FROM site_settings
	    WHERE key = 'demo_loaded'" | grep -q 1
}

# Bring a cluster up to date: start, migrate, seed the demo data once.
# The demo data (tests/fixtures/demo.sql: users; build/demo-sql: content
# and photos, made by the server's own Markdown, search and image code)
# loads in one transaction that ends by setting demo_loaded: all of it
# or nothing, and never twice.  Only this script loads it: `make run`,
# `make db` and the tests; the server never does.
prepare_db() {
	base="$1"
	mode="$2"
	"$ROOT/conf/pg.sh" start "$base" "$mode"
	url=$("$ROOT/conf/pg.sh" url "$base")
	"$ROOT/build/migrate" "$url" "$ROOT/migrations" >/dev/null
	demo_loaded "$url" && return 0
	if [ ! -x "$ROOT/build/demo-sql" ]; then
		echo "build/demo-sql is missing: run make build" >&2
		exit 1
	fi
	content=$(mktemp /tmp/makerspace-demo-XXXXXX)
	if ! "$ROOT/build/demo-sql" "$ROOT/tests/fixtures/demo" >"$content" ||
	    ! psql -Xq -1 -v ON_ERROR_STOP=1 \
	    -v site_tz="${MAKERSPACE_TZ:-Asia/Shanghai}" "$url" \
	    -f "$ROOT/tests/fixtures/demo.sql" -f "$content" \
	    -f "$ROOT/tests/fixtures/demo/office_hours.sql" \
	    -f "$ROOT/tests/fixtures/demo/competitions.sql" \
	    -f "$ROOT/tests/fixtures/demo/comp_results.sql" >/dev/null; then
		rm -f "$content"
		echo "The demo data did not load." >&2
		exit 1
	fi
	rm -f "$content"
	demo_loaded "$url" || { echo "The demo data did not load." >&2; exit 1; }
	echo "Demo data loaded."
}

write_conf() {
	dir="$1"; port="$2"; workers="$3"; app="$4"; extra="${5:-}"
	mkdir -p "$dir/body"
	inc=""
	[ -n "$extra" ] && inc="include $extra"
	sed -e "s|@PORT@|$port|" -e "s|@WORKERS@|$workers|" \
	    -e "s|@APP@|$app|" -e "s|@RUN@|$dir|" -e "s|@CONF@|$ROOT/conf|" \
	    -e "s|@EXTRA_ROUTES@|$inc|" \
	    "$ROOT/conf/kore.conf.in" > "$dir/kore.conf"
}

cmd_run() {
	port="$1"; workers="$2"
	base=$(pgbase)
	prepare_db "$base" dev
	if [ -f "$RUN/kore.pid" ] && kill -0 "$(cat "$RUN/kore.pid")" \
	    2>/dev/null; then
		echo "Already running (pid $(cat "$RUN/kore.pid")):" \
		    "make stop first." >&2
		exit 1
	fi
	write_conf "$RUN" "$port" "$workers" "$ROOT/build/app.so"
	cat <<MSG

  Makerspace is at http://127.0.0.1:$port/
  Demo logins (password demo-password-123):
    admin (admin), staff1 (staff), mentor1 (mentor), maker1, maker2
  Ctrl-C stops the server; \`make stop\` also stops the database.

MSG
	export DATABASE_URL="$("$ROOT/conf/pg.sh" url "$base")"
	export MAKERSPACE_ASSETS="$ROOT/assets"
	exec /usr/bin/kore -f -n -r -c "$RUN/kore.conf"
}

cmd_stop() {
	if [ -f "$RUN/kore.pid" ]; then
		kill -TERM "$(cat "$RUN/kore.pid")" 2>/dev/null || true
		rm -f "$RUN/kore.pid"
	fi
	"$ROOT/conf/pg.sh" stop "$(pgbase)"
	echo "Stopped."
}

# Stop Kore servers: TERM, five seconds to finish, then KILL the workers
# first and the parent last, so no worker is left orphaned.
cmd_halt() {
	for pid in "$@"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "$@"; do
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
			sleep 0.1
			i=$((i + 1))
		done
		kill -0 "$pid" 2>/dev/null || continue
		echo "server $pid did not stop in 5 s: killed" >&2
		for st in /proc/[0-9]*/stat; do
			ppid=$(sed 's/.*) [A-Za-z] \([0-9]*\) .*/\1/' "$st" \
			    2>/dev/null) || continue
			[ "$ppid" = "$pid" ] || continue
			st=${st#/proc/}
			kill -KILL "${st%/stat}" 2>/dev/null || true
		done
		kill -KILL "$pid" 2>/dev/null || true
	done
}

case "${1:-}" in
run)	cmd_run "$2" "$3" ;;
db)	prepare_db "$(pgbase)" dev
	echo "DATABASE_URL=$("$ROOT/conf/pg.sh" url "$(pgbase)")" ;;
stop)	cmd_stop ;;
conf)	write_conf "$2" "$3" "$4" "$5" "${6:-}" ;;
prepare-db) prepare_db "$2" "$3" ;;
halt)	shift; cmd_halt "$@" ;;
*)	echo "usage: $0 run|db|stop|conf|halt ..." >&2; exit 2 ;;
esac
