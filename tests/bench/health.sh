#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# CPU of health checking 1,000 servers every second: vshealthd next to
# keepalived (issue 3), TCP and then HTTP checks, interleaved rounds.
#
#    lb (vsched, vshealthd)              srv                  ka (IPVS, keepalived)
#    v-srv 198.18.8.1/30 ------ 198.18.8.2 v-lb     v-ka 198.18.9.2 ------ 198.18.9.1/30 v-srv
#    198.18.4.0/22 via .8.2       lo: 198.18.4.1/22 (all local)      198.18.4.0/22 via .9.2
#                                 vs-httpd 0.0.0.0:80 (CPU 0)
#
# Each daemon runs alone: started, given time to reach every server
# once, then its CPU (utime+stime of it and its children, /proc/PID/stat)
# and the probes the servers saw (SYNs counted by an iptables rule in srv,
# HTTP requests by vs-httpd's /count) are read over SECS seconds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/../e2e/lib.sh"
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
VSHEALTHD=${VSHEALTHD:-$VS_ROOT/userspace/vshealthd/vshealthd}
NSERVERS=${NSERVERS:-1000}
VIP=198.18.100.1
SECS=${SECS:-$( ((QUICK)) && echo 4 || echo 8)}
# The window opens once the daemon has probed about every server once
# (its first sweep sends 1,000 health updates and log lines that the
# steady state does not), or after WARM_MAX seconds.
WARM_MAX=${WARM_MAX:-$( ((QUICK)) && echo 8 || echo 12)}
ROUNDS=$(rounds 3 5)

setup() {
	local i n
	ns_add lb
	ns_add srv
	ns_add ka
	pp ip link add v-lb netns "$(ns_name srv)" type veth peer name v-srv netns "$(ns_name lb)"
	pp ip link add v-ka netns "$(ns_name srv)" type veth peer name v-srv netns "$(ns_name ka)"
	n_srv ip addr add 198.18.8.2/30 dev v-lb
	n_srv ip addr add 198.18.9.2/30 dev v-ka
	n_srv ip link set v-lb up
	n_srv ip link set v-ka up
	n_lb ip addr add 198.18.8.1/30 dev v-srv
	n_lb ip link set v-srv up
	n_lb ip route add 198.18.4.0/22 via 198.18.8.2
	n_ka ip addr add 198.18.9.1/30 dev v-srv
	n_ka ip link set v-srv up
	n_ka ip route add 198.18.4.0/22 via 198.18.9.2
	# On lo a prefix is local as a whole (like 127/8): one address makes
	# every server address answer, with no 1,000 address objects.
	n_srv ip addr add 198.18.4.1/22 dev lo
	# Servers 198.18.4.1 on, skipping .0 and .255 of each /24.
	SERVERS=()
	for ((i = 0; i < NSERVERS; i++)); do
		n=$((4 * 256 + 1 + i + (i / 254) * 2))
		SERVERS+=("198.18.$((n / 256)).$((n % 256))")
	done
	# Many probes per second to the same ports: recycle TIME_WAIT.
	for n in lb ka srv; do
		nsq "$n" sysctl -qw net.ipv4.tcp_tw_reuse=1
		nsq "$n" sysctl -qw net.ipv4.ip_local_port_range="10000 64999"
	done
	nsq srv sysctl -qw net.core.somaxconn=4096
	nsq srv sysctl -qw net.ipv4.tcp_max_syn_backlog=4096
	nsx srv iptables -A INPUT -p tcp --dport 80 --syn -j ACCEPT
	bg_run srv httpd taskset -c 0 "$VS_HTTPD" -q -r "$VS_TMP/httpd.ready" bench 0.0.0.0:80
	wait_for_file "$VS_TMP/httpd.ready"

	# vsched: one service with every server (vsadm -R).
	{
		echo "-A -t $VIP:80 -s wrr"
		for i in "${SERVERS[@]}"; do echo "-a -t $VIP:80 -r $i:80 -m -w 1"; done
	} >"$VS_TMP/vsadm.rules"
	nsx lb "$VSADM" -R <"$VS_TMP/vsadm.rules"
	check_eq "vsched holds $NSERVERS servers" \
		"$(nsq lb "$VSADM" -Ln | grep -c -- '->.*Masq')" "$NSERVERS"
	modprobe ip_vs
	modprobe ip_vs_rr
}

syn_count() {
	nsq srv iptables -nvxL INPUT | awk '$0 ~ /dpt:80/ {print $1; exit}'
}
http_count() {
	local out
	out=$(nsq srv "$VS_TOOLS/vs-client" -n 1 -p /count 127.0.0.1:80 2>/dev/null)
	out=${out% 1}
	echo "${out##* }"
}

