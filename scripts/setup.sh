#!/usr/bin/env bash
# Installs the project's dependencies: npm packages (from the lockfile) and test tools.
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=node_modules/.package-lock.stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: npm ci"
  # Install scripts are skipped: @pulumi/command's would try to download its plugin.
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
bash scripts/system-deps.sh
