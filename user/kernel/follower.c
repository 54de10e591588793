// SPDX-License-Identifier: GPL-2.0-only
/*
 * The live netlink follower (see kernel/follower.h): two libnl sockets, the
 * conversions of kernel/route_msg.c, and the small caches needed to say what the
 * kernel leaves unsaid: nexthop objects (to expand nhid routes and to
 * notice `ip nexthop replace`), the routes that use them (to re-deliver
 * or delete them), link flags (to see a link in use change state) and
 * the set of ifindexes that routes or objects go through. At the end,
 * `pr_follower_debug_main`, which prints every event as one line.
 */
#include "kernel/follower.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/neighbour.h>
#include <linux/nexthop.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "lib/hashtab.h"
#include "lib/log.h"
#include "kernel/route_msg.h"

/* Large enough for a full BGP table arriving at once; overruns still resync. */
#define PR_NL_RCVBUF (32 * 1024 * 1024)
/* Datagrams per pr_follower_process call: big batches (one reconcile
 * each), yet the agent's loop still sees its signals under a storm. */
#define PR_NL_BUDGET 65536
#define PR_NL_DUMP_TRIES 5

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

/* A route as the kernel identifies it (IPv4: table, prefix, tos,
 * priority; IPv6: table, prefix, metric). Zeroed before filling: the
 * hash covers the padding. */
struct route_key {
	uint8_t family, len, tos, pad;
	uint8_t addr[16];
	uint32_t table, priority;
};

/*
 * Message counts in records are byte arrays: hashtab.c places records
 * only 4-byte aligned, and a uint64_t there is a misaligned access.
 */
typedef unsigned char seq_t[8];

static uint64_t seq_get(const seq_t v)
{
	uint64_t x;

	memcpy(&x, v, sizeof(x));
	return x;
}

static void seq_set(seq_t v, uint64_t x)
{
	memcpy(v, &x, sizeof(x));
}

/* A route through a nexthop object: enough to deliver it again. */
struct route_rec {
	struct route_key k;
	uint32_t nhid;
	uint8_t protocol, type, scope;
	uint32_t flags;
	seq_t seq; /* message count when last announced */
};

struct nh_rec {
	uint32_t id;
	struct pr_knexthop nh;
};

/* A nexthop object changed or deleted during the current batch. */
struct nhchg_rec {
	uint32_t id;
	seq_t changed, deleted; /* message count, 0 = not */
};

struct link_rec {
	uint32_t ifindex;
	uint32_t flags;
};

struct pr_follower {
	struct nl_sock *ev, *req;
	struct pr_nl_handlers h;
	void *ctx;
	struct pr_follower_stats st;
	struct pr_htab nexthops, routes, nhchg, links, ifrefs;
	uint64_t seq;
	bool need_resync;
	const char *resync_why;
	const char *cause; /* why the route being delivered is delivered (debug) */
};

/* ---- caches ---- */

static const struct pr_knexthop *nh_lookup(void *ctx, uint32_t id)
{
	const struct nh_rec *rec = pr_htab_get(&((struct pr_follower *)ctx)->nexthops, &id);

	return rec ? &rec->nh : NULL;
}

const struct pr_knexthop *pr_follower_nexthop(const struct pr_follower *s, uint32_t id)
{
	return nh_lookup((void *)s, id);
}

static bool path_equal(const struct pr_kpath *a, const struct pr_kpath *b)
{
	return a->gw_family == b->gw_family && !memcmp(a->gw, b->gw, 16) &&
	       a->ifindex == b->ifindex && a->weight == b->weight && a->flags == b->flags &&
	       a->encap_type == b->encap_type;
}

static bool nh_equal(const struct pr_knexthop *a, const struct pr_knexthop *b)
{
	if (a->family != b->family || a->is_group != b->is_group || a->blackhole != b->blackhole ||
	    a->ngroup != b->ngroup || a->group_type != b->group_type || !path_equal(&a->path, &b->path))
		return false;
	for (unsigned i = 0; i < a->ngroup; i++)
		if (a->group[i] != b->group[i] || a->group_weight[i] != b->group_weight[i])
			return false;
	return true;
}

static void oom(struct pr_follower *s, const char *what)
{
	log_err("netlink: out of memory caching %s: full resync", what);
	s->need_resync = true;
	s->resync_why = "out of memory";
}

static void ifref_add(struct pr_follower *s, uint32_t ifindex)
{
	if (ifindex && !pr_htab_get(&s->ifrefs, &ifindex) && pr_htab_set(&s->ifrefs, &ifindex))
		oom(s, "interfaces");
}

