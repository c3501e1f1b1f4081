#!/bin/bash
# Boots Debian 12's systemd 252 as PID 1 in private namespaces and checks callwarden under it:
# socket activation, READY, reload, the journal fields, the hardening and a clean stop.
#
# Usage: scripts/systemd-harness/run.sh [--boot-only] [BUILD_DIR]
#   BUILD_DIR    where callwardend and callwardenctl were built (default: .build/debug). A debug
#                build is fine: the host's /opt/swift is mounted read-only at the same path, so
#                the Swift runtime resolves without a static build.
#   --boot-only  boot, run a hardened throwaway service, shut down: checks the harness itself.
#
# Environment:
#   CALLWARDEN_HARNESS_ROOTFS          the cached Debian rootfs (default
#                                      /var/cache/callwarden-harness/rootfs; built on first use).
#   CALLWARDEN_HARNESS_KEEP=1          keep the run directory (overlay upper layer, logs).
#   CALLWARDEN_HARNESS_WATCHDOG_WAIT   seconds to wait for a watchdog ping (default 20; 0 skips).
#   CALLWARDEN_HARNESS_WEDGE=1         also freeze the daemon and check that the watchdog kills and
#                                      restarts it (adds about a minute).
#
# Needs root, unshare(1) and a writable cgroup2 hierarchy. Where the kernel or a sandbox refuses
# the namespaces, it prints SKIP and exits 0 - except under CI=true, where a harness that cannot
# run fails the run (exit 3) unless CALLWARDEN_ALLOW_SKIP names `systemd-harness`.
# Prints PASS/FAIL lines and "N passed, N failed"; exits non-zero if any check failed.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repository=$(cd "$here/../.." && pwd)
boot_only=0
if [[ ${1:-} == --boot-only ]]; then
    boot_only=1
    shift
fi
build_dir=${1:-$repository/.build/debug}
rootfs=${CALLWARDEN_HARNESS_ROOTFS:-/var/cache/callwarden-harness/rootfs}

