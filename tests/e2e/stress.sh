#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Floods, faults and races, inside the test VM (tests/vm/run.sh), on the
# standard topology (topology.sh: client -- lb -- s1..s4):
#  - t_churn: several vsadm processes add, edit and delete services and
#    real servers at once while a client loops through a stable service:
#    it sees no error, a deleted server gets no new connection after its
#    deletion returned (its own /count), every object created is freed;
#  - t_reload: rmmod and insmod in a loop while traffic flows and vsadm
#    runs; the configuration is restored (vsadm -R) and traffic resumes
#    after each load, the connection cache is gone after each unload;
#  - t_flood: a SYN flood of distinct source tuples (vs-synflood) at half
#    the measured send rate with a low conn_max: the table stays near 7/8
#    of the limit (eviction starts there), memory within the limit (the
#    table plus the entries awaiting their RCU grace period, plus the
#    allocator's per-CPU slabs), a legitimate client keeps >= 99.9 %
#    success, the table recovers afterwards;
#  - t_conn_churn: connections opened and closed for a fixed time: the
#    number of entries and slab objects stays flat and returns to zero;
#  - t_teardown: the balancer's namespace is deleted with services and
#    open connections: clean, every entry freed;
#  - the kernel logs no fault.
# STRESS_FULL=1 runs the full figures (50 reloads, a million SYNs at
# conn_max 10,000, three minutes of connection churn). The module stays loaded at the end (run.sh unloads
# it and counts). Last line: "N passed, N failed".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/e2e/topology.sh
. "$here/topology.sh"
CLIENT=$VS_TOOLS/vs-client
FULL=${STRESS_FULL:-0}
if [[ $FULL == 1 ]]; then
	CHURN_ROUNDS=20 DEL_ROUNDS=8 RELOADS=50 FLOOD_SYNS=1000000
	FLOOD_MAX_PPS=20000 CONN_MAX=10000 CONN_CHURN_SECS=180
else
	CHURN_ROUNDS=3 DEL_ROUNDS=2 RELOADS=5 FLOOD_SYNS=15000
	FLOOD_MAX_PPS=2000 CONN_MAX=1000 CONN_CHURN_SECS=8
fi
FLOOD_NET=198.18.64.0/18
MODULE=${VSCHED_MODULE:-}
DYN=/sys/kernel/debug/dynamic_debug/control
FAULTS='BUG:|BUG [a-z_0-9-]+ \(|WARNING:|Oops|general protection|kernel BUG|UBSAN:|KASAN:|refcount_t:|list_(add|del) corruption|Objects remaining|leak'

vsadm() { n_lb "$VSADM" "$@"; }
vsq() { nsq lb "$VSADM" "$@"; }
# vs_cfg [KEY=VALUE...]: set, then print "KEY VALUE" lines (vs-config).
vs_cfg() { nsq lb "$VS_TOOLS/vs-config" "$@"; }
cfg_get() { vs_cfg | awk -v k="$1" '$1 == k { print $2 }'; }
comment() { printf '# %s\n' "${1//$'\n'/$'\n'# }"; }

[[ -x $VS_TOOLS/vs-synflood && -x $VS_TOOLS/vs-config ]] ||
	pp make -s -C "$VS_TOOLS"

mountpoint -q /sys/kernel/debug || mount -t debugfs none /sys/kernel/debug
# The created/destroyed lines of services and servers are counted below;
# the full tier makes more than the log holds, so it goes without them.
dyn() { if [[ -w $DYN ]]; then echo "module vsched $1" >"$DYN"; fi; }
DYN_ON=-p
[[ $FULL == 1 ]] || DYN_ON=+p
dyn "$DYN_ON"

# The kernel's log lines that name a fault, since the scenario began.
faults() { dmesg | tail -n +"$DMESG_START" | grep -E "$FAULTS" || true; }
DMESG_START=$(($(dmesg | wc -l) + 1))

