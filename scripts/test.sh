#!/usr/bin/env bash
# The whole test suite: installs what it needs, then type-checks, lints and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
echo "== type check"; npx tsc --noEmit -p .
echo "== lint";       npx eslint .
echo "== tests"
results=$(mktemp)
trap 'rm -f "$results"' EXIT
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
# One plain closing line, whatever the reporter printed above it.
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests + r.numTodoTests} skipped`);
' "$results" || echo "tests: no results were written"
exit "$status"
