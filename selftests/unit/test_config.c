// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the config loader (user/config/config.c). One valid file with every
 * key, the defaults of a minimal one, then one test per class of rejected
 * file asserting the exact message and line:column, then the file API,
 * device checks, equality, the canonical dump, and a mutation run that
 * feeds truncated and bit-flipped files to make sure nothing crashes or
 * leaks and every rejection says why.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "config/config.h"

/* Every key of the schema, each set away from its default where it has one. */
static const char full_yaml[] =
	"# every key\n"                                        /* 1 */
	"shadow: true\n"                                       /* 2 */
	"interfaces:\n"                                        /* 3 */
	"  underlay: [eth0, eth1]\n"                           /* 4 */
	"  brex: br-ex\n"                                      /* 5 */
	"  ovn: [ovn-k8s-mp0, ovn-k8s-mp1]\n"                  /* 6 */
	"  mode: native\n"                                     /* 7 */
	"limits:\n"                                            /* 8 */
	"  max_learned_routes: 5000\n"                         /* 9 */
	"accept:\n"                                            /* 10 */
	"  tables: [main, 1001, local, default]\n"             /* 11 */
	"  prefixes: [10.0.0.0/8, \"fd00::/16\"]\n"            /* 12 */
	"  protocols: [bgp, static, kernel, boot, zebra, ospf, isis, 200]\n" /* 13 */
	"networks:\n"                                          /* 14 */
	"  - name: default\n"                                  /* 15 */
	"    prefixes: [10.128.1.0/24, fd00:10:128:1::/64]\n"  /* 16 */
	"    target:\n"                                        /* 17 */
	"      port: ovn-k8s-mp0\n"                            /* 18 */
	"      mac: 0a:58:0a:80:01:01\n"                       /* 19 */
	"    antispoof: false\n"                               /* 20 */
	"  - name: blue\n"                                     /* 21 */
	"    id: 7\n"                                          /* 22 */
	"    prefixes:\n"                                      /* 23 */
	"      - 10.200.0.0/16\n"                              /* 24 */
	"    vrf: { name: udn-blue, table: 1001 }\n"           /* 25 */
	"    target: { vrf: true }\n"                          /* 26 */
	"    shadow: true\n"                                   /* 27 */
	"  - name: red\n"                                      /* 28 */
	"    prefixes: [10.201.0.0/16]\n"                      /* 29 */
	"    vrf: {table: 1002}\n"                             /* 30 */
	"    target: {port: ovn-k8s-mp1, neighbour: 10.201.0.1}\n" /* 31 */
	"  - name: black.hole_1\n"                             /* 32 */
	"    prefixes: [\"2001:db8::/32\"]\n"                  /* 33 */
	"    target: {action: drop}\n"                         /* 34 */
	"  - name: pass-through\n"                             /* 35 */
	"    id: 255\n"                                        /* 36 */
	"    prefixes: [192.0.2.0/24]\n"                       /* 37 */
	"    target: {action: pass, vrf: false}\n";            /* 38 */

static const char minimal_yaml[] =
	"interfaces:\n"
	"  underlay: [eth0]\n"
	"networks:\n"
	"  - name: default\n"
	"    prefixes: [10.128.0.0/14]\n"
	"    target: {port: ovn-k8s-mp0, mac: 0a:58:0a:80:00:01}\n";

/* The common head of the error cases: lines 1-2. */
#define IFS "interfaces:\n  underlay: [eth0]\n"

static bool all_zero(const void *p, size_t n)
{
	const unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		if (c[i])
			return false;
	return true;
}

static int load(const char *yaml, struct pr_config *c, struct pr_cfg_error *e)
{
	/* Garbage in *c first: the loader must not rely on it being zeroed. */
	memset(c, 0xa5, sizeof(*c));
	return pr_config_load_string("t.yaml", yaml, strlen(yaml), c, e);
}

static void load_ok(const char *yaml, struct pr_config *c)
{
	struct pr_cfg_error e;
	char buf[600];
	int ret = load(yaml, c, &e);

	if (ret)
		fail_msg("unexpected error: %s", pr_cfg_error_str(&e, buf, sizeof(buf)));
}

/* Rejected with exactly this message at line:column, and *cfg zeroed. */
static void expect_err(const char *yaml, unsigned line, unsigned column, const char *msg)
{
	struct pr_config c;
	struct pr_cfg_error e;

	int ret = load(yaml, &c, &e);

	if (!ret)
		pr_config_free(&c);
	if (ret != -EINVAL || strcmp(e.msg, msg) || e.line != line || e.column != column)
		fail_msg("got %d %u:%u: %s\nexpected %u:%u: %s", ret, e.line, e.column, e.msg, line,
			 column, msg);
	assert_string_equal(e.file, "t.yaml");
	assert_true(all_zero(&c, sizeof(c)));
}

static void assert_prefix(const struct pr_prefix *p, const char *expect)
{
	char buf[PR_PREFIX_STRLEN];

	assert_string_equal(pr_prefix_format(p, buf, sizeof(buf)), expect);
}

/* ---- valid files ---- */

static void test_full_file(void **state)
{
	const struct pr_cfg_network *n;
	struct pr_config c;
	char buf[PR_MAC_STRLEN];

	(void)state;
	load_ok(full_yaml, &c);
	assert_true(c.shadow);
	assert_int_equal(c.nunderlay, 2);
	assert_string_equal(c.underlay[0], "eth0");
	assert_string_equal(c.underlay[1], "eth1");
	assert_int_equal(c.pos_underlay[1].line, 4);
	assert_int_equal(c.pos_underlay[1].column, 20);
	assert_string_equal(c.brex, "br-ex");
	assert_int_equal(c.pos_brex.line, 5);
	assert_int_equal(c.novn, 2);
	assert_string_equal(c.ovn[0], "ovn-k8s-mp0");
	assert_string_equal(c.ovn[1], "ovn-k8s-mp1");
	assert_int_equal(c.mode, PR_MODE_NATIVE);
	assert_int_equal(c.max_learned_routes, 5000);
	assert_int_equal(c.naccept_tables, 4);
	assert_int_equal(c.accept_tables[0], 254);
	assert_int_equal(c.accept_tables[1], 1001);
	assert_int_equal(c.accept_tables[2], 255);
	assert_int_equal(c.accept_tables[3], 253);
	assert_int_equal(c.naccept_prefixes, 2);
	assert_prefix(&c.accept_prefixes[0], "10.0.0.0/8");
	assert_prefix(&c.accept_prefixes[1], "fd00::/16");
	assert_int_equal(c.naccept_protocols, 8);
	assert_int_equal(c.accept_protocols[0], 186);
	assert_int_equal(c.accept_protocols[1], 4);
	assert_int_equal(c.accept_protocols[2], 2);
	assert_int_equal(c.accept_protocols[3], 3);
	assert_int_equal(c.accept_protocols[4], 11);
	assert_int_equal(c.accept_protocols[5], 188);
	assert_int_equal(c.accept_protocols[6], 187);
	assert_int_equal(c.accept_protocols[7], 200);
	assert_string_equal(c.file, "t.yaml");
	assert_int_equal(c.nnetworks, 5);

	n = &c.networks[0];
	assert_string_equal(n->name, "default");
	assert_int_equal(n->id, 1);
	assert_int_equal(n->nprefixes, 2);
	assert_prefix(&n->prefixes[0], "10.128.1.0/24");
	assert_prefix(&n->prefixes[1], "fd00:10:128:1::/64");
	assert_false(n->has_vrf);
	assert_int_equal(n->vrf_table, 0);
	assert_int_equal(n->target, PR_TGT_PORT);
	assert_string_equal(n->port, "ovn-k8s-mp0");
	assert_true(n->has_mac);
	assert_string_equal(pr_mac_format(n->mac, buf, sizeof(buf)), "0a:58:0a:80:01:01");
	assert_false(n->antispoof);
	assert_false(n->shadow);
	assert_int_equal(n->pos.line, 15);
	assert_int_equal(n->pos.column, 5);
	assert_int_equal(n->pos_port.line, 18);
	assert_int_equal(n->pos_port.column, 13);

	n = &c.networks[1];
	assert_string_equal(n->name, "blue");
	assert_int_equal(n->id, 7);
	assert_int_equal(n->nprefixes, 1);
	assert_prefix(&n->prefixes[0], "10.200.0.0/16");
	assert_true(n->has_vrf);
	assert_string_equal(n->vrf_name, "udn-blue");
	assert_int_equal(n->vrf_table, 1001);
	assert_int_equal(n->pos_vrf_name.line, 25);
	assert_int_equal(n->pos_vrf_name.column, 18);
	assert_int_equal(n->target, PR_TGT_VRF);
	assert_true(n->antispoof);
	assert_true(n->shadow);

	n = &c.networks[2];
	assert_string_equal(n->name, "red");
	assert_int_equal(n->id, 3);
	assert_true(n->has_vrf);
	assert_string_equal(n->vrf_name, "");
	assert_int_equal(n->vrf_table, 1002);
	assert_int_equal(n->target, PR_TGT_PORT);
	assert_string_equal(n->port, "ovn-k8s-mp1");
	assert_false(n->has_mac);
	assert_prefix(&n->neighbour, "10.201.0.1/32");

	n = &c.networks[3];
	assert_string_equal(n->name, "black.hole_1");
	assert_int_equal(n->id, 4);
	assert_prefix(&n->prefixes[0], "2001:db8::/32");
	assert_int_equal(n->target, PR_TGT_DROP);

	n = &c.networks[4];
	assert_string_equal(n->name, "pass-through");
	assert_int_equal(n->id, 255);
	assert_int_equal(n->target, PR_TGT_PASS);
	pr_config_free(&c);
	assert_true(all_zero(&c, sizeof(c)));
}

