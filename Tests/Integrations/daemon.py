"""The real callwardend for the integration tests: a temporary socket, state directory and policy.

The binary is $CALLWARDEND, or .build/debug/callwardend in the source tree. Used by the client's
unit tests, the Asterisk and FreeSWITCH script tests and the Kamailio harness.
"""

import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

SOURCE_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
INTEGRATIONS = os.path.join(SOURCE_ROOT, "Config", "integrations")
SHIPPED_POLICY = os.path.join(SOURCE_ROOT, "Config", "policy.yaml")


# The shipped policy with caller-id trust switched on, for the trust tests: the shipped example
# weights, and the shipped example rule that sends calls whose caller id failed verification to a
# queue of their own (here `supervisor`, a queue every switch test already has), before the
# default rule. Made from the shipped file so that the two cannot drift apart.
TRUST_WEIGHTS = {"A": 1.0, "B": 1.0, "C": 0.5, "failed": 0.25, "none": 1.0}
TRUST_RULE = """  - name: unverified
    when:
      attestation: [failed]
    route: normal
    queue: supervisor
    priority: 5
    reason: The caller id failed verification; check who is calling.

"""


def trust_policy(directory):
    """Writes the trust policy into directory; returns its path."""
    with open(SHIPPED_POLICY) as handle:
        text = handle.read()
    weights = "# caller_id:\n#   weights: {A: 1, B: 1, C: 0.5, failed: 0.25, none: 1}\n"
    anchor = "  # 4. Everyone else"
    if weights not in text or anchor not in text:
        raise RuntimeError("the shipped policy no longer has the caller_id example or the default rule's comment")
    text = text.replace(weights, weights.replace("# ", "", 1).replace("#   ", "  ", 1))
    text = text.replace(anchor, TRUST_RULE + anchor)
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, "trust-policy.yaml")
    with open(path, "w") as handle:
        handle.write(text)
    return path


def executable():
    path = os.environ.get("CALLWARDEND") or os.path.join(SOURCE_ROOT, ".build", "debug", "callwardend")
    if not os.access(path, os.X_OK):
        raise RuntimeError("callwardend not found at %s: build it (swift build) or set CALLWARDEND" % path)
    return path


class Daemon:
    """One callwardend process; start() may be called again after stop() or kill() (a restart on
    the same record and socket)."""

    def __init__(self, policy=SHIPPED_POLICY, directory=None, log_level="info", trust=False):
        self.owned_directory = directory is None
        self.directory = directory or tempfile.mkdtemp(prefix="cw-switch-")
        if trust:
            policy = trust_policy(self.directory)
        self.socket_path = os.path.join(self.directory, "callwarden.sock")
        self.state_directory = os.path.join(self.directory, "state")
        self.log_path = os.path.join(self.directory, "daemon.log")
        self.policy = policy
        self.log_level = log_level
        self.process = None

    def start(self, timeout=30.0):
        log = open(self.log_path, "ab")
        self.process = subprocess.Popen(
            [executable(), "--socket", self.socket_path, "--policy", self.policy,
             "--state-dir", self.state_directory, "--log-level", self.log_level],
            stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("callwardend exited with %s:\n%s" % (self.process.returncode, self.log()))
            try:
                self.ask({"type": "status"}, timeout=2.0)
                return self
            except OSError:
                time.sleep(0.02)
        raise RuntimeError("callwardend not answering after %ss:\n%s" % (timeout, self.log()))

    def stop(self):
        """SIGTERM and wait: the daemon answers what it has read, then exits."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)

    def kill(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)

    def pause(self):
        """SIGSTOP: the daemon stalls; its socket still accepts connections and lines. Returns
        once the kernel reports the process stopped (the signal is delivered asynchronously)."""
        self.process.send_signal(signal.SIGSTOP)
        self._wait_for_state(lambda state: state == "T")

    def resume(self):
        self.process.send_signal(signal.SIGCONT)
        self._wait_for_state(lambda state: state != "T")

    def _wait_for_state(self, wanted, timeout=10.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with open("/proc/%d/stat" % self.process.pid) as handle:
                    state = handle.read().rsplit(")", 1)[1].split()[0]
            except (OSError, IndexError):
                return
            if wanted(state):
                return
            time.sleep(0.002)
        raise RuntimeError("callwardend did not change state within %ss" % timeout)

    @property
    def pid(self):
        return self.process.pid

    def ask(self, message, timeout=10.0):
        """One request on a fresh connection, its answer as a dict (raises OSError on failure)."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(self.socket_path)
            sock.sendall(json.dumps(message).encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                chunk = sock.recv(65536)
                if not chunk:
                    raise OSError("connection closed before the answer")
                data += chunk
        return json.loads(data)

    def ask_all(self, messages, timeout=30.0):
        """Many requests pipelined on one connection; their answers in order. A thread writes
        while this one reads: callwarden stops reading from a client that leaves too many answers
        unread, so writing everything first would deadlock."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(timeout)
            sock.connect(self.socket_path)
            payload = b"".join(json.dumps(m).encode() + b"\n" for m in messages)
            writer = threading.Thread(target=sock.sendall, args=(payload,), daemon=True)
            writer.start()
            data = b""
            while data.count(b"\n") < len(messages):
                chunk = sock.recv(1 << 20)
                if not chunk:
                    raise OSError("connection closed before every answer")
                data += chunk
            writer.join()
        return [json.loads(line) for line in data.splitlines()]

    def log(self):
        try:
            with open(self.log_path, errors="replace") as handle:
                return handle.read()[-4000:]
        except OSError:
            return ""

    def close(self):
        if self.process and self.process.poll() is None:
            try:
                self.resume()
            except OSError:
                pass
            self.kill()
        if self.owned_directory:
            shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
