/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * `podroute explain`'s model: what the datapath would do with one packet,
 * read from the pinned maps in pr_process()'s order (bpf/pr_datapath.h),
 * beside the kernel's route for the same flow (kernel/route_get.h), and
 * where the two differ. Why a walk of the maps rather than a test run of
 * the program: see datapath/explain.c.
 */
#ifndef PR_EXPLAIN_H
#define PR_EXPLAIN_H

#include <stdbool.h>
#include <stdint.h>

#include "datapath/maps.h"
#include "kernel/route_get.h"
#include "lib/prefix.h"
#include "podroute_abi.h"

#define PR_EXPLAIN_MAX_DIFFS 4

struct pr_explain_tx {
	bool set;
	uint32_t ifindex;
	uint8_t dmac[6], smac[6];
	bool has_gw;
	int gw_family;
	uint8_t gw[16];
};

struct pr_explain {
	/* the flow */
	int family;
	uint8_t dst[16], src[16];
	uint32_t iif;
	uint8_t proto;
	uint16_t sport, dport;
	/* the datapath */
	const char *side;              /* "underlay" or "ovn": which program runs there */
	struct pr_iface ifc;           /* its pr_ifaces entry (have_ifc) */
	bool have_ifc;
	const char *lookup;            /* "index" or "trie": what the datapath reads now */
	const char *lookup_note;       /* why the trie (the index cannot answer), or NULL */
	bool index_differs;            /* the index's answer is not the trie's (a bug) */
	bool matched;                  /* a prefix matched: prefix, rt */
	struct pr_prefix prefix;
	struct pr_route rt;
	struct pr_net net;             /* rt's network (have_net) */
	bool have_net;
	uint32_t reason;               /* enum pr_reason: the counter the packet lands in */
	bool drop;                     /* dropped (anti-spoofing, a drop action) */
	bool shadow;                   /* shadow mode: would act, passes */
	bool defer_tc, fast;           /* fast-pathed (XDP hands it to TC when defer_tc) */
	struct pr_explain_tx tx; /* the target a redirect uses (also in shadow mode: where it would go) */
	char note[256];                /* why the slow path, when the reason alone does not say */
	/* the kernel */
	struct pr_route_answer k;      /* input lookup as if received on iif */
	int k_err;                     /* netlink itself failed (-errno) */
	/* the comparison */
	char diffs[PR_EXPLAIN_MAX_DIFFS][256];
	unsigned ndiffs;
};

/* The first underlay interface in pr_ifaces (lowest ifindex), 0 if none. */
uint32_t pr_explain_default_iif(int ifaces_fd);
/*
 * e: the flow (family, dst, src, iif, proto, ports) set, the rest zero.
 * map_fd: the maps by enum pr_map (struct pr_pins' fd). Asks the kernel,
 * walks the maps, compares: e->ndiffs 0 when they agree.
 */
void pr_explain_run(const int *map_fd, struct pr_explain *e);
/* "redirect", "pass" or "drop": what happens to the packet now. */
const char *pr_explain_verdict(const struct pr_explain *e);
/* RTN_* as `ip route` names it. */
const char *pr_explain_rtn_name(uint8_t type);

/* A device's name, "none" for 0, or "ifindex N" when gone; buf holds
 * IF_NAMESIZE + 16 bytes. */
const char *pr_explain_ifname(uint32_t ifindex, char *buf);

#endif
