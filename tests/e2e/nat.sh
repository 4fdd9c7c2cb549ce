#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# NAT load balancing end to end, inside the test VM (tests/vm/run.sh), on
# the standard topology (topology.sh: client -- lb -- s1..s3, VIP routed
# through the lb and on no interface). Every check asserts on what clients
# and servers saw; the last line is "N passed, N failed".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/e2e/topology.sh
. "$here/topology.sh"
CLIENT=$VS_TOOLS/vs-client

vsadm() { n_lb "$VSADM" "$@"; }

# requests N [PATH [PORT]]: N requests from the client to VIP:PORT (80),
# a connection each; prints "s1=N s2=N ..." (and FAIL when any failed).
requests() {
	local out rc=0
	out=$(nsq client "$CLIENT" -n "$1" -t 5000 -p "${2:-/}" "$VIP:${3:-80}" \
		2>/dev/null) || rc=$?
	out=$(sort <<<"$out" | awk 'NF == 2 {printf "%s=%s ", $1, $2}')
	((rc == 0)) || out+="FAIL"
	echo "$out"
}

# sequence N [PORT]: the servers that answered N requests to VIP:PORT
# (80), in order (vs-client -v reports each answer on stderr).
sequence() {
	nsq client "$CLIENT" -v -n "$1" -t 5000 "$VIP:${2:-80}" 2>&1 >/dev/null |
		awk 'NF == 2 && $1 ~ /^[0-9]+$/ {printf "%s ", $2}'
}

t_rr() {
	local s
	vsadm -A -t "$VIP:80" -s rr
	for s in "${SERVER_IPS[@]}"; do vsadm -a -t "$VIP:80" -r "$s:80" -m -w 1; done
	vsadm -Ln
	check_eq "rr splits 300 requests 100/100/100" "$(requests 300)" \
		"s1=100 s2=100 s3=100 "
}

t_wrr() {
	vsadm -E -t "$VIP:80" -s wrr
	vsadm -e -t "$VIP:80" -r "${SERVER_IPS[0]}:80" -m -w 3
	vsadm -e -t "$VIP:80" -r "${SERVER_IPS[1]}:80" -m -w 2
	vsadm -e -t "$VIP:80" -r "${SERVER_IPS[2]}:80" -m -w 1
	check_eq "wrr 3:2:1 interleaves like IPVS" "$(sequence 6)" \
		"s1 s1 s2 s1 s2 s3 "
	check_eq "wrr 3:2:1 splits 294 requests 147/98/49" "$(requests 294)" \
		"s1=147 s2=98 s3=49 "
}

# Not "vsadm | grep -q": under pipefail the pipeline fails whenever grep
# quits before vsadm has written a long listing (SIGPIPE).
_established() { [[ $(nsq lb "$VSADM" -Lnc) == *ESTABLISHED* ]]; }

t_quiesce() {
	local s pid
	vsadm -E -t "$VIP:80" -s rr
	for s in "${SERVER_IPS[@]}"; do vsadm -e -t "$VIP:80" -r "$s:80" -m -w 1; done
	# rr state is rebuilt on every change: the next connection goes to s1.
	nsq client "$CLIENT" -n 1 -t 90000 -p "/slow?ms=60000" "$VIP:80" \
		>"$VS_TMP/slow" 2>/dev/null &
	pid=$!
	wait_until 10 _established
	vsadm -Lnc
	vsadm -e -t "$VIP:80" -r "${SERVER_IPS[0]}:80" -m -w 0
	check_eq "weight 0: new connections avoid the quiesced server" \
		"$(requests 40)" "s2=20 s3=20 "
	check "weight 0: the connection is still open" kill -0 "$pid"
	server_release 1
	check "weight 0: the established connection finishes" wait "$pid"
	check_eq "weight 0: ...with its answer from s1" \
		"$(head -n1 "$VS_TMP/slow")" "s1 1"
	vsadm -e -t "$VIP:80" -r "${SERVER_IPS[0]}:80" -m -w 1
}

# The active connections of VIP:PORT's servers, "s1 s2 s3" counts.
_active() {
	nsq lb "$VSADM" -Ln -t "$VIP:$1" |
		awk '$1 == "->" && $2 ~ /^[0-9]/ {printf "%s ", $5}'
}
_active_is() { [[ $(_active "$1") == "$2" ]]; }

