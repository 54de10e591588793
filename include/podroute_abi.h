/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * podroute map ABI: the only definitions that cross the BPF/userspace
 * boundary. Both the BPF programs (bpf/) and userspace (user/) include it, so a key or
 * value cannot drift between the two sides; the _Static_asserts at the end
 * pin every size and offset that userspace, bpftool output and pinned maps
 * from an earlier agent version rely on.
 *
 * Conventions: fixed-width types, explicit padding, addresses in network
 * byte order, LPM keys with the prefix length first (as the kernel's LPM
 * trie requires).
 */
#ifndef PODROUTE_ABI_H
#define PODROUTE_ABI_H

#include <linux/types.h>

/* Bump when a pinned map's key or value layout changes, or what its
 * contents mean to the datapath (11: a reason more, no-handoff, so
 * pr_stats is larger; 10: pr_lsx_chgbits' IPv4 filter is a bit per /16):
 * the agent refuses to adopt pinned maps whose pr_config.abi_version
 * differs. */
#define PR_ABI_VERSION 11

/* Sizes fixed at compile time (map capacities of the prefix maps are set
 * at load time instead, see the loader). */
#define PR_MAX_NETS 256      /* network ids 1..255; 0 = "no network" */
#define PR_MAX_NH 8          /* ECMP next hops per group */
#define PR_MAX_NHGRPS 65536  /* next-hop groups (east-west) */
#define PR_MAX_IFACES 64     /* attached interfaces */
#define PR_MAX_RMACS 4       /* router MACs accepted per interface */
#define PR_IFSLOTS 256       /* pr_ifslots entries (a power of two) */
#define PR_MAX_TARGETS 1024  /* devices podroute may redirect to */
#define PR_PROGID_RING 255   /* program ids an instance remembers (pr_progids) */

/* Default capacities of the prefix maps; the loader may override. */
#define PR_DEFAULT_ROUTES4 1048576
#define PR_DEFAULT_ROUTES6 262144

/* What the datapath does with a packet whose destination matched. */
enum pr_action {
	PR_ACT_PASS = 0,     /* hand to the kernel stack untouched */
	PR_ACT_DROP = 1,     /* drop */
	PR_ACT_REDIRECT = 2, /* to the network's target port, pre-resolved MACs */
	PR_ACT_FIB = 3,      /* bpf_fib_lookup in the network's VRF table */
	PR_ACT_NEXTHOP = 4,  /* east-west (BGP-learned): forward as the kernel's FIB says */
	PR_ACT_MAX,
};

/*
 * Why a packet got its verdict: one list used by the datapath (counter
 * index), the CLI and the metrics. Keep pr_reason_names in user/ in step
 * (a unit test checks the count).
 */
enum pr_reason {
	PR_R_REDIRECT = 0,   /* fast path: redirected (XDP or TC) */
	PR_R_DEFER_TC = 1,   /* XDP decided, TC on the same device redirects */
	PR_R_PASS_ACT = 2,   /* matched a prefix whose action is pass */
	PR_R_DROP_ACT = 3,   /* matched a prefix whose action is drop */
	PR_R_MISS = 4,       /* no prefix matched: slow path */
	PR_R_TTL = 5,        /* TTL / hop limit would expire: kernel sends ICMP */
	PR_R_NO_NEIGH = 6,   /* FIB lookup: next hop has no neighbour entry */
	PR_R_FIB_FAIL = 7,   /* FIB lookup: any other failure */
	PR_R_SPOOF = 8,      /* source inside a locally advertised prefix */
	PR_R_MALFORMED = 9,  /* truncated or invalid headers */
	PR_R_NOT_IP = 10,    /* not IPv4/IPv6 (ARP, LLDP, ...) */
	PR_R_NOT_FOR_US = 11, /* destination MAC not a router MAC (incl. bcast/mcast) */
	PR_R_NO_TARGET = 12, /* target device not in the allow-list, or down */
	PR_R_NO_IFACE = 13,  /* receiving interface not configured */
	PR_R_SHADOW = 14,    /* shadow mode: would have acted, passed instead */
	PR_R_VLAN_TAGS = 15, /* VLAN-tagged (frame or skb): the VLAN device decides, not this one */
	PR_R_MARTIAN = 16,   /* loopback/multicast/link-local/unspecified address */
	PR_R_IP_OPTIONS = 17, /* IPv4 options or IPv6 hop-by-hop: need the router's slow path */
	PR_R_BAD_CSUM = 18,  /* IPv4 header checksum wrong: the kernel discards it (RFC 1812) */
	PR_R_NOT_FWD = 19,   /* the kernel's FIB does not forward it: local, unreachable,
			      * blackhole, prohibit, forwarding off */
	PR_R_FRAG_NEEDED = 20, /* larger than the route's MTU: the kernel fragments or answers */
	PR_R_ICMP_ERROR = 21, /* east-west ICMP error: the kernel hashes its inner header */
	PR_R_AGENT_GONE = 22, /* learned route, but the agent's heartbeat is older than its
			       * bound: the kernel decides until the agent is back */
	PR_R_NO_HANDOFF = 23, /* the target takes no XDP frames and this kernel refuses
			       * XDP metadata (bpf_xdp_adjust_meta), which carries
			       * the hand-off to TC: the slow path */
	PR_R_MAX,
};

