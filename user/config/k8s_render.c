// SPDX-License-Identifier: GPL-2.0-only
/* Render one node's config from RouteAdvertisements & co. (config/k8s_render.h). */
#include "config/k8s_ctx.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vrf.h>

/* ---------- per-network values ---------- */

static int node_annotation_json(struct ctx *c, const char *key, json_t **out, bool required)
{
	const char *s = k8s_str_key(k8s_obj_at(c->node, "metadata", "annotations", NULL), key);
	json_error_t je;

	*out = NULL;
	if (!s)
		return required ? k8s_fail(c, "Node \"%s\": annotation %s is missing", c->o->node, key) : 0;
	*out = json_loads(s, 0, &je);
	if (!json_is_object(*out))
		return k8s_fail(c, "Node \"%s\": annotation %s is not a valid JSON object%s%s", c->o->node, key,
			    *out ? "" : ": ", *out ? "" : je.text);
	return 0;
}

/* Whether OVN-K runs this node's gateway in shared mode: its Node
 * annotation k8s.ovn.org/l3-gateway-config, {"default": {"mode": ...}}. */
static bool shared_gateway(struct ctx *c)
{
	json_t *gw = NULL;
	bool shared;

	if (node_annotation_json(c, "k8s.ovn.org/l3-gateway-config", &gw, false)) {
		c->err[0] = '\0'; /* unreadable: not a reason to fail the render */
		return false;
	}
	shared = gw && !strcmp(k8s_str_at(gw, "default.mode") ?: "", "shared");
	json_decref(gw);
	return shared;
}

/* The addresses of the Nodes in the inputs (this node's first). */
static void node_addresses(struct ctx *c)
{
	json_t *x, *a;
	size_t i, j;

	for (int pass = 0; pass < 2; pass++)
		json_array_foreach(c->nodes, i, x) {
			if ((x == c->node) != !pass)
				continue;
			json_array_foreach(k8s_obj_at(x, "status", "addresses", NULL), j, a) {
				const char *t = k8s_str_at(a, "type"), *addr = k8s_str_at(a, "address"), *why;

				if (!t || !addr || (strcmp(t, "InternalIP") && strcmp(t, "ExternalIP")) ||
				    c->naddrs == MAX_ADDRS || pr_prefix_parse(addr, &c->addrs[c->naddrs], &why))
					continue;
				snprintf(c->addr_of[c->naddrs++], sizeof(c->addr_of[0]), "%s", k8s_name_of(x));
			}
		}
}

/* Whether the Node (ctx) carries label key with this value. */
static bool node_has_label(const char *key, const char *value, void *ctx)
{
	const char *v = k8s_str_key(k8s_obj_at(ctx, "metadata", "labels", NULL), key);

	return v && !strcmp(v, value);
}

/* underlay_from: node: the Node's first InternalIP (status.addresses). */
static int fill_underlay_from(struct ctx *c, struct pr_config *out)
{
	json_t *a;
	size_t i;

	if (!out->underlay_auto || !out->underlay_from_node)
		return 0;
	json_array_foreach(k8s_obj_at(c->node, "status", "addresses", NULL), i, a) {
		const char *t = k8s_str_at(a, "type"), *addr = k8s_str_at(a, "address"), *why;

		if (t && addr && !strcmp(t, "InternalIP") && !strchr(addr, '/') &&
		    !pr_prefix_parse(addr, &out->underlay_from, &why)) {
			out->underlay_from_node = false;
			return 0;
		}
	}
	return k8s_fail(c, "Node \"%s\": interfaces.underlay_from is node, and the Node has no InternalIP "
			"in status.addresses", c->o->node);
}

/* A network id from a string or integer JSON value; -1 if neither. */
static long id_value(json_t *v)
{
	char *end;
	long l;

	if (json_is_integer(v))
		return (long)json_integer_value(v);
	if (!json_is_string(v))
		return -1;
	errno = 0;
	l = strtol(json_string_value(v), &end, 10);
	return errno || *end || end == json_string_value(v) ? -1 : l;
}

