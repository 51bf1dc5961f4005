#!/usr/bin/env bash
# The project's one test command (`npm test`): generates the protocol code,
# then lints (module boundaries included), type-checks and runs every spec.
set -euo pipefail
cd "$(dirname "$0")/.."
export TZ=UTC NX_DAEMON=false NX_NO_CLOUD=true NX_TUI=false NX_SKIP_NX_CACHE="${NX_SKIP_NX_CACHE:-${CI:-}}"
npx nx run-many -t lint typecheck test --parallel=2 --outputStyle=static "$@"
