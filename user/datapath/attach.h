/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Attaching podroute's programs to devices, and removing them, without
 * ever touching a program podroute did not install:
 *   - XDP: attached only where no XDP program runs (UPDATE_IF_NOEXIST);
 *     detached only if the attached program is ours (REPLACE with the
 *     expected old program).
 *   - TC: a clsact ingress filter with podroute's own handle and priority;
 *     the clsact qdisc is created if missing and left in place on detach
 *     (other filters may use it).
 */
#ifndef PR_ATTACH_H
#define PR_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PR_TC_HANDLE 0x50520001U
#define PR_TC_PRIO 0x5052U

enum pr_xdp_mode { PR_XDP_NATIVE, PR_XDP_GENERIC };

int pr_xdp_attach(int ifindex, int prog_fd, enum pr_xdp_mode mode);
/* Remove the XDP program from ifindex if its name is one of podroute's. */
int pr_xdp_detach(int ifindex);
/* Id and name of the XDP program on ifindex (0 if none); mode out. */
int pr_xdp_query(int ifindex, uint32_t *prog_id, char *name, size_t name_len, int *mode);

int pr_tc_attach(int ifindex, int prog_fd);
int pr_tc_detach(int ifindex);
/* Id of podroute's TC filter on ifindex, 0 if none. */
int pr_tc_query(int ifindex, uint32_t *prog_id);

/* True for the program names podroute installs. */
bool pr_is_our_prog_name(const char *name);
/* The pinned pr_progids map (the loader hands it over): program ids
 * podroute loaded, recognised as ours when a name cannot be read. */
void pr_attach_use_progids(int fd);
void pr_attach_forget_progids(int fd); /* fd is about to be closed */
/* Add an attached program's id to pr_progids (libxdp loads its own copy). */
void pr_attach_record_id(uint32_t id);
/* Whose a program is. Ours only if this instance recorded its id (the
 * pinned pr_progids of the pin dir in use): a program with podroute's
 * name but not recorded here is another instance's, and left alone like
 * any other tool's. name (may be NULL) gets the name of a program that is
 * not ours, "" when it cannot be read (no CAP_SYS_ADMIN) or it is ours. */
enum pr_owner { PR_OWNER_NONE, PR_OWNER_US, PR_OWNER_OTHER_PODROUTE, PR_OWNER_FOREIGN };
enum pr_owner pr_prog_owner(uint32_t id, char *name, size_t len);
bool pr_prog_is_ours(uint32_t id);
/* Why podroute leaves a program of that owner alone, for messages. */
const char *pr_owner_refusal(enum pr_owner o);

#endif