# Least connection, IPVS's lc and wlc: a server's load is 256 per open
# (established) connection plus 1 per closed one still in the table;
# ties go to the first server in list order.
t_lc() {
	local s i pids=()
	vsadm -A -t "$VIP:82" -s lc
	for s in "${SERVER_IPS[@]}"; do vsadm -a -t "$VIP:82" -r "$s:80" -m -w 1; done
	# Two slow requests hold two connections open on s1, the only
	# server with a weight for a moment.
	vsadm -e -t "$VIP:82" -r "${SERVER_IPS[1]}:80" -m -w 0
	vsadm -e -t "$VIP:82" -r "${SERVER_IPS[2]}:80" -m -w 0
	for i in 1 2; do
		nsq client "$CLIENT" -n 1 -t 90000 -p "/slow?ms=60000" "$VIP:82" \
			>"$VS_TMP/lc$i" 2>/dev/null &
		pids+=($!)
	done
	wait_until 10 _active_is 82 "2 0 0 " || true
	check_eq "lc: the held connections are active on s1" "$(_active 82)" \
		"2 0 0 "
	vsadm -e -t "$VIP:82" -r "${SERVER_IPS[1]}:80" -m -w 1
	vsadm -e -t "$VIP:82" -r "${SERVER_IPS[2]}:80" -m -w 1
	check_eq "lc: new connections go to the two idle servers, alternately" \
		"$(sequence 6 82)" "s2 s3 s2 s3 s2 s3 "
	check_eq "...and stay off the busy one" "$(requests 24 / 82)" \
		"s2=12 s3=12 "
	vsadm -Ln -t "$VIP:82"
	server_release 1
	check "lc: the held connections finish" wait "${pids[@]}"
	check_eq "...with their answers from s1" \
		"$(cat "$VS_TMP/lc1" "$VS_TMP/lc2")" "s1 1"$'\n'"s1 1"
	vsadm -D -t "$VIP:82"

	# wlc: load per unit of weight, the same sequence as IPVS.
	vsadm -A -t "$VIP:83" -s wlc
	for s in 1 2 3; do
		vsadm -a -t "$VIP:83" -r "${SERVER_IPS[s - 1]}:80" -m -w "$s"
	done
	check_eq "wlc 1:2:3 picks like IPVS" "$(sequence 12 83)" \
		"s1 s2 s3 s3 s2 s3 s1 s2 s3 s3 s2 s3 "
	check_eq "wlc 1:2:3 splits 48 more 8/16/24" "$(requests 48 / 83)" \
		"s1=8 s2=16 s3=24 "
	check_eq "vsadm -Ln names the scheduler" \
		"$(nsq lb "$VSADM" -Ln -t "$VIP:83" | awk '$1 == "TCP" {print $3}')" \
		wlc
	vsadm -D -t "$VIP:83"
}

t_delete() {
	vsadm -d -t "$VIP:80" -r "${SERVER_IPS[2]}:80"
	vsadm -Ln
	check_eq "a deleted server gets no new connection" "$(requests 60)" \
		"s1=30 s2=30 "
	vsadm -a -t "$VIP:80" -r "${SERVER_IPS[2]}:80" -m -w 1
}

# The client's SYN retransmissions so far (TcpExt TCPSynRetrans).
syn_retrans() {
	nsq client awk '$1 == "TcpExt:" && !h { split($0, n); h = 1; next }
		$1 == "TcpExt:" { for (i = 2; i <= NF; i++)
			if (n[i] == "TCPSynRetrans") print $i }' /proc/net/netstat
}

t_no_server() {
	local rc=0 r0 r1
	vsadm -A -t "$VIP:81" -s rr
	# No real server: refused at once (TCP reset), like a closed port;
	# unanswered SYNs would keep curl until its 10 s limit. "At once"
	# is "before the first retransmission of the SYN" (1 s later): it
	# does not depend on how fast the host runs curl.
	r0=$(syn_retrans)
	nsq client curl -s -m 10 "http://$VIP:81/" || rc=$?
	r1=$(syn_retrans)
	check_eq "no real server: TCP connection refused (curl exit 7)" "$rc" 7
	check_eq "no real server: refused at once, before any SYN retransmission" \
		"$((r1 - r0))" 0
	vsadm -D -t "$VIP:81"
	vsadm -A -u "$VIP:53" -s rr
	rc=0
	nsq client python3 - "$VIP" <<-'EOF' || rc=$?
	import socket, sys
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.settimeout(3)
	s.connect((sys.argv[1], 53))
	s.send(b"x")
	try:
	    s.recv(100)
	except ConnectionRefusedError:
	    sys.exit(0)
	sys.exit(1)
	EOF
	check_eq "no real server: UDP gets ICMP port unreachable" "$rc" 0
	vsadm -D -u "$VIP:53"
}