/* ---- prefix maps: pr_routes4 / pr_routes6 (LPM_TRIE) ----
 *
 * A key is (routing domain, prefix). The domain is the table of the VRF the
 * receiving interface is enslaved to (0: the default VRF), so that two
 * user-defined networks may use the same prefixes in their own VRFs and a
 * lookup only ever sees the prefixes of its own VRF, as the kernel's FIB
 * lookup in the ingress VRF's table would. The domain is always matched in
 * full: prefixlen counts its 32 bits plus the prefix's length.
 */
#define PR_LPM_DOMAIN_BITS 32

struct pr_lpm4_key {
	__u32 prefixlen; /* PR_LPM_DOMAIN_BITS + 0..32 */
	__u32 domain;    /* VRF table, 0 = default VRF (host byte order) */
	__u8 addr[4];    /* network byte order */
};

struct pr_lpm6_key {
	__u32 prefixlen; /* PR_LPM_DOMAIN_BITS + 0..128 */
	__u32 domain;
	__u8 addr[16];   /* network byte order */
};

/* pr_route.flags */
#define PR_ROUTE_F_LOCAL (1U << 0) /* advertised by this node (ingress, anti-spoof) */

struct pr_route {
	__u32 net_id; /* index into pr_nets */
	__u32 nhg_id; /* PR_ACT_NEXTHOP: the agent's next-hop group (pr_nhgrps), for
		       * operators; the datapath asks the kernel's FIB instead */
	__u8 action;  /* enum pr_action */
	__u8 flags;   /* PR_ROUTE_F_* */
	__u16 pad;
};

/* ---- the lookup index: pr_lsx4 / pr_lsx6 (ARRAY, mmapable) + pr_lsx_ctl ----
 *
 * A faster copy of pr_routes4/6 that the datapath reads instead of the LPM
 * trie while it is current: per indexed domain (VRF table) a compressed
 * multibit trie in the manner of Poptrie (Asai and Ohara, SIGCOMM 2015).
 * 16 to 20 bits of the destination (after those that all of the domain's
 * prefixes share) index a direct array of words; a word is a leaf (the route, or none) or a child element. A node
 * element consumes 6 more bits: a child bitmap and a leaf bitmap of 64
 * bits, with popcount indexing into its contiguous children and its
 * contiguous leaves (runs of equal leaves share one). Leaves are pushed:
 * each is the longest match for every destination under it, so a search
 * never backtracks. A subtree holding one prefix, or two nested ones,
 * is one compressed-leaf element instead of a chain of nodes: the
 * prefixes' bits, their routes and the route inherited from above; a
 * chain of nodes of one child each is one skip element. Leaves
 * name routes by index into the table's array of distinct routes. At most
 * 1 + (128 - 16) / 6 steps, in practice 3 to 5, over a structure of about
 * 30 bytes per prefix, so that a million prefixes stay within the reach
 * of the TLB's page walks where a hash table of four times the size did not.
 *
 * The trie stays the reference: the agent (user/reconcile/lookup_index.c, building with lookup_index_build.c) builds the index
 * from what it wrote to the trie, into whichever of the two tables of each
 * map is idle, and publishes it with one store to pr_lsx_ctl.active.
 *
 * Between builds the index stays on through route changes. Each table t
 * has a set of changed prefixes, pr_lsx_chg4_t / pr_lsx_chg6_t (LPM tries
 * with the trie's keys): before the agent writes or deletes a prefix, it
 * adds the prefix to the set of the current table and sets
 * pr_lsx_ctl.changed. A destination covered by a changed prefix is looked
 * up in the trie; any other has the same longest match before and after
 * the changes, which the table still knows. A build empties the set of the
 * table it writes. A writer that cannot record its change (the set is
 * full, or a hand edit with `podroute prefix`) stores 0 in active instead:
 * the trie serves until the next build. Either way the index never answers
 * for an older trie.
 *
 * One agent per node builds (pr_lsx_ctl.builder); another one running
 * beside it (`agent --once`) leaves the index alone, and turns it off if it
 * writes a trie.
 *
 * The agent writes a table (or empties its set) only after a grace period
 * has passed since the datapath stopped reading it (user/reconcile/grace_period.h), so no
 * program run still in flight can see a half-written table.
 */