static void route_key(const struct pr_kroute *r, struct route_key *k)
{
	memset(k, 0, sizeof(*k));
	k->family = r->dst.family;
	k->len = r->dst.len;
	k->tos = r->tos;
	memcpy(k->addr, r->dst.addr, 16);
	k->table = r->table;
	k->priority = r->priority;
}

static void nhchg_mark(struct pr_follower *s, uint32_t id, bool deleted)
{
	struct nhchg_rec rec = { .id = id };
	const struct nhchg_rec *old = pr_htab_get(&s->nhchg, &id);

	if (old)
		rec = *old;
	if (deleted)
		seq_set(rec.deleted, s->seq);
	else
		seq_set(rec.changed, s->seq);
	if (pr_htab_set(&s->nhchg, &rec))
		oom(s, "nexthop changes");
}

static void clear_caches(struct pr_follower *s)
{
	pr_htab_clear(&s->nexthops);
	pr_htab_clear(&s->routes);
	pr_htab_clear(&s->nhchg);
	pr_htab_clear(&s->links);
	pr_htab_clear(&s->ifrefs);
}

/* ---- delivery ---- */

static void deliver_route(struct pr_follower *s, int type, struct pr_kroute *r)
{
	if (!r->npaths && r->nhid) {
		struct pr_kpath paths[PR_MAX_NH];
		unsigned n;

		if (!pr_nl_resolve_paths(r, nh_lookup, s, paths, &n)) {
			memcpy(r->paths, paths, n * sizeof(paths[0]));
			r->npaths = n;
		} else if (type == RTM_NEWROUTE) {
			s->st.unresolved++;
		}
	}
	/* IPv6 reports what a link going down takes with it; IPv4 does not.
	 * Counting IPv6 routes would resync on every pod veth's deletion
	 * (each has its fe80::/64), for nothing. */
	if (r->dst.family == AF_INET)
		for (unsigned i = 0; i < r->npaths; i++)
			ifref_add(s, r->paths[i].ifindex);
	if (s->h.route)
		s->h.route(s->ctx, type, r);
}

static void on_route(struct pr_follower *s, int type, struct pr_kroute *r)
{
	struct route_rec rec = {};

	route_key(r, &rec.k);
	if (type == RTM_NEWROUTE && r->nhid) {
		rec.nhid = r->nhid;
		rec.protocol = r->protocol;
		rec.type = r->type;
		rec.scope = r->scope;
		rec.flags = r->flags;
		seq_set(rec.seq, s->seq);
		if (pr_htab_set(&s->routes, &rec))
			oom(s, "routes");
	} else {
		/* Deleted, or replaced by a route without an object. */
		pr_htab_del(&s->routes, &rec.k);
	}
	deliver_route(s, type, r);
}

static void on_nexthop(struct pr_follower *s, int type, const struct pr_knexthop *nh)
{
	const struct nh_rec *old = pr_htab_get(&s->nexthops, &nh->id);

	if (type == RTM_DELNEXTHOP) {
		pr_htab_del(&s->nexthops, &nh->id);
		nhchg_mark(s, nh->id, true);
	} else {
		struct nh_rec rec;

		memset(&rec, 0, sizeof(rec));
		rec.id = nh->id;
		rec.nh = *nh;
		if (old && !nh_equal(&old->nh, nh))
			nhchg_mark(s, nh->id, false);
		if (pr_htab_set(&s->nexthops, &rec))
			oom(s, "nexthop objects");
		if (!nh->is_group)
			ifref_add(s, nh->path.ifindex);
	}
	if (s->h.nexthop)
		s->h.nexthop(s->ctx, type, nh);
}

static void on_link(struct pr_follower *s, int type, const struct pr_klink *l)
{
	const struct link_rec *old = pr_htab_get(&s->links, &l->ifindex);
	bool used = pr_htab_get(&s->ifrefs, &l->ifindex);
	const uint32_t state = IFF_UP | IFF_LOWER_UP;

	/* Going down (admin or carrier) or away, the kernel flushes the IPv4
	 * routes, nexthop objects and group members through the link
	 * without notifications, and marks multipath legs dead; coming back
	 * it clears those marks, again silently. Only a re-dump tells. */
	if (used && (type == RTM_DELLINK || (old && ((old->flags ^ l->flags) & state)))) {
		if (!s->need_resync)
			s->st.link_resyncs++;
		s->need_resync = true;
		s->resync_why = "link state";
	}
	if (type == RTM_DELLINK) {
		pr_htab_del(&s->links, &l->ifindex);
		pr_htab_del(&s->ifrefs, &l->ifindex);
	} else {
		struct link_rec rec = { .ifindex = l->ifindex, .flags = l->flags };

		if (pr_htab_set(&s->links, &rec))
			oom(s, "links");
	}
	if (s->h.link)
		s->h.link(s->ctx, type, l);
}

