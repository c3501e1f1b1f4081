"""callwarden_client: a small client for callwarden's event protocol, version 1, for switches.

Standard library only, so that it drops into Kamailio's app_python3, an Asterisk AGI script or any
other Python a switch runs. Its one promise to the switch: it never raises and never makes a call
wait longer than its time budget. When callwarden is slow, restarting, down, or answers an error,
`route()` returns the policy's default queue at once, with the reason (docs/integrations.md).

    client = Client("/run/callwarden/callwarden.sock", budget=0.2)
    route = client.route(caller="+447700900123", dialed="0800123456", call_id="a84b4c76e66710")
    route.queue, route.priority, route.header()   # 'supervisor', 5, 'supervisor;queue=...;rule=abusive'
    client.notify("call.ended", call="a84b4c76e66710", by="caller")

A Client is used by one thread (or process) at a time: Kamailio workers are processes, and the
FastAGI service keeps a pool. It opens its connections lazily and again after a fork, so a Client
made before the switch forks its workers is safe to use in each of them.

Two connections are kept: one for routing questions, answered from callwarden's memory, and one
for events that are written to the record. Answers come back in request order per connection, so
keeping them apart means a call never waits behind another call's durable write.
"""

import base64
import json
import logging
import os
import re
import select
import socket
import time

__all__ = ["Client", "Route", "Answer", "Fallback", "fallback_from_policy", "DEFAULT_SOCKET", "ATTESTATIONS",
           "VERIFICATIONS", "verstat_of", "trust_from_verstat", "passport_attestation"]

DEFAULT_SOCKET = "/run/callwarden/callwarden.sock"

ROUTES = ("normal", "supervisor", "nuisance")

# A queue name goes into the switch's dialplan (Queue(), $du, a bridge string): only characters that
# cannot split an argument list or a header are accepted, so a policy can never inject options.
QUEUE_NAME = re.compile(r"\A[A-Za-z0-9_.@+-]{1,128}\Z")
# Characters kept as they are in a header parameter (RFC 3261 token); others become "_".
HEADER_TOKEN_UNSAFE = re.compile(r"[^A-Za-z0-9\-.!%*_+`'~]")
PRIORITY_RANGE = (0, 1_000_000)

# Why a route fell back to the default queue; each also names the `fallback=` header parameter.
FALLBACK_REASONS = {
    "down": "callwarden cannot be reached",
    "timeout": "callwarden did not answer within the time budget",
    "disconnected": "callwarden closed the connection before answering",
    "invalid_answer": "callwarden's answer could not be used",
    "unknown_queue": "callwarden named a queue this switch does not have",
    "client_error": "the callwarden client failed",
}
ERROR_CODES = ("bad_request", "unknown_type", "unknown_call", "unknown_kind", "forbidden",
               "too_long", "unavailable", "internal")

# Caller-id trust (docs/integrations.md): the only words callwarden accepts on call.offered. A value
# outside them would make callwarden refuse the whole call (bad_request), so it is dropped instead.
ATTESTATIONS = ("A", "B", "C")
VERIFICATION_PASSED, VERIFICATION_FAILED, NO_VERIFICATION = (
    "TN-Validation-Passed", "TN-Validation-Failed", "No-TN-Validation")
VERIFICATIONS = (VERIFICATION_PASSED, VERIFICATION_FAILED, NO_VERIFICATION)
# An Identity header longer than this is not read for its attestation (a real one is under 1 KiB).
MAX_IDENTITY = 8192

# Events that may be sent again when the connection broke before their answer: a second
# call.ended for a call already ended is answered unknown_call and changes nothing. Reports that
# create incidents are never resent blindly: a duplicate would be a second incident.
RESEND_WHEN_UNANSWERED = frozenset(["call.ended"])
MAX_LINE = 4 * 1024 * 1024


class Fallback:
    """Where calls go when callwarden cannot decide: the policy's last (default) rule."""

    __slots__ = ("route", "queue", "priority")

    def __init__(self, queue="support", priority=5, route="normal"):
        self.queue, self.priority, self.route = queue, priority, route

    def __repr__(self):
        return "Fallback(queue=%r, priority=%r, route=%r)" % (self.queue, self.priority, self.route)


