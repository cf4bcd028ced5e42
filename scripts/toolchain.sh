#!/usr/bin/env bash
# scripts/toolchain.sh — project-local, pinned tool binaries in .tools/bin, built from
# the Go module proxy with `go build` / `go install` when absent.
#
#   scripts/toolchain.sh [all|pulumi|command|actionlint|minio|path]...   (default: all)
#
#   pulumi      pulumi CLI v3.248.0 (= npm @pulumi/pulumi 3.248.0) + pulumi-language-nodejs
#   command     pulumi-resource-command 1.2.1 (= npm @pulumi/command 1.2.1), also
#               registered in the Pulumi plugin cache ($PULUMI_HOME, default ~/.pulumi)
#   actionlint  actionlint v1.7.12
#   minio       minio server, source pseudo-version of 2026-02-12 (commit 7aac2a2c5b7c)
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
# small stand-ins whose Go source is embedded below, against the pinned Pulumi SDK:
#   - pulumi-language-nodejs: runs Node programs through @pulumi/pulumi's cmd/run,
#     like upstream; it reports no "required plugins", so the engine loads only the
#     providers a program really uses (no download attempts for @pulumi/aws etc.).
#   - pulumi-resource-command: command:local:Command and command:local:run only,
#     reporting version 1.2.1 (command:remote:* returns a clear error).
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

# Recipe revision: bump to force rebuilds when the build recipe (not the pin) changes.
RECIPE=1

export GOFLAGS="-mod=mod -buildvcs=false"
export PULUMI_SKIP_UPDATE_CHECK=true

log() { printf 'toolchain: %s\n' "$*" >&2; }
die() { printf 'toolchain: ERROR: %s\n' "$*" >&2; exit 1; }

declare -A WHERE=()
BUILT=0

