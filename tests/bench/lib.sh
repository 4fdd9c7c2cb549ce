# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers for the benchmark parts (tests/bench/*.sh), run inside the VM
# after tests/e2e/lib.sh: where results go, CPU time readers, round
# bookkeeping. Every figure is one line of $BENCH_DATA:
#   R <tab> MEASURE <tab> ANCHOR <tab> PARAM <tab> ROUND <tab> VALUE
#   M <tab> KEY <tab> VALUE            (facts about the run)
# tests/bench/report.py turns the file into tables and plots on the host.

BENCH_DATA=${BENCH_DATA:-/run/vsched/bench-data.log}
QUICK=${QUICK:-0}
HZ_TICKS=$(getconf CLK_TCK)
VS_BLAST=$VS_TOOLS/vs-blast
VS_HTTPD=$VS_TOOLS/vs-httpd

# record MEASURE ANCHOR PARAM ROUND VALUE
record() {
	printf 'R\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$BENCH_DATA"
	printf '# %s %s %s round %s: %s\n' "$@" >&2
}

meta() { printf 'M\t%s\t%s\n' "$1" "$2" >>"$BENCH_DATA"; }

# rounds: how many interleaved rounds a measurement runs.
rounds() {
	if [[ -n ${BENCH_ROUNDS:-} ]]; then echo "$BENCH_ROUNDS"
	elif ((QUICK)); then echo "${1:-3}"
	else echo "${2:-5}"; fi
}

# proc_ticks PID...: utime+stime of the processes (every thread, live
# or exited), in ticks. Reads /proc without forking: under emulation a
# fork costs more than the figure.
proc_ticks() {
	local total=0 pid stat rest f
	for pid in "$@"; do
		read -r stat <"/proc/$pid/stat" || continue
		rest=${stat##*) }
		read -r -a f <<<"$rest"
		# After "comm)": state is f[0], utime f[11], stime f[12].
		total=$((total + f[11] + f[12]))
	done
	echo "$total"
}

# cpu_busy_ticks CPU: sets BUSY to the ticks CPU spent not idle
# (user nice system irq softirq steal, /proc/stat). No fork, no subshell.
cpu_busy_ticks() {
	local name us ni sy id io irq sirq st rest
	while read -r name us ni sy id io irq sirq st rest; do
		if [[ $name == "cpu$1" ]]; then
			BUSY=$((us + ni + sy + irq + sirq + st))
			return
		fi
	done </proc/stat
}

# us_per TICKS COUNT: microseconds per item, 3 decimals, no fork.
us_per() {
	local ns
	if (($2 == 0)); then echo nan; return; fi
	ns=$(($1 * 1000000000 / HZ_TICKS / $2))
	printf '%d.%03d\n' $((ns / 1000)) $((ns % 1000))
}

# frac A B: A / B with 3 decimals, integers only, no fork.
frac() {
	local m
	if (($2 == 0)); then echo nan; return; fi
	m=$(($1 * 1000 / $2))
	printf '%d.%03d\n' $((m / 1000)) $((m % 1000))
}
