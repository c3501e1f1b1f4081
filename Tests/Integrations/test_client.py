"""callwarden_client against the real daemon: answers, fallbacks, restarts, stalls, forks.

Run: python3 -m unittest discover -s Tests/Integrations (CALLWARDEND names the binary if it is not
.build/debug/callwardend).

Timing: no test asserts how fast callwarden is. The only times asserted are the client's promise
to the switch, "no call waits longer than the budget": each is checked against the budget plus a
generous margin (MARGIN) so that a busy machine cannot fail it, while a client that waited for an
answer that never comes (the bug it guards against) fails it by far.
"""

import base64
import json
import os
import socket
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon import INTEGRATIONS, SHIPPED_POLICY, Daemon  # noqa: E402

sys.path.insert(0, os.path.join(INTEGRATIONS, "python"))
import callwarden_client as cw  # noqa: E402

BUDGET = 0.2
MARGIN = 1.0


def quiet(level, message):
    pass


def timed(function, *args, **kwargs):
    started = time.monotonic()
    result = function(*args, **kwargs)
    return result, time.monotonic() - started


class AnsweredRoutes(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon().start()
        answer = cls.daemon.ask({"type": "abuse", "caller": "+447700900001", "kind": "verbal"})
        assert answer["ok"], answer
        answer = cls.daemon.ask({"type": "abuse", "caller": "+447700900002", "kind": "nuisance"})
        assert answer["ok"], answer

    @classmethod
    def tearDownClass(cls):
        cls.daemon.close()

    def setUp(self):
        self.client = cw.Client(self.daemon.socket_path, budget=BUDGET, log=quiet)

    def tearDown(self):
        self.client.close()

    def test_caller_without_history_gets_the_default_rule(self):
        route = self.client.route("+447700900999", "0800 123 456", "call-a")
        self.assertIsNone(route.fallback)
        self.assertEqual((route.route, route.queue, route.priority, route.rule), ("normal", "support", 5, "default"))
        self.assertEqual(route.header(), "normal;queue=support;priority=5;rule=default")

    def test_abusive_caller_in_national_form_goes_to_a_supervisor(self):
        route = self.client.route("07700 900001", None, "call-b")
        self.assertEqual((route.route, route.queue, route.rule, route.fallback), ("supervisor", "supervisor", "abusive", None))
        self.assertEqual(route.incidents, 1)

    def test_nuisance_caller_goes_to_the_nuisance_queue(self):
        route = self.client.route("sip:+447700900002@carrier;user=phone", None, "call-c")
        self.assertEqual((route.queue, route.priority, route.rule), ("nuisance", 0, "nuisance"))

    def test_error_answer_falls_back_with_its_code(self):
        # A NUL in the caller is refused by callwarden (bad_request); the call must still be routed.
        route = self.client.route("+44770090\x000001", None, "call-d")
        self.assertEqual((route.queue, route.fallback, route.rule), ("support", "bad_request", "fallback"))
        self.assertIn("fallback=bad_request", route.header())

    def test_abuse_reported_through_request_routes_the_next_call(self):
        answer = self.client.request("abuse", caller="+447700900003", kind="threat", agent="a1")
        self.assertTrue(answer.ok, answer)
        self.assertIsInstance(answer.data["incident"], int)
        self.assertEqual(self.client.route("+447700900003", None, "call-e").queue, "supervisor")

    def test_refused_request_returns_the_error_code_and_message(self):
        answer = self.client.request("abuse", caller="+447700900004", kind="anger")
        self.assertFalse(answer.ok)
        self.assertEqual(answer.code, "unknown_kind")
        self.assertIn("Anger alone is not abuse", answer.message)

    def test_events_pipelined_between_routes_are_each_acknowledged(self):
        for n in range(20):
            self.client.route("+447700901%03d" % n, None, "pipe-%d" % n)
            self.client.notify("call.ended", call="pipe-%d" % n, by="caller", outcome="resolved")
        route = self.client.route("07700 900001", None, "pipe-last")
        self.assertEqual(route.queue, "supervisor")
        self.assertEqual(self.client.flush(10.0), 0)
        self.assertEqual(self.client.stats["events_acknowledged"], 20)
        self.assertEqual(self.client.stats["events_dropped"], 0)
        status = self.daemon.ask({"type": "status"})
        self.assertGreaterEqual(status["requests"]["call.ended"], 20)

    def test_strange_arguments_never_raise(self):
        for caller, dialed, call in [(None, None, None), (b"\xff", 12, 3.5), ("x" * 70000, "y", "z"),
                                     ("\ud800", "\udcff", "\x00"), (object(), [], {})]:
            route = self.client.route(caller, dialed, call)
            self.assertIsInstance(route, cw.Route)
            self.assertIn(route.queue, ("support", "supervisor", "nuisance"))
        self.assertFalse(self.client.request("call.offered", call=object()).ok)

    def test_a_forked_child_routes_on_its_own_connection(self):
        self.assertEqual(self.client.route("07700 900001", None, "fork-parent").queue, "supervisor")
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                route = self.client.route("07700 900001", None, "fork-child")
                os.write(write_end, (route.queue + "|" + str(route.fallback)).encode())
            finally:
                os._exit(0)
        os.close(write_end)
        child_said = os.read(read_end, 200).decode()
        os.close(read_end)
        os.waitpid(pid, 0)
        self.assertEqual(child_said, "supervisor|None")
        self.assertEqual(self.client.route("07700 900001", None, "fork-parent-2").queue, "supervisor")

    def test_a_forked_child_does_not_send_the_parents_queued_events(self):
        self.daemon.pause()
        try:
            self.client.notify("call.ended", call="fork-event", by="caller")
            pid = os.fork()
            if pid == 0:
                code = 0
                try:
                    self.client.route("+447700900998", None, "fork-child-2")
                    code = 0 if self.client.stats["events_sent"] == 1 and not self.client._events else 1
                finally:
                    os._exit(code)
            _, status = os.waitpid(pid, 0)
            self.assertEqual(os.waitstatus_to_exitcode(status), 0)
        finally:
            self.daemon.resume()
        self.assertEqual(self.client.flush(10.0), 0)
        self.assertEqual(self.client.stats["events_acknowledged"], 1)

    def test_an_allowlist_of_queues_refuses_a_queue_the_switch_lacks(self):
        client = cw.Client(self.daemon.socket_path, budget=BUDGET, queues=["support", "nuisance"], log=quiet)
        route = client.route("07700 900001", None, "allow-a")
        client.close()
        self.assertEqual((route.queue, route.fallback), ("support", "unknown_queue"))


class FailOpen(unittest.TestCase):
    def setUp(self):
        self.daemon = Daemon()
        self.logged = []
        self.client = cw.Client(self.daemon.socket_path, budget=BUDGET, backoff=(0.05, 0.2),
                                log=lambda level, message: self.logged.append(message))

    def tearDown(self):
        self.client.close()
        self.daemon.close()

    def test_no_daemon_falls_back_as_down_at_once(self):
        route, took = timed(self.client.route, "07700 900001", None, "down-a")
        self.assertEqual((route.queue, route.priority, route.fallback), ("support", 5, "down"))
        self.assertLess(took, BUDGET + MARGIN)
        self.assertIn("fallback=down", route.header())

    def test_stalled_daemon_costs_at_most_the_budget_then_nothing_during_backoff(self):
        self.daemon.start()
        self.daemon.ask({"type": "abuse", "caller": "+447700900001", "kind": "verbal"})
        self.assertEqual(self.client.route("07700 900001", None, "stall-0").queue, "supervisor")
        self.daemon.pause()
        try:
            route, took = timed(self.client.route, "07700 900001", None, "stall-1")
            self.assertEqual((route.queue, route.fallback), ("support", "timeout"))
            self.assertLess(took, BUDGET + MARGIN)
            # Within the backoff the client does not ask: the next call falls back without waiting.
            route, _ = timed(self.client.route, "07700 900001", None, "stall-2")
            self.assertEqual(route.fallback, "timeout")
            self.assertEqual(self.client.stats["fallbacks"]["timeout"], 2)
        finally:
            self.daemon.resume()
        self.assertEqual(self._first_answered_route("07700 900001").queue, "supervisor")
        self.assertTrue(any("answers again" in line for line in self.logged), self.logged)

    def test_restart_mid_stream_every_call_is_routed_within_budget(self):
        self.daemon.start()
        self.daemon.ask({"type": "abuse", "caller": "+447700900001", "kind": "verbal"})
        results = []
        stop = threading.Event()

        def stream():
            n = 0
            while not stop.is_set():
                route, took = timed(self.client.route, "07700 900001", None, "restart-%d" % n)
                results.append((route, took))
                n += 1
                time.sleep(0.001)

        worker = threading.Thread(target=stream)
        worker.start()
        try:
            self._wait_for(lambda: sum(1 for r, _ in results if r.fallback is None) >= 50)
            self.daemon.stop()
            self._wait_for(lambda: any(r.fallback for r, _ in results))
            self.daemon.start()
            answered_before = sum(1 for r, _ in results if r.fallback is None)
            self._wait_for(lambda: sum(1 for r, _ in results if r.fallback is None) >= answered_before + 50)
        finally:
            stop.set()
            worker.join()
        fallbacks = [r for r, _ in results if r.fallback]
        self.assertTrue(fallbacks)
        for route, took in results:
            self.assertLess(took, BUDGET + MARGIN)
            if route.fallback is None:
                self.assertEqual(route.queue, "supervisor")
            else:
                self.assertIn(route.fallback, ("down", "disconnected", "timeout"))
                self.assertEqual(route.queue, "support")

    def test_sigkill_mid_stream_then_restart_answers_from_the_record(self):
        self.daemon.start()
        self.daemon.ask({"type": "abuse", "caller": "+447700900005", "kind": "nuisance"})
        self.assertEqual(self.client.route("07700 900005", None, "kill-0").queue, "nuisance")
        self.daemon.kill()
        route = self.client.route("07700 900005", None, "kill-1")
        self.assertEqual(route.queue, "support")
        self.assertIn(route.fallback, ("down", "disconnected"))
        self.daemon.start()
        self.assertEqual(self._first_answered_route("07700 900005").queue, "nuisance")

    def test_call_ended_sent_while_down_is_delivered_after_the_restart(self):
        self.daemon.start()
        self.client.route("+447700900010", None, "ended-a")
        self.daemon.stop()
        self.client.notify("call.ended", call="ended-a", by="caller")
        self.daemon.start()
        self.assertEqual(self._flush_until_empty(), 0)
        self.assertEqual(self.client.stats["events_dropped"], 0)
        status = self.daemon.ask({"type": "status"})
        self.assertEqual(status["requests"].get("call.ended"), 1)

    def test_call_ended_unanswered_when_the_daemon_dies_is_sent_again(self):
        self.daemon.start()
        self.client.route("+447700900011", None, "ended-b")
        self.daemon.pause()
        self.client.notify("call.ended", call="ended-b", by="agent")
        self.assertEqual(self.client.stats["events_sent"], 1)
        self.daemon.kill()  # while stopped: it never reads the line
        self.daemon.start()
        self.assertEqual(self._flush_until_empty(), 0)
        self.assertEqual(self.client.stats["events_sent"], 2)
        self.assertEqual(self.client.stats["events_dropped"], 0)

    def test_abuse_unanswered_when_the_daemon_dies_is_not_sent_again(self):
        # A resend could record a second incident: the client logs that the outcome is unknown.
        self.daemon.start()
        self.daemon.pause()
        self.client.notify("abuse", caller="+447700900012", kind="verbal")
        self.assertEqual(self.client.stats["events_sent"], 1)
        self.daemon.kill()  # while stopped: it never reads the line
        self.daemon.start()
        self.assertEqual(self._flush_until_empty(), 0)
        self.assertEqual((self.client.stats["events_sent"], self.client.stats["events_dropped"]), (1, 1))
        self.assertTrue(any("may or may not be recorded" in line for line in self.logged), self.logged)
        history = self.daemon.ask({"type": "history", "caller": "+447700900012"})
        self.assertEqual(history["incidents"], [])

    def test_request_while_down_returns_down_within_its_budget(self):
        answer, took = timed(self.client.request, "warning", budget=0.3, call="x")
        self.assertFalse(answer.ok)
        self.assertEqual(answer.code, "down")
        self.assertLess(took, 0.3 + MARGIN)

    def _first_answered_route(self, caller):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            route = self.client.route(caller, None, "again-%f" % time.monotonic())
            if route.fallback is None:
                return route
            time.sleep(0.02)
        self.fail("callwarden never answered again")

    def _flush_until_empty(self):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.client.flush(1.0) == 0:
                return 0
        return self.client.flush(0)

    def _wait_for(self, condition, timeout=30):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.01)
        self.fail("condition not met within %ss" % timeout)