usage() {
  sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
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

# run_build NAME VERSION LOGFILE CMD...: runs a build with output to a log; clear error on failure.
run_build() {
  local name="$1" version="$2" logf="$3"; shift 3
  local start=$SECONDS
  mkdir -p "$LOGS"
  log "building $name $version (log: ${logf#"$ROOT"/}) ..."
  if ! "$@" >"$logf" 2>&1; then
    tail -n 30 "$logf" >&2 || true
    die "building $name $version failed after $((SECONDS - start))s; full log: $logf"
  fi
  log "built $name $version in $((SECONDS - start))s"
  BUILT=$((BUILT + 1))
}

# install_bin TMP NAME STAMP: atomically move a fresh build into place and stamp it.
install_bin() {
  chmod +x "$1"
  mv -f "$1" "$BIN/$2"
  printf '%s\n' "$3" >"$BIN/$2.version"
  WHERE[$2]="$BIN/$2 (built)"
}

# ---------------------------------------------------------------------------------------
# Shared Go module for the pulumi CLI and the two stand-ins.

PULUMI_MOD_DIR="$BUILD/pulumi"

write_if_changed() { # FILE: content from stdin
  local tmp
  tmp="$(mktemp "$1.XXXX")"
  cat >"$tmp"
  if [[ -f "$1" ]] && cmp -s "$tmp" "$1"; then rm -f "$tmp"; else mv -f "$tmp" "$1"; fi
}

prepare_pulumi_module() {
  need_go
  mkdir -p "$PULUMI_MOD_DIR/cmd/pulumi-language-nodejs" "$PULUMI_MOD_DIR/cmd/pulumi-resource-command" "$LOGS"
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
  src_language_host | write_if_changed "$PULUMI_MOD_DIR/cmd/pulumi-language-nodejs/main.go"
  src_command_provider | write_if_changed "$PULUMI_MOD_DIR/cmd/pulumi-resource-command/main.go"
  if [[ ! -f "$PULUMI_MOD_DIR/go.mod" || ! -f "$PULUMI_MOD_DIR/go.sum" ||
    "$PULUMI_MOD_DIR/go.mod.base" -nt "$PULUMI_MOD_DIR/go.sum" ]]; then
    cp "$PULUMI_MOD_DIR/go.mod.base" "$PULUMI_MOD_DIR/go.mod"
    rm -f "$PULUMI_MOD_DIR/go.sum"
    run_build "go module for pulumi" "$PULUMI_VERSION" "$LOGS/pulumi-mod.log" \
      in_dir "$PULUMI_MOD_DIR" go mod tidy
    BUILT=$((BUILT - 1))
  fi
}

src_hash() { "$1" | sha256sum | cut -c1-16; }

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

  # Language host: a real one bundled next to a PATH pulumi of the right version wins.
  stamp="pulumi-language-nodejs $PULUMI_VERSION standin-$(src_hash src_language_host) recipe$RECIPE"
  if [[ "${WHERE[pulumi]}" == *"(from PATH)" && -x "$(dirname "${WHERE[pulumi]%% *}")/pulumi-language-nodejs" ]]; then
    WHERE[pulumi-language-nodejs]="$(dirname "${WHERE[pulumi]%% *}")/pulumi-language-nodejs (from PATH, next to pulumi)"
  elif stamp_ok pulumi-language-nodejs "$stamp"; then
    WHERE[pulumi-language-nodejs]="$BIN/pulumi-language-nodejs (cached)"
  else
    prepare_pulumi_module
    run_build pulumi-language-nodejs "$PULUMI_VERSION (stand-in)" "$LOGS/pulumi-language-nodejs.log" \
      in_dir "$PULUMI_MOD_DIR" go build -trimpath -o "$BIN/.pulumi-language-nodejs.tmp" \
      -ldflags "-s -w -X main.version=$PULUMI_VERSION" ./cmd/pulumi-language-nodejs
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
  stamp="pulumi-resource-command $COMMAND_VERSION standin-$(src_hash src_command_provider) recipe$RECIPE"
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
    prepare_pulumi_module
    # The engine checks the version a provider reports against the SDK's request (1.2.1).
    run_build pulumi-resource-command "$COMMAND_VERSION (stand-in)" "$LOGS/pulumi-resource-command.log" \
      in_dir "$PULUMI_MOD_DIR" go build -trimpath -o "$BIN/.pulumi-resource-command.tmp" \
      -ldflags "-s -w -X main.version=$COMMAND_VERSION" ./cmd/pulumi-resource-command
    install_bin "$BIN/.pulumi-resource-command.tmp" pulumi-resource-command "$stamp"
  fi
  register_command_plugin "$BIN/pulumi-resource-command"
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

main() {
  local targets=() t
  for t in "$@"; do
    case "$t" in
      all) targets+=(pulumi command actionlint minio) ;;
      pulumi | command | actionlint | minio) targets+=("$t") ;;
      path) printf '%s\n' "$BIN"; return 0 ;;
      -h | --help | help) usage; return 0 ;;
      *) usage >&2; die "unknown target '$t'" ;;
    esac
  done
  [[ ${#targets[@]} -gt 0 ]] || targets=(pulumi command actionlint minio)

  mkdir -p "$BIN" "$LOGS"
  if command -v flock >/dev/null 2>&1; then
    exec 9>"$TOOLS/.lock"
    flock 9 || die "could not lock $TOOLS/.lock"
  fi

  declare -A done_=()
  for t in "${targets[@]}"; do
    [[ -z "${done_[$t]:-}" ]] || continue
    done_[$t]=1
    "ensure_$t"
  done

  local order=(pulumi pulumi-language-nodejs pulumi-resource-command actionlint minio) name
  declare -A ver=([pulumi]="$PULUMI_VERSION" [pulumi-language-nodejs]="$PULUMI_VERSION"
    [pulumi-resource-command]="$COMMAND_VERSION" [actionlint]="$ACTIONLINT_VERSION"
    [minio]="$MINIO_RELEASE_TAG")
  for name in "${order[@]}"; do
    [[ -n "${WHERE[$name]:-}" ]] && printf '%-24s %-34s %s\n' "$name" "${ver[$name]}" "${WHERE[$name]}"
  done
  if [[ $BUILT -eq 0 ]]; then log "all requested tools are up to date; nothing built"; fi
  case ":$PATH:" in
    *":$BIN:"*) ;;
    *) log "add the tools to PATH: export PATH=\"$BIN:\$PATH\"" ;;
  esac
}

# ---------------------------------------------------------------------------------------
# Stand-in sources (Go). Edits here change the stamp and trigger a rebuild.

src_language_host() {
  cat <<'GOEOF'
// pulumi-language-nodejs (toolchain.sh stand-in).
//
// A minimal Pulumi language host for Node.js programs, written for this project's
// offline toolchain because the upstream host module is not served by the Go module
// proxy this project can reach. It implements the LanguageRuntime gRPC service far
// enough for `pulumi preview/up/destroy/refresh` of a Node.js (JS or TS) project:
// Run spawns `node <@pulumi/pulumi/cmd/run> ...` exactly like the upstream host's
// command line contract, which @pulumi/pulumi documents in cmd/run/index.js.
//
// Deliberate differences from upstream:
//   - GetRequiredPlugins/GetRequiredPackages report nothing, so the engine loads
//     provider plugins lazily (only those the program actually uses) instead of
//     trying to download every provider SDK found in node_modules.
//   - No InstallDependencies/About/GenerateProgram/Pack support (returns Unimplemented).
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Set with -ldflags "-X main.version=...".
var version = "0.0.0-dev"

// Exit code with which @pulumi/pulumi's run script says "the user already saw the error".
const nodeExitedAfterUserActionableMessage = 32

type host struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
	tracing       string
}

