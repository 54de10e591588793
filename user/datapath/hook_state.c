// SPDX-License-Identifier: GPL-2.0-only
/* What is on an interface's hooks and the verdict on it (see hook_state.h). */
#include "datapath/hook_state.h"

#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/attach.h"
#include "datapath/xdp_multiprog.h"
#include "podroute_abi.h"

void pr_hooks_required(uint32_t if_flags, bool *xdp, bool *tc)
{
	*xdp = if_flags & PR_IF_F_XDP;
	*tc = !(if_flags & PR_IF_F_OVN) || !(if_flags & PR_IF_F_XDP);
}

/*
 * Whose program id is. Opening a stranger by id needs CAP_SYS_ADMIN, which
 * the least-privilege DaemonSet does not grant: then it cannot be told
 * apart, and a program where pr_ifaces (which only podroute writes) says
 * podroute attached one counts as ours.
 */
static void hook_fill(struct pr_hook *k, uint32_t id, bool recorded_here)
{
	k->id = id;
	k->name[0] = '\0';
	k->owner = pr_prog_owner(id, k->name, sizeof(k->name));
	k->ours = k->owner == PR_OWNER_US || (k->owner == PR_OWNER_UNREADABLE && recorded_here);
	if (k->owner == PR_OWNER_US)
		pr_prog_name_by_id(id, k->name, sizeof(k->name));
	/* Ours, but its name needs CAP_SYS_ADMIN (the DaemonSet's agent
	 * container): say whose rather than "?". */
	if (k->ours && !k->name[0])
		snprintf(k->name, sizeof(k->name), "podroute");
}

void pr_if_hooks_read(int ifaces_fd, uint32_t ifindex, struct pr_if_hooks *h)
{
	static const char *const modes[] = { "native", "generic", "offload" };
	char ifname[IF_NAMESIZE];
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	struct pr_iface ifc;
	uint32_t id = 0;

	memset(h, 0, sizeof(*h));
	h->ifindex = ifindex;
	h->exists = ifindex && if_indextoname(ifindex, ifname);
	if (ifaces_fd >= 0 && ifindex && !bpf_map_lookup_elem(ifaces_fd, &ifindex, &ifc)) {
		h->in_ifaces = true;
		h->if_flags = ifc.flags;
	}
	if (!h->exists)
		return;
	if (!pr_tc_query(ifindex, &id) && id)
		hook_fill(&h->tc, id, h->in_ifaces);
	if (bpf_xdp_query(ifindex, 0, &q))
		return;
	/* Native, generic and offloaded programs may coexist (mode MULTI):
	 * ours wins the report, else the first there is. */
	const uint32_t ids[3] = { q.drv_prog_id, q.skb_prog_id, q.hw_prog_id };

	for (int i = 0; i < 3 && !h->xdp.ours; i++) {
		struct pr_hook k = {};

		if (!ids[i])
			continue;
		hook_fill(&k, ids[i], h->in_ifaces && (h->if_flags & PR_IF_F_XDP));
		/* In libxdp's dispatcher our program is one of its extensions:
		 * only libxdp can tell. */
		if (k.owner == PR_OWNER_DISPATCHER) {
			char desc[sizeof(k.name)];
			bool inside = false;

			if (!pr_xdp_describe(ifindex, desc, sizeof(desc), &inside) && desc[0])
				snprintf(k.name, sizeof(k.name), "%s", desc);
			if (inside) {
				k.ours = true;
				k.owner = PR_OWNER_US;
			}
		}
		k.xdp_mode = modes[i];
		if (!h->xdp.id || k.ours)
			h->xdp = k;
	}
}

const char *pr_hook_owner_text(const struct pr_hook *k)
{
	if (!k->id)
		return "none";
	if (k->ours)
		return "ours";
	switch (k->owner) {
	case PR_OWNER_OTHER_PODROUTE: return "another podroute instance's";
	case PR_OWNER_DISPATCHER: return "someone else's (libxdp dispatcher without ours)";
	case PR_OWNER_UNREADABLE: return "someone else's (unreadable without CAP_SYS_ADMIN)";
	default: return "someone else's";
	}
}

enum pr_if_verdict pr_if_hooks_verdict(const struct pr_if_hooks *h, char *why, size_t len)
{
	const struct {
		const char *name;
		const struct pr_hook *k;
	} hooks[2] = { { "XDP", &h->xdp }, { "TC ingress", &h->tc } };
	bool need[2];
	enum pr_if_verdict v = PR_IFV_OK;
	size_t n = 0;

	if (why && len)
		why[0] = '\0';
	if (!h->exists) {
		if (why)
			snprintf(why, len, "no such device");
		return PR_IFV_NO_DEVICE;
	}
	if (!h->in_ifaces) {
		if (why)
			snprintf(why, len, "no pr_ifaces entry (the datapath does not know its role)");
		return PR_IFV_MISSING;
	}
	pr_hooks_required(h->if_flags, &need[0], &need[1]);
	for (int i = 0; i < 2; i++) {
		const struct pr_hook *k = hooks[i].k;
		enum pr_if_verdict this;

		if (!need[i] || k->ours)
			continue;
		this = k->id ? PR_IFV_FOREIGN : PR_IFV_MISSING;
		/* Someone else's program outranks a missing one: it is the
		 * likelier cause, and the one to go and find. */
		if (this == PR_IFV_FOREIGN || v == PR_IFV_OK)
			v = this;
		if (!why || n + 2 >= len)
			continue;
		if (k->id)
			n += snprintf(why + n, len - n, "%s%s holds program %u (%s), %s", n ? "; " : "",
				      hooks[i].name, k->id, k->name[0] ? k->name : "?", pr_hook_owner_text(k));
		else
			n += snprintf(why + n, len - n, "%s%s: no program of ours (detached behind podroute's back?)",
				      n ? "; " : "", hooks[i].name);
	}
	return v;
}

const char *pr_if_verdict_name(enum pr_if_verdict v)
{
	static const char *const names[] = { "ok", "missing", "foreign", "no-device" };

	return (unsigned)v < sizeof(names) / sizeof(names[0]) ? names[v] : "?";
}
