#!/bin/sh
# tests/bench/run.sh: `make bench` (docs/performance.md#how-to-measure).
#
# Starts its own cluster and a server built with the benchmark routes
# (build/app-bench.so, conf/bench.conf) on a free port, so the `make run`
# data is left alone.  Every figure is printed next to two references
# measured in the same run: C (a handler returning a constant) and H
# (/healthz, one trivial query).  Absolute numbers vary by ±25% between
# runs on a shared machine; the ratios are what the budget is about.
#
#   BENCH_SECONDS=8 BENCH_CONNS=64 make bench
#
# BENCH_PAGES="oh board" runs only those features: their data_<name>.sql
# and pages_<name>.sh, after C and H (the references every ratio needs);
# the home page figures only when it also names "home".  Unset or empty:
# everything.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
cd "$ROOT" || exit 1
DUR=${BENCH_SECONDS:-8}
CONNS=${BENCH_CONNS:-64}
PAGES=${BENCH_PAGES:-}
TMP=$(mktemp -d /tmp/mkb-XXXXXX)
chmod 0755 "$TMP"
KORE_PID=""

# Linux puts each session in its own scheduling group (autogroup):
# PostgreSQL (pg_ctl starts it with setsid) in one, Kore and wrk, started
# from this shell, in another.  The two groups then get equal CPU, so
# wrk's share comes out of PostgreSQL's: perf sched showed backends
# waiting 150-390 ms to run and wrk p99 figures of 100-330 ms, none of it
# inside the server.  A server does not share its cores with the load
# generator, so the bench runs with autogroup off when it may, and puts
# the setting back afterwards (docs/performance.md#scheduler-autogroups).
AUTOGROUP=/proc/sys/kernel/sched_autogroup_enabled
AUTOGROUP_WAS=$(cat "$AUTOGROUP" 2>/dev/null || echo "")
if [ "$AUTOGROUP_WAS" = 1 ] && (echo 0 >"$AUTOGROUP") 2>/dev/null; then
	echo "scheduler autogroup: off for this run (was on)"
elif [ "$AUTOGROUP_WAS" = 1 ]; then
	echo "scheduler autogroup: on (not root); p99 figures will show" \
	    "PostgreSQL waiting behind wrk"
	AUTOGROUP_WAS=""
else
	AUTOGROUP_WAS=""
fi

cleanup() {
	[ -n "$AUTOGROUP_WAS" ] && echo "$AUTOGROUP_WAS" >"$AUTOGROUP"
	[ -n "$KORE_PID" ] && kill -TERM "$KORE_PID" 2>/dev/null && sleep 0.5
	conf/pg.sh stop "$TMP/pg" >/dev/null 2>&1
	rm -rf "$TMP"
}
trap cleanup EXIT INT TERM

conf/serve.sh prepare-db "$TMP/pg" test >/dev/null || exit 1
DATABASE_URL=$(conf/pg.sh url "$TMP/pg")
export DATABASE_URL
PORT=$(node -e 'const s=require("net").createServer();s.listen(0,
    "127.0.0.1",()=>{console.log(s.address().port);s.close()})')
BASE="http://127.0.0.1:$PORT"
conf/serve.sh conf "$TMP/run" "$PORT" 2 "$ROOT/build/app-bench.so" \
    "$ROOT/conf/bench.conf"
MAKERSPACE_ASSETS="$ROOT/assets" /usr/bin/kore -f -n -r \
    -c "$TMP/run/kore.conf" >"$TMP/server.log" 2>&1 &
KORE_PID=$!
until curl -fsS "$BASE/healthz" >/dev/null 2>&1; do sleep 0.1; done

# A logged-in visitor, when accounts exist.
COOKIE=""
if curl -fsS -c "$TMP/jar" -H 'accept: application/json' \
    -H 'content-type: application/json' \
    -d '{"username":"maker1","password":"demo-password-123"}' \
    "$BASE/login" >/dev/null 2>&1; then
	COOKIE=$(awk '$6 == "ms_session" { print "ms_session=" $7 }' "$TMP/jar")
fi