/* libnl callback for every valid message, dump replies and notifications. */
static int dispatch(struct nl_msg *msg, void *arg)
{
	struct pr_follower *s = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int type = nlh->nlmsg_type, err;
	union {
		struct pr_kroute r;
		struct pr_knexthop nh;
		struct pr_kneigh n;
		struct pr_klink l;
	} u;

	s->st.messages++;
	s->seq++;
	switch (type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		err = pr_nl_parse_route(nlh, &u.r);
		if (!err)
			on_route(s, type, &u.r);
		break;
	case RTM_NEWNEXTHOP:
	case RTM_DELNEXTHOP:
		err = pr_nl_parse_nexthop(nlh, &u.nh);
		if (!err)
			on_nexthop(s, type, &u.nh);
		break;
	case RTM_NEWNEIGH:
	case RTM_DELNEIGH:
		err = pr_nl_parse_neigh(nlh, &u.n);
		if (!err && s->h.neigh)
			s->h.neigh(s->ctx, type, &u.n);
		break;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		err = pr_nl_parse_link(nlh, &u.l);
		if (!err)
			on_link(s, type, &u.l);
		break;
	default:
		err = PR_NL_IGNORE; /* address notifications and the like */
	}
	if (err == PR_NL_IGNORE) {
		s->st.ignored++;
	} else if (err) {
		s->st.malformed++;
		log_warn("netlink: message type %d (%u bytes) refused: %s", type, nlh->nlmsg_len,
			 pr_nl_strerror(err));
	}
	return NL_OK;
}

/*
 * After a batch: routes whose nexthop object changed or went away since
 * they were last announced. One pass over the cached routes per batch,
 * however many objects changed. A group counts as changed when one of
 * its members did (the kernel sends nothing for the group then).
 */
static void settle_nexthops(struct pr_follower *s)
{
	struct pr_htab_iter it = {};
	const struct nh_rec *g;
	const struct route_rec *rec;
	struct route_key *gone = NULL;
	size_t ngone = 0, cap = 0;

	if (!s->nhchg.count)
		return;
	while ((g = pr_htab_next(&s->nexthops, &it))) {
		uint64_t latest = 0;

		if (!g->nh.is_group)
			continue;
		for (unsigned i = 0; i < g->nh.ngroup; i++) {
			const struct nhchg_rec *m = pr_htab_get(&s->nhchg, &g->nh.group[i]);

			if (m && seq_get(m->changed) > latest)
				latest = seq_get(m->changed);
		}
		if (latest) {
			const struct nhchg_rec *own = pr_htab_get(&s->nhchg, &g->id);
			struct nhchg_rec up = { .id = g->id };

			seq_set(up.changed, latest);
			if (own) {
				memcpy(up.deleted, own->deleted, sizeof(seq_t));
				if (seq_get(own->changed) > latest)
					memcpy(up.changed, own->changed, sizeof(seq_t));
			}
			/* Adding to nhchg while iterating nexthops: another table. */
			if (pr_htab_set(&s->nhchg, &up))
				oom(s, "nexthop changes");
		}
	}
	memset(&it, 0, sizeof(it));
	while ((rec = pr_htab_next(&s->routes, &it))) {
		const struct nhchg_rec *c = pr_htab_get(&s->nhchg, &rec->nhid);
		uint64_t seen = seq_get(rec->seq);
		struct pr_kroute r;

		if (!c || (seq_get(c->deleted) <= seen && seq_get(c->changed) <= seen))
			continue; /* announced by the kernel after the change */
		memset(&r, 0, sizeof(r));
		pr_prefix_from_addr(&r.dst, rec->k.family, rec->k.addr, rec->k.len);
		r.table = rec->k.table;
		r.priority = rec->k.priority;
		r.tos = rec->k.tos;
		r.protocol = rec->protocol;
		r.type = rec->type;
		r.scope = rec->scope;
		r.flags = rec->flags;
		r.nhid = rec->nhid;
		if (seq_get(c->deleted) > seen) {
			if (ngone == cap) {
				size_t nc = cap ? cap * 2 : 64;
				struct route_key *n = realloc(gone, nc * sizeof(*n));

				if (!n) {
					oom(s, "deleted routes");
					break;
				}
				gone = n;
				cap = nc;
			}
			gone[ngone++] = rec->k;
			s->st.nh_route_deletes++;
			s->cause = "nexthop deleted";
			deliver_route(s, RTM_DELROUTE, &r);
		} else {
			s->st.nh_route_updates++;
			s->cause = "nexthop changed";
			deliver_route(s, RTM_NEWROUTE, &r);
		}
		s->cause = NULL;
	}
	for (size_t i = 0; i < ngone; i++)
		pr_htab_del(&s->routes, &gone[i]);
	free(gone);
	pr_htab_clear(&s->nhchg);
}

