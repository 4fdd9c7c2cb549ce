#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Boot a Debian kernel under QEMU once and run one command inside it.
#
#   run.sh --kernel KVER [--module PATH.ko] [--mem 2G] [--cpus 2]
#          [--cmdline-extra "..."] [--no-debug] [--no-unload]
#          [--timeout SECONDS] [--idle SECONDS] [--accel auto|kvm|tcg]
#          -- CMD ARGS...
#
# The guest sees the host root read-only (virtio-9p) under a tmpfs overlay,
# so everything built on the host is there; /tmp is a fresh tmpfs. The
# command runs with cwd = the directory run.sh was called from. The run
# fails if the command fails, the module does not load or unload, the VM
# does not finish in time, or the kernel logged a warning, oops or slub
# report. The last line is the verdict: "vm: PASS ..." or "vm: FAIL ...".
#
# Three limits stop a guest, each named in the verdict: --idle (default
# 600 s; 900 on the debug kernel) without a byte on the console is a hang;
# a command that prints "vm-budget: N s" (tests/e2e/run.sh, its parts'
# budgets scaled by a calibration it measures in the guest) is stopped N s
# later; --timeout (default 1200 s; 5400 on the debug kernel) caps the
# whole run. When one fires, the report names the test that was running
# (the last "# t_..." and "# SCRIPT.sh" lines) and the times of the parts
# that finished ("# ... took N ms"), so a slow machine is told from a hang.
#
# KVER may be the debug kernel of the stress tier (*-vsched-debug, built by
# debug-kernel.sh): then lockdep must still be on at the end, and kmemleak
# must list no object allocated by the module (both checked after rmmod).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
CACHE=${VSCHED_CACHE:-/var/cache/vsched}

KVER=
MODULE=
MEM=
CPUS=2
CMDLINE_EXTRA=
DEBUG=1
UNLOAD=1
TIMEOUT=${VSCHED_VM_TIMEOUT:-}
IDLE=${VSCHED_VM_IDLE:-}
ACCEL=${VSCHED_ACCEL:-auto}

log() { printf '[vm] %s\n' "$*" >&2; }
usage() {
	sed -n '3,8s/^# \{0,1\}//p' "${BASH_SOURCE[0]}" >&2
	exit 2
}

ARGS=("$@")
while (($#)); do
	case $1 in
	--kernel) KVER=$2; shift 2 ;;
	--module) MODULE=$2; shift 2 ;;
	--mem) MEM=$2; shift 2 ;;
	--cpus) CPUS=$2; shift 2 ;;
	--cmdline-extra) CMDLINE_EXTRA=$2; shift 2 ;;
	--no-debug) DEBUG=0; shift ;;
	--no-unload) UNLOAD=0; shift ;;
	--timeout) TIMEOUT=$2; shift 2 ;;
	--idle) IDLE=$2; shift 2 ;;
	--accel) ACCEL=$2; shift 2 ;;
	--) shift; break ;;
	-h|--help) usage ;;
	*) log "unknown option $1"; usage ;;
	esac
