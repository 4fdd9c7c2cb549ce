#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Teardown under traffic, inside the test VM (tests/vm/run.sh): the module
# unloaded, and a balancer's namespace deleted, while packets keep coming.
#
#   client 198.18.1.2 ---- lb 198.18.1.1 | 198.18.2.1 ---- s1 198.18.2.11
#                          VIP 198.18.100.1:80 TCP+UDP -> s1:80 (NAT)
#
# Every round, while
#  (a) bulk transfers run through the VIP (2 MB bodies, one after another),
#  (b) established connections sit idle in the table,
#  (c) packet generators send SYNs and UDP to a closed port of the balancer
#      (its stack answers with RSTs and ICMP port unreachables: LOCAL_OUT
#      traffic through the hooks) and SYNs to the VIP (new entries),
#  (d) vsadm dumps the connection table in a loop, and one dump is left
#      in progress (vs-dumphold reads its first message only),
# the module is unloaded (t_unload: rmmod must be refused while the dump
# holds the module, and succeed once it ends) or the lb namespace is
# deleted and its last processes killed (t_netns). Then: no kernel fault, the connection cache gone after each
# unload and back to its baseline after each namespace, and as many
# services, real servers and namespaces destroyed as were created. The
# generators must have reached the balancer (entries seen, RSTs sent).
# TEARDOWN_ROUNDS sets the rounds of each: 4 in make check (a round costs
# 7 to 9 s under emulation; the old teardown order fails the first, see
# the WARN_ON_ONCE()s in vs_conn_net_exit() and vs_service_net_exit()),
# 50 in make stress. The module is
# loaded again at the end (run.sh unloads it and counts).
# Last line: "N passed, N failed".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
ROUNDS=${TEARDOWN_ROUNDS:-4}
MODULE=${VSCHED_MODULE:-}
CLIENT=$VS_TOOLS/vs-client
VIP=198.18.100.1
CLIENT_IP=198.18.1.2
LB_CLIENT_IP=198.18.1.1
LB_SERVER_IP=198.18.2.1
S1=198.18.2.11
# Sources of the generators' SYNs: on the client's link, answered by no
# one, so handshakes to the VIP stay half-open in the table.
FLOOD_NET=198.18.1.16/28
FAULTS='BUG:|BUG [a-z_0-9-]+ \(|WARNING:|Oops|general protection|kernel BUG|UBSAN:|KASAN:|refcount_t:|list_(add|del) corruption|Objects remaining|leak|Kernel panic'
DYN=/sys/kernel/debug/dynamic_debug/control

[[ -x $VS_TOOLS/vs-synflood && -x $VS_TOOLS/vs-blast && -x $VS_TOOLS/vs-config &&
	-x $VS_TOOLS/vs-dumphold ]] ||
	pp make -s -C "$VS_TOOLS"
mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
[[ -w $DYN ]] && echo 'module vsched +p' >"$DYN"

comment() { printf '# %s\n' "${1//$'\n'/$'\n'# }"; }
DMESG_START=$(($(dmesg | wc -l) + 1))
faults() { dmesg | tail -n +"$DMESG_START" | grep -E "$FAULTS" || true; }
# count PATTERN: "vsched ... PATTERN" lines since the script began.
count() { dmesg | tail -n +"$DMESG_START" | grep -cE "vsched.*$1" || true; }
# TcpOutRsts of a namespace: the RSTs its own stack sent.
out_rsts() { nsq "$1" awk '/^Tcp:/ { if (h) print $15; h = 1 }' /proc/net/snmp; }

# Under QEMU's TCG (no KVM here), the kernel's patching of a static
# branch can fault on the CPU executing it: with a stream of RSTs
# leaving through LOCAL_OUT, the flip of the nf_hooks_needed keys that
# the first registration and the last unregistration of a hook make
# (they are global, not per namespace) ended in "Oops: int3" in
# __ip_local_out(), the int3 of text_poke_bp() met after the patch was
# complete. Emulation, not vsched: the protocol is safe on hardware and
# under KVM. Base chains on the four hooks, in a namespace of their own,
# keep the keys on for the whole script, so that no flip happens.
ns_add keys
nsq keys nft -f - <<-EOF
	table ip keys {
		chain k_pre { type filter hook prerouting priority 0; }
		chain k_in { type filter hook input priority 0; }
		chain k_fwd { type filter hook forward priority 0; }
		chain k_out { type filter hook output priority 0; }
	}
