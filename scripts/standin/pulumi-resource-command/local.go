package main

// command:local:Command and command:local:run: unchanged in behaviour from the first
// version of this stand-in (create/update/delete/dir/environment/interpreter/stdin/
// triggers/logging/addPreviousOutputInEnv/assetPaths/archivePaths; outputs stdout/stderr/
// assets/archive). Deliberate difference from upstream: when any input is secret, stdout,
// stderr, assets and archive are returned as secrets too.

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
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
)

// ---------------------------------------------------------------------------------------------
// Inputs

var baseKeys = []string{"interpreter", "dir", "environment", "stdin", "logging",
	"assetPaths", "archivePaths", "addPreviousOutputInEnv"}
var localCommandKeys = append([]string{"create", "update", "delete", "triggers"}, baseKeys...)
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
	logger := func(s string) { p.info(ctx, urn, s) }
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

func (p *commandProvider) localCheck(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := unmarshal(req.GetNews(), "check.news")
	if err != nil {
		return nil, err
	}
	failures := unknownKeyFailures(news, localCommandKeys)
	pm := plainMap(news)
	if !pm.ContainsUnknowns() {
		for _, k := range []string{"create", "update", "delete"} {
			if _, err := getString(pm, k); err != nil {
				failures = append(failures, &pulumirpc.CheckFailure{Reason: err.Error()})
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

// localOutputs builds the state: the inputs plus stdout/stderr (unknown during preview).
func localOutputs(inputs resource.PropertyMap, res *runResult) resource.PropertyMap {
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

func (p *commandProvider) localCreate(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	urn := req.GetUrn()
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
	props, err := marshal(localOutputs(inputs, res), "create.outputs")
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

func (p *commandProvider) localUpdate(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	urn := req.GetUrn()
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
	props, err := marshal(localOutputs(news, res), "update.outputs")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: props}, nil
}

func (p *commandProvider) localDelete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	urn := req.GetUrn()
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

func (p *commandProvider) localRun(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	args, err := unmarshal(req.GetArgs(), "invoke.args")
	if err != nil {
		return nil, err
	}
	pm := plainMap(args)
	if pm.ContainsUnknowns() {
		return nil, fmt.Errorf("%s: arguments are not known yet", localRunToken)
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
	ret, err := marshal(localOutputs(in, &r), "invoke.return")
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: ret}, nil
}
