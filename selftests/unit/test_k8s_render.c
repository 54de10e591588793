// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: rendering one node's config from the cluster's objects
 * (config/k8s_render.c), on fixtures written from OVN-Kubernetes's documented
 * examples: the default network, a Layer3 CUDN, a Layer2 primary CUDN with
 * persistent IPs (KubeVirt), VRF-Lite with targetVRF auto, a NAD selected
 * through its route-advertisements annotation, nodes not selected, and
 * inputs that must be refused with a message naming object and field.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "config/k8s_render.h"

#define FIX SRCDIR "/selftests/unit/fixtures/k8s/"

struct run {
	struct pr_config cfg;
	struct pr_render_report rep;
	char err[1024];
	int rc;
};

/* A service range for the next render (NULL: unknown). */
static const char *service_cidr;
/* The base config of the next render. */
static const char *base_yaml = "base.yaml";

/* Render for node with the given fixture files (NULL-terminated), after
 * the optional --vrf-table specs in vrf (NULL-terminated or NULL). */
static void render(struct run *r, const char *node, const char *const *vrf, ...)
{
	struct pr_render_opts o = { .node = node, .no_kernel = 1 };
	struct pr_cfg_error e;
	static char paths[PR_RENDER_MAX_INPUTS][512];
	va_list ap;
	const char *f;

	va_start(ap, vrf);
	while ((f = va_arg(ap, const char *))) {
		snprintf(paths[o.ninputs], sizeof(paths[0]), FIX "%s", f);
		o.inputs[o.ninputs] = paths[o.ninputs];
		o.ninputs++;
	}
	va_end(ap);
	for (; vrf && *vrf; vrf++)
		assert_int_equal(pr_render_add_vrf_table(&o, *vrf), 0);
	if (service_cidr)
		assert_int_equal(pr_render_add_service_cidr(&o, service_cidr), 0);
	snprintf(paths[o.ninputs], sizeof(paths[0]), FIX "%s", base_yaml);
	assert_int_equal(pr_config_load_file(paths[o.ninputs], &r->cfg, &e), 0);
	r->rc = pr_render_ex(&o, &r->cfg, &r->rep, r->err, sizeof(r->err));
}

/* A refusal message containing every one of the (NULL-terminated) words. */
static bool refused(const struct run *r, ...)
{
	for (unsigned i = 0; i < r->rep.nmsgs; i++) {
		bool all = strncmp(r->rep.refused[i], "refused: ", 9) == 0;
		const char *w;
		va_list ap;

		va_start(ap, r);
		while ((w = va_arg(ap, const char *)))
			all &= strstr(r->rep.refused[i], w) != NULL;
		va_end(ap);
		if (all)
			return true;
	}
	return false;
}

static void print_refusals(const struct run *r)
{
	for (unsigned i = 0; i < r->rep.nmsgs; i++)
		print_message("  %s\n", r->rep.refused[i]);
}

/* No rendered network has a prefix overlapping `cidr`. */
static void assert_nowhere(const struct pr_config *c, const char *cidr)
{
	struct pr_prefix p;
	const char *why;

	assert_int_equal(pr_prefix_parse(cidr, &p, &why), 0);
	for (unsigned i = 0; i < c->nnetworks; i++)
		for (unsigned j = 0; j < c->networks[i].nprefixes; j++)
			if (pr_prefix_overlaps(&c->networks[i].prefixes[j], &p))
				fail_msg("network %s has a prefix overlapping %s", c->networks[i].name, cidr);
}

/* The rendered config, printed and read back, is accepted and equal. */
static void assert_round_trip(const struct pr_config *c)
{
	struct pr_config back;
	struct pr_cfg_error e;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	pr_config_dump(c, f);
	fclose(f);
	if (pr_config_load_string("rendered", text, len, &back, &e))
		fail_msg("rendered config refused: %s:%u:%u: %s\n%s", e.file, e.line, e.column, e.msg, text);
	assert_true(pr_config_equal(c, &back));
	pr_config_free(&back);
	free(text);
}

