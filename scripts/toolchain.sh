#!/usr/bin/env bash
# scripts/toolchain.sh — project-local, pinned tool binaries in .tools/bin, built from
# the Go module proxy with `go build` / `go install` when absent.
#
#   scripts/toolchain.sh [all|pulumi|command|actionlint|minio|yaml|path]...   (default: all)
#
#   pulumi      pulumi CLI v3.248.0 (= npm @pulumi/pulumi 3.248.0) + pulumi-language-nodejs
#   command     pulumi-resource-command 1.2.1 (= npm @pulumi/command 1.2.1), also
#               registered in the Pulumi plugin cache ($PULUMI_HOME, default ~/.pulumi)
#   actionlint  actionlint v1.7.12
#   minio       minio server, source pseudo-version of 2026-02-12 (commit 7aac2a2c5b7c)
#   yaml        pulumi-language-yaml v1.25.0 (upstream's YAML language host, with Link added:
#               scripts/yamlhost/, see below)
#   moto        moto_server of moto[server] 5.2.5 from PyPI (a local model of AWS's APIs for
#               the mirror's tests), in a Python venv of its own (.tools/moto); not part of
#               `all`: it needs Debian's python3-venv, which scripts/setup.sh installs first
#   path        print only the bin directory (for PATH="$(scripts/toolchain.sh path):$PATH")
#
# A tool already on PATH at the pinned version is used as is; otherwise .tools/bin/X is
# used if its stamp (.tools/bin/X.version) matches the pin; otherwise it is built. A second
# run builds nothing. Needs only `go` (>= 1.25) and access to the Go module proxy.
#
# Stand-ins: the Go module proxy does not serve the upstream pulumi-language-nodejs
# module (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) nor the
# upstream command provider (github.com/pulumi/pulumi-command/provider): both are
# refused ("This module version is not available"). This script therefore builds two
# small stand-ins of our own, each a Go module in scripts/standin/NAME/ (main.go etc.,
# go.mod, and a committed go.sum; built with -mod=readonly, so the dependency set is
# exactly the pinned one: the Pulumi SDK v3.248.0, golang.org/x/crypto v0.53.0):
#   - pulumi-language-nodejs: runs Node programs through @pulumi/pulumi's cmd/run and
#     plugin directories (PulumiPlugin.yaml, e.g. provider/) through its cmd/run-plugin,
#     like upstream, and installs dependencies with the package manager (npm unless the
#     packagemanager option says otherwise); it reports no "required plugins", so the
#     engine loads only the providers a program really uses (no download attempts for
#     @pulumi/aws etc.), and has no About/GenerateProgram/GeneratePackage/Pack.
#   - pulumi-resource-command: command:local:Command, command:local:run and
#     command:remote:Command (over SSH), reporting version 1.2.1; CopyToRemote/CopyFile
#     return a clear error. Behaviour and known differences: the comments at the top of
#     scripts/standin/pulumi-resource-command/{local,remote,ssh}.go.
# The YAML language host is upstream's (github.com/pulumi/pulumi-yaml v1.25.0, the newest
# version the proxy serves), started by a small main of ours in scripts/yamlhost/ that adds
# the one RPC v1.25.0 lacks: Link, which `pulumi package add` of CLI v3.248.0 calls last,
# before it records the package in Pulumi.yaml ("method Link not implemented" otherwise).
# YAML links no SDK, so it returns an empty response, as upstream's later releases do; all
# else (flags, health check, every other RPC) is upstream v1.25.0's.
# A stand-in (and scripts/yamlhost/) is rebuilt when any file of its directory changes (the
# stamp holds a hash). To change their dependencies: edit go.mod, run
# `GOFLAGS=-mod=mod go mod tidy` in the directory, and commit go.mod and go.sum.
#
# Offline use of the CLI (local state, no downloads):
#   export PATH="$REPO/.tools/bin:$PATH" PULUMI_SKIP_UPDATE_CHECK=true \
#          PULUMI_CONFIG_PASSPHRASE=... PULUMI_BACKEND_URL=file://$PWD/.state
#   optional: PULUMI_IGNORE_AMBIENT_PLUGINS=true silences "using pulumi-resource-command
#   from $PATH" warnings (the plugin-cache copy installed by the `command` step is used).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
BIN="$TOOLS/bin"
BUILD="$TOOLS/build"
LOGS="$BUILD/logs"

