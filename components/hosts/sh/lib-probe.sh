# ---- nix-cache shell library: what kind of host this is, and the logs it leaves ----

# The first lines of a log, for an error message.
nc_head() { sed -n '1,20p' "$1" 2>/dev/null; }

# The last lines of a log, where nixos-rebuild and Nix put the error that stopped them.
nc_tail() { tail -n 20 "$1" 2>/dev/null; }

# The version of the nix on PATH as one number, MAJOR * 1000 + MINOR (2.19.3 is 2019; 0 when
# nix does not answer): the last word of `nix --version`, which for Determinate Nix is the Nix
# version it is built on. Every version-dependent command asks this.
nc_nix_version() {
    nix --version 2>/dev/null | awk 'NR == 1 { split($NF, v, "."); n = v[1] * 1000 + v[2] } END { print n + 0 }'
}

nc_is_nixos() { [ -e /run/current-system/nixos-version ] || [ -e /etc/NIXOS ]; }

# Which installer set up Nix here, judged by what each leaves ($1: the Nix config dir): nixos,
# determinate (its receipt, its daemon, or nix.conf including nix.custom.conf), debian (the
# nix-bin package), official (a default profile in /nix without those), or unknown.
nc_installer() {
    if nc_is_nixos; then
        echo nixos
    elif [ -e /nix/receipt.json ] || command -v determinate-nixd > /dev/null 2>&1 ||
        grep -q -x -E '!?include[[:space:]]+nix\.custom\.conf' "$1/nix.conf" 2>/dev/null; then
        echo determinate
    elif command -v dpkg-query > /dev/null 2>&1 && dpkg-query -W -f '${Status}' nix-bin 2>/dev/null | grep -q 'ok installed'; then
        echo debian
    elif [ -d /nix/var/nix/profiles/default ]; then
        echo official
    else
        echo unknown
    fi
}

# Why this host cannot be managed as NC_KIND (empty when it can).
nc_kind_problem() {
    case $NC_KIND in
        nixos)
            nc_is_nixos || echo "this host is not NixOS (no /run/current-system/nixos-version): use kind nix or user"
            ;;
        nix)
            ! nc_is_nixos || echo "this host is NixOS, whose nix.conf is generated from the system configuration: use kind nixos"
            ;;
    esac
}

# scratch: nc_misfit
nc_check_kind() {
    nc_misfit=$(nc_kind_problem)
    [ -z "$nc_misfit" ] || die "$nc_misfit"
    if [ "$NC_KIND" != user ] && [ "$(id -u)" -ne 0 ]; then
        die "kind $NC_KIND changes system files and needs root, but this runs as $(id -un)"
    fi
    command -v nix >/dev/null 2>&1 || die "nix is not installed or not on PATH ($PATH)"
}
