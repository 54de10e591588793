// SPDX-License-Identifier: GPL-2.0-only
/*
 * Drift between the maps and the desired state (see reconcile/drift.h).
 * A throw-away reconciler reads the maps into its mirror exactly as the
 * agent does at start; the desired state is built by the agent's own
 * pr_desired_build; then the two are compared entry by entry, each
 * difference said in one sentence naming the object and both values.
 */
#include "reconcile/drift.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/bpf.h>

#include "lib/prefix.h"
#include "reconcile/reconciler.h"

int pr_drift_add(struct pr_drift_list *l, const char *fmt, ...)
{
	va_list ap;
	char msg[1024], *s;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		char **p = realloc(l->items, cap * sizeof(*p));

		if (!p)
			return -ENOMEM;
		l->items = p;
		l->cap = cap;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	s = strdup(msg);
	if (!s)
		return -ENOMEM;
	l->items[l->n++] = s;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

void pr_drift_sort(struct pr_drift_list *l)
{
	if (l->n)
		qsort(l->items, l->n, sizeof(*l->items), cmp_str);
}

void pr_drift_keep_common(struct pr_drift_list *l, const struct pr_drift_list *before)
{
	size_t out = 0;

	for (size_t i = 0; i < l->n; i++) {
		if (before->n && bsearch(&l->items[i], before->items, before->n, sizeof(char *), cmp_str))
			l->items[out++] = l->items[i];
		else
			free(l->items[i]);
	}
	l->n = out;
}

void pr_drift_free(struct pr_drift_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

/* ---------- naming what differs ---------- */

static const char *ifname(const struct pr_reconcile_input *in, uint32_t ifindex, char *buf, size_t len)
{
	for (size_t i = 0; i < in->nlinks; i++)
		if (in->links[i].ifindex == ifindex) {
			snprintf(buf, len, "%s", in->links[i].name);
			return buf;
		}
	snprintf(buf, len, "ifindex %u", ifindex);
	return buf;
}

static void fmt_net(const struct pr_reconcile_input *in, const struct pr_net *v, char *buf, size_t len)
{
	char a[PR_MAC_STRLEN], b[PR_MAC_STRLEN], dev[IF_NAMESIZE + 16];

	snprintf(buf, len, "target %s, dmac %s, smac %s, vrf table %u, flags%s%s%s%s",
		 v->ifindex ? ifname(in, v->ifindex, dev, sizeof(dev)) : "none",
		 pr_mac_format(v->dmac, a, sizeof(a)), pr_mac_format(v->smac, b, sizeof(b)), v->vrf_table,
		 v->flags & PR_NET_F_VALID ? " valid" : "", v->flags & PR_NET_F_SHADOW ? " shadow" : "",
		 v->flags & PR_NET_F_ANTISPOOF ? " antispoof" : "",
		 v->flags & PR_NET_F_SKB_XMIT ? " skb-xmit" : "");
}

static void fmt_iface(const struct pr_iface *v, char *buf, size_t len)
{
	size_t o = snprintf(buf, len, "flags%s%s%s, vrf table %u, router MACs",
			    v->flags & PR_IF_F_UNDERLAY ? " underlay" : "", v->flags & PR_IF_F_OVN ? " ovn" : "",
			    v->flags & PR_IF_F_XDP ? " xdp" : "", v->vrf_table);

	for (unsigned i = 0; i < v->nmacs && i < PR_MAX_RMACS && o < len; i++) {
		char m[PR_MAC_STRLEN];

		o += snprintf(buf + o, len - o, " %s", pr_mac_format(v->rmac[i], m, sizeof(m)));
	}
}

static void fmt_ifslot(const struct pr_reconcile_input *in, const struct pr_ifslot *v, char *buf, size_t len)
{
	char dev[IF_NAMESIZE + 16];
	int n = snprintf(buf, len, "%s: ", ifname(in, v->ifindex, dev, sizeof(dev)));

	if (n > 0 && (size_t)n < len)
		fmt_iface(&v->ifc, buf + n, len - n);
}

/* A route's next hops as a sorted, comparable text: "eth0 aa:.. > bb:.. (valid), ...". */
static void fmt_nexthops(const struct pr_reconcile_input *in, const struct pr_htab *grps,
			 const struct pr_htab *nhs, uint32_t nhg_id, char *buf, size_t len)
{
	uint8_t key[MAX_KEY] = {};
	const struct rec *g;
	char items[PR_MAX_NH][96];
	const char *sorted[PR_MAX_NH];
	struct pr_nhgrp grp;
	size_t o = 0;
	unsigned n = 0;

	memcpy(key, &nhg_id, 4);
	g = pr_htab_get(grps, key);
	if (!g) {
		snprintf(buf, len, "group %u missing", nhg_id);
		return;
	}
	memcpy(&grp, g->val, sizeof(grp));
	for (unsigned i = 0; i < grp.count && i < PR_MAX_NH; i++) {
		const struct rec *r;
		struct pr_nexthop nh;
		char a[PR_MAC_STRLEN], b[PR_MAC_STRLEN], dev[IF_NAMESIZE + 16];

		memset(key, 0, sizeof(key));
		memcpy(key, &grp.nh[i], 4);
		r = pr_htab_get(nhs, key);
		if (!r) {
			snprintf(items[n], sizeof(items[n]), "next hop %u missing", grp.nh[i]);
		} else {
			memcpy(&nh, r->val, sizeof(nh));
			snprintf(items[n], sizeof(items[n]), "%s %s > %s%s", ifname(in, nh.ifindex, dev, sizeof(dev)),
				 pr_mac_format(nh.smac, a, sizeof(a)), pr_mac_format(nh.dmac, b, sizeof(b)),
				 nh.flags & PR_NH_F_VALID ? "" : " (unusable)");
		}
		sorted[n] = items[n];
		n++;
	}
	qsort(sorted, n, sizeof(*sorted), cmp_str);
	buf[0] = '\0';
	for (unsigned i = 0; i < n && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%s", i ? ", " : "", sorted[i]);
	if (!n)
		snprintf(buf, len, "no next hop");
}

/* "net 1 redirect local" or "net 1 nexthop via [...]". */
static void fmt_route(const struct pr_reconcile_input *in, const struct pr_htab *grps, const struct pr_htab *nhs,
		      const struct pr_route *r, char *buf, size_t len)
{
	static const char *const act[] = { "pass", "drop", "redirect", "fib", "nexthop" };
	size_t o = snprintf(buf, len, "network %u, action %s%s", r->net_id,
			    r->action < PR_ACT_MAX ? act[r->action] : "?", r->flags & PR_ROUTE_F_LOCAL ? ", local" : "");

	if (r->action == PR_ACT_NEXTHOP && o < len) {
		o += snprintf(buf + o, len - o, ", via ");
		if (o < len)
			fmt_nexthops(in, grps, nhs, r->nhg_id, buf + o, len - o);
	}
}

static void route_name(enum pr_map m, const uint8_t *key, char *buf, size_t len)
{
	struct pr_prefix p;
	uint32_t domain = 0;
	char s[PR_PREFIX_STRLEN];

	if (m == PR_MAP_ROUTES4)
		pr_prefix_from_key4(&p, &domain, (const struct pr_lpm4_key *)key);
	else
		pr_prefix_from_key6(&p, &domain, (const struct pr_lpm6_key *)key);
	pr_prefix_format(&p, s, sizeof(s));
	if (domain)
		snprintf(buf, len, "route %s (VRF table %u)", s, domain);
	else
		snprintf(buf, len, "route %s", s);
}

/* ---------- the comparison ---------- */

struct cmp {
	const struct pr_reconcile_input *in;
	const struct pr_htab *have, *want; /* per map: the maps, the desired state */
	struct pr_drift_list *out;
	int err;
};

static void add(struct cmp *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct cmp *c, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!c->err)
		c->err = pr_drift_add(c->out, "%s", msg);
}

/* name and both values of one entry of map m; have or want may be NULL. */
static void describe(struct cmp *c, enum pr_map m, const struct rec *have, const struct rec *want)
{
	const uint8_t *key = have ? have->key : want->key;
	char name[128], h[640] = "", w[640] = "", dev[IF_NAMESIZE + 16];
	uint32_t id;

	memcpy(&id, key, 4);
	switch (m) {
	case PR_MAP_ROUTES4:
	case PR_MAP_ROUTES6:
		route_name(m, key, name, sizeof(name));
		if (have)
			fmt_route(c->in, &c->have[PR_MAP_NHGRPS], &c->have[PR_MAP_NEXTHOPS],
				  (const struct pr_route *)have->val, h, sizeof(h));
		if (want)
			fmt_route(c->in, &c->want[PR_MAP_NHGRPS], &c->want[PR_MAP_NEXTHOPS],
				  (const struct pr_route *)want->val, w, sizeof(w));
		/* Learned routes compare through their next hops: equal text, equal route. */
		if (have && want && !strcmp(h, w))
			return;
		break;
	case PR_MAP_NETS:
		snprintf(name, sizeof(name), "network %u", id);
		if (have)
			fmt_net(c->in, (const struct pr_net *)have->val, h, sizeof(h));
		if (want)
			fmt_net(c->in, (const struct pr_net *)want->val, w, sizeof(w));
		break;
	case PR_MAP_IFACES:
		snprintf(name, sizeof(name), "interface %s", ifname(c->in, id, dev, sizeof(dev)));
		if (have)
			fmt_iface((const struct pr_iface *)have->val, h, sizeof(h));
		if (want)
			fmt_iface((const struct pr_iface *)want->val, w, sizeof(w));
		break;
	case PR_MAP_IFSLOTS:
		snprintf(name, sizeof(name), "interface slot %u", id);
		if (have)
			fmt_ifslot(c->in, (const struct pr_ifslot *)have->val, h, sizeof(h));
		if (want)
			fmt_ifslot(c->in, (const struct pr_ifslot *)want->val, w, sizeof(w));
		break;
	case PR_MAP_TXPORTS:
	case PR_MAP_XDP_TXPORTS:
		snprintf(name, sizeof(name), "%s %s", m == PR_MAP_TXPORTS ? "redirect target" : "XDP redirect target",
			 ifname(c->in, id, dev, sizeof(dev)));
		snprintf(h, sizeof(h), "present");
		snprintf(w, sizeof(w), "present");
		break;
	case PR_MAP_CONFIG: {
		const struct pr_global *hg = have ? (const void *)have->val : NULL, *wg = want ? (const void *)want->val : NULL;

		snprintf(name, sizeof(name), "global settings");
		if (hg)
			snprintf(h, sizeof(h), "map ABI %u, shadow %s, source lookup %s", hg->abi_version,
				 hg->flags & PR_G_F_SHADOW ? "on" : "off",
				 hg->flags & PR_G_F_NO_ANTISPOOF ? "skipped" : "on");
		if (wg)
			snprintf(w, sizeof(w), "map ABI %u, shadow %s, source lookup %s", wg->abi_version,
				 wg->flags & PR_G_F_SHADOW ? "on" : "off",
				 wg->flags & PR_G_F_NO_ANTISPOOF ? "skipped" : "on");
		break;
	}
	default:
		return;
	}
	if (!want)
		add(c, "%s: in %s (%s) but not expected (config and kernel routes want none)", name, pr_maps[m].name, h);
	else if (!have)
		add(c, "%s: missing from %s (expected: %s)", name, pr_maps[m].name, w);
	else
		add(c, "%s: %s holds %s; expected %s", name, pr_maps[m].name, h, w);
}

static void compare_map(struct cmp *c, enum pr_map m)
{
	struct pr_htab_iter it = {};
	const struct rec *r;

	while ((r = pr_htab_next(&c->want[m], &it))) {
		const struct rec *h = pr_htab_get(&c->have[m], r->key);

		if (h && !memcmp(h->val, r->val, pr_maps[m].value_size))
			continue;
		/* Routes whose group ids alone differ: describe() finds the same
		 * next hops on both sides and says nothing. */
		describe(c, m, h, r);
	}
	memset(&it, 0, sizeof(it));
	while ((r = pr_htab_next(&c->have[m], &it)))
		if (!pr_htab_get(&c->want[m], r->key))
			describe(c, m, r, NULL);
}

int pr_drift_maps(const struct pr_mapio *io, const struct pr_reconcile_input *in,
		  const struct pr_reconciler *ref, struct pr_drift_list *out)
{
	static const enum pr_map order[] = { PR_MAP_CONFIG, PR_MAP_IFACES, PR_MAP_IFSLOTS, PR_MAP_NETS, PR_MAP_TXPORTS,
					     PR_MAP_XDP_TXPORTS, PR_MAP_ROUTES4, PR_MAP_ROUTES6 };
	struct pr_reconcile_stats st = {};
	struct pr_reconciler *s = pr_reconcile_new(io);
	struct build b = { .s = s, .in = in, .st = &st };
	struct cmp c = { .in = in, .out = out };
	int err;

	if (!s)
		return -ENOMEM; /* or a map it could not read, logged */
	if (ref)
		memcpy(s->net_status, ref->net_status, sizeof(s->net_status));
	err = pr_desired_run(&b);
	if (!err) {
		c.have = s->mirror;
		c.want = b.want;
		for (size_t i = 0; i < sizeof(order) / sizeof(order[0]); i++)
			compare_map(&c, order[i]);
		err = c.err;
		pr_drift_sort(out);
	}
	pr_desired_free(&b, false);
	pr_reconcile_free(s);
	return err;
}
