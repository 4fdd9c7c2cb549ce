#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host side of `make demo`: boot the newest Debian 12 6.12 kernel under
# QEMU with kmod/vsched.ko loaded and run tests/demo/demo.sh inside.
# The caller builds the module for that kernel first, e.g.
#   make KVER=$(tests/vm/kernels.sh list | tail -n1)
# Extra arguments go to tests/vm/run.sh (e.g. --accel tcg, --timeout 900).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
cd "$ROOT"

step() { printf '[demo] %s\n' "$*" >&2; }

KVER=${KVER:-$(tests/vm/kernels.sh list | grep -E '^6\.12\.' | tail -n1)}
step "kernel $KVER"
KDIR=$(tests/vm/kernels.sh fetch "$KVER")
MODULE=${MODULE:-$ROOT/kmod/vsched.ko}
VSADM=${VSADM:-$ROOT/userspace/vsadm/vsadm}

[[ -f $MODULE ]] || { step "$MODULE missing: run make KDIR=$KDIR first"; exit 1; }
built_for=$(modinfo -F vermagic "$MODULE" | cut -d' ' -f1)
[[ $built_for == "$KVER" ]] ||
	{ step "$MODULE is built for $built_for: run make KDIR=$KDIR"; exit 1; }
[[ -x $VSADM ]] || { step "$VSADM missing: run make first"; exit 1; }

step "building the test tools"
make -s -C tests/tools

step "booting the VM"
exec tests/vm/run.sh --kernel "$KVER" --module "$MODULE" "$@" -- \
	env VSADM="$VSADM" VS_DEMO_CLIENT="${VS_DEMO_CLIENT:-vs-client}" tests/demo/demo.sh
