"""The Asterisk AGI script and FastAGI service, driven through the AGI protocol as Asterisk speaks
it (agi_driver.py), against the real daemon.

Asterisk is not in Debian 12: what is tested here is the scripts' side of the protocol, not
Asterisk's dialplan applications (Queue(), feature codes), which docs/integrations.md says.
"""

import os
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from agi_driver import Channel, parse_args, run_fastagi, run_script  # noqa: E402
from daemon import INTEGRATIONS, SHIPPED_POLICY, Daemon  # noqa: E402
from sipstack import free_udp_port  # noqa: E402

AGI_SCRIPT = os.path.join(INTEGRATIONS, "asterisk", "callwarden_agi.py")
FASTAGI = os.path.join(INTEGRATIONS, "asterisk", "callwarden_fastagi.py")
BUDGET = 0.2
# Only the budget is asserted (the fail-open promise); the margin absorbs a loaded machine and
# Python's start-up, and a script that waited for a stalled daemon overshoots it by far.
MARGIN = 2.0


def environment(daemon):
    return dict(os.environ, CALLWARDEN_SOCKET=daemon.socket_path, CALLWARDEN_BUDGET_MS="200",
                CALLWARDEN_POLICY=SHIPPED_POLICY, PYTHONDONTWRITEBYTECODE="1")


class ParseArgs(unittest.TestCase):
    def test_quotes_and_escapes_split_as_asterisk_does(self):
        self.assertEqual(parse_args('SET VARIABLE X "a \\"b\\" \\\\ c"'), ["SET", "VARIABLE", "X", 'a "b" \\ c'])


