// SPDX-License-Identifier: GPL-2.0-only
/* Load the datapath skeleton, pinned or private (see datapath/load.h). */
#include "datapath/load.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <bpf/libbpf.h>

#include "datapath/attach.h"
#include "datapath/ownership.h"
#include "kernel/features.h"
#include "lib/caps.h"
#include "lib/log.h"
#include "podroute.objid.h"
#include "podroute.skel.h"

const char *pr_datapath_object_id(void)
{
	return PR_OBJECT_ID;
}

static void prog_pin_path(char *buf, size_t n, const char *dir, enum pr_prog_id id)
{
	snprintf(buf, n, "%s/%s%s_%s", dir, PR_PROG_PIN_PREFIX, PR_OBJECT_ID, pr_prog_name(id));
}

static void fds_reset(struct pr_datapath *dp)
{
	for (int i = 0; i < PR_MAP__COUNT; i++)
		dp->map_fd[i] = -1;
	for (int i = 0; i < PR_PROG__COUNT; i++)
		dp->prog_fd[i] = -1;
}

/* Adopted fds are ours to close; a loaded skeleton closes its own. */
static void fds_close(struct pr_datapath *dp)
{
	if (dp->adopted) {
		for (int i = 0; i < PR_MAP__COUNT; i++)
			if (dp->map_fd[i] >= 0)
				close(dp->map_fd[i]);
		for (int i = 0; i < PR_PROG__COUNT; i++)
			if (dp->prog_fd[i] >= 0)
				close(dp->prog_fd[i]);
	}
	fds_reset(dp);
}

static bool id_in(uint32_t id, const uint32_t *ids, int n)
{
	for (int i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/*
 * Whether map id is this object's .rodata, never pinned, built as this
 * kernel needs it now (pr_kernel_caps_apply): 0, or -errno with why.
 */
static int own_rodata(uint32_t id, const char *path, char *why, size_t whylen)
{
	struct podroute__rodata ro;
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info), zero = 0;
	size_t n;
	int fd = bpf_map_get_fd_by_id(id), err = 0;

	if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err = -errno;
		snprintf(why, whylen, "%s: map id %u: %s", path, id, strerror(errno));
		goto out;
	}
	n = strlen(info.name);
	if (n < 7 || strcmp(info.name + n - 7, ".rodata") || info.type != BPF_MAP_TYPE_ARRAY ||
	    info.value_size != sizeof(ro) || bpf_map_lookup_elem(fd, &zero, &ro)) {
		err = -ESTALE;
		snprintf(why, whylen, "%s: uses map id %u, which is no longer pinned", path, id);
	} else if (ro.pr_kcap_xdp_meta != pr_kernel_has_xdp_meta()) {
		err = -ESTALE;
		snprintf(why, whylen, "%s: built %s XDP's hand-off to TC, which this kernel %s", path,
			 ro.pr_kcap_xdp_meta ? "with" : "without", ro.pr_kcap_xdp_meta ? "refuses" : "allows");
	}
out:
	if (fd >= 0)
		close(fd);
	return err;
}

/*
 * The pinned programs of this very object, using only the pinned maps
 * (and their own .rodata): take them as they are (0), or say why not
 * (-errno, and the caller loads). A program of another build has another
 * pin name; one that refers to a map no longer pinned (the maps were
 * unpinned and made anew) is refused by the map-id check.
 */
