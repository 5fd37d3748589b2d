-- wrk script: POST /api/v1/leads with a fresh Idempotency-Key per request.
-- Env: BENCH_TOKEN (bearer token), BENCH_LOCATION (street or community code).
local token = os.getenv("BENCH_TOKEN")
local location = os.getenv("BENCH_LOCATION")
local run = os.getenv("BENCH_RUN") or tostring(os.time())
local counter = 0
local names = { "王芳", "李伟", "张敏", "刘洋", "陈静", "杨磊", "赵军", "黄丽" }

function setup(thread)
  thread:set("tid", tostring(thread))
end

-- Phone numbers in no particular order, as real ones come (sequential numbers would let every
-- index on the phone grow at its end, which flatters plain indexes over keyed hashes). The
-- thread's address mixes in so that the two threads do not send the same numbers.
local function phone(n)
  local salt = 0
  for c in (tid or "t"):gmatch("%x") do salt = (salt * 16 + tonumber(c, 16)) % 99991 end
  return (n * 48271 + salt * 7919) % 100000000
end

function request()
  counter = counter + 1
  local body = string.format(
    '{"channel":"hotline_12345","reporter":{"name":"来电人","phone":"13900000000"},' ..
    '"subject":{"name":"%s","phone":"137%08d"},"location_code":"%s",' ..
    '"description":"12345 工单：独居老人摔伤，无人照顾，需要帮助。","urgency":"urgent","hardship_types":["OTHER_ACCIDENT"]}',
    names[(counter % #names) + 1], phone(counter), location)
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Content-Type"] = "application/json",
    ["Idempotency-Key"] = string.format("bench-%s-%s-%d", run, tid or "t", counter),
  }
  return wrk.format("POST", "/api/v1/leads", headers, body)
end

function response(status, headers, body)
  if status ~= 201 then
    print("unexpected status " .. status .. ": " .. body)
  end
end
