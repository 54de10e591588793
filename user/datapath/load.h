/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Opening and loading the datapath object (build/podroute.skel.h), with
 * its maps either pinned under a bpffs directory (the agent: an existing
 * pin is adopted, so a restart keeps forwarding) or private to the process
 * (program tests, benchmarks).
 *
 * Pinned, the programs are pinned too, under names carrying the object's
 * identity (prog_<id>_<name>, the id being the start of the object file's
 * SHA-256). A restart of the same build adopts them instead of having the
 * verifier check them again (most of a start's time), provided they use
 * exactly the pinned maps.
 */
#ifndef PR_LOADER_H
#define PR_LOADER_H

#include <stdbool.h>
#include <stdint.h>

#include "datapath/pins.h"
#include "datapath/programs.h"
#include "podroute_abi.h"

#define PR_PIN_DIR_DEFAULT "/sys/fs/bpf/podroute"

struct podroute; /* the skeleton */

struct pr_loader_opts {
	const char *pin_dir;     /* NULL: no pinning */
	uint32_t routes4_max;    /* 0: PR_DEFAULT_ROUTES4 */
	uint32_t routes6_max;    /* 0: PR_DEFAULT_ROUTES6 */
	/* Prefixes the lookup index holds (0: PR_DEFAULT_LSX4/6; beyond, or
	 * with PR_LSX_OFF, the trie serves). */
	uint32_t lsx4_max, lsx6_max;
};

/* lsx4_max / lsx6_max: no index, the trie always serves. */
#define PR_LSX_OFF UINT32_MAX

struct pr_datapath {
	struct podroute *skel; /* NULL when the pinned programs were adopted */
	int map_fd[PR_MAP__COUNT];
	int prog_fd[PR_PROG__COUNT];
	bool pinned;
	bool adopted; /* programs and maps taken from the pins, nothing loaded */
};

/* Open and load. Returns 0 or -errno; logs the reason. */
int pr_datapath_load(struct pr_datapath *dp, const struct pr_loader_opts *opts);
void pr_datapath_close(struct pr_datapath *dp);

int pr_datapath_prog_fd(const struct pr_datapath *dp, enum pr_prog_id id);

/* The object's identity: the hex start of its file's SHA-256. */
const char *pr_datapath_object_id(void);

/* A map's fd, or -EINVAL before a load. */
int pr_datapath_map_fd(const struct pr_datapath *dp, enum pr_map m);

#endif