PULUMI_VERSION="v3.248.0"
COMMAND_VERSION="1.2.1"
ACTIONLINT_VERSION="v1.7.12"
MINIO_MODULE_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"
MINIO_RELEASE_TIME="2026-02-12T20:18:48Z" # commit time of the pseudo-version above
MINIO_COMMIT="7aac2a2c5b7c"
MINIO_RELEASE_TAG="DEVELOPMENT.${MINIO_RELEASE_TIME//:/-}"
YAML_VERSION="v1.25.0"
MOTO_VERSION="5.2.5"

# Recipe revisions: bump to force rebuilds when a build recipe (not the pin) changes.
RECIPE=1         # pulumi CLI, actionlint, minio
STANDIN_RECIPE=2 # the stand-ins (2: sources moved to scripts/standin/, remote commands)
YAML_RECIPE=2    # pulumi-language-yaml (2: scripts/yamlhost/, upstream's host with Link)
STANDIN_DIR="$ROOT/scripts/standin"
YAMLHOST_DIR="$ROOT/scripts/yamlhost"

export GOFLAGS="-mod=mod -buildvcs=false"
export PULUMI_SKIP_UPDATE_CHECK=true

log() { printf 'toolchain: %s\n' "$*" >&2; }
die() { printf 'toolchain: ERROR: %s\n' "$*" >&2; exit 1; }

declare -A WHERE=()

usage() {
  sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

need_go() {
  command -v go >/dev/null 2>&1 || die "go is not installed (needed to build the pinned tools); install Go >= 1.25"
}

# stamp_ok NAME STAMP: .tools/bin/NAME exists, is executable and its stamp matches.
stamp_ok() {
  [[ -x "$BIN/$1" && -f "$BIN/$1.version" && "$(cat "$BIN/$1.version")" == "$2" ]]
}

# on_path NAME: first NAME on PATH that is not our own .tools/bin copy.
on_path() {
  local p
  p="$(PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -vxF "$BIN" | paste -sd: -)" command -v "$1" 2>/dev/null)" || return 1
  [[ -n "$p" ]] && printf '%s\n' "$p"
}

# Typical first-build times on a 2-core machine (measured in a pristine root), for progress.
declare -A ESTIMATE=([pulumi]=300 [pulumi-language-nodejs]=30 [pulumi-resource-command]=30 [actionlint]=30 [minio]=250 [pulumi-language-yaml]=250)

minsec() { printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); }

# progress NAME START ESTIMATE: every 30 s, how long NAME has been building and what to expect.
progress() {
  local name="$1" start="$2" estimate="$3" note=""
  [[ -z "$estimate" ]] || note=", usually about $(minsec "$estimate") alone on a 2-core machine"
  while sleep 30; do
    log "still building $name: $(minsec $((SECONDS - start))) so far$note"
  done
}

# run_build NAME VERSION LOGFILE CMD...: runs a build with output to a log, reporting progress
# while it runs; clear error on failure.
run_build() {
  local name="$1" version="$2" logf="$3"; shift 3
  local start=$SECONDS ticker status=0
  mkdir -p "$LOGS"
  log "building $name $version (log: ${logf#"$ROOT"/}) ..."
  progress "$name" "$start" "${ESTIMATE[$name]:-}" &
  ticker=$!
  "$@" >"$logf" 2>&1 || status=$?
  kill "$ticker" 2>/dev/null || true
  wait "$ticker" 2>/dev/null || true
  if [[ $status -ne 0 ]]; then
    tail -n 30 "$logf" >&2 || true
    die "building $name $version failed after $((SECONDS - start))s; full log: $logf"
  fi
  log "built $name $version in $((SECONDS - start))s"
}

