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
/* Remove the XDP program from ifindex if it is ours (ownership.h). */
int pr_xdp_detach(int ifindex);
/* Id and name of the XDP program on ifindex (0 if none); mode out. */
int pr_xdp_query(int ifindex, uint32_t *prog_id, char *name, size_t name_len, int *mode);

int pr_tc_attach(int ifindex, int prog_fd);
int pr_tc_detach(int ifindex);
/* Id of podroute's TC filter on ifindex, 0 if none. */
int pr_tc_query(int ifindex, uint32_t *prog_id);

#endif
