// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lookup index on the pinned maps (see reconcile/lookup_index.h and the
 * layout in include/podroute_abi.h; the builder and the search on memory:
 * lookup_index_build.c).
 *
 * Why a whole rebuild per publish rather than edits in place: the table
 * the datapath reads is never written, so a reader can never see a half
 * written node, a torn route or children being moved to make room.
 * A publish writes the idle table and flips one word, then asks for a
 * grace period (reconcile/grace_period.h); the next publish writes the table it left
 * only once that period has ended. Between publishes, changes are recorded
 * in the current table's set of changed prefixes (see podroute_abi.h),
 * which keeps the index on while the agent follows a stream of route
 * changes: one small LPM lookup more per packet, instead of the big trie.
 */
#include "reconcile/lookup_index.h"
#include "datapath/maps.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>
#include <time.h>
#include <bpf/bpf.h>

#include "lib/prefix.h"
#include "reconcile/grace_period.h"

/* Length len and its mask, as raw words of an address (what the change
 * filter ANDs with the destination's words). */
static void len_mask(bool v6, unsigned len, struct pr_lsx_len *e)
{
	uint8_t m[16];

	memset(m, 0xff, sizeof(m));
	pr_addr_mask(m, len, 128);
	if (!v6)
		memset(m + 4, 0, 12);
	e->len = len;
	memcpy(e->mask, m, 16);
}

/* ---------- the index on the pinned maps ---------- */

static int map_elems(int fd, uint32_t *elems)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.value_size != sizeof(union pr_lsx_elem) || info.max_entries < 2)
		return -EINVAL;
	*elems = info.max_entries;
	return 0;
}

