# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# Helpers for vsched scenario scripts, in the manner of WireGuard's
# netns.sh. Source it from a bash script that runs as root inside the test
# VM:
#
#   . "$(dirname "$0")/../e2e/lib.sh"
#   ns_add client             # creates netns "vs<pid>-client" and n_client()
#   n_client ip addr          # prints ">>> [client] ip addr", runs it there
#   bg_run s1 httpd vs-httpd .. # background process, killed on exit
#   wait_for_listen s1 80
#   check "s1 answers" n_client curl -s http://...
#   check_eq "s1 count" "$got" 100
#   summary                   # "N passed, N failed"; non-zero if any failed
#
# Namespaces and background processes are removed by a trap on EXIT.
set -euo pipefail

VS_ROOT=${VS_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)}
VS_TOOLS=$VS_ROOT/tests/tools
VSADM=${VSADM:-$VS_ROOT/userspace/vsadm/vsadm}
VS_PREFIX=vs$$
VS_TMP=$(mktemp -d "/tmp/$VS_PREFIX.XXXXXX")
VS_PASSED=0
VS_FAILED=0
VS_NAMESPACES=()
VS_BG_PIDS=()
VS_BG_LABELS=()
VS_SUMMARY_DONE=0

# Print a command, then run it.
pp() {
	printf '>>> %s\n' "$*" >&2
	"$@"
}

# Run a command in the netns of a logical name, printing it first.
nsx() {
	local name=$1
	shift
	printf '>>> [%s] %s\n' "$name" "$*" >&2
	ip netns exec "$VS_PREFIX-$name" "$@"
}

# Same, silently (for polling loops and captured output).
nsq() {
	local name=$1
	shift
	ip netns exec "$VS_PREFIX-$name" "$@"
}

ns_name() { echo "$VS_PREFIX-$1"; }

# Create a namespace with loopback up and define n_NAME as its wrapper.
ns_add() {
	local name=$1
	[[ $name =~ ^[A-Za-z0-9_]+$ ]] || { echo "bad netns name $name" >&2; return 1; }
	pp ip netns add "$VS_PREFIX-$name"
	VS_NAMESPACES+=("$name")
	eval "n_$name() { nsx $name \"\$@\"; }"
	nsq "$name" ip link set lo up
}

# Run a command in the background in a namespace; it is killed on exit.
# Its output goes to $VS_TMP/LABEL.log.
bg_run() {
	local name=$1 label=$2
	shift 2
	printf '>>> [%s] %s &\n' "$name" "$*" >&2
	ip netns exec "$VS_PREFIX-$name" "$@" >"$VS_TMP/$label.log" 2>&1 &
	VS_BG_PIDS+=($!)
	VS_BG_LABELS+=("$label")
}

# VS_FACTOR: how much slower than the reference this guest runs, in
# percent (tests/e2e/run.sh measures it and exports it; 100 alone). The
# hang guards below scale with it: a wait that a quiet host ends in 2 s
# and a slow one in 6 s still has its 10 s on both.
VS_FACTOR=${VS_FACTOR:-100}

# wait_until SECONDS CMD...: poll CMD until it succeeds, for at most
# SECONDS x VS_FACTOR of wall time (at least three tries).
wait_until() {
	local end=$((${EPOCHREALTIME/./} + $1 * VS_FACTOR * 10000)) i=0
	shift
	until "$@"; do
		if ((++i >= 3 && ${EPOCHREALTIME/./} >= end)); then
			echo "timed out waiting for: $*" >&2
			return 1
		fi
		sleep 0.05
	done
}

_listening() {
	local name=$1 port=$2 proto=$3
	[[ -n $(nsq "$name" ss -H "-l${proto}n" "sport = :$port" 2>/dev/null) ]]
}

# wait_for_listen NAME PORT [t|u] [TIMEOUT]: a socket listens on PORT.
wait_for_listen() {
	wait_until "${4:-10}" _listening "$1" "$2" "${3:-t}"
}

wait_for_file() {
	wait_until "${2:-10}" test -e "$1"
}

