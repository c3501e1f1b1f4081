#!/usr/bin/env python3
"""callwarden for Asterisk: an AGI script (and the logic the FastAGI service serves).

From the dialplan (extensions-callwarden.conf):

  AGI(callwarden_agi.py,route)           inbound call: sets QUEUE and QUEUE_PRIO for Queue(), and
                                         CALLWARDEN_ROUTE, _RULE, _REASON, _FALLBACK, and
                                         __CALLWARDEN_CALL (inherited by the agent's channel)
  AGI(callwarden_agi.py,abuse,verbal)    agent feature codes, on the agent's channel: report abuse
  AGI(callwarden_agi.py,warning)           of a kind, a warning given, a hang-up request, a
  AGI(callwarden_agi.py,hangup)            supervisor's verdict (approve or deny); each sets
  AGI(callwarden_agi.py,supervisor,approve)  CALLWARDEN_ANSWER and CALLWARDEN_REASON for the
                                         dialplan to read back to the agent
  AGI(callwarden_agi.py,ended)           the h extension: call.ended, by caller or agent from
                                         CHANNEL(hangupsource)

Fail open: QUEUE is always set, to callwarden's answer or to the policy's default queue with
CALLWARDEN_FALLBACK saying why; the script never exits with an error into the dialplan.

Settings (environment, e.g. in the AGI's wrapper or asterisk's environment):
  CALLWARDEN_SOCKET      callwarden's socket (/run/callwarden/callwarden.sock)
  CALLWARDEN_BUDGET_MS   the longest a call waits for its route (200)
  CALLWARDEN_POLICY      the policy file whose last rule is the fallback (/etc/callwarden/policy.yaml)
  CALLWARDEN_CLIENT_DIR  where callwarden_client.py is (beside this directory by default)
"""

import os
import sys
import time

_HERE = os.path.dirname(os.path.abspath(__file__))
for _candidate in (os.environ.get("CALLWARDEN_CLIENT_DIR"), os.path.join(_HERE, "..", "python")):
    if _candidate and os.path.isfile(os.path.join(_candidate, "callwarden_client.py")):
        sys.path.insert(0, os.path.abspath(_candidate))
        break

import callwarden_client  # noqa: E402

KINDS_OF_VERDICT = ("approve", "deny")
ENDED_BY = ("caller", "agent", "system")


class AGI:
    """The AGI protocol over a pair of text streams: the agi_* environment first, then one
    command per line, each answered `200 result=N [(data)]`."""

    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer
        self.env = {}
        self.hung_up = False
        while True:
            line = reader.readline()
            if not line or not line.strip():
                break
            key, _, value = line.rstrip("\r\n").partition(":")
            self.env[key.strip()] = value.strip()

    def args(self):
        """agi_arg_1, agi_arg_2, ... (for FastAGI the script's path also names the action)."""
        found, index = [], 1
        while "agi_arg_%d" % index in self.env:
            found.append(self.env["agi_arg_%d" % index])
            index += 1
        return found

    def command(self, text):
        """Sends one command; returns (code, result, data), or (None, None, "") once the
        channel or the connection is gone."""
        try:
            self.writer.write(text + "\n")
            self.writer.flush()
            while True:
                line = self.reader.readline()
                if not line:
                    return None, None, ""
                line = line.rstrip("\r\n")
                if line == "HANGUP":  # FastAGI tells of a hang-up between answers
                    self.hung_up = True
                    continue
                break
        except (OSError, ValueError):
            return None, None, ""
        code, _, rest = line.partition(" ")
        result, data = None, ""
        if rest.startswith("result="):
            value, _, tail = rest[len("result="):].partition(" ")
            result = value
            if tail.startswith("(") and tail.endswith(")"):
                data = tail[1:-1]
        return code, result, data

    def set_variable(self, name, value):
        return self.command('SET VARIABLE %s "%s"' % (name, quote(value)))

    def get_variable(self, name):
        code, result, data = self.command("GET VARIABLE %s" % name)
        return data if code == "200" and result == "1" else ""

    def get_full_variable(self, expression):
        code, result, data = self.command('GET FULL VARIABLE "%s"' % quote(expression))
        return data if code == "200" and result == "1" else ""

    def verbose(self, message, level=3):
        self.command('VERBOSE "%s" %d' % (quote(message), level))


def quote(value):
    """A value inside AGI's double quotes: control characters become spaces, and quotes and
    backslashes are escaped, so a reason text cannot end the argument or the command."""
    text = "".join(" " if ord(ch) < 32 or ord(ch) == 127 else ch for ch in str(value))
    return text.replace("\\", "\\\\").replace('"', '\\"')[:1024]


def settings():
    budget_ms = os.environ.get("CALLWARDEN_BUDGET_MS", "200")
    budget = int(budget_ms) / 1000.0 if budget_ms.isdigit() and 1 <= int(budget_ms) <= 10000 else 0.2
    policy = os.environ.get("CALLWARDEN_POLICY", "/etc/callwarden/policy.yaml")
    return {
        "socket_path": os.environ.get("CALLWARDEN_SOCKET", callwarden_client.DEFAULT_SOCKET),
        "budget": budget,
        "fallback": callwarden_client.fallback_from_policy(policy),
    }


