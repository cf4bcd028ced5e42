// RunPlugin: a Node.js directory with a PulumiPlugin.yaml (runtime: nodejs) run as a plugin,
// as upstream does it: node [nodeargs] <@pulumi/pulumi/cmd/run-plugin> <plugin dir> <args>,
// in the plugin's directory, with the engine's environment additions; the process's output is
// streamed back to the engine, which reads the provider's port from its stdout.
package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func (h *host) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	nodeBin, err := exec.LookPath("node")
	if err != nil {
		return fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	dir := req.GetPwd()
	if info := req.GetInfo(); info != nil && info.GetProgramDirectory() != "" {
		dir = info.GetProgramDirectory()
	} else if req.GetProgram() != "" {
		dir = req.GetProgram()
	}
	if dir == "" {
		if dir, err = os.Getwd(); err != nil {
			return err
		}
	}
	runPath, err := locateScript(nodeBin, dir, "@pulumi/pulumi/cmd/run-plugin")
	if err != nil {
		return err
	}

	var args []string
	if nodeargs, ok := optString(req.GetInfo().GetOptions(), "nodeargs"); ok && strings.TrimSpace(nodeargs) != "" {
		args = append(args, strings.Fields(nodeargs)...)
	}
	// After "--" the script's argument parser takes everything as positional: the plugin's own
	// flags (the engine passes e.g. --logtostderr) reach the plugin instead of the script.
	args = append(args, runPath, dir, "--")
	args = append(args, req.GetArgs()...)

	cmd := exec.Command(nodeBin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), req.GetEnv()...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("could not run %s %s: %w", nodeBin, runPath, err)
	}
	// The plugin lives as long as the engine's stream: a cancelled stream stops it.
	go func() {
		<-server.Context().Done()
		if cmd.Process != nil {
			_ = cmd.Process.Signal(syscall.SIGTERM)
		}
	}()

	var mu sync.Mutex
	send := func(resp *pulumirpc.RunPluginResponse) error {
		mu.Lock()
		defer mu.Unlock()
		return server.Send(resp)
	}
	var wg sync.WaitGroup
	forward := func(r io.Reader, wrap func([]byte) *pulumirpc.RunPluginResponse) {
		defer wg.Done()
		buf := make([]byte, 32*1024)
		for {
			n, readErr := r.Read(buf)
			if n > 0 {
				chunk := append([]byte(nil), buf[:n]...)
				if sendErr := send(wrap(chunk)); sendErr != nil {
					return
				}
			}
			if readErr != nil {
				return
			}
		}
	}
	wg.Add(2)
	go forward(stdout, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stdout{Stdout: b}}
	})
	go forward(stderr, func(b []byte) *pulumirpc.RunPluginResponse {
		return &pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Stderr{Stderr: b}}
	})
	wg.Wait()

	code := 0
	if err := cmd.Wait(); err != nil {
		exitErr, ok := err.(*exec.ExitError)
		if !ok {
			return fmt.Errorf("plugin %s: %w", dir, err)
		}
		code = exitErr.ExitCode()
	}
	return send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: int32(code)}})
}
