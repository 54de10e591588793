// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: rendering one node's config from the cluster's objects
 * (ra_render.c), on fixtures written from OVN-Kubernetes's documented
 * examples: the default network, a Layer3 CUDN, a Layer2 primary CUDN with
 * persistent IPs (KubeVirt), VRF-Lite with targetVRF auto, a NAD selected
 * through its route-advertisements annotation, nodes not selected, and
 * inputs that must be refused with a message naming object and field.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ra_render.h"

#define FIX SRCDIR "/selftests/unit/fixtures/k8s/"

struct run {
	struct pr_config cfg;
	char err[1024];
	int rc;
};

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
	assert_int_equal(pr_config_load_file(FIX "base.yaml", &r->cfg, &e), 0);
	r->rc = pr_render(&o, &r->cfg, r->err, sizeof(r->err));
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
	assert_int_not_equal(r.rc, 0);
	assert_string_equal(r.err, "ClusterUserDefinedNetwork \"vm-net\" (network \"cluster_udn_vm-net\"): no "
				   "network id (Node annotation k8s.ovn.org/network-ids or NAD annotation "
				   "k8s.ovn.org/network-id)");
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
	/* Without the table (no such VRF here, none given): refused, saying how. */
	render(&r, "worker-1", NULL, "nodes.json", "cudns.json", "ra-vrflite.json", NULL);
	assert_int_equal(r.rc, -EINVAL);
	assert_string_equal(r.err, "network \"cluster_udn_red\": VRF \"mp3-udn-vrf\" (targetVRF \"auto\" of "
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
	assert_string_equal(r.err, "Node \"worker-2\": no host subnet for network \"ns1_green\" in annotation "
				   "k8s.ovn.org/node-subnets");
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

/* Each refusal: the message names the object and the field. */
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
		{ "worker-1", { "nodes.json", "cudns.json", "ra-blue.json", "bad-ra-conflict.json" },
		  "network \"cluster_udn_blue\" is advertised by RouteAdvertisements \"blue\" with targetVRF "
		  "\"default\" and by \"blue-in-vrf\" with targetVRF \"auto\"" },
		{ "worker-1", { "nodes.json", "bad-cudns.json", "bad-ra-l2.json" },
		  "ClusterUserDefinedNetwork \"l2-empty\": Layer2 network without subnets (spec.network.layer2.subnets)" },
		{ "worker-1", { "nodes.json", "bad-cudns.json", "bad-ra-odd.json" },
		  "ClusterUserDefinedNetwork \"odd-topo\": unknown topology \"Localnet\" (Layer3 or Layer2)" },
		{ "worker-1", { "nodes.json", "bad-cudns.json", "bad-ra-nosubnet.json" },
		  "ClusterUserDefinedNetwork \"nosubnet\" (network \"cluster_udn_nosubnet\"): no network id (Node "
		  "annotation k8s.ovn.org/network-ids or NAD annotation k8s.ovn.org/network-id)" },
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_network),
		cmocka_unit_test(test_layer3_cudn),
		cmocka_unit_test(test_layer2_kubevirt_vrf_auto),
		cmocka_unit_test(test_vrf_lite_auto),
		cmocka_unit_test(test_nad_by_annotation),
		cmocka_unit_test(test_nothing_for_this_node),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_bad_json_and_vrf_spec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
