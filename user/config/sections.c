// SPDX-License-Identifier: GPL-2.0-only
/* The config's interfaces, limits and accept sections (see config/config.h). */
#include "config/schema.h"

#include <net/if.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- interfaces ---- */

static const char *const if_keys[] = { "underlay", "brex", "ovn", "mode", "force_xdp", "underlay_from" };
static const char *const mode_names[] = {
	[PR_MODE_AUTO] = "auto",
	[PR_MODE_NATIVE] = "native",
	[PR_MODE_GENERIC] = "generic",
	[PR_MODE_TC] = "tc",
};

const char *pr_attach_mode_name(enum pr_attach_mode m)
{
	return (unsigned)m < sizeof(mode_names) / sizeof(mode_names[0]) ? mode_names[m] : "?";
}

/* One interface name in any of the three lists, for the duplicate check. */
struct ifref {
	const char *name;
	struct pr_cfg_pos pos;
	const char *list;
};

/* An interface is attached once, in one role; report the later mention of
 * the first duplicate in file order. */
static int check_if_dups(struct parser *p)
{
	struct pr_config *c = p->cfg;
	struct ifref r[2 * PR_CFG_MAX_IFS + 1];
	const struct ifref *bad = NULL, *first = NULL;
	unsigned n = 0;
	char q[QBUF];

	for (unsigned i = 0; i < c->nunderlay; i++)
		r[n++] = (struct ifref){ c->underlay[i], c->pos_underlay[i], "interfaces.underlay" };
	if (c->brex[0])
		r[n++] = (struct ifref){ c->brex, c->pos_brex, "interfaces.brex" };
	for (unsigned i = 0; i < c->novn; i++)
		r[n++] = (struct ifref){ c->ovn[i], c->pos_ovn[i], "interfaces.ovn" };
	for (unsigned i = 0; i < n; i++) {
		for (unsigned j = 0; j < n; j++) {
			if (i == j || strcmp(r[i].name, r[j].name) || !cfg_pos_before(r[j].pos, r[i].pos))
				continue;
			if (!bad || cfg_pos_before(r[i].pos, bad->pos)) {
				bad = &r[i];
				first = &r[j];
			}
		}
	}
	if (!bad)
		return 0;
	return fail_at(p, bad->pos, "interface %s in \"%s\" is already listed in \"%s\" (line %u)",
		       cfg_quote(bad->name, strlen(bad->name), q, sizeof(q)), bad->list, first->list,
		       first->pos.line);
}

/* underlay_from: one address, no prefix length. */
static int get_underlay_from(struct parser *p, const struct ynode *v)
{
	struct pr_config *c = p->cfg;
	char d[QBUF], q[QBUF];
	const char *why = "not an IPv4 or IPv6 address";

	c->pos_underlay_from = v->pos;
	if (v->type == YN_SCALAR && !strcmp(v->str, "node")) {
		c->underlay_from_node = true;
		return 0;
	}
	if (v->type != YN_SCALAR || strlen(v->str) != v->len || strchr(v->str, '/') ||
	    pr_prefix_parse(v->str, &c->underlay_from, &why))
		return fail(p, v, "\"interfaces.underlay_from\" must be an IP address (the BGP peer's or this "
			    "node's) or node, got %s%s%s", v->type == YN_SCALAR ? cfg_qnode(v, q, sizeof(q)) :
			    cfg_describe(v, d, sizeof(d)), v->type == YN_SCALAR ? ": " : "",
			    v->type == YN_SCALAR ? (strchr(v->str, '/') ? "a prefix, not an address" : why) : "");
	return 0;
}

