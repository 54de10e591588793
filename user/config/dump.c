// SPDX-License-Identifier: GPL-2.0-only
/* A config's equality and its canonical dump (see config/config.h). */
#include "config/schema.h"

#include <stdio.h>
#include <string.h>

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
	    a->underlay_auto != b->underlay_auto ||
	    a->underlay_from_node != b->underlay_from_node ||
	    (a->underlay_auto && !a->underlay_from_node &&
	     !pr_prefix_equal(&a->underlay_from, &b->underlay_from)) ||
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

/* An interfaces section's keys, each line indented by ind. */
static void dump_interfaces(FILE *f, const struct pr_config *c, const char *ind)
{
	char a[PR_PREFIX_STRLEN];

	fprintf(f, "%sunderlay: ", ind);
	/* auto as written: a resolved device is the agent's finding. */
	if (c->underlay_auto)
		fprintf(f, "auto\n%sunderlay_from: %s", ind,
			c->underlay_from_node ? "node" : pr_config_addr_str(&c->underlay_from, a, sizeof(a)));
	else
		dump_names(f, c->underlay, c->nunderlay);
	if (c->brex[0]) {
		fprintf(f, "\n%sbrex: ", ind);
		dump_str(f, c->brex);
	}
	fprintf(f, "\n%sovn: ", ind);
	dump_names(f, c->ovn, c->novn);
	fprintf(f, "\n%smode: %s\n", ind, pr_attach_mode_name(c->mode));
	if (c->force_xdp)
		fprintf(f, "%sforce_xdp: true\n", ind);
}

static void dump_overrides(FILE *f, const struct pr_config *c)
{
	if (!c->noverrides)
		return;
	fputs("node_overrides:\n", f);
	for (unsigned i = 0; i < c->noverrides; i++) {
		const struct pr_cfg_override *o = &c->overrides[i];

		fputs("  - match_labels:\n", f);
		for (unsigned j = 0; j < o->nlabels; j++) {
			fputs("      ", f);
			dump_str(f, o->label_key[j]);
			fputs(": ", f);
			dump_str(f, o->label_value[j]);
			fputs("\n", f);
		}
		fputs("    interfaces:\n", f);
		dump_interfaces(f, &o->interfaces, "      ");
	}
}

void pr_config_dump(const struct pr_config *c, FILE *f)
{
	fprintf(f, "shadow: %s\ninterfaces:\n", c->shadow ? "true" : "false");
	dump_interfaces(f, c, "  ");
	fprintf(f, "limits:\n  max_learned_routes: %u\n  stale_after_seconds: %u\naccept:\n  tables: [",
		c->max_learned_routes, c->stale_after_seconds);
	for (unsigned i = 0; i < c->naccept_tables; i++) {
		const char *name = cfg_table_name(c->accept_tables[i]);

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
		const char *name = cfg_proto_name(c->accept_protocols[i]);

		fprintf(f, "%s", i ? ", " : "");
		if (name)
			fputs(name, f);
		else
			fprintf(f, "%u", c->accept_protocols[i]);
	}
	fputs(c->accept_covering ? "]\n  covering: true\nnetworks:\n" : "]\nnetworks:\n", f);
	for (unsigned i = 0; i < c->nnetworks; i++)
		dump_network(f, &c->networks[i]);
	dump_overrides(f, c);
	if (c->refused_objects)
		fprintf(f, "refused_objects: %u\n", c->refused_objects);
}