func main() {
	h := &host{}
	for _, a := range os.Args[1:] {
		switch {
		case a == "-help" || a == "--help" || a == "-h":
			fmt.Printf("pulumi-language-nodejs %s (toolchain.sh stand-in)\n"+
				"usage: pulumi-language-nodejs [-tracing=URL] [ENGINE_ADDRESS]\n", version)
			return
		case a == "-version" || a == "--version":
			fmt.Println(version)
			return
		case strings.HasPrefix(a, "-tracing=") || strings.HasPrefix(a, "--tracing="):
			h.tracing = a[strings.Index(a, "=")+1:]
		case strings.HasPrefix(a, "-"):
			// Ignore flags newer engines may pass (e.g. -root, -typescript).
		case h.engineAddress == "":
			h.engineAddress = a
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, h)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "fatal: could not start language host RPC server: %v\n", err)
		os.Exit(1)
	}
	// The plugin protocol: print the port, then serve until killed.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "fatal: language host RPC stopped serving: %v\n", err)
		os.Exit(1)
	}
}

func (h *host) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func optString(opts *structpb.Struct, key string) (string, bool) {
	if opts == nil {
		return "", false
	}
	v, ok := opts.GetFields()[key]
	if !ok {
		return "", false
	}
	switch k := v.GetKind().(type) {
	case *structpb.Value_StringValue:
		return k.StringValue, true
	case *structpb.Value_BoolValue:
		return fmt.Sprint(k.BoolValue), true
	case *structpb.Value_NumberValue:
		return fmt.Sprint(k.NumberValue), true
	}
	return "", false
}

// locateRunScript resolves @pulumi/pulumi/cmd/run the way node would from dir.
func locateRunScript(nodeBin, dir string) (string, error) {
	if p := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); p != "" {
		return p, nil
	}
	cmd := exec.Command(nodeBin, "-e", "console.log(require.resolve('@pulumi/pulumi/cmd/run'))")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("could not resolve @pulumi/pulumi from %s "+
			"(it looks like the Pulumi SDK has not been installed; run npm install): %w", dir, err)
	}
	return strings.TrimSpace(string(out)), nil
}

func (h *host) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return nil, fmt.Errorf("could not find node on the $PATH: %w", err)
	}

	info := req.GetInfo()
	programDir := req.GetPwd()
	entryPoint := req.GetProgram()
	rootDir := ""
	var opts *structpb.Struct
	if info != nil {
		if info.GetProgramDirectory() != "" {
			programDir = info.GetProgramDirectory()
		}
		entryPoint = info.GetEntryPoint()
		rootDir = info.GetRootDirectory()
		opts = info.GetOptions()
	}
	if programDir == "" {
		if programDir, err = os.Getwd(); err != nil {
			return nil, err
		}
	}
	if entryPoint == "" {
		entryPoint = "."
	}

	runPath, err := locateRunScript(nodeBin, programDir)
	if err != nil {
		return nil, err
	}

	var args []string
	if nodeargs, ok := optString(opts, "nodeargs"); ok && strings.TrimSpace(nodeargs) != "" {
		args = append(args, strings.Fields(nodeargs)...)
	}
	args = append(args, runPath)
	add := func(k, v string) {
		if v != "" {
			args = append(args, "--"+k, v)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", h.engineAddress)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("root-directory", rootDir)
	add("stack", req.GetStack())
	add("pwd", programDir)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() > 0 {
		add("parallel", fmt.Sprint(req.GetParallel()))
	}
	add("tracing", h.tracing)
	args = append(args, entryPoint)
	args = append(args, req.GetArgs()...)

	cfg := req.GetConfig()
	if cfg == nil {
		cfg = map[string]string{}
	}
	cfgJSON, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("failed to serialize configuration: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("failed to serialize secret config keys: %w", err)
	}

	env := os.Environ()
	env = append(env, "PULUMI_CONFIG="+string(cfgJSON), "PULUMI_CONFIG_SECRET_KEYS="+string(secretJSON))
	typescript := true
	if v, ok := optString(opts, "typescript"); ok {
		typescript = v == "true"
	}
	if typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	if v, ok := optString(opts, "tsconfig"); ok && v != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+v)
	}

	cmd := exec.CommandContext(ctx, nodeBin, args...)
	cmd.Dir = programDir
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		if exitErr, ok := err.(*exec.ExitError); ok {
			if status, ok := exitErr.Sys().(syscall.WaitStatus); ok {
				if status.ExitStatus() == nodeExitedAfterUserActionableMessage {
					return &pulumirpc.RunResponse{Bail: true}, nil
				}
				return &pulumirpc.RunResponse{
					Error: fmt.Sprintf("Program exited with non-zero exit code: %d", status.ExitStatus()),
				}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited unexpectedly: %v", exitErr)}, nil
		}
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Problem executing program (could not run %s %s): %v",
				nodeBin, filepath.Base(runPath), err),
		}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}