int cfg_parse_interfaces(struct parser *p, const struct ynode *m)
{
	struct where w = { .section = "interfaces" };
	struct pr_config *c = p->cfg;
	char l[LBUF], d[QBUF];
	int ret;

	ret = cfg_need_map(p, m, &(struct where){ 0 }, "interfaces");
	if (!ret)
		ret = cfg_check_keys(p, m, if_keys, ARRAY_LEN(if_keys), &w);
	for (size_t i = 0; !ret && i < m->nkids; i += 2) {
		const char *k = m->kids[i]->str;
		const struct ynode *v = m->kids[i + 1];

		if (!strcmp(k, "underlay")) {
			p->seen_underlay = true;
			if (v->type == YN_SCALAR && !strcmp(v->str, "auto")) {
				c->underlay_auto = true;
				c->pos_underlay[0] = v->pos;
			} else if (v->type == YN_SCALAR && !cfg_is_null(v)) {
				ret = fail(p, v, "%s must be a list of interface names or auto, got %s",
					   cfg_label(&w, k, l, sizeof(l)), cfg_describe(v, d, sizeof(d)));
			} else {
				ret = cfg_get_iflist(p, v, k, 1, c->underlay, c->pos_underlay, &c->nunderlay);
			}
		} else if (cfg_is_null(v)) {
			continue;
		} else if (!strcmp(k, "underlay_from")) {
			ret = get_underlay_from(p, v);
			continue;
		} else if (!strcmp(k, "brex")) {
			ret = cfg_get_ifname(p, v, cfg_label(&w, k, l, sizeof(l)), c->brex);
			c->pos_brex = v->pos;
		} else if (!strcmp(k, "ovn")) {
			ret = cfg_get_iflist(p, v, k, 0, c->ovn, c->pos_ovn, &c->novn);
		} else if (!strcmp(k, "force_xdp")) {
			ret = cfg_get_bool(p, v, &w, k, &c->force_xdp);
		} else { /* mode */
			unsigned j;

			for (j = 0; j < 4; j++)
				if (v->type == YN_SCALAR && !strcmp(v->str, mode_names[j]))
					break;
			if (j == 4)
				return fail(p, v, "%s must be auto, native, generic or tc, got %s",
					    cfg_label(&w, k, l, sizeof(l)), cfg_describe(v, d, sizeof(d)));
			c->mode = j;
		}
	}
	if (!ret && !p->seen_underlay)
		ret = cfg_missing_key(p, m, "underlay", &w);
	if (!ret && c->underlay_auto && !c->pos_underlay_from.line)
		ret = fail_at(p, c->pos_underlay[0], "\"interfaces.underlay\": auto needs "
			      "\"interfaces.underlay_from\", the address whose route names the underlay "
			      "(the BGP peer's, or this node's)");
	if (!ret && !c->underlay_auto && c->pos_underlay_from.line)
		ret = fail_at(p, c->pos_underlay_from, "\"interfaces.underlay_from\" is only read with "
			      "\"underlay\": auto (the underlay is listed here)");
	if (!ret)
		ret = check_if_dups(p);
	return ret;
}

/* ---- node_overrides ---- */

static const char *const override_keys[] = { "match_labels", "interfaces" };

/* match_labels: a non-empty mapping of label keys to values, as a
 * Kubernetes matchLabels selector writes them. */
static int get_match_labels(struct parser *p, const struct ynode *m, const char *lbl,
			    struct pr_cfg_override *o)
{
	char d[QBUF], q[QBUF];

	if (m->type != YN_MAP)
		return fail(p, m, "\"%s.match_labels\" must be a mapping of label keys to values, got %s",
			    lbl, cfg_describe(m, d, sizeof(d)));
	if (!m->nkids)
		return fail(p, m, "\"%s.match_labels\" must name at least one label", lbl);
	for (size_t i = 0; i < m->nkids; i += 2) {
		const struct ynode *k = m->kids[i], *v = m->kids[i + 1];

		if (o->nlabels == PR_CFG_MAX_LABELS)
			return fail(p, k, "\"%s.match_labels\" has more than %d labels", lbl, PR_CFG_MAX_LABELS);
		if (k->type != YN_SCALAR || !k->len || k->len >= PR_CFG_LABEL_KEY_MAX ||
		    strlen(k->str) != k->len)
			return fail(p, k, "%s in \"%s.match_labels\" is not a label key (1 to %d characters)",
				    cfg_qnode(k, q, sizeof(q)), lbl, PR_CFG_LABEL_KEY_MAX - 1);
		/* A label value is a string: a YAML null or a mapping is a
		 * mistake, and "true" or "1" are the strings they spell. */
		if (v->type != YN_SCALAR || cfg_is_null(v) || v->len >= PR_CFG_LABEL_VALUE_MAX ||
		    strlen(v->str) != v->len)
			return fail(p, v, "the value of label %s in \"%s.match_labels\" must be a string of "
				    "at most %d characters, got %s", cfg_qnode(k, q, sizeof(q)), lbl,
				    PR_CFG_LABEL_VALUE_MAX - 1, cfg_describe(v, d, sizeof(d)));
		snprintf(o->label_key[o->nlabels], PR_CFG_LABEL_KEY_MAX, "%s", k->str);
		snprintf(o->label_value[o->nlabels], PR_CFG_LABEL_VALUE_MAX, "%s", v->str);
		o->nlabels++;
	}
	return 0;
}