skip() {
    if [[ ${CI:-} == true && ",${CALLWARDEN_ALLOW_SKIP:-}," != *",systemd-harness,"* ]]; then
        echo "FAIL: the systemd harness cannot run here: $* (set CALLWARDEN_ALLOW_SKIP=systemd-harness to allow)"
        exit 3
    fi
    echo "SKIP: $*"
    exit 0
}
die() { echo "harness: error: $*" >&2; exit 2; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
t0=$(now_ms)

# --- Can this machine do it at all? ------------------------------------------------------
[[ $(id -u) == 0 ]] || skip "the harness needs root (namespaces, mounts, pivot_root)"
command -v unshare >/dev/null || skip "unshare(1) not found"
command -v nsenter >/dev/null || skip "nsenter(1) not found"
if ! unshare --pid --fork --mount --uts --ipc --cgroup true 2>/dev/null; then
    skip "unshare --pid --mount --uts --ipc --cgroup was refused here"
fi

# systemd 252 needs a writable cgroup2 hierarchy: the unified mount of a hybrid host
# (/sys/fs/cgroup/unified) or a pure cgroup2 /sys/fs/cgroup.
cgroup_root=
for candidate in /sys/fs/cgroup/unified /sys/fs/cgroup; do
    if [[ $(stat -f -c %T "$candidate" 2>/dev/null) == cgroup2fs ]]; then
        cgroup_root=$candidate
        break
    fi
done
[[ -n $cgroup_root ]] || skip "no cgroup2 hierarchy mounted"
cgroup=$cgroup_root/callwarden-harness-$$
mkdir "$cgroup" 2>/dev/null || skip "cannot create a cgroup under $cgroup_root"

if ((!boot_only)); then
    for binary in callwardend callwardenctl; do
        [[ -x $build_dir/$binary ]] || { rmdir "$cgroup"; die "$build_dir/$binary not found: run swift build first"; }
    done
fi

"$here/build-rootfs.sh" "$rootfs" || { rmdir "$cgroup"; die "could not build the rootfs"; }

# --- A throwaway layer over the cached rootfs ----------------------------------------------
run=$(mktemp -d /var/tmp/callwarden-harness.XXXXXX)
mkdir -p "$run/upper" "$run/work" "$run/root"
unshare_pid=
pid1=

cleanup() {
    if [[ -n $pid1 ]] && kill -0 "$pid1" 2>/dev/null; then
        # SIGRTMIN+4 asks systemd to power off; in a container that means exit.
        kill -s SIGRTMIN+4 "$pid1" 2>/dev/null
        for _ in $(seq 1 100); do kill -0 "$pid1" 2>/dev/null || break; sleep 0.2; done
        kill -s KILL "$pid1" 2>/dev/null
    fi
    [[ -n $unshare_pid ]] && wait "$unshare_pid" 2>/dev/null
    # Child cgroups go first; a cgroup is removed with rmdir once empty.
    find "$cgroup" -depth -type d -exec rmdir {} + 2>/dev/null
    if [[ ${CALLWARDEN_HARNESS_KEEP:-0} == 1 ]]; then
        echo "kept $run"
    else
        rm -rf "$run"
    fi
}
trap cleanup EXIT

if ((!boot_only)); then
    # Staged exactly as a packager would; check.sh then runs the post-install steps inside.
    DESTDIR=$run/upper "$repository/scripts/install.sh" "$build_dir" > "$run/install.log" 2>&1 \
        || { cat "$run/install.log"; die "scripts/install.sh failed"; }
    install -D -m 0755 "$here/check.sh" "$run/upper/usr/local/lib/callwarden-harness/check.sh"
fi

# --- Boot ----------------------------------------------------------------------------------
boot_started=$(now_ms)
(
    echo $BASHPID > "$cgroup/cgroup.procs"
    exec unshare --pid --fork --mount --uts --ipc --cgroup --kill-child -- \
        /bin/bash -c '
            set -e
            mount --make-rprivate /
            mount -t overlay overlay -o "lowerdir=$1,upperdir=$2,workdir=$3" "$4"
            exec "$5" "$4"
        ' harness "$rootfs" "$run/upper" "$run/work" "$run/root" "$here/init.sh"
) > "$run/boot.log" 2>&1 &
unshare_pid=$!

for _ in $(seq 1 50); do
    pid1=$(pgrep -P "$unshare_pid" | head -1)
    [[ -n $pid1 ]] && break
    sleep 0.1
done
[[ -n $pid1 ]] || { cat "$run/boot.log"; die "the namespace's init did not start"; }

inside() { nsenter --target "$pid1" --mount --uts --ipc --pid --cgroup --root --wd -- "$@"; }

state=
for _ in $(seq 1 300); do
    state=$(inside systemctl is-system-running 2>/dev/null)
    [[ $state == running || $state == degraded ]] && break
    sleep 0.2
done
boot_ms=$(( $(now_ms) - boot_started ))
if [[ $state != running && $state != degraded ]]; then
    cat "$run/boot.log"
    echo "FAIL: systemd 252 boots as PID 1 (state: ${state:-no answer})"
    echo "0 passed, 1 failed"
    exit 1
fi
echo "PASS: systemd $(inside systemctl --version | head -1 | cut -d' ' -f2) boots as PID 1 in private namespaces (${boot_ms}ms, $state)"
if [[ $state == degraded ]]; then
    inside systemctl --failed --no-pager --plain | sed 's/^/      /'
fi

# --- Checks --------------------------------------------------------------------------------
checks_started=$(now_ms)
if ((boot_only)); then
    passed=1 failed=0
    # systemd-run --wait needs D-Bus, which the rootfs leaves out: poll the unit instead.
    inside systemd-run --quiet --unit=harness-probe -p RemainAfterExit=yes \
        -p User=nobody -p ProtectSystem=strict -p ProtectHome=yes -p PrivateTmp=yes \
        -p PrivateDevices=yes -p PrivateNetwork=yes -p NoNewPrivileges=yes \
        -p SystemCallFilter=@system-service -p MemoryDenyWriteExecute=yes \
        /bin/sh -c 'touch /tmp/probe && ! touch /usr/probe 2>/dev/null'
    for _ in $(seq 1 50); do
        [[ $(inside systemctl show -P SubState harness-probe.service) == exited ]] && break
        sleep 0.1
    done
    if [[ $(inside systemctl show -P Result harness-probe.service) == success &&
          $(inside systemctl show -P ExecMainStatus harness-probe.service) == 0 ]]; then
        passed=2
        echo "PASS: a hardened service runs under it (ProtectSystem=strict holds)"
    else
        failed=1
        echo "FAIL: a hardened service runs under it (ProtectSystem=strict holds)"
        inside journalctl -q -u harness-probe.service --no-pager | tail -10
    fi
    echo "timings: boot ${boot_ms}ms, checks $(( $(now_ms) - checks_started ))ms, total $(( $(now_ms) - t0 ))ms"
    echo "$passed passed, $failed failed"
    ((failed == 0))
    exit
fi

# Some kernels refuse the mount namespacing of PrivateDevices=yes inside these nested namespaces
# for every unit, callwarden's or not ("Failed to set up mount namespacing: .../dev: Invalid
# argument", status 226/NAMESPACE). Probe with a bare unit; if it is refused, run every check with
# a drop-in that sets PrivateDevices=no, and say so: the rest of the hardening is still checked,
# and on a real host `systemd-analyze security` (SystemdFilesTests) still sees PrivateDevices=yes.
inside systemd-run --quiet --unit=harness-devices -p RemainAfterExit=yes -p PrivateDevices=yes /bin/true
for _ in $(seq 1 50); do
    [[ $(inside systemctl show -P SubState harness-devices.service) == exited ||
       $(inside systemctl show -P Result harness-devices.service) != success ]] && break
    sleep 0.1
done
if [[ $(inside systemctl show -P ExecMainStatus harness-devices.service) == 226 ]]; then
    echo "NOTE: this kernel refuses PrivateDevices=yes in these namespaces for any unit; the checks run with PrivateDevices=no"
    inside mkdir -p /etc/systemd/system/callwarden.service.d
    inside sh -c 'printf "[Service]\nPrivateDevices=no\n" > /etc/systemd/system/callwarden.service.d/harness-devices.conf'
fi

inside env CALLWARDEN_HARNESS_WATCHDOG_WAIT="${CALLWARDEN_HARNESS_WATCHDOG_WAIT:-20}" \
    CALLWARDEN_HARNESS_WEDGE="${CALLWARDEN_HARNESS_WEDGE:-0}" \
    /bin/bash /usr/local/lib/callwarden-harness/check.sh | tee "$run/check.log"
status=${PIPESTATUS[0]}
echo "timings: boot ${boot_ms}ms, checks $(( $(now_ms) - checks_started ))ms, total $(( $(now_ms) - t0 ))ms"
# The first line counted the boot; check.sh's closing line does not include it.
summary=$(tail -1 "$run/check.log")
if [[ $summary =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    echo "$((BASH_REMATCH[1] + 1)) passed, ${BASH_REMATCH[2]} failed"
else
    echo "FAIL: check.sh did not finish"
    echo "1 passed, 1 failed"
    status=1
fi
exit "$status"
