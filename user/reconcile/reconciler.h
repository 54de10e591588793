/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The reconciler's insides, shared by its parts (reconcile.c: the mirror,
 * the diff and apply, one learned route between rounds; desired.c: the
 * desired state of the maps; route_policy.c: which learned routes are
 * taken and where they go). Internal to reconcile/: the API is
 * reconcile/reconcile.h.
 */
#ifndef PR_RECONCILER_H
#define PR_RECONCILER_H

#include "lib/hashtab.h"
#include "reconcile/reconcile.h"

#define MAX_KEY 24
#define MAX_VAL 40

/* A map entry as the mirror and the desired state hold it. */
struct rec {
	uint8_t key[MAX_KEY];
	uint8_t val[MAX_VAL];
};

/* Next-hop identity: what makes it the same next hop across rounds. */
struct nh_ident {
	uint32_t ifindex;
	uint8_t family;
	uint8_t gw[16];
};

struct id_rec {
	uint8_t key[sizeof(struct pr_nhgrp)]; /* nh_ident, or the group's slots */
	uint32_t id;
};

struct pr_reconciler {
	struct pr_mapio io;
	struct pr_htab mirror[PR_MAP__RECONCILED];
	struct pr_htab nh_ids, grp_ids;   /* identity -> id, carried across rounds */
	uint8_t *nh_used, *grp_used;      /* ids held by the mirror or this round */
	bool adopting;                    /* no round has completed since start */
	char net_status[PR_MAX_NETS][96];
	/* What pr_reconcile_route needs from the last complete full round. */
	bool synced;                      /* that round succeeded, nothing failed since */
	uint32_t ul_ifindex[PR_CFG_MAX_IFS];
	unsigned nul;
	unsigned learned, over_limit;     /* learned routes in the maps / left out */
};

_Static_assert(sizeof(struct pr_lpm6_key) <= MAX_KEY, "MAX_KEY");
_Static_assert(sizeof(struct pr_nhgrp) <= MAX_VAL, "MAX_VAL");
_Static_assert(sizeof(struct pr_ifslot) <= MAX_VAL, "MAX_VAL");

struct build {
	struct pr_reconciler *s;
	const struct pr_reconcile_input *in;
	struct pr_htab want[PR_MAP__RECONCILED];
	struct pr_htab neighs; /* (ifindex, family, addr) -> neigh */
	struct pr_htab new_nh_ids, new_grp_ids;
	uint8_t *nh_taken, *grp_taken; /* ids wanted this round */
	struct pr_reconcile_stats *st;
	uint32_t ul_ifindex[PR_CFG_MAX_IFS]; /* the underlay devices that exist */
	unsigned nul;
};

struct neigh_rec {
	uint32_t ifindex;
	uint8_t family;
	uint8_t addr[16];
	struct pr_kneigh n;
};

/* Put a map entry (key, value as the map table sizes them) into t. */
void pr_rec_set(struct pr_htab *t, enum pr_map m, const void *key, const void *val);
/* A group's slots: weights expand into repeated slots while they fit. */
void pr_group_slots(struct pr_nhgrp *g, const uint32_t *nh, const uint8_t *weight, unsigned n);
/* Fill b->want from b->in (the rules at the top of reconcile.c). */
int pr_desired_build(struct build *b);
/* Set up b's working tables (b->s, b->in, b->st already set), then
 * pr_desired_build; -ENOMEM or its result. pr_desired_free releases them,
 * except this round's next-hop and group ids when the caller kept them. */
int pr_desired_run(struct build *b);
void pr_desired_free(struct build *b, bool ids_kept);

/* Learned-route policy (route_policy.c). */
bool pr_table_accepted(const struct pr_config *c, uint32_t table);
/* The routing domain of a network: its VRF table, 0 for the default VRF. */
uint32_t pr_net_domain(const struct pr_cfg_network *n);
/* A learned route lives in the domain of the network whose VRF table holds
 * it; routes of main (and of other accepted tables) in the default one. */
uint32_t pr_route_domain(const struct pr_config *c, uint32_t table);
/* NULL if the route may reach the maps, else why not (for debug logs). */
const char *pr_route_refused(const struct pr_config *c, const struct pr_kroute *r);
/* The network a learned route of table belongs to, 0 if none. */
uint32_t pr_route_net(const struct pr_config *c, uint32_t table);

#endif
