// SPDX-License-Identifier: GPL-2.0-only
/*
 * pktgen: the packet-rate benchmark's generators and receivers (the BPF
 * half is pktgen.bpf.c). Each command runs in the caller's network
 * namespace (use nsenter --net=...).
 *
 *   pktgen live IFNAME --to attached|pass|drop|fwd:DEV/MAC GEN-OPTS
 *       Generator: frames enter IFNAME as if its driver had received them
 *       (BPF_PROG_RUN, live frames, batches of 64), handed to the XDP
 *       program attached to IFNAME (podroute's), to XDP_PASS (the kernel's
 *       path: TC, IP forwarding, netfilter), to XDP_DROP (the
 *       generator's own cost) or to xdp_fwd_min, the least an XDP
 *       forwarder does (new MACs, TTL - 1, redirect out of DEV to MAC).
 *   pktgen txpkt IFNAME GEN-OPTS
 *       Generator: an AF_PACKET socket on IFNAME (qdisc bypassed,
 *       sendmmsg of 64); the frames enter IFNAME's veth peer.
 *     GEN-OPTS: --dmac MAC --src ADDR --dst ADDR --rx SRC [--smac MAC]
 *       [--size BYTES (64)] [--flows N (16)] [--secs S (0.5)] [--ttl N (64)]
 *       [--sport P (10000)] [--rx2 SRC]
 *       UDP to port 8080 from ports P.., IPv4 or IPv6 by address,
 *       SIZE bytes of Ethernet frame (no FCS), valid IPv4 header and UDP
 *       checksums. Runs for about S seconds, then waits for the receiver to
 *       go quiet and prints: sent received bad other seconds packets/s
 *       offered/s received2 packets/s2, where seconds and packets/s are the
 *       receiver's (first to last good frame), offered/s the generator's
 *       own rate, and the last two those of the second receiver (--rx2, a
 *       counter further up the path; 0 0 without).
 *   pktgen rx-attach IFNAME PIN [--ttl N] [--tc | --egress]
 *       Receiver: XDP counter on IFNAME (native; --tc: in TC ingress
 *       instead; --egress: in TC egress, what IFNAME is handed to send,
 *       counted and passed on), its map pinned at PIN; good frames must
 *       arrive with TTL / hop limit N (0: any).
 *   pktgen tap-rx TAP FILE --mac MAC --ip A.B.C.D [--ttl N]
 *       Receiver: holds tap device TAP as a VM's NIC would and counts what
 *       it reads, by the same rules, into FILE (same layout as the map).
 *       Announces MAC/IP with a gratuitous ARP every 30 s, so that a
 *       bridge in front of the tap keeps it learned.
 *   pktgen rx-read SRC | rx-reset SRC
 *       Print "good bad other packets/s" of a pinned counter or a FILE
 *       since its last reset / reset it.
 *   pktgen probe-live
 *       Exit 0 if this kernel runs XDP programs on live frames
 *       (BPF_F_TEST_XDP_LIVE_FRAMES, which `live` needs), 3 with a line
 *       saying so if it refuses them (some kernel builds answer EPERM),
 *       1 if the question could not be asked.
 *   pktgen ct-prime --src ADDR --dst ADDR [--flows N] [--sport P]
 *       From the receiving side, send one UDP datagram from port 8080 back
 *       to each flow's source port, so that conntrack on the path sees a
 *       reply and holds every flow as established.
 */
#define _GNU_SOURCE /* sendmmsg */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "lib/prefix.h"
#define PKTGEN_ABI_ONLY
#include "pktgen.bpf.c"

#define SPORT_BASE 10000
#define FRAME_MAX 2048
#define LIVE_BATCH 64 /* frames per XDP batch in live mode, as a NAPI poll */
#define CALIBRATE 4096 /* frames of the call that sizes a live run */

static const char *obj_path = "build/bench/pktgen.bpf.o";

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + t.tv_nsec;
}

/* ---- frames ---- */

struct gen_opts {
	const char *ifname, *src, *dst, *rx, *rx2, *to;
	uint8_t smac[6], dmac[6];
	bool have_dmac;
	size_t size;
	unsigned flows, ttl, sport;
	double secs;
};

static uint32_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	return s;
}

