#!/usr/bin/env bash
# Builds FerretDB 1.24.2 (MongoDB wire protocol, SQLite backend) into .tools/bin/ferretdb.
#
# Why not a bare `go install github.com/FerretDB/FerretDB/cmd/ferretdb@v1.24.2`:
#  - the Go module proxy here refuses the module's version list (403), which
#    `go install pkg@version` reads to check deprecations, so it fails before building;
#  - a binary whose main module is FerretDB panics at start unless
#    build/version/version.txt holds the version, and the module zip ships it empty.
# So: download the exact version (by checksum, through the proxy), write version.txt
# into a private copy, and `go install` from that copy. Idempotent.
set -euo pipefail
VERSION=v1.24.2
root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/.tools/bin"
# Output is captured before it is matched: under pipefail, `| grep -q` or `| head -1` closing
# the pipe early would kill ferretdb with SIGPIPE and fail the script (exit 141) at random.
installed=$("$bin/ferretdb" --version 2>/dev/null || true)
if [[ "$installed" == *"${VERSION#v}"* ]]; then
  echo "ferretdb $VERSION already built at $bin/ferretdb"
  exit 0
fi
command -v go >/dev/null || { echo "install-ferretdb: Go is required (https://go.dev/dl)" >&2; exit 1; }
mkdir -p "$bin"
echo "install-ferretdb: downloading github.com/FerretDB/FerretDB@$VERSION"
dir=$(go mod download -json "github.com/FerretDB/FerretDB@$VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir" ] || { echo "install-ferretdb: go mod download gave no module directory" >&2; exit 1; }
work=$(mktemp -d)
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
cp -r "$dir/." "$work/src"
chmod -R u+w "$work/src"
echo "$VERSION" > "$work/src/build/version/version.txt"
echo "install-ferretdb: building (first build takes about two minutes)"
(cd "$work/src" && GOFLAGS=-buildvcs=false GOBIN="$bin" go install ./cmd/ferretdb)
built=$("$bin/ferretdb" --version)
echo "${built%%$'\n'*}"
