#!/usr/bin/env bash
# The whole test suite: installs what it needs, then type-checks, lints and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh test
echo "== type check"; npx tsc --noEmit -p .
echo "== lint";       npx eslint .
echo "== tests"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
# One plain closing line, whatever the reporter printed above it; under CI a skip fails.
npx tsx scripts/testSummary.ts "$results" || [ "$status" -ne 0 ] || status=1
exit "$status"
