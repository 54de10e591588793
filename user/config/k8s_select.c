// SPDX-License-Identifier: GPL-2.0-only
/*
 * Which networks this node advertises, and on whose authority: the
 * RouteAdvertisements that select them, ClusterUserDefinedNetworks, and the
 * NetworkAttachmentDefinitions OVN-Kubernetes owns, never what a tenant
 * can write (see config/k8s_render.h).
 */
#include "config/k8s_ctx.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---------- networks ---------- */

static const char *ns_of(json_t *o)
{
	const char *ns = k8s_str_at(o, "metadata.namespace");

	return ns ? ns : "default";
}

static void ctime_of(json_t *o, char *buf, size_t len)
{
	const char *t = k8s_str_at(o, "metadata.creationTimestamp");

	/* RFC 3339 in UTC ("2024-01-02T03:04:05Z") sorts as text; none sorts last. */
	snprintf(buf, len, "%s", t ? t : "~");
}

/* A network name the agent's config accepts: 1..31 of A-Z a-z 0-9 _ . - */
bool k8s_valid_name(const char *s)
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
	const char *tv = k8s_str_at(ra, "spec.targetVRF");
	struct rnet *n = find_net(c, ovn_name);

	*err = 0;
	if (!tv || !*tv)
		tv = "default";
	if (n) {
		if (!n->refused && strcmp(n->target_vrf, tv)) {
			n->refused = true;
			k8s_refuse(c, n->what, "network \"%s\" is advertised by RouteAdvertisements \"%s\" with "
			       "targetVRF \"%s\" and by \"%s\" with targetVRF \"%s\"", ovn_name, n->via,
			       n->target_vrf, k8s_name_of(ra), tv);
		}
		return NULL; /* already selected */
	}
	if (c->nnets == MAX_CANDIDATES) {
		k8s_refuse(c, what, "more than %d networks selected", MAX_CANDIDATES);
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
	snprintf(n->via, sizeof(n->via), "%s", k8s_name_of(ra));
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
		snprintf(ovn, olen, "cluster_udn_%s", k8s_name_of(u));
	else
		snprintf(ovn, olen, "%s_%s", ns_of(u), k8s_name_of(u));
	if (cluster)
		snprintf(what, wlen, "ClusterUserDefinedNetwork \"%s\"", k8s_name_of(u));
	else
		snprintf(what, wlen, "UserDefinedNetwork \"%s/%s\"", ns_of(u), k8s_name_of(u));
}

/* Topology and (Layer2) subnets of a CUDN or UDN from its spec, into n;
 * false (refused, as `what`) when the spec has neither. */
