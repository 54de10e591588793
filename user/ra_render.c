// SPDX-License-Identifier: GPL-2.0-only
/* Render one node's config from RouteAdvertisements & co. (ra_render.h). */
#include "ra_render.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vrf.h>

#define MAX_NETS 64

/* A network some RouteAdvertisements select for this node. */
struct rnet {
	char ovn_name[128];
	char what[192];      /* the object it came from, for messages */
	char via[96];        /* the RouteAdvertisements that selected it */
	char target_vrf[64]; /* that RA's targetVRF */
	int topology;        /* 3 or 2 */
	bool is_default;
	json_t *subnets;     /* Layer2: array of CIDR strings (borrowed) */
	json_t *nad;         /* the NAD describing it, if any (borrowed) */
};

struct ctx {
	const struct pr_render_opts *o;
	json_t *ras, *cudns, *udns, *nads, *nodes; /* arrays of borrowed items */
	json_t *docs;                              /* the loaded files (owned) */
	json_t *node, *node_subnets, *network_ids; /* node_subnets/ids owned */
	struct rnet nets[MAX_NETS];
	unsigned nnets;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 2, 3))) static int fail(struct ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static const char *str_at(json_t *o, const char *path)
{
	char key[64];
	const char *dot;

	while (o && (dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = json_object_get(o, key);
		path = dot + 1;
	}
	o = o ? json_object_get(o, path) : NULL;
	return json_is_string(o) ? json_string_value(o) : NULL;
}

/* A string member whose key may contain dots (annotations, network names). */
static const char *str_key(json_t *o, const char *key)
{
	json_t *v = o ? json_object_get(o, key) : NULL;

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static json_t *obj_at(json_t *o, const char *a, const char *b, const char *cc)
{
	o = o ? json_object_get(o, a) : NULL;
	if (o && b)
		o = json_object_get(o, b);
	if (o && cc)
		o = json_object_get(o, cc);
	return o;
}

static const char *name_of(json_t *o)
{
	const char *n = str_at(o, "metadata.name");

	return n ? n : "?";
}

/* ---------- inputs ---------- */

static int add_item(struct ctx *c, json_t *it, const char *file)
{
	const char *kind = str_at(it, "kind");
	json_t *to;

	if (!kind)
		return fail(c, "%s: an item without \"kind\"", file);
	if (!strcmp(kind, "RouteAdvertisements"))
		to = c->ras;
	else if (!strcmp(kind, "ClusterUserDefinedNetwork"))
		to = c->cudns;
	else if (!strcmp(kind, "UserDefinedNetwork"))
		to = c->udns;
	else if (!strcmp(kind, "NetworkAttachmentDefinition"))
		to = c->nads;
	else if (!strcmp(kind, "Node"))
		to = c->nodes;
	else
		return 0; /* other kinds are not ours to read */
	if (!str_at(it, "metadata.name"))
		return fail(c, "%s: %s without metadata.name", file, kind);
	return json_array_append(to, it) ? -ENOMEM : 0;
}

static int load_input(struct ctx *c, const char *path)
{
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je), *items;
	const char *kind;
	size_t i;
	json_t *it;
	int err;

	if (!doc)
		return fail(c, "%s:%d:%d: not valid JSON: %s", path, je.line, je.column, je.text);
	json_array_append_new(c->docs, doc);
	if (!json_is_object(doc))
		return fail(c, "%s: expected an object (kubectl get -o json), got %s", path,
			    json_is_array(doc) ? "an array" : "a scalar");
	kind = str_at(doc, "kind");
	items = json_object_get(doc, "items");
	if (kind && strlen(kind) >= 4 && !strcmp(kind + strlen(kind) - 4, "List")) {
		if (!json_is_array(items))
			return fail(c, "%s: %s without an \"items\" array", path, kind);
		json_array_foreach(items, i, it) {
			err = add_item(c, it, path);
			if (err)
				return err;
		}
		return 0;
	}
	return add_item(c, doc, path);
}

/* ---------- label selectors (metav1.LabelSelector) ---------- */

static int selector_match(struct ctx *c, json_t *sel, json_t *labels, const char *where, bool *match)
{
	json_t *ml = json_object_get(sel, "matchLabels"), *me = json_object_get(sel, "matchExpressions");
	const char *k;
	json_t *v, *e;
	size_t i;

	*match = true;
	if (!sel || json_is_null(sel))
		return 0;
	if (!json_is_object(sel))
		return fail(c, "%s: not a label selector", where);
	json_object_foreach(ml, k, v) {
		json_t *have = json_object_get(labels, k);

		if (!have || !json_is_string(v) || !json_equal(have, v))
			*match = false;
	}
	json_array_foreach(me, i, e) {
		const char *key = str_at(e, "key"), *op = str_at(e, "operator");
		json_t *vals = json_object_get(e, "values"), *have = key ? json_object_get(labels, key) : NULL;
		bool in = false;
		size_t j;
		json_t *x;

		if (!key || !op)
			return fail(c, "%s: matchExpressions[%zu] needs key and operator", where, i);
		json_array_foreach(vals, j, x)
			in |= have && json_equal(have, x);
		if (!strcmp(op, "In"))
			*match &= in;
		else if (!strcmp(op, "NotIn"))
			*match &= !in;
		else if (!strcmp(op, "Exists"))
			*match &= have != NULL;
		else if (!strcmp(op, "DoesNotExist"))
			*match &= have == NULL;
		else
			return fail(c, "%s: matchExpressions[%zu]: unknown operator \"%s\"", where, i, op);
	}
	return 0;
}

/* ---------- networks ---------- */

/* The NAD whose spec.config names OVN network `name`, if any. */
static json_t *nad_config(json_t *nad, json_t **owned)
{
	const char *cfg = str_at(nad, "spec.config");

	*owned = cfg ? json_loads(cfg, 0, NULL) : NULL;
	return *owned;
}

static struct rnet *add_net(struct ctx *c, const char *ovn_name, const char *what, json_t *ra, int *err)
{
	const char *tv = str_at(ra, "spec.targetVRF");

	*err = 0;
	if (!tv || !*tv)
		tv = "default";
	for (unsigned i = 0; i < c->nnets; i++) {
		if (strcmp(c->nets[i].ovn_name, ovn_name))
			continue;
		if (strcmp(c->nets[i].target_vrf, tv))
			*err = fail(c, "network \"%s\" is advertised by RouteAdvertisements \"%s\" with targetVRF "
				    "\"%s\" and by \"%s\" with targetVRF \"%s\"", ovn_name, c->nets[i].via,
				    c->nets[i].target_vrf, name_of(ra), tv);
		return NULL; /* already selected */
	}
	if (c->nnets == MAX_NETS) {
		*err = fail(c, "more than %d advertised networks", MAX_NETS);
		return NULL;
	}
	struct rnet *n = &c->nets[c->nnets++];

	memset(n, 0, sizeof(*n));
	snprintf(n->ovn_name, sizeof(n->ovn_name), "%s", ovn_name);
	snprintf(n->what, sizeof(n->what), "%s", what);
	snprintf(n->via, sizeof(n->via), "%s", name_of(ra));
	snprintf(n->target_vrf, sizeof(n->target_vrf), "%s", tv);
	return n;
}

static int topology_of(struct ctx *c, const char *t, const char *what)
{
	if (t && (!strcmp(t, "Layer3") || !strcmp(t, "layer3")))
		return 3;
	if (t && (!strcmp(t, "Layer2") || !strcmp(t, "layer2")))
		return 2;
	return fail(c, "%s: unknown topology \"%s\" (Layer3 or Layer2)", what, t ? t : "(none)");
}

/* A CUDN or UDN: topology and (Layer2) subnets from its spec. */
static int add_udn(struct ctx *c, json_t *u, bool cluster, json_t *ra)
{
	const char *name = name_of(u), *ns = str_at(u, "metadata.namespace");
	json_t *spec = cluster ? obj_at(u, "spec", "network", NULL) : json_object_get(u, "spec");
	char ovn[128], what[192];
	struct rnet *n;
	int err, topo;

	if (cluster)
		snprintf(ovn, sizeof(ovn), "cluster_udn_%s", name);
	else
		snprintf(ovn, sizeof(ovn), "%s_%s", ns ? ns : "default", name);
	snprintf(what, sizeof(what), "%s \"%s\"", cluster ? "ClusterUserDefinedNetwork" : "UserDefinedNetwork",
		 name);
	topo = topology_of(c, str_at(spec, "topology"), what);
	if (topo < 0)
		return topo;
	n = add_net(c, ovn, what, ra, &err);
	if (!n)
		return err;
	n->topology = topo;
	if (topo == 2) {
		n->subnets = obj_at(spec, "layer2", "subnets", NULL);
		if (!json_is_array(n->subnets) || !json_array_size(n->subnets))
			return fail(c, "%s: Layer2 network without subnets (spec%s.layer2.subnets)", what,
				    cluster ? ".network" : "");
	}
	return 0;
}

/* A NAD: name, topology and subnets from its spec.config. */
static int add_nad(struct ctx *c, json_t *nad, json_t *ra)
{
	char what[192];
	json_t *cfg, *owned;
	const char *name, *subnets;
	struct rnet *n;
	int err, topo;

	snprintf(what, sizeof(what), "NetworkAttachmentDefinition \"%s/%s\"",
		 str_at(nad, "metadata.namespace") ?: "default", name_of(nad));
	cfg = nad_config(nad, &owned);
	if (!cfg)
		return fail(c, "%s: spec.config is missing or not valid JSON", what);
	name = str_at(cfg, "name");
	topo = topology_of(c, str_at(cfg, "topology"), what);
	if (!name || topo < 0) {
		json_decref(owned);
		return name ? topo : fail(c, "%s: spec.config has no \"name\"", what);
	}
	n = add_net(c, name, what, ra, &err);
	if (n) {
		n->topology = topo;
		n->nad = nad;
		subnets = str_at(cfg, "subnets");
		if (topo == 2) {
			/* "10.0.0.0/16,fd00::/64": kept as an array in the docs list. */
			json_t *arr = json_array();
			char *dup = strdup(subnets ? subnets : ""), *save = NULL;

			for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save))
				json_array_append_new(arr, json_string(t));
			free(dup);
			json_array_append_new(c->docs, arr);
			n->subnets = arr;
			if (!json_array_size(arr))
				err = fail(c, "%s: Layer2 network without subnets (spec.config \"subnets\")", what);
		}
	}
	json_decref(owned);
	return err;
}

