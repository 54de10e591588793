// SPDX-License-Identifier: GPL-2.0-only
/* Load the datapath skeleton, pinned or private (see loader.h). */
#include "loader.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "caps.h"
#include "log.h"
#include "lsx.h"
#include "podroute.skel.h"

static const char *const prog_names[PR_PROG__COUNT] = {
	[PR_PROG_XDP_UNDERLAY] = "xdp_underlay",
	[PR_PROG_TC_INGRESS] = "tc_ingress",
	[PR_PROG_XDP_OVN] = "xdp_ovn",
	[PR_PROG_TC_OVN] = "tc_ovn",
};

const char *pr_prog_name(enum pr_prog_id id)
{
	return id < PR_PROG__COUNT ? prog_names[id] : "?";
}

/*
 * Pins must live on a bpf filesystem. `ip netns exec` remounts /sys, which
 * hides /sys/fs/bpf: say so instead of letting libbpf fail obscurely.
 */
static int check_pin_dir(const char *dir)
{
	struct statfs st;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		pr_err("%s: cannot create the pin directory: %s (is bpffs mounted? "
		       "mount -t bpf bpf /sys/fs/bpf; under `ip netns exec`, /sys is remounted: "
		       "use nsenter --net instead)", dir, strerror(errno));
		return -errno;
	}
	if (statfs(dir, &st) || st.f_type != BPF_FS_MAGIC) {
		pr_err("%s: not on a bpf filesystem (mount -t bpf bpf /sys/fs/bpf; under `ip netns "
		       "exec`, /sys is remounted: use nsenter --net instead)", dir);
		return -ENOTDIR;
	}
	return 0;
}

/*
 * Adopt every map already pinned under dir (an earlier agent's), so that
 * programs loaded now share the entries forwarding uses: a restart or an
 * upgrade never flushes. libbpf's own reuse compares map_flags, which the
 * kernel changes for devmaps (it adds BPF_F_RDONLY_PROG), so the check is
 * done here: same type, key and value sizes. A prefix map keeps the
 * capacity it was created with.
 */
static int adopt_pinned(struct pr_datapath *dp, const char *dir)
{
	struct bpf_map *m;
	char path[512];

	bpf_object__for_each_map(m, dp->skel->obj) {
		struct bpf_map_info info = {};
		uint32_t len = sizeof(info);
		int fd, err;

		snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(m));
		fd = bpf_obj_get(path);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			err = -errno;
			pr_err("%s: cannot open the pinned map: %s", path, strerror(-err));
			return err;
		}
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != bpf_map__type(m) ||
		    info.key_size != bpf_map__key_size(m) || info.value_size != bpf_map__value_size(m)) {
			pr_err("%s: pinned map has another layout (an incompatible podroute left it; "
			       "podroute detach --unpin, then attach again)", path);
			close(fd);
			return -EINVAL;
		}
		bpf_map__set_max_entries(m, info.max_entries);
		err = bpf_map__reuse_fd(m, fd);
		close(fd); /* reuse_fd took its own reference */
		if (err) {
			pr_err("%s: cannot reuse the pinned map: %s", path, strerror(-err));
			return err;
		}
		pr_debug("%s: adopted", path);
	}
	return 0;
}

static uint32_t lsx_lines(uint32_t opt, uint32_t def)
{
	return pr_lsx_map_lines(opt == PR_LSX_OFF ? 0 : opt ? opt : def);
}

