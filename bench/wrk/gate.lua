-- GET /api/v1/gates/$BENCH_GATE with a ping-scope key ($BENCH_KEY). 200 while the gate is open; a closed gate
-- answers 423, which wrk counts as an error, so the run fails instead of measuring the wrong answer.
package.path = os.getenv("BENCH_DIR") .. "/wrk/?.lua;" .. package.path
require "report"
require "pace"

local path = "/api/v1/gates/" .. os.getenv("BENCH_GATE")
local headers = { ["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY") }
function request()
   return wrk.format("GET", path, headers)
end

done = report
