/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Render one node's podroute config from the cluster's own objects, as
 * `kubectl get -o json` prints them (Lists or single objects, any mix of
 * kinds): RouteAdvertisements, ClusterUserDefinedNetworks,
 * UserDefinedNetworks, NetworkAttachmentDefinitions and Nodes.
 *
 * What is advertised (OVN-Kubernetes's model, as its documentation gives
 * it): a RouteAdvertisements object whose nodeSelector matches the node
 * and whose advertisements include PodNetwork advertises the networks its
 * networkSelectors pick: DefaultNetwork; ClusterUserDefinedNetworks by
 * label (clusterUserDefinedNetworkSelector.networkSelector);
 * NetworkAttachmentDefinitions by label. A NAD annotated
 * k8s.ovn.org/route-advertisements (the RAs that selected it, as OVN-K
 * records it) counts as selected by those RAs too.
 *
 * Per network:
 *  - name: the OVN network name: "default"; a CUDN's "cluster_udn_<name>";
 *    a UDN's "<namespace>_<name>"; a NAD's spec.config "name";
 *  - prefixes: Layer3: this node's host subnets from the Node annotation
 *    k8s.ovn.org/node-subnets ({"<network>": "cidr" | ["cidr", ...]});
 *    Layer2: the network's subnets (every node advertises them whole);
 *  - id: podroute id = OVN network id + 1 (default: 0 -> 1), from the
 *    Node annotation k8s.ovn.org/network-ids or the NAD annotation
 *    k8s.ovn.org/network-id;
 *  - VRF: targetVRF "auto" puts a UDN in its own VRF, named as OVN-K names
 *    it, "mp<id>-udn-vrf"; any other targetVRF but "default" names the VRF;
 *    the default network stays in the default VRF. The VRF's table comes
 *    from the kernel (the sidecar runs on the node) or --vrf-table;
 *  - target: in a VRF, `vrf: true` (FIB lookup in its table); otherwise the
 *    network's management port (ovn-k8s-mp0 for default, ovn-k8s-mp<id>)
 *    with neighbour = the first host address of the first IPv4 prefix (the
 *    OVN router port's address).
 * The base config (podroute's own YAML) gives interfaces, limits, accept
 * policy and shadow; its networks are replaced.
 */
#ifndef PR_RA_RENDER_H
#define PR_RA_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define PR_RENDER_MAX_INPUTS 16
#define PR_RENDER_MAX_VRF_TABLES 32

struct pr_render_opts {
	const char *node;                         /* required */
	const char *inputs[PR_RENDER_MAX_INPUTS]; /* JSON files */
	unsigned ninputs;
	/* VRF tables given by hand (name -> table), before the kernel is asked. */
	struct { char name[IFNAMSIZ]; uint32_t table; } vrf[PR_RENDER_MAX_VRF_TABLES];
	unsigned nvrf;
	int no_kernel; /* do not ask the kernel for VRF tables (tests) */
};

/*
 * Fill out->networks from the inputs (out must hold the base config, from
 * pr_config_load_*; its networks are freed and replaced). 0, or -EINVAL /
 * -ENOENT / -ENOMEM with a message naming the object and field in err.
 */
int pr_render(const struct pr_render_opts *o, struct pr_config *out, char *err, size_t errlen);

/* Parse "NAME=TABLE" into o->vrf; -EINVAL on a bad spec. */
int pr_render_add_vrf_table(struct pr_render_opts *o, const char *spec);

#endif
