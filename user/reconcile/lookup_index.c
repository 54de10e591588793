// SPDX-License-Identifier: GPL-2.0-only
/*
 * The lookup index: builder, search and the mmapped maps (see reconcile/lookup_index.h and
 * the layout in include/podroute_abi.h).
 *
 * Why a whole rebuild per publish rather than edits in place: the table
 * the datapath reads is never written, so a reader can never see a half
 * moved probe run, a torn route or a marker whose bmp is being repainted.
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
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <unistd.h>
#include <time.h>
#include <bpf/bpf.h>

#include "lib/prefix.h"
#include "reconcile/grace_period.h"

static void mask_addr(uint8_t *a, unsigned len)
{
	pr_addr_mask(a, len, 128);
}

/* Length len and its mask, as raw words of an address (what the search
 * ANDs with the destination's words). */
static void len_mask(bool v6, unsigned len, struct pr_lsx_len *e)
{
	uint8_t m[16];

	memset(m, 0xff, sizeof(m));
	mask_addr(m, len);
	if (!v6)
		memset(m + 4, 0, 12);
	e->len = len;
	memcpy(e->mask, m, 16);
}

static uint32_t key_meta(bool v6, unsigned tbl, uint32_t domain, unsigned len)
{
	return PR_LSX_USED | (v6 ? PR_LSX_V6 : 0) | (tbl ? PR_LSX_TABLE1 : 0) |
	       domain << PR_LSX_DOMAIN_SHIFT | len;
}

/* The slot of key (meta, addr), or with add the first free one on its run;
 * NULL when absent (or no room within PR_LSX_MAX_PROBE slots). */
static struct pr_lsx_slot *slot_get(struct pr_lsx_line *tab, uint32_t nlines, uint32_t meta,
				    const uint8_t *addr, bool add, unsigned *probe)
{
	uint32_t w[4], line;

	memcpy(w, addr, 16);
	line = pr_lsx_line_of(pr_lsx_hash(meta, w[0], w[1], w[2], w[3]), nlines);
	for (unsigned i = 0; i < PR_LSX_MAX_PROBE; i++) {
		struct pr_lsx_slot *sl = &tab[line].s[i % 2];

		if (!sl->meta) {
			if (!add)
				return NULL;
			memcpy(sl->addr, addr, 16);
			sl->meta = meta;
			if (probe && i + 1 > *probe)
				*probe = i + 1;
			return sl;
		}
		if ((sl->meta & PR_LSX_KEYMASK) == meta && !memcmp(sl->addr, addr, 16))
			return sl;
		if (i % 2)
			line = line + 1 == nlines ? 0 : line + 1;
	}
	return NULL;
}

/* The lengths shorter than len at which the search for len goes longer:
 * where a prefix of length len leaves a marker (same steps as the search). */
static int marker_lens(const struct pr_lsx_lens *ls, unsigned len, unsigned *out)
{
	int lo = 0, hi = (int)ls->n - 1, k = 0;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;

		if (ls->e[mid].len == len)
			break;
		if (ls->e[mid].len < len) {
			out[k++] = ls->e[mid].len;
			lo = mid + 1;
		} else {
			hi = mid - 1;
		}
	}
	return k;
}

static int fill_lens(const struct pr_lookup_index_entry *e, size_t n, bool v6, struct pr_lsx_lens *ls)
{
	bool present[129] = { false };
	unsigned max = v6 ? 128 : 32;

	for (size_t i = 0; i < n; i++)
		if (e[i].domain <= PR_LSX_MAX_DOMAIN && e[i].len <= max)
			present[e[i].len] = true;
	ls->n = 0;
	for (unsigned len = 0; len <= max; len++) {
		if (!present[len])
			continue;
		if (ls->n == PR_LSX_MAX_LENS)
			return -E2BIG;
		len_mask(v6, len, &ls->e[ls->n++]);
	}
	return 0;
}

int pr_lookup_index_fill(struct pr_lsx_line *tab, uint32_t nlines, bool v6, unsigned tbl,
			 const struct pr_lookup_index_entry *e, size_t n, struct pr_lsx_lens *ls,
			 struct pr_lookup_index_build_stats *st)
{
	unsigned path[PR_LSX_MAX_LENS];
	int err;

