-- POST /metrics/job/bench with a one-sample text body ("x 1"), built per request like ping.lua's GETs.
package.path = os.getenv("BENCH_DIR") .. "/wrk/?.lua;" .. package.path
require "report"

local headers = { ["Content-Type"] = "text/plain; version=0.0.4" }
function request()
   return wrk.format("POST", "/metrics/job/bench", headers, "x 1\n")
end

done = report
