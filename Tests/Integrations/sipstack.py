"""Real Kamailio and sipp on loopback, for the end-to-end test and the latency benchmark.

Kamailio runs the shipped example configuration (Config/integrations/kamailio/kamailio-example.cfg,
which includes the shipped snippet) with its own ports and runtime directory in a temporary
directory; it is started and stopped here, never as a system service. Three sipp queue servers
(support, supervisor, nuisance) answer the calls it relays; a sipp caller places calls from a CSV.
Ports are free loopback UDP ports picked at start, so a Kamailio bound to 5060 elsewhere on the
machine does not collide.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time

from daemon import INTEGRATIONS, SOURCE_ROOT

SIPP_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "sipp")
KAMAILIO_DIR = os.path.join(INTEGRATIONS, "kamailio")
QUEUES = ("support", "supervisor", "nuisance")
DECISION_LINE = re.compile(
    r"callwarden: call (?P<call>\S+) from (?P<user>\S*) to queue (?P<queue>\S+) "
    r"fallback '(?P<fallback>[^']*)' waited (?P<waited>\d+) us cpu wait (?P<cpu_wait>\d+|<null>) us")


def free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require(program):
    path = shutil.which(program)
    if path is None:
        raise RuntimeError("%s is not installed (apt-get install kamailio kamailio-python3-modules sip-tester)" % program)
    return path


class QueueServers:
    """One sipp server per queue; each answers with its queue's name."""

    def __init__(self, directory):
        self.directory = directory
        self.ports = {queue: free_udp_port() for queue in QUEUES}
        self.processes = []

    def start(self):
        for queue, port in self.ports.items():
            log = open(os.path.join(self.directory, "uas-%s.out" % queue), "wb")
            self.processes.append(subprocess.Popen(
                [require("sipp"), "-sf", os.path.join(SIPP_DIR, "queue_uas.xml"), "-i", "127.0.0.1",
                 "-p", str(port), "-key", "queue", queue, "-nostdin", "-trace_err",
                 "-error_file", os.path.join(self.directory, "uas-%s-errors.log" % queue)],
                cwd=self.directory, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT))
            log.close()
        return self

    def stop(self):
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes = []


class Kamailio:
    """Kamailio with the example configuration, in the foreground of its own process group."""

    def __init__(self, directory, daemon_socket, queue_ports, budget_ms=200, query=True, children=4,
                 policy=None, measure_runqueue=False):
        self.measure_runqueue = measure_runqueue
        self.directory = os.path.join(directory, "kamailio")
        os.makedirs(self.directory, exist_ok=True)
        self.port = free_udp_port()
        self.log_path = os.path.join(self.directory, "kamailio.log")
        self.process = None
        config = os.path.join(self.directory, "kamailio.cfg")
        # The example configuration as shipped; only the snippet's path is made absolute.
        with open(os.path.join(KAMAILIO_DIR, "kamailio-example.cfg")) as handle:
            text = handle.read().replace('include_file "callwarden.cfg"',
                                         'include_file "%s"' % os.path.join(KAMAILIO_DIR, "callwarden.cfg"))
        with open(config, "w") as handle:
            handle.write(text)
        defines = {
            "LISTEN": "udp:127.0.0.1:%d" % self.port,
            "CHILDREN": str(children),
            "CALLWARDEN_SOCKET": '"%s"' % daemon_socket,
            "CALLWARDEN_POLICY": '"%s"' % (policy or os.path.join(SOURCE_ROOT, "Config", "policy.yaml")),
            "CALLWARDEN_KEMI": '"%s"' % os.path.join(KAMAILIO_DIR, "callwarden_kemi.py"),
            "CALLWARDEN_BUDGET_MS": str(budget_ms),
            # The one difference between the two runs of the latency benchmark.
            "CALLWARDEN_QUERY": "1" if query else "0",
        }
        for queue, port in queue_ports.items():
            defines["QUEUE_" + queue.upper()] = '"sip:127.0.0.1:%d"' % port
        # -m: shared memory in MB. The 64 MB default runs out at 500 calls/s (each transaction is
        # kept a few seconds after it completes).
        self.command = [require("kamailio"), "-f", config, "-DD", "-E", "-m", "512", "-Y", self.directory,
                        "-P", os.path.join(self.directory, "kamailio.pid"), "-w", self.directory]
        for name, value in defines.items():
            self.command += ["-A", "%s=%s" % (name, value)]

    def start(self, timeout=30.0):
        log = open(self.log_path, "ab")
        environment = dict(os.environ, PYTHONDONTWRITEBYTECODE="1",
                           CALLWARDEN_MEASURE_RUNQUEUE="1" if self.measure_runqueue else "0")
        self.process = subprocess.Popen(self.command, cwd=self.directory, stdin=subprocess.DEVNULL,
                                        stdout=log, stderr=subprocess.STDOUT, env=environment,
                                        start_new_session=True)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("kamailio exited with %s:\n%s" % (self.process.returncode, self.log()[-3000:]))
            if self._answers_options():
                return self
        raise RuntimeError("kamailio not answering after %ss:\n%s" % (timeout, self.log()[-3000:]))

    def _answers_options(self):
        """An OPTIONS request is answered 405 by the example configuration once a worker runs."""
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.bind(("127.0.0.1", 0))
            probe.settimeout(0.2)
            port = probe.getsockname()[1]
            request = ("OPTIONS sip:probe@127.0.0.1:%d SIP/2.0\r\n"
                       "Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-probe%d\r\n"
                       "From: <sip:probe@127.0.0.1>;tag=probe\r\nTo: <sip:probe@127.0.0.1>\r\n"
                       "Call-ID: probe-%d@127.0.0.1\r\nCSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\n"
                       "Content-Length: 0\r\n\r\n" % (self.port, port, time.monotonic_ns(), time.monotonic_ns()))
            probe.sendto(request.encode(), ("127.0.0.1", self.port))
            try:
                return probe.recv(65536).startswith(b"SIP/2.0 405")
            except OSError:
                return False

    def stop(self):
        if self.process and self.process.poll() is None:
            # Kamailio's main process stops its children on SIGTERM.
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def log(self):
        try:
            with open(self.log_path, errors="replace") as handle:
                return handle.read()
        except OSError:
            return ""

    def decisions(self):
        """Call-ID -> (queue, fallback, waited µs, of which waiting for a CPU µs or None) from the
        example configuration's log line."""
        found = {}
        for match in DECISION_LINE.finditer(self.log()):
            cpu_wait = match.group("cpu_wait")
            found[match.group("call")] = (match.group("queue"), match.group("fallback"), int(match.group("waited")),
                                          None if cpu_wait == "<null>" else int(cpu_wait))
        return found


