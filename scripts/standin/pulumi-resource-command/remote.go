package main

// command:remote:Command: runs create/update/delete over SSH, as pulumi-command 1.2.x does.
//
// Inputs: connection (see ssh.go), create, update, delete, triggers, environment (sent with
// SSH "env" requests: sshd accepts only names listed in its AcceptEnv), stdin, logging,
// addPreviousOutputInEnv (default true). Outputs: the inputs plus stdout and stderr.
//
// Behaviour (as upstream):
//   - Create runs `create`; Update runs `update`, else `create` (neither: the old stdout/stderr
//     stay); Delete runs the `delete` stored in state over the stored connection.
//   - A change of `triggers` replaces the resource (the new one is created, then the old one
//     deleted); any other input change is an in-place update.
//   - With addPreviousOutputInEnv, update and delete get PULUMI_COMMAND_STDOUT/STDERR set to the
//     previous outputs (a refused variable is a warning); a refused `environment` variable fails.
//   - A command that fails (non-zero exit) fails the operation with its exit status, the command
//     line and its combined stdout/stderr.
//   - Secretness: an output that mirrors an input keeps the input's secretness; `connection` is
//     always secret; stdout/stderr are not (use additionalSecretOutputs).
//   - Preview never connects: stdout/stderr are unknown.
//
// Known differences: an empty `create`/`update`/`delete` string runs nothing (upstream runs an
// empty command line); stdout and stderr are logged line by line, each line whole.

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/ssh"
	"google.golang.org/protobuf/types/known/emptypb"
)

var remoteCommandKeys = []string{"connection", "create", "update", "delete", "triggers",
	"environment", "stdin", "logging", "addPreviousOutputInEnv"}

type remoteArgs struct {
	conn        connection
	environment map[string]string
	stdin       *string
	logging     string
	addPrevious bool
}

// parseRemoteArgs reads the execution inputs from a property map without secrets/outputs.
func parseRemoteArgs(m resource.PropertyMap) (remoteArgs, error) {
	a := remoteArgs{}
	var err error
	cv, ok := m["connection"]
	if !ok || cv.IsNull() {
		return a, fmt.Errorf("missing required property 'connection'")
	}
	if cv.ContainsUnknowns() {
		return a, fmt.Errorf("connection: not known yet")
	}
	if !cv.IsObject() {
		return a, fmt.Errorf("connection: expected an object, got %s", cv.TypeString())
	}
	if a.conn, err = parseConnection(cv.ObjectValue()); err != nil {
		return a, err
	}
	if a.environment, err = getStringMap(m, "environment"); err != nil {
		return a, err
	}
	if a.stdin, err = getString(m, "stdin"); err != nil {
		return a, err
	}
	if a.logging, err = getLogging(m); err != nil {
		return a, err
	}
	if a.addPrevious, err = getBool(m, "addPreviousOutputInEnv", true); err != nil {
		return a, err
	}
	return a, nil
}

func (p *commandProvider) remoteCheck(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := unmarshal(req.GetNews(), "check.news")
	if err != nil {
		return nil, err
	}
	failures := unknownKeyFailures(news, remoteCommandKeys)
	// Reasons name the property; Property stays empty (see unknownKeyFailures).
	fail := func(reason string) {
		failures = append(failures, &pulumirpc.CheckFailure{Reason: reason})
	}
	if c, ok := news["connection"]; !ok || c.IsNull() {
		fail("missing required property 'connection'")
	} else {
		news["connection"] = withConnectionDefaults(c, true)
	}
	if _, ok := news["addPreviousOutputInEnv"]; !ok {
		news["addPreviousOutputInEnv"] = resource.NewBoolProperty(true)
	}

	// Validate what is known now; unknown values are checked when they are known.
	pm := plainMap(news)
	known := func(k string) bool { v, ok := pm[resource.PropertyKey(k)]; return ok && !v.ContainsUnknowns() }
	for _, k := range []string{"create", "update", "delete", "stdin"} {
		if known(k) {
			if _, err := getString(pm, k); err != nil {
				fail(err.Error())
			}
		}
	}
	if known("environment") {
		if _, err := getStringMap(pm, "environment"); err != nil {
			fail(err.Error())
		}
	}
	if known("logging") {
		if _, err := getLogging(pm); err != nil {
			fail(err.Error())
		}
	}
	if known("addPreviousOutputInEnv") {
		if _, err := getBool(pm, "addPreviousOutputInEnv", true); err != nil {
			fail(err.Error())
		}
	}
	if c, ok := pm["connection"]; ok && !c.IsNull() && !c.IsComputed() {
		if !c.IsObject() {
			fail("connection: expected an object, got " + c.TypeString())
		} else {
			for _, reason := range checkEndpoint(c.ObjectValue(), "connection", true) {
				fail(reason)
			}
		}
	}

	inputs, err := marshal(news, "check.inputs")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CheckResponse{Inputs: inputs, Failures: failures}, nil
}

// remoteOutputs builds the state: the inputs (each keeping its secretness; connection always
// secret) plus stdout/stderr (unknown during preview).
func remoteOutputs(inputs resource.PropertyMap, stdout, stderr *string) resource.PropertyMap {
	out := inputs.Copy()
	if c, ok := out["connection"]; ok && !c.IsNull() && !c.IsSecret() {
		out["connection"] = resource.MakeSecret(c)
	}
	if stdout == nil || stderr == nil {
		out["stdout"] = resource.MakeComputed(resource.NewStringProperty(""))
		out["stderr"] = resource.MakeComputed(resource.NewStringProperty(""))
		return out
	}
	out["stdout"] = resource.NewStringProperty(*stdout)
	out["stderr"] = resource.NewStringProperty(*stderr)
	return out
}

