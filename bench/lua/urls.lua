-- GETs over a list of URLs (BENCH_URLS: "path[\tetag]" per line), drawn uniformly or
-- Zipf-like (BENCH_PICK=zipf, exponent BENCH_ZIPF_S); with an etag, sent as If-None-Match;
-- BENCH_AUTH, when set, is sent as the Authorization header (staff endpoints).
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local report = require("report")

local requests_, cdf = {}, nil

function setup(thread) report.setup(thread) end

function init(args)
   math.randomseed(os.time() + (tid or 0) * 7919)
   for _, row in ipairs(report.lines(os.getenv("BENCH_URLS"))) do
      local headers = {Authorization = os.getenv("BENCH_AUTH")}
      if row[2] then headers["If-None-Match"] = '"' .. row[2] .. '"' end
      table.insert(requests_, wrk.format("GET", row[1], headers))
   end
   if os.getenv("BENCH_PICK") == "zipf" then
      local s, total = tonumber(os.getenv("BENCH_ZIPF_S") or "1.0"), 0
      cdf = {}
      for k = 1, #requests_ do total = total + 1 / k ^ s; cdf[k] = total end
      for k = 1, #cdf do cdf[k] = cdf[k] / total end
   end
end

local function zipf()
   local u, lo, hi = math.random(), 1, #cdf
   while lo < hi do
      local mid = math.floor((lo + hi) / 2)
      if cdf[mid] < u then lo = mid + 1 else hi = mid end
   end
   return lo
end

function request()
   return requests_[cdf and zipf() or math.random(#requests_)]
end

function response(status, headers, body) report.count(status) end

done = report.done
