-- wrk script: GET /api/v1/cases/{id} for random ids from BENCH_IDS (one per line).
local token = os.getenv("BENCH_TOKEN")
local ids = {}
for line in io.lines(os.getenv("BENCH_IDS")) do
  if #line > 0 then ids[#ids + 1] = line end
end

function request()
  local id = ids[math.random(#ids)]
  return wrk.format("GET", "/api/v1/cases/" .. id, { ["Authorization"] = "Bearer " .. token })
end

function response(status, headers, body)
  if status ~= 200 then
    print("unexpected status " .. status)
  end
end
