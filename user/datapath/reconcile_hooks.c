// SPDX-License-Identifier: GPL-2.0-only
/* The devices' part of the reconciler's input (see datapath/reconcile_hooks.h). */
#include "datapath/reconcile_hooks.h"

#include <net/if.h>

#include "datapath/xdp_multiprog.h"
#include "kernel/devcaps.h"

static void mark_xdp_xmit(void *arg, uint32_t ifindex)
{
	struct pr_reconcile_input *in = arg;

	for (size_t i = 0; i < in->nlinks; i++)
		if (in->links[i].ifindex == ifindex)
			((struct pr_klink *)in->links)[i].xdp_xmit = true;
}

int pr_reconcile_hooks(const struct pr_config *cfg, struct pr_reconcile_input *in, uint32_t *xdp)
{
	in->nxdp = 0;
	/* Ask the kernel where our XDP runs: TC there only takes hand-offs. */
	for (unsigned i = 0; i < cfg->nunderlay + cfg->novn && in->nxdp < PR_HOOKS_MAX_XDP; i++) {
		const char *name = i < cfg->nunderlay ? cfg->underlay[i] : cfg->ovn[i - cfg->nunderlay];
		int ifindex = if_nametoindex(name);
		char desc[128];
		bool ours = false;

		if (ifindex && !pr_xdp_describe(ifindex, desc, sizeof(desc), &ours) && ours)
			xdp[in->nxdp++] = ifindex;
	}
	in->xdp_ifindexes = xdp;
	return in->links ? pr_dev_xdp_xmit_each(mark_xdp_xmit, in) : 0;
}