static int network_id(struct ctx *c, const struct rnet *n, int *id)
{
	json_t *v = c->network_ids ? json_object_get(c->network_ids, n->ovn_name) : NULL, *w;
	const char *from = "Node annotation k8s.ovn.org/network-ids", *k;
	long l;

	if (!v && n->nad) { /* an OVN-K-owned NAD only */
		v = json_object_get(k8s_obj_at(n->nad, "metadata", "annotations", NULL), "k8s.ovn.org/network-id");
		from = "NAD annotation k8s.ovn.org/network-id";
	}
	if (!v) {
		if (n->is_default) {
			*id = 0;
			return 0;
		}
		return k8s_fail(c, "network \"%s\": no network id (Node annotation k8s.ovn.org/network-ids or "
			    "NAD annotation k8s.ovn.org/network-id)", n->ovn_name);
	}
	l = id_value(v);
	if (l < 0 || l >= PR_MAX_NETS - 1)
		return k8s_fail(c, "network \"%s\": network id in %s is not a number 0..%d", n->ovn_name, from,
			    PR_MAX_NETS - 2);
	if (l == 0 && !n->is_default)
		return k8s_fail(c, "network \"%s\": network id 0 (%s) is the default network's", n->ovn_name, from);
	/* An id from a NAD must not be one OVN-K gave another network here. */
	json_object_foreach(c->network_ids, k, w)
		if (strcmp(k, n->ovn_name) && id_value(w) == l)
			return k8s_fail(c, "network \"%s\": network id %ld (%s) is network \"%s\"'s (Node annotation "
				    "k8s.ovn.org/network-ids)", n->ovn_name, l, from, k);
	*id = (int)l;
	return 0;
}

static int add_prefix(struct ctx *c, struct pr_cfg_network *out, const struct rnet *n, const char *s)
{
	const char *why;

	if (out->nprefixes == PR_CFG_MAX_PREFIXES)
		return k8s_fail(c, "network \"%s\": more than %d prefixes", n->ovn_name, PR_CFG_MAX_PREFIXES);
	if (pr_prefix_parse(s, &out->prefixes[out->nprefixes], &why))
		return k8s_fail(c, "network \"%s\": prefix \"%s\": %s", n->ovn_name, s, why);
	out->nprefixes++;
	return 0;
}

static int prefixes(struct ctx *c, const struct rnet *n, struct pr_cfg_network *out)
{
	json_t *v = n->topology == 2 ? n->subnets : json_object_get(c->node_subnets, n->ovn_name), *x;
	size_t i;
	int err;

	if (json_is_string(v))
		return add_prefix(c, out, n, json_string_value(v));
	if (!json_is_array(v) || !json_array_size(v))
		return k8s_fail(c, "Node \"%s\": no host subnet for network \"%s\" in annotation k8s.ovn.org/node-subnets",
			    c->o->node, n->ovn_name);
	json_array_foreach(v, i, x) {
		if (!json_is_string(x))
			return k8s_fail(c, "network \"%s\": subnet %zu is not a string", n->ovn_name, i);
		err = add_prefix(c, out, n, json_string_value(x));
		if (err)
			return err;
	}
	return 0;
}

static int kernel_vrf_table(const char *name, uint32_t *table)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *l = NULL;
	int err = -ENOENT;

	if (sk && !nl_connect(sk, NETLINK_ROUTE) && !rtnl_link_get_kernel(sk, 0, name, &l) &&
	    rtnl_link_is_vrf(l) && !rtnl_link_vrf_get_tableid(l, table))
		err = 0;
	rtnl_link_put(l);
	nl_socket_free(sk);
	return err;
}

