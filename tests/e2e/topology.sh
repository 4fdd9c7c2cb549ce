#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The standard vsched test topology. Source it after lib.sh and call
# topology_up [NSERVERS] (default 3); run it directly to build it and check
# plain routing without the balancer.
#
#                                 lb
#  client                 +--------------------+
#  198.18.1.2/24          | veth-c  198.18.1.1 |         s1 198.18.2.11
#  2001:db8:1::2/64 ----- |  2001:db8:1::1     |   +---- 2001:db8:2::11
#  default via .1.1       |                    |   |     vs-httpd :80 "s1"
#                         |  br0 198.18.2.1/24 |---+---- s2 198.18.2.12 ...
#                         |  2001:db8:2::1/64  |   |
#                         |  ip_forward=1      |   +---- sN 198.18.2.(10+N)
#                         +--------------------+         default via .2.1
#
#  VIP 198.18.100.1 (and 2001:db8:100::1) is on no interface: the client
#  routes it to the lb, where vsched (configured with vsadm, in n_lb)
#  translates it to the servers. Servers route back through the lb.
#  Every host is its own netns; wrappers: n_client, n_lb, n_s1..n_sN.

VIP=198.18.100.1
VIP6=2001:db8:100::1
CLIENT_IP=198.18.1.2
CLIENT_IP6=2001:db8:1::2
LB_CLIENT_IP=198.18.1.1
LB_CLIENT_IP6=2001:db8:1::1
LB_SERVER_IP=198.18.2.1
SERVER_IPS=()
SERVER_IP6S=()

# The address of server i (1-based).
server_ip() { echo "198.18.2.$((10 + $1))"; }
server_ip6() { echo "2001:db8:2::$((10 + $1))"; }

topology_up() {
	local n=${1:-3} i
	[[ -x $VS_TOOLS/vs-httpd && -x $VS_TOOLS/vs-client ]] ||
		pp make -s -C "$VS_TOOLS"

	ns_add client
	ns_add lb
	pp ip link add veth-c netns "$(ns_name client)" type veth \
		peer name veth-c netns "$(ns_name lb)"
	n_client ip addr add "$CLIENT_IP/24" dev veth-c
	n_client ip addr add "$CLIENT_IP6/64" dev veth-c nodad
	n_client ip link set veth-c up
	n_client ip route add default via "$LB_CLIENT_IP"
	n_client ip -6 route add default via "$LB_CLIENT_IP6"

	n_lb ip addr add "$LB_CLIENT_IP/24" dev veth-c
	n_lb ip addr add "$LB_CLIENT_IP6/64" dev veth-c nodad
	n_lb ip link set veth-c up
	n_lb ip link add br0 type bridge
	n_lb ip addr add "$LB_SERVER_IP/24" dev br0
	n_lb ip addr add 2001:db8:2::1/64 dev br0 nodad
	n_lb ip link set br0 up
	n_lb sysctl -qw net.ipv4.ip_forward=1
	n_lb sysctl -qw net.ipv6.conf.all.forwarding=1

	for ((i = 1; i <= n; i++)); do
		SERVER_IPS+=("$(server_ip "$i")")
		SERVER_IP6S+=("$(server_ip6 "$i")")
		server_up "$i" nowait
	done
	for ((i = 1; i <= n; i++)); do
		wait_for_file "$VS_TMP/s$i.ready"
	done
	TOPO_SERVERS=$n
}

# server_up I [nowait]: server I's namespace, on br0, and its vs-httpd.
# topology_up lists the servers it starts in SERVER_IPS; a test that
# needs one more starts it with this and names it itself.
server_up() {
	local s=s$1
	ns_add "$s"
	pp ip link add veth0 netns "$(ns_name "$s")" type veth \
		peer name "veth-$s" netns "$(ns_name lb)"
	n_lb ip link set "veth-$s" master br0 up
	"n_$s" ip addr add "$(server_ip "$1")/24" dev veth0
	"n_$s" ip addr add "$(server_ip6 "$1")/64" dev veth0 nodad
	"n_$s" ip link set veth0 up
	"n_$s" ip route add default via "$LB_SERVER_IP"
	"n_$s" ip -6 route add default via 2001:db8:2::1
	server_start "$1" "${2:-}"
}

# server_start I [nowait]: (re)start server I's vs-httpd: HTTP and UDP on
# port 80, a load agent on port 7777 (the line in $VS_TMP/sI.agent), and
# the HTTP status in $VS_TMP/sI.status when that file exists.
SERVER_PIDS=()
server_start() {
	local s=s$1
	rm -f "$VS_TMP/$s.ready"
	bg_run "$s" "httpd-$s" "$VS_TOOLS/vs-httpd" -u -r "$VS_TMP/$s.ready" \
		-s "$VS_TMP/$s.status" -a "7777:$VS_TMP/$s.agent" \
		"$s" 0.0.0.0:80 '[::]:80'
	SERVER_PIDS[$1]=$!
	[[ ${2:-} == nowait ]] || wait_for_file "$VS_TMP/$s.ready"
}

# server_stop I: kill server I's vs-httpd (its ports then refuse).
server_stop() {
	pp kill "${SERVER_PIDS[$1]}"
	wait "${SERVER_PIDS[$1]}" 2>/dev/null || true
}

# server_status I [CODE]: server I answers every request with CODE (500:
# accepts connections but is broken); without CODE, normally again.
server_status() {
	if (($# > 1)); then
		echo "$2" >"$VS_TMP/s$1.status"
	else
		rm -f "$VS_TMP/s$1.status"
	fi
}

# agent_say I LINE: what server I's load agent reports from now on.
agent_say() { echo "$2" >"$VS_TMP/s$1.agent"; }

# server_release [I...]: servers I (default: every one) answer their held
# /slow requests now. Tests hold a flow with /slow?ms=60000 and release it
# when they are done with it, so that no check depends on a flow lasting
# long enough on a slow host.
server_release() {
	local i
	(($#)) || set -- $(seq "${#SERVER_IPS[@]}")
	for i; do
		nsq lb "$VS_TOOLS/vs-client" -n 1 -p /release "$(server_ip "$i"):80" \
			>/dev/null 2>&1 || true
	done
}

# Requests served so far by server i, from its /count endpoint.
server_count() {
	local out
	out=$(nsq lb "$VS_TOOLS/vs-client" -n 1 -p /count "$(server_ip "$1"):80" 2>/dev/null)
	out=${out% 1}
	echo "${out##* }"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	# shellcheck source=tests/e2e/lib.sh
	. "$(dirname "$0")/lib.sh"
	topology_up "${1:-3}"
	check "lb reaches s1 directly" \
		n_lb "$VS_TOOLS/vs-client" -n 20 "$(server_ip 1):80"
	check "lb reaches s1 over IPv6" \
		n_lb "$VS_TOOLS/vs-client" -n 5 "[$(server_ip6 1)]:80"
	check "client reaches s2 through the lb (routed)" \
		n_client "$VS_TOOLS/vs-client" -n 20 "$(server_ip 2):80"
	check "client reaches s3 over UDP" \
		n_client "$VS_TOOLS/vs-client" -u -n 5 "$(server_ip 3):80"
	out=$(n_lb "$VS_TOOLS/vs-client" -n 10 "$(server_ip 1):80")
	check_eq "answers name s1" "$out" "s1 10"
	check_fail "VIP unreachable without the balancer" \
		n_client "$VS_TOOLS/vs-client" -n 1 -t 500 "$VIP:80"
	summary
fi
