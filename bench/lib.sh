# Shared by the bench scripts (source it): logging, the Debian tools they need, Release builds, a scratch
# directory whose processes are stopped and files removed on exit, and starting and waiting for servers.
# shellcheck shell=bash

# bench_init TAG : log/die print "[bench TAG hh:mm:ss] ..." to stderr ("[bench hh:mm:ss]" without a tag).
bench_init() {
    BENCH_TAG=${1:+$1 }
}

log() { printf '[bench %s%s] %s\n' "${BENCH_TAG:-}" "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "FAILED: $*"; exit 1; }

# need_tools PACKAGE... : installs the Debian packages whose command is missing (the command is the package's
# name); fails when dotnet is not on PATH.
need_tools() {
    local need=() tool sudo_cmd=()
    for tool in "$@"; do
        command -v "$tool" >/dev/null || need+=("$tool")
    done
    if ((${#need[@]})); then
        log "installing ${need[*]} (Debian packages)"
        [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
        "${sudo_cmd[@]}" apt-get update -qq
        DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq "${need[@]}" >/dev/null
    fi
    command -v dotnet >/dev/null || die "dotnet (the .NET 10 SDK) is not on PATH"
}

# build_release PROJECT... : dotnet build -c Release of each project (paths relative to the repository).
build_release() {
    local project
    for project in "$@"; do
        dotnet build -c Release -nologo -v q "$REPO/$project" >/dev/null || die "dotnet build $project"
    done
}

# scratch_dir PREFIX : sets WORK to a new directory under BENCH_TMP (default /var/tmp: a real disk, so fsyncs
# count); every process started with start() is stopped, and WORK removed, when the script exits.
scratch_dir() {
    WORK=$(mktemp -d "${BENCH_TMP:-/var/tmp}/$1.XXXXXX")
    PIDS=()
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

bench_cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$WORK"
}

# start NAME CMD... : runs CMD in the background, logging to $WORK/NAME.log; sets STARTED to its pid.
start() {
    local name=$1; shift
    "$@" >"$WORK/$name.log" 2>&1 &
    STARTED=$!
    PIDS+=("$STARTED")
}

# stop PID : SIGTERM, and wait for it.
stop() {
    kill -TERM "$1" 2>/dev/null || true
    wait "$1" 2>/dev/null || true
}

# wait_up URL NAME PID [SECONDS] : until URL answers anything over HTTP (default 120 s), or fail with the
# server's log ($WORK/NAME.log).
wait_up() {
    local i limit=$(( ${4:-120} * 10 ))
    for ((i = 0; i < limit; i++)); do
        curl -s -o /dev/null --max-time 1 "$1" && return 0
        kill -0 "$3" 2>/dev/null || { cat "$WORK/$2.log" >&2; die "$2 exited before listening"; }
        sleep 0.1
    done
    cat "$WORK/$2.log" >&2
    die "$2 did not listen on $1 within ${4:-120} s"
}

now() { date +%s.%N; }

# cpu_ticks PID : user+system CPU time of a process, in clock ticks (TICKS per second).
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
TICKS=$(getconf CLK_TCK)

# cpu_rate TICKS SECONDS : CPU-seconds per second, from a difference of cpu_ticks over SECONDS.
cpu_rate() { awk -v t="$1" -v hz="$TICKS" -v d="$2" 'BEGIN { printf "%.2f", (t / hz) / d }'; }

# ratio A B : A / B with two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

# throughput NAME URL SCRIPT PID : wrk closed loop (THREADS threads, CONNECTIONS connections) with SCRIPT against URL:
# WARMUP seconds, then DURATION seconds measured; fills RPS, P50, P99, MAX, REQS and CPU (PID's CPU µs per request)
# under NAME. Any error or non-2xx answer fails the run.
declare -A RPS P50 P99 MAX REQS CPU
throughput() {
    local name=$1 url=$2 script=$3 pid=$4 before after
    log "$name: warm-up ${WARMUP}s"
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$script" "$url" >"$WORK/$name.warmup.txt" 2>&1 || die "wrk warm-up against $name"
    log "$name: measuring ${DURATION}s, $CONNECTIONS connections"
    before=$(cpu_ticks "$pid")
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s --latency -s "$script" "$url" >"$WORK/$name.wrk.txt" 2>&1 || die "wrk against $name"
    after=$(cpu_ticks "$pid")
    wrk_result "$name" "$WORK/$name.wrk.txt"
    ((W_BAD == 0)) || { cat "$WORK/$name.wrk.txt" >&2; die "$name: $W_BAD errors or non-2xx answers"; }
    RPS[$name]=$W_RPS P50[$name]=$W_P50 P99[$name]=$W_P99 MAX[$name]=$W_MAX REQS[$name]=$W_REQUESTS
    # The two CPUs are shared with wrk: see the reports' "Shared CPUs".
    CPU[$name]=$(awk -v t=$((after - before)) -v hz="$TICKS" -v r="$W_REQUESTS" 'BEGIN { printf "%.1f", (t / hz) * 1e6 / r }')
    log "$name: ${RPS[$name]}/s, p50 ${P50[$name]} ms, p99 ${P99[$name]} ms, server CPU ${CPU[$name]} µs/request"
}

# wrk_result NAME FILE : the WRK_RESULT line that bench/wrk/report.lua wrote into FILE, as W_REQUESTS, W_RPS (per
# second), W_P50, W_P99 (ms, two decimals), W_MAX (ms, one decimal) and W_BAD (errors plus non-2xx answers).
wrk_result() {
    local out
    out=$(grep '^WRK_RESULT' "$2") || { cat "$2" >&2; die "no result from wrk for $1"; }
    eval "$(sed -E 's/^WRK_RESULT //; s/([a-z0-9_]+)=/local w_\1=/g' <<<"$out")"
    W_REQUESTS=$w_requests
    W_RPS=$(awk -v r="$w_requests" -v d="$w_duration_us" 'BEGIN { printf "%.0f", r / (d / 1e6) }')
    W_P50=$(awk -v v="$w_p50_us" 'BEGIN { printf "%.2f", v / 1000 }')
    W_P99=$(awk -v v="$w_p99_us" 'BEGIN { printf "%.2f", v / 1000 }')
    W_MAX=$(awk -v v="$w_max_us" 'BEGIN { printf "%.1f", v / 1000 }')
    W_BAD=$((w_non2xx + w_errors))
}

# paced NAME RATE SECONDS URL SCRIPT : wrk sending the requests of bench/wrk/SCRIPT.lua at a fixed RATE per second
# (bench/wrk/pace.lua) for SECONDS over CONNECTIONS connections and THREADS threads; output in $WORK/NAME.wrk.txt.
paced() {
    BENCH_RATE=$2 BENCH_THREADS=$THREADS wrk -t"$THREADS" -c"$CONNECTIONS" -d"$3s" --timeout 10s -s "$BENCH_DIR/wrk/$5.lua" "$4" \
        >"$WORK/$1.wrk.txt" 2>&1 || { cat "$WORK/$1.wrk.txt" >&2; die "wrk against $1"; }
}

# latency NAME RATE PID URL SCRIPT : the p99 at a fixed rate: paced at RATE per second for LATENCY_DURATION seconds;
# fills L_RATE, L_RPS, L_P50, L_P99, L_OK, L_TOTAL under NAME, and CPU_S (PID's CPU-seconds per second) unless PID is
# "-". Any error or non-2xx answer fails the run. wrk rather than a Go client such as hey: at the same rate on these
# two vCPUs hey's own scheduling added 4-5 ms to the bare endpoint's p99 (bench/PROFILE.md, "The load generator").
declare -A L_RATE L_RPS L_P50 L_P99 L_OK L_TOTAL CPU_S
latency() {
    local name=$1 rate=$2 pid=$3 url=$4 script=$5 before after
    log "$name: latency at $rate/s ($CONNECTIONS connections, $script.lua) for ${LATENCY_DURATION}s"
    [[ $pid == - ]] || before=$(cpu_ticks "$pid")
    paced "$name" "$rate" "$LATENCY_DURATION" "$url" "$script"
    if [[ $pid != - ]]; then
        after=$(cpu_ticks "$pid")
        CPU_S[$name]=$(cpu_rate $((after - before)) "$LATENCY_DURATION")
    fi
    wrk_result "$name" "$WORK/$name.wrk.txt"
    L_RATE[$name]=$rate L_RPS[$name]=$W_RPS L_P50[$name]=$W_P50 L_P99[$name]=$W_P99
    L_TOTAL[$name]=$W_REQUESTS L_OK[$name]=$((W_REQUESTS - W_BAD))
    ((W_BAD == 0)) || { cat "$WORK/$name.wrk.txt" >&2; die "$name: $W_BAD errors or non-2xx answers"; }
    log "$name: achieved ${L_RPS[$name]}/s, p50 ${L_P50[$name]} ms, p99 ${L_P99[$name]} ms${CPU_S[$name]:+, server ${CPU_S[$name]} CPU-s/s}"
}

# wait_idle PID MAX_S : waits until PID uses under 0.05 CPU-s/s over a 2 s window, at most MAX_S seconds; prints the
# seconds waited (MAX_S when it never went idle, which the report then shows).
wait_idle() {
    local pid=$1 max=$2 waited=0 a b
    while ((waited < max)); do
        a=$(cpu_ticks "$pid"); sleep 2; b=$(cpu_ticks "$pid"); waited=$((waited + 2))
        awk -v r="$(cpu_rate $((b - a)) 2)" 'BEGIN { exit !(r < 0.05) }' && break
    done
    echo "$waited"
}

# noise_limit P99_A P99_B : the highest p99 a loaded run may show and still count as "unchanged within noise", from two
# runs of the same reference minutes apart: the larger of the two, plus the larger of their difference and 10% of it
# (two runs understate how far a p99 wanders on a shared machine, so the band never goes below 10%).
noise_limit() {
    awk -v a="$1" -v b="$2" 'BEGIN { m = a > b ? a : b; d = a > b ? a - b : b - a; if (d < 0.1 * m) d = 0.1 * m; printf "%.2f", m + d }'
}

# quiet_band : from the two runs of the quiet reference (L_P99[quiet] and L_P99[quiet_again]), QUIET_P99 (their mean)
# and NOISE (their noise_limit).
quiet_band() {
    QUIET_P99=$(awk -v a="${L_P99[quiet]}" -v b="${L_P99[quiet_again]}" 'BEGIN { printf "%.2f", (a + b) / 2 }')
    NOISE=$(noise_limit "${L_P99[quiet]}" "${L_P99[quiet_again]}")
}

# within LIMIT VALUE : PASS when VALUE is at most LIMIT, else FAIL.
within() { awk -v l="$1" -v p="$2" 'BEGIN { print (p <= l ? "PASS" : "FAIL") }'; }

# below LIMIT VALUE : PASS when VALUE is under LIMIT (a strict target such as "p99 < 5 ms"), else FAIL.
below() { awk -v l="$1" -v p="$2" 'BEGIN { print (p < l ? "PASS" : "FAIL") }'; }

# at_least FLOOR VALUE : PASS when VALUE is at least FLOOR, else FAIL.
at_least() { awk -v f="$1" -v v="$2" 'BEGIN { print (v >= f ? "PASS" : "FAIL") }'; }

# run_facts : what a report says about the run: CPU_MODEL, MEM, FS (the scratch directory's file system), WRK_VERSION,
# COMMIT and DIRTY (" (with uncommitted changes)" when src/ or bench/ differ from it).
run_facts() {
    CPU_MODEL=$(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
    MEM=$(free -h | awk '/^Mem:/ { print $2 }')
    FS=$(df -T "$WORK" | awk 'NR == 2 { print $2 " on " $1 }')
    WRK_VERSION=$( (wrk -v 2>&1 || true) | head -n 1 | cut -d' ' -f1-2)
    COMMIT=$(git -C "$REPO" rev-parse --short HEAD 2>/dev/null || echo unknown)
    DIRTY=$(git -C "$REPO" status --porcelain -- src bench ':!bench/RESULTS.md' 2>/dev/null | grep -q . && echo " (with uncommitted changes)" || true)
}
