//go:build tools

// Package tools records the krew commands this module builds, so `go mod tidy`
// keeps sigs.k8s.io/krew in go.mod and go.sum.
package tools

import (
	_ "sigs.k8s.io/krew/cmd/krew"
	_ "sigs.k8s.io/krew/cmd/validate-krew-manifest"
)
