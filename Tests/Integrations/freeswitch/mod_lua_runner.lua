--[[
Runs a FreeSWITCH Lua script under plain Lua, with the globals mod_lua gives it:
  session   the channel (freeswitch.Session): getVariable, setVariable, get_uuid, ready,
            answered, consoleLog, streamFile, sleep, execute, hangup, getState
  freeswitch  consoleLog, getGlobalVariable, msleep, API (api:execute)
  argv      the script's arguments (argv[0] the script)
FreeSWITCH is not in Debian 12; this is what its mod_lua offers a script, done as mod_lua does for
these calls. Usage:
  lua mod_lua_runner.lua SCRIPT [ARG...]
stdin: the channel's variables, one "name=value" a line (none, with FS_NO_SESSION=1: the script
runs as an API command, as api_hangup_hook runs it). Globals: environment FS_GLOBAL_<name>.
stdout: one line per effect: SET name=value, LOG level message, STREAM file, EXEC app data,
HANGUP cause (newlines in values written as \n).
]]

local function emit(kind, a, b)
  local function clean(s) return (tostring(s or ""):gsub("\\", "\\\\"):gsub("\n", "\\n")) end
  io.write(kind, " ", clean(a), b ~= nil and ("=" .. clean(b)) or "", "\n")
  io.flush()
end

freeswitch = {
  consoleLog = function(level, message) emit("LOG", level .. " " .. tostring(message):gsub("\n$", "")) end,
  getGlobalVariable = function(name) return os.getenv("FS_GLOBAL_" .. name) end,
  msleep = function(ms) end,
  API = function()
    return { execute = function(self, command, args) emit("API", command .. " " .. tostring(args or "")); return "" end }
  end,
}

local variables = {}
local Session = {}
Session.__index = Session
function Session:getVariable(name) return variables[name] end
function Session:setVariable(name, value) variables[name] = value; emit("SET", name, value) end
function Session:get_uuid() return variables.uuid end
function Session:ready() return true end
function Session:answered() return true end
function Session:consoleLog(level, message) freeswitch.consoleLog(level, message) end
function Session:streamFile(file) emit("STREAM", file) end
function Session:sleep(ms) end
function Session:execute(app, data) emit("EXEC", app .. " " .. tostring(data or "")) end
function Session:hangup(cause) emit("HANGUP", cause or "NORMAL_CLEARING") end
function Session:getState() return "CS_EXECUTE" end

if os.getenv("FS_NO_SESSION") ~= "1" then
  for line in io.lines() do
    local name, value = line:match("^([^=]+)=(.*)$")
    if name then variables[name] = value end
  end
  session = setmetatable({}, Session)
end

local script = arg[1]
argv = { [0] = script }
for index = 2, #arg do argv[index - 1] = arg[index] end
local chunk, problem = loadfile(script)
if not chunk then
  emit("LOAD_ERROR", problem)
  os.exit(2)
end
chunk()
