#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The e2e suite, run inside the test VM with vsched.ko loaded
# (tests/vm/run.sh --no-unload ... -- tests/e2e/run.sh [SCRIPT...]). It
# runs the scenario scripts (default: all of them), then unloads the module
# and checks that every service and real server it created was destroyed
# (pr_debug lines, counted).
set -uo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
passed=0 failed=0
ok() { echo "ok - $*"; passed=$((passed + 1)); }
nok() { echo "not ok - $*"; failed=$((failed + 1)); }

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
echo 'module vsched +p' >/sys/kernel/debug/dynamic_debug/control
dmesg -C


if grep -q nf_conntrack /proc/modules; then
	nok "nf_conntrack was loaded before any test asked for it"
else
	ok "vsched runs without nf_conntrack"
fi

deps=$(modinfo -F depends "${VSCHED_MODULE:-vsched}" 2>/dev/null || echo "?")
if [[ $deps == "?" || ,$deps, == *,nf_conntrack,* ]]; then
	nok "the module does not depend on nf_conntrack (depends: $deps)"
else
	ok "the module does not depend on nf_conntrack (depends: $deps)"
fi
# A connection entry must stay small (IPVS's is 288 bytes). Under lockdep
# (the debug kernel) its spinlock carries a lock map: only its presence
# is checked there.
osize=$(cat /sys/kernel/slab/vsched_conn/object_size 2>/dev/null || echo 0)
if [[ -e /proc/lockdep ]] && ((osize > 0)); then
	ok "a connection entry takes $osize bytes # SKIP bound of 128: lockdep kernel"
elif ((osize > 0 && osize <= 128)); then
	ok "a connection entry takes $osize bytes (at most 128)"
else
	nok "a connection entry takes $osize bytes (at most 128)"
fi

scripts=("$@")
((${#scripts[@]})) || scripts=("$top"/tests/e2e/{nat,health,fuzz,stress,userns,concurrency,teardown}.sh)

# The budget, for tests/vm/run.sh's watchdog: each script's time on the
# reference (a quiet 2-core host of this project's CI kind, TCG, the 6.12
# kernel) doubled, plus the unload at the end, scaled by how much slower
# this guest starts processes than the reference does (at least 1: the
# suite's own pace is what a slow host changes most, for it starts a
# process for nearly everything). A script not listed gets 600 s.
declare -A BUDGET=([nat]=360 [health]=300 [fuzz]=60
	[stress]=200 [userns]=60 [concurrency]=80
	[teardown]=180)
REF_SPAWN_MS=2000
calibrate() {
	local i best=0 t
	for ((i = 0; i < 3; i++)); do
		t=${EPOCHREALTIME/./}
		for _ in {1..20}; do /bin/true; done
		t=$(((${EPOCHREALTIME/./} - t) / 1000))
		((best == 0 || t < best)) && best=$t
	done
	echo "$best"
}
spawn_ms=$(calibrate)
factor=$((spawn_ms * 100 / REF_SPAWN_MS))
((factor < 100)) && factor=100
budget=120
for t in "${scripts[@]}"; do
	b=$(basename "$t" .sh)
	budget=$((budget + 2 * ${BUDGET[$b]:-300}))
done
budget=$((budget * factor / 100))
export VS_FACTOR=$factor
echo "vm-budget: $budget s (20 process starts take $spawn_ms ms here," \
	"$REF_SPAWN_MS ms on the reference: factor $((factor / 100)).$((factor % 100 / 10)))"
times=()
for t in "${scripts[@]}"; do
	echo "# $(basename "$t")"
	echo "vsched-e2e: $(basename "$t")" >/dev/kmsg 2>/dev/null || true
	start=$SECONDS
	"$t" 2>&1 | tee /tmp/e2e.log
	times+=("$(basename "$t" .sh)=$((SECONDS - start))s")
	echo "# $(basename "$t") took $((SECONDS - start)) s"
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' /tmp/e2e.log | tail -n1)
	if [[ -z $line ]]; then
		nok "$(basename "$t") ended without a summary"
		continue
	fi
	passed=$((passed + ${line%% *}))
	f=${line#*, }
	failed=$((failed + ${f%% *}))
done

# Leak check: namespaces of the scenarios are gone; unload the module.
if rmmod vsched; then
	ok "rmmod vsched after traffic"
else
	nok "rmmod vsched after traffic"
fi
count() { dmesg | grep -c "vsched.*$1" || true; }
for obj in "service [0-9]* " "dest [0-9.:]* "; do
	c=$(count "${obj}created") d=$(count "${obj}destroyed")
	if ((c == d && c > 0)); then
		ok "every ${obj% *} created was destroyed ($c)"
	else
		nok "${obj% *}: $c created, $d destroyed"
	fi
done
echo "# script times: ${times[*]}"
echo "$passed passed, $failed failed"
((failed == 0))
