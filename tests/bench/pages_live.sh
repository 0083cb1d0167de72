# Sourced by tests/bench/run.sh: live updates (issue 5, GET /live).
# Post-to-delivery latency with 1,000 WebSockets on one topic and 20
# replies a second for 10 s; the budget is p99 under 250 ms with every
# socket getting every post once (tests/bench/live.mjs says how).
BASE="$BASE" DATABASE_URL="$DATABASE_URL" node tests/bench/live.mjs ||
    echo "live_delivery: the benchmark failed or missed its budget"
