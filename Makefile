# SPDX-License-Identifier: GPL-2.0-only
# podroute build. `make` builds the BPF objects, their skeletons and the
# userspace; `make check` runs every suite; `make help` lists the targets.
#
# Layout of build/:
#   build/<name>.bpf.o     BPF objects (clang -target bpf, BTF kept)
#   build/<name>.skel.h    libbpf skeletons (bpftool gen skeleton)
#   build/obj/             userspace objects, -MMD dependency files beside them
#   build/asan/            the same objects with ASan/UBSan, for unit tests
#   build/podroute         the binary

.DELETE_ON_ERROR:
.SUFFIXES:

BUILD ?= build
CC ?= gcc
CLANG ?= clang
BPFTOOL ?= bpftool
V ?= 0
ifeq ($(V),0)
Q := @
msg = @printf '  %-8s %s\n' '$(1)' '$(2)';
else
Q :=
msg =
endif

MULTIARCH := $(shell $(CC) -print-multiarch 2>/dev/null)
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

# BPF objects see kernel UAPI, libbpf and clang's freestanding headers, and
# nothing else: build/bpf-include links exactly those folders and -nostdinc
# keeps /usr/include (glibc) out, so a glibc header in a BPF object is a
# compile error here, not a missing package on someone else's machine.
BPF_INC := $(BUILD)/bpf-include
BPF_INC_DIRS := /usr/include/linux /usr/include/asm-generic /usr/include/$(MULTIARCH)/asm \
	/usr/include/bpf
CLANG_RESOURCE := $(shell $(CLANG) -print-resource-dir 2>/dev/null)
BPF_CFLAGS := -target bpf -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-nostdinc -isystem $(CLANG_RESOURCE)/include -isystem $(BPF_INC) \
	-Iinclude -Ibpf -MMD -MP
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Werror -Wno-missing-field-initializers \
	-Iinclude -Iuser -I$(BUILD) -DPODROUTE_VERSION='"$(VERSION)"' -MMD -MP \
	-DPR_LIBXDP_VERSION='"$(shell pkg-config --modversion libxdp 2>/dev/null || echo unknown)"'
LIBS := -lbpf -lxdp -lnl-route-3 -lnl-genl-3 -lnl-3 -lyaml -ljansson -lcurl -lxxhash -lmicrohttpd -lpthread -lelf -lz
NL_CFLAGS := -I/usr/include/libnl3
CFLAGS += $(NL_CFLAGS)
SAN_FLAGS := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(BUILD)/%.skel.h,$(BPF_SRCS)) \
	$(patsubst bpf/%.bpf.c,$(BUILD)/%.objid.h,$(BPF_SRCS))

