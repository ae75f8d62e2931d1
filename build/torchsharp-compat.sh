#!/usr/bin/env bash
# Makes TorchSharp's native shim load on systems whose libstdc++ is older than GCC 13's (Debian 12).
# Usage: build/torchsharp-compat.sh <output-folder>...
#
# libLibTorchSharp.so is built with GCC 13, whose <iostream> only emits `.globl _ZSt21ios_base_library_initv`:
# a reference with no relocation, there to tie the binary to a libstdc++ (GLIBCXX_3.4.32) that initializes
# std::cout itself. Nothing calls it, so the dynamic loader never looks the symbol up; only the version
# check fails ("version `GLIBCXX_3.4.32' not found"). With GCC 12's libstdc++ the iostreams are initialized by
# the static ios_base::Init objects of libc10.so and libtorch_cpu.so, which load first. The fix is therefore
# one flag: the shim's version-needed entry for GLIBCXX_3.4.32 is marked VER_FLG_WEAK, which ld.so accepts
# when the version is missing (a weak version), and which changes nothing where libstdc++ has it.
#
# Patches copies in the given output folders only (never the NuGet cache), is idempotent, prints one line per
# file it patches and nothing when nothing needs doing, and skips where libstdc++ has GLIBCXX_3.4.32.
# The FewShot.Sdk package ships this file as buildTransitive/torchsharp-compat.sh (build/TorchSharpCompat.targets).
# FEWSHOT_LIBSTDCXX names the libstdc++.so.6 to judge by (default: the one the shim resolves to).
# Outputs are read whole into variables, never piped into a reader that may stop early: under pipefail a
# writer killed by SIGPIPE would fail the build at random.
set -euo pipefail

version=GLIBCXX_3.4.32
symbol=_ZSt21ios_base_library_initv

shims=()
for folder in "$@"; do
  [ -d "$folder" ] || continue
  while IFS= read -r -d '' shim; do shims+=("$shim"); done \
    < <(find "$folder" -maxdepth 4 -name libLibTorchSharp.so -type f -print0)
done
[ ${#shims[@]} -eq 0 ] && exit 0

# The libstdc++.so.6 in use.
libstdcxx="${FEWSHOT_LIBSTDCXX:-}"
if [ -z "$libstdcxx" ]; then
  libstdcxx=$(awk '$1 == "libstdc++.so.6" && $3 ~ /^\// && !found { print $3; found = 1 }' <<<"$(ldd "${shims[0]}" 2>/dev/null || true)")
fi
[ -n "$libstdcxx" ] && [ -f "$libstdcxx" ] || { echo "error: torchsharp-compat: cannot find the libstdc++.so.6 that ${shims[0]} uses; set FEWSHOT_LIBSTDCXX" >&2; exit 1; }
if ! command -v readelf >/dev/null 2>&1; then
  # A libstdc++ that names the version defines it (it needs no GLIBCXX version of its own): nothing to do, and no
  # readelf needed. Otherwise readelf (binutils) must judge: this repository installs it; a copy of this script
  # outside it (the FewShot.Sdk package's buildTransitive/) asks for it instead of installing system packages.
  grep -qaF "$version" "$libstdcxx" && exit 0
  installer="$(dirname "$0")/install-debian-packages.sh"
  if [ ! -f "$installer" ]; then
    echo "error: torchsharp-compat: $libstdcxx lacks $version, so ${shims[0]} must be patched, which needs readelf: install binutils (Debian and Ubuntu: sudo apt install binutils)" >&2
    exit 1
  fi
  bash "$installer" "TorchSharp's compatibility step" binutils
fi
# Versions that it defines.
defined=$(grep -oE 'Name: (GLIBCXX|CXXABI)_[0-9.]+' <<<"$(readelf -V --wide "$libstdcxx")" | awk '{ print $2 }' | sort -u)

for shim in "${shims[@]}"; do
  # The shim's version-needed entries for libstdc++: "<offset in section> <name> <flags>".
  versions=$(readelf -V --wide "$shim")
  section=$(awk '/\.gnu\.version_r/ && !done { getline; for (i = 1; i < NF; i++) if ($i == "Offset:") print $(i + 1); done = 1 }' <<<"$versions")
  needed=$(awk '/File: / { file = $5 } file == "libstdc++.so.6" && /Name: / { sub(":", "", $1); print $1, $3, $5 }' <<<"$versions")
  missing=$(awk '{ print $2 }' <<<"$needed" | grep -vxF -f <(echo "$defined") || true)

  [ -z "$missing" ] && continue                                  # libstdc++ is new enough
  entry=$(awk -v v="$version" '$2 == v' <<<"$needed")
  [ "$(awk '{ print $3 }' <<<"$entry")" = "WEAK" ] && [ "$missing" = "$version" ] && continue   # already patched

  if [ "$missing" != "$version" ]; then
    echo "error: torchsharp-compat: $shim needs $(echo "$missing" | tr '\n' ' ')from libstdc++, and $libstdcxx lacks them; only $version can be worked around (install a newer libstdc++)" >&2
    exit 1
  fi
  # Only the unreferenced iostream marker may carry the version, or marking it weak would hide a real need.
  users=$(awk -v v="@$version" 'index($8, v) { sub(/@.*/, "", $8); print $8 }' <<<"$(readelf --dyn-syms --wide "$shim")" | sort -u)
  relocated=$(grep -c "$symbol" <<<"$(readelf -r --wide "$shim")" || true)
  if [ "$users" != "$symbol" ] || [ "$relocated" -ne 0 ]; then
    echo "error: torchsharp-compat: $shim uses $version for more than $symbol (found: $(echo "$users" | tr '\n' ' ')); not patching" >&2
    exit 1
  fi

  # vna_flags is the 16-bit field 4 bytes into the Elf64_Vernaux entry; VER_FLG_WEAK is 2.
  offset=$(( section + $(awk '{ print $1 }' <<<"$entry") + 4 ))
  # Patch a copy and rename it over the original: a hard link into the NuGet cache stays untouched. The copy
  # keeps the original's time stamp (size is unchanged too), so MSBuild's incremental copy does not replace it. The
  # copy's name is unique, so that two builds of one project patching its output at once each rename a whole file.
  temporary=$(mktemp "$shim.fewshot-compat.XXXXXX")
  cp -p "$shim" "$temporary"
  printf '\x02\x00' | dd of="$temporary" bs=1 seek="$offset" conv=notrunc status=none
  touch -r "$shim" "$temporary"
  mv -f "$temporary" "$shim"
  echo "torchsharp-compat: marked $version weak in $(readlink -f "$shim") (libstdc++ at $libstdcxx lacks it)"
done
