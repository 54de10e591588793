/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The set of interfaces podroute attaches to, by role, and the work of
 * attaching it: TC ingress on every interface, and XDP in front of it only
 * where XDP sees each packet as the kernel would (devcaps.h: a NIC that
 * keeps VLAN tags in the frame), then recording the result in pr_ifaces
 * (role, XDP present, router MACs) and pr_txports / pr_xdp_txports
 * (underlay devices are east-west targets). Shared by `podroute attach` and the agent.
 */
#ifndef PR_IFACES_H
#define PR_IFACES_H

#include <net/if.h>
#include <stdint.h>

#include "config/config.h"
#include "datapath/load.h"

enum pr_role { PR_ROLE_UNDERLAY, PR_ROLE_BREX, PR_ROLE_OVN };

struct pr_attach_if {
	char name[IF_NAMESIZE];
	enum pr_role role;
	uint32_t ifindex;
	uint8_t mac[6];
	char hooks[160]; /* what got attached, and why not XDP, for logs */
};

#define PR_ATTACH_MAX 32

struct pr_attach_set {
	struct pr_attach_if ifs[PR_ATTACH_MAX];
	unsigned n;
	enum pr_attach_mode mode;
	/* XDP even on a device whose packets XDP cannot fully see (devcaps.h):
	 * for labs whose veth peers send no local-socket traffic. */
	bool force_xdp;
	char error[256];
};

const char *pr_role_name(enum pr_role r);
int pr_attach_mode_parse(const char *s, enum pr_attach_mode *m);
/* -EINVAL on a bad/duplicate name or a full set. */
int pr_attach_set_add(struct pr_attach_set *s, const char *name, enum pr_role role);
bool pr_attach_set_has_underlay(const struct pr_attach_set *s);
/* Resolve ifindex and MAC of every interface; -ENODEV with s->error set. */
int pr_attach_set_resolve(struct pr_attach_set *s);
/* Attach every interface; on error s->error names the interface. */
int pr_attach_set_apply(struct pr_datapath *dp, struct pr_attach_set *s);

/* The maps that hold an interface's entry: pr_ifaces and pr_ifslots. */
struct pr_iface_maps {
	int ifaces, slots;
};

/* Write an interface's entry: pr_ifaces, then its slot in pr_ifslots
 * unless a lower ifindex still in pr_ifaces holds that (the rule and the
 * order of writes: include/podroute_abi.h; the reconciler follows the
 * same). 0 or -errno. */
int pr_iface_put(struct pr_iface_maps m, uint32_t ifindex, const struct pr_iface *v);

/* Detach podroute from one interface / every interface in pr_ifaces. */
int pr_detach_iface(struct pr_iface_maps m, uint32_t ifindex);
int pr_detach_all(struct pr_iface_maps m);

#endif
