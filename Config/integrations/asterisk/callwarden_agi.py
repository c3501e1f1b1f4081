#!/usr/bin/env python3
"""callwarden for Asterisk: an AGI script (and the logic the FastAGI service serves).

From the dialplan (extensions-callwarden.conf):

  AGI(callwarden_agi.py,route)           inbound call: sets QUEUE and QUEUE_PRIO for Queue(), and
                                         CALLWARDEN_ROUTE, _RULE, _REASON, _FALLBACK, and
                                         __CALLWARDEN_CALL (inherited by the agent's channel);
                                         sends the caller id's STIR/SHAKEN verification (trust())
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

PASSED = callwarden_client.VERIFICATION_PASSED
FAILED = callwarden_client.VERIFICATION_FAILED
NOT_VERIFIED = callwarden_client.NO_VERIFICATION
# STIR_SHAKEN(index,verify_result) in callwarden's words (docs/integrations.md has the table).
# Asterisk 16.15 to 18.21 and 20.0 to 20.6 word it as the first four; the rewrite in 18.22, 20.7
# and 21.2 (res_stir_shaken/verification.c) with the codes after them. A check that could not be
# made on the call's own merits (switched off, no Identity header, an error inside Asterisk) is
# "not verified"; every way the call's identity failed a check is "failed".
ASTERISK_VERIFY_RESULTS = {
    "Verification passed": PASSED,
    "Verification not present": NOT_VERIFIED,
    "Signature failed": FAILED,
    "Verification mismatch": FAILED,
    "success": PASSED,
    "disabled": NOT_VERIFIED,
    "invalid_arguments": NOT_VERIFIED,
    "internal_error": NOT_VERIFIED,
    "missing_identity_hdr": NOT_VERIFIED,
}
ASTERISK_VERIFY_FAILURES = (
    "missing_date_hdr", "date_hdr_parse_failure", "date_hdr_range_error", "missing_jwt_hdr",
    "cert_cache_miss", "cert_cache_invalid", "cert_cache_expired", "cert_retrieval_failure",
    "cert_contents_invalid", "cert_not_trusted", "cert_date_failure", "cert_no_tn_auth_ext",
    "cert_no_spc_in_auth_ext", "no_raw_key", "signature_validation", "missing_iat", "iat_range_error",
    "invalid_or_no_ppt", "invalid_or_no_alg", "invalid_or_no_typ", "invalid_or_no_grants",
    "invalid_or_no_attest", "missing_origid", "missing_orig_tn", "cid_orig_tn_mismatch",
    "missing_dest_tn", "invalid_header", "invalid_grant", "invalid_or_no_callerid")
ASTERISK_VERIFY_RESULTS.update((code, FAILED) for code in ASTERISK_VERIFY_FAILURES)
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


def trust(agi):
    """(attestation, verification) for call.offered, from the first of:
    1. CALLWARDEN_VERSTAT (a verstat word, or TN-Validation-Passed-B and the like) and
       CALLWARDEN_ATTESTATION, when the dialplan set them;
    2. Asterisk's own verification, STIR_SHAKEN(0,verify_result) and STIR_SHAKEN(0,attestation),
       when res_stir_shaken is loaded and verified the call (the first identity is used);
    3. on a PJSIP channel, the verstat parameter of the P-Asserted-Identity (else From) header that
       the carrier's verification service added.
    A value that is not callwarden's is passed on as it is: the client drops it and logs it once."""
    explicit = agi.get_variable("CALLWARDEN_VERSTAT")
    if explicit:
        attestation, verification = callwarden_client.trust_from_verstat(explicit)
        return agi.get_variable("CALLWARDEN_ATTESTATION") or attestation, verification
    # IFMODULE first: asking a function that is not loaded logs an error on every call.
    if agi.get_full_variable("${IFMODULE(res_stir_shaken.so)}") == "1":
        count = agi.get_full_variable("${STIR_SHAKEN(count)}")
        if count.isdigit() and int(count[:6]) > 0:
            result = agi.get_full_variable("${STIR_SHAKEN(0,verify_result)}")
            verification = ASTERISK_VERIFY_RESULTS.get(result, result)
            attestation = None
            if verification == PASSED:
                attestation = agi.get_full_variable("${STIR_SHAKEN(0,attestation)}") or None
            return attestation, verification
    if agi.env.get("agi_type") == "PJSIP":
        uri = (agi.get_full_variable("${PJSIP_HEADER(read,P-Asserted-Identity)}")
               or agi.get_full_variable("${PJSIP_HEADER(read,From)}"))
        return callwarden_client.trust_from_verstat(callwarden_client.verstat_of(uri))
    return None, None


def route(agi, client):
    call = agi.env.get("agi_uniqueid", "")
    caller = agi.env.get("agi_callerid", "")
    if caller.lower() in ("", "unknown"):
        caller = "anonymous"
    dialed = agi.env.get("agi_dnid") or agi.env.get("agi_extension") or None
    if dialed in ("unknown", "s"):
        dialed = None
    try:
        attestation, verification = trust(agi)
    except Exception as error:  # noqa: BLE001 - never worth the call's routing
        agi.verbose("callwarden: caller-id trust failed: %r" % (error,), 1)
        attestation = verification = None
    started = time.monotonic()
    decision = client.route(caller, dialed, call, attestation=attestation, verification=verification)
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
