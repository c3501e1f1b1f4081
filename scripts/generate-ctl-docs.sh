#!/bin/bash
# Regenerates callwardenctl's shell completions and the man pages from --help, so that they never
# drift from the code: docs/completions/callwardenctl.{bash,zsh,fish}, docs/callwardenctl.1 and
# docs/callwardend.8.
# Run after changing a subcommand, an option or a help text; the end-to-end tests check that the
# completions are current and that the man page names every subcommand.
set -euo pipefail
cd "$(dirname "$0")/.."
scratch="${SCRATCH_PATH:-.build}"
swift build --scratch-path "$scratch" --product callwardenctl
ctl="$scratch/debug/callwardenctl"
mkdir -p docs/completions
for shell in bash zsh fish; do
    "$ctl" --generate-completion-script "$shell" > "docs/completions/callwardenctl.$shell"
done
# swift-argument-parser's GenerateManual plugin (it works offline: it ships with the package)
# renders a page for every executable; keep callwardenctl's.
swift package --scratch-path "$scratch" plugin generate-manual --configuration debug \
    --date "$(date -u +%Y-%m-%d)" --authors "callwarden maintainers" >/dev/null
cp "$scratch/plugins/GenerateManual/outputs/callwardenctl/callwardenctl.1" docs/callwardenctl.1
# The daemon's page belongs in section 8 (system administration), as the unit's Documentation= says.
sed 's/^\.Dt CALLWARDEND 1$/.Dt CALLWARDEND 8/' "$scratch/plugins/GenerateManual/outputs/callwardend/callwardend.1" > docs/callwardend.8
echo "docs/completions/, docs/callwardenctl.1 and docs/callwardend.8 regenerated"
