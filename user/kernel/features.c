// SPDX-License-Identifier: GPL-2.0-only
/* Kernel features probed by running them (see kernel/features.h). */
#include "kernel/features.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

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

/* return bpf_xdp_adjust_meta(ctx, -4) ? XDP_ABORTED : XDP_PASS, loaded
 * only: whether the verifier lets XDP call the helper. */
static bool probe_xdp_meta(void)
{
	const struct bpf_insn prog[] = {
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 2, 0, 0, -4),
		INSN(BPF_JMP | BPF_CALL, 0, 0, 0, BPF_FUNC_xdp_adjust_meta),
		INSN(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 2, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, XDP_ABORTED),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, XDP_PASS),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "pr_probe_meta", "GPL", prog, sizeof(prog) / sizeof(prog[0]),
			       NULL);

	if (fd >= 0) {
		close(fd);
		return true;
	}
	/* EINVAL is the verifier's refusal; anything else is not about the
	 * helper, and the datapath's own load will report it. */
	return errno != EINVAL;
}

static bool vrf_fib, xdp_meta;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void probe_once(void)
{
	const char *no_meta = getenv("PODROUTE_NO_XDP_META");

	vrf_fib = probe_vrf_fib() >= 0;
	xdp_meta = !(no_meta && !strcmp(no_meta, "1")) && probe_xdp_meta();
}

bool pr_kernel_has_vrf_fib(void)
{
	pthread_once(&once, probe_once);
	return vrf_fib;
}

bool pr_kernel_has_xdp_meta(void)
{
	pthread_once(&once, probe_once);
	return xdp_meta;
}

/* The offset of variable name in the object's .rodata, or -1. */
static long rodata_offset(struct bpf_object *obj, const char *name)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *sec;
	const struct btf_var_secinfo *v;
	int id;

	if (!btf)
		return -1;
	id = btf__find_by_name_kind(btf, ".rodata", BTF_KIND_DATASEC);
	sec = id > 0 ? btf__type_by_id(btf, id) : NULL;
	if (!sec)
		return -1;
	v = btf_var_secinfos(sec);
	for (unsigned i = 0; i < btf_vlen(sec); i++, v++) {
		const struct btf_type *t = btf__type_by_id(btf, v->type);

		if (t && !strcmp(btf__name_by_offset(btf, t->name_off), name))
			return v->offset;
	}
	return -1;
}

int pr_kernel_caps_apply(struct bpf_object *obj)
{
	struct bpf_map *ro = bpf_object__find_map_by_name(obj, ".rodata");
	long off = ro ? rodata_offset(obj, "pr_kcap_xdp_meta") : -1;
	const void *cur;
	unsigned char *v;
	size_t size = 0;
	int err;

	if (off < 0)
		return 0;
	cur = bpf_map__initial_value(ro, &size);
	if (!cur || (size_t)off >= size)
		return -EINVAL;
	v = malloc(size);
	if (!v)
		return -ENOMEM;
	memcpy(v, cur, size);
	v[off] = pr_kernel_has_xdp_meta();
	err = bpf_map__set_initial_value(ro, v, size);
	free(v);
	return err;
}
