#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Who may do what: a container's root (root of a user namespace that owns
# a network namespace) and vsched's module parameter allow_userns.
#
#   client  v-c 198.18.0.1/24 ---- 198.18.0.2 v-c  ct (the container's
#                                                   netns, owned by its
#   srv     v-s 198.18.1.2/24 ---- 198.18.1.1 v-s   user namespace)
#           vs-httpd :80                            VIP 198.18.100.1:80
#
# The host (root here) plumbs the links, as a container runtime does;
# everything vsched is told comes from the container's root (nsenter into
# the user namespace: capabilities over its own namespaces only).
#  - allow_userns=0 (the default): the container's root gets EPERM.
#  - allow_userns=1: it manages its own namespace; the host's namespace
#    and any other see none of it, and it sees none of theirs; root of a
#    user namespace that does not own the network namespace (the host's)
#    still gets EPERM; its conn_max is capped by the host's ceiling.
#  - Memory: the container's connection entries are charged to the
#    memory cgroup that configured it, and its memory.max caps them.
# Reloads the module (VSCHED_MODULE) and leaves it loaded as it was.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
MODULE=${VSCHED_MODULE:-}
VIP=198.18.100.1
CT_PID=
CG=/sys/fs/cgroup/$VS_PREFIX-ct
CLIENT=$VS_TOOLS/vs-client
DYN=/sys/kernel/debug/dynamic_debug/control
DYN_ON=+p
[[ -w $DYN ]] || DYN_ON=

[[ -x $VS_TOOLS/vs-synflood && -x $VS_TOOLS/vs-config ]] ||
	pp make -s -C "$VS_TOOLS"

# As the container's root: in its user and network namespaces (uid 0
# there, capabilities over its own namespaces only).
ct_root() { nsenter -t "$CT_PID" -U -n -- "$@"; }
# As the host, in the container's network namespace (plumbing).
ct_host() { nsenter -t "$CT_PID" -n -- "$@"; }
# requests N: "NAME=COUNT " per server that answered, FAIL if one failed.
requests() {
	local out rc=0
	out=$(nsq client "$CLIENT" -n "$1" -t 3000 "$VIP:80" 2>/dev/null) || rc=$?
	out=$(sort <<<"$out" | awk 'NF == 2 {printf "%s=%s ", $1, $2}')
	((rc == 0)) || out+="FAIL"
	echo "$out"
}

reload() { # PARAMS...
	wait_until 10 rmmod vsched 2>/dev/null
	pp insmod "$MODULE" ${DYN_ON:+dyndbg=$DYN_ON} "$@"
}

teardown() {
	if [[ -n $CT_PID ]]; then
		ct_root "$VSADM" -C 2>/dev/null || true
		kill "$CT_PID" 2>/dev/null || true
		wait "$CT_PID" 2>/dev/null || true
		CT_PID=
	fi
	if [[ -d $CG ]]; then rmdir "$CG" 2>/dev/null || true; fi
}

_ct_ready() { [[ $(readlink "/proc/$CT_PID/ns/net") != "$(readlink /proc/self/ns/net)" ]]; }

