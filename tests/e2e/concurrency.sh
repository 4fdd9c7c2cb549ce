#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# New flows whose first packets meet on two CPUs, inside the test VM
# (tests/vm/run.sh), on the standard topology (topology.sh). The last line
# is "N passed, N failed".
#
#  t_udp_race   the first datagrams of each of many UDP flows, sent from
#               two threads on two CPUs at once on one socket: each flow
#               gets one entry and one server.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/e2e/topology.sh
. "$here/topology.sh"

vsadm() { n_lb "$VSADM" "$@"; }

# svc_stat PROTO VIP:PORT FIELD: a service's exact counter, FIELD 1..5 of
# Conns InPkts OutPkts InBytes OutBytes.
svc_stat() {
	nsq lb "$VSADM" -Ln --stats --exact "-$1" "$2" |
		awk -v f="$3" '$1 == "TCP" || $1 == "UDP" {print $(2 + f); exit}'
}

conn_races() {
	nsq lb "$VS_TOOLS/vs-config" | awk '$1 == "conn_races" {print $2}'
}

# Its own port: entries of other UDP tests to VIP:80 stay until they
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
	awk 'NF == 3 && $3 ~ /[+]/' <<<"$out" | head -n 5 | sed 's/^/# split: /'
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
all=(t_udp_race)
(($#)) && all=("$@")
for t in "${all[@]}"; do
	echo "# $t"
	"$t"
done
summary