class HostileAnswers(unittest.TestCase):
    """A peer on callwarden's socket path that answers badly (a wrong program listening there, a
    damaged answer): the client falls back and never raises. Not a stand-in for callwarden; the
    lines are what the client must survive."""

    def serve(self, answer_for):
        directory = tempfile.mkdtemp(prefix="cw-hostile-")
        path = os.path.join(directory, "hostile.sock")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(4)

        def run():
            connection, _ = server.accept()
            with connection:
                data = b""
                while True:
                    chunk = connection.recv(65536)
                    if not chunk:
                        return
                    data += chunk
                    while b"\n" in data:
                        line, data = data.split(b"\n", 1)
                        request_id = json.loads(line)["id"]
                        reply = answer_for(request_id)
                        if reply is None:
                            return
                        connection.sendall(reply)

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        self.addCleanup(server.close)
        return path

    def route_with(self, answer_for):
        client = cw.Client(self.serve(answer_for), budget=BUDGET, log=quiet)
        route, took = timed(client.route, "+447700900001", None, "hostile")
        client.close()
        self.assertLess(took, BUDGET + MARGIN)
        return route

    def answer(self, **fields):
        def make(request_id):
            body = {"id": request_id, "ok": True, "route": "supervisor", "queue": "supervisor",
                    "priority": 5, "rule": "r", "reason": "x"}
            body.update(fields)
            return json.dumps(body).encode() + b"\n"
        return make

    def test_a_queue_that_could_inject_dialplan_options_is_refused(self):
        route = self.route_with(self.answer(queue="support,,,,,60"))
        self.assertEqual((route.queue, route.fallback), ("support", "invalid_answer"))

    def test_priority_out_of_range_or_not_whole_is_refused(self):
        for priority in (10 ** 30, -1, 2.5, True, "5"):
            route = self.route_with(self.answer(priority=priority))
            self.assertEqual(route.fallback, "invalid_answer", priority)

    def test_unknown_route_is_refused(self):
        self.assertEqual(self.route_with(self.answer(route="voicemail")).fallback, "invalid_answer")

    def test_a_line_that_is_not_json_is_refused(self):
        self.assertEqual(self.route_with(lambda rid: b"\x00\xffnot json\n").fallback, "invalid_answer")

    def test_an_answer_for_another_id_is_skipped_then_the_budget_ends(self):
        route = self.route_with(lambda rid: b'{"id":999999,"ok":true}\n{"id":"1","ok":true}\n')
        self.assertEqual(route.fallback, "timeout")

    def test_an_unknown_error_code_is_reported_as_invalid_answer(self):
        route = self.route_with(lambda rid: json.dumps({"id": rid, "ok": False, "error": {"code": "x\r\nVia: evil"}}).encode() + b"\n")
        self.assertEqual(route.fallback, "invalid_answer")

    def test_closing_without_an_answer_is_disconnected(self):
        self.assertEqual(self.route_with(lambda rid: None).fallback, "disconnected")

    def test_rule_names_are_made_safe_for_a_header(self):
        route = self.route_with(self.answer(rule="a b;c\r\nX-Evil: 1"))
        self.assertIsNone(route.fallback)
        self.assertEqual(route.header(), "supervisor;queue=supervisor;priority=5;rule=a_b_c__X-Evil__1")


