package main

// Property helpers shared by the local and remote resources.

import (
	"fmt"
	"sort"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/structpb"
)

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

// plain strips secret and output wrappers, recursively (unknowns become computed values).
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

func getStringMap(m resource.PropertyMap, key string) (map[string]string, error) {
	v, ok := m[resource.PropertyKey(key)]
	if !ok || v.IsNull() {
		return nil, nil
	}
	if !v.IsObject() {
		return nil, fmt.Errorf("%s: expected a map of strings, got %s", key, v.TypeString())
	}
	out := map[string]string{}
	for k, e := range v.ObjectValue() {
		if !e.IsString() {
			return nil, fmt.Errorf("%s.%s: expected a string, got %s", key, k, e.TypeString())
		}
		out[string(k)] = e.StringValue()
	}
	return out, nil
}

func getBool(m resource.PropertyMap, key string, def bool) (bool, error) {
	v, ok := m[resource.PropertyKey(key)]
	if !ok || v.IsNull() {
		return def, nil
	}
	if !v.IsBool() {
		return def, fmt.Errorf("%s: expected a bool, got %s", key, v.TypeString())
	}
	return v.BoolValue(), nil
}

// getLogging reads the `logging` enum (default stdoutAndStderr).
func getLogging(m resource.PropertyMap) (string, error) {
	s, err := getString(m, "logging")
	if err != nil || s == nil {
		return "stdoutAndStderr", err
	}
	switch *s {
	case "stdout", "stderr", "stdoutAndStderr", "none":
		return *s, nil
	}
	return "stdoutAndStderr", fmt.Errorf("logging: %q is not one of stdout, stderr, stdoutAndStderr, none", *s)
}

// unknownKeyFailures reports top-level inputs that are not in keys (engine-internal "__" keys aside).
//
// Check failures never set Property: the engine prints the input value of a failure's property
// next to it, secrets included (a private key, a secret stdin). Reasons name the property instead.
func unknownKeyFailures(news resource.PropertyMap, keys []string) []*pulumirpc.CheckFailure {
	known := map[string]bool{}
	for _, k := range keys {
		known[k] = true
	}
	var failures []*pulumirpc.CheckFailure
	for k := range news {
		if !known[string(k)] && !strings.HasPrefix(string(k), "__") {
			failures = append(failures, &pulumirpc.CheckFailure{Reason: fmt.Sprintf("%s: unknown property", k)})
		}
	}
	return failures
}

// inputsOf returns the old inputs: OldInputs if the engine sent them, else the input keys of olds.
func inputsOf(oldInputs, olds *structpb.Struct, keys []string) (resource.PropertyMap, error) {
	if oldInputs != nil && len(oldInputs.GetFields()) > 0 {
		return unmarshal(oldInputs, "oldInputs")
	}
	o, err := unmarshal(olds, "olds")
	if err != nil {
		return nil, err
	}
	in := resource.PropertyMap{}
	for _, k := range keys {
		if v, ok := o[resource.PropertyKey(k)]; ok {
			in[resource.PropertyKey(k)] = v
		}
	}
	return in, nil
}

// diffInputs compares old and new inputs (secretness aside). A change of `triggers` replaces
// the resource (create the new one, then delete the old one); any other change is an update.
// A value that is not known yet counts as a change.
func diffInputs(req *pulumirpc.DiffRequest, keys []string) (*pulumirpc.DiffResponse, error) {
	olds, err := inputsOf(req.GetOldInputs(), req.GetOlds(), keys)
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
	all := map[resource.PropertyKey]bool{}
	for k := range olds {
		all[k] = true
	}
	for k := range news {
		all[k] = true
	}
	var sorted []string
	for k := range all {
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