# mark NAME: a line in the kernel log; since NAME OBJ: the number of
# "vsched ... OBJ" lines after it ("" when it fell out of the log).
mark() { echo "vsched-stress: mark $1" >/dev/kmsg; }
since() {
	dmesg | awk -v m="vsched-stress: mark $1" -v pat="$2" '
		index($0, m) { seen = 1; n = 0; next }
		seen && $0 ~ pat { n++ }
		END { if (seen) print n }'
}

# balanced NAME OBJ: since NAME, as many "OBJ created" lines as
# "OBJ destroyed", and some.
balanced() {
	local c d
	c=$(since "$1" "vsched.*$2 created")
	d=$(since "$1" "vsched.*$2 destroyed")
	[[ -n $c && $c == "$d" && $c -gt 0 ]]
}

# Predicates for wait_s (evaluated at each try).
slab_le() { (($(slab_objs) <= $1)); }
conns_le() { local n; n=$(cfg_get conn_count) && [[ -n $n ]] && ((n <= $1)); }
slab_matches_table() {
	local per
	per=$(cat /sys/kernel/slab/vsched_conn/objs_per_slab 2>/dev/null || echo 32)
	(($(slab_objs) <= $(cfg_get conn_count) + 2 * per * $(nproc)))
}
netns_gone_gt() { (($(dmesg | grep -c 'vsched.*netns destroyed') > $1)); }

# client_loop NAME ARGS...: vs-client ARGS (batches of 10) until
# $VS_TMP/NAME.stop exists; requests answered and failed are summed in
# $VS_TMP/NAME.ok and NAME.fail, failure reasons in NAME.err.
client_loop() {
	local name=$1 ok=0 fail=0 line a b
	shift
	echo 0 >"$VS_TMP/$name.ok"
	echo 0 >"$VS_TMP/$name.fail"
	while [[ ! -e $VS_TMP/$name.stop ]]; do
		line=$(nsq client "$CLIENT" --allow-fail -n 10 "$@" 2>&1 >/dev/null |
			tee -a "$VS_TMP/$name.err" | grep '^vs-client: [0-9]* requests' || true)
		[[ $line =~ ([0-9]+)\ ok,\ ([0-9]+)\ failed ]] || continue
		a=${BASH_REMATCH[1]} b=${BASH_REMATCH[2]}
		ok=$((ok + a)) fail=$((fail + b))
		echo "$ok" >"$VS_TMP/$name.ok"
		echo "$fail" >"$VS_TMP/$name.fail"
	done
}
LOOP_PIDS=()
loop_start() {
	rm -f "$VS_TMP/$1.stop" "$VS_TMP/$1.err"
	client_loop "$@" &
	LOOP_PIDS+=($!)
	VS_BG_PIDS+=($!)
}
loop_stop_all() {
	local n
	for n in "$@"; do touch "$VS_TMP/$n.stop"; done
	wait "${LOOP_PIDS[@]}" 2>/dev/null || true
	LOOP_PIDS=()
}
loop_ok() { cat "$VS_TMP/$1.ok"; }
loop_fail() { cat "$VS_TMP/$1.fail"; }
loop_errors() {
	grep -v '^vs-client: [0-9]* requests' "$VS_TMP/$1.err" | sort | uniq -c |
		sort -rn | head -n 5 | sed 's/^/#   /' || true
}

# The stable service: VIP:80 over s1 and s2.
stable_up() {
	vsadm -A -t "$VIP:80" -s rr
	vsadm -a -t "$VIP:80" -r "$(server_ip 1):80" -m
	vsadm -a -t "$VIP:80" -r "$(server_ip 2):80" -m
}

