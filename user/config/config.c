// SPDX-License-Identifier: GPL-2.0-only
/*
 * The agent's config loader (schema and rules in config.h). libyaml's event
 * parser feeds a small tree of nodes that keep their file positions; the
 * schema walkers then fill a struct pr_config and the cross checks judge
 * it as a whole, so that one bad line rejects the whole file and the
 * message names the node at fault. A tree rather than a single pass over
 * the events because a network's name is needed (for messages) before its
 * other keys, and overlaps and duplicate ids are only visible at the end.
 *
 * The parts: yaml_tree.c (YAML to the tree), schema.c (messages, mappings,
 * scalars), sections.c (interfaces, limits, accept), networks.c (networks
 * and the whole-config checks), dump.c (equality, canonical dump); here the
 * top level and the API.
 */
#include "config/schema.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- top level ---- */

static const char *const top_keys[] = { "shadow", "interfaces", "limits", "accept", "networks",
					"refused_objects", "node_overrides" };

static int parse_top(struct parser *p, const struct ynode *root, struct pr_cfg_pos end)
{
	struct where w = { 0 };
	char d[QBUF];
	int ret;

	if (!root || cfg_is_null(root))
		return fail_at(p, root ? root->pos : end,
			       "the config is empty (expected a mapping with \"interfaces\" and \"networks\")");
	if (root->type != YN_MAP)
		return fail(p, root, "the top level must be a mapping with \"interfaces\" and "
			    "\"networks\", got %s", cfg_describe(root, d, sizeof(d)));
	ret = cfg_check_keys(p, root, top_keys, ARRAY_LEN(top_keys), &w);
	for (size_t i = 0; !ret && i < root->nkids; i += 2) {
		const char *k = root->kids[i]->str;
		const struct ynode *v = root->kids[i + 1];

		if (!strcmp(k, "interfaces"))
			ret = cfg_parse_interfaces(p, v);
		else if (!strcmp(k, "networks"))
			ret = cfg_parse_networks(p, v);
		else if (cfg_is_null(v))
			continue;
		else if (!strcmp(k, "shadow"))
			ret = cfg_get_bool(p, v, &w, "shadow", &p->cfg->shadow);
		else if (!strcmp(k, "limits"))
			ret = cfg_parse_limits(p, v);
		else if (!strcmp(k, "node_overrides"))
			ret = cfg_parse_overrides(p, v);
		else if (!strcmp(k, "refused_objects")) {
			uint64_t n;

			ret = cfg_get_uint(p, v, &w, "refused_objects", 0, UINT32_MAX, &n);
			p->cfg->refused_objects = (uint32_t)n;
		} else
			ret = cfg_parse_accept(p, v);
	}
	if (ret)
		return ret;
	if (!cfg_map_get(root, "interfaces", NULL))
		return cfg_missing_key(p, root, "interfaces", &w);
	if (!cfg_map_get(root, "networks", NULL))
		return cfg_missing_key(p, root, "networks", &w);
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
	ret = cfg_yaml_tree_load(p.buf, p.len, p.err, &root, &end);
	if (!ret)
		ret = parse_top(&p, root, end);
	if (ret == -ENOMEM) {
		p.err->line = p.err->column = 0;
		snprintf(p.err->msg, sizeof(p.err->msg), "out of memory");
	}
	cfg_ynode_free(root);
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
	cfg_quote(dev, strlen(dev), q, sizeof(q));
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
	free(cfg->overrides);
	memset(cfg, 0, sizeof(*cfg));
}

/* The interface fields of a config (the interfaces section). */
static void copy_interfaces(struct pr_config *to, const struct pr_config *from)
{
	memcpy(to->underlay, from->underlay, sizeof(to->underlay));
	to->nunderlay = from->nunderlay;
	to->underlay_auto = from->underlay_auto;
	to->underlay_from = from->underlay_from;
	to->underlay_from_node = from->underlay_from_node;
	memcpy(to->brex, from->brex, sizeof(to->brex));
	memcpy(to->ovn, from->ovn, sizeof(to->ovn));
	to->novn = from->novn;
	to->mode = from->mode;
	to->force_xdp = from->force_xdp;
	memcpy(to->pos_underlay, from->pos_underlay, sizeof(to->pos_underlay));
	to->pos_brex = from->pos_brex;
	memcpy(to->pos_ovn, from->pos_ovn, sizeof(to->pos_ovn));
	to->pos_underlay_from = from->pos_underlay_from;
}

int pr_config_apply_overrides(struct pr_config *cfg,
			      bool (*has_label)(const char *key, const char *value, void *ctx), void *ctx,
			      struct pr_cfg_pos *where)
{
	int chosen = -1;

	for (unsigned i = 0; chosen < 0 && i < cfg->noverrides; i++) {
		const struct pr_cfg_override *o = &cfg->overrides[i];
		unsigned j = 0;

		while (j < o->nlabels && has_label(o->label_key[j], o->label_value[j], ctx))
			j++;
		if (j == o->nlabels)
			chosen = (int)i;
	}
	if (chosen >= 0) {
		copy_interfaces(cfg, &cfg->overrides[chosen].interfaces);
		if (where)
			*where = cfg->overrides[chosen].pos;
	}
	free(cfg->overrides);
	cfg->overrides = NULL;
	cfg->noverrides = 0;
	return chosen;
}

const char *pr_config_addr_str(const struct pr_prefix *a, char *buf, size_t size)
{
	if (!inet_ntop(a->family, a->addr, buf, size))
		snprintf(buf, size, "?");
	return buf;
}

int pr_config_set_auto_underlay(struct pr_config *cfg, const char *dev, struct pr_cfg_error *err)
{
	char q[QBUF], a[PR_PREFIX_STRLEN];
	const char *role = NULL;

	if (!strcmp(cfg->brex, dev))
		role = "interfaces.brex";
	for (unsigned i = 0; i < cfg->novn; i++)
		if (!strcmp(cfg->ovn[i], dev))
			role = "interfaces.ovn";
	if (role) {
		err_init(err, cfg->file[0] ? cfg->file : "<config>");
		err->line = cfg->pos_underlay[0].line;
		err->column = cfg->pos_underlay[0].column;
		snprintf(err->msg, sizeof(err->msg), "underlay: auto: the route to %s leaves through %s, "
			 "which is %s; name the NIC under it in interfaces.underlay",
			 pr_config_addr_str(&cfg->underlay_from, a, sizeof(a)), cfg_quote(dev, strlen(dev), q, sizeof(q)),
			 role);
		return -EINVAL;
	}
	snprintf(cfg->underlay[0], IFNAMSIZ, "%s", dev);
	cfg->nunderlay = 1;
	return 0;
}

const struct pr_cfg_network *pr_config_find_network(const struct pr_config *cfg, const char *name)
{
	for (unsigned i = 0; i < cfg->nnetworks; i++)
		if (!strcmp(cfg->networks[i].name, name))
			return &cfg->networks[i];
	return NULL;
}

