// SPDX-License-Identifier: GPL-2.0-only
/*
 * The agent's config loader (schema and rules in config.h). libyaml's event
 * parser feeds a small tree of nodes that keep their file positions; the
 * schema walkers then fill a struct pr_config and the cross checks judge
 * it as a whole, so that one bad line rejects the whole file and the
 * message names the node at fault. A tree rather than a single pass over
 * the events because a network's name is needed (for messages) before its
 * other keys, and overlaps and duplicate ids are only visible at the end.
 */
#include "config/config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yaml.h>

#define MAX_DEPTH 32   /* the schema needs 5; deeper is refused, not recursed */
#define QUOTE_MAX 40   /* characters of a value quoted in a message */
#define QBUF (QUOTE_MAX * 4 + 32)
#define LBUF 128

/* ---- the node tree ---- */

enum ynode_type { YN_SCALAR, YN_SEQ, YN_MAP };

struct ynode {
	enum ynode_type type;
	bool plain;            /* scalar written without quotes */
	struct pr_cfg_pos pos; /* where the node starts */
	char *str;             /* scalar value, NUL-terminated ... */
	size_t len;            /* ... but may hold NULs ("\0" escapes) */
	struct ynode **kids;   /* SEQ: items; MAP: key, value, key, value, ... */
	size_t nkids, cap;
	struct ynode *parent;
};

