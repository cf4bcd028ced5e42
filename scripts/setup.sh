#!/usr/bin/env bash
# Installs what the project needs: npm packages (from the lockfile), the Debian packages the
# tests use for real (Nix, sshd), and the pinned tools in .tools/bin (Pulumi CLI and plugins,
# actionlint, MinIO). Each step does nothing when its result is already there.
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
bash scripts/toolchain.sh "$@"
