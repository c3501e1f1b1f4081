"""Asterisk's side of the AGI protocol, for testing the AGI script and the FastAGI service without
Asterisk (not in Debian 12).

It does what Asterisk's res_agi does for the commands the scripts use: sends the agi_* environment
and a blank line, then answers each command line with `200 result=...`. SET VARIABLE and GET
VARIABLE work on a channel's variables (a leading `__` or `_` marks a variable the channels that
Queue() creates inherit, and is not part of its name when read); GET FULL VARIABLE evaluates
`${NAME}`, `${CHANNEL(field)}`, and the functions the scripts ask for caller-id trust:
`${IFMODULE(name.so)}`, `${STIR_SHAKEN(count)}`, `${STIR_SHAKEN(index,attestation|verify_result)}`
(res_stir_shaken's results on the channel, as Asterisk keeps them) and
`${PJSIP_HEADER(read,Name)}` (a header of the INVITE; only on a PJSIP channel); VERBOSE is kept as the console would show it; anything else is
`510 Invalid or unknown command`, as Asterisk answers. Arguments are split as res_agi's parse_args
does: whitespace outside double quotes, backslash escaping the next character.
"""

import re
import socket
import subprocess
import sys


def parse_args(line):
    args, current, quoted, escaped, started = [], [], False, False, False
    for ch in line:
        if escaped:
            current.append(ch)
            escaped, started = False, True
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted, started = not quoted, True
        elif ch in " \t" and not quoted:
            if started:
                args.append("".join(current))
                current, started = [], False
        else:
            current.append(ch)
            started = True
    if started:
        args.append("".join(current))
    return args


class Channel:
    """One Asterisk channel as the AGI sees it."""

    def __init__(self, name, uniqueid, callerid="", dnid="", extension="s", variables=None,
                 hangupsource="", modules=(), stir_shaken=(), headers=None):
        self.name, self.uniqueid = name, uniqueid
        # Loaded modules (IFMODULE), res_stir_shaken's results ({"identity", "attestation",
        # "verify_result"} each) and the INVITE's headers (PJSIP_HEADER).
        self.modules, self.stir_shaken = set(modules), list(stir_shaken)
        self.headers = dict(headers or {})
        self.callerid, self.dnid, self.extension = callerid, dnid, extension
        self.variables = dict(variables or {})
        self.inheritable = set()
        self.hangupsource = hangupsource
        self.console = []
        self.commands = []

    def environment(self, script, args, network_script=None):
        env = [("agi_request", script), ("agi_channel", self.name), ("agi_language", "en"),
               ("agi_type", self.name.split("/")[0]), ("agi_uniqueid", self.uniqueid),
               ("agi_version", "20.5.0"), ("agi_callerid", self.callerid or "unknown"),
               ("agi_calleridname", "unknown"), ("agi_callingpres", "0"), ("agi_dnid", self.dnid or "unknown"),
               ("agi_rdnis", "unknown"), ("agi_context", "callwarden-inbound"),
               ("agi_extension", self.extension), ("agi_priority", "5"), ("agi_enhanced", "0.0"),
               ("agi_accountcode", ""), ("agi_threadid", "140000000000000")]
        if network_script is not None:
            env.append(("agi_network", "yes"))
            env.append(("agi_network_script", network_script))
        env += [("agi_arg_%d" % (i + 1), a) for i, a in enumerate(args)]
        return "".join("%s: %s\n" % pair for pair in env) + "\n"

    def child(self, name, uniqueid):
        """The channel Queue() creates for an agent: it inherits the caller's `__` variables."""
        inherited = {key: self.variables[key] for key in self.inheritable}
        agent = Channel(name, uniqueid, variables=inherited)
        agent.inheritable = set(self.inheritable)
        return agent

    def answer(self, line):
        self.commands.append(line)
        args = parse_args(line)
        words = [a.upper() for a in args[:3]]
        if words[:2] == ["SET", "VARIABLE"] and len(args) >= 4:
            name = args[2]
            bare = name.lstrip("_")
            if name.startswith("__"):
                self.inheritable.add(bare)
            self.variables[bare] = args[3]
            return "200 result=1"
        if words[:2] == ["GET", "VARIABLE"] and len(args) >= 3:
            if args[2] in self.variables:
                return "200 result=1 (%s)" % self.variables[args[2]]
            return "200 result=0"
        if words == ["GET", "FULL", "VARIABLE"] and len(args) >= 4:
            return "200 result=1 (%s)" % self.evaluate(args[3])
        if words[:1] == ["VERBOSE"] and len(args) >= 2:
            self.console.append(args[1])
            return "200 result=1"
        return "510 Invalid or unknown command"

    def evaluate(self, expression):
        def value(match):
            inner = match.group(1)
            function = re.fullmatch(r"(\w+)\((.*)\)", inner)
            if not function:
                return self.variables.get(inner, "")
            name, args = function.group(1), [a.strip() for a in function.group(2).split(",")]
            if name == "CHANNEL":
                return {"hangupsource": self.hangupsource, "name": self.name,
                        "linkedid": self.uniqueid, "uniqueid": self.uniqueid}.get(args[0], "")
            if name == "IFMODULE":
                return "1" if args[0] in self.modules else "0"
            if name == "STIR_SHAKEN" and "res_stir_shaken.so" in self.modules:
                if args == ["count"]:
                    return str(len(self.stir_shaken))
                if len(args) == 2 and args[0].isdigit() and int(args[0]) < len(self.stir_shaken):
                    return self.stir_shaken[int(args[0])].get(args[1], "")
                return ""
            if name == "PJSIP_HEADER" and self.name.startswith("PJSIP/") and args[0] == "read":
                return self.headers.get(args[1], "")
            # Asterisk logs an error for a function it does not have; the tests must not ask one.
            self.console.append("ERROR: Function %s not registered" % name)
            return ""
        return re.sub(r"\$\{([^}]*)\}", value, expression)

    def converse(self, reader, writer, script, args, network_script=None):
        writer.write(self.environment(script, args, network_script))
        writer.flush()
        while True:
            line = reader.readline()
            if not line:
                return
            writer.write(self.answer(line.rstrip("\r\n")) + "\n")
            writer.flush()


def run_script(path, channel, args, environment, timeout=30):
    """Runs the AGI script as Asterisk does (stdin/stdout pipes); returns its exit code."""
    process = subprocess.Popen([sys.executable, path] + list(args), stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env=environment)
    try:
        channel.converse(process.stdout, process.stdin, path, args)
    except BrokenPipeError:
        pass
    try:
        process.stdin.close()
    except BrokenPipeError:
        pass
    code = process.wait(timeout=timeout)
    channel.stderr = process.stderr.read()
    process.stderr.close()
    process.stdout.close()
    return code


def run_fastagi(port, channel, action, args, timeout=30):
    """One FastAGI request, as AGI(agi://127.0.0.1:port/action,args...) makes it."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        reader = sock.makefile("r", encoding="utf-8", newline="\n")
        writer = sock.makefile("w", encoding="utf-8", newline="\n")
        channel.converse(reader, writer, "agi://127.0.0.1/%s" % action, args, network_script=action)