int cfg_parse_overrides(struct parser *p, const struct ynode *n)
{
	struct pr_config *c = p->cfg;
	char d[QBUF], lbl[48];
	int ret = 0;

	if (n->type != YN_SEQ)
		return fail(p, n, "\"node_overrides\" must be a list of {match_labels, interfaces}, got %s",
			    cfg_describe(n, d, sizeof(d)));
	if (n->nkids > PR_CFG_MAX_OVERRIDES)
		return fail(p, n->kids[PR_CFG_MAX_OVERRIDES], "\"node_overrides\" has more than %d entries",
			    PR_CFG_MAX_OVERRIDES);
	c->overrides = calloc(n->nkids ? n->nkids : 1, sizeof(*c->overrides));
	if (!c->overrides)
		return -ENOMEM;
	for (size_t i = 0; !ret && i < n->nkids; i++) {
		const struct ynode *it = n->kids[i], *ml, *ifs;
		struct pr_cfg_override *o = &c->overrides[i];
		struct where w = { .section = lbl };
		bool seen = p->seen_underlay;

		snprintf(lbl, sizeof(lbl), "node_overrides[%zu]", i);
		o->pos = it->pos;
		c->noverrides = i + 1;
		if (it->type != YN_MAP)
			return fail(p, it, "\"%s\" must be a mapping with match_labels and interfaces, got %s", lbl,
				    cfg_describe(it, d, sizeof(d)));
		ret = cfg_check_keys(p, it, override_keys, ARRAY_LEN(override_keys), &w);
		if (ret)
			return ret;
		ml = cfg_map_get(it, "match_labels", NULL);
		ifs = cfg_map_get(it, "interfaces", NULL);
		if (!ml)
			return cfg_missing_key(p, it, "match_labels", &w);
		if (!ifs)
			return cfg_missing_key(p, it, "interfaces", &w);
		ret = get_match_labels(p, ml, lbl, o);
		if (ret)
			return ret;
		/* The same reader as the top-level section, into the entry. */
		p->cfg = &o->interfaces;
		p->seen_underlay = false;
		ret = cfg_parse_interfaces(p, ifs);
		p->cfg = c;
		p->seen_underlay = seen;
	}
	return ret;
}

/* ---- limits ---- */

static const char *const limit_keys[] = { "max_learned_routes", "stale_after_seconds" };

int cfg_parse_limits(struct parser *p, const struct ynode *m)
{
	struct where w = { .section = "limits" };
	const struct ynode *v;
	uint64_t x;
	int ret;

	ret = cfg_need_map(p, m, &(struct where){ 0 }, "limits");
	if (!ret)
		ret = cfg_check_keys(p, m, limit_keys, ARRAY_LEN(limit_keys), &w);
	if (ret)
		return ret;
	v = cfg_map_get(m, "max_learned_routes", NULL);
	if (v && !cfg_is_null(v)) {
		ret = cfg_get_uint(p, v, &w, "max_learned_routes", 1, PR_CFG_MAX_LEARNED, &x);
		if (ret)
			return ret;
		p->cfg->max_learned_routes = x;
	}
	v = cfg_map_get(m, "stale_after_seconds", NULL);
	if (v && !cfg_is_null(v)) {
		ret = cfg_get_uint(p, v, &w, "stale_after_seconds", 0, PR_CFG_MAX_STALE_AFTER, &x);
		if (ret)
			return ret;
		p->cfg->stale_after_seconds = x;
	}
	return 0;
}

/* ---- accept ---- */

static const char *const accept_keys[] = { "tables", "prefixes", "protocols", "covering" };

struct named_num {
	const char *name;
	unsigned value;
};

static const struct named_num table_names[] = {
	{ "main", 254 }, { "local", 255 }, { "default", 253 },
};

static const struct named_num proto_names[] = {
	{ "bgp", 186 },   { "static", 4 }, { "kernel", 2 }, { "boot", 3 },
	{ "zebra", 11 },  { "ospf", 188 }, { "isis", 187 },
};

static const char *num_name(const struct named_num *t, unsigned n, unsigned v)
{
	for (unsigned i = 0; i < n; i++)
		if (t[i].value == v)
			return t[i].name;
	return NULL;
}

