#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The packet path entered where softirq is not the rule, and twice at once,
# inside the test VM (tests/vm/run.sh), on the standard topology
# (topology.sh). The last line is "N passed, N failed".
#
#  t_nfqueue    an nft table queues the service's packets to a userspace
#               daemon (vs-nfq, accepting all, like an IPS in NFQUEUE
#               mode) at priorities before vsched's hooks, both ways. The
#               daemon's verdicts run vsched's hooks in process context
#               with BHs enabled. TCP, bulk, UDP and local clients go
#               through; every packet the rules queued is counted once by
#               the service. A kernel warning fails the VM run (run.sh).
#  t_udp_race   the first datagrams of each of many UDP flows, sent from
#               two threads on two CPUs at once on one socket: each flow
#               gets one entry and one server.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/e2e/topology.sh
. "$here/topology.sh"
CLIENT=$VS_TOOLS/vs-client

vsadm() { n_lb "$VSADM" "$@"; }

# requests N [PATH [PORT]]: "s1=N s2=N ..." from N connections to VIP.
requests() {
	local out rc=0
	out=$(nsq client "$CLIENT" -n "$1" -t 10000 -p "${2:-/}" "$VIP:${3:-80}" \
		2>/dev/null) || rc=$?
	out=$(sort <<<"$out" | awk 'NF == 2 {printf "%s=%s ", $1, $2}')
	((rc == 0)) || out+="FAIL"
	echo "$out"
}

# svc_stat PROTO VIP:PORT FIELD: a service's exact counter, FIELD 1..5 of
# Conns InPkts OutPkts InBytes OutBytes.
svc_stat() {
	nsq lb "$VSADM" -Ln --stats --exact "-$1" "$2" |
		awk -v f="$3" '$1 == "TCP" || $1 == "UDP" {print $(2 + f); exit}'
}

# The packets an nft rule of table vsq counted, by its comment.
nft_packets() {
	nsq lb nft list table inet vsq |
		awk -v c="\"$1\"" '$0 ~ "comment " c {
			for (i = 1; i < NF; i++) if ($i == "packets") print $(i + 1) }'
}

_blast_settled() { [[ $(svc_stat u "$VIP:9" 2) == "$(nft_packets blast)" ]]; }

conn_races() {
	nsq lb "$VS_TOOLS/vs-config" | awk '$1 == "conn_races" {print $2}'
}

