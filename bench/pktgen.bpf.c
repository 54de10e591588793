// SPDX-License-Identifier: GPL-2.0-only
/*
 * Packet-rate benchmark programs (driven by bench/pktgen.c).
 *
 * xdp_gen is the generator. It runs under BPF_PROG_RUN with
 * BPF_F_TEST_XDP_LIVE_FRAMES, as if each frame had been received on the
 * node's underlay device (the ingress ifindex the caller gives), writes
 * that frame's headers from a per-flow template and tail-calls slot 0 of
 * gen_next: podroute's own xdp_underlay (its XDP_REDIRECT then really
 * leaves through the device map), xdp_pass (the kernel builds an skb and
 * the frame takes the stack's path: TC ingress, IP forwarding, netfilter),
 * or xdp_drop (the generator's own cost, nothing forwarded). Every variant
 * thus pays the same generator cost, and no sender socket or veth hop sits
 * in front of the path under test.
 *
 * Why the headers are rewritten for every frame: in live mode the kernel
 * copies the caller's frame into each page of its page pool once and then
 * recycles the pages, so what a forwarding program changed (MACs, TTL,
 * checksum) would otherwise come back in later frames.
 *
 * xdp_rx_count sits on the receiving veth (the pod's end): it counts the
 * benchmark's frames (UDP to port 8080) with a valid IPv4 header checksum
 * and the expected TTL / hop limit as good, others as bad, and drops them;
 * anything else (ARP, neighbour discovery) is counted as other and passed.
 * Every variant is counted there, the same way. tc_rx_count applies the
 * same rules in TC ingress (a receiver without XDP).
 *
 * xdp_fwd_min is the least an XDP forwarder can do with these frames: new
 * MACs, TTL / hop limit minus one (the IPv4 checksum updated), redirect to
 * one device; no parsing beyond that, no lookup, no counters. Handed the
 * frames instead of podroute, it measures the ceiling of any XDP fast path
 * into a veth on this machine.
 */
#ifndef PKTGEN_BPF_ABI
#define PKTGEN_BPF_ABI
/*
 * What pktgen.c shares with these programs, defined once: pktgen.c
 * includes this file with PKTGEN_ABI_ONLY defined and gets only this part.
 */
#include <linux/types.h>

#define PKTGEN_HDR 64        /* leading bytes of a frame the generator writes */
#define PKTGEN_MAX_FLOWS 256 /* flows (source ports) per run */
#define PKTGEN_DPORT 8080    /* UDP destination port of every benchmark frame */

struct pktgen_hdr {
	__u8 b[PKTGEN_HDR];
};

/* The object's whole .rodata (userspace writes it at offset 0). */
struct pktgen_cfg {
	__u32 nflows;  /* xdp_gen: flows in gen_flows, 1..PKTGEN_MAX_FLOWS */
	__u8 want_ttl; /* rx counters: TTL / hop limit a good frame has, 0: any */
	__u8 count_only; /* rx counters: pass benchmark frames on instead of dropping */
	__u8 pad[2];
	__u32 fwd_ifindex;  /* xdp_fwd_min: where every frame goes */
	__u8 fwd_dmac[6];   /* ... with these MACs */
	__u8 fwd_smac[6];
};

/*
 * Per CPU; the tap reader keeps one in a shared file, the same layout. The
 * rate is stamped / (last_ns - first_ns): the receiver dates the first
 * good frame and every 64th, so the generator's set-up and tear-down
 * (about 25 ms a call here, see pktgen.c) stay out of it.
 */
struct pktgen_rx_stats {
	__u64 good;     /* benchmark frames, headers valid, TTL as expected */
	__u64 bad;      /* benchmark frames with a bad checksum or TTL */
	__u64 other;    /* anything else (passed on) */
	__u64 first_ns; /* CLOCK_MONOTONIC of the first good frame since reset */
	__u64 last_ns;  /* ... of the latest 64th good frame */
	__u64 stamped;  /* good frames counted before last_ns's frame */
};
#endif /* PKTGEN_BPF_ABI */

#ifndef PKTGEN_ABI_ONLY
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

/* Knobs set through .rodata before load (the only .rodata variable). */
const volatile struct pktgen_cfg cfg = { .nflows = 1 };

/* Flow index -> the first PKTGEN_HDR bytes of that flow's frame. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__type(key, __u32);
	__type(value, struct pktgen_hdr);
	__uint(max_entries, PKTGEN_MAX_FLOWS);
} gen_flows SEC(".maps");

/* Slot 0: the program each generated frame is handed to. */
struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, sizeof(__u32));
	__uint(max_entries, 1);
} gen_next SEC(".maps");