class Route:
    """A routing decision: callwarden's answer, or the fallback with its reason."""

    __slots__ = ("route", "queue", "priority", "rule", "reason", "fallback", "score", "incidents")

    def __init__(self, route, queue, priority, rule, reason, fallback=None, score=0.0, incidents=0):
        self.route, self.queue, self.priority = route, queue, priority
        self.rule, self.reason, self.fallback = rule, reason, fallback
        self.score, self.incidents = score, incidents

    def header(self):
        """The value for an `X-Callwarden-Route` header: `supervisor;queue=supervisor;priority=5;
        rule=abusive`, or `normal;queue=support;priority=5;fallback=timeout`."""
        parts = [self.route, "queue=" + _token(self.queue), "priority=%d" % self.priority]
        if self.fallback:
            parts.append("fallback=" + _token(self.fallback))
        else:
            parts.append("rule=" + _token(self.rule))
        return ";".join(parts)

    def __repr__(self):
        return "Route(%s)" % self.header()


class Answer:
    """The outcome of a request: `ok` with the answer's fields in `data`, or not `ok` with `code`
    (callwarden's error code, or a fallback reason when no answer came) and `message`."""

    __slots__ = ("ok", "data", "code", "message")

    def __init__(self, ok, data=None, code=None, message=""):
        self.ok, self.data, self.code, self.message = ok, data or {}, code, message

    def __repr__(self):
        return "Answer(ok=%r, code=%r, data=%r)" % (self.ok, self.code, self.data)


def _token(text):
    text = HEADER_TOKEN_UNSAFE.sub("_", str(text))[:128]
    return text or "_"


def _whole(value, low, high):
    """A whole number from an answer, or None: bool is not a number, and the range is checked."""
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        return None
    return value


def _default_log(level, message):
    logging.getLogger("callwarden").log(level, message)


