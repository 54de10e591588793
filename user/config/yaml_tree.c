// SPDX-License-Identifier: GPL-2.0-only
/* The config file as a tree of positioned YAML nodes (see config/yaml_tree.h). */
#include "config/yaml_tree.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 32 /* the schema needs 5; deeper is refused, not recursed */

/* The text being read, and where its error goes. */
struct reader {
	const char *buf;
	size_t len;
	struct pr_cfg_error *err;
};

void cfg_ynode_free(struct ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->nkids; i++)
		cfg_ynode_free(n->kids[i]);
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


static struct pr_cfg_pos mark_pos(yaml_mark_t m)
{
	return (struct pr_cfg_pos){ .line = m.line + 1, .column = m.column + 1 };
}

int cfg_fail_at(struct pr_cfg_error *err, struct pr_cfg_pos pos, const char *fmt, ...)
{
	va_list ap;

	err->line = pos.line;
	err->column = pos.column;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

const char *cfg_quote(const char *s, size_t len, char *buf, size_t size)
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


/* Line and column of a byte offset, for reader errors that carry no mark. */
static struct pr_cfg_pos offset_pos(const struct reader *p, size_t off)
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

static int yaml_fail(struct reader *p, const yaml_parser_t *yp)
{
	const char *problem = yp->problem ? yp->problem : "unknown error";

	switch (yp->error) {
	case YAML_MEMORY_ERROR:
		snprintf(p->err->msg, sizeof(p->err->msg), "out of memory while parsing YAML");
		return -ENOMEM;
	case YAML_READER_ERROR:
		if (yp->problem_value != -1)
			return cfg_fail_at(p->err, offset_pos(p, yp->problem_offset),
				       "invalid input: %s (0x%x)", problem, yp->problem_value);
		return cfg_fail_at(p->err, offset_pos(p, yp->problem_offset), "invalid input: %s", problem);
	default:
		if (yp->context)
			return cfg_fail_at(p->err, mark_pos(yp->problem_mark),
				       "YAML syntax error: %s (%s at %zu:%zu)", problem, yp->context,
				       yp->context_mark.line + 1, yp->context_mark.column + 1);
		return cfg_fail_at(p->err, mark_pos(yp->problem_mark), "YAML syntax error: %s", problem);
	}
}

/* Anchors and tags would make one node mean several things or another
 * type; nothing in the schema needs them, so they are refused outright. */
static int check_props(struct reader *p, const yaml_event_t *ev, struct pr_cfg_pos pos)
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
		return cfg_fail_at(p->err, pos, "YAML anchors are not supported (&%.40s)", (const char *)anchor);
	if (tag)
		return cfg_fail_at(p->err, pos, "YAML tags are not supported (%s)",
			       cfg_quote((const char *)tag, strlen((const char *)tag), q, sizeof(q)));
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

static int load_tree(struct reader *p, struct ynode **root, struct pr_cfg_pos *end)
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
				ret = cfg_fail_at(p->err, pos, "more than one YAML document; the config is one document");
			break;
		case YAML_ALIAS_EVENT:
			ret = cfg_fail_at(p->err, pos, "YAML aliases are not supported (*%.40s)",
					  (const char *)ev.data.alias.anchor);
			break;
		case YAML_SCALAR_EVENT:
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			ret = check_props(p, &ev, pos);
			if (ret)
				break;
			if (ev.type != YAML_SCALAR_EVENT && ++depth > MAX_DEPTH) {
				ret = cfg_fail_at(p->err, pos, "nested deeper than %d levels", MAX_DEPTH);
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
				cfg_ynode_free(n);
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
		cfg_ynode_free(*root);
		*root = NULL;
	}
	return ret;
}


int cfg_yaml_tree_load(const char *buf, size_t len, struct pr_cfg_error *err,
		       struct ynode **root, struct pr_cfg_pos *end)
{
	struct reader r = { .buf = buf, .len = len, .err = err };

	return load_tree(&r, root, end);
}