static int vrf_of(struct ctx *c, const struct rnet *n, int id, struct pr_cfg_network *out)
{
	const char *tv = n->target_vrf;

	if (!strcmp(tv, "default") || (!strcmp(tv, "auto") && n->is_default))
		return 0;
	if (!strcmp(tv, "auto"))
		snprintf(out->vrf_name, sizeof(out->vrf_name), "mp%d-udn-vrf", id);
	else if (strlen(tv) >= IFNAMSIZ)
		return k8s_fail(c, "RouteAdvertisements \"%s\": targetVRF \"%s\" is not a device name", n->via, tv);
	else
		memcpy(out->vrf_name, tv, strlen(tv) + 1); /* < IFNAMSIZ, checked above */
	out->has_vrf = true;
	for (unsigned i = 0; i < c->o->nvrf; i++)
		if (!strcmp(c->o->vrf[i].name, out->vrf_name))
			out->vrf_table = c->o->vrf[i].table;
	if (!out->vrf_table && !c->o->no_kernel)
		kernel_vrf_table(out->vrf_name, &out->vrf_table);
	if (!out->vrf_table)
		return k8s_fail(c, "network \"%s\": VRF \"%s\" (targetVRF \"%s\" of RouteAdvertisements \"%s\"): its "
			    "table is unknown (no such VRF on this node; give --vrf-table %s=TABLE)",
			    n->ovn_name, out->vrf_name, tv, n->via, out->vrf_name);
	return 0;
}

/* The OVN router port: the first host address of the first IPv4 prefix
 * (else of the first prefix). */
static void router_neighbour(const struct pr_cfg_network *out, struct pr_prefix *nb)
{
	const struct pr_prefix *p = &out->prefixes[0];

	for (unsigned i = 0; i < out->nprefixes; i++)
		if (out->prefixes[i].family == AF_INET) {
			p = &out->prefixes[i];
			break;
		}
	*nb = *p;
	nb->len = p->family == AF_INET ? 32 : 128;
	nb->addr[p->family == AF_INET ? 3 : 15] |= 1;
}

static int make_network(struct ctx *c, const struct rnet *n, struct pr_cfg_network *out)
{
	int id = 0, err;

	memset(out, 0, sizeof(*out));
	if (strlen(n->ovn_name) >= PR_CFG_NAME_MAX)
		return k8s_fail(c, "network \"%s\": name longer than %d characters", n->ovn_name, PR_CFG_NAME_MAX - 1);
	if (!k8s_valid_name(n->ovn_name))
		return k8s_fail(c, "network \"%s\": name has characters other than A-Z a-z 0-9 _ . -", n->ovn_name);
	err = network_id(c, n, &id);
	if (err)
		return err;
	memcpy(out->name, n->ovn_name, strlen(n->ovn_name) + 1); /* < PR_CFG_NAME_MAX, checked above */
	out->id = id + 1;
	out->antispoof = true;
	err = prefixes(c, n, out) ?: vrf_of(c, n, id, out);
	if (err)
		return err;
	if (out->has_vrf) {
		out->target = PR_TGT_VRF;
		return 0;
	}
	out->target = PR_TGT_PORT;
	snprintf(out->port, sizeof(out->port), "ovn-k8s-mp%d", id);
	router_neighbour(out, &out->neighbour);
	return 0;
}

/* What a network may not take: everything, a Node's address, a service
 * range, an id or a prefix of a network rendered before it (same routing
 * domain for prefixes), two overlapping prefixes of its own. */
