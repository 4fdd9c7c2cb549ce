# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Lanes for the packet-path benchmarks (cost.sh, scale.sh): one lane per
# (anchor, service count), each its own three namespaces, so a lane is
# configured once and the rounds of all lanes interleave.
#
#   cNAME                      lNAME                         sNAME
#   v0 198.18.1.2/24 ---- vc 198.18.1.1/24            vs 198.18.2.1/24 ---- v0 198.18.2.11-13/24
#   vs-blast (CPU 0)      RPS: vc -> CPU 1 (the measured CPU)          RPS: v0 -> CPU 0
#   sources 198.18.64.0/18     balancer: plain | vsched | ipvs |        vs-blast -k 9: a sink
#                              iptables | nft                          that drops at the socket
#
# The client crafts UDP datagrams from many sources (vs-blast) to VIP:9;
# the balancer's namespace receives them on CPU 1 (RPS), translates and
# forwards them, and the server side runs on CPU 0 again. CPU 1 does
# nothing else, so its busy time (/proc/stat) over a fixed number of
# packets is the balancer's cost plus routing; the plain lane (no
# balancer, the client sends to a server address) is routing alone.

VIP=198.18.100.1
RS=(198.18.2.11 198.18.2.12 198.18.2.13)
LANES=()
# The measured VIP's services, PROTO:PORT (flow.sh adds TCP ones); the
# other services of the scale lanes are udp:9 only.
LANE_SVCS=(udp:9)

# Other services: VIPs from 198.19.0.0/16, each with the same servers.
# Sets $ov (no subshell: 10,000 forks take minutes under emulation).
other_vip() { ov="198.19.$(($1 / 250)).$(($1 % 250 + 1))"; }

# Real server I (0-based) of a lane with many (lane_up's NRS): addresses
# from 198.18.4.0/22, on the same link as RS. Sets $rs.
many_rs() { rs="198.18.$((4 + $1 / 250)).$(($1 % 250 + 1))"; }

# A lane's services in vsadm/ipvsadm -R lines (the same for both): the
# NSVC - 1 other services, then the measured VIP's, scheduled by SCHED
# (rr) over RS or, with NRS, over NRS servers from many_rs (weights 1 for
# rr and lc, 1..4 in turn for the others).
lane_svc_lines() {
	local sched=${2:-rr} nrs=${3:-0} sv fl r i ov w rs
	for ((i = 1; i < $1; i++)); do
		other_vip "$i"
		echo "-A -u $ov:9 -s rr"
		for r in "${RS[@]}"; do echo "-a -u $ov:9 -r $r:9 -m"; done
	done
	for sv in "${LANE_SVCS[@]}"; do
		fl=-u
		[[ ${sv%:*} == tcp ]] && fl=-t
		echo "-A $fl $VIP:${sv#*:} -s $sched"
		if ((nrs == 0)); then
			for r in "${RS[@]}"; do echo "-a $fl $VIP:${sv#*:} -r $r:${sv#*:} -m"; done
			continue
		fi
		for ((i = 0; i < nrs; i++)); do
			many_rs "$i"
			w=1
			[[ $sched == rr || $sched == lc ]] || w=$((1 + i % 4))
			echo "-a $fl $VIP:${sv#*:} -r $rs:${sv#*:} -m -w $w"
		done
	done
}

