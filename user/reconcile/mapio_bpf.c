// SPDX-License-Identifier: GPL-2.0-only
/*
 * The reconciler's map I/O on real BPF maps (struct pr_mapio). Arrays have
 * no delete: an all-zero value is "absent" (the datapath treats zero
 * entries as invalid: no VALID flag, count 0).
 */
#include "reconcile/mapio_bpf.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>

static int update(void *ctx, enum pr_map m, const void *key, const void *val)
{
	struct pr_mapio_bpf *b = ctx;

	return bpf_map_update_elem(b->fd[m], key, val, 0) ? -errno : 0;
}

static int remove_(void *ctx, enum pr_map m, const void *key)
{
	struct pr_mapio_bpf *b = ctx;
	uint8_t zero[64] = {};

	if (pr_map_is_array(m))
		return bpf_map_update_elem(b->fd[m], key, zero, 0) ? -errno : 0;
	return bpf_map_delete_elem(b->fd[m], key) ? -errno : 0;
}

/* An array, 4096 entries a call (a restart reads 65536-entry arrays:
 * one syscall per entry was most of its time). */
static int walk_array(int fd, size_t vs, void (*fn)(void *, const void *, const void *), void *arg)
{
	enum { CHUNK = 4096 };
	LIBBPF_OPTS(bpf_map_batch_opts, bo);
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info), keys[CHUNK], in = 0, out = 0;
	uint8_t *vals, zero[64] = {};
	bool first = true;
	int err = 0;

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (info.value_size > sizeof(zero) || vs > info.value_size)
		return -EINVAL;
	vals = malloc((size_t)CHUNK * info.value_size);
	if (!vals)
		return -ENOMEM;
	for (;;) {
		uint32_t n = CHUNK;
		/* ENOENT: the last entries are in this batch. */
		bool last = bpf_map_lookup_batch(fd, first ? NULL : &in, &out, keys, vals, &n, &bo);

		if (last && errno != ENOENT) {
			err = -errno;
			break;
		}
		for (uint32_t i = 0; i < n; i++)
			if (memcmp(vals + (size_t)i * info.value_size, zero, vs))
				fn(arg, &keys[i], vals + (size_t)i * info.value_size);
		if (last || n < CHUNK)
			break;
		in = out;
		first = false;
	}
	free(vals);
	return err;
}

static int walk(void *ctx, enum pr_map m, void (*fn)(void *, const void *, const void *),
		void *arg)
{
	struct pr_mapio_bpf *b = ctx;
	uint8_t key[32], next[32], val[64];
	void *prev = NULL;

	if (pr_map_is_array(m))
		return walk_array(b->fd[m], pr_maps[m].value_size, fn, arg);
	while (!bpf_map_get_next_key(b->fd[m], prev, next)) {
		memcpy(key, next, sizeof(key));
		prev = key;
		if (!bpf_map_lookup_elem(b->fd[m], key, val))
			fn(arg, key, val);
	}
	return errno == ENOENT ? 0 : -errno;
}

void pr_mapio_bpf_init(struct pr_mapio_bpf *b, struct pr_mapio *io)
{
	io->update = update;
	io->remove = remove_;
	io->walk = walk;
	io->ctx = b;
}