class _Channel:
    """One connection to callwarden: connects on demand (again after a fork), numbers requests,
    reads answers in order and hands each to whoever waits for its id. After a failure it waits
    out a backoff before connecting again, so a daemon that is down or stalled costs one timeout
    per backoff, not one per call."""

    def __init__(self, path, name, log, backoff_initial, backoff_max, on_answer, on_lost):
        self.path, self.name, self.log = path, name, log
        self.backoff_initial, self.backoff_max = backoff_initial, backoff_max
        self.on_answer, self.on_lost = on_answer, on_lost
        self.sock, self.pid, self.buffer = None, None, bytearray()
        self.next_id = 1
        self.in_flight = set()
        self.backoff, self.retry_at, self.failure = 0.0, 0.0, None
        self.failures_since_up = 0

    def usable(self, now):
        if self.sock is not None and self.pid != os.getpid():
            # Inherited across a fork: the parent keeps using this connection; closing our copy of
            # the descriptor leaves it open there. Start a connection of our own.
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock, self.buffer, self.in_flight = None, bytearray(), set()
        return self.sock is not None or now >= self.retry_at

    def connected(self):
        return self.sock is not None and self.pid == os.getpid()

    def _connect(self, deadline):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            sock.settimeout(max(deadline - time.monotonic(), 0.001))
            sock.connect(self.path)
        except OSError as error:
            sock.close()
            self.fail("down", "connect %s: %s" % (self.path, error))
            return False
        self.sock, self.pid, self.buffer, self.in_flight = sock, os.getpid(), bytearray(), set()
        return True

    def fail(self, reason, detail):
        """Drop the connection and start (or lengthen) the backoff. Logged when the state changes,
        not per call: a daemon that is down for a minute at 500 calls/s is one line, not 30,000."""
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
        lost, self.sock, self.buffer, self.in_flight = self.in_flight, None, bytearray(), set()
        if self.failure is None:
            self.log(logging.WARNING, "callwarden %s connection: %s (%s); calls fall back until it answers"
                     % (self.name, reason, detail))
        self.failure = reason
        self.failures_since_up += 1
        self.backoff = min(self.backoff_max, self.backoff * 2 if self.backoff else self.backoff_initial)
        self.retry_at = time.monotonic() + self.backoff
        if lost:
            self.on_lost(lost)

    def _succeeded(self):
        if self.failure is not None:
            self.log(logging.INFO, "callwarden %s connection answers again (after %d failed attempts)"
                     % (self.name, self.failures_since_up))
        self.failure, self.backoff, self.failures_since_up = None, 0.0, 0

    def send(self, message, deadline):
        """Sends one request; returns its id, or None when it could not be sent (the failure
        reason is then in self.failure)."""
        if not self.usable(time.monotonic()):
            return None
        if self.sock is not None and not self.in_flight and self._closed_by_peer():
            # callwarden closed this idle connection (it restarted): connect again at once
            # rather than fail this call on a dead socket.
            self.close()
        if self.sock is None and not self._connect(deadline):
            return None
        request_id = self.next_id
        self.next_id += 1
        message["id"] = request_id
        line = json.dumps(message, separators=(",", ":")).encode("utf-8") + b"\n"
        try:
            self.sock.settimeout(max(deadline - time.monotonic(), 0.001))
            self.sock.sendall(line)
        except socket.timeout:
            self.fail("timeout", "sending took longer than the budget")
            return None
        except OSError as error:
            self.fail("disconnected", "send: %s" % error)
            return None
        self.in_flight.add(request_id)
        return request_id

    def _closed_by_peer(self):
        """True when an idle connection has been closed by callwarden (one poll, no waiting)."""
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
            if not readable:
                return False
            return self.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b""
        except (OSError, ValueError):
            return True

    def wait(self, request_id, deadline):
        """Reads answers until the one for request_id; returns it, or None (self.failure says why)."""
        while self.connected() and request_id in self.in_flight:
            answer = self._next_answer(deadline)
            if answer is None:
                return None
            answer_id = answer.get("id")
            self.in_flight.discard(answer_id)
            self._succeeded()
            if answer_id == request_id:
                return answer
            self.on_answer(answer_id, answer)
        return None

    def poll(self):
        """Handles every answer already waiting, without blocking."""
        while self.connected() and self.in_flight:
            answer = self._next_answer(None)
            if answer is None:
                return
            self.in_flight.discard(answer.get("id"))
            self._succeeded()
            self.on_answer(answer.get("id"), answer)

    def _next_answer(self, deadline):
        """One answer line as a dict; None when none is ready (deadline None: don't wait) or the
        connection failed. Lines that are not an answer to one of our ids are skipped."""
        while True:
            newline = self.buffer.find(b"\n")
            if newline >= 0:
                line = bytes(self.buffer[:newline])
                del self.buffer[:newline + 1]
                try:
                    answer = json.loads(line)
                except ValueError:
                    self.fail("invalid_answer", "an answer that is not JSON")
                    return None
                if isinstance(answer, dict) and _whole(answer.get("id"), 1, self.next_id) in self.in_flight:
                    return answer
                continue
            if len(self.buffer) > MAX_LINE:
                self.fail("invalid_answer", "an answer line over %d bytes" % MAX_LINE)
                return None
            try:
                if deadline is None:
                    self.sock.settimeout(0.0)
                else:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise socket.timeout()
                    self.sock.settimeout(remaining)
                chunk = self.sock.recv(65536)
            except (socket.timeout, BlockingIOError):
                if deadline is None:
                    return None
                self.fail("timeout", "no answer within the budget")
                return None
            except OSError as error:
                self.fail("disconnected", "receive: %s" % error)
                return None
            if not chunk:
                self.fail("disconnected", "callwarden closed the connection")
                return None
            self.buffer += chunk

    def close(self):
        if self.sock is not None and self.pid == os.getpid():
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock, self.in_flight = None, set()


class _Event:
    __slots__ = ("message", "queued_at", "attempts", "next_try", "sent_at")

    def __init__(self, message, now):
        self.message, self.queued_at, self.attempts, self.next_try = message, now, 0, now
        self.sent_at = now


