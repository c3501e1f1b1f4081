#!/usr/bin/env python3
"""The latency a switch pays for asking callwarden: real Kamailio with the shipped snippet, sipp
callers at a fixed rate, the same run with the query on and with it switched off
(callwarden.query = 0), back to back.

Timing comes from the kernel: tcpdump captures the loopback traffic to and from Kamailio with
nanosecond timestamps, and for each call (by Call-ID) this script takes
  hold    INVITE into Kamailio -> the INVITE it relays to the queue server (what the proxy adds;
          the query sits in between when it is on)
  setup   INVITE into Kamailio -> the 200 OK it relays back to the caller (what the caller sees)
and prints p50, p99 and p99.9 of each, query on and off, and the difference: the added latency.
(sipp's own response times have millisecond resolution only, too coarse for a target of 1 ms.)

Usage (as root: tcpdump needs it; apt-get install tcpdump kamailio kamailio-python3-modules sip-tester):
    scripts/integrations/latency.py [--rates 100,500] [--seconds 20] [--callers 20000]
Prints Markdown. Uses only loopback and a temporary directory; stops everything it started.
"""

import argparse
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "Tests", "Integrations"))
from daemon import Daemon  # noqa: E402
from sipstack import CallerRun, Kamailio, QueueServers, require, write_callers_csv  # noqa: E402


def percentile(sorted_values, fraction):
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, int(round(fraction * (len(sorted_values) - 1)))))
    return sorted_values[index]


def read_pcap(path, kamailio_port):
    """Call-ID -> {"in": t, "out": t, "ok": t} (seconds) from a tcpdump file of loopback UDP."""
    calls = {}
    with open(path, "rb") as handle:
        header = handle.read(24)
        magic = struct.unpack("<I", header[:4])[0]
        if magic == 0xA1B23C4D:
            scale = 1e-9
        elif magic == 0xA1B2C3D4:
            scale = 1e-6
        else:
            raise RuntimeError("not a little-endian pcap file")
        link_type = struct.unpack("<I", header[20:24])[0]
        link_header = {1: 14, 113: 16, 276: 20}.get(link_type)
        if link_header is None:
            raise RuntimeError("unexpected link type %d" % link_type)
        while True:
            record = handle.read(16)
            if len(record) < 16:
                break
            seconds, fraction, captured, _ = struct.unpack("<IIII", record)
            frame = handle.read(captured)
            when = seconds + fraction * scale
            ip = frame[link_header:]
            if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
                continue
            udp = ip[(ip[0] & 0x0F) * 4:]
            source, destination = struct.unpack(">HH", udp[:4])
            payload = udp[8:]
            first_line, _, rest = payload.partition(b"\r\n")
            call_id = None
            for line in rest.split(b"\r\n"):
                if line[:8].lower() == b"call-id:" or line[:2].lower() == b"i:":
                    call_id = line.split(b":", 1)[1].strip()
                    break
                if not line:
                    break
            if call_id is None:
                continue
            entry = calls.setdefault(call_id, {})
            if first_line.startswith(b"INVITE "):
                key = "in" if destination == kamailio_port else "out"
                entry.setdefault(key, when)
            elif first_line.startswith(b"SIP/2.0 200") and source == kamailio_port and b"INVITE" in rest.split(b"CSeq:", 1)[-1][:40]:
                entry.setdefault("ok", when)
    return calls