static const struct pr_cfg_network *net(const struct pr_config *c, const char *name)
{
	const struct pr_cfg_network *n = pr_config_find_network(c, name);

	if (!n)
		fail_msg("network %s not rendered", name);
	return n;
}

static void assert_prefix(const struct pr_prefix *p, const char *want)
{
	char buf[PR_PREFIX_STRLEN];

	assert_string_equal(pr_prefix_format(p, buf, sizeof(buf)), want);
}

static void test_default_network(void **state)
{
	struct run r;
	const struct pr_cfg_network *n;

	(void)state;
	render(&r, "worker-1", NULL, "nodes.json", "ra-default.json", NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.cfg.nnetworks, 1);
	n = net(&r.cfg, "default");
	assert_int_equal(n->id, 1);
	assert_int_equal(n->nprefixes, 2);
	assert_prefix(&n->prefixes[0], "10.244.1.0/24");
	assert_prefix(&n->prefixes[1], "fd00:10:244:2::/64");
	assert_false(n->has_vrf);
	assert_int_equal(n->target, PR_TGT_PORT);
	assert_string_equal(n->port, "ovn-k8s-mp0");
	assert_false(n->has_mac);
	assert_prefix(&n->neighbour, "10.244.1.1/32");
	assert_true(n->antispoof);
	/* The base's own settings survive. */
	assert_true(r.cfg.shadow);
	assert_string_equal(r.cfg.underlay[0], "eth0");
	assert_round_trip(&r.cfg);
	pr_config_free(&r.cfg);
	/* Another node: its own host subnet. */
	render(&r, "worker-2", NULL, "nodes.json", "ra-default.json", NULL);
	assert_int_equal(r.rc, 0);
	assert_prefix(&net(&r.cfg, "default")->prefixes[0], "10.244.2.0/24");
	pr_config_free(&r.cfg);
}

/* Shared gateway mode (the Node's l3-gateway-config): port targets are
 * rendered in shadow mode, VRF targets are not; local mode changes nothing. */
static void test_shared_gateway_shadows_port_targets(void **state)
{
	static const char *const vrf[] = { "mp3-udn-vrf=1003", NULL };
	struct run r;

	(void)state;
	render(&r, "worker-1", vrf, "nodes-gateway.json", "cudns.json", "ra-vrflite.json", "ra-default.json", NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.cfg.nnetworks, 2);
	assert_true(net(&r.cfg, "default")->shadow);
	assert_int_equal(net(&r.cfg, "cluster_udn_red")->target, PR_TGT_VRF);
	assert_false(net(&r.cfg, "cluster_udn_red")->shadow);
	assert_int_equal(r.rep.nshadowed, 1);
	assert_round_trip(&r.cfg);
	pr_config_free(&r.cfg);
	render(&r, "worker-2", vrf, "nodes-gateway.json", "cudns.json", "ra-vrflite.json", "ra-default.json", NULL);
	assert_int_equal(r.rc, 0);
	assert_false(net(&r.cfg, "default")->shadow);
	assert_int_equal(r.rep.nshadowed, 0);
	pr_config_free(&r.cfg);
}

static void test_layer3_cudn(void **state)
{
	struct run r;
	const struct pr_cfg_network *n;

	(void)state;
	render(&r, "worker-1", NULL, "nodes.json", "cudns.json", "ra-default.json", "ra-blue.json", NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.cfg.nnetworks, 2);
	n = net(&r.cfg, "cluster_udn_blue");
	assert_int_equal(n->id, 3); /* OVN network id 2 */
	assert_int_equal(n->nprefixes, 1);
	assert_prefix(&n->prefixes[0], "10.100.1.0/24");
	assert_false(n->has_vrf);
	assert_string_equal(n->port, "ovn-k8s-mp2");
	assert_prefix(&n->neighbour, "10.100.1.1/32");
	/* Sorted by id: default first. */
	assert_string_equal(r.cfg.networks[0].name, "default");
	assert_round_trip(&r.cfg);
	pr_config_free(&r.cfg);
}

