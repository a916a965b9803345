# pvbench. `make` builds bin/pvbench, the benchmark guest and the Linux guest (Debian's
# kernel, fetched, and an initramfs with busybox and workloads/linux); `make test` runs every test;
# `make run` runs `pvbench run --modes all`. Build dependencies come from `make deps`.

CC      ?= gcc
REV     := $(shell git describe --always --dirty 2>/dev/null || echo unknown)
WARN    := -Wall -Wextra -Werror
CFLAGS  ?= -O2 -g
HOST_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) -D_GNU_SOURCE -DPVBENCH_REV='"$(REV)"'
LDLIBS  := -lsqlite3 -lcpuid -lpfm -lmd -lZydis -lm
TEST_LIBS := -lcmocka -lunicorn
SAN     := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined

# The benchmark guest, from workloads/guest/ and one architecture's folder below it.
GUEST_CFLAGS := -std=gnu11 $(WARN) -O2 -g -ffreestanding -fno-pic -fno-pie -mgeneral-regs-only \
	-fno-stack-protector -fno-asynchronous-unwind-tables -fcf-protection=none -Iworkloads/guest
GUEST64_CFLAGS := $(GUEST_CFLAGS) -m64 -mno-red-zone -Iworkloads/guest/x86_64
GUEST32_CFLAGS := $(GUEST_CFLAGS) -m32 -march=i686 -Iworkloads/guest/i386
GUEST_LDFLAGS := -nostdlib -z max-page-size=0x1000 --no-warn-rwx-segments

# Debian packages the build, the tests and the peers need.
DEPS := gcc make pkg-config libsqlite3-dev libcpuid-dev libpfm4-dev libmd-dev libcmocka-dev libzydis-dev libunicorn-dev \
	qemu-system-x86 sqlite3 gnuplot-nox bochs bochsbios bochs-term vgabios grub-pc-bin grub-common xorriso mtools \
	cpio xz-utils libc6-dev gcc-multilib clang

