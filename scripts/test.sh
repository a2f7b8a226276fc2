#!/usr/bin/env bash
# Installs what is missing, starts the local services and runs every test against them.
# Integration suites need the real Kafka (Tansu), Redis and PostgreSQL this starts: none is skipped.
#   usage: scripts/test.sh [extra swift test arguments]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

command -v swift >/dev/null || export PATH="/opt/swift/usr/bin:$PATH"
command -v swift >/dev/null || { echo "Swift 6.3 toolchain not found (expected on PATH or in /opt/swift)" >&2; exit 1; }

bash scripts/install-deps.sh
bash scripts/stack.sh start
eval "$(bash scripts/stack.sh env)"

swift build --build-tests
swift test --skip-build "$@"

# The parsers that face outside input, briefly under libFuzzer (docs/fuzzing.md): a crash fails the run.
bash scripts/fuzz.sh "${NUDGE_FUZZ_SECONDS:-10}"
