// InstallDependencies: the package manager's install in the program's or plugin's directory,
// as upstream does it (npm unless the runtime option packagemanager names yarn, pnpm or bun),
// its output streamed to the engine.
package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

type streamWriter struct {
	send func(*pulumirpc.InstallDependenciesResponse) error
	err  bool
}

func (w streamWriter) Write(p []byte) (int, error) {
	chunk := bytes.Clone(p)
	resp := &pulumirpc.InstallDependenciesResponse{Stdout: chunk}
	if w.err {
		resp = &pulumirpc.InstallDependenciesResponse{Stderr: chunk}
	}
	if err := w.send(resp); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (h *host) InstallDependencies(req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer) error {
	dir := req.GetDirectory()
	if info := req.GetInfo(); info != nil && info.GetProgramDirectory() != "" {
		dir = info.GetProgramDirectory()
	}
	if dir == "" {
		return fmt.Errorf("no directory to install dependencies in")
	}
	manager := "npm"
	if pm, ok := optString(req.GetInfo().GetOptions(), "packagemanager"); ok && pm != "" {
		manager = pm
	}
	var args []string
	switch manager {
	case "npm":
		args = []string{"install", "--loglevel=error", "--no-audit", "--no-fund"}
	case "yarn", "pnpm", "bun":
		args = []string{"install"}
	default:
		return fmt.Errorf("unknown packagemanager %q; expected npm, yarn, pnpm or bun", manager)
	}
	bin, err := exec.LookPath(manager)
	if err != nil {
		return fmt.Errorf("could not find %s on the $PATH: %w", manager, err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	cmd.Stdout = streamWriter{send: server.Send}
	cmd.Stderr = streamWriter{send: server.Send, err: true}
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s install in %s failed: %w", manager, dir, err)
	}
	return nil
}
