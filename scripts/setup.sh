#!/usr/bin/env bash
# Installs what a command of the project needs, and only that:
#
#   scripts/setup.sh demo    npm packages, Debian's Nix and OpenSSH, the pinned Pulumi CLI and
#                            command provider (what `npm run demo` uses)
#   scripts/setup.sh test    all of the above, plus sudo and shellcheck, actionlint, MinIO,
#                            the YAML language host and moto's AWS API model (what `npm test`
#                            uses; the default), and a Debian root per Nix version the host
#                            tests run against (scripts/nixroots.sh, after the packages)
#
# Each step does nothing when its result is already there. The Debian packages and the pinned
# tools are independent, so they are installed at the same time.
set -euo pipefail
cd "$(dirname "$0")/.."

profile="${1:-test}"
case "$profile" in
  demo) tools=(pulumi command) ;;
  test) tools=(all) ;;
  *) echo "setup: unknown profile '$profile'; usage: scripts/setup.sh [demo|test]" >&2; exit 2 ;;
esac

start=$SECONDS
stamp=node_modules/.package-lock.stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: npm ci"
  # Install scripts are skipped: @pulumi/command's would try to download its plugin.
  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

# The roots need debootstrap from the packages; both go on while the tools build.
{
  bash scripts/system-deps.sh "$profile"
  if [ "$profile" = test ]; then bash scripts/nixroots.sh .tools/nixroots bookworm trixie forky; fi
} &
deps=$!
status=0
bash scripts/toolchain.sh "${tools[@]}" || status=$?
wait "$deps" || status=$?
# moto's venv needs Debian's python3-venv, which the system packages above bring.
if [ "$status" -eq 0 ] && [ "$profile" = test ]; then
  bash scripts/toolchain.sh moto || status=$?
fi
[ "$status" -eq 0 ] || { echo "setup: failed (see above)" >&2; exit "$status"; }
echo "setup: ready for '$profile' in $((SECONDS - start))s"
