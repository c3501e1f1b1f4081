#!/bin/bash
# Builds (once) the Debian 12 root filesystem that the harness boots systemd 252 in.
#
# The rootfs is cached outside the repository because it is ~250 MB of someone else's files and
# takes a few minutes to make; later runs reuse it. Delete the directory to rebuild it.
#
# Usage: scripts/systemd-harness/build-rootfs.sh [ROOTFS]
#   ROOTFS defaults to $CALLWARDEN_HARNESS_ROOTFS or /var/cache/callwarden-harness/rootfs.
set -euo pipefail

rootfs="${1:-${CALLWARDEN_HARNESS_ROOTFS:-/var/cache/callwarden-harness/rootfs}}"
mirror="${CALLWARDEN_HARNESS_MIRROR:-http://deb.debian.org/debian}"

# minbase has no init: systemd and systemd-sysv make /sbin/init systemd 252. socat is the test's
# client for the Unix socket; libsqlite3-0 is the store's library (the Swift runtime comes from the
# host's toolchain, bind-mounted). D-Bus is left out: systemctl talks to PID 1 over its private
# socket (/run/systemd/private) when it runs as root, which is all the harness needs.
packages="systemd,systemd-sysv,socat,procps,libsqlite3-0"
stamp="$rootfs/.callwarden-harness-ready"

# The stamp holds the package list, so adding a package here rebuilds the cached rootfs.
if [[ -x "$rootfs/lib/systemd/systemd" && -f "$stamp" && "$(cat "$stamp")" == "$packages" ]]; then
    echo "rootfs ready: $rootfs"
    exit 0
fi

if ! command -v debootstrap >/dev/null 2>&1; then
    echo "installing debootstrap"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
fi

# A half-made rootfs (an interrupted debootstrap) is not worth repairing.
rm -rf "$rootfs"
mkdir -p "$(dirname "$rootfs")"
debootstrap --variant=minbase --include="$packages" bookworm "$rootfs" "$mirror"

# Boot-time units that need real hardware, a real tty or a network do nothing useful here and
# some wait for devices that never appear; masking keeps the boot quick and the state "running".
for unit in \
    getty@tty1.service console-getty.service serial-getty@.service \
    systemd-udevd.service systemd-udevd-control.socket systemd-udevd-kernel.socket \
    systemd-udev-trigger.service systemd-udev-settle.service \
    systemd-networkd.service systemd-networkd.socket systemd-resolved.service \
    systemd-timesyncd.service systemd-logind.service \
    systemd-remount-fs.service systemd-firstboot.service \
    sys-kernel-debug.mount sys-kernel-tracing.mount sys-kernel-config.mount \
    sys-fs-fuse-connections.mount dev-hugepages.mount dev-mqueue.mount \
    systemd-binfmt.service proc-sys-fs-binfmt_misc.automount \
    systemd-hwdb-update.service systemd-modules-load.service kmod-static-nodes.service \
    systemd-random-seed.service systemd-pstore.service e2scrub_reap.service \
    apt-daily.timer apt-daily-upgrade.timer fstrim.timer e2scrub_all.timer \
    systemd-tmpfiles-clean.timer dpkg-db-backup.timer; do
    ln -sf /dev/null "$rootfs/etc/systemd/system/$unit"
done

echo "callwarden-harness" > "$rootfs/etc/hostname"
: > "$rootfs/etc/machine-id"
echo "$packages" > "$stamp"
echo "rootfs ready: $rootfs"