# churn_worker W ROUNDS: one vsadm process at a time, in a tight loop, on
# its own service 198.18.100.(10+W) and on a service all workers share
# (198.18.100.20, where "exists" and "not found" are expected), over s1
# and s3 (s4 is t_churn's deleted server). Every command on its own
# service must succeed: failures go to churn-W.bad.
churn_worker() {
	local w=$1 rounds=$2 i svc=198.18.100.$((10 + $1)):80 shared=198.18.100.20:80
	local s1 s3
	s1=$(server_ip 1):80 s3=$(server_ip 3):80
	for ((i = 0; i < rounds; i++)); do
		{
			vsq -A -t "$svc" -s rr &&
				vsq -a -t "$svc" -r "$s3" -m -w 2 &&
				vsq -a -t "$svc" -r "$s1" -m &&
				vsq -e -t "$svc" -r "$s3" -m -w $((i % 5 + 1)) &&
				vsq -E -t "$svc" -s wrr &&
				vsq -d -t "$svc" -r "$s3" &&
				vsq -D -t "$svc"
		} || echo "round $i" >>"$VS_TMP/churn-$w.bad"
		# The shared service: creations and deletions race.
		vsq -A -t "$shared" -s rr 2>/dev/null || true
		vsq -a -t "$shared" -r "$s3" -m 2>/dev/null || true
		vsq -e -t "$shared" -r "$s3" -m -w $((w + 1)) 2>/dev/null || true
		vsq -d -t "$shared" -r "$s3" 2>/dev/null || true
		((i % 3 == w % 3)) && { vsq -D -t "$shared" 2>/dev/null || true; }
		vsq -Ln >/dev/null || echo "list $i" >>"$VS_TMP/churn-$w.bad"
	done
}

# No entry to real server ADDR:PORT is in SYN_RECV or ESTABLISHED.
_none_open_to() {
	local out
	out=$(nsq lb "$VSADM" -Lnc) || return 1
	! awk -v d="$1" '($3 == "SYN_RECV" || $3 == "ESTABLISHED") && $NF == d { f = 1 }
		END { exit !f }' <<<"$out"
}

t_churn() {
	local w pids=() svc=198.18.100.3:80 i c1 c2 before late=0 got4=0
	local s4
	s4=$(server_ip 4):80
	stable_up
	check "the stable service answers before the churn" \
		nsq client "$CLIENT" -n 10 -t 3000 "$VIP:80"
	mark churn
	# The deletion service: s1 stays, s4 comes and goes.
	vsadm -A -t "$svc" -s rr
	vsadm -a -t "$svc" -r "$(server_ip 1):80" -m
	# Entries hold their server (and it its service) until they expire:
	# short timeouts, so that everything deleted is freed soon after.
	vs_cfg tcp_fin=2 tcp_time_wait=2 tcp_close=2 >/dev/null
	loop_start stable -t 3000 "$VIP:80"
	loop_start del -t 3000 "$svc"
	loop_start churned -t 1000 198.18.100.11:80
	for w in 1 2 3; do
		churn_worker "$w" "$CHURN_ROUNDS" &
		pids+=($!)
	done
	# Meanwhile: s4 added, served, deleted; after the deletion returned
	# and the flows scheduled before it finished (none of them left
	# open in the table, however long the host took), s4's own counter
	# must not move while traffic goes on.
	for ((i = 0; i < DEL_ROUNDS; i++)); do
		before=$(server_count 4)
		vsq -a -t "$svc" -r "$s4" -m
		sleep 1
		vsq -d -t "$svc" -r "$s4"
		wait_s 20 _none_open_to "$s4" ||
			echo "# round $i: flows to s4 still open 20 s after its deletion"
		c1=$(server_count 4)
		got4=$((got4 + c1 - before))
		sleep 1.5
		c2=$(server_count 4)
		if ((c2 != c1)); then
			late=$((late + c2 - c1))
			echo "# round $i: s4 served $((c2 - c1)) requests after its deletion"
		fi
	done
	wait "${pids[@]}"
	loop_stop_all stable del churned
	echo "# stable client: $(loop_ok stable) answered, $(loop_fail stable) failed;" \
		"deletion service: $(loop_ok del) answered, s4 served $got4 while present"
	loop_errors stable
	check_eq "churn: every vsadm command on a worker's own service succeeded" \
		"$(cat "$VS_TMP"/churn-*.bad 2>/dev/null)" ""
	check_eq "churn: the stable service's client saw no error" "$(loop_fail stable)" 0
	check_range "churn: the stable service kept serving" "$(loop_ok stable)" 10 100000000
	check_range "churn: s4 was served while it was a real server" "$got4" 1 100000000
	check_eq "churn: no request reached s4 after its deletion returned" "$late" 0
	vsq -D -t 198.18.100.20:80 2>/dev/null || true
	vsadm -D -t "$svc"
	check_eq "churn: only the stable service is left" \
		"$(vsq -Sn | grep -c '^-A')" 1
	check "the stable service answers after the churn" \
		nsq client "$CLIENT" -n 10 -t 3000 "$VIP:80"
	wait_s 30 conns_le 0 || true
	vs_cfg tcp_fin=120 tcp_time_wait=120 tcp_close=10 >/dev/null
	if [[ $DYN_ON == +p ]]; then
		echo "# churn: $(since churn 'vsched.*service [0-9]+ created') services and" \
			"$(since churn 'vsched.*dest [0-9.:]+ created') real servers created"
		check "churn: every service created was destroyed" \
			wait_s 10 balanced churn 'service [0-9]+'
		check "churn: every real server created was destroyed" \
			wait_s 10 balanced churn 'dest [0-9.:]+'
		echo "# churn: $(since churn 'vsched.*service [0-9]+ destroyed') services and" \
			"$(since churn 'vsched.*dest [0-9.:]+ destroyed') real servers destroyed"
	fi
	check_eq "churn: no kernel fault" "$(faults)" ""
}

