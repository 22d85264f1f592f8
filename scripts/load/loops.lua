-- wrk script: POST /v1/loops cycling through Andorra origins and lengths, counting
-- non-200 answers by status so that "zero errors" is checked, not assumed.
local bodies = {
  '{"origin": {"lat": 42.5078, "lon": 1.5211}, "max_drive_km": 25, "target_km": 20, "max_results": 3}',
  '{"origin": {"lat": 42.5667, "lon": 1.6000}, "max_drive_km": 20, "target_km": 12, "max_results": 3}',
  '{"origin": {"lat": 42.5720, "lon": 1.4848}, "max_drive_km": 15, "target_km": 15, "max_results": 3}',
  '{"origin": {"lat": 42.5766, "lon": 1.6676}, "max_drive_km": 25, "target_km": 8, "max_results": 3}',
}
local i = 0
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  bad = 0
end

function request()
  i = i + 1
  return wrk.format("POST", "/v1/loops", {["Content-Type"] = "application/json"},
    bodies[(i % #bodies) + 1])
end

function response(status, headers, body)
  if status ~= 200 then
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local total_bad = 0
  for _, t in ipairs(threads) do
    total_bad = total_bad + t:get("bad")
  end
  io.write(string.format("non-200 responses: %d\n", total_bad))
  io.write(string.format("p50 %.1f ms, p99 %.1f ms, %.1f req/s\n",
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6)))
end