/* A list of names-or-numbers (tables, protocols) into out[]. */
static int get_numlist(struct parser *p, const struct ynode *n, const char *key,
		       const char *what, const struct named_num *names, unsigned nnames,
		       uint64_t min, uint64_t max, const char *expect, const char *dflt,
		       uint32_t *out, unsigned *count)
{
	struct where w = { .section = "accept" };
	char l[LBUF], d[QBUF];
	uint64_t v;

	cfg_label(&w, key, l, sizeof(l));
	if (n->type != YN_SEQ)
		return fail(p, n, "%s must be a list of %s, got %s", l, expect,
			    cfg_describe(n, d, sizeof(d)));
	if (!n->nkids)
		return fail(p, n, "%s must not be empty (leave it out for the default, %s)", l, dflt);
	for (size_t i = 0; i < n->nkids; i++) {
		const struct ynode *it = n->kids[i];
		int ret = cfg_parse_uint(it, &v);

		if (i == PR_CFG_MAX_ACCEPT)
			return fail(p, it, "%s lists more than %d entries", l, PR_CFG_MAX_ACCEPT);
		if (ret == -EINVAL) {
			unsigned j;

			for (j = 0; j < nnames; j++)
				if (it->type == YN_SCALAR && !strcmp(it->str, names[j].name))
					break;
			if (j == nnames)
				return fail(p, it, "%s must list %s, got %s", l, expect,
					    cfg_describe(it, d, sizeof(d)));
			v = names[j].value;
		} else if (ret || v < min || v > max) {
			return fail(p, it, "%s %.24s in %s is out of range %llu..%llu", what, it->str, l,
				    (unsigned long long)min, (unsigned long long)max);
		}
		for (size_t j = 0; j < i; j++)
			if (out[j] == v)
				return fail(p, it, "%s %llu is listed twice in %s (first at line %u)",
					    what, (unsigned long long)v, l, n->kids[j]->pos.line);
		out[i] = v;
	}
	*count = n->nkids;
	return 0;
}

static int get_accept_prefixes(struct parser *p, const struct ynode *n)
{
	struct where w = { .section = "accept" };
	struct pr_config *c = p->cfg;
	char l[LBUF], d[QBUF], q[QBUF], f[PR_PREFIX_STRLEN];
	const char *why;

	cfg_label(&w, "prefixes", l, sizeof(l));
	if (n->type != YN_SEQ)
		return fail(p, n, "%s must be a list of prefixes, got %s", l, cfg_describe(n, d, sizeof(d)));
	for (size_t i = 0; i < n->nkids; i++) {
		const struct ynode *it = n->kids[i];

		if (i == PR_CFG_MAX_ACCEPT)
			return fail(p, it, "%s lists more than %d entries", l, PR_CFG_MAX_ACCEPT);
		if (it->type != YN_SCALAR || cfg_is_null(it))
			return fail(p, it, "%s must list prefixes, got %s", l, cfg_describe(it, d, sizeof(d)));
		if (strlen(it->str) != it->len)
			return fail(p, it, "bad prefix %s in %s: contains a NUL character",
				    cfg_qnode(it, q, sizeof(q)), l);
		if (pr_prefix_parse(it->str, &c->accept_prefixes[i], &why))
			return fail(p, it, "bad prefix %s in %s: %s", cfg_qnode(it, q, sizeof(q)), l, why);
		for (size_t j = 0; j < i; j++)
			if (pr_prefix_equal(&c->accept_prefixes[j], &c->accept_prefixes[i]))
				return fail(p, it, "prefix %s is listed twice in %s (first at line %u)",
					    pr_prefix_format(&c->accept_prefixes[i], f, sizeof(f)), l,
					    n->kids[j]->pos.line);
	}
	c->naccept_prefixes = n->nkids;
	return 0;
}

int cfg_parse_accept(struct parser *p, const struct ynode *m)
{
	struct where w = { .section = "accept" };
	struct pr_config *c = p->cfg;
	uint32_t protos[PR_CFG_MAX_ACCEPT];
	int ret;

	ret = cfg_need_map(p, m, &(struct where){ 0 }, "accept");
	if (!ret)
		ret = cfg_check_keys(p, m, accept_keys, 4, &w);
	for (size_t i = 0; !ret && i < m->nkids; i += 2) {
		const char *k = m->kids[i]->str;
		const struct ynode *v = m->kids[i + 1];

		if (cfg_is_null(v))
			continue;
		if (!strcmp(k, "tables")) {
			ret = get_numlist(p, v, k, "table", table_names, ARRAY_LEN(table_names), 1,
					  UINT32_MAX,
					  "table names (main, local, default) or numbers 1..4294967295",
					  "main", c->accept_tables, &c->naccept_tables);
		} else if (!strcmp(k, "prefixes")) {
			ret = get_accept_prefixes(p, v);
		} else if (!strcmp(k, "covering")) {
			ret = cfg_get_bool(p, v, &w, k, &c->accept_covering);
		} else {
			ret = get_numlist(p, v, k, "protocol", proto_names, ARRAY_LEN(proto_names), 0,
					  255,
					  "protocol names (bgp, static, kernel, boot, zebra, ospf, isis) "
					  "or numbers 0..255",
					  "bgp", protos, &c->naccept_protocols);
			for (unsigned j = 0; !ret && j < c->naccept_protocols; j++)
				c->accept_protocols[j] = protos[j];
		}
	}
	return ret;
}


const char *cfg_table_name(unsigned v)
{
	return num_name(table_names, ARRAY_LEN(table_names), v);
}

const char *cfg_proto_name(unsigned v)
{
	return num_name(proto_names, ARRAY_LEN(proto_names), v);
}