static uint16_t fold(uint32_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

/*
 * One flow's frame: Ethernet, IPv4 (no options) or IPv6, UDP to
 * PKTGEN_DPORT from sport, zero payload. Returns its length, or 0 if the
 * addresses do not parse or the size does not fit.
 */
static size_t build_frame(uint8_t *f, const struct gen_opts *o, uint16_t sport)
{
	bool v6 = strchr(o->dst, ':');
	size_t ip = v6 ? 40 : 20, l4 = 14 + ip, len = o->size, ulen;
	uint32_t s;
	uint16_t c;

	if (len < l4 + 8)
		len = l4 + 8;
	if (len > FRAME_MAX || len < PKTGEN_HDR)
		return 0;
	ulen = len - l4;
	memset(f, 0, len);
	memcpy(f, o->dmac, 6);
	memcpy(f + 6, o->smac, 6);
	f[12] = v6 ? 0x86 : 0x08;
	f[13] = v6 ? 0xdd : 0x00;
	if (v6) {
		f[14] = 0x60;
		f[18] = ulen >> 8;
		f[19] = ulen;
		f[20] = 17;
		f[21] = o->ttl;
		if (inet_pton(AF_INET6, o->src, f + 22) != 1 || inet_pton(AF_INET6, o->dst, f + 38) != 1)
			return 0;
		s = sum16(f + 22, 32, 0); /* pseudo header: addresses, length, next header */
	} else {
		f[14] = 0x45;
		f[16] = (len - 14) >> 8;
		f[17] = len - 14;
		f[22] = o->ttl;
		f[23] = 17;
		if (inet_pton(AF_INET, o->src, f + 26) != 1 || inet_pton(AF_INET, o->dst, f + 30) != 1)
			return 0;
		c = fold(sum16(f + 14, 20, 0));
		f[24] = c >> 8;
		f[25] = c;
		s = sum16(f + 26, 8, 0);
	}
	s += 17 + ulen;
	f[l4] = sport >> 8;
	f[l4 + 1] = sport;
	f[l4 + 2] = PKTGEN_DPORT >> 8;
	f[l4 + 3] = PKTGEN_DPORT & 0xff;
	f[l4 + 4] = ulen >> 8;
	f[l4 + 5] = ulen;
	c = fold(sum16(f + l4, ulen, s));
	if (!c)
		c = 0xffff; /* UDP sends a zero sum as all ones */
	f[l4 + 6] = c >> 8;
	f[l4 + 7] = c;
	return len;
}

/* The receiver's rules, for the tap reader (xdp_rx_count applies them in BPF). */
enum rx_class { RX_GOOD, RX_BAD, RX_OTHER };

static enum rx_class classify(const uint8_t *f, size_t len, unsigned want_ttl)
{
	const uint8_t *udp;
	unsigned ttl;

	if (len >= 14 + 20 + 8 && f[12] == 0x08 && f[13] == 0x00) {
		if (f[14] != 0x45 || f[23] != 17)
			return RX_OTHER;
		udp = f + 34;
		ttl = f[22];
		if ((udp[2] << 8 | udp[3]) != PKTGEN_DPORT)
			return RX_OTHER;
		if (fold(sum16(f + 14, 20, 0)))
			return RX_BAD;
	} else if (len >= 14 + 40 + 8 && f[12] == 0x86 && f[13] == 0xdd) {
		if (f[20] != 17)
			return RX_OTHER;
		udp = f + 54;
		ttl = f[21];
		if ((udp[2] << 8 | udp[3]) != PKTGEN_DPORT)
			return RX_OTHER;
	} else {
		return RX_OTHER;
	}
	return want_ttl && ttl != want_ttl ? RX_BAD : RX_GOOD;
}

/* ---- receiver counters ---- */

/* Sum of a pinned rx_count map, or the tap reader's file. */
static int rx_read(const char *src, struct pktgen_rx_stats *out)
{
	int fd = bpf_obj_get(src), n = libbpf_num_possible_cpus();

	memset(out, 0, sizeof(*out));
	if (fd >= 0) {
		struct pktgen_rx_stats v[n];
		uint32_t zero = 0;
		int err = bpf_map_lookup_elem(fd, &zero, v) ? -errno : 0;

		close(fd);
		if (err)
			return err;
		for (int i = 0; i < n; i++) {
			out->good += v[i].good;
			out->bad += v[i].bad;
			out->other += v[i].other;
			out->stamped += v[i].stamped;
			if (v[i].first_ns && (!out->first_ns || v[i].first_ns < out->first_ns))
				out->first_ns = v[i].first_ns;
			if (v[i].last_ns > out->last_ns)
				out->last_ns = v[i].last_ns;
		}
		return 0;
	}
	fd = open(src, O_RDONLY);
	if (fd < 0)
		return -errno;
	if (pread(fd, out, sizeof(*out), 0) != sizeof(*out)) {
		close(fd);
		return -EIO;
	}
	close(fd);
	return 0;
}

/* Zero the receiver's counters (and its first frame's date) before a run. */
static int rx_reset(const char *src)
{
	int fd = bpf_obj_get(src), n = libbpf_num_possible_cpus(), err = 0;

	if (fd >= 0) {
		struct pktgen_rx_stats v[n];
		uint32_t zero = 0;

		memset(v, 0, sizeof(v));
		if (bpf_map_update_elem(fd, &zero, v, 0))
			err = -errno;
		close(fd);
		return err;
	}
	fd = open(src, O_WRONLY);
	if (fd < 0)
		return -errno;
	{
		struct pktgen_rx_stats z = { 0 };

		if (pwrite(fd, &z, sizeof(z), 0) != sizeof(z))
			err = -EIO;
	}
	close(fd);
	return err;
}

/* Received packets/s of the run since the last reset: 0 if too few frames to date. */
static double rx_pps(const struct pktgen_rx_stats *st)
{
	return st->last_ns > st->first_ns ? st->stamped * 1e9 / (st->last_ns - st->first_ns) : 0;
}

/*
 * After the generator stops, frames may still sit in a veth ring, a
 * backlog or a tap queue: wait until the good count has not moved for
 * 20 ms (at most 2 s), so that they are counted and dated.
 */
static int rx_settle(const char *src, struct pktgen_rx_stats *st)
{
	uint64_t deadline = now_ns() + 2000000000ull, last = ~0ull;
	int still = 0, err;

	while ((err = rx_read(src, st)) == 0 && now_ns() < deadline) {
		still = st->good == last ? still + 1 : 0;
		if (still >= 20)
			break;
		last = st->good;
		usleep(1000);
	}
	return err;
}

/* ---- BPF object ---- */

static struct bpf_object *open_obj(const struct pktgen_cfg *cfg)
{
	struct bpf_object *o = bpf_object__open_file(obj_path, NULL);
	struct bpf_map *m;
	size_t size = 0;

	if (!o || libbpf_get_error(o)) {
		fprintf(stderr, "pktgen: cannot open %s\n", obj_path);
		return NULL;
	}
	bpf_object__for_each_map(m, o) {
		const char *name = bpf_map__name(m);
		size_t l = strlen(name);

		if (l < 7 || strcmp(name + l - 7, ".rodata"))
			continue;
		if (!bpf_map__initial_value(m, &size) || size != sizeof(*cfg) ||
		    bpf_map__set_initial_value(m, cfg, sizeof(*cfg))) {
			fprintf(stderr, "pktgen: %s: .rodata is %zu bytes, expected struct pktgen_cfg (%zu)\n",
				obj_path, size, sizeof(*cfg));
			bpf_object__close(o);
			return NULL;
		}
	}
	if (!size || bpf_object__load(o)) {
		fprintf(stderr, "pktgen: cannot load %s%s\n", obj_path, size ? "" : " (no .rodata)");
		bpf_object__close(o);
		return NULL;
	}
	return o;
}

static int prog_fd(struct bpf_object *o, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(o, name);

	return p ? bpf_program__fd(p) : -ENOENT;
}

static int map_fd(struct bpf_object *o, const char *name)
{
	struct bpf_map *m = bpf_object__find_map_by_name(o, name);

	return m ? bpf_map__fd(m) : -ENOENT;
}

/* The XDP program attached to ifindex (in any mode), as an fd. */
static int attached_prog(int ifindex, const char *ifname)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, q);
	uint32_t id;
	int fd;

	if (bpf_xdp_query(ifindex, 0, &q)) {
		fprintf(stderr, "pktgen: XDP query on %s: %s\n", ifname, strerror(errno));
		return -1;
	}
	id = q.drv_prog_id ? q.drv_prog_id : q.skb_prog_id ? q.skb_prog_id : q.prog_id;
	if (!id) {
		fprintf(stderr, "pktgen: no XDP program attached to %s\n", ifname);
		return -1;
	}
	fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		fprintf(stderr, "pktgen: XDP program %u on %s: %s\n", id, ifname, strerror(errno));
	return fd;
}

