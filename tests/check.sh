#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every test of the project, as `make check` and CI run it. Each suite
# prints its own "N passed, N failed" line; this adds them up and closes
# with the total. A suite that dies without its line counts as one failure.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
logdir=${VSCHED_LOGDIR:-$(mktemp -d /tmp/vsched-check.XXXXXX)}
total_pass=0 total_fail=0
failed_suites=()

suite() {
	local name=$1 log=$logdir/$1.log start rc line p f
	shift
	start=$(date +%s)
	echo "=== $name: $*"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^([A-Za-z]+: )?[0-9]+ passed, [0-9]+ failed' "$log" | tail -n1)
	if [[ -n $line ]]; then
		p=$(sed -E 's/^([A-Za-z]+: )?([0-9]+) passed.*/\2/' <<<"$line")
		f=$(sed -E 's/.* ([0-9]+) failed.*/\1/' <<<"$line")
	else
		p=0 f=0
	fi
	((rc != 0 && f == 0)) && f=1
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
	((rc != 0)) && failed_suites+=("$name")
	echo "=== $name: rc=$rc, $p passed, $f failed, $(($(date +%s) - start))s"
}

mapfile -t kernels < <(tests/vm/kernels.sh list)
kdirs=()
for k in "${kernels[@]}"; do
	kdirs+=("$(tests/vm/kernels.sh fetch "$k" | tail -n1)")
done

make -s -C userspace || failed_suites+=(build-userspace)
make -s -C tests/tools || failed_suites+=(build-tools)

suite unit make -s -C tests/unit check
suite fuzz make -s -C tests/fuzz check
suite kunit tests/kunit/run.sh
suite lint scripts/lint-kmod.sh "${kdirs[@]}"
suite dkms tests/dkms.sh
for k in "${kernels[@]}"; do
	ko=$(scripts/build-kmod.sh "$k") || { failed_suites+=("build-$k"); continue; }
	# The suite takes 15 to 18 minutes a kernel under TCG on a 2-core
	# host: the VM's limit is a guard against a hung guest, not a budget.
	suite "e2e-$k" tests/vm/run.sh --kernel "$k" --module "$ko" --no-unload \
		--timeout 2400 -- \
		tests/e2e/run.sh
done

echo "logs: $logdir"
((${#failed_suites[@]})) && echo "failed: ${failed_suites[*]}"
echo "$total_pass passed, $total_fail failed"
((total_fail == 0 && ${#failed_suites[@]} == 0))