vshealthd_conf() { # check type
	local extra=
	[[ $1 == http ]] && extra='path = "/"; status = "200";'
	cat <<-EOF
	daemon = { control = "$VS_TMP/vsh.sock"; };
	checks = {
		c = { type = "$1"; interval = 1; timeout = 1; rise = 1; fall = 3;
		      jitter = 1; $extra };
	};
	services = ( { service = "tcp $VIP:80"; checks = [ "c" ]; } );
	EOF
}

# keepalived's parser wants one keyword per line.
keepalived_conf() { # check type
	local i
	printf 'global_defs {\n  router_id bench\n}\n'
	printf 'virtual_server %s 80 {\n  delay_loop 1\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n' "$VIP"
	for i in "${SERVERS[@]}"; do
		printf '  real_server %s 80 {\n    weight 1\n' "$i"
		if [[ $1 == http ]]; then
			printf '    HTTP_GET {\n      url {\n        path /\n        status_code 200\n      }\n      connect_timeout 1\n    }\n'
		else
			printf '    TCP_CHECK {\n      connect_timeout 1\n    }\n'
		fi
		printf '  }\n'
	done
	printf '}\n'
}

# trial DAEMON CHECK ROUND
trial() {
	local d=$1 c=$2 r=$3 pid pids cpu0 cpu1 n0 n1 count t0 t1 el nstart i
	count=syn_count
	[[ $c == http ]] && count=http_count
	nstart=$($count)
	if [[ $d == vshealthd ]]; then
		vshealthd_conf "$c" >"$VS_TMP/vsh.conf"
		ip netns exec "$(ns_name lb)" taskset -c 1 "$VSHEALTHD" -n \
			-f "$VS_TMP/vsh.conf" >"$VS_TMP/vsh.log" 2>&1 &
		pid=$!
	else
		keepalived_conf "$c" >"$VS_TMP/ka.conf"
		ip netns exec "$(ns_name ka)" taskset -c 1 keepalived -n -C -l -G \
			-f "$VS_TMP/ka.conf" -p "$VS_TMP/ka.pid" \
			-c "$VS_TMP/ka-check.pid" >"$VS_TMP/ka.log" 2>&1 &
		pid=$!
	fi
	for ((i = 0; i < WARM_MAX * 2; i++)); do
		sleep 0.5
		(($($count) - nstart >= NSERVERS)) && break
	done
	echo "# $d $c: first sweep after $(((i + 1) * 500)) ms"
	kill -0 "$pid" || { echo "# $d exited early:"; tail -n 20 "$VS_TMP"/*.log; return 1; }
	pids=("$pid")
	# keepalived -n: the parent forks the checker process, which probes.
	[[ $d == keepalived ]] && pids+=("$(cat "$VS_TMP/ka-check.pid")")
	n0=$($count) cpu0=$(proc_ticks "${pids[@]}") t0=${EPOCHREALTIME/./}
	sleep "$SECS"
	n1=$($count) cpu1=$(proc_ticks "${pids[@]}") t1=${EPOCHREALTIME/./}
	if ((n1 == n0)); then
		echo "# $d probed nothing; its log:"
		tail -n 30 "$VS_TMP/vsh.log" "$VS_TMP/ka.log" 2>/dev/null | sed 's/^/#   /'
	fi
	kill "$pid"
	wait "$pid" 2>/dev/null || true
	el=$(((t1 - t0) / 1000))
	record "health_cpu" "$d" "$c" "$r" \
		"$(awk -v t=$((cpu1 - cpu0)) -v hz="$HZ_TICKS" -v ms="$el" 'BEGIN {printf "%.4f", t / hz / (ms / 1000)}')"
	record "health_probes" "$d" "$c" "$r" \
		"$(awk -v n=$((n1 - n0)) -v ms="$el" 'BEGIN {printf "%.1f", n / (ms / 1000)}')"
	# Let the servers' TIME_WAIT and the other daemon's sockets settle.
	sleep 1
}

setup
meta health_servers "$NSERVERS"
meta health_secs "$SECS"
meta health_rounds "$ROUNDS"
meta keepalived "$(keepalived --version 2>&1 | head -n1)"
for c in tcp http; do
	for ((r = 1; r <= ROUNDS; r++)); do
		if ((r % 2)); then order=(vshealthd keepalived); else order=(keepalived vshealthd); fi
		for d in "${order[@]}"; do
			check "$d $c round $r" trial "$d" "$c" "$r"
		done
	done
done
summary
