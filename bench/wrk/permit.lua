-- POST /api/v1/breakers/$BENCH_BREAKER/permit with {"holder": "bench"} and a ping-scope key ($BENCH_KEY), as a job
-- asks before each call it guards. On a closed breaker the answer comes from the read model (no writer, no fsync).
package.path = os.getenv("BENCH_DIR") .. "/wrk/?.lua;" .. package.path
require "report"
require "pace"

-- BENCH_PERMIT_PATH sends the same request elsewhere (permits.sh: the bare endpoint, for the floor).
local path = os.getenv("BENCH_PERMIT_PATH") or ("/api/v1/breakers/" .. os.getenv("BENCH_BREAKER") .. "/permit")
local headers = { ["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY"), ["Content-Type"] = "application/json" }
local body = '{"holder":"bench"}'
function request()
   return wrk.format("POST", path, headers, body)
end

done = report
