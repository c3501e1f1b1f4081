#!/usr/bin/env python3
"""callwarden crash loop: SIGKILL the real daemon at random moments under mixed load, many times.

Several client connections send abuse (single and in pipelined bursts), forgiveness, call offers
and ladder steps; an admin connection asks for purges and reloads and the daemon also gets SIGHUP.
Every `ok` answer for an incident is written down by the client that got it. After the last
restart: every acknowledged incident is in the record exactly once, or was deleted by a purge
that the record itself lists; SQLite's integrity_check says ok; and the daemon's `verify` passes.

Usage: crash-loop.py --daemon .build/debug/callwardend [--kills 200] [--seconds 900] [--seed N]
Prints one summary line per kill round and a final table; exits 1 on any loss or failed check.
"""
import argparse
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

POLICY_EXTRA = """
retention:
  forgiven: 1d
  faded: 30d
  faded_below: 0.9
"""


class Client:
    """One connection speaking protocol v1; reconnects while the daemon is down."""

    def __init__(self, path, timeout=10):
        self.path = path
        self.timeout = timeout
        self.sock = None
        self.buffer = b""

    def connect(self, deadline):
        while time.monotonic() < deadline:
            try:
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                sock.settimeout(self.timeout)
                sock.connect(self.path)
                self.sock, self.buffer = sock, b""
                return True
            except OSError:
                time.sleep(0.02)
        return False

    def close(self):
        if self.sock:
            try:
                self.sock.close()
            except OSError:
                pass
        self.sock = None

    def exchange(self, requests):
        """Sends requests pipelined; returns the answers that arrived before the connection broke."""
        data = b"".join(json.dumps(r, separators=(",", ":")).encode() + b"\n" for r in requests)
        answers = []
        try:
            self.sock.sendall(data)
            while len(answers) < len(requests):
                while b"\n" not in self.buffer:
                    chunk = self.sock.recv(65536)
                    if not chunk:
                        raise ConnectionError("closed")
                    self.buffer += chunk
                line, self.buffer = self.buffer.split(b"\n", 1)
                answers.append(json.loads(line))
        except (OSError, ConnectionError, ValueError):
            self.close()
        return answers


class Load:
    """The mixed load, shared by all client threads, and what was acknowledged."""

    def __init__(self, path, rng_seed):
        self.path = path
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.acknowledged = {}  # incident id -> caller
        self.answers = 0
        self.errors = {}
        self.seed = rng_seed

    def ack(self, incident, caller):
        with self.lock:
            if incident in self.acknowledged:
                self.errors["duplicate incident id acknowledged"] = self.errors.get("duplicate incident id acknowledged", 0) + 1
            self.acknowledged[incident] = caller

    def count(self, answer):
        with self.lock:
            self.answers += 1
            if not answer.get("ok"):
                code = answer.get("error", {}).get("code", "?")
                self.errors[code] = self.errors.get(code, 0) + 1

    def telephony(self, index):
        rng = random.Random(self.seed * 1000 + index)
        client = Client(self.path)
        call_number = 0
        while not self.stop.is_set():
            if client.sock is None and not client.connect(time.monotonic() + 1):
                continue
            now = time.time()
            requests = []
            for _ in range(rng.choice([1, 1, 2, 5, 20])):
                caller = "+44770090%04d" % rng.randrange(2000)
                roll = rng.random()
                if roll < 0.55:
                    # Some incidents are old enough for retention to purge them.
                    at = now - rng.choice([0, 0, 3600, 40 * 86400, 400 * 86400])
                    requests.append({"type": "abuse", "caller": caller, "kind": rng.choice(["verbal", "threat", "nuisance"]),
                                     "at": at, "agent": "agent-%d" % index, "note": "crash loop"})
                elif roll < 0.8:
                    call_number += 1
                    call = "cl-%d-%d-%d" % (self.seed, index, call_number)
                    requests.append({"type": "call.offered", "call": call, "caller": caller})
                    requests.append({"type": "warning", "call": call, "agent": "agent-%d" % index})
                    requests.append({"type": "abuse", "call": call, "kind": "verbal", "agent": "agent-%d" % index})
                    requests.append({"type": "call.ended", "call": call, "by": "agent", "outcome": "abusive"})
                else:
                    requests.append({"type": "forgive", "caller": caller, "reason": "crash loop forgives"})
            answers = client.exchange(requests)
            for request, answer in zip(requests, answers):
                self.count(answer)
                if request["type"] == "abuse" and answer.get("ok") and "incident" in answer:
                    self.ack(answer["incident"], request.get("caller"))

    def admin(self):
        rng = random.Random(self.seed * 1000 + 999)
        client = Client(self.path)
        while not self.stop.is_set():
            if client.sock is None and not client.connect(time.monotonic() + 1):
                continue
            request = rng.choice([{"type": "purge"}, {"type": "reload"}, {"type": "status"}])
            for answer in client.exchange([request]):
                self.count(answer)
            time.sleep(rng.uniform(0.005, 0.05))


