// SPDX-License-Identifier: GPL-2.0-only
/*
 * XDP attachment through libxdp, so that podroute shares a device with
 * other XDP programs via libxdp's dispatcher where the kernel permits it
 * (freplace). Where it does not (the host kernel here refuses freplace),
 * libxdp attaches the program alone, and a program someone else attached
 * is never replaced: libxdp refuses, and so does podroute.
 *
 * libxdp must load the program itself (as BPF_PROG_TYPE_EXT for a
 * dispatcher slot), so it gets a second, unloaded copy of podroute's object
 * whose maps reuse the loaded datapath's maps: both copies then share every
 * entry, and only the chosen XDP program of the copy is loaded.
 *
 * A limit found on Debian 12 (libxdp 1.3.1) with kernel 6.12: the verifier
 * refuses podroute's program as a dispatcher extension ("Extension program
 * changes packet data, while original does not": podroute strips VLAN tags
 * and writes XDP metadata, the dispatcher's slots do not). So: alone on a
 * device, podroute attaches natively by itself; next to another tool's XDP
 * program it leaves that program alone and the caller falls back to TC.
 *
 * An XDP program of ours that is already attached with the same tag is
 * kept (an agent restart changes nothing on the device). One with another
 * tag (an upgrade) is replaced: atomically when attached alone, by
 * detach-then-attach inside a dispatcher (the slow path carries the
 * packets of that instant).
 */
#include "datapath/xdp_multiprog.h"

#include <errno.h>
#include <net/if.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "datapath/attach.h"
#include "datapath/ownership.h"
#include "kernel/features.h"
#include "lib/log.h"
#include "podroute.skel.h"

static enum xdp_attach_mode libxdp_mode(enum pr_xdp_mode m)
{
	return m == PR_XDP_NATIVE ? XDP_MODE_NATIVE : XDP_MODE_SKB;
}

/* Our program on ifindex, if any: in a dispatcher or alone. */
struct ours {
	struct xdp_multiprog *mp;
	struct xdp_program *prog; /* owned by mp */
	bool legacy;
};

static int find_ours(int ifindex, struct ours *o)
{
	struct xdp_program *p;

	memset(o, 0, sizeof(*o));
	o->mp = xdp_multiprog__get_from_ifindex(ifindex);
	if (libxdp_get_error(o->mp)) {
		o->mp = NULL;
		return 0; /* nothing attached */
	}
	o->legacy = xdp_multiprog__is_legacy(o->mp);
	if (o->legacy) {
		p = xdp_multiprog__main_prog(o->mp);
		if (p && pr_prog_is_ours(xdp_program__id(p)))
			o->prog = p;
		return 0;
	}
	for (p = xdp_multiprog__next_prog(NULL, o->mp); p; p = xdp_multiprog__next_prog(p, o->mp))
		if (pr_prog_is_ours(xdp_program__id(p)))
			o->prog = p;
	return 0;
}

/* An XDP program is attached whose name we may not read, and its id is one
 * podroute recorded (pr_progids). */
static bool unreadable_but_ours(int ifindex)
{
	char name[64] = "";
	uint32_t id = 0;

	return !pr_xdp_query(ifindex, &id, name, sizeof(name), NULL) && id && !name[0] && pr_prog_is_ours(id);
}

static bool same_tag(const struct xdp_program *attached, int fd)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return false;
	return !memcmp(xdp_program__tag(attached), info.tag, BPF_TAG_SIZE);
}

/* A second, unloaded copy of the object sharing dp's maps, with only prog. */
static struct bpf_object *shadow_object(struct pr_datapath *dp, const char *prog)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = "podroute");
	struct bpf_object *obj;
	struct bpf_program *p;
	struct bpf_map *m;
	const void *elf;
	size_t sz;

	elf = podroute__elf_bytes(&sz);
	obj = bpf_object__open_mem(elf, sz, &oo);
	if (libbpf_get_error(obj))
		return NULL;
	bpf_object__for_each_map(m, obj) {
		int i = pr_map_by_name(bpf_map__name(m));
		int fd = i < 0 ? -ENOENT : pr_datapath_map_fd(dp, i);

		bpf_map__set_pin_path(m, NULL);
		if (bpf_map__is_internal(m)) /* .rodata: pr_kernel_caps_apply below */
			continue;
		if (fd < 0 || bpf_map__reuse_fd(m, fd)) {
			bpf_object__close(obj);
			return NULL;
		}
	}
	if (pr_kernel_caps_apply(obj)) {
		bpf_object__close(obj);
		return NULL;
	}
	bpf_object__for_each_program(p, obj)
		bpf_program__set_autoload(p, !strcmp(bpf_program__name(p), prog));
	return obj;
}