func (p *commandProvider) remoteCreate(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	urn := req.GetUrn()
	inputs, err := unmarshal(req.GetProperties(), "create.properties")
	if err != nil {
		return nil, err
	}
	id, err := resource.NewUniqueHex(resource.URN(urn).Name(), 8, 0)
	if err != nil {
		return nil, err
	}
	var stdout, stderr *string
	if !req.GetPreview() {
		pm := plainMap(inputs)
		a, err := parseRemoteArgs(pm)
		if err != nil {
			return nil, err
		}
		so, se := "", ""
		if c, _ := getString(pm, "create"); c != nil && *c != "" {
			if so, se, err = p.remoteRun(ctx, urn, *c, a, "", ""); err != nil {
				return nil, err
			}
		}
		stdout, stderr = &so, &se
	}
	props, err := marshal(remoteOutputs(inputs, stdout, stderr), "create.outputs")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, nil
}

func (p *commandProvider) remoteUpdate(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	urn := req.GetUrn()
	olds, err := unmarshal(req.GetOlds(), "update.olds")
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(req.GetNews(), "update.news")
	if err != nil {
		return nil, err
	}
	var stdout, stderr *string
	if !req.GetPreview() {
		pm := plainMap(news)
		a, err := parseRemoteArgs(pm)
		if err != nil {
			return nil, err
		}
		so, se := prevOutputs(olds)
		newOut, newErr := deref(so), deref(se)
		c, _ := getString(pm, "update")
		if c == nil {
			c, _ = getString(pm, "create")
		}
		if c != nil && *c != "" {
			if newOut, newErr, err = p.remoteRun(ctx, urn, *c, a, deref(so), deref(se)); err != nil {
				return nil, err
			}
		}
		stdout, stderr = &newOut, &newErr
	}
	props, err := marshal(remoteOutputs(news, stdout, stderr), "update.outputs")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

func (p *commandProvider) remoteDelete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	urn := req.GetUrn()
	olds, err := unmarshal(req.GetProperties(), "delete.properties")
	if err != nil {
		return nil, err
	}
	pm := plainMap(olds)
	c, _ := getString(pm, "delete")
	if c == nil || *c == "" {
		return &emptypb.Empty{}, nil
	}
	a, err := parseRemoteArgs(pm)
	if err != nil {
		return nil, err
	}
	so, se := prevOutputs(olds)
	if _, _, err := p.remoteRun(ctx, urn, *c, a, deref(so), deref(se)); err != nil {
		return nil, err
	}
	return &emptypb.Empty{}, nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// syncBuffer collects stdout and stderr interleaved, as they arrive.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type teeWriter struct{ a, b io.Writer }

func (t teeWriter) Write(p []byte) (int, error) {
	_, _ = t.b.Write(p)
	return t.a.Write(p)
}

const acceptEnvHint = "Unable to set '%s'. This only works if your SSH server is configured to accept " +
	"these variables via AcceptEnv. Alternatively, if a Bash-like shell runs the command on the remote " +
	"host, you could prefix the command itself with the variables in the form 'VAR=value command'"

// remoteRun runs one command over a new SSH connection and returns its stdout and stderr
// (one trailing newline trimmed).
func (p *commandProvider) remoteRun(ctx context.Context, urn, command string, a remoteArgs,
	prevStdout, prevStderr string,
) (string, string, error) {
	client, closeAll, err := p.dial(ctx, urn, a.conn)
	if err != nil {
		return "", "", err
	}
	defer closeAll()
	session, err := client.NewSession()
	if err != nil {
		return "", "", fmt.Errorf("ssh %s: could not open a session: %w", a.conn.addr(), err)
	}
	defer session.Close()

	keys := make([]string, 0, len(a.environment))
	for k := range a.environment {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := session.Setenv(k, a.environment[k]); err != nil {
			p.log(ctx, pulumirpc.LogSeverity_ERROR, urn, fmt.Sprintf(acceptEnvHint, k), false)
			return "", "", fmt.Errorf("could not set environment variable %q: %w", k, err)
		}
	}
	if a.addPrevious {
		for _, kv := range [][2]string{{"PULUMI_COMMAND_STDOUT", prevStdout}, {"PULUMI_COMMAND_STDERR", prevStderr}} {
			if kv[1] == "" {
				continue
			}
			if err := session.Setenv(kv[0], kv[1]); err != nil {
				p.log(ctx, pulumirpc.LogSeverity_WARNING, urn, fmt.Sprintf(acceptEnvHint, kv[0]), false)
			}
		}
	}
	if a.stdin != nil && *a.stdin != "" {
		session.Stdin = strings.NewReader(*a.stdin)
	}

	logger := func(s string) { p.info(ctx, urn, s) }
	stdout, stderr, combined := &lineLogger{}, &lineLogger{}, &syncBuffer{}
	if a.logging == "stdout" || a.logging == "stdoutAndStderr" {
		stdout.log = logger
	}
	if a.logging == "stderr" || a.logging == "stdoutAndStderr" {
		stderr.log = logger
	}
	session.Stdout = teeWriter{stdout, combined}
	session.Stderr = teeWriter{stderr, combined}

	done := make(chan struct{})
	go func() {
		select {
		case <-ctx.Done():
			_ = session.Signal(ssh.SIGKILL)
			_ = session.Close()
		case <-done:
		}
	}()
	err = session.Run(command)
	close(done)
	stdout.flush()
	stderr.flush()
	if err != nil {
		return "", "", fmt.Errorf("%w: running %q:\n%s", err, command, combined.String())
	}
	return strings.TrimSuffix(stdout.buf.String(), "\n"), strings.TrimSuffix(stderr.buf.String(), "\n"), nil
}
