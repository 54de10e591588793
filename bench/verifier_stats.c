// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the running kernel's verifier says of every program in the BPF
 * objects named on the command line: whether it loads, how many
 * instructions the verifier processed (the 1,000,000 limit applies to this
 * count, not to the program's size), and its state counts. bench/verifier.sh
 * runs it on the host and in the VM's kernels and renders the results.
 *
 * Each object is loaded whole first, every program with a log buffer of its
 * own at BPF_LOG_STATS: the verifier's last line, "processed N insns (limit
 * L) max_states_per_insn M total_states T peak_states P mark_read R", is
 * all that level writes, and the kernel's own count (bpf_prog_info's
 * verified_insns) is read back after load. libbpf stops an object's load at
 * its first rejected program, so when the object does not load each program
 * is loaded alone (the others' autoload off) to learn which ones fail and
 * their counts, and a rejected one once more at log level 1 for the
 * verifier's reason (level 1 keeps only the path being checked, so its log
 * stays small). Maps are created as the object declares them but never
 * pinned, whatever their pinning attribute says: the host may run
 * podroute, whose pins must stay untouched.
 *
 * With -d DIR, each program is also loaded alone at log level 2 and the
 * whole log (every instruction as the verifier walks it, with its state)
 * written to DIR/<object>.<program>.log, to see where the count goes; the
 * kernel keeps at most 1 GiB of it (the tail, on 6.4 and later).
 *
 * Usage: verifier_stats [-v] [-d DIR] OBJECT...   (a JSON object on stdout)
 * Exit status: 0 when every program loaded, 1 when one did not, 2 on a
 * usage or I/O error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <jansson.h>

#include "kernel/features.h"

/* The kernel's BPF_LOG_STATS (include/linux/bpf_verifier.h, not UAPI). */
#define LOG_STATS 4
#define STATS_LOG_SIZE (64 * 1024)
/* Level 1 holds the rejected path only; a long one still fits. */
#define ERROR_LOG_SIZE (64 * 1024 * 1024)

/* The kernel refuses log buffers of 1 GiB (UINT_MAX >> 2) and more. */
#define DUMP_LOG_SIZE ((1U << 30) - 1)