class Client:
    """callwarden for a switch. Every public method catches everything: a switch's call path must
    never see an exception from here.

    socket_path      callwarden's socket
    budget           seconds route() may take in all (connect, send, answer); default 0.2
    fallback         where calls go when callwarden cannot decide (the policy's default rule);
                     see fallback_from_policy()
    queues           optional: the queues this switch has; an answer naming another falls back
    request_budget   seconds request() may take (agents' reports wait for a durable write); 2
    backoff          (first, longest) wait in seconds before connecting again after a failure
    event_retry_for  seconds an event refused as `unavailable` is retried; 300
    max_events       events kept for retry at most; beyond that the oldest is dropped and logged
    log              log(level, message), levels from the logging module; default: logging
    """

    def __init__(self, socket_path=DEFAULT_SOCKET, budget=0.2, fallback=None, queues=None,
                 request_budget=2.0, backoff=(0.05, 1.0), event_retry_for=300.0, max_events=1024,
                 log=None):
        self.budget = float(budget)
        self.request_budget = float(request_budget)
        self.fallback = fallback or Fallback()
        self.queues = frozenset(queues) if queues else None
        self.event_retry_for = float(event_retry_for)
        self.max_events = int(max_events)
        self.log = log or _default_log
        self.stats = {"routed": 0, "fallbacks": {}, "events_sent": 0, "events_acknowledged": 0,
                      "events_retried": 0, "events_dropped": 0, "trust_dropped": 0}
        self._trust_logged = set()  # fields whose unusable value has been logged once
        self._events = {}      # id on the event connection -> _Event awaiting its answer
        self._retry = []       # _Event waiting to be sent (again)
        self._pid = os.getpid()
        self._query = _Channel(socket_path, "routing", self._log_safely, backoff[0], backoff[1],
                               self._stray_answer, lambda ids: None)
        self._writes = _Channel(socket_path, "event", self._log_safely, backoff[0], backoff[1],
                                self._event_answer, self._events_lost)

    # Routing ---------------------------------------------------------------------------------

    def route(self, caller, dialed=None, call_id=None, attestation=None, verification=None):
        """Where a new call goes. Always returns a Route within the budget; never raises.

        attestation   the STIR/SHAKEN attestation of the caller id: "A", "B" or "C"
        verification  the switch's verification, in the SIP verstat words: "TN-Validation-Passed",
                      "TN-Validation-Failed" or "No-TN-Validation"
        Both are optional and must be exactly those words: any other value is not sent (the call
        is still routed) and is logged once per client, and counted in stats["trust_dropped"]."""
        started = time.monotonic()
        try:
            self._pump_events()
            message = {"type": "call.offered", "call": _text(call_id) or "-", "caller": _text(caller)}
            if dialed:
                message["dialed"] = _text(dialed)
            attestation = self._trust_word("attestation", attestation, ATTESTATIONS)
            if attestation:
                message["attestation"] = attestation
            verification = self._trust_word("verification", verification, VERIFICATIONS)
            if verification:
                message["verification"] = verification
            deadline = started + self.budget
            answer = self._ask(self._query, message, deadline)
            if answer is None:
                return self._fall_back(self._query.failure or "client_error")
            if answer.get("ok") is not True:
                return self._fall_back(_error_code(answer))
            route = self._read_route(answer)
            if route is None:
                return self._fall_back("invalid_answer")
            if self.queues is not None and route.queue not in self.queues:
                return self._fall_back("unknown_queue")
            self.stats["routed"] += 1
            return route
        except Exception as error:  # noqa: BLE001 - the switch must never see it
            self._log_safely(logging.ERROR, "callwarden route failed: %r" % (error,))
            return self._fall_back("client_error")

    def _trust_word(self, field, value, allowed):
        """value when it is exactly one of the allowed words; otherwise None, logged the first
        time a field carries an unusable value (a switch sends the same bad value on every call,
        so once is enough to tell the operator)."""
        if value is None or value == "":
            return None
        if isinstance(value, str) and value in allowed:
            return value
        self.stats["trust_dropped"] += 1
        if field not in self._trust_logged:
            self._trust_logged.add(field)
            self._log_safely(logging.WARNING, "callwarden: the switch gave %s %s, not one of %s; calls are "
                             "routed without it (logged once)" % (field, repr(value)[:80], ", ".join(allowed)))
        return None

    def _read_route(self, answer):
        route, queue = answer.get("route"), answer.get("queue")
        priority = _whole(answer.get("priority"), *PRIORITY_RANGE)
        rule, reason = answer.get("rule"), answer.get("reason")
        if route not in ROUTES or not isinstance(queue, str) or not QUEUE_NAME.match(queue):
            return None
        if priority is None or not isinstance(rule, str) or not isinstance(reason, str):
            return None
        standing = answer.get("standing")
        score, incidents = 0.0, 0
        if isinstance(standing, dict):
            raw_score = standing.get("score")
            if isinstance(raw_score, (int, float)) and not isinstance(raw_score, bool):
                score = float(raw_score)
            incidents = _whole(standing.get("incidents"), 0, 2 ** 53) or 0
        return Route(route, queue, priority, rule[:256], reason[:4096], None, score, incidents)

    def _fall_back(self, reason):
        counts = self.stats["fallbacks"]
        counts[reason] = counts.get(reason, 0) + 1
        text = FALLBACK_REASONS.get(reason) or "callwarden answered %s" % reason
        return Route(self.fallback.route, self.fallback.queue, self.fallback.priority, "fallback",
                     text + "; routed to the default queue.", fallback=reason)

    # Requests that need their answer (agents' reports) ----------------------------------------

    def request(self, type, budget=None, **fields):
        """Sends one request and returns its Answer within `budget` seconds (request_budget by
        default). An `unavailable` answer (nothing was recorded) is retried while the budget
        lasts. Never raises."""
        try:
            deadline = time.monotonic() + (self.request_budget if budget is None else float(budget))
            self._pump_events()
            pause = 0.05
            while True:
                message = dict(fields, type=type)
                answer = self._ask(self._writes, message, deadline)
                if answer is None:
                    reason = self._writes.failure or "client_error"
                    return Answer(False, code=reason, message=FALLBACK_REASONS.get(reason, reason))
                if answer.get("ok") is True:
                    answer.pop("id", None)
                    answer.pop("ok", None)
                    return Answer(True, answer)
                code = _error_code(answer)
                if code != "unavailable" or time.monotonic() + pause >= deadline:
                    return Answer(False, code=code, message=_error_message(answer))
                time.sleep(pause)
                pause = min(pause * 2, 0.5)
        except Exception as error:  # noqa: BLE001
            self._log_safely(logging.ERROR, "callwarden request failed: %r" % (error,))
            return Answer(False, code="client_error", message=FALLBACK_REASONS["client_error"])

    # Events the switch does not wait for ------------------------------------------------------

    def notify(self, type, **fields):
        """Queues an event (call.ended, ...) and sends it without waiting for its answer. It is
        dated now (`at`), so a retry still says when it happened; an `unavailable` answer or a
        broken connection before a call.ended's answer sends it again later. Never raises."""
        try:
            message = dict(fields, type=type)
            message.setdefault("at", round(time.time(), 3))
            self._retry.append(_Event(message, time.monotonic()))
            self._bound_events()
            self._pump_events()
        except Exception as error:  # noqa: BLE001
            self._log_safely(logging.ERROR, "callwarden notify failed: %r" % (error,))

    def flush(self, timeout=1.0):
        """Waits up to `timeout` seconds for queued events to be answered; returns how many remain.
        For short-lived callers (one AGI process per call) before they exit."""
        try:
            deadline = time.monotonic() + float(timeout)
            while self._retry or self._events:
                self._pump_events()
                if not self._events:
                    if not self._retry or time.monotonic() >= deadline:
                        break
                    time.sleep(min(0.02, max(deadline - time.monotonic(), 0)))
                    continue
                waiting_for = min(self._events)
                answer = self._writes.wait(waiting_for, deadline)
                if answer is not None:
                    self._event_answer(waiting_for, answer)
                if time.monotonic() >= deadline:
                    break
            return len(self._retry) + len(self._events)
        except Exception as error:  # noqa: BLE001
            self._log_safely(logging.ERROR, "callwarden flush failed: %r" % (error,))
            return len(self._retry) + len(self._events)

    def close(self):
        try:
            self._query.close()
            self._writes.close()
        except Exception:  # noqa: BLE001
            pass

    # Internals ------------------------------------------------------------------------------

    def _ask(self, channel, message, deadline):
        request_id = channel.send(message, deadline)
        if request_id is None:
            return None
        return channel.wait(request_id, deadline)

    def _pump_events(self):
        """Sends due events and reads any answers already there. Costs one non-blocking read
        when events are outstanding, nothing otherwise."""
        if self._pid != os.getpid():
            # A forked child: the events queued before the fork are the parent's to deliver.
            self._pid, self._events, self._retry = os.getpid(), {}, []
        now = time.monotonic()
        if self._events:
            self._writes.poll()
            oldest = min(self._events) if self._events else None
            if oldest is not None and now - self._events[oldest].sent_at > self.request_budget * 5:
                # Sent long ago and still unanswered: callwarden is stalled. Reconnecting hands the
                # unanswered events back for a retry (or a log line), instead of waiting for ever.
                self._writes.fail("timeout", "an event unanswered for %.1fs" % (now - self._events[oldest].sent_at))
        if not self._retry:
            return
        # Taken out first: a failed send below hands lost events back to self._retry.
        pending, self._retry = self._retry, []
        keep = []
        for index, event in enumerate(pending):
            if now - event.queued_at > self.event_retry_for:
                self._drop(event, "not accepted within %ds" % self.event_retry_for)
                continue
            if event.next_try > now:
                keep.append(event)
                continue
            # A short send deadline: the socket buffer takes a line at once unless callwarden is
            # stalled, and then the switch must not wait.
            request_id = self._writes.send(dict(event.message), now + 0.01)
            if request_id is None:
                keep.extend(pending[index:])
                break
            event.attempts += 1
            event.sent_at = now
            self.stats["events_sent"] += 1
            self._events[request_id] = event
        self._retry = keep + self._retry

    def _event_answer(self, request_id, answer):
        event = self._events.pop(request_id, None)
        if event is None:
            return
        if answer.get("ok") is True:
            self.stats["events_acknowledged"] += 1
            return
        code = _error_code(answer)
        if code == "unavailable":
            self._again(event)
        elif code == "unknown_call" and event.message.get("type") == "call.ended":
            # The call was already ended (an earlier try landed) or callwarden restarted since.
            self.stats["events_acknowledged"] += 1
        else:
            self._drop(event, "refused: %s: %s" % (code, _error_message(answer)))

    def _events_lost(self, request_ids):
        for request_id in sorted(request_ids):
            event = self._events.pop(request_id, None)
            if event is None:
                continue
            if event.message.get("type") in RESEND_WHEN_UNANSWERED:
                self._again(event)
            else:
                self._drop(event, "connection lost before its answer; it may or may not be recorded")

    def _again(self, event):
        self.stats["events_retried"] += 1
        event.next_try = time.monotonic() + min(5.0, 0.1 * (2 ** min(event.attempts, 6)))
        self._retry.append(event)
        self._bound_events()

    def _bound_events(self):
        while len(self._retry) + len(self._events) > self.max_events and self._retry:
            self._drop(self._retry.pop(0), "more than %d events waiting" % self.max_events)

    def _drop(self, event, why):
        self.stats["events_dropped"] += 1
        message = event.message
        self._log_safely(logging.WARNING, "callwarden %s for call %r dropped: %s"
                         % (message.get("type"), message.get("call"), why))

    def _stray_answer(self, request_id, answer):
        pass  # an answer nobody waits for any more; ids are never reused on a connection

    def _log_safely(self, level, message):
        try:
            self.log(level, message)
        except Exception:  # noqa: BLE001
            pass


