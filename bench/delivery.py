"""Helpers for bench/delivery.sh: the generated config, the staggered pings, and the figures from the sink's records.

    python3 delivery.py config HEAD OUT WORK LAT_CHECKS LAT_EVERY LAT_GRACE STORM_A STORM_B STORM_EVERY STORM_GRACE
    python3 delivery.py stagger URL WORK SPREAD_S
    python3 delivery.py rate RECORDS_URL PREFIX
    python3 delivery.py analyze WORK RECORDS HEY_START HEY_END

`analyze` prints shell assignments (NAME=value) that delivery.sh evals; it never prints a figure it did not compute
from the records. Times are Unix seconds (the sink's and this machine's clock: both run here).
"""
import http.client
import os
import re
import sys
import time
import uuid
from datetime import datetime


def config(head, out, work, lat_checks, lat_every, lat_grace, storm_a, storm_b, storm_every, storm_grace):
    lines = [open(head).read().rstrip("\n"), "checks:"]
    ping_uuid = str(uuid.uuid4())
    lines.append(f"  bench-ping: {{ uuid: {ping_uuid}, every: 1h }}   # the check the latency runs ping; never late")
    open(f"{work}/ping.uuid", "w").write(ping_uuid + "\n")
    with open(f"{work}/lat.tsv", "w") as lat:
        for n in range(int(lat_checks)):
            u = str(uuid.uuid4())
            lines.append(f"  lat-{n:05d}: {{ uuid: {u}, every: {lat_every}s, grace: {lat_grace}s }}")
            lat.write(f"lat-{n:05d}\t{u}\n")
    for name, count in (("a", storm_a), ("b", storm_b)):
        with open(f"{work}/storm-{name}.uuids", "w") as f:
            for n in range(int(count)):
                u = str(uuid.uuid4())
                lines.append(f"  storm-{name}-{n:06d}: {{ uuid: {u}, every: {storm_every}s, grace: {storm_grace}s }}")
                f.write(u + "\n")
    open(out, "w").write("\n".join(lines) + "\n")


def stagger(url, work, spread):
    """Pings each lat-* check once, the i-th at start + i * spread / count, so their deadlines pass one by one."""
    checks = [line.rstrip("\n").split("\t") for line in open(f"{work}/lat.tsv")]
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=10)
    step = float(spread) / max(1, len(checks))
    start = time.time() + 0.5
    with open(f"{work}/lat-pings.tsv", "w") as out:
        for i, (name, u) in enumerate(checks):
            delay = start + i * step - time.time()
            if delay > 0:
                time.sleep(delay)
            sent = time.time()
            conn.request("GET", f"/ping/{u}")
            answer = conn.getresponse()
            body = answer.read()
            answered = time.time()
            if answer.status != 200 or body != b"OK":
                sys.exit(f"ping of {name} answered {answer.status} {body[:200]!r}")
            out.write(f"{name}\t{sent:.6f}\t{answered:.6f}\n")