static void test_layer2_kubevirt_vrf_auto(void **state)
{
	static const char *const vrf[] = { "mp4-udn-vrf=1004", NULL };
	struct run r;
	const struct pr_cfg_network *n;

	(void)state;
	render(&r, "worker-2", vrf, "nodes.json", "cudns.json", "ra-kubevirt.json", NULL);
	/* worker-2's annotation has no id for it: the id lives on worker-1's. */
	assert_int_equal(r.rc, -ENOENT);
	assert_string_equal(r.rep.refused[0], "refused: ClusterUserDefinedNetwork \"vm-net\": network "
				   "\"cluster_udn_vm-net\": no network id (Node annotation k8s.ovn.org/network-ids or "
				   "NAD annotation k8s.ovn.org/network-id)");
	assert_int_equal(r.rep.nrefused, 1);
	assert_string_equal(r.rep.object[0].kind, "ClusterUserDefinedNetwork"); /* cluster-scoped */
	assert_string_equal(r.rep.object[0].api_version, "k8s.ovn.org/v1");
	assert_string_equal(r.rep.object[0].namespace_, "");
	assert_string_equal(r.rep.object[0].name, "vm-net");
	assert_non_null(strstr(r.err, "every network advertised on it was refused"));
	pr_config_free(&r.cfg);
	render(&r, "worker-1", vrf, "nodes.json", "cudns.json", "ra-kubevirt.json", NULL);
	assert_int_equal(r.rc, 0);
	n = net(&r.cfg, "cluster_udn_vm-net");
	assert_int_equal(n->id, 5);
	/* Layer2: the whole subnet, from every node, not a per-node slice. */
	assert_int_equal(n->nprefixes, 1);
	assert_prefix(&n->prefixes[0], "10.150.0.0/16");
	assert_true(n->has_vrf);
	assert_string_equal(n->vrf_name, "mp4-udn-vrf");
	assert_int_equal(n->vrf_table, 1004);
	assert_int_equal(n->target, PR_TGT_VRF);
	assert_round_trip(&r.cfg);
	pr_config_free(&r.cfg);
}

static void test_vrf_lite_auto(void **state)
{
	static const char *const vrf[] = { "mp3-udn-vrf=1003", NULL };
	struct run r;
	const struct pr_cfg_network *n;

	(void)state;
	render(&r, "worker-1", vrf, "nodes.json", "cudns.json", "ra-vrflite.json", "ra-default.json", NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.cfg.nnetworks, 2);
	n = net(&r.cfg, "cluster_udn_red");
	assert_int_equal(n->id, 4);
	assert_prefix(&n->prefixes[0], "10.200.1.0/24");
	assert_string_equal(n->vrf_name, "mp3-udn-vrf");
	assert_int_equal(n->vrf_table, 1003);
	assert_int_equal(n->target, PR_TGT_VRF);
	assert_false(net(&r.cfg, "default")->has_vrf);
	assert_round_trip(&r.cfg);
	pr_config_free(&r.cfg);
	/* Without the table (no such VRF here, none given): that network is
	 * refused, saying how; the default network still renders. */
	render(&r, "worker-1", NULL, "nodes.json", "cudns.json", "ra-vrflite.json", "ra-default.json", NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.cfg.nnetworks, 1);
	assert_non_null(net(&r.cfg, "default"));
	assert_int_equal(r.rep.nrefused, 1);
	assert_string_equal(r.rep.refused[0], "refused: ClusterUserDefinedNetwork \"red\": network "
				   "\"cluster_udn_red\": VRF \"mp3-udn-vrf\" (targetVRF \"auto\" of "
				   "RouteAdvertisements \"vrf-lite\"): its table is unknown (no such VRF on this "
				   "node; give --vrf-table mp3-udn-vrf=TABLE)");
	pr_config_free(&r.cfg);
}

