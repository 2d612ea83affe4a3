-- wrk script: an integration's traffic mix, timed per operation.
--
-- Run with one thread per connection (`wrk -t C -c C`): each thread then has exactly one
-- request in flight, so request() and response() alternate and the time between them is the
-- latency of the operation request() chose. Each thread keeps its own samples; done() merges
-- them and prints one JSON line per operation (prefixed "BENCH ") for benchmarks/run.py.
--
-- Environment:
--   BENCH_DATA  a Lua file returning {token=, admin_id=, contacts={ids}, emails={...},
--               conversations={ids}} (written by run.py)
--   BENCH_MIX   "mix" (default) or "get" (GET /contacts/{id} only)
--   BENCH_RUN   a tag unique to this wrk invocation (keeps created emails unique across runs)

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local CLOCK_MONOTONIC = 1
local ts = ffi.new("bench_timespec")

local function now_us()
  ffi.C.clock_gettime(CLOCK_MONOTONIC, ts)
  return tonumber(ts.tv_sec) * 1000000 + tonumber(ts.tv_nsec) / 1000
end

local data = dofile(os.getenv("BENCH_DATA"))
local mix_name = os.getenv("BENCH_MIX") or "mix"
local run_tag = os.getenv("BENCH_RUN") or tostring(os.time())

-- Weights out of 100: reads dominate, as in a typical sync integration.
local MIXES = {
  mix = {
    { "get_contact", 25 }, { "create_contact", 10 }, { "update_contact", 10 },
    { "search_contacts", 10 }, { "list_contacts", 10 }, { "reply_conversation", 10 },
    { "get_conversation", 15 }, { "create_event", 10 },
  },
  get = { { "get_contact", 100 } },
  -- Writes alone (benchmarks/profile.py --mix write): where a write's time goes.
  write = { { "create_contact", 50 }, { "update_contact", 50 } },
}

-- ---------------------------------------------------------------------------------------------
-- Main state: hand every thread an id, collect their samples at the end.

local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
  table.insert(threads, thread)
end

-- ---------------------------------------------------------------------------------------------
-- Thread state.

local headers
local choices = {}  -- 100 slots, each an operation name
local counter = 0
local cursor = nil   -- list_contacts: the next page's starting_after
local pages_read = 0
local current_op, started_at
-- Read by done() through thread:get, which copies only flat tables (a nested one crashes
-- wrk 4.1), hence one global array per operation: lat_<op> = {latency in us, ...}.
errors = {}   -- op -> non-2xx count

local function pick(list)
  return list[math.random(#list)]
end

local function json_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c) return string.format("\\u%04x", c:byte()) end) .. '"'
end

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0))
  headers = {
    ["Authorization"] = "Bearer " .. data.token,
    ["Content-Type"] = "application/json",
    ["Accept"] = "application/json",
    ["Intercom-Version"] = "2.10",
  }
  for _, entry in ipairs(MIXES[mix_name]) do
    for _ = 1, entry[2] do table.insert(choices, entry[1]) end
    _G["lat_" .. entry[1]] = {}
    errors[entry[1]] = 0
  end
end

local BUILD = {}

function BUILD.get_contact()
  return "GET", "/contacts/" .. pick(data.contacts)
end

function BUILD.create_contact()
  local email = string.format("bench-%s-%d-%d@example.com", run_tag, thread_id, counter)
  return "POST", "/contacts", '{"role":"user","email":' .. json_string(email) ..
      ',"name":"Bench User ' .. counter .. '"}'
end

function BUILD.update_contact()
  return "PUT", "/contacts/" .. pick(data.contacts),
      '{"name":"Renamed ' .. counter .. '","last_seen_at":' .. os.time() .. '}'
end

-- A 2-level query: AND(role = user, OR(email = a, email = b)).
function BUILD.search_contacts()
  return "POST", "/contacts/search", '{"query":{"operator":"AND","value":[' ..
      '{"field":"role","operator":"=","value":"user"},' ..
      '{"operator":"OR","value":[' ..
      '{"field":"email","operator":"=","value":' .. json_string(pick(data.emails)) .. '},' ..
      '{"field":"email","operator":"=","value":' .. json_string(pick(data.emails)) .. '}]}]},' ..
      '"pagination":{"per_page":10}}'
end

-- Walks the contact list page by page with the cursor, starting over after 20 pages.
function BUILD.list_contacts()
  if cursor and pages_read < 20 then
    return "GET", "/contacts?per_page=50&starting_after=" .. cursor
  end
  pages_read = 0
  return "GET", "/contacts?per_page=50"
end

function BUILD.reply_conversation()
  return "POST", "/conversations/" .. pick(data.conversations) .. "/reply",
      '{"message_type":"comment","type":"admin","admin_id":' .. json_string(data.admin_id) ..
      ',"body":"<p>Reply number ' .. counter .. '</p>"}'
end

function BUILD.get_conversation()
  return "GET", "/conversations/" .. pick(data.conversations)
end

function BUILD.create_event()
  return "POST", "/events", '{"event_name":"bench-event","created_at":' .. (os.time() - math.random(0, 86400)) ..
      ',"id":' .. json_string(pick(data.contacts)) .. ',"metadata":{"order":' .. counter .. '}}'
end

function request()
  counter = counter + 1
  current_op = choices[math.random(#choices)]
  local method, path, body = BUILD[current_op]()
  started_at = now_us()
  return wrk.format(method, path, headers, body)
end

function response(status, _headers, body)
  local elapsed = now_us() - started_at
  local op = current_op
  local list = _G["lat_" .. op]
  list[#list + 1] = elapsed
  if status < 200 or status > 299 then
    errors[op] = errors[op] + 1
  end
  if op == "list_contacts" then
    cursor = body and body:match('"starting_after":"([^"]+)"')
    pages_read = pages_read + 1
  end
end

-- ---------------------------------------------------------------------------------------------
-- Main state again: merge and report.

local function percentile(sorted, p)
  if #sorted == 0 then return 0 end
  local index = math.max(1, math.ceil(#sorted * p))
  return sorted[index]
end

function done(summary, _latency, _requests)
  local merged, errs = {}, {}
  for _, thread in ipairs(threads) do
    local e = thread:get("errors")
    for _, entry in ipairs(MIXES[mix_name]) do
      local op = entry[1]
      local list = thread:get("lat_" .. op)
      merged[op] = merged[op] or {}
      local target = merged[op]
      for i = 1, #list do target[#target + 1] = list[i] end
      errs[op] = (errs[op] or 0) + (e[op] or 0)
    end
  end
  for op, list in pairs(merged) do
    table.sort(list)
    local total = 0
    for i = 1, #list do total = total + list[i] end
    io.write(string.format(
      'BENCH {"op":"%s","count":%d,"errors":%d,"mean_us":%.1f,"p50_us":%.1f,"p95_us":%.1f,"p99_us":%.1f,"max_us":%.1f}\n',
      op, #list, errs[op], #list > 0 and total / #list or 0,
      percentile(list, 0.50), percentile(list, 0.95), percentile(list, 0.99), list[#list] or 0))
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH {"op":"_total","duration_us":%d,"requests":%d,"status_errors":%d,"socket_errors":%d}\n',
    summary.duration, summary.requests, e.status, e.connect + e.read + e.write + e.timeout))
end