#define PR_LSX_MAX_DOMAINS 16 /* domains indexed per table; more: the trie serves the rest */
#define PR_LSX_MAX_DOMAIN ((1U << 19) - 1) /* domains above: the trie serves */
#define PR_DEFAULT_LSX4 65536 /* prefixes each table is sized for */
#define PR_DEFAULT_LSX6 16384
/* The most prefixes an index may be sized for. */
#define PR_LSX_MAX_PREFIXES (1U << 22)
#define PR_LSX_MIN_DP_BITS 6  /* bits of a direct array's index, at least */
#define PR_LSX_CLEAF_DEPTH 16 /* compressed leaves and skips sit this deep or deeper */
#define PR_LSX_DP_BITS 16     /* bits of the direct array of 1,024 to 65,536 prefixes */
#define PR_LSX_DP_ELEMS 10923 /* elements of such a direct array: 2^16 words, 6 per element */
#define PR_LSX_STRIDE 6       /* bits a node consumes */
#define PR_LSX_MAX_STEPS 20   /* node or compressed-leaf elements a search visits at most */
#define PR_LSX_MAX_ROUTES ((1U << 20) - 1) /* distinct routes per table */
/*
 * Elements (max_entries) of a pr_lsx4/6 map sized for n prefixes: two
 * tables, each of 1.25 elements (30 bytes) per prefix, plus room for four
 * domains' direct arrays of 2^16 words (a small domain's is smaller). A
 * build that does not fit is refused (the trie serves). 0 prefixes (or too
 * many): the smallest map, which the builder always refuses.
 */
#define PR_LSX_MAP_ELEMS(n)                                                                      \
	((n) && (n) <= PR_LSX_MAX_PREFIXES                                                       \
		 ? 2 * ((uint32_t)(n) + (uint32_t)(n) / 4 + 4 * PR_LSX_DP_ELEMS)                 \
		 : 2)
/* The prefixes a map of e elements was sized for (PR_LSX_MAP_ELEMS's inverse). */
#define PR_LSX_MAP_PREFIXES(e) \
	((e) / 2 > 4 * PR_LSX_DP_ELEMS ? ((e) / 2 - 4 * PR_LSX_DP_ELEMS) * 4 / 5 : 0)
#define PR_LSX_MAX_CHANGED 16384 /* changed prefixes per table between builds */
#define PR_LSX_CHG_LENS 4        /* lengths the filter of a set of changes knows */
#define PR_LSX_CHG_BITS 65536    /* bits of that filter, per family and table */

/* The key the datapath's search is called with (pr_lsx_search): USED | V6 |
 * TABLE1 (table 1 of the family) | domain << 8. */
#define PR_LSX_USED (1U << 31)
#define PR_LSX_V6 (1U << 28)
#define PR_LSX_TABLE1 (1U << 27)
#define PR_LSX_DOMAIN_SHIFT 8

