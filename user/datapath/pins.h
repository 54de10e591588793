/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The datapath's maps as pinned under bpffs (one pin per entry of the map
 * table, maps.h), opened for the operator's commands, which must work
 * without loading anything; and the pinned programs' names.
 */
#ifndef PR_PINNED_H
#define PR_PINNED_H

#include "datapath/maps.h"

struct pr_pins {
	int fd[PR_MAP__COUNT];
};

/* Open every map under dir. Returns 0, or -errno with a message logged
 * naming the missing pin (typically: podroute is not attached). */
int pr_pins_open(struct pr_pins *p, const char *dir);
void pr_pins_close(struct pr_pins *p);
/* Remove the pins, maps' and programs' (they live on while attached). */
int pr_pins_remove(const char *dir);

/* Pinned programs are named PR_PROG_PIN_PREFIX<object id>_<program>. */
#define PR_PROG_PIN_PREFIX "prog_"
/* Unpin the programs of every object but keep_id (NULL: all). */
int pr_pins_remove_programs(const char *dir, const char *keep_id);

#endif