/* Frames generated on this CPU: picks the next frame's flow. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, __u64);
	__uint(max_entries, 1);
} gen_seq SEC(".maps");

/* What the receiver counted (summed over CPUs by userspace). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__type(key, __u32);
	__type(value, struct pktgen_rx_stats);
	__uint(max_entries, 1);
} rx_count SEC(".maps");

SEC("xdp")
int xdp_gen(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct pktgen_hdr *tmpl;
	__u32 zero = 0, flow;
	__u64 *seq;

	if (data + PKTGEN_HDR > end)
		return XDP_ABORTED;
	seq = bpf_map_lookup_elem(&gen_seq, &zero);
	if (!seq)
		return XDP_ABORTED;
	flow = (*seq)++ % cfg.nflows;
	tmpl = bpf_map_lookup_elem(&gen_flows, &flow);
	if (!tmpl)
		return XDP_ABORTED;
	__builtin_memcpy(data, tmpl->b, PKTGEN_HDR);
	bpf_tail_call(ctx, &gen_next, 0);
	return XDP_ABORTED; /* empty slot: userspace never leaves it so */
}

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("xdp")
int xdp_drop(struct xdp_md *ctx)
{
	return XDP_DROP;
}

SEC("xdp")
int xdp_fwd_min(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > end)
		return XDP_DROP;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);
		__u32 check;

		if ((void *)(ip + 1) > end)
			return XDP_DROP;
		/* RFC 1624, as the kernel's ip_decrease_ttl() does it */
		check = ip->check + bpf_htons(0x0100);
		ip->check = (__u16)(check + (check >= 0xffff));
		ip->ttl--;
	} else {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end)
			return XDP_DROP;
		ip6->hop_limit--;
	}
#pragma unroll
	for (int i = 0; i < ETH_ALEN; i++) {
		eth->h_dest[i] = cfg.fwd_dmac[i];
		eth->h_source[i] = cfg.fwd_smac[i];
	}
	return bpf_redirect(cfg.fwd_ifindex, 0);
}

/* One's-complement sum of a 20-byte IPv4 header: 0xffff when valid. */
static __always_inline int ip4_csum_ok(const struct iphdr *ip)
{
	const __u16 *w = (const __u16 *)ip;
	__u32 s = 0;

#pragma unroll
	for (int i = 0; i < 10; i++)
		s += w[i];
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

/*
 * The receiver's rules: count the frame in st; true if it is a benchmark
 * frame (the caller drops it), false for anything else (passed on).
 */
static __always_inline int rx_count_frame(void *data, void *end, struct pktgen_rx_stats *st)
{
	struct ethhdr *eth = data;
	struct udphdr *udp;
	int ok;

	if ((void *)(eth + 1) > end)
		goto other;
	if (eth->h_proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *ip = (void *)(eth + 1);

		if ((void *)(ip + 1) > end || ip->ihl != 5 || ip->protocol != IPPROTO_UDP)
			goto other;
		udp = (void *)(ip + 1);
		if ((void *)(udp + 1) > end || udp->dest != bpf_htons(PKTGEN_DPORT))
			goto other;
		ok = ip4_csum_ok(ip) && (!cfg.want_ttl || ip->ttl == cfg.want_ttl);
	} else if (eth->h_proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = (void *)(eth + 1);

		if ((void *)(ip6 + 1) > end || ip6->nexthdr != IPPROTO_UDP)
			goto other;
		udp = (void *)(ip6 + 1);
		if ((void *)(udp + 1) > end || udp->dest != bpf_htons(PKTGEN_DPORT))
			goto other;
		ok = !cfg.want_ttl || ip6->hop_limit == cfg.want_ttl;
	} else {
		goto other;
	}
	if (!ok) {
		st->bad++;
		return 1;
	}
	/* A clock read every 64 frames is enough to date the stream. */
	if (!(st->good & 63)) {
		st->last_ns = bpf_ktime_get_ns();
		st->stamped = st->good;
		if (!st->first_ns)
			st->first_ns = st->last_ns;
	}
	st->good++;
	return 1;
other:
	st->other++;
	return 0;
}

SEC("xdp")
int xdp_rx_count(struct xdp_md *ctx)
{
	struct pktgen_rx_stats *st;
	__u32 zero = 0;

	st = bpf_map_lookup_elem(&rx_count, &zero);
	if (!st)
		return XDP_PASS;
	if (rx_count_frame((void *)(long)ctx->data, (void *)(long)ctx->data_end, st) && !cfg.count_only)
		return XDP_DROP;
	return XDP_PASS;
}

/*
 * The same count in TC: in ingress for the receiver-sensitivity runs (the
 * receiving veth has no XDP program, so frames redirected into it by XDP
 * get an skb built and the kernel path's skbs go through as they are, as
 * for a pod); in egress, counting only, on the tap a VM reads.
 */
SEC("tc")
int tc_rx_count(struct __sk_buff *skb)
{
	struct pktgen_rx_stats *st;
	__u32 zero = 0;

	st = bpf_map_lookup_elem(&rx_count, &zero);
	if (!st)
		return TC_ACT_OK;
	if (skb->data_end - skb->data < PKTGEN_HDR)
		bpf_skb_pull_data(skb, PKTGEN_HDR);
	if (rx_count_frame((void *)(long)skb->data, (void *)(long)skb->data_end, st) && !cfg.count_only)
		return TC_ACT_SHOT;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "GPL";
#endif /* !PKTGEN_ABI_ONLY */