EOF

# The client and the server stay; each lb namespace gets fresh links.
ns_add client
ns_add s1
bg_run s1 httpd "$VS_TOOLS/vs-httpd" -u -r "$VS_TMP/s1.ready" s1 0.0.0.0:80
wait_for_file "$VS_TMP/s1.ready"

# lb_up NAME: namespace NAME as the balancer between client and s1, in
# few processes (one batch per namespace).
lb_up() {
	local lb=$1
	ns_add "$lb"
	# A link left by the previous balancer goes with its namespace,
	# which may not be gone yet.
	nsq client ip link del vc 2>/dev/null || true
	nsq s1 ip link del vs 2>/dev/null || true
	ip link add vc netns "$(ns_name client)" type veth \
		peer name vc netns "$(ns_name "$lb")"
	ip link add vs netns "$(ns_name s1)" type veth \
		peer name vs netns "$(ns_name "$lb")"
	nsq client ip -batch - <<-EOF
		addr add $CLIENT_IP/24 dev vc
		link set vc up
		route add default via $LB_CLIENT_IP
	EOF
	nsq s1 ip -batch - <<-EOF
		addr add $S1/24 dev vs
		link set vs up
		route add default via $LB_SERVER_IP
	EOF
	nsq "$lb" ip -batch - <<-EOF
		addr add $LB_CLIENT_IP/24 dev vc
		addr add $LB_SERVER_IP/24 dev vs
		link set vc up
		link set vs up
	EOF
	nsq "$lb" sysctl -qw net.ipv4.ip_forward=1
}

# lb_config NAME: the services, TCP and UDP, and a table of at most
# CONN_MAX entries: the flood keeps it full (evicting half-open entries),
# and a dump of it stays short enough for rmmod to find gaps between the
# dump loop's calls.
CONN_MAX=3000
lb_config() {
	nsq "$1" "$VSADM" -R <<-EOF &&
		-A -t $VIP:80 -s rr
		-a -t $VIP:80 -r $S1:80 -m
		-A -u $VIP:80 -s rr
		-a -u $VIP:80 -r $S1:80 -m
	EOF
	nsq "$1" "$VS_TOOLS/vs-config" conn_max="$CONN_MAX" >/dev/null
}

# mod_loaded, cache_exists: without a process (each costs a lot under
# emulation, and a round runs these many times).
mod_loaded() {
	local m _
	while read -r m _; do [[ $m == vsched ]] && return 0; done </proc/modules
	return 1
}
cache_exists() {
	local c _
	while read -r c _; do [[ $c == vsched_conn ]] && return 0; done </proc/slabinfo
	return 1
}