static void test_minimal_defaults(void **state)
{
	const struct pr_cfg_network *n;
	struct pr_config c;

	(void)state;
	load_ok(minimal_yaml, &c);
	assert_false(c.shadow);
	assert_int_equal(c.nunderlay, 1);
	assert_string_equal(c.brex, "");
	assert_int_equal(c.novn, 0);
	assert_int_equal(c.mode, PR_MODE_AUTO);
	assert_int_equal(c.max_learned_routes, 100000);
	assert_int_equal(c.stale_after_seconds, PR_CFG_DEFAULT_STALE_AFTER);
	assert_int_equal(c.naccept_tables, 1);
	assert_int_equal(c.accept_tables[0], 254);
	assert_int_equal(c.naccept_prefixes, 0);
	assert_int_equal(c.naccept_protocols, 1);
	assert_int_equal(c.accept_protocols[0], 186);
	assert_int_equal(c.nnetworks, 1);
	n = &c.networks[0];
	assert_int_equal(n->id, 1);
	assert_true(n->antispoof);
	assert_false(n->shadow);
	assert_false(n->has_vrf);
	pr_config_free(&c);
}

/* "key:" and "key: ~" on optional keys mean "not given": defaults apply. */
static void test_null_means_absent(void **state)
{
	struct pr_config c;

	(void)state;
	load_ok("shadow: ~\n"
		"interfaces:\n  underlay: [eth0]\n  brex:\n  ovn: null\n  mode:\n"
		"limits:\naccept:\n  tables:\n  protocols: ~\n"
		"networks:\n"
		"  - name: a\n    id:\n    vrf:\n    antispoof:\n    shadow: ~\n"
		"    prefixes: [10.0.0.0/8]\n    target: {action: pass}\n",
		&c);
	assert_false(c.shadow);
	assert_string_equal(c.brex, "");
	assert_int_equal(c.max_learned_routes, 100000);
	assert_int_equal(c.naccept_tables, 1);
	assert_int_equal(c.accept_tables[0], 254);
	assert_int_equal(c.accept_protocols[0], 186);
	assert_int_equal(c.networks[0].id, 1);
	assert_true(c.networks[0].antispoof);
	assert_false(c.networks[0].has_vrf);
	pr_config_free(&c);
}

/* Booleans in the YAML 1.2 spellings; explicit ids mixed with positions. */
static void test_bool_spellings_and_ids(void **state)
{
	struct pr_config c;

	(void)state;
	load_ok(IFS "shadow: TRUE\nnetworks:\n"
		"  - {name: a, prefixes: [10.1.0.0/16], target: {action: pass}, antispoof: False}\n"
		"  - {name: b, id: 9, prefixes: [10.2.0.0/16], target: {action: pass}, shadow: True}\n"
		"  - {name: c, prefixes: [10.3.0.0/16], target: {action: drop}}\n",
		&c);
	assert_true(c.shadow);
	assert_int_equal(c.networks[0].id, 1);
	assert_false(c.networks[0].antispoof);
	assert_int_equal(c.networks[1].id, 9);
	assert_true(c.networks[1].shadow);
	assert_int_equal(c.networks[2].id, 3);
	pr_config_free(&c);
}

/* ---- YAML-level errors ---- */

static void test_yaml_syntax_error(void **state)
{
	(void)state;
	expect_err(IFS "networks: [\n  - name: x\n", 4, 3,
		   "YAML syntax error: did not find expected node content (while parsing a flow "
		   "node at 4:3)");
	expect_err(IFS "  bad indent: x\n y: 1\n", 4, 2,
		   "YAML syntax error: did not find expected key (while parsing a block mapping "
		   "at 1:1)");
	expect_err("a: \"unterminated\n", 2, 1,
		   "YAML syntax error: found unexpected end of stream (while scanning a quoted "
		   "scalar at 1:4)");
}

static void test_invalid_input(void **state)
{
	(void)state;
	expect_err(IFS "networks: \xff\n", 3, 11,
		   "invalid input: invalid leading UTF-8 octet (0xff)");
	expect_err(IFS "networks: a\x01\n", 3, 12,
		   "invalid input: control characters are not allowed (0x1)");
}

static void test_top_not_mapping(void **state)
{
	(void)state;
	expect_err("- a\n- b\n", 1, 1,
		   "the top level must be a mapping with \"interfaces\" and \"networks\", got a list");
	expect_err("hello\n", 1, 1,
		   "the top level must be a mapping with \"interfaces\" and \"networks\", got "
		   "\"hello\"");
}

static void test_empty_file(void **state)
{
	static const char msg[] =
		"the config is empty (expected a mapping with \"interfaces\" and \"networks\")";

	(void)state;
	expect_err("", 1, 1, msg);
	expect_err("# only a comment\n\n", 3, 1, msg);
	expect_err("---\n", 2, 1, msg);
	expect_err("~\n", 1, 1, msg);
}

static void test_anchor_alias_tag_refused(void **state)
{
	(void)state;
	expect_err("interfaces: &i\n  underlay: [eth0]\n", 1, 13,
		   "YAML anchors are not supported (&i)");
	expect_err(IFS "brex: *x\n", 3, 7, "YAML aliases are not supported (*x)");
	expect_err(IFS "shadow: !!bool true\n", 3, 9,
		   "YAML tags are not supported (\"tag:yaml.org,2002:bool\")");
}

static void test_multiple_documents(void **state)
{
	(void)state;
	expect_err(IFS "---\nshadow: true\n", 3, 1,
		   "more than one YAML document; the config is one document");
}

static void test_deep_nesting(void **state)
{
	char yaml[256];

	(void)state;
	snprintf(yaml, sizeof(yaml), "a: %.40s%.40s\n",
		 "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
		 "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
	expect_err(yaml, 1, 35, "nested deeper than 32 levels");
}

/* ---- keys ---- */

static void test_unknown_key_suggests(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n  - name: blue\n    prefixs: [10.0.0.0/8]\n", 5, 5,
		   "unknown key \"prefixs\" in network \"blue\" (did you mean \"prefixes\"?)");
	expect_err(IFS "shadwo: true\n", 3, 1,
		   "unknown key \"shadwo\" at the top level (did you mean \"shadow\"?)");
}

static void test_unknown_key_lists_allowed(void **state)
{
	(void)state;
	expect_err(IFS "colour: blue\n", 3, 1,
		   "unknown key \"colour\" at the top level (expected one of: shadow, interfaces, "
		   "limits, accept, networks, refused_objects, node_overrides)");
	expect_err("interfaces:\n  underlay: [eth0]\n  bridge: br-ex\n", 3, 3,
		   "unknown key \"bridge\" in \"interfaces\" (expected one of: underlay, brex, ovn, "
		   "mode, force_xdp, underlay_from)");
	expect_err(IFS "limits: {max_routes: 5}\n", 3, 10,
		   "unknown key \"max_routes\" in \"limits\" (expected one of: max_learned_routes, stale_after_seconds)");
	expect_err(IFS "accept: {tabels: [main]}\n", 3, 10,
		   "unknown key \"tabels\" in \"accept\" (did you mean \"tables\"?)");
	expect_err(IFS "networks:\n  - name: blue\n    vrf: {name: v, tabel: 5}\n", 5, 20,
		   "unknown key \"tabel\" in \"vrf\" of network \"blue\" (did you mean \"table\"?)");
	expect_err(IFS "networks:\n  - name: blue\n    target: {device: x}\n", 5, 14,
		   "unknown key \"device\" in \"target\" of network \"blue\" (expected one of: port, "
		   "mac, neighbour, vrf, action)");
	/* Before the name is known to be good, the network goes by position. */
	expect_err(IFS "networks:\n  - name: \"b l\"\n    x: 1\n", 5, 5,
		   "unknown key \"x\" in network #1 (expected one of: name, id, prefixes, vrf, "
		   "target, antispoof, shadow)");
}