static int check_network(struct ctx *c, const struct pr_cfg_network *n, const struct pr_cfg_network *done,
			 unsigned ndone)
{
	char a[PR_PREFIX_STRLEN], b[PR_PREFIX_STRLEN];
	uint32_t dom = n->has_vrf ? n->vrf_table : 0;

	for (unsigned m = 0; m < ndone; m++)
		if (done[m].id == n->id)
			return k8s_fail(c, "network \"%s\": network id %u is network \"%s\"'s", n->name, n->id - 1,
				    done[m].name);
	for (unsigned i = 0; i < n->nprefixes; i++) {
		const struct pr_prefix *p = &n->prefixes[i];

		pr_prefix_format(p, a, sizeof(a));
		if (!p->len)
			return k8s_fail(c, "network \"%s\": prefix %s covers every address", n->name, a);
		for (unsigned j = 0; j < c->naddrs; j++)
			if (pr_prefix_overlaps(p, &c->addrs[j]))
				return k8s_fail(c, "network \"%s\": prefix %s covers %s, an address of Node \"%s\"", n->name,
					    a, pr_prefix_format(&c->addrs[j], b, sizeof(b)), c->addr_of[j]);
		for (unsigned j = 0; j < c->o->nservice; j++)
			if (pr_prefix_overlaps(p, &c->o->service[j]))
				return k8s_fail(c, "network \"%s\": prefix %s overlaps the service range %s", n->name, a,
					    pr_prefix_format(&c->o->service[j], b, sizeof(b)));
		for (unsigned j = 0; j < i; j++)
			if (pr_prefix_overlaps(p, &n->prefixes[j]))
				return k8s_fail(c, "network \"%s\": prefix %s overlaps its own %s", n->name, a,
					    pr_prefix_format(&n->prefixes[j], b, sizeof(b)));
		for (unsigned m = 0; m < ndone; m++) {
			if ((done[m].has_vrf ? done[m].vrf_table : 0) != dom)
				continue;
			for (unsigned j = 0; j < done[m].nprefixes; j++)
				if (pr_prefix_overlaps(p, &done[m].prefixes[j]))
					return k8s_fail(c, "network \"%s\": prefix %s overlaps %s of network \"%s\"",
						    n->name, a, pr_prefix_format(&done[m].prefixes[j], b, sizeof(b)),
						    done[m].name);
		}
	}
	return 0;
}

/* Trust first, then age, then name: who keeps a contested id or prefix. */
static int cmp_rank(const void *a, const void *b)
{
	const struct rnet *x = a, *y = b;
	int r;

	if (x->rank != y->rank)
		return x->rank - y->rank;
	r = strcmp(x->ctime, y->ctime);
	return r ? r : strcmp(x->ovn_name, y->ovn_name);
}

static int cmp_id(const void *a, const void *b)
{
	return (int)((const struct pr_cfg_network *)a)->id - (int)((const struct pr_cfg_network *)b)->id;
}