/*
 * One element of pr_lsx4/6 (24 bytes), by what refers to it:
 *
 * node (w[2] bit 63 clear): w[0] child bitmap, w[1] leaf bitmap, over the
 *   64 values of the next 6 bits; w[2] = leaf base << 32 | child base
 *   (the leaf base below 2^30).
 *   Value v with child bit set: element cbase + popcount(w[0] & bits 0..v) - 1;
 *   else the leaf word lbase + popcount(w[1] & bits 0..v) - 1 (a leaf bit
 *   starts a run of equal leaves; child values do not break a run).
 * compressed leaf (w[2] bit 63 set), at depth 16 (PR_LSX_CLEAF_DEPTH) or
 *   more (the bits above are checked by the path: a direct array that ends
 *   above depth 16 is followed by nodes down to it): w[0] bits 16..79 of
 *   the longer prefix, w[1] its bits 80..127 in the high 48 bits, then
 *   its length << 8 and the shorter prefix's length (0: none) in the low
 *   16; w[2] the routes (20 bits each, route index + 1, 0 for none):
 *   longer at bit 0, shorter at 20, inherited (the answer when neither
 *   matches) at 40.
 * skip (w[2] bits 63 and 62 set): where every prefix of a subtree goes
 *   through the same next 6 * k bits, one element for the k nodes of one
 *   child each: w[0] and w[1] as a compressed leaf's, with the depth the
 *   path reaches (6 * k past the skip's own) for the longer length and 0
 *   for the shorter; w[2] the child element (bits 0..30) and the inherited
 *   route (20 bits at 31), the answer for a destination off the path.
 * words (u32, 6 per element, word i at element i / 6): the direct arrays
 *   and the nodes' leaves. A word with bit 31 set names a child element
 *   (bits 0..30); else it is a route index + 1, or 0 for no route.
 * routes: struct pr_route, 2 per element.
 */
#define PR_LSX_CLEAF (1ULL << 63)
#define PR_LSX_SKIP (1ULL << 62) /* with PR_LSX_CLEAF */
#define PR_LSX_CHILD (1U << 31)
#define PR_LSX_RBITS 20
#define PR_LSX_RMASK ((1ULL << PR_LSX_RBITS) - 1)

union pr_lsx_elem {
	__u64 w[3];
	__u32 word[6];
	struct pr_route r[2];
};

/*
 * An indexed domain of a table. Its direct array is indexed by the dp_bits
 * bits of the destination after the first shift ones, which every prefix
 * of the domain shares (common, left-aligned) and is longer than (but for
 * a default route): a destination that differs in them is answered with
 * outside (the default route's index + 1, or 0). IPv6 prefixes of one
 * cluster share their first 48 bits or so: without the shift, their
 * direct array would use a handful of its words. dp_bits grows from 6 to
 * 20 with the domain's prefixes: 64 words per prefix up to 2^16 (a build
 * of a few prefixes writes a few hundred words, not 2^16), then about one
 * prefix per word (a level less for a million of them). Where the array
 * ends above depth 16 (PR_LSX_CLEAF_DEPTH), nodes take the path down to
 * it (user/reconcile/lookup_index_build.c, dp_bits_for).
 */
#define PR_LSX_MAX_SHIFT 44
#define PR_LSX_MAX_DP_BITS 20
struct pr_lsx_dom {
	__u32 domain;
	__u32 dp;      /* the direct array's first word */
	__u8 shift;    /* 0..PR_LSX_MAX_SHIFT */
	__u8 dp_bits;  /* PR_LSX_MIN_DP_BITS..PR_LSX_MAX_DP_BITS */
	__u16 pad;
	__u32 outside;
	__u64 common;
};

#define PR_LSX_T_BUILT (1U << 0) /* the table answers */
#define PR_LSX_T_ALL (1U << 1)   /* every domain with prefixes is in dom[]: others have none */

/* A table's header (in pr_lsx_ctl): indices are absolute within the map. */
struct pr_lsx_table {
	__u32 flags;   /* PR_LSX_T_* */
	__u32 ndom;    /* entries in dom[] */
	__u32 routes;  /* element of route index 0 */
	__u32 nelems;  /* elements the build used, for status */
	struct pr_lsx_dom dom[PR_LSX_MAX_DOMAINS];
};

struct pr_lsx_len {
	__u32 len;
	__u32 mask[4]; /* network byte order, as raw words of the address */
};

/*
 * A filter in front of a table's set of changed prefixes, so that the many
 * packets no change covers skip the set's LPM lookup.
 * IPv6: the lengths of the changed prefixes (n, at most PR_LSX_CHG_LENS;
 * more: any, every packet looks in the set) and, in pr_lsx_chgbits, one
 * bit per changed prefix at pr_lsx_hash(PR_LSX_USED | domain << 8 | len,
 * masked address) modulo PR_LSX_CHG_BITS. No bit set at any of the
 * lengths: no change covers the destination. A length is added before its
 * bits, and both before the prefix goes into the set.
 * IPv4: one bit per /16 of the address space (pr_lsx_chg4_bit), set for
 * every /16 a changed prefix overlaps, whatever its length and domain; n
 * is 0, or above PR_LSX_CHG_LENS (the filter passes everything). One load
 * and no hash decide a packet whose /16 no change touches, so the
 * datapath tests it inline, before the call that looks in the set.
 */
