#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Established-flow throughput (issue 4, item 2) and request latency at a
# fixed rate (item 3) through NAT: vsched, IPVS, iptables DNAT (kube-proxy
# style) and nftables DNAT with a verdict map, next to plain forwarding,
# one lane each (lanes.sh: the client and the servers on CPU 0, the balancer's
# receive path steered to CPU 1 by RPS). Per round and lane, in rotated
# order:
#  - iperf3 TCP, 4 streams, SECS seconds: throughput (Mbit/s received);
#  - vs-client at RATE requests per second (a new TCP connection each,
#    HTTP to vs-httpd) for SECS seconds: latency p50, p90, p99.
# Under emulation the client and the servers, not the balancer, limit the
# throughput; the report says so next to the figures. UDP small packets
# (item 2's other half) are cost.sh's established-flow trials: vs-blast
# over 64 flows, packets per second and CPU per packet. iperf3's UDP test
# is not used: under TCG its UDP handshake and its control connection
# time out at random ("unable to read from stream socket"), in every lane,
# plain forwarding included.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/../e2e/lib.sh"
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/bench/lanes.sh
. "$here/lanes.sh"
ROUNDS=$(rounds 3 5)
SECS=${SECS:-$( ((QUICK)) && echo 3 || echo 6)}
RATE=${RATE:-100}
ANCHORS=(plain vsched ipvs iptables nft)
LANE_SVCS=(tcp:5201 tcp:80)
CLIENT=$VS_TOOLS/vs-client

modprobe nf_conntrack
modprobe ip_vs
modprobe ip_vs_rr
meta flow_secs "$SECS"
meta flow_rounds "$ROUNDS"
meta flow_rate "$RATE"
meta iperf3 "$(iperf3 --version 2>&1 | head -n1)"

for a in "${ANCHORS[@]}"; do
	lane_up "$a" "$a" 1
	bg_run "s$a" "iperf-$a" taskset -c 0 iperf3 -s -p 5201
	bg_run "s$a" "httpd-$a" taskset -c 0 "$VS_HTTPD" -q \
		-r "$VS_TMP/httpd-$a.ready" "s$a" 0.0.0.0:80
done
for a in "${ANCHORS[@]}"; do wait_for_file "$VS_TMP/httpd-$a.ready"; done
sleep 1

dst() { if [[ $1 == plain ]]; then echo "${RS[0]}"; else echo "$VIP"; fi; }

# iperf3's JSON: received bits per second (TCP) or packets (UDP).
tcp_mbps() {
	python3 -c 'import json,sys
j = json.load(sys.stdin)
s = j.get("end", {}).get("sum_received")
if s:
    print("%.1f" % (s["bits_per_second"] / 1e6))
else:
    print("# iperf3 TCP:", j.get("error", "no summary"), file=sys.stderr)'
}
# A request through each lane first: proves the path.
for a in "${ANCHORS[@]}"; do
	check "lane $a answers HTTP" nsq "c$a" "$CLIENT" -n 3 -t 3000 "$(dst "$a"):80"
done

for ((r = 1; r <= ROUNDS; r++)); do
	k=$(((r - 1) % ${#ANCHORS[@]}))
	order=("${ANCHORS[@]:k}" "${ANCHORS[@]:0:k}")
	for a in "${order[@]}"; do
		d=$(dst "$a")
		out=$(nsq "c$a" taskset -c 0 iperf3 -c "$d" -p 5201 -t "$SECS" -P 4 -J) || true
		[[ -n $out ]] || out='{}'
		v=$(tcp_mbps <<<"$out")
		if [[ -n $v ]]; then record flow_tcp_mbps "$a" 1 "$r" "$v"; fi
		out=$(nsq "c$a" taskset -c 0 "$CLIENT" -n $((RATE * SECS)) -r "$RATE" \
			-t 3000 "$d:80" 2>&1 >/dev/null) || true
		echo "# $a round $r: ${out//$'\n'/; }" >&2
		if [[ $out =~ latency\ p50\ ([0-9]+)\ p90\ ([0-9]+)\ p99\ ([0-9]+) ]]; then
			record lat_p50_us "$a" 1 "$r" "${BASH_REMATCH[1]}"
			record lat_p90_us "$a" 1 "$r" "${BASH_REMATCH[2]}"
			record lat_p99_us "$a" 1 "$r" "${BASH_REMATCH[3]}"
		fi
		[[ $out == *" 0 failed"* ]] ||
			echo "# $a round $r: requests failed" >&2
	done
done
check "every lane gave its figures" test \
	"$(grep -c $'^R\tlat_p50_us\t' "$BENCH_DATA")" -eq $((ROUNDS * ${#ANCHORS[@]}))
summary
