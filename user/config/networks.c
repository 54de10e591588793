// SPDX-License-Identifier: GPL-2.0-only
/*
 * The config's networks, and the checks that judge them as a whole
 * (duplicate ids, overlapping prefixes, VRFs): see config/config.h.
 */
#include "config/schema.h"

#include <arpa/inet.h>
#include <net/if.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- networks ---- */

static const char *const net_keys[] = { "name", "id", "prefixes", "vrf", "target", "antispoof",
					"shadow" };
static const char *const vrf_keys[] = { "name", "table" };
static const char *const target_keys[] = { "port", "mac", "neighbour", "vrf", "action" };

static const char *const target_names[] = {
	[PR_TGT_PORT] = "port",
	[PR_TGT_VRF] = "vrf",
	[PR_TGT_PASS] = "pass",
	[PR_TGT_DROP] = "drop",
};

const char *pr_target_kind_name(enum pr_target_kind t)
{
	return (unsigned)t < ARRAY_LEN(target_names) ? target_names[t] : "?";
}

static bool valid_net_name(const struct ynode *n)
{
	if (!n->len || n->len >= PR_CFG_NAME_MAX)
		return false;
	for (size_t i = 0; i < n->len; i++) {
		char c = n->str[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static int parse_net_prefixes(struct parser *p, const struct ynode *n, struct pr_cfg_network *net,
			      struct net_scratch *s, const struct where *w)
{
	char l[LBUF], d[QBUF], q[QBUF];
	const char *why;

	cfg_label(w, "prefixes", l, sizeof(l));
	if (n->type != YN_SEQ)
		return fail(p, n, "%s must be a list of prefixes, got %s", l, cfg_describe(n, d, sizeof(d)));
	if (!n->nkids)
		return fail(p, n, "%s must list at least one prefix", l);
	for (size_t i = 0; i < n->nkids; i++) {
		const struct ynode *it = n->kids[i];

		if (i == PR_CFG_MAX_PREFIXES)
			return fail(p, it, "%s has more than %d prefixes", w->net, PR_CFG_MAX_PREFIXES);
		if (it->type != YN_SCALAR || cfg_is_null(it))
			return fail(p, it, "%s must list prefixes, got %s", l, cfg_describe(it, d, sizeof(d)));
		if (strlen(it->str) != it->len)
			return fail(p, it, "bad prefix %s in %s: contains a NUL character",
				    cfg_qnode(it, q, sizeof(q)), w->net);
		if (pr_prefix_parse(it->str, &net->prefixes[i], &why))
			return fail(p, it, "bad prefix %s in %s: %s", cfg_qnode(it, q, sizeof(q)), w->net,
				    why);
		s->prefix[i] = it;
	}
	net->nprefixes = n->nkids;
	return 0;
}

static int parse_vrf(struct parser *p, const struct ynode *m, struct pr_cfg_network *net,
		     struct net_scratch *s, const struct where *nw)
{
	struct where w = { .section = "vrf", .net = nw->net };
	const struct ynode *v;
	char l[LBUF];
	uint64_t x;
	int ret;

	ret = cfg_need_map(p, m, nw, "vrf");
	if (!ret)
		ret = cfg_check_keys(p, m, vrf_keys, 2, &w);
	if (ret)
		return ret;
	v = cfg_map_get(m, "name", NULL);
	if (v && !cfg_is_null(v)) {
		ret = cfg_get_ifname(p, v, cfg_label(&w, "name", l, sizeof(l)), net->vrf_name);
		if (ret)
			return ret;
		net->pos_vrf_name = v->pos;
	}
	v = cfg_map_get(m, "table", NULL);
	if (!v || cfg_is_null(v))
		return cfg_missing_key(p, m, "table", &w);
	ret = cfg_get_uint(p, v, &w, "table", 1, UINT32_MAX, &x);
	if (ret)
		return ret;
	net->has_vrf = true;
	net->vrf_table = x;
	s->vrf_table = v;
	return 0;
}

static int parse_mac(struct parser *p, const struct ynode *n, struct pr_cfg_network *net,
		     const struct where *w)
{
	static const uint8_t zero[6];
	char q[QBUF];

	if (n->len != strlen(n->str) || pr_mac_parse(n->str, net->mac))
		return fail(p, n, "bad MAC %s in %s: expected six hex bytes like 0a:58:0a:80:01:01",
			    cfg_qnode(n, q, sizeof(q)), w->net);
	if (net->mac[0] & 1)
		return fail(p, n, "bad MAC %s in %s: a multicast or broadcast address",
			    cfg_qnode(n, q, sizeof(q)), w->net);
	if (!memcmp(net->mac, zero, 6))
		return fail(p, n, "bad MAC %s in %s: all zeros", cfg_qnode(n, q, sizeof(q)), w->net);
	return 0;
}

static int parse_neighbour(struct parser *p, const struct ynode *n, struct pr_cfg_network *net,
			   const struct where *w)
{
	char q[QBUF];
	const char *why;

	if (strlen(n->str) != n->len)
		return fail(p, n, "bad neighbour %s in %s: contains a NUL character",
			    cfg_qnode(n, q, sizeof(q)), w->net);
	if (pr_prefix_parse(n->str, &net->neighbour, &why))
		return fail(p, n, "bad neighbour %s in %s: %s", cfg_qnode(n, q, sizeof(q)), w->net, why);
	if (net->neighbour.len != (net->neighbour.family == AF_INET ? 32 : 128))
		return fail(p, n, "bad neighbour %s in %s: not a single address",
			    cfg_qnode(n, q, sizeof(q)), w->net);
	return 0;
}

static int parse_target(struct parser *p, const struct ynode *m, struct pr_cfg_network *net,
			struct net_scratch *s, const struct where *nw)
{
	struct where w = { .section = "target", .net = nw->net };
	const struct ynode *kind_key = NULL, *mac_key = NULL, *neigh_key = NULL;
	char l[LBUF], d[QBUF];
	int ret;

	ret = cfg_need_map(p, m, nw, "target");
	if (!ret)
		ret = cfg_check_keys(p, m, target_keys, 5, &w);
	for (size_t i = 0; !ret && i < m->nkids; i += 2) {
		const struct ynode *k = m->kids[i], *v = m->kids[i + 1];
		bool is_kind = true;

		cfg_label(&w, k->str, l, sizeof(l));
		if (!strcmp(k->str, "port")) {
			ret = cfg_get_ifname(p, v, l, net->port);
			net->target = PR_TGT_PORT;
			net->pos_port = v->pos;
		} else if (!strcmp(k->str, "vrf")) {
			bool on = false;

			ret = cfg_get_bool(p, v, &w, "vrf", &on);
			is_kind = on;
			if (on) {
				net->target = PR_TGT_VRF;
				s->target_vrf = v;
			}
		} else if (!strcmp(k->str, "action")) {
			if (v->type == YN_SCALAR && !strcmp(v->str, "pass"))
				net->target = PR_TGT_PASS;
			else if (v->type == YN_SCALAR && !strcmp(v->str, "drop"))
				net->target = PR_TGT_DROP;
			else
				ret = fail(p, v, "%s must be pass or drop, got %s", l,
					   cfg_describe(v, d, sizeof(d)));
		} else {
			is_kind = false;
			ret = cfg_need_string(p, v, l, !strcmp(k->str, "mac") ? "a MAC address" : "an address");
			if (ret)
				break;
			if (!strcmp(k->str, "mac")) {
				mac_key = k;
				ret = parse_mac(p, v, net, &w);
			} else {
				neigh_key = k;
				ret = parse_neighbour(p, v, net, &w);
			}
		}
		if (!ret && is_kind) {
			if (kind_key)
				return fail(p, k, "\"target\" of %s has both \"%s\" and \"%s\"; give exactly "
					    "one of port, vrf or action", nw->net, kind_key->str, k->str);
			kind_key = k;
		}
	}
	if (ret)
		return ret;
	if (!kind_key)
		return fail(p, m, "\"target\" of %s needs one of \"port\", \"vrf\" or \"action\"",
			    nw->net);
	if (net->target != PR_TGT_PORT) {
		const struct ynode *extra = mac_key ? mac_key : neigh_key;

		if (extra)
			return fail(p, extra, "\"target.%s\" of %s only goes with \"port\"", extra->str,
				    nw->net);
		return 0;
	}
	if (mac_key && neigh_key) {
		const struct ynode *later = cfg_pos_before(mac_key->pos, neigh_key->pos) ? neigh_key : mac_key;

		return fail(p, later, "\"target\" of %s has both \"mac\" and \"neighbour\"; give one",
			    nw->net);
	}
	if (!mac_key && !neigh_key)
		return fail(p, m, "\"target.port\" of %s needs \"mac\" or \"neighbour\"", nw->net);
	net->has_mac = mac_key != NULL;
	return 0;
}

static int parse_network(struct parser *p, const struct ynode *m, unsigned idx)
{
	struct pr_cfg_network *net = &p->cfg->networks[idx];
	struct net_scratch *s = &p->nets[idx];
	const struct ynode *name;
	struct where w = { .net = s->label };
	char d[QBUF], q[QBUF], l[LBUF];
	uint64_t x;
	int ret;

	s->node = m;
	net->pos = m->pos;
	net->id = idx + 1;
	net->antispoof = true;
	snprintf(s->label, sizeof(s->label), "network #%u", idx + 1);
	if (m->type != YN_MAP)
		return fail(p, m, "%s must be a mapping, got %s", s->label, cfg_describe(m, d, sizeof(d)));
	/* Name it before anything else can go wrong, so messages can say which. */
	name = cfg_map_get(m, "name", NULL);
	if (name && name->type == YN_SCALAR && valid_net_name(name))
		snprintf(s->label, sizeof(s->label), "network \"%s\"", name->str);
	ret = cfg_check_keys(p, m, net_keys, ARRAY_LEN(net_keys), &w);
	if (ret)
		return ret;
	if (!name)
		return cfg_missing_key(p, m, "name", &w);
	ret = cfg_need_string(p, name, cfg_label(&w, "name", l, sizeof(l)), "a string");
	if (ret)
		return ret;
	if (!valid_net_name(name))
		return fail(p, name, "bad network name %s: expected 1 to %d characters from A-Z a-z 0-9 _ . -",
			    cfg_qnode(name, q, sizeof(q)), PR_CFG_NAME_MAX - 1);
	memcpy(net->name, name->str, name->len + 1);
	s->name = name;
	for (unsigned i = 0; i < idx; i++)
		if (!strcmp(p->cfg->networks[i].name, net->name))
			return fail(p, name, "duplicate network name %s (first at line %u)",
				    cfg_qnode(name, q, sizeof(q)), p->nets[i].name->pos.line);

	for (size_t i = 0; i < m->nkids; i += 2) {
		const char *k = m->kids[i]->str;
		const struct ynode *v = m->kids[i + 1];

		if (!strcmp(k, "name"))
			continue;
		if (cfg_is_null(v) && strcmp(k, "prefixes") && strcmp(k, "target"))
			continue;
		if (!strcmp(k, "id")) {
			ret = cfg_get_uint(p, v, &w, "id", 1, PR_CFG_MAX_NETWORKS, &x);
			if (!ret)
				net->id = x;
			s->id = v;
		} else if (!strcmp(k, "prefixes")) {
			ret = parse_net_prefixes(p, v, net, s, &w);
		} else if (!strcmp(k, "vrf")) {
			ret = parse_vrf(p, v, net, s, &w);
		} else if (!strcmp(k, "target")) {
			ret = parse_target(p, v, net, s, &w);
		} else if (!strcmp(k, "antispoof")) {
			ret = cfg_get_bool(p, v, &w, "antispoof", &net->antispoof);
		} else { /* shadow */
			ret = cfg_get_bool(p, v, &w, "shadow", &net->shadow);
		}
		if (ret)
			return ret;
	}
	if (!net->nprefixes)
		return cfg_missing_key(p, m, "prefixes", &w);
	if (!cfg_map_get(m, "target", NULL))
		return cfg_missing_key(p, m, "target", &w);
	if (s->target_vrf && !net->has_vrf)
		return fail(p, s->target_vrf, "\"target.vrf\" of %s needs the network's \"vrf\" block",
			    s->label);
	return 0;
}

/* ---- whole-config checks ---- */

static int check_ids(struct parser *p)
{
	unsigned owner[PR_MAX_NETS] = { 0 }; /* index + 1 of the network holding an id */

	for (unsigned i = 0; i < p->cfg->nnetworks; i++) {
		const struct pr_cfg_network *net = &p->cfg->networks[i];
		const struct net_scratch *s = &p->nets[i];
		unsigned o = owner[net->id];

		if (!o) {
			owner[net->id] = i + 1;
			continue;
		}
		if (s->id)
			return fail(p, s->id, "%s has id %u, already used by %s", s->label, net->id,
				    p->nets[o - 1].label);
		return fail(p, s->node, "%s gets id %u from its position, already used by %s; give it "
			    "an explicit \"id\"", s->label, net->id, p->nets[o - 1].label);
	}
	return 0;
}

struct pref_ref {
	const struct pr_prefix *pfx;
	unsigned net;
	uint32_t domain; /* the network's VRF table, 0 without a VRF */
	const struct ynode *node;
};

static int pref_cmp(const void *a, const void *b)
{
	const struct pref_ref *ra = a, *rb = b;
	const struct pr_prefix *x = ra->pfx, *y = rb->pfx;
	int r;

	if (ra->domain != rb->domain)
		return ra->domain < rb->domain ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	r = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (r)
		return r;
	return (int)x->len - (int)y->len;
}

/*
 * No address may belong to two prefixes of one routing domain (the default
 * VRF, or one VRF table), or an LPM hit would name one network for
 * another's traffic; networks in different VRFs may reuse prefixes, since
 * the datapath looks up within the receiving interface's VRF. Sorted by
 * domain, address then length, an overlap always shows between neighbours
 * (the containing prefix sorts first and anything in between lies inside
 * it too), so this is O(n log n) for the up to 255 * 64 prefixes.
 */
static int check_overlaps(struct parser *p)
{
	const struct pref_ref *bad = NULL, *other = NULL;
	struct pr_config *c = p->cfg;
	char f1[PR_PREFIX_STRLEN], f2[PR_PREFIX_STRLEN];
	struct pref_ref *r;
	unsigned n = 0;

	for (unsigned i = 0; i < c->nnetworks; i++)
		n += c->networks[i].nprefixes;
	r = calloc(n ? n : 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	n = 0;
	for (unsigned i = 0; i < c->nnetworks; i++)
		for (unsigned j = 0; j < c->networks[i].nprefixes; j++)
			r[n++] = (struct pref_ref){ &c->networks[i].prefixes[j], i,
						    c->networks[i].has_vrf ? c->networks[i].vrf_table : 0,
						    p->nets[i].prefix[j] };
	qsort(r, n, sizeof(*r), pref_cmp);
	for (unsigned i = 1; i < n; i++) {
		const struct pref_ref *a = &r[i - 1], *b = &r[i];

		if (a->domain != b->domain || !pr_prefix_overlaps(a->pfx, b->pfx))
			continue;
		if (cfg_pos_before(b->node->pos, a->node->pos)) {
			const struct pref_ref *t = a;

			a = b;
			b = t;
		}
		if (!bad || cfg_pos_before(b->node->pos, bad->node->pos)) {
			bad = b;
			other = a;
		}
	}
	if (bad) {
		pr_prefix_format(bad->pfx, f1, sizeof(f1));
		pr_prefix_format(other->pfx, f2, sizeof(f2));
		if (bad->net == other->net)
			fail(p, bad->node, "prefix %s of %s overlaps %s of the same network (line %u)", f1,
			     p->nets[bad->net].label, f2, other->node->pos.line);
		else
			fail(p, bad->node, "prefix %s of %s overlaps %s of %s (line %u)", f1,
			     p->nets[bad->net].label, f2, p->nets[other->net].label,
			     other->node->pos.line);
	}
	free(r);
	return bad ? -EINVAL : 0;
}

/* One VRF device has one table: two networks naming it must agree. */
static int check_vrfs(struct parser *p)
{
	const struct pr_config *c = p->cfg;
	char q[QBUF];

	for (unsigned i = 0; i < c->nnetworks; i++) {
		const struct pr_cfg_network *a = &c->networks[i];

		if (!a->has_vrf || !a->vrf_name[0])
			continue;
		for (unsigned j = 0; j < i; j++) {
			const struct pr_cfg_network *b = &c->networks[j];

			if (b->has_vrf && !strcmp(a->vrf_name, b->vrf_name) &&
			    a->vrf_table != b->vrf_table)
				return fail(p, p->nets[i].vrf_table,
					    "vrf %s of %s has table %u, but %s gives it table %u",
					    cfg_quote(a->vrf_name, strlen(a->vrf_name), q, sizeof(q)),
					    p->nets[i].label, a->vrf_table, p->nets[j].label,
					    b->vrf_table);
		}
	}
	return 0;
}

int cfg_parse_networks(struct parser *p, const struct ynode *n)
{
	struct pr_config *c = p->cfg;
	char d[QBUF];
	int ret;

	if (n->type != YN_SEQ)
		return fail(p, n, "\"networks\" must be a list of networks, got %s",
			    cfg_describe(n, d, sizeof(d)));
	if (!n->nkids)
		return fail(p, n, "\"networks\" must list at least one network");
	if (n->nkids > PR_CFG_MAX_NETWORKS)
		return fail(p, n->kids[PR_CFG_MAX_NETWORKS], "more than %d networks",
			    PR_CFG_MAX_NETWORKS);
	c->networks = calloc(n->nkids, sizeof(*c->networks));
	p->nets = calloc(n->nkids, sizeof(*p->nets));
	if (!c->networks || !p->nets)
		return -ENOMEM;
	c->nnetworks = n->nkids;
	for (unsigned i = 0; i < c->nnetworks; i++) {
		ret = parse_network(p, n->kids[i], i);
		if (ret)
			return ret;
	}
	ret = check_ids(p);
	if (!ret)
		ret = check_overlaps(p);
	if (!ret)
		ret = check_vrfs(p);
	return ret;
}

