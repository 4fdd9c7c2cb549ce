#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Scale in real servers (issue 4, item 5): the balancer's CPU per new
# connection with the least-connection and Maglev schedulers over 3, 100
# and 1,000 real servers, vsched next to IPVS, in the lanes of cost.sh
# (lanes.sh: a new UDP flow per packet into CPU 1, which does nothing
# else). IPVS's lc and wlc compare every server for every new connection;
# the goal is vsched's rate at 1,000 servers >= 80 % of its rate at 3,
# i.e. its cost per connection at 1,000 at most 1.25 x its cost at 3.
# A scheduler vsched does not have is recorded as such ("not yet" in the
# report) and measured for IPVS only.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/../e2e/lib.sh"
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/bench/lanes.sh
. "$here/lanes.sh"
ROUNDS=$(rounds 3 5)
PACKETS=${SCHED_PACKETS:-$( ((QUICK)) && echo 10000 || echo 30000)}
SCHEDS=(lc wlc mh)
SIZES=(3 100 1000)
((QUICK)) && SIZES=(3 1000)

modprobe ip_vs
for s in "${SCHEDS[@]}"; do modprobe "ip_vs_$s"; done
# Every lane's servers have a neighbour entry, and the ARP table is one
# for all namespaces: 6,000 entries and more, above gc_thresh3's 1,024.
sysctl -qw net.ipv4.neigh.default.gc_thresh1=16384 \
	net.ipv4.neigh.default.gc_thresh2=32768 \
	net.ipv4.neigh.default.gc_thresh3=65536
meta sched_packets "$PACKETS"
meta sched_rounds "$ROUNDS"

# Which schedulers vsched has: the module refuses the others by name.
ns_add probe
have=()
for s in "${SCHEDS[@]}"; do
	if nsq probe "$VSADM" -A -u "$VIP:9" -s "$s" 2>/dev/null; then
		have+=("$s")
		nsq probe "$VSADM" -D -u "$VIP:9"
	else
		meta "sched_vsched_lacks_$s" 1
	fi
done

lanes=()
for s in "${SCHEDS[@]}"; do
	for n in "${SIZES[@]}"; do
		for a in vsched ipvs; do
			[[ $a == vsched && " ${have[*]} " != *" $s "* ]] && continue
			l=${a}_${s}_$n
			lane_up "$l" "$a" 1 "$s" "$n" 2>/dev/null
			lanes+=("$l")
		done
	done
done
# A first pass proves each lane's path: the packets are forwarded (the
# servers' link addresses are known, no ARP; a burst at saturation may
# lose a few to the receive backlog, as in the measured trials, whose
# cost is per forwarded packet).
for l in "${lanes[@]}"; do
	n=${l##*_}
	w=$((n < 32 ? 64 : 2 * n))
	lane_run "$l" new "$w"
	check_range "lane $l forwards the $w packets" "$RUN_FWD" \
		$((w * 98 / 100)) $((w + 4))
done

for ((r = 1; r <= ROUNDS; r++)); do
	k=$(((r - 1) * 5 % ${#lanes[@]}))
	order=("${lanes[@]:k}" "${lanes[@]:0:k}")
	for l in "${order[@]}"; do
		IFS=_ read -r a s n <<<"$l"
		lane_run "$l" new "$PACKETS"
		record sched_new "$a:$s" "$n" "$r" "$(us_per "$RUN_BUSY" "$RUN_FWD")"
		record sched_delivered "$a:$s" "$n" "$r" "$(frac "$RUN_FWD" "$PACKETS")"
	done
done
for l in "${lanes[@]}"; do
	[[ $l == vsched_* ]] || continue
	echo "# $l: $(nsq "l$l" "$VSADM" -Ln | awk '$1 == "->" && $2 ~ /^[0-9]/ {
		n++; s += $6; if (!lo || $6 < lo) lo = $6; if ($6 > hi) hi = $6 }
		END {printf "%d servers, inactive connections %d..%d", n, lo, hi}')"
done
summary