static void test_key_not_a_string(void **state)
{
	(void)state;
	expect_err(IFS "[a]: 1\n", 3, 1, "a key at the top level must be a string, got a list");
	expect_err(IFS "networks:\n  - name: a\n    ~: 1\n", 5, 5,
		   "a key in network \"a\" must be a string, got null");
}

static void test_duplicate_key(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n  - name: blue\n    id: 2\n    id: 3\n", 6, 5,
		   "duplicate key \"id\" in network \"blue\" (first at line 5)");
	expect_err(IFS "interfaces:\n  underlay: [eth1]\n", 3, 1,
		   "duplicate key \"interfaces\" at the top level (first at line 1)");
	expect_err("interfaces: {underlay: [a], \"underlay\": [b]}\n", 1, 29,
		   "duplicate key \"underlay\" in \"interfaces\" (first at line 1)");
}

/* ---- types ---- */

static void test_wrong_type_list(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n  - name: blue\n    prefixes: 10.0.0.0/8\n", 5, 15,
		   "\"prefixes\" of network \"blue\" must be a list of prefixes, got \"10.0.0.0/8\"");
	expect_err("interfaces:\n  underlay: eth0\n", 2, 13,
		   "\"interfaces.underlay\" must be a list of interface names or auto, got \"eth0\"");
	expect_err(IFS "networks: {name: a}\n", 3, 11,
		   "\"networks\" must be a list of networks, got a mapping");
	expect_err(IFS "accept:\n  tables: main\n", 4, 11,
		   "\"accept.tables\" must be a list of table names (main, local, default) or numbers "
		   "1..4294967295, got \"main\"");
	expect_err(IFS "networks:\n  - name: blue\n    prefixes: [[10.0.0.0/8]]\n", 5, 16,
		   "\"prefixes\" of network \"blue\" must list prefixes, got a list");
	expect_err("interfaces:\n  underlay: [eth0, {a: b}]\n", 2, 20,
		   "\"interfaces.underlay\" must list interface names, got a mapping");
}

static void test_wrong_type_mapping(void **state)
{
	(void)state;
	expect_err("interfaces: [eth0]\n", 1, 13,
		   "\"interfaces\" must be a mapping, got a list");
	expect_err(IFS "networks:\n  - name: blue\n    prefixes: [10.0.0.0/8]\n    target: eth0\n",
		   6, 13, "\"target\" of network \"blue\" must be a mapping, got \"eth0\"");
	expect_err(IFS "networks:\n  - name: blue\n    prefixes: [10.0.0.0/8]\n    target:\n",
		   6, 12, "\"target\" of network \"blue\" must be a mapping, got null");
	expect_err(IFS "networks:\n  - blue\n", 4, 5,
		   "network #1 must be a mapping, got \"blue\"");
	expect_err(IFS "networks:\n  - name: [blue]\n", 4, 11,
		   "\"name\" of network #1 must be a string, got a list");
}

static void test_wrong_type_bool(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n  - name: blue\n    antispoof: yes\n", 5, 16,
		   "\"antispoof\" of network \"blue\" must be true or false, got \"yes\"");
	expect_err(IFS "shadow: \"true\"\n", 3, 9,
		   "\"shadow\" must be true or false, got the quoted string \"true\"");
	expect_err(IFS "networks:\n  - name: blue\n    target: {vrf: 1}\n", 5, 19,
		   "\"target.vrf\" of network \"blue\" must be true or false, got \"1\"");
}

static void test_wrong_type_int(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n  - name: blue\n    id: two\n", 5, 9,
		   "\"id\" of network \"blue\" must be an integer in 1..255, got \"two\"");
	expect_err(IFS "networks:\n  - name: blue\n    id: \"5\"\n", 5, 9,
		   "\"id\" of network \"blue\" must be an integer in 1..255, got the quoted string "
		   "\"5\"");
	/* 010 is octal in YAML 1.1 and ten in 1.2: refused, not guessed. */
	expect_err(IFS "networks:\n  - name: blue\n    id: 010\n", 5, 9,
		   "\"id\" of network \"blue\" must be an integer in 1..255, got \"010\"");
	expect_err(IFS "limits: {max_learned_routes: -5}\n", 3, 30,
		   "\"limits.max_learned_routes\" must be an integer in 1..10000000, got \"-5\"");
	expect_err(IFS "limits: {max_learned_routes: 1e6}\n", 3, 30,
		   "\"limits.max_learned_routes\" must be an integer in 1..10000000, got \"1e6\"");
	expect_err(IFS "limits: {stale_after_seconds: 3601}\n", 3, 31,
		   "\"limits.stale_after_seconds\" is 3601, out of range 0..3600");
}

/* ---- values ---- */

static void test_bad_prefix(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n  - name: blue\n    prefixes: [10.0.0.1/8]\n", 5, 16,
		   "bad prefix \"10.0.0.1/8\" in network \"blue\": host bits set beyond the prefix "
		   "length");
	expect_err(IFS "networks:\n  - name: blue\n    prefixes: [10.0.0.0/33]\n", 5, 16,
		   "bad prefix \"10.0.0.0/33\" in network \"blue\": prefix length exceeds 32");
	expect_err(IFS "networks:\n  - name: blue\n    prefixes: [\"10.0.0.0\\0/8\"]\n", 5, 16,
		   "bad prefix \"10.0.0.0\\x00/8\" in network \"blue\": contains a NUL character");
	expect_err(IFS "accept:\n  prefixes: [10.0.0.0/8, bogus]\n", 4, 26,
		   "bad prefix \"bogus\" in \"accept.prefixes\": not an IPv4 or IPv6 address");
}

static void test_bad_mac(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n  - name: b\n    target: {port: p, mac: 0a:58:0a:80:01}\n", 5,
		   28, "bad MAC \"0a:58:0a:80:01\" in network \"b\": expected six hex bytes like "
		   "0a:58:0a:80:01:01");
	expect_err(IFS "networks:\n  - name: b\n    target: {port: p, mac: \" a:58:0a:80:01:01\"}\n",
		   5, 28, "bad MAC \" a:58:0a:80:01:01\" in network \"b\": expected six hex bytes "
		   "like 0a:58:0a:80:01:01");
	expect_err(IFS "networks:\n  - name: b\n    target: {port: p, mac: ff:ff:ff:ff:ff:ff}\n",
		   5, 28, "bad MAC \"ff:ff:ff:ff:ff:ff\" in network \"b\": a multicast or broadcast "
		   "address");
	expect_err(IFS "networks:\n  - name: b\n    target: {port: p, mac: 00:00:00:00:00:00}\n",
		   5, 28, "bad MAC \"00:00:00:00:00:00\" in network \"b\": all zeros");
}

static void test_bad_neighbour(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n  - name: b\n    target: {port: p, neighbour: 10.0.0.0/24}\n", 5,
		   34, "bad neighbour \"10.0.0.0/24\" in network \"b\": not a single address");
	expect_err(IFS "networks:\n  - name: b\n    target: {port: p, neighbour: gw}\n", 5, 34,
		   "bad neighbour \"gw\" in network \"b\": not an IPv4 or IPv6 address");
}

static void test_bad_network_name(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n  - name: \"b l\"\n", 4, 11,
		   "bad network name \"b l\": expected 1 to 31 characters from A-Z a-z 0-9 _ . -");
	expect_err(IFS "networks:\n  - name: abcdefghijklmnopqrstuvwxyz0123456\n", 4, 11,
		   "bad network name \"abcdefghijklmnopqrstuvwxyz0123456\": expected 1 to 31 "
		   "characters from A-Z a-z 0-9 _ . -");
	expect_err(IFS "networks:\n  - prefixes: [10.0.0.0/8]\n", 4, 5,
		   "missing required key \"name\" in network #1");
}

/* ---- networks as a whole ---- */

#define NET(name, pfx) "  - {name: " name ", prefixes: [" pfx "], target: {action: pass}}\n"

static void test_duplicate_network_name(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n" NET("blue", "10.1.0.0/16") NET("blue", "10.2.0.0/16"), 5, 12,
		   "duplicate network name \"blue\" (first at line 4)");
}

static void test_duplicate_network_id(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n"
		   "  - {name: blue, id: 9, prefixes: [10.1.0.0/16], target: {action: pass}}\n"
		   "  - {name: red, id: 9, prefixes: [10.2.0.0/16], target: {action: pass}}\n",
		   5, 21, "network \"red\" has id 9, already used by network \"blue\"");
	/* The first network takes 2 explicitly, the second gets 2 by position. */
	expect_err(IFS "networks:\n"
		   "  - {name: blue, id: 2, prefixes: [10.1.0.0/16], target: {action: pass}}\n"
		   NET("red", "10.2.0.0/16"),
		   5, 5, "network \"red\" gets id 2 from its position, already used by network "
		   "\"blue\"; give it an explicit \"id\"");
}

