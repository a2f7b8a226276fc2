#!/usr/bin/env bash
# Installs what is missing, starts the local services and runs the Nudge platform with the sample
# rules in rules/ and the local configuration deploy/nudge.yaml. Ctrl-C stops Nudge (gracefully);
# `scripts/stack.sh stop` stops the services.
#   usage: scripts/run.sh [extra `nudge run` arguments]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"
command -v swift >/dev/null || { echo "Swift 6.3 toolchain not found (expected on PATH or in /opt/swift)" >&2; exit 1; }

bash scripts/install-deps.sh
bash scripts/stack.sh start
eval "$(bash scripts/stack.sh env)"

swift build --product nudge
exec "$(swift build --show-bin-path)/nudge" run --config deploy/nudge.yaml "$@"
