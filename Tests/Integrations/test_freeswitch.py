"""The FreeSWITCH Lua script under Debian's Lua (each of lua5.3 and lua5.4 that is installed, with
LuaSocket), with the session and freeswitch objects mod_lua gives (freeswitch/mod_lua_runner.lua),
against the real daemon.

FreeSWITCH is not in Debian 12: what is tested is the script with mod_lua's API as the script uses
it, not FreeSWITCH's dialplan, mod_callcenter or bind_meta_app (docs/integrations.md says so).
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from daemon import INTEGRATIONS, Daemon  # noqa: E402

SCRIPT = os.path.join(INTEGRATIONS, "freeswitch", "callwarden.lua")
RUNNER = os.path.join(os.path.dirname(os.path.abspath(__file__)), "freeswitch", "mod_lua_runner.lua")
LUAS = [lua for lua in ("lua5.3", "lua5.4") if shutil.which(lua)]
BUDGET_MS = 200
# Only the budget is asserted (the fail-open promise); the margin absorbs a loaded machine.
MARGIN_MS = 1000


def has_luasocket(lua):
    return subprocess.run([lua, "-e", 'require("socket.unix")'], capture_output=True).returncode == 0


class Effects:
    def __init__(self, output):
        self.variables, self.logs, self.streams = {}, [], []
        for line in output.splitlines():
            kind, _, rest = line.partition(" ")
            if kind == "SET":
                name, _, value = rest.partition("=")
                self.variables[name] = value.replace("\\n", "\n").replace("\\\\", "\\")
            elif kind == "LOG":
                self.logs.append(rest)
            elif kind == "STREAM":
                self.streams.append(rest)
            elif kind == "LOAD_ERROR":
                raise AssertionError("script did not load: " + rest)


def run(lua, daemon_socket, args, variables=None, session=True, **globals_):
    environment = dict(os.environ, FS_GLOBAL_callwarden_socket=daemon_socket,
                       FS_GLOBAL_callwarden_budget_ms=str(BUDGET_MS))
    for name, value in globals_.items():
        environment["FS_GLOBAL_" + name] = str(value)
    if not session:
        environment["FS_NO_SESSION"] = "1"
    stdin = "".join("%s=%s\n" % item for item in (variables or {}).items())
    done = subprocess.run([lua, RUNNER, SCRIPT] + list(args), input=stdin, capture_output=True, text=True,
                          env=environment, timeout=60)
    if done.returncode != 0:
        raise AssertionError("%s exited %d: %s" % (lua, done.returncode, done.stderr))
    return Effects(done.stdout)


@unittest.skipUnless(LUAS, "no lua5.3 or lua5.4 installed")
class LuaScript(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        missing = [lua for lua in LUAS if not has_luasocket(lua)]
        if missing:
            raise AssertionError("LuaSocket missing for %s (apt-get install lua-socket)" % missing)
        cls.daemon = Daemon().start()
        for caller, kind in (("+447700900501", "verbal"), ("+447700900502", "nuisance")):
            assert cls.daemon.ask({"type": "abuse", "caller": caller, "kind": kind})["ok"]

    @classmethod
    def tearDownClass(cls):
        cls.daemon.close()

    def each_lua(self):
        for lua in LUAS:
            with self.subTest(lua=lua):
                yield lua

    def caller_leg(self, uuid, number):
        return {"uuid": uuid, "caller_id_number": number, "destination_number": "08001234567"}

    def test_route_sets_queue_score_and_header(self):
        for n, lua in enumerate(self.each_lua()):
            effects = run(lua, self.daemon.socket_path, ["route"], self.caller_leg("fs-1-%d" % n, "07700900501"))
            v = effects.variables
            self.assertEqual((v["callwarden_queue"], v["callwarden_priority"], v["cc_base_score"]), ("supervisor", "5", "300"))
            self.assertEqual(v["callwarden_fallback"], "")
            self.assertEqual(v["sip_h_X-Callwarden-Route"], "supervisor;queue=supervisor;priority=5;rule=abusive")
            self.assertEqual(v["callwarden_call"], "fs-1-%d" % n)
            self.assertEqual(v["api_hangup_hook"], "lua callwarden.lua ended fs-1-%d ${sip_hangup_disposition}" % n)

    def test_nuisance_and_withheld_callers(self):
        for n, lua in enumerate(self.each_lua()):
            v = run(lua, self.daemon.socket_path, ["route"], self.caller_leg("fs-2-%d" % n, "+447700900502")).variables
            self.assertEqual((v["callwarden_queue"], v["cc_base_score"]), ("nuisance", "0"))
            v = run(lua, self.daemon.socket_path, ["route"], self.caller_leg("fs-3-%d" % n, "")).variables
            self.assertEqual((v["callwarden_queue"], v["callwarden_rule"]), ("support", "default"))

    def test_agent_keys_follow_the_ladder_and_play_the_answer(self):
        for n, lua in enumerate(self.each_lua()):
            call = "fs-4-%d" % n
            run(lua, self.daemon.socket_path, ["route"], self.caller_leg(call, "+447700900503"))
            agent = {"uuid": call + "-b", "callwarden_call": call, "caller_id_number": "agent42"}
            effects = run(lua, self.daemon.socket_path, ["hangup"], agent)
            self.assertEqual(effects.variables["callwarden_answer"], "denied")
            self.assertEqual(len(effects.streams), 1)
            effects = run(lua, self.daemon.socket_path, ["abuse", "physical_threat"], agent)
            self.assertEqual((effects.variables["callwarden_answer"], effects.variables["callwarden_hangup"],
                              effects.variables["callwarden_alert"]), ("recorded", "authorised", "1"))
            self.assertEqual(effects.streams, ["tone_stream://%(120,80,880);loops=2"])
            self.assertEqual(run(lua, self.daemon.socket_path, ["hangup"], agent).variables["callwarden_answer"], "authorised")
        history = self.daemon.ask({"type": "history", "caller": "+447700900503"})
        self.assertEqual([(i["kind"], i["agent"]) for i in history["incidents"]], [("physical_threat", "agent42")] * len(LUAS))

    def test_refused_report_says_why_and_plays_the_failure_tone(self):
        for n, lua in enumerate(self.each_lua()):
            agent = {"uuid": "fs-5-%d-b" % n, "callwarden_call": "fs-5-%d" % n, "caller_id_number": "agent42"}
            effects = run(lua, self.daemon.socket_path, ["abuse", "anger"], agent)
            self.assertEqual(effects.variables["callwarden_answer"], "not_recorded")
            self.assertTrue(effects.variables["callwarden_reason"].startswith("unknown_kind:"))
            self.assertEqual(effects.streams, ["tone_stream://%(300,100,440);loops=2"])

    def test_hangup_hook_ends_the_call_without_a_session(self):
        for n, lua in enumerate(self.each_lua()):
            call = "fs-6-%d" % n
            run(lua, self.daemon.socket_path, ["route"], self.caller_leg(call, "+447700900504"))
            before = self.daemon.ask({"type": "status"})["open_calls"]
            effects = run(lua, self.daemon.socket_path, ["ended", call, "recv_bye"], session=False)
            self.assertEqual(effects.logs, [])
            self.assertEqual(self.daemon.ask({"type": "status"})["open_calls"], before - 1)

    def test_hangup_hook_while_down_logs_that_call_ended_was_not_delivered(self):
        daemon = Daemon()
        self.addCleanup(daemon.close)
        for lua in self.each_lua():
            effects = run(lua, daemon.socket_path, ["ended", "fs-7", "send_bye"], session=False)
            self.assertEqual(len(effects.logs), 1)
            self.assertIn("call.ended for fs-7 not delivered: down", effects.logs[0])


@unittest.skipUnless(LUAS, "no lua5.3 or lua5.4 installed")
class LuaCallerIdTrust(unittest.TestCase):
    """What the script sends of the caller id's verification, judged by the daemon's answer under
    the trust policy (a failed caller id goes to the `unverified` rule, incidents weigh by level)."""

    @classmethod
    def setUpClass(cls):
        cls.daemon = Daemon(trust=True).start()

    @classmethod
    def tearDownClass(cls):
        cls.daemon.close()

    def route(self, lua, uuid, number, **variables):
        leg = {"uuid": uuid, "caller_id_number": number, "destination_number": "08001234567"}
        leg.update(variables)
        return run(lua, self.daemon.socket_path, ["route"], leg)

    def score_after_abuse(self, lua, call, number):
        agent = {"uuid": call + "-b", "callwarden_call": call, "caller_id_number": "agent42"}
        self.assertEqual(run(lua, self.daemon.socket_path, ["abuse", "verbal"], agent).variables["callwarden_answer"], "recorded")
        explained = self.daemon.ask({"type": "explain", "caller": number})
        # Rounded: the score decays from the moment of the report (by far less than 0.005 here).
        return round(explained["standing"]["score"], 2), [i["attestation"] for i in explained["incidents"]]

    def test_a_failed_verification_reaches_the_daemon_as_failed(self):
        sources = ({"sip_verstat_detailed": "TN-Validation-Failed-A", "sip_verstat": "TN-Validation-Failed"},
                   {"sip_verstat": "TN-Validation-Failed"},
                   {"sip_from_params": "user=phone;verstat=TN-Validation-Failed"},
                   {"callwarden_verstat": "TN-Validation-Failed", "sip_verstat_detailed": "TN-Validation-Passed-A"})
        for lua in self.each_lua():
            for n, source in enumerate(sources):
                v = self.route(lua, "fs-t1-%s-%d" % (lua, n), "+447700904001", **source).variables
                self.assertEqual((v["callwarden_queue"], v["callwarden_rule"], v["callwarden_fallback"]),
                                 ("supervisor", "unverified", ""), source)
                self.assertIn("rule=unverified", v["sip_h_X-Callwarden-Route"])
        number = "+447700904002"
        self.route(LUAS[0], "fs-t2", number, sip_verstat="TN-Validation-Failed")
        self.assertEqual(self.score_after_abuse(LUAS[0], "fs-t2", number), (0.25, ["failed"]))

    def test_a_passed_verification_sends_its_level(self):
        # sofia_stir_shaken_vs sets sip_verstat to No-TN-Validation for a B or C pass: the detailed
        # variable is the one that tells.
        for n, lua in enumerate(self.each_lua()):
            number = "+44770090410%d" % n
            v = self.route(lua, "fs-t3-%d" % n, number, sip_verstat_detailed="TN-Validation-Passed-C",
                           sip_verstat="No-TN-Validation").variables
            self.assertEqual((v["callwarden_rule"], v["callwarden_fallback"]), ("default", ""))
            self.assertEqual(self.score_after_abuse(lua, "fs-t3-%d" % n, number), (0.5, ["C"]))
        number = "+447700904110"
        self.route(LUAS[0], "fs-t4", number, callwarden_verstat="TN-Validation-Passed", callwarden_attestation="B")
        self.assertEqual(self.score_after_abuse(LUAS[0], "fs-t4", number), (1.0, ["B"]))

    def test_a_value_callwarden_would_refuse_is_not_sent_and_the_call_is_routed(self):
        for lua in self.each_lua():
            for n, source in enumerate(({"sip_verstat_detailed": "TN-Validation-Maybe"},
                                        {"sip_from_params": "verstat=tn-validation-failed"},
                                        {"callwarden_verstat": "TN-Validation-Failed;x", "callwarden_attestation": "A"})):
                effects = self.route(lua, "fs-t5-%s-%d" % (lua, n), "+447700904201", **source)
                v = effects.variables
                self.assertEqual((v["callwarden_queue"], v["callwarden_rule"], v["callwarden_fallback"]),
                                 ("support", "default", ""), source)
                self.assertEqual(len([line for line in effects.logs if "routed without it" in line]), 1, effects.logs)
            effects = self.route(lua, "fs-t6-%s" % lua, "+447700904202", callwarden_verstat="TN-Validation-Failed",
                                 callwarden_attestation="Z")
            self.assertEqual(effects.variables["callwarden_rule"], "unverified")
            self.assertEqual(len(effects.logs), 1, effects.logs)

    def test_no_verification_known_sends_none(self):
        number = "+447700904301"
        v = self.route(LUAS[0], "fs-t7", number).variables
        self.assertEqual((v["callwarden_rule"], v["callwarden_fallback"]), ("default", ""))
        self.assertEqual(self.score_after_abuse(LUAS[0], "fs-t7", number), (1.0, ["none"]))

    def each_lua(self):
        for lua in LUAS:
            with self.subTest(lua=lua):
                yield lua


@unittest.skipUnless(LUAS, "no lua5.3 or lua5.4 installed")
class LuaHostileAnswers(unittest.TestCase):
    """A peer on the socket path that answers badly: the script's JSON reader and checks must fall
    back, never use a damaged answer, never fail the call. Not a stand-in for callwarden."""

    def route_with(self, line):
        directory = tempfile.mkdtemp(prefix="cw-lua-hostile-")
        self.addCleanup(shutil.rmtree, directory, True)
        path = os.path.join(directory, "hostile.sock")
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        server.bind(path)
        server.listen(8)
        self.addCleanup(server.close)

        def serve():
            for _ in LUAS:
                connection, _ = server.accept()
                with connection:
                    connection.recv(65536)
                    connection.sendall(line)
                    connection.recv(1)  # held open until the script lets go

        thread = threading.Thread(target=serve, daemon=True)
        thread.start()
        results = [run(lua, path, ["route"], {"uuid": "h", "caller_id_number": "+447700900501"}).variables for lua in LUAS]
        thread.join(10)
        return results

    def good(self, **fields):
        body = {"id": 1, "ok": True, "route": "supervisor", "queue": "supervisor", "priority": 5,
                "rule": "abusive", "reason": "x"}
        body.update(fields)
        return json.dumps(body).encode() + b"\n"

    def test_a_sound_answer_with_escapes_is_read(self):
        for v in self.route_with(self.good(reason="caf\u00e9 \ud83d\ude00 \"q\" \\")):
            self.assertEqual(v["callwarden_fallback"], "")
            self.assertEqual(v["callwarden_reason"], 'caf\u00e9 \U0001f600 "q" \\')

    def test_lines_that_are_not_json_fall_back(self):
        for line in (b"not json\n", b'{"id":1,"ok":true,\n', b'{"id":1,"ok":tru}\n',
                     b'{"id":1,"reason":"a\x01b"}\n', b"[" * 200 + b"\n", b'{"id":1} trailing\n'):
            for v in self.route_with(line):
                self.assertEqual((v["callwarden_queue"], v["callwarden_fallback"]), ("support", "invalid_answer"), line)

    def test_unusable_fields_fall_back(self):
        for fields in ({"queue": "support,,,60"}, {"queue": "a b"}, {"priority": 1e300}, {"priority": 2.5},
                       {"priority": -1}, {"route": "voicemail"}, {"rule": 7}, {"id": 2}):
            for v in self.route_with(self.good(**fields)):
                self.assertEqual((v["callwarden_queue"], v["callwarden_fallback"]), ("support", "invalid_answer"), fields)

    def test_an_unknown_error_code_is_not_passed_on(self):
        line = json.dumps({"id": 1, "ok": False, "error": {"code": "evil;header", "message": "m"}}).encode() + b"\n"
        for v in self.route_with(line):
            self.assertEqual(v["callwarden_fallback"], "invalid_answer")

    def test_an_answer_that_never_ends_falls_back_as_timeout(self):
        for v in self.route_with(b'{"id":1,"ok":true,"route":"supervisor"'):
            self.assertEqual(v["callwarden_fallback"], "timeout")
            self.assertLess(float(v["callwarden_waited_ms"]), BUDGET_MS + MARGIN_MS)


@unittest.skipUnless(LUAS, "no lua5.3 or lua5.4 installed")
class LuaFailOpen(unittest.TestCase):
    def test_daemon_down_sets_the_default_queue_with_the_reason(self):
        daemon = Daemon()
        self.addCleanup(daemon.close)
        for lua in LUAS:
            v = run(lua, daemon.socket_path, ["route"], {"uuid": "fs-down", "caller_id_number": "+447700900501"},
                    callwarden_default_queue="general", callwarden_default_priority="3").variables
            self.assertEqual((v["callwarden_queue"], v["callwarden_priority"], v["callwarden_fallback"]), ("general", "3", "down"))
            self.assertIn("fallback=down", v["sip_h_X-Callwarden-Route"])

    def test_daemon_stalled_falls_back_within_the_budget(self):
        daemon = Daemon().start()
        self.addCleanup(daemon.close)
        daemon.pause()
        self.addCleanup(daemon.resume)
        for lua in LUAS:
            v = run(lua, daemon.socket_path, ["route"], {"uuid": "fs-stall", "caller_id_number": "+447700900501"}).variables
            self.assertEqual((v["callwarden_queue"], v["callwarden_fallback"]), ("support", "timeout"))
            self.assertLess(float(v["callwarden_waited_ms"]), BUDGET_MS + MARGIN_MS)

    def test_daemon_restarted_between_calls_answers_again(self):
        daemon = Daemon().start()
        self.addCleanup(daemon.close)
        daemon.ask({"type": "abuse", "caller": "+447700900505", "kind": "verbal"})
        lua = LUAS[0]
        leg = {"uuid": "fs-r1", "caller_id_number": "+447700900505"}
        self.assertEqual(run(lua, daemon.socket_path, ["route"], leg).variables["callwarden_queue"], "supervisor")
        daemon.kill()
        self.assertEqual(run(lua, daemon.socket_path, ["route"], leg).variables["callwarden_fallback"], "down")
        daemon.start()
        self.assertEqual(run(lua, daemon.socket_path, ["route"], leg).variables["callwarden_queue"], "supervisor")


if __name__ == "__main__":
    unittest.main()
