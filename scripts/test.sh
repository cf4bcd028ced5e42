#!/usr/bin/env bash
# The whole test suite: installs what it needs, then type-checks, lints and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo "== type check"; npx tsc --noEmit -p .
echo "== lint";       npx eslint .
echo "== tests";      npx vitest run "$@"
