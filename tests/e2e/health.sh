#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Health checking end to end, inside the test VM (tests/vm/run.sh), on the
# standard topology: vshealthd runs in the balancer's namespace and
# checks s1..s3; faults are injected with topology.sh's server_stop,
# server_status and agent_say. Also the kernel's side of it that vsadm
# drives alone: drain, sorry servers. Last line "N passed, N failed".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/e2e/topology.sh
. "$here/topology.sh"
CLIENT=$VS_TOOLS/vs-client
VSHEALTHD=${VSHEALTHD:-$VS_ROOT/userspace/vshealthd/vshealthd}
CONF=$VS_TMP/vshealthd.conf
CTL=$VS_TMP/vshealthd.sock
# Probes every 0.5 s; fall and rise after 2 results. How fast the
# daemon reacts is judged from its own probe history (its timestamps and
# counts), against the spacing of its probes measured in the same run:
# never against the wall clock of a host that may be slow or busy.
INTERVAL_MS=500 FALL=2 RISE=2

vsadm() { n_lb "$VSADM" "$@"; }

# requests N [PATH]: "s1=N s2=N ..." for N requests (FAIL if any failed).
requests() {
	local out rc=0
	out=$(nsq client "$CLIENT" -n "$1" -t 3000 -p "${2:-/}" "$VIP:80" \
		2>/dev/null) || rc=$?
	out=$(sort <<<"$out" | awk 'NF == 2 {printf "%s=%s ", $1, $2}')
	((rc == 0)) || out+="FAIL"
	echo "$out"
}

# dest_field IP FIELD: a real server's field in vsadm's JSON listing
# (jq: it starts in a fraction of python's time, and this is polled).
dest_field() {
	nsq lb "$VSADM" -Ln -j | jq -r --arg ip "$1" --arg f "$2" '
		.services[]? | select(.port == 80 and (.protocol | ascii_downcase) == "tcp")
		| .real_servers[]? | select(.address == $ip) | .[$f] // ""'
}