static int adopt_programs(struct pr_datapath *dp, const char *dir, char *why, size_t whylen)
{
	uint32_t map_ids[PR_MAP__COUNT];
	char path[512];

	dp->adopted = true; /* from here the fds are ours to close */
	for (int i = 0; i < PR_MAP__COUNT; i++) {
		struct bpf_map_info info = {};
		uint32_t len = sizeof(info);

		snprintf(path, sizeof(path), "%s/%s", dir, pr_maps[i].name);
		dp->map_fd[i] = bpf_obj_get(path);
		if (dp->map_fd[i] < 0 || bpf_obj_get_info_by_fd(dp->map_fd[i], &info, &len)) {
			snprintf(why, whylen, "%s: %s", path, strerror(errno));
			return -ENOENT;
		}
		map_ids[i] = info.id;
	}
	for (int i = 0; i < PR_PROG__COUNT; i++) {
		uint32_t used[PR_MAP__COUNT + 2] = { 0 };
		struct bpf_prog_info info = { .nr_map_ids = PR_MAP__COUNT + 2,
					      .map_ids = (uintptr_t)used };
		uint32_t len = sizeof(info);

		prog_pin_path(path, sizeof(path), dir, i);
		dp->prog_fd[i] = bpf_obj_get(path);
		if (dp->prog_fd[i] < 0 || bpf_obj_get_info_by_fd(dp->prog_fd[i], &info, &len)) {
			snprintf(why, whylen, "%s: %s", path, strerror(errno));
			return -ENOENT;
		}
		if (info.type != pr_prog_type(i) || strncmp(info.name, pr_prog_name(i), BPF_OBJ_NAME_LEN - 1) ||
		    info.nr_map_ids > PR_MAP__COUNT + 1 /* and its .rodata */) {
			snprintf(why, whylen, "%s: not the program this build pins", path);
			return -EINVAL;
		}
		for (uint32_t m = 0; m < info.nr_map_ids; m++) {
			int err = id_in(used[m], map_ids, PR_MAP__COUNT) ? 0 : own_rodata(used[m], path, why, whylen);

			if (err)
				return err;
		}
	}
	return 0;
}

/* Pin this load's programs under their object-id names; unpin those of
 * other builds (an upgrade: they stay attached until replaced). */
