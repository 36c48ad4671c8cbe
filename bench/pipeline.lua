-- wrk script: 16 GET / requests per write (HTTP/1.1 pipelining).
-- wrk counts every response; its latency figure is per batch of 16.
local depth = 16

init = function(args)
  local requests = {}
  for i = 1, depth do
    requests[i] = wrk.format(nil, "/")
  end
  batch = table.concat(requests)
end

request = function()
  return batch
end
