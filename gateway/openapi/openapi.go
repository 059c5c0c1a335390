// Package openapi embeds the OpenAPI (Swagger 2.0) document generated from
// the contract by protoc-gen-openapiv2 (see scripts/generate.sh).
package openapi

import _ "embed"

// Document is the merged OpenAPI document of every Qihang service.
//
//go:embed qihang.swagger.json
var Document []byte