static void test_id_out_of_range(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n  - name: blue\n    id: 256\n", 5, 9,
		   "\"id\" of network \"blue\" is 256, out of range 1..255");
	expect_err(IFS "networks:\n  - name: blue\n    id: 0\n", 5, 9,
		   "\"id\" of network \"blue\" is 0, out of range 1..255");
	expect_err(IFS "networks:\n  - name: blue\n    id: 99999999999999999999999\n", 5, 9,
		   "\"id\" of network \"blue\" is 99999999999999999999999, out of range 1..255");
}

static void test_overlap_across_networks(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n" NET("blue", "10.128.1.0/24, fd00::/64")
		   NET("red", "10.129.0.0/16, 10.128.0.0/16"),
		   5, 43, "prefix 10.128.0.0/16 of network \"red\" overlaps 10.128.1.0/24 of "
		   "network \"blue\" (line 4)");
	/* Same prefix, IPv6, and the containing one written second. */
	expect_err(IFS "networks:\n" NET("blue", "\"fd00:1::/64\"") NET("red", "\"fd00::/16\""),
		   5, 28, "prefix fd00::/16 of network \"red\" overlaps fd00:1::/64 of network "
		   "\"blue\" (line 4)");
}

/* Networks in different VRFs may reuse prefixes; within one VRF they may not. */
static void test_overlap_across_vrfs(void **state)
{
	struct pr_config c;

	(void)state;
	load_ok(IFS "networks:\n"
		"  - {name: blue, prefixes: [10.50.1.0/24], vrf: {name: udn-blue, table: 1001}, target: {vrf: true}}\n"
		"  - {name: red, prefixes: [10.50.1.0/24], vrf: {name: udn-red, table: 1002}, target: {vrf: true}}\n"
		"  - {name: default, prefixes: [10.50.0.0/16], target: {action: pass}}\n",
		&c);
	assert_int_equal(c.nnetworks, 3);
	pr_config_free(&c);
	expect_err(IFS "networks:\n"
		   "  - {name: blue, prefixes: [10.50.1.0/24], vrf: {name: udn-blue, table: 1001}, target: {vrf: true}}\n"
		   "  - {name: red, prefixes: [10.50.0.0/16], vrf: {name: udn-blue, table: 1001}, target: {vrf: true}}\n",
		   5, 28, "prefix 10.50.0.0/16 of network \"red\" overlaps 10.50.1.0/24 of network \"blue\" (line 4)");
}

static void test_overlap_within_network(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n  - name: blue\n    prefixes:\n      - 10.128.1.0/24\n"
		   "      - 192.0.2.0/24\n      - 10.128.1.128/25\n    target: {action: pass}\n",
		   8, 9, "prefix 10.128.1.128/25 of network \"blue\" overlaps 10.128.1.0/24 of the "
		   "same network (line 6)");
	expect_err(IFS "networks:\n" NET("blue", "10.1.0.0/16, 10.1.0.0/16"), 4, 42,
		   "prefix 10.1.0.0/16 of network \"blue\" overlaps 10.1.0.0/16 of the same "
		   "network (line 4)");
}

static void test_network_without_prefixes(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n  - name: blue\n    target: {action: pass}\n", 4, 5,
		   "missing required key \"prefixes\" in network \"blue\"");
	expect_err(IFS "networks:\n  - name: blue\n    prefixes: []\n", 5, 15,
		   "\"prefixes\" of network \"blue\" must list at least one prefix");
}

static void test_too_many_prefixes(void **state)
{
	char yaml[4096];
	int o;

	(void)state;
	o = snprintf(yaml, sizeof(yaml), IFS "networks:\n  - name: big\n    prefixes:\n");
	for (int i = 0; i <= PR_CFG_MAX_PREFIXES; i++)
		o += snprintf(yaml + o, sizeof(yaml) - o, "      - 10.%d.0.0/16\n", i);
	expect_err(yaml, 6 + PR_CFG_MAX_PREFIXES, 9, "network \"big\" has more than 64 prefixes");
	/* 64 is fine. */
	o = snprintf(yaml, sizeof(yaml), IFS "networks:\n  - name: big\n    target: {action: pass}\n"
		     "    prefixes:\n");
	for (int i = 0; i < PR_CFG_MAX_PREFIXES; i++)
		o += snprintf(yaml + o, sizeof(yaml) - o, "      - 10.%d.0.0/16\n", i);
	{
		struct pr_config c;

		load_ok(yaml, &c);
		assert_int_equal(c.networks[0].nprefixes, PR_CFG_MAX_PREFIXES);
		pr_config_free(&c);
	}
}

static void test_too_many_networks(void **state)
{
	size_t size = 256 * 80;
	char *yaml = malloc(size);
	struct pr_config c;
	int o;

	(void)state;
	assert_non_null(yaml);
	o = snprintf(yaml, size, IFS "networks:\n");
	for (int i = 0; i < PR_CFG_MAX_NETWORKS; i++)
		o += snprintf(yaml + o, size - o, "  - {name: n%d, prefixes: [10.%d.0.0/16], "
			      "target: {action: pass}}\n", i, i);
	load_ok(yaml, &c);
	assert_int_equal(c.nnetworks, 255);
	assert_int_equal(c.networks[254].id, 255);
	pr_config_free(&c);
	snprintf(yaml + o, size - o, NET("one-more", "11.0.0.0/8"));
	expect_err(yaml, 259, 5, "more than 255 networks");
	free(yaml);
}

static void test_no_networks(void **state)
{
	(void)state;
	expect_err(IFS, 1, 1, "missing required key \"networks\" at the top level");
	expect_err(IFS "networks: []\n", 3, 11, "\"networks\" must list at least one network");
	expect_err(IFS "networks:\n", 3, 10, "\"networks\" must be a list of networks, got null");
}

/* ---- targets and vrfs ---- */

static void test_target_needs_exactly_one(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n  - name: b\n    prefixes: [10.0.0.0/8]\n    target: {}\n", 6,
		   13, "\"target\" of network \"b\" needs one of \"port\", \"vrf\" or \"action\"");
	expect_err(IFS "networks:\n  - name: b\n    prefixes: [10.0.0.0/8]\n"
		   "    target: {vrf: false}\n",
		   6, 13, "\"target\" of network \"b\" needs one of \"port\", \"vrf\" or \"action\"");
	expect_err(IFS "networks:\n  - name: b\n    target: {port: p, mac: 0a:58:0a:80:01:01, "
		   "action: drop}\n", 5, 47,
		   "\"target\" of network \"b\" has both \"port\" and \"action\"; give exactly one of "
		   "port, vrf or action");
	expect_err(IFS "networks:\n  - name: b\n    prefixes: [10.0.0.0/8]\n", 4, 5,
		   "missing required key \"target\" in network \"b\"");
	expect_err(IFS "networks:\n  - name: b\n    target: {action: forward}\n", 5, 22,
		   "\"target.action\" of network \"b\" must be pass or drop, got \"forward\"");
}

static void test_port_needs_mac_or_neighbour(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n  - name: b\n    prefixes: [10.0.0.0/8]\n    target: {port: p}\n",
		   6, 13, "\"target.port\" of network \"b\" needs \"mac\" or \"neighbour\"");
	expect_err(IFS "networks:\n  - name: b\n    target:\n      port: p\n"
		   "      neighbour: 10.0.0.1\n      mac: 0a:58:0a:80:01:01\n",
		   8, 7, "\"target\" of network \"b\" has both \"mac\" and \"neighbour\"; give one");
	expect_err(IFS "networks:\n  - name: b\n    target: {action: pass, mac: 0a:58:0a:80:01:01}\n",
		   5, 28, "\"target.mac\" of network \"b\" only goes with \"port\"");
}

static void test_target_vrf_needs_vrf_block(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n  - name: b\n    prefixes: [10.0.0.0/8]\n    target: {vrf: true}\n",
		   6, 19, "\"target.vrf\" of network \"b\" needs the network's \"vrf\" block");
}

static void test_vrf_table(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n  - name: b\n    vrf: {name: v, table: 0}\n", 5, 27,
		   "\"vrf.table\" of network \"b\" is 0, out of range 1..4294967295");
	expect_err(IFS "networks:\n  - name: b\n    vrf: {name: v, table: 4294967296}\n", 5, 27,
		   "\"vrf.table\" of network \"b\" is 4294967296, out of range 1..4294967295");
	expect_err(IFS "networks:\n  - name: b\n    vrf: {name: v}\n", 5, 10,
		   "missing required key \"table\" in \"vrf\" of network \"b\"");
	expect_err(IFS "networks:\n  - name: b\n    vrf: udn\n", 5, 10,
		   "\"vrf\" of network \"b\" must be a mapping, got \"udn\"");
}