GOEOF
}

src_command_provider() {
  cat <<'GOEOF'
// pulumi-resource-command (toolchain.sh stand-in).
//
// A small, project-local implementation of the `command` resource provider's
// *local* surface, written for this project's offline toolchain because the upstream
// provider module is not served by the Go module proxy this project can reach.
// It reports the version the @pulumi/command SDK asks for (set with
// -ldflags "-X main.version=1.2.1") so the engine accepts it.
//
// Supported:  resource command:local:Command (create/update/delete/dir/environment/
//             interpreter/stdin/triggers/logging/addPreviousOutputInEnv/assetPaths/
//             archivePaths; outputs stdout/stderr/assets/archive) and the invoke
//             command:local:run.
// Not supported: command:remote:* (returns an error naming the token).
package main

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/pkg/v3/resource/provider"
	"github.com/pulumi/pulumi/sdk/v3/go/common/diag"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

// Set with -ldflags "-X main.version=...".
var version = "0.0.0-dev"

const (
	commandToken = "command:local:Command"
	runToken     = "command:local:run"
)

func main() {
	for _, a := range os.Args[1:] {
		switch a {
		case "-version", "--version":
			fmt.Println(version)
			return
		case "-help", "--help", "-h":
			fmt.Printf("pulumi-resource-command %s (toolchain.sh stand-in: command:local:Command, command:local:run)\n"+
				"usage: pulumi-resource-command ENGINE_ADDRESS  (started by the Pulumi engine)\n", version)
			return
		}
	}
	if err := provider.Main("command", func(h *provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &commandProvider{host: h}, nil
	}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type commandProvider struct {
	pulumirpc.UnimplementedResourceProviderServer
	host *provider.HostClient
}

var marshalOpts = plugin.MarshalOptions{
	KeepUnknowns: true, KeepSecrets: true, KeepResources: true, SkipNulls: true,
}

func unmarshal(s *structpb.Struct, label string) (resource.PropertyMap, error) {
	o := marshalOpts
	o.Label = label
	m, err := plugin.UnmarshalProperties(s, o)
	if m == nil {
		m = resource.PropertyMap{}
	}
	return m, err
}

func marshal(m resource.PropertyMap, label string) (*structpb.Struct, error) {
	o := marshalOpts
	o.Label = label
	o.ComputeAssetHashes = true
	return plugin.MarshalProperties(m, o)
}

// plain strips secret and output wrappers, recursively.
func plain(v resource.PropertyValue) resource.PropertyValue {
	switch {
	case v.IsSecret():
		return plain(v.SecretValue().Element)
	case v.IsOutput():
		o := v.OutputValue()
		if !o.Known {
			return resource.MakeComputed(resource.NewStringProperty(""))
		}
		return plain(o.Element)
	case v.IsArray():
		arr := v.ArrayValue()
		out := make([]resource.PropertyValue, len(arr))
		for i, e := range arr {
			out[i] = plain(e)
		}
		return resource.NewArrayProperty(out)
	case v.IsObject():
		return resource.NewObjectProperty(plainMap(v.ObjectValue()))
	}
	return v
}

func plainMap(m resource.PropertyMap) resource.PropertyMap {
	out := resource.PropertyMap{}
	for k, v := range m {
		out[k] = plain(v)
	}
	return out
}

// ---------------------------------------------------------------------------------------------
// Inputs

var baseKeys = []string{"interpreter", "dir", "environment", "stdin", "logging",
	"assetPaths", "archivePaths", "addPreviousOutputInEnv"}
var commandKeys = append([]string{"create", "update", "delete", "triggers"}, baseKeys...)
var runKeys = append([]string{"command"}, baseKeys...)

type execArgs struct {
	interpreter  []string
	dir          string
	environment  map[string]string
	stdin        *string
	logging      string
	assetPaths   []string
	archivePaths []string
	addPrevious  bool
}

func getString(m resource.PropertyMap, key string) (*string, error) {
	v, ok := m[resource.PropertyKey(key)]
	if !ok || v.IsNull() {
		return nil, nil
	}
	if !v.IsString() {
		return nil, fmt.Errorf("%s: expected a string, got %s", key, v.TypeString())
	}
	s := v.StringValue()
	return &s, nil
}

func getStrings(m resource.PropertyMap, key string) ([]string, bool, error) {
	v, ok := m[resource.PropertyKey(key)]
	if !ok || v.IsNull() {
		return nil, false, nil
	}
	if !v.IsArray() {
		return nil, false, fmt.Errorf("%s: expected a list of strings, got %s", key, v.TypeString())
	}
	var out []string
	for i, e := range v.ArrayValue() {
		if !e.IsString() {
			return nil, false, fmt.Errorf("%s[%d]: expected a string, got %s", key, i, e.TypeString())
		}
		out = append(out, e.StringValue())
	}
	return out, true, nil
}

// parseExecArgs reads the common execution inputs from a property map without secrets/outputs.
func parseExecArgs(m resource.PropertyMap) (execArgs, error) {
	a := execArgs{addPrevious: true, logging: "stdoutAndStderr"}
	var err error
	if a.interpreter, _, err = getStrings(m, "interpreter"); err != nil {
		return a, err
	}
	if len(a.interpreter) == 0 {
		a.interpreter = []string{"/bin/sh", "-c"}
	}
	var s *string
	if s, err = getString(m, "dir"); err != nil {
		return a, err
	} else if s != nil {
		a.dir = *s
	}
	if a.stdin, err = getString(m, "stdin"); err != nil {
		return a, err
	}
	if s, err = getString(m, "logging"); err != nil {
		return a, err
	} else if s != nil {
		switch *s {
		case "stdout", "stderr", "stdoutAndStderr", "none":
			a.logging = *s
		default:
			return a, fmt.Errorf("logging: %q is not one of stdout, stderr, stdoutAndStderr, none", *s)
		}
	}
	if v, ok := m["environment"]; ok && !v.IsNull() {
		if !v.IsObject() {
			return a, fmt.Errorf("environment: expected a map of strings, got %s", v.TypeString())
		}
		a.environment = map[string]string{}
		for k, e := range v.ObjectValue() {
			if !e.IsString() {
				return a, fmt.Errorf("environment.%s: expected a string, got %s", k, e.TypeString())
			}
			a.environment[string(k)] = e.StringValue()
		}
	}
	if a.assetPaths, _, err = getStrings(m, "assetPaths"); err != nil {
		return a, err
	}
	if a.archivePaths, _, err = getStrings(m, "archivePaths"); err != nil {
		return a, err
	}
	if v, ok := m["addPreviousOutputInEnv"]; ok && !v.IsNull() {
		if !v.IsBool() {
			return a, fmt.Errorf("addPreviousOutputInEnv: expected a bool, got %s", v.TypeString())
		}
		a.addPrevious = v.BoolValue()
	}
	return a, nil
}

// ---------------------------------------------------------------------------------------------
// Running commands

type lineLogger struct {
	mu   sync.Mutex
	buf  bytes.Buffer // everything
	line bytes.Buffer // current partial line
	log  func(string)
}

func (l *lineLogger) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf.Write(p)
	if l.log == nil {
		return len(p), nil
	}
	for _, b := range p {
		if b == '\n' {
			l.log(l.line.String())
			l.line.Reset()
		} else {
			l.line.WriteByte(b)
		}
	}
	return len(p), nil
}

func (l *lineLogger) flush() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.log != nil && l.line.Len() > 0 {
		l.log(l.line.String())
		l.line.Reset()
	}
}

type runResult struct {
	stdout, stderr string
	assets         resource.PropertyMap // nil unless assetPaths set
	archive        *resource.Archive    // nil unless archivePaths set
}

func (p *commandProvider) logf(ctx context.Context, urn string, msg string) {
	if p.host != nil {
		_ = p.host.Log(ctx, diag.Info, resource.URN(urn), msg)
	}
}

func (p *commandProvider) run(ctx context.Context, urn, command string, a execArgs,
	prevStdout, prevStderr *string,
) (runResult, error) {
	var res runResult
	argv := append(append([]string{}, a.interpreter...), command)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	if a.dir != "" {
		cmd.Dir = a.dir
	} else if wd, err := os.Getwd(); err == nil {
		cmd.Dir = wd
	}
	cmd.Env = os.Environ()
	for k, v := range a.environment {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	if a.addPrevious {
		if prevStdout != nil {
			cmd.Env = append(cmd.Env, "PULUMI_COMMAND_STDOUT="+*prevStdout)
		}
		if prevStderr != nil {
			cmd.Env = append(cmd.Env, "PULUMI_COMMAND_STDERR="+*prevStderr)
		}
	}
	if a.stdin != nil && *a.stdin != "" {
		cmd.Stdin = strings.NewReader(*a.stdin)
	}
	logger := func(s string) { p.logf(ctx, urn, s) }
	stdout, stderr := &lineLogger{}, &lineLogger{}
	if a.logging == "stdout" || a.logging == "stdoutAndStderr" {
		stdout.log = logger
	}
	if a.logging == "stderr" || a.logging == "stdoutAndStderr" {
		stderr.log = logger
	}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	err := cmd.Run()
	stdout.flush()
	stderr.flush()
	res.stdout = strings.TrimSuffix(stdout.buf.String(), "\n")
	res.stderr = strings.TrimSuffix(stderr.buf.String(), "\n")
	if err != nil {
		tail := res.stderr
		if len(tail) > 4000 {
			tail = "..." + tail[len(tail)-4000:]
		}
		if tail != "" {
			return res, fmt.Errorf("command failed: %w; stderr: %s", err, tail)
		}
		return res, fmt.Errorf("command failed: %w", err)
	}
	if a.assetPaths != nil {
		assets, err := globAssets(cmd.Dir, a.assetPaths)
		if err != nil {
			return res, err
		}
		res.assets = resource.PropertyMap{}
		for k, v := range assets {
			res.assets[resource.PropertyKey(k)] = resource.NewAssetProperty(v)
		}
	}
	if a.archivePaths != nil {
		assets, err := globAssets(cmd.Dir, a.archivePaths)
		if err != nil {
			return res, err
		}
		m := map[string]any{}
		for k, v := range assets {
			m[k] = v
		}
		if res.archive, err = resource.NewAssetArchive(m); err != nil {
			return res, err
		}
	}
	return res, nil
}

// globToRegexp: `**` matches anything including '/', `*` anything but '/', `?` one non-'/' char.
func globToRegexp(g string) (*regexp.Regexp, error) {
	var sb strings.Builder
	sb.WriteString("^")
	for i := 0; i < len(g); i++ {
		c := g[i]
		switch {
		case c == '*' && i+1 < len(g) && g[i+1] == '*':
			sb.WriteString(".*")
			i++
		case c == '*':
			sb.WriteString("[^/]*")
		case c == '?':
			sb.WriteString("[^/]")
		default:
			sb.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	sb.WriteString("$")
	return regexp.Compile(sb.String())
}

func globAssets(dir string, globs []string) (map[string]*resource.Asset, error) {
	type rule struct {
		re      *regexp.Regexp
		exclude bool
	}
	var rules []rule
	for _, g := range globs {
		ex := strings.HasPrefix(g, "!")
		re, err := globToRegexp(strings.TrimPrefix(g, "!"))
		if err != nil {
			return nil, fmt.Errorf("bad glob %q: %w", g, err)
		}
		rules = append(rules, rule{re, ex})
	}
	assets := map[string]*resource.Asset{}
	err := fs.WalkDir(os.DirFS(dir), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, r := range rules {
			if !r.re.MatchString(p) {
				continue
			}
			if r.exclude {
				delete(assets, p)
			} else if assets[p], err = resource.NewPathAsset(path.Join(filepath.ToSlash(dir), p)); err != nil {
				return err
			}
		}
		return nil
	})
	return assets, err
}

// ---------------------------------------------------------------------------------------------
// Provider protocol

func (p *commandProvider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (p *commandProvider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: fmt.Sprintf(`{"name":"command","version":%q}`, version)}, nil
}

func (p *commandProvider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *commandProvider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *commandProvider) Configure(context.Context, *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true}, nil
}

func (p *commandProvider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func typeOf(urn, typ string) string {
	if typ != "" {
		return typ
	}
	return string(resource.URN(urn).Type())
}

func unsupported(tok string) error {
	return fmt.Errorf("%s is not implemented by the toolchain.sh stand-in pulumi-resource-command %s "+
		"(only %s and %s are)", tok, version, commandToken, runToken)
}

func (p *commandProvider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	if t := typeOf(req.GetUrn(), req.GetType()); t != commandToken {
		return nil, unsupported(t)
	}
	news, err := unmarshal(req.GetNews(), "check.news")
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	known := map[string]bool{}
	for _, k := range commandKeys {
		known[k] = true
	}
	for k := range news {
		if !known[string(k)] && !strings.HasPrefix(string(k), "__") {
			failures = append(failures, &pulumirpc.CheckFailure{Property: string(k), Reason: "unknown property"})
		}
	}
	pm := plainMap(news)
	if !pm.ContainsUnknowns() {
		for _, k := range []string{"create", "update", "delete"} {
			if _, err := getString(pm, k); err != nil {
				failures = append(failures, &pulumirpc.CheckFailure{Property: k, Reason: err.Error()})
			}
		}
		if _, err := parseExecArgs(pm); err != nil {
			failures = append(failures, &pulumirpc.CheckFailure{Reason: err.Error()})
		}
	}
	if _, ok := news["addPreviousOutputInEnv"]; !ok {
		news["addPreviousOutputInEnv"] = resource.NewBoolProperty(true)
	}
	inputs, err := marshal(news, "check.inputs")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: failures}, nil
}

// inputsOf returns the old inputs: OldInputs if the engine sent them, else the input keys of olds.
func inputsOf(oldInputs, olds *structpb.Struct) (resource.PropertyMap, error) {
	if oldInputs != nil && len(oldInputs.GetFields()) > 0 {
		return unmarshal(oldInputs, "oldInputs")
	}
	o, err := unmarshal(olds, "olds")
	if err != nil {
		return nil, err
	}
	in := resource.PropertyMap{}
	for _, k := range commandKeys {
		if v, ok := o[resource.PropertyKey(k)]; ok {
			in[resource.PropertyKey(k)] = v
		}
	}
	return in, nil
}

func (p *commandProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	if t := typeOf(req.GetUrn(), req.GetType()); t != commandToken {
		return nil, unsupported(t)
	}
	olds, err := inputsOf(req.GetOldInputs(), req.GetOlds())
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews(), "diff.news")
	if err != nil {
		return nil, err
	}
	ignore := map[string]bool{}
	for _, k := range req.GetIgnoreChanges() {
		ignore[k] = true
	}
	keys := map[resource.PropertyKey]bool{}
	for k := range olds {
		keys[k] = true
	}
	for k := range news {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, string(k))
	}
	sort.Strings(sorted)

	resp := &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE, HasDetailedDiff: true,
		DetailedDiff: map[string]*pulumirpc.PropertyDiff{}}
	for _, k := range sorted {
		if ignore[k] || strings.HasPrefix(k, "__") {
			continue
		}
		ov, oldOK := olds[resource.PropertyKey(k)]
		nv, newOK := news[resource.PropertyKey(k)]
		if oldOK && newOK && !nv.ContainsUnknowns() && plain(ov).DeepEquals(plain(nv)) {
			continue
		}
		if !oldOK && newOK && nv.IsNull() || oldOK && ov.IsNull() && !newOK {
			continue
		}
		kind := pulumirpc.PropertyDiff_UPDATE
		switch {
		case !oldOK:
			kind = pulumirpc.PropertyDiff_ADD
		case !newOK:
			kind = pulumirpc.PropertyDiff_DELETE
		}
		if k == "triggers" {
			kind += 1 // the *_REPLACE variant
			resp.Replaces = append(resp.Replaces, k)
		}
		resp.Changes = pulumirpc.DiffResponse_DIFF_SOME
		resp.Diffs = append(resp.Diffs, k)
		resp.DetailedDiff[k] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
	}
	return resp, nil
}

