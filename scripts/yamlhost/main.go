// pulumi-language-yaml: the YAML language host of github.com/pulumi/pulumi-yaml v1.25.0 (the
// newest release the Go module proxy serves), served as is, plus the one RPC that release lacks.
//
// `pulumi package add` (CLI v3.248.0) ends by asking the program's language host to Link the
// new package into the project; v1.25.0 answers "method Link not implemented", so the CLI
// stops before it records the package in Pulumi.yaml. A YAML program needs no SDK to be linked
// (it names resource tokens, read from the package's schema), so Link here returns an empty
// response, which is what upstream's own host does from the release after v1.25.0 on.
// Everything else (flags, the engine health check, the gRPC server, every other RPC) behaves
// as upstream's v1.25.0 command does.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/pulumi/pulumi-yaml/pkg/server"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// How long the engine may be unreachable before the host gives up and exits.
const engineHealthTimeout = 5 * time.Minute

// linkingHost is upstream's language host with Link answered.
type linkingHost struct {
	pulumirpc.LanguageRuntimeServer
}

// Link has nothing to do for YAML: no dependency file to update, no import to print.
func (linkingHost) Link(context.Context, *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	return &pulumirpc.LinkResponse{}, nil
}

func main() {
	tracing := flag.String("tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	// Accepted because the engine may pass them; the host itself does not use them.
	flag.String("root", "", "Root of the program execution")
	flag.String("compiler", "", "[obsolete] Compiler to use to pre-process YAML")
	flag.Parse()

	logging.InitLogging(false, 0, false)
	cmdutil.InitTracing("pulumi-language-yaml", "pulumi-language-yaml", *tracing)

	// The engine passes its address as the only argument; without it (e.g. run by hand) the
	// host serves until killed.
	var engineAddress string
	var cancel chan bool
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
		var err error
		if cancel, err = stopWhenEngineGoes(engineAddress); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start health check host RPC server: %w", err))
		}
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			upstream := server.NewLanguageHost(engineAddress, *tracing, false /* useRPCLoader */)
			pulumirpc.RegisterLanguageRuntimeServer(srv, linkingHost{upstream})
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start language host RPC server: %w", err))
	}
	// The engine reads the port from the first line of output.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

// stopWhenEngineGoes returns a channel closed when the engine stops answering health checks
// or the process gets SIGINT, which stops the server.
func stopWhenEngineGoes(engineAddress string) (chan bool, error) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	done := make(chan bool)
	go func() {
		<-ctx.Done()
		stop()
		close(done)
	}()
	if err := rpcutil.Healthcheck(ctx, engineAddress, engineHealthTimeout, stop); err != nil {
		return nil, err
	}
	return done, nil
}