# wait_s SECONDS CMD...: wait_until, polling every 0.2 s (for predicates
# that run programs).
wait_s() {
	local end=$((${EPOCHREALTIME/./} + $1 * VS_FACTOR * 10000)) i=0
	shift
	until "$@"; do
		((++i >= 3 && ${EPOCHREALTIME/./} >= end)) && return 1
		sleep 0.2
	done
}

# Objects in use in the connection cache (0 when the cache is gone).
slab_objs() {
	awk '$1 == "vsched_conn" { print $2; found = 1 }
	     END { if (!found) print 0 }' /proc/slabinfo
}

_ok() {
	VS_PASSED=$((VS_PASSED + 1))
	echo "ok - $1"
}

_not_ok() {
	VS_FAILED=$((VS_FAILED + 1))
	echo "not ok - $1"
}

# check NAME CMD...: CMD succeeds.
check() {
	local name=$1
	shift
	if "$@"; then _ok "$name"; else _not_ok "$name"; fi
}

# check_fail NAME CMD...: CMD fails.
check_fail() {
	local name=$1
	shift
	if "$@"; then _not_ok "$name"; else _ok "$name"; fi
}

# check_eq NAME GOT WANT
check_eq() {
	if [[ $2 == "$3" ]]; then
		_ok "$1"
	else
		_not_ok "$1"
		printf '#   got:  %s\n#   want: %s\n' "$2" "$3"
	fi
}

# check_range NAME GOT MIN MAX (integers, inclusive)
check_range() {
	if [[ $2 =~ ^[0-9]+$ ]] && (($2 >= $3 && $2 <= $4)); then
		_ok "$1"
	else
		_not_ok "$1"
		printf '#   got:  %s\n#   want: %s..%s\n' "$2" "$3" "$4"
	fi
}

# run_tests FN...: run each test function and time it. Its name goes to
# the kernel log as well ("vsched-e2e: SCRIPT FN"), so that a VM which
# times out shows on its console which test was running; the times are
# printed after each test and again by summary.
VS_TIMES=()
run_tests() {
	local t start ms
	for t in "$@"; do
		echo "# $t"
		echo "vsched-e2e: ${0##*/} $t" >/dev/kmsg 2>/dev/null || true
		start=${EPOCHREALTIME/./}
		"$t"
		ms=$(((${EPOCHREALTIME/./} - start) / 1000))
		echo "# $t took $ms ms"
		VS_TIMES+=("$t=$((ms / 1000)).$((ms % 1000 / 100))s")
	done
}

# Final line, exactly "N passed, N failed"; returns 1 if anything failed.
summary() {
	VS_SUMMARY_DONE=1
	((${#VS_TIMES[@]})) && echo "# times: ${VS_TIMES[*]}"
	echo "$VS_PASSED passed, $VS_FAILED failed"
	((VS_FAILED == 0 && VS_PASSED > 0))
}

vs_cleanup() {
	local rc=$? pid name i
	set +e
	# A daemon that died on its own (a crash, not our kill) is a
	# finding: show how it ended before its log goes.
	for i in "${!VS_BG_PIDS[@]}"; do
		pid=${VS_BG_PIDS[i]}
		kill -0 "$pid" 2>/dev/null && continue
		wait "$pid" 2>/dev/null
		case $? in
		0 | 127 | 143) ;;	# done, reaped by a test, or SIGTERMed
		*)
			echo "# background ${VS_BG_LABELS[i]} (pid $pid) died; its log ends:"
			tail -n 30 "$VS_TMP/${VS_BG_LABELS[i]}.log" 2>/dev/null |
				sed 's/^/#   /'
			;;
		esac
	done
	for pid in "${VS_BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	for pid in "${VS_BG_PIDS[@]}"; do
		wait "$pid" 2>/dev/null
	done
	for name in "${VS_NAMESPACES[@]}"; do
		ip netns del "$VS_PREFIX-$name" 2>/dev/null
	done
	rm -rf "$VS_TMP"
	if ((!VS_SUMMARY_DONE && rc != 0)); then
		echo "not ok - script aborted with status $rc"
		echo "$VS_PASSED passed, $((VS_FAILED + 1)) failed"
	fi
	exit "$rc"
}
trap vs_cleanup EXIT