/* Pin the maps this load created (adopted ones are pinned already). */
static int pin_new_maps(struct pr_datapath *dp, const char *dir)
{
	struct bpf_map *m;
	char path[512];

	bpf_object__for_each_map(m, dp->skel->obj) {
		int err;

		snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(m));
		if (!access(path, F_OK))
			continue;
		err = bpf_map__pin(m, path);
		if (err) {
			pr_err("%s: cannot pin: %s", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Our programs' ids into the pr_progids ring, and the ring to attach.c. */
static void record_prog_ids(struct pr_datapath *dp)
{
	int fd = pr_datapath_map_fd(dp, "pr_progids");
	uint32_t zero = 0, next = 0;

	if (fd < 0)
		return;
	bpf_map_lookup_elem(fd, &zero, &next);
	for (int i = 0; i < PR_PROG__COUNT; i++) {
		struct bpf_prog_info info = {};
		uint32_t len = sizeof(info), slot;

		if (bpf_obj_get_info_by_fd(pr_datapath_prog_fd(dp, i), &info, &len))
			continue;
		slot = 1 + next++ % 15;
		bpf_map_update_elem(fd, &slot, &info.id, 0);
	}
	bpf_map_update_elem(fd, &zero, &next, 0);
	pr_attach_use_progids(fd);
}

int pr_datapath_load(struct pr_datapath *dp, const struct pr_loader_opts *opts)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	struct bpf_map *m;
	int err;

	memset(dp, 0, sizeof(*dp));
	if (opts->pin_dir) {
		err = check_pin_dir(opts->pin_dir);
		if (err)
			return err;
	}
	dp->skel = podroute__open_opts(&oo);
	if (!dp->skel) {
		err = -errno;
		pr_err("cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	bpf_map__set_max_entries(dp->skel->maps.pr_routes4,
				 opts->routes4_max ? opts->routes4_max : PR_DEFAULT_ROUTES4);
	bpf_map__set_max_entries(dp->skel->maps.pr_routes6,
				 opts->routes6_max ? opts->routes6_max : PR_DEFAULT_ROUTES6);
	bpf_map__set_max_entries(dp->skel->maps.pr_lsx4, lsx_lines(opts->lsx4_max, PR_DEFAULT_LSX4));
	bpf_map__set_max_entries(dp->skel->maps.pr_lsx6, lsx_lines(opts->lsx6_max, PR_DEFAULT_LSX6));
	/* Pinning is ours, not libbpf's (see adopt_pinned). */
	bpf_object__for_each_map(m, dp->skel->obj)
		bpf_map__set_pin_path(m, NULL);
	if (opts->pin_dir) {
		err = adopt_pinned(dp, opts->pin_dir);
		if (err) {
			podroute__destroy(dp->skel);
			dp->skel = NULL;
			return err;
		}
	}
	err = podroute__load(dp->skel);
	if (err && (err == -EPERM || err == -EACCES)) {
		char missing[64];

		if (pr_caps_missing(missing, sizeof(missing))) {
			pr_err("cannot load the BPF programs: %s; podroute needs CAP_BPF, CAP_PERFMON and "
			       "CAP_NET_ADMIN (this process lacks %s)", strerror(-err), missing);
			podroute__destroy(dp->skel);
			dp->skel = NULL;
			return err;
		}
	}
	if (err) {
		pr_err("cannot load the BPF object%s%s: %s (a pinned map of another layout or "
		       "capacity? see `podroute status`)",
		       opts->pin_dir ? " pinned under " : "", opts->pin_dir ? opts->pin_dir : "",
		       strerror(-err));
		podroute__destroy(dp->skel);
		dp->skel = NULL;
		return err;
	}
	if (opts->pin_dir) {
		err = pin_new_maps(dp, opts->pin_dir);
		if (err) {
			podroute__destroy(dp->skel);
			dp->skel = NULL;
			return err;
		}
	}
	dp->pinned = opts->pin_dir != NULL;
	record_prog_ids(dp);
	return 0;
}

void pr_datapath_close(struct pr_datapath *dp)
{
	if (dp->skel)
		pr_attach_forget_progids(pr_datapath_map_fd(dp, "pr_progids"));
	podroute__destroy(dp->skel);
	dp->skel = NULL;
}

int pr_datapath_prog_fd(const struct pr_datapath *dp, enum pr_prog_id id)
{
	struct bpf_program *p;

	if (!dp->skel || id >= PR_PROG__COUNT)
		return -EINVAL;
	p = bpf_object__find_program_by_name(dp->skel->obj, prog_names[id]);
	return p ? bpf_program__fd(p) : -ENOENT;
}

int pr_datapath_map_fd(const struct pr_datapath *dp, const char *name)
{
	struct bpf_map *m;

	if (!dp->skel)
		return -EINVAL;
	m = bpf_object__find_map_by_name(dp->skel->obj, name);
	return m ? bpf_map__fd(m) : -ENOENT;
}