/* ---- generators ---- */

static int parse_gen(int argc, char **argv, struct gen_opts *o, bool live)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, 't' },	   { "smac", required_argument, NULL, 'S' },
		{ "dmac", required_argument, NULL, 'D' },  { "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },   { "size", required_argument, NULL, 'z' },
		{ "flows", required_argument, NULL, 'f' }, { "secs", required_argument, NULL, 'T' },
		{ "rx", required_argument, NULL, 'r' },	   { "ttl", required_argument, NULL, 'l' },
		{ "sport", required_argument, NULL, 'p' }, { "rx2", required_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 },
	};
	static const uint8_t smac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
	int c;

	*o = (struct gen_opts){ .size = 64, .flows = 16, .ttl = 64, .sport = SPORT_BASE, .secs = 0.5 };
	memcpy(o->smac, smac, 6);
	if (argc < 3)
		return -EINVAL;
	o->ifname = argv[2];
	optind = 3;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 't': o->to = optarg; break;
		case 'S': if (pr_mac_parse(optarg, o->smac)) return -EINVAL; break;
		case 'D': if (pr_mac_parse(optarg, o->dmac)) return -EINVAL; o->have_dmac = true; break;
		case 's': o->src = optarg; break;
		case 'd': o->dst = optarg; break;
		case 'z': o->size = strtoul(optarg, NULL, 0); break;
		case 'f': o->flows = strtoul(optarg, NULL, 0); break;
		case 'T': o->secs = strtod(optarg, NULL); break;
		case 'r': o->rx = optarg; break;
		case 'R': o->rx2 = optarg; break;
		case 'l': o->ttl = strtoul(optarg, NULL, 0); break;
		case 'p': o->sport = strtoul(optarg, NULL, 0); break;
		default: return -EINVAL;
		}
	}
	if (!o->have_dmac || !o->src || !o->dst || !o->rx || (live && !o->to) || o->flows < 1 ||
	    o->flows > PKTGEN_MAX_FLOWS || o->secs <= 0 || o->ttl < 2 || o->ttl > 255 || o->sport < 1 ||
	    o->sport + o->flows > 65536)
		return -EINVAL;
	return 0;
}

