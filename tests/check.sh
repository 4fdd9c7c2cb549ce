#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every test of the project, as `make check` and CI run it. Each suite
# prints its own "N passed, N failed" line; this adds them up, prints each
# suite's time and closes with the total. A suite that dies without its
# line counts as one failure.
#
# The two kernel lines' VM suites run side by side: each emulated guest
# keeps about one host core busy, and this is a 2-core machine. Their
# output is printed whole, one after the other, when both have ended.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
logdir=${VSCHED_LOGDIR:-$(mktemp -d /tmp/vsched-check.XXXXXX)}
mkdir -p "$logdir"
total_pass=0 total_fail=0
failed_suites=()
times=()
t_all=$SECONDS

# tally NAME RC START: count the suite's summary line in its log.
tally() {
	local name=$1 rc=$2 start=$3 log=$logdir/$1.log line p f
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
	times+=("$(printf '%-28s %5ss  %s passed, %s failed' "$name" \
		"$(($(date +%s) - start))" "$p" "$f")")
	echo "=== $name: rc=$rc, $p passed, $f failed, $(($(date +%s) - start))s"
}

# suite NAME CMD...: run it in the foreground, its output shown as it comes.
suite() {
	local name=$1 start rc
	shift
	start=$(date +%s)
	echo "=== $name: $*"
	"$@" 2>&1 | tee "$logdir/$name.log"
	rc=${PIPESTATUS[0]}
	tally "$name" "$rc" "$start"
}

# bg_suite NAME CMD...: run it in the background into its log;
# bg_wait NAME prints the log and counts it.
declare -A bg_pid bg_start
bg_suite() {
	local name=$1
	shift
	echo "=== $name: $* (in the background, log $logdir/$name.log)"
	bg_start[$name]=$(date +%s)
	"$@" >"$logdir/$name.log" 2>&1 &
	bg_pid[$name]=$!
}
bg_wait() {
	local name=$1 rc=0
	wait "${bg_pid[$name]}" || rc=$?
	echo "=== $name: output"
	cat "$logdir/$name.log"
	tally "$name" "$rc" "${bg_start[$name]}"
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
vms=()
for k in "${kernels[@]}"; do
	ko=$(scripts/build-kmod.sh "$k") || { failed_suites+=("build-$k"); continue; }
	# The guest stops itself at the suite's budget (tests/e2e/run.sh
	# prints it, scaled to this host's speed); --timeout is only a cap.
	bg_suite "e2e-$k" tests/vm/run.sh --kernel "$k" --module "$ko" \
		--no-unload --timeout 4800 -- tests/e2e/run.sh
	vms+=("e2e-$k")
done
for v in "${vms[@]}"; do
	bg_wait "$v"
done

echo "logs: $logdir"
echo "time of each suite (the VM suites ran side by side):"
printf '    %s\n' "${times[@]}"
echo "    make check took $((SECONDS - t_all))s"
((${#failed_suites[@]})) && echo "failed: ${failed_suites[*]}"
echo "$total_pass passed, $total_fail failed"
((total_fail == 0 && ${#failed_suites[@]} == 0))
