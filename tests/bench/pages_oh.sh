# Sourced by tests/bench/run.sh: mentor office hours (issue 13, "Speed
# and load"), on the data of data_oh.sql: 40 mentors, 8 weeks of slots,
# 5,000 bookings.
#
# GET /office-hours (the soonest slots across mentors) and a mentor's
# page, logged in as maker1, HTML and JSON: goal at least 0.25 x H each.
# Then tests/bench/oh_load.mjs: 20 rounds of 50 simultaneous bookings of
# a last seat (exactly 1 confirmed and 49 waitlisted each, no 5xx), and
# the booking p99 while 64 connections load /office-hours (goal: at
# most 3 x its idle p99).
OH_MENTOR=$(psql -XAtq "$DATABASE_URL" -c "SELECT username FROM users
    WHERE username = 'ohb_mentor_1'")

if [ -z "$OH_MENTOR" ] || [ -z "$COOKIE" ]; then
	echo "skipped office hours: no bench data (data_oh.sql) or no login"
else
	# shellcheck disable=SC2086
	bench oh_list_html /office-hours -H "$HTML" -H "cookie: $COOKIE"
	# shellcheck disable=SC2086
	bench oh_list_json /office-hours -H "$JSON" -H "cookie: $COOKIE"
	# shellcheck disable=SC2086
	bench oh_mentor_html "/mentors/$OH_MENTOR" -H "$HTML" \
	    -H "cookie: $COOKIE"
	# shellcheck disable=SC2086
	bench oh_mentor_json "/mentors/$OH_MENTOR" -H "$JSON" \
	    -H "cookie: $COOKIE"
	# shellcheck disable=SC2154 # set by bench() through eval
	for f in oh_list_html oh_list_json oh_mentor_html oh_mentor_json; do
		eval "r=\$RPS_$f"
		echo "$f: $(echo "$r $RPS_H" |
		    awk '{ printf "%.3f", $1 / $2 }') x H (goal >= 0.25 x H)"
	done
	BASE="$BASE" DATABASE_URL="$DATABASE_URL" COOKIE="$COOKIE" \
	    node tests/bench/oh_load.mjs race ||
	    echo "oh_last_seat_race: the benchmark failed or missed its goal"
	BASE="$BASE" DATABASE_URL="$DATABASE_URL" COOKIE="$COOKIE" \
	    OH_LOAD_CONNS="$CONNS" node tests/bench/oh_load.mjs latency ||
	    echo "oh_booking_p99: the benchmark failed or missed its goal"
fi
