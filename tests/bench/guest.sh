#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The benchmark inside the VM (tests/bench/run.sh boots it): the facts of
# the run, then each part in turn. Parts write their figures to
# $BENCH_DATA on the job share, which the host turns into the report.
#   guest.sh [PART...]   parts: cost sched flow health control (default: all)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export BENCH_DATA=${BENCH_DATA:-/run/vsched/bench-data.log}
export QUICK=${QUICK:-0}
: >"$BENCH_DATA"
parts=("$@")
((${#parts[@]})) || parts=(cost sched flow health control)

m() { printf 'M\t%s\t%s\n' "$1" "$2" >>"$BENCH_DATA"; }
m kernel "$(uname -r)"
m cpus "$(nproc)"
m mem "$(awk '/MemTotal/ {print $2 " kB"}' /proc/meminfo)"
m cmdline "$(cat /proc/cmdline)"
m quick "$QUICK"
# IPVS's connection hash table is fixed when ip_vs loads: size it for the
# million connections the cost and sched parts leave behind, as an
# operator would (2^20 buckets; the default 2^12 makes chains hundreds
# long). First, before anything (ipvsadm -v below) loads ip_vs with its
# defaults; every part's "modprobe ip_vs" then finds it loaded.
modprobe -r ip_vs_rr ip_vs 2>/dev/null || true
modprobe ip_vs conn_tab_bits=20
m ipvs_conn_tab_bits "$(cat /sys/module/ip_vs/parameters/conn_tab_bits)"
m iptables "$(iptables -V 2>&1)"
m nft "$(nft -v 2>&1)"
m ipvsadm "$(ipvsadm -v 2>&1 | head -n1)"
m vsadm "$("$here/../../userspace/vsadm/vsadm" -V 2>&1 | tr '\n' ' ')"

# Everything but the measured softirq work stays on CPU 0.
taskset -p 1 $$ >/dev/null
failed=0
for p in "${parts[@]}"; do
	echo "### bench part $p"
	start=$SECONDS
	if "$here/$p.sh"; then
		m "part_$p" "ok $((SECONDS - start)) s"
	else
		m "part_$p" "FAILED $((SECONDS - start)) s"
		failed=1
	fi
done
exit $failed
