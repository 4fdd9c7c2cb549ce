#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# NAT load balancing end to end, inside the test VM (tests/vm/run.sh).
#
#   client ns             lb ns (vsched, vsadm)              server ns s1..s3
#  +--------------+      +---------------------------+      +----------------+
#  | c0 198.18.1.2|------| l0 198.18.1.1             |      | eth0           |
#  | gw 198.18.1.1|      | br0 198.18.2.1 ---------- |------| 198.18.2.1N    |
#  +--------------+      | VIP 198.18.100.1:80, not  |      | httpd :80 "sN" |
#                        | on any interface (routed) |      +----------------+
#                        +---------------------------+
#
# Every scenario asserts on what clients and servers saw; the summary line
# is "N passed, N failed".
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
VSADM=${VSADM:-$top/userspace/vsadm/vsadm}
HTTPD=$top/tests/e2e/httpd.py
VIP=198.18.100.1
id=$$
C=vs-c-$id LB=vs-lb-$id
S=(vs-s1-$id vs-s2-$id vs-s3-$id)
RIP=(198.18.2.11 198.18.2.12 198.18.2.13)
work=$(mktemp -d)
passed=0 failed=0

pp() { printf '+ %s\n' "$*" >&2; "$@"; }
nc_() { ip netns exec "$C" "$@"; }
nlb() { ip netns exec "$LB" "$@"; }
vsadm() { pp ip netns exec "$LB" "$VSADM" "$@"; }

ok() { echo "ok - $*"; passed=$((passed + 1)); }
nok() { echo "not ok - $*"; failed=$((failed + 1)); }
check() { # check NAME CMD...: the command's success is the assertion
	local name=$1
	shift
	if "$@"; then ok "$name"; else nok "$name"; fi
}

cleanup() {
	set +e
	for ns in "$C" "$LB" "${S[@]}" "vs-other-$id"; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$work"
}
trap cleanup EXIT

wait_for() { # wait_for SECONDS CMD...: poll until CMD succeeds
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}

setup() {
	local i
	for ns in "$C" "$LB" "${S[@]}"; do
		ip netns add "$ns"
		ip -n "$ns" link set lo up
	done
	ip link add c0 netns "$C" type veth peer name l0 netns "$LB"
	ip -n "$C" addr add 198.18.1.2/24 dev c0
	ip -n "$C" link set c0 up
	ip -n "$C" route add default via 198.18.1.1
	ip -n "$LB" addr add 198.18.1.1/24 dev l0
	ip -n "$LB" link set l0 up
	ip -n "$LB" link add br0 type bridge
	ip -n "$LB" addr add 198.18.2.1/24 dev br0
	ip -n "$LB" link set br0 up
	nlb sysctl -qw net.ipv4.ip_forward=1
	for i in 0 1 2; do
		ip link add eth0 netns "${S[i]}" type veth peer name s$i netns "$LB"
		ip -n "$LB" link set "s$i" master br0 up
		ip -n "${S[i]}" addr add "${RIP[i]}/24" dev eth0
		ip -n "${S[i]}" link set eth0 up
		ip -n "${S[i]}" route add default via 198.18.2.1
		ip netns exec "${S[i]}" python3 "$HTTPD" "s$((i + 1))" "${RIP[i]}" 80 \
			"$work/ready$i" &
	done
	for i in 0 1 2; do
		wait_for 20 test -s "$work/ready$i"
	done
	# The servers answer directly, without the balancer.
	nlb curl -sf -m 5 "http://${RIP[0]}/" >/dev/null
}

# requests N [URL-path]: N requests from the client, one connection each;
# prints "count name" per server, sorted by name.
requests() {
	local n=$1 path=${2:-/} i
	for ((i = 0; i < n; i++)); do
		nc_ curl -s -m 5 "http://$VIP$path" || echo FAIL
	done | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' '
}

# The sequence of servers answering N requests, in order.
sequence() {
	local n=$1 i
	for ((i = 0; i < n; i++)); do
		nc_ curl -s -m 5 "http://$VIP/" || echo FAIL
	done | tr '\n' ' '
}

expect_eq() { # expect_eq NAME GOT WANT
	if [[ $2 == "$3" ]]; then ok "$1"; else nok "$1: got '$2', want '$3'"; fi
}

nstat_errors() { # sum of checksum error counters in every namespace
	local ns sum=0 v
	for ns in "$C" "$LB" "${S[@]}"; do
		v=$(ip netns exec "$ns" nstat -az TcpInCsumErrors UdpInCsumErrors 2>/dev/null |
		    awk '/CsumErrors/ {s += $2} END {print s + 0}')
		sum=$((sum + v))
	done
	echo "$sum"
}

t_rr() {
	vsadm -A -t "$VIP:80" -s rr
	for r in "${RIP[@]}"; do vsadm -a -t "$VIP:80" -r "$r:80" -m -w 1; done
	vsadm -Ln
	expect_eq "rr splits 300 requests 100/100/100" "$(requests 300)" \
		"s1=100 s2=100 s3=100 "
}

