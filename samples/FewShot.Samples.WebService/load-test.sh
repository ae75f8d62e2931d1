#!/usr/bin/env bash
# Load test of the web service on loopback: starts it on 127.0.0.1 with a fresh state folder, runs load_test.py
# (bursts of large-but-allowed requests from many users, VmRSS before, at peak and after), and stops it. The service
# is killed after 90 s whatever happens. Extra environment reaches the service, e.g. DOTNET_gcServer=1 to compare.
#
# usage (from anywhere): samples/FewShot.Samples.WebService/load-test.sh [load_test.py options]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
port=${PORT:-5187}
dll=$here/bin/Release/net10.0/FewShot.Samples.WebService.dll
if [ ! -f "$dll" ]; then
    dotnet build "$here" -c Release >/dev/null
fi

states=$(mktemp -d)
# glibc returns freed blocks to the system only past these thresholds; a server that must shrink after bursts sets
# them in its environment (systemd unit, container), as here. Override them from outside to compare.
export MALLOC_MMAP_THRESHOLD_="${MALLOC_MMAP_THRESHOLD_:-131072}" MALLOC_TRIM_THRESHOLD_="${MALLOC_TRIM_THRESHOLD_:-131072}"
FewShot__StateFolder=$states/states dotnet "$dll" --contentRoot "$here" --urls "http://127.0.0.1:$port" >"$states/service.log" 2>&1 &
pid=$!
# Its output goes nowhere, so that a pipe reading this script's output is not held open by its sleep.
( sleep 90; kill "$pid" ) >/dev/null 2>&1 &
watchdog=$!
cleanup() {
    pkill -P "$watchdog" sleep 2>/dev/null || true
    kill "$pid" "$watchdog" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rm -rf "$states"
}
trap cleanup EXIT

python3 "$here/load_test.py" --url "http://127.0.0.1:$port" --pid "$pid" "$@"