def start_daemon(args, workdir, log):
    process = subprocess.Popen(
        [args.daemon, "--socket", workdir + "/cw.sock", "--policy", workdir + "/policy.yaml",
         "--state-dir", workdir + "/state", "--log-level", "notice"],
        stdout=log, stderr=log, env={k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "LISTEN_FDS")})
    return process


def wait_serving(path, process, deadline):
    probe = Client(path)
    while time.monotonic() < deadline:
        if process.poll() is not None:
            return False
        if probe.connect(time.monotonic() + 0.2):
            answers = probe.exchange([{"type": "status"}])
            probe.close()
            if answers and answers[0].get("ok"):
                return True
    return False


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--daemon", required=True)
    parser.add_argument("--policy", default=os.path.join(os.path.dirname(__file__), "..", "Config", "policy.yaml"))
    parser.add_argument("--kills", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=900, help="stop killing after this long, whatever the count")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--seed", type=int, default=int(os.environ.get("CALLWARDEN_CRASH_SEED", "1")))
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="callwarden-crash-")
    # A copy of its own: a rebuild during the loop must not change (or lock) the binary under it.
    shutil.copy2(args.daemon, workdir + "/callwardend")
    args.daemon = workdir + "/callwardend"
    with open(args.policy) as shipped, open(workdir + "/policy.yaml", "w") as policy:
        policy.write(shipped.read().replace("\nretention:", "\nretention_shipped:") + POLICY_EXTRA)
    log = open(workdir + "/daemon.log", "ab")
    rng = random.Random(args.seed)
    load = Load(workdir + "/cw.sock", args.seed)
    threads = [threading.Thread(target=load.telephony, args=(i,), daemon=True) for i in range(args.clients)]
    threads.append(threading.Thread(target=load.admin, daemon=True))

    started = time.monotonic()
    kills = 0
    hups = 0
    process = start_daemon(args, workdir, log)
    if not wait_serving(load.path, process, time.monotonic() + 60):
        print("FAIL: the daemon did not start; log in " + workdir)
        return 1
    for thread in threads:
        thread.start()
    while kills < args.kills and time.monotonic() - started < args.seconds:
        # A random moment: right after start-up, mid-burst, or after a while under load.
        time.sleep(rng.choice([0.0, 0.001, 0.01, 0.05, 0.2, rng.uniform(0, 0.5)]))
        if rng.random() < 0.2:
            process.send_signal(signal.SIGHUP)
            hups += 1
            time.sleep(rng.uniform(0, 0.01))
        process.kill()
        process.wait()
        kills += 1
        process = start_daemon(args, workdir, log)
        if not wait_serving(load.path, process, time.monotonic() + 60):
            print("FAIL: the daemon did not come back after kill %d; log in %s" % (kills, workdir))
            return 1
        if kills % 25 == 0:
            print("crash loop: %d kills, %d incidents acknowledged, %.0fs" % (kills, len(load.acknowledged), time.monotonic() - started), flush=True)
    load.stop.set()
    for thread in threads:
        thread.join(timeout=30)

    # The daemon's own verdict on its record, with everything acknowledged in it.
    # A walk of the whole chain: generous, since the record has grown over the whole loop.
    final = Client(load.path, timeout=600)
    final.connect(time.monotonic() + 10)
    verify = final.exchange([{"type": "verify"}])
    final.close()
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)

    database = sqlite3.connect("file:%s/state/callwarden.sqlite?mode=ro" % workdir, uri=True)
    integrity = database.execute("PRAGMA integrity_check").fetchone()[0]
    present = {}
    for (entry,) in database.execute("SELECT id FROM entries WHERE type = 'incident'"):
        present[entry] = present.get(entry, 0) + 1
    purged = set()
    for (note,) in database.execute("SELECT note FROM entries WHERE type = 'purge'"):
        purged.update(json.loads(note).get("purged", []))
    lost = [i for i in load.acknowledged if present.get(i, 0) == 0 and i not in purged]
    doubled = [i for i, n in present.items() if n > 1]
    verified = bool(verify) and verify[0].get("ok") and "problem" not in verify[0]

    print()
    print("| what | figure |")
    print("|---|---|")
    print("| SIGKILLs | %d (SIGHUP reloads just before %d of them) |" % (kills, hups))
    print("| answers received | %d |" % load.answers)
    print("| incidents acknowledged | %d |" % len(load.acknowledged))
    print("| of which later purged by retention (listed in a purge entry) | %d |" % len([i for i in load.acknowledged if i in purged and present.get(i, 0) == 0]))
    print("| acknowledged incidents lost | %d |" % len(lost))
    print("| incidents recorded twice | %d |" % len(doubled))
    print("| integrity_check | %s |" % integrity)
    print("| verify | %s |" % ("passed" if verified else json.dumps(verify)))
    print("| error answers by code | %s |" % json.dumps(load.errors, sort_keys=True))
    print("| seconds | %.0f |" % (time.monotonic() - started))
    ok = not lost and not doubled and integrity == "ok" and verified and kills > 0 and len(load.acknowledged) > 0 and "duplicate incident id acknowledged" not in load.errors
    print(("PASS" if ok else "FAIL") + ": crash loop (seed %d, work directory %s)" % (args.seed, workdir))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