/*
 * Wait for the receiver to settle and print the run's line:
 *   sent received bad other seconds packets/s offered/s
 * seconds and packets/s are the receiver's (first to last good frame);
 * offered/s is the generator's own view (frames it produced per second of
 * its loop, forwarding included when that runs on its CPU).
 */
static int report(const struct gen_opts *o, uint64_t sent, double offered)
{
	struct pktgen_rx_stats st, st2 = { 0 };
	int err = rx_settle(o->rx, &st);

	if (!err && o->rx2)
		err = rx_settle(o->rx2, &st2);
	if (err) {
		fprintf(stderr, "pktgen: receiver counters: %s\n", strerror(-err));
		return 1;
	}
	printf("%llu %llu %llu %llu %.6f %.0f %.0f %llu %.0f\n", (unsigned long long)sent,
	       (unsigned long long)st.good, (unsigned long long)st.bad, (unsigned long long)st.other,
	       st.last_ns > st.first_ns ? (st.last_ns - st.first_ns) / 1e9 : 0.0, rx_pps(&st), offered,
	       (unsigned long long)st2.good, rx_pps(&st2));
	return 0;
}

/* Zero both receivers' counters. */
static int rx_reset_all(const struct gen_opts *o)
{
	int err = rx_reset(o->rx);

	if (!err && o->rx2)
		err = rx_reset(o->rx2);
	if (err)
		fprintf(stderr, "pktgen: cannot reset the receiver counters: %s\n", strerror(-err));
	return err;
}

/*
 * One live call of n frames; returns the kernel's ns per frame (0 on
 * error). The kernel re-points its XDP dispatcher at the program for any
 * call with repeat > 1 and back afterwards, two RCU grace periods that
 * take about 25 ms here: one long call per run, dated by the receiver,
 * keeps that out of the figures.
 */
static uint32_t live_run(int gen, int ifindex, const uint8_t *frame, size_t len, uint32_t n)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, r, .data_in = frame, .data_size_in = len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .repeat = n,
		    .batch_size = LIVE_BATCH);

	if (bpf_prog_test_run_opts(gen, &r)) {
		int e = errno;

		fprintf(stderr, "pktgen: live frames (%u): %s%s\n", n, strerror(e),
			e == EPERM
				? " (this kernel refuses BPF_F_TEST_XDP_LIVE_FRAMES: bench/pktrate_vm.sh "
				  "measures in the VM's kernels)"
				: "");
		return 0;
	}
	return r.duration ? r.duration : 1;
}

/* --to fwd:DEV/MAC: xdp_fwd_min sends every frame out of DEV (in this
 * namespace) to MAC, from DEV's own MAC. 0, or -1 with a message. */
