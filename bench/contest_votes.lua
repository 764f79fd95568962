-- wrk script: each request votes on the next prepared battle, with its session cookie and CSRF
-- token. Threads take disjoint slices of the battles file (BATTLES in the environment).
local battles = {}
local next_index, step = 1, 1
local thread_count = 0

function setup(thread)
  thread:set("thread_id", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  for line in io.lines(os.getenv("BATTLES")) do
    local session, csrf, battle = line:match("(%S+) (%S+) (%S+)")
    battles[#battles + 1] = {session, csrf, battle}
  end
  step = tonumber(os.getenv("THREADS") or "2")
  next_index = thread_id + 1
end

local votes = {"a", "b", "tie", "bothbad"}

function request()
  local b = battles[next_index]
  if b == nil then b = battles[1] end  -- out of battles: further votes are 409s
  local vote = votes[(next_index % 4) + 1]
  next_index = next_index + step
  return wrk.format("POST", "/api/battles/" .. b[3] .. "/vote", {
    ["Cookie"] = "kaieval_session=" .. b[1],
    ["X-CSRF-Token"] = b[2],
    ["Content-Type"] = "application/json",
  }, '{"vote":"' .. vote .. '"}')
end

local non200 = 0
function response(status, headers, body)
  if status ~= 200 then non200 = non200 + 1 end
end
