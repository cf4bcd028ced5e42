# ---- nix-cache shell library: where NixOS reads its configuration from, and what imports the glue ----

# Sets nc_dir, the directory nixos-rebuild builds the system from, and nc_backup. That is
# NC_NIXOS_DIR, unless NC_NIXOS_DIR/flake.nix is a symbolic link: nixos-rebuild then builds the
# flake in the directory the link resolves to, so nix-cache's files go there, next to it.
nc_nixos_dir() {
    nc_dir=$NC_NIXOS_DIR
    if [ -L "$NC_NIXOS_DIR/flake.nix" ]; then
        nc_real=$(readlink -f "$NC_NIXOS_DIR/flake.nix" 2>/dev/null)
        if [ -z "$nc_real" ] || [ ! -f "$nc_real" ]; then
            die "$NC_NIXOS_DIR/flake.nix is a symbolic link to $(readlink "$NC_NIXOS_DIR/flake.nix"), which is not a file: nixos-rebuild could not build it either. Nothing was changed."
        fi
        nc_dir=${nc_real%/*}
    fi
    nc_backup="$nc_dir/$NC_NIXOS_BACKUP_NAME"
}

# The top-level *.nix files of nc_dir (but the glue) whose Nix, as `nix-instantiate --parse`
# reads it, refers to the path ./cachix.nix: comments and strings do not count. Returns 2, with
# the file and Nix's error in nc_parse_error, when a file does not parse.
nc_importers() {
    nc_parse_error=
    find "$nc_dir" -maxdepth 1 -type f -name '*.nix' ! -name cachix.nix > "$nc_work/nix-files" 2>/dev/null
    while IFS= read -r nc_file; do
        if ! nix-instantiate --parse "$nc_file" > "$nc_work/parsed" 2> "$nc_work/parse-errors"; then
            nc_parse_error="$nc_file does not parse: $(nc_tail "$nc_work/parse-errors")"
            return 2
        fi
        # Nix prints a path literal resolved, as a word of its own: (/etc/nixos/cachix.nix).
        if tr -c 'A-Za-z0-9._/+-' '[\n*]' < "$nc_work/parsed" | grep -q -x -F "$nc_dir/cachix.nix"; then
            printf '%s\n' "$nc_file"
        fi
    done < "$nc_work/nix-files"
    return 0
}

# Runs git on nc_dir's work tree (as root on a tree someone else owns: safe.directory).
nc_git() { git -C "$nc_dir" -c safe.directory='*' "$@"; }

# Whether nc_dir holds a flake in a git work tree, which sees only files git knows.
nc_git_flake() {
    [ -f "$nc_dir/flake.nix" ] && command -v git > /dev/null 2>&1 && nc_git rev-parse --is-inside-work-tree > /dev/null 2>&1
}

# Git flakes: each declared file git does not know yet is added with --intent-to-add (enough
# for Nix to see it, nothing staged), listed in the backup dir's git-added for destroy, and in
# nc_git_new for this run's rollback.
nc_git_add_new() {
    nc_git_flake || return 0
    for nc_f in $NC_NIXOS_FILES; do
        [ -f "$nc_dir/$nc_f" ] || continue
        nc_git ls-files --error-unmatch -- "$nc_f" > /dev/null 2>&1 && continue
        nc_git add --intent-to-add -- "$nc_f" > "$nc_work/git.log" 2>&1 ||
            die "git add --intent-to-add $nc_f failed in $nc_dir (a flake there would not see it): $(nc_tail "$nc_work/git.log")"
        grep -q -x -F -e "$nc_f" "$nc_backup/git-added" 2>/dev/null ||
            printf '%s\n' "$nc_f" >> "$nc_backup/git-added" || die "cannot write $nc_backup/git-added"
        nc_git_new="$nc_git_new $nc_f"
        say "git add --intent-to-add $nc_f: the flake in $nc_dir sees only files git knows"
    done
}

# Git flakes: takes out of git's index each file nix-cache added there that is gone from disk
# (destroyed, or retired with its cache), keeping the others listed.
nc_git_forget_gone() {
    [ -f "$nc_backup/git-added" ] || return 0
    nc_kept=
    while IFS= read -r nc_f; do
        if [ -e "$nc_dir/$nc_f" ]; then
            nc_kept="$nc_kept $nc_f"
        elif nc_git rm --cached --quiet --ignore-unmatch -- "$nc_f" > /dev/null 2>&1; then
            say "git rm --cached $nc_f"
        else
            warn "could not take $nc_f out of git's index in $nc_dir: run \`git rm --cached $nc_f\` there"
        fi
    done < "$nc_backup/git-added"
    if [ -n "$nc_kept" ]; then
        # shellcheck disable=SC2086 # one file per line
        printf '%s\n' $nc_kept > "$nc_backup/git-added"
    else
        rm -f "$nc_backup/git-added"
    fi
}
