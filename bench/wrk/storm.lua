-- GET /ping/<uuid> over the uuids in $BENCH_STORM_UUIDS, split between wrk's threads ($BENCH_THREADS of them),
-- each thread walking its share round-robin for as long as wrk runs. bench/delivery.sh uses it to bring a set of
-- checks up all at once, so that their deadlines pass together. done() prints the fewest laps any thread made
-- over its share (counting only 200 answers): under 1, some check was not pinged at all.
package.path = os.getenv("BENCH_DIR") .. "/wrk/?.lua;" .. package.path
require "report"

local uuids = {}
for line in io.lines(os.getenv("BENCH_STORM_UUIDS")) do
   uuids[#uuids + 1] = line
end
local thread_count = tonumber(os.getenv("BENCH_THREADS") or "2")

local threads = {}
function setup(thread)
   thread:set("slot", #threads)
   threads[#threads + 1] = thread
end

local mine = {}
share = 0
ok = 0
function init(args)
   for i = slot + 1, #uuids, thread_count do
      mine[#mine + 1] = uuids[i]
   end
   share = #mine
end

local n = 0
function request()
   n = n + 1
   if share == 0 then
      return wrk.format("GET", "/ping/" .. uuids[1])
   end
   return wrk.format("GET", "/ping/" .. mine[((n - 1) % share) + 1])
end

function response(status, headers, body)
   if status == 200 then
      ok = ok + 1
   end
end

function done(summary, latency, requests)
   report(summary, latency)
   local laps = math.huge
   for _, t in ipairs(threads) do
      local s, o = t:get("share"), t:get("ok")
      if s > 0 then
         laps = math.min(laps, o / s)
      end
   end
   io.write(string.format("STORM_RESULT threads=%d min_laps=%.2f\n", #threads, laps))
end