class AGIScript(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon().start()
        for caller, kind in (("+447700900201", "verbal"), ("+447700900202", "nuisance")):
            assert cls.daemon.ask({"type": "abuse", "caller": caller, "kind": kind})["ok"]

    @classmethod
    def tearDownClass(cls):
        cls.daemon.close()

    def inbound(self, callerid, uniqueid):
        return Channel("PJSIP/trunk-0000%s" % uniqueid[-3:], uniqueid, callerid=callerid, dnid="08001234567")

    def agi(self, channel, *args, daemon=None):
        code = run_script(AGI_SCRIPT, channel, args, environment(daemon or self.daemon))
        self.assertEqual(code, 0, channel.stderr)
        return channel.variables

    def test_route_sets_queue_and_priority_for_queue(self):
        variables = self.agi(self.inbound("07700900201", "1700000001.1"), "route")
        self.assertEqual((variables["QUEUE"], variables["QUEUE_PRIO"]), ("supervisor", "5"))
        self.assertEqual((variables["CALLWARDEN_ROUTE"], variables["CALLWARDEN_RULE"]), ("supervisor", "abusive"))
        self.assertEqual(variables["CALLWARDEN_FALLBACK"], "")
        self.assertEqual(variables["CALLWARDEN_CALL"], "1700000001.1")

    def test_nuisance_caller_and_withheld_caller(self):
        self.assertEqual(self.agi(self.inbound("+447700900202", "1700000002.1"), "route")["QUEUE"], "nuisance")
        variables = self.agi(self.inbound("", "1700000002.2"), "route")
        self.assertEqual((variables["QUEUE"], variables["CALLWARDEN_RULE"]), ("support", "default"))

    def test_call_id_is_inherited_by_the_agents_channel(self):
        caller = self.inbound("+447700900299", "1700000003.1")
        self.agi(caller, "route")
        agent = caller.child("PJSIP/agent42-00000011", "1700000003.2")
        self.assertEqual(agent.variables["CALLWARDEN_CALL"], "1700000003.1")

    def test_physical_threat_authorises_hangup_at_once(self):
        caller = self.inbound("+447700900203", "1700000004.1")
        self.agi(caller, "route")
        agent = caller.child("PJSIP/agent42-00000012", "1700000004.2")
        variables = self.agi(agent, "abuse", "physical_threat")
        self.assertEqual((variables["CALLWARDEN_ANSWER"], variables["CALLWARDEN_HANGUP"], variables["CALLWARDEN_ALERT"]),
                         ("recorded", "authorised", "1"))
        self.assertEqual(self.agi(agent, "hangup")["CALLWARDEN_ANSWER"], "authorised")
        history = self.daemon.ask({"type": "history", "caller": "+447700900203"})
        self.assertEqual([(i["kind"], i["agent"], i["call"]) for i in history["incidents"]],
                         [("physical_threat", "PJSIP/agent42", "1700000004.1")])

    def test_ladder_hangup_is_denied_while_the_caller_may_vent(self):
        caller = self.inbound("+447700900204", "1700000005.1")
        self.agi(caller, "route")
        agent = caller.child("PJSIP/agent7-00000013", "1700000005.2")
        self.assertEqual(self.agi(agent, "hangup")["CALLWARDEN_ANSWER"], "denied")
        self.assertEqual(self.agi(agent, "abuse", "verbal")["CALLWARDEN_ANSWER"], "recorded")
        self.assertEqual(self.agi(agent, "warning")["CALLWARDEN_ANSWER"], "recorded")
        variables = self.agi(agent, "hangup")
        self.assertEqual(variables["CALLWARDEN_ANSWER"], "denied")
        self.assertIn("vent", variables["CALLWARDEN_REASON"].lower())

    def test_unknown_kind_is_not_recorded_and_says_why(self):
        caller = self.inbound("+447700900205", "1700000006.1")
        self.agi(caller, "route")
        agent = caller.child("PJSIP/agent7-00000014", "1700000006.2")
        variables = self.agi(agent, "abuse", "anger")
        self.assertEqual(variables["CALLWARDEN_ANSWER"], "not_recorded")
        self.assertTrue(variables["CALLWARDEN_REASON"].startswith("unknown_kind:"))

    def test_h_extension_ends_the_call_by_the_caller(self):
        caller = self.inbound("+447700900206", "1700000007.1")
        self.agi(caller, "route")
        caller.hangupsource = caller.name
        before = self.daemon.ask({"type": "status"})["open_calls"]
        self.agi(caller, "ended")
        self.assertEqual(self.daemon.ask({"type": "status"})["open_calls"], before - 1)
        agent = caller.child("PJSIP/agent7-00000015", "1700000007.2")
        variables = self.agi(agent, "warning")
        self.assertEqual(variables["CALLWARDEN_ANSWER"], "not_recorded")
        self.assertTrue(variables["CALLWARDEN_REASON"].startswith("unknown_call:"))

    def test_reason_text_cannot_break_out_of_the_agi_command(self):
        caller = self.inbound('+44"7700\\900207\nEXEC System rm', "1700000008.1")
        variables = self.agi(caller, "route")
        self.assertIn(variables["QUEUE"], ("support",))
        for line in caller.commands:
            self.assertNotIn("\n", line)
            self.assertFalse(line.startswith("EXEC"))


class AGICallerIdTrust(unittest.TestCase):
    """What the AGI sends of the caller id's verification, judged by the daemon's answer under the
    trust policy (a failed caller id goes to the `unverified` rule, incidents weigh by level)."""

    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon(trust=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.close()

    def route(self, uniqueid, callerid, **channel):
        caller = Channel("PJSIP/trunk-0000%s" % uniqueid[-3:], uniqueid, callerid=callerid, dnid="08001234567", **channel)
        code = run_script(AGI_SCRIPT, caller, ["route"], environment(self.daemon))
        self.assertEqual(code, 0, caller.stderr)
        return caller

    def verified(self, attestation, verify_result):
        return {"modules": {"res_stir_shaken.so"},
                "stir_shaken": [{"identity": "+447700903000", "attestation": attestation, "verify_result": verify_result}]}

    def abuse_score(self, caller):
        agent = caller.child("PJSIP/agent7-00000031", caller.uniqueid + "1")
        self.assertEqual(self.agi_report(agent), "recorded")
        explained = self.daemon.ask({"type": "explain", "caller": caller.callerid})
        # Rounded: the score decays from the moment of the report (by far less than 0.005 here).
        return round(explained["standing"]["score"], 2), [i["attestation"] for i in explained["incidents"]]

    def agi_report(self, agent):
        self.assertEqual(run_script(AGI_SCRIPT, agent, ["abuse", "verbal"], environment(self.daemon)), 0, agent.stderr)
        return agent.variables["CALLWARDEN_ANSWER"]

    def test_a_failed_stir_shaken_check_reaches_the_daemon_as_failed(self):
        # Asterisk 18.22+ words (signature_validation) and the earlier ones (Signature failed).
        for n, result in enumerate(("signature_validation", "Signature failed", "cid_orig_tn_mismatch")):
            caller = self.route("1700000400.%d" % n, "+44770090300%d" % n, **self.verified("A", result))
            v = caller.variables
            self.assertEqual((v["QUEUE"], v["CALLWARDEN_RULE"], v["CALLWARDEN_FALLBACK"]), ("supervisor", "unverified", ""), result)
        self.assertEqual(self.abuse_score(caller), (0.25, ["failed"]))

    def test_a_passed_check_sends_its_attestation(self):
        caller = self.route("1700000410.1", "+447700903010", **self.verified("C", "success"))
        self.assertEqual(caller.variables["CALLWARDEN_RULE"], "default")
        self.assertEqual(self.abuse_score(caller), (0.5, ["C"]))
        caller = self.route("1700000411.1", "+447700903011", **self.verified("B", "Verification passed"))
        self.assertEqual(self.abuse_score(caller)[1], ["B"])

    def test_verstat_from_the_carrier_in_p_asserted_identity(self):
        headers = {"P-Asserted-Identity": "<sip:+447700903020@carrier;user=phone;verstat=TN-Validation-Failed>",
                   "From": "<sip:+447700903020@carrier;verstat=TN-Validation-Passed>;tag=1"}
        caller = self.route("1700000420.1", "+447700903020", headers=headers)
        self.assertEqual(caller.variables["CALLWARDEN_RULE"], "unverified")
        caller = self.route("1700000421.1", "+447700903021",
                            headers={"From": "<sip:+447700903021@carrier;verstat=TN-Validation-Passed-B>;tag=1"})
        self.assertEqual(self.abuse_score(caller), (1.0, ["B"]))

    def test_the_dialplan_may_set_the_verification_itself(self):
        caller = self.route("1700000430.1", "+447700903030", variables={"CALLWARDEN_VERSTAT": "TN-Validation-Failed"},
                            **self.verified("A", "success"))
        self.assertEqual(caller.variables["CALLWARDEN_RULE"], "unverified")
        caller = self.route("1700000431.1", "+447700903031",
                            variables={"CALLWARDEN_VERSTAT": "TN-Validation-Passed", "CALLWARDEN_ATTESTATION": "C"})
        self.assertEqual(self.abuse_score(caller), (0.5, ["C"]))

    def test_a_value_callwarden_would_refuse_is_not_sent_and_the_call_is_routed(self):
        for n, channel in enumerate(({"variables": {"CALLWARDEN_VERSTAT": "TN-Validation-Maybe"}},
                                     self.verified("A", "a_result_from_a_later_asterisk"),
                                     {"variables": {"CALLWARDEN_VERSTAT": "TN-Validation-Passed", "CALLWARDEN_ATTESTATION": "Z"}})):
            caller = self.route("1700000440.%d" % n, "+44770090304%d" % n, **channel)
            v = caller.variables
            self.assertEqual((v["QUEUE"], v["CALLWARDEN_RULE"], v["CALLWARDEN_FALLBACK"]), ("support", "default", ""), channel)
            self.assertEqual(len([line for line in caller.console if "routed without it" in line]), 1, caller.console)
        # The last call's verification was sent without its attestation: a pass with no level is C.
        self.assertEqual(self.abuse_score(caller), (0.5, ["C"]))

    def test_without_res_stir_shaken_its_function_is_never_asked(self):
        caller = self.route("1700000450.1", "+447700903050", stir_shaken=[{"attestation": "A", "verify_result": "success"}])
        self.assertFalse([line for line in caller.commands if "STIR_SHAKEN" in line], caller.commands)
        self.assertFalse([line for line in caller.console if line.startswith("ERROR")], caller.console)
        self.assertEqual(self.abuse_score(caller), (1.0, ["none"]))


class AGIFailOpen(unittest.TestCase):
    def test_daemon_down_sets_default_queue_with_reason(self):
        daemon = Daemon()
        self.addCleanup(daemon.close)
        channel = Channel("PJSIP/trunk-00000001", "1700000100.1", callerid="+447700900201")
        started = time.monotonic()
        self.assertEqual(run_script(AGI_SCRIPT, channel, ["route"], environment(daemon)), 0)
        self.assertLess(time.monotonic() - started, BUDGET + MARGIN)
        self.assertEqual((channel.variables["QUEUE"], channel.variables["QUEUE_PRIO"], channel.variables["CALLWARDEN_FALLBACK"]),
                         ("support", "5", "down"))
        self.assertTrue(any("down" in line for line in channel.console), channel.console)

    def test_daemon_stalled_sets_default_queue_within_the_budget(self):
        daemon = Daemon().start()
        self.addCleanup(daemon.close)
        daemon.ask({"type": "abuse", "caller": "+447700900201", "kind": "verbal"})
        daemon.pause()
        self.addCleanup(daemon.resume)
        channel = Channel("PJSIP/trunk-00000002", "1700000101.1", callerid="+447700900201")
        self.assertEqual(run_script(AGI_SCRIPT, channel, ["route"], environment(daemon)), 0)
        self.assertEqual((channel.variables["QUEUE"], channel.variables["CALLWARDEN_FALLBACK"]), ("support", "timeout"))
        waited = float(channel.variables["CALLWARDEN_WAITED_MS"]) / 1000
        self.assertLess(waited, BUDGET + MARGIN)

    def test_agent_report_while_down_is_not_recorded(self):
        daemon = Daemon()
        self.addCleanup(daemon.close)
        agent = Channel("PJSIP/agent1-00000003", "1700000102.2", variables={"CALLWARDEN_CALL": "1700000102.1"})
        self.assertEqual(run_script(AGI_SCRIPT, agent, ["abuse", "verbal"], environment(daemon)), 0)
        self.assertEqual(agent.variables["CALLWARDEN_ANSWER"], "not_recorded")
        self.assertTrue(agent.variables["CALLWARDEN_REASON"].startswith("down:"))


class FastAGI(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon().start()
        assert cls.daemon.ask({"type": "abuse", "caller": "+447700900301", "kind": "verbal"})["ok"]
        cls.port = free_udp_port()  # a free loopback port number; the service binds it over TCP
        cls.service = subprocess.Popen([sys.executable, FASTAGI, "--port", str(cls.port)],
                                       env=environment(cls.daemon), stdout=subprocess.PIPE, text=True)
        assert "listening" in cls.service.stdout.readline()

    @classmethod
    def tearDownClass(cls):
        cls.service.terminate()
        cls.service.wait(timeout=10)
        cls.service.stdout.close()
        cls.daemon.close()

    def test_concurrent_calls_each_get_their_own_route(self):
        results = {}

        def one(n):
            number = "+447700900301" if n % 2 == 0 else "+4477009004%02d" % n
            channel = Channel("PJSIP/trunk-%08d" % n, "1700000200.%d" % n, callerid=number)
            run_fastagi(self.port, channel, "route", [])
            results[n] = channel.variables.get("QUEUE")

        threads = [threading.Thread(target=one, args=(n,)) for n in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(len(results), 40)
        for n, queue in results.items():
            self.assertEqual(queue, "supervisor" if n % 2 == 0 else "support", n)

    def test_feature_code_and_hangup_through_fastagi(self):
        caller = Channel("PJSIP/trunk-00000099", "1700000300.1", callerid="+447700900302")
        run_fastagi(self.port, caller, "route", [])
        agent = caller.child("PJSIP/agent9-00000100", "1700000300.2")
        run_fastagi(self.port, agent, "abuse", ["threat"])
        self.assertEqual(agent.variables["CALLWARDEN_ANSWER"], "recorded")
        caller.hangupsource = agent.name
        run_fastagi(self.port, caller, "ended", [])
        agent2 = caller.child("PJSIP/agent9-00000101", "1700000300.3")
        run_fastagi(self.port, agent2, "warning", [])
        self.assertTrue(agent2.variables["CALLWARDEN_REASON"].startswith("unknown_call:"))


if __name__ == "__main__":
    unittest.main()