static int fwd_target(const char *spec, struct pktgen_cfg *cfg)
{
	const char *slash = strchr(spec, '/');
	struct ifreq ifr = { 0 };
	int sk;

	if (!slash || slash == spec || (size_t)(slash - spec) >= IFNAMSIZ ||
	    pr_mac_parse(slash + 1, cfg->fwd_dmac)) {
		fprintf(stderr, "pktgen: --to fwd:DEV/MAC expected, got fwd:%s\n", spec);
		return -1;
	}
	memcpy(ifr.ifr_name, spec, slash - spec);
	cfg->fwd_ifindex = if_nametoindex(ifr.ifr_name);
	sk = socket(AF_INET, SOCK_DGRAM, 0);
	if (!cfg->fwd_ifindex || sk < 0 || ioctl(sk, SIOCGIFHWADDR, &ifr) < 0) {
		fprintf(stderr, "pktgen: --to fwd: no device %s in this namespace\n", ifr.ifr_name);
		if (sk >= 0)
			close(sk);
		return -1;
	}
	close(sk);
	memcpy(cfg->fwd_smac, ifr.ifr_hwaddr.sa_data, 6);
	return 0;
}

static int cmd_live(int argc, char **argv)
{
	struct pktgen_cfg cfg = { 0 };
	struct pktgen_rx_stats st;
	struct gen_opts o;
	struct bpf_object *obj;
	uint8_t frame[FRAME_MAX];
	uint32_t zero = 0, ns, n;
	double est;
	size_t len = 0;
	int ifindex, gen, next, target, flows, err;

	if (parse_gen(argc, argv, &o, true)) {
		fprintf(stderr, "usage: pktgen live IFNAME --to attached|pass|drop|fwd:DEV/MAC --dmac MAC --src A --dst B --rx SRC [...]\n");
		return 2;
	}
	ifindex = if_nametoindex(o.ifname);
	if (!ifindex) {
		fprintf(stderr, "pktgen: no device %s in this namespace\n", o.ifname);
		return 1;
	}
	cfg.nflows = o.flows;
	if (!strncmp(o.to, "fwd:", 4) && fwd_target(o.to + 4, &cfg))
		return 2;
	obj = open_obj(&cfg);
	if (!obj)
		return 1;
	gen = prog_fd(obj, "xdp_gen");
	next = map_fd(obj, "gen_next");
	flows = map_fd(obj, "gen_flows");
	if (!strncmp(o.to, "fwd:", 4))
		target = prog_fd(obj, "xdp_fwd_min");
	else if (!strcmp(o.to, "attached"))
		target = attached_prog(ifindex, o.ifname);
	else if (!strcmp(o.to, "pass"))
		target = prog_fd(obj, "xdp_pass");
	else if (!strcmp(o.to, "drop"))
		target = prog_fd(obj, "xdp_drop");
	else
		target = -EINVAL;
	if (gen < 0 || next < 0 || flows < 0 || target < 0) {
		fprintf(stderr, "pktgen: live: no target program for --to %s\n", o.to);
		return 1;
	}
	if (bpf_map_update_elem(next, &zero, &target, 0)) {
		fprintf(stderr, "pktgen: cannot hand frames to the --to %s program (tail call): %s\n", o.to,
			strerror(errno));
		return 1;
	}
	for (uint32_t i = 0; i < o.flows; i++) {
		struct pktgen_hdr h;

		len = build_frame(frame, &o, o.sport + i);
		if (!len) {
			fprintf(stderr, "pktgen: cannot build a %zu-byte frame from %s to %s\n", o.size, o.src, o.dst);
			return 2;
		}
		memcpy(h.b, frame, PKTGEN_HDR);
		if (bpf_map_update_elem(flows, &i, &h, 0)) {
			fprintf(stderr, "pktgen: gen_flows[%u]: %s\n", i, strerror(errno));
			return 1;
		}
	}
	/*
	 * A short call sizes the real one to about --secs; the receiver's
	 * count over its own clock gives the rate (the generator's when
	 * nothing arrives, i.e. --to drop).
	 */
	if (rx_reset_all(&o))
		return 1;
	ns = live_run(gen, ifindex, frame, len, CALIBRATE);
	if (!ns || (err = rx_settle(o.rx, &st)))
		return 1;
	est = rx_pps(&st) > 0 ? rx_pps(&st) : 1e9 / ns;
	n = est * o.secs < CALIBRATE ? CALIBRATE : est * o.secs > 1e9 ? 1000000000 : est * o.secs;
	if (rx_reset_all(&o) || !(ns = live_run(gen, ifindex, frame, len, n)))
		return 1;
	err = report(&o, n, 1e9 / ns);
	bpf_object__close(obj);
	return err;
}