static void test_nad_by_annotation(void **state)
{
	struct run r;
	const struct pr_cfg_network *n;

	(void)state;
	render(&r, "worker-1", NULL, "nodes.json", "nads.json", "ra-green.json", NULL);
	assert_int_equal(r.rc, 0);
	n = net(&r.cfg, "ns1_green");
	assert_int_equal(n->id, 7); /* NAD annotation k8s.ovn.org/network-id 6 */
	assert_prefix(&n->prefixes[0], "10.210.1.0/24");
	assert_string_equal(n->port, "ovn-k8s-mp6");
	pr_config_free(&r.cfg);
	/* worker-2 has no host subnet for it. */
	render(&r, "worker-2", NULL, "nodes.json", "nads.json", "ra-green.json", NULL);
	assert_int_equal(r.rc, -ENOENT);
	assert_string_equal(r.rep.refused[0], "refused: NetworkAttachmentDefinition \"ns1/green\": Node "
				   "\"worker-2\": no host subnet for network \"ns1_green\" in annotation "
				   "k8s.ovn.org/node-subnets");
	/* The object an Event about it names. */
	assert_string_equal(r.rep.object[0].kind, "NetworkAttachmentDefinition");
	assert_string_equal(r.rep.object[0].api_version, "k8s.cni.cncf.io/v1");
	assert_string_equal(r.rep.object[0].namespace_, "ns1");
	assert_string_equal(r.rep.object[0].name, "green");
	pr_config_free(&r.cfg);
}

static void test_nothing_for_this_node(void **state)
{
	struct run r;

	(void)state;
	/* nodeSelector advertise=true: worker-2 is not selected. */
	render(&r, "worker-2", NULL, "nodes.json", "cudns.json", "ra-blue.json", NULL);
	assert_int_equal(r.rc, -ENOENT);
	assert_string_equal(r.err, "Node \"worker-2\": no RouteAdvertisements advertise a pod network on it");
	pr_config_free(&r.cfg);
	/* EgressIP only: nothing for the fast path. */
	render(&r, "worker-1", NULL, "nodes.json", "ra-egressip-only.json", NULL);
	assert_int_equal(r.rc, -ENOENT);
	pr_config_free(&r.cfg);
	/* matchExpressions: zone In [a, c]; worker-2 is zone b. */
	render(&r, "worker-2", NULL, "nodes.json", "cudns.json", "ra-vrflite.json", NULL);
	assert_int_equal(r.rc, -ENOENT);
	pr_config_free(&r.cfg);
	render(&r, "worker-9", NULL, "nodes.json", "ra-default.json", NULL);
	assert_int_equal(r.rc, -ENOENT);
	assert_string_equal(r.err, "Node \"worker-9\" is not in the inputs");
	pr_config_free(&r.cfg);
}

/* Each refusal: the message names the object and the field. What is the
 * admin's own (the Node's OVN-K annotations, an RA that cannot be read)
 * fails the whole render; a bad network is refused alone. */
