#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bad input end to end, inside the test VM (tests/vm/run.sh), on the
# standard topology (topology.sh: client -- lb -- s1..s2):
#  - vs-nlfuzz sends fixed-seed malformed and valid netlink messages to
#    the family in a namespace of its own; every invalid one must be
#    rejected with an extack message and the configuration afterwards
#    must be what the valid ones made;
#  - vs-pktfuzz sends malformed packets from the client's link to the VIP
#    (and spoofed "replies" from a real server) while the real client
#    keeps requesting through the VIP: it must see no error;
#  - the kernel logs no fault.
# FUZZ_FULL=1 runs the full figures (100,000 messages, 200,000 packets);
# FUZZ_SEED changes the seed (default 1). Last line: "N passed, N failed".
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/e2e/lib.sh
. "$here/lib.sh"
# shellcheck source=tests/e2e/topology.sh
. "$here/topology.sh"
CLIENT=$VS_TOOLS/vs-client
SEED=${FUZZ_SEED:-1}
if [[ ${FUZZ_FULL:-0} == 1 ]]; then
	NL_COUNT=100000 PKT_COUNT=200000
else
	NL_COUNT=5000 PKT_COUNT=15000
fi
FAULTS='BUG:|WARNING:|Oops|general protection|kernel BUG|UBSAN:|KASAN:|refcount_t:|list_(add|del) corruption'

vsadm() { n_lb "$VSADM" "$@"; }
# comment TEXT: TEXT with "# " before each line (TAP comments).
comment() { printf '# %s\n' "${1//$'\n'/$'\n'# }"; }

[[ -x $VS_TOOLS/vs-nlfuzz && -x $VS_TOOLS/vs-pktfuzz ]] ||
	pp make -s -C "$VS_TOOLS"

# The kernel's log lines that name a fault, since the scenario began.
faults() { dmesg | tail -n +"$DMESG_START" | grep -E "$FAULTS" || true; }
DMESG_START=$(($(dmesg | wc -l) + 1))

t_netlink() {
	local out rc=0 dyn=/sys/kernel/debug/dynamic_debug/control

	ns_add nl
	# The full tier creates far more objects than the log holds: their
	# created/destroyed lines would push out those run.sh counts.
	if [[ ${FUZZ_FULL:-0} == 1 && -w $dyn ]]; then
		echo 'module vsched -p' >"$dyn"
	fi
	out=$(nsx nl "$VS_TOOLS/vs-nlfuzz" -s "$SEED" -n "$NL_COUNT") || rc=$?
	if [[ ${FUZZ_FULL:-0} == 1 && -w $dyn ]]; then
		echo 'module vsched +p' >"$dyn"
	fi
	comment "$out"
	check_eq "netlink fuzzer: $NL_COUNT messages, no violation (exit code)" "$rc" 0
	check "netlink fuzzer: the configuration is what the valid messages made" \
		grep -q 'configuration matches the model' <<<"$out"
	check "netlink fuzzer: FLUSH left nothing" \
		grep -q '; 0 services after FLUSH$' <<<"$out"
	check_eq "netlink fuzzer: no kernel fault" "$(faults)" ""
	pp ip netns del "$(ns_name nl)"
}

# A legitimate client requesting through the VIP until $VS_TMP/stop exists:
# TCP (a connection each) and UDP, tallied in legit.ok / legit.fail.
legit_loop() {
	local n=0
	while [[ ! -e $VS_TMP/stop ]]; do
		if nsq client "$CLIENT" -n 5 -t 5000 "$VIP:80" >/dev/null 2>>"$VS_TMP/legit.err" &&
			nsq client "$CLIENT" -u -n 2 -t 5000 "$VIP:80" >/dev/null 2>>"$VS_TMP/legit.err"; then
			n=$((n + 7))
			echo "$n" >"$VS_TMP/legit.ok"
		else
			echo x >>"$VS_TMP/legit.fail"
		fi
	done
}

t_packets() {
	local s mac out rc=0 pid ok fails
	vsadm -A -t "$VIP:80" -s rr
	vsadm -A -u "$VIP:80" -s rr
	for s in "${SERVER_IPS[@]}"; do
		vsadm -a -t "$VIP:80" -r "$s:80" -m
		vsadm -a -u "$VIP:80" -r "$s:80" -m
	done
	check "the client reaches the VIP before fuzzing" \
		nsq client "$CLIENT" -n 10 -t 5000 "$VIP:80"

	mac=$(nsq lb cat /sys/class/net/veth-c/address)
	legit_loop &
	pid=$!
	# Fake clients are 198.18.1.100-199; the real one is .2.
	out=$(nsx client "$VS_TOOLS/vs-pktfuzz" -i veth-c -m "$mac" \
		-v "$VIP:80" -r "${SERVER_IPS[0]}:80" -c 198.18.1.100 \
		-s "$SEED" -n "$PKT_COUNT" -p 1500) || rc=$?
	touch "$VS_TMP/stop"
	wait "$pid" || true
	comment "$out"
	ok=$(cat "$VS_TMP/legit.ok" 2>/dev/null || echo 0)
	fails=0
	[[ -e $VS_TMP/legit.fail ]] && fails=$(wc -l <"$VS_TMP/legit.fail")
	echo "# legitimate client: $ok requests answered, $fails rounds failed"
	((fails == 0)) || grep -v ' ok, 0 failed' "$VS_TMP/legit.err" | sed 's/^/#   /' | head -n 10 || true
	check_eq "packet fuzzer ran ($PKT_COUNT packets)" "$rc" 0
	check_eq "the legitimate client saw no error while fuzzing" "$fails" 0
	check_range "the legitimate client kept being served" "$ok" 7 100000000
	check "the client still reaches the VIP after fuzzing" \
		nsq client "$CLIENT" -n 10 -t 5000 "$VIP:80"
	vsadm -Ln --stats || true
	check_eq "packet fuzzer: no kernel fault" "$(faults)" ""
	vsadm -C
}

topology_up 2
all=(t_netlink t_packets)
(($#)) && all=("$@")
run_tests "${all[@]}"
summary
