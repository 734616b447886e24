-- wrk script for docs/bench-serve.sh: every request asks for a different
-- GTIN of the synthetic catalog (catalog/synthetic.go: GS1 prefix 952,
-- then the record's number, then the check digit), each thread from its
-- own starting point, skipping the key records and the notices.
-- Environment: RECORDS (default 1000000); DELAY_MS, when set, paces the
-- load: before every request each connection pauses a random whole number
-- of milliseconds from 0 to 2 x DELAY_MS (DELAY_MS on average), so that
-- the connections do not fire together in bursts; about
-- connections x 1000 / (DELAY_MS + latency) requests a second.
local records = tonumber(os.getenv("RECORDS") or "1000000")
local delay_ms = tonumber(os.getenv("DELAY_MS") or "0")
local threads = 0

function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local i

local function gtin(n)
  local s = string.format("0952%09d", n)
  local sum = 0
  for k = 1, 13 do
    local w = 1
    if k % 2 == 1 then w = 3 end
    sum = sum + tonumber(s:sub(k, k)) * w
  end
  return s .. tostring((10 - sum % 10) % 10)
end

function init(args)
  i = 101 + (tid * 7919 * 1013) % (records - 101)
  math.randomseed(tid * 7919 + os.time())
end

function request()
  i = i + 1
  if i >= records then i = 101 end
  if i % 1000 == 999 then i = i + 1 end
  return wrk.format("GET", "/v1/lookup?code=" .. gtin(i))
end

if delay_ms > 0 then
  function delay()
    return math.random(0, 2 * delay_ms)
  end
end

function done(summary, latency, requests)
  local s = summary.duration / 1e6
  io.write(string.format("RESULT rate=%.0f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f p999_ms=%.3f max_ms=%.3f requests=%d errors=%d non2xx=%d\n",
    summary.requests / s, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency:percentile(99.9) / 1000, latency.max / 1000,
    summary.requests, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
