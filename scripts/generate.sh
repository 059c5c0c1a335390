#!/usr/bin/env bash
# Regenerates every file derived from proto/: Go messages and gRPC stubs,
# grpc-gateway handlers (gen/) and the merged OpenAPI document
# (gateway/openapi/qihang.swagger.json). Offline: all plugins are Go tools
# pinned in go.mod, buf is pinned in tools/buf/go.mod.
set -euo pipefail
cd "$(dirname "$0")/.."
buf() { go tool -modfile=tools/buf/go.mod buf "$@"; }
buf lint
rm -rf gen
rm -f gateway/openapi/*.swagger.json
buf generate
