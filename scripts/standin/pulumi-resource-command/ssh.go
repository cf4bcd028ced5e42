package main

// The `connection` input of command:remote:Command and the SSH dialing behind it.
//
// connection: host (required), port (22), user ("root"), password, privateKey,
// privateKeyPassword, agentSocketPath, hostKey, dialErrorLimit (10; -1 = unlimited),
// perDialTimeout (15 s; 0 = none), proxy {the same fields but proxy}: as pulumi-command 1.2.x.
//
//   - Authentication methods, in order: privateKey (PEM or OpenSSH, privateKeyPassword if
//     encrypted), password (also answering keyboard-interactive prompts), the SSH agent at
//     agentSocketPath, else at $SSH_AUTH_SOCK. As upstream, the agent is dialled whenever either
//     is set, even when a privateKey is given, and a socket nothing listens on fails the
//     operation at once (no retries).
//   - hostKey ("TYPE BASE64", authorized_keys format): the server must present exactly this key,
//     else the operation fails at once (no retries) naming the host. Without hostKey any key is
//     accepted (upstream behaviour). The pinned key's type is the only host key algorithm
//     offered, as upstream: for an RSA key that is `ssh-rsa` (SHA-1 signatures), which OpenSSH
//     8.8 and later no longer accept, so an RSA pin fails against them.
//   - Dialing is retried (100 ms, growing 1.5x, at most 5 s apart) until dialErrorLimit errors
//     have happened, i.e. up to dialErrorLimit+1 attempts, each TCP connect bounded by
//     perDialTimeout; then "unable to connect to HOST:PORT (user U) after N attempts: REASON".
//     As upstream (ssh.Dial, then proxyClient.Dial and ssh.NewClientConn), nothing else is
//     bounded: not the SSH handshake, not the proxy's channel to the host, and not by the
//     operation's customTimeouts either. A server that accepts the connection and never
//     speaks SSH holds the operation, and the `up`, with no limit.
//
// Differences from upstream: host key mismatches are not retried; messages differ (tests assert
// resource names and causes, not wording).

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"strconv"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

var endpointKeys = []string{"host", "port", "user", "password", "privateKey", "privateKeyPassword",
	"agentSocketPath", "hostKey", "dialErrorLimit", "perDialTimeout"}

const (
	defaultUser           = "root"
	defaultPort           = 22
	defaultDialErrorLimit = 10
	defaultPerDialTimeout = 15
)

type endpoint struct {
	label              string // "connection" or "connection.proxy", for messages
	host               string
	port               int
	user               string
	password           *string
	privateKey         *string
	privateKeyPassword *string
	agentSocketPath    *string
	hostKey            ssh.PublicKey // nil: accept any
	dialErrorLimit     int           // -1: unlimited
	perDialTimeout     time.Duration // 0: none
}

func (e *endpoint) addr() string { return net.JoinHostPort(e.host, strconv.Itoa(e.port)) }

type connection struct {
	endpoint
	proxy *endpoint
}

// withConnectionDefaults fills in the documented defaults (user, port, dialErrorLimit,
// perDialTimeout; also in proxy), keeping secret wrappers; unknown values are left alone.
func withConnectionDefaults(v resource.PropertyValue, withProxy bool) resource.PropertyValue {
	switch {
	case v.IsSecret():
		return resource.MakeSecret(withConnectionDefaults(v.SecretValue().Element, withProxy))
	case !v.IsObject():
		return v
	}
	m := v.ObjectValue().Copy()
	def := func(k string, d resource.PropertyValue) {
		if cur, ok := m[resource.PropertyKey(k)]; !ok || cur.IsNull() {
			m[resource.PropertyKey(k)] = d
		}
	}
	def("user", resource.NewStringProperty(defaultUser))
	def("port", resource.NewNumberProperty(defaultPort))
	def("dialErrorLimit", resource.NewNumberProperty(defaultDialErrorLimit))
	def("perDialTimeout", resource.NewNumberProperty(defaultPerDialTimeout))
	if px, ok := m["proxy"]; ok && withProxy && !px.IsNull() {
		m["proxy"] = withConnectionDefaults(px, false)
	}
	return resource.NewObjectProperty(m)
}

