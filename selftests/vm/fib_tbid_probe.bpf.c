// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test-only probe for the VM suite: one FIB lookup of a fixed IPv4
 * destination in one routing table (a VRF's), the way podroute's datapath
 * asks the kernel, with BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID. That
 * flag needs kernel 6.8 or later, which is why it is tested in the VM.
 * It stands in for build/podroute.bpf.o in test_bpf_load.sh while that is
 * missing, and test_fib_tbid.sh runs it with BPF_PROG_TEST_RUN (bpftool
 * prog run): the return value is the lookup's result code in the low byte
 * and the egress ifindex above it, or 255 for an error from the helper.
 * TC type, so that any return value passes the verifier; the packet is
 * not looked at.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#define AF_INET 2 /* linux/socket.h; BPF objects include no glibc header */

/* The question asked: 10.100.1.1 in table 100, from interface 1 (lo). */
const volatile __u32 probe_dst = 0x0a640101;
const volatile __u32 probe_table = 100;
const volatile __u32 probe_ifindex = 1;

SEC("tc")
int fib_tbid_probe(struct __sk_buff *skb)
{
	struct bpf_fib_lookup fib = {};
	long rc;

	fib.family = AF_INET;
	fib.ifindex = probe_ifindex;
	fib.tot_len = 20;
	fib.ipv4_dst = bpf_htonl(probe_dst);
	fib.tbid = probe_table;
	rc = bpf_fib_lookup(skb, &fib, sizeof(fib), BPF_FIB_LOOKUP_DIRECT | BPF_FIB_LOOKUP_TBID);
	if (rc < 0)
		return 255;
	return (int)(rc | (fib.ifindex << 8));
}

char LICENSE[] SEC("license") = "GPL";
