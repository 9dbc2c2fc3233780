-- Shoppers: each connection is one signed-in customer (run with as many threads as
-- connections, so each thread's state machine owns exactly one connection). A customer
-- adds 1-3 lines of 1-2 units, mostly from a large pool and sometimes from a few scarce
-- "hot" variants, places the order for bus-station pickup, and starts again; after a
-- refused order (sold out) the cart is emptied first.
package.path = os.getenv("BENCH_LUA") .. "/?.lua;" .. package.path
local report = require("report")

local tokens = report.lines(os.getenv("BENCH_SHOPPERS"))
local pool, hot = {}, {}
local plan, step, placed = {}, 1, 0
local auth, json_auth

function setup(thread) report.setup(thread) end

local function ids(csv, into)
   for id in string.gmatch(csv, "%d+") do table.insert(into, tonumber(id)) end
end

local function new_plan()
   plan, step = {}, 1
   for i = 1, math.random(3) do
      local from = (math.random() < 0.1 and #hot > 0) and hot or pool
      plan[i] = string.format('{"variant_id": %d, "quantity": %d}', from[math.random(#from)], math.random(2))
   end
end

function init(args)
   math.randomseed(os.time() + tid * 7919)
   ids(os.getenv("BENCH_POOL"), pool)
   ids(os.getenv("BENCH_HOT") or "", hot)
   auth = {Authorization = "Bearer " .. tokens[(tid - 1) % #tokens + 1][1]}
   json_auth = {Authorization = auth.Authorization, ["Content-Type"] = "application/json"}
   new_plan()
end

function request()
   if step == 0 then
      return wrk.format("DELETE", "/api/cart/", auth)
   elseif step <= #plan then
      return wrk.format("POST", "/api/cart/items/", json_auth, plan[step])
   end
   placed = placed + 1
   local headers = {
      Authorization = auth.Authorization,
      ["Content-Type"] = "application/json",
      ["Idempotency-Key"] = string.format("bench-%s-%d-%d", os.getenv("BENCH_NONCE"), tid, placed),
   }
   return wrk.format("POST", "/api/orders/", headers, '{"bus_station_id": ' .. os.getenv("BENCH_STATION") .. '}')
end

function response(status, headers, body)
   report.count(status)
   if step == 0 then
      new_plan()
   elseif step <= #plan then
      if status ~= 201 then report.add("lines_refused") end
      step = step + 1
   elseif status == 201 then
      report.add("orders")
      new_plan()
   else
      report.add("orders_refused")
      step = 0
   end
end

done = report.done
