#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# PID 1 inside the test VM, after switch_root into the overlay of the host
# root. Reads the job from the writable 9p share (job.env, written by
# run.sh), loads the module, runs the command, saves its exit code, the
# output and dmesg to the share, and powers off.
#
# No set -e: if PID 1 exits the kernel panics, and we want a clean verdict.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8

say() { printf 'vsched-guest: %s\n' "$*"; }

halt() {
	sync
	say "powering off"
	busybox poweroff -f
	echo o >/proc/sysrq-trigger
	sleep 60
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
# The guest's /tmp is a fresh tmpfs; the host's stays reachable here, so
# that a job run from a checkout under /tmp finds it (below).
mkdir -p /.host-tmp && mount --bind /tmp /.host-tmp
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir -p /dev/pts /dev/shm /run/vsched
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
# devtmpfs lacks the links udev would make; bash process substitution
# needs /dev/fd.
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 vsout /run/vsched ||
	{ say "cannot mount the job share"; halt; }

# job.env defines KVER, KROOT, CWD, MODULE, UNLOAD and the CMD array.
# shellcheck source=/dev/null
. /run/vsched/job.env || { say "bad job.env"; halt; }
OUT=/run/vsched
HERE=$(dirname "$0")

# A job from under the host's /tmp: its top directory there, bound back.
case $CWD in
/tmp/?*)
	top=${CWD#/tmp/}
	top=/tmp/${top%%/*}
	mkdir -p "$top" && mount --bind "/.host-tmp${top#/tmp}" "$top" ||
		{ say "cannot bind $top from the host's /tmp"; halt; }
	;;
esac

mkdir -p "/lib/modules/$KVER"
mount --bind "$KROOT/lib/modules/$KVER" "/lib/modules/$KVER" ||
	{ say "cannot bind the modules of $KVER"; halt; }
hostname vsched-vm
ip link set lo up

# Kernel messages go to the console as they happen; keep user output on it
# too so the log on the host reads in order.
ldrc=0
if [[ -n $MODULE ]]; then
	modname=$(modinfo -F name "$MODULE")
	for dep in $(modinfo -F depends "$MODULE" | tr ',' ' '); do
		say "modprobe $dep"
		modprobe "$dep" || ldrc=1
	done
	say "insmod $MODULE"
	insmod "$MODULE" || ldrc=1
fi

rc=$ldrc
if ((ldrc == 0)); then
	say "running in $CWD: ${CMD[*]}"
	start=${EPOCHREALTIME/./}
	(cd "$CWD" && VSCHED_VM=1 VSCHED_KVER=$KVER VSCHED_MODULE=$MODULE \
		exec "${CMD[@]}") </dev/null 2>&1 |
		tee "$OUT/output.log"
	rc=${PIPESTATUS[0]}
	end=${EPOCHREALTIME/./}
	say "command exited with $rc after $(((end - start) / 1000)) ms"
else
	say "module load failed, command not run"
fi
echo "$rc" >"$OUT/rc"

# Debug kernel (kmemleak present): scan with the module still loaded (if
# the command left it), so that traces name it, and again after unloading.
leaks=
if [[ -n $MODULE && -w /sys/kernel/debug/kmemleak ]]; then
	leaks=$OUT/kmemleak.log
	state=unloaded
	grep -q "^$modname " /proc/modules && state=loaded
	say "kmemleak scan, $modname $state"
	"$HERE/kmemleak.sh" scan >"$leaks" 2>&1
fi

urc=0
if [[ -n $MODULE && $UNLOAD == 1 && $ldrc == 0 ]] &&
	grep -q "^$modname " /proc/modules; then
	say "rmmod $modname"
	rmmod "$modname" || urc=1
fi
echo "$urc" >"$OUT/unload_rc"

if [[ -n $leaks ]]; then
	say "kmemleak scan after unloading"
	"$HERE/kmemleak.sh" scan >>"$leaks" 2>&1
	"$HERE/kmemleak.sh" ours "$modname" <"$leaks" >"$OUT/kmemleak-ours.log"
fi
# Lockdep switches itself off after its first report (or when it runs out
# of table space): a checker that stopped checking is a failure too.
if [[ -r /proc/lockdep_stats ]]; then
	awk '/debug_locks:/ {print $2}' /proc/lockdep_stats >"$OUT/debug_locks"
fi

dmesg >"$OUT/dmesg.log"
dmesg --level=emerg,alert,crit,err,warn >"$OUT/dmesg-warn.log"
echo done >"$OUT/finished"
halt