/* Whether pid is a live process other than this one. */
static bool other_alive(uint32_t pid)
{
	return pid && pid != (uint32_t)getpid() && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/* Become the builder unless another live process is (a dead one's claim
 * is taken over: an agent killed with -9 never releases it). */
static bool claim_builder(struct pr_lsx_ctl *c)
{
	uint32_t cur = __atomic_load_n(&c->builder, __ATOMIC_SEQ_CST), me = (uint32_t)getpid();

	while (!other_alive(cur))
		if (__atomic_compare_exchange_n(&c->builder, &cur, me, false, __ATOMIC_SEQ_CST,
						__ATOMIC_SEQ_CST))
			return true;
	return false;
}

static const enum pr_map chg_maps[2][2] = { { PR_MAP_LSX_CHG4_0, PR_MAP_LSX_CHG4_1 },
					       { PR_MAP_LSX_CHG6_0, PR_MAP_LSX_CHG6_1 } };

void pr_lookup_index_fds_from(struct pr_lookup_index_fds *fds, const int *fd_of_map)
{
	fds->lines[0] = fd_of_map[PR_MAP_LSX4];
	fds->lines[1] = fd_of_map[PR_MAP_LSX6];
	fds->ctl = fd_of_map[PR_MAP_LSX_CTL];
	for (int f = 0; f < 2; f++)
		for (int t = 0; t < 2; t++)
			fds->chg[f][t] = fd_of_map[chg_maps[f][t]];
	fds->chgbits = fd_of_map[PR_MAP_LSX_CHGBITS];
}

void pr_lookup_index_fds_by_name(struct pr_lookup_index_fds *fds, int (*fd_of)(void *ctx, const char *name), void *ctx)
{
	fds->lines[0] = fd_of(ctx, pr_maps[PR_MAP_LSX4].name);
	fds->lines[1] = fd_of(ctx, pr_maps[PR_MAP_LSX6].name);
	fds->ctl = fd_of(ctx, pr_maps[PR_MAP_LSX_CTL].name);
	for (int f = 0; f < 2; f++)
		for (int t = 0; t < 2; t++)
			fds->chg[f][t] = fd_of(ctx, pr_maps[chg_maps[f][t]].name);
	fds->chgbits = fd_of(ctx, pr_maps[PR_MAP_LSX_CHGBITS].name);
}

#define CHGBITS_SIZE (4 * PR_LSX_CHG_BITS / 8)

int pr_lookup_index_open(struct pr_lookup_index *x, const struct pr_lookup_index_fds *fds)
{
	int err;

	memset(x, 0, sizeof(*x));
	if (fds->ctl < 0 || fds->chgbits < 0)
		return -EBADF;
	x->ctl = mmap(NULL, sizeof(*x->ctl), PROT_READ | PROT_WRITE, MAP_SHARED, fds->ctl, 0);
	if (x->ctl == MAP_FAILED) {
		x->ctl = NULL;
		return -errno;
	}
	x->chgbits = mmap(NULL, CHGBITS_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fds->chgbits, 0);
	if (x->chgbits == MAP_FAILED) {
		x->chgbits = NULL;
		err = -errno;
		pr_lookup_index_close(x);
		return err;
	}
	err = pr_grace_period_open(&x->gp);
	if (err) {
		pr_lookup_index_close(x);
		return err;
	}
	x->builder = claim_builder(x->ctl);
	for (int f = 0; f < 2; f++) {
		uint32_t total = 0;
		void *m;

		err = map_elems(fds->lines[f], &total);
		if (err) {
			pr_lookup_index_close(x);
			return err;
		}
		m = mmap(NULL, (size_t)total * sizeof(union pr_lsx_elem), PROT_READ | PROT_WRITE,
			 MAP_SHARED, fds->lines[f], 0);
		if (m == MAP_FAILED) {
			err = -errno;
			pr_lookup_index_close(x);
			return err;
		}
		x->elems[f] = m;
		x->nelems[f] = total / 2;
		x->fd_chg[f][0] = fds->chg[f][0];
		x->fd_chg[f][1] = fds->chg[f][1];
		/* Build next into the table that is not current (if one is),
		 * once an earlier process's readers of it are surely gone. */
		x->last[f] = x->ctl->active[f] == 2 ? 1 : 0;
		x->gp_ticket[f] = pr_grace_period_request(x->gp);
		x->stale[f] = x->builder;
		snprintf(x->why_off[f], sizeof(x->why_off[f]), "%s",
			 x->builder ? "not built yet" : "built by another agent");
	}
	return 0;
}

bool pr_lookup_index_try_claim(struct pr_lookup_index *x)
{
	if (x->builder || !x->ctl)
		return x->builder;
	if (!claim_builder(x->ctl))
		return false;
	x->builder = true;
	for (int f = 0; f < 2; f++) {
		x->stale[f] = true;
		snprintf(x->why_off[f], sizeof(x->why_off[f]), "not built yet");
	}
	pr_lookup_index_reset(x);
	return true;
}

void pr_lookup_index_reset(struct pr_lookup_index *x)
{
	if (!x->builder)
		return;
	pr_lookup_index_invalidate(x, false);
	pr_lookup_index_invalidate(x, true);
}

void pr_lookup_index_close(struct pr_lookup_index *x)
{
	for (int f = 0; f < 2; f++)
		if (x->elems[f])
			munmap(x->elems[f], (size_t)x->nelems[f] * 2 * sizeof(union pr_lsx_elem));
	if (x->ctl) {
		uint32_t me = (uint32_t)getpid();

		if (x->builder)
			__atomic_compare_exchange_n(&x->ctl->builder, &me, 0, false, __ATOMIC_SEQ_CST,
						    __ATOMIC_SEQ_CST);
		munmap(x->ctl, sizeof(*x->ctl));
	}
	if (x->chgbits)
		munmap(x->chgbits, CHGBITS_SIZE);
	for (int f = 0; f < 2; f++)
		for (int t = 0; t < 2; t++)
			free(x->chg_keys[f][t].keys);
	pr_grace_period_close(x->gp);
	memset(x, 0, sizeof(*x));
}

void pr_lookup_index_invalidate(struct pr_lookup_index *x, bool v6)
{
	if (!x->ctl)
		return;
	__atomic_store_n(&x->ctl->active[v6], 0, __ATOMIC_SEQ_CST);
	if (!x->stale[v6])
		snprintf(x->why_off[v6], sizeof(x->why_off[v6]), "rebuilding");
	x->stale[v6] = true;
}

int pr_lookup_index_invalidate_fd(int fd_ctl, bool v6)
{
	struct pr_lsx_ctl *c = mmap(NULL, sizeof(*c), PROT_READ | PROT_WRITE, MAP_SHARED, fd_ctl, 0);

	if (c == MAP_FAILED)
		return -errno;
	__atomic_store_n(&c->active[v6], 0, __ATOMIC_SEQ_CST);
	munmap(c, sizeof(*c));
	return 0;
}

/* The set of a family's changes is keyed as its trie is. */
static size_t chg_key_size(bool v6)
{
	return v6 ? sizeof(struct pr_lpm6_key) : sizeof(struct pr_lpm4_key);
}

static void chg_keys_add(struct pr_lsx_chg_keys *k, const void *key, size_t size)
{
	if (!k->known)
		return;
	if (k->n == k->cap) {
		size_t cap = k->cap ? k->cap * 2 : 256;
		uint8_t *n = realloc(k->keys, cap * size);

		if (!n) {
			k->known = false; /* the next clear scans */
			return;
		}
		k->keys = n;
		k->cap = cap;
	}
	memcpy(k->keys + k->n * size, key, size);
	k->n++;
}

/* The filter's bit for a prefix (see podroute_abi.h, pr_lsx_chg_filter). */
static uint32_t filter_bit(bool v6, const struct pr_lookup_index_entry *e)
{
	struct pr_lsx_len l;
	uint32_t w[4];

	len_mask(v6, e->len, &l);
	memcpy(w, e->addr, 16);
	return pr_lsx_hash(PR_LSX_USED | e->domain << PR_LSX_DOMAIN_SHIFT | e->len, w[0] & l.mask[0],
			   w[1] & l.mask[1], w[2] & l.mask[2], w[3] & l.mask[3]) &
	       (PR_LSX_CHG_BITS - 1);
}

/* Let table t's IPv4 filter pass every address of the prefix e: the bits
 * of the /16s it overlaps (one, or 2^(16 - len) for a shorter prefix). */
static void filter_add4(struct pr_lookup_index *x, unsigned t, const struct pr_lookup_index_entry *e)
{
	uint32_t a = (uint32_t)e->addr[0] << 24 | e->addr[1] << 16 | e->addr[2] << 8 | e->addr[3];
	uint32_t first = pr_lsx_chg4_bit(a), count = 1;
	uint64_t *words = &x->chgbits[t * (PR_LSX_CHG_BITS / 64)];

	if (e->len < 16) {
		count = 1U << (16 - e->len);
		first &= ~(count - 1);
	}
	if (count < 64) {
		__atomic_fetch_or(&words[first / 64], ((1ULL << count) - 1) << (first % 64),
				  __ATOMIC_SEQ_CST);
		return;
	}
	for (uint32_t w = first / 64; w < (first + count) / 64; w++)
		__atomic_store_n(&words[w], ~0ULL, __ATOMIC_SEQ_CST);
}

/* Let table t's filter pass the prefix trie_key: IPv4, its /16s; IPv6,
 * its length, then its bit. */
static void filter_add(struct pr_lookup_index *x, bool v6, unsigned t, const void *trie_key)
{
	struct pr_lsx_chg_filter *f = &x->ctl->chg[v6][t];
	struct pr_lookup_index_entry e = { 0 };
	struct pr_route none = { 0 }; /* the filter keys on the prefix alone */
	uint32_t n = f->n, i, bit;

	if (pr_lookup_index_entry_from_key(v6, trie_key, &none, &e) ||
	    (v6 && e.domain > PR_LSX_MAX_DOMAIN)) {
		/* The datapath asks the set itself for such prefixes. */
		__atomic_store_n(&f->n, PR_LSX_CHG_LENS + 1, __ATOMIC_SEQ_CST);
		return;
	}
	if (!v6) { /* no domain in the bit: a packet of another one asks the set */
		filter_add4(x, t, &e);
		return;
	}
	for (i = 0; i < n && i < PR_LSX_CHG_LENS && f->e[i].len != e.len; i++)
		;
	if (n <= PR_LSX_CHG_LENS && i == n) {
		if (n == PR_LSX_CHG_LENS) {
			__atomic_store_n(&f->n, PR_LSX_CHG_LENS + 1, __ATOMIC_SEQ_CST);
		} else {
			len_mask(v6, e.len, &f->e[n]);
			__atomic_store_n(&f->n, n + 1, __ATOMIC_SEQ_CST);
		}
	}
	bit = filter_bit(v6, &e);
	__atomic_fetch_or(&x->chgbits[(v6 * 2 + t) * (PR_LSX_CHG_BITS / 64) + bit / 64],
			  (uint64_t)1 << (bit % 64), __ATOMIC_SEQ_CST);
}

void pr_lookup_index_note_change(struct pr_lookup_index *x, bool v6, const void *trie_key)
{
	uint32_t act, one = 1;
	int err;

	if (!x->ctl)
		return;
	if (!x->builder) {
		__atomic_store_n(&x->ctl->active[v6], 0, __ATOMIC_SEQ_CST);
		return;
	}
	x->stale[v6] = true;
	act = __atomic_load_n(&x->ctl->active[v6], __ATOMIC_RELAXED);
	if (act != 1 && act != 2)
		return; /* off: the next build covers it */
	/* The flag, the filter, then the prefix, all before the trie write: a
	 * reader that can see the new route can see that it changed. */
	__atomic_store_n(&x->ctl->changed[v6][act - 1], 1, __ATOMIC_SEQ_CST);
	filter_add(x, v6, act - 1, trie_key);
	if (!bpf_map_update_elem(x->fd_chg[v6][act - 1], trie_key, &one, BPF_NOEXIST)) {
		x->changed[v6]++;
		chg_keys_add(&x->chg_keys[v6][act - 1], trie_key, chg_key_size(v6));
		return;
	}
	err = errno;
	if (err == EEXIST)
		return;
	pr_lookup_index_invalidate(x, v6);
	snprintf(x->why_off[v6], sizeof(x->why_off[v6]), "%s",
		 err == E2BIG ? "more route changes than the index follows between builds, rebuilding"
			      : "cannot record a route change, rebuilding");
}

bool pr_lookup_index_writable(struct pr_lookup_index *x, bool v6)
{
	return x->gp && pr_grace_period_done(x->gp, x->gp_ticket[v6]);
}

/* Delete the recorded keys (size bytes each): one batch where the kernel
 * has it for this map type, else one by one. A key already gone (ENOENT)
 * is no error. */
static int chg_keys_delete(int fd, struct pr_lsx_chg_keys *k, size_t size)
{
	__u32 count = k->n;
	size_t i;

	if (!k->n)
		return 0;
	if (!bpf_map_delete_batch(fd, k->keys, &count, NULL))
		return 0;
	/* No batch for the map type (older kernels: EINVAL or ENOTSUPP), or a
	 * key already gone: the first count keys are deleted, the rest one by
	 * one. */
	for (i = count; i < k->n; i++)
		if (bpf_map_delete_elem(fd, k->keys + i * size) && errno != ENOENT)
			return -errno;
	return 0;
}

/* Empty a table's set of changed prefixes (no reader left: see publish):
 * from the keys recorded while this process knows them all, else by a
 * scan, after which it does. */
static int clear_changed(struct pr_lookup_index *x, bool v6, unsigned tbl)
{
	struct pr_lsx_chg_keys *k = &x->chg_keys[v6][tbl];
	uint8_t key[sizeof(struct pr_lpm6_key)];
	int fd = x->fd_chg[v6][tbl], err;

	__atomic_store_n(&x->ctl->changed[v6][tbl], 0, __ATOMIC_SEQ_CST);
	x->ctl->chg[v6][tbl].n = 0;
	memset(&x->chgbits[(v6 * 2 + tbl) * (PR_LSX_CHG_BITS / 64)], 0, PR_LSX_CHG_BITS / 8);
	if (k->known) {
		err = chg_keys_delete(fd, k, chg_key_size(v6));
		k->n = 0;
		if (!err)
			return 0;
		k->known = false;
	}
	while (!bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	if (errno != ENOENT)
		return -errno;
	k->known = true; /* empty: from here on, every key is this process's */
	return 0;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int pr_lookup_index_publish(struct pr_lookup_index *x, bool v6, const struct pr_lookup_index_entry *e, size_t n)
{
	unsigned tbl = x->last[v6] ^ 1;
	struct pr_lookup_index_build_stats st;
	struct pr_lsx_table t;
	double t0 = now_ms();
	int err;

	if (!x->ctl)
		return -EBADF;
	if (!x->builder)
		return -EBUSY;
	/* Never write the table the datapath may be reading: it stopped at
	 * the last flip, and programs that read it before are done once the
	 * grace period asked for then has ended. The current table goes on
	 * answering meanwhile. */
	pr_grace_period_wait(x->gp, x->gp_ticket[v6]);
	err = clear_changed(x, v6, tbl);
	if (err) {
		pr_lookup_index_invalidate(x, v6);
		x->failures++;
		snprintf(x->why_off[v6], sizeof(x->why_off[v6]), "cannot empty the set of changes: %s",
			 strerror(-err));
		return err;
	}
	err = pr_lookup_index_fill(x->elems[v6], tbl * x->nelems[v6], x->nelems[v6], v6, e, n, &t, &st);
	x->builds++;
	x->last_build_ms[v6] = now_ms() - t0;
	if (err) {
		pr_lookup_index_invalidate(x, v6);
		x->failures++;
		x->entries[v6] = 0;
		snprintf(x->why_off[v6], sizeof(x->why_off[v6]), "%s",
			 err == -E2BIG ? "more distinct routes than the index holds" :
			 err == -ENOSPC ? "more prefixes than the index holds (attach --index4-max/--index6-max)" :
			 strerror(-err));
		return err;
	}
	x->ctl->tab[v6][tbl] = t;
	__atomic_store_n(&x->ctl->active[v6], tbl + 1, __ATOMIC_SEQ_CST);
	x->gp_ticket[v6] = pr_grace_period_request(x->gp);
	x->last[v6] = tbl;
	x->stale[v6] = false;
	x->changed[v6] = 0;
	x->entries[v6] = st.elements;
	x->why_off[v6][0] = 0;
	if (st.skipped)
		snprintf(x->why_off[v6], sizeof(x->why_off[v6]),
			 "%zu prefixes of VRF tables above %u or past %u tables: the trie serves",
			 st.skipped, PR_LSX_MAX_DOMAIN, PR_LSX_MAX_DOMAINS);
	return 0;
}
