// Package api holds the OpenAPI 3.1 contract of the Talent API v2 server.
package api

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed openapi.yaml
var spec []byte

// YAML returns the OpenAPI document as written (YAML).
func YAML() []byte {
	out := make([]byte, len(spec))
	copy(out, spec)
	return out
}

var jsonOnce = sync.OnceValues(func() ([]byte, error) {
	doc, err := Load()
	if err != nil {
		return nil, err
	}
	return json.Marshal(doc)
})

// JSON returns the OpenAPI document converted to JSON.
func JSON() ([]byte, error) {
	b, err := jsonOnce()
	if err != nil {
		return nil, err
	}
	out := make([]byte, len(b))
	copy(out, b)
	return out, nil
}

// Load parses and validates the OpenAPI document. Each call returns a fresh
// document, so callers may modify it (for example, to build a router).
func Load() (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(spec)
	if err != nil {
		return nil, fmt.Errorf("api: load openapi.yaml: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("api: validate openapi.yaml: %w", err)
	}
	return doc, nil
}