static void test_vrf_name(void **state)
{
	(void)state;
	expect_err(IFS "networks:\n  - name: b\n    vrf: {name: vrf-name-too-long, table: 5}\n", 5,
		   17, "bad interface name \"vrf-name-too-long\" in \"vrf.name\" of network \"b\": "
		   "longer than 15 characters");
	expect_err(IFS "networks:\n"
		   "  - {name: b, vrf: {name: v1, table: 5}, prefixes: [10.1.0.0/16], "
		   "target: {vrf: true}}\n"
		   "  - {name: c, vrf: {name: v1, table: 6}, prefixes: [10.2.0.0/16], "
		   "target: {vrf: true}}\n",
		   5, 38, "vrf \"v1\" of network \"c\" has table 6, but network \"b\" gives it table 5");
}

/* ---- interfaces ---- */

static void test_interface_names(void **state)
{
	(void)state;
	expect_err("interfaces:\n  underlay: [\"\"]\n", 2, 14,
		   "bad interface name \"\" in \"interfaces.underlay\": empty");
	expect_err("interfaces:\n  underlay: [eth0]\n  brex: a-very-long-bridge\n", 3, 9,
		   "bad interface name \"a-very-long-bridge\" in \"interfaces.brex\": longer than 15 "
		   "characters");
	expect_err("interfaces:\n  underlay: [eth0]\n  ovn: [a/b]\n", 3, 9,
		   "bad interface name \"a/b\" in \"interfaces.ovn\": contains '/', ':', whitespace or "
		   "a control character");
	expect_err("interfaces:\n  underlay: [\"..\"]\n", 2, 14,
		   "bad interface name \"..\" in \"interfaces.underlay\": \".\" and \"..\" are not "
		   "device names");
	expect_err(IFS "networks:\n  - name: b\n    target: {port: \"ovn k8s\"}\n", 5, 20,
		   "bad interface name \"ovn k8s\" in \"target.port\" of network \"b\": contains '/', "
		   "':', whitespace or a control character");
	expect_err("interfaces:\n  underlay: [eth0]\n  brex: [br-ex]\n", 3, 9,
		   "\"interfaces.brex\" must be an interface name, got a list");
}

static void test_no_underlay(void **state)
{
	(void)state;
	expect_err("interfaces:\n  ovn: [ovn-k8s-mp0]\n", 2, 3,
		   "missing required key \"underlay\" in \"interfaces\"");
	expect_err("interfaces:\n  underlay: []\n", 2, 13,
		   "\"interfaces.underlay\" must list at least one interface");
	expect_err("networks:\n" NET("a", "10.0.0.0/8"), 1, 1,
		   "missing required key \"interfaces\" at the top level");
}

static void test_too_many_interfaces(void **state)
{
	(void)state;
	expect_err("interfaces:\n  underlay: [e0, e1, e2, e3, e4, e5, e6, e7, e8, e9, e10, e11, e12, "
		   "e13, e14, e15, e16]\n", 2, 84,
		   "\"interfaces.underlay\" lists more than 16 interfaces");
}

static void test_interface_listed_twice(void **state)
{
	(void)state;
	expect_err("interfaces:\n  underlay: [eth0, eth1, eth0]\n", 2, 26,
		   "interface \"eth0\" in \"interfaces.underlay\" is already listed in "
		   "\"interfaces.underlay\" (line 2)");
	expect_err("interfaces:\n  ovn: [eth0]\n  underlay: [eth0]\n", 3, 14,
		   "interface \"eth0\" in \"interfaces.underlay\" is already listed in \"interfaces.ovn\" "
		   "(line 2)");
	expect_err("interfaces:\n  underlay: [br-ex]\n  brex: br-ex\n", 3, 9,
		   "interface \"br-ex\" in \"interfaces.brex\" is already listed in "
		   "\"interfaces.underlay\" (line 2)");
}

static void test_unknown_mode(void **state)
{
	(void)state;
	expect_err("interfaces:\n  underlay: [eth0]\n  mode: fast\n", 3, 9,
		   "\"interfaces.mode\" must be auto, native, generic or tc, got \"fast\"");
}

/* ---- limits and accept ---- */

static void test_max_learned_routes_range(void **state)
{
	struct pr_config c;

	(void)state;
	expect_err(IFS "limits:\n  max_learned_routes: 0\n", 4, 23,
		   "\"limits.max_learned_routes\" is 0, out of range 1..10000000");
	expect_err(IFS "limits:\n  max_learned_routes: 10000001\n", 4, 23,
		   "\"limits.max_learned_routes\" is 10000001, out of range 1..10000000");
	load_ok(IFS "limits: {max_learned_routes: 10000000}\nnetworks:\n" NET("a", "10.0.0.0/8"), &c);
	assert_int_equal(c.max_learned_routes, 10000000);
	pr_config_free(&c);
}

static void test_accept_tables(void **state)
{
	(void)state;
	expect_err(IFS "accept:\n  tables: [main, mian]\n", 4, 18,
		   "\"accept.tables\" must list table names (main, local, default) or numbers "
		   "1..4294967295, got \"mian\"");
	expect_err(IFS "accept:\n  tables: [0]\n", 4, 12,
		   "table 0 in \"accept.tables\" is out of range 1..4294967295");
	expect_err(IFS "accept:\n  tables: [main, 254]\n", 4, 18,
		   "table 254 is listed twice in \"accept.tables\" (first at line 4)");
	expect_err(IFS "accept:\n  tables: []\n", 4, 11,
		   "\"accept.tables\" must not be empty (leave it out for the default, main)");
}

static void test_accept_protocols(void **state)
{
	(void)state;
	expect_err(IFS "accept:\n  protocols: [bpg]\n", 4, 15,
		   "\"accept.protocols\" must list protocol names (bgp, static, kernel, boot, zebra, "
		   "ospf, isis) or numbers 0..255, got \"bpg\"");
	expect_err(IFS "accept:\n  protocols: [256]\n", 4, 15,
		   "protocol 256 in \"accept.protocols\" is out of range 0..255");
	expect_err(IFS "accept:\n  protocols: [186, bgp]\n", 4, 20,
		   "protocol 186 is listed twice in \"accept.protocols\" (first at line 4)");
	expect_err(IFS "accept:\n  protocols: []\n", 4, 14,
		   "\"accept.protocols\" must not be empty (leave it out for the default, bgp)");
}

static void test_accept_prefixes(void **state)
{
	struct pr_config c;

	(void)state;
	expect_err(IFS "accept:\n  prefixes: [10.0.0.0/8, 10.0.0.0/8]\n", 4, 26,
		   "prefix 10.0.0.0/8 is listed twice in \"accept.prefixes\" (first at line 4)");
	/* Overlapping accept prefixes are harmless and allowed; [] is "any". */
	load_ok(IFS "accept: {prefixes: [10.0.0.0/8, 10.1.0.0/16]}\nnetworks:\n"
		NET("a", "10.0.0.0/8"), &c);
	assert_int_equal(c.naccept_prefixes, 2);
	pr_config_free(&c);
	load_ok(IFS "accept: {prefixes: []}\nnetworks:\n" NET("a", "10.0.0.0/8"), &c);
	assert_int_equal(c.naccept_prefixes, 0);
	pr_config_free(&c);
}

/* ---- file API ---- */

