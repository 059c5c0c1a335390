#!/usr/bin/env bash
# The project's test command: the README's "Test it" and exactly what CI
# (.ci/run) runs. Go modules come from the Go module proxy; the Meilisearch
# server the search tests run against comes from npm (scripts/meilisearch.sh).
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

echo "== Meilisearch v1.21.0 for the search tests"
./scripts/meilisearch.sh

echo "== go test"
go test -count=1 -timeout 15m ./...
