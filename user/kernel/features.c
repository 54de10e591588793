// SPDX-License-Identifier: GPL-2.0-only
/* Kernel features probed by running them (see kernel/features.h). */
#include "kernel/features.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>

#define INSN(c, d, s, o, i) ((struct bpf_insn){ .code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i) })

/* r6 = ctx; a zeroed struct bpf_fib_lookup at fp-64 asking for 0.0.0.0 in
 * table 254 from ifindex 1 (lo); return bpf_fib_lookup(ctx, &p, 64,
 * DIRECT | TBID). A kernel without TBID answers -EINVAL (unknown flag);
 * one with it answers a BPF_FIB_LKUP_RET_* code, >= 0. */
static int probe_vrf_fib(void)
{
	struct bpf_insn prog[24];
	unsigned n = 0;
	char pkt[64] = { [12] = 0x08 }; /* Ethernet + an IPv4 ethertype */
	LIBBPF_OPTS(bpf_test_run_opts, o, .data_in = pkt, .data_size_in = sizeof(pkt), .repeat = 1);
	int fd, err;

	prog[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 6, 1, 0, 0);
	prog[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 7, 0, 0, 0);
	for (int off = -64; off < 0; off += 8)
		prog[n++] = INSN(BPF_STX | BPF_MEM | BPF_DW, 10, 7, off, 0);
	prog[n++] = INSN(BPF_ST | BPF_MEM | BPF_B, 10, 0, -64, 2);       /* family AF_INET */
	prog[n++] = INSN(BPF_ST | BPF_MEM | BPF_W, 10, 0, -64 + 8, 1);   /* ifindex lo */
	prog[n++] = INSN(BPF_ST | BPF_MEM | BPF_W, 10, 0, -64 + 48, 254); /* tbid: main */
	prog[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 1, 6, 0, 0);
	prog[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_X, 2, 10, 0, 0);
	prog[n++] = INSN(BPF_ALU64 | BPF_ADD | BPF_K, 2, 0, 0, -64);
	prog[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 3, 0, 0, 64);
	prog[n++] = INSN(BPF_ALU64 | BPF_MOV | BPF_K, 4, 0, 0, BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID);
	prog[n++] = INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_fib_lookup);
	prog[n++] = INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);
	fd = bpf_prog_load(BPF_PROG_TYPE_SCHED_CLS, "pr_probe_tbid", "GPL", prog, n, NULL);
	if (fd < 0)
		return -errno;
	err = bpf_prog_test_run_opts(fd, &o);
	close(fd);
	if (err)
		return -errno;
	return (int)o.retval;
}

static bool vrf_fib;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void probe_once(void)
{
	vrf_fib = probe_vrf_fib() >= 0;
}

bool pr_kernel_has_vrf_fib(void)
{
	pthread_once(&once, probe_once);
	return vrf_fib;
}