static bool udn_spec(struct ctx *c, json_t *u, bool cluster, const char *what, struct rnet *n)
{
	json_t *spec = cluster ? k8s_obj_at(u, "spec", "network", NULL) : json_object_get(u, "spec");
	const char *t = k8s_str_at(spec, "topology");

	n->topology = topology_of(t);
	if (n->topology < 0) {
		k8s_refuse(c, what, "unknown topology \"%s\" (Layer3 or Layer2)", t ? t : "(none)");
		return false;
	}
	if (n->topology == 2) {
		n->subnets = k8s_obj_at(spec, "layer2", "subnets", NULL);
		if (!json_is_array(n->subnets) || !json_array_size(n->subnets)) {
			k8s_refuse(c, what, "Layer2 network without subnets (spec%s.layer2.subnets)",
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
		const char *key = k8s_str_at(e, "key");

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
		if (!strcmp(k8s_name_of(x), ns))
			labels = k8s_obj_at(x, "metadata", "labels", NULL);
	if (!labels) {
		json_t *own = json_pack("{s:s}", "kubernetes.io/metadata.name", ns);

		if (!own)
			return -ENOMEM;
		json_array_append_new(c->docs, own);
		if (sel && !json_is_null(sel) && needs_ns_labels(sel)) {
			err = k8s_selector_match(c, sel, own, where, match); /* the RA's own errors first */
			*match = false;
			*unknown = !err;
			return err;
		}
		labels = own;
	}
	return k8s_selector_match(c, sel, labels, where, match);
}

/* The UDN or CUDN whose NAD this is, as OVN-K renders it: its controller
 * owner reference (group k8s.ovn.org, kind UserDefinedNetwork or
 * ClusterUserDefinedNetwork) names an owner in the inputs (a UDN in the
 * NAD's namespace; the same uid when both give one), the NAD has the
 * owner's name, and spec.config "name" (cfg_name, may be NULL) is the
 * owner's network name. NULL when any of this does not hold. */
static json_t *nad_owner(struct ctx *c, json_t *nad, const char *cfg_name, bool *cluster)
{
	json_t *refs = k8s_obj_at(nad, "metadata", "ownerReferences", NULL), *r, *o, *list;
	size_t i, j;

	json_array_foreach(refs, i, r) {
		const char *api = k8s_str_at(r, "apiVersion"), *kind = k8s_str_at(r, "kind"), *name = k8s_str_at(r, "name");
		const char *uid = k8s_str_at(r, "uid");

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
		if (strcmp(name, k8s_name_of(nad)))
			return NULL;
		json_array_foreach(list, j, o) {
			const char *ouid = k8s_str_at(o, "metadata.uid");
			char ovn[128], what[192];

			if (strcmp(k8s_name_of(o), name) || (!*cluster && strcmp(ns_of(o), ns_of(nad))) ||
			    (uid && ouid && strcmp(uid, ouid)))
				continue;
			udn_names(o, *cluster, ovn, sizeof(ovn), what, sizeof(what));
			if (!cfg_name || strcmp(cfg_name, ovn))
				return NULL;
			/* A CUDN's NADs live only in the namespaces it selects. */
			if (*cluster) {
				bool m = false, unknown = true;

				if (ns_selected(c, k8s_obj_at(o, "spec", "namespaceSelector", NULL), nad, what, &m,
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
	snprintf(what, len, "NetworkAttachmentDefinition \"%s/%s\"", ns_of(nad), k8s_name_of(nad));
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
	cfg = k8s_str_at(nad, "spec.config") ? json_loads(k8s_str_at(nad, "spec.config"), 0, NULL) : NULL;
	if (!json_is_object(cfg)) {
		k8s_refuse(c, what, "spec.config is missing or not a valid JSON object");
		goto out;
	}
	name = k8s_str_at(cfg, "name");
	if (!name) {
		k8s_refuse(c, what, "spec.config has no \"name\"");
		goto out;
	}
	owner = nad_owner(c, nad, name, &cluster);
	if (!owner && reserved_name(c, name)) {
		k8s_refuse(c, what, "spec.config name \"%s\" is the default network's, a ClusterUserDefinedNetwork's "
		       "or a UserDefinedNetwork's, and this NAD is not the one OVN-Kubernetes rendered for it "
		       "(no matching controller ownerReference)", name);
		goto out;
	}
	topo = topology_of(k8s_str_at(cfg, "topology"));
	if (!owner && topo < 0) {
		k8s_refuse(c, what, "unknown topology \"%s\" (Layer3 or Layer2)",
		       k8s_str_at(cfg, "topology") ? k8s_str_at(cfg, "topology") : "(none)");
		goto out;
	}
	if (!owner && topo == 2) {
		k8s_refuse(c, what, "a Layer2 network's subnets are taken only from its UserDefinedNetwork or "
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
	json_t *adv = k8s_obj_at(ra, "spec", "advertisements", NULL), *v;
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
	snprintf(where, sizeof(where), "RouteAdvertisements \"%s\": spec.nodeSelector", k8s_name_of(ra));
	return k8s_selector_match(c, k8s_obj_at(ra, "spec", "nodeSelector", NULL), k8s_obj_at(c->node, "metadata", "labels", NULL),
			      where, yes);
}

static int select_by_nad_selector(struct ctx *c, json_t *ra, json_t *s, const char *where)
{
	json_t *sel = k8s_obj_at(s, "networkAttachmentDefinitionSelector", "networkSelector", NULL);
	json_t *nsel = k8s_obj_at(s, "networkAttachmentDefinitionSelector", "namespaceSelector", NULL), *x;
	char nswhere[224];
	size_t k;
	int err;

	snprintf(nswhere, sizeof(nswhere), "%s: namespaceSelector", where);
	json_array_foreach(c->nads, k, x) {
		bool m, nsm, unknown;
		char what[192];

		err = k8s_selector_match(c, sel, k8s_obj_at(x, "metadata", "labels", NULL), where, &m);
		if (err)
			return err;
		if (!m)
			continue;
		err = ns_selected(c, nsel, x, nswhere, &nsm, &unknown);
		if (err)
			return err;
		if (unknown) {
			nad_what(x, what, sizeof(what));
			k8s_refuse(c, what, "RouteAdvertisements \"%s\"'s namespaceSelector needs the labels of namespace "
			       "\"%s\", and its Namespace object is not in the inputs", k8s_name_of(ra), ns_of(x));
		}
		if (nsm && (err = add_nad(c, x, ra)))
			return err;
	}
	return 0;
}

/* Could RA `ra` have selected the OVN-K-owned NAD `nad` (owner `owner`)? */
static int ra_can_select(struct ctx *c, json_t *ra, json_t *nad, json_t *owner, bool cluster, bool *yes)
{
	json_t *sels = k8s_obj_at(ra, "spec", "networkSelectors", NULL), *s;
	size_t j;
	int err;

	*yes = false;
	json_array_foreach(sels, j, s) {
		const char *type = k8s_str_at(s, "networkSelectionType");
		char where[192];
		bool m = false, unknown;

		snprintf(where, sizeof(where), "RouteAdvertisements \"%s\": networkSelectors[%zu]", k8s_name_of(ra), j);
		if (type && !strcmp(type, "NetworkAttachmentDefinitions")) {
			strncat(where, ": namespaceSelector", sizeof(where) - strlen(where) - 1);
			err = ns_selected(c, k8s_obj_at(s, "networkAttachmentDefinitionSelector", "namespaceSelector", NULL),
					  nad, where, &m, &unknown);
		} else if (type && !strcmp(type, "ClusterUserDefinedNetworks") && cluster) {
			err = k8s_selector_match(c, k8s_obj_at(s, "clusterUserDefinedNetworkSelector", "networkSelector", NULL),
					     k8s_obj_at(owner, "metadata", "labels", NULL), where, &m);
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
		const char *ann = k8s_str_key(k8s_obj_at(x, "metadata", "annotations", NULL), "k8s.ovn.org/route-advertisements");
		const char *cfgs = k8s_str_at(x, "spec.config");
		json_t *cfg, *owner;
		bool cluster = false, taken = false;
		char what[192];

		if (!ann)
			continue;
		nad_what(x, what, sizeof(what));
		cfg = cfgs ? json_loads(cfgs, 0, NULL) : NULL;
		owner = nad_owner(c, x, k8s_str_at(cfg, "name"), &cluster);
		json_decref(cfg);
		if (!owner) {
			for (unsigned n = 0; n < c->nnets; n++)
				taken |= c->nets[n].nad == x || !strcmp(c->nets[n].what, what);
			if (!taken)
				k8s_refuse(c, what, "annotation k8s.ovn.org/route-advertisements ignored: not a NAD "
				       "OVN-Kubernetes rendered for a UserDefinedNetwork or ClusterUserDefinedNetwork");
			continue;
		}
		names = json_loads(ann, 0, NULL);
		if (!json_is_array(names)) {
			json_decref(names);
			k8s_refuse(c, what, "annotation k8s.ovn.org/route-advertisements is not a JSON array of names");
			continue;
		}
		json_array_foreach(names, j, nm) {
			json_array_foreach(c->ras, k, ra) {
				bool yes, can;

				if (!json_is_string(nm) || strcmp(json_string_value(nm), k8s_name_of(ra)))
					continue;
				err = ra_applies(c, ra, &yes);
				if (!err && yes)
					err = ra_can_select(c, ra, x, owner, cluster, &can);
				if (!err && yes && !can)
					k8s_refuse(c, what, "annotation k8s.ovn.org/route-advertisements names "
					       "RouteAdvertisements \"%s\", whose networkSelectors do not pick it",
					       k8s_name_of(ra));
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
int k8s_select_networks(struct ctx *c)
{
	size_t i, j, k;
	json_t *ra, *s, *x;
	int err;

	json_array_foreach(c->ras, i, ra) {
		json_t *sels = k8s_obj_at(ra, "spec", "networkSelectors", NULL);
		bool yes;

		err = ra_applies(c, ra, &yes);
		if (err)
			return err;
		if (!yes)
			continue;
		if (!json_is_array(sels) || !json_array_size(sels))
			return k8s_fail(c, "RouteAdvertisements \"%s\": spec.networkSelectors is missing or empty",
				    k8s_name_of(ra));
		json_array_foreach(sels, j, s) {
			const char *type = k8s_str_at(s, "networkSelectionType");
			char where[192];

			snprintf(where, sizeof(where), "RouteAdvertisements \"%s\": networkSelectors[%zu]",
				 k8s_name_of(ra), j);
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
				json_t *sel = k8s_obj_at(s, "clusterUserDefinedNetworkSelector", "networkSelector", NULL);

				json_array_foreach(c->cudns, k, x) {
					bool m;

					err = k8s_selector_match(c, sel, k8s_obj_at(x, "metadata", "labels", NULL), where, &m);
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
				return k8s_fail(c, "%s: unknown networkSelectionType \"%s\"", where, type ? type : "(none)");
			}
		}
	}
	return select_by_annotation(c);
}