static int pin_programs(struct pr_datapath *dp, const char *dir)
{
	char path[512];
	int err;

	pr_pins_remove_programs(dir, PR_OBJECT_ID);
	for (int i = 0; i < PR_PROG__COUNT; i++) {
		prog_pin_path(path, sizeof(path), dir, i);
		if (!access(path, F_OK) && unlink(path)) /* a stale one of a failed adoption */
			return -errno;
		if (bpf_obj_pin(dp->prog_fd[i], path)) {
			err = -errno;
			log_err("%s: cannot pin: %s", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

/*
 * Pins must live on a bpf filesystem. `ip netns exec` remounts /sys, which
 * hides /sys/fs/bpf: say so instead of letting libbpf fail obscurely.
 */
static int check_pin_dir(const char *dir)
{
	struct statfs st;

	if (mkdir(dir, 0700) && errno != EEXIST) {
		log_err("%s: cannot create the pin directory: %s (is bpffs mounted? "
		       "mount -t bpf bpf /sys/fs/bpf; under `ip netns exec`, /sys is remounted: "
		       "use nsenter --net instead)", dir, strerror(errno));
		return -errno;
	}
	if (statfs(dir, &st) || st.f_type != BPF_FS_MAGIC) {
		log_err("%s: not on a bpf filesystem (mount -t bpf bpf /sys/fs/bpf; under `ip netns "
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

		if (bpf_map__is_internal(m)) /* .rodata: each load's own */
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(m));
		fd = bpf_obj_get(path);
		if (fd < 0) {
			if (errno == ENOENT)
				continue;
			err = -errno;
			log_err("%s: cannot open the pinned map: %s", path, strerror(-err));
			return err;
		}
		if (bpf_obj_get_info_by_fd(fd, &info, &len) || info.type != bpf_map__type(m) ||
		    info.key_size != bpf_map__key_size(m) || info.value_size != bpf_map__value_size(m)) {
			log_err("%s: pinned map has another layout (an incompatible podroute left it; "
			       "podroute detach --unpin, then attach again)", path);
			close(fd);
			return -EINVAL;
		}
		bpf_map__set_max_entries(m, info.max_entries);
		err = bpf_map__reuse_fd(m, fd);
		close(fd); /* reuse_fd took its own reference */
		if (err) {
			log_err("%s: cannot reuse the pinned map: %s", path, strerror(-err));
			return err;
		}
		log_debug("%s: adopted", path);
	}
	return 0;
}

static uint32_t lsx_elems(uint32_t opt, uint32_t def)
{
	return PR_LSX_MAP_ELEMS(opt == PR_LSX_OFF ? 0 : opt ? opt : def);
}

/* Pin the maps this load created (adopted ones are pinned already). */
static int pin_new_maps(struct pr_datapath *dp, const char *dir)
{
	struct bpf_map *m;
	char path[512];

	bpf_object__for_each_map(m, dp->skel->obj) {
		int err;

		if (bpf_map__is_internal(m))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(m));
		if (!access(path, F_OK))
			continue;
		err = bpf_map__pin(m, path);
		if (err) {
			log_err("%s: cannot pin: %s", path, strerror(-err));
			return err;
		}
	}
	return 0;
}

/* Our programs' ids into the pr_progids ring, and the ring to attach.c. */
static void record_prog_ids(struct pr_datapath *dp)
{
	pr_progids_use(dp->map_fd[PR_MAP_PROGIDS]);
	for (int i = 0; i < PR_PROG__COUNT; i++) {
		struct bpf_prog_info info = {};
		uint32_t len = sizeof(info);

		if (!bpf_obj_get_info_by_fd(dp->prog_fd[i], &info, &len))
			pr_progids_record(info.id);
	}
}

/* The loaded skeleton's fds (it keeps ownership). */
static int take_skeleton_fds(struct pr_datapath *dp)
{
	struct bpf_map *m;

	/* The object's maps are exactly the table's (maps.h): one owner. */
	bpf_object__for_each_map(m, dp->skel->obj) {
		int i = pr_map_by_name(bpf_map__name(m));

		if (bpf_map__is_internal(m))
			continue;
		if (i < 0 || bpf_map__type(m) != pr_maps[i].type ||
		    bpf_map__key_size(m) != pr_maps[i].key_size ||
		    bpf_map__value_size(m) != pr_maps[i].value_size) {
			log_err("the BPF object's map %s is not the one datapath/maps.c describes "
			       "(a build out of step)", bpf_map__name(m));
			return -EINVAL;
		}
		dp->map_fd[i] = bpf_map__fd(m);
	}
	for (int i = 0; i < PR_MAP__COUNT; i++)
		if (dp->map_fd[i] < 0) {
			log_err("the BPF object has no map %s", pr_maps[i].name);
			return -ENOENT;
		}
	for (int i = 0; i < PR_PROG__COUNT; i++) {
		struct bpf_program *p = bpf_object__find_program_by_name(dp->skel->obj, pr_prog_name(i));

		dp->prog_fd[i] = p ? bpf_program__fd(p) : -1;
		if (dp->prog_fd[i] < 0) {
			log_err("the BPF object has no program %s", pr_prog_name(i));
			return -ENOENT;
		}
	}
	return 0;
}

int pr_datapath_load(struct pr_datapath *dp, const struct pr_loader_opts *opts)
{
	LIBBPF_OPTS(bpf_object_open_opts, oo);
	struct timespec t0, t1;
	struct bpf_map *m;
	int err;

	memset(dp, 0, sizeof(*dp));
	fds_reset(dp);
	if (opts->pin_dir) {
		char why[600];

		err = check_pin_dir(opts->pin_dir);
		if (err)
			return err;
		if (!adopt_programs(dp, opts->pin_dir, why, sizeof(why))) {
			log_info("datapath: adopted the pinned programs of object %s", PR_OBJECT_ID);
			dp->pinned = true;
			record_prog_ids(dp);
			return 0;
		}
		log_info("datapath: loading object %s (the pinned programs are not adopted: %s)",
			 PR_OBJECT_ID, why);
		fds_close(dp);
		dp->adopted = false;
	}
	dp->skel = podroute__open_opts(&oo);
	if (!dp->skel) {
		err = -errno;
		log_err("cannot open the BPF object: %s", strerror(-err));
		return err;
	}
	bpf_map__set_max_entries(dp->skel->maps.pr_routes4,
				 opts->routes4_max ? opts->routes4_max : PR_DEFAULT_ROUTES4);
	bpf_map__set_max_entries(dp->skel->maps.pr_routes6,
				 opts->routes6_max ? opts->routes6_max : PR_DEFAULT_ROUTES6);
	bpf_map__set_max_entries(dp->skel->maps.pr_lsx4, lsx_elems(opts->lsx4_max, PR_DEFAULT_LSX4));
	bpf_map__set_max_entries(dp->skel->maps.pr_lsx6, lsx_elems(opts->lsx6_max, PR_DEFAULT_LSX6));
	err = pr_kernel_caps_apply(dp->skel->obj);
	if (err) {
		log_err("the BPF object's .rodata does not match its BTF (a build out of step)");
		podroute__destroy(dp->skel);
		dp->skel = NULL;
		return err;
	}
	if (!pr_kernel_has_xdp_meta())
		log_warn("datapath: this kernel refuses bpf_xdp_adjust_meta() to XDP programs: XDP cannot hand "
			 "packets to TC, so where XDP runs, those for targets that take no XDP frames take the "
			 "slow path (counted as no-handoff); mode auto attaches underlay interfaces with TC alone");
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
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = podroute__load(dp->skel);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (err && (err == -EPERM || err == -EACCES)) {
		char missing[64];

		if (pr_caps_missing(missing, sizeof(missing))) {
			log_err("cannot load the BPF programs: %s; podroute needs CAP_BPF, CAP_PERFMON and "
			       "CAP_NET_ADMIN (this process lacks %s)", strerror(-err), missing);
			podroute__destroy(dp->skel);
			dp->skel = NULL;
			return err;
		}
	}
	if (err) {
		log_err("cannot load the BPF object%s%s: %s (a pinned map of another layout or "
			"capacity? see `podroute status`)",
			opts->pin_dir ? " pinned under " : "", opts->pin_dir ? opts->pin_dir : "",
			strerror(-err));
		podroute__destroy(dp->skel);
		dp->skel = NULL;
		return err;
	}
	err = take_skeleton_fds(dp);
	if (!err && opts->pin_dir)
		err = pin_new_maps(dp, opts->pin_dir);
	if (!err && opts->pin_dir)
		err = pin_programs(dp, opts->pin_dir);
	if (err) {
		fds_reset(dp);
		podroute__destroy(dp->skel);
		dp->skel = NULL;
		return err;
	}
	dp->pinned = opts->pin_dir != NULL;
	record_prog_ids(dp);
	log_info("datapath: object %s loaded and verified in %ld ms", PR_OBJECT_ID,
		 (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	return 0;
}

void pr_datapath_close(struct pr_datapath *dp)
{
	if (dp->map_fd[PR_MAP_PROGIDS] >= 0)
		pr_progids_forget(dp->map_fd[PR_MAP_PROGIDS]);
	fds_close(dp);
	dp->adopted = false;
	podroute__destroy(dp->skel);
	dp->skel = NULL;
}

int pr_datapath_prog_fd(const struct pr_datapath *dp, enum pr_prog_id id)
{
	return id < PR_PROG__COUNT && dp->prog_fd[id] >= 0 ? dp->prog_fd[id] : -EINVAL;
}

int pr_datapath_map_fd(const struct pr_datapath *dp, enum pr_map m)
{
	return m < PR_MAP__COUNT && dp->map_fd[m] >= 0 ? dp->map_fd[m] : -EINVAL;
}