int pr_xdp_attach_multi(struct pr_datapath *dp, int ifindex, enum pr_prog_id id, enum pr_xdp_mode mode)
{
	const char *name = pr_prog_name(id);
	char ifname[IF_NAMESIZE] = "?";
	struct bpf_object *obj = NULL;
	struct xdp_program *xp = NULL;
	struct ours o;
	int err;

	if_indextoname(ifindex, ifname);
	/* The kernel holds XDP in one mode at a time: ours in the other mode
	 * (a config that went from generic to native) leaves first, or the
	 * swap below would keep the old mode and report the new one. */
	{
		uint32_t cur_id = 0;
		int cur_mode = 0;

		if (!pr_xdp_query(ifindex, &cur_id, NULL, 0, &cur_mode) && cur_id &&
		    (cur_mode == XDP_ATTACHED_SKB) != (mode == PR_XDP_GENERIC) &&
		    pr_prog_is_ours(cur_id)) {
			err = pr_xdp_detach_multi(ifindex);
			if (err)
				return err;
		}
	}
	/* Without CAP_SYS_ADMIN libxdp cannot open what is attached (by id);
	 * our own earlier program, known by its recorded id, is swapped by
	 * attach.c as the single program it is. */
	if (unreadable_but_ours(ifindex))
		return pr_xdp_attach(ifindex, pr_datapath_prog_fd(dp, id), mode);
	find_ours(ifindex, &o);
	if (o.prog && !strcmp(xdp_program__name(o.prog), name) &&
	    same_tag(o.prog, pr_datapath_prog_fd(dp, id))) {
		log_debug("%s: %s already attached, same program: kept", ifname, name);
		err = 0;
		goto out;
	}
	if (o.prog && o.legacy) {
		/* Alone on the device: swap atomically (attach.c). */
		xdp_multiprog__close(o.mp);
		return pr_xdp_attach(ifindex, pr_datapath_prog_fd(dp, id), mode);
	}
	if (o.prog) {
		err = xdp_program__detach(o.prog, ifindex, xdp_multiprog__attach_mode(o.mp), 0);
		if (err) {
			log_err("%s: cannot take the old %s out of the dispatcher: %s", ifname,
				xdp_program__name(o.prog), strerror(-err));
			goto out;
		}
	}
	obj = shadow_object(dp, name);
	if (!obj) {
		err = -EINVAL;
		log_err("%s: cannot prepare %s for libxdp", ifname, name);
		goto out;
	}
	{
		DECLARE_LIBXDP_OPTS(xdp_program_opts, xo, .obj = obj, .prog_name = name);

		xp = xdp_program__create(&xo);
	}
	err = libxdp_get_error(xp);
	if (err) {
		xp = NULL;
		log_err("%s: libxdp cannot use %s: %s", ifname, name, strerror(-err));
		goto out;
	}
	/* libxdp probes freplace by loading its dispatcher; where the kernel
	 * refuses, libbpf warns before libxdp falls back: expected, not news. */
	log_libbpf_quiet(true);
	err = xdp_program__attach(xp, ifindex, libxdp_mode(mode), 0);
	log_libbpf_quiet(false);
	if (err == -EEXIST || err == -EBUSY) {
		uint32_t other = 0;
		char oname[64] = "";

		pr_xdp_query(ifindex, &other, oname, sizeof(oname), NULL);
		log_err("%s: XDP program %u (%s) is attached and this kernel cannot share the device "
		       "through libxdp's dispatcher; podroute does not replace programs it did not "
		       "install", ifname, other, oname);
		err = -EBUSY;
	} else if (err) {
		uint32_t other = 0;
		char oname[64] = "";

		pr_xdp_query(ifindex, &other, oname, sizeof(oname), NULL);
		if (!other) {
			/* Nobody to share with: attach alone, without libxdp. */
			log_debug("%s: libxdp attach: %s; attaching %s by itself", ifname, strerror(-err), name);
			err = pr_xdp_attach(ifindex, pr_datapath_prog_fd(dp, id), mode);
		} else {
			log_warn("%s: cannot join XDP program %u (%s) in libxdp's dispatcher (%s: this "
				"kernel refuses extension programs that change packet data); leaving it "
				"alone", ifname, other, oname, strerror(-err));
			err = -EBUSY;
		}
	}
out:
	if (!err && xp) {
		/* libxdp attached its own load of the program: record that id. */
		uint32_t now = 0;

		if (!pr_xdp_query(ifindex, &now, NULL, 0, NULL) && now)
			pr_progids_record(now);
	}
	xdp_program__close(xp); /* the attachment keeps the program alive */
	bpf_object__close(obj);
	xdp_multiprog__close(o.mp);
	return err;
}

int pr_xdp_detach_multi(int ifindex)
{
	char ifname[IF_NAMESIZE] = "?";
	struct ours o;
	int err = 0;

	if_indextoname(ifindex, ifname);
	if (unreadable_but_ours(ifindex))
		return pr_xdp_detach(ifindex);
	find_ours(ifindex, &o);
	if (!o.mp)
		return 0;
	if (o.legacy) {
		xdp_multiprog__close(o.mp);
		return pr_xdp_detach(ifindex); /* checks the name, REPLACE-guarded */
	}
	if (o.prog) {
		err = xdp_program__detach(o.prog, ifindex, xdp_multiprog__attach_mode(o.mp), 0);
		if (err)
			log_err("%s: cannot take %s out of the dispatcher: %s", ifname,
				xdp_program__name(o.prog), strerror(-err));
	}
	xdp_multiprog__close(o.mp);
	return err;
}

int pr_xdp_describe(int ifindex, char *buf, size_t len, bool *ours_present)
{
	struct ours o;
	struct xdp_program *p;
	size_t n = 0;

	buf[0] = '\0';
	*ours_present = false;
	find_ours(ifindex, &o);
	if (!o.mp)
		return 0;
	*ours_present = o.prog != NULL;
	if (o.legacy) {
		p = xdp_multiprog__main_prog(o.mp);
		snprintf(buf, len, "%s", p ? xdp_program__name(p) : "?");
	} else {
		n = snprintf(buf, len, "dispatcher[");
		for (p = xdp_multiprog__next_prog(NULL, o.mp); p && n < len;
		     p = xdp_multiprog__next_prog(p, o.mp))
			n += snprintf(buf + n, len - n, "%s%s", n > 11 ? "," : "", xdp_program__name(p));
		if (n < len)
			snprintf(buf + n, len - n, "]");
	}
	xdp_multiprog__close(o.mp);
	return 0;
}
