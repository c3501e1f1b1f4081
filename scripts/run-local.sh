#!/bin/bash
# Builds callwarden and runs the daemon in the foreground with the shipped policy, on a local
# socket and state directory: the quickest way to try it. Ctrl-C stops it.
#
#   bash scripts/run-local.sh            socket ./run/callwarden.sock, record ./run/state/
#   CALLWARDEN_RUN=/tmp/cw bash scripts/run-local.sh
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
for header in /usr/include/systemd/sd-daemon.h /usr/include/sqlite3.h; do
    [[ -e $header ]] || missing+=("$header")
done
if (( ${#missing[@]} )) || ! command -v socat >/dev/null; then
    echo "Installing build dependencies (libsystemd-dev libsqlite3-dev socat)..."
    sudo_cmd=""
    [[ $(id -u) == 0 ]] || sudo_cmd=sudo
    $sudo_cmd apt-get update -qq
    $sudo_cmd apt-get install -y -qq libsystemd-dev libsqlite3-dev socat
fi

swift build -c release --product callwardend
swift build -c release --product callwardenctl
run=${CALLWARDEN_RUN:-$PWD/run}
mkdir -p "$run"
echo "callwardend: socket $run/callwarden.sock, record $run/state, policy Config/policy.yaml"
echo "try: echo '{\"type\":\"status\"}' | socat - UNIX-CONNECT:$run/callwarden.sock"
echo "or, in another shell: export CALLWARDEN_SOCKET=$run/callwarden.sock; .build/release/callwardenctl status"
exec .build/release/callwardend --socket "$run/callwarden.sock" --policy Config/policy.yaml --state-dir "$run/state"
