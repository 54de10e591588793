/* SPDX-License-Identifier: GPL-2.0-only */
/* XDP attach/detach through libxdp's dispatcher (see datapath/xdp_multiprog.c). */
#ifndef PR_XDPMULTI_H
#define PR_XDPMULTI_H

#include <stdbool.h>
#include <stddef.h>

#include "datapath/attach.h"
#include "datapath/load.h"

int pr_xdp_attach_multi(struct pr_datapath *dp, int ifindex, enum pr_prog_id id, enum pr_xdp_mode mode);
/* Take podroute's program off ifindex (out of the dispatcher, or alone),
 * leaving every other program in place. */
int pr_xdp_detach_multi(int ifindex);
/* "xdp_underlay" or "dispatcher[other,xdp_underlay]"; *ours_present set. */
int pr_xdp_describe(int ifindex, char *buf, size_t len, bool *ours_present);

#endif
