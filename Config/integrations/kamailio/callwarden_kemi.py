"""callwarden for Kamailio (app_python3): ask callwarden where each new call goes.

Loaded by the snippet callwarden.cfg (`modparam("app_python3", "load", ...)`) and called from its
routes with python_exec(). Each Kamailio worker process gets its own persistent connection (made
lazily after the fork), so workers never share a socket.

  callwarden_route      on an initial INVITE: asks callwarden within the budget and sets
                        $xavp(callwarden=>queue|priority|route|rule|reason|fallback) and the header
                        X-Callwarden-Route, and $xavp(callwarden=>waited_us), how long the
                        call waited for the decision (and =>cpu_wait_us, see
                        MEASURE_RUNQUEUE). On any failure: the policy's default queue and
                        `fallback=<reason>` (docs/integrations.md). Always returns 1.
                        With the call goes what the switch knows of the caller id's STIR/SHAKEN
                        verification (trust(), below).
  callwarden_ended      on BYE or CANCEL (argument: who ended it: caller, agent or system): sends
                        call.ended without waiting for the answer; retried later if callwarden
                        could not take it.

Settings come from the custom cfg variables that callwarden.cfg declares (callwarden.socket,
callwarden.budget_ms, callwarden.policy, callwarden.queues, callwarden.verstat), read once per
worker.
"""

import logging
import os
import sys
import time

import KSR

# The client ships beside this directory (Config/integrations/python, or installed as
# /usr/share/callwarden/integrations/python); CALLWARDEN_CLIENT_DIR overrides.
_HERE = os.path.dirname(os.path.abspath(__file__))
for _candidate in (os.environ.get("CALLWARDEN_CLIENT_DIR"), os.path.join(_HERE, "..", "python")):
    if _candidate and os.path.isfile(os.path.join(_candidate, "callwarden_client.py")):
        sys.path.insert(0, os.path.abspath(_candidate))
        break

import callwarden_client  # noqa: E402

HEADER = "X-Callwarden-Route"
ENDED_BY = ("caller", "agent", "system")


def _log(level, message):
    line = message + "\n"
    if level >= logging.ERROR:
        KSR.err(line)
    elif level >= logging.WARNING:
        KSR.warn(line)
    else:
        KSR.info(line)


# CALLWARDEN_MEASURE_RUNQUEUE=1 in Kamailio's environment: also record, per call, how long the
# worker waited for a CPU during the query ($xavp(callwarden=>cpu_wait_us)), to tell a starved
# machine from a slow callwarden. Off by default: it reads /proc twice per call.
MEASURE_RUNQUEUE = os.environ.get("CALLWARDEN_MEASURE_RUNQUEUE") == "1"