def passport(claims, header=None):
    """A SIP Identity header value carrying a PASSporT with these claims. The signature is junk:
    passport_attestation reads only what a verifier (the switch) has already checked."""
    def part(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    token = ".".join([part(header or {"alg": "ES256", "ppt": "shaken", "typ": "passport"}), part(claims), "c2ln"])
    return token + ";info=<https://cert.example/sp.pem>;alg=ES256;ppt=shaken"


class CallerIdTrust(unittest.TestCase):
    """What route() sends of the caller id's verification, judged by what the daemon answers and
    records under the trust policy (daemon.trust_policy: failed calls go to their own rule, and
    incidents weigh by the call's level)."""

    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon(trust=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.close()

    def setUp(self):
        self.logged = []
        self.client = cw.Client(self.daemon.socket_path, budget=BUDGET,
                                log=lambda level, message: self.logged.append(message))

    def tearDown(self):
        self.client.close()

    def abuse_score(self, call):
        answer = self.client.request("abuse", call=call, kind="verbal", agent="a1")
        self.assertTrue(answer.ok, answer)
        return answer.data["standing"]["score"]

    def test_failed_verification_reaches_the_daemon_and_routes_on_it(self):
        route = self.client.route("+447700902001", "08001234567", "trust-1", verification="TN-Validation-Failed")
        self.assertEqual((route.rule, route.queue, route.fallback), ("unverified", "supervisor", None))
        self.assertAlmostEqual(self.abuse_score("trust-1"), 0.25, places=2)
        explained = self.daemon.ask({"type": "explain", "caller": "+447700902001"})
        self.assertEqual([i["attestation"] for i in explained["incidents"]], ["failed"])

    def test_attestation_weighs_the_calls_incidents(self):
        route = self.client.route("+447700902002", None, "trust-2", attestation="C", verification="TN-Validation-Passed")
        self.assertEqual((route.rule, route.fallback), ("default", None))
        self.assertAlmostEqual(self.abuse_score("trust-2"), 0.5, places=2)
        self.client.route("+447700902003", None, "trust-3", attestation="A")
        self.assertAlmostEqual(self.abuse_score("trust-3"), 1.0, places=2)

    def test_words_callwarden_would_refuse_are_not_sent_and_logged_once(self):
        for n, (attestation, verification) in enumerate([("a", "tn-validation-failed"), ("D", "TN-Validation-Maybe"),
                                                          (1, b"TN-Validation-Failed")]):
            route = self.client.route("+44770090210%d" % n, None, "trust-bad-%d" % n,
                                      attestation=attestation, verification=verification)
            self.assertEqual((route.rule, route.fallback), ("default", None))
        self.assertEqual(self.client.stats["trust_dropped"], 6)
        self.assertEqual(len(self.logged), 2, self.logged)
        self.assertTrue(any("attestation 'a'" in line for line in self.logged), self.logged)
        self.assertTrue(any("verification 'tn-validation-failed'" in line for line in self.logged), self.logged)
        # Not sent at all: the call's incident has no level (none, weight 1).
        self.assertAlmostEqual(self.abuse_score("trust-bad-1"), 1.0, places=2)


class TrustHelpers(unittest.TestCase):
    def test_verstat_is_read_from_a_uri_or_a_header_value(self):
        cases = {
            "sip:+447700900123@carrier;user=phone;verstat=TN-Validation-Passed": "TN-Validation-Passed",
            '"Jo" <sip:+447700900123@carrier;VERSTAT=TN-Validation-Failed;user=phone>;tag=9': "TN-Validation-Failed",
            "<tel:+447700900123;verstat=No-TN-Validation>": "No-TN-Validation",
            "sip:+447700900123@carrier?verstat=TN-Validation-Passed": None,
            "<sip:+447700900123@carrier>;verstat=TN-Validation-Passed": None,
            "sip:+447700900123@carrier;user=phone": None,
            "sip:+447700900123@carrier;verstat=": None,
            "": None, None: None,
        }
        for uri, expected in cases.items():
            self.assertEqual(cw.verstat_of(uri), expected, uri)

    def test_carrier_forms_of_verstat_give_the_level_of_a_pass_only(self):
        self.assertEqual(cw.trust_from_verstat("TN-Validation-Passed"), (None, "TN-Validation-Passed"))
        self.assertEqual(cw.trust_from_verstat("TN-Validation-Passed-B"), ("B", "TN-Validation-Passed"))
        self.assertEqual(cw.trust_from_verstat("TN-Validation-Failed-A"), (None, "TN-Validation-Failed"))
        self.assertEqual(cw.trust_from_verstat("No-TN-Validation"), (None, "No-TN-Validation"))
        self.assertEqual(cw.trust_from_verstat("TN-Validation-Passed-D"), (None, "TN-Validation-Passed-D"))
        self.assertEqual(cw.trust_from_verstat(None), (None, None))

    def test_the_attest_claim_is_read_from_a_passport(self):
        self.assertEqual(cw.passport_attestation(passport({"attest": "B", "orig": {"tn": "447700900123"}})), "B")
        self.assertIsNone(cw.passport_attestation(passport({"orig": {"tn": "447700900123"}})))
        self.assertIsNone(cw.passport_attestation(passport({"attest": 7})))
        self.assertIsNone(cw.passport_attestation(passport(["attest"])))
        for broken in ("", "a.b", "a.%%%.c", "a.bm90IGpzb24.c", "x" * 9000, None, 12):
            self.assertIsNone(cw.passport_attestation(broken), broken)


class PolicyFallback(unittest.TestCase):
    def test_the_shipped_policy_default_rule_is_read(self):
        fallback = cw.fallback_from_policy(SHIPPED_POLICY)
        self.assertEqual((fallback.queue, fallback.priority, fallback.route), ("support", 5, "normal"))

    def test_an_edited_default_rule_is_followed(self):
        with open(SHIPPED_POLICY) as handle:
            text = handle.read().replace("    queue: support\n", "    queue: general\n")
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
            handle.write(text)
        self.addCleanup(os.unlink, handle.name)
        self.assertEqual(cw.fallback_from_policy(handle.name).queue, "general")

    def test_an_unreadable_file_gives_the_default(self):
        default = cw.Fallback(queue="overflow", priority=1)
        self.assertIs(cw.fallback_from_policy("/nonexistent/policy.yaml", default), default)


if __name__ == "__main__":
    unittest.main()
