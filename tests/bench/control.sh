#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Control plane (issue 4, item 7): load NSVC services x 10 real servers
# from a saved file (vsadm -R next to ipvsadm -R, same lines), list them
# all (-Ln), change one weight (-e): wall time of each, in its own
# namespace, rounds interleaved, each trial in a fresh namespace.
# 10,000 x 10 in the full run, 1,000 x 10 with QUICK=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/../e2e/lib.sh"
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
ROUNDS=$(rounds 3 5)
NSVC=${NSVC:-$( ((QUICK)) && echo 1000 || echo 10000)}
NRS=10
modprobe ip_vs
modprobe ip_vs_rr
meta control_services "$NSVC x $NRS"
meta control_rounds "$ROUNDS"

rules=$VS_TMP/rules
{
	for ((i = 1; i <= NSVC; i++)); do
		v="198.19.$((i / 250)).$((i % 250 + 1)):80"
		echo "-A -t $v -s wrr"
		for ((j = 1; j <= NRS; j++)); do
			echo "-a -t $v -r 198.18.2.$((10 + j)):80 -m -w 1"
		done
	done
} >"$rules"
last="198.19.$((NSVC / 250)).$((NSVC % 250 + 1)):80"

# timed NS CMD... : seconds CMD took in namespace NS (stdout to
# /dev/null), timed inside the namespace: entering it (ip netns exec, a
# shell) costs a third of a second under emulation and is not the tool's.
timed() {
	local ns=$1 us
	shift
	us=$(nsq "$ns" bash -c 't0=${EPOCHREALTIME/./}; "$@" >/dev/null || exit 1
		echo $((${EPOCHREALTIME/./} - t0))' _ "$@")
	awk -v us="$us" 'BEGIN {printf "%.3f", us / 1e6}'
}

# Each trial in a namespace of its own, never one cleared by -C: IPVS
# keeps deleted real servers in a trash list for a minute or so and
# walks it on every add (ip_vs_trash_get_dest), so a restore right after
# a clear of 100,000 servers took IPVS three times as long as its first.
trial() { # tool round
	local tool=$1 r=$2 ns=$1$2 t lines
	[[ $tool == vsched ]] && tool=$VSADM || tool=ipvsadm
	ns_add "$ns"
	t=$(timed "$ns" "$tool" -R <"$rules")
	record control_restore "$1" "$NSVC" "$r" "$t"
	t=$(timed "$ns" "$tool" -Ln)
	record control_list "$1" "$NSVC" "$r" "$t"
	t=$(timed "$ns" "$tool" -e -t "$last" -r 198.18.2.11:80 -m -w 5)
	record control_edit "$1" "$NSVC" "$r" "$t"
	lines=$(nsq "$ns" "$tool" -Ln | grep -c -- '->.*Masq')
	check_eq "$1 round $r holds every real server" "$lines" $((NSVC * NRS))
	# Emptied and gone before the next trial, so that no namespace
	# teardown runs during one.
	nsq "$ns" "$tool" -C
	ip netns del "$(ns_name "$ns")"
	sleep 5
}

for ((r = 1; r <= ROUNDS; r++)); do
	if ((r % 2)); then order=(vsched ipvs); else order=(ipvs vsched); fi
	for a in "${order[@]}"; do trial "$a" "$r"; done
done
summary