def measure(directory, daemon, queues, callers_csv, rate, seconds, query, log):
    name = "%s-%d" % ("on" if query else "off", rate)
    kamailio = Kamailio(os.path.join(directory, name), daemon.socket_path, queues.ports, query=query).start()
    capture_path = os.path.join(directory, name + ".pcap")
    tcpdump = subprocess.Popen(
        [require("tcpdump"), "-i", "lo", "-n", "-U", "-B", "32768", "--time-stamp-precision", "nano",
         "-w", capture_path, "udp port %d" % kamailio.port],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    # tcpdump says "listening on lo" once it captures.
    tcpdump.stderr.readline()
    calls = rate * seconds
    run = CallerRun(directory, name, callers_csv, kamailio.port, calls, rate, limit=rate * 4).start()
    code = run.wait(timeout=seconds * 10 + 120)
    time.sleep(0.5)
    tcpdump.terminate()
    tcpdump.wait(timeout=30)
    tcpdump.stderr.close()
    kamailio.stop()
    successful, failed = run.counts()
    captured = read_pcap(capture_path, kamailio.port)
    waits = sorted(d[2] for d in kamailio.decisions().values())
    hold = sorted(c["out"] - c["in"] for c in captured.values() if "in" in c and "out" in c)
    setup = sorted(c["ok"] - c["in"] for c in captured.values() if "in" in c and "ok" in c)
    fallbacks = sum(1 for d in kamailio.decisions().values() if d[1] not in ("", "off"))
    log("%s: %d calls at %d/s, sipp exit %d, %d successful, %d failed, %d measured, %d fallbacks"
        % (name, calls, rate, code, successful, failed, len(hold), fallbacks))
    return {"hold": hold, "setup": setup, "waits": waits, "successful": successful, "failed": failed,
            "fallbacks": fallbacks, "calls": calls}


def microseconds(value):
    return "%.0f µs" % (value * 1e6)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rates", default="100,500")
    parser.add_argument("--seconds", type=int, default=20, help="length of each run")
    parser.add_argument("--callers", type=int, default=20000, help="callers with a history in the record")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    rates = [int(r) for r in args.rates.split(",")]
    directory = tempfile.mkdtemp(prefix="cw-latency-")
    log = lambda line: print(line, file=sys.stderr, flush=True)  # noqa: E731
    daemon = Daemon(directory=os.path.join(directory, "daemon"))
    os.makedirs(daemon.directory, exist_ok=True)
    queues = QueueServers(directory)
    rng = random.Random(7)
    results = {}
    try:
        daemon.start()
        kinds = ["verbal", "nuisance", "threat", "time_wasting", "physical_threat"]
        reports = [{"type": "abuse", "caller": "+4477%08d" % n, "kind": rng.choice(kinds), "at": time.time() - 86400}
                   for n in range(args.callers)]
        for start in range(0, len(reports), 5000):
            daemon.ask_all(reports[start:start + 5000], timeout=300)
        # 5% of calls from callers with a history, as in callwarden-bench; the rest from a wider population.
        rows = []
        for _ in range(20000):
            if rng.random() < 0.05:
                rows.append(("+4477%08d" % rng.randrange(args.callers), "-", "08001234567"))
            else:
                rows.append(("+4478%08d" % rng.randrange(10 ** 8), "-", "08001234567"))
        csv_path = os.path.join(directory, "callers.csv")
        write_callers_csv(csv_path, rows)
        queues.start()
        for rate in rates:
            for query in (False, True):
                results[(rate, query)] = measure(directory, daemon, queues, csv_path, rate, args.seconds, query, log)
    finally:
        queues.stop()
        daemon.close()
        if args.keep:
            log("files kept in %s" % directory)
        else:
            shutil.rmtree(directory, ignore_errors=True)

    print("| rate | measure | query off p50 | p99 | p99.9 | query on p50 | p99 | p99.9 | added p50 | added p99 |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for rate in rates:
        off, on = results[(rate, False)], results[(rate, True)]
        for measure_name in ("hold", "setup"):
            a, b = off[measure_name], on[measure_name]
            print("| %d/s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                rate, measure_name,
                microseconds(percentile(a, 0.5)), microseconds(percentile(a, 0.99)), microseconds(percentile(a, 0.999)),
                microseconds(percentile(b, 0.5)), microseconds(percentile(b, 0.99)), microseconds(percentile(b, 0.999)),
                microseconds(percentile(b, 0.5) - percentile(a, 0.5)),
                microseconds(percentile(b, 0.99) - percentile(a, 0.99))))
    print()
    for rate in rates:
        on = results[(rate, True)]
        waits = on["waits"]
        print("%d/s, query on: %d calls, %d completed, %d failed, %d fell back; the handler's own wait p50 %s, p99 %s, max %s"
              % (rate, on["calls"], on["successful"], on["failed"], on["fallbacks"],
                 microseconds(percentile(waits, 0.5) / 1e6), microseconds(percentile(waits, 0.99) / 1e6),
                 microseconds((waits[-1] if waits else 0) / 1e6)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
