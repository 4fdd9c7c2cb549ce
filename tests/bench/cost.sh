#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The balancer's cost per new connection and per packet (issue 4, items 1
# and 6): vsched, IPVS, iptables DNAT (kube-proxy style) and nftables DNAT
# with a verdict map, next to plain forwarding, one lane each (lanes.sh).
# Each round sends PACKETS new flows and then PACKETS packets of 64
# established flows through every lane in turn (order rotated per round)
# and reads CPU 1's busy time. The same rounds cover scale in services
# (item 4): lanes with 1,000 and 10,000 services (QUICK: 10,000 only).
# Then the slab figures of the connections the rounds left behind: bytes
# per connection.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/../e2e/lib.sh"
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/bench/lanes.sh
. "$here/lanes.sh"
ROUNDS=$(rounds 3 5)
PACKETS=${PACKETS:-$( ((QUICK)) && echo 20000 || echo 80000)}
ANCHORS=(plain vsched ipvs iptables nft)
# Scale in services (item 4): lanes whose measured service is the last of
# 1,000 or 10,000; the 1-service figures are the lanes above. QUICK: only
# vsched at 10,000 (the goal) and iptables at 1,000 (the rule walk that
# grows): a 10,000-service lane takes half a minute to load under
# emulation.
BIG=()
for n in 1000 10000; do
	for a in vsched ipvs iptables nft; do BIG+=("${a}_$n"); done
done
((QUICK)) && BIG=(vsched_10000 iptables_1000)

# Every lane runs with the same modules loaded; conntrack is active only in
# the namespaces whose anchor needs it (iptables, nft).
modprobe nf_conntrack
modprobe ip_vs
modprobe ip_vs_rr
sysctl -qw net.netfilter.nf_conntrack_max=4194304
meta cost_packets "$PACKETS"
meta cost_rounds "$ROUNDS"
meta scale_packets "$PACKETS"
meta scale_rounds "$ROUNDS"

lanes=()
for a in "${ANCHORS[@]}"; do
	lane_up "$a" "$a" 1
	lanes+=("$a")
done
for l in "${BIG[@]}"; do
	start=${EPOCHREALTIME/./}
	lane_up "$l" "${l%_*}" "${l##*_}" 2>/dev/null
	record scale_load_s "${l%_*}" "${l##*_}" 1 \
		"$(frac $((${EPOCHREALTIME/./} - start)) 1000000)"
	lanes+=("$l")
done
# 64 packets through each lane first: proves the path and warms caches.
for l in "${lanes[@]}"; do
	lane_run "$l" new 64
	# Plus one ARP request per real server.
	check_range "lane $l forwards the 64 packets" "$RUN_FWD" 64 67
done

for ((r = 1; r <= ROUNDS; r++)); do
	k=$(((r - 1) * 3 % ${#lanes[@]}))
	order=("${lanes[@]:k}" "${lanes[@]:0:k}")
	for l in "${order[@]}"; do
		a=${l%_*} n=1
		[[ $l == *_* ]] && n=${l##*_}
		modes=(new est)
		# The established-flow cost of the big lanes, and of iptables and
		# nftables: full runs only.
		[[ $QUICK == 1 && ($n != 1 || $a == iptables || $a == nft) ]] &&
			modes=(new)
		for mode in "${modes[@]}"; do
			lane_run "$l" "$mode" "$PACKETS"
			c=$(us_per "$RUN_BUSY" "$RUN_FWD")
			[[ $a == plain ]] || record "scale_$mode" "$a" "$n" "$r" "$c"
			((n == 1)) || continue
			record "cost_$mode" "$a" 1 "$r" "$c"
			record "delivered_$mode" "$a" 1 "$r" "$(frac "$RUN_FWD" "$PACKETS")"
			record "genpps_$mode" "$a" 1 "$r" "$RUN_PPS"
		done
	done
done

# Memory per connection: the slab caches of the entries the new-flow
# rounds left (UDP timeouts: vsched and IPVS 300 s, conntrack 30 s).
slab() {
	awk -v c="$1" '$1 == c {
		# name active num objsize objperslab pagesperslab : tunables
		# ... : slabdata active_slabs num_slabs sharedavail
		printf "%d %d %d\n", $2, $4, $(NF - 1) * $6 * 4096 }' /proc/slabinfo
}
for c in vsched_conn ip_vs_conn nf_conntrack; do
	read -r active osize bytes < <(slab "$c") || continue
	echo "# slab $c: $active objects of $osize bytes, $bytes bytes"
	record mem_objsize "$c" - 1 "$osize"
	record mem_objects "$c" - 1 "$active"
	record mem_bytes_per_conn "$c" - 1 "$(awk -v b="$bytes" -v n="$active" 'BEGIN {printf "%.1f", n ? b / n : 0}')"
done
nsq lvsched "$VSADM" -Ln | head -n 8
nsq lipvs ipvsadm -Ln | head -n 8
summary
