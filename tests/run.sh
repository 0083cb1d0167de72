#!/bin/sh
# tests/run.sh: run every test and print one summary line.
#
#   tests/run.sh         docs, unit, then e2e and browser tests against a
#                        throw-away PostgreSQL cluster and a free port, so
#                        it can run while `make run` is serving
#   tests/run.sh unit    the docs check and the C unit tests only
#   TESTS="tests/e2e/board.test.mjs ..." tests/run.sh
#                        unit tests, then only the named e2e, browser and
#                        tests/proxy/ files (for working on one feature)
#
# Last, tests/proxy.sh runs the accounts, live-update and rate-limit
# suites and tests/proxy/ again through nginx in front of two server
# processes, on a cluster of its own (only the named tests/proxy/ files
# when TESTS is set).
#
# The last line is "N passed, M failed"; the exit status is non-zero when
# anything failed.  The server's log is kept in tests/artifacts/ and must
# not show a dead worker, a sandbox violation or an ignored config line.
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
ART="${TEST_ARTIFACTS:-$ROOT/tests/artifacts}"
mkdir -p "$ART"
PASSED=0
FAILED=0
TMP=""
KORE_PID=""
WORKERS=2
# The e2e server is built with AddressSanitizer and UBSan (the Makefile's
# app-san.so); `make run` and `make bench` use the -O2 app.so.
APP_SO="${APP_SO:-$ROOT/build/app-san.so}"
[ -f "$APP_SO" ] || APP_SO="$ROOT/build/app.so"

count() {
	PASSED=$((PASSED + $1))
	FAILED=$((FAILED + $2))
}

cleanup() {
	[ -n "$KORE_PID" ] && conf/serve.sh halt "$KORE_PID"
	if [ -n "$TMP" ]; then
		conf/pg.sh stop "$TMP/pg" >/dev/null 2>&1
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT INT TERM

run_unit() {
	for t in build/unit/test_*; do
		[ -x "$t" ] || continue
		out=$("$t" 2>&1)
		rc=$?
		echo "$out" | grep -a -E '^not ok|^#   |: [0-9]+ passed, [0-9]+ failed'
		line=$(echo "$out" | grep -a -E '^# .*: [0-9]+ passed, [0-9]+ failed' |
		    tail -1)
		if [ -z "$line" ]; then
			echo "not ok - $t crashed (exit $rc)"
			echo "$out" | tail -20
			count 0 1
			continue
		fi
		p=$(echo "$line" | sed -E 's/.*: ([0-9]+) passed.*/\1/')
		f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed.*/\1/')
		[ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1
		count "$p" "$f"
	done
}

# The project's docs: routes documented, citations that resolve
# (tests/check_docs.mjs, also `make check-docs`).  One check.
check_docs() {
	if out=$(node tests/check_docs.mjs 2>&1); then
		echo "ok - $out"
		count 1 0
	else
		echo "$out"
		echo "not ok - the docs do not match the tree (make check-docs)"
		count 0 1
	fi
}

free_port() {
	node -e 'const s = require("net").createServer();
	    s.listen(0, "127.0.0.1", () => { console.log(s.address().port);
	    s.close(); });'
}

# /usr/bin/kore is not instrumented, so AddressSanitizer's runtime is
# preloaded for the server alone.  Leak checking is off (it needs ptrace,
# which the worker sandbox refuses); any other finding ends the worker,
# which check_worker_starts and check_server_log then see.
kore_env() {
	case "$APP_SO" in
	*-san.so)
		echo "LD_PRELOAD=$(gcc -print-file-name=libasan.so)" \
		    "ASAN_OPTIONS=detect_leaks=0:halt_on_error=1" \
		    "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1"
		;;
	esac
}

# A private cluster and server for this run only.
start_stack() {
	TMP=$(mktemp -d /tmp/mkt-XXXXXX)
	chmod 0755 "$TMP"
	conf/serve.sh prepare-db "$TMP/pg" test >"$ART/db-setup.log" 2>&1 ||
	    { cat "$ART/db-setup.log"; return 1; }
	DATABASE_URL=$(conf/pg.sh url "$TMP/pg")
	PORT=$(free_port)
	conf/serve.sh conf "$TMP/run" "$PORT" "$WORKERS" "$APP_SO"
	export DATABASE_URL
	# shellcheck disable=SC2046
	# Reminders (app/oh_cal.c) looked for every second, not every minute.
	env $(kore_env) MAKERSPACE_ASSETS="$ROOT/assets" \
	    MAKERSPACE_REMINDER_SECONDS=1 /usr/bin/kore -f -n -r \
	    -c "$TMP/run/kore.conf" >"$ART/server.log" 2>&1 &
	KORE_PID=$!
	i=0
	until curl -fsS -m 2 "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 150 ] || ! kill -0 "$KORE_PID" 2>/dev/null; then
			echo "not ok - the server did not start:"
			tail -30 "$ART/server.log"
			return 1
		fi
		sleep 0.1
	done
}

# node --test with the TAP reporter; add up its pass/fail lines.
run_node() {
	label="$1"
	shift
	case "$APP_SO" in
	*-san.so) SERVER_SANITIZED=1 ;;
	*) SERVER_SANITIZED= ;;
	esac
	export SERVER_SANITIZED
	BASE_URL="http://127.0.0.1:$PORT" PG_BASE="$TMP/pg" ROOT="$ROOT" \
	    SERVER_LOG="$ART/server.log" ARTIFACTS="$ART" \
	    node --test --test-reporter=tap --test-concurrency=1 "$@" \
	    >"$ART/$label.tap" 2>&1
	grep -a -E '^ *(not ok|# Subtest)' "$ART/$label.tap" |
	    grep -B1 -E '^ *not ok' | grep -v '^--$'
	p=$(grep -a -E '^# pass [0-9]+' "$ART/$label.tap" | awk '{print $3}')
	f=$(grep -a -E '^# fail [0-9]+' "$ART/$label.tap" | awk '{print $3}')
	# A test cancelled (it never finished) is a failure too.
	c=$(grep -a -E '^# cancelled [0-9]+' "$ART/$label.tap" | awk '{print $3}')
	f=$((${f:-0} + ${c:-0}))
	if [ -z "$p" ]; then
		echo "not ok - $label: the test runner failed"
		tail -30 "$ART/$label.tap"
		count 0 1
		return
	fi
	[ "$f" -gt 0 ] && grep -a -E -A30 '^ *not ok' "$ART/$label.tap" | head -80
	count "$p" "$f"
	echo "# $label: $p passed, $f failed"
}