/* ---- sockets and dumps ---- */

static struct nl_sock *open_sock(struct pr_follower *s, const char *what)
{
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	if (!sk) {
		log_err("netlink: %s socket: out of memory", what);
		return NULL;
	}
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, dispatch, s);
	err = nl_connect(sk, NETLINK_ROUTE);
	if (err) {
		log_err("netlink: %s socket: %s", what, nl_geterror(err));
		nl_socket_free(sk);
		return NULL;
	}
	return sk;
}

int pr_follower_set_rcvbuf(struct pr_follower *s, int bytes)
{
	int fd = nl_socket_get_fd(s->ev), v = 0;
	socklen_t len = sizeof(v);

	/* SO_RCVBUFFORCE passes net.core.rmem_max (CAP_NET_ADMIN). */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)))
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len))
		return -errno;
	s->st.rcvbuf = v;
	return v;
}

struct pr_follower *pr_follower_open(const struct pr_nl_handlers *h, void *ctx)
{
	struct pr_follower *s = calloc(1, sizeof(*s));
	int err;

	if (!s)
		return NULL;
	s->h = *h;
	s->ctx = ctx;
	pr_htab_init(&s->nexthops, sizeof(struct nh_rec), sizeof(uint32_t));
	pr_htab_init(&s->routes, sizeof(struct route_rec), sizeof(struct route_key));
	pr_htab_init(&s->nhchg, sizeof(struct nhchg_rec), sizeof(uint32_t));
	pr_htab_init(&s->links, sizeof(struct link_rec), sizeof(uint32_t));
	pr_htab_init(&s->ifrefs, sizeof(uint32_t), sizeof(uint32_t));
	s->ev = open_sock(s, "notification");
	s->req = open_sock(s, "request");
	if (!s->ev || !s->req)
		goto fail;
	/* Notifications carry no sequence numbers of ours. */
	nl_socket_disable_seq_check(s->ev);
	err = nl_socket_add_memberships(s->ev, RTNLGRP_LINK, RTNLGRP_NEIGH, RTNLGRP_IPV4_ROUTE,
					RTNLGRP_IPV6_ROUTE, RTNLGRP_NEXTHOP, 0);
	if (err) {
		log_err("netlink: subscribing to route/nexthop/neighbour/link groups: %s",
			nl_geterror(err));
		goto fail;
	}
	err = pr_follower_set_rcvbuf(s, PR_NL_RCVBUF);
	if (err < 0)
		log_warn("netlink: cannot size the notification buffer: %s", strerror(-err));
	if (s->st.rcvbuf < PR_NL_RCVBUF)
		log_info("netlink: notification buffer %u bytes (wanted %d): overruns will resync",
			 s->st.rcvbuf, PR_NL_RCVBUF);
	nl_socket_set_nonblocking(s->ev);
	return s;
fail:
	pr_follower_close(s);
	return NULL;
}

void pr_follower_close(struct pr_follower *s)
{
	if (!s)
		return;
	if (s->ev)
		nl_socket_free(s->ev);
	if (s->req)
		nl_socket_free(s->req);
	pr_htab_free(&s->nexthops);
	pr_htab_free(&s->routes);
	pr_htab_free(&s->nhchg);
	pr_htab_free(&s->links);
	pr_htab_free(&s->ifrefs);
	free(s);
}

/* One NLM_F_DUMP request with its family header; restarted when the
 * kernel marks the dump inconsistent (NLM_F_DUMP_INTR: the table changed
 * under it). What an interrupted dump delivered stays: upserts. */
static int dump_one(struct pr_follower *s, int type, const void *hdr, size_t len, const char *what)
{
	int err = 0;

	for (int i = 0; i < PR_NL_DUMP_TRIES; i++) {
		struct nl_msg *m = nlmsg_alloc_simple(type, NLM_F_REQUEST | NLM_F_DUMP);

		if (!m)
			return -ENOMEM;
		err = nlmsg_append(m, (void *)hdr, len, NLMSG_ALIGNTO);
		if (!err)
			err = nl_send_auto(s->req, m);
		nlmsg_free(m);
		if (err >= 0)
			err = nl_recvmsgs_default(s->req);
		if (err != -NLE_DUMP_INTR)
			break;
		s->st.dump_retries++;
	}
	if (err < 0) {
		log_err("netlink: dump of %s failed: %s", what, nl_geterror(err));
		return err == -NLE_OPNOTSUPP ? -EOPNOTSUPP : -EIO;
	}
	return 0;
}