# lane_up NAME ANCHOR NSVC [SCHED NRS]: the measured service is the last
# of NSVC, scheduled by SCHED (rr) over RS or over NRS servers (many_rs;
# vsched and ipvs anchors).
lane_up() {
	local name=$1 anchor=$2 nsvc=$3 sched=${4:-rr} nrs=${5:-0}
	local c=c$1 l=l$1 s=s$1 f=$VS_TMP/$1.rules i r ov sv pr po k sep rs mac
	ns_add "$c"
	ns_add "$l"
	ns_add "$s"
	pp ip link add v0 netns "$(ns_name "$c")" type veth peer name vc netns "$(ns_name "$l")"
	pp ip link add vs netns "$(ns_name "$l")" type veth peer name v0 netns "$(ns_name "$s")"
	# One shell per namespace: entering one costs a third of a second
	# under emulation. IPv4 only: no neighbour discovery or MLD in the
	# counted packets.
	nsx "$c" sh -ec '
		sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip addr add 198.18.1.2/24 dev v0
		ip link set v0 up
		ip route add default via 198.18.1.1'
	nsx "$l" sh -ec '
		sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		ip addr add 198.18.1.1/24 dev vc
		ip addr add 198.18.2.1/24 dev vs
		ip link set vc up
		ip link set vs up
		ip route add 198.18.64.0/18 via 198.18.1.2
		sysctl -qw net.ipv4.ip_forward=1
		echo 2 >/sys/class/net/vc/queues/rx-0/rps_cpus'
	nsx "$s" sh -ec "
		sysctl -qw net.ipv6.conf.all.disable_ipv6=1
		for r in ${RS[*]}; do ip addr add \$r/24 dev v0; done
		ip link set v0 up
		ip route add default via 198.18.2.1
		echo 1 >/sys/class/net/v0/queues/rx-0/rps_cpus"
	if ((nrs)); then
		# The balancer knows every server's link address beforehand: a
		# thousand ARP exchanges in the first trial would overflow the
		# backlog and leave packets queued for the next one.
		mac=$(nsq "$s" cat /sys/class/net/v0/address)
		for ((i = 0; i < nrs; i++)); do
			many_rs "$i"
			echo "addr add $rs/22 dev v0" >&3
			echo "neigh replace $rs lladdr $mac dev vs nud permanent"
		done >"$f.neigh" 3>"$f.addrs"
		nsq "$s" ip -batch "$f.addrs"
		nsq "$l" ip route add 198.18.4.0/22 dev vs
		nsq "$l" ip -batch "$f.neigh"
	fi
	bg_run "$s" "sink-$name" "$VS_BLAST" -c 0 -k 9

	case $anchor in
	plain) ;;
	vsched)
		lane_svc_lines "$nsvc" "$sched" "$nrs" >"$f"
		nsx "$l" "$VSADM" -R <"$f"
		;;
	ipvs)
		# IPVS schedules in LOCAL_IN: the VIP must be a local address.
		nsq "$l" ip addr add "$VIP/32" dev lo
		lane_svc_lines "$nsvc" "$sched" "$nrs" >"$f"
		nsx "$l" ipvsadm -R <"$f"
		;;
	iptables)
		# kube-proxy's iptables mode: KUBE-SERVICES matches every service
		# in turn, then a per-service chain picks an endpoint at random.
		# The other services share one KUBE-SVC chain (they never match;
		# only the walk through KUBE-SERVICES costs).
		{
			echo "*nat"
			echo ":KUBE-SERVICES - [0:0]"
			echo ":KUBE-SVC-OTHER - [0:0]"
			echo ":KUBE-SEP-OTHER - [0:0]"
			echo "-A PREROUTING -m comment --comment kubernetes -j KUBE-SERVICES"
			for ((i = 1; i < nsvc; i++)); do
				other_vip "$i"
				echo "-A KUBE-SERVICES -d $ov/32 -p udp -m udp --dport 9 -j KUBE-SVC-OTHER"
			done
			echo "-A KUBE-SVC-OTHER -j KUBE-SEP-OTHER"
			echo "-A KUBE-SEP-OTHER -p udp -m udp -j DNAT --to-destination ${RS[0]}:9"
			for sv in "${LANE_SVCS[@]}"; do
				pr=${sv%:*} po=${sv#*:} k=${sv/:/-}
				echo ":KUBE-SVC-$k - [0:0]"
				for i in 1 2 3; do echo ":KUBE-SEP-$k-$i - [0:0]"; done
				echo "-A KUBE-SERVICES -d $VIP/32 -p $pr -m $pr --dport $po -j KUBE-SVC-$k"
				echo "-A KUBE-SVC-$k -m statistic --mode random --probability 0.33333333349 -j KUBE-SEP-$k-1"
				echo "-A KUBE-SVC-$k -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-$k-2"
				echo "-A KUBE-SVC-$k -j KUBE-SEP-$k-3"
				for i in 1 2 3; do
					echo "-A KUBE-SEP-$k-$i -p $pr -m $pr -j DNAT --to-destination ${RS[i - 1]}:$po"
				done
			done
			echo "COMMIT"
		} >"$f"
		nsx "$l" iptables-restore <"$f"
		;;
	nft)
		# kube-proxy's nftables mode: one verdict map keyed by
		# address . protocol . port, numgen picks the endpoint.
		{
			printf 'table ip kube {\n'
			for sv in "${LANE_SVCS[@]}"; do
				pr=${sv%:*} po=${sv#*:} k=${sv/:/_}
				for i in 1 2 3; do
					printf ' chain sep_%s_%d {\n  meta l4proto %s dnat to %s:%s\n }\n' \
						"$k" "$i" "$pr" "${RS[i - 1]}" "$po"
				done
				printf ' chain svc_%s {\n  numgen random mod 3 vmap { 0 : goto sep_%s_1, 1 : goto sep_%s_2, 2 : goto sep_%s_3 }\n }\n' \
					"$k" "$k" "$k" "$k"
			done
			printf ' map service-ips {\n  type ipv4_addr . inet_proto . inet_service : verdict\n'
			printf '  elements = { '
			sep=
			for sv in "${LANE_SVCS[@]}"; do
				printf '%s%s . %s . %s : goto svc_%s' "$sep" "$VIP" "${sv%:*}" "${sv#*:}" "${sv/:/_}"
				sep=$',\n   '
			done
			# The other services share the first service's chains.
			for ((i = 1; i < nsvc; i++)); do
				other_vip "$i"
				printf ',\n   %s . udp . 9 : goto svc_%s' "$ov" "${LANE_SVCS[0]/:/_}"
			done
			printf ' }\n }\n'
			printf ' chain services {\n  ip daddr . meta l4proto . th dport vmap @service-ips\n }\n'
			printf ' chain prerouting {\n  type nat hook prerouting priority dstnat;\n  jump services\n }\n'
			printf '}\n'
		} >"$f"
		nsx "$l" nft -f "$f"
		;;
	*) echo "unknown anchor $anchor" >&2; return 1 ;;
	esac
	LANES+=("$name")
	local dst=$VIP:9
	[[ $anchor == plain ]] && dst=${RS[0]}:9
	declare -g "LANE_DST_$name=$dst" "LANE_NEXT_$name=0"
}

