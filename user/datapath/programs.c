// SPDX-License-Identifier: GPL-2.0-only
/* The datapath object's programs (see datapath/programs.h). */
#include "datapath/programs.h"

static const struct {
	const char *name;
	enum bpf_prog_type type;
} progs[PR_PROG__COUNT] = {
	[PR_PROG_XDP_UNDERLAY] = { "xdp_underlay", BPF_PROG_TYPE_XDP },
	[PR_PROG_TC_INGRESS] = { "tc_ingress", BPF_PROG_TYPE_SCHED_CLS },
	[PR_PROG_XDP_OVN] = { "xdp_ovn", BPF_PROG_TYPE_XDP },
	[PR_PROG_TC_OVN] = { "tc_ovn", BPF_PROG_TYPE_SCHED_CLS },
};

const char *pr_prog_name(enum pr_prog_id id)
{
	return (unsigned)id < PR_PROG__COUNT ? progs[id].name : "?";
}

enum bpf_prog_type pr_prog_type(enum pr_prog_id id)
{
	return (unsigned)id < PR_PROG__COUNT ? progs[id].type : BPF_PROG_TYPE_UNSPEC;
}