static bool advertises_pods(json_t *ra)
{
	json_t *adv = obj_at(ra, "spec", "advertisements", NULL), *v;
	size_t i;

	json_array_foreach(adv, i, v)
		if (json_is_string(v) && !strcmp(json_string_value(v), "PodNetwork"))
			return true;
	return false;
}

/* Does RouteAdvertisements `ra` apply to this node (and to pod networks)? */
static int ra_applies(struct ctx *c, json_t *ra, bool *yes)
{
	char where[160];

	*yes = false;
	if (!advertises_pods(ra))
		return 0; /* EgressIP only: nothing for the fast path */
	snprintf(where, sizeof(where), "RouteAdvertisements \"%s\": spec.nodeSelector", name_of(ra));
	return selector_match(c, obj_at(ra, "spec", "nodeSelector", NULL), obj_at(c->node, "metadata", "labels", NULL),
			      where, yes);
}

static int select_networks(struct ctx *c)
{
	size_t i, j, k;
	json_t *ra, *s, *x;
	int err;

	json_array_foreach(c->ras, i, ra) {
		json_t *sels = obj_at(ra, "spec", "networkSelectors", NULL);
		bool yes;

		err = ra_applies(c, ra, &yes);
		if (err)
			return err;
		if (!yes)
			continue;
		if (!json_is_array(sels) || !json_array_size(sels))
			return fail(c, "RouteAdvertisements \"%s\": spec.networkSelectors is missing or empty",
				    name_of(ra));
		json_array_foreach(sels, j, s) {
			const char *type = str_at(s, "networkSelectionType");
			char where[192];

			snprintf(where, sizeof(where), "RouteAdvertisements \"%s\": networkSelectors[%zu]",
				 name_of(ra), j);
			if (type && !strcmp(type, "DefaultNetwork")) {
				struct rnet *n = add_net(c, "default", "the default network", ra, &err);

				if (n) {
					n->is_default = true;
					n->topology = 3;
				}
				if (err)
					return err;
			} else if (type && !strcmp(type, "ClusterUserDefinedNetworks")) {
				json_t *sel = obj_at(s, "clusterUserDefinedNetworkSelector", "networkSelector", NULL);

				json_array_foreach(c->cudns, k, x) {
					bool m;

					err = selector_match(c, sel, obj_at(x, "metadata", "labels", NULL), where, &m);
					if (!err && m)
						err = add_udn(c, x, true, ra);
					if (err)
						return err;
				}
			} else if (type && !strcmp(type, "NetworkAttachmentDefinitions")) {
				json_t *sel = obj_at(s, "networkAttachmentDefinitionSelector", "networkSelector", NULL);

				json_array_foreach(c->nads, k, x) {
					bool m;

					err = selector_match(c, sel, obj_at(x, "metadata", "labels", NULL), where, &m);
					if (!err && m)
						err = add_nad(c, x, ra);
					if (err)
						return err;
				}
			} else {
				return fail(c, "%s: unknown networkSelectionType \"%s\"", where, type ? type : "(none)");
			}
		}
	}
	/* NADs OVN-K annotated with the RAs that selected them. */
	json_array_foreach(c->nads, i, x) {
		const char *ann = str_key(obj_at(x, "metadata", "annotations", NULL), "k8s.ovn.org/route-advertisements");
		json_t *names, *nm;

		if (!ann)
			continue;
		names = json_loads(ann, 0, NULL);
		if (!json_is_array(names)) {
			json_decref(names);
			return fail(c, "NetworkAttachmentDefinition \"%s\": annotation k8s.ovn.org/route-advertisements "
				    "is not a JSON array of names", name_of(x));
		}
		err = 0;
		json_array_foreach(names, j, nm) {
			json_array_foreach(c->ras, k, ra) {
				bool yes;

				if (!json_is_string(nm) || strcmp(json_string_value(nm), name_of(ra)))
					continue;
				err = ra_applies(c, ra, &yes);
				if (!err && yes)
					err = add_nad(c, x, ra);
				if (err)
					break;
			}
			if (err)
				break;
		}
		json_decref(names);
		if (err)
			return err;
	}
	return 0;
}

