#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The stress tier: e2e scenarios on a debug kernel with KASAN, lockdep,
# DEBUG_ATOMIC_SLEEP and kmemleak, which Debian's kernels lack.
#
#   tests/stress/debug.sh [SCRIPT...]   default: tests/e2e/nat.sh tests/e2e/fuzz.sh
#
# Builds the kernel once (tests/vm/debug-kernel.sh, cached in
# $VSCHED_CACHE/debug-kernel), builds vsched.ko against it, boots it once
# and runs the scripts through tests/e2e/run.sh, which adds the module
# checks and the created/destroyed leak count. tests/vm/run.sh fails the run
# on any KASAN, lockdep or sleep-in-atomic report, on lockdep switching
# itself off, and on kmemleak objects allocated by vsched. Last lines: the
# suite's "N passed, N failed" and "debug: PASS|FAIL ...".
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2

scripts=("$@")
((${#scripts[@]})) || scripts=(tests/e2e/nat.sh tests/e2e/fuzz.sh)
for s in "${scripts[@]}"; do
	[[ -x $s ]] || { echo "debug: $s is not an executable script" >&2; exit 2; }
done

fail() { echo "debug: FAIL: $*"; exit 1; }

kver=$(tests/vm/debug-kernel.sh build | tail -n1) || fail "kernel build"
[[ $kver == *-vsched-debug ]] || fail "debug-kernel.sh printed '$kver'"
make -s -C userspace || fail "userspace build"
make -s -C tests/tools || fail "test tools build"
ko=$(scripts/build-kmod.sh "$kver" | tail -n1) || fail "vsched.ko build for $kver"

log=$(mktemp /tmp/vsched-debug.XXXXXX)
trap 'rm -f "$log"' EXIT
start=$SECONDS
tests/vm/run.sh --kernel "$kver" --module "$ko" --no-unload -- \
	tests/e2e/run.sh "${scripts[@]}" 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
vm=$(grep -E '^vm: (PASS|FAIL)' "$log" | tail -n1)
echo "${line:-0 passed, 1 failed}"
if ((rc == 0)) && [[ -n $line ]]; then
	echo "debug: PASS $kver, $((SECONDS - start)) s: ${scripts[*]}"
else
	echo "debug: FAIL $kver, $((SECONDS - start)) s: ${vm:-no verdict from the VM}"
fi
((rc == 0))
