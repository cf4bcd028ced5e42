// sdkgen: SDKs of a Pulumi package schema, generated with the Pulumi CLI's own code generators
// (github.com/pulumi/pulumi/pkg/v3/codegen, the version the pinned CLI is built from).
//
//	sdkgen -schema schema.json -language python|go -out DIR [-go-module PATH]
//
// For Go the SDK is a module of its own (-go-module, example.com/NAME-sdk unless set) with a
// go.mod requiring the Pulumi Go SDK of the CLI's version, as `pulumi package gen-sdk` writes it.
//
// `pulumi package gen-sdk` does the same through each language's host plugin
// (pulumi-language-python, pulumi-language-go); the toolchain builds neither, so the tests
// call the generators directly.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/blang/semver"

	gogen "github.com/pulumi/pulumi/pkg/v3/codegen/go"
	"github.com/pulumi/pulumi/pkg/v3/codegen/python"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

func main() {
	schemaPath := flag.String("schema", "", "the package schema (JSON)")
	language := flag.String("language", "", "python or go")
	out := flag.String("out", "", "the directory to write the SDK to")
	goModule := flag.String("go-module", "", "Go only: the SDK's module path")
	flag.Parse()
	if *schemaPath == "" || *out == "" || (*language != "python" && *language != "go") {
		fmt.Fprintln(os.Stderr, "usage: sdkgen -schema FILE -language python|go -out DIR")
		os.Exit(2)
	}
	if err := generate(*schemaPath, *language, *out, *goModule); err != nil {
		fmt.Fprintf(os.Stderr, "sdkgen: %v\n", err)
		os.Exit(1)
	}
}

// The Go SDK's dependency: the Go SDK of the CLI's version.
const goSDK = "github.com/pulumi/pulumi/sdk/v3 v3.248.0"

func generate(schemaPath, language, out, goModule string) error {
	data, err := os.ReadFile(schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(data, &spec); err != nil {
		return fmt.Errorf("%s: %w", schemaPath, err)
	}
	if language == "go" {
		if goModule == "" {
			goModule = "example.com/" + spec.Name + "-sdk"
		}
		if err := setGoImportPath(&spec, goModule); err != nil {
			return err
		}
	}
	pkg, diags, err := schema.BindSpec(spec, noOtherPackages{}, schema.ValidationOptions{})
	if err != nil {
		return err
	}
	if diags.HasErrors() {
		return diags
	}
	var files map[string][]byte
	switch language {
	case "python":
		files, err = python.GeneratePackage("sdkgen", pkg, nil, noOtherPackages{})
	case "go":
		files, err = gogen.GeneratePackage("sdkgen", pkg, nil)
	}
	if err != nil {
		return err
	}
	if language == "go" {
		files["go.mod"] = []byte(fmt.Sprintf("module %s\n\ngo 1.22\n\nrequire %s\n", goModule, goSDK))
	}
	for name, content := range files {
		path := filepath.Join(out, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// noOtherPackages loads no package: the schema is generated offline and references no other
// package, so any attempt to load one is an error that names it.
type noOtherPackages struct{}

func (noOtherPackages) LoadPackage(name string, _ *semver.Version) (*schema.Package, error) {
	return nil, fmt.Errorf("the schema references package %q; sdkgen loads no other package", name)
}

func (l noOtherPackages) LoadPackageV2(_ context.Context, d *schema.PackageDescriptor) (*schema.Package, error) {
	return l.LoadPackage(d.Name, nil)
}

func (l noOtherPackages) LoadPackageReference(name string, v *semver.Version) (schema.PackageReference, error) {
	_, err := l.LoadPackage(name, v)
	return nil, err
}

func (l noOtherPackages) LoadPackageReferenceV2(_ context.Context, d *schema.PackageDescriptor) (schema.PackageReference, error) {
	_, err := l.LoadPackage(d.Name, nil)
	return nil, err
}

// setGoImportPath points the Go SDK's imports at its package directory inside goModule.
func setGoImportPath(spec *schema.PackageSpec, goModule string) error {
	options := map[string]any{}
	if raw, ok := spec.Language["go"]; ok {
		if err := json.Unmarshal(raw, &options); err != nil {
			return fmt.Errorf("language.go: %w", err)
		}
	}
	if _, set := options["importBasePath"]; !set {
		options["importBasePath"] = goModule + "/" + strings.ReplaceAll(spec.Name, "-", "")
	}
	raw, err := json.Marshal(options)
	if err != nil {
		return err
	}
	if spec.Language == nil {
		spec.Language = map[string]schema.RawMessage{}
	}
	spec.Language["go"] = raw
	return nil
}