def _text(value):
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def _error_code(answer):
    error = answer.get("error")
    code = error.get("code") if isinstance(error, dict) else None
    return code if code in ERROR_CODES else "invalid_answer"


def _error_message(answer):
    error = answer.get("error")
    message = error.get("message") if isinstance(error, dict) else None
    return message[:1024] if isinstance(message, str) else ""


def verstat_of(uri):
    """The `verstat` parameter of a SIP or tel URI (RFC 8224, 3GPP TS 24.229), as written, or None.
    Accepts a bare URI (`sip:+447700900123@carrier;user=phone;verstat=TN-Validation-Passed`) or a
    header value with a display name and angle brackets; URI headers after `?` are ignored. Never
    raises: anything unreadable is None."""
    try:
        text = _text(uri)[:2048]
        if "<" in text:
            text = text.split("<", 1)[1].split(">", 1)[0]
        text = text.split("?", 1)[0]
        for parameter in text.split(";")[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "verstat":
                return value.strip()[:64] or None
        return None
    except Exception:  # noqa: BLE001 - a header is outside input: never fail the call over it
        return None


def trust_from_verstat(value):
    """(attestation, verification) from a verstat value. The three words of TS 24.229 give the
    verification alone; the forms many carriers and FreeSWITCH's sip_verstat_detailed use,
    `TN-Validation-Passed-B` and `TN-Validation-Failed-A`, also give the attestation (for a pass
    only: a failed check's claimed level is not worth anything). Any other value is returned as
    the verification unchanged, so that Client.route() drops it and logs it."""
    if not value:
        return None, None
    text = _text(value)[:64]
    if text in VERIFICATIONS:
        return None, text
    head, _, level = text.rpartition("-")
    if level in ATTESTATIONS and head == VERIFICATION_PASSED:
        return level, VERIFICATION_PASSED
    if level in ATTESTATIONS and head == VERIFICATION_FAILED:
        return None, VERIFICATION_FAILED
    return None, text


def passport_attestation(identity):
    """The `attest` claim of the PASSporT in a SIP Identity header (RFC 8224, RFC 8588), as written,
    or None. The signature is NOT checked here: call this only for a header the switch has
    verified (Kamailio's stirshaken module), where the claim is what the signer vouched for.
    Standard library only: the JWS payload is base64url JSON, read by hand."""
    try:
        text = _text(identity)
        if not text or len(text) > MAX_IDENTITY:
            return None
        parts = text.split(";", 1)[0].strip().split(".")
        if len(parts) != 3:
            return None
        payload = parts[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)).decode("utf-8"))
        attest = claims.get("attest") if isinstance(claims, dict) else None
        return attest[:8] if isinstance(attest, str) else None
    except Exception:  # noqa: BLE001 - malformed base64, JSON or UTF-8: no attestation
        return None


