// SPDX-License-Identifier: GPL-2.0-only
/* Attach the datapath to a set of interfaces by role (see datapath/interfaces.h). */
#include "datapath/interfaces.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <netlink/route/link.h>
#include <netlink/route/link/vrf.h>

#include "datapath/attach.h"
#include "kernel/devcaps.h"
#include "kernel/features.h"
#include "datapath/xdp_multiprog.h"
#include "lib/log.h"
#include "podroute_abi.h"

const char *pr_role_name(enum pr_role r)
{
	return r == PR_ROLE_UNDERLAY ? "underlay" : r == PR_ROLE_BREX ? "brex" : "ovn";
}

int pr_attach_mode_parse(const char *s, enum pr_attach_mode *m)
{
	static const char *const names[] = { "auto", "native", "generic", "tc" };

	for (int i = 0; i < 4; i++)
		if (!strcmp(s, names[i])) {
			*m = i;
			return 0;
		}
	return -EINVAL;
}

int pr_attach_set_add(struct pr_attach_set *s, const char *name, enum pr_role role)
{
	if (s->n >= PR_ATTACH_MAX || !*name || strlen(name) >= IF_NAMESIZE)
		return -EINVAL;
	for (unsigned i = 0; i < s->n; i++)
		if (!strcmp(s->ifs[i].name, name))
			return -EINVAL;
	memset(&s->ifs[s->n], 0, sizeof(s->ifs[s->n]));
	snprintf(s->ifs[s->n].name, IF_NAMESIZE, "%s", name);
	s->ifs[s->n].role = role;
	s->n++;
	return 0;
}

bool pr_attach_set_has_underlay(const struct pr_attach_set *s)
{
	for (unsigned i = 0; i < s->n; i++)
		if (s->ifs[i].role == PR_ROLE_UNDERLAY)
			return true;
	return false;
}

static int link_mac(const char *name, uint8_t mac[6])
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), err = 0;

	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, IF_NAMESIZE, "%s", name);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

int pr_attach_set_resolve(struct pr_attach_set *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct pr_attach_if *a = &s->ifs[i];

		a->ifindex = if_nametoindex(a->name);
		if (!a->ifindex || link_mac(a->name, a->mac)) {
			snprintf(s->error, sizeof(s->error), "%s (%s interface): no such device", a->name,
				 pr_role_name(a->role));
			return -ENODEV;
		}
	}
	return 0;
}

/* XDP per mode (through libxdp): 0 attached, <0 not (errno), 1 not attempted
 * (a->hooks then says why). */
static int try_xdp(struct pr_datapath *dp, const struct pr_attach_set *s, struct pr_attach_if *a,
		   enum pr_prog_id id, char *why, size_t why_len)
{
	int err, safe;

	if (s->mode == PR_MODE_TC || a->role == PR_ROLE_BREX)
		return 1;
	safe = pr_dev_rx_xdp_safe(a->ifindex, why, why_len);
	if (safe < 0)
		snprintf(why, why_len, "cannot tell what it hands over: %s", strerror(-safe));
	if (safe <= 0 && !s->force_xdp) {
		snprintf(a->hooks, sizeof(a->hooks), "tc (no xdp: %s)", why);
		return s->mode == PR_MODE_AUTO ? 1 : -EOPNOTSUPP;
	}
	/* Underlay traffic goes mostly to OVN's ports, which take no XDP
	 * frames: without the hand-off (kernel/features.h) XDP would pass it
	 * all to the kernel, where TC redirects it. */
	if (s->mode == PR_MODE_AUTO && a->role == PR_ROLE_UNDERLAY && !s->force_xdp && !pr_kernel_has_xdp_meta()) {
		snprintf(a->hooks, sizeof(a->hooks), "%s",
			 "tc (no xdp: this kernel refuses XDP the metadata that hands packets for OVN's ports to TC)");
		return 1;
	}
	err = pr_xdp_attach_multi(dp, a->ifindex, id,
				  s->mode == PR_MODE_GENERIC ? PR_XDP_GENERIC : PR_XDP_NATIVE);
	if (!err)
		snprintf(a->hooks, sizeof(a->hooks), "xdp %s + tc%s",
			 s->mode == PR_MODE_GENERIC ? "generic" : "native", safe > 0 ? "" : " (forced)");
	return err;
}

