#!/usr/bin/env bash
# Installs what the tests need beyond the .NET SDK and npm, from Debian's registry, when it is missing:
#   python3-onnx   the official ONNX checker, run on every model the tests write
#   python3-torch  the PyTorch reference that gradients and speed are compared against
#   python3-numpy  .npy exchange with the reference scripts
# Needs root or sudo the first time; does nothing when everything is present.
set -euo pipefail

packages=(python3-onnx python3-torch python3-numpy)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

command -v apt-get >/dev/null 2>&1 || {
  echo "error: the tests need ${missing[*]} (Debian packages) and apt-get is not available; install them, or set FEWSHOT_PYTHON to a Python with onnx, torch and numpy" >&2
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
