#!/bin/bash
# PID 1 of the harness's private PID namespace, until it execs systemd.
#
# Started by run.sh through `unshare --pid --fork --mount --uts --ipc --cgroup`, already inside
# the cgroup run.sh made for it. It mounts what systemd expects of a container (see systemd's
# "Container Interface": /proc, read-only /sys, a writable cgroup2 at /sys/fs/cgroup, a small
# /dev) on the root filesystem given (a mount point), makes it the root and becomes systemd 252.
#
# Usage (internal): init.sh ROOT
set -euo pipefail
root=$1

# Nothing mounted here may leak back to the host.
mount --make-rprivate /

mount -t proc proc "$root/proc"
mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
# The cgroup namespace makes the cgroup run.sh created look like the root of the hierarchy.
mount -t cgroup2 -o nosuid,nodev,noexec cgroup2 "$root/sys/fs/cgroup"

mount -t tmpfs -o mode=0755,size=16m,nosuid tmpfs "$root/dev"
for node in null zero full random urandom tty; do
    touch "$root/dev/$node"
    mount --bind "/dev/$node" "$root/dev/$node"
done
mkdir -p "$root/dev/pts" "$root/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$root/dev/pts"
ln -s pts/ptmx "$root/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
ln -s /proc/self/fd "$root/dev/fd"
ln -s /proc/self/fd/0 "$root/dev/stdin"
ln -s /proc/self/fd/1 "$root/dev/stdout"
ln -s /proc/self/fd/2 "$root/dev/stderr"

# A debug build links the Swift runtime from the toolchain by absolute RUNPATH: the same path,
# read-only, saves a static build.
if [[ -d /opt/swift ]]; then
    mkdir -p "$root/opt/swift"
    mount --bind /opt/swift "$root/opt/swift"
    mount -o remount,bind,ro "$root/opt/swift"
fi

hostname callwarden-harness

# pivot_root rather than chroot: the root filesystem becomes the root of the mount namespace, so
# the namespaces systemd makes for each service (ProtectSystem=, PrivateTmp=, ...) and anything
# that enters them (nsenter --mount) see the container's tree, as on a real machine.
cd "$root"
mkdir -p .harness-oldroot
pivot_root . .harness-oldroot
umount -l /.harness-oldroot
rmdir /.harness-oldroot

# `container=` tells systemd it is a container's init: it skips hardware setup and exits, rather
# than rebooting the machine, on poweroff.
export container=callwarden-harness
exec /lib/systemd/systemd --log-level=info
