#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The vsched demo, run inside the test VM (tests/demo/run-demo.sh boots it):
# three web servers behind the VIP 198.18.100.1:80, configured with vsadm
# in ipvsadm syntax; 300 requests from the client per round:
#
#   round 1  rr, weights 1:1:1         expect 100/100/100
#   round 2  wrr, weights 3:2:1        expect 150/100/50
#   round 3  s3 deleted (wrr, 3:2)     expect 180/120/0
#   round 4  vshealthd running, s2's web server killed: marked down,
#            expect 300/0/0 and no failed request
#   round 5  s2 restarted: back up     expect 180/120/0
#
# Exits 0 only if every distribution matches (within +-TOLERANCE requests
# per server; a deleted server must get none). VS_DEMO_CLIENT=curl uses
# one curl per request instead of vs-client (slower under TCG).
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
# shellcheck source=tests/e2e/lib.sh
. "$HERE/../e2e/lib.sh"
# shellcheck source=tests/e2e/topology.sh
. "$HERE/../e2e/topology.sh"

REQUESTS=300
TOLERANCE=${VS_DEMO_TOLERANCE:-3}
CLIENT=${VS_DEMO_CLIENT:-vs-client}
SVC=$VIP:80
ROWS=()

[[ -x $VSADM ]] || { echo "vsadm not found at $VSADM: build it first" >&2; exit 1; }

vsadm() { n_lb "$VSADM" "$@"; }

banner() { printf '\n=== %s ===\n' "$*"; }

# Send $REQUESTS requests to the VIP from the client; print "name count".
fetch() {
	local i
	if [[ $CLIENT == curl ]]; then
		printf '>>> [client] %d x curl http://%s/\n' "$REQUESTS" "$SVC" >&2
		for ((i = 0; i < REQUESTS; i++)); do
			nsq client curl -s --max-time 3 "http://$SVC/" || echo FAILED
		done | sort | uniq -c | awk '{print $2, $1}'
	else
		n_client "$VS_TOOLS/vs-client" --allow-fail -t 3000 -n "$REQUESTS" "$SVC"
	fi
}

# round LABEL WANT_S1 WANT_S2 WANT_S3
round() {
	local label=$1 out got=() i ok=1 want
	shift
	banner "$label: $REQUESTS requests to $SVC"
	out=$(fetch)
	for i in 1 2 3; do
		got[i]=$(awk -v s="s$i" '$1 == s {print $2}' <<<"$out")
		got[i]=${got[i]:-0}
	done
	for i in 1 2 3; do
		want=${!i}
		if ((want == 0)); then
			check_eq "$label: s$i gets no requests" "${got[i]}" 0 || true
			((got[i] == 0)) || ok=0
		else
			check_range "$label: s$i gets $want (+-$TOLERANCE)" "${got[i]}" \
				$((want - TOLERANCE)) $((want + TOLERANCE))
			((got[i] >= want - TOLERANCE && got[i] <= want + TOLERANCE)) || ok=0
		fi
	done
	other=$(awk '$1 !~ /^s[123]$/ {n += $2} END {print n + 0}' <<<"$out")
	check_eq "$label: every request answered" "$other" 0
	((other == 0)) || ok=0
	ROWS+=("$(printf '%-22s %5s %5s %5s   %-12s %s' "$label" "${got[1]}" \
		"${got[2]}" "${got[3]}" "$1/$2/$3" "$( ((ok)) && echo ok || echo MISMATCH)")")
}

banner "topology: client -- lb -- s1 s2 s3 (VIP $VIP on no interface)"
topology_up 3

banner "round-robin service, three masqueraded real servers"
vsadm -A -t "$SVC" -s rr
for i in 1 2 3; do
	vsadm -a -t "$SVC" -r "$(server_ip "$i"):80" -m -w 1
done
vsadm -Ln
round "rr 1:1:1" 100 100 100

banner "switch to weighted round-robin, weights 3:2:1"
vsadm -E -t "$SVC" -s wrr
vsadm -e -t "$SVC" -r "$(server_ip 1):80" -m -w 3
vsadm -e -t "$SVC" -r "$(server_ip 2):80" -m -w 2
vsadm -e -t "$SVC" -r "$(server_ip 3):80" -m -w 1
vsadm -Ln
round "wrr 3:2:1" 150 100 50

banner "delete real server s3"
vsadm -d -t "$SVC" -r "$(server_ip 3):80"
vsadm -Ln
round "wrr 3:2, s3 deleted" 180 120 0

banner "health checking: vshealthd probes HTTP every 0.5 s (fall 2, rise 2)"
VSHEALTHD=$VS_ROOT/userspace/vshealthd/vshealthd
cat >"$VS_TMP/vshealthd.conf" <<CONF
daemon = { control = "$VS_TMP/vshealthd.sock"; };
checks = {
	web = { type = "http"; path = "/"; status = "200-299";
		interval = 0.5; timeout = 0.4; rise = 2; fall = 2; };
};
services = ( { service = "tcp $SVC"; checks = [ "web" ]; } );
CONF
cat "$VS_TMP/vshealthd.conf"
bg_run lb vshealthd "$VSHEALTHD" -n -f "$VS_TMP/vshealthd.conf" \
	--pidfile "$VS_TMP/vshealthd.pid"
wait_for_file "$VS_TMP/vshealthd.pid"
_s2_is() { [[ $(vsadm -Ln) == *"$(server_ip 2):80"*" $1 "* ]]; }
wait_until 10 _s2_is up || true
banner "kill s2's web server"
server_stop 2
start=${EPOCHREALTIME/./}
wait_until 10 _s2_is down || true
printf 'vshealthd marked s2 down after %d ms\n' \
	$(((${EPOCHREALTIME/./} - start) / 1000))
vsadm -Ln
round "wrr 3:2, s2 killed" 300 0 0
banner "restart s2's web server"
server_start 2
wait_until 10 _s2_is up || true
vsadm -Ln
round "wrr 3:2, s2 back" 180 120 0

banner "statistics"
vsadm -Ln --stats || true
vsadm -C

banner "summary ($REQUESTS requests per round, client: $CLIENT)"
printf '%-22s %5s %5s %5s   %-12s %s\n' round s1 s2 s3 expected result
printf '%s\n' "${ROWS[@]}"
echo
summary