def instant(text):
    """RFC 3339 with Z and up to 7 fractional digits (Vigil's Timestamps.Format) to Unix seconds."""
    m = re.fullmatch(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z", text)
    if not m:
        raise ValueError(f"not a Vigil timestamp: {text!r}")
    whole = datetime.fromisoformat(m.group(1) + "+00:00").timestamp()
    return whole + (float("0." + m.group(2)) if m.group(2) else 0.0)


def duration(text):
    """Vigil's Durations.Format ("1s", "1m30s", "2h", "1d", "500ms") to seconds."""
    units = {"d": 86400, "h": 3600, "m": 60, "s": 1, "ms": 0.001}
    parts = re.findall(r"(\d+(?:\.\d+)?)(ms|d|h|m|s)", text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"not a Vigil duration: {text!r}")
    return sum(float(n) * units[u] for n, u in parts)


DOWN_REASON = re.compile(r"expected at (\S+) \(.*\), grace (\S+) ran out")


def percentile(values, p):
    """Nearest rank, like the rest of bench/."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]


def analyze(work, records, pings_start, pings_end):
    pings_start, pings_end = float(pings_start), float(pings_end)
    rows = []
    for line in open(records):
        arrived, key, alert, state, check, at, reason = line.rstrip("\n").split("\t")
        rows.append((float(arrived), key, alert, state, check, at, reason))
    out = {}

    def emit(name, value):
        out[name] = value

    expected = {"lat": sum(1 for _ in open(f"{work}/lat.tsv")),
                "a": sum(1 for _ in open(f"{work}/storm-a.uuids")),
                "b": sum(1 for _ in open(f"{work}/storm-b.used"))}
    prefixes = {"lat": "lat-", "a": "storm-a-", "b": "storm-b-"}
    other = [r for r in rows if not any(r[4].startswith(p) for p in prefixes.values())]
    emit("D_other", len(other))
    emit("D_other_kinds", ",".join(sorted({f"{r[2]}/{r[4]}" for r in other})) or "none")
    emit("D_dup_messages", len(rows) - len({(r[1], r[4], r[2], r[3]) for r in rows}))

    pings = {}
    for line in open(f"{work}/lat-pings.tsv"):
        name, sent, answered = line.rstrip("\n").split("\t")
        pings[name] = (float(sent), float(answered))

    for group, prefix in prefixes.items():
        mine = [r for r in rows if r[4].startswith(prefix)]
        down = [r for r in mine if r[2] == "down" and r[3] == "firing"]
        checks = {r[4] for r in down}
        emit(f"D_{group}_expected", expected[group])
        emit(f"D_{group}_alerts", len(mine))
        emit(f"D_{group}_down", len(down))
        emit(f"D_{group}_checks", len(checks))
        emit(f"D_{group}_not_down", ",".join(sorted({f"{r[2]}/{r[3]}" for r in mine if r not in down})) or "none")
        if not down:
            continue
        arrivals = sorted(r[0] for r in down)
        span = arrivals[-1] - arrivals[0]
        emit(f"D_{group}_first", f"{arrivals[0]:.6f}")
        emit(f"D_{group}_last", f"{arrivals[-1]:.6f}")
        emit(f"D_{group}_span_s", f"{span:.3f}")
        emit(f"D_{group}_rate", f"{len(arrivals) / span:.0f}" if span > 0 else "inf")
        # The rate over the first and the second half of the alerts: a delivery path whose cost grows with the
        # backlog speeds up as the backlog drains.
        half = len(arrivals) // 2
        for label, part in (("h1", arrivals[:half + 1]), ("h2", arrivals[half:])):
            width = part[-1] - part[0]
            emit(f"D_{group}_rate_{label}", f"{(len(part) - 1) / width:.0f}" if width > 0 else "inf")
        # The instant the deadline was missed, from the notification's own reason: "expected at X (...), grace G
        # ran out" (Vigil's NextExpected and the check's grace); `at` is when the evaluator acted on it.
        total, evaluator, outbox, bench_gap = [], [], [], []
        for arrived, key, alert, state, check, at, reason in down:
            m = DOWN_REASON.search(reason)
            if not m:
                sys.exit(f"the down notification of {check} has no 'expected at ... grace ... ran out': {reason!r}")
            deadline = instant(m.group(1)) + duration(m.group(2))
            total.append(arrived - deadline)
            evaluator.append(instant(at) - deadline)
            outbox.append(arrived - instant(at))
            if check in pings:
                # The bench's own view: the ping's answer + every + grace. Vigil stamps the ping between send and
                # answer, so this is later than Vigil's deadline by at most the ping's round trip.
                sent, answered = pings[check]
                bench_gap.append(abs((deadline - duration(m.group(2))) - (answered + LAT_EVERY)))
        for label, values in (("lat", total), ("eval", evaluator), ("outbox", outbox)):
            ms = [v * 1000 for v in values]
            emit(f"D_{group}_{label}_p50", f"{percentile(ms, 50):.1f}")
            emit(f"D_{group}_{label}_p99", f"{percentile(ms, 99):.1f}")
            emit(f"D_{group}_{label}_max", f"{max(ms):.1f}")
            emit(f"D_{group}_{label}_min", f"{min(ms):.1f}")
        if bench_gap:
            emit(f"D_{group}_bench_gap_max_ms", f"{max(bench_gap) * 1000:.1f}")
        if group == "b" and pings_end > pings_start:
            inside = [a for a in arrivals if pings_start <= a <= pings_end]
            overlap = max(0.0, min(pings_end, arrivals[-1]) - max(pings_start, arrivals[0]))
            emit("D_b_during_pings", len(inside))
            emit("D_b_overlap_s", f"{overlap:.1f}")
            emit("D_b_window_s", f"{pings_end - pings_start:.1f}")
            emit("D_b_overlap_pct", f"{100 * overlap / (pings_end - pings_start):.0f}")
            emit("D_b_rate_during_pings", f"{len(inside) / overlap:.0f}" if overlap > 0 else "0")
    for k, v in out.items():
        print(f"{k}={v}")


def rate(records_url, prefix):
    """Deliveries per second of the down alerts of checks named PREFIX*, first to last arrival, from the sink."""
    import urllib.request
    with urllib.request.urlopen(records_url, timeout=30) as answer:
        lines = answer.read().decode().splitlines()
    arrivals = sorted(float(line.split("\t")[0]) for line in lines
                      if line.split("\t")[4].startswith(prefix) and line.split("\t")[2] == "down")
    if len(arrivals) < 2 or arrivals[-1] == arrivals[0]:
        sys.exit(f"no deliveries to measure for {prefix}*")
    print(f"{len(arrivals) / (arrivals[-1] - arrivals[0]):.0f}")


LAT_EVERY = float(os.environ.get("BENCH_LAT_EVERY", "1"))

if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"config": config, "stagger": stagger, "rate": rate, "analyze": analyze}[command](*args)
