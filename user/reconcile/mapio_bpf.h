/* SPDX-License-Identifier: GPL-2.0-only */
/* The reconciler's map I/O on BPF map fds (see mapio_bpf.c). */
#ifndef PR_MAPIO_BPF_H
#define PR_MAPIO_BPF_H

#include "reconcile/reconcile.h"

struct pr_mapio_bpf {
	int fd[PR_MAP__RECONCILED]; /* indexed by enum pr_map */
};

void pr_mapio_bpf_init(struct pr_mapio_bpf *b, struct pr_mapio *io);

#endif