struct pr_lsx_chg_filter {
	__u32 n;   /* lengths in e[]; above PR_LSX_CHG_LENS: the filter passes everything */
	__u32 pad;
	struct pr_lsx_len e[PR_LSX_CHG_LENS];
};

/* The one entry of pr_lsx_ctl. Table t of a family occupies elements
 * [t * (max_entries / 2), (t + 1) * (max_entries / 2)) of its map. */
struct pr_lsx_ctl {
	__u32 active[2];             /* [0] IPv4, [1] IPv6: 0 = read the trie, 1 + t = table t */
	__u32 changed[2][2];         /* [family][table] nonzero: its set may hold prefixes */
	__u32 builder;               /* pid of the one agent that builds the index, 0: none */
	__u32 pad;
	struct pr_lsx_chg_filter chg[2][2]; /* [family][table] */
	struct pr_lsx_table tab[2][2];      /* [family][table] */
};

/* IPv4's change filter: the bit of an address (host order) is its /16. */
#if PR_LSX_CHG_BITS != 65536
#error "IPv4's change filter has one bit per /16"
#endif
static inline __u32 pr_lsx_chg4_bit(__u32 addr)
{
	return addr >> 16;
}

/* IPv6's change filter's hash, the same on both sides: words are raw loads of
 * the masked address (byte order does not matter as long as both agree). */
static inline __u32 pr_lsx_hash(__u32 meta, __u32 w0, __u32 w1, __u32 w2, __u32 w3)
{
	__u64 h = meta * 0x9e3779b97f4a7c15ULL;

	h = (h ^ w0) * 0xff51afd7ed558ccdULL;
	h = (h ^ w1) * 0xff51afd7ed558ccdULL;
	h = (h ^ w2) * 0xff51afd7ed558ccdULL;
	h = (h ^ w3) * 0xc4ceb9fe1a85ec53ULL;
	return h >> 32;
}


/* ---- pr_nets (ARRAY, PR_MAX_NETS): one entry per network ---- */

/* pr_net.flags */
#define PR_NET_F_VALID (1U << 0)     /* entry in use */
#define PR_NET_F_SHADOW (1U << 1)    /* decide and count, but pass */
#define PR_NET_F_ANTISPOOF (1U << 2) /* drop underlay packets sourced from our prefixes */
#define PR_NET_F_SKB_XMIT (1U << 3)  /* target cannot take XDP frames: XDP defers to TC */

struct pr_net {
	__u32 ifindex;   /* PR_ACT_REDIRECT: target device (must be in pr_txports) */
	__u32 vrf_table; /* the network's VRF table (0: none); PR_ACT_FIB looks it up */
	__u8 dmac[6];    /* PR_ACT_REDIRECT: next-hop MAC behind the target */
	__u8 smac[6];    /* PR_ACT_REDIRECT: the target device's own MAC */
	__u32 flags;     /* PR_NET_F_* */
};

/* ---- east-west next hops: pr_nhgrps (ARRAY) -> pr_nexthops (ARRAY) ---- */

struct pr_nhgrp {
	__u32 count;           /* valid entries in nh[], 0..PR_MAX_NH */
	__u32 nh[PR_MAX_NH];   /* indices into pr_nexthops */
};

/* pr_nexthop.flags */
#define PR_NH_F_VALID (1U << 0) /* neighbour resolved, usable */

struct pr_nexthop {
	__u32 ifindex;   /* underlay device (must be in pr_txports) */
	__u32 flags;     /* PR_NH_F_* */
	__u8 dmac[6];    /* the BGP next hop's MAC */
	__u8 smac[6];    /* the underlay device's MAC */
};

#define PR_MAX_NEXTHOPS (PR_MAX_NHGRPS)

/* ---- pr_ifaces (HASH, key = ifindex): interfaces podroute is attached to ---- */

/* pr_iface.flags */
#define PR_IF_F_XDP (1U << 0)      /* our XDP program runs here: TC only executes deferrals */
#define PR_IF_F_UNDERLAY (1U << 1) /* role: faces the provider network */
#define PR_IF_F_OVN (1U << 2)      /* role: faces OVN (east-west source) */

