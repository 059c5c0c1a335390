#!/usr/bin/env bash
# Fails when the committed generated code (gen/, gateway/openapi/) differs
# from what the protos and buf.gen.yaml produce now. Generates into a
# temporary directory, so the working tree is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
buf() { go tool -modfile=tools/buf/go.mod buf "$@"; }
buf lint
buf generate --output "$tmp"
status=0
diff -r -u gen "$tmp/gen" || status=1
diff -u gateway/openapi/qihang.swagger.json "$tmp/gateway/openapi/qihang.swagger.json" || status=1
if [ "$status" -ne 0 ]; then
  echo "generated code is stale: run ./scripts/generate.sh and commit the result" >&2
  exit 1
fi
echo "generated code is up to date"