// outputs builds the state: the inputs plus stdout/stderr (unknown during preview).
func outputs(inputs resource.PropertyMap, res *runResult) resource.PropertyMap {
	out := inputs.Copy()
	secret := inputs.ContainsSecrets()
	wrap := func(v resource.PropertyValue) resource.PropertyValue {
		if secret {
			return resource.MakeSecret(v)
		}
		return v
	}
	if res == nil {
		out["stdout"] = resource.MakeComputed(resource.NewStringProperty(""))
		out["stderr"] = resource.MakeComputed(resource.NewStringProperty(""))
		return out
	}
	out["stdout"] = wrap(resource.NewStringProperty(res.stdout))
	out["stderr"] = wrap(resource.NewStringProperty(res.stderr))
	if res.assets != nil {
		out["assets"] = wrap(resource.NewObjectProperty(res.assets))
	}
	if res.archive != nil {
		out["archive"] = wrap(resource.NewArchiveProperty(res.archive))
	}
	return out
}

func (p *commandProvider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	urn := req.GetUrn()
	if t := typeOf(urn, req.GetType()); t != commandToken {
		return nil, unsupported(t)
	}
	inputs, err := unmarshal(req.GetProperties(), "create.properties")
	if err != nil {
		return nil, err
	}
	id, err := resource.NewUniqueHex(resource.URN(urn).Name(), 8, 0)
	if err != nil {
		return nil, err
	}
	var res *runResult
	if !req.GetPreview() {
		pm := plainMap(inputs)
		a, err := parseExecArgs(pm)
		if err != nil {
			return nil, err
		}
		r := runResult{}
		if c, _ := getString(pm, "create"); c != nil {
			if r, err = p.run(ctx, urn, *c, a, nil, nil); err != nil {
				return nil, err
			}
		}
		res = &r
	}
	props, err := marshal(outputs(inputs, res), "create.outputs")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

func prevOutputs(olds resource.PropertyMap) (*string, *string) {
	pm := plainMap(olds)
	so, _ := getString(pm, "stdout")
	se, _ := getString(pm, "stderr")
	return so, se
}

func (p *commandProvider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	urn := req.GetUrn()
	if t := typeOf(urn, req.GetType()); t != commandToken {
		return nil, unsupported(t)
	}
	olds, err := unmarshal(req.GetOlds(), "update.olds")
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews(), "update.news")
	if err != nil {
		return nil, err
	}
	var res *runResult
	if !req.GetPreview() {
		pm := plainMap(news)
		a, err := parseExecArgs(pm)
		if err != nil {
			return nil, err
		}
		so, se := prevOutputs(olds)
		r := runResult{}
		if so != nil {
			r.stdout = *so
		}
		if se != nil {
			r.stderr = *se
		}
		c, _ := getString(pm, "update")
		if c == nil {
			c, _ = getString(pm, "create")
		}
		if c != nil {
			if r, err = p.run(ctx, urn, *c, a, so, se); err != nil {
				return nil, err
			}
		}
		res = &r
	}
	props, err := marshal(outputs(news, res), "update.outputs")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

func (p *commandProvider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	urn := req.GetUrn()
	if t := typeOf(urn, req.GetType()); t != commandToken {
		return nil, unsupported(t)
	}
	olds, err := unmarshal(req.GetProperties(), "delete.properties")
	if err != nil {
		return nil, err
	}
	pm := plainMap(olds)
	c, _ := getString(pm, "delete")
	if c == nil {
		return &emptypb.Empty{}, nil
	}
	a, err := parseExecArgs(pm)
	if err != nil {
		return nil, err
	}
	a.assetPaths, a.archivePaths = nil, nil
	so, se := prevOutputs(olds)
	if _, err := p.run(ctx, urn, *c, a, so, se); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

func (p *commandProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	if t := typeOf(req.GetUrn(), req.GetType()); t != commandToken {
		return nil, unsupported(t)
	}
	// Commands have no remote state: refresh keeps what we have.
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (p *commandProvider) Invoke(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	if req.GetTok() != runToken {
		return nil, unsupported(req.GetTok())
	}
	args, err := unmarshal(req.GetArgs(), "invoke.args")
	if err != nil {
		return nil, err
	}
	pm := plainMap(args)
	if pm.ContainsUnknowns() {
		return nil, fmt.Errorf("%s: arguments are not known yet", runToken)
	}
	c, err := getString(pm, "command")
	if err != nil {
		return nil, err
	}
	if c == nil {
		return &pulumirpc.InvokeResponse{Failures: []*pulumirpc.CheckFailure{
			{Property: "command", Reason: "missing required property 'command'"}}}, nil
	}
	a, err := parseExecArgs(pm)
	if err != nil {
		return nil, err
	}
	r, err := p.run(ctx, "", *c, a, nil, nil)
	if err != nil {
		return nil, err
	}
	in := resource.PropertyMap{}
	for _, k := range runKeys {
		if v, ok := args[resource.PropertyKey(k)]; ok {
			in[resource.PropertyKey(k)] = v
		}
	}
	ret, err := marshal(outputs(in, &r), "invoke.return")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: ret}, nil
}
GOEOF
}

main "$@"
