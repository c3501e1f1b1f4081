#!/usr/bin/env python3
"""callwarden for Asterisk as a FastAGI service: the same logic as callwarden_agi.py, without a
Python start per call, and with persistent connections to callwarden.

    callwarden_fastagi.py [--listen 127.0.0.1] [--port 4573]

From the dialplan: AGI(agi://127.0.0.1/route), AGI(agi://127.0.0.1/abuse,verbal), ... (the path
names the action, the arguments follow). Settings as for callwarden_agi.py (CALLWARDEN_SOCKET,
CALLWARDEN_BUDGET_MS, CALLWARDEN_POLICY).

It listens on loopback only by default. Anyone who can connect to it can send reports as the
switch, so keep it on loopback, on a host where local users are trusted, or behind a firewall rule
that admits only Asterisk (docs/integrations.md). SIGTERM or SIGINT stops it.
"""

import argparse
import io
import os
import queue
import signal
import socketserver
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import callwarden_agi  # noqa: E402


class ClientPool:
    """callwarden clients for the handler threads: one per thread at a time (a client is not shared
    while in use), kept between calls so their connections persist. At most `size` are kept idle."""

    def __init__(self, size=16):
        self.idle = queue.LifoQueue(maxsize=size)

    def take(self):
        try:
            return self.idle.get_nowait()
        except queue.Empty:
            return callwarden_agi.make_client()

    def give_back(self, client):
        try:
            self.idle.put_nowait(client)
        except queue.Full:
            client.close()


class Handler(socketserver.StreamRequestHandler):
    def handle(self):
        reader = io.TextIOWrapper(self.rfile, encoding="utf-8", errors="replace", newline="\n")
        writer = io.TextIOWrapper(self.wfile, encoding="utf-8", errors="replace", newline="\n", write_through=True)
        agi = callwarden_agi.AGI(reader, writer)
        action = agi.env.get("agi_network_script", "").strip("/") or "route"
        client = self.server.pool.take()
        try:
            callwarden_agi.serve(agi, client, action, agi.args())
        finally:
            self.server.pool.give_back(client)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address):
        super().__init__(address, Handler)
        self.pool = ClientPool()


def main():
    parser = argparse.ArgumentParser(description="callwarden FastAGI service for Asterisk")
    parser.add_argument("--listen", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4573)
    args = parser.parse_args()
    server = Server((args.listen, args.port))

    def stop(signum, frame):
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("callwarden FastAGI listening on %s:%d" % server.server_address, flush=True)
    server.serve_forever()
    server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
