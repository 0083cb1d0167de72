#!/bin/sh
# conf/pg.sh: a private PostgreSQL 15 cluster for development and tests.
#
#   conf/pg.sh base <dir>            print where the cluster for <dir> lives
#   conf/pg.sh start <base> [test]   initdb if needed, start, create the db
#   conf/pg.sh stop <base>
#   conf/pg.sh url <base>            print the libpq connection string
#
# The cluster listens on a unix socket only (<base>/sock, no TCP).
# PostgreSQL refuses to run as root: as root the cluster runs as the
# unprivileged `postgres` user (created by Debian's package), which must
# be able to reach <base>; when the checkout is under a 0700 directory
# (/root/...) or its path is too long for a socket, `base` answers a
# directory under /tmp keyed by the checkout's path instead.
set -eu

PGBIN=$(pg_config --bindir 2>/dev/null || echo /usr/lib/postgresql/15/bin)
[ -x "$PGBIN/initdb" ] || PGBIN=/usr/lib/postgresql/15/bin
DBNAME=makerspace
DBUSER=makerspace
RUNAS=postgres

as_db() {
	# Run a PostgreSQL program as the cluster's owner, from `/` so a
	# 0700 working directory does not get in the way.
	if [ "$(id -u)" -eq 0 ]; then
		(cd / && runuser -u "$RUNAS" -- "$@")
	else
		"$@"
	fi
}

reachable() {
	# Can the cluster's owner create files in $1?
	if [ "$(id -u)" -eq 0 ]; then
		(cd / && runuser -u "$RUNAS" -- test -x "$1") 2>/dev/null
	else
		return 0
	fi
}

cmd_base() {
	want="$1/var/pg"
	mkdir -p "$1/var"
	# 100 bytes is the practical limit of a unix socket path.
	if [ ${#want} -lt 70 ] && reachable "$1/var"; then
		echo "$want"
	else
		sum=$(printf '%s' "$1" | cksum | cut -d' ' -f1)
		echo "/tmp/makerspace-pg-$sum"
	fi
}

cmd_start() {
	base="$1"
	mode="${2:-dev}"
	mkdir -p "$base"
	chmod 0755 "$base"
	if [ "$(id -u)" -eq 0 ]; then
		chown "$RUNAS" "$base"
	fi
	if [ ! -f "$base/data/PG_VERSION" ]; then
		as_db mkdir -p "$base/data" "$base/sock"
		as_db chmod 0700 "$base/data"
		as_db "$PGBIN/initdb" --no-sync -D "$base/data" -U "$DBUSER" \
		    --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
		{
			echo "listen_addresses = ''"
			echo "unix_socket_directories = '$base/sock'"
			echo "max_connections = 200"
			echo "log_min_messages = warning"
			echo "log_min_error_statement = panic"
			if [ "$mode" = test ]; then
				echo "fsync = off"
				echo "full_page_writes = off"
				echo "synchronous_commit = off"
			fi
		} | as_db sh -c "cat >> '$base/data/postgresql.conf'"
	fi
	if ! as_db "$PGBIN/pg_ctl" status -D "$base/data" >/dev/null 2>&1; then
		# setsid: Ctrl-C on `make run` must not reach the database.
		as_db setsid "$PGBIN/pg_ctl" start -w -t 30 -D "$base/data" \
		    -l "$base/postgres.log" >/dev/null
	fi
	if ! psql -XAtq -h "$base/sock" -U "$DBUSER" -d postgres \
	    -c "SELECT 1 FROM pg_database WHERE datname = '$DBNAME'" |
	    grep -q 1; then
		psql -Xq -h "$base/sock" -U "$DBUSER" -d postgres \
		    -c "CREATE DATABASE $DBNAME"
	fi
}

cmd_stop() {
	base="$1"
	[ -f "$base/data/PG_VERSION" ] || return 0
	if as_db "$PGBIN/pg_ctl" status -D "$base/data" >/dev/null 2>&1; then
		as_db "$PGBIN/pg_ctl" stop -m fast -w -D "$base/data" >/dev/null
	fi
}

cmd_url() {
	echo "host=$1/sock dbname=$DBNAME user=$DBUSER"
}

case "${1:-}" in
base)	cmd_base "$2" ;;
start)	cmd_start "$2" "${3:-dev}" ;;
stop)	cmd_stop "$2" ;;
url)	cmd_url "$2" ;;
*)	echo "usage: $0 base|start|stop|url <dir>" >&2; exit 2 ;;
esac