static void write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void test_load_file(void **state)
{
	char dir[] = "/tmp/test_config.XXXXXX", path[64], buf[600], expect[600];
	struct pr_config c;
	struct pr_cfg_error e;
	char *big;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/podroute.yaml", dir);

	write_file(path, full_yaml, strlen(full_yaml));
	assert_int_equal(pr_config_load_file(path, &c, &e), 0);
	assert_string_equal(c.file, path);
	assert_int_equal(c.nnetworks, 5);
	pr_config_free(&c);

	/* Errors carry the path. */
	write_file(path, "interfaces: [x]\n", 16);
	assert_int_equal(pr_config_load_file(path, &c, &e), -EINVAL);
	assert_string_equal(e.file, path);
	assert_true(all_zero(&c, sizeof(c)));

	/* Exactly at the limit is read (and parsed), one byte over is not. */
	big = malloc(PR_CFG_MAX_FILE + 1);
	assert_non_null(big);
	memset(big, '#', PR_CFG_MAX_FILE + 1);
	write_file(path, big, PR_CFG_MAX_FILE);
	assert_int_equal(pr_config_load_file(path, &c, &e), -EINVAL);
	assert_string_equal(e.msg, "the config is empty (expected a mapping with \"interfaces\" and "
			    "\"networks\")");
	write_file(path, big, PR_CFG_MAX_FILE + 1);
	assert_int_equal(pr_config_load_file(path, &c, &e), -EFBIG);
	snprintf(expect, sizeof(expect), "%s: larger than 1048576 bytes (1 MiB)", path);
	assert_string_equal(pr_cfg_error_str(&e, buf, sizeof(buf)), expect);
	assert_true(all_zero(&c, sizeof(c)));
	assert_int_equal(pr_config_load_string("s", big, PR_CFG_MAX_FILE + 1, &c, &e), -EFBIG);
	free(big);

	unlink(path);
	assert_int_equal(pr_config_load_file(path, &c, &e), -ENOENT);
	assert_string_equal(e.msg, "cannot open: No such file or directory");
	assert_int_equal(e.line, 0);
	assert_true(all_zero(&c, sizeof(c)));

	assert_int_equal(pr_config_load_file(dir, &c, &e), -EISDIR);
	assert_string_equal(e.msg, "cannot read: Is a directory");
	rmdir(dir);
}

static void test_error_str(void **state)
{
	struct pr_cfg_error e = { .file = "a.yaml", .line = 3, .column = 7, .msg = "oops" };
	char buf[300];

	(void)state;
	assert_string_equal(pr_cfg_error_str(&e, buf, sizeof(buf)), "a.yaml:3:7: oops");
	e.line = e.column = 0;
	assert_string_equal(pr_cfg_error_str(&e, buf, sizeof(buf)), "a.yaml: oops");
	/* A NULL name and a NULL err are fine. */
	{
		struct pr_config c;

		assert_int_equal(pr_config_load_string(NULL, "x", 1, &c, &e), -EINVAL);
		assert_string_equal(e.file, "<string>");
		assert_int_equal(pr_config_load_string("n", "x", 1, &c, NULL), -EINVAL);
		assert_true(all_zero(&c, sizeof(c)));
	}
}

static void test_find_network(void **state)
{
	struct pr_config c;

	(void)state;
	load_ok(full_yaml, &c);
	assert_ptr_equal(pr_config_find_network(&c, "blue"), &c.networks[1]);
	assert_ptr_equal(pr_config_find_network(&c, "pass-through"), &c.networks[4]);
	assert_null(pr_config_find_network(&c, "green"));
	assert_null(pr_config_find_network(&c, "blu"));
	pr_config_free(&c);
	pr_config_free(&c); /* freeing twice (a zeroed config) is harmless */
}

static void test_check_devices(void **state)
{
	struct pr_cfg_error e;
	struct pr_config c;

	(void)state;
	/* "lo" exists in every namespace; the pr-* names nowhere sane. */
	load_ok("interfaces:\n  underlay: [lo]\n  ovn: [lo0]\nnetworks:\n"
		"  - {name: a, prefixes: [10.0.0.0/8], target: {action: pass}}\n", &c);
	assert_int_equal(pr_config_check_devices(&c, &e), -ENODEV);
	assert_string_equal(e.msg, "device \"lo0\" (interfaces.ovn) does not exist");
	assert_int_equal(e.line, 3);
	assert_int_equal(e.column, 9);
	assert_string_equal(e.file, "t.yaml");
	pr_config_free(&c);

	load_ok("interfaces:\n  underlay: [lo]\nnetworks:\n"
		"  - name: blue\n    prefixes: [10.0.0.0/8]\n"
		"    target: {port: pr-nodev9, mac: 0a:58:0a:80:01:01}\n", &c);
	assert_int_equal(pr_config_check_devices(&c, &e), -ENODEV);
	assert_string_equal(e.msg, "device \"pr-nodev9\" (target port of network \"blue\") does not "
			    "exist");
	assert_int_equal(e.line, 6);
	assert_int_equal(e.column, 20);
	pr_config_free(&c);
}

static void test_check_devices_vrf_and_ok(void **state)
{
	struct pr_cfg_error e;
	struct pr_config c;

	(void)state;
	load_ok("interfaces:\n  underlay: [lo]\nnetworks:\n"
		"  - name: blue\n    prefixes: [10.0.0.0/8]\n    vrf: {name: pr-novrf, table: 9}\n"
		"    target: {port: lo, neighbour: 10.0.0.1}\n", &c);
	assert_int_equal(pr_config_check_devices(&c, &e), -ENODEV);
	assert_string_equal(e.msg, "device \"pr-novrf\" (vrf of network \"blue\") does not exist");
	assert_int_equal(e.line, 6);
	assert_int_equal(e.column, 17);
	pr_config_free(&c);

	load_ok("interfaces:\n  underlay: [lo]\nnetworks:\n"
		"  - {name: a, prefixes: [10.0.0.0/8], target: {port: lo, mac: 02:00:00:00:00:01}}\n",
		&c);
	assert_int_equal(pr_config_check_devices(&c, &e), 0);
	pr_config_free(&c);
}

/* ---- equality and dump ---- */

static void test_equal(void **state)
{
	struct pr_config a, b;

	(void)state;
	load_ok(full_yaml, &a);
	load_ok(full_yaml, &b);
	assert_int_equal(pr_config_equal(&a, &b), 1);
	pr_config_free(&b);

	/* Reordered lists and networks (with ids pinned), other layout: equal. */
	load_ok("interfaces: {ovn: [ovn-k8s-mp1, ovn-k8s-mp0], underlay: [eth1, eth0], mode: native,"
		" brex: br-ex}\n"
		"shadow: true\n"
		"limits: {max_learned_routes: 5000}\n"
		"accept: {tables: [1001, 253, 255, 254], prefixes: [\"fd00::/16\", 10.0.0.0/8],\n"
		"  protocols: [200, isis, ospf, zebra, 3, 2, 4, 186]}\n"
		"networks:\n"
		"  - {name: pass-through, id: 255, prefixes: [192.0.2.0/24], target: {action: pass}}\n"
		"  - {name: red, id: 3, prefixes: [10.201.0.0/16], vrf: {table: 1002},\n"
		"     target: {neighbour: 10.201.0.1/32, port: ovn-k8s-mp1}}\n"
		"  - {name: black.hole_1, id: 4, prefixes: [\"2001:db8::/32\"], target: {action: drop}}\n"
		"  - {name: blue, id: 7, prefixes: [10.200.0.0/16], shadow: true,\n"
		"     vrf: {table: 1001, name: udn-blue}, target: {vrf: true}}\n"
		"  - {name: default, id: 1, antispoof: false, target: {mac: 0A:58:0A:80:01:01, port: "
		"ovn-k8s-mp0},\n     prefixes: [\"FD00:10:128:1::/64\", 10.128.1.0/24]}\n",
		&b);
	assert_int_equal(pr_config_equal(&a, &b), 1);
	assert_int_equal(pr_config_equal(&b, &a), 1);

	/* One field changed at a time: not equal. */
	b.networks[0].antispoof = false;
	assert_int_equal(pr_config_equal(&a, &b), 0);
	b.networks[0].antispoof = true;
	b.accept_protocols[0] = 201;
	assert_int_equal(pr_config_equal(&a, &b), 0);
	b.accept_protocols[0] = 200;
	b.networks[3].vrf_table = 1003;
	assert_int_equal(pr_config_equal(&a, &b), 0);
	b.networks[3].vrf_table = 1001;
	b.networks[4].mac[5] = 2;
	assert_int_equal(pr_config_equal(&a, &b), 0);
	b.networks[4].mac[5] = 1;
	strcpy(b.ovn[0], "ovn-k8s-mp2");
	assert_int_equal(pr_config_equal(&a, &b), 0);
	strcpy(b.ovn[0], "ovn-k8s-mp1");
	strcpy(b.networks[1].name, "reds");
	assert_int_equal(pr_config_equal(&a, &b), 0);
	strcpy(b.networks[1].name, "red");
	assert_int_equal(pr_config_equal(&a, &b), 1);
	pr_config_free(&a);
	pr_config_free(&b);

	/* A network moved changes its implicit id: not equal. */
	load_ok(IFS "networks:\n" NET("a", "10.1.0.0/16") NET("b", "10.2.0.0/16"), &a);
	load_ok(IFS "networks:\n" NET("b", "10.2.0.0/16") NET("a", "10.1.0.0/16"), &b);
	assert_int_equal(pr_config_equal(&a, &b), 0);
	pr_config_free(&a);
	pr_config_free(&b);
}

static char *dump_to_string(const struct pr_config *c)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	pr_config_dump(c, f);
	fclose(f);
	return out;
}