# tests/proxy.sh [files]: its lines as they are, its last line counted.
run_proxy() {
	TEST_ARTIFACTS="$ART" tests/proxy.sh "$@" >"$ART/proxy.out" 2>&1
	grep -v -x -E '[0-9]+ passed, [0-9]+ failed' "$ART/proxy.out"
	line=$(tail -1 "$ART/proxy.out")
	if echo "$line" | grep -q -x -E '[0-9]+ passed, [0-9]+ failed'; then
		count "${line%% *}" "$(echo "$line" | awk '{print $3}')"
	else
		echo "not ok - tests/proxy.sh did not finish"
		count 0 1
	fi
}

# Kore logs a worker that ended as "exited with status N", "... gone" and
# "restarting worker"; a worker that ends at shutdown only "exited".  The
# sanitizers (the e2e build, see the Makefile) report "runtime error" and
# "AddressSanitizer".
check_server_log() {
	if grep -a -E -i "exited with status|restarting worker|\) gone|\
worker .* died|sandbox violation|ignoring \"|unknown directive|SIGSEGV|\
SIGABRT|AddressSanitizer|LeakSanitizer|runtime error:" \
	    "$ART/server.log"; then
		echo "not ok - the server log shows a crash or a bad config line"
		count 0 1
	else
		echo "ok - the server log is clean"
		count 1 0
	fi
}

# Every worker started once: the figure is the number of workers.
check_worker_starts() {
	starts=$(curl -fsS -m 10 "http://127.0.0.1:$PORT/metrics" |
	    sed -n 's/^makerspace_worker_starts_total \([0-9]*\)$/\1/p')
	if [ "$starts" = "$WORKERS" ]; then
		echo "ok - no worker was restarted ($starts starts)"
		count 1 0
	else
		echo "not ok - workers started ${starts:-?} times for $WORKERS" \
		    "workers: one ended during the tests"
		count 0 1
	fi
}

check_docs
run_unit
if [ "${1:-}" != "unit" ]; then
	if start_stack; then
		e2e=$(ls tests/e2e/*.test.mjs)
		browser=$(ls tests/browser/*.test.mjs)
		if [ -n "${TESTS:-}" ]; then
			e2e=$(for t in $TESTS; do echo "$t"; done | grep '/e2e/')
			browser=$(for t in $TESTS; do echo "$t"; done |
			    grep '/browser/')
		fi
		# shellcheck disable=SC2086
		[ -n "$e2e" ] && run_node e2e $e2e
		# shellcheck disable=SC2086
		[ -n "$browser" ] && run_node browser $browser
		check_worker_starts
		check_server_log
	else
		count 0 1
	fi
	# The proxy stage starts its own servers: stop these first.
	cleanup
	KORE_PID=""
	TMP=""
	if [ -z "${TESTS:-}" ]; then
		run_proxy
	else
		proxy=$(for t in $TESTS; do echo "$t"; done | grep '/proxy/')
		# shellcheck disable=SC2086
		[ -n "$proxy" ] && run_proxy $proxy
	fi
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
