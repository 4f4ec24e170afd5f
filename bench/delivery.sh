#!/usr/bin/env bash
# The delivery benchmark (issue 6): bash bench/delivery.sh (see bench/README.md). Also a stage of bench/run.sh.
#
# One Vigil (Release, SQLite on a scratch dir) with a route to one webhook receiver, bench/Vigil.Bench.Sink on
# loopback, which answers 200 and records each alert's arrival. In order:
#   1. quiet    - ping latency on bench-ping at a fixed rate with nothing to deliver (the reference)
#   2. latency  - BENCH_LAT_CHECKS checks (every BENCH_LAT_EVERY s, grace BENCH_LAT_GRACE s) pinged once each,
#                 staggered over BENCH_LAT_SPREAD s, so their deadlines pass one by one: deadline -> arrival at
#                 the sink, p50/p99 (promise: p99 <= 1 s)
#   3. storm    - BENCH_STORM_CHECKS checks (storm-a-*) brought up together by wrk and then left alone, so they all
#                 go down at once: deliveries per second from the first arrival to the last (promise: >= 1,000/s),
#                 and every check's notification counted
#   4. pings under a storm - a second storm (storm-b-*) and, from the moment its deadlines pass, the same ping
#                 latency run as 1.: p99 with the storm in flight / without. Its size is the storm rate measured
#                 in 3. times the ping run plus 10 s (at most BENCH_STORM_LOAD_MAX), so that it outlasts the run.
#   5. quiet again - the ping latency run of 1. once more, every alert delivered: with 1. it gives the noise band
#                 the run under a storm is judged against (noise_limit in bench/lib.sh)
# It writes its section of BENCH_RESULTS (default bench/RESULTS.md) between <!-- delivery:begin --> and
# <!-- delivery:end -->, leaving the rest of the file alone.
#
# Overridable: BENCH_STORM_CHECKS (2000), BENCH_STORM_LOAD_MAX (30000), BENCH_STORM_EVERY (s, 5; longer than one lap of the bring-up pings over the largest storm, so no check goes down between two of its pings),
# BENCH_STORM_GRACE (s, 1), BENCH_LAT_CHECKS (200), BENCH_LAT_EVERY (s, 1), BENCH_LAT_GRACE (s, 1),
# BENCH_LAT_SPREAD (s, 20), BENCH_DELIVERY_PING_RATE (pings/s, 2000; bench/run.sh passes half of Vigil's
# measured maximum), BENCH_LATENCY_DURATION (s, 30), BENCH_WARMUP (s, 10), BENCH_CONNECTIONS (64),
# BENCH_THREADS (2), BENCH_DELIVERY_PORT (first of two ports, 18490), BENCH_TMP, BENCH_RESULTS.
set -euo pipefail

BENCH_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(dirname "$BENCH_DIR")
export BENCH_DIR

STORM=${BENCH_STORM_CHECKS:-2000}
STORM_LOAD_MAX=${BENCH_STORM_LOAD_MAX:-30000}
STORM_EVERY=${BENCH_STORM_EVERY:-5}
STORM_GRACE=${BENCH_STORM_GRACE:-1}
LAT_CHECKS=${BENCH_LAT_CHECKS:-200}
LAT_EVERY=${BENCH_LAT_EVERY:-1}
LAT_GRACE=${BENCH_LAT_GRACE:-1}
LAT_SPREAD=${BENCH_LAT_SPREAD:-20}
PING_RATE=${BENCH_DELIVERY_PING_RATE:-2000}
LATENCY_DURATION=${BENCH_LATENCY_DURATION:-30}
WARMUP=${BENCH_WARMUP:-10}
CONNECTIONS=${BENCH_CONNECTIONS:-64}
THREADS=${BENCH_THREADS:-2}
PORT=${BENCH_DELIVERY_PORT:-18490}
RESULTS=${BENCH_RESULTS:-$BENCH_DIR/RESULTS.md}
RATE_TARGET=1000
LAT_TARGET_MS=1000
export BENCH_THREADS=$THREADS BENCH_LAT_EVERY=$LAT_EVERY

# shellcheck source=bench/lib.sh
source "$BENCH_DIR/lib.sh"
bench_init delivery
need_tools wrk curl python3

log "building Vigil and the webhook sink (Release)"
build_release src/Vigil.Cli/Vigil.Cli.csproj bench/Vigil.Bench.Sink/Vigil.Bench.Sink.csproj
VIGIL_DLL=$REPO/src/Vigil.Cli/bin/Release/net10.0/vigil.dll
SINK_DLL=$REPO/bench/Vigil.Bench.Sink/bin/Release/net10.0/Vigil.Bench.Sink.dll

