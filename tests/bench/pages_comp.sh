# Sourced by tests/bench/run.sh: competitions (issue 14, Speed), on the
# data of data_comp.sql.  Goals: the competition page and the results
# page of 'bench published' (300 entries), logged in, >= 0.25 x H; the
# queue of a judge (maker1 in 'bench judging') and a scoring form,
# >= 0.25 x H; competition_results() over 500 entries x 7 judges x 6
# criteria, each method, p99 < 50 ms.
COMP_PUB=$(psql -XAtq "$DATABASE_URL" -c "SELECT id FROM competitions
    WHERE title = 'bench published'")
COMP_SCORE=$(psql -XAtq "$DATABASE_URL" -c "SELECT a.entry_id
    FROM comp_assignments a JOIN competitions c ON c.id = a.competition_id
    JOIN users u ON u.id = a.judge_id
    LEFT JOIN comp_scores s ON s.entry_id = a.entry_id
	AND s.judge_id = a.judge_id
    WHERE c.title = 'bench judging' AND u.username = 'maker1'
	AND s.entry_id IS NULL ORDER BY a.entry_id LIMIT 1")

# p99_file <file of latencies in microseconds, one a line>: milliseconds.
comp_p99() {
	sort -n "$1" | awk '{ v[NR] = $1 } END { i = int(NR * 0.99);
		if (i < 1) i = 1; printf "%.1f", v[i] / 1000 }'
}

if [ -z "$COMP_PUB" ] || [ -z "$COMP_SCORE" ]; then
	echo "skipped competitions: no bench data (data_comp.sql)"
else
	# shellcheck disable=SC2086
	bench comp_page_user "/competitions/$COMP_PUB" -H "$HTML" \
	    -H "cookie: $COOKIE"
	# shellcheck disable=SC2086
	bench comp_results_user "/competitions/$COMP_PUB/results" -H "$HTML" \
	    -H "cookie: $COOKIE"
	# shellcheck disable=SC2086
	bench comp_judging_user /judging -H "$HTML" -H "cookie: $COOKIE"
	# shellcheck disable=SC2086
	bench comp_score_form_user "/entries/$COMP_SCORE/score" -H "$HTML" \
	    -H "cookie: $COOKIE"
	# shellcheck disable=SC2154 # set by bench() through eval
	echo "competitions: page $(echo "$RPS_comp_page_user $RPS_H" |
	    awk '{ printf "%.3f", $1 / $2 }') x H, results $(echo \
	    "$RPS_comp_results_user $RPS_H" | awk '{ printf "%.3f", $1 / $2 }') x H," \
	    "judge's queue $(echo "$RPS_comp_judging_user $RPS_H" |
	    awk '{ printf "%.3f", $1 / $2 }') x H, scoring form $(echo \
	    "$RPS_comp_score_form_user $RPS_H" | awk '{ printf "%.3f", $1 / $2 }') x H" \
	    "(goal >= 0.25 x H each)"

	# The results statement alone, as the server runs it: prepared, a
	# generic plan (app/db.c), the competition a parameter; one client,
	# latency per call from pgbench's log.
	line="competition_results, 500 entries x 7 judges x 6 criteria, p99:"
	for m in mean trimmed zscore; do
		cid=$(psql -XAtq "$DATABASE_URL" -c "SELECT id FROM competitions
		    WHERE title = 'bench results $m'")
		printf '\\set cid %s\nSELECT * FROM competition_results(:cid);\n' \
		    "$cid" >"$TMP/comp_$m.sql"
		rm -f "$TMP"/comp_log*
		PGOPTIONS='-c plan_cache_mode=force_generic_plan' pgbench -n \
		    -M prepared -f "$TMP/comp_$m.sql" -T "$DUR" -c 1 -l \
		    --log-prefix="$TMP/comp_log" "$DATABASE_URL" >/dev/null 2>&1
		cat "$TMP"/comp_log* 2>/dev/null | awk '{ print $3 }' \
		    >"$TMP/comp_$m.us"
		line="$line $m $(comp_p99 "$TMP/comp_$m.us") ms"
		line="$line ($(grep -c . "$TMP/comp_$m.us") calls),"
	done
	echo "$line (goal < 50 ms)"
fi
