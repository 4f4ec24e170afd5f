-- Required by every bench/wrk script. With BENCH_RATE set, wrk sends at that fixed rate (requests per second over
-- all BENCH_THREADS threads) instead of as fast as its connections allow: the latency runs of bench/lib.sh
-- (latency()). Without it, nothing changes (the throughput runs).
--
-- wrk calls delay() each time a connection is ready to send; the answer is how many milliseconds it waits first.
-- Each call takes the next slot of its thread's schedule (one every THREADS/RATE seconds from the thread's first
-- call), so the rate is exact whatever the latency, and a connection that is late for its slot sends at once.
-- wrk's timers count whole milliseconds: a request leaves up to 1 ms before its slot, never after it because of
-- the pacing.
local rate = tonumber(os.getenv("BENCH_RATE") or "")
if not rate then
   return
end

local ffi = require "ffi"
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clock, bench_timespec *now);
]]
local CLOCK_MONOTONIC = 1
local clock = ffi.new("bench_timespec")
local function now_ms()
   ffi.C.clock_gettime(CLOCK_MONOTONIC, clock)
   return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

local period_ms = 1000 * tonumber(os.getenv("BENCH_THREADS") or "2") / rate
local first_ms, slots
function delay()
   if not first_ms then
      first_ms, slots = now_ms(), 0
   end
   slots = slots + 1
   local wait = first_ms + slots * period_ms - now_ms()
   return wait > 0 and math.floor(wait) or 0
end
