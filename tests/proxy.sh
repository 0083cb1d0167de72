#!/bin/sh
# tests/proxy.sh: the site as deployed behind a reverse proxy.
#
#   tests/proxy.sh [test files]
#
# Starts a throw-away PostgreSQL cluster, TWO Kore processes on two free
# ports (one database, MAKERSPACE_TRUSTED_PROXIES set) and Debian's nginx
# on a third, balancing between them, passing WebSocket upgrades and
# setting X-Forwarded-For; then runs the test files with BASE_URL pointing
# at nginx (default: the accounts, live-update and rate-limit suites and
# tests/proxy/*.test.mjs).  Called by tests/run.sh after its own runs.
#
# nginx runs in the foreground as one process (master_process off), with
# its config, pid, temp and log files in a temporary prefix, so it works
# as a normal user and as root alike and never touches /etc/nginx.  It
# connects to the nodes from 127.0.0.2 (proxy_bind), the only trusted
# proxy: the tests also reach the nodes directly from 127.0.0.1, an
# untrusted peer whose X-Forwarded-For must be ignored.
#
# The last line is "N passed, M failed"; the exit status is non-zero when
# anything failed.  Logs go to tests/artifacts/ (proxy-server.log, both
# nodes; nginx-error.log; proxy.tap).
set -u

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
ART="${TEST_ARTIFACTS:-$ROOT/tests/artifacts}"
mkdir -p "$ART"
PASSED=0
FAILED=0
TMP=""
PIDS=""
TRUSTED="127.0.0.2/32 ::1"
NGINX_FROM=127.0.0.2

count() {
	PASSED=$((PASSED + $1))
	FAILED=$((FAILED + $2))
}

cleanup() {
	# shellcheck disable=SC2086
	[ -n "$PIDS" ] && conf/serve.sh halt $PIDS
	if [ -n "$TMP" ]; then
		conf/pg.sh stop "$TMP/pg" >/dev/null 2>&1
		rm -rf "$TMP"
	fi
}
trap cleanup EXIT INT TERM

free_port() {
	node -e 'const s = require("net").createServer();
	    s.listen(0, "127.0.0.1", () => { console.log(s.address().port);
	    s.close(); });'
}

# Wait until $1/healthz answers 200 while process $2 lives.
wait_up() {
	i=0
	until curl -fsS -m 2 "$1/healthz" >/dev/null 2>&1; do
		i=$((i + 1))
		if [ $i -gt 150 ] || ! kill -0 "$2" 2>/dev/null; then
			return 1
		fi
		sleep 0.1
	done
}

# One Kore node on port $1 (run directory $TMP/node-$1), logging to the
# shared server log.
start_node() {
	conf/serve.sh conf "$TMP/node-$1" "$1" 2 "$ROOT/build/app.so"
	MAKERSPACE_ASSETS="$ROOT/assets" \
	    MAKERSPACE_TRUSTED_PROXIES="$TRUSTED" \
	    MAKERSPACE_METRICS_TOKEN="$METRICS_TOKEN" \
	    /usr/bin/kore -f -n -r -c "$TMP/node-$1/kore.conf" \
	    >>"$ART/proxy-server.log" 2>&1 &
	PIDS="$PIDS $!"
	if ! wait_up "http://127.0.0.1:$1" $!; then
		echo "not ok - node on port $1 did not start:"
		tail -30 "$ART/proxy-server.log"
		return 1
	fi
}

# nginx on port $1 in front of the nodes on ports $2 and $3.
start_nginx() {
	n="$TMP/nginx"
	mkdir -p "$n"
	cat >"$n/nginx.conf" <<EOF
daemon off;
master_process off;
pid $n/nginx.pid;
error_log $ART/nginx-error.log warn;
events {
	worker_connections 1024;
}
http {
	access_log off;
	client_body_temp_path $n/client_body;
	proxy_temp_path $n/proxy;
	fastcgi_temp_path $n/fastcgi;
	uwsgi_temp_path $n/uwsgi;
	scgi_temp_path $n/scgi;
	client_max_body_size 12m;

	map \$http_upgrade \$connection_upgrade {
		default upgrade;
		'' close;
	}
	upstream makerspace {
		server 127.0.0.1:$2;
		server 127.0.0.1:$3;
	}
	server {
		listen 127.0.0.1:$1;
		location / {
			proxy_pass http://makerspace;
			proxy_http_version 1.1;
			proxy_set_header Host \$http_host;
			proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
			proxy_set_header Upgrade \$http_upgrade;
			proxy_set_header Connection \$connection_upgrade;
			proxy_read_timeout 120s;
			proxy_bind $NGINX_FROM;
		}
	}
}
EOF
	: >"$ART/nginx-error.log"
	nginx -p "$n" -e "$ART/nginx-error.log" -c "$n/nginx.conf" \
	    >>"$ART/nginx-error.log" 2>&1 &
	PIDS="$PIDS $!"
	if ! wait_up "http://127.0.0.1:$1" $!; then
		echo "not ok - nginx did not start:"
		tail -30 "$ART/nginx-error.log"
		return 1
	fi
}