// checkEndpoint validates the known fields of a connection (or proxy) without secrets; it
// returns the problems found, each naming its property (never quoting a value).
func checkEndpoint(m resource.PropertyMap, label string, withProxy bool) []string {
	var out []string
	keys := endpointKeys
	if withProxy {
		keys = append(append([]string{}, endpointKeys...), "proxy")
	}
	allowed := map[string]bool{}
	for _, k := range keys {
		allowed[k] = true
	}
	for k := range m {
		if !allowed[string(k)] {
			out = append(out, label+"."+string(k)+": unknown property")
		}
	}
	if h, ok := m["host"]; !ok || h.IsNull() {
		out = append(out, label+".host: missing required property 'host'")
	}
	// Parse a copy in which unknown values are dropped (host kept as a placeholder).
	known := resource.PropertyMap{}
	for k, v := range m {
		if !v.ContainsUnknowns() && k != "proxy" {
			known[k] = v
		}
	}
	if h, ok := known["host"]; !ok || h.IsNull() {
		known["host"] = resource.NewStringProperty("unknown")
	}
	if _, ok := known["privateKeyPassword"]; !ok && m["privateKeyPassword"].ContainsUnknowns() {
		delete(known, "privateKey") // cannot be decrypted yet
	}
	if _, err := parseEndpoint(known, label); err != nil {
		out = append(out, err.Error())
	}
	if px, ok := m["proxy"]; withProxy && ok && !px.IsNull() && !px.IsComputed() {
		if !px.IsObject() {
			out = append(out, label+".proxy: expected an object, got "+px.TypeString())
		} else {
			out = append(out, checkEndpoint(px.ObjectValue(), label+".proxy", false)...)
		}
	}
	return out
}

func getInt(m resource.PropertyMap, key string, def int) (int, error) {
	v, ok := m[resource.PropertyKey(key)]
	if !ok || v.IsNull() {
		return def, nil
	}
	if !v.IsNumber() || v.NumberValue() != math.Trunc(v.NumberValue()) {
		return def, fmt.Errorf("%s: expected an integer, got %s", key, v.TypeString())
	}
	return int(v.NumberValue()), nil
}

// parseEndpoint reads one endpoint (plain values); privateKey and hostKey are parsed here, so
// their errors show up at check time.
func parseEndpoint(m resource.PropertyMap, label string) (endpoint, error) {
	e := endpoint{label: label}
	var err error
	wrap := func(err error) error { return fmt.Errorf("%s.%w", label, err) }
	h, err := getString(m, "host")
	if err != nil {
		return e, wrap(err)
	}
	if h == nil || *h == "" {
		return e, fmt.Errorf("%s.host: missing required property 'host'", label)
	}
	e.host = *h
	if e.port, err = getInt(m, "port", defaultPort); err != nil {
		return e, wrap(err)
	}
	if e.port < 1 || e.port > 65535 {
		return e, fmt.Errorf("%s.port: %d is not a TCP port", label, e.port)
	}
	e.user = defaultUser
	if u, err := getString(m, "user"); err != nil {
		return e, wrap(err)
	} else if u != nil {
		e.user = *u
	}
	for k, dst := range map[string]**string{"password": &e.password, "privateKey": &e.privateKey,
		"privateKeyPassword": &e.privateKeyPassword, "agentSocketPath": &e.agentSocketPath} {
		if *dst, err = getString(m, k); err != nil {
			return e, wrap(err)
		}
	}
	if e.privateKey != nil {
		if _, err := parseSigner(*e.privateKey, e.privateKeyPassword); err != nil {
			return e, fmt.Errorf("%s.privateKey: %w", label, err)
		}
	}
	if hk, err := getString(m, "hostKey"); err != nil {
		return e, wrap(err)
	} else if hk != nil && *hk != "" {
		if e.hostKey, _, _, _, err = ssh.ParseAuthorizedKey([]byte(*hk)); err != nil {
			return e, fmt.Errorf("%s.hostKey: not a public key in authorized_keys format "+
				"(\"TYPE BASE64\", e.g. the first two fields of /etc/ssh/ssh_host_ed25519_key.pub): %v", label, err)
		}
	}
	if e.dialErrorLimit, err = getInt(m, "dialErrorLimit", defaultDialErrorLimit); err != nil {
		return e, wrap(err)
	}
	if e.dialErrorLimit < -1 {
		return e, fmt.Errorf("%s.dialErrorLimit: %d is below -1 (-1 means unlimited)", label, e.dialErrorLimit)
	}
	t, err := getInt(m, "perDialTimeout", defaultPerDialTimeout)
	if err != nil {
		return e, wrap(err)
	}
	if t < 0 {
		return e, fmt.Errorf("%s.perDialTimeout: %d is negative (0 means no limit)", label, t)
	}
	e.perDialTimeout = time.Duration(t) * time.Second
	return e, nil
}

