# Sourced by tests/bench/run.sh: the project pages (issue "Project
# showcase"), on the data of data_projects.sql.
SHOW=$(psql -XAtq "$DATABASE_URL" -c "SELECT id FROM projects
    WHERE title = 'bench showcase'")
THUMB=$(psql -XAtq "$DATABASE_URL" -c "SELECT media_url(t) FROM projects p
    JOIN project_photos ph ON ph.id = p.cover_photo_id
    JOIN media t ON t.id = ph.thumb_id WHERE p.id = $SHOW")
# shellcheck disable=SC2086
bench project_page_user "/projects/$SHOW" -H "$HTML" -H "cookie: $COOKIE"
# shellcheck disable=SC2086
bench project_page_json "/projects/$SHOW" -H "$JSON" -H "cookie: $COOKIE"
# shellcheck disable=SC2086
bench project_list_user /projects -H "$HTML" -H "cookie: $COOKIE"
# A constant 20,000-byte body: what Kore itself manages for a thumbnail.
bench C20k /bench/const20k
bench media_thumb "$THUMB"
echo "media_thumb against C20k: $(echo "$RPS_media_thumb $RPS_C20k" |
    awk '{ printf "%.3f", $1 / $2 }') x"
bench media_thumb_304 "$THUMB" -H "if-none-match: \"$(echo "$THUMB" |
    cut -c8-71)\""

# The project page while 4 photos a second are uploaded and thumbnailed.
# They go to another project of the same maker: uploading into the page
# being measured would grow it from 12 to 50 photos during the figure, so
# it would no longer be the page measured idle.
UPLOAD_CSRF=$(curl -fsS -b "$TMP/jar" -H 'accept: application/json' \
    "$BASE/session" | sed -n 's/.*"csrf_token":"\([^"]*\)".*/\1/p')
UPLOAD_TO=$(curl -fsS -b "$TMP/jar" -H 'accept: application/json' \
    -H 'content-type: application/json' -H "x-csrf-token: $UPLOAD_CSRF" \
    -d '{"title":"bench uploads","status":"published"}' \
    "$BASE/projects" | grep -o '"/projects/[0-9]*"' | head -1 | tr -dc 0-9)
uploads() {
	end=$(($(date +%s) + DUR + 2))
	while [ "$(date +%s)" -lt "$end" ]; do
		for _ in 1 2 3 4; do
			curl -s -o /dev/null -w '%{http_code}\n' \
			    -b "$TMP/jar" -H 'accept: application/json' \
			    -H "x-csrf-token: $UPLOAD_CSRF" -H 'Expect:' \
			    -F "photo=@$TMP/photo.jpg" \
			    "$BASE/projects/${UPLOAD_TO:-$SHOW}/photos" \
			    >>"$TMP/uploads.txt" &
			sleep 0.25
		done
	done
	wait
}
vips gaussnoise "$TMP/noise.v" 4000 3000 >/dev/null 2>&1 &&
    vips jpegsave "$TMP/noise.v" "$TMP/photo.jpg" --Q 90 >/dev/null 2>&1
if [ -f "$TMP/photo.jpg" ]; then
	# The idle figure again, just before: the same server, the same
	# minute (the first one was taken a minute and several figures ago).
	# shellcheck disable=SC2086
	bench project_page_idle "/projects/$SHOW" -H "$HTML" -H "cookie: $COOKIE"
	: >"$TMP/uploads.txt"
	uploads &
	UPL=$!
	sleep 1
	# shellcheck disable=SC2086
	bench project_page_uploads "/projects/$SHOW" -H "$HTML" -H "cookie: $COOKIE"
	wait "$UPL"
	n=$(grep -c . "$TMP/uploads.txt")
	ok=$(grep -c '^201$' "$TMP/uploads.txt")
	p99a=$(awk '$1 == "99%" { print $2 }' "$TMP/project_page_idle.txt")
	p99b=$(awk '$1 == "99%" { print $2 }' "$TMP/project_page_uploads.txt")
	echo "uploads alongside: $ok of $n 12-megapixel uploads answered 201;" \
	    "project page p99 $p99a idle, $p99b during uploads" \
	    "($(to_ms "$p99b" "$p99a") x)"
	build/bench/thumb "$TMP/photo.jpg"
fi
