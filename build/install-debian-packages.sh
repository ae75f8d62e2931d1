#!/usr/bin/env bash
# Installs the Debian packages named as arguments that are missing, with apt-get (root or sudo the first time);
# does nothing when all are present. Usage: build/install-debian-packages.sh "what needs them" package...
set -euo pipefail

purpose="$1"
shift
missing=()
for package in "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

command -v apt-get >/dev/null 2>&1 || {
  echo "error: $purpose need ${missing[*]} (Debian packages) and apt-get is not available; install them, or set FEWSHOT_PYTHON to a Python with onnx, torch and numpy" >&2
  exit 1
}
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 || { echo "error: installing ${missing[*]} needs root (or sudo)" >&2; exit 1; }
  sudo="sudo"
fi

echo "Installing ${missing[*]} from Debian (once)..." >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