# The generators run as jobs of their own (set -m), so that one kill
# ends a loop and the client in it. gen_start SEED: (a) and (c), from
# the client, each bounded in count; round_start LB: (b) and (d), which
# end with the balancer they use. jobs_stop ends a list of them.
GEN_PIDS=()
ROUND_PIDS=()
job() {
	VS_BG_PIDS+=("$1")
	VS_BG_LABELS+=(traffic)
}
gen_start() {
	local r=$1
	rm -f "$VS_TMP/gen.stop"
	set -m
	# (a) bulk: 2 MB bodies, one connection after another.
	while [[ ! -e $VS_TMP/gen.stop ]]; do
		nsq client "$CLIENT" --allow-fail -n 1 -t 3000 \
			-p '/big?bytes=2000000' "$VIP:80" >>"$VS_TMP/bulk.out" 2>/dev/null ||
			true
	done &
	GEN_PIDS+=($!)
	# (c) the balancer's own stack answers: RSTs and port unreachables
	# leave through LOCAL_OUT; SYNs to the VIP add half-open entries.
	nsq client "$VS_TOOLS/vs-synflood" -v "$LB_CLIENT_IP:9" \
		-c "$FLOOD_NET" -n 1000000 -p 1500 -s "$r" >"$VS_TMP/gen-rst.log" 2>&1 &
	GEN_PIDS+=($!)
	nsq client "$VS_TOOLS/vs-synflood" -v "$VIP:80" \
		-c "$FLOOD_NET" -n 1000000 -p 1000 -s "$((r + 1000))" >"$VS_TMP/gen-vip.log" 2>&1 &
	GEN_PIDS+=($!)
	nsq client "$VS_TOOLS/vs-blast" -n 100000 -f 64 -o "$((r * 64))" \
		-s "$CLIENT_IP" "$LB_CLIENT_IP:9" >"$VS_TMP/gen-udp.log" 2>&1 &
	GEN_PIDS+=($!)
	set +m
	for r in "${GEN_PIDS[@]}"; do job "$r"; done
}
round_start() {
	local lb=$1 i
	set -m
	# (b) idle: one request, then silence on an open connection.
	for i in 1 2; do
		nsq client "$CLIENT" --keep --allow-fail -n 2 -i 600000 -t 3000 \
			"$VIP:80" >/dev/null 2>&1 &
		ROUND_PIDS+=($!)
	done
	# (d) connection dumps, one after another; not once the module is
	# gone, where each call would run modprobe.
	while mod_loaded; do
		nsq "$lb" "$VSADM" -Lnc >/dev/null 2>&1 || true
		sleep 0.1
	done &
	ROUND_PIDS+=($!)
	set +m
	for i in "${ROUND_PIDS[@]}"; do job "$i"; done
}
# hold_start LB: a connection dump left in progress in LB (vs-dumphold),
# tried again until the table holds more than its first message (a busy
# table), for at most 60 s; HOLD_PID is set when it holds one. hold_stop
# ends it.
HOLD_PID=
hold_start() {
	local end=$((SECONDS + 60)) rc
	rm -f "$VS_TMP/hold.pid"
	while ((SECONDS < end)); do
		ip netns exec "$(ns_name "$1")" "$VS_TOOLS/vs-dumphold" \
			"$VS_TMP/hold.pid" >"$VS_TMP/hold.out" 2>&1 &
		HOLD_PID=$!
		job "$HOLD_PID"
		while [[ ! -e $VS_TMP/hold.pid ]] && kill -0 "$HOLD_PID" 2>/dev/null; do
			sleep 0.1
		done
		[[ -e $VS_TMP/hold.pid ]] && return 0
		rc=0
		wait "$HOLD_PID" || rc=$?
		HOLD_PID=
		((rc == 3)) || break
		sleep 0.2
	done
	comment "no dump held: $(<"$VS_TMP/hold.out")"
	return 1
}
hold_stop() {
	[[ -n $HOLD_PID ]] || return 0
	kill "$HOLD_PID" 2>/dev/null || true
	wait "$HOLD_PID" 2>/dev/null || true
	HOLD_PID=
}

# jobs_stop PID...: each job's process group.
jobs_stop() {
	local pid
	for pid; do
		kill -- "-$pid" 2>/dev/null || true
	done
	wait "$@" 2>/dev/null || true
}
gen_stop() {
	touch "$VS_TMP/gen.stop"
	jobs_stop "${GEN_PIDS[@]}"
	GEN_PIDS=()
}
round_stop() {
	jobs_stop "${ROUND_PIDS[@]}"
	ROUND_PIDS=()
}

# Wall time of each phase of a round, printed as a comment.
T0=0
lap() { local now=${EPOCHREALTIME/./}; LAPS+=" $1 $(((now - T0) / 1000))ms"; T0=$now; }