static int cmd_txpkt(int argc, char **argv)
{
	static uint8_t frames[64][FRAME_MAX];
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_halen = 6 };
	struct mmsghdr msgs[64];
	struct iovec iov[64];
	struct gen_opts o;
	uint64_t t0, sent = 0;
	int sk, one = 1, err;

	if (parse_gen(argc, argv, &o, false)) {
		fprintf(stderr, "usage: pktgen txpkt IFNAME --dmac MAC --src A --dst B --rx SRC [...]\n");
		return 2;
	}
	to.sll_ifindex = if_nametoindex(o.ifname);
	memcpy(to.sll_addr, o.dmac, 6);
	sk = socket(AF_PACKET, SOCK_RAW, 0);
	if (!to.sll_ifindex || sk < 0) {
		fprintf(stderr, "pktgen: txpkt on %s: %s\n", o.ifname, strerror(errno));
		return 1;
	}
	setsockopt(sk, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	for (int i = 0; i < 64; i++) {
		size_t len = build_frame(frames[i], &o, o.sport + i % o.flows);

		if (!len) {
			fprintf(stderr, "pktgen: cannot build a %zu-byte frame from %s to %s\n", o.size, o.src, o.dst);
			return 2;
		}
		iov[i] = (struct iovec){ frames[i], len };
		msgs[i] = (struct mmsghdr){ .msg_hdr = { .msg_name = &to, .msg_namelen = sizeof(to),
							 .msg_iov = &iov[i], .msg_iovlen = 1 } };
	}
	if (rx_reset_all(&o))
		return 1;
	t0 = now_ns();
	do {
		for (int k = 0; k < 64; k++) {
			int n = sendmmsg(sk, msgs, 64, 0);

			if (n < 0 && errno != ENOBUFS && errno != EAGAIN) {
				fprintf(stderr, "pktgen: sendmmsg on %s: %s\n", o.ifname, strerror(errno));
				return 1;
			}
			sent += n > 0 ? n : 0;
		}
	} while (now_ns() - t0 < o.secs * 1e9);
	err = report(&o, sent, sent * 1e9 / (now_ns() - t0));
	close(sk);
	return err;
}

/* ---- receivers ---- */

