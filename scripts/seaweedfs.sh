#!/usr/bin/env bash
# Builds SeaweedFS's weed binary (an S3-compatible server the S3 tests start) once and
# caches it outside the repository; later runs reuse the cached binary. Prints its path.
#
# The module has replace directives in its go.mod, so `go install` cannot build it:
# the source is downloaded into the module cache, copied to a writable folder and built
# there.
set -euo pipefail

version="v0.0.0-20261109003541-7506e5f91cd6"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/backrest"
bin="$cache/weed-$version"

if [ -x "$bin" ]; then
	echo "$bin"
	exit 0
fi

mkdir -p "$cache"
dir=$(go mod download -json "github.com/seaweedfs/seaweedfs@$version" |
	sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
	echo "seaweedfs.sh: go mod download did not give the module's folder" >&2
	exit 1
fi

work=$(mktemp -d "$cache/weed-build.XXXXXX")
trap 'chmod -R u+w "$work" 2>/dev/null; rm -rf "$work"' EXIT
cp -R "$dir/." "$work/src"
chmod -R u+w "$work/src"
(cd "$work/src" && GOFLAGS="-modcacherw -buildvcs=false" go build -o "$work/weed" ./weed) >&2
mv "$work/weed" "$bin"
echo "$bin"
