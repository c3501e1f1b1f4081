#!/bin/bash
# Runs callwarden's tests: unit tests for each module, and end-to-end tests that start the real
# callwardend on a temporary socket and SQLite file.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
swift test --skip-build