func parseConnection(m resource.PropertyMap) (connection, error) {
	var c connection
	var err error
	if c.endpoint, err = parseEndpoint(m, "connection"); err != nil {
		return c, err
	}
	if px, ok := m["proxy"]; ok && !px.IsNull() {
		if !px.IsObject() {
			return c, fmt.Errorf("connection.proxy: expected an object, got %s", px.TypeString())
		}
		p, err := parseEndpoint(px.ObjectValue(), "connection.proxy")
		if err != nil {
			return c, err
		}
		c.proxy = &p
	}
	return c, nil
}

// parseSigner parses a PEM or OpenSSH private key; errors never quote the key.
func parseSigner(key string, passphrase *string) (ssh.Signer, error) {
	signer, err := ssh.ParsePrivateKey([]byte(key))
	var missing *ssh.PassphraseMissingError
	switch {
	case err == nil:
		return signer, nil
	case errors.As(err, &missing) && (passphrase == nil || *passphrase == ""):
		return nil, errors.New("the key is encrypted: set privateKeyPassword")
	case errors.As(err, &missing):
		signer, err = ssh.ParsePrivateKeyWithPassphrase([]byte(key), []byte(*passphrase))
		if err != nil {
			return nil, fmt.Errorf("could not decrypt the key with privateKeyPassword: %v", err)
		}
		return signer, nil
	}
	return nil, fmt.Errorf("could not parse the key: %v", err)
}

// hostKeyError: the server's host key is not the pinned one. Never retried.
type hostKeyError struct{ msg string }

func (e *hostKeyError) Error() string { return e.msg }

// clientConfig builds the SSH client configuration of an endpoint; the returned func closes the
// agent connection, if any.
func clientConfig(e *endpoint) (*ssh.ClientConfig, func(), error) {
	closeFn := func() {}
	cfg := &ssh.ClientConfig{User: e.user}
	if e.privateKey != nil {
		signer, err := parseSigner(*e.privateKey, e.privateKeyPassword)
		if err != nil {
			return nil, closeFn, fmt.Errorf("%s.privateKey: %w", e.label, err)
		}
		cfg.Auth = append(cfg.Auth, ssh.PublicKeys(signer))
	}
	if e.password != nil {
		pw := *e.password
		cfg.Auth = append(cfg.Auth, ssh.Password(pw),
			ssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = pw
				}
				return answers, nil
			}))
	}
	sock, explicit := "", false
	if e.agentSocketPath != nil && *e.agentSocketPath != "" {
		sock, explicit = *e.agentSocketPath, true
	} else {
		sock = os.Getenv("SSH_AUTH_SOCK")
	}
	if sock != "" {
		conn, err := net.Dial("unix", sock)
		switch {
		case err == nil:
			closeFn = func() { _ = conn.Close() }
			cfg.Auth = append(cfg.Auth, ssh.PublicKeysCallback(agent.NewClient(conn).Signers))
		case explicit:
			return nil, closeFn, fmt.Errorf("%s.agentSocketPath: cannot reach the SSH agent at %s: %v", e.label, sock, err)
		default:
			return nil, closeFn, fmt.Errorf("%s: cannot reach the SSH agent at $SSH_AUTH_SOCK (%s): %v", e.label, sock, err)
		}
	}

	if e.hostKey == nil {
		cfg.HostKeyCallback = ssh.InsecureIgnoreHostKey() // upstream: no hostKey, no verification
		return cfg, closeFn, nil
	}
	want := e.hostKey
	cfg.HostKeyAlgorithms = []string{want.Type()}
	addr := e.addr()
	cfg.HostKeyCallback = func(_ string, _ net.Addr, got ssh.PublicKey) error {
		if bytes.Equal(got.Marshal(), want.Marshal()) {
			return nil
		}
		return &hostKeyError{fmt.Sprintf("host key verification failed for %s: the server presented %s %s, "+
			"but %s.hostKey is %s %s", addr, got.Type(), ssh.FingerprintSHA256(got), e.label, want.Type(),
			ssh.FingerprintSHA256(want))}
	}
	return cfg, closeFn, nil
}

// handshake runs the SSH handshake over conn with no time limit, as upstream's does.
func handshake(conn net.Conn, e *endpoint, cfg *ssh.ClientConfig) (*ssh.Client, error) {
	c, chans, reqs, err := ssh.NewClientConn(conn, e.addr(), cfg)
	if err != nil {
		_ = conn.Close()
		var neg *ssh.AlgorithmNegotiationError
		if errors.As(err, &neg) && neg.What == "host key" && e.hostKey != nil {
			return nil, &hostKeyError{fmt.Sprintf("host key verification failed for %s: the server offers no %s "+
				"host key algorithm (it offers %v), so it cannot match %s.hostKey", e.addr(), e.hostKey.Type(),
				neg.RequestedAlgorithms, e.label)}
		}
		return nil, err
	}
	return ssh.NewClient(c, chans, reqs), nil
}