# vsadm_loop: reads and edits while the module comes and goes (errors
# are expected while it is out).
vsadm_loop() {
	local i=0
	while [[ ! -e $VS_TMP/vsadm.stop ]]; do
		vsq -Ln >/dev/null 2>&1 || true
		vsq -e -t "$VIP:80" -r "$(server_ip 2):80" -m -w $((i++ % 3 + 1)) \
			>/dev/null 2>&1 || true
	done
}

# The stable service, unless an earlier step left it.
stable_ensure() { vsq -Sn | grep -qE -- "-A -t $VIP:80( |$)" || stable_up; }

t_reload() {
	local i ok=0 gone=0 out pid save=$VS_TMP/reload.rules
	if [[ -z $MODULE ]] || ! grep -q '^vsched ' /proc/modules; then
		_not_ok "reload: the module is loaded from a file (VSCHED_MODULE)"
		return
	fi
	stable_ensure
	vsq -Sn >"$save"
	comment "$(cat "$save")"
	mark reload
	loop_start reload -t 1000 "$VIP:80"
	rm -f "$VS_TMP/vsadm.stop"
	vsadm_loop &
	pid=$!
	VS_BG_PIDS+=("$pid")
	for ((i = 1; i <= RELOADS; i++)); do
		# A netlink call in progress holds the module: try again.
		wait_until 10 rmmod vsched 2>/dev/null || { echo "# rmmod $i failed"; break; }
		grep -q '^vsched_conn ' /proc/slabinfo || gone=$((gone + 1))
		if ! insmod "$MODULE" "dyndbg=$DYN_ON"; then
			echo "# insmod $i failed"
			break
		fi
		if nsq lb "$VSADM" -R <"$save" &&
			wait_s 30 nsq client "$CLIENT" -n 3 -t 1000 "$VIP:80" 2>/dev/null; then
			ok=$((ok + 1))
		else
			echo "# reload $i: traffic did not resume"
		fi
	done
	touch "$VS_TMP/vsadm.stop"
	wait "$pid" || true
	loop_stop_all reload
	echo "# client during reloads: $(loop_ok reload) answered, $(loop_fail reload) failed"
	# The vsadm loop may have edited a weight after the last restore.
	vsq -R <"$save"
	check_eq "reload: $RELOADS unloads, the connection cache gone after each" "$gone" "$RELOADS"
	check_eq "reload: traffic resumed after each of $RELOADS loads" "$ok" "$RELOADS"
	out=$(vsq -Sn)
	check_eq "reload: the configuration is the saved one" "$out" "$(cat "$save")"
	check "reload: the client was served between reloads" \
		test "$(loop_ok reload)" -gt 0
	if [[ $DYN_ON == +p ]]; then
		# One service and two servers were there before and are after.
		check_eq "reload: services created" \
			"$(since reload 'vsched.*service [0-9]+ created')" "$RELOADS"
		check "reload: as many services destroyed as created" \
			balanced reload 'service [0-9]+'
		check "reload: as many real servers destroyed as created" \
			balanced reload 'dest [0-9.:]+'
	fi
	check_eq "reload: no kernel fault" "$(faults)" ""
}

