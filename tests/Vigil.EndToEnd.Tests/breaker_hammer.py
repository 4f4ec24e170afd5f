"""One of several processes hammering two shared breakers at once (standard library only).

Usage: breaker_hammer.py BASE_URL KEY SECONDS SEED PROBES LEAKY_TTL_SECONDS

"hammered" gets permits and reports of every kind (it trips, half-opens, probes succeed and fail); every answer
and every read of it is checked for a state no single consistent breaker could be in.

"leaky" is tripped once and then its probes are never reported, as if every prober died: each probe slot is then
held from its grant until its TTL frees it and by nothing else, so on CLOCK_MONOTONIC (shared by every process
on the machine) the server held it at least from when this process received the permit until the permit request
was sent plus the TTL. Those intervals, from every process, must never overlap more than PROBES deep.

Prints one JSON object per line: {"held": [from, to]}, {"violation": "..."}, and {"counts": {...}} at the end.
"""
import json
import random
import sys
import time
import urllib.error
import urllib.request

base, key, seconds, seed, probes, leaky_ttl = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), float(sys.argv[6])
rng = random.Random(seed)
holder = f"hammer-{seed}"
counts = {"permits": 0, "probes": 0, "refused": 0, "slots_full": 0, "reports": 0, "gone": 0, "reads": 0, "leaky_held": 0, "leaky_full": 0}


def call(method, path, body=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method, headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def violation(text):
    print(json.dumps({"violation": text}), flush=True)


def check_permit(answer):
    state = answer.get("state")
    if answer.get("allowed"):
        if state not in ("closed", "half_open", "disabled"):
            violation(f"allowed in state {state}: {answer}")
        if (answer.get("probe_token") is not None) != (state == "half_open"):
            violation(f"a probe token iff half_open, got {answer}")
    else:
        if state not in ("open", "half_open", "forced_open"):
            violation(f"refused in state {state}: {answer}")
        retry = answer.get("retry_after_s")
        if state != "forced_open" and (retry is None or retry < 0):
            violation(f"refused without a retry_after_s: {answer}")


def check_breaker(b):
    state, out = b["state"], b["probes_out"]
    if out > probes:
        violation(f"{b['name']}: {out} probes out, more than {probes}")
    if state != "half_open" and out != 0:
        violation(f"{b['name']}: {out} probes out while {state}")
    if (state == "open") != (b["cooldown_until"] is not None):
        violation(f"{b['name']}: cooldown_until {b['cooldown_until']} while {state}")
    if len(b["probes"]) != out:
        violation(f"{b['name']}: probes_out {out} but {len(b['probes'])} probes listed")


def hammered():
    status, answer = call("POST", "/api/v1/breakers/hammered/permit", {"holder": holder})
    if status != 200:
        violation(f"permit answered {status}: {answer}")
        return
    counts["permits"] += 1
    check_permit(answer)
    if answer["allowed"] and answer.get("probe_token"):
        counts["probes"] += 1
        time.sleep(rng.uniform(0.0, 0.03))
        outcome = "success" if rng.random() < 0.5 else "failure"
        status, reply = call("POST", "/api/v1/breakers/hammered/report", {"outcome": outcome, "probe_token": answer["probe_token"], "error": "probe failed"})
        if status == 410:
            counts["gone"] += 1
        elif status != 200:
            violation(f"probe report answered {status}: {reply}")
        else:
            counts["reports"] += 1
    elif answer["allowed"]:
        outcome = "failure" if rng.random() < 0.6 else "success"
        status, reply = call("POST", "/api/v1/breakers/hammered/report", {"outcome": outcome, "error": "HTTP 502"})
        if status != 200:
            violation(f"report answered {status}: {reply}")
        counts["reports"] += 1
    else:
        counts["refused"] += 1
        if answer["state"] == "half_open":
            counts["slots_full"] += 1


def leaky():
    asked = time.monotonic()
    status, answer = call("POST", "/api/v1/breakers/leaky/permit", {"holder": holder})
    received = time.monotonic()
    if status != 200:
        violation(f"leaky permit answered {status}: {answer}")
        return
    check_permit(answer)
    if answer["allowed"] and answer.get("probe_token"):
        counts["leaky_held"] += 1
        if received < asked + leaky_ttl:
            print(json.dumps({"held": [received, asked + leaky_ttl]}), flush=True)
    elif answer["allowed"]:
        call("POST", "/api/v1/breakers/leaky/report", {"outcome": "failure", "error": "trip it once"})
    elif answer["state"] == "half_open":
        counts["leaky_full"] += 1


end = time.monotonic() + seconds
while time.monotonic() < end:
    hammered()
    leaky()
    if rng.random() < 0.1:
        for name in ("hammered", "leaky"):
            status, b = call("GET", f"/api/v1/breakers/{name}")
            counts["reads"] += 1
            if status != 200:
                violation(f"GET {name} answered {status}: {b}")
            else:
                check_breaker(b)
    time.sleep(rng.uniform(0, 0.005))

print(json.dumps({"counts": counts}), flush=True)