LIB_SRC   := $(wildcard abi/*.c) $(wildcard util/*.c) $(wildcard vmm/*.c) $(wildcard vmm/x86/*.c) $(wildcard vmm/vmi/*.c vmm/vmi/*.S) $(wildcard modes/*.c) $(wildcard modes/*/*.c) $(wildcard lab/*.c) \
	$(wildcard collect/*.c) workloads/compute.c workloads/compute_mix.c workloads/callret.c
CLI_SRC   := $(wildcard cli/*.c)
GUEST_COMMON := $(wildcard workloads/guest/*.c) workloads/compute.c workloads/compute_mix.c workloads/callret.c
GUEST64_SRC := $(GUEST_COMMON) $(wildcard workloads/guest/x86_64/*.c workloads/guest/x86_64/*.S)
GUEST32_SRC := $(GUEST_COMMON) $(wildcard workloads/guest/i386/*.c workloads/guest/i386/*.S)
TEST_SRC  := $(wildcard tests/test_*.c)
HEADERS   := $(wildcard */*.h */*/*.h */*/*/*.h */*/*.inc */*.def */*/*.def)

LIB_OBJ   := $(addprefix build/,$(addsuffix .o,$(basename $(LIB_SRC))))
ASAN_LIB_OBJ := $(addprefix build/asan/,$(addsuffix .o,$(basename $(LIB_SRC))))
CLI_OBJ   := $(CLI_SRC:%.c=build/%.o)
GUEST64_OBJ := $(patsubst %,build/guest64/%.o,$(GUEST64_SRC))
GUEST32_OBJ := $(patsubst %,build/guest32/%.o,$(GUEST32_SRC))
TESTS     := $(TEST_SRC:tests/%.c=build/tests/%)
ASAN_TESTS := $(TEST_SRC:tests/%.c=build/asan/tests/%)

.PHONY: all deps linux test asan fuzz-smoke run clean FORCE
.DEFAULT_GOAL := all
.SECONDARY:

all: deps bin/pvbench bin/pvbench-guest.elf bin/pvbench-guest32.elf linux bin/xen/xen

# The Linux guests: Debian's amd64 kernel (bin/linux) and its 686 kernel (bin/linux32),
# each with busybox fetched from Debian, the benchmarks built static for the same
# architecture, /init, all in an uncompressed initramfs (nothing to inflate under an
# interpreter).
LINUX_DIR := bin/linux
LINUX32_DIR := bin/linux32
linux: $(LINUX_DIR)/vmlinux $(LINUX_DIR)/initramfs.cpio $(LINUX32_DIR)/vmlinuz $(LINUX32_DIR)/initramfs.cpio

$(LINUX_DIR)/vmlinux $(LINUX_DIR)/busybox: workloads/linux/fetch.sh | deps
	workloads/linux/fetch.sh $(LINUX_DIR) amd64
# one fetch at a time: each may run apt-get update, which takes apt's lock
$(LINUX32_DIR)/vmlinuz $(LINUX32_DIR)/busybox: workloads/linux/fetch.sh | deps $(LINUX_DIR)/vmlinux
	workloads/linux/fetch.sh $(LINUX32_DIR) i386

build/linux/pvbench-linux: workloads/linux/bench.c workloads/compute.c $(HEADERS) | deps
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 $(WARN) -O2 -static -o $@ workloads/linux/bench.c workloads/compute.c
build/linux32/pvbench-linux: workloads/linux/bench.c workloads/compute.c $(HEADERS) | deps
	@mkdir -p $(dir $@)
	$(CC) -m32 -std=gnu11 $(WARN) -O2 -static -o $@ workloads/linux/bench.c workloads/compute.c

bin/%/initramfs.cpio: build/%/pvbench-linux workloads/linux/init bin/%/busybox
	rm -rf build/$*/root
	mkdir -p build/$*/root/bin build/$*/root/proc build/$*/root/sys build/$*/root/dev
	cp build/$*/pvbench-linux bin/$*/busybox build/$*/root/bin/
	ln -s busybox build/$*/root/bin/sh
	cp workloads/linux/init build/$*/root/init
	cd build/$*/root && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet > $(CURDIR)/$@.tmp
	mv $@.tmp $@

# Debian's Xen hypervisor: a Multiboot kernel pvbench did not write, for the tests
bin/xen/xen: tests/kernels/fetch-xen.sh | deps $(LINUX32_DIR)/vmlinuz
	tests/kernels/fetch-xen.sh bin/xen

deps:
	@missing=""; for p in $(DEPS); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" = 0 ]; then \
			echo "installing:$$missing"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null || exit 1; \
		else \
			echo "missing packages; run: sudo apt-get install -y --no-install-recommends$$missing"; exit 1; \
		fi; \
	fi

build/%.o: %.c $(HEADERS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

build/%.o build/asan/%.o: %.S $(HEADERS) | deps
	@mkdir -p $(dir $@)
	$(CC) -c $< -o $@

build/cli/version.o build/asan/cli/version.o: FORCE

build/asan/%.o: %.c $(HEADERS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(SAN) -c $< -o $@

bin/pvbench: $(LIB_OBJ) $(CLI_OBJ)
	@mkdir -p bin
	$(CC) $(HOST_CFLAGS) -o $@ $^ $(LDLIBS)

build/guest64/%.o: % $(HEADERS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(GUEST64_CFLAGS) -c $< -o $@

bin/pvbench-guest.elf: $(GUEST64_OBJ) workloads/guest/x86_64/linker.ld
	@mkdir -p bin
	ld -m elf_x86_64 $(GUEST_LDFLAGS) -T workloads/guest/x86_64/linker.ld -o $@ $(GUEST64_OBJ)

build/guest32/%.o: % $(HEADERS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(GUEST32_CFLAGS) -c $< -o $@

bin/pvbench-guest32.elf: $(GUEST32_OBJ) workloads/guest/i386/linker.ld
	@mkdir -p bin
	ld -m elf_i386 $(GUEST_LDFLAGS) -T workloads/guest/i386/linker.ld -o $@ $(GUEST32_OBJ)

# Each test links the library objects it needs (all of them: they are small).
build/tests/%: tests/%.c $(LIB_OBJ) $(filter-out build/cli/main.o,$(CLI_OBJ)) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) -o $@ $< $(LIB_OBJ) $(filter-out build/cli/main.o,$(CLI_OBJ)) $(LDLIBS) $(TEST_LIBS)

build/asan/tests/%: tests/%.c $(ASAN_LIB_OBJ) $(filter-out build/asan/cli/main.o,$(CLI_SRC:%.c=build/asan/%.o)) $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(HOST_CFLAGS) $(SAN) -o $@ $< $(ASAN_LIB_OBJ) \
		$(filter-out build/asan/cli/main.o,$(CLI_SRC:%.c=build/asan/%.o)) $(LDLIBS) $(TEST_LIBS)

# Unit and integration tests; cmocka prints its summary on stderr, merged here.
test: all $(TESTS)
	@tests/run-all.sh $(TESTS)

asan: all $(ASAN_TESTS)
	@PVBENCH_ASAN=1 tests/run-all.sh $(ASAN_TESTS)

# libFuzzer (clang) on the loader, the result-line parser, the JSON importer, the VMI
# calls and the translator against the interpreter (lockstep); fuzz-smoke runs each for
# FUZZ_SECONDS from its seeds (the guest images, truncated kernels, result lines) and
# fails on any crash, leak or overrun. The library is built again with clang for them.
FUZZ_SAN := -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
FUZZ_LIB_OBJ := $(addprefix build/fuzz/,$(addsuffix .o,$(basename $(filter %.c,$(LIB_SRC))))) \
	$(addprefix build/,$(addsuffix .o,$(basename $(filter %.S,$(LIB_SRC)))))
FUZZ_TARGETS := bin/fuzz/fuzz_loader bin/fuzz/fuzz_resultline bin/fuzz/fuzz_import bin/fuzz/fuzz_vmi \
	bin/fuzz/fuzz_lockstep
FUZZ_SECONDS ?= 25

build/fuzz/%.o: %.c $(HEADERS) | deps
	@mkdir -p $(dir $@)
	clang -std=gnu11 -Wall -Wextra -O1 -g -D_GNU_SOURCE -DPVBENCH_REV='"$(REV)"' $(FUZZ_SAN) -c $< -o $@

bin/fuzz/%: tests/fuzz/%.c $(FUZZ_LIB_OBJ)
	@mkdir -p $(dir $@)
	clang -std=gnu11 -Wall -Wextra -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined -o $@ $< $(FUZZ_LIB_OBJ) $(LDLIBS)

fuzz-smoke: all $(FUZZ_TARGETS)
	@tests/fuzz/smoke.sh $(FUZZ_SECONDS)

run: all
	bin/pvbench run --modes all

clean:
	rm -rf build bin
