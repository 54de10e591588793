/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The one rule for "is this program ours": a program is this instance's
 * only if its id is in the pr_progids ring of the pin dir in use (the
 * loader records every program it loads or adopts, libxdp's copies too).
 * A program with podroute's name but not recorded here is another
 * instance's, left alone like any other tool's. attach/detach, the
 * metrics and the health verdicts all ask here.
 */
#ifndef PR_DATAPATH_OWNERSHIP_H
#define PR_DATAPATH_OWNERSHIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The pinned pr_progids map to consult and record into (the loader or
 * the pins hand it over); forget it before its fd is closed. */
void pr_progids_use(int fd);
void pr_progids_forget(int fd);
/* Record a program id as ours (libxdp loads its own copy of ours). */
void pr_progids_record(uint32_t id);

enum pr_owner {
	PR_OWNER_NONE,           /* nothing attached (id 0) */
	PR_OWNER_US,             /* recorded in this pin dir's pr_progids */
	PR_OWNER_OTHER_PODROUTE, /* podroute's name, another pin dir's */
	PR_OWNER_DISPATCHER,     /* libxdp's dispatcher: ours may be inside (xdp_multiprog.h) */
	PR_OWNER_UNREADABLE,     /* not ours, and opening it needs CAP_SYS_ADMIN */
	PR_OWNER_FOREIGN,        /* another tool's */
};

/* Whose program id is. name (may be NULL) gets a stranger's name, "" when
 * it cannot be read or it is ours. */
enum pr_owner pr_prog_owner(uint32_t id, char *name, size_t len);
bool pr_prog_is_ours(uint32_t id);
/* The kernel's name of program id: 0, or -errno (-EPERM without
 * CAP_SYS_ADMIN). */
int pr_prog_name_by_id(uint32_t id, char *name, size_t len);
/* True for the program names podroute's object has. */
bool pr_is_our_prog_name(const char *name);
/* Why podroute leaves a program of that owner alone, for messages. */
const char *pr_owner_refusal(enum pr_owner o);

#endif
