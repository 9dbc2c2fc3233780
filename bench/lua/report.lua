-- Shared by the scenario scripts: per-thread status counters and one JSON line for run.py.
-- wrk gives every thread its own Lua state; setup() (main state) keeps the thread handles
-- so that done() can collect what each thread counted.
local M = {}
local threads = {}

counts = {}   -- per thread state: responses by status code
extra = {}    -- per thread state: scenario-specific counters (orders placed, refusals...)

function M.setup(thread)
   table.insert(threads, thread)
   thread:set("tid", #threads)
end

function M.count(status)
   local key = tostring(status)
   counts[key] = (counts[key] or 0) + 1
end

function M.add(name, n)
   extra[name] = (extra[name] or 0) + (n or 1)
end

local function encode(t)
   local parts = {}
   for k, v in pairs(t) do
      table.insert(parts, string.format("%q: %s", tostring(k), type(v) == "table" and encode(v) or tostring(v)))
   end
   return "{" .. table.concat(parts, ", ") .. "}"
end

local function merge(into, from)
   for k, v in pairs(from or {}) do into[k] = (into[k] or 0) + v end
end

function M.done(summary, latency, requests)
   local statuses, totals = {}, {}
   for _, thread in ipairs(threads) do
      merge(statuses, thread:get("counts"))
      merge(totals, thread:get("extra"))
   end
   local e = summary.errors
   io.write("BENCH_JSON ", encode({
      requests = summary.requests,
      duration_us = summary.duration,
      socket_errors = e.connect + e.read + e.write + e.timeout,
      p50_us = latency:percentile(50),
      p99_us = latency:percentile(99),
      statuses = statuses,
      extra = totals,
   }), "\n")
end

-- Lines of a data file prepared by run.py, split on tabs.
function M.lines(path)
   local rows = {}
   for line in io.lines(path) do
      local row = {}
      for field in string.gmatch(line, "[^\t]+") do table.insert(row, field) end
      table.insert(rows, row)
   end
   return rows
end

return M
