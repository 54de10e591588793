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
 * NetworkAttachmentDefinitions by label, only in the namespaces its
 * networkAttachmentDefinitionSelector.namespaceSelector picks (Namespace
 * objects in the inputs give their labels; without one, only the label
 * kubernetes.io/metadata.name is known and a selector needing others
 * refuses the NAD). A NAD annotated k8s.ovn.org/route-advertisements (the
 * RAs that selected it, as OVN-K records it) counts as selected by those
 * RAs too, but only if OVN-K owns the NAD (below) and the RA has a
 * selector that can pick it (a NAD selector whose namespaceSelector picks
 * the NAD's namespace, or a CUDN selector picking its owner CUDN).
 *
 * Trust: authority comes only from what cluster admins and OVN-K write:
 * RouteAdvertisements, ClusterUserDefinedNetworks, the Node's OVN-K
 * annotations, and NADs OVN-K renders for a UDN/CUDN. Such a NAD has a
 * metadata.ownerReferences entry with controller: true, an apiVersion in
 * the group k8s.ovn.org and kind UserDefinedNetwork or
 * ClusterUserDefinedNetwork; here it also has to name an owner present in
 * the inputs (a UDN in the NAD's namespace, or a CUDN; same uid when both
 * give one), carry the owner's name, and its spec.config "name" has to be
 * the owner's network name. Any other NAD is a tenant's: its
 * k8s.ovn.org/route-advertisements and k8s.ovn.org/network-id annotations
 * are ignored, it may not name the default network, a "cluster_udn_*"
 * network or a UDN's network, and a Layer2 one is refused (its subnets
 * would come from tenant-written text).
 *
 * Every network is checked before it is rendered: a valid name, an id no
 * other network uses (nor, for an id from a NAD annotation, one the Node's
 * k8s.ovn.org/network-ids gives another network; 0 is the default's), no
 * prefix /0, covering an address of a Node in the inputs
 * (status.addresses InternalIP/ExternalIP), overlapping a service range
 * (pr_render_opts.service) or a prefix of a network already rendered in
 * the same routing domain (default VRF or one VRF table). Networks are
 * taken in order of trust (default, CUDNs, OVN-K's NADs, other NADs), then
 * age (metadata.creationTimestamp), then name, so a later or less trusted
 * network cannot push out an earlier one.
 *
 * A network that fails a check is refused alone: the others render. The
 * refusals are reported (struct pr_render_report, pr_render_ex), one
 * message each, "refused: <object>: <reason>".
 *
 * Gateway mode: when the Node's k8s.ovn.org/l3-gateway-config says
 * "mode": "shared", every network whose target is a port (the management
 * port) is rendered with shadow: true, counted in nshadowed. Entering OVN
 * through the management port while the replies leave through the gateway
 * router breaks TCP (the port's conntrack zone sees a SYN, then an ACK:
 * invalid); VRF targets are not affected.
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
 * policy and shadow; its networks are replaced. Its node_overrides give
 * other interfaces to the Nodes whose labels (metadata.labels) carry every
 * label of an entry's match_labels: the first such entry's interfaces
 * section replaces the base's whole; the rendered file has no overrides.
 */
#ifndef PR_RA_RENDER_H
#define PR_RA_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

#define PR_RENDER_MAX_INPUTS 16
#define PR_RENDER_MAX_VRF_TABLES 32
#define PR_RENDER_MAX_SERVICE 4

struct pr_render_opts {
	const char *node;                         /* required */
	const char *inputs[PR_RENDER_MAX_INPUTS]; /* JSON files */
	unsigned ninputs;
	/* VRF tables given by hand (name -> table), before the kernel is asked. */
	struct { char name[IFNAMSIZ]; uint32_t table; } vrf[PR_RENDER_MAX_VRF_TABLES];
	unsigned nvrf;
	int no_kernel; /* do not ask the kernel for VRF tables (tests) */
	/* The cluster's service ranges (pr_render_add_service_cidr); none
	 * given (nservice 0, the default) = unknown, not checked. */
	struct pr_prefix service[PR_RENDER_MAX_SERVICE];
	unsigned nservice;
};

#define PR_RENDER_MAX_REFUSED 64
#define PR_RENDER_REFUSED_LEN 384

/* The Kubernetes object a refusal is about (for an Event's
 * involvedObject); kind empty when it is not one object. */
struct pr_render_object {
	char kind[40], api_version[40], namespace_[64], name[254];
};

/* What pr_render_ex refused: one message per refused network (or ignored
 * object), "refused: <object>: <reason>", each at most once, and the
 * object it names. */
struct pr_render_report {
	unsigned nrendered;  /* networks rendered */
	unsigned nrefused;   /* refusals, counting those past the stored messages */
	unsigned nmsgs;      /* messages stored in refused[] (<= PR_RENDER_MAX_REFUSED) */
	unsigned nshadowed;  /* networks with a port target rendered in shadow mode:
			      * the Node's gateway mode is shared (see above) */
	int override;        /* the base's node_overrides entry whose match_labels
			      * the Node's labels all carry (the first such), whose
			      * interfaces were rendered; -1: none, the base's own */
	unsigned override_line; /* where that entry is in the base */
	char refused[PR_RENDER_MAX_REFUSED][PR_RENDER_REFUSED_LEN];
	struct pr_render_object object[PR_RENDER_MAX_REFUSED];
};

/*
 * Fill out->networks from the inputs (out must hold the base config, from
 * pr_config_load_*; its networks are freed and replaced). 0 when at least
 * one network rendered (others may have been refused: rep says which), or
 * -EINVAL / -ENOENT / -ENOMEM with a message naming the object and field in
 * err for what fails the whole render: inputs that cannot be read, the
 * node missing or its OVN-K annotations malformed, a RouteAdvertisements
 * object that cannot be read, no network advertised on this node, or
 * every advertised network refused (-ENOENT). rep may be NULL; it is
 * filled on failure too.
 */
int pr_render_ex(const struct pr_render_opts *o, struct pr_config *out, struct pr_render_report *rep,
		 char *err, size_t errlen);

/* pr_render_ex without the report. */
int pr_render(const struct pr_render_opts *o, struct pr_config *out, char *err, size_t errlen);

/* Add a service range ("10.96.0.0/12") to o->service; -EINVAL on a bad
 * prefix or when PR_RENDER_MAX_SERVICE are given already. */
int pr_render_add_service_cidr(struct pr_render_opts *o, const char *cidr);

/* Parse "NAME=TABLE" into o->vrf; -EINVAL on a bad spec. */
int pr_render_add_vrf_table(struct pr_render_opts *o, const char *spec);

#endif