scratch_dir vigil-delivery

# sink_alerts : how many alerts the sink has recorded so far (and fail on a message it could not read).
sink_alerts() {
    local line
    line=$(curl -fsS "$SINK_URL/count") || die "the sink does not answer"
    [[ $line == *" refused=0" ]] || die "the sink refused messages it could not read: $line"
    sed -E 's/^alerts=([0-9]+).*/\1/' <<<"$line"
}

# wait_alerts N STALL WHAT : until the sink holds at least N alerts; fail when none arrived for STALL seconds (a
# storm may take long to drain, but it must keep moving).
wait_alerts() {
    local got last=-1 moved=$SECONDS
    while :; do
        got=$(sink_alerts)
        ((got >= $1)) && return 0
        ((got > last)) && { last=$got; moved=$SECONDS; }
        ((SECONDS - moved < $2)) || { tail -n 20 "$WORK/vigil.log" >&2; die "$3: the sink holds $got alerts, expected $1, and none arrived for $2 s"; }
        sleep 0.2
    done
}

# storm_pings NAME UUIDS : wrk pings every check in UUIDS round-robin (each thread walks its share) and stops; a run
# that did not make at least 1.1 laps over every share (the 0.1 covers requests still in flight at the stop) is done
# again for twice as long. The checks' deadlines then pass within one lap of each other.
storm_pings() {
    local name=$1 uuids=$2 count secs out try
    count=$(wc -l <"$uuids")
    # Two laps at 10k pings/s, and never under 2 s.
    secs=$(awk -v n="$count" 'BEGIN { s = int(2 * n / 10000) + 1; print (s < 2 ? 2 : s) }')
    for try in 1 2 3; do
        log "$name: bringing $count checks up (wrk, ${secs}s)"
        BENCH_STORM_UUIDS=$uuids wrk -t"$THREADS" -c"$CONNECTIONS" -d"${secs}s" --timeout 10s -s "$BENCH_DIR/wrk/storm.lua" \
            "$VIGIL_URL" >"$WORK/$name.wrk.txt" 2>&1 || die "wrk bringing $name up"
        PINGED_AT=$(now)
        out=$(grep '^STORM_RESULT' "$WORK/$name.wrk.txt") || { cat "$WORK/$name.wrk.txt" >&2; die "no result from wrk for $name"; }
        grep -q ' non2xx=0 errors=0' "$WORK/$name.wrk.txt" || { cat "$WORK/$name.wrk.txt" >&2; die "pings of $name failed"; }
        LAPS=$(sed -E 's/.*min_laps=([0-9.]+).*/\1/' <<<"$out")
        if awk -v l="$LAPS" 'BEGIN { exit !(l >= 1.1) }'; then
            log "$name: every check pinged (at least $LAPS laps)"
            return 0
        fi
        log "$name: only $LAPS laps over the checks; again for longer"
        secs=$((secs * 2))
    done
    die "$name: wrk could not ping every check (last run: $LAPS laps)"
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
START=$(date -u '+%Y-%m-%d %H:%M:%S UTC')
SECONDS=0

SINK_URL=http://127.0.0.1:$PORT
VIGIL_URL=http://127.0.0.1:$((PORT + 1))
export BENCH_SINK_URL=$SINK_URL/hook
python3 "$BENCH_DIR/delivery.py" config "$BENCH_DIR/delivery.yaml" "$WORK/vigil.yaml" "$WORK" \
    "$LAT_CHECKS" "$LAT_EVERY" "$LAT_GRACE" "$STORM" "$STORM_LOAD_MAX" "$STORM_EVERY" "$STORM_GRACE"
PING_UUID=$(cat "$WORK/ping.uuid")

start sink dotnet "$SINK_DLL" --urls "$SINK_URL"
SINK_PID=$STARTED
wait_up "$SINK_URL/count" sink "$SINK_PID"
mkdir -p "$WORK/data"
log "starting Vigil with $((1 + LAT_CHECKS + STORM + STORM_LOAD_MAX)) checks"
start vigil dotnet "$VIGIL_DLL" serve --data "$WORK/data" --urls "$VIGIL_URL" --config "$WORK/vigil.yaml"
VIGIL_PID=$STARTED
STARTING=$SECONDS
wait_up "$VIGIL_URL/healthz" vigil "$VIGIL_PID"
STARTUP_S=$((SECONDS - STARTING))
log "Vigil answered /healthz after ${STARTUP_S}s"
[[ $(curl -s "$VIGIL_URL/ping/$PING_UUID") == OK ]] || die "vigil did not accept a ping"

# 1. quiet: nothing to deliver.
paced warmup 1280 "$WARMUP" "$VIGIL_URL/ping/$PING_UUID" get
latency quiet "$PING_RATE" "$VIGIL_PID" "$VIGIL_URL/ping/$PING_UUID" get
[[ $(sink_alerts) == 0 ]] || die "the sink received alerts before any check was late"

# 2. latency: deadlines passing one by one.
log "latency: pinging $LAT_CHECKS checks (every ${LAT_EVERY}s, grace ${LAT_GRACE}s) once each over ${LAT_SPREAD}s"
python3 "$BENCH_DIR/delivery.py" stagger "$VIGIL_URL" "$WORK" "$LAT_SPREAD" || die "the staggered pings"
wait_alerts "$LAT_CHECKS" $((LAT_EVERY + LAT_GRACE + 60)) "latency"
log "latency: all $LAT_CHECKS down notifications arrived"

# 3. storm: STORM checks down together, nothing else going on.
EXPECT=$((LAT_CHECKS + STORM))
storm_pings storm-a "$WORK/storm-a.uuids"
STORM_A_PINGED=$PINGED_AT
wait_alerts "$EXPECT" $((STORM_EVERY + STORM_GRACE + 60)) "storm"
log "storm: all $STORM down notifications arrived"

# 4. pings under a storm: the paced pings start as the second storm's deadlines pass. Only the first STORM_LOAD storm-b
#    checks are pinged (the rest stay new, and a new check is never late): enough to outlast the ping run at the
#    rate just measured, since deliveries only slow down while the pings share the CPUs.
STORM_A_RATE=$(python3 "$BENCH_DIR/delivery.py" rate "$SINK_URL/records" storm-a-)
STORM_LOAD=$(awk -v r="$STORM_A_RATE" -v d="$LATENCY_DURATION" -v m="$STORM_LOAD_MAX" 'BEGIN { n = int(r * (d + 10)); print (n > m ? m : n) }')
head -n "$STORM_LOAD" "$WORK/storm-b.uuids" >"$WORK/storm-b.used"
log "storm under pings: $STORM_LOAD checks ($STORM_A_RATE deliveries/s × $((LATENCY_DURATION + 10)) s, at most $STORM_LOAD_MAX)"
EXPECT=$((EXPECT + STORM_LOAD))
storm_pings storm-b "$WORK/storm-b.used"
sleep "$(awk -v p="$PINGED_AT" -v n="$(now)" -v d=$((STORM_EVERY + STORM_GRACE)) 'BEGIN { s = p + d - n - 0.2; print (s > 0 ? s : 0) }')"
PINGS_START=$(now)
latency storm "$PING_RATE" "$VIGIL_PID" "$VIGIL_URL/ping/$PING_UUID" get
PINGS_END=$(now)
wait_alerts "$EXPECT" 60 "storm under pings"
log "storm under pings: all $STORM_LOAD down notifications arrived"

# 5. quiet_again: every alert delivered; once Vigil is idle again (the storm's aftermath, such as checkpointing its
#    writes, is still the storm's cost, not the reference's), the reference once more, for the noise band.
SETTLED_AFTER=$(wait_idle "$VIGIL_PID" 120)
log "quiet again: Vigil idle ${SETTLED_AFTER}s after the last delivery"
latency quiet_again "$PING_RATE" "$VIGIL_PID" "$VIGIL_URL/ping/$PING_UUID" get
[[ $(sink_alerts) == "$EXPECT" ]] || die "the sink received alerts during the second quiet run"
curl -fsS "$SINK_URL/records" >"$WORK/records.tsv" || die "reading the sink's records"
SINK_SUMMARY=$(curl -fsS "$SINK_URL/count")
stop "$VIGIL_PID"
stop "$SINK_PID"
read -r OUTBOX_ROWS OUTBOX_PENDING < <(python3 -c "import sqlite3,sys
db = sqlite3.connect(sys.argv[1])
print(*db.execute('select count(*), count(*) - count(delivered_at) from outbox').fetchone())" "$WORK/data/vigil.db")

eval "$(python3 "$BENCH_DIR/delivery.py" analyze "$WORK" "$WORK/records.tsv" "$PINGS_START" "$PINGS_END")"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
ELAPSED=$SECONDS

for g in lat a b; do
    e=D_${g}_expected c=D_${g}_checks d=D_${g}_down o=D_${g}_not_down
    [[ ${!c} == "${!e}" && ${!d} == "${!e}" ]] || die "group $g: ${!d} down notifications for ${!c} checks, expected ${!e} (other alerts: ${!o})"
done
log "latency: deadline -> sink p50 ${D_lat_lat_p50} ms, p99 ${D_lat_lat_p99} ms, max ${D_lat_lat_max} ms"
log "storm: $STORM deliveries in ${D_a_span_s}s = ${D_a_rate}/s (first half ${D_a_rate_h1}/s, second half ${D_a_rate_h2}/s)"
log "storm under pings: ${D_b_rate}/s overall (first half ${D_b_rate_h1}/s, second half ${D_b_rate_h2}/s), ${D_b_rate_during_pings}/s while the pings ran; in flight for ${D_b_overlap_s}s of the ${D_b_window_s}s ping run (${D_b_overlap_pct}%)"

# --- the report --------------------------------------------------------------------------------------------------
V_RATE=$(at_least "$RATE_TARGET" "$D_a_rate")
V_LAT=$(within "$LAT_TARGET_MS" "$D_lat_lat_p99")
quiet_band
RATIO=$(ratio "${L_P99[storm]}" "$QUIET_P99")
V_PING=$(within "$NOISE" "${L_P99[storm]}")
COVER_NOTE=""
[[ $D_b_overlap_pct -ge 95 ]] || COVER_NOTE=" **The storm was in flight for only ${D_b_overlap_pct}% of the ping run (BENCH_STORM_LOAD_MAX caps its size).**"
run_facts

SECTION=$WORK/section.md
cat >"$SECTION" <<EOF
## Notification delivery (bench/delivery.sh)

Written by \`bash bench/delivery.sh\` (also a stage of \`bench/run.sh\`); do not edit by hand.

- **Run:** $START, took ${ELAPSED}s, Vigil at commit \`$COMMIT\`$DIRTY
- **Machine:** $(nproc) CPUs ($CPU_MODEL), $MEM memory, kernel $(uname -r), .NET SDK $(dotnet --version);
  load average (1/5/15 min) before: $LOAD_BEFORE, after: $LOAD_AFTER
- **Scratch directory:** $FS; $WRK_VERSION (paced by \`bench/wrk/pace.lua\` for the ping latency); Vigil with $((1 + LAT_CHECKS + STORM + STORM_LOAD_MAX)) configured
  checks answered \`/healthz\` ${STARTUP_S} s after it was started on an empty data directory

| promise | target | measured | result |
|---|---|---|---|
| notification throughput through the durable outbox | ≥ ${RATE_TARGET} deliveries/s | **${D_a_rate}/s** ($STORM alerts, first to last arrival in ${D_a_span_s} s) | **$V_RATE** |
| missed deadline → webhook at the receiver, no grouping delay | p99 ≤ ${LAT_TARGET_MS} ms | p99 **${D_lat_lat_p99} ms** (p50 ${D_lat_lat_p50} ms, max ${D_lat_lat_max} ms, $LAT_CHECKS deadlines) | **$V_LAT** |
| delivery never slows ping ingest measurably | p99 unchanged within noise: ≤ **$NOISE ms** (below) | p99 **${L_P99[storm]} ms** under a storm vs **${L_P99[quiet]} / ${L_P99[quiet_again]} ms** before / after it (×$RATIO their mean) | **$V_PING** |

### Deadline → delivery ($LAT_CHECKS checks, one deadline every $(awk -v s="$LAT_SPREAD" -v n="$LAT_CHECKS" 'BEGIN { printf "%.0f", 1000 * s / n }') ms)

| part | p50 ms | p99 ms | max ms |
|---|---|---|---|
| deadline → evaluator acts (\`at\` − deadline) | ${D_lat_eval_p50} | ${D_lat_eval_p99} | ${D_lat_eval_max} |
| evaluator acts → arrival at the sink (commit, outbox, HTTP) | ${D_lat_outbox_p50} | ${D_lat_outbox_p99} | ${D_lat_outbox_max} |
| **deadline → arrival at the sink** | **${D_lat_lat_p50}** | **${D_lat_lat_p99}** | **${D_lat_lat_max}** |

The deadline is taken from each notification's own fields: its reason says "expected at *T* (every ${LAT_EVERY}s),
grace *G* ran out", and the deadline is *T* + *G* (Vigil's next expected signal plus the grace); \`at\` is the
instant the evaluator acted. The arrival is stamped by the sink when the POST reaches its handler (same machine,
same clock). Cross-check: Vigil's *T* − every differs from the bench's own record of each ping's answer by at
most ${D_lat_bench_gap_max_ms} ms.

### Storms

| storm | alerts (down, each check once) | first → last arrival | deliveries/s | first half / second half of the alerts, per s | deadline → arrival p50 / p99 / max ms |
|---|---|---|---|---|---|
| $STORM checks down together, nothing else running | ${D_a_down} of ${D_a_expected} | ${D_a_span_s} s | **${D_a_rate}** | ${D_a_rate_h1} / ${D_a_rate_h2} | ${D_a_lat_p50} / ${D_a_lat_p99} / ${D_a_lat_max} |
| $STORM_LOAD checks down together, pings at $PING_RATE/s | ${D_b_down} of ${D_b_expected} | ${D_b_span_s} s | ${D_b_rate} (${D_b_rate_during_pings} while the pings ran) | ${D_b_rate_h1} / ${D_b_rate_h2} | ${D_b_lat_p50} / ${D_b_lat_p99} / ${D_b_lat_max} |

In a storm the deadline → arrival figure is queueing (the last alert waits for all the others); the promise on
latency is the spread-out run above. A second half much faster than the first means each delivery costs more
while the backlog is large. Outbox after the run: $OUTBOX_ROWS rows, $OUTBOX_PENDING not delivered;
the sink: $SINK_SUMMARY (alerts received twice with the same idempotency key: ${D_dup_messages}); alerts other
than the checks' \`down\`: ${D_other} (${D_other_kinds}).

### Ping latency with a storm in flight (wrk paced, $CONNECTIONS connections, ${LATENCY_DURATION}s at $PING_RATE/s, one check)

| run | pings/s asked / achieved | p50 ms | p99 ms | 200 answers / all | Vigil CPU (CPU-s per s) |
|---|---|---|---|---|---|
| nothing to deliver | $PING_RATE / ${L_RPS[quiet]} | ${L_P50[quiet]} | ${L_P99[quiet]} | ${L_OK[quiet]} / ${L_TOTAL[quiet]} | ${CPU_S[quiet]} |
| $STORM_LOAD alerts being delivered | $PING_RATE / ${L_RPS[storm]} | ${L_P50[storm]} | ${L_P99[storm]} | ${L_OK[storm]} / ${L_TOTAL[storm]} | ${CPU_S[storm]} |
| nothing to deliver again, after the storm (Vigil idle ${SETTLED_AFTER} s after the last delivery) | $PING_RATE / ${L_RPS[quiet_again]} | ${L_P50[quiet_again]} | ${L_P99[quiet_again]} | ${L_OK[quiet_again]} / ${L_TOTAL[quiet_again]} | ${CPU_S[quiet_again]} |

p99 with the storm / without: **×$RATIO**; the noise band from the two runs without (\`noise_limit\` in bench/lib.sh:
the larger p99 plus the larger of their difference and 10%) ends at $NOISE ms. The storm's deliveries were arriving during ${D_b_overlap_s} s of the
${D_b_window_s} s the ping run took from start to end (${D_b_overlap_pct}%), ${D_b_during_pings} of them.$COVER_NOTE The sink, Vigil's delivery and
wrk share the same $(nproc) CPUs, so part of any rise is the machine, not the writer.

- **Method:** one \`vigil serve\` (Release, fresh SQLite data directory) with \`bench/delivery.yaml\` (a \`webhook\`
  receiver, format vigil, to \`bench/Vigil.Bench.Sink\` on loopback, and one route to it; no grouping, no limits)
  plus generated checks: bench-ping (\`every: 1h\`), $LAT_CHECKS lat-* (\`every: ${LAT_EVERY}s\`, \`grace: ${LAT_GRACE}s\`),
  $STORM storm-a-* and $STORM_LOAD_MAX storm-b-* (\`every: ${STORM_EVERY}s\`, \`grace: ${STORM_GRACE}s\`). A check that was never
  pinged is \`new\` and never late, so each group is brought up by pings first: lat-* one ping each, staggered
  over ${LAT_SPREAD} s (\`bench/delivery.py stagger\`); storm-a-* and storm-b-* by wrk (\`bench/wrk/storm.lua\`, every
  check at least once, the last lap within a few seconds at most), then left alone. The sink answers 200 and
  records, per alert in each message, the check, \`at\`, the reason and its arrival; the figures are computed
  from those records (\`bench/delivery.py analyze\`). Throughput is the number of storm alerts over the time
  from the first to the last arrival. The ping runs are the same paced wrk run as the rest of bench/, on bench-ping;
  the second storm pings only the first $STORM_LOAD storm-b-* checks: the first storm's rate ($STORM_A_RATE/s) times the
  ping run plus 10 s (at most $STORM_LOAD_MAX), so that it lasts longer than the run.
EOF

python3 "$BENCH_DIR/section.py" "$RESULTS" delivery "$SECTION"
log "wrote the delivery section of $RESULTS"
cat "$SECTION"
