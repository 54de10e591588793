/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The Kubernetes render's insides, shared by its parts (k8s_objects.c: the
 * loaded objects, JSON paths, label selectors, refusals; k8s_select.c:
 * which networks this node advertises, on whose authority; k8s_render.c:
 * each network's values, the checks, the API). Internal to config/: the
 * API is config/k8s_render.h.
 */
#ifndef PR_K8S_CTX_H
#define PR_K8S_CTX_H

#include <stdbool.h>
#include <jansson.h>

#include "config/k8s_render.h"

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

/* Fail the whole render (an admin object is broken): c->err says why; -EINVAL. */
int k8s_fail(struct ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Refuse one network (or ignore one object): "refused: <what>: <reason>". */
void k8s_refuse(struct ctx *c, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The string at a dotted path ("metadata.name"), NULL if absent or not one. */
const char *k8s_str_at(json_t *o, const char *path);
/* A string member whose key may contain dots (annotations, network names). */
const char *k8s_str_key(json_t *o, const char *key);
/* o[a][b][cc] (b, cc may be NULL), NULL where absent. */
json_t *k8s_obj_at(json_t *o, const char *a, const char *b, const char *cc);
/* metadata.name, "?" without one. */
const char *k8s_name_of(json_t *o);
/* Whether labels match a metav1.LabelSelector; a malformed one fails
 * (where names it, for the message). */
int k8s_selector_match(struct ctx *c, json_t *sel, json_t *labels, const char *where, bool *match);
/* Load one `kubectl get -o json` file (an object or a List) into c. */
int k8s_load_input(struct ctx *c, const char *path);
/* The RAs' choices. Errors in an RA itself (the admin's) fail the render;
 * a bad network is refused alone. */
int k8s_select_networks(struct ctx *c);
/* A network name the agent's config accepts: 1..31 of A-Z a-z 0-9 _ . - */
bool k8s_valid_name(const char *s);

#endif