t_udp() {
	local got
	vsadm -A -u "$VIP:80" -s rr
	vsadm -a -u "$VIP:80" -r "${SERVER_IPS[0]}:80" -m
	vsadm -a -u "$VIP:80" -r "${SERVER_IPS[1]}:80" -m
	got=$({ nsq client "$CLIENT" -u -n 4 -t 3000 "$VIP:80" 2>/dev/null ||
		true; } | sort | awk 'NF == 2 {printf "%s=%s ", $1, $2}')
	check_eq "UDP flows are balanced, replies come from the VIP" "$got" \
		"s1=2 s2=2 "
	vsadm -D -u "$VIP:80"

	# 3000-byte datagrams both ways: fragments are reassembled, rewritten
	# and fragmented again; the reply is un-NATed.
	cat >"$VS_TMP/udpbig.py" <<-'EOF'
	import socket, sys
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.bind((sys.argv[1], 5353))
	open(sys.argv[2], "w").write("ready")
	while True:
	    d, a = s.recvfrom(65535)
	    s.sendto(b"s1 %d " % len(d) + b"z" * 3000, a)
	EOF
	bg_run s1 udpbig python3 "$VS_TMP/udpbig.py" "${SERVER_IPS[0]}" \
		"$VS_TMP/udpbig.ready"
	wait_for_file "$VS_TMP/udpbig.ready"
	vsadm -A -u "$VIP:53" -s rr
	vsadm -a -u "$VIP:53" -r "${SERVER_IPS[0]}:5353" -m
	got=$(nsq client python3 - "$VIP" <<-'EOF' 2>&1 || true
	import socket, sys
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.settimeout(3)
	s.connect((sys.argv[1], 53))
	s.send(b"y" * 3000)
	d = s.recv(65535)
	print(d[:8].decode().strip(), len(d))
	EOF
	)
	check_eq "fragmented UDP through NAT, reply un-NATed" "$got" "s1 3000 3008"
	vsadm -D -u "$VIP:53"
}

_nstat_csum_errors() {
	local ns sum=0 v
	for ns in client lb s1 s2 s3; do
		v=$(nsq "$ns" nstat -az TcpInCsumErrors UdpInCsumErrors |
		    awk '/CsumErrors/ {s += $2} END {print s + 0}')
		sum=$((sum + v))
	done
	echo "$sum"
}

t_csum_offload_off() {
	local before i
	before=$(_nstat_csum_errors)
	n_client ethtool -K veth-c tx off >/dev/null
	n_lb ethtool -K veth-c tx off >/dev/null
	for i in 1 2 3; do
		"n_s$i" ethtool -K veth0 tx off >/dev/null
		n_lb ethtool -K "veth-s$i" tx off >/dev/null
	done
	check_eq "tx checksum offload off: 30 requests" "$(requests 30)" \
		"s1=10 s2=10 s3=10 "
	check_eq "tx checksum offload off: no TcpInCsumErrors/UdpInCsumErrors" \
		"$(($(_nstat_csum_errors) - before))" 0
}

t_local_client() {
	local got
	# Any route to the VIP will do: the balancer reroutes after the rewrite.
	n_lb ip route add 198.18.100.0/24 dev veth-c
	got=$(nsq lb "$CLIENT" -v -n 3 -t 5000 "$VIP:80" 2>&1 >/dev/null |
		awk 'NF == 2 && $1 ~ /^[0-9]+$/ {print $2}' | sort | tr '\n' ' ')
	check_eq "locally originated connections to the VIP are balanced" \
		"$got" "s1 s2 s3 "
}