start_stack() {
	command -v nginx >/dev/null 2>&1 || PATH="$PATH:/usr/sbin"
	if ! command -v nginx >/dev/null 2>&1; then
		echo "not ok - no nginx (conf/deps.sh installs it)"
		return 1
	fi
	TMP=$(mktemp -d /tmp/mkp-XXXXXX)
	chmod 0755 "$TMP"
	conf/serve.sh prepare-db "$TMP/pg" test >"$ART/proxy-db-setup.log" \
	    2>&1 || { cat "$ART/proxy-db-setup.log"; return 1; }
	DATABASE_URL=$(conf/pg.sh url "$TMP/pg")
	export DATABASE_URL
	METRICS_TOKEN=$(head -c 24 /dev/urandom | base64 | tr '+/' '-_')
	export METRICS_TOKEN
	P1=$(free_port)
	P2=$(free_port)
	PN=$(free_port)
	: >"$ART/proxy-server.log"
	start_node "$P1" && start_node "$P2" && start_nginx "$PN" "$P1" "$P2"
}

# node --test with the TAP reporter; add up its pass/fail lines.
run_node() {
	BASE_URL="http://127.0.0.1:$PN" \
	    NODE_URLS="http://127.0.0.1:$P1 http://127.0.0.1:$P2" \
	    PG_BASE="$TMP/pg" ROOT="$ROOT" ARTIFACTS="$ART" \
	    SERVER_LOG="$ART/proxy-server.log" \
	    node --test --test-reporter=tap --test-concurrency=1 "$@" \
	    >"$ART/proxy.tap" 2>&1
	grep -E '^ *(not ok|# Subtest)' "$ART/proxy.tap" |
	    grep -B1 -E '^ *not ok' | grep -v '^--$'
	p=$(grep -E '^# pass [0-9]+' "$ART/proxy.tap" | awk '{print $3}')
	f=$(grep -E '^# fail [0-9]+' "$ART/proxy.tap" | awk '{print $3}')
	c=$(grep -E '^# cancelled [0-9]+' "$ART/proxy.tap" | awk '{print $3}')
	f=$((${f:-0} + ${c:-0}))
	if [ -z "$p" ]; then
		echo "not ok - proxy: the test runner failed"
		tail -30 "$ART/proxy.tap"
		count 0 1
		return
	fi
	[ "$f" -gt 0 ] && grep -E -A30 '^ *not ok' "$ART/proxy.tap" | head -80
	count "$p" "$f"
	echo "# proxy: $p passed, $f failed"
}

check_logs() {
	if grep -E -i "worker .* died|sandbox violation|ignoring \"|\
unknown directive|SIGSEGV|SIGABRT|AddressSanitizer" \
	    "$ART/proxy-server.log"; then
		echo "not ok - a node's log shows a crash or a bad config line"
		count 0 1
	else
		echo "ok - the nodes' log is clean"
		count 1 0
	fi
	if grep -E "\[(emerg|alert|crit)\]" "$ART/nginx-error.log"; then
		echo "not ok - nginx logged an error of its own"
		count 0 1
	else
		echo "ok - nginx's log is clean"
		count 1 0
	fi
}

if [ $# -eq 0 ]; then
	set -- tests/e2e/accounts.test.mjs tests/e2e/live.test.mjs \
	    tests/e2e/ratelimit.test.mjs tests/proxy/*.test.mjs
fi
if start_stack; then
	run_node "$@"
	check_logs
else
	count 0 1
fi

echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