struct pr_iface {
	__u32 flags;                    /* PR_IF_F_* */
	__u32 nmacs;                    /* valid entries in rmac[] */
	__u8 rmac[PR_MAX_RMACS][6];     /* router MACs accepted as destination */
	__u32 vrf_table;                /* table of the VRF the device is in, 0 if none:
					 * ingress acts only on networks of this VRF,
					 * as the kernel's own lookup would */
};

/* ---- pr_ifslots (ARRAY, key = pr_ifslot_of(ifindex)): pr_ifaces, direct ----
 *
 * The same entries as pr_ifaces, at an index the datapath computes from the
 * ifindex, because a hash lookup was the costliest step of a packet's
 * decision (6 ns of 27 over parsing, bench/results/prog_cost_steps.md) and
 * an array's is a few instructions. A slot holds the entry of the lowest
 * ifindex in pr_ifaces that maps to it; an ifindex whose slot holds another
 * one (or none) is read from pr_ifaces. Writers (the reconciler, attach,
 * detach) write pr_ifaces first and the slot after, clear the slot before
 * they change or remove its entry, and write a slot's content whole with
 * ifindex last: the datapath never takes one interface's ifindex with
 * another's role or MACs. */
struct pr_ifslot {
	struct pr_iface ifc;
	__u32 ifindex; /* whose entry ifc is; 0: none */
};

static inline __u32 pr_ifslot_of(__u32 ifindex)
{
	return ifindex & (PR_IFSLOTS - 1);
}

/* ---- pr_config (ARRAY, 1 entry): global knobs the agent flips at runtime ---- */

/* pr_global.flags */
#define PR_G_F_SHADOW (1U << 0) /* global shadow mode */
/* No network has PR_NET_F_ANTISPOOF: the datapath skips the source lookup
 * (a second longest match per packet). Set only by a writer that clears
 * it before it turns anti-spoofing on in any network; clear (an older
 * agent) means "look". */
#define PR_G_F_NO_ANTISPOOF (1U << 1)

struct pr_global {
	__u32 abi_version; /* PR_ABI_VERSION of the agent that created the maps */
	__u32 flags;       /* PR_G_F_* */
};

/* ---- pr_liveness (ARRAY, 1 entry): the agent's heartbeat ----
 *
 * Written only by the agent's loop, several times a second. When the
 * heartbeat is older than stale_after_ms (0: never), the datapath stops
 * acting on learned routes (PR_R_AGENT_GONE: the kernel forwards them);
 * config-driven ingress goes on. heartbeat_ns is CLOCK_MONOTONIC, the
 * clock of bpf_ktime_get_ns().
 */
struct pr_liveness {
	__u64 heartbeat_ns;
	__u32 stale_after_ms;
	__u32 pad;
};

/* ---- pr_stats (PERCPU_ARRAY, PR_MAX_NETS * PR_R_MAX) ---- */

struct pr_counter {
	__u64 packets;
	__u64 bytes;
};

static inline __u32 pr_stats_index(__u32 net_id, __u32 reason)
{
	return net_id * PR_R_MAX + reason;
}

/* ---- podroute monitor: sampled decision events ----
 *
 * pr_monitor (ARRAY, 1 entry) is written by `podroute monitor` alone: the
 * datapath emits events only while until_ns (CLOCK_MONOTONIC, the clock of
 * bpf_ktime_get_ns()) is ahead, so a monitor that dies stops them within
 * its lease; off, the cost is one load and one branch per packet. Of the
 * packets of net_plus1 - 1 (0: every network), one in sample is sent to
 * pr_events (PERF_EVENT_ARRAY, one ring per CPU), at most per_cpu_limit
 * per CPU per second (pr_mon_budget, PERCPU_ARRAY, 1 entry).
 */
enum pr_verdict {
	PR_V_PASS = 0,     /* the kernel's path */
	PR_V_DROP = 1,
	PR_V_REDIRECT = 2, /* redirected here (XDP or TC) */
	PR_V_DEFER_TC = 3, /* rewritten by XDP, redirected by TC on this device */
};

struct pr_monitor {
	__u64 until_ns;
	__u32 sample;        /* one in this many (0 or 1: every packet) */
	__u32 net_plus1;     /* network id + 1, 0: any */
	__u32 per_cpu_limit; /* events per CPU per second (0: no limit) */
	__u32 pad;
};

