// SPDX-License-Identifier: GPL-2.0-only
/* The one list of verdict reasons and actions as the operator sees them. */
#include "lib/names.h"

#include <string.h>

static const struct {
	const char *name, *help;
} reasons[PR_R_MAX] = {
	[PR_R_REDIRECT] = { "redirect", "fast path: redirected to the target" },
	[PR_R_DEFER_TC] = { "defer-tc", "XDP decided; TC on the same device redirects (skb-only target)" },
	[PR_R_PASS_ACT] = { "pass-action", "prefix whose action is pass" },
	[PR_R_DROP_ACT] = { "drop-action", "prefix whose action is drop" },
	[PR_R_MISS] = { "miss", "no prefix matched: slow path" },
	[PR_R_TTL] = { "ttl", "TTL / hop limit would expire: slow path sends ICMP" },
	[PR_R_NO_NEIGH] = { "no-neigh", "next hop without a neighbour entry: slow path resolves it" },
	[PR_R_FIB_FAIL] = { "fib-fail", "FIB lookup failed (e.g. no TBID support before kernel 6.8)" },
	[PR_R_SPOOF] = { "spoof", "underlay packet sourced from a locally advertised prefix" },
	[PR_R_MALFORMED] = { "malformed", "truncated or invalid headers" },
	[PR_R_NOT_IP] = { "not-ip", "not IPv4/IPv6 (ARP, LLDP ...)" },
	[PR_R_NOT_FOR_US] = { "not-for-us", "destination MAC is not a router MAC" },
	[PR_R_NO_TARGET] = { "no-target", "target not allowed, missing or network invalid" },
	[PR_R_NO_IFACE] = { "no-iface", "receiving interface not configured" },
	[PR_R_SHADOW] = { "shadow", "shadow mode: would have acted, passed instead" },
	[PR_R_VLAN_TAGS] = { "vlan-tagged", "VLAN-tagged: the VLAN device's packet (attach podroute there)" },
	[PR_R_MARTIAN] = { "martian", "loopback/multicast/link-local/unspecified address" },
	[PR_R_IP_OPTIONS] = { "ip-options", "IPv4 options or IPv6 hop-by-hop: slow path" },
	[PR_R_BAD_CSUM] = { "bad-csum", "IPv4 header checksum wrong: the kernel discards it" },
	[PR_R_NOT_FWD] = { "not-forwarded", "kernel FIB: local, unreachable, blackhole, prohibit or forwarding off" },
	[PR_R_FRAG_NEEDED] = { "frag-needed", "larger than the route's MTU: the kernel fragments or answers" },
	[PR_R_ICMP_ERROR] = { "icmp-error", "east-west ICMP error: the kernel hashes its inner header" },
	[PR_R_AGENT_GONE] = { "agent-gone", "learned route while the agent's heartbeat is stale: the kernel decides" },
	[PR_R_NO_HANDOFF] = { "no-handoff",
			      "skb-only target, and this kernel refuses XDP metadata (the hand-off to TC): slow path" },
};

static const char *const actions[PR_ACT_MAX] = {
	[PR_ACT_PASS] = "pass", [PR_ACT_DROP] = "drop", [PR_ACT_REDIRECT] = "redirect",
	[PR_ACT_FIB] = "fib", [PR_ACT_NEXTHOP] = "nexthop",
};

const char *pr_reason_name(uint32_t r)
{
	return r < PR_R_MAX && reasons[r].name ? reasons[r].name : "unknown";
}

const char *pr_reason_help(uint32_t r)
{
	return r < PR_R_MAX && reasons[r].help ? reasons[r].help : "";
}

const char *pr_action_name(uint32_t a)
{
	return a < PR_ACT_MAX ? actions[a] : "unknown";
}

int pr_action_parse(const char *s)
{
	for (int a = 0; a < PR_ACT_MAX; a++)
		if (!strcmp(s, actions[a]))
			return a;
	return -1;
}
