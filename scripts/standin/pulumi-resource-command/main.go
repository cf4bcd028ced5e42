// pulumi-resource-command (toolchain.sh stand-in; built by scripts/toolchain.sh).
//
// A small, project-local implementation of the `command` resource provider, written for
// this project's offline toolchain because the upstream provider module
// (github.com/pulumi/pulumi-command/provider) is not served by the Go module proxy this
// project can reach. It reports the version the @pulumi/command SDK asks for (set with
// -ldflags "-X main.version=1.2.1") so the engine accepts it.
//
// Supported (see local.go and remote.go for the details and the known differences):
//   - resource command:local:Command and the invoke command:local:run;
//   - resource command:remote:Command (SSH via golang.org/x/crypto/ssh).
//
// Not supported: command:remote:CopyToRemote, command:remote:CopyFile (return an error
// naming the token).
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/protobuf/types/known/emptypb"
)

// Set with -ldflags "-X main.version=...".
var version = "0.0.0-dev"

const (
	localCommandToken  = "command:local:Command"
	localRunToken      = "command:local:run"
	remoteCommandToken = "command:remote:Command"
)

func main() {
	var engineAddress string
	args := os.Args[1:]
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-version" || a == "--version":
			fmt.Println(version)
			return
		case a == "-help" || a == "--help" || a == "-h":
			fmt.Printf("pulumi-resource-command %s (toolchain.sh stand-in: %s, %s, %s)\n"+
				"usage: pulumi-resource-command ENGINE_ADDRESS  (started by the Pulumi engine)\n",
				version, localCommandToken, localRunToken, remoteCommandToken)
			return
		case a == "-tracing" || a == "--tracing":
			i++ // the engine passes the endpoint as a separate argument; tracing is not supported
		case strings.HasPrefix(a, "-"):
			// --logtostderr, -v=N, --logflow, -tracing=URL: accepted and ignored.
		case engineAddress == "":
			engineAddress = a
		}
	}
	if err := serve(engineAddress); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// serve follows the plugin protocol: connect to the engine, serve the provider on a free
// port, print the port, and serve until the engine is gone or sends SIGINT.
func serve(engineAddress string) error {
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()

	prov := &commandProvider{}
	if engineAddress != "" {
		conn, err := grpc.NewClient(engineAddress,
			grpc.WithTransportCredentials(insecure.NewCredentials()), rpcutil.GrpcChannelOptions())
		if err != nil {
			return fmt.Errorf("fatal: could not connect to the engine at %s: %w", engineAddress, err)
		}
		defer conn.Close()
		prov.engine = pulumirpc.NewEngineClient(conn)
		var hcCancel context.CancelFunc
		ctx, hcCancel = context.WithCancel(ctx)
		defer hcCancel()
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, hcCancel); err != nil {
			return fmt.Errorf("fatal: could not start the engine health check: %w", err)
		}
	}

	cancelChannel := make(chan bool)
	go func() {
		<-ctx.Done()
		close(cancelChannel)
	}()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancelChannel,
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterResourceProviderServer(srv, prov)
			return nil
		},
	})
	if err != nil {
		return fmt.Errorf("fatal: %w", err)
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		return fmt.Errorf("fatal: %w", err)
	}
	return nil
}

type commandProvider struct {
	pulumirpc.UnimplementedResourceProviderServer
	engine pulumirpc.EngineClient // nil when not started by an engine
}

// log sends a message to the engine, attached to urn (ephemeral messages are status lines).
func (p *commandProvider) log(ctx context.Context, sev pulumirpc.LogSeverity, urn, msg string, ephemeral bool) {
	if p.engine == nil {
		return
	}
	_, _ = p.engine.Log(ctx, &pulumirpc.LogRequest{
		Severity: sev, Message: strings.ToValidUTF8(msg, "\uFFFD"), Urn: urn, Ephemeral: ephemeral,
	})
}

func (p *commandProvider) info(ctx context.Context, urn, msg string) {
	p.log(ctx, pulumirpc.LogSeverity_INFO, urn, msg, false)
}

// ---------------------------------------------------------------------------------------------
// Provider protocol: dispatch by resource type.

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
		"(only %s, %s and %s are)", tok, version, localCommandToken, localRunToken, remoteCommandToken)
}

func (p *commandProvider) Check(ctx context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	switch t := typeOf(req.GetUrn(), req.GetType()); t {
	case localCommandToken:
		return p.localCheck(ctx, req)
	case remoteCommandToken:
		return p.remoteCheck(ctx, req)
	default:
		return nil, unsupported(t)
	}
}

func (p *commandProvider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	switch t := typeOf(req.GetUrn(), req.GetType()); t {
	case localCommandToken:
		return diffInputs(req, localCommandKeys)
	case remoteCommandToken:
		return diffInputs(req, remoteCommandKeys)
	default:
		return nil, unsupported(t)
	}
}

func (p *commandProvider) Create(ctx context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	ctx, cancel := withOperationTimeout(ctx, req.GetTimeout())
	defer cancel()
	switch t := typeOf(req.GetUrn(), req.GetType()); t {
	case localCommandToken:
		return p.localCreate(ctx, req)
	case remoteCommandToken:
		return p.remoteCreate(ctx, req)
	default:
		return nil, unsupported(t)
	}
}

func (p *commandProvider) Update(ctx context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	ctx, cancel := withOperationTimeout(ctx, req.GetTimeout())
	defer cancel()
	switch t := typeOf(req.GetUrn(), req.GetType()); t {
	case localCommandToken:
		return p.localUpdate(ctx, req)
	case remoteCommandToken:
		return p.remoteUpdate(ctx, req)
	default:
		return nil, unsupported(t)
	}
}

func (p *commandProvider) Delete(ctx context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	ctx, cancel := withOperationTimeout(ctx, req.GetTimeout())
	defer cancel()
	switch t := typeOf(req.GetUrn(), req.GetType()); t {
	case localCommandToken:
		return p.localDelete(ctx, req)
	case remoteCommandToken:
		return p.remoteDelete(ctx, req)
	default:
		return nil, unsupported(t)
	}
}

// withOperationTimeout bounds an operation by the resource's customTimeouts, which the engine
// sends as seconds (0: none), as upstream's provider framework does.
func withOperationTimeout(ctx context.Context, seconds float64) (context.Context, context.CancelFunc) {
	if seconds <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, time.Duration(seconds*float64(time.Second)))
}

func (p *commandProvider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	switch t := typeOf(req.GetUrn(), req.GetType()); t {
	case localCommandToken, remoteCommandToken:
		// Commands have no remote state to read back: refresh keeps what we have (as upstream).
		return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
	default:
		return nil, unsupported(t)
	}
}

func (p *commandProvider) Invoke(ctx context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	if req.GetTok() != localRunToken {
		return nil, unsupported(req.GetTok())
	}
	return p.localRun(ctx, req)
}
