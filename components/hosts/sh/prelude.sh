# ---- nix-cache shell library (POSIX sh): the prelude of every script nix-cache runs on a host ----
set -u
# No globbing: lists of URLs and keys are split on spaces only, and a URL may hold a '?'.
set -f
umask 022
# Non-interactive SSH sessions often lack the profile that puts Nix on PATH.
PATH="$PATH:/nix/var/nix/profiles/default/bin:/run/current-system/sw/bin:/usr/sbin:/sbin"
export PATH

nc_host=$(uname -n 2>/dev/null || echo unknown)
nc_in_commit=
nc_locked=
nc_lock_made_dir=
# shellcheck disable=SC2034 # read by the library's file functions, which read-only scripts do not carry
nc_changed=

say() { printf 'nix-cache: %s\n' "$*"; }
warn() { printf 'nix-cache: warning: %s\n' "$*" >&2; }

# Fails the script. Once files are being replaced (nc_in_commit), the previous ones go back
# first, so the message can say so and the host is as it was.
die() {
    if [ -n "$nc_in_commit" ]; then
        nc_in_commit=
        nc_rollback
    fi
    printf 'nix-cache: error on host %s (%s): %s\n' "$NC_HOST_NAME" "$nc_host" "$*" >&2
    exit 1
}

# Each script that commits changes defines its own; nothing to undo by default.
nc_rollback() { :; }

nc_work=$(mktemp -d "${TMPDIR:-/tmp}/nix-cache.XXXXXX") || {
    echo "nix-cache: error: cannot create a temporary directory" >&2
    exit 1
}
trap 'nc_unlock; rm -rf "$nc_work"' EXIT
trap 'die "interrupted"' HUP INT TERM