static void roundtrip(const char *yaml)
{
	struct pr_config a, b;
	char *out;

	load_ok(yaml, &a);
	out = dump_to_string(&a);
	load_ok(out, &b);
	if (!pr_config_equal(&a, &b))
		fail_msg("dump does not read back equal:\n%s", out);
	free(out);
	pr_config_free(&a);
	pr_config_free(&b);
}

static void test_dump(void **state)
{
	struct pr_config c;
	char *out;

	(void)state;
	load_ok(minimal_yaml, &c);
	out = dump_to_string(&c);
	assert_string_equal(out,
			    "shadow: false\n"
			    "interfaces:\n"
			    "  underlay: [eth0]\n"
			    "  ovn: []\n"
			    "  mode: auto\n"
			    "limits:\n"
			    "  max_learned_routes: 100000\n"
			    "  stale_after_seconds: 5\n"
			    "accept:\n"
			    "  tables: [main]\n"
			    "  prefixes: []\n"
			    "  protocols: [bgp]\n"
			    "networks:\n"
			    "  - name: default\n"
			    "    id: 1\n"
			    "    prefixes: [10.128.0.0/14]\n"
			    "    target: {port: ovn-k8s-mp0, mac: 0a:58:0a:80:00:01}\n"
			    "    antispoof: true\n"
			    "    shadow: false\n");
	free(out);
	pr_config_free(&c);
}

static void test_dump_roundtrip(void **state)
{
	(void)state;
	roundtrip(full_yaml);
	roundtrip(minimal_yaml);
	/* Names that need quoting, IPv6 that ends or starts with a colon. */
	roundtrip("interfaces:\n  underlay: [\"null\", \"e#0\", \"-x\", \"a,b\", \"q\\\"\"]\n"
		  "  brex: \"true\"\n"
		  "accept: {prefixes: [\"::/0\"], tables: [7]}\n"
		  "networks:\n"
		  "  - name: \"null\"\n    prefixes: [\"::/127\", 0.0.0.0/0]\n"
		  "    target: {port: \"{p}\", neighbour: \"fd00::\"}\n");
}

/* ---- robustness ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng(void)
{
	/* xorshift64: fixed seed, same sequence on every run. */
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static unsigned fuzz_parsed, fuzz_rejected;

/* Parses, or fails with -EINVAL, a message, a sane position and a zeroed cfg. */
static void parse_or_reject(const char *buf, size_t len)
{
	struct pr_cfg_error e;
	struct pr_config c;
	unsigned lines = 1;
	int ret;

	for (size_t i = 0; i < len; i++)
		lines += buf[i] == '\n';
	memset(&c, 0xa5, sizeof(c));
	ret = pr_config_load_string("fuzz", buf, len, &c, &e);
	if (!ret) {
		assert_true(c.nnetworks >= 1 && c.nunderlay >= 1);
		pr_config_free(&c);
		fuzz_parsed++;
		return;
	}
	assert_int_equal(ret, -EINVAL);
	assert_true(e.msg[0] != '\0');
	assert_true(e.line >= 1 && e.line <= lines + 1);
	assert_true(e.column >= 1);
	assert_true(all_zero(&c, sizeof(c)));
	fuzz_rejected++;
}

static void test_mutations_never_crash(void **state)
{
	static const char alphabet[] = ":-[]{},\"'&*!#|>%@` \n\t\\0aZ9./~";
	size_t len = strlen(full_yaml);
	char *buf = malloc(len + 1);

	(void)state;
	assert_non_null(buf);
	/* Every truncation. */
	for (size_t cut = 0; cut <= len; cut++) {
		memcpy(buf, full_yaml, cut);
		parse_or_reject(buf, cut);
	}
	/* Random flips: any byte, or a YAML-significant one, 1 to 3 at a time. */
	for (int round = 0; round < 3000; round++) {
		unsigned flips = 1 + rng() % 3;

		memcpy(buf, full_yaml, len);
		for (unsigned i = 0; i < flips; i++) {
			uint64_t r = rng();
			size_t at = r % len;

			buf[at] = (r >> 32) & 1 ? (char)(r >> 40) : alphabet[(r >> 40) % (sizeof(alphabet) - 1)];
		}
		parse_or_reject(buf, len);
	}
	/* Line swaps: reorder structure rather than bytes. */
	for (int round = 0; round < 500; round++) {
		const char *lines[64];
		unsigned n = 0;
		size_t o = 0;

		for (const char *p = full_yaml; *p; p = strchr(p, '\n') + 1)
			lines[n++] = p;
		for (unsigned i = 0; i < 2; i++) {
			unsigned x = rng() % n, y = rng() % n;
			const char *t = lines[x];

			lines[x] = lines[y];
			lines[y] = t;
		}
		for (unsigned i = 0; i < n; i++) {
			size_t l = strchr(lines[i], '\n') + 1 - lines[i];

			memcpy(buf + o, lines[i], l);
			o += l;
		}
		parse_or_reject(buf, o);
	}
	free(buf);
	/* Both outcomes seen, or the mutations test nothing. */
	print_message("mutations: %u parsed, %u rejected\n", fuzz_parsed, fuzz_rejected);
	assert_true(fuzz_parsed > 100);
	assert_true(fuzz_rejected > 1000);
}

/* ---- underlay: auto and node_overrides ---- */

#define ONE_NET "networks:\n  - {name: a, prefixes: [10.0.0.0/24], target: {action: pass}}\n"

static void test_underlay_auto(void **state)
{
	struct pr_config c;
	struct pr_cfg_error e;
	char a[PR_PREFIX_STRLEN];

	(void)state;
	load_ok("interfaces:\n  underlay: auto\n  underlay_from: 2001:db8::1\n  brex: br-ex\n" ONE_NET, &c);
	assert_true(c.underlay_auto);
	assert_int_equal(c.nunderlay, 0);
	assert_string_equal(pr_config_addr_str(&c.underlay_from, a, sizeof(a)), "2001:db8::1");
	/* What the agent finds: the bridge itself is refused, naming it. */
	assert_int_equal(pr_config_set_auto_underlay(&c, "br-ex", &e), -EINVAL);
	assert_non_null(strstr(e.msg, "leaves through \"br-ex\", which is interfaces.brex"));
	assert_int_equal(pr_config_set_auto_underlay(&c, "eth1", &e), 0);
	assert_int_equal(c.nunderlay, 1);
	assert_string_equal(c.underlay[0], "eth1");
	pr_config_free(&c);
	/* node: for `config render` to fill in; read back as written. */
	load_ok("interfaces:\n  underlay: auto\n  underlay_from: node\n" ONE_NET, &c);
	assert_true(c.underlay_from_node);
	pr_config_free(&c);
	/* A device called auto is written as a list. */
	load_ok("interfaces:\n  underlay: [auto]\n" ONE_NET, &c);
	assert_false(c.underlay_auto);
	assert_string_equal(c.underlay[0], "auto");
	pr_config_free(&c);
}

static void test_underlay_auto_errors(void **state)
{
	(void)state;
	expect_err("interfaces:\n  underlay: auto\n" ONE_NET, 2, 13,
		   "\"interfaces.underlay\": auto needs \"interfaces.underlay_from\", the address whose "
		   "route names the underlay (the BGP peer's, or this node's)");
	expect_err("interfaces:\n  underlay: [eth0]\n  underlay_from: 192.0.2.1\n" ONE_NET, 3, 18,
		   "\"interfaces.underlay_from\" is only read with \"underlay\": auto (the underlay is listed here)");
	expect_err("interfaces:\n  underlay: auto\n  underlay_from: 192.0.2.0/24\n" ONE_NET, 3, 18,
		   "\"interfaces.underlay_from\" must be an IP address (the BGP peer's or this node's) or node, got "
		   "\"192.0.2.0/24\": a prefix, not an address");
	expect_err("interfaces:\n  underlay: auto\n  underlay_from: peer\n" ONE_NET, 3, 18,
		   "\"interfaces.underlay_from\" must be an IP address (the BGP peer's or this node's) or node, got "
		   "\"peer\": not an IPv4 or IPv6 address");
	expect_err("interfaces:\n  underlay: eth0\n" ONE_NET, 2, 13,
		   "\"interfaces.underlay\" must be a list of interface names or auto, got \"eth0\"");
}

#define OVR_BASE "interfaces:\n  underlay: [eth0]\n  brex: br-ex\n" ONE_NET

