// SPDX-License-Identifier: GPL-2.0-only
/* Load the datapath skeleton, pinned or private (see loader.h). */
#include "loader.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <bpf/libbpf.h>

#include "log.h"
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

int pr_datapath_load(struct pr_datapath *dp, const struct pr_loader_opts *opts)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo, .pin_root_path = opts->pin_dir);
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
	if (!opts->pin_dir) {
		bpf_object__for_each_map(m, dp->skel->obj)
			bpf_map__set_pin_path(m, NULL);
	}
	bpf_map__set_max_entries(dp->skel->maps.pr_routes4,
				 opts->routes4_max ? opts->routes4_max : PR_DEFAULT_ROUTES4);
	bpf_map__set_max_entries(dp->skel->maps.pr_routes6,
				 opts->routes6_max ? opts->routes6_max : PR_DEFAULT_ROUTES6);
	err = podroute__load(dp->skel);
	if (err) {
		pr_err("cannot load the BPF object%s%s: %s (a pinned map of another layout or "
		       "capacity? see `podroute status`)",
		       opts->pin_dir ? " pinned under " : "", opts->pin_dir ? opts->pin_dir : "",
		       strerror(-err));
		podroute__destroy(dp->skel);
		dp->skel = NULL;
		return err;
	}
	dp->pinned = opts->pin_dir != NULL;
	return 0;
}

void pr_datapath_close(struct pr_datapath *dp)
{
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
