// SPDX-License-Identifier: GPL-2.0-only
/* Attach / detach podroute's XDP and TC programs safely (see attach.h). */
#include "datapath/attach.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath/load.h"
#include "datapath/ownership.h"
#include "lib/log.h"

int pr_xdp_query(int ifindex, uint32_t *prog_id, char *name, size_t name_len, int *mode)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	int err = bpf_xdp_query(ifindex, 0, &q);

	if (err)
		return err;
	*prog_id = q.prog_id;
	if (mode)
		*mode = q.attach_mode;
	if (name && name_len) {
		name[0] = '\0';
		if (q.prog_id)
			pr_prog_name_by_id(q.prog_id, name, name_len);
	}
	return 0;
}

int pr_xdp_attach(int ifindex, int prog_fd, enum pr_xdp_mode mode)
{
	uint32_t flags = mode == PR_XDP_NATIVE ? XDP_FLAGS_DRV_MODE : XDP_FLAGS_SKB_MODE;
	char ifname[IF_NAMESIZE] = "?", other[64];
	LIBBPF_OPTS(bpf_xdp_attach_opts, o);
	enum pr_owner owner;
	uint32_t id = 0;
	int err, old_fd = -1;

	if_indextoname(ifindex, ifname);
	pr_xdp_query(ifindex, &id, NULL, 0, NULL);
	owner = pr_prog_owner(id, other, sizeof(other));
	if (id && owner != PR_OWNER_US) {
		log_err("%s: XDP program %u (%s) is already attached, %s", ifname, id, other,
			pr_owner_refusal(owner));
		return -EBUSY;
	}
	if (id) {
		/* Our own earlier program (agent restart, upgrade): swap it
		 * atomically, so that no packet sees the device without one. */
		old_fd = bpf_prog_get_fd_by_id(id);
		if (old_fd >= 0) {
			o.old_prog_fd = old_fd;
			flags |= XDP_FLAGS_REPLACE;
		} else if (errno != EPERM) {
			return -errno;
		}
		/* Without CAP_SYS_ADMIN the old program cannot be opened: swap
		 * it without the REPLACE guard (still atomic for packets). */
	} else {
		flags |= XDP_FLAGS_UPDATE_IF_NOEXIST;
	}
	err = bpf_xdp_attach(ifindex, prog_fd, flags, &o);
	if (old_fd >= 0)
		close(old_fd);
	if (err == -EBUSY || err == -EEXIST)
		log_err("%s: another XDP program appeared while attaching; left it alone", ifname);
	else if (err)
		log_debug("%s: cannot attach XDP in %s mode: %s", ifname,
			  mode == PR_XDP_NATIVE ? "native" : "generic", strerror(-err));
	return err;
}

int pr_xdp_detach(int ifindex)
{
	char name[64], ifname[IF_NAMESIZE] = "?";
	enum pr_owner owner;
	uint32_t id;
	int mode, fd, err;
	LIBBPF_OPTS(bpf_xdp_attach_opts, o);

	if_indextoname(ifindex, ifname);
	err = pr_xdp_query(ifindex, &id, NULL, 0, &mode);
	if (err || !id)
		return err;
	owner = pr_prog_owner(id, name, sizeof(name));
	if (owner != PR_OWNER_US) {
		log_warn("%s: leaving XDP program %u (%s) alone: %s", ifname, id, name, pr_owner_refusal(owner));
		return -EPERM;
	}
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0 && errno == EPERM) {
		/* Ours by its recorded id, but not ours to open (no
		 * CAP_SYS_ADMIN): detach whatever is there in that mode. */
		err = bpf_xdp_detach(ifindex, mode == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE,
				     NULL);
		if (err)
			log_err("%s: cannot detach XDP program %u: %s", ifname, id, strerror(-err));
		return err;
	}
	if (fd < 0)
		return -errno;
	/* REPLACE with the program we saw: fails rather than remove one that
	 * appeared in between. */
	o.old_prog_fd = fd;
	err = bpf_xdp_detach(ifindex,
			     XDP_FLAGS_REPLACE | (mode == XDP_ATTACHED_SKB ? XDP_FLAGS_SKB_MODE
									 : XDP_FLAGS_DRV_MODE),
			     &o);
	close(fd);
	if (err)
		log_err("%s: cannot detach XDP program %u: %s", ifname, id, strerror(-err));
	return err;
}

int pr_tc_attach(int ifindex, int prog_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = PR_TC_HANDLE, .priority = PR_TC_PRIO,
		    .prog_fd = prog_fd);
	char ifname[IF_NAMESIZE] = "?", name[64];
	enum pr_owner owner;
	uint32_t id;
	int err;

	if_indextoname(ifindex, ifname);
	err = pr_tc_query(ifindex, &id);
	if (err)
		return err;
	owner = pr_prog_owner(id, name, sizeof(name));
	if (id && owner != PR_OWNER_US) {
		log_err("%s: TC filter handle %#x priority %#x holds program %u (%s), %s", ifname,
			PR_TC_HANDLE, PR_TC_PRIO, id, name, pr_owner_refusal(owner));
		return -EBUSY;
	}
	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST) {
		log_err("%s: cannot create the clsact qdisc: %s", ifname, strerror(-err));
		return err;
	}
	/* Our handle/priority pair, checked above: replacing our own earlier
	 * filter (an upgrade) is fine. */
	opts.flags = BPF_TC_F_REPLACE;
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		log_err("%s: cannot attach the TC ingress filter: %s", ifname, strerror(-err));
	return err;
}

int pr_tc_query(int ifindex, uint32_t *prog_id)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = PR_TC_HANDLE, .priority = PR_TC_PRIO);
	int err = bpf_tc_query(&hook, &opts);

	*prog_id = 0;
	if (err == -ENOENT || err == -EINVAL)
		return 0; /* no clsact, or no filter of ours */
	if (err)
		return err;
	*prog_id = opts.prog_id;
	return 0;
}

int pr_tc_detach(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = PR_TC_HANDLE, .priority = PR_TC_PRIO);
	char name[64], ifname[IF_NAMESIZE] = "?";
	enum pr_owner owner;
	uint32_t id;
	int err = pr_tc_query(ifindex, &id);

	if (err || !id)
		return err;
	owner = pr_prog_owner(id, name, sizeof(name));
	if (owner != PR_OWNER_US) {
		if_indextoname(ifindex, ifname);
		log_warn("%s: leaving TC program %u (%s) alone: %s", ifname, id, name, pr_owner_refusal(owner));
		return -EPERM;
	}
	return bpf_tc_detach(&hook, &opts);
}