_ct_established() {
	nsq lb conntrack -L -p tcp --state ESTABLISHED 2>/dev/null |
		grep -c "dst=198.18.2.1[123] .*dport=80" >/dev/null
}

t_conntrack() {
	local pid accepted
	pp modprobe nf_conntrack
	n_lb iptables -P FORWARD DROP
	n_lb iptables -A FORWARD -m conntrack --ctstate INVALID -j DROP
	n_lb iptables -A FORWARD -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	# The documented accept rule: filter chains see the real servers.
	n_lb iptables -A FORWARD -p tcp -d 198.18.2.0/24 --dport 80 \
		-m conntrack --ctstate NEW -j ACCEPT
	check_eq "conntrack, FORWARD DROP and INVALID drop: 30 requests" \
		"$(requests 30)" "s1=10 s2=10 s3=10 "
	nsq client "$CLIENT" -n 1 -t 90000 -p "/slow?ms=60000" "$VIP:80" \
		>/dev/null 2>&1 &
	pid=$!
	check "conntrack shows the balanced flow ESTABLISHED" \
		wait_until 10 _ct_established
	server_release
	wait "$pid" || true
	accepted=$(nsq lb iptables -vnL FORWARD | awk '/ctstate NEW/ {print $1}')
	check "the NEW accept rule matched the balanced traffic ($accepted)" \
		test "${accepted:-0}" -gt 0
	n_lb iptables -F FORWARD
	n_lb iptables -P FORWARD ACCEPT
}

_net_rx() { awk '/NET_RX/ {print $2, $3}' /proc/softirqs; }

t_cross_cpu() {
	local b0 b1 a0 a1
	if (($(nproc) < 2)); then
		_ok "cross-CPU # SKIP one CPU"
		return
	fi
	# s1 answers on CPU 1, the client sends from CPU 0: veth processes a
	# packet on the sending CPU, so forward packets and replies are
	# balanced on different CPUs and must meet in the one table.
	vsadm -d -t "$VIP:80" -r "${SERVER_IPS[1]}:80"
	vsadm -d -t "$VIP:80" -r "${SERVER_IPS[2]}:80"
	bg_run s1 httpd-cpu1 taskset -c 1 "$VS_TOOLS/vs-httpd" \
		-r "$VS_TMP/cpu1.ready" s1cpu1 "${SERVER_IPS[0]}:8080"
	wait_for_file "$VS_TMP/cpu1.ready"
	vsadm -A -t "$VIP:8080" -s rr
	vsadm -a -t "$VIP:8080" -r "${SERVER_IPS[0]}:8080" -m
	read -r b0 b1 < <(_net_rx)
	check "cross-CPU: 50 requests answered" \
		nsq client taskset -c 0 "$CLIENT" -n 50 -t 5000 "$VIP:8080"
	read -r a0 a1 < <(_net_rx)
	echo "# NET_RX deltas: cpu0 $((a0 - b0)), cpu1 $((a1 - b1))"
	check "cross-CPU: forward packets were handled on CPU 0" \
		test $((a0 - b0)) -ge 100
	# At least one reply packet per request (a loaded emulator moves
	# some elsewhere; without the shared table none would get through).
	check "cross-CPU: replies were handled on CPU 1" \
		test $((a1 - b1)) -ge 50
	vsadm -D -t "$VIP:8080"
	vsadm -a -t "$VIP:80" -r "${SERVER_IPS[1]}:80" -m
	vsadm -a -t "$VIP:80" -r "${SERVER_IPS[2]}:80" -m
}

