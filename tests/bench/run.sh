#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make bench: build the module for the newest 6.12 test kernel, boot one
# VM (no slub_debug, slub_nomerge, 2 vCPUs) that runs tests/bench/guest.sh,
# and turn its figures into tests/bench/results/REPORT.md and PNG plots.
#
#   run.sh [--quick] [PART...]     parts: micro cost sched flow health control
#
# micro (tests/bench/micro.sh) runs on the host, under UML, before the VM;
# the others inside the VM.
#
# QUICK=1 in the environment is the same as --quick: fewer rounds,
# shorter trials, 1,000 x 10 instead of 10,000 x 10 for the control plane.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd -P)
cd "$top"
QUICK=${QUICK:-0}
[[ ${1:-} == --quick ]] && { QUICK=1; shift; }
[[ $QUICK == 1 ]] || QUICK=0
out=$top/tests/bench/results
raw=$out/raw

log() { printf '[bench] %s\n' "$*" >&2; }

make -s userspace
make -s -C tests/tools
kver=$(tests/vm/kernels.sh list | grep '^6\.12\.' | tail -n1)
module=$(scripts/build-kmod.sh "$kver")
log "kernel $kver, module $module, quick=$QUICK"

mkdir -p "$raw"
rm -f "$raw"/*.log
parts=("$@")
vm_parts=()
micro=0
((${#parts[@]})) || { micro=1; vm_parts=(cost sched flow health control); }
for p in "${parts[@]}"; do
	if [[ $p == micro ]]; then micro=1; else vm_parts+=("$p"); fi
done
if ((micro)); then
	start=$SECONDS
	if QUICK=$QUICK tests/bench/micro.sh "$raw/micro-data.log"; then
		printf 'M\tpart_micro\tok %d s\n' $((SECONDS - start)) >>"$raw/micro-data.log"
	else
		printf 'M\tpart_micro\tFAILED %d s\n' $((SECONDS - start)) >>"$raw/micro-data.log"
	fi
fi
# Other VMs on the host share its CPUs with this one: say how busy it was.
host="$(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg) before boot"
timeout=2900
((QUICK)) && timeout=1500
rc=0
if ((${#vm_parts[@]})); then
	VSCHED_VM_LOGDIR=$raw tests/vm/run.sh --kernel "$kver" --module "$module" \
		--no-debug --cpus 2 --mem 3G --timeout "$timeout" \
		-- env QUICK="$QUICK" tests/bench/guest.sh "${vm_parts[@]}" 2>&1 |
		tee "$raw/vm-host.log" || rc=$?
	[[ -s $raw/bench-data.log ]] || { log "no figures came back (see $raw)"; exit 1; }
else
	: >"$raw/bench-data.log"
fi
if [[ -s $raw/micro-data.log ]]; then
	cat "$raw/micro-data.log" >>"$raw/bench-data.log"
fi
printf 'M\thost\t%s, %s after\n' "$host" "$(cut -d' ' -f1-3 /proc/loadavg)" \
	>>"$raw/bench-data.log"
python3 tests/bench/report.py --data "$raw/bench-data.log" \
	--vmlog "$raw/vm-host.log" --out "$out"
log "report: $out/REPORT.md"
exit "$rc"