# install_bin TMP NAME STAMP: atomically move a fresh build into place and stamp it.
install_bin() {
  chmod +x "$1"
  mv -f "$1" "$BIN/$2"
  printf '%s\n' "$3" >"$BIN/$2.version"
  WHERE[$2]="$BIN/$2 (built)"
}

# ---------------------------------------------------------------------------------------
# Go module for the pulumi CLI (the stand-ins are modules of their own: see build_standin).

PULUMI_MOD_DIR="$BUILD/pulumi"

write_if_changed() { # FILE: content from stdin
  local tmp
  tmp="$(mktemp "$1.XXXX")"
  cat >"$tmp"
  if [[ -f "$1" ]] && cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv -f "$tmp" "$1"; fi
}

prepare_pulumi_module() {
  need_go
  mkdir -p "$PULUMI_MOD_DIR" "$LOGS"
  # Stand-in sources once lived here (recipe 1); they are built from scripts/standin/ now.
  rm -rf "$PULUMI_MOD_DIR/cmd"
  local pkg="github.com/pulumi/pulumi/pkg/v3" gomod extra base
  # pkg/v3's own go.mod replaces sdk/v3 with ../sdk, so `go install pkg@version` is refused:
  # build inside a throwaway module instead, copying pkg's third-party replace/exclude lines.
  local dl
  dl="$(cd "$BUILD" && go mod download -json "$pkg@$PULUMI_VERSION" 2>&1)" ||
    die "could not download $pkg@$PULUMI_VERSION from the Go module proxy: $(printf '%s\n' "$dl" | tail -n 3)"
  gomod="$(printf '%s\n' "$dl" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",\{0,1\}$/\1/p')"
  [[ -f "$gomod" ]] || die "could not locate go.mod of $pkg@$PULUMI_VERSION"
  extra="$(awk '
    /^(replace|exclude)[[:space:]]*\($/ { blk=$1; next }
    blk && /^\)/ { blk=""; next }
    blk { line=$0; sub(/^[[:space:]]+/, "", line); if (line !~ /=>[[:space:]]*\.\.?\//) print blk " " line; next }
    /^(replace|exclude)[[:space:]]/ { if ($0 !~ /=>[[:space:]]*\.\.?\//) print }
  ' "$gomod")"
  base="$(cat <<GOMOD
module toolchain.local/pulumi-build

go 1.25

require (
	$pkg $PULUMI_VERSION
	github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION
)

$extra
GOMOD
)"
  printf '%s\n' "$base" | write_if_changed "$PULUMI_MOD_DIR/go.mod.base"
  printf '//go:build tools\n\npackage tools\n\nimport _ "%s/cmd/pulumi"\n' "$pkg" |
    write_if_changed "$PULUMI_MOD_DIR/tools.go"
  if [[ ! -f "$PULUMI_MOD_DIR/go.mod" || ! -f "$PULUMI_MOD_DIR/go.sum" ||
    "$PULUMI_MOD_DIR/go.mod.base" -nt "$PULUMI_MOD_DIR/go.sum" ]]; then
    cp "$PULUMI_MOD_DIR/go.mod.base" "$PULUMI_MOD_DIR/go.mod"
    rm -f "$PULUMI_MOD_DIR/go.sum"
    run_build "go module for pulumi" "$PULUMI_VERSION" "$LOGS/pulumi-mod.log" \
      in_dir "$PULUMI_MOD_DIR" go mod tidy
  fi
}

# standin_hash NAME: hash of the stand-in's sources (file names and contents).
standin_hash() { module_hash "$STANDIN_DIR/$1"; }

# module_hash DIR: hash of a Go module directory of ours (file names and contents).
module_hash() {
  local dir="$1"
  [[ -f "$dir/go.mod" && -f "$dir/go.sum" ]] || die "sources missing: $dir/go.mod and go.sum are needed"
  (cd "$dir" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) | LC_ALL=C sort |
    xargs sha256sum) | sha256sum | cut -c1-16
}

# build_standin NAME VERSION: build scripts/standin/NAME into $BIN/.NAME.tmp, reporting VERSION.
build_standin() {
  build_module "$1" "$2 (stand-in)" "$STANDIN_DIR/$1" "-X main.version=$2"
}

# build_module NAME LABEL DIR LDFLAGS: build the Go module of ours in DIR into $BIN/.NAME.tmp.
# -mod=readonly: go.mod/go.sum are used as committed (a missing go.sum line fails the build).
build_module() {
  local name="$1" label="$2" dir="$3" ldflags="$4"
  need_go
  run_build "$name" "$label" "$LOGS/$name.log" \
    in_dir "$dir" env GOFLAGS="-mod=readonly -buildvcs=false" \
    go build -trimpath -o "$BIN/.$name.tmp" -ldflags "-s -w $ldflags" .
}

in_dir() { # DIR CMD...: run CMD in DIR
  local d="$1"
  shift
  (cd "$d" && "$@")
}

# ---------------------------------------------------------------------------------------
# pulumi CLI + language host

ensure_pulumi() {
  local stamp="pulumi $PULUMI_VERSION recipe$RECIPE" p v
  if p="$(on_path pulumi)" && v="$(timeout 60 "$p" version 2>/dev/null)" && [[ "$v" == "$PULUMI_VERSION" ]]; then
    WHERE[pulumi]="$p (from PATH)"
  elif stamp_ok pulumi "$stamp"; then
    WHERE[pulumi]="$BIN/pulumi (cached)"
  else
    prepare_pulumi_module
    # Same version ldflag as pulumi's Makefile, so `pulumi version` prints the pin.
    run_build pulumi "$PULUMI_VERSION" "$LOGS/pulumi.log" \
      in_dir "$PULUMI_MOD_DIR" go build -trimpath -o "$BIN/.pulumi.tmp" \
      -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION" \
      github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
    v="$("$BIN/.pulumi.tmp" version 2>&1)" || die "built pulumi does not run: $v"
    [[ "$v" == "$PULUMI_VERSION" ]] || die "built pulumi reports version '$v', expected $PULUMI_VERSION"
    install_bin "$BIN/.pulumi.tmp" pulumi "$stamp"
  fi

  # Dynamic providers (the mirror's signing key) run through the launcher @pulumi/pulumi
  # ships; Pulumi's own distribution puts it next to the CLI, so do the same.
  local launcher="$ROOT/node_modules/@pulumi/pulumi/pulumi-resource-pulumi-nodejs"
  if [[ -f "$launcher" ]]; then
    chmod +x "$launcher"
    ln -sf "$launcher" "$BIN/pulumi-resource-pulumi-nodejs"
  fi
}

# The language host, built alongside the CLI: a real one bundled next to a PATH pulumi of
# the pinned version wins.
ensure_language_host() {
  local stamp p v
  stamp="pulumi-language-nodejs $PULUMI_VERSION standin-$(standin_hash pulumi-language-nodejs) recipe$STANDIN_RECIPE"
  if p="$(on_path pulumi)" && [[ -x "$(dirname "$p")/pulumi-language-nodejs" ]] &&
    v="$(timeout 60 "$p" version 2>/dev/null)" && [[ "$v" == "$PULUMI_VERSION" ]]; then
    WHERE[pulumi-language-nodejs]="$(dirname "$p")/pulumi-language-nodejs (from PATH, next to pulumi)"
  elif stamp_ok pulumi-language-nodejs "$stamp"; then
    WHERE[pulumi-language-nodejs]="$BIN/pulumi-language-nodejs (cached)"
  else
    build_standin pulumi-language-nodejs "$PULUMI_VERSION"
    install_bin "$BIN/.pulumi-language-nodejs.tmp" pulumi-language-nodejs "$stamp"
  fi
}

# ---------------------------------------------------------------------------------------
# command provider

pulumi_cli() { # path of the pulumi CLI to use for plugin registration, if any
  if [[ -n "${WHERE[pulumi]:-}" ]]; then printf '%s\n' "${WHERE[pulumi]%% *}"; return; fi
  if [[ -x "$BIN/pulumi" ]]; then printf '%s\n' "$BIN/pulumi"; return; fi
  on_path pulumi
}

command_plugin_cache_bin() {
  printf '%s\n' "${PULUMI_HOME:-$HOME/.pulumi}/plugins/resource-command-v$COMMAND_VERSION/pulumi-resource-command"
}

is_standin() { timeout 5 "$1" -help </dev/null 2>/dev/null | grep -q 'toolchain.sh stand-in'; }

register_command_plugin() { # copy into the plugin cache so the engine never tries a download
  local bin="$1" home="${PULUMI_HOME:-$HOME/.pulumi}" cli out cached
  cached="$(command_plugin_cache_bin)"
  if [[ -x "$cached" ]] && cmp -s "$cached" "$bin"; then return; fi
  if ! cli="$(pulumi_cli)"; then
    log "note: no pulumi CLI yet, so pulumi-resource-command is not in the plugin cache; keep $BIN on PATH"
    return
  fi
  if [[ -e "$cached" ]]; then "$cli" plugin rm resource command "$COMMAND_VERSION" --yes >/dev/null 2>&1 || true; fi
  out="$("$cli" plugin install resource command "$COMMAND_VERSION" --file "$bin" 2>&1)" ||
    die "registering pulumi-resource-command $COMMAND_VERSION in the plugin cache ($home) failed: $out"
  log "registered pulumi-resource-command $COMMAND_VERSION in the plugin cache: $cached"
}

ensure_command() {
  local stamp p v
  stamp="pulumi-resource-command $COMMAND_VERSION standin-$(standin_hash pulumi-resource-command) recipe$STANDIN_RECIPE"
  if p="$(on_path pulumi-resource-command)" &&
    v="$(timeout 10 "$p" -version </dev/null 2>/dev/null | head -n1)" && [[ "${v#v}" == "$COMMAND_VERSION" ]]; then
    WHERE[pulumi-resource-command]="$p (from PATH)"
    return
  fi
  # An upstream provider already in the Pulumi plugin cache (a machine with internet ran
  # `pulumi plugin install`) beats the stand-in; drop our copy so it cannot shadow it on PATH.
  p="$(command_plugin_cache_bin)"
  if [[ -x "$p" ]] && ! is_standin "$p"; then
    WHERE[pulumi-resource-command]="$p (upstream, from the Pulumi plugin cache)"
    if [[ -e "$BIN/pulumi-resource-command" ]]; then
      rm -f "$BIN/pulumi-resource-command" "$BIN/pulumi-resource-command.version"
      log "removed the stand-in $BIN/pulumi-resource-command: the upstream plugin is installed"
    fi
    return
  fi
  if stamp_ok pulumi-resource-command "$stamp"; then
    WHERE[pulumi-resource-command]="$BIN/pulumi-resource-command (cached)"
  else
    # The engine checks the version a provider reports against the SDK's request (1.2.1).
    build_standin pulumi-resource-command "$COMMAND_VERSION"
    install_bin "$BIN/.pulumi-resource-command.tmp" pulumi-resource-command "$stamp"
  fi
}

# ---------------------------------------------------------------------------------------
# actionlint

ensure_actionlint() {
  local stamp="actionlint $ACTIONLINT_VERSION recipe$RECIPE" p v
  if p="$(on_path actionlint)" && v="$(timeout 20 "$p" -version 2>/dev/null | head -n1)" && [[ "$v" == "$ACTIONLINT_VERSION" ]]; then
    WHERE[actionlint]="$p (from PATH)"
  elif stamp_ok actionlint "$stamp"; then
    WHERE[actionlint]="$BIN/actionlint (cached)"
  else
    need_go
    mkdir -p "$BUILD/actionlint"
    # go install puts the binary in GOBIN; build into a scratch GOBIN, then move it.
    rm -rf "$BUILD/actionlint/bin"
    run_build actionlint "$ACTIONLINT_VERSION" "$LOGS/actionlint.log" \
      env GOBIN="$BUILD/actionlint/bin" go install -trimpath -ldflags "-s -w" \
      "github.com/rhysd/actionlint/cmd/actionlint@$ACTIONLINT_VERSION"
    v="$("$BUILD/actionlint/bin/actionlint" -version 2>&1 | head -n1)" || die "built actionlint does not run: $v"
    [[ "$v" == "$ACTIONLINT_VERSION" ]] || die "built actionlint reports '$v', expected $ACTIONLINT_VERSION"
    install_bin "$BUILD/actionlint/bin/actionlint" actionlint "$stamp"
  fi
}

# ---------------------------------------------------------------------------------------
# minio

ensure_minio() {
  local stamp="minio $MINIO_MODULE_VERSION $MINIO_RELEASE_TAG recipe$RECIPE" p v
  if p="$(on_path minio)" && v="$(timeout 20 "$p" --version 2>/dev/null | head -n1)" && [[ "$v" == *"${MINIO_RELEASE_TIME//:/-}"* ]]; then
    WHERE[minio]="$p (from PATH)"
  elif stamp_ok minio "$stamp"; then
    WHERE[minio]="$BIN/minio (cached)"
  else
    need_go
    mkdir -p "$BUILD/minio"
    rm -rf "$BUILD/minio/bin"
    local x="-X github.com/minio/minio/cmd"
    run_build minio "$MINIO_MODULE_VERSION" "$LOGS/minio.log" \
      env GOBIN="$BUILD/minio/bin" go install -trimpath -ldflags "-s -w $x.Version=$MINIO_RELEASE_TIME $x.ReleaseTag=$MINIO_RELEASE_TAG $x.CommitID=$MINIO_COMMIT $x.ShortCommitID=$MINIO_COMMIT $x.CopyrightYear=${MINIO_RELEASE_TIME:0:4}" \
      "github.com/minio/minio@$MINIO_MODULE_VERSION"
    v="$("$BUILD/minio/bin/minio" --version 2>&1 | head -n1)" || die "built minio does not run: $v"
    [[ "$v" == *"$MINIO_RELEASE_TAG"* ]] || die "built minio reports '$v', expected $MINIO_RELEASE_TAG"
    install_bin "$BUILD/minio/bin/minio" minio "$stamp"
  fi
}

# ---------------------------------------------------------------------------------------
# moto_server: moto's AWS API model, from PyPI into a venv of its own, pinned; a copy on PATH
# is not used (its version and extras cannot be checked the same way).

ensure_moto() {
  local stamp="moto[server] $MOTO_VERSION" venv="$TOOLS/moto"
  if stamp_ok moto_server "$stamp"; then
    WHERE[moto_server]="$BIN/moto_server (cached)"
    return
  fi
  command -v python3 >/dev/null 2>&1 || die "moto needs python3 (scripts/system-deps.sh test installs it)"
  log "installing moto[server]==$MOTO_VERSION from PyPI into $venv"
  rm -rf "$venv"
  python3 -m venv "$venv" >"$LOGS/moto.log" 2>&1 || die "could not make a Python venv for moto (Debian's python3-venv; see $LOGS/moto.log)"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION" >>"$LOGS/moto.log" 2>&1 ||
    die "pip could not install moto[server]==$MOTO_VERSION (see $LOGS/moto.log)"
  ln -sf "$venv/bin/moto_server" "$BIN/moto_server"
  printf '%s\n' "$stamp" >"$BIN/moto_server.version"
  WHERE[moto_server]="$BIN/moto_server (built)"
}

# ---------------------------------------------------------------------------------------
# pulumi-language-yaml: Pulumi YAML programs; upstream's host from the proxy, served by
# scripts/yamlhost/ with Link added (see the header). It has no version flag (the engine asks
# it over gRPC, and the ldflag below is what it answers), so a copy on PATH cannot be checked
# against the pin, nor for Link: only our own stamped build is used.

ensure_yaml() {
  local stamp
  grep -qE "^[[:space:]]*(require[[:space:]]+)?github\.com/pulumi/pulumi-yaml $YAML_VERSION\$" "$YAMLHOST_DIR/go.mod" ||
    die "$YAMLHOST_DIR/go.mod does not require github.com/pulumi/pulumi-yaml $YAML_VERSION (the pin)"
  stamp="pulumi-language-yaml $YAML_VERSION yamlhost-$(module_hash "$YAMLHOST_DIR") recipe$YAML_RECIPE"
  if stamp_ok pulumi-language-yaml "$stamp"; then
    WHERE[pulumi-language-yaml]="$BIN/pulumi-language-yaml (cached)"
  else
    build_module pulumi-language-yaml "$YAML_VERSION (with Link)" "$YAMLHOST_DIR" \
      "-X github.com/pulumi/pulumi-yaml/pkg/version.Version=${YAML_VERSION#v}"
    install_bin "$BIN/.pulumi-language-yaml.tmp" pulumi-language-yaml "$stamp"
  fi
}

# ---------------------------------------------------------------------------------------

main() {
  local targets=() t
  for t in "$@"; do
    case "$t" in
      all) targets+=(pulumi language_host command actionlint minio yaml) ;;
      pulumi) targets+=(pulumi language_host) ;;
      command | actionlint | minio | yaml | moto) targets+=("$t") ;;
      path) printf '%s\n' "$BIN"; return 0 ;;
      -h | --help | help) usage; return 0 ;;
      *) usage >&2; die "unknown target '$t'" ;;
    esac
  done
  [[ ${#targets[@]} -gt 0 ]] || targets=(pulumi language_host command actionlint minio yaml)

  mkdir -p "$BIN" "$LOGS"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$TOOLS/.lock"
    flock 9 || die "could not lock $TOOLS/.lock"
  fi

  # Independent builds run at once: one downloads modules while another compiles, and each
  # Go build uses both cores where it can. Each job reports where its tools are in a file.
  declare -A done_=() jobs=()
  rm -f "$TOOLS"/.where.*
  for t in "${targets[@]}"; do
    [[ -z "${done_[$t]:-}" ]] || continue
    done_[$t]=1
    (
      "ensure_$t"
      for name in "${!WHERE[@]}"; do printf '%s\t%s\n' "$name" "${WHERE[$name]}"; done >"$TOOLS/.where.$t"
    ) &
    jobs[$t]=$!
  done
  local failed=() name where
  for t in "${!jobs[@]}"; do
    wait "${jobs[$t]}" || failed+=("$t")
  done
  [[ ${#failed[@]} -eq 0 ]] || die "could not provide: ${failed[*]} (see the errors above)"
  for t in "${!jobs[@]}"; do
    while IFS=$'\t' read -r name where; do WHERE[$name]="$where"; done <"$TOOLS/.where.$t"
  done
  rm -f "$TOOLS"/.where.*
  # The engine looks for plugins in its plugin cache; registering needs the CLI, so it comes last.
  if [[ "${WHERE[pulumi-resource-command]:-}" == "$BIN/"* ]]; then
    register_command_plugin "$BIN/pulumi-resource-command"
  fi

  local order=(pulumi pulumi-language-nodejs pulumi-resource-command actionlint minio pulumi-language-yaml moto_server) name
  declare -A ver=([pulumi]="$PULUMI_VERSION" [pulumi-language-nodejs]="$PULUMI_VERSION"
    [pulumi-resource-command]="$COMMAND_VERSION" [actionlint]="$ACTIONLINT_VERSION"
    [minio]="$MINIO_RELEASE_TAG" [pulumi-language-yaml]="$YAML_VERSION" [moto_server]="$MOTO_VERSION")
  for name in "${order[@]}"; do
    [[ -n "${WHERE[$name]:-}" ]] && printf '%-24s %-34s %s\n' "$name" "${ver[$name]}" "${WHERE[$name]}"
  done
  [[ "${WHERE[*]}" == *"(built)"* ]] || log "all requested tools are up to date; nothing built"
  case ":$PATH:" in
    *":$BIN:"*) ;;
    *) log "add the tools to PATH: export PATH=\"$BIN:\$PATH\"" ;;
  esac
}

main "$@"