def write_callers_csv(path, rows):
    """rows: (number as presented, expected queue, dialed number)."""
    with open(path, "w") as handle:
        handle.write("SEQUENTIAL\n")
        for number, expected, dialed in rows:
            handle.write("%s;%s;%s;\n" % (number, expected, dialed))


class CallerRun:
    """One sipp caller run: `calls` calls at `rate` per second from the CSV, through Kamailio."""

    def __init__(self, directory, name, csv_path, kamailio_port, calls, rate, limit=200,
                 scenario="caller_uac.xml", from_params=";user=phone"):
        self.directory = os.path.join(directory, name)
        os.makedirs(self.directory, exist_ok=True)
        self.log_file = os.path.join(self.directory, "calls.log")
        self.command = [
            require("sipp"), "-sf", os.path.join(SIPP_DIR, scenario), "-inf", csv_path,
            "-i", "127.0.0.1", "-p", str(free_udp_port()), "127.0.0.1:%d" % kamailio_port,
            "-m", str(calls), "-r", str(rate), "-l", str(limit), "-nostdin", "-key", "from_params", from_params,
            "-trace_logs", "-log_file", self.log_file, "-trace_rtt", "-rtt_freq", "1",
            "-trace_err", "-error_file", os.path.join(self.directory, "errors.log"),
            "-trace_stat", "-stf", os.path.join(self.directory, "stats.csv"),
            "-recv_timeout", "10000", "-timeout", "600s", "-timeout_error"]
        self.process = None

    def start(self):
        out = open(os.path.join(self.directory, "sipp.out"), "wb")
        self.process = subprocess.Popen(self.command, cwd=self.directory, stdin=subprocess.DEVNULL,
                                        stdout=out, stderr=subprocess.STDOUT)
        out.close()
        return self

    def wait(self, timeout=600):
        return self.process.wait(timeout=timeout)

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def outcomes(self):
        """One (call_id, number, expected, reached, header) per answered call."""
        rows = []
        try:
            with open(self.log_file, errors="replace") as handle:
                for line in handle:
                    parts = line.rstrip("\n").split("|")
                    if len(parts) == 5:
                        rows.append(tuple(part.strip() for part in parts))
        except OSError:
            pass
        return rows

    def counts(self):
        """(successful, failed) calls from sipp's last statistics line."""
        path = os.path.join(self.directory, "stats.csv")
        with open(path) as handle:
            lines = [line.rstrip("\n").split(";") for line in handle if line.strip()]
        header, last = lines[0], lines[-1]
        return int(last[header.index("SuccessfulCall(C)")]), int(last[header.index("FailedCall(C)")])