t_permissions() {
	local out rc=0
	out=$(nsq lb setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$VSADM" -Ln 2>&1) || rc=$?
	echo "# $out"
	check "an unprivileged user cannot list services" test "$rc" -ne 0
	check "...and is told why" grep -qi "permission" <<<"$out"
	rc=0
	out=$(unshare -Urn "$VSADM" -A -t 198.18.9.9:80 -s rr 2>&1) || rc=$?
	echo "# $out"
	check "root in a new user namespace cannot add a service" test "$rc" -ne 0
	check "...and is told why" grep -qi "permission" <<<"$out"
	ns_add other
	out=$(nsq other "$VSADM" -Ln 2>&1)
	check "another namespace sees none of these services" \
		test "$(grep -c "$VIP" <<<"$out")" -eq 0
}

t_bad_input() {
	local out rc=0
	out=$(nsq lb "$VSADM" -a -t "$VIP:80" -r 198.18.2.99:80 -m -w 70000 2>&1) || rc=$?
	echo "# $out"
	check "a weight above 65535 is refused" test "$rc" -ne 0
	rc=0
	out=$(nsq lb "$VSADM" -A -t "$VIP:80" -s rr 2>&1) || rc=$?
	echo "# $out"
	check "adding an existing service is refused" test "$rc" -ne 0
	rc=0
	out=$(nsq lb "$VSADM" -E -t "$VIP:80" -s nosuch 2>&1) || rc=$?
	echo "# $out"
	check "an unknown scheduler is refused" test "$rc" -ne 0
	check_eq "refused commands disturbed nothing" "$(requests 30)" \
		"s1=10 s2=10 s3=10 "
}

t_save_restore() {
	nsq lb "$VSADM" -Sn >"$VS_TMP/saved"
	sed 's/^/# /' "$VS_TMP/saved"
	check "vsadm -R of the saved configuration succeeds" \
		nsq lb "$VSADM" -R <"$VS_TMP/saved"
	check_eq "...and changes nothing" "$(nsq lb "$VSADM" -Sn)" \
		"$(cat "$VS_TMP/saved")"
	check_eq "...and breaks no traffic" "$(requests 30)" "s1=10 s2=10 s3=10 "
}

# A table larger than one dump message: -Ln reads every service's
# servers in one whole-table dump, resumed across many skbs; -R loads
# and deletes through the restore index.
t_large_table() {
	local f=$VS_TMP/large i r
	for ((i = 0; i < 500; i++)); do
		echo "-A -u 198.19.$((i / 250)).$((i % 250)):9 -s rr"
		for r in 1 2 3 4 5 6 7 8 9 10; do
			echo "-a -u 198.19.$((i / 250)).$((i % 250)):9 -r 198.18.9.$r:9 -m -w $r"
		done
	done >"$f"
	check "vsadm -R loads 500 services x 10 servers" nsq lb "$VSADM" -R <"$f"
	check_eq "vsadm -Ln lists all 5,000 of their servers" \
		"$(nsq lb "$VSADM" -Ln | grep -c -- '-> 198.18.9.')" 5000
	check_eq "vsadm -Sn saves every line of the file" \
		"$(nsq lb "$VSADM" -Sn | grep -- '198.19.' | sort)" "$(sort "$f")"
	# (without the last column, the state's age, which ticks between)
	check_eq "one service listed alone shows what the whole list shows" \
		"$(nsq lb "$VSADM" -Ln -u 198.19.1.7:9 | grep -- '->' | tail -n 10 | awk '{NF--; print}')" \
		"$(nsq lb "$VSADM" -Ln | grep -A 10 -- '^UDP  198.19.1.7:9 ' | tail -n 10 | awk '{NF--; print}')"
	sed -n 's/^-A \(-u [0-9.:]*\) .*/-D \1/p' "$f" >"$f.del"
	check "vsadm -R deletes them again" nsq lb "$VSADM" -R <"$f.del"
	check_eq "...all of them" "$(nsq lb "$VSADM" -Sn | grep -c -- '198.19.')" 0
	check_eq "...and the other services still serve" "$(requests 30)" \
		"s1=10 s2=10 s3=10 "
}

t_icmp_from_server() {
	local rc=0
	# Nothing listens on s1's UDP port 5999: s1 answers with an ICMP port
	# unreachable quoting client -> s1, which must reach the client as
	# quoting client -> VIP, or its socket never hears of it.
	vsadm -A -u "$VIP:54" -s rr
	vsadm -a -u "$VIP:54" -r "${SERVER_IPS[0]}:5999" -m
	nsq client python3 - "$VIP" <<-'EOF' || rc=$?
	import socket, sys
	s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
	s.settimeout(3)
	s.connect((sys.argv[1], 54))
	s.send(b"x")
	try:
	    s.recv(100)
	except ConnectionRefusedError:
	    sys.exit(0)
	sys.exit(1)
	EOF
	check_eq "ICMP port unreachable from a real server reaches the client" "$rc" 0
	vsadm -D -u "$VIP:54"
}

t_pmtu() {
	local out rc=0
	# The lb's link to the client is narrower than both ends think: the
	# server's 1500-byte replies need "fragmentation needed" from the lb,
	# sent to the VIP (their source after un-NAT), translated to the
	# server. Without it the transfer stalls in a PMTU black hole.
	n_lb ip link set veth-c mtu 1200
	out=$(nsq client "$CLIENT" -n 3 -t 15000 -p "/big?bytes=200000" \
		"$VIP:80" 2>&1) || rc=$?
	echo "# $out"
	check_eq "path MTU discovery through NAT: 200 kB answers arrive" "$rc" 0
	n_lb ip link set veth-c mtu 1500
}

t_delete_last_service() {
	local pid
	vsadm -A -t "$VIP:8081" -s rr
	vsadm -a -t "$VIP:8081" -r "${SERVER_IPS[1]}:80" -m
	nsq client "$CLIENT" -n 1 -t 90000 -p "/slow?ms=60000" "$VIP:8081" \
		>"$VS_TMP/slow8081" 2>/dev/null &
	pid=$!
	wait_until 10 _established || { vsadm -Lnc; cat "$VS_TMP/slow8081"; }
	vsadm -D -t "$VIP:8081"
	check "the flow was open when its service was deleted" kill -0 "$pid"
	server_release 2
	check "a flow survives the deletion of its service" wait "$pid"
	check_eq "...and got its answer" "$(cat "$VS_TMP/slow8081")" "s2 1"
}

t_firewalls() {
	local got
	# ufw style: INPUT drops what it does not know. A VIP on a local dummy
	# device still never reaches INPUT: it is rewritten before routing.
	n_lb ip link add vip0 type dummy
	n_lb ip addr add "$VIP/32" dev vip0
	n_lb ip link set vip0 up
	n_lb iptables -P INPUT DROP
	n_lb iptables -A INPUT -i lo -j ACCEPT
	n_lb iptables -A INPUT -m conntrack --ctstate ESTABLISHED,RELATED -j ACCEPT
	check_eq "ufw-style INPUT DROP, VIP on a dummy device: 30 requests" \
		"$(requests 30)" "s1=10 s2=10 s3=10 "
	got=$(nsq lb "$CLIENT" -n 3 -t 5000 "$VIP:80" 2>/dev/null | wc -l)
	check_eq "...and from the balancer itself" "$got" 3
	n_lb iptables -F INPUT
	n_lb iptables -P INPUT ACCEPT
	n_lb ip link del vip0

	# Docker's default ruleset: FORWARD DROP behind DOCKER-USER and the
	# isolation chains, ESTABLISHED accepted, masquerade in nat.
	n_lb iptables -N DOCKER-USER
	n_lb iptables -N DOCKER-ISOLATION-STAGE-1
	n_lb iptables -N DOCKER
	n_lb iptables -P FORWARD DROP
	n_lb iptables -A FORWARD -j DOCKER-USER
	n_lb iptables -A FORWARD -j DOCKER-ISOLATION-STAGE-1
	n_lb iptables -A FORWARD -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
	n_lb iptables -A FORWARD -j DOCKER
	n_lb iptables -A DOCKER-USER -j RETURN
	n_lb iptables -A DOCKER-ISOLATION-STAGE-1 -j RETURN
	n_lb iptables -t nat -A POSTROUTING -s 198.19.17.0/24 ! -o br0 -j MASQUERADE
	# The operator's documented accept rule for the balanced service.
	n_lb iptables -I DOCKER-USER -p tcp -d 198.18.2.0/24 --dport 80 \
		-m conntrack --ctstate NEW -j ACCEPT
	check_eq "Docker's default ruleset plus the accept rule: 30 requests" \
		"$(requests 30)" "s1=10 s2=10 s3=10 "
	n_lb iptables -F FORWARD
	n_lb iptables -P FORWARD ACCEPT
	n_lb iptables -t nat -F POSTROUTING
}

# /proc/net/vsched and vsched_conn, in /proc/net/ip_vs's layout.
t_proc() {
	local out
	requests 3 >/dev/null
	out=$(nsq lb cat /proc/net/vsched)
	sed 's/^/# /' <<<"$out"
	check_eq "/proc/net/vsched: the service, as /proc/net/ip_vs shows it" \
		"$(grep -c '^TCP  C6126401:0050 rr$' <<<"$out")" 1
	check_eq "...and its three real servers" \
		"$(grep -cE '^  -> C612020[BCD]:0050 +Masq +1 ' <<<"$out")" 3
	out=$(nsq lb cat /proc/net/vsched_conn)
	check "/proc/net/vsched_conn lists the client's flows to the VIP" \
		grep -qE '^TCP C6120102 [0-9A-F]{4} C6126401 0050 C612020[BCD] 0050 ' \
		<<<"$out"
	check "...with its header first" \
		grep -q '^Pro FromIP   FPrt ToIP     TPrt DestIP   DPrt State' \
		<<<"$(head -n1 <<<"$out")"
	check_fail "an unprivileged user cannot read them" \
		nsq lb setpriv --reuid=65534 --regid=65534 --clear-groups \
		cat /proc/net/vsched_conn
}

# Clients at 198.18.1.100..131 besides 198.18.1.2, for the hashing
# schedulers; added once.
HASH_CLIENTS=()
_hash_clients() {
	local i
	((${#HASH_CLIENTS[@]})) && return
	for ((i = 100; i < 132; i++)); do
		n_client ip addr add "198.18.1.$i/24" dev veth-c
		HASH_CLIENTS+=("198.18.1.$i")
	done
}

# map PORT: for each hashing client in turn, the servers that answered
# its 3 connections to VIP:PORT: "s2" when one did, "s1+s2" when two did,
# FAIL on a failure; space-separated (one vs-client for all of them).
_map() {
	local IFS=,
	{ nsq client "$CLIENT" -S "${HASH_CLIENTS[*]}" -n 3 -t 3000 "$VIP:$1" \
		2>/dev/null || true; } | awk '{ printf "%s%s", sep, $2; sep = " " } END { print "" }'
}

# moved BEFORE AFTER GONE: of the clients of the servers other than GONE
# (in BEFORE), how many changed server; of those of GONE, how many got
# no server and how many still got GONE.
_moved() {
	local -a b a
	local i moved=0 lost=0 stayed=0
	read -ra b <<<"$1"
	read -ra a <<<"$2"
	for i in "${!b[@]}"; do
		if [[ ${b[i]} != "$3" ]]; then
			[[ ${a[i]} == "${b[i]}" ]] || ((++moved))
		elif [[ ${a[i]} == FAIL ]]; then
			((++lost))
		elif [[ ${a[i]} == "$3" ]]; then
			((++stayed))
		fi
	done
	echo "moved=$moved lost=$lost stayed=$stayed"
}

# one_each MAP: every client of MAP had one server for all its requests.
_one_each() { [[ " $1 " != *[+F]* ]]; }

# Source hashing: a client keeps its server; clients spread; a server at
# weight 0 keeps its place, so its clients get none (refused) or, with
# sh-fallback, another one, and no other client moves.
t_sh() {
	local s before after
	_hash_clients
	vsadm -A -t "$VIP:82" -s sh
	for s in "${SERVER_IPS[@]}"; do vsadm -a -t "$VIP:82" -r "$s:80" -m; done
	vsadm -Ln -t "$VIP:82"
	before=$(_map 82)
	echo "# sh: $before"
	check "sh: each of 32 clients gets one server for its 3 connections" \
		_one_each "$before"
	check_eq "sh: the 32 clients spread over the 3 servers" \
		"$(tr ' ' '\n' <<<"$before" | sort -u | xargs)" "s1 s2 s3"
	check_eq "sh: and keep their servers" "$(_map 82)" "$before"
	vsadm -e -t "$VIP:82" -r "${SERVER_IPS[0]}:80" -m -w 0
	after=$(_map 82)
	echo "# sh, s1 at weight 0: $after"
	check_eq "sh, s1 at weight 0: its clients are refused, nobody moves" \
		"$(_moved "$before" "$after" s1)" \
		"moved=0 lost=$(grep -o s1 <<<"$before" | wc -l) stayed=0"
	vsadm -E -t "$VIP:82" -b sh-fallback
	after=$(_map 82)
	echo "# sh-fallback, s1 at weight 0: $after"
	check_eq "sh-fallback, s1 at weight 0: its clients go elsewhere, nobody else moves" \
		"$(_moved "$before" "$after" s1)" "moved=0 lost=0 stayed=0"
	vsadm -e -t "$VIP:82" -r "${SERVER_IPS[0]}:80" -m -w 1
	check_eq "sh-fallback, s1 back: every client on its first server" \
		"$(_map 82)" "$before"
	vsadm -D -t "$VIP:82"
}

# Maglev: one of four servers deleted, the clients of the other three
# keep their servers, those of the deleted one go to the others.
t_mh() {
	local s before after
	_hash_clients
	[[ -e $VS_TMP/s4.ready ]] || server_up 4
	vsadm -A -t "$VIP:83" -s mh
	for s in "${SERVER_IPS[@]}" "$(server_ip 4)"; do
		vsadm -a -t "$VIP:83" -r "$s:80" -m
	done
	before=$(_map 83)
	echo "# mh: $before"
	check_eq "mh: the 32 clients spread over the 4 servers" \
		"$(tr ' ' '\n' <<<"$before" | sort -u | xargs)" "s1 s2 s3 s4"
	check_eq "mh: and keep their servers" "$(_map 83)" "$before"
	vsadm -d -t "$VIP:83" -r "${SERVER_IPS[1]}:80"
	after=$(_map 83)
	echo "# mh without s2: $after"
	check_eq "mh, s2 deleted: the others' clients keep their servers, s2's are served" \
		"$(_moved "$before" "$after" s2)" "moved=0 lost=0 stayed=0"
	check "...each client by one server" _one_each "$after"
	vsadm -D -t "$VIP:83"
}

# -b as ipvsadm shows and saves it, through -S | -R.
t_sched_flags() {
	local saved
	vsadm -A -t "$VIP:84" -s sh -b sh-fallback,sh-port
	vsadm -A -t "$VIP:85" -s mh -b mh-port
	check_eq "-Ln shows sh's flags as ipvsadm does" \
		"$(nsq lb "$VSADM" -Ln | grep "^TCP  $VIP:84 ")" \
		"TCP  $VIP:84 sh (sh-fallback,sh-port)"
	check_eq "...and mh's" "$(nsq lb "$VSADM" -Ln | grep "^TCP  $VIP:85 ")" \
		"TCP  $VIP:85 mh (mh-port)"
	check_fail "a flag of another scheduler is refused" \
		nsq lb "$VSADM" -E -t "$VIP:85" -b sh-port
	check_eq "...and changes nothing" \
		"$(nsq lb "$VSADM" -Ln | grep "^TCP  $VIP:85 ")" \
		"TCP  $VIP:85 mh (mh-port)"
	vsadm -E -t "$VIP:84" -s mh -b mh-fallback
	saved=$(nsq lb "$VSADM" -Sn)
	awk '{print "# " $0}' <<<"$saved"
	check_eq "-Sn saves them as ipvsadm -S does" \
		"$(grep -- "-t $VIP:8[45] " <<<"$saved")" \
		"-A -t $VIP:84 -s mh -b mh-fallback
-A -t $VIP:85 -s mh -b mh-port"
	vsadm -D -t "$VIP:84"
	vsadm -E -t "$VIP:85" -b ''
	check_eq "-b '' clears them" \
		"$(nsq lb "$VSADM" -Ln | grep "^TCP  $VIP:85 ")" "TCP  $VIP:85 mh"
	check "-R restores the saved configuration" \
		nsq lb "$VSADM" -R <<<"$saved"
	check_eq "...flags included" "$(nsq lb "$VSADM" -Sn)" "$saved"
	vsadm -D -t "$VIP:84"
	vsadm -D -t "$VIP:85"
}

# nat.sh [t_NAME...]: every scenario, or t_rr (which every other one
# builds on) and the named ones, for debugging.
all=(t_rr t_wrr t_lc t_quiesce t_delete t_no_server t_udp t_icmp_from_server t_pmtu
     t_delete_last_service t_local_client t_conntrack t_firewalls
     t_csum_offload_off t_cross_cpu t_permissions t_bad_input t_save_restore
     t_large_table t_sh t_mh t_sched_flags
     t_proc)
(($#)) && all=(t_rr "$@")
topology_up 3
run_tests "${all[@]}"
vsadm -Ln --stats
vsadm -C
summary