t_wrr() {
	vsadm -E -t "$VIP:80" -s wrr
	vsadm -e -t "$VIP:80" -r "${RIP[0]}:80" -m -w 3
	vsadm -e -t "$VIP:80" -r "${RIP[1]}:80" -m -w 2
	vsadm -e -t "$VIP:80" -r "${RIP[2]}:80" -m -w 1
	expect_eq "wrr 3:2:1 interleaves like IPVS" "$(sequence 6)" \
		"s1 s1 s2 s1 s2 s3 "
	expect_eq "wrr 3:2:1 splits 294 requests 147/98/49" "$(requests 294)" \
		"s1=147 s2=98 s3=49 "
}

t_quiesce() {
	local out
	vsadm -E -t "$VIP:80" -s rr
	for r in "${RIP[@]}"; do vsadm -e -t "$VIP:80" -r "$r:80" -m -w 1; done
	# A long request lands on s1 (rr restarts at the first server).
	nc_ curl -s -m 20 "http://$VIP/slow?ms=4000" >"$work/slow" &
	local pid=$!
	wait_for 10 grep -q ESTABLISHED <(nlb "$VSADM" -Lnc)
	vsadm -e -t "$VIP:80" -r "${RIP[0]}:80" -m -w 0
	out=$(requests 40)
	expect_eq "weight 0: new connections avoid the quiesced server" \
		"$out" "s2=20 s3=20 "
	check "weight 0: the established connection finishes" wait "$pid"
	expect_eq "weight 0: ...and got its answer from s1" "$(cat "$work/slow")" s1
	vsadm -e -t "$VIP:80" -r "${RIP[0]}:80" -m -w 1
}

t_delete() {
	vsadm -d -t "$VIP:80" -r "${RIP[2]}:80"
	vsadm -Ln
	expect_eq "deleted server gets no new connection" "$(requests 60)" \
		"s1=30 s2=30 "
	vsadm -a -t "$VIP:80" -r "${RIP[2]}:80" -m -w 1
}

t_no_server() {
	vsadm -A -t "$VIP:81" -s rr
	# No real server: refused at once (TCP reset), like a closed port.
	local start=$SECONDS rc=0
	nc_ curl -s -m 5 "http://$VIP:81/" || rc=$?
	expect_eq "no real server: TCP connection refused (curl exit 7)" "$rc" 7
	check "no real server: refused fast" test $((SECONDS - start)) -lt 3
	vsadm -D -t "$VIP:81"
	vsadm -A -u "$VIP:53" -s rr
	rc=0
	nc_ python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect(("'"$VIP"'", 53))
s.send(b"x")
try:
    s.recv(100)
except ConnectionRefusedError:
    sys.exit(0)
sys.exit(1)' || rc=$?
	expect_eq "no real server: UDP gets ICMP port unreachable" "$rc" 0
	vsadm -D -u "$VIP:53"
}

t_udp() {
	local i
	for i in 0 1; do
		ip netns exec "${S[i]}" python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("'"${RIP[i]}"'", 5353))
