-- GET of the URL on wrk's command line and nothing else: the latency runs on one check or one endpoint.
package.path = os.getenv("BENCH_DIR") .. "/wrk/?.lua;" .. package.path
require "report"
require "pace"

done = report
