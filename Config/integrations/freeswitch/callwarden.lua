--[[
callwarden for FreeSWITCH (mod_lua): ask callwarden where each new call goes.

From the dialplan (callwarden-dialplan.xml):

  lua callwarden.lua route                on the caller's leg: sets callwarden_queue,
                                          callwarden_priority, cc_base_score, callwarden_route,
                                          _rule, _reason, _fallback and callwarden_call (exported
                                          to the agent's leg); sends the caller id's STIR/SHAKEN
                                          verification with the call (trust())
  lua callwarden.lua abuse verbal         agents' keys (bind_meta_app) on the agent's leg: report
  lua callwarden.lua warning                abuse of a kind, a warning, a hang-up request, a
  lua callwarden.lua hangup                 supervisor's verdict; each sets callwarden_answer and
  lua callwarden.lua supervisor approve     callwarden_reason and plays a tone back to the agent
  lua callwarden.lua ended CALL DISPOSITION   the api_hangup_hook that `route` sets: call.ended
                                          (no session there)

Fail open: callwarden_queue is always set, to callwarden's answer or to the default queue, with
callwarden_fallback saying why (down, timeout, disconnected, an error code, invalid_answer).

Needs LuaSocket with its Unix socket module (Debian: lua-socket; FreeSWITCH's Lua must find it).
Settings are FreeSWITCH global variables (vars.xml):
  callwarden_socket            /run/callwarden/callwarden.sock
  callwarden_budget_ms         200: the longest a call waits for its route
  callwarden_default_queue     support: your policy's last rule
  callwarden_default_priority  5
  callwarden_score_per_priority 60: cc_base_score = priority x this (one step = a minute in queue)
]]

local ROUTES = { normal = true, supervisor = true, nuisance = true }
local ERROR_CODES = { bad_request = true, unknown_type = true, unknown_call = true, unknown_kind = true,
  forbidden = true, too_long = true, unavailable = true, internal = true }
local ENDED_BY = { recv_bye = "caller", recv_cancel = "caller", send_bye = "agent" }
local TONE_OK = "tone_stream://%(120,80,880)"
local TONE_AUTHORISED = "tone_stream://%(120,80,880);loops=2"
local TONE_DENIED = "tone_stream://%(300,100,440)"
local TONE_FAILED = "tone_stream://%(300,100,440);loops=2"
local MAX_LINE = 65536

-- Caller-id trust: the only words callwarden accepts on call.offered (docs/integrations.md).
local ATTESTATIONS = { A = true, B = true, C = true }
local PASSED, FAILED = "TN-Validation-Passed", "TN-Validation-Failed"
local VERIFICATIONS = { [PASSED] = true, [FAILED] = true, ["No-TN-Validation"] = true }

local function log(level, message)
  if session ~= nil and session.consoleLog then
    session:consoleLog(level, "callwarden: " .. message .. "\n")
  else
    freeswitch.consoleLog(level, "callwarden: " .. message .. "\n")
  end
end

local function setting(name, default)
  local value = freeswitch.getGlobalVariable(name)
  if value == nil or value == "" then return default end
  return value
end

-- JSON, written here because FreeSWITCH's Lua has no JSON library by default and this script must
-- need nothing beyond LuaSocket. The encoder handles the strings and numbers sent; the decoder is
-- strict (what is not JSON is an error, never a guess) and bounded in depth.
local json = {}

local function encode_string(s)
  return '"' .. s:gsub('[%c"\\]', function(c)
    local named = { ['"'] = '\\"', ['\\'] = '\\\\', ['\n'] = '\\n', ['\r'] = '\\r', ['\t'] = '\\t' }
    return named[c] or string.format("\\u%04x", c:byte())
  end) .. '"'
end

function json.encode_object(fields, order)
  local parts = {}
  for _, key in ipairs(order) do
    local value = fields[key]
    if value ~= nil then
      local text
      if type(value) == "number" then
        text = string.format("%.3f", value)
      else
        text = encode_string(tostring(value))
      end
      parts[#parts + 1] = encode_string(key) .. ":" .. text
    end
  end
  return "{" .. table.concat(parts, ",") .. "}"
end

local function utf8_char(code)
  if code < 0x80 then return string.char(code) end
  if code < 0x800 then return string.char(0xC0 + math.floor(code / 64), 0x80 + code % 64) end
  if code < 0x10000 then
    return string.char(0xE0 + math.floor(code / 4096), 0x80 + math.floor(code / 64) % 64, 0x80 + code % 64)
  end
  return string.char(0xF0 + math.floor(code / 262144), 0x80 + math.floor(code / 4096) % 64,
    0x80 + math.floor(code / 64) % 64, 0x80 + code % 64)
end

function json.decode(text)
  local position = 1
  local value

  local function fail(what) error({ json = what .. " at byte " .. position }, 0) end
  local function skip() position = text:find("[^ \t\r\n]", position) or #text + 1 end

  local function string_value()
    local parts = {}
    position = position + 1
    while true do
      local stop = text:find('["\\%c]', position)
      if not stop then fail("unterminated string") end
      parts[#parts + 1] = text:sub(position, stop - 1)
      local c = text:sub(stop, stop)
      if c == '"' then position = stop + 1; return table.concat(parts) end
      if c ~= "\\" then fail("control character in string") end
      local e = text:sub(stop + 1, stop + 1)
      local simple = { ['"'] = '"', ['\\'] = '\\', ['/'] = '/', b = '\b', f = '\f', n = '\n', r = '\r', t = '\t' }
      if simple[e] then
        parts[#parts + 1] = simple[e]
        position = stop + 2
      elseif e == "u" then
        local hex = text:sub(stop + 2, stop + 5)
        if not hex:match("^%x%x%x%x$") then fail("bad \\u escape") end
        local code = tonumber(hex, 16)
        position = stop + 6
        if code >= 0xD800 and code <= 0xDBFF and text:sub(position, position + 1) == "\\u" then
          local low = tonumber(text:sub(position + 2, position + 5), 16)
          if low and low >= 0xDC00 and low <= 0xDFFF then
            code = 0x10000 + (code - 0xD800) * 1024 + (low - 0xDC00)
            position = position + 6
          end
        end
        parts[#parts + 1] = utf8_char(code)
      else
        fail("bad escape")
      end
    end
  end

  function value(depth)
    if depth > 32 then fail("nesting too deep") end
    skip()
    local c = text:sub(position, position)
    if c == "{" then
      local object = {}
      position = position + 1
      skip()
      if text:sub(position, position) == "}" then position = position + 1; return object end
      while true do
        skip()
        if text:sub(position, position) ~= '"' then fail("expected a key") end
        local key = string_value()
        skip()
        if text:sub(position, position) ~= ":" then fail("expected ':'") end
        position = position + 1
        object[key] = value(depth + 1)
        skip()
        local d = text:sub(position, position)
        position = position + 1
        if d == "}" then return object end
        if d ~= "," then fail("expected ',' or '}'") end
      end
    elseif c == "[" then
      local array = {}
      position = position + 1
      skip()
      if text:sub(position, position) == "]" then position = position + 1; return array end
      while true do
        array[#array + 1] = value(depth + 1)
        skip()
        local d = text:sub(position, position)
        position = position + 1
        if d == "]" then return array end
        if d ~= "," then fail("expected ',' or ']'") end
      end
    elseif c == '"' then
      return string_value()
    elseif text:sub(position, position + 3) == "true" then
      position = position + 4; return true
    elseif text:sub(position, position + 4) == "false" then
      position = position + 5; return false
    elseif text:sub(position, position + 3) == "null" then
      position = position + 4; return json.null
    else
      local number = text:match("^-?%d+%.?%d*[eE]?[-+]?%d*", position)
      if not number or number == "" or number == "-" then fail("unexpected character") end
      position = position + #number
      local n = tonumber(number)
      if n == nil or n ~= n or n == math.huge or n == -math.huge then fail("bad number") end
      return n
    end
  end

  local ok, result = pcall(function()
    local v = value(0)
    skip()
    if position <= #text then fail("trailing characters") end
    return v
  end)
  if ok then return result end
  return nil, type(result) == "table" and result.json or tostring(result)
end
json.null = setmetatable({}, { __tostring = function() return "null" end })

-- One request on a fresh connection (mod_lua runs each script in its own state, so there is no
-- connection to keep), answered within `budget` seconds. Returns the answer, or nil and a reason.
local function ask(fields, order, budget)
  local ok_socket, socket = pcall(require, "socket")
  local ok_unix, unix = pcall(require, "socket.unix")
  if not ok_socket or not ok_unix then return nil, "client_error", "LuaSocket (socket.unix) is not installed" end
  local deadline = socket.gettime() + budget
  local function remaining() return math.max(deadline - socket.gettime(), 0.001) end
  local connection = (type(unix) == "table" and unix.stream or unix)()
  connection:settimeout(remaining())
  local connected, why = connection:connect(setting("callwarden_socket", "/run/callwarden/callwarden.sock"))
  if not connected then
    connection:close()
    return nil, (why == "timeout") and "timeout" or "down", why
  end
  fields.id = 1
  order[#order + 1] = "id"
  connection:settimeout(remaining())
  local sent, send_error = connection:send(json.encode_object(fields, order) .. "\n")
  if not sent then
    connection:close()
    return nil, send_error == "timeout" and "timeout" or "disconnected", send_error
  end
  -- receive("*l") hands back what it read before a timeout as `partial`; keep it and go on
  -- reading while the budget lasts.
  local parts, receive_error = {}, nil
  while true do
    connection:settimeout(remaining())
    local chunk, problem, partial = connection:receive("*l")
    if chunk then parts[#parts + 1] = chunk; receive_error = nil; break end
    parts[#parts + 1] = partial or ""
    receive_error = problem
    if problem ~= "timeout" or socket.gettime() >= deadline then break end
  end
  connection:close()
  if receive_error then
    return nil, receive_error == "timeout" and "timeout" or "disconnected", receive_error
  end
  local line = table.concat(parts)
  if #line > MAX_LINE then return nil, "invalid_answer", "answer over " .. MAX_LINE .. " bytes" end
  local answer, decode_error = json.decode(line)
  if type(answer) ~= "table" or answer.id ~= 1 then return nil, "invalid_answer", decode_error or "not an answer" end
  return answer
end

local function error_code(answer)
  local code = type(answer.error) == "table" and answer.error.code or nil
  if ERROR_CODES[code] then return code end
  return "invalid_answer"
end

local function error_message(answer)
  local message = type(answer.error) == "table" and answer.error.message or nil
  if type(message) == "string" then return message:sub(1, 1024) end
  return ""
end

local function whole(value, low, high)
  if type(value) ~= "number" or value ~= math.floor(value) or value < low or value > high then return nil end
  return value
end

local function header_token(text)
  return (tostring(text):gsub("[^%w%-%.!%%%*_%+`'~]", "_"):sub(1, 128))
end

-- The verstat parameter of a URI's parameter list ("user=phone;verstat=TN-Validation-Passed").
local function verstat_param(params)
  if type(params) ~= "string" then return nil end
  for parameter in (";" .. params:sub(1, 2048)):gmatch(";([^;]*)") do
    local name, value = parameter:match("^%s*([^=]-)%s*=%s*(.-)%s*$")
    if name and name:lower() == "verstat" and value ~= "" then return value:sub(1, 64) end
  end
  return nil
end

-- A value from outside, fit for one log line: cut short, control characters shown as "?".
local function shown(text, length)
  return '"' .. (tostring(text):sub(1, length):gsub("%c", "?")) .. '"'
end

local function present(value)
  if value == nil or value == "" then return nil end
  return value
end

-- What FreeSWITCH knows of the caller id's STIR/SHAKEN verification, as (attestation,
-- verification) in callwarden's words, from the first of:
--   callwarden_verstat (and callwarden_attestation), when the dialplan set them;
--   sip_verstat_detailed, else sip_verstat, set by mod_sofia's sofia_stir_shaken_vs application
--     (FreeSWITCH's own verification of the Identity header: TN-Validation-Passed-A, ...);
--   the verstat parameter of the From URI (sip_from_params) that the carrier's verification
--     service added.
-- A value that is not callwarden's is not sent (the call is still routed) and is logged.
local function trust()
  local value = present(session:getVariable("callwarden_verstat"))
  local attestation
  if value then
    attestation = present(session:getVariable("callwarden_attestation"))
  else
    value = present(session:getVariable("sip_verstat_detailed")) or present(session:getVariable("sip_verstat"))
      or verstat_param(session:getVariable("sip_from_params"))
  end
  if value == nil then return nil, nil end
  local verification = value
  -- TN-Validation-Passed-B (FreeSWITCH's detailed form, and many carriers'): the level too. A
  -- failed check's claimed level is worth nothing, so it is not kept.
  local head, level = value:match("^(.*)%-([ABC])$")
  if head == PASSED then
    verification, attestation = PASSED, attestation or level
  elseif head == FAILED then
    verification = FAILED
  end
  if not VERIFICATIONS[verification] then
    log("WARNING", "the caller id's verification " .. shown(value, 64) ..
      " is not one of TN-Validation-Passed, TN-Validation-Failed, No-TN-Validation; routed without it")
    return nil, nil
  end
  if attestation ~= nil and not ATTESTATIONS[attestation] then
    log("WARNING", "the caller id's attestation " .. shown(attestation, 16) ..
      " is not one of A, B, C; routed without it")
    attestation = nil
  end
  return attestation, verification
end

local function route()
  local call = session:get_uuid()
  local caller = session:getVariable("caller_id_number") or ""
  if caller == "" or caller:lower() == "unknown" then caller = "anonymous" end
  local dialed = session:getVariable("destination_number")
  local budget_ms = tonumber(setting("callwarden_budget_ms", "200")) or 200
  if budget_ms < 1 or budget_ms > 10000 then budget_ms = 200 end
  local started = (pcall(require, "socket") and require("socket").gettime()) or os.time()

  local decision = {
    route = "normal", queue = setting("callwarden_default_queue", "support"),
    priority = tonumber(setting("callwarden_default_priority", "5")) or 5, rule = "fallback",
  }
  -- Whatever goes wrong reading the caller id's trust, the call is still routed without it.
  local trusted, attestation, verification = pcall(trust)
  if not trusted then
    log("ERR", "caller-id trust failed: " .. tostring(attestation))
    attestation, verification = nil, nil
  end
  local answer, reason, detail = ask({ type = "call.offered", call = call, caller = caller, dialed = dialed,
    attestation = attestation, verification = verification },
    { "type", "call", "caller", "dialed", "attestation", "verification" }, budget_ms / 1000)
  if answer and answer.ok ~= true then
    reason, detail = error_code(answer), error_message(answer)
  elseif answer then
    local priority = whole(answer.priority, 0, 1000000)
    if ROUTES[answer.route] and type(answer.queue) == "string" and answer.queue:match("^[%w_%.@%+%-]+$")
        and #answer.queue <= 128 and priority and type(answer.rule) == "string" and type(answer.reason) == "string" then
      decision = { route = answer.route, queue = answer.queue, priority = priority, rule = answer.rule,
        reason = answer.reason:sub(1, 4096) }
    else
      reason, detail = "invalid_answer", "an answer with a missing or unusable field"
    end
  end
  if reason then
    decision.reason = "callwarden could not decide (" .. reason .. "); routed to the default queue."
    log("WARNING", "call " .. call .. " falls back to " .. decision.queue .. ": " .. reason .. " " .. tostring(detail or ""))
  end
  local per_priority = tonumber(setting("callwarden_score_per_priority", "60")) or 60
  session:setVariable("callwarden_queue", decision.queue)
  session:setVariable("callwarden_priority", tostring(math.floor(decision.priority)))
  session:setVariable("cc_base_score", tostring(math.floor(decision.priority * per_priority)))
  session:setVariable("callwarden_route", decision.route)
  session:setVariable("callwarden_rule", decision.rule)
  session:setVariable("callwarden_reason", decision.reason)
  session:setVariable("callwarden_fallback", reason or "")
  session:setVariable("callwarden_call", call)
  -- call.ended once the call is over. setVariable stores the text as it is, so
  -- ${sip_hangup_disposition} (who hung up) is expanded when the hook runs, not now.
  session:setVariable("api_hangup_hook", "lua callwarden.lua ended " .. call .. " ${sip_hangup_disposition}")
  local header = decision.route .. ";queue=" .. header_token(decision.queue) .. ";priority=" ..
    math.floor(decision.priority) .. (reason and (";fallback=" .. header_token(reason)) or (";rule=" .. header_token(decision.rule)))
  session:setVariable("sip_h_X-Callwarden-Route", header)
  local now = (pcall(require, "socket") and require("socket").gettime()) or os.time()
  session:setVariable("callwarden_waited_ms", string.format("%.1f", (now - started) * 1000))
end

local function agent_id()
  local explicit = session:getVariable("callwarden_agent")
  if explicit and explicit ~= "" then return explicit end
  return session:getVariable("caller_id_number") or session:get_uuid()
end

local function report(action, argument)
  local call = session:getVariable("callwarden_call") or session:get_uuid()
  local fields, order = { call = call, agent = agent_id() }, { "type", "call", "agent" }
  if action == "abuse" then
    fields.type, fields.kind = "abuse", (argument ~= nil and argument ~= "") and argument or "verbal"
    order[#order + 1] = "kind"
  elseif action == "warning" then
    fields.type = "warning"
  elseif action == "hangup" then
    fields.type = "hangup.request"
  elseif action == "supervisor" then
    fields.type, fields.supervisor, fields.agent = "supervisor", fields.agent, nil
    fields.verdict = (argument == "approve") and "approve" or "deny"
    order = { "type", "call", "supervisor", "verdict" }
  else
    log("ERR", "unknown action " .. tostring(action))
    return
  end
  -- An unavailable answer means nothing was recorded: try again while the budget lasts.
  local answer, reason, detail
  local budget = (tonumber(setting("callwarden_request_budget_ms", "2000")) or 2000) / 1000
  local socket_ok, socket = pcall(require, "socket")
  local deadline = (socket_ok and socket.gettime() or os.time()) + budget
  repeat
    local this_order = {}
    for index, key in ipairs(order) do this_order[index] = key end
    local left = math.max(deadline - (socket_ok and socket.gettime() or os.time()), 0.05)
    answer, reason, detail = ask(fields, this_order, left)
    local retry = answer and answer.ok ~= true and error_code(answer) == "unavailable"
    if retry and socket_ok and socket.gettime() + 0.1 < deadline then socket.sleep(0.1) else break end
  until false
  if answer and answer.ok ~= true then reason, detail = error_code(answer), error_message(answer) end
  if reason then
    session:setVariable("callwarden_answer", "not_recorded")
    session:setVariable("callwarden_reason", reason .. ": " .. tostring(detail or ""))
    log("WARNING", action .. " not recorded: " .. reason .. " " .. tostring(detail or ""))
    session:streamFile(TONE_FAILED)
    return
  end
  local hangup = type(answer.hangup) == "string" and answer.hangup or ""
  session:setVariable("callwarden_answer", action == "hangup" and hangup or "recorded")
  session:setVariable("callwarden_reason", type(answer.reason) == "string" and answer.reason or "")
  session:setVariable("callwarden_hangup", hangup)
  session:setVariable("callwarden_alert", answer.alert == true and "1" or "")
  if hangup == "authorised" then
    session:streamFile(TONE_AUTHORISED)
  elseif action == "hangup" then
    session:streamFile(TONE_DENIED)
  else
    session:streamFile(TONE_OK)
  end
end

local function ended(call, disposition)
  if call == nil or call == "" then return end
  local by = ENDED_BY[disposition or ""] or "system"
  local socket_ok, socket = pcall(require, "socket")
  local at = socket_ok and socket.gettime() or os.time()
  local answer, reason, detail = ask({ type = "call.ended", call = call, by = by, at = at },
    { "type", "call", "by", "at" }, 2)
  if answer and answer.ok ~= true and error_code(answer) ~= "unknown_call" then
    reason, detail = error_code(answer), error_message(answer)
  end
  if reason then log("WARNING", "call.ended for " .. call .. " not delivered: " .. reason .. " " .. tostring(detail or "")) end
end

local action = argv and argv[1] or "route"
local ok, failure = pcall(function()
  if action == "ended" then
    ended(argv[2], argv[3])
  elseif action == "route" then
    route()
  else
    report(action, argv[2])
  end
end)
if not ok then
  log("ERR", action .. " failed: " .. tostring(failure))
  if action == "route" and session ~= nil then
    -- Whatever failed, the call still gets the default queue.
    pcall(function()
      if (session:getVariable("callwarden_queue") or "") == "" then
        session:setVariable("callwarden_queue", setting("callwarden_default_queue", "support"))
        session:setVariable("callwarden_fallback", "client_error")
      end
    end)
  end
end
