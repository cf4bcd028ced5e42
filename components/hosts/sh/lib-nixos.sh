# ---- nix-cache shell library: where NixOS reads its configuration from, and what imports the glue ----

# Sets nc_dir, the directory nixos-rebuild builds the system from, and nc_nixos_backup. That is
# NC_NIXOS_DIR, unless NC_NIXOS_DIR/flake.nix is a symbolic link: nixos-rebuild then builds the
# flake in the directory the link resolves to, so nix-cache's files go there, next to it.
# sets: nc_dir nc_nixos_backup
# scratch: nc_real
nc_nixos_dir() {
    nc_dir=$NC_NIXOS_DIR
    if [ -L "$NC_NIXOS_DIR/flake.nix" ]; then
        nc_real=$(readlink -f "$NC_NIXOS_DIR/flake.nix" 2>/dev/null)
        if [ -z "$nc_real" ] || [ ! -f "$nc_real" ]; then
            die "$NC_NIXOS_DIR/flake.nix is a symbolic link to $(readlink "$NC_NIXOS_DIR/flake.nix"), which is not a file: nixos-rebuild could not build it either. Nothing was changed."
        fi
        nc_dir=${nc_real%/*}
    fi
    nc_nixos_backup="$nc_dir/$NC_NIXOS_BACKUP_NAME"
}

# The top-level *.nix files of nc_dir (but the glue) that import the path ./cachix.nix, as
# `nix-instantiate --parse` reads them: the path as an element of an `imports` (or a flake's
# `modules`) list, or the argument of `import`. A comment, a string, or the path used as any
# other value does not count. Returns 2, with the file and Nix's error in nc_parse_error, when a
# file does not parse.
# sets: nc_parse_error
# scratch: nc_file
nc_importers() {
    nc_parse_error=
    find "$nc_dir" -maxdepth 1 -type f -name '*.nix' ! -name cachix.nix > "$nc_work/nix-files" 2>/dev/null
    while IFS= read -r nc_file; do
        if ! nix-instantiate --parse "$nc_file" > "$nc_work/parsed" 2> "$nc_work/parse-errors"; then
            nc_parse_error="$nc_file does not parse: $(nc_tail "$nc_work/parse-errors")"
            return 2
        fi
        if nc_parsed_imports "$nc_dir/cachix.nix" < "$nc_work/parsed"; then
            printf '%s\n' "$nc_file"
        fi
    done < "$nc_work/nix-files"
    return 0
}

# Whether the parse tree on stdin (as `nix-instantiate --parse` prints it: a path literal
# resolved, strings quoted with backslash escapes) imports the path $1. Tokens are read one by
# one; each open bracket remembers whether it starts the list of `imports =` or `modules =`.
nc_parsed_imports() {
    awk -v path="$1" '
        { text = text $0 "\n" }
        END {
            n = length(text); i = 1; depth = 0; prev = ""; prev2 = ""; word = ""
            while (i <= n) {
                c = substr(text, i, 1)
                if (c == "\"") {
                    for (i++; i <= n && substr(text, i, 1) != "\""; i++) if (substr(text, i, 1) == "\\") i++
                    i++; prev2 = prev; prev = "\"\""; continue
                }
                if (index("[({})]=;", c) > 0) { token = c; i++ }
                else if (c ~ /[ \t\n]/) { i++; continue }
                else {
                    for (token = ""; i <= n && index("[({})]=;\" \t\n", substr(text, i, 1)) == 0; i++) token = token substr(text, i, 1)
                }
                if (token == "[" || token == "(" || token == "{") {
                    depth++
                    kind[depth] = (token == "[" && prev == "=" && (prev2 == "imports" || prev2 == "modules")) ? "imports" : token
                } else if (token == "]" || token == ")" || token == "}") {
                    depth--
                } else if (token == path) {
                    if (lastword == "import") exit 0
                    for (d = depth; d > 0 && kind[d] == "("; d--) ;
                    if (d > 0 && kind[d] == "imports") exit 0
                }
                if (token != "(") lastword = token
                prev2 = prev; prev = token
            }
            exit 1
        }'
}

# A backup name for the file $1 under nc_dir: its path with each / as %.
nc_flat() { printf '%s' "$1" | tr '/' '%'; }

# Runs git on nc_dir's work tree (as root on a tree someone else owns: safe.directory).
nc_git() { git -C "$nc_dir" -c safe.directory='*' "$@"; }

# Whether nc_dir holds a flake in a git work tree, which sees only files git knows.
nc_git_flake() {
    [ -f "$nc_dir/flake.nix" ] && command -v git > /dev/null 2>&1 && nc_git rev-parse --is-inside-work-tree > /dev/null 2>&1
}

# Git flakes: each declared file git does not know yet is added with --intent-to-add (enough
# for Nix to see it, nothing staged), listed in the backup dir's git-added for destroy, and in
# nc_git_new for this run's rollback.
# sets: nc_git_new
# scratch: nc_git_file
nc_git_add_new() {
    nc_git_flake || return 0
    for nc_git_file in $NC_NIXOS_FILES; do
        [ -f "$nc_dir/$nc_git_file" ] || continue
        nc_git ls-files --error-unmatch -- "$nc_git_file" > /dev/null 2>&1 && continue
        nc_git add --intent-to-add -- "$nc_git_file" > "$nc_work/git.log" 2>&1 ||
            die "git add --intent-to-add $nc_git_file failed in $nc_dir (a flake there would not see it): $(nc_tail "$nc_work/git.log")"
        grep -q -x -F -e "$nc_git_file" "$nc_nixos_backup/git-added" 2>/dev/null ||
            printf '%s\n' "$nc_git_file" >> "$nc_nixos_backup/git-added" || die "cannot write $nc_nixos_backup/git-added"
        nc_git_new="$nc_git_new $nc_git_file"
        say "git add --intent-to-add $nc_git_file: the flake in $nc_dir sees only files git knows"
    done
}

# Git flakes: takes out of git's index each file nix-cache added there that is gone from disk
# (destroyed, or retired with its cache), keeping the others listed.
# scratch: nc_kept nc_git_file
nc_git_forget_gone() {
    [ -f "$nc_nixos_backup/git-added" ] || return 0
    nc_kept=
    while IFS= read -r nc_git_file; do
        if [ -e "$nc_dir/$nc_git_file" ]; then
            nc_kept="$nc_kept $nc_git_file"
        elif nc_git rm --cached --quiet --ignore-unmatch -- "$nc_git_file" > /dev/null 2>&1; then
            say "git rm --cached $nc_git_file"
        else
            warn "could not take $nc_git_file out of git's index in $nc_dir: run \`git rm --cached $nc_git_file\` there"
        fi
    done < "$nc_nixos_backup/git-added"
    if [ -n "$nc_kept" ]; then
        # shellcheck disable=SC2086 # one file per line
        printf '%s\n' $nc_kept > "$nc_nixos_backup/git-added"
    else
        rm -f "$nc_nixos_backup/git-added"
    fi
}