# Sample the table and the slab every 0.2 s until $VS_TMP/sample.stop:
# "max_entries max_objects" in $VS_TMP/sample.max.
sampler() {
	local n o maxn=0 maxo=0
	while [[ ! -e $VS_TMP/sample.stop ]]; do
		n=$(cfg_get conn_count)
		o=$(slab_objs)
		((n > maxn)) && maxn=$n
		((o > maxo)) && maxo=$o
		echo "$maxn $maxo" >"$VS_TMP/sample.max"
		sleep 0.2
	done
}

t_flood() {
	local out cap pps rc=0 pid maxn maxo osize ssize slack ok fail drops
	local objs_per_slab
	stable_ensure
	pp n_lb ip route add "$FLOOD_NET" via "$CLIENT_IP"
	# Half-open entries live 5 s here so that recovery fits the test:
	# the servers' SYN-ACK retransmits (after 1, 3, 7, 15, 31 s) refresh
	# them, the 8 s gap ends them. The flood still fills the table.
	# The legitimate client's closed flows (TIME_WAIT, 120 s) would stay
	# too: 2 s.
	vs_cfg conn_max="$CONN_MAX" tcp_syn=5 tcp_fin=2 tcp_time_wait=2 >/dev/null
	check_eq "flood: conn_max set to $CONN_MAX" "$(cfg_get conn_max)" "$CONN_MAX"
	# Capacity: how fast the sender gets SYNs through, unpaced, towards
	# a port no service listens on (the balancer lets them pass).
	out=$(nsq client "$VS_TOOLS/vs-synflood" -v "$VIP:9" -c 198.18.128.0/18 \
		-n 5000 -p 0)
	cap=$(sed -n 's/.*(\([0-9]*\)\/s).*/\1/p' <<<"$out")
	pps=$((cap / 2))
	((pps > FLOOD_MAX_PPS)) && pps=$FLOOD_MAX_PPS
	((pps >= 100)) || pps=100
	echo "# flood: sender capacity $cap SYN/s, flooding at $pps/s"
	rm -f "$VS_TMP/sample.stop"
	sampler &
	pid=$!
	VS_BG_PIDS+=("$pid")
	# A SYN refused at the limit is dropped, as a full backlog drops it:
	# the client's stack sends it again after 1, 3 and 7 s. How many are
	# refused depends on how long grace periods take (entries awaiting
	# one count against the limit): under emulation on a busy host, a
	# third of the flood's SYNs once, so that two in a row met one of 50
	# requests and a 3 s timeout failed it (6.1, make check). A client
	# that waits for three retransmissions, as every real one does, is
	# what must be served.
	loop_start legit -t 8000 "$VIP:80"
	out=$(nsx client "$VS_TOOLS/vs-synflood" -v "$VIP:80" -c "$FLOOD_NET" \
		-n "$FLOOD_SYNS" -p "$pps") || rc=$?
	comment "$out"
	loop_stop_all legit
	touch "$VS_TMP/sample.stop"
	wait "$pid" || true
	read -r maxn maxo <"$VS_TMP/sample.max"
	ok=$(loop_ok legit) fail=$(loop_fail legit)
	drops=$(cfg_get drop_conn_limit)
	osize=$(cat /sys/kernel/slab/vsched_conn/object_size)
	ssize=$(cat /sys/kernel/slab/vsched_conn/slab_size 2>/dev/null || echo "$osize")
	objs_per_slab=$(cat /sys/kernel/slab/vsched_conn/objs_per_slab 2>/dev/null || echo 32)
	# conn_max bounds the entries in memory: the table's and those
	# evicted or expired but waiting for an RCU grace period (kmod/conn.c,
	# vs_conn_reserve()). The slab's count also takes the objects of
	# the per-CPU slabs: two slabs' worth a CPU.
	slack=$((2 * objs_per_slab * $(nproc)))
	echo "# flood: at most $maxn entries (limit $CONN_MAX), $maxo slab objects" \
		"of $ssize bytes ($((maxo * ssize)) bytes), $drops new flows refused"
	echo "# flood: legitimate client $ok answered, $fail failed" \
		"($(awk -v o="$ok" -v f="$fail" 'BEGIN { printf "%.3f", o + f ? 100 * o / (o + f) : 0 }') %)"
	loop_errors legit
	vsadm -Ln --stats || true
	check_eq "flood: $FLOOD_SYNS SYNs sent" "$rc" 0
	if [[ -e /proc/lockdep ]]; then
		# The debug kernel: KASAN's quarantine holds freed objects
		# back from the slab, and emulated with every checker on it
		# serves a few hundred SYNs a second; its grace periods are
		# long enough that entries awaiting one (which the limit
		# counts) keep the table itself below 7/8 (681 of 1,000 once,
		# 875 another time). What is asserted there: the flood reached
		# the limit. Its figures are printed above; the bounds are
		# asserted on Debian's kernels.
		echo "# flood: debug kernel: fill, slab and success-rate bounds not asserted"
		check "flood: the flood reached the limit (new flows refused)" \
			test "$drops" -gt 0
	else
		# Reached the limit: the table filled to where eviction
		# starts, or, on a host slow enough that entries awaiting a
		# grace period (counted by the limit) keep the table below
		# it (702 of 1,000 with two VMs and a build on 2 cores), new
		# flows were refused.
		check "flood: the flood reached the limit (table at 7/8, $maxn, or $drops flows refused)" \
			test "$maxn" -ge $((CONN_MAX * 7 / 8 * 9 / 10)) -o "$drops" -gt 0
		check_range "flood: the table never passed the limit" "$maxn" 1 "$CONN_MAX"
		check_range "flood: slab objects stayed within the limit (+ $slack per-CPU)" \
			"$maxo" 1 $((CONN_MAX + slack))
		# At most one failure: under emulation a handshake can take
		# longer than the table's turnover at the limit (entries live
		# half a second there), and its SYN entry is then the oldest
		# the eviction samples ("connection reset" once on 6.1).
		check "flood: the legitimate client's success rate is >= 99.9 % (one failure allowed)" \
			test $(((ok + 1) * 1000)) -ge $(((ok + fail) * 999)) -a "$ok" -gt 0
	fi
	check "flood: the extra slab objects were frees in flight (slab = table)" \
		wait_s 20 slab_matches_table
	# Recovery: the half-open entries time out and are collected.
	check "flood: the table empties after the flood" \
		wait_s 40 conns_le $((CONN_MAX / 10))
	check "flood: the client is served after the flood" \
		nsq client "$CLIENT" -n 20 -t 3000 "$VIP:80"
	vs_cfg conn_max=1048576 tcp_syn=60 tcp_fin=120 tcp_time_wait=120 >/dev/null
	pp n_lb ip route del "$FLOOD_NET" via "$CLIENT_IP"
	check_eq "flood: no kernel fault" "$(faults)" ""
}

