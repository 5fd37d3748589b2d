-- wrk script: GET the first page of a queue (BENCH_PATH) with a bearer token.
local token = os.getenv("BENCH_TOKEN")
local path = os.getenv("BENCH_PATH")

function request()
  return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token })
end

function response(status, headers, body)
  if status ~= 200 then
    print("unexpected status " .. status)
  end
end