static int dump_all(struct pr_follower *s)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	struct ndmsg nd = { .ndm_family = AF_UNSPEC };
	struct nhmsg nhm = { .nh_family = AF_UNSPEC };
	/* Table 0 (RT_TABLE_UNSPEC): every table, VRFs' included. */
	struct rtmsg rt4 = { .rtm_family = AF_INET, .rtm_table = RT_TABLE_UNSPEC };
	struct rtmsg rt6 = { .rtm_family = AF_INET6, .rtm_table = RT_TABLE_UNSPEC };
	int err;

	err = dump_one(s, RTM_GETLINK, &ifi, sizeof(ifi), "links") ?:
	      dump_one(s, RTM_GETNEIGH, &nd, sizeof(nd), "neighbours");
	if (err)
		return -EIO;
	/* Before routes, so that nhid routes resolve. Kernels before 5.3
	 * have no nexthop objects: nothing to follow then. */
	err = dump_one(s, RTM_GETNEXTHOP, &nhm, sizeof(nhm), "nexthop objects");
	if (err == -EOPNOTSUPP)
		log_info("netlink: no nexthop objects on this kernel");
	else if (err)
		return -EIO;
	err = dump_one(s, RTM_GETROUTE, &rt4, sizeof(rt4), "IPv4 routes") ?:
	      dump_one(s, RTM_GETROUTE, &rt6, sizeof(rt6), "IPv6 routes");
	return err ? -EIO : 0;
}

/* Throw away what the notification socket holds: after an overrun it
 * has holes, and replaying it over a fresh dump would bring back state
 * older than the dump. */
static void drain(struct pr_follower *s)
{
	int fd = nl_socket_get_fd(s->ev);
	char buf[4096];

	for (long i = 0; i < (1L << 20); i++) {
		if (recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC) >= 0)
			continue;
		if (errno != ENOBUFS && errno != EINTR)
			break;
	}
}

static int full_resync(struct pr_follower *s)
{
	int err;

	log_info("netlink: full resync (%s)", s->resync_why ? s->resync_why : "requested");
	s->st.resyncs++;
	drain(s);
	clear_caches(s);
	s->need_resync = false;
	if (s->h.resync)
		s->h.resync(s->ctx);
	err = dump_all(s);
	if (err) {
		s->need_resync = true;
		s->resync_why = "previous resync failed";
	}
	return err;
}

/* Follow-ups owed after a batch of messages. */
static int settle(struct pr_follower *s)
{
	if (s->need_resync)
		return full_resync(s);
	settle_nexthops(s);
	/* A follow-up may itself have run out of memory. */
	return s->need_resync ? full_resync(s) : 0;
}

int pr_follower_dump(struct pr_follower *s)
{
	int err = dump_all(s);

	return err ?: settle(s);
}

int pr_follower_fd(const struct pr_follower *s)
{
	return nl_socket_get_fd(s->ev);
}

int pr_follower_process(struct pr_follower *s)
{
	int err = 0, serr;

	for (int i = 0; i < PR_NL_BUDGET; i++) {
		err = nl_recvmsgs_default(s->ev);
		if (err >= 0)
			continue;
		if (err == -NLE_AGAIN) {
			err = 0;
		} else if (err == -NLE_NOMEM) {
			/* libnl's name for ENOBUFS: the kernel dropped notifications. */
			s->st.overruns++;
			log_warn("netlink: notifications lost (receive buffer %u bytes full)",
				 s->st.rcvbuf);
			s->need_resync = true;
			s->resync_why = "overrun";
			err = 0;
		} else {
			log_warn("netlink: receive failed: %s; full resync", nl_geterror(err));
			s->need_resync = true;
			s->resync_why = "receive error";
			err = -EIO;
		}
		break;
	}
	serr = settle(s);
	return err ?: serr;
}

void pr_follower_get_stats(const struct pr_follower *s, struct pr_follower_stats *st)
{
	*st = s->st;
	st->nexthops = s->nexthops.count;
	st->nh_routes = s->routes.count;
}

const char *pr_follower_cause(const struct pr_follower *s)
{
	return s->cause;
}

const char *pr_follower_resync_why(const struct pr_follower *s)
{
	return s->resync_why;
}