t_conn_churn() {
	local t0 first=0 samples=() half late_max=0 i base_n base_o
	vsadm -A -u "$VIP:80" -s rr
	vsadm -a -u "$VIP:80" -r "$(server_ip 1):80" -m
	vsadm -a -u "$VIP:80" -r "$(server_ip 2):80" -m
	# Short timeouts, so that the table reaches its steady state soon.
	vs_cfg tcp_fin=2 tcp_time_wait=2 tcp_close=2 udp=2 >/dev/null
	# What earlier steps left (entries of the flood still expiring).
	base_n=$(cfg_get conn_count) base_o=$(slab_objs)
	loop_start cc1 -t 3000 "$VIP:80"
	loop_start cc2 -t 3000 "$VIP:80"
	loop_start cc3 -u -t 3000 "$VIP:80"
	t0=$SECONDS
	while ((SECONDS - t0 < CONN_CHURN_SECS)); do
		sleep 1
		samples+=("$(slab_objs)")
	done
	loop_stop_all cc1 cc2 cc3
	echo "# connection churn: $(($(loop_ok cc1) + $(loop_ok cc2) + $(loop_ok cc3))) requests" \
		"in ${CONN_CHURN_SECS} s; slab objects each second: ${samples[*]}"
	# Flat: nothing in the second half above 1.5x the first half's peak.
	half=$((${#samples[@]} / 2))
	for ((i = 0; i < ${#samples[@]}; i++)); do
		if ((i < half)); then
			((samples[i] > first)) && first=${samples[i]}
		else
			((samples[i] > late_max)) && late_max=${samples[i]}
		fi
	done
	check_eq "connection churn: no request failed" \
		$(($(loop_fail cc1) + $(loop_fail cc2) + $(loop_fail cc3))) 0
	check_range "connection churn: slab objects flat (second half peak)" \
		"$late_max" 0 $((first * 3 / 2 + 64))
	check "connection churn: every entry expires afterwards (to $base_n)" \
		wait_s 20 conns_le "$base_n"
	check "connection churn: the slab shrinks back too (to $base_o)" \
		wait_s 20 slab_le $((base_o + 64))
	# Leak check that does not depend on what earlier steps left: once
	# the RCU frees are done, every object in the cache is an entry of
	# the table (the balancer's is the only one), but for the partial
	# slabs each CPU may hold.
	check "connection churn: every slab object is a table entry" \
		wait_s 20 slab_matches_table
	vs_cfg tcp_fin=120 tcp_time_wait=120 tcp_close=10 udp=300 >/dev/null
	vsadm -D -u "$VIP:80"
	check_eq "connection churn: no kernel fault" "$(faults)" ""
}

t_teardown() {
	local lb gone0 gone
	lb=$(ns_name lb)
	stable_ensure
	# Long-lived flows (one request every 100 ms on one connection) and
	# fresh ones, through the VIP.
	bg_run client keep1 "$CLIENT" --keep -n 100000 -i 100 --allow-fail "$VIP:80"
	bg_run client keep2 "$CLIENT" --keep -n 100000 -i 100 --allow-fail "$VIP:80"
	loop_start teardown -t 1000 "$VIP:80"
	sleep 2
	echo "# teardown with $(cfg_get conn_count) connections open"
	gone0=$(dmesg | grep -c 'vsched.*netns destroyed' || true)
	pp ip netns del "$lb"
	VS_NAMESPACES=("${VS_NAMESPACES[@]/lb/}")
	if [[ $DYN_ON == +p ]]; then
		check "teardown: the namespace's vsched state is destroyed" \
			wait_s 30 netns_gone_gt "$gone0"
	fi
	check "teardown: every connection entry is freed" \
		wait_s 30 slab_le 64
	loop_stop_all teardown
	gone=$(slab_objs)
	echo "# slab objects after teardown: $gone"
	check_eq "teardown: no kernel fault" "$(faults)" ""
}

topology_up 4
all=(t_churn t_reload t_flood t_conn_churn t_teardown)
(($#)) && all=("$@")
run_tests "${all[@]}"
dyn +p
summary
