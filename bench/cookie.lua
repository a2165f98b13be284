-- bench/cookie.lua: wrk script of bench/run.  Sends the Cookie header
-- given in BENCH_COOKIE ("sid=...") with every request, and prints at
-- the end one line that bench/run reads, times in milliseconds:
--
--   bench requests N seconds S p50_ms A p99_ms B max_ms C non2xx D errors E
--
-- non2xx counts answers other than 2xx or 3xx (a 401 would mean the
-- cookie is not a session); errors counts connect, read, write and
-- timeout errors.
wrk.headers["Cookie"] = os.getenv("BENCH_COOKIE")

function done(summary, latency, requests)
	local e = summary.errors
	io.write(string.format("bench requests %d seconds %.3f p50_ms %.3f "
	    .. "p99_ms %.3f max_ms %.3f non2xx %d errors %d\n",
	    summary.requests, summary.duration / 1e6,
	    latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
	    latency.max / 1e3, e.status,
	    e.connect + e.read + e.write + e.timeout))
end
