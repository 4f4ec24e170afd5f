#!/usr/bin/env python3
"""Readers for the read-model benchmark: N threads each list every check of a Vigil server, page by page
(following next_cursor), in a loop until the deadline; prints how many full lists were read.

usage: readers.py URL KEY THREADS SECONDS
"""
import http.client
import json
import sys
import threading
import time
import urllib.parse

url, key, threads, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
parsed = urllib.parse.urlparse(url)
deadline = time.monotonic() + seconds
lists = [0] * threads
checks_seen = [0] * threads
errors = []


def reader(i):
    conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
    headers = {"Authorization": "Bearer " + key}
    while time.monotonic() < deadline:
        cursor, seen = None, 0
        while True:
            path = "/api/v1/checks?limit=1000" + ("&cursor=" + urllib.parse.quote(cursor) if cursor else "")
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                errors.append(f"{response.status} {body[:200]!r}")
                return
            page = json.loads(body)
            seen += len(page["checks"])
            cursor = page.get("next_cursor")
            if not cursor or time.monotonic() >= deadline:
                break
        if not cursor:
            lists[i] += 1
            checks_seen[i] = seen


workers = [threading.Thread(target=reader, args=(i,)) for i in range(threads)]
for w in workers:
    w.start()
for w in workers:
    w.join()
if errors:
    print("errors: " + "; ".join(errors[:3]), file=sys.stderr)
    sys.exit(1)
print(f"READERS lists={sum(lists)} checks_per_list={max(checks_seen)}")
