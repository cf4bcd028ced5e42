// pulumi-language-nodejs (toolchain.sh stand-in; built by scripts/toolchain.sh).
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
//   - No About/GenerateProgram/Pack support (returns Unimplemented).
//   - InstallDependencies (install.go) runs the package manager's install, as upstream, without
//     upstream's Node version checks or progress display.
//   - RunPlugin (plugin.go) runs a PulumiPlugin.yaml directory through @pulumi/pulumi's
//     run-plugin script, like upstream.
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

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
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
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
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
		case (a == "-tracing" || a == "--tracing") && i+1 < len(args):
			// The engine passes the tracing endpoint as a separate argument.
			i++
			h.tracing = args[i]
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
	return locateScript(nodeBin, dir, "@pulumi/pulumi/cmd/run")
}

// locateScript resolves a module of @pulumi/pulumi the way node would from dir.
func locateScript(nodeBin, dir, module string) (string, error) {
	cmd := exec.Command(nodeBin, "-e", fmt.Sprintf("console.log(require.resolve(%q))", module))
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