t_setup() {
	local s
	if [[ -z $MODULE ]] || ! grep -q '^vsched ' /proc/modules; then
		_not_ok "the module is loaded from a file (VSCHED_MODULE)"
		summary
		exit 1
	fi
	ns_add client
	ns_add srv
	# The container: a user namespace owning a network namespace, kept
	# by a process that sleeps in them, as a container's init would.
	unshare --user --net --map-root-user sleep 3600 &
	CT_PID=$!
	wait_until 5 _ct_ready
	ct_host ip link set lo up
	pp ip link add v-c netns "$(ns_name client)" type veth peer name v-c netns "$CT_PID"
	pp ip link add v-s netns "$(ns_name srv)" type veth peer name v-s netns "$CT_PID"
	n_client ip addr add 198.18.0.1/24 dev v-c
	n_client ip link set v-c up
	n_client ip route add 198.18.100.0/24 via 198.18.0.2
	n_srv ip addr add 198.18.1.2/24 dev v-s
	n_srv ip link set v-s up
	n_srv ip route add default via 198.18.1.1
	for s in "ip addr add 198.18.0.2/24 dev v-c" "ip link set v-c up" \
		"ip addr add 198.18.1.1/24 dev v-s" "ip link set v-s up" \
		"ip route add 198.18.64.0/18 via 198.18.0.1" \
		"sysctl -qw net.ipv4.ip_forward=1"; do
		# shellcheck disable=SC2086
		ct_host $s
	done
	bg_run srv httpd "$VS_TOOLS/vs-httpd" -q -r "$VS_TMP/httpd.ready" srv 198.18.1.2:80
	wait_for_file "$VS_TMP/httpd.ready"
	# A memory cgroup for the container (cgroup v2).
	mountpoint -q /sys/fs/cgroup || mount -t cgroup2 none /sys/fs/cgroup
	echo +memory >/sys/fs/cgroup/cgroup.subtree_control
	mkdir -p "$CG"
}

t_denied_by_default() {
	local out rc=0
	out=$(ct_root "$VSADM" -A -t "$VIP:80" -s rr 2>&1) || rc=$?
	echo "# $out"
	check "allow_userns=0: the container's root cannot add a service" test "$rc" -ne 0
	check "...and is told why" grep -q "allow_userns is off" <<<"$out"
	check_eq "...and nothing was added" "$(ct_host "$VSADM" -Sn)" ""
}

t_container_manages_its_own() {
	reload allow_userns=1
	# The first service is added from inside the container's cgroup:
	# its connection entries are charged there from now on.
	check "allow_userns=1: the container's root adds a service" \
		sh -c "echo \$\$ >$CG/cgroup.procs && exec nsenter -t $CT_PID -U -n -- $VSADM -A -t $VIP:80 -s rr"
	check "...and its real server" \
		ct_root "$VSADM" -a -t "$VIP:80" -r 198.18.1.2:80 -m
	check_eq "...which serves clients: 10 requests" "$(requests 10)" "srv=10 "
	# The host's namespace has a service of its own.
	pp "$VSADM" -A -t 198.18.200.1:80 -s rr
	check "the host does not see the container's service" \
		test "$("$VSADM" -Ln | grep -c "$VIP")" -eq 0
	check "the container does not see the host's service" \
		test "$(ct_root "$VSADM" -Ln | grep -c 198.18.200.1)" -eq 0
	check "the container sees its own service" \
		test "$(ct_root "$VSADM" -Ln | grep -c "$VIP")" -eq 1
	check "the host does not see the container's connections" \
		test "$("$VSADM" -Lnc | grep -c "$VIP")" -eq 0
	check "the container sees its own connections" \
		test "$(ct_root "$VSADM" -Lnc | grep -c "$VIP")" -ge 1
	ns_add other
	check "a third namespace sees nothing" \
		test "$(nsq other "$VSADM" -Ln | grep -c -e "$VIP" -e 198.18.200.1)" -eq 0
	pp "$VSADM" -D -t 198.18.200.1:80
}

# Root of a user namespace that does not own the network namespace: the
# host's namespace stays the host's, whatever allow_userns says.
t_host_namespace_stays_closed() {
	local out rc=0
	out=$(unshare --user --map-root-user "$VSADM" -A -t 198.18.9.9:80 -s rr 2>&1) || rc=$?
	echo "# $out"
	check "root of another user namespace cannot add to the host's namespace" \
		test "$rc" -ne 0
	check "...and is told why" grep -qi "permission" <<<"$out"
	check "...and nothing was added" \
		test "$("$VSADM" -Ln | grep -c 198.18.9.9)" -eq 0
}

