/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The datapath object's programs, by enum: their names (in the object, in
 * pins and in the kernel) and kernel types. The one table of them, as
 * datapath/maps.h is for the maps.
 */
#ifndef PR_PROGRAMS_H
#define PR_PROGRAMS_H

#include <linux/bpf.h>

enum pr_prog_id { PR_PROG_XDP_UNDERLAY, PR_PROG_TC_INGRESS, PR_PROG_XDP_OVN, PR_PROG_TC_OVN, PR_PROG__COUNT };

/* "xdp_underlay", ...; "?" out of range. */
const char *pr_prog_name(enum pr_prog_id id);
/* What the program's kernel type must be (checked when adopting a pin). */
enum bpf_prog_type pr_prog_type(enum pr_prog_id id);

#endif