/* ---------- per-network values ---------- */

static int node_annotation_json(struct ctx *c, const char *key, json_t **out, bool required)
{
	const char *s = str_key(obj_at(c->node, "metadata", "annotations", NULL), key);
	json_error_t je;

	*out = NULL;
	if (!s)
		return required ? fail(c, "Node \"%s\": annotation %s is missing", c->o->node, key) : 0;
	*out = json_loads(s, 0, &je);
	if (!json_is_object(*out))
		return fail(c, "Node \"%s\": annotation %s is not a valid JSON object%s%s", c->o->node, key,
			    *out ? "" : ": ", *out ? "" : je.text);
	return 0;
}

static int network_id(struct ctx *c, const struct rnet *n, int *id)
{
	const char *s = str_key(c->network_ids, n->ovn_name);
	json_t *v;
	char *end;
	long l;

	if (!s && n->nad)
		s = str_key(obj_at(n->nad, "metadata", "annotations", NULL), "k8s.ovn.org/network-id");
	if (!s && c->network_ids && json_is_integer(v = json_object_get(c->network_ids, n->ovn_name))) {
		*id = (int)json_integer_value(v);
		return *id >= 0 && *id < PR_MAX_NETS - 1 ? 0 : fail(c, "network \"%s\": id %d out of range", n->ovn_name, *id);
	}
	if (!s) {
		if (n->is_default) {
			*id = 0;
			return 0;
		}
		return fail(c, "%s (network \"%s\"): no network id (Node annotation k8s.ovn.org/network-ids or "
			    "NAD annotation k8s.ovn.org/network-id)", n->what, n->ovn_name);
	}
	errno = 0;
	l = strtol(s, &end, 10);
	if (errno || *end || end == s || l < 0 || l >= PR_MAX_NETS - 1)
		return fail(c, "network \"%s\": network id \"%s\" is not a number 0..%d", n->ovn_name, s,
			    PR_MAX_NETS - 2);
	*id = (int)l;
	return 0;
}

