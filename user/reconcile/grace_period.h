/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Waiting, from userspace, until no BPF program still runs that may have
 * read a map word before we changed it (an RCU grace period): what makes
 * it safe to rewrite a table the datapath has just stopped reading.
 *
 * The kernel offers it as a side effect with a contract: an update of a
 * map-of-maps returns only after synchronize_rcu(), so that userspace
 * knows every non-sleepable program that could still see the old value has
 * finished (kernel/bpf/syscall.c, maybe_wait_bpf_programs()). XDP and TC
 * programs are non-sleepable. A grace period takes milliseconds, so it runs
 * on a thread of its own and callers hold tickets rather than block.
 */
#ifndef PR_RCU_WAIT_H
#define PR_RCU_WAIT_H

#include <stdbool.h>
#include <stdint.h>

struct pr_grace_period;

/* Creates the two small maps and the thread. 0 or -errno. */
int pr_grace_period_open(struct pr_grace_period **out);
void pr_grace_period_close(struct pr_grace_period *w);

/* A ticket for a grace period that starts after this call. */
uint64_t pr_grace_period_request(struct pr_grace_period *w);
/* Whether the ticket's grace period has ended (never blocks). */
bool pr_grace_period_done(struct pr_grace_period *w, uint64_t ticket);
/* Block until it has. */
void pr_grace_period_wait(struct pr_grace_period *w, uint64_t ticket);

#endif
