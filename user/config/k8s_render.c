// SPDX-License-Identifier: GPL-2.0-only
/* Render one node's config from RouteAdvertisements & co. (config/k8s_render.h). */
#include "config/k8s_render.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vrf.h>

#define MAX_CANDIDATES 1024 /* networks selected, before checks */
#define MAX_ADDRS 256       /* node addresses kept for the checks */

enum rank { RANK_DEFAULT, RANK_CUDN, RANK_OWNED_NAD, RANK_NAD };

/* A network some RouteAdvertisements select for this node. */
struct rnet {
	char ovn_name[128];
	char what[192];      /* the object it came from, for messages */
	char via[96];        /* the RouteAdvertisements that selected it */
	char target_vrf[64]; /* that RA's targetVRF */
	char ctime[48];      /* metadata.creationTimestamp of its object */
	int topology;        /* 3 or 2 */
	int rank;            /* enum rank: lower is more trusted */
	bool is_default;
	bool refused;        /* refused already (kept so the name stays taken) */
	json_t *subnets;     /* Layer2: array of CIDR strings (borrowed) */
	json_t *nad;         /* an OVN-K-owned NAD describing it, if any (borrowed) */
};

struct ctx {
	const struct pr_render_opts *o;
	struct pr_render_report *rep;
	json_t *ras, *cudns, *udns, *nads, *nodes, *namespaces; /* arrays of borrowed items */
	json_t *docs;                              /* the loaded files (owned) */
	json_t *node, *node_subnets, *network_ids; /* node_subnets/ids owned */
	struct rnet *nets;
	unsigned nnets, capnets;
	struct pr_prefix addrs[MAX_ADDRS];         /* the Nodes' addresses */
	char addr_of[MAX_ADDRS][64];               /* whose */
	unsigned naddrs;
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

/* The object `what` names, as written by udn_names and nad_what:
 * Kind "name" or Kind "namespace/name". */
static void what_object(const char *what, struct pr_render_object *o)
{
	static const struct { const char *kind, *api; } kinds[] = {
		{ "ClusterUserDefinedNetwork", "k8s.ovn.org/v1" },
		{ "UserDefinedNetwork", "k8s.ovn.org/v1" },
		{ "RouteAdvertisements", "k8s.ovn.org/v1" },
		{ "NetworkAttachmentDefinition", "k8s.cni.cncf.io/v1" },
	};
	const char *q = strchr(what, '"'), *end, *slash;

	memset(o, 0, sizeof(*o));
	end = q ? strchr(q + 1, '"') : NULL;
	for (size_t i = 0; end && i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t klen = strlen(kinds[i].kind);

		if (strncmp(what, kinds[i].kind, klen) || what + klen + 1 != q)
			continue;
		slash = memchr(q + 1, '/', (size_t)(end - q - 1));
		if (slash)
			snprintf(o->namespace_, sizeof(o->namespace_), "%.*s", (int)(slash - q - 1), q + 1);
		snprintf(o->name, sizeof(o->name), "%.*s", (int)(end - (slash ? slash : q) - 1),
			 (slash ? slash : q) + 1);
		snprintf(o->kind, sizeof(o->kind), "%s", kinds[i].kind);
		snprintf(o->api_version, sizeof(o->api_version), "%s", kinds[i].api);
		return;
	}
}

/* Refuse one network (or ignore one object): "refused: <what>: <reason>". */
__attribute__((format(printf, 3, 4))) static void refuse(struct ctx *c, const char *what, const char *fmt, ...)
{
	struct pr_render_report *r = c->rep;
	char msg[PR_RENDER_REFUSED_LEN];
	int n;
	va_list ap;

	n = snprintf(msg, sizeof(msg), "refused: %s: ", what);
	if (n < 0 || (size_t)n >= sizeof(msg))
		n = (int)sizeof(msg) - 1;
	va_start(ap, fmt);
	vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
	va_end(ap);
	for (unsigned i = 0; i < r->nmsgs; i++)
		if (!strcmp(r->refused[i], msg))
			return;
	r->nrefused++;
	if (r->nmsgs < PR_RENDER_MAX_REFUSED) {
		what_object(what, &r->object[r->nmsgs]);
		memcpy(r->refused[r->nmsgs++], msg, sizeof(msg));
	}
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
	else if (!strcmp(kind, "Namespace"))
		to = c->namespaces;
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

static const char *ns_of(json_t *o)
{
	const char *ns = str_at(o, "metadata.namespace");

	return ns ? ns : "default";
}

static void ctime_of(json_t *o, char *buf, size_t len)
{
	const char *t = str_at(o, "metadata.creationTimestamp");

	/* RFC 3339 in UTC ("2024-01-02T03:04:05Z") sorts as text; none sorts last. */
	snprintf(buf, len, "%s", t ? t : "~");
}

/* A network name the agent's config accepts: 1..31 of A-Z a-z 0-9 _ . - */
static bool valid_name(const char *s)
{
	size_t n = strlen(s);

	if (!n || n >= PR_CFG_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '.' || *s == '-'))
			return false;
	return true;
}

static struct rnet *find_net(struct ctx *c, const char *ovn_name)
{
	for (unsigned i = 0; i < c->nnets; i++)
		if (!strcmp(c->nets[i].ovn_name, ovn_name))
			return &c->nets[i];
	return NULL;
}

/* A new candidate, or NULL (*err 0) when the name is taken already (the
 * same network selected again; a targetVRF conflict refuses it) or there
 * are too many (refused), or *err -ENOMEM. */
static struct rnet *add_net(struct ctx *c, const char *ovn_name, const char *what, json_t *ra, json_t *obj,
			    int rank, int *err)
{
	const char *tv = str_at(ra, "spec.targetVRF");
	struct rnet *n = find_net(c, ovn_name);

	*err = 0;
	if (!tv || !*tv)
		tv = "default";
	if (n) {
		if (!n->refused && strcmp(n->target_vrf, tv)) {
			n->refused = true;
			refuse(c, n->what, "network \"%s\" is advertised by RouteAdvertisements \"%s\" with "
			       "targetVRF \"%s\" and by \"%s\" with targetVRF \"%s\"", ovn_name, n->via,
			       n->target_vrf, name_of(ra), tv);
		}
		return NULL; /* already selected */
	}
	if (c->nnets == MAX_CANDIDATES) {
		refuse(c, what, "more than %d networks selected", MAX_CANDIDATES);
		return NULL;
	}
	if (c->nnets == c->capnets) {
		unsigned cap = c->capnets ? c->capnets * 2 : 16;
		struct rnet *nn = realloc(c->nets, cap * sizeof(*nn));

		if (!nn) {
			*err = -ENOMEM;
			return NULL;
		}
		c->nets = nn;
		c->capnets = cap;
	}
	n = &c->nets[c->nnets++];
	memset(n, 0, sizeof(*n));
	snprintf(n->ovn_name, sizeof(n->ovn_name), "%s", ovn_name);
	snprintf(n->what, sizeof(n->what), "%s", what);
	snprintf(n->via, sizeof(n->via), "%s", name_of(ra));
	snprintf(n->target_vrf, sizeof(n->target_vrf), "%s", tv);
	n->rank = rank;
	if (obj)
		ctime_of(obj, n->ctime, sizeof(n->ctime));
	else
		snprintf(n->ctime, sizeof(n->ctime), "%s", "");
	return n;
}

static int topology_of(const char *t)
{
	if (t && (!strcmp(t, "Layer3") || !strcmp(t, "layer3")))
		return 3;
	if (t && (!strcmp(t, "Layer2") || !strcmp(t, "layer2")))
		return 2;
	return -1;
}

static void udn_names(json_t *u, bool cluster, char *ovn, size_t olen, char *what, size_t wlen)
{
	if (cluster)
		snprintf(ovn, olen, "cluster_udn_%s", name_of(u));
	else
		snprintf(ovn, olen, "%s_%s", ns_of(u), name_of(u));
	if (cluster)
		snprintf(what, wlen, "ClusterUserDefinedNetwork \"%s\"", name_of(u));
	else
		snprintf(what, wlen, "UserDefinedNetwork \"%s/%s\"", ns_of(u), name_of(u));
}

/* Topology and (Layer2) subnets of a CUDN or UDN from its spec, into n;
 * false (refused, as `what`) when the spec has neither. */
static bool udn_spec(struct ctx *c, json_t *u, bool cluster, const char *what, struct rnet *n)
{
	json_t *spec = cluster ? obj_at(u, "spec", "network", NULL) : json_object_get(u, "spec");
	const char *t = str_at(spec, "topology");

	n->topology = topology_of(t);
	if (n->topology < 0) {
		refuse(c, what, "unknown topology \"%s\" (Layer3 or Layer2)", t ? t : "(none)");
		return false;
	}
	if (n->topology == 2) {
		n->subnets = obj_at(spec, "layer2", "subnets", NULL);
		if (!json_is_array(n->subnets) || !json_array_size(n->subnets)) {
			refuse(c, what, "Layer2 network without subnets (spec%s.layer2.subnets)",
			       cluster ? ".network" : "");
			return false;
		}
	}
	return true;
}

/* A CUDN selected by an RA. 0 or -ENOMEM. */
static int add_cudn(struct ctx *c, json_t *u, json_t *ra)
{
	char ovn[128], what[192];
	struct rnet *n;
	int err;

	udn_names(u, true, ovn, sizeof(ovn), what, sizeof(what));
	n = add_net(c, ovn, what, ra, u, RANK_CUDN, &err);
	if (n && !udn_spec(c, u, true, what, n))
		n->refused = true;
	return err;
}

/* Does a selector look at any label but kubernetes.io/metadata.name (the
 * one label every namespace has, its name)? */
static bool needs_ns_labels(json_t *sel)
{
	const char *k;
	json_t *v, *e;
	size_t i;

	json_object_foreach(json_object_get(sel, "matchLabels"), k, v)
		if (strcmp(k, "kubernetes.io/metadata.name"))
			return true;
	json_array_foreach(json_object_get(sel, "matchExpressions"), i, e) {
		const char *key = str_at(e, "key");

		if (!key || strcmp(key, "kubernetes.io/metadata.name"))
			return true;
	}
	return false;
}

/* Does namespaceSelector `sel` pick the namespace of `nad`? -EINVAL for a
 * bad selector (the RA's: global); *match false with *unknown set when the
 * namespace's labels are not in the inputs and the selector needs them. */
static int ns_selected(struct ctx *c, json_t *sel, json_t *nad, const char *where, bool *match, bool *unknown)
{
	const char *ns = ns_of(nad);
	json_t *x, *labels = NULL;
	size_t i;
	int err;

	*unknown = false;
	json_array_foreach(c->namespaces, i, x)
		if (!strcmp(name_of(x), ns))
			labels = obj_at(x, "metadata", "labels", NULL);
	if (!labels) {
		json_t *own = json_pack("{s:s}", "kubernetes.io/metadata.name", ns);

		if (!own)
			return -ENOMEM;
		json_array_append_new(c->docs, own);
		if (sel && !json_is_null(sel) && needs_ns_labels(sel)) {
			err = selector_match(c, sel, own, where, match); /* the RA's own errors first */
			*match = false;
			*unknown = !err;
			return err;
		}
		labels = own;
	}
	return selector_match(c, sel, labels, where, match);
}

/* The UDN or CUDN whose NAD this is, as OVN-K renders it: its controller
 * owner reference (group k8s.ovn.org, kind UserDefinedNetwork or
 * ClusterUserDefinedNetwork) names an owner in the inputs (a UDN in the
 * NAD's namespace; the same uid when both give one), the NAD has the
 * owner's name, and spec.config "name" (cfg_name, may be NULL) is the
 * owner's network name. NULL when any of this does not hold. */
static json_t *nad_owner(struct ctx *c, json_t *nad, const char *cfg_name, bool *cluster)
{
	json_t *refs = obj_at(nad, "metadata", "ownerReferences", NULL), *r, *o, *list;
	size_t i, j;

	json_array_foreach(refs, i, r) {
		const char *api = str_at(r, "apiVersion"), *kind = str_at(r, "kind"), *name = str_at(r, "name");
		const char *uid = str_at(r, "uid");

		if (!json_is_true(json_object_get(r, "controller")))
			continue;
		/* Kubernetes allows one controller reference: this one decides. */
		if (!api || strncmp(api, "k8s.ovn.org/", 12) || !kind || !name)
			return NULL;
		if (!strcmp(kind, "ClusterUserDefinedNetwork"))
			*cluster = true, list = c->cudns;
		else if (!strcmp(kind, "UserDefinedNetwork"))
			*cluster = false, list = c->udns;
		else
			return NULL;
		if (strcmp(name, name_of(nad)))
			return NULL;
		json_array_foreach(list, j, o) {
			const char *ouid = str_at(o, "metadata.uid");
			char ovn[128], what[192];

			if (strcmp(name_of(o), name) || (!*cluster && strcmp(ns_of(o), ns_of(nad))) ||
			    (uid && ouid && strcmp(uid, ouid)))
				continue;
			udn_names(o, *cluster, ovn, sizeof(ovn), what, sizeof(what));
			if (!cfg_name || strcmp(cfg_name, ovn))
				return NULL;
			/* A CUDN's NADs live only in the namespaces it selects. */
			if (*cluster) {
				bool m = false, unknown = true;

				if (ns_selected(c, obj_at(o, "spec", "namespaceSelector", NULL), nad, what, &m,
						&unknown) || unknown || !m) {
					c->err[0] = '\0';
					return NULL;
				}
			}
			return o;
		}
		return NULL;
	}
	return NULL;
}

/* Is `name` a network a NAD may only name if OVN-K rendered it for that
 * network: the default network, any "cluster_udn_*", a UDN's network. */
static bool reserved_name(struct ctx *c, const char *name)
{
	json_t *u;
	size_t i;

	if (!strcmp(name, "default") || !strncmp(name, "cluster_udn_", 12))
		return true;
	json_array_foreach(c->udns, i, u) {
		char ovn[128], what[192];

		udn_names(u, false, ovn, sizeof(ovn), what, sizeof(what));
		if (!strcmp(ovn, name))
			return true;
	}
	return false;
}

static void nad_what(json_t *nad, char *what, size_t len)
{
	snprintf(what, len, "NetworkAttachmentDefinition \"%s/%s\"", ns_of(nad), name_of(nad));
}

/* A NAD selected by an RA: name from its spec.config; topology, subnets and
 * the id annotation trusted only when OVN-K owns it. 0 or -ENOMEM. */
static int add_nad(struct ctx *c, json_t *nad, json_t *ra)
{
	char what[192];
	json_t *cfg, *owner;
	const char *name;
	bool cluster = false;
	struct rnet *n;
	int err = 0, topo;

	nad_what(nad, what, sizeof(what));
	cfg = str_at(nad, "spec.config") ? json_loads(str_at(nad, "spec.config"), 0, NULL) : NULL;
	if (!json_is_object(cfg)) {
		refuse(c, what, "spec.config is missing or not a valid JSON object");
		goto out;
	}
	name = str_at(cfg, "name");
	if (!name) {
		refuse(c, what, "spec.config has no \"name\"");
		goto out;
	}
	owner = nad_owner(c, nad, name, &cluster);
	if (!owner && reserved_name(c, name)) {
		refuse(c, what, "spec.config name \"%s\" is the default network's, a ClusterUserDefinedNetwork's "
		       "or a UserDefinedNetwork's, and this NAD is not the one OVN-Kubernetes rendered for it "
		       "(no matching controller ownerReference)", name);
		goto out;
	}
	topo = topology_of(str_at(cfg, "topology"));
	if (!owner && topo < 0) {
		refuse(c, what, "unknown topology \"%s\" (Layer3 or Layer2)",
		       str_at(cfg, "topology") ? str_at(cfg, "topology") : "(none)");
		goto out;
	}
	if (!owner && topo == 2) {
		refuse(c, what, "a Layer2 network's subnets are taken only from its UserDefinedNetwork or "
		       "ClusterUserDefinedNetwork, and this NAD is not one OVN-Kubernetes rendered for one");
		goto out;
	}
	n = add_net(c, name, what, ra, nad, owner ? RANK_OWNED_NAD : RANK_NAD, &err);
	if (!n)
		goto out;
	if (owner) {
		n->nad = nad;
		if (!udn_spec(c, owner, cluster, what, n))
			n->refused = true;
	} else {
		n->topology = 3;
	}
out:
	json_decref(cfg);
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

static int select_by_nad_selector(struct ctx *c, json_t *ra, json_t *s, const char *where)
{
	json_t *sel = obj_at(s, "networkAttachmentDefinitionSelector", "networkSelector", NULL);
	json_t *nsel = obj_at(s, "networkAttachmentDefinitionSelector", "namespaceSelector", NULL), *x;
	char nswhere[224];
	size_t k;
	int err;

	snprintf(nswhere, sizeof(nswhere), "%s: namespaceSelector", where);
	json_array_foreach(c->nads, k, x) {
		bool m, nsm, unknown;
		char what[192];

		err = selector_match(c, sel, obj_at(x, "metadata", "labels", NULL), where, &m);
		if (err)
			return err;
		if (!m)
			continue;
		err = ns_selected(c, nsel, x, nswhere, &nsm, &unknown);
		if (err)
			return err;
		if (unknown) {
			nad_what(x, what, sizeof(what));
			refuse(c, what, "RouteAdvertisements \"%s\"'s namespaceSelector needs the labels of namespace "
			       "\"%s\", and its Namespace object is not in the inputs", name_of(ra), ns_of(x));
		}
		if (nsm && (err = add_nad(c, x, ra)))
			return err;
	}
	return 0;
}

/* Could RA `ra` have selected the OVN-K-owned NAD `nad` (owner `owner`)? */
static int ra_can_select(struct ctx *c, json_t *ra, json_t *nad, json_t *owner, bool cluster, bool *yes)
{
	json_t *sels = obj_at(ra, "spec", "networkSelectors", NULL), *s;
	size_t j;
	int err;

	*yes = false;
	json_array_foreach(sels, j, s) {
		const char *type = str_at(s, "networkSelectionType");
		char where[192];
		bool m = false, unknown;

		snprintf(where, sizeof(where), "RouteAdvertisements \"%s\": networkSelectors[%zu]", name_of(ra), j);
		if (type && !strcmp(type, "NetworkAttachmentDefinitions")) {
			strncat(where, ": namespaceSelector", sizeof(where) - strlen(where) - 1);
			err = ns_selected(c, obj_at(s, "networkAttachmentDefinitionSelector", "namespaceSelector", NULL),
					  nad, where, &m, &unknown);
		} else if (type && !strcmp(type, "ClusterUserDefinedNetworks") && cluster) {
			err = selector_match(c, obj_at(s, "clusterUserDefinedNetworkSelector", "networkSelector", NULL),
					     obj_at(owner, "metadata", "labels", NULL), where, &m);
		} else {
			continue;
		}
		if (err)
			return err;
		*yes |= m;
	}
	return 0;
}

/* NADs annotated k8s.ovn.org/route-advertisements: honoured only for NADs
 * OVN-K owns, and only for RAs whose selectors could pick them. */
static int select_by_annotation(struct ctx *c)
{
	json_t *x, *names, *nm, *ra;
	size_t i, j, k;
	int err = 0;

	json_array_foreach(c->nads, i, x) {
		const char *ann = str_key(obj_at(x, "metadata", "annotations", NULL), "k8s.ovn.org/route-advertisements");
		const char *cfgs = str_at(x, "spec.config");
		json_t *cfg, *owner;
		bool cluster = false, taken = false;
		char what[192];

		if (!ann)
			continue;
		nad_what(x, what, sizeof(what));
		cfg = cfgs ? json_loads(cfgs, 0, NULL) : NULL;
		owner = nad_owner(c, x, str_at(cfg, "name"), &cluster);
		json_decref(cfg);
		if (!owner) {
			for (unsigned n = 0; n < c->nnets; n++)
				taken |= c->nets[n].nad == x || !strcmp(c->nets[n].what, what);
			if (!taken)
				refuse(c, what, "annotation k8s.ovn.org/route-advertisements ignored: not a NAD "
				       "OVN-Kubernetes rendered for a UserDefinedNetwork or ClusterUserDefinedNetwork");
			continue;
		}
		names = json_loads(ann, 0, NULL);
		if (!json_is_array(names)) {
			json_decref(names);
			refuse(c, what, "annotation k8s.ovn.org/route-advertisements is not a JSON array of names");
			continue;
		}
		json_array_foreach(names, j, nm) {
			json_array_foreach(c->ras, k, ra) {
				bool yes, can;

				if (!json_is_string(nm) || strcmp(json_string_value(nm), name_of(ra)))
					continue;
				err = ra_applies(c, ra, &yes);
				if (!err && yes)
					err = ra_can_select(c, ra, x, owner, cluster, &can);
				if (!err && yes && !can)
					refuse(c, what, "annotation k8s.ovn.org/route-advertisements names "
					       "RouteAdvertisements \"%s\", whose networkSelectors do not pick it",
					       name_of(ra));
				if (!err && yes && can)
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

/* The RAs' choices. Errors in an RA itself (the admin's) fail the render;
 * a bad network is refused alone. */
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
				struct rnet *n = add_net(c, "default", "the default network", ra, NULL, RANK_DEFAULT,
							 &err);

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
						err = add_cudn(c, x, ra);
					if (err)
						return err;
				}
			} else if (type && !strcmp(type, "NetworkAttachmentDefinitions")) {
				err = select_by_nad_selector(c, ra, s, where);
				if (err)
					return err;
			} else {
				return fail(c, "%s: unknown networkSelectionType \"%s\"", where, type ? type : "(none)");
			}
		}
	}
	return select_by_annotation(c);
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

/* The addresses of the Nodes in the inputs (this node's first). */
static void node_addresses(struct ctx *c)
{
	json_t *x, *a;
	size_t i, j;

	for (int pass = 0; pass < 2; pass++)
		json_array_foreach(c->nodes, i, x) {
			if ((x == c->node) != !pass)
				continue;
			json_array_foreach(obj_at(x, "status", "addresses", NULL), j, a) {
				const char *t = str_at(a, "type"), *addr = str_at(a, "address"), *why;

				if (!t || !addr || (strcmp(t, "InternalIP") && strcmp(t, "ExternalIP")) ||
				    c->naddrs == MAX_ADDRS || pr_prefix_parse(addr, &c->addrs[c->naddrs], &why))
					continue;
				snprintf(c->addr_of[c->naddrs++], sizeof(c->addr_of[0]), "%s", name_of(x));
			}
		}
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
		v = json_object_get(obj_at(n->nad, "metadata", "annotations", NULL), "k8s.ovn.org/network-id");
		from = "NAD annotation k8s.ovn.org/network-id";
	}
	if (!v) {
		if (n->is_default) {
			*id = 0;
			return 0;
		}
		return fail(c, "network \"%s\": no network id (Node annotation k8s.ovn.org/network-ids or "
			    "NAD annotation k8s.ovn.org/network-id)", n->ovn_name);
	}
	l = id_value(v);
	if (l < 0 || l >= PR_MAX_NETS - 1)
		return fail(c, "network \"%s\": network id in %s is not a number 0..%d", n->ovn_name, from,
			    PR_MAX_NETS - 2);
	if (l == 0 && !n->is_default)
		return fail(c, "network \"%s\": network id 0 (%s) is the default network's", n->ovn_name, from);
	/* An id from a NAD must not be one OVN-K gave another network here. */
	json_object_foreach(c->network_ids, k, w)
		if (strcmp(k, n->ovn_name) && id_value(w) == l)
			return fail(c, "network \"%s\": network id %ld (%s) is network \"%s\"'s (Node annotation "
				    "k8s.ovn.org/network-ids)", n->ovn_name, l, from, k);
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
		memcpy(out->vrf_name, tv, strlen(tv) + 1); /* < IFNAMSIZ, checked above */
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
	if (strlen(n->ovn_name) >= PR_CFG_NAME_MAX)
		return fail(c, "network \"%s\": name longer than %d characters", n->ovn_name, PR_CFG_NAME_MAX - 1);
	if (!valid_name(n->ovn_name))
		return fail(c, "network \"%s\": name has characters other than A-Z a-z 0-9 _ . -", n->ovn_name);
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
			return fail(c, "network \"%s\": network id %u is network \"%s\"'s", n->name, n->id - 1,
				    done[m].name);
	for (unsigned i = 0; i < n->nprefixes; i++) {
		const struct pr_prefix *p = &n->prefixes[i];

		pr_prefix_format(p, a, sizeof(a));
		if (!p->len)
			return fail(c, "network \"%s\": prefix %s covers every address", n->name, a);
		for (unsigned j = 0; j < c->naddrs; j++)
			if (pr_prefix_overlaps(p, &c->addrs[j]))
				return fail(c, "network \"%s\": prefix %s covers %s, an address of Node \"%s\"", n->name,
					    a, pr_prefix_format(&c->addrs[j], b, sizeof(b)), c->addr_of[j]);
		for (unsigned j = 0; j < c->o->nservice; j++)
			if (pr_prefix_overlaps(p, &c->o->service[j]))
				return fail(c, "network \"%s\": prefix %s overlaps the service range %s", n->name, a,
					    pr_prefix_format(&c->o->service[j], b, sizeof(b)));
		for (unsigned j = 0; j < i; j++)
			if (pr_prefix_overlaps(p, &n->prefixes[j]))
				return fail(c, "network \"%s\": prefix %s overlaps its own %s", n->name, a,
					    pr_prefix_format(&n->prefixes[j], b, sizeof(b)));
		for (unsigned m = 0; m < ndone; m++) {
			if ((done[m].has_vrf ? done[m].vrf_table : 0) != dom)
				continue;
			for (unsigned j = 0; j < done[m].nprefixes; j++)
				if (pr_prefix_overlaps(p, &done[m].prefixes[j]))
					return fail(c, "network \"%s\": prefix %s overlaps %s of network \"%s\"",
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
	unsigned nout = 0;
	size_t i;
	json_t *x;
	int ret = 0;

	err[0] = '\0';
	c.rep->nrendered = c.rep->nrefused = c.rep->nmsgs = 0;
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
	node_addresses(&c);
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
	qsort(c.nets, c.nnets, sizeof(*c.nets), cmp_rank);
	for (unsigned n = 0; n < c.nnets; n++) {
		struct rnet *r = &c.nets[n];

		if (r->refused)
			continue;
		if (nout == PR_CFG_MAX_NETWORKS) {
			refuse(&c, r->what, "network \"%s\": more than %d networks", r->ovn_name, PR_CFG_MAX_NETWORKS);
			continue;
		}
		if (make_network(&c, r, &nets[nout]) || check_network(&c, &nets[nout], nets, nout)) {
			refuse(&c, r->what, "%s", err);
			err[0] = '\0';
			continue;
		}
		nout++;
	}
	c.rep->nrendered = nout;
	if (!nout) {
		ret = -ENOENT;
		fail(&c, "Node \"%s\": every network advertised on it was refused (%u refusals); first: %s", o->node,
		     c.rep->nrefused, c.rep->nmsgs ? c.rep->refused[0] + strlen("refused: ") : "?");
		free(nets);
		goto out;
	}
	qsort(nets, nout, sizeof(*nets), cmp_id);
	free(out->networks);
	out->networks = nets;
	out->nnetworks = nout;
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
