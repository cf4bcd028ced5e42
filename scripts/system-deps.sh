#!/usr/bin/env bash
# Installs the Debian packages a command of the project uses for real:
#
#   scripts/system-deps.sh demo   Nix (nix-bin) and OpenSSH (server and client)
#   scripts/system-deps.sh test   the same, plus sudo, shellcheck, git, python3 and python3-venv
#                                 (moto's venv), and debootstrap (scripts/nixroots.sh) (the
#                                 default)
#
# Only packages are installed. Nothing of the machine's Nix configuration is created or changed:
# the project's tests, demo and benchmarks run Nix with settings of their own
# (scripts/localhost/nix-conf/nix.conf), so no nixbld group, build users, /etc/nix or
# nix-daemon service is needed. Nix makes /nix (its store) on first use.
set -euo pipefail

packages=(nix-bin openssh-server openssh-client)
case "${1:-test}" in
  demo) ;;
  test) packages+=(sudo shellcheck git python3 python3-venv debootstrap) ;;
  *) echo "system-deps: unknown profile '$1'; usage: scripts/system-deps.sh [demo|test]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system-deps: ${packages[*]} already installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing ${missing[*]}; run this script as root (it uses apt-get)" >&2
  exit 1
fi
start=$SECONDS
echo "system-deps: installing Debian packages ${missing[*]} (apt-get; this changes the machine: these packages only)"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "system-deps: installed ${missing[*]} in $((SECONDS - start))s"
