#!/bin/sh
# Installs callwarden as a systemd service: binaries, units, sysusers, tmpfiles, the journal
# catalog, the documentation and, if there is none yet, the default policy.
#
# Usage: scripts/install.sh [BUILD_DIR]
#   BUILD_DIR  where callwardend and callwardenctl were built (default: .build/release, made by
#              `swift build -c release`).
#
# Environment:
#   DESTDIR    stage the files under this directory instead of / (packaging, test rootfs). With
#              DESTDIR set, nothing on the running system is touched.
#   PREFIX     prefix for binaries and documentation (default: /usr).
#   SYSTEMD_UNIT_DIR, SYSUSERS_DIR, TMPFILES_DIR, CATALOG_DIR   override the systemd paths
#              (defaults: /usr/lib/systemd/system, /usr/lib/sysusers.d, /usr/lib/tmpfiles.d,
#              /usr/lib/systemd/catalog).
#
# Without DESTDIR, and only when systemd is the running init, it then creates the users and
# directories, updates the catalog and reloads systemd. It never starts or enables anything:
#   systemctl enable --now callwarden.socket callwarden.service
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${1:-$here/.build/release}
destdir=${DESTDIR:-}
prefix=${PREFIX:-/usr}
unit_dir=${SYSTEMD_UNIT_DIR:-/usr/lib/systemd/system}
sysusers_dir=${SYSUSERS_DIR:-/usr/lib/sysusers.d}
tmpfiles_dir=${TMPFILES_DIR:-/usr/lib/tmpfiles.d}
catalog_dir=${CATALOG_DIR:-/usr/lib/systemd/catalog}
doc_dir=$prefix/share/doc/callwarden
man_dir=$prefix/share/man

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

for binary in callwardend callwardenctl; do
    [ -x "$build_dir/$binary" ] || die "$build_dir/$binary not found: build first (swift build -c release) or pass the build directory"
done

install -d -m 0755 "$destdir$prefix/bin"
install -m 0755 "$build_dir/callwardend" "$build_dir/callwardenctl" "$destdir$prefix/bin/"
say "binaries -> $destdir$prefix/bin"

# The units name /usr/bin/callwardend; with another PREFIX, point ExecStart= at it.
install -d -m 0755 "$destdir$unit_dir"
for unit in callwarden.service callwarden.socket; do
    sed "s#/usr/bin/callwardend#$prefix/bin/callwardend#g" "$here/systemd/$unit" > "$destdir$unit_dir/$unit"
    chmod 0644 "$destdir$unit_dir/$unit"
done
say "units -> $destdir$unit_dir"

install -D -m 0644 "$here/systemd/callwarden.sysusers" "$destdir$sysusers_dir/callwarden.conf"
install -D -m 0644 "$here/systemd/callwarden.tmpfiles" "$destdir$tmpfiles_dir/callwarden.conf"
install -D -m 0644 "$here/systemd/callwarden.catalog" "$destdir$catalog_dir/callwarden.catalog"

install -d -m 0755 "$destdir$doc_dir"
for doc in "$here"/docs/*.md; do
    [ -e "$doc" ] && install -m 0644 "$doc" "$destdir$doc_dir/"
done
for page in "$here"/docs/*.[1-8]; do
    [ -e "$page" ] || continue
    section=${page##*.}
    install -D -m 0644 "$page" "$destdir$man_dir/man$section/$(basename "$page")"
done

# The policy belongs to the operators: install the shipped default only where none exists.
install -d -m 0755 "$destdir/etc/callwarden"
if [ -e "$destdir/etc/callwarden/policy.yaml" ]; then
    say "kept the existing $destdir/etc/callwarden/policy.yaml"
elif [ -f "$here/Config/policy.yaml" ]; then
    install -m 0644 "$here/Config/policy.yaml" "$destdir/etc/callwarden/policy.yaml"
    say "policy -> $destdir/etc/callwarden/policy.yaml"
else
    say "warning: $here/Config/policy.yaml not found; no policy installed"
fi

if [ -n "$destdir" ]; then
    say "staged under $destdir; on the target run: systemd-sysusers; systemd-tmpfiles --create; journalctl --update-catalog; systemctl daemon-reload"
    exit 0
fi

# /run/systemd/system exists only when systemd is the running init (sd_booted(3)).
if [ -d /run/systemd/system ]; then
    systemd-sysusers "$sysusers_dir/callwarden.conf"
    systemd-tmpfiles --create "$tmpfiles_dir/callwarden.conf"
    journalctl --update-catalog
    systemctl daemon-reload
    say "installed; start with: systemctl enable --now callwarden.socket callwarden.service"
else
    say "systemd is not running here; before the first start run: systemd-sysusers; systemd-tmpfiles --create; journalctl --update-catalog"
fi