	memset(st, 0, sizeof(*st));
	memset(ls, 0, sizeof(*ls));
	if (nlines < 2)
		return -ENOSPC;
	err = fill_lens(e, n, v6, ls);
	if (err)
		return err;
	ls->nlines = nlines;
	memset(tab, 0, (size_t)nlines * sizeof(*tab));
	/* Prefixes first: each its own bmp. */
	for (size_t i = 0; i < n; i++) {
		struct pr_lsx_slot *sl;

		if (e[i].domain > PR_LSX_MAX_DOMAIN || e[i].len > (v6 ? 128 : 32)) {
			st->skipped++;
			continue;
		}
		sl = slot_get(tab, nlines, key_meta(v6, tbl, e[i].domain, e[i].len), e[i].addr, true,
			      &st->max_probe);
		if (!sl)
			return -ENOSPC;
		sl->bmp = e[i].r;
		sl->meta |= PR_LSX_PREFIX | PR_LSX_BMP;
		st->prefixes++;
	}
	/* Then the markers each prefix's search needs on its way longer. */
	for (size_t i = 0; i < n; i++) {
		int k;

		if (e[i].domain > PR_LSX_MAX_DOMAIN || e[i].len > (v6 ? 128 : 32))
			continue;
		k = marker_lens(ls, e[i].len, path);
		for (int j = 0; j < k; j++) {
			uint8_t a[16];

			memcpy(a, e[i].addr, 16);
			mask_addr(a, path[j]);
			if (!slot_get(tab, nlines, key_meta(v6, tbl, e[i].domain, path[j]), a, true,
				      &st->max_probe))
				return -ENOSPC;
		}
	}
	/* A marker's bmp: the longest prefix of a shorter length present that
	 * covers it (the search that went longer from it and then failed
	 * answers with that). */
	for (size_t j = 0; j < (size_t)nlines * 2; j++) {
		struct pr_lsx_slot *sl = &tab[j / 2].s[j % 2];
		unsigned len = sl->meta & 0xff;
		uint32_t domain = (sl->meta >> PR_LSX_DOMAIN_SHIFT) & PR_LSX_MAX_DOMAIN;

		if (!sl->meta || (sl->meta & PR_LSX_PREFIX))
			continue;
		st->markers++;
		for (int i = (int)ls->n - 1; i >= 0; i--) {
			const struct pr_lsx_slot *p;
			uint8_t a[16];

			if (ls->e[i].len >= len)
				continue;
			memcpy(a, sl->addr, 16);
			mask_addr(a, ls->e[i].len);
			p = slot_get(tab, nlines, key_meta(v6, tbl, domain, ls->e[i].len), a, false, NULL);
			if (p && (p->meta & PR_LSX_PREFIX)) {
				sl->bmp = p->bmp;
				sl->meta |= PR_LSX_BMP;
				break;
			}
		}
	}
	return 0;
}

const struct pr_route *pr_lookup_index_search(const struct pr_lsx_line *tab, const struct pr_lsx_lens *ls,
				     bool v6, unsigned tbl, uint32_t domain, const uint8_t *addr)
{
	const struct pr_route *best = NULL;
	int lo = 0, hi = (int)ls->n - 1;

	while (lo <= hi) {
		int mid = (lo + hi) / 2;
		const struct pr_lsx_slot *sl;
		uint8_t a[16];

		memcpy(a, addr, 16);
		if (!v6)
			memset(a + 4, 0, 12);
		mask_addr(a, ls->e[mid].len);
		sl = slot_get((struct pr_lsx_line *)tab, ls->nlines,
			      key_meta(v6, tbl, domain, ls->e[mid].len), a, false, NULL);
		if (!sl) {
			hi = mid - 1;
			continue;
		}
		if (sl->meta & PR_LSX_BMP)
			best = &sl->bmp;
		lo = mid + 1;
	}
	return best;
}

int pr_lookup_index_entry_from_key(bool v6, const void *key, const void *route, struct pr_lookup_index_entry *e)
{
	struct pr_prefix p;
	int err = v6 ? pr_prefix_from_key6(&p, &e->domain, key) : pr_prefix_from_key4(&p, &e->domain, key);

	if (err)
		return err;
	e->len = p.len;
	memcpy(e->addr, p.addr, 16);
	memcpy(&e->r, route, sizeof(e->r)); /* a mirror record need not be aligned */
	return 0;
}

/* ---------- the index on the pinned maps ---------- */

static int map_lines(int fd, uint32_t *lines)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.value_size != sizeof(struct pr_lsx_line) || info.max_entries < 2)
		return -EINVAL;
	*lines = info.max_entries;
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

		err = map_lines(fds->lines[f], &total);
		if (err) {
			pr_lookup_index_close(x);
			return err;
		}
		m = mmap(NULL, (size_t)total * sizeof(struct pr_lsx_line), PROT_READ | PROT_WRITE,
			 MAP_SHARED, fds->lines[f], 0);
		if (m == MAP_FAILED) {
			err = -errno;
			pr_lookup_index_close(x);
			return err;
		}
		x->lines[f] = m;
		x->nlines[f] = total / 2;
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
		if (x->lines[f])
			munmap(x->lines[f], (size_t)x->nlines[f] * 2 * sizeof(struct pr_lsx_line));
	if (x->ctl) {
		uint32_t me = (uint32_t)getpid();

		if (x->builder)
			__atomic_compare_exchange_n(&x->ctl->builder, &me, 0, false, __ATOMIC_SEQ_CST,
						    __ATOMIC_SEQ_CST);
		munmap(x->ctl, sizeof(*x->ctl));
	}
	if (x->chgbits)
		munmap(x->chgbits, CHGBITS_SIZE);
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

