-- sessions.lua (bench/sessions.sh): each wrk thread makes SESSIONS sessions (requests without a cookie, whose answers
-- set one), then sends every request with one of them, in turn. A cookie the answer replaces is replaced here too.
local wanted = tonumber(os.getenv("SESSIONS") or "50")
local cookies = {}
local next_one = 0
local asked = 0

request = function()
  if #cookies == 0 or (#cookies < wanted and asked < wanted * 2) then
    asked = asked + 1
    return wrk.format("GET", nil, {})
  end
  next_one = next_one % #cookies + 1
  return wrk.format("GET", nil, { ["Cookie"] = "JSESSIONID=" .. cookies[next_one] })
end

response = function(status, headers, body)
  local set = headers["Set-Cookie"]
  if set then
    local id = set:match("JSESSIONID=([^;]+)")
    if id and #cookies < wanted then
      table.insert(cookies, id)
    end
  end
end
