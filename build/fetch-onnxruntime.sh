#!/usr/bin/env bash
# Puts the native ONNX Runtime library for linux-x64 into a per-user cache and prints its path.
#
# The library comes from the onnxruntime-node npm package (the upstream build, CPU provider built in),
# because no ONNX Runtime NuGet package is served to this project (see ../shared/DESIGN.md).
# Both the tarball (npm's sha512 integrity) and the extracted library (sha256) are checked against
# the values pinned below, so a changed or corrupted download never reaches a build.
#
# Usage: fetch-onnxruntime.sh <cache-root>
set -euo pipefail

version=1.30.0
package="onnxruntime-node@${version}"
tarball_integrity="sha512-twhs1C2C/BFkz1yc5OY0KIU2GUq6DURO7hD4bx5Q2Qy3nAMJwRXW8xU3NVczE29VA9lolLOYepoD8fjTGOfIqw=="
library_member="package/bin/napi-v6/linux/x64/libonnxruntime.so.1"
library_sha256="ffb75a925ba05e47b235bb66e3e3911714a80b328a9c9425539feb204aa32a23"

fail() {
  # MSBuild shows lines of this form as build errors.
  echo "error FEWSHOT001: $*" >&2
  exit 1
}

cache_root="${1:?usage: fetch-onnxruntime.sh <cache-root>}"
cache_dir="${cache_root}/onnxruntime-${version}"
library="${cache_dir}/libonnxruntime.so.1"

library_is_valid() {
  [ -f "$library" ] && [ "$(sha256sum "$library" | cut -d' ' -f1)" = "$library_sha256" ]
}

if library_is_valid; then
  echo "$library"
  exit 0
fi

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) fail "FewShot fetches ONNX Runtime for linux-x64 only, and this is $(uname -s)-$(uname -m). Set FEWSHOT_ONNXRUNTIME_PATH to an ONNX Runtime ${version} library built for this platform." ;;
esac

command -v npm >/dev/null 2>&1 || fail "npm is needed once to fetch ONNX Runtime ${version} (from the npm package ${package}). Install Node.js and npm (Debian/Ubuntu: sudo apt-get install nodejs npm), or set FEWSHOT_ONNXRUNTIME_PATH to an existing libonnxruntime.so (ONNX Runtime ${version})."

mkdir -p "$cache_dir" || fail "cannot create the cache folder ${cache_dir}"
# Several projects build at once; one fetch at a time.
exec 9>"${cache_dir}/.lock"
flock 9
if library_is_valid; then
  echo "$library"
  exit 0
fi

work="$(mktemp -d "${cache_dir}/.fetch.XXXXXX")"
trap 'rm -rf "$work"' EXIT

echo "FewShot: fetching ONNX Runtime ${version} (npm package ${package}, ~110 MB, once per user)..." >&2
if ! (cd "$work" && npm pack "$package" --silent >pack.out 2>pack.err); then
  fail "'npm pack ${package}' failed: $(tail -n 3 "$work/pack.err" | tr '\n' ' '). Check that the npm registry is reachable, or set FEWSHOT_ONNXRUNTIME_PATH to an existing libonnxruntime.so (ONNX Runtime ${version})."
fi
tarball="$work/onnxruntime-node-${version}.tgz"
[ -f "$tarball" ] || fail "'npm pack ${package}' did not produce ${tarball##*/}"

# node comes with npm, so it computes npm's integrity string without further tools.
actual_integrity="$(node -e 'const c=require("crypto"),f=require("fs");process.stdout.write("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$tarball")"
[ "$actual_integrity" = "$tarball_integrity" ] || fail "the downloaded ${package} tarball has integrity ${actual_integrity}, expected ${tarball_integrity}; refusing to use it."

tar -xzf "$tarball" -C "$work" "$library_member" || fail "the ${package} tarball has no ${library_member}"
[ "$(sha256sum "$work/$library_member" | cut -d' ' -f1)" = "$library_sha256" ] || fail "the extracted ${library_member} does not match its pinned sha256 ${library_sha256}"

# Atomic: a concurrent reader sees either no library or the whole, checked one.
mv -f "$work/$library_member" "$library.tmp"
mv -f "$library.tmp" "$library"
echo "$library"