static void test_overrides_errors(void **state)
{
	(void)state;
	expect_err(OVR_BASE "node_overrides: {zone: a}\n", 6, 17,
		   "\"node_overrides\" must be a list of {match_labels, interfaces}, got a mapping");
	expect_err(OVR_BASE "node_overrides:\n  - interfaces: {underlay: [eth1]}\n", 7, 5,
		   "missing required key \"match_labels\" in \"node_overrides[0]\"");
	expect_err(OVR_BASE "node_overrides:\n  - match_labels: {zone: a}\n", 7, 5,
		   "missing required key \"interfaces\" in \"node_overrides[0]\"");
	expect_err(OVR_BASE "node_overrides:\n  - match_labels: {}\n    interfaces: {underlay: [eth1]}\n", 7, 19,
		   "\"node_overrides[0].match_labels\" must name at least one label");
	expect_err(OVR_BASE "node_overrides:\n  - match_labels: {zone: ~}\n    interfaces: {underlay: [eth1]}\n",
		   7, 26, "the value of label \"zone\" in \"node_overrides[0].match_labels\" must be a "
		   "string of at most 63 characters, got null");
	expect_err(OVR_BASE "node_overrides:\n  - match_labels: {zone: a}\n    interfaces: {underlay: [eth1]}\n"
		   "    nodeSelector: {}\n", 9, 5,
		   "unknown key \"nodeSelector\" in \"node_overrides[0]\" (expected one of: match_labels, interfaces)");
	/* The interfaces section is checked as the top-level one is. */
	expect_err(OVR_BASE "node_overrides:\n  - match_labels: {zone: a}\n    interfaces: {brex: br-ex}\n",
		   8, 17, "missing required key \"underlay\" in \"interfaces\"");
	expect_err(OVR_BASE "node_overrides:\n  - match_labels: {zone: a}\n    interfaces: {underlay: [eth1], mode: fast}\n",
		   8, 42, "\"interfaces.mode\" must be auto, native, generic or tc, got \"fast\"");
}

/* A node's labels for pr_config_apply_overrides: "k=v" strings. */
static bool has_label(const char *key, const char *value, void *ctx)
{
	char want[400];

	snprintf(want, sizeof(want), "%s=%s", key, value);
	for (const char *const *l = ctx; *l; l++)
		if (!strcmp(*l, want))
			return true;
	return false;
}

static void test_overrides_apply(void **state)
{
	static const char yaml[] = OVR_BASE
		"node_overrides:\n"
		"  - match_labels: {zone: a, pool: edge}\n"
		"    interfaces: {underlay: [eth1]}\n"
		"  - match_labels: {zone: a}\n"
		"    interfaces: {underlay: auto, underlay_from: 10.1.0.1, ovn: [ovn-k8s-mp0]}\n";
	static const char *const edge[] = { "zone=a", "pool=edge", NULL }, *const a[] = { "zone=a", NULL },
				 *const other[] = { "zone=c", "pool=edge", NULL };
	struct pr_cfg_pos where = { 0, 0 };
	struct pr_config c;

	(void)state;
	load_ok(yaml, &c);
	assert_int_equal(c.noverrides, 2);
	assert_int_equal(c.overrides[0].nlabels, 2);
	assert_string_equal(c.overrides[0].label_key[1], "pool");
	assert_string_equal(c.overrides[0].label_value[1], "edge");
	/* An override changes nothing the agent compares. */
	assert_int_equal(pr_config_apply_overrides(&c, has_label, (void *)edge, &where), 0);
	assert_int_equal(where.line, 7);
	assert_string_equal(c.underlay[0], "eth1");
	assert_string_equal(c.brex, ""); /* the whole section */
	assert_int_equal(c.noverrides, 0);
	assert_null(c.overrides);
	pr_config_free(&c);
	load_ok(yaml, &c);
	assert_int_equal(pr_config_apply_overrides(&c, has_label, (void *)a, NULL), 1);
	assert_true(c.underlay_auto);
	assert_string_equal(c.ovn[0], "ovn-k8s-mp0");
	pr_config_free(&c);
	/* Labels no entry has all of: the base's own interfaces. */
	load_ok(yaml, &c);
	assert_int_equal(pr_config_apply_overrides(&c, has_label, (void *)other, &where), -1);
	assert_string_equal(c.underlay[0], "eth0");
	assert_string_equal(c.brex, "br-ex");
	assert_int_equal(c.noverrides, 0);
	pr_config_free(&c);
}

/* config check prints the overrides and underlay: auto back as read. */
static void test_overrides_dump(void **state)
{
	static const char yaml[] = "interfaces:\n  underlay: auto\n  underlay_from: 10.1.0.1\n" ONE_NET
		"node_overrides:\n"
		"  - match_labels: {zone: b}\n"
		"    interfaces: {underlay: auto, underlay_from: node}\n"
		"  - match_labels: {\"node-role.kubernetes.io/edge\": \"\", zone: \"1\"}\n"
		"    interfaces: {underlay: [eth1], mode: tc, force_xdp: true}\n";
	struct pr_config c, back;
	struct pr_cfg_error e;
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	load_ok(yaml, &c);
	f = open_memstream(&text, &len);
	pr_config_dump(&c, f);
	fclose(f);
	assert_non_null(strstr(text, "  underlay: auto\n  underlay_from: 10.1.0.1\n"));
	if (pr_config_load_string("dumped", text, len, &back, &e))
		fail_msg("dump refused: %u:%u %s\n%s", e.line, e.column, e.msg, text);
	assert_true(pr_config_equal(&c, &back));
	assert_int_equal(back.noverrides, 2);
	assert_true(back.overrides[0].interfaces.underlay_from_node);
	assert_string_equal(back.overrides[1].label_key[0], "node-role.kubernetes.io/edge");
	assert_string_equal(back.overrides[1].label_value[0], "");
	assert_string_equal(back.overrides[1].label_value[1], "1");
	assert_int_equal(back.overrides[1].interfaces.mode, PR_MODE_TC);
	assert_true(back.overrides[1].interfaces.force_xdp);
	pr_config_free(&back);
	pr_config_free(&c);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_minimal_defaults),
		cmocka_unit_test(test_null_means_absent),
		cmocka_unit_test(test_bool_spellings_and_ids),
		cmocka_unit_test(test_yaml_syntax_error),
		cmocka_unit_test(test_invalid_input),
		cmocka_unit_test(test_top_not_mapping),
		cmocka_unit_test(test_empty_file),
		cmocka_unit_test(test_anchor_alias_tag_refused),
		cmocka_unit_test(test_multiple_documents),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_unknown_key_suggests),
		cmocka_unit_test(test_unknown_key_lists_allowed),
		cmocka_unit_test(test_key_not_a_string),
		cmocka_unit_test(test_duplicate_key),
		cmocka_unit_test(test_wrong_type_list),
		cmocka_unit_test(test_wrong_type_mapping),
		cmocka_unit_test(test_wrong_type_bool),
		cmocka_unit_test(test_wrong_type_int),
		cmocka_unit_test(test_bad_prefix),
		cmocka_unit_test(test_bad_mac),
		cmocka_unit_test(test_bad_neighbour),
		cmocka_unit_test(test_bad_network_name),
		cmocka_unit_test(test_duplicate_network_name),
		cmocka_unit_test(test_duplicate_network_id),
		cmocka_unit_test(test_id_out_of_range),
		cmocka_unit_test(test_overlap_across_networks),
		cmocka_unit_test(test_overlap_across_vrfs),
		cmocka_unit_test(test_overlap_within_network),
		cmocka_unit_test(test_network_without_prefixes),
		cmocka_unit_test(test_too_many_prefixes),
		cmocka_unit_test(test_too_many_networks),
		cmocka_unit_test(test_no_networks),
		cmocka_unit_test(test_target_needs_exactly_one),
		cmocka_unit_test(test_port_needs_mac_or_neighbour),
		cmocka_unit_test(test_target_vrf_needs_vrf_block),
		cmocka_unit_test(test_vrf_table),
		cmocka_unit_test(test_vrf_name),
		cmocka_unit_test(test_interface_names),
		cmocka_unit_test(test_no_underlay),
		cmocka_unit_test(test_too_many_interfaces),
		cmocka_unit_test(test_interface_listed_twice),
		cmocka_unit_test(test_unknown_mode),
		cmocka_unit_test(test_max_learned_routes_range),
		cmocka_unit_test(test_accept_tables),
		cmocka_unit_test(test_accept_protocols),
		cmocka_unit_test(test_accept_prefixes),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_error_str),
		cmocka_unit_test(test_find_network),
		cmocka_unit_test(test_check_devices),
		cmocka_unit_test(test_check_devices_vrf_and_ok),
		cmocka_unit_test(test_equal),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_dump_roundtrip),
		cmocka_unit_test(test_mutations_never_crash),
		cmocka_unit_test(test_underlay_auto),
		cmocka_unit_test(test_underlay_auto_errors),
		cmocka_unit_test(test_overrides_errors),
		cmocka_unit_test(test_overrides_apply),
		cmocka_unit_test(test_overrides_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