static void ynode_free(struct ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

static int ynode_add(struct ynode *parent, struct ynode *kid)
{
	if (parent->nkids == parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 8;
		struct ynode **k = realloc(parent->kids, cap * sizeof(*k));

		if (!k)
			return -ENOMEM;
		parent->kids = k;
		parent->cap = cap;
	}
	parent->kids[parent->nkids++] = kid;
	kid->parent = parent;
	return 0;
}

/* ---- parser state and error reporting ---- */

/* One network while parsing: the nodes later checks point at. */
struct net_scratch {
	const struct ynode *node, *name, *id, *vrf_table, *target_vrf;
	const struct ynode *prefix[PR_CFG_MAX_PREFIXES];
	char label[48]; /* network "blue" or network #3 */
};

struct parser {
	const char *buf;
	size_t len;
	struct pr_cfg_error *err;
	struct pr_config *cfg;
	struct net_scratch *nets;
	bool seen_underlay;
};

/* Which mapping a key belongs to, for messages. */
struct where {
	const char *section; /* "interfaces", "vrf", ...; NULL at a network's or the top level */
	const char *net;     /* network "blue"; NULL outside networks */
};

static struct pr_cfg_pos mark_pos(yaml_mark_t m)
{
	return (struct pr_cfg_pos){ .line = m.line + 1, .column = m.column + 1 };
}

__attribute__((format(printf, 3, 4)))
static int fail_at(struct parser *p, struct pr_cfg_pos pos, const char *fmt, ...)
{
	va_list ap;

	p->err->line = pos.line;
	p->err->column = pos.column;
	va_start(ap, fmt);
	vsnprintf(p->err->msg, sizeof(p->err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

#define fail(p, node, ...) fail_at(p, (node)->pos, __VA_ARGS__)

/* Quote a value for a message: "..." with escapes, cut at QUOTE_MAX. */
static const char *quote(const char *s, size_t len, char *buf, size_t size)
{
	size_t o = 0;

	buf[o++] = '"';
	for (size_t i = 0; i < len && o + 8 < size; i++) {
		unsigned char c = s[i];

		if (i == QUOTE_MAX) {
			o += snprintf(buf + o, size - o, "...");
			break;
		}
		if (c == '"' || c == '\\')
			o += snprintf(buf + o, size - o, "\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			o += snprintf(buf + o, size - o, "\\x%02x", c);
		else
			buf[o++] = c;
	}
	snprintf(buf + o, size - o, "\"");
	return buf;
}

static const char *qnode(const struct ynode *n, char *buf, size_t size)
{
	return quote(n->str, n->len, buf, size);
}

static bool is_null(const struct ynode *n)
{
	return n->type == YN_SCALAR && n->plain &&
	       (!n->len || !strcmp(n->str, "~") || !strcmp(n->str, "null") ||
		!strcmp(n->str, "Null") || !strcmp(n->str, "NULL"));
}

/* What a node is, for "..., got <this>". */
static const char *describe(const struct ynode *n, char *buf, size_t size)
{
	char q[QBUF];

	if (n->type == YN_MAP)
		return "a mapping";
	if (n->type == YN_SEQ)
		return "a list";
	if (is_null(n))
		return "null";
	if (n->plain)
		return qnode(n, buf, size);
	snprintf(buf, size, "the quoted string %s", qnode(n, q, sizeof(q)));
	return buf;
}

/* "section.key" of network "x" */
static const char *label(const struct where *w, const char *key, char *buf, size_t size)
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
static const char *context(const struct where *w, char *buf, size_t size)
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

static bool pos_before(struct pr_cfg_pos a, struct pr_cfg_pos b)
{
	return a.line < b.line || (a.line == b.line && a.column < b.column);
}

/* ---- YAML to tree ---- */

/* Line and column of a byte offset, for reader errors that carry no mark. */
static struct pr_cfg_pos offset_pos(const struct parser *p, size_t off)
{
	struct pr_cfg_pos pos = { 1, 1 };

	for (size_t i = 0; i < off && i < p->len; i++) {
		if (p->buf[i] == '\n') {
			pos.line++;
			pos.column = 1;
		} else {
			pos.column++;
		}
	}
	return pos;
}

static int yaml_fail(struct parser *p, const yaml_parser_t *yp)
{
	const char *problem = yp->problem ? yp->problem : "unknown error";

	switch (yp->error) {
	case YAML_MEMORY_ERROR:
		snprintf(p->err->msg, sizeof(p->err->msg), "out of memory while parsing YAML");
		return -ENOMEM;
	case YAML_READER_ERROR:
		if (yp->problem_value != -1)
			return fail_at(p, offset_pos(p, yp->problem_offset),
				       "invalid input: %s (0x%x)", problem, yp->problem_value);
		return fail_at(p, offset_pos(p, yp->problem_offset), "invalid input: %s", problem);
	default:
		if (yp->context)
			return fail_at(p, mark_pos(yp->problem_mark),
				       "YAML syntax error: %s (%s at %zu:%zu)", problem, yp->context,
				       yp->context_mark.line + 1, yp->context_mark.column + 1);
		return fail_at(p, mark_pos(yp->problem_mark), "YAML syntax error: %s", problem);
	}
}

/* Anchors and tags would make one node mean several things or another
 * type; nothing in the schema needs them, so they are refused outright. */
static int check_props(struct parser *p, const yaml_event_t *ev, struct pr_cfg_pos pos)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;
	char q[QBUF];

	if (ev->type == YAML_SCALAR_EVENT) {
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
	} else if (ev->type == YAML_SEQUENCE_START_EVENT) {
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
	} else if (ev->type == YAML_MAPPING_START_EVENT) {
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
	}
	/* libyaml admits only [A-Za-z0-9_-] in anchor names: safe to print. */
	if (anchor)
		return fail_at(p, pos, "YAML anchors are not supported (&%.40s)", (const char *)anchor);
	if (tag)
		return fail_at(p, pos, "YAML tags are not supported (%s)",
			       quote((const char *)tag, strlen((const char *)tag), q, sizeof(q)));
	return 0;
}

static struct ynode *node_from_event(const yaml_event_t *ev)
{
	struct ynode *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->pos = mark_pos(ev->start_mark);
	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		n->type = YN_SCALAR;
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		n->len = ev->data.scalar.length;
		n->str = malloc(n->len + 1);
		if (!n->str) {
			free(n);
			return NULL;
		}
		memcpy(n->str, ev->data.scalar.value, n->len);
		n->str[n->len] = '\0';
		break;
	case YAML_SEQUENCE_START_EVENT:
		n->type = YN_SEQ;
		break;
	default:
		n->type = YN_MAP;
		break;
	}
	return n;
}

/*
 * Build the tree of the (single) document. *root stays NULL for a stream
 * without a document; *end gets the position of the end of the stream.
 */
static int load_tree(struct parser *p, struct ynode **root, struct pr_cfg_pos *end)
{
	struct ynode *cur = NULL, *n;
	unsigned depth = 0, ndocs = 0;
	yaml_parser_t yp;
	yaml_event_t ev;
	bool done = false;
	int ret = 0;

	*root = NULL;
	if (!yaml_parser_initialize(&yp)) {
		snprintf(p->err->msg, sizeof(p->err->msg), "out of memory while parsing YAML");
		return -ENOMEM;
	}
	yaml_parser_set_input_string(&yp, (const unsigned char *)p->buf, p->len);
	while (!done && !ret) {
		struct pr_cfg_pos pos;

		if (!yaml_parser_parse(&yp, &ev)) {
			ret = yaml_fail(p, &yp);
			break;
		}
		pos = mark_pos(ev.start_mark);
		switch (ev.type) {
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1)
				ret = fail_at(p, pos, "more than one YAML document; the config is one document");
			break;
		case YAML_ALIAS_EVENT:
			ret = fail_at(p, pos, "YAML aliases are not supported (*%.40s)",
				      (const char *)ev.data.alias.anchor);
			break;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			ret = check_props(p, &ev, pos);
			if (ret)
				break;
			if (ev.type != YAML_SCALAR_EVENT && ++depth > MAX_DEPTH) {
				ret = fail_at(p, pos, "nested deeper than %d levels", MAX_DEPTH);
				break;
			}
			n = node_from_event(&ev);
			if (!n) {
				ret = -ENOMEM;
				break;
			}
			if (!cur) {
				*root = n;
			} else if (ynode_add(cur, n)) {
				ynode_free(n);
				ret = -ENOMEM;
				break;
			}
			if (n->type != YN_SCALAR)
				cur = n;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			if (cur)
				cur = cur->parent;
			break;
		case YAML_STREAM_END_EVENT:
			*end = pos;
			done = true;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&yp);
	if (ret == -ENOMEM)
		snprintf(p->err->msg, sizeof(p->err->msg), "out of memory while parsing YAML");
	if (ret) {
		ynode_free(*root);
		*root = NULL;
	}
	return ret;
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
		return fail(p, k, "unknown key %s %s (did you mean \"%s\"?)", qnode(k, q, sizeof(q)),
			    context(w, c, sizeof(c)), keys[besti]);
	list[0] = '\0';
	for (unsigned i = 0; i < nkeys && o < sizeof(list); i++)
		o += snprintf(list + o, sizeof(list) - o, "%s%s", i ? ", " : "", keys[i]);
	return fail(p, k, "unknown key %s %s (expected one of: %s)", qnode(k, q, sizeof(q)),
		    context(w, c, sizeof(c)), list);
}

/* Every key a string from keys[], none twice; checked in file order. */
static int check_keys(struct parser *p, const struct ynode *m, const char *const keys[],
		      unsigned nkeys, const struct where *w)
{
	const struct ynode *seen[8] = { 0 };
	char q[QBUF], c[LBUF], d[QBUF];

	for (size_t i = 0; i < m->nkids; i += 2) {
		const struct ynode *k = m->kids[i];
		unsigned j;

		if (k->type != YN_SCALAR || is_null(k))
			return fail(p, k, "a key %s must be a string, got %s", context(w, c, sizeof(c)),
				    describe(k, d, sizeof(d)));
		for (j = 0; j < nkeys; j++)
			if (strlen(k->str) == k->len && !strcmp(k->str, keys[j]))
				break;
		if (j == nkeys)
			return unknown_key(p, k, keys, nkeys, w);
		if (seen[j])
			return fail(p, k, "duplicate key %s %s (first at line %u)", qnode(k, q, sizeof(q)),
				    context(w, c, sizeof(c)), seen[j]->pos.line);
		seen[j] = k;
	}
	return 0;
}

/* The value of key in mapping m, NULL if absent; *keynode gets the key. */
static const struct ynode *map_get(const struct ynode *m, const char *key,
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

static int need_map(struct parser *p, const struct ynode *n, const struct where *w,
		    const char *key)
{
	char l[LBUF], d[QBUF];

	if (n->type == YN_MAP)
		return 0;
	return fail(p, n, "%s must be a mapping, got %s", label(w, key, l, sizeof(l)),
		    describe(n, d, sizeof(d)));
}

static int missing_key(struct parser *p, const struct ynode *m, const char *key,
		       const struct where *w)
{
	char c[LBUF];

	return fail(p, m, "missing required key \"%s\" %s", key, context(w, c, sizeof(c)));
}

/* ---- scalars ---- */

static int get_bool(struct parser *p, const struct ynode *n, const struct where *w,
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
	return fail(p, n, "%s must be true or false, got %s", label(w, key, l, sizeof(l)),
		    describe(n, d, sizeof(d)));
}

/*
 * A plain decimal integer: 0 and *v set, -ERANGE if it has digits only but
 * exceeds 64 bits, -EINVAL otherwise. Signs, leading zeros (octal in YAML
 * 1.1), hex and underscores are refused rather than guessed at.
 */
static int parse_uint(const struct ynode *n, uint64_t *v)
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

static int get_uint(struct parser *p, const struct ynode *n, const struct where *w,
		    const char *key, uint64_t min, uint64_t max, uint64_t *out)
{
	char l[LBUF], d[QBUF];
	int ret = parse_uint(n, out);

	if (ret == -EINVAL)
		return fail(p, n, "%s must be an integer in %llu..%llu, got %s",
			    label(w, key, l, sizeof(l)), (unsigned long long)min,
			    (unsigned long long)max, describe(n, d, sizeof(d)));
	if (ret || *out < min || *out > max)
		return fail(p, n, "%s is %.24s, out of range %llu..%llu", label(w, key, l, sizeof(l)),
			    n->str, (unsigned long long)min, (unsigned long long)max);
	return 0;
}

/* A non-null scalar, i.e. something that can be a name. */
static int need_string(struct parser *p, const struct ynode *n, const char *what,
		       const char *expect)
{
	char d[QBUF];

	if (n->type == YN_SCALAR && !is_null(n))
		return 0;
	return fail(p, n, "%s must be %s, got %s", what, expect, describe(n, d, sizeof(d)));
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
static int get_ifname(struct parser *p, const struct ynode *n, const char *lbl, char *dst)
{
	char q[QBUF];
	const char *why;
	int ret = need_string(p, n, lbl, "an interface name");

	if (ret)
		return ret;
	why = ifname_why(n);
	if (why)
		return fail(p, n, "bad interface name %s in %s: %s", qnode(n, q, sizeof(q)), lbl, why);
	memcpy(dst, n->str, n->len + 1);
	return 0;
}

/* A list of interface names; at least min of them. */
static int get_iflist(struct parser *p, const struct ynode *n, const char *key, unsigned min,
		      char names[][IFNAMSIZ], struct pr_cfg_pos *pos, unsigned *count)
{
	char l[LBUF], d[QBUF];
	struct where w = { .section = "interfaces" };
	int ret;

	label(&w, key, l, sizeof(l));
	if (n->type != YN_SEQ)
		return fail(p, n, "%s must be a list of interface names, got %s", l,
			    describe(n, d, sizeof(d)));
	if (n->nkids < min)
		return fail(p, n, "%s must list at least one interface", l);
	for (size_t i = 0; i < n->nkids; i++) {
		const struct ynode *it = n->kids[i];

		if (i == PR_CFG_MAX_IFS)
			return fail(p, it, "%s lists more than %d interfaces", l, PR_CFG_MAX_IFS);
		if (it->type != YN_SCALAR || is_null(it))
			return fail(p, it, "%s must list interface names, got %s", l,
				    describe(it, d, sizeof(d)));
		ret = get_ifname(p, it, l, names[i]);
		if (ret)
			return ret;
		pos[i] = it->pos;
	}
	*count = n->nkids;
	return 0;
}

/* ---- interfaces ---- */

static const char *const if_keys[] = { "underlay", "brex", "ovn", "mode", "force_xdp" };
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
			if (i == j || strcmp(r[i].name, r[j].name) || !pos_before(r[j].pos, r[i].pos))
				continue;
			if (!bad || pos_before(r[i].pos, bad->pos)) {
				bad = &r[i];
				first = &r[j];
			}
		}
	}
	if (!bad)
		return 0;
	return fail_at(p, bad->pos, "interface %s in \"%s\" is already listed in \"%s\" (line %u)",
		       quote(bad->name, strlen(bad->name), q, sizeof(q)), bad->list, first->list,
		       first->pos.line);
}

static int parse_interfaces(struct parser *p, const struct ynode *m)
{
	struct where w = { .section = "interfaces" };
	struct pr_config *c = p->cfg;
	char l[LBUF], d[QBUF];
	int ret;

	ret = need_map(p, m, &(struct where){ 0 }, "interfaces");
	if (!ret)
		ret = check_keys(p, m, if_keys, 5, &w);
	for (size_t i = 0; !ret && i < m->nkids; i += 2) {
		const char *k = m->kids[i]->str;
		const struct ynode *v = m->kids[i + 1];

		if (!strcmp(k, "underlay")) {
			p->seen_underlay = true;
			ret = get_iflist(p, v, k, 1, c->underlay, c->pos_underlay, &c->nunderlay);
		} else if (is_null(v)) {
			continue;
		} else if (!strcmp(k, "brex")) {
			ret = get_ifname(p, v, label(&w, k, l, sizeof(l)), c->brex);
			c->pos_brex = v->pos;
		} else if (!strcmp(k, "ovn")) {
			ret = get_iflist(p, v, k, 0, c->ovn, c->pos_ovn, &c->novn);
		} else if (!strcmp(k, "force_xdp")) {
			ret = get_bool(p, v, &w, k, &c->force_xdp);
		} else { /* mode */
			unsigned j;

			for (j = 0; j < 4; j++)
				if (v->type == YN_SCALAR && !strcmp(v->str, mode_names[j]))
					break;
			if (j == 4)
				return fail(p, v, "%s must be auto, native, generic or tc, got %s",
					    label(&w, k, l, sizeof(l)), describe(v, d, sizeof(d)));
			c->mode = j;
		}
	}
	if (!ret && !p->seen_underlay)
		ret = missing_key(p, m, "underlay", &w);
	if (!ret)
		ret = check_if_dups(p);
	return ret;
}

/* ---- limits ---- */

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const limit_keys[] = { "max_learned_routes", "stale_after_seconds" };

static int parse_limits(struct parser *p, const struct ynode *m)
{
	struct where w = { .section = "limits" };
	const struct ynode *v;
	uint64_t x;
	int ret;

	ret = need_map(p, m, &(struct where){ 0 }, "limits");
	if (!ret)
		ret = check_keys(p, m, limit_keys, ARRAY_LEN(limit_keys), &w);
	if (ret)
		return ret;
	v = map_get(m, "max_learned_routes", NULL);
	if (v && !is_null(v)) {
		ret = get_uint(p, v, &w, "max_learned_routes", 1, PR_CFG_MAX_LEARNED, &x);
		if (ret)
			return ret;
		p->cfg->max_learned_routes = x;
	}
	v = map_get(m, "stale_after_seconds", NULL);
	if (v && !is_null(v)) {
		ret = get_uint(p, v, &w, "stale_after_seconds", 0, PR_CFG_MAX_STALE_AFTER, &x);
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

	label(&w, key, l, sizeof(l));
	if (n->type != YN_SEQ)
		return fail(p, n, "%s must be a list of %s, got %s", l, expect,
			    describe(n, d, sizeof(d)));
	if (!n->nkids)
		return fail(p, n, "%s must not be empty (leave it out for the default, %s)", l, dflt);
	for (size_t i = 0; i < n->nkids; i++) {
		const struct ynode *it = n->kids[i];
		int ret = parse_uint(it, &v);

		if (i == PR_CFG_MAX_ACCEPT)
			return fail(p, it, "%s lists more than %d entries", l, PR_CFG_MAX_ACCEPT);
		if (ret == -EINVAL) {
			unsigned j;

			for (j = 0; j < nnames; j++)
				if (it->type == YN_SCALAR && !strcmp(it->str, names[j].name))
					break;
			if (j == nnames)
				return fail(p, it, "%s must list %s, got %s", l, expect,
					    describe(it, d, sizeof(d)));
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

	label(&w, "prefixes", l, sizeof(l));
	if (n->type != YN_SEQ)
		return fail(p, n, "%s must be a list of prefixes, got %s", l, describe(n, d, sizeof(d)));
	for (size_t i = 0; i < n->nkids; i++) {
		const struct ynode *it = n->kids[i];

		if (i == PR_CFG_MAX_ACCEPT)
			return fail(p, it, "%s lists more than %d entries", l, PR_CFG_MAX_ACCEPT);
		if (it->type != YN_SCALAR || is_null(it))
			return fail(p, it, "%s must list prefixes, got %s", l, describe(it, d, sizeof(d)));
		if (strlen(it->str) != it->len)
			return fail(p, it, "bad prefix %s in %s: contains a NUL character",
				    qnode(it, q, sizeof(q)), l);
		if (pr_prefix_parse(it->str, &c->accept_prefixes[i], &why))
			return fail(p, it, "bad prefix %s in %s: %s", qnode(it, q, sizeof(q)), l, why);
		for (size_t j = 0; j < i; j++)
			if (pr_prefix_equal(&c->accept_prefixes[j], &c->accept_prefixes[i]))
				return fail(p, it, "prefix %s is listed twice in %s (first at line %u)",
					    pr_prefix_format(&c->accept_prefixes[i], f, sizeof(f)), l,
					    n->kids[j]->pos.line);
	}
	c->naccept_prefixes = n->nkids;
	return 0;
}

static int parse_accept(struct parser *p, const struct ynode *m)
{
	struct where w = { .section = "accept" };
	struct pr_config *c = p->cfg;
	uint32_t protos[PR_CFG_MAX_ACCEPT];
	int ret;

	ret = need_map(p, m, &(struct where){ 0 }, "accept");
	if (!ret)
		ret = check_keys(p, m, accept_keys, 4, &w);
	for (size_t i = 0; !ret && i < m->nkids; i += 2) {
		const char *k = m->kids[i]->str;
		const struct ynode *v = m->kids[i + 1];

		if (is_null(v))
			continue;
		if (!strcmp(k, "tables")) {
			ret = get_numlist(p, v, k, "table", table_names, ARRAY_LEN(table_names), 1,
					  UINT32_MAX,
					  "table names (main, local, default) or numbers 1..4294967295",
					  "main", c->accept_tables, &c->naccept_tables);
		} else if (!strcmp(k, "prefixes")) {
			ret = get_accept_prefixes(p, v);
		} else if (!strcmp(k, "covering")) {
			ret = get_bool(p, v, &w, k, &c->accept_covering);
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

/* ---- networks ---- */

static const char *const net_keys[] = { "name", "id", "prefixes", "vrf", "target", "antispoof",
					"shadow" };
static const char *const vrf_keys[] = { "name", "table" };
static const char *const target_keys[] = { "port", "mac", "neighbour", "vrf", "action" };

static const char *const target_names[] = {
	[PR_TGT_PORT] = "port",
	[PR_TGT_VRF] = "vrf",
	[PR_TGT_PASS] = "pass",
	[PR_TGT_DROP] = "drop",
};

const char *pr_target_kind_name(enum pr_target_kind t)
{
	return (unsigned)t < ARRAY_LEN(target_names) ? target_names[t] : "?";
}

static bool valid_net_name(const struct ynode *n)
{
	if (!n->len || n->len >= PR_CFG_NAME_MAX)
		return false;
	for (size_t i = 0; i < n->len; i++) {
		char c = n->str[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}

static int parse_net_prefixes(struct parser *p, const struct ynode *n, struct pr_cfg_network *net,
			      struct net_scratch *s, const struct where *w)
{
	char l[LBUF], d[QBUF], q[QBUF];
	const char *why;

	label(w, "prefixes", l, sizeof(l));
	if (n->type != YN_SEQ)
		return fail(p, n, "%s must be a list of prefixes, got %s", l, describe(n, d, sizeof(d)));
	if (!n->nkids)
		return fail(p, n, "%s must list at least one prefix", l);
	for (size_t i = 0; i < n->nkids; i++) {
		const struct ynode *it = n->kids[i];

		if (i == PR_CFG_MAX_PREFIXES)
			return fail(p, it, "%s has more than %d prefixes", w->net, PR_CFG_MAX_PREFIXES);
		if (it->type != YN_SCALAR || is_null(it))
			return fail(p, it, "%s must list prefixes, got %s", l, describe(it, d, sizeof(d)));
		if (strlen(it->str) != it->len)
			return fail(p, it, "bad prefix %s in %s: contains a NUL character",
				    qnode(it, q, sizeof(q)), w->net);
		if (pr_prefix_parse(it->str, &net->prefixes[i], &why))
			return fail(p, it, "bad prefix %s in %s: %s", qnode(it, q, sizeof(q)), w->net,
				    why);
		s->prefix[i] = it;
	}
	net->nprefixes = n->nkids;
	return 0;
}

static int parse_vrf(struct parser *p, const struct ynode *m, struct pr_cfg_network *net,
		     struct net_scratch *s, const struct where *nw)
{
	struct where w = { .section = "vrf", .net = nw->net };
	const struct ynode *v;
	char l[LBUF];
	uint64_t x;
	int ret;

	ret = need_map(p, m, nw, "vrf");
	if (!ret)
		ret = check_keys(p, m, vrf_keys, 2, &w);
	if (ret)
		return ret;
	v = map_get(m, "name", NULL);
	if (v && !is_null(v)) {
		ret = get_ifname(p, v, label(&w, "name", l, sizeof(l)), net->vrf_name);
		if (ret)
			return ret;
		net->pos_vrf_name = v->pos;
	}
	v = map_get(m, "table", NULL);
	if (!v || is_null(v))
		return missing_key(p, m, "table", &w);
	ret = get_uint(p, v, &w, "table", 1, UINT32_MAX, &x);
	if (ret)
		return ret;
	net->has_vrf = true;
	net->vrf_table = x;
	s->vrf_table = v;
	return 0;
}

static int parse_mac(struct parser *p, const struct ynode *n, struct pr_cfg_network *net,
		     const struct where *w)
{
	static const uint8_t zero[6];
	char q[QBUF];

	if (n->len != strlen(n->str) || pr_mac_parse(n->str, net->mac))
		return fail(p, n, "bad MAC %s in %s: expected six hex bytes like 0a:58:0a:80:01:01",
			    qnode(n, q, sizeof(q)), w->net);
	if (net->mac[0] & 1)
		return fail(p, n, "bad MAC %s in %s: a multicast or broadcast address",
			    qnode(n, q, sizeof(q)), w->net);
	if (!memcmp(net->mac, zero, 6))
		return fail(p, n, "bad MAC %s in %s: all zeros", qnode(n, q, sizeof(q)), w->net);
	return 0;
}

static int parse_neighbour(struct parser *p, const struct ynode *n, struct pr_cfg_network *net,
			   const struct where *w)
{
	char q[QBUF];
	const char *why;

	if (strlen(n->str) != n->len)
		return fail(p, n, "bad neighbour %s in %s: contains a NUL character",
			    qnode(n, q, sizeof(q)), w->net);
	if (pr_prefix_parse(n->str, &net->neighbour, &why))
		return fail(p, n, "bad neighbour %s in %s: %s", qnode(n, q, sizeof(q)), w->net, why);
	if (net->neighbour.len != (net->neighbour.family == AF_INET ? 32 : 128))
		return fail(p, n, "bad neighbour %s in %s: not a single address",
			    qnode(n, q, sizeof(q)), w->net);
	return 0;
}

static int parse_target(struct parser *p, const struct ynode *m, struct pr_cfg_network *net,
			struct net_scratch *s, const struct where *nw)
{
	struct where w = { .section = "target", .net = nw->net };
	const struct ynode *kind_key = NULL, *mac_key = NULL, *neigh_key = NULL;
	char l[LBUF], d[QBUF];
	int ret;

	ret = need_map(p, m, nw, "target");
	if (!ret)
		ret = check_keys(p, m, target_keys, 5, &w);
	for (size_t i = 0; !ret && i < m->nkids; i += 2) {
		const struct ynode *k = m->kids[i], *v = m->kids[i + 1];
		bool is_kind = true;

		label(&w, k->str, l, sizeof(l));
		if (!strcmp(k->str, "port")) {
			ret = get_ifname(p, v, l, net->port);
			net->target = PR_TGT_PORT;
			net->pos_port = v->pos;
		} else if (!strcmp(k->str, "vrf")) {
			bool on = false;

			ret = get_bool(p, v, &w, "vrf", &on);
			is_kind = on;
			if (on) {
				net->target = PR_TGT_VRF;
				s->target_vrf = v;
			}
		} else if (!strcmp(k->str, "action")) {
			if (v->type == YN_SCALAR && !strcmp(v->str, "pass"))
				net->target = PR_TGT_PASS;
			else if (v->type == YN_SCALAR && !strcmp(v->str, "drop"))
				net->target = PR_TGT_DROP;
			else
				ret = fail(p, v, "%s must be pass or drop, got %s", l,
					   describe(v, d, sizeof(d)));
		} else {
			is_kind = false;
			ret = need_string(p, v, l, !strcmp(k->str, "mac") ? "a MAC address" : "an address");
			if (ret)
				break;
			if (!strcmp(k->str, "mac")) {
				mac_key = k;
				ret = parse_mac(p, v, net, &w);
			} else {
				neigh_key = k;
				ret = parse_neighbour(p, v, net, &w);
			}
		}
		if (!ret && is_kind) {
			if (kind_key)
				return fail(p, k, "\"target\" of %s has both \"%s\" and \"%s\"; give exactly "
					    "one of port, vrf or action", nw->net, kind_key->str, k->str);
			kind_key = k;
		}
	}
	if (ret)
		return ret;
	if (!kind_key)
		return fail(p, m, "\"target\" of %s needs one of \"port\", \"vrf\" or \"action\"",
			    nw->net);
	if (net->target != PR_TGT_PORT) {
		const struct ynode *extra = mac_key ? mac_key : neigh_key;

		if (extra)
			return fail(p, extra, "\"target.%s\" of %s only goes with \"port\"", extra->str,
				    nw->net);
		return 0;
	}
	if (mac_key && neigh_key) {
		const struct ynode *later = pos_before(mac_key->pos, neigh_key->pos) ? neigh_key : mac_key;

		return fail(p, later, "\"target\" of %s has both \"mac\" and \"neighbour\"; give one",
			    nw->net);
	}
	if (!mac_key && !neigh_key)
		return fail(p, m, "\"target.port\" of %s needs \"mac\" or \"neighbour\"", nw->net);
	net->has_mac = mac_key != NULL;
	return 0;
}

static int parse_network(struct parser *p, const struct ynode *m, unsigned idx)
{
	struct pr_cfg_network *net = &p->cfg->networks[idx];
	struct net_scratch *s = &p->nets[idx];
	const struct ynode *name;
	struct where w = { .net = s->label };
	char d[QBUF], q[QBUF], l[LBUF];
	uint64_t x;
	int ret;

	s->node = m;
	net->pos = m->pos;
	net->id = idx + 1;
	net->antispoof = true;
	snprintf(s->label, sizeof(s->label), "network #%u", idx + 1);
	if (m->type != YN_MAP)
		return fail(p, m, "%s must be a mapping, got %s", s->label, describe(m, d, sizeof(d)));
	/* Name it before anything else can go wrong, so messages can say which. */
	name = map_get(m, "name", NULL);
	if (name && name->type == YN_SCALAR && valid_net_name(name))
		snprintf(s->label, sizeof(s->label), "network \"%s\"", name->str);
	ret = check_keys(p, m, net_keys, ARRAY_LEN(net_keys), &w);
	if (ret)
		return ret;
	if (!name)
		return missing_key(p, m, "name", &w);
	ret = need_string(p, name, label(&w, "name", l, sizeof(l)), "a string");
	if (ret)
		return ret;
	if (!valid_net_name(name))
		return fail(p, name, "bad network name %s: expected 1 to %d characters from A-Z a-z 0-9 _ . -",
			    qnode(name, q, sizeof(q)), PR_CFG_NAME_MAX - 1);
	memcpy(net->name, name->str, name->len + 1);
	s->name = name;
	for (unsigned i = 0; i < idx; i++)
		if (!strcmp(p->cfg->networks[i].name, net->name))
			return fail(p, name, "duplicate network name %s (first at line %u)",
				    qnode(name, q, sizeof(q)), p->nets[i].name->pos.line);

	for (size_t i = 0; i < m->nkids; i += 2) {
		const char *k = m->kids[i]->str;
		const struct ynode *v = m->kids[i + 1];

		if (!strcmp(k, "name"))
			continue;
		if (is_null(v) && strcmp(k, "prefixes") && strcmp(k, "target"))
			continue;
		if (!strcmp(k, "id")) {
			ret = get_uint(p, v, &w, "id", 1, PR_CFG_MAX_NETWORKS, &x);
			if (!ret)
				net->id = x;
			s->id = v;
		} else if (!strcmp(k, "prefixes")) {
			ret = parse_net_prefixes(p, v, net, s, &w);
		} else if (!strcmp(k, "vrf")) {
			ret = parse_vrf(p, v, net, s, &w);
		} else if (!strcmp(k, "target")) {
			ret = parse_target(p, v, net, s, &w);
		} else if (!strcmp(k, "antispoof")) {
			ret = get_bool(p, v, &w, "antispoof", &net->antispoof);
		} else { /* shadow */
			ret = get_bool(p, v, &w, "shadow", &net->shadow);
		}
		if (ret)
			return ret;
	}
	if (!net->nprefixes)
		return missing_key(p, m, "prefixes", &w);
	if (!map_get(m, "target", NULL))
		return missing_key(p, m, "target", &w);
	if (s->target_vrf && !net->has_vrf)
		return fail(p, s->target_vrf, "\"target.vrf\" of %s needs the network's \"vrf\" block",
			    s->label);
	return 0;
}

/* ---- whole-config checks ---- */

static int check_ids(struct parser *p)
{
	unsigned owner[PR_MAX_NETS] = { 0 }; /* index + 1 of the network holding an id */

	for (unsigned i = 0; i < p->cfg->nnetworks; i++) {
		const struct pr_cfg_network *net = &p->cfg->networks[i];
		const struct net_scratch *s = &p->nets[i];
		unsigned o = owner[net->id];

		if (!o) {
			owner[net->id] = i + 1;
			continue;
		}
		if (s->id)
			return fail(p, s->id, "%s has id %u, already used by %s", s->label, net->id,
				    p->nets[o - 1].label);
		return fail(p, s->node, "%s gets id %u from its position, already used by %s; give it "
			    "an explicit \"id\"", s->label, net->id, p->nets[o - 1].label);
	}
	return 0;
}

struct pref_ref {
	const struct pr_prefix *pfx;
	unsigned net;
	uint32_t domain; /* the network's VRF table, 0 without a VRF */
	const struct ynode *node;
};

static int pref_cmp(const void *a, const void *b)
{
	const struct pref_ref *ra = a, *rb = b;
	const struct pr_prefix *x = ra->pfx, *y = rb->pfx;
	int r;

	if (ra->domain != rb->domain)
		return ra->domain < rb->domain ? -1 : 1;
	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	r = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (r)
		return r;
	return (int)x->len - (int)y->len;
}

/*
 * No address may belong to two prefixes of one routing domain (the default
 * VRF, or one VRF table), or an LPM hit would name one network for
 * another's traffic; networks in different VRFs may reuse prefixes, since
 * the datapath looks up within the receiving interface's VRF. Sorted by
 * domain, address then length, an overlap always shows between neighbours
 * (the containing prefix sorts first and anything in between lies inside
 * it too), so this is O(n log n) for the up to 255 * 64 prefixes.
 */
static int check_overlaps(struct parser *p)
{
	const struct pref_ref *bad = NULL, *other = NULL;
	struct pr_config *c = p->cfg;
	char f1[PR_PREFIX_STRLEN], f2[PR_PREFIX_STRLEN];
	struct pref_ref *r;
	unsigned n = 0;

	for (unsigned i = 0; i < c->nnetworks; i++)
		n += c->networks[i].nprefixes;
	r = calloc(n ? n : 1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	n = 0;
	for (unsigned i = 0; i < c->nnetworks; i++)
		for (unsigned j = 0; j < c->networks[i].nprefixes; j++)
			r[n++] = (struct pref_ref){ &c->networks[i].prefixes[j], i,
						    c->networks[i].has_vrf ? c->networks[i].vrf_table : 0,
						    p->nets[i].prefix[j] };
	qsort(r, n, sizeof(*r), pref_cmp);
	for (unsigned i = 1; i < n; i++) {
		const struct pref_ref *a = &r[i - 1], *b = &r[i];

		if (a->domain != b->domain || !pr_prefix_overlaps(a->pfx, b->pfx))
			continue;
		if (pos_before(b->node->pos, a->node->pos)) {
			const struct pref_ref *t = a;

			a = b;
			b = t;
		}
		if (!bad || pos_before(b->node->pos, bad->node->pos)) {
			bad = b;
			other = a;
		}
	}
	if (bad) {
		pr_prefix_format(bad->pfx, f1, sizeof(f1));
		pr_prefix_format(other->pfx, f2, sizeof(f2));
		if (bad->net == other->net)
			fail(p, bad->node, "prefix %s of %s overlaps %s of the same network (line %u)", f1,
			     p->nets[bad->net].label, f2, other->node->pos.line);
		else
			fail(p, bad->node, "prefix %s of %s overlaps %s of %s (line %u)", f1,
			     p->nets[bad->net].label, f2, p->nets[other->net].label,
			     other->node->pos.line);
	}
	free(r);
	return bad ? -EINVAL : 0;
}

/* One VRF device has one table: two networks naming it must agree. */
static int check_vrfs(struct parser *p)
{
	const struct pr_config *c = p->cfg;
	char q[QBUF];

	for (unsigned i = 0; i < c->nnetworks; i++) {
		const struct pr_cfg_network *a = &c->networks[i];

		if (!a->has_vrf || !a->vrf_name[0])
			continue;
		for (unsigned j = 0; j < i; j++) {
			const struct pr_cfg_network *b = &c->networks[j];

			if (b->has_vrf && !strcmp(a->vrf_name, b->vrf_name) &&
			    a->vrf_table != b->vrf_table)
				return fail(p, p->nets[i].vrf_table,
					    "vrf %s of %s has table %u, but %s gives it table %u",
					    quote(a->vrf_name, strlen(a->vrf_name), q, sizeof(q)),
					    p->nets[i].label, a->vrf_table, p->nets[j].label,
					    b->vrf_table);
		}
	}
	return 0;
}

static int parse_networks(struct parser *p, const struct ynode *n)
{
	struct pr_config *c = p->cfg;
	char d[QBUF];
	int ret;

	if (n->type != YN_SEQ)
		return fail(p, n, "\"networks\" must be a list of networks, got %s",
			    describe(n, d, sizeof(d)));
	if (!n->nkids)
		return fail(p, n, "\"networks\" must list at least one network");
	if (n->nkids > PR_CFG_MAX_NETWORKS)
		return fail(p, n->kids[PR_CFG_MAX_NETWORKS], "more than %d networks",
			    PR_CFG_MAX_NETWORKS);
	c->networks = calloc(n->nkids, sizeof(*c->networks));
	p->nets = calloc(n->nkids, sizeof(*p->nets));
	if (!c->networks || !p->nets)
		return -ENOMEM;
	c->nnetworks = n->nkids;
	for (unsigned i = 0; i < c->nnetworks; i++) {
		ret = parse_network(p, n->kids[i], i);
		if (ret)
			return ret;
	}
	ret = check_ids(p);
	if (!ret)
		ret = check_overlaps(p);
	if (!ret)
		ret = check_vrfs(p);
	return ret;
}

/* ---- top level ---- */

static const char *const top_keys[] = { "shadow", "interfaces", "limits", "accept", "networks",
					"refused_objects" };

static int parse_top(struct parser *p, const struct ynode *root, struct pr_cfg_pos end)
{
	struct where w = { 0 };
	char d[QBUF];
	int ret;

	if (!root || is_null(root))
		return fail_at(p, root ? root->pos : end,
			       "the config is empty (expected a mapping with \"interfaces\" and \"networks\")");
	if (root->type != YN_MAP)
		return fail(p, root, "the top level must be a mapping with \"interfaces\" and "
			    "\"networks\", got %s", describe(root, d, sizeof(d)));
	ret = check_keys(p, root, top_keys, ARRAY_LEN(top_keys), &w);
	for (size_t i = 0; !ret && i < root->nkids; i += 2) {
		const char *k = root->kids[i]->str;
		const struct ynode *v = root->kids[i + 1];

		if (!strcmp(k, "interfaces"))
			ret = parse_interfaces(p, v);
		else if (!strcmp(k, "networks"))
			ret = parse_networks(p, v);
		else if (is_null(v))
			continue;
		else if (!strcmp(k, "shadow"))
			ret = get_bool(p, v, &w, "shadow", &p->cfg->shadow);
		else if (!strcmp(k, "limits"))
			ret = parse_limits(p, v);
		else if (!strcmp(k, "refused_objects")) {
			uint64_t n;

			ret = get_uint(p, v, &w, "refused_objects", 0, UINT32_MAX, &n);
			p->cfg->refused_objects = (uint32_t)n;
		} else
			ret = parse_accept(p, v);
	}
	if (ret)
		return ret;
	if (!map_get(root, "interfaces", NULL))
		return missing_key(p, root, "interfaces", &w);
	if (!map_get(root, "networks", NULL))
		return missing_key(p, root, "networks", &w);
	return 0;
}

/* ---- public API ---- */

static void err_init(struct pr_cfg_error *err, const char *name)
{
	memset(err, 0, sizeof(*err));
	snprintf(err->file, sizeof(err->file), "%s", name);
}

static void set_defaults(struct pr_config *c)
{
	c->mode = PR_MODE_AUTO;
	c->max_learned_routes = 100000;
	c->stale_after_seconds = PR_CFG_DEFAULT_STALE_AFTER;
	c->accept_tables[0] = 254;
	c->naccept_tables = 1;
	c->accept_protocols[0] = 186; /* bgp */
	c->naccept_protocols = 1;
}

int pr_config_load_string(const char *name, const char *yaml, size_t len, struct pr_config *cfg,
			  struct pr_cfg_error *err)
{
	struct pr_cfg_error dummy;
	struct parser p = { .buf = yaml ? yaml : "", .len = yaml ? len : 0, .cfg = cfg };
	struct pr_cfg_pos end = { 1, 1 };
	struct ynode *root = NULL;
	int ret;

	if (!name)
		name = "<string>";
	p.err = err ? err : &dummy;
	err_init(p.err, name);
	memset(cfg, 0, sizeof(*cfg));
	if (p.len > PR_CFG_MAX_FILE) {
		snprintf(p.err->msg, sizeof(p.err->msg), "larger than %u bytes (1 MiB)",
			 PR_CFG_MAX_FILE);
		return -EFBIG;
	}
	set_defaults(cfg);
	ret = load_tree(&p, &root, &end);
	if (!ret)
		ret = parse_top(&p, root, end);
	if (ret == -ENOMEM) {
		p.err->line = p.err->column = 0;
		snprintf(p.err->msg, sizeof(p.err->msg), "out of memory");
	}
	ynode_free(root);
	free(p.nets);
	if (ret) {
		pr_config_free(cfg);
		return ret;
	}
	snprintf(cfg->file, sizeof(cfg->file), "%s", name);
	return 0;
}

int pr_config_load_file(const char *path, struct pr_config *cfg, struct pr_cfg_error *err)
{
	struct pr_cfg_error dummy;
	size_t len = 0, cap = 64 * 1024;
	char *buf = NULL;
	int fd, ret = 0;

	if (!err)
		err = &dummy;
	err_init(err, path);
	memset(cfg, 0, sizeof(*cfg));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		snprintf(err->msg, sizeof(err->msg), "cannot open: %s", strerror(-ret));
		return ret;
	}
	/* Read one byte past the limit to tell "exactly at" from "over". */
	for (;;) {
		ssize_t r;

		if (len == cap || !buf) {
			char *nb;

			if (buf)
				cap *= 2;
			nb = realloc(buf, cap);
			if (!nb) {
				ret = -ENOMEM;
				snprintf(err->msg, sizeof(err->msg), "out of memory");
				break;
			}
			buf = nb;
		}
		r = read(fd, buf + len, cap - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			ret = -errno;
			snprintf(err->msg, sizeof(err->msg), "cannot read: %s", strerror(-ret));
			break;
		}
		if (!r)
			break;
		len += r;
		if (len > PR_CFG_MAX_FILE) {
			ret = -EFBIG;
			snprintf(err->msg, sizeof(err->msg), "larger than %u bytes (1 MiB)",
				 PR_CFG_MAX_FILE);
			break;
		}
	}
	close(fd);
	if (!ret)
		ret = pr_config_load_string(path, buf, len, cfg, err);
	free(buf);
	return ret;
}

const char *pr_cfg_error_str(const struct pr_cfg_error *e, char *buf, size_t size)
{
	const char *file = e->file[0] ? e->file : "<config>";

	if (e->line)
		snprintf(buf, size, "%s:%u:%u: %s", file, e->line, e->column, e->msg);
	else
		snprintf(buf, size, "%s: %s", file, e->msg);
	return buf;
}

static int check_dev(const struct pr_config *c, const char *dev, struct pr_cfg_pos pos,
		     const char *who, struct pr_cfg_error *err)
{
	char q[QBUF];
	int e;

	errno = 0;
	if (if_nametoindex(dev))
		return 0;
	e = errno ? errno : ENODEV;
	err_init(err, c->file[0] ? c->file : "<config>");
	err->line = pos.line;
	err->column = pos.column;
	quote(dev, strlen(dev), q, sizeof(q));
	if (e == ENODEV) {
		snprintf(err->msg, sizeof(err->msg), "device %s (%s) does not exist", q, who);
		return -ENODEV;
	}
	snprintf(err->msg, sizeof(err->msg), "cannot look up device %s (%s): %s", q, who,
		 strerror(e));
	return -e;
}

int pr_config_check_devices(const struct pr_config *cfg, struct pr_cfg_error *err)
{
	struct pr_cfg_error dummy;
	char who[LBUF];
	int ret = 0;

	if (!err)
		err = &dummy;
	for (unsigned i = 0; !ret && i < cfg->nunderlay; i++)
		ret = check_dev(cfg, cfg->underlay[i], cfg->pos_underlay[i], "interfaces.underlay", err);
	if (!ret && cfg->brex[0])
		ret = check_dev(cfg, cfg->brex, cfg->pos_brex, "interfaces.brex", err);
	for (unsigned i = 0; !ret && i < cfg->novn; i++)
		ret = check_dev(cfg, cfg->ovn[i], cfg->pos_ovn[i], "interfaces.ovn", err);
	for (unsigned i = 0; !ret && i < cfg->nnetworks; i++) {
		const struct pr_cfg_network *n = &cfg->networks[i];

		if (n->target == PR_TGT_PORT) {
			snprintf(who, sizeof(who), "target port of network \"%s\"", n->name);
			ret = check_dev(cfg, n->port, n->pos_port, who, err);
		}
		if (!ret && n->has_vrf && n->vrf_name[0]) {
			snprintf(who, sizeof(who), "vrf of network \"%s\"", n->name);
			ret = check_dev(cfg, n->vrf_name, n->pos_vrf_name, who, err);
		}
	}
	if (!ret)
		memset(err, 0, sizeof(*err));
	return ret;
}

void pr_config_free(struct pr_config *cfg)
{
	if (!cfg)
		return;
	free(cfg->networks);
	memset(cfg, 0, sizeof(*cfg));
}

const struct pr_cfg_network *pr_config_find_network(const struct pr_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->nnetworks; i++)
		if (!strcmp(cfg->networks[i].name, name))
			return &cfg->networks[i];
	return NULL;
}

/* ---- equality ---- */

/* Set equality for lists without duplicates (the loader refuses those). */
static bool names_equal(const char (*a)[IFNAMSIZ], unsigned na, const char (*b)[IFNAMSIZ],
			unsigned nb)
{
	if (na != nb)
		return false;
	for (unsigned i = 0; i < na; i++) {
		unsigned j;

		for (j = 0; j < nb && strcmp(a[i], b[j]); j++)
			;
		if (j == nb)
			return false;
	}
	return true;
}

static bool prefixes_equal(const struct pr_prefix *a, unsigned na, const struct pr_prefix *b,
			   unsigned nb)
{
	if (na != nb)
		return false;
	for (unsigned i = 0; i < na; i++) {
		unsigned j;

		for (j = 0; j < nb && !pr_prefix_equal(&a[i], &b[j]); j++)
			;
		if (j == nb)
			return false;
	}
	return true;
}

static bool u32s_equal(const uint32_t *a, unsigned na, const uint32_t *b, unsigned nb)
{
	if (na != nb)
		return false;
	for (unsigned i = 0; i < na; i++) {
		unsigned j;

		for (j = 0; j < nb && a[i] != b[j]; j++)
			;
		if (j == nb)
			return false;
	}
	return true;
}

static bool u8s_equal(const uint8_t *a, unsigned na, const uint8_t *b, unsigned nb)
{
	if (na != nb)
		return false;
	for (unsigned i = 0; i < na; i++)
		if (!memchr(b, a[i], nb))
			return false;
	return true;
}

static bool network_equal(const struct pr_cfg_network *a, const struct pr_cfg_network *b)
{
	if (a->id != b->id || a->antispoof != b->antispoof || a->shadow != b->shadow ||
	    a->has_vrf != b->has_vrf || a->target != b->target ||
	    !prefixes_equal(a->prefixes, a->nprefixes, b->prefixes, b->nprefixes))
		return false;
	if (a->has_vrf && (a->vrf_table != b->vrf_table || strcmp(a->vrf_name, b->vrf_name)))
		return false;
	if (a->target != PR_TGT_PORT)
		return true;
	if (strcmp(a->port, b->port) || a->has_mac != b->has_mac)
		return false;
	return a->has_mac ? !memcmp(a->mac, b->mac, 6) : pr_prefix_equal(&a->neighbour, &b->neighbour);
}

int pr_config_equal(const struct pr_config *a, const struct pr_config *b)
{
	if (a->shadow != b->shadow || a->mode != b->mode || a->force_xdp != b->force_xdp ||
	    a->accept_covering != b->accept_covering ||
	    strcmp(a->brex, b->brex) ||
	    a->max_learned_routes != b->max_learned_routes || a->nnetworks != b->nnetworks ||
	    a->stale_after_seconds != b->stale_after_seconds ||
	    !names_equal(a->underlay, a->nunderlay, b->underlay, b->nunderlay) ||
	    !names_equal(a->ovn, a->novn, b->ovn, b->novn) ||
	    !u32s_equal(a->accept_tables, a->naccept_tables, b->accept_tables, b->naccept_tables) ||
	    !prefixes_equal(a->accept_prefixes, a->naccept_prefixes, b->accept_prefixes,
			    b->naccept_prefixes) ||
	    !u8s_equal(a->accept_protocols, a->naccept_protocols, b->accept_protocols,
		       b->naccept_protocols))
		return 0;
	for (unsigned i = 0; i < a->nnetworks; i++) {
		const struct pr_cfg_network *nb = pr_config_find_network(b, a->networks[i].name);

		if (!nb || !network_equal(&a->networks[i], nb))
			return 0;
	}
	return 1;
}

/* ---- dump ---- */

/* A name as YAML: plain when that reads back as the same string, else
 * double-quoted (device names may hold almost any character). */
static void dump_str(FILE *f, const char *s)
{
	static const char *const special[] = { "~", "null", "Null", "NULL", "true", "True",
					       "TRUE", "false", "False", "FALSE" };
	size_t len = strlen(s);
	bool plain = len && s[0] != '-' && s[0] != ':' && s[len - 1] != ':';

	for (size_t i = 0; plain && i < len; i++) {
		char c = s[i];

		plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			c == '_' || c == '.' || c == '-' || c == '/' || c == ':';
	}
	for (size_t i = 0; plain && i < ARRAY_LEN(special); i++)
		plain = strcmp(s, special[i]);
	if (plain) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
		if (*c == '"' || *c == '\\')
			fprintf(f, "\\%c", *c);
		else if (*c < 0x20 || *c == 0x7f)
			fprintf(f, "\\x%02x", *c);
		else
			fputc(*c, f);
	}
	fputc('"', f);
}

static void dump_names(FILE *f, const char (*names)[IFNAMSIZ], unsigned n)
{
	fputc('[', f);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		dump_str(f, names[i]);
	}
	fputc(']', f);
}

static void dump_prefixes(FILE *f, const struct pr_prefix *p, unsigned n)
{
	char buf[PR_PREFIX_STRLEN];

	fputc('[', f);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			fputs(", ", f);
		dump_str(f, pr_prefix_format(&p[i], buf, sizeof(buf)));
	}
	fputc(']', f);
}

static void dump_network(FILE *f, const struct pr_cfg_network *n)
{
	char buf[PR_PREFIX_STRLEN];

	fputs("  - name: ", f);
	dump_str(f, n->name);
	fprintf(f, "\n    id: %u\n    prefixes: ", n->id);
	dump_prefixes(f, n->prefixes, n->nprefixes);
	fputc('\n', f);
	if (n->has_vrf) {
		fputs("    vrf: {", f);
		if (n->vrf_name[0]) {
			fputs("name: ", f);
			dump_str(f, n->vrf_name);
			fputs(", ", f);
		}
		fprintf(f, "table: %u}\n", n->vrf_table);
	}
	fputs("    target: {", f);
	switch (n->target) {
	case PR_TGT_PORT:
		fputs("port: ", f);
		dump_str(f, n->port);
		if (n->has_mac) {
			fprintf(f, ", mac: %s", pr_mac_format(n->mac, buf, sizeof(buf)));
		} else {
			/* The neighbour is a host prefix; write the bare address. */
			pr_prefix_format(&n->neighbour, buf, sizeof(buf));
			*strchr(buf, '/') = '\0';
			fputs(", neighbour: ", f);
			dump_str(f, buf);
		}
		break;
	case PR_TGT_VRF:
		fputs("vrf: true", f);
		break;
	default:
		fprintf(f, "action: %s", pr_target_kind_name(n->target));
		break;
	}
	fprintf(f, "}\n    antispoof: %s\n    shadow: %s\n", n->antispoof ? "true" : "false",
		n->shadow ? "true" : "false");
}

void pr_config_dump(const struct pr_config *c, FILE *f)
{
	fprintf(f, "shadow: %s\ninterfaces:\n  underlay: ", c->shadow ? "true" : "false");
	dump_names(f, c->underlay, c->nunderlay);
	if (c->brex[0]) {
		fputs("\n  brex: ", f);
		dump_str(f, c->brex);
	}
	fputs("\n  ovn: ", f);
	dump_names(f, c->ovn, c->novn);
	fprintf(f, "\n  mode: %s\n", pr_attach_mode_name(c->mode));
	if (c->force_xdp)
		fputs("  force_xdp: true\n", f);
	fprintf(f, "limits:\n  max_learned_routes: %u\n  stale_after_seconds: %u\naccept:\n  tables: [",
		c->max_learned_routes, c->stale_after_seconds);
	for (unsigned i = 0; i < c->naccept_tables; i++) {
		const char *name = num_name(table_names, ARRAY_LEN(table_names), c->accept_tables[i]);

		fprintf(f, "%s", i ? ", " : "");
		if (name)
			fputs(name, f);
		else
			fprintf(f, "%u", c->accept_tables[i]);
	}
	fputs("]\n  prefixes: ", f);
	dump_prefixes(f, c->accept_prefixes, c->naccept_prefixes);
	fputs("\n  protocols: [", f);
	for (unsigned i = 0; i < c->naccept_protocols; i++) {
		const char *name = num_name(proto_names, ARRAY_LEN(proto_names),
					    c->accept_protocols[i]);

		fprintf(f, "%s", i ? ", " : "");
		if (name)
			fputs(name, f);
		else
			fprintf(f, "%u", c->accept_protocols[i]);
	}
	fputs(c->accept_covering ? "]\n  covering: true\nnetworks:\n" : "]\nnetworks:\n", f);
	for (unsigned i = 0; i < c->nnetworks; i++)
		dump_network(f, &c->networks[i]);
	if (c->refused_objects)
		fprintf(f, "refused_objects: %u\n", c->refused_objects);
}
