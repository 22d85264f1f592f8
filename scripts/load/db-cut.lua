-- wrk script of scripts/load/db-cut.sh: one route per wrk process (so that wrk's latency
-- figures are the route's own), answers counted by status, by second and, for every
-- 5xx, whether it is a 503 with Retry-After. Set by the environment:
--   DBCUT_ROUTE      loops | trailheads | plan_get | plan_post
--   DBCUT_PLAN_ID    id of a saved plan (plan_get)
--   DBCUT_PLAN_BODY  file holding {"loop": <a loop as /v1/loops answered it, token included>}
--                    (plan_post)
--   DBCUT_OUT        file the summary is written to (read by db-cut.sh), besides stdout
--
-- Per-thread counters live in each thread's Lua state; `done` gathers them with
-- thread:get (as scripts/load/loops.lua does). Tables cross states only flat: string keys,
-- number or string values.

local route = os.getenv("DBCUT_ROUTE") or "loops"
local threads = {}

local loop_bodies = {
  '{"origin": {"lat": 42.5078, "lon": 1.5211}, "max_drive_km": 25, "target_km": 20, "max_results": 3}',
  '{"origin": {"lat": 42.5667, "lon": 1.6000}, "max_drive_km": 20, "target_km": 12, "max_results": 3}',
  '{"origin": {"lat": 42.5720, "lon": 1.4848}, "max_drive_km": 15, "target_km": 15, "max_results": 3}',
  '{"origin": {"lat": 42.5766, "lon": 1.6676}, "max_drive_km": 25, "target_km": 8, "max_results": 3}',
}

function setup(thread)
  table.insert(threads, thread)
end

local requests_ = {}
local i = 0

function init(args)
  counts = {}       -- status -> answers
  seconds = {}      -- "epoch status" -> answers
  slugs = {}        -- "status slug" -> answers, for every status >= 400
  retry_missing = 0 -- 503s without Retry-After
  bad = 0           -- 5xx that are not a 503 with Retry-After
  bad_samples = ""  -- the first few of them, status, headers and body
  local json = {["Content-Type"] = "application/json"}
  if route == "loops" then
    for _, b in ipairs(loop_bodies) do
      table.insert(requests_, wrk.format("POST", "/v1/loops", json, b))
    end
  elseif route == "trailheads" then
    table.insert(requests_,
      wrk.format("GET", "/v1/trailheads?lat=42.5078&lon=1.5211&radius_km=10"))
  elseif route == "plan_get" then
    local id = assert(os.getenv("DBCUT_PLAN_ID"), "DBCUT_PLAN_ID is not set")
    table.insert(requests_, wrk.format("GET", "/v1/plans/" .. id))
  elseif route == "plan_post" then
    local path = assert(os.getenv("DBCUT_PLAN_BODY"), "DBCUT_PLAN_BODY is not set")
    local f = assert(io.open(path, "r"))
    local body = f:read("*a")
    f:close()
    table.insert(requests_, wrk.format("POST", "/v1/plans", json, body))
  else
    error("unknown DBCUT_ROUTE " .. route)
  end
end

function request()
  i = i + 1
  return requests_[(i % #requests_) + 1]
end

local function header(headers, name)
  for k, v in pairs(headers) do
    if string.lower(k) == name then
      return v
    end
  end
  return nil
end

function response(status, headers, body)
  local s = tostring(status)
  counts[s] = (counts[s] or 0) + 1
  local key = os.time() .. " " .. s
  seconds[key] = (seconds[key] or 0) + 1
  if status >= 400 then
    local slug = body and string.match(body, '"type"%s*:%s*"[^"]-([%w%-]+)"') or "?"
    local k = s .. " " .. slug
    slugs[k] = (slugs[k] or 0) + 1
  end
  if status >= 500 then
    local retry = header(headers, "retry-after")
    if status == 503 and retry == nil then
      retry_missing = retry_missing + 1
    end
    if status ~= 503 or retry == nil then
      bad = bad + 1
      if bad <= 3 then
        local hs = {}
        for k, v in pairs(headers) do
          table.insert(hs, k .. ": " .. v)
        end
        bad_samples = bad_samples .. string.format("%d [%s] %s\n", status,
          table.concat(hs, "; "), string.sub(body or "", 1, 400))
      end
    end
  end
end

local function add(into, from)
  for k, v in pairs(from) do
    into[k] = (into[k] or 0) + v
  end
end

function done(summary, latency, requests)
  local all_counts, all_seconds, all_slugs = {}, {}, {}
  local missing, total_bad, samples = 0, 0, ""
  for _, t in ipairs(threads) do
    add(all_counts, t:get("counts"))
    add(all_seconds, t:get("seconds"))
    add(all_slugs, t:get("slugs"))
    missing = missing + t:get("retry_missing")
    total_bad = total_bad + t:get("bad")
    samples = samples .. t:get("bad_samples")
  end
  local lines = {}
  local function out(...)
    table.insert(lines, table.concat({...}, " "))
  end
  out("route", route)
  out("requests", summary.requests)
  out("duration_s", string.format("%.2f", summary.duration / 1e6))
  out("latency_ms", string.format("%.2f %.2f %.2f %.2f", latency:percentile(50) / 1000,
    latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000))
  local e = summary.errors
  out("socket_errors", e.connect, e.read, e.write, e.timeout)
  out("retry_after_missing", missing)
  out("bad_5xx", total_bad)
  for k, v in pairs(all_counts) do out("status", k, v) end
  for k, v in pairs(all_slugs) do out("problem", k, v) end
  for k, v in pairs(all_seconds) do out("second", k, v) end
  local text = table.concat(lines, "\n") .. "\n"
  local path = os.getenv("DBCUT_OUT")
  if path then
    local f = assert(io.open(path, "w"))
    f:write(text)
    if samples ~= "" then
      f:write("samples-begin\n" .. samples .. "samples-end\n")
    end
    f:close()
  end
  -- On stdout the per-status lines only, not the per-second ones.
  io.write(string.format("[%s] %d requests, p50 %.1f ms, p99 %.1f ms, statuses:", route,
    summary.requests, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
  for k, v in pairs(all_counts) do io.write(" " .. k .. "=" .. v) end
  io.write(string.format("; 5xx not 503+Retry-After: %d; timeouts %d\n", total_bad, e.timeout))
  if samples ~= "" then io.write(samples) end
end
