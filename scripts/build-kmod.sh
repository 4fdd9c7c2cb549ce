#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build vsched.ko for one of the test kernels in a private copy of the
# sources, so builds for several kernels never share object files.
#   build-kmod.sh KVER [make args...]   prints the path of vsched.ko last
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
kver=$1
shift
kdir=$("$top/tests/vm/kernels.sh" fetch "$kver" | tail -n1)
# One build directory per source tree: worktrees that shared one mixed
# their files (cp -u keeps whichever copy is newer).
tree=$(printf '%s' "$top" | md5sum | cut -c1-8)
out=${VSCHED_CACHE:-/var/cache/vsched}/build/$kver-$tree
mkdir -p "$out"
# Copy keeping timestamps, so that make rebuilds only what changed. Not
# cp -u: a file whose copy here is newer (another checkout's, an older
# commit's) must still be replaced.
for d in kmod uapi; do
	mkdir -p "$out/$d"
	cp -a "$top/$d/." "$out/$d/"
done
cp -a "$top/Kbuild" "$out/"
make -s -C "$kdir" M="$out" "$@" modules >&2
echo "$out/kmod/vsched.ko"