_state_is() { [[ $(dest_field "$1" state) == "$2" ]]; }
# _warming_seen IP: IP is listed warming; WARM="warming EFF_WEIGHT", both
# from the same listing.
_warming_seen() {
	WARM=$(nsq lb "$VSADM" -Ln -j | jq -r --arg ip "$1" '
		.services[]? | select(.port == 80) | .real_servers[]?
		| select(.address == $ip) | "\(.state) \(.eff_weight)"')
	[[ $WARM == warming\ * ]]
}
_gone() { [[ -z $(dest_field "$1" address) ]]; }

# wait_state IP STATE SECONDS: prints the milliseconds it took.
wait_state() {
	local start=${EPOCHREALTIME/./}
	wait_until "$3" _state_is "$1" "$2" || return 1
	echo $(((${EPOCHREALTIME/./} - start) / 1000))
}

write_conf() {
	cat >"$CONF" <<-EOF
	daemon = {
		control = "$CTL";
		metrics = "127.0.0.1:9469";
		history = 60;
	};
	checks = {
		web = { type = "http"; path = "/"; status = "200-299";
			interval = 0.5; timeout = 0.4; rise = $RISE; fall = $FALL;
			jitter = 0.1; };
		load = { type = "agent"; port = 7777; cpu_max = 90;
			 interval = 0.5; timeout = 0.4; rise = 1; fall = 2; };
	};
	services = (
		{ service = "tcp $VIP:80"; checks = [ "web", "load" ];
		  quorum = 25;
		  quorum_up = "echo up \$VH_WEIGHT >>$VS_TMP/quorum";
		  quorum_down = "echo down \$VH_WEIGHT >>$VS_TMP/quorum"; }
	);
	EOF
}

daemon_start() {
	bg_run lb vshealthd "$VSHEALTHD" -n -f "$CONF" --pidfile "$VS_TMP/vsh.pid"
	VSH_PID=$!
	wait_for_file "$VS_TMP/vsh.pid"
}

t_setup() {
	local s
	vsadm -A -t "$VIP:80" -s wrr --warmup 8
	for s in "${SERVER_IPS[@]}"; do vsadm -a -t "$VIP:80" -r "$s:80" -m -w 10; done
	write_conf
	pp "$VSHEALTHD" -t -f "$CONF"
	daemon_start
	# Every server has the daemon's opinion (reason "ok", set by it)
	# before the first fault: the quorum's first decision waits for it.
	check "vshealthd has checked all three servers" \
		wait_until 20 _all_checked
	check_eq "all up under vshealthd: 60 requests 20/20/20" \
		"$(requests 60)" "s1=20 s2=20 s3=20 "
}
_all_checked() {
	local s
	for s in "${SERVER_IPS[@]}"; do
		[[ $(dest_field "$s" reason) == ok ]] || return 1
	done
}

# transition IP CHECK STATE N: judge the CHECK's last transition of real
# server IP:80 to STATE from the daemon's probe history (vshealthd --show
# -j): it came with the N-th consecutive result of its kind, and the
# probes around it kept the pace the daemon keeps when nothing happens
# (the median gap between the results of the run up to the transition
# is at most twice the median gap before it: a daemon that stalls or
# backs off after a failure doubles it; a slow host slows both). Prints
# "RUN GAPS_MEDIAN_MS BASE_MEDIAN_MS" or a reason why it cannot.
transition() {
	nsq lb "$VSHEALTHD" --show -j -f "$CONF" | python3 -c '
import json, statistics, sys
ip, check, state, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
for svc in json.load(sys.stdin)["services"]:
    for d in svc["servers"]:
        if d["server"] != ip + ":80":
            continue
        for c in d["checks"]:
            if c["check"] != check:
                continue
            if c["state"] != state or "for_s" not in c:
                print("state", c["state"]); sys.exit()
            h = c["history"]
            j = min(range(len(h)), key=lambda i: abs(h[i]["ago_s"] - c["for_s"]))
            if abs(h[j]["ago_s"] - c["for_s"]) > 0.0015:
                print("transition-not-in-history"); sys.exit()
            up = h[j]["up"]
            k = j
            while k > 0 and h[k - 1]["up"] == up:
                k -= 1
            if k == 0:
                print("history-too-short"); sys.exit()
            at = [-e["ago_s"] for e in h]
            run = [at[i] - at[i - 1] for i in range(k, j + 1)]
            base = [at[i] - at[i - 1] for i in range(1, k)]
            if len(base) < 3:
                print("too-few-probes-before", len(base)); sys.exit()
            print(j - k + 1, round(statistics.median(run) * 1000),
                  round(statistics.median(base) * 1000))
            sys.exit()
print("not-found")
' "$1" "$2" "$3" "$4"
}

# check_transition NAME IP CHECK STATE N
check_transition() {
	local got run gap base
	got=$(transition "$2" "$3" "$4" "$5")
	read -r run gap base <<<"$got"
	echo "# $3 on $2: $4 with result $run of a run; probe gaps ${gap:-?} ms, ${base:-?} ms before"
	check_eq "$1: $4 at result $5 of a run, not before or after (daemon's history)" "$run" "$5"
	[[ $gap =~ ^[0-9]+$ && $base =~ ^[0-9]+$ ]] || gap=x base=0
	check_range "$1: ...and the probes kept their pace (gap ${gap} ms, at most 2 x ${base} ms)" \
		"$gap" 1 $((2 * base))
}

# A dead server leaves rotation after fall failed probes at the probe
# interval, the kernel follows the daemon's verdict, and no client fails
# after that. The wall-clock time is printed, not judged.
t_kill_and_return() {
	local ms
	server_stop 1
	ms=$(wait_state "${SERVER_IPS[0]}" down 60) || ms=timeout
	echo "# s1 down in the kernel after ${ms} ms"
	check_transition "killed s1" "${SERVER_IPS[0]}" web down "$FALL"
	check_eq "...reason names the failure" \
		"$(dest_field "${SERVER_IPS[0]}" reason | grep -ci -e refused -e connect)" 1
	check_eq "...and no request fails after that: 60 go to s2 and s3" \
		"$(requests 60)" "s2=30 s3=30 "
	check_eq "...the admin weight is untouched" \
		"$(dest_field "${SERVER_IPS[0]}" weight)" 10

	server_start 1
	# State and effective weight from one listing: the first one that
	# shows s1 warming.
	local start=${EPOCHREALTIME/./} got s1 w0 w1 lo hi
	WARM=
	wait_until 60 _warming_seen "${SERVER_IPS[0]}" || WARM="timeout 0"
	echo "# s1 warming in the kernel after $(((${EPOCHREALTIME/./} - start) / 1000)) ms: $WARM"
	# Warm-up ramps the effective weight over 8 s: s1's share of 42
	# requests lies between what the weights before and after them
	# give (wrr, the other two at 10), whatever time they took.
	w0=${WARM#* }
	got=$(requests 42)
	w1=$(dest_field "${SERVER_IPS[0]}" eff_weight)
	s1=$(grep -o 's1=[0-9]*' <<<"$got" | cut -d= -f2)
	lo=$((42 * w0 / (w0 + 20) - 2)) hi=$((42 * w1 / (w1 + 20) + 2))
	echo "# warming: $got (effective weight $w0 before, $w1 after)"
	check "warm-up: s1 listed warming at a reduced weight ($w0 of 10)" \
		test "$w0" -lt 10
	check_range "warm-up: s1's share of 42 follows the ramp (weights $w0..$w1)" \
		"${s1:-0}" $((lo < 1 ? 1 : lo)) "$hi"
	check_transition "restarted s1" "${SERVER_IPS[0]}" web up "$RISE"
	wait_state "${SERVER_IPS[0]}" up 30 >/dev/null || true
	check_eq "after the warm-up, 60 requests 20/20/20 again" \
		"$(requests 60)" "s1=20 s2=20 s3=20 "
}

# Quorum 25 of 3 x 10: reached at start, lost while s1 was dead (20),
# reached again when it came back; each time the command ran once.
t_quorum() {
	local got
	got=$(tr '\n' ' ' <"$VS_TMP/quorum" 2>/dev/null || true)
	# Reached at start (30: t_setup waited for every opinion), lost
	# while s1 was dead (20 < 25), reached again when it came back.
	check_eq "quorum commands: reached at start, lost without s1, reached again" \
		"$got" "up 30 down 20 up 30 "
}

# The operator changes a dead server's weight: it stays out of rotation
# and comes back with the new weight (health never touches the admin
# weight, the admin never resurrects a dead server).
t_weight_during_outage() {
	server_stop 1
	wait_state "${SERVER_IPS[0]}" down 10 >/dev/null || true
	vsadm -e -t "$VIP:80" -r "${SERVER_IPS[0]}:80" -m -w 5
	check_eq "weight 5 set during the outage: s1 stays down" \
		"$(dest_field "${SERVER_IPS[0]}" state)" down
	check_eq "...takes no traffic: 20 requests to s2 and s3" \
		"$(requests 20)" "s2=10 s3=10 "
	server_start 1
	wait_state "${SERVER_IPS[0]}" up 15 >/dev/null || true
	check_eq "...and returns with effective weight 5" \
		"$(dest_field "${SERVER_IPS[0]}" eff_weight)" 5
	vsadm -e -t "$VIP:80" -r "${SERVER_IPS[0]}:80" -m -w 10
}

# What an operator reads: the control socket and the metrics endpoint.
t_observability() {
	local out
	out=$(nsq lb "$VSHEALTHD" --show -f "$CONF" 2>&1 || true)
	head -n 12 <<<"$out" | sed 's/^/# /'
	check_eq "vshealthd --show lists the three servers" \
		"$(grep -c -e "${SERVER_IPS[0]}" -e "${SERVER_IPS[1]}" \
			-e "${SERVER_IPS[2]}" <<<"$out" | awk '{print ($1 >= 3)}')" 1
	out=$(nsq lb curl -sS -m 5 http://127.0.0.1:9469/metrics 2>&1 || true)
	check_eq "metrics: vshealthd_server_up is 1 for the three servers" \
		"$(grep -c '^vshealthd_server_up{.*} 1$' <<<"$out" || true)" 3
	check_eq "metrics: HTTP check results are counted" \
		"$(grep -c '^vshealthd_check_results_total{.*check="web".*result="up".*} [1-9]' \
			<<<"$out" || true)" 3
}

# A server that accepts connections but answers 500 is down for the
# HTTP check. Quiesce (the default) lets its long connection finish.
_slow_on() { [[ $(nsq lb "$VSADM" -Lnc) == *"$1:80"*ESTABLISHED* ]]; }
t_http_500_quiesce() {
	local pid out
	# rr state restarts at the first server on a rebuild: be explicit.
	nsq client "$CLIENT" -n 1 -t 90000 -p "/slow?ms=60000" "$VIP:80" \
		>"$VS_TMP/slow1" 2>/dev/null &
	pid=$!
	wait_until 10 _established_any
	out=$(nsq lb "$VSADM" -Lnc | awk '/ESTABLISHED/ && !f {print $NF; f = 1}')
	local ip=${out%:*} i
	for i in 1 2 3; do [[ ${SERVER_IPS[i - 1]} == "$ip" ]] && break; done
	server_status "$i" 500
	check "HTTP 500: s$i marked down" wait_state "$ip" down 10
	check "quiesce: the connection is still open" kill -0 "$pid"
	server_release "$i"
	check "quiesce: the established connection still completes" wait "$pid"
	check_eq "...with its answer from s$i" "$(head -n1 "$VS_TMP/slow1")" "s$i 1"
	server_status "$i"
	check "s$i up again" wait_state "$ip" warming 10
	wait_state "$ip" up 15 >/dev/null || true
}
_established_any() { [[ $(nsq lb "$VSADM" -Lnc) == *ESTABLISHED* ]]; }

# Immediate mode: a server that goes down has its connections reset.
t_down_reset() {
	local pid out ip i rc=0 start
	vsadm -E -t "$VIP:80" --down-policy reset
	nsq client "$CLIENT" -n 1 -t 20000 -p "/slow?ms=15000" "$VIP:80" \
		>/dev/null 2>&1 &
	pid=$!
	wait_until 10 _established_any
	out=$(nsq lb "$VSADM" -Lnc | awk '/ESTABLISHED/ && !f {print $NF; f = 1}')
	ip=${out%:*}
	for i in 1 2 3; do [[ ${SERVER_IPS[i - 1]} == "$ip" ]] && break; done
	start=$SECONDS
	server_status "$i" 500
	wait "$pid" || rc=$?
	check "down-reset: the client's connection is reset (vs-client fails)" \
		test "$rc" -ne 0
	# The server answers after 15 s, the client gives up after 20 s:
	# a reset is what ends it sooner.
	check "...before the server's answer was due ($((SECONDS - start)) s of 15)" \
		test $((SECONDS - start)) -lt 15
	check_eq "...and the server saw it end: no entry left" \
		"$(nsq lb "$VSADM" -Lnc | grep -c "$ip:80.*ESTABLISHED" || true)" 0
	server_status "$i"
	wait_state "$ip" up 15 >/dev/null || true
	vsadm -E -t "$VIP:80" --down-policy quiesce
}

# An agent reporting load above the threshold takes its server out.
t_agent() {
	agent_say 2 "cpu=95 mem=20"
	check "agent cpu=95: s2 down" wait_state "${SERVER_IPS[1]}" down 10
	check_eq "...reason is the agent's" \
		"$(dest_field "${SERVER_IPS[1]}" reason | grep -c cpu)" 1
	agent_say 2 "cpu=40 mem=20"
	check "agent cpu=40: s2 back" wait_state "${SERVER_IPS[1]}" warming 10
	agent_say 2 "75%"
	wait_state "${SERVER_IPS[1]}" up 15 >/dev/null || true
	check_eq "agent 75%: effective weight 7 of 10" \
		"$(dest_field "${SERVER_IPS[1]}" eff_weight)" 7
	agent_say 2 "up"
	wait_until 10 _eff_is "${SERVER_IPS[1]}" 10 || true
}
_eff_is() { [[ $(dest_field "$1" eff_weight) == "$2" ]]; }

# Sorry server: used only while no other server is usable.
t_sorry() {
	vsadm -d -t "$VIP:80" -r "${SERVER_IPS[2]}:80"
	vsadm -a -t "$VIP:80" -r "${SERVER_IPS[2]}:80" -m -w 1 --sorry
	check_eq "a sorry server gets nothing while others are up" \
		"$(requests 20)" "s1=10 s2=10 "
	server_status 1 500
	server_status 2 500
	wait_state "${SERVER_IPS[0]}" down 10 >/dev/null || true
	wait_state "${SERVER_IPS[1]}" down 10 >/dev/null || true
	check_eq "every server down: the sorry server answers" \
		"$(requests 10)" "s3=10 "
	server_status 1
	server_status 2
	wait_state "${SERVER_IPS[0]}" warming 10 >/dev/null || true
	wait_state "${SERVER_IPS[1]}" warming 10 >/dev/null || true
	vsadm -d -t "$VIP:80" -r "${SERVER_IPS[2]}:80"
	vsadm -a -t "$VIP:80" -r "${SERVER_IPS[2]}:80" -m -w 10
	wait_state "${SERVER_IPS[0]}" up 15 >/dev/null || true
	wait_state "${SERVER_IPS[1]}" up 15 >/dev/null || true
}

# The daemon follows a server added with vsadm while it runs.
t_follow_vsadm() {
	vsadm -d -t "$VIP:80" -r "${SERVER_IPS[2]}:80"
	server_status 3 500
	vsadm -a -t "$VIP:80" -r "${SERVER_IPS[2]}:80" -m -w 10
	check "a server added with vsadm is checked: broken s3 marked down" \
		wait_state "${SERVER_IPS[2]}" down 10
	server_status 3
	wait_state "${SERVER_IPS[2]}" up 15 >/dev/null || true
}

# Drain: nothing new, deleted once its flows end, or reset at the deadline.
t_drain() {
	local pid rc=0 start ms
	nsq client "$CLIENT" -n 1 -t 90000 -p "/slow?ms=60000" "$VIP:80" \
		>/dev/null 2>&1 &
	pid=$!
	wait_until 10 _established_any
	local out ip
	out=$(nsq lb "$VSADM" -Lnc | awk '/ESTABLISHED/ && !f {print $NF; f = 1}')
	ip=${out%:*}
	if [[ -z $ip ]]; then
		_not_ok "draining: a connection was open to drain"
		wait "$pid" || true
		return
	fi
	vsadm -e -t "$VIP:80" -r "$ip:80" --drain 60
	check_eq "draining: listed as draining" "$(dest_field "$ip" state)" draining
	check_eq "draining: new connections go elsewhere" \
		"$(requests 20 | grep -c "s$((${ip##*.} - 10))=" || true)" 0
	server_release "$((${ip##*.} - 10))"
	check "draining: the open connection finishes" wait "$pid"
	check "drained: removed once its flow ended" wait_until 5 _gone "$ip"
	vsadm -a -t "$VIP:80" -r "$ip:80" -m -w 10

	nsq client "$CLIENT" -n 1 -t 20000 -p "/slow?ms=15000" "$VIP:80" \
		>/dev/null 2>&1 &
	pid=$!
	wait_until 10 _established_any
	out=$(nsq lb "$VSADM" -Lnc | awk '/ESTABLISHED/ && !f {print $NF; f = 1}')
	ip=${out%:*}
	if [[ -z $ip ]]; then
		_not_ok "drain deadline: a connection was open to drain"
		wait "$pid" || true
		return
	fi
	start=${EPOCHREALTIME/./}
	vsadm -e -t "$VIP:80" -r "$ip:80" --drain 2
	wait "$pid" || rc=$?
	ms=$(((${EPOCHREALTIME/./} - start) / 1000))
	check "drain deadline: the remaining connection is reset" test "$rc" -ne 0
	check_range "...at the 2 s deadline, before the 15 s answer (ms)" \
		"$ms" 2000 14999
	check "...and the server removed" wait_until 5 _gone "$ip"
	vsadm -a -t "$VIP:80" -r "$ip:80" -m -w 10
}

# Restarting the daemon changes nothing it finds until it has an opinion;
# a bad config on SIGHUP is refused and the old one keeps running.
t_daemon_lifecycle() {
	local before after
	server_status 3 500
	wait_state "${SERVER_IPS[2]}" down 10 >/dev/null || true
	before=$(nsq lb "$VSADM" -Sn)
	pp kill "$VSH_PID"
	wait "$VSH_PID" 2>/dev/null || true
	check_eq "stopping the daemon leaves s3 down" \
		"$(dest_field "${SERVER_IPS[2]}" state)" down
	rm -f "$VS_TMP/vsh.pid"
	daemon_start
	check_eq "a restarted daemon keeps s3 down (no flap to up)" \
		"$(dest_field "${SERVER_IPS[2]}" state)" down
	after=$(nsq lb "$VSADM" -Sn)
	check_eq "vsadm -S is the same before and after (admin weights)" \
		"$after" "$before"
	server_status 3
	check "...and brings it back when it is healthy" \
		wait_state "${SERVER_IPS[2]}" warming 10

	echo 'checks = { web = { type = "http"; interval = -1; }; };' >"$CONF"
	pp kill -HUP "$VSH_PID"
	sleep 1
	check "a bad config on SIGHUP: the daemon keeps running" \
		kill -0 "$VSH_PID"
	server_status 3 500
	check "...with the old config: broken s3 still marked down" \
		wait_state "${SERVER_IPS[2]}" down 10
	server_status 3
	wait_state "${SERVER_IPS[2]}" up 15 >/dev/null || true
	write_conf
}

# Module reload: the daemon re-syncs once the config is restored.
t_module_reload() {
	local saved=$VS_TMP/saved
	if [[ -z ${VSCHED_MODULE:-} ]]; then
		check "module reload (needs VSCHED_MODULE)" false
		return
	fi
	nsq lb "$VSADM" -Sn >"$saved"
	vsadm -C
	pp rmmod vsched
	pp insmod "$VSCHED_MODULE"
	n_lb "$VSADM" -R <"$saved"
	check_eq "restored after reload: 60 requests 20/20/20" \
		"$(requests 60)" "s1=20 s2=20 s3=20 "
	server_status 2 500
	check "after rmmod/insmod the daemon checks again: s2 down" \
		wait_state "${SERVER_IPS[1]}" down 15
	check "...and the daemon survived" kill -0 "$VSH_PID"
	server_status 2
	wait_state "${SERVER_IPS[1]}" up 15 >/dev/null || true
}

all=(t_setup t_kill_and_return t_quorum t_weight_during_outage
     t_observability t_http_500_quiesce t_down_reset t_agent t_sorry
     t_follow_vsadm t_drain t_daemon_lifecycle t_module_reload)
(($#)) && all=(t_setup "$@")
topology_up 3
run_tests "${all[@]}"
nsq lb "$VSHEALTHD" --show -f "$CONF" || true
vsadm -Ln
vsadm -C
summary