func withDialTimeout(ctx context.Context, e *endpoint) (context.Context, context.CancelFunc) {
	if e.perDialTimeout > 0 {
		return context.WithTimeout(ctx, e.perDialTimeout)
	}
	return context.WithCancel(ctx)
}

// dialDirect connects (bounded by perDialTimeout) and runs the handshake (unbounded).
func dialDirect(ctx context.Context, e *endpoint, cfg *ssh.ClientConfig) (*ssh.Client, error) {
	dctx, cancel := withDialTimeout(ctx, e)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(dctx, "tcp", e.addr())
	if err != nil {
		return nil, err
	}
	return handshake(conn, e, cfg)
}

// dialVia opens a channel to e through the proxy and runs the handshake over it: neither is
// bounded, as upstream's proxyClient.Dial is not.
func dialVia(proxy *ssh.Client, e *endpoint, cfg *ssh.ClientConfig) (*ssh.Client, error) {
	conn, err := proxy.Dial("tcp", e.addr())
	if err != nil {
		return nil, err
	}
	return handshake(conn, e, cfg)
}

// retryDial calls f until it succeeds, fails with a host key error, ctx ends, or the
// endpoint's dialErrorLimit errors have happened.
func (p *commandProvider) retryDial(ctx context.Context, urn string, e *endpoint, via string,
	f func() (*ssh.Client, error),
) (*ssh.Client, error) {
	target := fmt.Sprintf("%s%s (user %s)", e.addr(), via, e.user)
	delay := 100 * time.Millisecond
	for attempt := 1; ; attempt++ {
		client, err := f()
		if err == nil {
			return client, nil
		}
		var hk *hostKeyError
		if errors.As(err, &hk) {
			return nil, hk
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("unable to connect to %s: %w (after %d attempts; last error: %v)",
				target, ctx.Err(), attempt, err)
		}
		if e.dialErrorLimit >= 0 && attempt > e.dialErrorLimit {
			return nil, fmt.Errorf("unable to connect to %s after %d attempts: %w", target, attempt, err)
		}
		limit := "unlimited"
		if e.dialErrorLimit >= 0 {
			limit = strconv.Itoa(e.dialErrorLimit + 1)
		}
		p.log(ctx, pulumirpc.LogSeverity_INFO, urn,
			fmt.Sprintf("connecting to %s: attempt %d/%s failed (%v); retrying", target, attempt, limit, err), true)
		select {
		case <-time.After(delay):
		case <-ctx.Done():
			return nil, fmt.Errorf("unable to connect to %s: %w (after %d attempts; last error: %v)",
				target, ctx.Err(), attempt, err)
		}
		delay = min(time.Duration(float64(delay)*1.5), 5*time.Second)
	}
}

// dial opens the SSH connection (through the proxy, if any); the returned func closes it all.
func (p *commandProvider) dial(ctx context.Context, urn string, c connection) (*ssh.Client, func(), error) {
	var closers []func()
	closeAll := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	target := &c.endpoint
	cfg, closeAgent, err := clientConfig(target)
	if err != nil {
		return nil, nil, err
	}
	closers = append(closers, closeAgent)

	var client *ssh.Client
	if c.proxy == nil {
		client, err = p.retryDial(ctx, urn, target, "", func() (*ssh.Client, error) {
			return dialDirect(ctx, target, cfg)
		})
	} else {
		pcfg, closeProxyAgent, perr := clientConfig(c.proxy)
		if perr != nil {
			closeAll()
			return nil, nil, perr
		}
		closers = append(closers, closeProxyAgent)
		proxy, perr := p.retryDial(ctx, urn, c.proxy, " (proxy)", func() (*ssh.Client, error) {
			return dialDirect(ctx, c.proxy, pcfg)
		})
		if perr != nil {
			closeAll()
			return nil, nil, perr
		}
		closers = append(closers, func() { _ = proxy.Close() })
		client, err = p.retryDial(ctx, urn, target, " via proxy "+c.proxy.addr(), func() (*ssh.Client, error) {
			return dialVia(proxy, target, cfg)
		})
	}
	if err != nil {
		closeAll()
		return nil, nil, err
	}
	closers = append(closers, func() { _ = client.Close() })
	return client, closeAll, nil
}
