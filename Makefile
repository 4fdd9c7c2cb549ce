# SPDX-License-Identifier: GPL-2.0
# vsched: the module (through Kbuild), the userspace tools and the tests.
#   make [KVER=...]           build vsched.ko for KVER and vsadm
#   make install DESTDIR=...  module under lib/modules/KVER/updates, tools
#   make demo                 boot a VM and show the balancer working
#   make check                every test (unit, fuzz, KUnit, lint, DKMS,
#                             VM e2e)
#   make bench [QUICK=1]      vsched against IPVS, iptables, nftables and
#                             keepalived in one VM: tests/bench/results/
#   make stress [PARTS=...]   the hardening tests' full figures, KUnit under
#                             KASAN/lockdep, a debug kernel, minutes of
#                             each userspace fuzzer: tests/stress/

# The running kernel when its headers are there, else the newest headers.
KVER ?= $(shell if [ -e /lib/modules/$$(uname -r)/build ]; then uname -r; \
	else ls -d /usr/src/linux-headers-*-amd64 /var/cache/vsched/kernels/*/usr/src/linux-headers-*-amd64 2>/dev/null | \
	sed 's|.*/linux-headers-||' | sort -V | tail -n1; fi)
KDIR ?= $(firstword $(wildcard /lib/modules/$(KVER)/build \
	/usr/src/linux-headers-$(KVER) \
	/var/cache/vsched/kernels/$(KVER)/usr/src/linux-headers-$(KVER)))
DESTDIR ?=
PREFIX ?= /usr

all: module userspace

module:
	@test -n "$(KDIR)" || { echo "no kernel headers for '$(KVER)': apt-get install linux-headers-$(KVER)"; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) modules

userspace:
	$(MAKE) -C userspace

install: all
	install -D -m 0644 kmod/vsched.ko $(DESTDIR)/lib/modules/$(KVER)/updates/vsched.ko
	install -D -m 0644 uapi/linux/vsched.h $(DESTDIR)$(PREFIX)/include/linux/vsched.h
	$(MAKE) -C userspace install DESTDIR=$(DESTDIR) PREFIX=$(PREFIX)
	if [ -z "$(DESTDIR)" ]; then depmod -a $(KVER); fi

clean:
	-$(MAKE) -C $(KDIR) M=$(CURDIR) clean 2>/dev/null
	$(MAKE) -C userspace clean
	-$(MAKE) -C tests/tools clean

deps:
	scripts/deps.sh build

# The demo kernel is the newest 6.12; the module is built for it in a cache.
demo:
	scripts/deps.sh test
	$(MAKE) -s userspace
	kver=$$(tests/vm/kernels.sh list | grep '^6\.12\.' | tail -n1) && \
	module=$$(scripts/build-kmod.sh "$$kver") && \
	KVER=$$kver MODULE=$$module tests/demo/run-demo.sh

check:
	scripts/deps.sh test
	tests/check.sh

# Not part of check: minutes of emulated load, figures rather than verdicts.
QUICK ?= 0
bench:
	scripts/deps.sh bench
	QUICK=$(QUICK) tests/bench/run.sh

# Not part of check either: the hardening tests' full figures, KUnit under
# KASAN/lockdep and a debug kernel; an hour or more. PARTS=full|kunit|debug.
PARTS ?=
stress:
	scripts/deps.sh test
	tests/stress/run.sh $(PARTS)

.PHONY: all module userspace install clean deps demo check bench stress
