#!/usr/bin/env bash
# Builds a Debian root per release with that release's Nix and OpenSSH server, for the tests
# that run a builder host on another Nix version (test/e2e/hostNixVersions.test.ts):
#
#   scripts/nixroots.sh DIR RELEASE...    e.g. scripts/nixroots.sh .tools/nixroots trixie forky
#
# Each root is DIR/RELEASE (debootstrap minbase, then apt-get install nix-bin openssh-server
# inside), built once: a stamp file marks a finished root, and later runs reuse it. A lock per
# root keeps two runs from building it at once; a root whose build failed is built anew.
# Apt fetches from the Debian mirror this machine's apt uses. Needs root (debootstrap, chroot).
set -euo pipefail

dir=$(realpath -m "${1:?usage: scripts/nixroots.sh DIR RELEASE...}") # mounts are listed by real path
shift
[ $# -gt 0 ] || { echo "nixroots: no release given" >&2; exit 2; }
if [ "$(id -u)" -ne 0 ]; then
  echo "nixroots: needs root (debootstrap and chroot)" >&2
  exit 1
fi
command -v debootstrap >/dev/null || { echo "nixroots: debootstrap missing; run scripts/system-deps.sh test" >&2; exit 1; }

# The first Debian archive (not the security one) this machine's apt lists.
mirror=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources 2>/dev/null \
  | grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security | head -1 | tr -d ' ' || true)
mirror=${mirror:-http://deb.debian.org/debian}

mkdir -p "$dir"

unmount_all() { # every mount under the root, deepest first
  local m
  awk -v r="$1/" 'index($2, r) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do
    umount -l "$m" || true
  done
}

build() {
  local release=$1 root="$dir/$1" start=$SECONDS script=$1
  [ -f "$root/.nixroot-stamp" ] && { echo "nixroots: $release ready ($root)"; return; }
  # One build of a root at a time; who waited finds it built.
  exec 9>"$root.lock"
  flock 9
  [ -f "$root/.nixroot-stamp" ] && { echo "nixroots: $release ready ($root)"; return; }
  unmount_all "$root"
  rm -rf "$root"
  # debootstrap has no script for a release newer than it; the unstable one fits.
  [ -e "/usr/share/debootstrap/scripts/$release" ] || script=sid
  echo "nixroots: building $release from $mirror into $root"
  # Only minbase: nix-bin is installed by apt after, which resolves the virtual dependencies
  # (libdbd-sqlite3-perl's) that debootstrap's --include cannot.
  debootstrap --variant=minbase "$release" "$root" "$mirror" "/usr/share/debootstrap/scripts/$script" \
    >"$root.debootstrap.log" 2>&1 || { echo "nixroots: debootstrap of $release failed; see $root.debootstrap.log" >&2; exit 1; }
  # A release past its Release file's Valid-Until (a frozen mirror) still installs.
  echo 'Acquire::Check-Valid-Until "false";' >"$root/etc/apt/apt.conf.d/99nixroots"
  echo "deb $mirror $release main" >"$root/etc/apt/sources.list"
  # No service is started while packages are installed.
  printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
  chmod +x "$root/usr/sbin/policy-rc.d"
  mount -t proc proc "$root/proc"
  trap 'unmount_all "'"$root"'"' EXIT
  local apt=(chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get -y -q -o Dpkg::Use-Pty=0)
  {
    "${apt[@]}" update
    "${apt[@]}" install --no-install-recommends nix-bin openssh-server
    "${apt[@]}" clean
  } >>"$root.debootstrap.log" 2>&1 || { echo "nixroots: apt-get in $release failed; see $root.debootstrap.log" >&2; exit 1; }
  # The store, as Nix's first use as root makes it. Without it a nix-daemon takes the store for
  # another daemon's (its own socket) and connects to itself, again and again.
  chroot "$root" nix-store --init >>"$root.debootstrap.log" 2>&1
  # Newer Nix needs /proc even for --version; the stamp is written last, once all worked.
  chroot "$root" nix --version >"$root/.nixroot-stamp.new"
  unmount_all "$root"
  trap - EXIT
  mv "$root/.nixroot-stamp.new" "$root/.nixroot-stamp"
  echo "nixroots: $release built in $((SECONDS - start))s: $(cat "$root/.nixroot-stamp"), $(du -sxh "$root" | cut -f1)"
}

for release in "$@"; do build "$release"; done
