// SPDX-License-Identifier: GPL-2.0-only
/* The config parser's toolkit: messages, mappings, scalars (config/schema.h). */
#include "config/schema.h"

#include <net/if.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *cfg_qnode(const struct ynode *n, char *buf, size_t size)
{
	return cfg_quote(n->str, n->len, buf, size);
}

bool cfg_is_null(const struct ynode *n)
{
	return n->type == YN_SCALAR && n->plain &&
	       (!n->len || !strcmp(n->str, "~") || !strcmp(n->str, "null") ||
		!strcmp(n->str, "Null") || !strcmp(n->str, "NULL"));
}

/* What a node is, for "..., got <this>". */
const char *cfg_describe(const struct ynode *n, char *buf, size_t size)
{
	char q[QBUF];

	if (n->type == YN_MAP)
		return "a mapping";
	if (n->type == YN_SEQ)
		return "a list";
	if (cfg_is_null(n))
		return "null";
	if (n->plain)
		return cfg_qnode(n, buf, size);
	snprintf(buf, size, "the quoted string %s", cfg_qnode(n, q, sizeof(q)));
	return buf;
}

/* "section.key" of network "x" */
const char *cfg_label(const struct where *w, const char *key, char *buf, size_t size)
{
	int o;

	if (w->section)
		o = snprintf(buf, size, "\"%s.%s\"", w->section, key);
	else
		o = snprintf(buf, size, "\"%s\"", key);
	if (w->net && o > 0 && (size_t)o < size)
		snprintf(buf + o, size - o, " of %s", w->net);
	return buf;
}

/* in "section" of network "x" / in network "x" / at the top level */
const char *cfg_context(const struct where *w, char *buf, size_t size)
{
	if (w->section && w->net)
		snprintf(buf, size, "in \"%s\" of %s", w->section, w->net);
	else if (w->section)
		snprintf(buf, size, "in \"%s\"", w->section);
	else if (w->net)
		snprintf(buf, size, "in %s", w->net);
	else
		snprintf(buf, size, "at the top level");
	return buf;
}

bool cfg_pos_before(struct pr_cfg_pos a, struct pr_cfg_pos b)
{
	return a.line < b.line || (a.line == b.line && a.column < b.column);
}

/* ---- mappings: keys known, none twice ---- */

