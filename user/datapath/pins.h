/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The datapath's maps as pinned under bpffs, opened by name for the
 * operator's commands (which must work without loading anything).
 */
#ifndef PR_PINNED_H
#define PR_PINNED_H

enum pr_pin_map {
	PR_PM_ROUTES4, PR_PM_ROUTES6, PR_PM_NETS, PR_PM_NHGRPS, PR_PM_NEXTHOPS,
	PR_PM_IFACES, PR_PM_TXPORTS, PR_PM_CONFIG, PR_PM_STATS, PR_PM_PROGIDS, PR_PM_LSX4,
	PR_PM_LSX6, PR_PM_LSX_CTL, PR_PM_LSX_CHG4_0, PR_PM_LSX_CHG4_1, PR_PM_LSX_CHG6_0,
	PR_PM_LSX_CHG6_1, PR_PM_LSX_CHGBITS, PR_PM_XDP_TXPORTS, PR_PM_LIVENESS, PR_PM__COUNT
};

struct pr_pinned {
	int fd[PR_PM__COUNT];
};

const char *pr_pin_map_name(enum pr_pin_map m);

/* Open every map under dir. Returns 0, or -errno with a message logged
 * naming the missing pin (typically: podroute is not attached). */
int pr_pinned_open(struct pr_pinned *p, const char *dir);
void pr_pinned_close(struct pr_pinned *p);
/* Remove the pins, maps' and programs' (they live on while attached). */
int pr_pinned_remove(const char *dir);

/* Pinned programs are named PR_PROG_PIN_PREFIX<object id>_<program>. */
#define PR_PROG_PIN_PREFIX "prog_"
/* Unpin the programs of every object but keep_id (NULL: all). */
int pr_pinned_remove_programs(const char *dir, const char *keep_id);

#endif
