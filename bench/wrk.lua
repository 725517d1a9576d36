-- wrk script for bench/run.py: wrk -s bench/wrk.lua http://127.0.0.1:PORT -- PATH [PATH ...]
-- Requests cycle through the paths. With BENCH_RATE=<requests/s> in the environment the load is
-- open-loop: request starts are scheduled on a fixed clock (BENCH_RATE per second across all
-- connections) instead of as fast as responses come back; a start that finds no idle connection
-- at its slot is sent late and counted in late_sends.
-- done() prints one line, "BENCH_JSON {...}", with latencies in microseconds.

local ffi = require("ffi")
ffi.cdef([[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]])
local timespec = ffi.new("bench_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, timespec) -- CLOCK_MONOTONIC
  return tonumber(timespec.tv_sec) * 1000 + tonumber(timespec.tv_nsec) / 1e6
end

local rate = tonumber(os.getenv("BENCH_RATE") or "") or 0
local connections = tonumber(os.getenv("BENCH_CONNECTIONS") or "") or 1

local threads = {}
function setup(thread)
  table.insert(threads, thread)
end

local prepared = {}
local cursor = 0
late = 0 -- read by done() through thread:get
max_lag = 0

function init(args)
  for _, path in ipairs(args) do
    table.insert(prepared, wrk.format("GET", path))
  end
  if #prepared == 0 then
    table.insert(prepared, wrk.format("GET", wrk.path))
  end
end

function request()
  cursor = cursor % #prepared + 1
  return prepared[cursor]
end

if rate > 0 then
  local interval = 1000 / rate
  local next_slot = nil
  -- Called when a response is complete: when should this connection send its next request?
  -- Each connection's first request goes out at the start, so the schedule begins after them.
  function delay()
    local now = now_ms()
    if next_slot == nil then
      next_slot = now + (connections - 1) * interval
    end
    next_slot = next_slot + interval
    local wait = next_slot - now
    if wait < 0 then
      late = late + 1
      if -wait > max_lag then
        max_lag = -wait
      end
      return 0
    end
    return math.floor(wait)
  end
end

function done(summary, latency, requests)
  local late_sends, lag = 0, 0
  for _, thread in ipairs(threads) do
    late_sends = late_sends + (thread:get("late") or 0)
    lag = math.max(lag, thread:get("max_lag") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"duration_us":%d,"bytes":%d,"p50_us":%d,"p90_us":%d,'
      .. '"p95_us":%d,"p99_us":%d,"mean_us":%.1f,"max_us":%d,"errors":{"connect":%d,'
      .. '"read":%d,"write":%d,"status":%d,"timeout":%d},"late_sends":%d,"max_lag_ms":%.1f,'
      .. '"rate":%.2f}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(95),
    latency:percentile(99), latency.mean, latency.max,
    e.connect, e.read, e.write, e.status, e.timeout, late_sends, lag, rate
  ))
end