static int add_prefix(struct ctx *c, struct pr_cfg_network *out, const struct rnet *n, const char *s)
{
	const char *why;

	if (out->nprefixes == PR_CFG_MAX_PREFIXES)
		return fail(c, "network \"%s\": more than %d prefixes", n->ovn_name, PR_CFG_MAX_PREFIXES);
	if (pr_prefix_parse(s, &out->prefixes[out->nprefixes], &why))
		return fail(c, "network \"%s\": prefix \"%s\": %s", n->ovn_name, s, why);
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
		return fail(c, "Node \"%s\": no host subnet for network \"%s\" in annotation k8s.ovn.org/node-subnets",
			    c->o->node, n->ovn_name);
	json_array_foreach(v, i, x) {
		if (!json_is_string(x))
			return fail(c, "network \"%s\": subnet %zu is not a string", n->ovn_name, i);
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
		return fail(c, "RouteAdvertisements \"%s\": targetVRF \"%s\" is not a device name", n->via, tv);
	else
		snprintf(out->vrf_name, sizeof(out->vrf_name), "%s", tv);
	out->has_vrf = true;
	for (unsigned i = 0; i < c->o->nvrf; i++)
		if (!strcmp(c->o->vrf[i].name, out->vrf_name))
			out->vrf_table = c->o->vrf[i].table;
	if (!out->vrf_table && !c->o->no_kernel)
		kernel_vrf_table(out->vrf_name, &out->vrf_table);
	if (!out->vrf_table)
		return fail(c, "network \"%s\": VRF \"%s\" (targetVRF \"%s\" of RouteAdvertisements \"%s\"): its "
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
	err = network_id(c, n, &id);
	if (err)
		return err;
	if (strlen(n->ovn_name) >= PR_CFG_NAME_MAX)
		return fail(c, "network \"%s\": name longer than %d characters", n->ovn_name, PR_CFG_NAME_MAX - 1);
	snprintf(out->name, sizeof(out->name), "%s", n->ovn_name);
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

static int cmp_id(const void *a, const void *b)
{
	return (int)((const struct pr_cfg_network *)a)->id - (int)((const struct pr_cfg_network *)b)->id;
}

int pr_render(const struct pr_render_opts *o, struct pr_config *out, char *err, size_t errlen)
{
	struct ctx c = { .o = o, .err = err, .errlen = errlen };
	struct pr_cfg_network *nets = NULL;
	size_t i;
	json_t *x;
	int ret = 0;

	err[0] = '\0';
	c.ras = json_array();
	c.cudns = json_array();
	c.udns = json_array();
	c.nads = json_array();
	c.nodes = json_array();
	c.docs = json_array();
	if (!o->node || !*o->node) {
		ret = fail(&c, "no node name given");
		goto out;
	}
	for (unsigned f = 0; f < o->ninputs && !ret; f++)
		ret = load_input(&c, o->inputs[f]);
	if (ret)
		goto out;
	json_array_foreach(c.nodes, i, x)
		if (!strcmp(name_of(x), o->node))
			c.node = x;
	if (!c.node) {
		ret = -ENOENT;
		fail(&c, "Node \"%s\" is not in the inputs", o->node);
		goto out;
	}
	ret = node_annotation_json(&c, "k8s.ovn.org/node-subnets", &c.node_subnets, false) ?:
	      node_annotation_json(&c, "k8s.ovn.org/network-ids", &c.network_ids, false) ?:
	      select_networks(&c);
	if (ret)
		goto out;
	if (!c.nnets) {
		ret = -ENOENT;
		fail(&c, "Node \"%s\": no RouteAdvertisements advertise a pod network on it", o->node);
		goto out;
	}
	nets = calloc(c.nnets, sizeof(*nets));
	if (!nets) {
		ret = -ENOMEM;
		goto out;
	}
	for (unsigned n = 0; n < c.nnets && !ret; n++) {
		ret = make_network(&c, &c.nets[n], &nets[n]);
		for (unsigned m = 0; !ret && m < n; m++)
			if (nets[m].id == nets[n].id)
				ret = fail(&c, "networks \"%s\" and \"%s\" have the same network id %u", nets[m].name,
					   nets[n].name, nets[n].id - 1);
	}
	if (ret) {
		free(nets);
		goto out;
	}
	qsort(nets, c.nnets, sizeof(*nets), cmp_id);
	free(out->networks);
	out->networks = nets;
	out->nnetworks = c.nnets;
out:
	json_decref(c.node_subnets);
	json_decref(c.network_ids);
	json_decref(c.ras);
	json_decref(c.cudns);
	json_decref(c.udns);
	json_decref(c.nads);
	json_decref(c.nodes);
	json_decref(c.docs);
	return ret;
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