# chosen <file>: true when BENCH_PAGES is empty or names the file's
# feature (data_<name>.sql, pages_<name>.sh).
chosen() {
	[ -z "$PAGES" ] && return 0
	n=${1##*/}
	n=${n#data_}
	n=${n#pages_}
	n=${n%.*}
	for p in $PAGES; do
		[ "$p" = "$n" ] && return 0
	done
	return 1
}

# Optional data sets for the feature pages (tests/bench/*.sql).
for f in tests/bench/data_*.sql; do
	chosen "$f" || continue
	[ -f "$f" ] && psql -Xq -v ON_ERROR_STOP=1 "$DATABASE_URL" -f "$f" \
	    >/dev/null
done

# to_ms a b: wrk latency texts (us/ms/s) -> a / b
to_ms() {
	echo "$1 $2" | awk 'function ms(v) {
		if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0;
		if (v ~ /s$/) return v * 1000; return v }
	    { printf "%.2f", ms($1) / ms($2) }'
}

# bench <name> <path> [wrk -H args...]: prints one line, remembers rps.
bench() {
	name="$1"
	path="$2"
	shift 2
	wrk -t2 -c"$CONNS" -d1s "$@" "$BASE$path" >/dev/null 2>&1
	wrk -t2 -c"$CONNS" -d"${DUR}s" --latency "$@" "$BASE$path" \
	    >"$TMP/$name.txt" 2>&1
	rps=$(awk '/^Requests\/sec/ { printf "%d", $2 }' "$TMP/$name.txt")
	p50=$(awk '$1 == "50%" { print $2 }' "$TMP/$name.txt")
	p99=$(awk '$1 == "99%" { print $2 }' "$TMP/$name.txt")
	bad=$(awk '/Non-2xx/ { print $5 }' "$TMP/$name.txt")
	errs=$(awk '/Socket errors/ { print $0 }' "$TMP/$name.txt")
	eval "RPS_$name=$rps"
	c=$(eval echo "\${RPS_C:-$rps}")
	h=$(eval echo "\${RPS_H:-$rps}")
	printf "%-26s %9s req/s  p50 %8s  p99 %8s  %5.3f x C  %5.3f x H  non-2xx %s %s\n" \
	    "$name" "$rps" "$p50" "$p99" \
	    "$(echo "$rps $c" | awk '{ print $1 / $2 }')" \
	    "$(echo "$rps $h" | awk '{ print $1 / $2 }')" \
	    "${bad:-0}" "$errs"
}

# Header values, passed as one argument each (-H "$JSON"): wrk (4.1)
# silently drops a header written without a space after the colon, so
# "-H accept:application/json" sent no Accept and every "_json" figure
# measured the HTML page.
JSON="accept: application/json"
HTML="accept: text/html"
echo "wrk: 2 threads, $CONNS connections, ${DUR}s per figure; server: 2 workers"
bench C /bench/const
bench H /healthz
[ -n "$PAGES" ] && echo "only: $PAGES (BENCH_PAGES)"
# The home page: always, or when BENCH_PAGES names "home".
if [ -z "$PAGES" ] || echo " $PAGES " | grep -q " home "; then
	# shellcheck disable=SC2086
	bench home_anon_html / -H "$HTML"
	# shellcheck disable=SC2086
	bench home_anon_json / -H "$JSON"
	# shellcheck disable=SC2086
	bench home_unprepared_json /bench/home-unprepared -H "$JSON"
	if [ -n "$COOKIE" ]; then
		# shellcheck disable=SC2086
		bench home_user_html / -H "$HTML" -H "cookie: $COOKIE"
		# The same page while 20 clients log in without pause: password
		# hashing runs in task threads and must not stall page serving.
		wrk -t1 -c20 -d"$((DUR + 2))s" --latency -s tests/bench/login.lua \
		    "$BASE/login" >"$TMP/logins.txt" 2>&1 &
		LOGINS=$!
		sleep 1
		# shellcheck disable=SC2086
		bench home_user_html_logins / -H "$HTML" -H "cookie: $COOKIE"
		wait "$LOGINS"
		lrps=$(awk '/^Requests\/sec/ { printf "%d", $2 }' "$TMP/logins.txt")
		lbad=$(awk '/Non-2xx/ { print $5 }' "$TMP/logins.txt")
		lp50=$(awk '$1 == "50%" { print $2 }' "$TMP/logins.txt")
		lp99=$(awk '$1 == "99%" { print $2 }' "$TMP/logins.txt")
		p99a=$(awk '$1 == "99%" { print $2 }' "$TMP/home_user_html.txt")
		p99b=$(awk '$1 == "99%" { print $2 }' "$TMP/home_user_html_logins.txt")
		echo "logins alongside: $lrps logins/s (p50 $lp50, p99 $lp99," \
		    "non-2xx ${lbad:-0});" \
		    "home p99 $p99a alone, $p99b during logins" \
		    "($(to_ms "$p99b" "$p99a") x)"
	fi
fi
for f in tests/bench/pages_*.sh; do
	chosen "$f" || continue
	# shellcheck disable=SC1090
	[ -f "$f" ] && . "$f"
done

if grep -E "worker .* died|sandbox violation" "$TMP/server.log"; then
	echo "the server log shows a crash"
	exit 1
fi