static int cmd_rx_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ttl", required_argument, NULL, 'l' },
		{ "tc", no_argument, NULL, 'c' },
		{ "egress", no_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	struct pktgen_cfg cfg = { .nflows = 1 };
	bool tc = false, egress = false, usage = argc < 4;
	struct bpf_object *o;
	int ifindex, fd, c, err;

	optind = 4;
	while (!usage && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'l')
			cfg.want_ttl = strtoul(optarg, NULL, 0);
		else if (c == 'c')
			tc = true;
		else if (c == 'e') {
			tc = egress = true;
			cfg.count_only = 1;
		}
		else
			usage = true;
	}
	if (usage) {
		fprintf(stderr, "usage: pktgen rx-attach IFNAME PIN [--ttl N] [--tc | --egress]\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[2]);
	if (!ifindex) {
		fprintf(stderr, "pktgen: rx-attach: no device %s\n", argv[2]);
		return 1;
	}
	o = open_obj(&cfg);
	if (!o)
		return 1;
	fd = prog_fd(o, tc ? "tc_rx_count" : "xdp_rx_count");
	if (tc) {
		LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
		LIBBPF_OPTS(bpf_tc_opts, to, .prog_fd = fd);

		err = bpf_tc_hook_create(&hook);
		if (!err || err == -EEXIST)
			err = bpf_tc_attach(&hook, &to);
	} else {
		err = bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE, NULL) ? -errno : 0;
	}
	if (err) {
		fprintf(stderr, "pktgen: rx-attach: %s counter on %s: %s\n", tc ? "TC" : "XDP", argv[2],
			strerror(-err));
		return 1;
	}
	/* The counter outlives this process (the hook holds it); the pin is the handle. */
	if (bpf_map__pin(bpf_object__find_map_by_name(o, "rx_count"), argv[3])) {
		fprintf(stderr, "pktgen: pin rx_count at %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	return 0;
}

static int cmd_rx_read(int argc, char **argv)
{
	struct pktgen_rx_stats st;
	int err;

	if (argc != 3) {
		fprintf(stderr, "usage: pktgen rx-read PIN|FILE\n");
		return 2;
	}
	err = rx_read(argv[2], &st);
	if (err) {
		fprintf(stderr, "pktgen: rx-read %s: %s\n", argv[2], strerror(-err));
		return 1;
	}
	printf("%llu %llu %llu %.0f\n", (unsigned long long)st.good, (unsigned long long)st.bad,
	       (unsigned long long)st.other, rx_pps(&st));
	return 0;
}

static int cmd_rx_reset(int argc, char **argv)
{
	int err;

	if (argc != 3) {
		fprintf(stderr, "usage: pktgen rx-reset PIN|FILE\n");
		return 2;
	}
	err = rx_reset(argv[2]);
	if (err)
		fprintf(stderr, "pktgen: rx-reset %s: %s\n", argv[2], strerror(-err));
	return !!err;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Gratuitous ARP for ip from mac, so a bridge learns where the VM is. */
static void announce(int fd, const uint8_t *mac, const uint8_t *ip)
{
	uint8_t f[42] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

	memcpy(f + 6, mac, 6);
	f[12] = 0x08, f[13] = 0x06;			/* ARP */
	f[15] = 1, f[16] = 0x08, f[18] = 6, f[19] = 4; /* Ethernet, IPv4 */
	f[21] = 1;					/* request */
	memcpy(f + 22, mac, 6);
	memcpy(f + 28, ip, 4);
	memcpy(f + 38, ip, 4);
	if (write(fd, f, sizeof(f)) != sizeof(f))
		fprintf(stderr, "pktgen: tap-rx: gratuitous ARP: %s\n", strerror(errno));
}

static int cmd_tap_rx(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mac", required_argument, NULL, 'm' },
		{ "ip", required_argument, NULL, 'i' },
		{ "ttl", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct ifreq ifr = { .ifr_flags = IFF_TAP | IFF_NO_PI };
	struct pktgen_rx_stats *st;
	uint8_t mac[6], ip[4], buf[FRAME_MAX + 64];
	unsigned want_ttl = 0;
	bool have_mac = false, have_ip = false;
	uint64_t last_announce;
	int c, fd, sfd;

	optind = 4;
	while (argc >= 4 && (c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'm': have_mac = !pr_mac_parse(optarg, mac); break;
		case 'i': have_ip = inet_pton(AF_INET, optarg, ip) == 1; break;
		case 'l': want_ttl = strtoul(optarg, NULL, 0); break;
		default: have_mac = false; break;
		}
	}
	if (argc < 4 || !have_mac || !have_ip) {
		fprintf(stderr, "usage: pktgen tap-rx TAP FILE --mac MAC --ip A.B.C.D [--ttl N]\n");
		return 2;
	}
	sfd = open(argv[3], O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (sfd < 0 || ftruncate(sfd, sizeof(*st))) {
		fprintf(stderr, "pktgen: tap-rx: %s: %s\n", argv[3], strerror(errno));
		return 1;
	}
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE, MAP_SHARED, sfd, 0);
	fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK);
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", argv[2]);
	if (st == MAP_FAILED || fd < 0 || ioctl(fd, TUNSETIFF, &ifr)) {
		fprintf(stderr, "pktgen: tap-rx: cannot hold tap %s: %s\n", argv[2], strerror(errno));
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	announce(fd, mac, ip);
	last_announce = now_ns();
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0) {
			struct pollfd p = { .fd = fd, .events = POLLIN };

			if (errno != EAGAIN && errno != EINTR) {
				fprintf(stderr, "pktgen: tap-rx: read %s: %s\n", argv[2], strerror(errno));
				return 1;
			}
			poll(&p, 1, 1000);
		} else {
			switch (classify(buf, n, want_ttl)) {
			case RX_GOOD:
				/* The same dating as xdp_rx_count's. */
				if (!(st->good & 63)) {
					st->last_ns = now_ns();
					st->stamped = st->good;
					if (!st->first_ns)
						st->first_ns = st->last_ns;
				}
				st->good++;
				continue;
			case RX_BAD: st->bad++; break;
			case RX_OTHER: st->other++; break;
			}
		}
		if (now_ns() - last_announce > 30000000000ull) {
			announce(fd, mac, ip);
			last_announce = now_ns();
		}
	}
	return 0;
}

static int cmd_ct_prime(int argc, char **argv)
{
	const char *src = NULL, *dst = NULL;
	unsigned flows = 16, sport = SPORT_BASE;
	union {
		struct sockaddr_in v4;
		struct sockaddr_in6 v6;
	} me = { 0 }, peer = { 0 };
	socklen_t alen;
	bool v6;
	int sk;

	for (int i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--src"))
			src = argv[i + 1];
		else if (!strcmp(argv[i], "--dst"))
			dst = argv[i + 1];
		else if (!strcmp(argv[i], "--flows"))
			flows = strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--sport"))
			sport = strtoul(argv[i + 1], NULL, 0);
	}
	if (!src || !dst || flows < 1 || flows > PKTGEN_MAX_FLOWS || sport < 1 || sport + flows > 65536) {
		fprintf(stderr, "usage: pktgen ct-prime --src ADDR --dst ADDR [--flows N] [--sport P]\n");
		return 2;
	}
	v6 = strchr(dst, ':');
	if (v6) {
		me.v6 = (struct sockaddr_in6){ .sin6_family = AF_INET6, .sin6_port = htons(PKTGEN_DPORT) };
		peer.v6 = (struct sockaddr_in6){ .sin6_family = AF_INET6 };
		alen = sizeof(me.v6);
		if (inet_pton(AF_INET6, src, &me.v6.sin6_addr) != 1 || inet_pton(AF_INET6, dst, &peer.v6.sin6_addr) != 1)
			return 2;
	} else {
		me.v4 = (struct sockaddr_in){ .sin_family = AF_INET, .sin_port = htons(PKTGEN_DPORT) };
		peer.v4 = (struct sockaddr_in){ .sin_family = AF_INET };
		alen = sizeof(me.v4);
		if (inet_pton(AF_INET, src, &me.v4.sin_addr) != 1 || inet_pton(AF_INET, dst, &peer.v4.sin_addr) != 1)
			return 2;
	}
	sk = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
	if (sk < 0 || bind(sk, (struct sockaddr *)&me, alen)) {
		fprintf(stderr, "pktgen: ct-prime: bind %s port %d: %s\n", src, PKTGEN_DPORT, strerror(errno));
		return 1;
	}
	for (unsigned i = 0; i < flows; i++) {
		if (v6)
			peer.v6.sin6_port = htons(sport + i);
		else
			peer.v4.sin_port = htons(sport + i);
		if (sendto(sk, "ct", 2, 0, (struct sockaddr *)&peer, alen) != 2) {
			fprintf(stderr, "pktgen: ct-prime: send to %s port %u: %s\n", dst, sport + i,
				strerror(errno));
			return 1;
		}
	}
	close(sk);
	return 0;
}

/* An XDP program that passes, run once on a live frame from lo. */
static int cmd_probe_live(int argc, char **argv)
{
	const struct bpf_insn pass[] = {
		{ .code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = 0, .imm = XDP_PASS },
		{ .code = BPF_JMP | BPF_EXIT },
	};
	uint8_t frame[64] = { [12] = 0x08 };
	struct xdp_md ctx = { .data_end = sizeof(frame), .ingress_ifindex = 1 };
	LIBBPF_OPTS(bpf_test_run_opts, r, .data_in = frame, .data_size_in = sizeof(frame), .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx), .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .repeat = 1);
	int fd, err;

	(void)argc;
	(void)argv;
	fd = bpf_prog_load(BPF_PROG_TYPE_XDP, "pktgen_probe", "GPL", pass, 2, NULL);
	if (fd < 0) {
		fprintf(stderr, "pktgen: probe-live: cannot load an XDP program: %s\n", strerror(errno));
		return 1;
	}
	err = bpf_prog_test_run_opts(fd, &r) ? errno : 0;
	close(fd);
	if (!err)
		return 0;
	if (err == EPERM) {
		printf("this kernel refuses BPF_F_TEST_XDP_LIVE_FRAMES (EPERM): no live-frame generator here\n");
		return 3;
	}
	fprintf(stderr, "pktgen: probe-live: %s\n", strerror(err));
	return 1;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{ "live", cmd_live },	    { "txpkt", cmd_txpkt },   { "rx-attach", cmd_rx_attach },
		{ "rx-read", cmd_rx_read }, { "rx-reset", cmd_rx_reset }, { "tap-rx", cmd_tap_rx },
		{ "ct-prime", cmd_ct_prime }, { "probe-live", cmd_probe_live },
	};

	if (getenv("PKTGEN_OBJ"))
		obj_path = getenv("PKTGEN_OBJ");
	for (size_t i = 0; argc > 1 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc, argv);
	fprintf(stderr, "usage: pktgen live|txpkt|rx-attach|rx-read|rx-reset|tap-rx|ct-prime|probe-live ... "
			"(see bench/pktgen.c)\n");
	return 2;
}