/* Edit distance with transpositions, for "did you mean". */
static unsigned edit_distance(const char *a, const char *b)
{
	unsigned la = strlen(a), lb = strlen(b), d[33][33];

	if (la > 32 || lb > 32)
		return 99;
	for (unsigned i = 0; i <= la; i++)
		d[i][0] = i;
	for (unsigned j = 0; j <= lb; j++)
		d[0][j] = j;
	for (unsigned i = 1; i <= la; i++) {
		for (unsigned j = 1; j <= lb; j++) {
			unsigned cost = a[i - 1] != b[j - 1], v = d[i - 1][j - 1] + cost;

			if (d[i - 1][j] + 1 < v)
				v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

static int unknown_key(struct parser *p, const struct ynode *k, const char *const keys[],
		       unsigned nkeys, const struct where *w)
{
	char q[QBUF], c[LBUF], list[LBUF];
	unsigned best = 99, besti = 0;
	size_t o = 0;

	if (strlen(k->str) == k->len) {
		for (unsigned i = 0; i < nkeys; i++) {
			unsigned d = edit_distance(k->str, keys[i]);

			if (d < best) {
				best = d;
				besti = i;
			}
		}
	}
	if (best <= 2 && best < strlen(keys[besti]))
		return fail(p, k, "unknown key %s %s (did you mean \"%s\"?)", cfg_qnode(k, q, sizeof(q)),
			    cfg_context(w, c, sizeof(c)), keys[besti]);
	list[0] = '\0';
	for (unsigned i = 0; i < nkeys && o < sizeof(list); i++)
		o += snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", keys[i]);
	return fail(p, k, "unknown key %s %s (expected one of: %s)", cfg_qnode(k, q, sizeof(q)),
		    cfg_context(w, c, sizeof(c)), list);
}

/* Every key a string from keys[], none twice; checked in file order. */
int cfg_check_keys(struct parser *p, const struct ynode *m, const char *const keys[],
		   unsigned nkeys, const struct where *w)
{
	const struct ynode *seen[8] = { 0 };
	char q[QBUF], c[LBUF], d[QBUF];

	for (size_t i = 0; i < m->nkids; i += 2) {
		const struct ynode *k = m->kids[i];
		unsigned j;

		if (k->type != YN_SCALAR || cfg_is_null(k))
			return fail(p, k, "a key %s must be a string, got %s", cfg_context(w, c, sizeof(c)),
				    cfg_describe(k, d, sizeof(d)));
		for (j = 0; j < nkeys; j++)
			if (strlen(k->str) == k->len && !strcmp(k->str, keys[j]))
				break;
		if (j == nkeys)
			return unknown_key(p, k, keys, nkeys, w);
		if (seen[j])
			return fail(p, k, "duplicate key %s %s (first at line %u)", cfg_qnode(k, q, sizeof(q)),
				    cfg_context(w, c, sizeof(c)), seen[j]->pos.line);
		seen[j] = k;
	}
	return 0;
}

/* The value of key in mapping m, NULL if absent; *keynode gets the key. */
const struct ynode *cfg_map_get(const struct ynode *m, const char *key,
				const struct ynode **keynode)
{
	for (size_t i = 0; i + 1 < m->nkids; i += 2) {
		if (m->kids[i]->type == YN_SCALAR && !strcmp(m->kids[i]->str, key)) {
			if (keynode)
				*keynode = m->kids[i];
			return m->kids[i + 1];
		}
	}
	return NULL;
}

int cfg_need_map(struct parser *p, const struct ynode *n, const struct where *w,
		    const char *key)
{
	char l[LBUF], d[QBUF];

	if (n->type == YN_MAP)
		return 0;
	return fail(p, n, "%s must be a mapping, got %s", cfg_label(w, key, l, sizeof(l)),
		    cfg_describe(n, d, sizeof(d)));
}

int cfg_missing_key(struct parser *p, const struct ynode *m, const char *key,
		       const struct where *w)
{
	char c[LBUF];

	return fail(p, m, "missing required key \"%s\" %s", key, cfg_context(w, c, sizeof(c)));
}

/* ---- scalars ---- */

int cfg_get_bool(struct parser *p, const struct ynode *n, const struct where *w,
		    const char *key, bool *out)
{
	char l[LBUF], d[QBUF];

	if (n->type == YN_SCALAR && n->plain) {
		if (!strcmp(n->str, "true") || !strcmp(n->str, "True") || !strcmp(n->str, "TRUE")) {
			*out = true;
			return 0;
		}
		if (!strcmp(n->str, "false") || !strcmp(n->str, "False") ||
		    !strcmp(n->str, "FALSE")) {
			*out = false;
			return 0;
		}
	}
	return fail(p, n, "%s must be true or false, got %s", cfg_label(w, key, l, sizeof(l)),
		    cfg_describe(n, d, sizeof(d)));
}

/*
 * A plain decimal integer: 0 and *v set, -ERANGE if it has digits only but
 * exceeds 64 bits, -EINVAL otherwise. Signs, leading zeros (octal in YAML
 * 1.1), hex and underscores are refused rather than guessed at.
 */
int cfg_parse_uint(const struct ynode *n, uint64_t *v)
{
	uint64_t x = 0;

	if (n->type != YN_SCALAR || !n->plain || !n->len || (n->str[0] == '0' && n->len > 1))
		return -EINVAL;
	for (size_t i = 0; i < n->len; i++)
		if (n->str[i] < '0' || n->str[i] > '9')
			return -EINVAL;
	for (size_t i = 0; i < n->len; i++) {
		unsigned digit = n->str[i] - '0';

		if (x > (UINT64_MAX - digit) / 10)
			return -ERANGE;
		x = x * 10 + digit;
	}
	*v = x;
	return 0;
}

int cfg_get_uint(struct parser *p, const struct ynode *n, const struct where *w,
		    const char *key, uint64_t min, uint64_t max, uint64_t *out)
{
	char l[LBUF], d[QBUF];
	int ret = cfg_parse_uint(n, out);

	if (ret == -EINVAL)
		return fail(p, n, "%s must be an integer in %llu..%llu, got %s",
			    cfg_label(w, key, l, sizeof(l)), (unsigned long long)min,
			    (unsigned long long)max, cfg_describe(n, d, sizeof(d)));
	if (ret || *out < min || *out > max)
		return fail(p, n, "%s is %.24s, out of range %llu..%llu", cfg_label(w, key, l, sizeof(l)),
			    n->str, (unsigned long long)min, (unsigned long long)max);
	return 0;
}

/* A non-null scalar, i.e. something that can be a name. */
int cfg_need_string(struct parser *p, const struct ynode *n, const char *what,
		       const char *expect)
{
	char d[QBUF];

	if (n->type == YN_SCALAR && !cfg_is_null(n))
		return 0;
	return fail(p, n, "%s must be %s, got %s", what, expect, cfg_describe(n, d, sizeof(d)));
}

/* The kernel's rules for device names (dev_valid_name), NULL if fine. */
static const char *ifname_why(const struct ynode *n)
{
	if (!n->len)
		return "empty";
	if (n->len >= IFNAMSIZ)
		return "longer than 15 characters";
	if (!strcmp(n->str, ".") || !strcmp(n->str, ".."))
		return "\".\" and \"..\" are not device names";
	for (size_t i = 0; i < n->len; i++) {
		unsigned char c = n->str[i];

		if (c == '/' || c == ':' || c <= ' ' || c == 0x7f)
			return "contains '/', ':', whitespace or a control character";
	}
	return NULL;
}

/* An interface name into dst (IFNAMSIZ); lbl says where, for messages. */
int cfg_get_ifname(struct parser *p, const struct ynode *n, const char *lbl, char *dst)
{
	char q[QBUF];
	const char *why;
	int ret = cfg_need_string(p, n, lbl, "an interface name");

	if (ret)
		return ret;
	why = ifname_why(n);
	if (why)
		return fail(p, n, "bad interface name %s in %s: %s", cfg_qnode(n, q, sizeof(q)), lbl, why);
	memcpy(dst, n->str, n->len + 1);
	return 0;
}

/* A list of interface names; at least min of them. */
int cfg_get_iflist(struct parser *p, const struct ynode *n, const char *key, unsigned min,
		   char names[][IFNAMSIZ], struct pr_cfg_pos *pos, unsigned *count)
{
	char l[LBUF], d[QBUF];
	struct where w = { .section = "interfaces" };
	int ret;

	cfg_label(&w, key, l, sizeof(l));
	if (n->type != YN_SEQ)
		return fail(p, n, "%s must be a list of interface names, got %s", l,
			    cfg_describe(n, d, sizeof(d)));
	if (n->nkids < min)
		return fail(p, n, "%s must list at least one interface", l);
	for (size_t i = 0; i < n->nkids; i++) {
		const struct ynode *it = n->kids[i];

		if (i == PR_CFG_MAX_IFS)
			return fail(p, it, "%s lists more than %d interfaces", l, PR_CFG_MAX_IFS);
		if (it->type != YN_SCALAR || cfg_is_null(it))
			return fail(p, it, "%s must list interface names, got %s", l,
				    cfg_describe(it, d, sizeof(d)));
		ret = cfg_get_ifname(p, it, l, names[i]);
		if (ret)
			return ret;
		pos[i] = it->pos;
	}
	*count = n->nkids;
	return 0;
}

