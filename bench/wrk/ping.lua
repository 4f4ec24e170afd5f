-- GET /ping/<uuid>, round-robin over the uuids in $BENCH_UUIDS (a file, one per line). Used for both the
-- baseline and Vigil, so both see the same requests, built the same way.
package.path = os.getenv("BENCH_DIR") .. "/wrk/?.lua;" .. package.path
require "report"
require "pace"

local uuids = {}
for line in io.lines(os.getenv("BENCH_UUIDS")) do
   uuids[#uuids + 1] = line
end

local i = 0
function setup(thread)
   -- Each thread starts at a different place so threads do not ping the same check in lockstep.
   thread:set("offset", i * 37)
   i = i + 1
end

local n = 0
function init(args)
   n = offset or 0
end

function request()
   n = n + 1
   return wrk.format("GET", "/ping/" .. uuids[(n % #uuids) + 1])
end

done = report