/*
 * The table of the VRF the interface is enslaved to, 0 if none: it scopes
 * the interface's lookups (the routing domain of pr_routes4/6). The agent
 * keeps it current from netlink; this is attach's one-time reading.
 */
static uint32_t vrf_table_of(int ifindex)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *l = NULL, *m = NULL;
	uint32_t table = 0;
	int master;

	/* Any step failing leaves 0: not in a VRF, or not known to be. */
	if (sk && !nl_connect(sk, NETLINK_ROUTE) && !rtnl_link_get_kernel(sk, ifindex, NULL, &l) &&
	    (master = rtnl_link_get_master(l)) && !rtnl_link_get_kernel(sk, master, NULL, &m) &&
	    rtnl_link_is_vrf(m) && rtnl_link_vrf_get_tableid(m, &table))
		table = 0;
	rtnl_link_put(m);
	rtnl_link_put(l);
	nl_socket_free(sk);
	return table;
}

int pr_iface_put(struct pr_iface_maps m, uint32_t ifindex, const struct pr_iface *v)
{
	uint32_t slot = pr_ifslot_of(ifindex);
	struct pr_ifslot cur = {}, none = {}, e = { .ifc = *v, .ifindex = ifindex };
	struct pr_iface other;

	if (bpf_map_update_elem(m.ifaces, &ifindex, v, 0) || bpf_map_lookup_elem(m.slots, &slot, &cur))
		return -errno;
	if (cur.ifindex && cur.ifindex < ifindex && !bpf_map_lookup_elem(m.ifaces, &cur.ifindex, &other))
		return 0;
	if (bpf_map_update_elem(m.slots, &slot, &none, 0) || bpf_map_update_elem(m.slots, &slot, &e, 0))
		return -errno;
	return 0;
}

/* Remove an interface's entry: its slot first, which passes to the lowest
 * other ifindex of pr_ifaces that maps to it, then pr_ifaces. */
static int iface_remove(struct pr_iface_maps m, uint32_t ifindex)
{
	uint32_t slot = pr_ifslot_of(ifindex), key, *prev = NULL, heir = 0;
	struct pr_ifslot cur = {}, none = {}, e = {};

	if (bpf_map_lookup_elem(m.slots, &slot, &cur))
		return -errno;
	if (cur.ifindex == ifindex) {
		if (bpf_map_update_elem(m.slots, &slot, &none, 0))
			return -errno;
		while (!bpf_map_get_next_key(m.ifaces, prev, &key)) {
			if (key != ifindex && pr_ifslot_of(key) == slot && (!heir || key < heir))
				heir = key;
			prev = &key;
		}
		e.ifindex = heir;
		if (heir && !bpf_map_lookup_elem(m.ifaces, &heir, &e.ifc) &&
		    bpf_map_update_elem(m.slots, &slot, &e, 0))
			return -errno;
	}
	if (bpf_map_delete_elem(m.ifaces, &ifindex) && errno != ENOENT)
		return -errno;
	return 0;
}

static int attach_one(struct pr_datapath *dp, struct pr_attach_set *s, struct pr_attach_if *a,
		      const uint8_t *brex_mac, const int txports[2], struct pr_iface_maps im)
{
	bool ovn = a->role == PR_ROLE_OVN;
	enum pr_prog_id xdp_id = ovn ? PR_PROG_XDP_OVN : PR_PROG_XDP_UNDERLAY;
	int tc_fd = pr_datapath_prog_fd(dp, ovn ? PR_PROG_TC_OVN : PR_PROG_TC_INGRESS);
	struct pr_iface ifc = { .flags = ovn ? PR_IF_F_OVN : PR_IF_F_UNDERLAY, .nmacs = 1,
				.vrf_table = vrf_table_of(a->ifindex) };
	char why[128] = "";
	int err, xdp;

	memcpy(ifc.rmac[0], a->mac, 6);
	/* A NIC that is a port of br-ex receives frames for the bridge's MAC. */
	if (a->role == PR_ROLE_UNDERLAY && brex_mac) {
		memcpy(ifc.rmac[1], brex_mac, 6);
		ifc.nmacs = 2;
	}
	/* TC first, with no XDP flag: until XDP is in place, TC decides; after,
	 * TC carries out XDP's hand-offs to targets that take no XDP frames. */
	err = pr_tc_attach(a->ifindex, tc_fd) ?: pr_iface_put(im, a->ifindex, &ifc);
	if (err)
		goto fail;
	snprintf(a->hooks, sizeof(a->hooks), "tc");
	xdp = try_xdp(dp, s, a, xdp_id, why, sizeof(why));
	if (xdp < 0 && s->mode != PR_MODE_AUTO) {
		err = xdp;
		if (err == -EOPNOTSUPP) {
			snprintf(s->error, sizeof(s->error), "%s: refusing XDP: %s; use --mode auto or tc, "
				 "or --force-xdp if nothing local sends through it", a->name, why);
			return err;
		}
		goto fail;
	}
	if (xdp == 0) {
		ifc.flags |= PR_IF_F_XDP;
		err = pr_iface_put(im, a->ifindex, &ifc);
		if (err)
			goto fail;
	}
	if (a->role == PR_ROLE_UNDERLAY) {
		struct bpf_devmap_val v = { .ifindex = a->ifindex };

		err = bpf_map_update_elem(txports[0], &a->ifindex, &v, 0);
		if (!err && pr_dev_xdp_xmit(a->ifindex))
			err = bpf_map_update_elem(txports[1], &a->ifindex, &v, 0);
		if (err)
			goto fail;
	}
	return 0;
fail:
	if (err == -1)
		err = -errno;
	snprintf(s->error, sizeof(s->error), "%s: cannot attach as %s: %s", a->name,
		 pr_role_name(a->role), strerror(-err));
	return err;
}