# user/ is one folder per layer (lib, kernel, config, reconcile, datapath,
# agent, cli; see docs/design.md); includes name the folder ("lib/log.h").
# Every user/*/*.c but the CLI's main.c is library code shared by the
# binary and the tests.
LIB_SRCS := $(filter-out user/cli/main.c,$(wildcard user/*/*.c))
LIB_OBJS := $(patsubst user/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
ASAN_OBJS := $(patsubst user/%.c,$(BUILD)/asan/%.o,$(LIB_SRCS))

UNIT_SRCS := $(wildcard selftests/unit/test_*.c)
UNIT_BINS := $(patsubst selftests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))

PROG_SRCS := $(wildcard selftests/prog/*.c)

BENCH_BPF_OBJS := $(patsubst bench/%.bpf.c,$(BUILD)/bench/%.bpf.o,$(wildcard bench/*.bpf.c))
BENCH_BINS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(filter-out %.bpf.c,$(wildcard bench/*.c)))
# prog_cost's per-step breakdown: the datapath again, stopped after step N
# of pr_process() (bpf/pr_datapath.h, PR_COST_STOP).
COST_STOPS := 0 1 2 3 4 5 6 7 8 9 10 11 12
BENCH_STOP_OBJS := $(foreach n,$(COST_STOPS),$(BUILD)/bench/podroute_stop$(n).bpf.o)
PROG_BIN := $(BUILD)/prog/test_progs
VM_BPF_OBJS := $(patsubst selftests/vm/%.bpf.c,$(BUILD)/vm/%.bpf.o,$(wildcard selftests/vm/*.bpf.c))
# Helper programs of the namespace tests and the demo (e.g. the tap "VM").
NET_TOOLS := $(patsubst selftests/net/%.c,$(BUILD)/net/%,$(wildcard selftests/net/*.c))
# Helper programs of the deploy tests (e.g. the API server stand-in).
DEPLOY_TOOLS := $(patsubst selftests/deploy/%.c,$(BUILD)/deploy/%,$(wildcard selftests/deploy/*.c))

.PHONY: image all deps check check-unit check-prog check-net check-deploy check-vm demo bench clean help install
PREFIX ?= /usr/local
DESTDIR ?=
all: $(BPF_OBJS) $(SKELS) $(BUILD)/podroute

help:
	@echo 'make            build BPF objects, skeletons and build/podroute'
	@echo 'make deps       install the Debian packages the build and tests need'
	@echo 'make check      run every suite (unit, prog, net, deploy, vm)'
	@echo 'make check-unit cmocka unit tests under ASan/UBSan'
	@echo 'make check-prog BPF_PROG_TEST_RUN program tests (root)'
	@echo 'make check-net  network-namespace tests (root)'
	@echo 'make check-deploy manifests, docs, config render/sync, image (no cluster)'
	@echo 'make check-vm   tests inside a QEMU VM (root)'
	@echo 'make demo       self-contained demo'
	@echo 'make bench      benchmarks (never part of check)'
	@echo 'make image      OCI image build/podroute-image.oci.tar (buildah, no network)'
	@echo 'make install    binary, man page, bash completion (PREFIX=/usr/local DESTDIR=)'
	@echo 'V=1             show full commands'

# ---- BPF ----
$(BPF_INC)/.stamp: | $(BUILD)
	$(Q)rm -rf $(BPF_INC) && mkdir -p $(BPF_INC) && ln -s $(BPF_INC_DIRS) $(BPF_INC)/ && touch $@

$(BUILD)/%.bpf.o: bpf/%.bpf.c $(BPF_INC)/.stamp | $(BUILD)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MF $(BUILD)/$*.bpf.d -c $< -o $@

$(BUILD)/%.skel.h: $(BUILD)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# The object's identity (the start of its SHA-256): pinned programs carry
# it in their names, so a restart adopts only what this very build loaded.
$(BUILD)/%.objid.h: $(BUILD)/%.bpf.o
	$(call msg,OBJID,$@)
	$(Q)printf '#define PR_OBJECT_ID "%s"\n' "$$(sha256sum $< | cut -c1-16)" > $@

# ---- userspace ----
$(BUILD)/obj/%.o: user/%.c $(SKELS) | $(BUILD)/obj
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/asan/%.o: user/%.c $(SKELS) | $(BUILD)/asan
	$(call msg,CC-SAN,$@)
	$(Q)mkdir -p $(@D) && $(CC) $(CFLAGS) $(SAN_FLAGS) -O1 -c $< -o $@

$(BUILD)/libpodroute.a: $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/libpodroute-asan.a: $(ASAN_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/podroute: $(BUILD)/obj/cli/main.o $(BUILD)/libpodroute.a
	$(call msg,LD,$@)
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/unit/%: selftests/unit/%.c $(BUILD)/libpodroute-asan.a | $(BUILD)/unit
	$(call msg,CC-UNIT,$@)
	$(Q)$(CC) $(CFLAGS) $(SAN_FLAGS) -O1 -DSRCDIR='"$(CURDIR)"' -MF $@.d -o $@ $< $(BUILD)/libpodroute-asan.a $(LIBS) -lcmocka

$(PROG_BIN): $(PROG_SRCS) $(BUILD)/libpodroute.a $(SKELS) | $(BUILD)/prog
	$(call msg,CC-PROG,$@)
	$(Q)$(CC) $(CFLAGS) -Iselftests/prog -MF $@.d -o $@ $(PROG_SRCS) $(BUILD)/libpodroute.a $(LIBS)

$(BUILD)/bench/%.bpf.o: bench/%.bpf.c $(BPF_INC)/.stamp | $(BUILD)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MF $(BUILD)/bench/$*.bpf.d -c $< -o $@

$(BUILD)/bench/podroute_stop%.bpf.o: bpf/podroute.bpf.c $(BPF_INC)/.stamp | $(BUILD)/bench
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -DPR_COST_STOP=$* -MF $(BUILD)/bench/podroute_stop$*.bpf.d -c $< -o $@

$(BUILD)/bench/%: bench/%.c $(BUILD)/libpodroute.a | $(BUILD)/bench
	$(call msg,CC-BENCH,$@)
	$(Q)$(CC) $(CFLAGS) -MF $@.d -o $@ $< $(BUILD)/libpodroute.a $(LIBS)

# The VM suite's own test-only BPF programs, with the same flags.
$(BUILD)/vm/%.bpf.o: selftests/vm/%.bpf.c $(BPF_INC)/.stamp | $(BUILD)/vm
	$(call msg,BPF,$@)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MF $(BUILD)/vm/$*.bpf.d -c $< -o $@

$(BUILD)/net/%: selftests/net/%.c | $(BUILD)/net
	$(call msg,CC-NET,$@)
	$(Q)$(CC) $(CFLAGS) -MF $@.d -o $@ $<

$(BUILD)/deploy/%: selftests/deploy/%.c | $(BUILD)/deploy
	$(call msg,CC-DEPLOY,$@)
	$(Q)$(CC) $(CFLAGS) -MF $@.d -o $@ $< -ljansson -lmicrohttpd -lpthread

$(BUILD) $(BUILD)/obj $(BUILD)/asan $(BUILD)/unit $(BUILD)/prog $(BUILD)/bench $(BUILD)/net $(BUILD)/vm $(BUILD)/deploy:
	$(Q)mkdir -p $@

# ---- tests ----
check: all $(NET_TOOLS) $(DEPLOY_TOOLS) $(VM_BPF_OBJS)
	$(Q)selftests/run-suites.sh unit prog net deploy vm

check-unit: $(UNIT_BINS)
	$(Q)selftests/run-unit.sh $(UNIT_BINS)

check-prog: $(PROG_BIN) $(BPF_OBJS)
	$(Q)selftests/prog/run.sh $(PROG_BIN)

check-net: all $(NET_TOOLS)
	$(Q)selftests/net/run.sh

check-deploy: all $(DEPLOY_TOOLS)
	$(Q)selftests/deploy/run.sh

check-vm: all $(PROG_BIN) $(VM_BPF_OBJS) $(NET_TOOLS)
	$(Q)selftests/vm/run-tests.sh

deps:
	$(Q)./.ci/install-deps.sh

demo: all $(NET_TOOLS) $(BUILD)/bench/pktgen $(BUILD)/bench/pktgen.bpf.o
	$(Q)./selftests/net/demo.sh

bench: all $(BENCH_BPF_OBJS) $(BENCH_STOP_OBJS) $(BENCH_BINS) $(VM_BPF_OBJS)
	$(Q)./bench/run-all.sh

image: $(BUILD)/podroute
	$(Q)deploy/build-image.sh

# The BPF object is embedded in the binary (skeleton): nothing else to ship.
install: $(BUILD)/podroute
	install -D -m 0755 $(BUILD)/podroute $(DESTDIR)$(PREFIX)/sbin/podroute
	install -D -m 0644 deploy/podroute.8 $(DESTDIR)$(PREFIX)/share/man/man8/podroute.8
	install -D -m 0644 deploy/podroute.bash-completion \
		$(DESTDIR)$(PREFIX)/share/bash-completion/completions/podroute

clean:
	$(Q)rm -rf $(BUILD)

-include $(wildcard $(BUILD)/*.d $(BUILD)/obj/*/*.d $(BUILD)/asan/*/*.d $(BUILD)/unit/*.d $(BUILD)/prog/*.d $(BUILD)/bench/*.d $(BUILD)/net/*.d $(BUILD)/deploy/*.d $(BUILD)/vm/*.d)
