-- Shared by every wrk script in bench/: prints one machine-readable line that bench/run.sh parses.
-- latency is in microseconds; "bad" counts connect/read/write/timeout errors plus non-2xx/3xx answers.
function report(summary, latency)
   local e = summary.errors
   io.write(string.format(
      "WRK_RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d max_us=%d non2xx=%d errors=%d\n",
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
      e.status, e.connect + e.read + e.write + e.timeout))
end
