/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the kernel has on an interface's hooks, whose each program is
 * (ownership.h), and the one rule for which hooks a role calls for
 * (interfaces.c attaches them): the verdict `podroute status` prints and
 * exits on, and the agent's health (agent/metrics.c) checks.
 */
#ifndef PR_DATAPATH_HOOK_STATE_H
#define PR_DATAPATH_HOOK_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/ownership.h"

/* One hook (XDP, or TC ingress at podroute's handle and priority). */
struct pr_hook {
	uint32_t id;          /* the program there, 0: none */
	enum pr_owner owner;  /* PR_OWNER_DISPATCHER only when ours is not inside */
	bool ours;            /* ours by id, inside libxdp's dispatcher, or (not
			       * readable without CAP_SYS_ADMIN) where pr_ifaces
			       * says podroute attached it */
	char name[64];        /* the program's name, "" if unreadable */
	const char *xdp_mode; /* "native", "generic", "offload"; NULL for TC or none */
};

/* An interface as the kernel has it now. */
struct pr_if_hooks {
	uint32_t ifindex;
	bool exists;    /* the device is there */
	bool in_ifaces; /* pr_ifaces has it (the datapath knows its role) */
	uint32_t if_flags;
	struct pr_hook xdp, tc;
};

enum pr_if_verdict {
	PR_IFV_OK,        /* every hook its role calls for holds our program */
	PR_IFV_MISSING,   /* a hook it calls for is empty, or no pr_ifaces entry */
	PR_IFV_FOREIGN,   /* someone else's program where ours should be */
	PR_IFV_NO_DEVICE, /* no such device */
};

/*
 * The hooks an interface calls for, from its pr_ifaces flags: XDP where
 * podroute recorded it (PR_IF_F_XDP); TC ingress on every underlay and
 * br-ex, and on an OVN port only where no XDP program of ours runs: there
 * XDP takes every packet and TC only carries out hand-offs to targets that
 * take no XDP frames, which the kernel's path also delivers.
 */
void pr_hooks_required(uint32_t if_flags, bool *xdp, bool *tc);
/* Read ifindex's hooks (0: the device is gone); ifaces_fd is pr_ifaces. */
void pr_if_hooks_read(int ifaces_fd, uint32_t ifindex, struct pr_if_hooks *h);
/* The verdict; why (may be NULL) says which hook and whose, "" when ok. */
enum pr_if_verdict pr_if_hooks_verdict(const struct pr_if_hooks *h, char *why, size_t len);
/* "ok", "missing", "foreign", "no-device" (stable: JSON and scripts). */
const char *pr_if_verdict_name(enum pr_if_verdict v);
/* "ours", "none", "someone else's", "another podroute instance's", ... */
const char *pr_hook_owner_text(const struct pr_hook *k);

#endif
