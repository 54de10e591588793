// SPDX-License-Identifier: GPL-2.0-only
/* Which learned routes the maps take, in which routing domain, for which
 * network (the rules are at the top of reconcile.c). */
#include "reconcile/reconciler.h"

#include <linux/rtnetlink.h>

bool pr_table_accepted(const struct pr_config *c, uint32_t table)
{
	for (unsigned i = 0; i < c->naccept_tables; i++)
		if (c->accept_tables[i] == table)
			return true;
	for (unsigned i = 0; i < c->nnetworks; i++)
		if (c->networks[i].has_vrf && c->networks[i].vrf_table == table)
			return true;
	return false;
}

/* The routing domain of a network: its VRF table, 0 for the default VRF. */
uint32_t pr_net_domain(const struct pr_cfg_network *n)
{
	return n->has_vrf ? n->vrf_table : 0;
}

/* A learned route lives in the domain of the network whose VRF table holds
 * it; routes of main (and of other accepted tables) in the default one. */
uint32_t pr_route_domain(const struct pr_config *c, uint32_t table)
{
	for (unsigned i = 0; i < c->nnetworks; i++)
		if (c->networks[i].has_vrf && c->networks[i].vrf_table == table)
			return table;
	return 0;
}

/* 0 if the route may reach the maps, else why not (for debug logs). */
const char *pr_route_refused(const struct pr_config *c, const struct pr_kroute *r)
{
	bool proto = false, inside = !c->naccept_prefixes;

	for (unsigned i = 0; i < c->naccept_protocols; i++)
		proto |= c->accept_protocols[i] == r->protocol;
	if (!proto)
		return "protocol not accepted";
	if (r->type != RTN_UNICAST)
		return "not unicast";
	if (!pr_table_accepted(c, r->table))
		return "table not accepted";
	for (unsigned i = 0; i < c->naccept_prefixes; i++)
		inside |= pr_prefix_contains(&c->accept_prefixes[i], &r->dst);
	if (!inside)
		return "outside the accepted prefixes";
	if (!r->dst.len && !c->accept_covering)
		return "a default route (accept.covering: true to take it)";
	for (unsigned i = 0; i < c->nnetworks; i++) {
		if (pr_net_domain(&c->networks[i]) != pr_route_domain(c, r->table))
			continue;
		for (unsigned j = 0; j < c->networks[i].nprefixes; j++) {
			const struct pr_prefix *local = &c->networks[i].prefixes[j];

			if (pr_prefix_contains(local, &r->dst))
				return "inside a locally advertised prefix";
			if (!c->accept_covering && pr_prefix_contains(&r->dst, local))
				return "covers a locally advertised prefix (accept.covering: true to take it)";
		}
	}
	return NULL;
}

uint32_t pr_route_net(const struct pr_config *c, uint32_t table)
{
	for (unsigned i = 0; i < c->nnetworks; i++)
		if (c->networks[i].has_vrf && c->networks[i].vrf_table == table)
			return c->networks[i].id;
	if (table == RT_TABLE_MAIN)
		for (unsigned i = 0; i < c->nnetworks; i++)
			if (!c->networks[i].has_vrf)
				return c->networks[i].id;
	return 0;
}