# ip -n enters the namespace without ip netns exec's sysfs remount, and
# the line is parsed in bash: every fork counts under emulation.
fwd_packets() {
	local -a f
	local i
	read -r -a f < <(ip -n "$(ns_name "l$1")" -s -o link show dev vs)
	for ((i = 0; i < ${#f[@]}; i++)); do
		[[ ${f[i]} == TX: ]] && { echo "${f[i + 9]}"; return; }
	done
}

# Wait until the lane's backlog is drained: its forwarded count is still.
settle() {
	local a b
	b=$(fwd_packets "$1")
	while :; do
		sleep 0.2
		a=$(fwd_packets "$1")
		[[ $a == "$b" ]] && return
		b=$a
	done
}

# lane_run NAME MODE PACKETS: MODE new (every packet a new flow) or est
# (64 established flows). Sets RUN_BUSY (CPU 1 ticks), RUN_FWD (packets
# forwarded), RUN_PPS (the generator's rate). Not in a subshell: the
# lane's next new flow number must persist, or later rounds would reuse
# the flows of earlier ones.
lane_run() {
	local name=$1 mode=$2 n=$3 next=LANE_NEXT_$1 dst=LANE_DST_$1 args b0 b1 f0 f1 out t0
	if [[ $mode == new ]]; then
		args=(-f 0 -o "${!next}")
		declare -g "$next=$((${!next} + n))"
	else
		# Flows far from the new-flow range; opened before measuring.
		args=(-f 64 -o 9000000)
		nsq "c$name" "$VS_BLAST" -c 0 -n 64 "${args[@]}" -s 198.18.64.0 \
			"${!dst}" >/dev/null
		settle "$name"
	fi
	t0=${EPOCHREALTIME/./}
	f0=$(fwd_packets "$name")
	cpu_busy_ticks 1
	b0=$BUSY
	out=$(nsq "c$name" "$VS_BLAST" -c 0 -n "$n" "${args[@]}" -s 198.18.64.0 "${!dst}")
	settle "$name"
	cpu_busy_ticks 1
	b1=$BUSY
	f1=$(fwd_packets "$name")
	echo "# lane $name $mode: $out; trial $(((${EPOCHREALTIME/./} - t0) / 1000)) ms" >&2
	out=${out#*(}
	RUN_BUSY=$((b1 - b0)) RUN_FWD=$((f1 - f0)) RUN_PPS=${out%% pps*}
}
