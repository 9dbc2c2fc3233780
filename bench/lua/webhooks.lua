-- Signed sandbox webhooks (BENCH_WEBHOOKS: "signature\tbody" per line, each a distinct
-- event), posted as fast as the server takes them; thread k sends lines k, k+T, k+2T...
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local report = require("report")

local requests_, next_ = {}, 1

function setup(thread) report.setup(thread) end

function init(args)
   local threads = tonumber(os.getenv("BENCH_THREADS"))
   for i, row in ipairs(report.lines(os.getenv("BENCH_WEBHOOKS"))) do
      if (i - 1) % threads == tid - 1 then
         local headers = {["X-Sandbox-Signature"] = row[1], ["Content-Type"] = "application/json"}
         table.insert(requests_, wrk.format("POST", os.getenv("BENCH_PATH"), headers, row[2]))
      end
   end
end

function request()
   local r = requests_[next_]
   next_ = next_ % #requests_ + 1
   return r
end

function response(status, headers, body) report.count(status) end

done = report.done