done
(($#)) || usage
[[ -n $KVER ]] || usage
[[ $ACCEL =~ ^(auto|kvm|tcg)$ ]] || usage
# KASAN and lockdep make the debug kernel several times slower and KASAN
# takes an eighth of the memory for its shadow.
DEBUGK=0
[[ $KVER == *-vsched-debug ]] && DEBUGK=1
if ((DEBUGK)); then
	MEM=${MEM:-3G}
	TIMEOUT=${TIMEOUT:-5400}
	IDLE=${IDLE:-900}
fi
MEM=${MEM:-2G}
TIMEOUT=${TIMEOUT:-1200}
IDLE=${IDLE:-600}
if [[ -n $MODULE ]]; then
	[[ -f $MODULE ]] || { log "module $MODULE not found"; exit 1; }
	MODULE=$(realpath "$MODULE")
	vermagic=$(modinfo -F vermagic "$MODULE")
	[[ ${vermagic%% *} == "$KVER" ]] ||
		{ log "$MODULE is built for ${vermagic%% *}, not $KVER"; exit 1; }
fi
CWD=$(pwd -P)

# --- host prerequisites -------------------------------------------------
need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[[ -x /bin/busybox ]] && /bin/busybox --list | grep -qx switch_root ||
	need+=(busybox-static)
command -v cpio >/dev/null || need+=(cpio)
command -v xz >/dev/null || need+=(xz-utils)
command -v modinfo >/dev/null || need+=(kmod)
if ((${#need[@]})); then
	log "installing ${need[*]}"
	apt-get install -y --no-install-recommends "${need[@]}" >&2
fi

log "kernel $KVER"
"$HERE/kernels.sh" fetch "$KVER" >/dev/null
KROOT=$("$HERE/kernels.sh" root "$KVER")
VMLINUZ=$KROOT/boot/vmlinuz-$KVER

# --- initramfs: busybox + the modules needed to reach the host root -----
# Cached per kernel and per content of the init script.
initramfs_build() {
	local out=$1 dir m f
	dir=$(mktemp -d)
	mkdir -p "$dir"/{bin,dev,proc,sys,modules}
	cp /bin/busybox "$dir/bin/busybox"
	cp "$HERE/initramfs-init" "$dir/init"
	chmod 755 "$dir/init"
	: >"$dir/modules/order"
	for m in virtio_pci 9pnet_virtio 9p overlay; do
		modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" |
			awk '$1 == "insmod" {print $2}'
	done | while read -r f; do
		m=$(basename "$f")
		m=${m%.xz}
		m=${m%.zst}
		grep -qx "$m" "$dir/modules/order" && continue
		case $f in
		*.xz) xz -dc "$f" >"$dir/modules/$m" ;;
		*.zst) zstd -qdc "$f" >"$dir/modules/$m" ;;
		*) cp "$f" "$dir/modules/$m" ;;
		esac
		echo "$m" >>"$dir/modules/order"
	done
	log "initramfs modules: $(tr '\n' ' ' <"$dir/modules/order")"
	(cd "$dir" && find . -print0 | cpio --null -o -H newc --quiet) |
		gzip -1 >"$out.tmp"
	mv "$out.tmp" "$out"
	rm -rf "$dir"
}
mkdir -p "$CACHE/initramfs"
key=$(cat "$HERE/initramfs-init" /bin/busybox | sha256sum | cut -c1-12)
INITRD=$CACHE/initramfs/$KVER-$key.cpio.gz
if [[ ! -s $INITRD ]]; then
	log "building $INITRD"
	initramfs_build "$INITRD"
fi

# --- accelerator: KVM only if a probe boot reaches the initramfs --------
# /dev/kvm may open on hosts where a guest kernel then hangs (no VMX), so
# boot once with a short timeout and remember the answer for this host
# boot.
kvm_probe() {
	local boot_id verdict file=$CACHE/kvm-probe log
	boot_id=$(cat /proc/sys/kernel/random/boot_id)
	if [[ -r $file ]] && read -r id verdict <"$file" && [[ $id == "$boot_id" ]]; then
		echo "$verdict"
		return
	fi
	verdict=no
	if [[ -r /dev/kvm && -w /dev/kvm ]]; then
		log "probing KVM (40 s max)"
		log=$(mktemp)
		timeout -s KILL 40 qemu-system-x86_64 -enable-kvm -cpu host -m 256M \
			-nodefaults -nographic -no-reboot -serial "file:$log" -monitor none \
			-kernel "$VMLINUZ" -initrd "$INITRD" \
			-append "console=ttyS0 panic=-1 vsched_probe=1" \
			</dev/null >/dev/null 2>&1 || true
		grep -q VSCHED-PROBE-OK "$log" && verdict=yes
		rm -f "$log"
	fi
	echo "$boot_id $verdict" >"$file"
	echo "$verdict"
}
case $ACCEL in
auto) [[ $(kvm_probe) == yes ]] && ACCEL=kvm || ACCEL=tcg ;;
esac
if [[ $ACCEL == kvm ]]; then
	accel=(-accel kvm -cpu host)
else
	accel=(-accel tcg,thread=multi -cpu max)
fi
log "accelerator: $ACCEL"

# --- the job ------------------------------------------------------------
JOB=$(mktemp -d /tmp/vsched-vm.XXXXXX)
JOB_KEEP=
QPID=
cleanup() {
	[[ -n $QPID ]] && kill "$QPID" 2>/dev/null || true
	[[ -n ${VSCHED_VM_KEEP:-}${JOB_KEEP:-} ]] || rm -rf "$JOB"
}
trap cleanup EXIT
{
	printf 'KVER=%q\nKROOT=%q\nCWD=%q\nMODULE=%q\nUNLOAD=%q\n' \
		"$KVER" "$KROOT" "$CWD" "$MODULE" "$UNLOAD"
	printf 'CMD=('
	printf '%q ' "$@"
	printf ')\n'
} >"$JOB/job.env"

# A kernel log large enough for a whole suite: e2e/run.sh counts the
# module's "created" and "destroyed" lines from boot to rmmod, and the
# default 128 KiB wrapped once a scenario made 5,500 servers.
append="console=ttyS0 panic_on_warn=1 oops=panic panic=-1 log_buf_len=16M"
if ((DEBUG)); then
	append+=" slub_debug"
else
	append+=" slub_nomerge"
fi
# Real addresses in kmemleak's traces: kmemleak.sh recognises frames of an
# unloaded module by their address.
((DEBUGK)) && append+=" no_hash_pointers"
append+=" rdinit=/init vsched_stage2=$HERE/guest.sh $CMDLINE_EXTRA"
CONSOLE=$JOB/console.log
: >"$CONSOLE"

# watchdog: until QEMU exits, or kill it when a limit (see the top) is
# reached; STOPPED says which.
STOPPED=
watchdog() {
	local start=$SECONDS quiet=$SECONDS last=-1 size b='' budget_end=''
	while kill -0 "$QPID" 2>/dev/null; do
		sleep 2
		size=$(stat -c %s "$CONSOLE")
		((size != last)) && last=$size quiet=$SECONDS
		if [[ -z $budget_end ]] &&
			b=$(grep -a -o -m1 'vm-budget: [0-9]* s' "$CONSOLE"); then
			b=${b#vm-budget: } b=${b% s}
			budget_end=$((SECONDS + b))
			log "the command's budget: ${b}s from now"
		fi
		if ((SECONDS - quiet >= IDLE)); then
			STOPPED="no console output for ${IDLE}s: the guest hung"
		elif [[ -n $budget_end ]] && ((SECONDS >= budget_end)); then
			STOPPED="over the command's budget of ${b}s: a slow host or a hang"
		elif ((SECONDS - start >= TIMEOUT)); then
			STOPPED="timeout after ${TIMEOUT}s"
		fi
		if [[ -n $STOPPED ]]; then
			kill -KILL "$QPID" 2>/dev/null || true
			return
		fi
	done
}

# progress: where the command was, from its console output.
progress() {
	local out
	out=$(tr -d '\r' <"$CONSOLE")
	log "running when stopped: $(grep -E '^# [A-Za-z0-9_-]+\.sh$' <<<"$out" |
		tail -n1 | cut -c3-) $(grep -E '^# t_[A-Za-z0-9_]+$' <<<"$out" |
		tail -n1 | cut -c3-)"
	log "parts that finished, and their times:"
	grep -E '^# .* took [0-9]+ m?s$' <<<"$out" | sed 's/^# /    /' >&2 || true
}

log "booting: $ACCEL, $CPUS cpus, $MEM, timeout ${TIMEOUT}s, idle ${IDLE}s"
log "cmdline: $append"
log "command: $*"
t0=${EPOCHREALTIME/./}
qemu-system-x86_64 "${accel[@]}" \
	-smp "$CPUS" -m "$MEM" -nodefaults -nographic -no-reboot \
	-serial "file:$CONSOLE" -monitor none -nic none \
	-device virtio-rng-pci \
	-virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap" \
	-virtfs "local,path=$JOB,mount_tag=vsout,security_model=none" \
	-kernel "$VMLINUZ" -initrd "$INITRD" -append "$append" \
	</dev/null >"$JOB/qemu.log" 2>&1 &
QPID=$!
tail --pid="$QPID" -n +1 -f "$CONSOLE" &
TPID=$!
watchdog
qrc=0
wait "$QPID" || qrc=$?
wait "$TPID" || true
QPID=
t1=${EPOCHREALTIME/./}
secs=$(((t1 - t0) / 1000000))

# --- verdict ------------------------------------------------------------
# Kernel lines on the console carry the printk timestamp; matching only
# those keeps the command's own output from failing the run.
pattern='BUG:|WARNING:|Oops|general protection|Kernel panic|kernel BUG at|UBSAN:|KASAN:|BUG kmalloc|BUG [a-z_0-9-]+ \(|Redzone|Poison overwritten|Object padding|list_(add|del) corruption|refcount_t:'
# Lockdep and the sleep checker print reports, not WARN()s: no panic.
# Their headers say WARNING: or BUG:, except these (and "RCU lockdep
# checking is enabled" at boot is no report).
pattern+='|possible (circular|recursive) locking|inconsistent lock state|lockdep is turned off|non-static key|sleeping function called from invalid context'
bad=$( {
	tr -d '\r' <"$CONSOLE" | grep -E "^\[ *[0-9]+\.[0-9]+\] .*($pattern)" || true
	[[ -r $JOB/dmesg.log ]] && grep -E "$pattern" "$JOB/dmesg.log" || true
} | sort -u | head -n 20)

why=()
if [[ -n $STOPPED ]]; then
	why+=("$STOPPED")
	progress
elif ((qrc != 0)); then
	why+=("qemu exited with $qrc: $(tail -n 3 "$JOB/qemu.log" | tr '\n' ' ')")
fi
if [[ ! -e $JOB/finished ]]; then
	why+=("guest did not finish")
fi
rc=$(cat "$JOB/rc" 2>/dev/null || echo none)
[[ $rc == 0 ]] || why+=("command exit code $rc")
urc=$(cat "$JOB/unload_rc" 2>/dev/null || echo 0)
[[ $urc == 0 ]] || why+=("module unload failed")
if [[ -n $bad ]]; then
	why+=("kernel reported problems")
	log "kernel problems:"
	sed 's/^/    /' <<<"$bad" >&2
fi
if ((DEBUGK)); then
	if [[ ! -e $JOB/kmemleak-ours.log ]]; then
		[[ -e $JOB/finished ]] && why+=("kmemleak did not run")
	elif [[ -s $JOB/kmemleak-ours.log ]]; then
		why+=("kmemleak: $(grep -c '^unreferenced object' "$JOB/kmemleak-ours.log") objects of the module leaked")
		log "kmemleak, objects allocated by the module:"
		sed 's/^/    /' "$JOB/kmemleak-ours.log" >&2
	else
		log "kmemleak: no object of the module leaked ($(grep -c '^unreferenced object' "$JOB/kmemleak.log" || true) other reports)"
	fi
	locks=$(cat "$JOB/debug_locks" 2>/dev/null || echo none)
	if [[ $locks != 1 && -e $JOB/finished ]]; then
		why+=("lockdep was off at the end (debug_locks: $locks)")
	fi
fi
if [[ -s $JOB/dmesg-warn.log ]]; then
	log "dmesg at warn level and above (informative):"
	sed 's/^/    /' "$JOB/dmesg-warn.log" >&2
fi
if [[ -n ${VSCHED_VM_LOGDIR:-} ]]; then
	mkdir -p "$VSCHED_VM_LOGDIR"
	cp "$JOB"/*.log "$VSCHED_VM_LOGDIR"/ 2>/dev/null || true
	log "logs copied to $VSCHED_VM_LOGDIR"
fi

# QEMU's TCG and the kernel's text patching: a CPU sometimes meets the
# int3 of text_poke_bp() after the patch is complete ("Oops: int3" at a
# static branch: in sched_clock_cpu() at boot, with no module loaded, and
# in __ip_local_out() when the netfilter keys flipped). Emulation, not
# the code under test, which has no int3 of its own: the run is made
# again, once, and says so.
if ((${#why[@]})) && [[ $ACCEL == tcg && -z ${VSCHED_VM_RETRIED:-} ]] &&
	grep -q 'Oops: int3' <<<"$bad"; then
	log "logs kept in $JOB"
	log "retry: 'Oops: int3' under TCG (text patching met by another CPU), running again once"
	echo "vm: RETRY $KVER ($ACCEL, ${secs}s): Oops: int3 under TCG"
	QPID=
	trap - EXIT
	exec env VSCHED_VM_RETRIED=1 "$0" "${ARGS[@]}"
fi
if ((${#why[@]})); then
	log "logs kept in $JOB"
	JOB_KEEP=1
	echo "vm: FAIL $KVER ($ACCEL, ${secs}s): $(IFS=";"; echo "${why[*]}" | sed "s/;/; /g")"
	exit 1
fi
echo "vm: PASS $KVER ($ACCEL, ${secs}s): ${*}"