open("'"$work/uready$i"'", "w").write("ready")
while True:
    d, a = s.recvfrom(65535)
    s.sendto(b"s'"$((i + 1))"' " + str(len(d)).encode(), a)' &
		wait_for 20 test -s "$work/uready$i"
	done
	vsadm -A -u "$VIP:53" -s rr
	vsadm -a -u "$VIP:53" -r "${RIP[0]}:5353" -m
	vsadm -a -u "$VIP:53" -r "${RIP[1]}:5353" -m
	local got
	got=$(for i in 1 2 3 4; do nc_ python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect(("'"$VIP"'", 53))
s.send(b"hello")
print(s.recv(100).decode())'; done | sort | uniq -c | awk '{print $2 "=" $1}' | tr '\n' ' ')
	expect_eq "UDP flows are balanced and replies come from the VIP" "$got" "s1=2 s2=2 "
	# A fragmented 3000-byte datagram each way is reassembled and un-NATed.
	got=$(nc_ python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(3)
s.connect(("'"$VIP"'", 53))
s.send(b"y" * 3000)
print(s.recv(100).decode())' 2>&1 || true)
	[[ $got =~ ^s[12]\ 3000$ ]] && ok "fragmented UDP datagram through NAT ($got)" ||
		nok "fragmented UDP datagram through NAT: '$got'"
	vsadm -D -u "$VIP:53"
}

t_csum_offload_off() {
	local before after ns dev
	before=$(nstat_errors)
	ip netns exec "$C" ethtool -K c0 tx off >/dev/null
	for i in 0 1 2; do ip netns exec "${S[i]}" ethtool -K eth0 tx off >/dev/null; done
	ip netns exec "$LB" ethtool -K l0 tx off >/dev/null
	expect_eq "checksum offload off: 30 requests" "$(requests 30 | tr -d ' ' | sed 's/s[123]=10//g')" ""
	after=$(nstat_errors)
	expect_eq "checksum offload off: no TcpInCsumErrors/UdpInCsumErrors" "$((after - before))" 0
}

t_local_client() {
	ip -n "$LB" route add 198.18.100.0/24 dev l0
	local got
	got=$(for i in 1 2 3; do nlb curl -s -m 5 "http://$VIP/" || echo FAIL; done | sort | tr '\n' ' ')
	expect_eq "locally originated connections to the VIP are balanced" "$got" "s1 s2 s3 "
}

t_conntrack() {
	modprobe nf_conntrack
	nlb iptables -P FORWARD DROP
	nlb iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP
	nlb iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	# The documented accept rule: filter chains see the real servers.
	nlb iptables -A FORWARD -p tcp -d 198.18.2.0/24 --dport 80 -m conntrack --ctstate NEW -j ACCEPT
	expect_eq "conntrack + FORWARD DROP/INVALID drop: 30 requests" \
		"$(requests 30)" "s1=10 s2=10 s3=10 "
	nc_ curl -s -m 20 "http://$VIP/slow?ms=2000" >/dev/null &
	local pid=$!
	check "conntrack shows the balanced flow ESTABLISHED" wait_for 10 \
		bash -c "ip netns exec $LB conntrack -L -p tcp --state ESTABLISHED 2>/dev/null | grep -q 'dst=198.18.2.1[123] .*dport=80'"
	wait "$pid" || true
	local accepted
	accepted=$(nlb iptables -vnL FORWARD | awk '/ctstate NEW/ {print $1}')
	check "the NEW accept rule matched the balanced traffic ($accepted packets)" \
		test "${accepted:-0}" -gt 0
	nlb iptables -F FORWARD
	nlb iptables -P FORWARD ACCEPT
}

softirq_net_rx() { awk '/NET_RX/ {print $2, $3}' /proc/softirqs; }

t_cross_cpu() {
	(($(nproc) >= 2)) || { ok "cross-CPU # SKIP one CPU"; return; }
	local before after b0 b1 a0 a1 got
	# Restart s1's server pinned to CPU 1; the client runs on CPU 0.
	vsadm -E -t "$VIP:80" -s rr
	vsadm -d -t "$VIP:80" -r "${RIP[1]}:80"
	vsadm -d -t "$VIP:80" -r "${RIP[2]}:80"
	ip netns pids "${S[0]}" | xargs -r kill
	rm -f "$work/ready0"
	ip netns exec "${S[0]}" taskset -c 1 python3 "$HTTPD" s1 "${RIP[0]}" 80 "$work/ready0" &
	wait_for 20 test -s "$work/ready0"
	read -r b0 b1 < <(softirq_net_rx)
	got=$(for i in $(seq 20); do nc_ taskset -c 0 curl -s -m 5 "http://$VIP/" || echo FAIL; done | sort | uniq -c | awk '{print $2 "=" $1}')
	read -r a0 a1 < <(softirq_net_rx)
	expect_eq "cross-CPU: 20 requests answered" "$got" "s1=20"
	echo "# NET_RX deltas: cpu0 $((a0 - b0)), cpu1 $((a1 - b1))"
	check "cross-CPU: forward packets handled on CPU 0" test $((a0 - b0)) -ge 40
	check "cross-CPU: replies handled on CPU 1" test $((a1 - b1)) -ge 40
	vsadm -a -t "$VIP:80" -r "${RIP[1]}:80" -m
	vsadm -a -t "$VIP:80" -r "${RIP[2]}:80" -m
}

t_permissions() {
	local out rc=0
	out=$(nlb setpriv --reuid=65534 --regid=65534 --clear-groups "$VSADM" -Ln 2>&1) || rc=$?
	check "unprivileged vsadm -Ln is refused" test "$rc" -ne 0
	check "...with a permission message ($out)" grep -qi "permission" <<<"$out"
	rc=0
	out=$(unshare -Urn "$VSADM" -A -t 198.18.9.9:80 -s rr 2>&1) || rc=$?
	check "root in a new user namespace cannot add a service" test "$rc" -ne 0
	check "...with a permission message ($out)" grep -qi "permission" <<<"$out"
	ip netns add "vs-other-$id"
	out=$(ip netns exec "vs-other-$id" "$VSADM" -Ln 2>&1)
	check "another namespace sees none of these services" \
		bash -c "! grep -q '$VIP' <<<\"$out\""
}

t_bad_input() {
	local rc=0 out
	out=$(nlb "$VSADM" -a -t "$VIP:80" -r 198.18.2.99:80 -m -w 70000 2>&1) || rc=$?
	check "weight above 65535 is rejected ($out)" test "$rc" -ne 0
	rc=0
	out=$(nlb "$VSADM" -A -t "$VIP:80" -s nosuch 2>&1) || rc=$?
	check "existing service or unknown scheduler is rejected ($out)" test "$rc" -ne 0
	expect_eq "rejected commands disturbed nothing" "$(requests 3)" "s1=1 s2=1 s3=1 "
}

main() {
	setup
	t_rr
	t_wrr
	t_quiesce
	t_delete
	t_no_server
	t_udp
	t_local_client
	t_conntrack
	t_csum_offload_off
	t_cross_cpu
	t_permissions
	t_bad_input
	vsadm -Ln --stats || true
	vsadm -C
}

main
echo "$passed passed, $failed failed"
((failed == 0))