def make_client(agi=None):
    log = (lambda level, message: agi.verbose(message, 1 if level >= 30 else 3)) if agi else None
    return callwarden_client.Client(log=log, **settings())


def route(agi, client):
    call = agi.env.get("agi_uniqueid", "")
    caller = agi.env.get("agi_callerid", "")
    if caller.lower() in ("", "unknown"):
        caller = "anonymous"
    dialed = agi.env.get("agi_dnid") or agi.env.get("agi_extension") or None
    if dialed in ("unknown", "s"):
        dialed = None
    started = time.monotonic()
    decision = client.route(caller, dialed, call)
    waited_ms = (time.monotonic() - started) * 1000
    agi.set_variable("QUEUE", decision.queue)
    agi.set_variable("QUEUE_PRIO", decision.priority)
    agi.set_variable("CALLWARDEN_ROUTE", decision.route)
    agi.set_variable("CALLWARDEN_RULE", decision.rule)
    agi.set_variable("CALLWARDEN_REASON", decision.reason)
    agi.set_variable("CALLWARDEN_FALLBACK", decision.fallback or "")
    agi.set_variable("CALLWARDEN_WAITED_MS", "%.1f" % waited_ms)
    # Two underscores: inherited by the agent's channel that Queue() creates, so the agent's
    # feature codes name the same call.
    agi.set_variable("__CALLWARDEN_CALL", call)
    return decision


def agent_id(agi):
    """CALLWARDEN_AGENT if the dialplan set one; otherwise the agent's device (PJSIP/agent42)."""
    explicit = agi.get_variable("CALLWARDEN_AGENT")
    if explicit:
        return explicit
    channel = agi.env.get("agi_channel", "")
    return channel.rsplit("-", 1)[0] if "-" in channel else channel


def report(agi, client, action, argument):
    """An agent's feature code: sends the report and sets CALLWARDEN_ANSWER for the dialplan:
    recorded, authorised, denied, supervisor_required, or not_recorded (with the reason)."""
    call = agi.get_variable("CALLWARDEN_CALL") or agi.env.get("agi_uniqueid", "")
    fields = {"call": call, "agent": agent_id(agi)}
    if action == "abuse":
        fields["kind"] = argument or "verbal"
        answer = client.request("abuse", **fields)
    elif action == "warning":
        answer = client.request("warning", **fields)
    elif action == "hangup":
        answer = client.request("hangup.request", **fields)
    elif action == "supervisor":
        fields.pop("agent")
        fields["supervisor"] = agent_id(agi)
        fields["verdict"] = argument if argument in KINDS_OF_VERDICT else "deny"
        answer = client.request("supervisor", **fields)
    else:
        agi.verbose("callwarden: unknown action %r" % action, 1)
        agi.set_variable("CALLWARDEN_ANSWER", "not_recorded")
        return None
    if not answer.ok:
        agi.set_variable("CALLWARDEN_ANSWER", "not_recorded")
        agi.set_variable("CALLWARDEN_REASON", "%s: %s" % (answer.code, answer.message))
        agi.verbose("callwarden: %s not recorded: %s %s" % (action, answer.code, answer.message), 1)
        return answer
    data = answer.data
    hangup = data.get("hangup") if isinstance(data.get("hangup"), str) else ""
    agi.set_variable("CALLWARDEN_ANSWER", hangup if action == "hangup" else "recorded")
    agi.set_variable("CALLWARDEN_REASON", data.get("reason") if isinstance(data.get("reason"), str) else "")
    agi.set_variable("CALLWARDEN_HANGUP", hangup)
    agi.set_variable("CALLWARDEN_ALERT", "1" if data.get("alert") is True else "")
    return answer


def ended(agi, client, argument=None):
    """The h extension: call.ended for the call, by whoever hung up."""
    call = agi.get_variable("CALLWARDEN_CALL") or agi.env.get("agi_uniqueid", "")
    by = argument if argument in ENDED_BY else None
    if by is None:
        source = agi.get_full_variable("${CHANNEL(hangupsource)}")
        channel = agi.env.get("agi_channel", "")
        by = "system" if not source else ("caller" if source == channel else "agent")
    return client.request("call.ended", call=call, by=by)


def serve(agi, client, action, arguments):
    """Runs one AGI request; never raises (a failure is logged to Asterisk's console)."""
    try:
        if action == "route":
            route(agi, client)
        elif action == "ended":
            ended(agi, client, arguments[0] if arguments else None)
        else:
            report(agi, client, action, arguments[0] if arguments else None)
    except Exception as error:  # noqa: BLE001 - the dialplan goes on with its defaults
        try:
            agi.verbose("callwarden: %s failed: %r" % (action, error), 1)
        except Exception:  # noqa: BLE001
            pass


def main():
    agi = AGI(sys.stdin, sys.stdout)
    arguments = agi.args()
    action = arguments[0] if arguments else "route"
    client = make_client(agi)
    serve(agi, client, action, arguments[1:])
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