t_nfqueue() {
	local s got blast_in rule_in
	vsadm -A -t "$VIP:80" -s rr
	vsadm -A -u "$VIP:80" -s rr
	vsadm -A -u "$VIP:9" -s rr
	for s in "${SERVER_IPS[@]}"; do
		vsadm -a -t "$VIP:80" -r "$s:80" -m -w 1
		vsadm -a -u "$VIP:80" -r "$s:80" -m -w 1
		vsadm -a -u "$VIP:9" -r "$s:9" -m -w 1
	done
	for s in 1 2 3; do
		bg_run "s$s" "sink-s$s" "$VS_TOOLS/vs-blast" -k 9
	done
	pp modprobe nfnetlink_queue
	pp modprobe nft_queue
	bg_run lb nfq "$VS_TOOLS/vs-nfq" -r "$VS_TMP/nfq.ready" 7
	wait_for_file "$VS_TMP/nfq.ready"
	# Before vsched on both ways: prerouting and output at raw (-300,
	# vsched at -201), forward and input at mangle (-150, vsched at -1).
	n_lb nft -f - <<-EOF
	table inet vsq {
		chain pre_q {
			type filter hook prerouting priority raw;
			ip daddr $VIP udp dport 9 counter queue num 7 comment "blast"
			ip daddr $VIP counter queue num 7 comment "pre"
		}
		chain out_q {
			type filter hook output priority raw;
			ip daddr $VIP counter queue num 7 comment "out"
		}
		chain fwd_q {
			type filter hook forward priority mangle;
			ip saddr 198.18.2.0/24 counter queue num 7 comment "fwd"
		}
		chain in_q {
			type filter hook input priority mangle;
			ip saddr 198.18.2.0/24 counter queue num 7 comment "in"
		}
	}
	EOF
	check_eq "NFQUEUE before vsched: 300 TCP connections split 100/100/100" \
		"$(requests 300)" "s1=100 s2=100 s3=100 "
	got=$(nsq client "$CLIENT" -n 6 -t 30000 -p "/big?bytes=1000000" \
		"$VIP:80" 2>/dev/null | awk 'NF == 2 {n += $2} END {print n + 0}')
	check_eq "NFQUEUE before vsched: six 1 MB answers" "$got" 6
	got=$({ nsq client "$CLIENT" -u -n 30 -t 5000 "$VIP:80" 2>/dev/null ||
		true; } | sort | awk 'NF == 2 {printf "%s=%s ", $1, $2}')
	# Each datagram comes from a new socket, and the kernel may give one
	# the source port the previous, closed one had: that datagram then
	# follows the previous one's entry (UDP has no TIME_WAIT), and rr
	# moves on one less (11/10/9 once on 6.12). All 30 answered, by
	# every server, 9 to 11 each.
	check "NFQUEUE before vsched: 30 UDP datagrams answered, rr over the three ($got)" \
		awk -v g="$got" 'BEGIN {
			n = split(g, kv, "[ =]+"); t = 0; k = 0
			for (i = 1; i < n; i += 2) {
				if (kv[i + 1] < 9 || kv[i + 1] > 11) exit 1
				t += kv[i + 1]; k++
			}
			exit !(t == 30 && k == 3)
		}'
	# Clients on the balancer: output queued, the replies queued at input.
	n_lb ip route add 198.18.100.0/24 dev veth-c
	got=$(nsq lb "$CLIENT" -n 30 -t 10000 "$VIP:80" 2>/dev/null |
		sort | awk 'NF == 2 {printf "%s=%s ", $1, $2}')
	check_eq "NFQUEUE before vsched: 30 local connections split 10/10/10" \
		"$got" "s1=10 s2=10 s3=10 "
	n_lb ip route del 198.18.100.0/24 dev veth-c
	# 20,000 datagrams of 400 flows: every one the rule queued reaches
	# the service once (the daemon is fail-open: what overflows the
	# queue is accepted in softirq, and counted all the same).
	pp nsq client "$VS_TOOLS/vs-blast" -n 20000 -f 400 -o 0 \
		-s "$CLIENT_IP" "$VIP:9"
	# The daemon may still hold some: wait until the service counted
	# what the rule queued.
	wait_until 30 _blast_settled || true
	rule_in=$(nft_packets blast)
	blast_in=$(svc_stat u "$VIP:9" 2)
	echo "# blast: rule queued $rule_in, service counted $blast_in"
	check "...most of 20,000 datagrams reached the queue ($rule_in)" \
		test "${rule_in:-0}" -ge 10000
	check_eq "...every queued datagram counted once by the service" \
		"$blast_in" "$rule_in"
	check_eq "...and the 400 flows are 400 connections" \
		"$(svc_stat u "$VIP:9" 1)" 400
	check_eq "TCP service: 300 + 6 + 30 connections" "$(svc_stat t "$VIP:80" 1)" 336
	echo "# queued: pre $(nft_packets pre), out $(nft_packets out)," \
	     "fwd $(nft_packets fwd), in $(nft_packets in)"
	check "the daemon saw replies in forward" test "$(nft_packets fwd)" -gt 0
	check "...and in input" test "$(nft_packets in)" -gt 0
	grep -E '^[0-9]+ +7 ' /proc/net/netfilter/nfnetlink_queue 2>/dev/null |
		sed 's/^/# nfnetlink_queue: /' || true
	n_lb nft delete table inet vsq
	vsadm -Ln --stats --exact
	vsadm -C
}

# Its own port: entries of earlier UDP tests to VIP:80 stay until they
# expire, and a client port reused from one of them is no new flow.
t_udp_race() {
	local out s ports entries
	if (($(nproc) < 2)); then
		_ok "UDP race # SKIP one CPU"
		return
	fi
	vsadm -A -u "$VIP:8053" -s rr
	for s in "${SERVER_IPS[@]}"; do vsadm -a -u "$VIP:8053" -r "$s:80" -m; done
	s=$(conn_races)
	out=$(nsq client "$VS_TOOLS/vs-udprace" -n 300 -k 2 -t 3000 "$VIP:8053") ||
		true
	echo "# $(tail -n1 <<<"$out"); conn_races $s -> $(conn_races)"
	awk 'NF == 3 && $3 ~ /[+]/' <<<"$out" | head -n 5 | sed 's/^/# split: /' || true
	check_eq "300 UDP flows sent from two CPUs at once: each answered by one server" \
		"$(tail -n1 <<<"$out")" "flows 300 split 0 unanswered 0"
	check_eq "...every datagram answered" \
		"$(awk 'NF == 3 && $2 != 4' <<<"$out" | wc -l)" 0
	# A socket may get the port of an earlier one: the same flow again.
	ports=$(awk 'NF == 3 {print $1}' <<<"$out" | sort -u | wc -l)
	entries=$(nsq lb "$VSADM" -Lnc |
		awk -v v="$VIP:8053" '$1 == "UDP" && $5 == v' | wc -l)
	check_eq "...one entry per flow ($ports client ports)" "$entries" "$ports"
	check_eq "...one connection counted per flow" "$(svc_stat u "$VIP:8053" 1)" \
		"$ports"
	vsadm -C
}

topology_up 3
all=(t_nfqueue t_udp_race)
(($#)) && all=("$@")
run_tests "${all[@]}"
summary
