/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A minimal streaming JSON writer for `-j` output (like bpftool's): it
 * tracks nesting and commas so that callers only say what to emit.
 * Pretty-prints with -p.
 */
#ifndef PR_JSON_H
#define PR_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct jw {
	FILE *f;
	bool pretty;
	int depth;
	bool first[32]; /* per nesting level: nothing emitted yet */
	bool after_key;
};

void jw_init(struct jw *w, FILE *f, bool pretty);
void jw_obj_begin(struct jw *w);
void jw_obj_end(struct jw *w);
void jw_arr_begin(struct jw *w);
void jw_arr_end(struct jw *w);
void jw_key(struct jw *w, const char *k);
void jw_str(struct jw *w, const char *s);
void jw_u64(struct jw *w, uint64_t v);
void jw_bool(struct jw *w, bool v);
void jw_null(struct jw *w);
/* key + value shorthands */
void jw_kstr(struct jw *w, const char *k, const char *v);
void jw_ku64(struct jw *w, const char *k, uint64_t v);
void jw_kbool(struct jw *w, const char *k, bool v);
/* End of document: newline. */
void jw_done(struct jw *w);

#endif