/* Let table t's filter pass the prefix trie_key: its length, then its bit. */
static void filter_add(struct pr_lookup_index *x, bool v6, unsigned t, const void *trie_key)
{
	struct pr_lsx_chg_filter *f = &x->ctl->chg[v6][t];
	struct pr_lookup_index_entry e = { 0 };
	struct pr_route none = { 0 }; /* the filter keys on the prefix alone */
	uint32_t n = f->n, i, bit;

	if (pr_lookup_index_entry_from_key(v6, trie_key, &none, &e) || e.domain > PR_LSX_MAX_DOMAIN) {
		/* The datapath asks the set itself for such prefixes. */
		__atomic_store_n(&f->n, PR_LSX_CHG_LENS + 1, __ATOMIC_SEQ_CST);
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

/* Empty a table's set of changed prefixes (no reader left: see publish). */
static int clear_changed(struct pr_lookup_index *x, bool v6, unsigned tbl)
{
	uint8_t key[sizeof(struct pr_lpm6_key)];
	int fd = x->fd_chg[v6][tbl];

	__atomic_store_n(&x->ctl->changed[v6][tbl], 0, __ATOMIC_SEQ_CST);
	x->ctl->chg[v6][tbl].n = 0;
	memset(&x->chgbits[(v6 * 2 + tbl) * (PR_LSX_CHG_BITS / 64)], 0, PR_LSX_CHG_BITS / 8);
	while (!bpf_map_get_next_key(fd, NULL, key))
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	return errno == ENOENT ? 0 : -errno;
}

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* Lines for n prefixes: four slots each (a prefix leaves about one marker),
 * a power of two from 16 up to what the table has. */
static uint32_t lines_for(size_t n, uint32_t room)
{
	uint32_t lines = 16;

	while (lines < room && lines < 2 * n)
		lines *= 2;
	return lines < room ? lines : room;
}

int pr_lookup_index_publish(struct pr_lookup_index *x, bool v6, const struct pr_lookup_index_entry *e, size_t n)
{
	unsigned tbl = x->last[v6] ^ 1;
	struct pr_lsx_line *tab = x->lines[v6] + (size_t)tbl * x->nlines[v6];
	struct pr_lookup_index_build_stats st;
	struct pr_lsx_lens ls;
	double t0 = now_ms();
	uint32_t lines;
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
	/* As small as the set allows: a thousand prefixes then probe 128 KiB,
	 * not the whole table sized for the capacity. */
	lines = lines_for(n, x->nlines[v6]);
	while ((err = pr_lookup_index_fill(tab, lines, v6, tbl, e, n, &ls, &st)) == -ENOSPC &&
	       lines < x->nlines[v6])
		lines = lines * 2 < x->nlines[v6] ? lines * 2 : x->nlines[v6];
	x->builds++;
	x->last_build_ms[v6] = now_ms() - t0;
	if (err) {
		pr_lookup_index_invalidate(x, v6);
		x->failures++;
		x->entries[v6] = 0;
		snprintf(x->why_off[v6], sizeof(x->why_off[v6]), "%s",
			 err == -E2BIG ? "more than 16 prefix lengths" :
			 err == -ENOSPC ? "more prefixes than the index holds (attach --index4-max/--index6-max)" :
			 strerror(-err));
		return err;
	}
	ls.base = tbl * x->nlines[v6];
	x->ctl->lens[v6][tbl] = ls;
	__atomic_store_n(&x->ctl->active[v6], tbl + 1, __ATOMIC_SEQ_CST);
	x->gp_ticket[v6] = pr_grace_period_request(x->gp);
	x->last[v6] = tbl;
	x->stale[v6] = false;
	x->changed[v6] = 0;
	x->entries[v6] = st.prefixes + st.markers;
	x->why_off[v6][0] = 0;
	if (st.skipped)
		snprintf(x->why_off[v6], sizeof(x->why_off[v6]),
			 "%zu prefixes of VRF tables above %u are looked up in the trie", st.skipped,
			 PR_LSX_MAX_DOMAIN);
	return 0;
}