static void test_refusals(void **state)
{
	static const struct {
		const char *node, *files[4], *err;
	} cases[] = {
		{ "worker-bad", { "nodes.json", "ra-default.json" },
		  "Node \"worker-bad\": annotation k8s.ovn.org/node-subnets is not a valid JSON object: "
		  "']' expected near end of file" },
		{ "worker-1", { "nodes.json", "bad-ra-selector.json" },
		  "RouteAdvertisements \"odd\": networkSelectors[0]: unknown networkSelectionType \"AllTheNetworks\"" },
		{ "worker-1", { "nodes.json", "bad-ra-operator.json" },
		  "RouteAdvertisements \"typo\": spec.nodeSelector: matchExpressions[0]: unknown operator \"Inn\"" },
	};
	static const struct {
		const char *files[4], *refusal;
	} alone[] = {
		{ { "cudns.json", "ra-blue.json", "bad-ra-conflict.json" },
		  "refused: ClusterUserDefinedNetwork \"blue\": network \"cluster_udn_blue\" is advertised by "
		  "RouteAdvertisements \"blue\" with targetVRF \"default\" and by \"blue-in-vrf\" with targetVRF \"auto\"" },
		{ { "bad-cudns.json", "bad-ra-l2.json" },
		  "refused: ClusterUserDefinedNetwork \"l2-empty\": Layer2 network without subnets "
		  "(spec.network.layer2.subnets)" },
		{ { "bad-cudns.json", "bad-ra-odd.json" },
		  "refused: ClusterUserDefinedNetwork \"odd-topo\": unknown topology \"Localnet\" (Layer3 or Layer2)" },
		{ { "bad-cudns.json", "bad-ra-nosubnet.json" },
		  "refused: ClusterUserDefinedNetwork \"nosubnet\": network \"cluster_udn_nosubnet\": no network id "
		  "(Node annotation k8s.ovn.org/network-ids or NAD annotation k8s.ovn.org/network-id)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct run r;

		render(&r, cases[i].node, NULL, cases[i].files[0], cases[i].files[1], cases[i].files[2],
		       cases[i].files[3], NULL);
		if (r.rc == 0 || strcmp(r.err, cases[i].err))
			fail_msg("case %zu: rc %d\n got: %s\nwant: %s", i, r.rc, r.err, cases[i].err);
		/* Nothing half-applied: the base's networks are untouched. */
		assert_int_equal(r.cfg.nnetworks, 1);
		assert_string_equal(r.cfg.networks[0].name, "placeholder");
		pr_config_free(&r.cfg);
	}
	for (size_t i = 0; i < sizeof(alone) / sizeof(alone[0]); i++) {
		struct run r;

		render(&r, "worker-1", NULL, "nodes.json", "ra-default.json", alone[i].files[0], alone[i].files[1],
		       alone[i].files[2], NULL);
		if (r.rc || r.rep.nrefused != 1 || strcmp(r.rep.refused[0], alone[i].refusal))
			fail_msg("alone %zu: rc %d (%s), %u refused\n got: %s\nwant: %s", i, r.rc, r.err,
				 r.rep.nrefused, r.rep.nmsgs ? r.rep.refused[0] : "", alone[i].refusal);
		/* The others render. */
		assert_int_equal(r.cfg.nnetworks, 1);
		assert_string_equal(r.cfg.networks[0].name, "default");
		pr_config_free(&r.cfg);
	}
}

/* ---------- what a tenant can write: refused, the rest renders ---------- */

/* The networks every hostile case must leave rendered on worker-h. */
static void assert_valid_ones(const struct run *r)
{
	const struct pr_cfg_network *n;

	if (r->rc)
		fail_msg("render failed: %s", r->err);
	n = net(&r->cfg, "default");
	assert_int_equal(n->nprefixes, 1);
	assert_prefix(&n->prefixes[0], "10.244.5.0/24");
	assert_string_equal(n->port, "ovn-k8s-mp0");
	n = net(&r->cfg, "cluster_udn_blue");
	assert_int_equal(n->id, 3);
	assert_string_equal(n->port, "ovn-k8s-mp2");
	assert_prefix(&n->prefixes[0], "10.100.5.0/24");
	assert_round_trip(&r->cfg);
}

/* A tenant annotates its own NAD with k8s.ovn.org/route-advertisements. */
static void test_hostile_ra_annotation(void **state)
{
	struct run r;

	(void)state;
	render(&r, "worker-h", NULL, "nodes-hostile.json", "cudns.json", "nads.json", "ra-default.json",
	       "ra-blue.json", "ra-green.json", "hostile-annotation.json", NULL);
	print_refusals(&r);
	assert_valid_ones(&r);
	/* OVN-K's own NAD (owned by UDN ns1/green) still counts. */
	assert_int_equal(net(&r.cfg, "ns1_green")->id, 7);
	assert_int_equal(r.cfg.nnetworks, 3);
	assert_null(pr_config_find_network(&r.cfg, "evil_l3"));
	assert_null(pr_config_find_network(&r.cfg, "evil_l2"));
	assert_nowhere(&r.cfg, "172.18.0.0/16");
	assert_nowhere(&r.cfg, "10.96.0.0/16");
	assert_nowhere(&r.cfg, "128.0.0.0/1"); /* the injected 0.0.0.0/1 + 128.0.0.0/1 */
	assert_nowhere(&r.cfg, "10.230.0.0/16");
	assert_true(refused(&r, "\"ns-evil/grab\"", "k8s.ovn.org/route-advertisements ignored", NULL));
	assert_true(refused(&r, "\"ns-evil/grab2\"", "k8s.ovn.org/route-advertisements ignored", NULL));
	pr_config_free(&r.cfg);
}

/* k8s.ovn.org/network-id pointed at another network's id. */
static void test_hostile_network_id(void **state)
{
	struct run r;

	(void)state;
	render(&r, "worker-h", NULL, "nodes-hostile.json", "cudns.json", "ra-default.json", "ra-blue.json",
	       "ra-nads.json", "hostile-netid.json", NULL);
	print_refusals(&r);
	assert_valid_ones(&r);
	assert_int_equal(net(&r.cfg, "ns2_okay")->id, 15);
	assert_int_equal(r.cfg.nnetworks, 3);
	/* Owned by its UDN, but id 2 is cluster_udn_blue's on this node. */
	assert_null(pr_config_find_network(&r.cfg, "ns2_thief"));
	assert_true(refused(&r, "\"ns2/thief\"", "network id 2", "cluster_udn_blue", NULL));
	/* Not OVN-K's: its network-id annotation is not read at all. */
	assert_null(pr_config_find_network(&r.cfg, "ns2_zero"));
	assert_true(refused(&r, "\"ns2/zero\"", "no network id", NULL));
	for (unsigned i = 0; i < r.cfg.nnetworks; i++)
		if (strcmp(r.cfg.networks[i].name, "cluster_udn_blue"))
			assert_string_not_equal(r.cfg.networks[i].port, "ovn-k8s-mp2");
	pr_config_free(&r.cfg);
}

/* A NAD named "default" (older than anything), and one in a namespace the
 * RA's namespaceSelector does not pick. */
static void test_hostile_default_name(void **state)
{
	struct run r;

	(void)state;
	render(&r, "worker-h", NULL, "nodes-hostile.json", "cudns.json", "ra-default.json", "ra-blue.json",
	       "ra-nads.json", "hostile-default-name.json", NULL);
	print_refusals(&r);
	assert_valid_ones(&r); /* default: the real one, ovn-k8s-mp0, its own subnet */
	assert_non_null(net(&r.cfg, "ns2_okay"));
	assert_int_equal(r.cfg.nnetworks, 3);
	assert_true(refused(&r, "\"ns2/fake-default\"", "spec.config name \"default\"", NULL));
	/* ns9 is not picked by nad-ra's namespaceSelector: not even looked at. */
	assert_null(pr_config_find_network(&r.cfg, "ns9_x"));
	assert_false(refused(&r, "ns9", NULL));
	pr_config_free(&r.cfg);
	/* Without the default RA, the fake still does not become "default". */
	render(&r, "worker-h", NULL, "nodes-hostile.json", "ra-nads.json", "hostile-default-name.json", NULL);
	assert_int_equal(r.rc, 0);
	assert_null(pr_config_find_network(&r.cfg, "default"));
	assert_int_equal(r.cfg.nnetworks, 1);
	assert_non_null(net(&r.cfg, "ns2_okay"));
	pr_config_free(&r.cfg);
}

/* NADs claiming cluster_udn_red, which no RA here selects: one plain, one
 * with a forged owner reference and route-advertisements annotation. */
static void test_hostile_cudn_name(void **state)
{
	struct run r;

	(void)state;
	render(&r, "worker-h", NULL, "nodes-hostile.json", "cudns.json", "ra-default.json", "ra-blue.json",
	       "ra-nads.json", "hostile-cudn-name.json", NULL);
	print_refusals(&r);
	assert_valid_ones(&r);
	assert_non_null(net(&r.cfg, "ns2_okay"));
	assert_int_equal(r.cfg.nnetworks, 3);
	assert_null(pr_config_find_network(&r.cfg, "cluster_udn_red"));
	assert_true(refused(&r, "\"ns2/fake-red\"", "cluster_udn_red", NULL));
	assert_true(refused(&r, "\"ns2/red\"", NULL));
	pr_config_free(&r.cfg);
}

/* Garbage in tenant objects: refused alone, no freeze. */
static void test_hostile_garbage(void **state)
{
	struct run r;

	(void)state;
	render(&r, "worker-h", NULL, "nodes-hostile.json", "cudns.json", "ra-default.json", "ra-blue.json",
	       "ra-nads.json", "hostile-garbage.json", NULL);
	print_refusals(&r);
	assert_valid_ones(&r);
	assert_non_null(net(&r.cfg, "ns2_okay"));
	assert_int_equal(r.cfg.nnetworks, 3);
	assert_true(refused(&r, "\"ns2/notjson\"", "spec.config", NULL));
	assert_true(refused(&r, "\"ns2/noname\"", "no \"name\"", NULL));
	assert_true(refused(&r, "\"ns2/junk\"", "not a JSON array", NULL));
	assert_int_equal(r.rep.nrefused, 3);
	pr_config_free(&r.cfg);
}

/* Layer2 UDNs (OVN-K's NADs) whose subnets overlap the default network,
 * the node's address, the service range, or an older network. */
static void test_hostile_overlap(void **state)
{
	struct run r;

	(void)state;
	service_cidr = "10.96.0.0/16";
	render(&r, "worker-h", NULL, "nodes-hostile.json", "cudns.json", "ra-default.json", "ra-blue.json",
	       "ra-nads.json", "hostile-overlap.json", NULL);
	service_cidr = NULL;
	print_refusals(&r);
	assert_valid_ones(&r);
	assert_prefix(&net(&r.cfg, "ns2_l2ok")->prefixes[0], "10.240.0.0/16");
	assert_int_equal(r.cfg.nnetworks, 3);
	assert_true(refused(&r, "\"ns2/wide\"", "overlaps 10.244.5.0/24 of network \"default\"", NULL));
	assert_true(refused(&r, "\"ns2/nodeip\"", "covers 172.18.0.5/32, an address of Node \"worker-h\"", NULL));
	assert_true(refused(&r, "\"ns2/svc\"", "service range 10.96.0.0/16", NULL));
	assert_true(refused(&r, "\"ns2/copy\"", "overlaps 10.240.0.0/16 of network \"ns2_l2ok\"", NULL));
	assert_int_equal(r.rep.nrefused, 4);
	pr_config_free(&r.cfg);
}

/* More than 64 NADs (70 valid, one broken): all valid ones render. */
static void test_hostile_many(void **state)
{
	struct run r;

	(void)state;
	render(&r, "worker-m", NULL, "hostile-many.json", "ra-default.json", "ra-nads.json", NULL);
	print_refusals(&r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.cfg.nnetworks, 71);
	assert_int_equal(r.rep.nrendered, 71);
	assert_int_equal(net(&r.cfg, "ns2_n69")->id, 90);
	assert_true(refused(&r, "\"ns2/broken\"", NULL));
	assert_int_equal(r.rep.nrefused, 1);
	assert_round_trip(&r.cfg);
	pr_config_free(&r.cfg);
}

static void test_bad_json_and_vrf_spec(void **state)
{
	struct pr_render_opts o = {};
	struct run r;

	(void)state;
	render(&r, "worker-1", NULL, "nodes.json", "bad-json.json", NULL);
	assert_int_equal(r.rc, -EINVAL);
	assert_non_null(strstr(r.err, "bad-json.json:2:0: not valid JSON: "));
	pr_config_free(&r.cfg);
	assert_int_equal(pr_render_add_vrf_table(&o, "mp1-udn-vrf=1001"), 0);
	assert_int_equal(o.vrf[0].table, 1001);
	assert_int_equal(pr_render_add_vrf_table(&o, "=5"), -EINVAL);
	assert_int_equal(pr_render_add_vrf_table(&o, "vrf=0"), -EINVAL);
	assert_int_equal(pr_render_add_vrf_table(&o, "vrf=4294967296"), -EINVAL);
	assert_int_equal(pr_render_add_vrf_table(&o, "vrf"), -EINVAL);
	assert_int_equal(pr_render_add_vrf_table(&o, "a-name-longer-than-ifnamsiz=1"), -EINVAL);
}

/* node_overrides: the first entry whose labels the Node all has gives its
 * interfaces section whole; the rendered config has no overrides left and
 * reads back equal; a base without overrides keeps its own. */
static void test_node_overrides(void **state)
{
	struct run r;
	char a[PR_PREFIX_STRLEN];

	(void)state;
	base_yaml = "base-overrides.yaml";
	/* worker-1: zone a, advertise "true": entry 1 (entry 2 matches too),
	 * whose underlay_from: node becomes its InternalIP. */
	render(&r, "worker-1", NULL, "nodes-addressed.json", "ra-default.json", NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.rep.override, 1);
	assert_int_equal(r.rep.override_line, 14);
	assert_true(r.cfg.underlay_auto);
	assert_false(r.cfg.underlay_from_node);
	assert_int_equal(r.cfg.nunderlay, 0);
	assert_string_equal(pr_config_addr_str(&r.cfg.underlay_from, a, sizeof(a)), "172.18.0.11");
	assert_string_equal(r.cfg.brex, "br-ex");
	assert_int_equal(r.cfg.noverrides, 0);
	assert_true(r.cfg.shadow); /* the rest of the base stays */
	assert_round_trip(&r.cfg);
	pr_config_free(&r.cfg);
	/* A Node without an InternalIP: underlay_from: node cannot be filled. */
	render(&r, "worker-1", NULL, "nodes.json", "ra-default.json", NULL);
	assert_int_equal(r.rc, -EINVAL);
	assert_string_equal(r.err, "Node \"worker-1\": interfaces.underlay_from is node, and the Node has no "
			    "InternalIP in status.addresses");
	pr_config_free(&r.cfg);
	/* worker-2: zone b without advertise: entry 3, not entry 0. */
	render(&r, "worker-2", NULL, "nodes.json", "ra-default.json", NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.rep.override, 3);
	assert_false(r.cfg.underlay_auto);
	assert_int_equal(r.cfg.nunderlay, 2);
	assert_string_equal(r.cfg.underlay[0], "eth2");
	assert_string_equal(r.cfg.underlay[1], "eth3");
	assert_int_equal(r.cfg.mode, PR_MODE_TC);
	assert_string_equal(r.cfg.brex, ""); /* the whole section, not a merge */
	assert_int_equal(r.cfg.novn, 0);
	assert_round_trip(&r.cfg);
	pr_config_free(&r.cfg);
	/* No overrides in the base: its interfaces. */
	base_yaml = "base.yaml";
	render(&r, "worker-2", NULL, "nodes.json", "ra-default.json", NULL);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.rep.override, -1);
	assert_string_equal(r.cfg.underlay[0], "eth0");
	pr_config_free(&r.cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_network),
		cmocka_unit_test(test_layer3_cudn),
		cmocka_unit_test(test_layer2_kubevirt_vrf_auto),
		cmocka_unit_test(test_vrf_lite_auto),
		cmocka_unit_test(test_shared_gateway_shadows_port_targets),
		cmocka_unit_test(test_nad_by_annotation),
		cmocka_unit_test(test_nothing_for_this_node),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_bad_json_and_vrf_spec),
		cmocka_unit_test(test_hostile_ra_annotation),
		cmocka_unit_test(test_hostile_network_id),
		cmocka_unit_test(test_hostile_default_name),
		cmocka_unit_test(test_hostile_cudn_name),
		cmocka_unit_test(test_hostile_garbage),
		cmocka_unit_test(test_hostile_overlap),
		cmocka_unit_test(test_hostile_many),
		cmocka_unit_test(test_node_overrides),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