def fallback_from_policy(path, default=None):
    """The policy's default rule (its last rule) as a Fallback, read from the policy file, so the
    switch's fallback queue cannot drift from the policy. Only the block form the shipped policy
    uses is understood (a `rules:` list of mappings, `queue:` and `priority:` on their own lines);
    anything else returns `default` (Fallback() when None). A YAML library is not used because the
    client must stay standard-library only."""
    default = default or Fallback()
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except (OSError, UnicodeDecodeError):
        return default
    items, in_rules = [], False
    for line in lines:
        stripped = line.split(" #", 1)[0].rstrip()
        if not stripped.strip() or stripped.lstrip().startswith("#"):
            continue
        if not line.startswith((" ", "-")):
            in_rules = stripped == "rules:"
            continue
        if in_rules:
            body = stripped.lstrip()
            if body.startswith("- "):
                items.append({})
                body = body[2:].lstrip()
            if items and ":" in body:
                key, _, value = body.partition(":")
                items[-1][key.strip()] = value.strip().strip("'\"")
    if not items:
        return default
    last = items[-1]
    queue, route = last.get("queue", ""), last.get("route", "normal")
    priority = last.get("priority", "0")
    if "when" in last or not QUEUE_NAME.match(queue) or route not in ROUTES or not priority.isdigit():
        return default
    number = int(priority[:8])
    if not PRIORITY_RANGE[0] <= number <= PRIORITY_RANGE[1]:
        return default
    return Fallback(queue=queue, priority=number, route=route)