t_unload() {
	local i ok=0 gone=0 held=0 refused=0 busy=0 tries rst0 rst1 svc0 dest0 LAPS
	if [[ -z $MODULE ]] || ! mod_loaded; then
		_not_ok "unload: the module is loaded from a file (VSCHED_MODULE)"
		return
	fi
	lb_up lb
	svc0=$(count 'service [0-9]+ created')
	dest0=$(count 'dest [0-9.:]+ created')
	rst0=$(out_rsts lb)
	gen_start 1
	for ((i = 1; i <= ROUNDS; i++)); do
		LAPS='' T0=${EPOCHREALTIME/./}
		mod_loaded || insmod "$MODULE" dyndbg=+p ||
			{ echo "# insmod $i failed"; break; }
		lap insmod
		lb_config lb || { echo "# round $i: configuration refused"; break; }
		lap config
		round_start lb
		lap start
		# A dump in progress holds the module: rmmod is refused ("in
		# use") and nothing else happens; it goes once the dump ends.
		if hold_start lb; then
			held=$((held + 1))
			lap hold
			rmmod vsched 2>/dev/null || refused=$((refused + 1))
			hold_stop
		fi
		# The loop's dumps come and go: try again while one runs.
		for ((tries = 0; tries < 100; tries++)); do
			rmmod vsched 2>/dev/null && break
			busy=$((busy + 1))
			sleep 0.1
		done
		lap rmmod
		mod_loaded || ok=$((ok + 1))
		cache_exists || gone=$((gone + 1))
		round_stop
		lap stop
		comment "round $i:$LAPS"
	done
	gen_stop
	rst1=$(out_rsts lb)
	comment "unload: $ROUNDS rounds, a dump held in $held, rmmod busy $busy more times, $((rst1 - rst0)) RSTs from the balancer's stack"
	check_eq "unload: no kernel fault" "$(faults)" ""
	check_eq "unload: $ROUNDS unloads under traffic" "$ok" "$ROUNDS"
	check_eq "unload: the connection cache gone after each" "$gone" "$ROUNDS"
	check_eq "unload: a connection dump in progress at each (a busy table)" "$held" "$ROUNDS"
	check_eq "unload: rmmod refused while the dump was in progress" "$refused" "$held"
	check "unload: the balancer's stack sent RSTs (LOCAL_OUT)" \
		test "$((rst1 - rst0))" -gt 0
	check "unload: bulk transfers went through" \
		grep -q 'bytes:2000000' "$VS_TMP/bulk.out"
	check_eq "unload: services destroyed = created" \
		"$(($(count 'service [0-9]+ destroyed') - svc0))" \
		"$(($(count 'service [0-9]+ created') - svc0))"
	check_eq "unload: real servers destroyed = created" \
		"$(($(count 'dest [0-9.:]+ destroyed') - dest0))" \
		"$(($(count 'dest [0-9.:]+ created') - dest0))"
	check_eq "unload: two services a round" \
		"$(($(count 'service [0-9]+ created') - svc0))" "$((2 * ROUNDS))"
	mod_loaded || insmod "$MODULE" dyndbg=+p
	ip netns del "$(ns_name lb)"
	VS_NAMESPACES=("${VS_NAMESPACES[@]/lb/}")
}

netns_gone_ge() { (($(count 'netns destroyed') >= $1)); }
slab_le() { (($(slab_objs) <= $1)); }

t_netns() {
	local i lb held=0 gone=0 destroyed0 created0 base per LAPS
	created0=$(count 'netns created')
	destroyed0=$(count 'netns destroyed')
	base=$(slab_objs)
	per=$(cat /sys/kernel/slab/vsched_conn/objs_per_slab 2>/dev/null || echo 32)
	for ((i = 1; i <= ROUNDS; i++)); do
		lb=lb$i LAPS='' T0=${EPOCHREALTIME/./}
		lb_up "$lb"
		lap up
		lb_config "$lb" || { echo "# round $i: configuration refused"; break; }
		lap config
		gen_start "$((i + 100))"
		round_start "$lb"
		lap start
		hold_start "$lb" && held=$((held + 1))
		lap hold
		# The namespace dies with its last process: the dump loop or
		# the dump held in progress.
		ip netns del "$(ns_name "$lb")"
		VS_NAMESPACES=("${VS_NAMESPACES[@]/$lb/}")
		round_stop
		hold_stop
		gen_stop
		lap stop
		if wait_s 60 netns_gone_ge "$((destroyed0 + i))"; then
			gone=$((gone + 1))
		else
			echo "# round $i: namespace not destroyed"
			break
		fi
		lap destroyed
		comment "round $i:$LAPS"
	done
	comment "netns: $ROUNDS rounds, a dump held in $held, slab objects $base before, $(slab_objs) after"
	check_eq "netns: no kernel fault" "$(faults)" ""
	check_eq "netns: $ROUNDS namespaces deleted under traffic, state destroyed" \
		"$gone" "$ROUNDS"
	check_eq "netns: a connection dump in progress at each (a busy table)" "$held" "$ROUNDS"
	# At least: the namespaces of an earlier script are destroyed
	# asynchronously, and may be counted here too.
	check "netns: every namespace created was destroyed" \
		test "$(($(count 'netns destroyed') - destroyed0))" \
		-ge "$(($(count 'netns created') - created0))"
	# Freed entries leave the cache's per-CPU slabs, not always at once.
	check "netns: connection cache back to its baseline ($base)" \
		wait_s 30 slab_le "$((base + 2 * per * $(nproc)))"
}

all=()
[[ ${TEARDOWN_PARTS:-unload netns} == *unload* ]] && all+=(t_unload)
[[ ${TEARDOWN_PARTS:-unload netns} == *netns* ]] && all+=(t_netns)
run_tests "${all[@]}"
summary