int pr_attach_set_apply(struct pr_datapath *dp, struct pr_attach_set *s)
{
	const struct pr_iface_maps im = { pr_datapath_map_fd(dp, PR_MAP_IFACES),
					  pr_datapath_map_fd(dp, PR_MAP_IFSLOTS) };
	const int txports[2] = { pr_datapath_map_fd(dp, PR_MAP_TXPORTS),
				 pr_datapath_map_fd(dp, PR_MAP_XDP_TXPORTS) };
	int config_fd = pr_datapath_map_fd(dp, PR_MAP_CONFIG);
	const uint8_t *brex_mac = NULL;
	struct pr_global g = {};
	uint32_t zero = 0;
	int err;

	bpf_map_lookup_elem(config_fd, &zero, &g);
	if (g.abi_version && g.abi_version != PR_ABI_VERSION) {
		snprintf(s->error, sizeof(s->error), "pinned maps have ABI %u, this podroute %u: "
			 "detach --unpin first", g.abi_version, PR_ABI_VERSION);
		return -EINVAL;
	}
	g.abi_version = PR_ABI_VERSION;
	bpf_map_update_elem(config_fd, &zero, &g, 0);
	for (unsigned i = 0; i < s->n; i++)
		if (s->ifs[i].role == PR_ROLE_BREX)
			brex_mac = s->ifs[i].mac;
	for (unsigned i = 0; i < s->n; i++) {
		err = attach_one(dp, s, &s->ifs[i], brex_mac, txports, im);
		if (err)
			return err;
	}
	return 0;
}

int pr_detach_iface(struct pr_iface_maps m, uint32_t ifindex)
{
	char name[IF_NAMESIZE] = "?";
	int err = pr_xdp_detach_multi(ifindex), err2;

	if_indextoname(ifindex, name);
	if (err == -EPERM)
		err = 0; /* someone else's program: left alone, already logged */
	err2 = pr_tc_detach(ifindex);
	if (err || err2) {
		log_kv(LOG_LEVEL_ERR, LOG_FIELDS(LOG_STR("ifname", name)), "%s: detach failed: %s", name,
		       strerror(-(err ? err : err2)));
		return err ? err : err2;
	}
	err = iface_remove(m, ifindex);
	if (err)
		return err;
	log_kv(LOG_LEVEL_INFO, LOG_FIELDS(LOG_STR("ifname", name)), "%s: detached", name);
	return 0;
}

int pr_detach_all(struct pr_iface_maps m)
{
	uint32_t keys[PR_MAX_IFACES], *prev = NULL, key;
	unsigned n = 0;
	int ret = 0;

	/* Collect first: detaching deletes entries, which upsets iteration. */
	while (n < PR_MAX_IFACES && !bpf_map_get_next_key(m.ifaces, prev, &key)) {
		keys[n++] = key;
		prev = &keys[n - 1];
	}
	for (unsigned i = 0; i < n; i++)
		if (pr_detach_iface(m, keys[i]))
			ret = -EIO;
	return ret;
}