int pr_render_ex(const struct pr_render_opts *o, struct pr_config *out, struct pr_render_report *rep,
		 char *err, size_t errlen)
{
	struct pr_render_report own;
	struct ctx c = { .o = o, .err = err, .errlen = errlen, .rep = rep ? rep : &own };
	struct pr_cfg_network *nets = NULL;
	struct pr_cfg_pos where = { 0, 0 };
	unsigned nout = 0;
	size_t i;
	json_t *x;
	int ret = 0;

	err[0] = '\0';
	c.rep->nrendered = c.rep->nrefused = c.rep->nmsgs = c.rep->nshadowed = 0;
	c.rep->override = -1;
	c.rep->override_line = 0;
	c.ras = json_array();
	c.cudns = json_array();
	c.udns = json_array();
	c.nads = json_array();
	c.nodes = json_array();
	c.namespaces = json_array();
	c.docs = json_array();
	if (!c.ras || !c.cudns || !c.udns || !c.nads || !c.nodes || !c.namespaces || !c.docs) {
		ret = -ENOMEM;
		goto out;
	}
	if (!o->node || !*o->node) {
		ret = k8s_fail(&c, "no node name given");
		goto out;
	}
	for (unsigned f = 0; f < o->ninputs && !ret; f++)
		ret = k8s_load_input(&c, o->inputs[f]);
	if (ret)
		goto out;
	json_array_foreach(c.nodes, i, x)
		if (!strcmp(k8s_name_of(x), o->node))
			c.node = x;
	if (!c.node) {
		ret = -ENOENT;
		k8s_fail(&c, "Node \"%s\" is not in the inputs", o->node);
		goto out;
	}
	ret = node_annotation_json(&c, "k8s.ovn.org/node-subnets", &c.node_subnets, false) ?:
	      node_annotation_json(&c, "k8s.ovn.org/network-ids", &c.network_ids, false) ?:
	      k8s_select_networks(&c);
	if (ret)
		goto out;
	node_addresses(&c);
	if (!c.nnets) {
		ret = -ENOENT;
		k8s_fail(&c, "Node \"%s\": no RouteAdvertisements advertise a pod network on it", o->node);
		goto out;
	}
	nets = calloc(c.nnets, sizeof(*nets));
	if (!nets) {
		ret = -ENOMEM;
		goto out;
	}
	qsort(c.nets, c.nnets, sizeof(*c.nets), cmp_rank);
	for (unsigned n = 0; n < c.nnets; n++) {
		struct rnet *r = &c.nets[n];

		if (r->refused)
			continue;
		if (nout == PR_CFG_MAX_NETWORKS) {
			k8s_refuse(&c, r->what, "network \"%s\": more than %d networks", r->ovn_name, PR_CFG_MAX_NETWORKS);
			continue;
		}
		if (make_network(&c, r, &nets[nout]) || check_network(&c, &nets[nout], nets, nout)) {
			k8s_refuse(&c, r->what, "%s", err);
			err[0] = '\0';
			continue;
		}
		nout++;
	}
	c.rep->nrendered = nout;
	if (!nout) {
		ret = -ENOENT;
		k8s_fail(&c, "Node \"%s\": every network advertised on it was refused (%u refusals); first: %s", o->node,
		     c.rep->nrefused, c.rep->nmsgs ? c.rep->refused[0] + strlen("refused: ") : "?");
		free(nets);
		goto out;
	}
	if (shared_gateway(&c)) {
		for (unsigned n = 0; n < nout; n++) {
			if (nets[n].target == PR_TGT_PORT && !nets[n].shadow) {
				nets[n].shadow = true;
				c.rep->nshadowed++;
			}
		}
	}
	qsort(nets, nout, sizeof(*nets), cmp_id);
	free(out->networks);
	out->networks = nets;
	out->nnetworks = nout;
	/* The interfaces for this node: its override's, then its address. */
	c.rep->override = pr_config_apply_overrides(out, node_has_label, c.node, &where);
	c.rep->override_line = where.line;
	ret = fill_underlay_from(&c, out);
out:
	free(c.nets);
	json_decref(c.node_subnets);
	json_decref(c.network_ids);
	json_decref(c.ras);
	json_decref(c.cudns);
	json_decref(c.udns);
	json_decref(c.nads);
	json_decref(c.nodes);
	json_decref(c.namespaces);
	json_decref(c.docs);
	return ret;
}

int pr_render(const struct pr_render_opts *o, struct pr_config *out, char *err, size_t errlen)
{
	return pr_render_ex(o, out, NULL, err, errlen);
}

int pr_render_add_service_cidr(struct pr_render_opts *o, const char *cidr)
{
	const char *why;

	if (o->nservice == PR_RENDER_MAX_SERVICE || pr_prefix_parse(cidr, &o->service[o->nservice], &why))
		return -EINVAL;
	o->nservice++;
	return 0;
}

int pr_render_add_vrf_table(struct pr_render_opts *o, const char *spec)
{
	const char *eq = strchr(spec, '=');
	char *end;
	unsigned long t;

	if (!eq || eq == spec || eq - spec >= IFNAMSIZ || o->nvrf == PR_RENDER_MAX_VRF_TABLES)
		return -EINVAL;
	errno = 0;
	t = strtoul(eq + 1, &end, 10);
	if (errno || *end || end == eq + 1 || !t || t > UINT32_MAX)
		return -EINVAL;
	snprintf(o->vrf[o->nvrf].name, IFNAMSIZ, "%.*s", (int)(eq - spec), spec);
	o->vrf[o->nvrf++].table = t;
	return 0;
}
