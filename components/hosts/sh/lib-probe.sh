# ---- nix-cache shell library: what kind of host this is, and the logs it leaves ----

# The first lines of a log, for an error message.
nc_head() { sed -n '1,20p' "$1" 2>/dev/null; }

# The last lines of a log, where nixos-rebuild and Nix put the error that stopped them.
nc_tail() { tail -n 20 "$1" 2>/dev/null; }

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