def _runqueue_wait():
    """Nanoseconds this process has spent runnable but waiting for a CPU (/proc/self/schedstat)."""
    try:
        with open("/proc/self/schedstat") as handle:
            return int(handle.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0


def _setting(name):
    return KSR.pv.get("$sel(cfg_get.callwarden.%s)" % name)


def mod_init():
    return CallwardenKamailio()


class CallwardenKamailio:
    def __init__(self):
        self.client = None
        self.read_verstat = True

    def child_init(self, rank):
        return 0

    def trust(self, caller_uri):
        """(attestation, verification) for call.offered, from the first of:
        1. $avp(callwarden_verstat): set by callwarden.cfg from Kamailio's stirshaken module
           (CALLWARDEN_STIRSHAKEN), or by your own cfg from any other check, as a verstat word;
           $avp(callwarden_attestation) may give the level. When it says the check passed and no
           level is given, the level is the `attest` claim of the Identity header the module
           verified.
        2. the verstat parameter of the URI the caller id comes from (P-Asserted-Identity, else
           From), put there by the carrier's verification service (RFC 8224, TS 24.229), unless
           callwarden.verstat is 0. It is trusted exactly as far as the caller id beside it.
        Values that are not callwarden's words are dropped and logged once by the client."""
        verdict = KSR.pv.get("$avp(callwarden_verstat)")
        if verdict:
            attestation, verification = callwarden_client.trust_from_verstat(verdict)
            explicit = KSR.pv.get("$avp(callwarden_attestation)")
            if explicit:
                attestation = explicit
            elif attestation is None and verification == callwarden_client.VERIFICATION_PASSED:
                attestation = callwarden_client.passport_attestation(KSR.pv.get("$hdr(Identity)"))
            return attestation, verification
        if self.read_verstat:
            return callwarden_client.trust_from_verstat(callwarden_client.verstat_of(caller_uri))
        return None, None

    def _client(self):
        if self.client is None:
            budget_ms = _setting("budget_ms")
            budget = budget_ms / 1000.0 if isinstance(budget_ms, int) and 1 <= budget_ms <= 10000 else 0.2
            policy = _setting("policy") or ""
            queues = [q for q in (_setting("queues") or "").split(",") if q.strip()]
            self.client = callwarden_client.Client(
                _setting("socket") or callwarden_client.DEFAULT_SOCKET,
                budget=budget,
                fallback=callwarden_client.fallback_from_policy(policy) if policy else None,
                queues=[q.strip() for q in queues] or None,
                log=_log)
            self.read_verstat = _setting("verstat") != 0
        return self.client

    def callwarden_route(self, msg):
        try:
            caller = KSR.pv.get("$ai") or KSR.pv.get("$fu") or ""
            client, dialed, call_id = self._client(), KSR.pv.get("$rU"), KSR.pv.get("$ci")
            try:
                attestation, verification = self.trust(caller)
            except Exception as error:  # noqa: BLE001 - never worth the call's routing
                _log(logging.ERROR, "callwarden caller-id trust failed: %r" % (error,))
                attestation = verification = None
            queued_before = _runqueue_wait() if MEASURE_RUNQUEUE else None
            started = time.monotonic()
            route = client.route(caller, dialed, call_id, attestation=attestation, verification=verification)
            waited_us = int((time.monotonic() - started) * 1e6)
            self._set("queue", route.queue)
            self._set("priority", route.priority)
            self._set("route", route.route)
            self._set("rule", route.rule)
            self._set("reason", route.reason)
            self._set("fallback", route.fallback or "")
            # How long this call waited for its decision, for the log line and for anyone who
            # wants to check that no call waits longer than the budget.
            self._set("waited_us", waited_us)
            if queued_before is not None:
                # How much of that wait this worker was ready to run but had no CPU (a busy
                # machine, not callwarden): Linux's per-task run-queue time.
                self._set("cpu_wait_us", max(0, (_runqueue_wait() - queued_before) // 1000))
            KSR.hdr.append("%s: %s\r\n" % (HEADER, route.header()))
        except Exception as error:  # noqa: BLE001 - the call goes on without us: the cfg routes
            # an INVITE without $xavp(callwarden=>queue) to the default queue.
            _log(logging.ERROR, "callwarden route handler failed: %r" % (error,))
        return 1

    def callwarden_ended(self, msg, by="system"):
        try:
            call_id = KSR.pv.get("$ci")
            if call_id:
                self._client().notify("call.ended", call=call_id, by=by if by in ENDED_BY else "system")
        except Exception as error:  # noqa: BLE001
            _log(logging.ERROR, "callwarden call.ended handler failed: %r" % (error,))
        return 1

    @staticmethod
    def _set(name, value):
        # The first field creates the xavp; the others go into that same one ([0]): without the
        # index each assignment would stack a new xavp holding only its own field.
        target = "$xavp(callwarden=>%s)" % name if name == "queue" else "$xavp(callwarden[0]=>%s)" % name
        if isinstance(value, int):
            KSR.pv.seti(target, value)
        else:
            KSR.pv.sets(target, value)