t_ceiling() {
	local out rc=0 old
	old=$(cat /sys/module/vsched/parameters/conn_max_ceiling)
	echo 50000 >/sys/module/vsched/parameters/conn_max_ceiling
	check "the container may set conn_max up to the host's ceiling" \
		ct_root "$VS_TOOLS/vs-config" conn_max=50000
	out=$(ct_root "$VS_TOOLS/vs-config" conn_max=50001 2>&1) || rc=$?
	echo "# $out"
	check "...not above it" test "$rc" -ne 0
	check "...and is told why" grep -q "ceiling" <<<"$out"
	echo "$old" >/sys/module/vsched/parameters/conn_max_ceiling
}

cg_slab() { awk '$1 == "slab_unreclaimable" { print $2 }' "$CG/memory.stat"; }
ct_conns() { ct_root "$VS_TOOLS/vs-config" | awk '$1 == "conn_count" { print $2 }'; }
ct_refused() { ct_root "$VS_TOOLS/vs-config" | awk '$1 == "drop_conn_limit" { print $2 }'; }

t_memory_charged_and_capped() {
	local s0 s1 n0 n1 r0 r1 osize room grown
	osize=$(cat /sys/kernel/slab/vsched_conn/object_size)
	# Half-open entries stay 60 s: long enough to count them.
	ct_root "$VS_TOOLS/vs-config" tcp_syn=60 >/dev/null
	s0=$(cg_slab) n0=$(ct_conns)
	nsx client "$VS_TOOLS/vs-synflood" -v "$VIP:80" -c 198.18.64.0/20 \
		-n 3000 -p 1000 -s 1 >/dev/null
	s1=$(cg_slab) n1=$(ct_conns)
	echo "# 3000 SYNs: $((n1 - n0)) entries of $osize bytes, the cgroup's slab grew $((s1 - s0)) bytes"
	check_range "the flood made entries in the container" $((n1 - n0)) 2700 3000
	check "...charged to the container's cgroup (slab grew >= 80 % of entries x $osize bytes)" \
		test $((s1 - s0)) -ge $(((n1 - n0) * osize * 8 / 10))
	# Now cap the container's memory a little above what it uses.
	room=200000
	echo $(($(cat "$CG/memory.current") + room)) >"$CG/memory.max"
	r0=$(ct_refused) n0=$(ct_conns)
	nsx client "$VS_TOOLS/vs-synflood" -v "$VIP:80" -c 198.18.80.0/20 \
		-n 6000 -p 1000 -s 2 >/dev/null
	r1=$(ct_refused) n1=$(ct_conns)
	grown=$((n1 - n0))
	echo "# memory.max = current + $room: 6000 more SYNs made $grown entries, $((r1 - r0)) refused; memory.events: $(tr '\n' ' ' <"$CG/memory.events")"
	check "memory.max caps the container's table (< 6000 new entries)" \
		test "$grown" -lt 5000
	check "...the flows over it are refused and counted" test $((r1 - r0)) -gt 0
	check "...and the cgroup's usage stayed within memory.max" \
		test "$(cat "$CG/memory.current")" -le "$(cat "$CG/memory.max")"
	# The container still serves its clients once entries expire; the
	# host's memory was never the limit.
	echo max >"$CG/memory.max"
	check_eq "with the limit lifted the container serves again" \
		"$(requests 5)" "srv=5 "
}

_ct_gone() { ! nsq client ip link show v-c >/dev/null 2>&1; }
t_teardown() {
	teardown
	check "the container's namespace is gone (its links with it)" \
		wait_until 20 _ct_gone
	reload
	check "the module is back with its default parameters" \
		grep -q '^N' /sys/module/vsched/parameters/allow_userns
}

on_exit() {
	local rc=$?
	teardown
	(exit "$rc")
	vs_cleanup
}
trap on_exit EXIT
all=(t_setup t_denied_by_default t_container_manages_its_own
     t_host_namespace_stays_closed t_ceiling t_memory_charged_and_capped
     t_teardown)
run_tests "${all[@]}"
summary
