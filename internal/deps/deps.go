//go:build tools

// Package deps pins the project's module dependencies while the packages that use them are written.
package deps

import (
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/smallstep/pkcs7"
	_ "github.com/stretchr/testify/require"
	_ "go.yaml.in/yaml/v3"
	_ "golang.org/x/crypto/cryptobyte"
	_ "golang.org/x/crypto/ocsp"
)
