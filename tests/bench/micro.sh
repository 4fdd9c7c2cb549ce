#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The in-kernel microbenchmark form of make bench (issue 4): vsched's
# KUnit suites vsched-bench-* (CONFIG_VSCHED_KUNIT_BENCH, in kmod/
# conn_test.c, sched_test.c and nat_test.c) time connection lookups,
# entry creation and expiry, scheduling decisions and the NAT rewrite
# over millions of iterations. They run under UML, natively on the host's
# CPU (no emulation), ROUNDS times; each figure becomes a line of the
# bench data:  R <tab> micro_ns <tab> OP <tab> PARAM <tab> ROUND <tab> NS
#
#   micro.sh OUTFILE
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:?usage: micro.sh OUTFILE}
QUICK=${QUICK:-0}
rounds=${BENCH_ROUNDS:-$( ((QUICK)) && echo 3 || echo 5)}
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
: >"$out"
for ((r = 1; r <= rounds; r++)); do
	VSCHED_KUNIT_RAWLOG=$raw "$top/tests/kunit/run.sh" --bench -- \
		'vsched-bench*' >&2
	# "vsched-bench conn_lookup entries=1000 buckets=2048 ops=2000000
	#  ns_per_op=39": OP, the first key=value as PARAM, ns_per_op.
	awk -v r="$r" '
	/vsched-bench [a-z_]+ / {
		sub(/.*vsched-bench /, "")
		op = $1; param = "-"; ns = ""
		for (i = 2; i <= NF; i++) {
			split($i, kv, "=")
			if (kv[1] == "ns_per_op") ns = kv[2]
			else if (param == "-" && kv[1] != "ops") param = kv[1] "=" kv[2]
		}
		if (ns != "") printf "R\tmicro_ns\t%s\t%s\t%d\t%s\n", op, param, r, ns
	}' "$raw" >>"$out"
done
n=$(wc -l <"$out")
echo "micro: $n figures in $rounds rounds" >&2
((n > 0))
