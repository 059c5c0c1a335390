#!/usr/bin/env bash
# The project's test command: the README's "Test it" and exactly what CI
# (.ci/run) runs. Everything it needs comes from the Go module proxy.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== generated code matches the protos"
./scripts/check-generated.sh

echo "== formatting"
unformatted=$(gofmt -l $(git ls-files '*.go' | grep -v '^gen/'))
if [ -n "$unformatted" ]; then
  echo "gofmt needed on:" >&2
  echo "$unformatted" >&2
  exit 1
fi

echo "== go vet"
go vet ./...

echo "== go test"
go test -count=1 -timeout 15m ./...