static int verbose;
static const char *dump_dir;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	/* A rejected program's log would be printed whole: the caller reports it. */
	if (!verbose || level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* The verifier's statistics, as its log states them. */
struct vstats {
	long long processed, limit, max_states, total_states, peak_states, mark_read, time_us;
	char line[256];
	char stack[64];
};

static void parse_stats(const char *log, struct vstats *s)
{
	const char *p;

	memset(s, 0, sizeof(*s));
	s->processed = s->limit = s->max_states = s->total_states = s->peak_states = s->mark_read =
		s->time_us = -1;
	p = strstr(log, "verification time ");
	if (p)
		sscanf(p, "verification time %lld usec", &s->time_us);
	p = strstr(log, "stack depth ");
	if (p)
		sscanf(p, "stack depth %63[0-9+]", s->stack);
	/* The last "processed" line: a log may quote the word earlier. */
	for (const char *q = log; (q = strstr(q, "processed ")); q++)
		p = q;
	if (!p || strncmp(p, "processed ", 10))
		return;
	if (sscanf(p, "processed %lld insns (limit %lld) max_states_per_insn %lld total_states %lld "
		      "peak_states %lld mark_read %lld",
		   &s->processed, &s->limit, &s->max_states, &s->total_states, &s->peak_states,
		   &s->mark_read) < 1)
		return;
	snprintf(s->line, sizeof(s->line), "%.*s", (int)strcspn(p, "\n"), p);
}

/* The verifier's reason for a rejection: the last lines of a level-1 log
 * other than its statistics. */
static void reject_reason(const char *log, char *out, size_t size)
{
	const char *end = log + strlen(log), *start;
	int lines = 0;

	/* Drop the statistics block at the end (from "verification time" or
	 * "processed" on), then keep the three lines before it. */
	const char *cut = strstr(log, "\nverification time ");

	if (!cut)
		cut = strstr(log, "\nprocessed ");
	if (cut)
		end = cut;
	start = end;
	while (start > log && lines < 3) {
		start--;
		if (*start == '\n' && start + 1 < end)
			lines++;
	}
	if (*start == '\n')
		start++;
	snprintf(out, size, "%.*s", (int)(end - start), start);
	for (char *c = out; *c; c++)
		if (*c == '\n')
			*c = ' ';
}

static json_t *num_or_null(long long v)
{
	return v < 0 ? json_null() : json_integer(v);
}

static json_t *prog_record(const char *obj, struct bpf_program *prog, bool loaded, int err,
			   const char *log, const char *reason)
{
	struct vstats s;
	json_t *r = json_object();
	long long verified = -1;

	parse_stats(log, &s);
	if (loaded) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (!bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			verified = info.verified_insns;
	}
	json_object_set_new(r, "object", json_string(obj));
	json_object_set_new(r, "program", json_string(bpf_program__name(prog)));
	json_object_set_new(r, "section", json_string(bpf_program__section_name(prog)));
	json_object_set_new(r, "insns", json_integer(bpf_program__insn_cnt(prog)));
	json_object_set_new(r, "loaded", json_boolean(loaded));
	/* The kernel's count once loaded; a rejected program has no info,
	 * its log's count stands in. */
	json_object_set_new(r, "verified_insns", num_or_null(verified >= 0 ? verified : s.processed));
	json_object_set_new(r, "processed_insns", num_or_null(s.processed));
	json_object_set_new(r, "insn_limit", num_or_null(s.limit));
	json_object_set_new(r, "max_states_per_insn", num_or_null(s.max_states));
	json_object_set_new(r, "total_states", num_or_null(s.total_states));
	json_object_set_new(r, "peak_states", num_or_null(s.peak_states));
	json_object_set_new(r, "mark_read", num_or_null(s.mark_read));
	json_object_set_new(r, "verification_us", num_or_null(s.time_us));
	json_object_set_new(r, "stack_depth", s.stack[0] ? json_string(s.stack) : json_null());
	json_object_set_new(r, "stats_line", s.line[0] ? json_string(s.line) : json_null());
	if (!loaded) {
		char e[512];

		snprintf(e, sizeof(e), "%s%s%s", strerror(-err), reason && *reason ? ": " : "",
			 reason ? reason : "");
		json_object_set_new(r, "error", json_string(e));
	}
	return r;
}

/* Open path with no map pinned, and only `only` (or every program, when
 * NULL) to be loaded, each with the given log level and buffers. */
static struct bpf_object *open_obj(const char *path, const char *only, __u32 level, char **bufs,
				   size_t size, int nbufs)
{
	struct bpf_object *obj = bpf_object__open_file(path, NULL);
	struct bpf_program *prog;
	struct bpf_map *map;
	int i = 0;

	if (!obj)
		return NULL;
	/* As the datapath's loader: what this kernel refuses is left out. */
	if (pr_kernel_caps_apply(obj)) {
		bpf_object__close(obj);
		return NULL;
	}
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
	bpf_object__for_each_program(prog, obj) {
		bool mine = !only || !strcmp(only, bpf_program__name(prog));

		bpf_program__set_autoload(prog, mine);
		if (mine && i < nbufs) {
			bufs[i][0] = '\0';
			bpf_program__set_log_buf(prog, bufs[i], size);
			bpf_program__set_log_level(prog, level);
		}
		if (!only)
			i++;
	}
	return obj;
}

/* The level-2 log of every program of path, one file each in dump_dir. */
static void dump_logs(const char *path)
{
	struct bpf_object *names = bpf_object__open_file(path, NULL);
	const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	struct bpf_program *prog;
	char *big = malloc(DUMP_LOG_SIZE);

	if (!names || !big) {
		fprintf(stderr, "verifier_stats: %s: cannot dump its logs\n", path);
		goto out;
	}
	bpf_object__for_each_program(prog, names) {
		const char *name = bpf_program__name(prog);
		struct bpf_object *one = open_obj(path, name, 2 | LOG_STATS, &big, DUMP_LOG_SIZE, 1);
		char file[4096];
		FILE *f;

		if (one)
			bpf_object__load(one);
		bpf_object__close(one);
		snprintf(file, sizeof(file), "%s/%.*s.%s.log", dump_dir,
			 (int)(strstr(base, ".bpf.o") ? strstr(base, ".bpf.o") - base : (long)strlen(base)),
			 base, name);
		f = fopen(file, "w");
		if (!f || fputs(big, f) < 0 || fclose(f)) {
			fprintf(stderr, "verifier_stats: %s: %s\n", file, strerror(errno));
			continue;
		}
		fprintf(stderr, "verifier_stats: wrote %s\n", file);
	}
out:
	bpf_object__close(names);
	free(big);
}

/* Every program of one object, appended to out. Returns how many failed,
 * or -1 if the object cannot be opened. */
static int check_object(const char *path, json_t *out)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	char **bufs;
	int n = 0, i, failed = 0, err;

	obj = bpf_object__open_file(path, NULL);
	if (!obj) {
		fprintf(stderr, "verifier_stats: %s: cannot open: %s\n", path, strerror(errno));
		return -1;
	}
	bpf_object__for_each_program(prog, obj)
		n++;
	bpf_object__close(obj);
	bufs = calloc(n ? n : 1, sizeof(*bufs));
	for (i = 0; i < n; i++)
		bufs[i] = malloc(STATS_LOG_SIZE);

	obj = open_obj(path, NULL, LOG_STATS, bufs, STATS_LOG_SIZE, n);
	if (obj && !bpf_object__load(obj)) {
		i = 0;
		bpf_object__for_each_program(prog, obj)
			json_array_append_new(out, prog_record(path, prog, true, 0, bufs[i++], NULL));
		goto done;
	}
	bpf_object__close(obj);
	obj = NULL;

	/* One program at a time: which ones fail, and why. */
	{
		struct bpf_object *names = bpf_object__open_file(path, NULL);

		if (!names) {
			fprintf(stderr, "verifier_stats: %s: cannot open: %s\n", path, strerror(errno));
			failed = -1;
			goto done;
		}
		bpf_object__for_each_program(prog, names) {
			const char *name = bpf_program__name(prog);
			struct bpf_object *one = open_obj(path, name, LOG_STATS, bufs,
							  STATS_LOG_SIZE, 1);
			struct bpf_program *p;

			if (!one) {
				fprintf(stderr, "verifier_stats: %s: cannot open: %s\n", path,
					strerror(errno));
				failed = -1;
				break;
			}
			p = bpf_object__find_program_by_name(one, name);
			err = bpf_object__load(one);
			if (!err) {
				json_array_append_new(out, prog_record(path, p, true, 0, bufs[0], NULL));
				bpf_object__close(one);
				continue;
			}
			failed++;
			{
				char *big = malloc(ERROR_LOG_SIZE), reason[400] = "";
				struct bpf_object *again = open_obj(path, name, 1 | LOG_STATS,
								    &big, ERROR_LOG_SIZE, 1);

				if (again && bpf_object__load(again) && big[0])
					reject_reason(big, reason, sizeof(reason));
				bpf_object__close(again);
				free(big);
				json_array_append_new(out,
						      prog_record(path, p, false, err, bufs[0], reason));
			}
			bpf_object__close(one);
		}
		bpf_object__close(names);
	}
done:
	bpf_object__close(obj);
	for (i = 0; i < n; i++)
		free(bufs[i]);
	free(bufs);
	return failed;
}

int main(int argc, char **argv)
{
	struct utsname u;
	json_t *root, *progs;
	int opt, failed = 0, r;

	while ((opt = getopt(argc, argv, "vd:h")) != -1) {
		switch (opt) {
		case 'd':
			dump_dir = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		default:
			fprintf(stderr, "usage: verifier_stats [-v] [-d DIR] OBJECT...\n");
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "usage: verifier_stats [-v] [-d DIR] OBJECT...\n");
		return 2;
	}
	libbpf_set_print(libbpf_print);
	uname(&u);
	root = json_object();
	progs = json_array();
	json_object_set_new(root, "kernel", json_string(u.release));
	json_object_set_new(root, "xdp_meta", json_boolean(pr_kernel_has_xdp_meta()));
	for (int i = optind; i < argc; i++) {
		r = check_object(argv[i], progs);
		if (r < 0) {
			json_decref(progs);
			json_decref(root);
			return 2;
		}
		failed += r;
		if (dump_dir)
			dump_logs(argv[i]);
	}
	json_object_set_new(root, "programs", progs);
	json_dumpf(root, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(root);
	return failed ? 1 : 0;
}
