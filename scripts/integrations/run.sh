#!/bin/bash
# The switch integrations' tests (docs/integrations.md), against the real daemon:
#   1. the Python client, the Asterisk AGI script and FastAGI service (through the AGI protocol),
#      the FreeSWITCH Lua script (under Debian's Lua with mod_lua's session API);
#   2. Kamailio end to end: real Kamailio with the shipped snippet, sipp callers and queue servers,
#      a steady phase and a chaos phase (daemon stopped, killed and stalled during the calls).
# Needs the built daemon (.build/debug/callwardend, or CALLWARDEND), python3, kamailio with
# kamailio-python3-modules, sip-tester, lua5.3 or lua5.4 and lua-socket: a missing one fails the
# run (.ci/run installs them). Kamailio and sipp use free loopback ports picked at start, in their
# own temporary directories; nothing is left running.
# Usage: scripts/integrations/run.sh [--calls N] [--rate R]   (Kamailio: calls per phase, calls/s)
set -euo pipefail
cd "$(dirname "$0")/../.."

export CALLWARDEND=${CALLWARDEND:-$PWD/.build/debug/callwardend}
export PYTHONDONTWRITEBYTECODE=1

missing=()
[[ -x $CALLWARDEND ]] || missing+=("callwardend at $CALLWARDEND (swift build)")
for tool in python3 kamailio sipp; do
    command -v "$tool" >/dev/null || missing+=("$tool")
done
[[ -f /usr/lib/x86_64-linux-gnu/kamailio/modules/app_python3.so ]] || missing+=("kamailio-python3-modules")
lua_found=0
for lua in lua5.3 lua5.4; do
    if command -v "$lua" >/dev/null; then
        lua_found=1
        "$lua" -e 'require("socket.unix")' 2>/dev/null || missing+=("lua-socket for $lua")
    fi
done
(( lua_found )) || missing+=("lua5.3 or lua5.4")
if (( ${#missing[@]} )); then
    echo "FAIL: the switch integrations cannot run; missing: ${missing[*]}"
    exit 1
fi

status=0
python3 - <<'PY' || status=1
import sys, unittest
suite = unittest.defaultTestLoader.discover("Tests/Integrations", pattern="test_*.py")
result = unittest.TextTestRunner(verbosity=1).run(suite)
failed = len(result.failures) + len(result.errors)
print("switch integration tests: %d passed, %d failed, %d skipped"
      % (result.testsRun - failed - len(result.skipped), failed, len(result.skipped)))
sys.exit(1 if failed or result.skipped else 0)
PY
python3 Tests/Integrations/kamailio_e2e.py "$@" || status=1
exit $status
