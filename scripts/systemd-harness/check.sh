#!/bin/bash
# The checks, run inside the booted container (run.sh copies this file in and runs it as root
# with the container's systemd as PID 1). callwarden was staged with scripts/install.sh.
#
# Prints one PASS or FAIL line per check and ends with "N passed, N failed".
set -uo pipefail

socket=/run/callwarden/callwarden.sock
caller=+447700900123
incident_id=c2a1910b13774e1685d997a394fc48de
reloaded_id=b628e2abe88242af82c82c25dfa6b0e3
watchdog_wait=${CALLWARDEN_HARNESS_WATCHDOG_WAIT:-20}

passed=0
failed=0
pass() { passed=$((passed + 1)); echo "PASS: $*"; }
fail() { failed=$((failed + 1)); echo "FAIL: $*"; }
info() { echo "      $*"; }
# check DESCRIPTION COMMAND...: PASS if the command succeeds.
check() {
    local description=$1
    shift
    if "$@"; then pass "$description"; else fail "$description"; fi
}
prop() { systemctl show -P "$2" "$1"; }
# wait_for SECONDS COMMAND...: retries the command every 0.2 s.
wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@"; do
        ((SECONDS >= deadline)) && return 1
        sleep 0.2
    done
}
# send USER LINE: one request line on a new connection as USER; prints the answer.
send() {
    printf '%s\n' "$2" | runuser -u "$1" -- socat -t 30 -T 60 - "UNIX-CONNECT:$socket"
}
journal_count() { journalctl -q -o cat "$@" 2>/dev/null | grep -c . ; }
elapsed() { echo "$(( $(date +%s%N) / 1000000 - $1 ))ms"; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# --- What install.sh tells an admin to run after a staged install -------------------------
check "systemd-sysusers creates callwarden and its groups" \
    systemd-sysusers /usr/lib/sysusers.d/callwarden.conf
check "systemd-tmpfiles creates /etc/callwarden and /var/lib/callwarden" \
    systemd-tmpfiles --create /usr/lib/tmpfiles.d/callwarden.conf
check "journalctl --update-catalog accepts callwarden.catalog" journalctl --update-catalog
check "the catalog explains incidents" sh -c "journalctl --list-catalog $incident_id | grep -q callwarden"
systemctl daemon-reload
check "systemd loads both units" sh -c \
    '[ "$(systemctl show -P LoadState callwarden.socket)/$(systemctl show -P LoadState callwarden.service)" = loaded/loaded ]'

# A switch's service user, in the telephony group, as a real site would have.
useradd --system --no-create-home --groups callwarden-telephony switch 2>/dev/null || true

# --- Socket activation ---------------------------------------------------------------------
check "systemctl start callwarden.socket" systemctl start callwarden.socket
check "the socket is listening, the service not yet started" sh -c \
    '[ "$(systemctl is-active callwarden.socket)" = active ] && [ "$(systemctl is-active callwarden.service)" = inactive ]'
check "the socket file is callwarden:callwarden-telephony, mode 660" sh -c \
    "[ \"\$(stat -c '%U:%G %a' $socket)\" = 'callwarden:callwarden-telephony 660' ]"

started=$(now_ms)
answer=$(send switch "{\"type\":\"abuse\",\"caller\":\"$caller\",\"kind\":\"verbal\",\"id\":1}")
info "answer: $answer ($(elapsed "$started") including the daemon's start)"
if [[ $answer == *'"ok":true'* && $answer == *'"id":1'* ]]; then
    pass "the first connection starts the daemon and the abuse event is recorded"
else
    fail "the first connection starts the daemon and the abuse event is recorded"
fi

check "the service is active (READY=1 was sent)" sh -c \
    '[ "$(systemctl show -P ActiveState callwarden.service)/$(systemctl show -P SubState callwarden.service)" = active/running ]'
pid=$(prop callwarden.service MainPID)
info "MainPID $pid; status: $(prop callwarden.service StatusText)"
info "$(stat -c '%A %U:%G %n' /run/callwarden $socket | tr '\n' ';')"
check "the daemon serves the socket systemd passed (fd 3)" sh -c \
    "readlink /proc/$pid/fd/3 | grep -q '^socket:'"
check "a user outside callwarden-telephony cannot connect" sh -c \
    "! printf '{\"type\":\"status\"}\n' | runuser -u nobody -- socat -t 2 - UNIX-CONNECT:$socket 2>/dev/null"

# --- The journal ---------------------------------------------------------------------------
if wait_for 5 sh -c "[ \$(journalctl -q -o cat CALLWARDEN_CALLER=$caller MESSAGE_ID=$incident_id | grep -c .) -ge 1 ]"; then
    pass "journalctl CALLWARDEN_CALLER=$caller finds the incident (MESSAGE_ID=$incident_id)"
else
    fail "journalctl CALLWARDEN_CALLER=$caller finds the incident (MESSAGE_ID=$incident_id)"
    journalctl -q -o verbose CALLWARDEN_CALLER="$caller" | head -40
fi
check "journalctl -u callwarden has the daemon's entries" sh -c \
    "[ \$(journalctl -q -u callwarden.service -o cat | grep -c .) -ge 1 ]"
check "the daemon's entries carry SYSLOG_IDENTIFIER=callwardend" sh -c \
    "[ \$(journalctl -q -o cat -u callwarden.service SYSLOG_IDENTIFIER=callwardend | grep -c .) -ge 1 ]"

# --- Reload --------------------------------------------------------------------------------
before=$(journal_count -u callwarden.service MESSAGE_ID=$reloaded_id)
started=$(now_ms)
check "systemctl reload callwarden" systemctl reload callwarden.service
if wait_for 10 sh -c "[ \$(journalctl -q -o cat -u callwarden.service MESSAGE_ID=$reloaded_id | grep -c .) -gt $before ]"; then
    pass "the journal shows the policy reloaded (MESSAGE_ID=$reloaded_id) ($(elapsed "$started"))"
else
    fail "the journal shows the policy reloaded (MESSAGE_ID=$reloaded_id)"
fi
check "the reload kept MainPID $pid and the service active" sh -c \
    "[ \"\$(systemctl show -P MainPID callwarden.service)\" = $pid ] && systemctl -q is-active callwarden.service"

# An invalid policy is refused; the old one keeps serving in the same process.
rejected_id=48c9dd35cfa24a3780bc89535fbb2f90
cp /etc/callwarden/policy.yaml /etc/callwarden/policy.yaml.good
printf 'this is: [not a policy\n' > /etc/callwarden/policy.yaml
before=$(journal_count -u callwarden.service MESSAGE_ID=$rejected_id)
systemctl reload callwarden.service
if wait_for 10 sh -c "[ \$(journalctl -q -o cat -u callwarden.service MESSAGE_ID=$rejected_id | grep -c .) -gt $before ]"; then
    pass "an invalid policy is refused and logged (MESSAGE_ID=$rejected_id)"
else
    fail "an invalid policy is refused and logged (MESSAGE_ID=$rejected_id)"
fi
check "the refused reload kept MainPID $pid and the service active" sh -c \
    "[ \"\$(systemctl show -P MainPID callwarden.service)\" = $pid ] && systemctl -q is-active callwarden.service"
info "status: $(prop callwarden.service StatusText)"
mv /etc/callwarden/policy.yaml.good /etc/callwarden/policy.yaml

# --- Hardening, seen from the daemon's own namespaces ----------------------------------------
uid=$(id -u callwarden)
gid=$(id -g callwarden)
as_daemon() { nsenter --target "$pid" --mount --setuid "$uid" --setgid "$gid" -- "$@"; }
check "the daemon runs as callwarden, not root" sh -c "[ \$(stat -c %U /proc/$pid) = callwarden ]"
check "NoNewPrivs, no capabilities, seccomp filter on" sh -c \
    "grep -q '^NoNewPrivs:[[:space:]]*1' /proc/$pid/status && grep -q '^CapEff:[[:space:]]*0000000000000000' /proc/$pid/status && grep -q '^Seccomp:[[:space:]]*2' /proc/$pid/status"
check "the daemon can write its state directory" as_daemon sh -c \
    'touch /var/lib/callwarden/.harness-probe && rm /var/lib/callwarden/.harness-probe'
# As root inside the daemon's mount namespace: permissions would not stop root, only the
# read-only and inaccessible mounts systemd set up for the service.
in_daemon_ns() { nsenter --target "$pid" --mount -- "$@"; }
check "/etc and /usr are read-only to the daemon (ProtectSystem=strict)" in_daemon_ns sh -c \
    '! touch /etc/callwarden/.harness-probe 2>/dev/null && ! touch /usr/.harness-probe 2>/dev/null'
check "/root and /home are empty to the daemon (ProtectHome=yes), not outside" sh -c \
    "[ -n \"\$(ls -A /root)\" ] && nsenter --target $pid --mount -- sh -c '[ -z \"\$(ls -A /root)\" ] && [ -z \"\$(ls -A /home)\" ]'"
check "the daemon has a private /tmp (PrivateTmp=yes)" sh -c \
    "touch /tmp/.harness-probe && nsenter --target $pid --mount -- sh -c '[ ! -e /tmp/.harness-probe ]'; rc=\$?; rm -f /tmp/.harness-probe; exit \$rc"
check "the daemon has no network but loopback (PrivateNetwork=yes)" sh -c \
    "[ \"\$(awk -F: 'NR > 2 { gsub(/ /, \"\", \$1); print \$1 }' /proc/$pid/net/dev)\" = lo ]"

# --- Watchdog ------------------------------------------------------------------------------
check "WatchdogSec=30s reaches the daemon" sh -c \
    "[ \"\$(systemctl show -P WatchdogUSec callwarden.service)\" = 30s ]"
if ((watchdog_wait > 0)); then
    first=$(prop callwarden.service WatchdogTimestampMonotonic)
    if wait_for "$watchdog_wait" sh -c "[ \"\$(systemctl show -P WatchdogTimestampMonotonic callwarden.service)\" != $first ]"; then
        pass "the daemon pings the watchdog (within ${watchdog_wait}s)"
    else
        fail "the daemon pings the watchdog (within ${watchdog_wait}s)"
    fi
fi

# A wedged daemon (stopped with SIGSTOP: it neither answers nor pings) is killed when WatchdogSec=
# runs out and started again. Slow (WatchdogSec= plus the abort timeout), so only on request.
if [[ ${CALLWARDEN_HARNESS_WEDGE:-0} == 1 ]]; then
    started=$(now_ms)
    kill -STOP "$pid"
    if wait_for 90 sh -c "[ \"\$(systemctl show -P NRestarts callwarden.service)\" -ge 1 ] && systemctl -q is-active callwarden.service"; then
        pass "a wedged daemon is killed by the watchdog and restarted ($(elapsed "$started"))"
    else
        fail "a wedged daemon is killed by the watchdog and restarted"
    fi
    journalctl -q -u callwarden.service --no-pager | grep -i watchdog | sed 's/^/      /'
    pid=$(prop callwarden.service MainPID)
fi

# --- Stop, and start again through the socket ---------------------------------------------
started=$(now_ms)
check "systemctl stop callwarden" systemctl --quiet stop callwarden.service
info "stopped in $(elapsed "$started")"
check "the stop was clean (Result=success, inactive)" sh -c \
    '[ "$(systemctl show -P Result callwarden.service)" = success ] && [ "$(systemctl is-active callwarden.service)" = inactive ]'
check "the socket stays, with its file, while the service is stopped" sh -c \
    "systemctl -q is-active callwarden.socket && [ -S $socket ]"
answer=$(send switch "{\"type\":\"abuse\",\"caller\":\"$caller\",\"kind\":\"verbal\",\"id\":2}")
check "a new connection starts the daemon again and is answered" bash -c \
    "[[ '$answer' == *'\"ok\":true'* ]] && [ \"\$(systemctl show -P MainPID callwarden.service)\" != $pid ]"
check "systemctl stop callwarden.socket callwarden removes the socket file" sh -c \
    "systemctl --quiet stop callwarden.socket callwarden.service && [ ! -e $socket ] && [ \"\$(systemctl show -P Result callwarden.service)\" = success ]"

if ((failed > 0)); then
    echo "--- journalctl -u callwarden (last 40 lines) ---"
    journalctl -q -u callwarden.service -u callwarden.socket --no-pager | tail -40
fi
echo "$passed passed, $failed failed"
((failed == 0))