struct pr_mon_budget {
	__u64 window_ns; /* start of the current second */
	__u32 used;      /* events sent in it */
	__u32 pad;
};

struct pr_event {
	__u64 ts_ns;       /* bpf_ktime_get_ns() */
	__u32 ifindex;     /* receiving device */
	__u32 tx_ifindex;  /* redirect target, 0 when none */
	__u32 net_id;
	__u32 pkt_len;
	__u16 reason;      /* enum pr_reason */
	__u8 verdict;      /* enum pr_verdict */
	__u8 family;       /* 4, 6, or 0 when not parsed as IP */
	__u8 proto;        /* IP protocol, 0 when not parsed */
	__u8 ttl;          /* TTL / hop limit as received */
	__be16 sport, dport;
	__u8 saddr[16], daddr[16]; /* IPv4 in the first 4 bytes */
	__u8 pad[6];
};

/* ---- XDP -> TC hand-off in the frame's metadata area ---- */

#define PR_META_MAGIC 0x50526d31U /* "PRm1" */

struct pr_xdp_meta {
	__u32 magic;   /* PR_META_MAGIC */
	__u32 ifindex; /* redirect target (already rewritten frame) */
	__u32 net_id;  /* for the counter */
};

/* ---- compile-time layout checks: both sides compile these ---- */
#define PR_ASSERT_SIZE(t, n) _Static_assert(sizeof(t) == (n), #t " size changed: bump PR_ABI_VERSION")

PR_ASSERT_SIZE(struct pr_lpm4_key, 12);
PR_ASSERT_SIZE(struct pr_lpm6_key, 24);
PR_ASSERT_SIZE(struct pr_route, 12);
PR_ASSERT_SIZE(struct pr_net, 24);
PR_ASSERT_SIZE(struct pr_nhgrp, 4 + 4 * PR_MAX_NH);
PR_ASSERT_SIZE(struct pr_nexthop, 20);
PR_ASSERT_SIZE(struct pr_iface, 8 + 6 * PR_MAX_RMACS + 4);
PR_ASSERT_SIZE(struct pr_ifslot, 8 + 6 * PR_MAX_RMACS + 4 + 4);
PR_ASSERT_SIZE(struct pr_global, 8);
PR_ASSERT_SIZE(struct pr_liveness, 16);
PR_ASSERT_SIZE(struct pr_monitor, 24);
PR_ASSERT_SIZE(struct pr_mon_budget, 16);
PR_ASSERT_SIZE(struct pr_event, 72);
PR_ASSERT_SIZE(struct pr_counter, 16);
PR_ASSERT_SIZE(struct pr_xdp_meta, 12);
PR_ASSERT_SIZE(union pr_lsx_elem, 24);
PR_ASSERT_SIZE(struct pr_lsx_table, 16 + 24 * PR_LSX_MAX_DOMAINS);
PR_ASSERT_SIZE(struct pr_lsx_chg_filter, 8 + 20 * PR_LSX_CHG_LENS);
PR_ASSERT_SIZE(struct pr_lsx_ctl, 32 + 4 * (8 + 20 * PR_LSX_CHG_LENS) + 4 * (16 + 24 * PR_LSX_MAX_DOMAINS));
_Static_assert(__builtin_offsetof(struct pr_lpm4_key, domain) == 4, "LPM key: prefixlen first");
_Static_assert(__builtin_offsetof(struct pr_lpm6_key, domain) == 4, "LPM key: prefixlen first");
_Static_assert(__builtin_offsetof(struct pr_lpm4_key, addr) == 8, "LPM key: domain before address");
_Static_assert(__builtin_offsetof(struct pr_lpm6_key, addr) == 8, "LPM key: domain before address");
_Static_assert(__builtin_offsetof(struct pr_net, dmac) == 8, "pr_net layout");
_Static_assert(__builtin_offsetof(struct pr_net, flags) == 20, "pr_net layout");
_Static_assert(__builtin_offsetof(struct pr_nexthop, dmac) == 8, "pr_nexthop layout");
_Static_assert(sizeof(struct pr_xdp_meta) % 4 == 0, "XDP metadata must be 4-byte multiple");
_Static_assert(PR_MAX_NETS * PR_R_MAX < 65536, "stats array size");

#endif /* PODROUTE_ABI_H */
