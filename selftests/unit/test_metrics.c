// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests: the Prometheus exposition text (label and HELP escaping,
 * histogram buckets cumulative with +Inf equal to _count, _sum/_count),
 * a whole /metrics page checked line by line against the format's rules,
 * the health and readiness rules, and --metrics-listen parsing. No kernel,
 * no socket.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "agent/metrics.h"
#include "lib/names.h"

#define L(...) ((const char *const[]){ __VA_ARGS__, NULL })

static void test_label_escaping(void **state)
{
	struct pr_sbuf b = {};

	(void)state;
	pr_prom_u64(&b, "m", L("a", "x\\y\"z\nw", "b", "plain"), 7);
	pr_prom_u64(&b, "n", NULL, 5);
	pr_prom_u64(&b, "e", L("a", ""), 0);
	assert_false(b.failed);
	assert_string_equal(b.buf, "m{a=\"x\\\\y\\\"z\\nw\",b=\"plain\"} 7\n"
				   "n 5\n"
				   "e{a=\"\"} 0\n");
	pr_sbuf_free(&b);
}

static void test_help_escaping(void **state)
{
	struct pr_sbuf b = {};

	(void)state;
	/* HELP escapes backslash and newline; a quote stays as it is. */
	pr_prom_family(&b, "m", "counter", "a \\ b\nc \"d\"");
	assert_string_equal(b.buf, "# HELP m a \\\\ b\\nc \"d\"\n# TYPE m counter\n");
	pr_sbuf_free(&b);
}

static void test_double_format(void **state)
{
	char buf[40];

	(void)state;
	pr_prom_format_double(buf, sizeof(buf), NAN);
	assert_string_equal(buf, "NaN");
	pr_prom_format_double(buf, sizeof(buf), INFINITY);
	assert_string_equal(buf, "+Inf");
	pr_prom_format_double(buf, sizeof(buf), -INFINITY);
	assert_string_equal(buf, "-Inf");
	pr_prom_format_double(buf, sizeof(buf), 0.0025);
	assert_string_equal(buf, "0.0025");
	pr_prom_format_double(buf, sizeof(buf), 1);
	assert_string_equal(buf, "1");
	pr_prom_format_double(buf, sizeof(buf), 0.1 + 0.2);
	assert_string_equal(buf, "0.3");
}

static void test_histogram_text(void **state)
{
	static const double le[] = { 0.1, 0.5, 1 };
	struct pr_hist h;
	struct pr_sbuf b = {};

	(void)state;
	assert_int_equal(pr_hist_init(&h, le, 3), 0);
	pr_hist_observe(&h, 0.05, 1);
	pr_hist_observe(&h, 0.1, 1); /* on a bound: that bucket (le is inclusive) */
	pr_hist_observe(&h, 0.25, 1);
	pr_hist_observe(&h, 0.75, 2); /* a batch of two */
	pr_hist_observe(&h, 5, 1);    /* above every bound: +Inf only */
	pr_hist_observe(&h, NAN, 1);  /* ignored */
	pr_hist_observe(&h, 0.2, 0);  /* ignored */
	pr_prom_histogram(&b, "lat_seconds", L("k", "v\""), &h);
	assert_false(b.failed);
	assert_string_equal(b.buf, "lat_seconds_bucket{k=\"v\\\"\",le=\"0.1\"} 2\n"
				   "lat_seconds_bucket{k=\"v\\\"\",le=\"0.5\"} 3\n"
				   "lat_seconds_bucket{k=\"v\\\"\",le=\"1\"} 5\n"
				   "lat_seconds_bucket{k=\"v\\\"\",le=\"+Inf\"} 6\n"
				   "lat_seconds_sum{k=\"v\\\"\"} 6.9\n"
				   "lat_seconds_count{k=\"v\\\"\"} 6\n");
	pr_sbuf_free(&b);

	/* No labels: le is the only one; an empty histogram is all zeros. */
	assert_int_equal(pr_hist_init(&h, le, 1), 0);
	pr_prom_histogram(&b, "x", NULL, &h);
	assert_string_equal(b.buf, "x_bucket{le=\"0.1\"} 0\nx_bucket{le=\"+Inf\"} 0\nx_sum 0\nx_count 0\n");
	pr_sbuf_free(&b);
}

static void test_histogram_init(void **state)
{
	static const double bad_order[] = { 1, 0.5 }, dup[] = { 1, 1 }, inf[] = { 1, INFINITY };
	double many[PR_HIST_MAX_BUCKETS + 1];
	struct pr_hist h;

	(void)state;
	for (unsigned i = 0; i <= PR_HIST_MAX_BUCKETS; i++)
		many[i] = i + 1;
	assert_int_equal(pr_hist_init(&h, bad_order, 2), -EINVAL);
	assert_int_equal(pr_hist_init(&h, dup, 2), -EINVAL);
	assert_int_equal(pr_hist_init(&h, inf, 2), -EINVAL);
	assert_int_equal(pr_hist_init(&h, many, 0), -EINVAL);
	assert_int_equal(pr_hist_init(&h, many, PR_HIST_MAX_BUCKETS + 1), -EINVAL);
	assert_int_equal(pr_hist_init(&h, many, PR_HIST_MAX_BUCKETS), 0);
	assert_int_equal(pr_hist_init(&h, pr_metrics_latency_buckets, pr_metrics_latency_nbuckets), 0);
}

static void test_sbuf_growth(void **state)
{
	struct pr_sbuf b = {};

	(void)state;
	for (int i = 0; i < 10000; i++)
		pr_sbuf_printf(&b, "%05d\n", i);
	assert_false(b.failed);
	assert_int_equal(b.len, 60000);
	assert_int_equal(strlen(b.buf), 60000);
	assert_memory_equal(b.buf + 59994, "09999\n", 6);
	pr_sbuf_free(&b);
}

/* ---- a whole page ---- */

struct fixture {
	struct pr_metrics_snap s;
	struct pr_metrics_live l;
};

static struct fixture *fixture_new(void)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->s.have_cfg = true;
	f->s.nnets = 2;
	f->s.nets[0] = (struct pr_metrics_net){ 1, "default" };
	f->s.nets[1] = (struct pr_metrics_net){ 7, "blue" };
	f->s.nifs = 3;
	f->s.ifs[0] = (struct pr_metrics_if){ "in0", PR_ROLE_UNDERLAY };
	f->s.ifs[1] = (struct pr_metrics_if){ "br-ex", PR_ROLE_BREX };
	f->s.ifs[2] = (struct pr_metrics_if){ "mp0", PR_ROLE_OVN };
	f->s.reconciles = 3;
	f->s.last_reconcile_ok = true;
	f->s.last_config_ok = true;
	f->s.config_loads = 1;
	for (int m = 0; m < PR_MAP__COUNT; m++)
		f->s.map_entries[m] = -1;
	pr_hist_init(&f->s.reconcile_seconds, pr_metrics_latency_buckets, pr_metrics_latency_nbuckets);
	pr_hist_init(&f->s.route_to_map_seconds, pr_metrics_latency_buckets, pr_metrics_latency_nbuckets);
	pr_hist_observe(&f->s.route_to_map_seconds, 0.003, 4);
	snprintf(f->l.kernel_release, sizeof(f->l.kernel_release), "6.18.0-test");
	f->l.vrf_fib = true; /* as the probe (kernel/features.c) would answer on such a kernel */
	f->l.xdp_meta = true;
	f->l.have_stats = true;
	f->l.stats[pr_stats_index(1, PR_R_REDIRECT)] = (struct pr_counter){ 10, 980 };
	f->l.stats[pr_stats_index(0, PR_R_MISS)] = (struct pr_counter){ 3, 300 };
	f->l.stats[pr_stats_index(9, PR_R_NO_TARGET)] = (struct pr_counter){ 2, 200 };
	f->l.maps[PR_MAP_ROUTES4] = (struct pr_metrics_map){ true, true, 5, 1048576 };
	f->l.maps[PR_MAP_STATS] = (struct pr_metrics_map){ false, true, 0, PR_MAX_NETS * PR_R_MAX };
	/* in0: TC + native XDP; br-ex: TC; mp0: XDP only (its pr_ifaces says so). */
	f->l.ifs[0] = (struct pr_metrics_ifstate){ 2, true, PR_IF_F_UNDERLAY | PR_IF_F_XDP, true, true, "native" };
	f->l.ifs[1] = (struct pr_metrics_ifstate){ 3, true, 0, true, false, NULL };
	f->l.ifs[2] = (struct pr_metrics_ifstate){ 4, true, PR_IF_F_OVN | PR_IF_F_XDP, false, true, "generic" };
	return f;
}

static char *render(const struct fixture *f)
{
	struct pr_sbuf b = {};

	pr_metrics_render(&b, &f->s, &f->l);
	assert_false(b.failed);
	return b.buf;
}

static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

/* Skip a label value from just after its opening quote; NULL if bad. */
static const char *skip_value(const char *p)
{
	for (; *p && *p != '"'; p++) {
		if (*p == '\n')
			return NULL; /* a raw newline: escaping failed */
		if (*p == '\\') {
			if (p[1] != '\\' && p[1] != '"' && p[1] != 'n')
				return NULL;
			p++;
		}
	}
	return *p == '"' ? p + 1 : NULL;
}

/*
 * The format's rules, as Prometheus' parser applies them: every sample's
 * family has one HELP and one TYPE before its first sample, a family's
 * samples are contiguous, names carry the prefix, label values are
 * escaped, a value follows. Returns the number of samples.
 */
static int check_exposition(const char *text)
{
	char families[128][64], cur[64] = "", type[16] = "";
	int nfam = 0, samples = 0;

	for (const char *p = text; *p;) {
		const char *eol = strchr(p, '\n');
		char name[64];
		size_t n;

		assert_non_null(eol);
		if (!strncmp(p, "# HELP ", 7)) {
			assert_int_equal(sscanf(p + 7, "%63s", name), 1);
			for (int i = 0; i < nfam; i++)
				assert_string_not_equal(families[i], name); /* once per family */
			assert_true(nfam < 128);
			snprintf(families[nfam++], 64, "%s", name);
			snprintf(cur, sizeof(cur), "%s", name);
			type[0] = '\0';
		} else if (!strncmp(p, "# TYPE ", 7)) {
			assert_int_equal(sscanf(p + 7, "%63s %15s", name, type), 2);
			assert_string_equal(name, cur);
			assert_true(!strcmp(type, "counter") || !strcmp(type, "gauge") ||
				    !strcmp(type, "histogram"));
		} else {
			n = strcspn(p, "{ ");
			assert_true(n > 0 && n < sizeof(name));
			memcpy(name, p, n);
			name[n] = '\0';
			assert_memory_equal(name, "podroute_", 9);
			/* The sample belongs to the family announced last. */
			assert_true(type[0]);
			if (!strcmp(type, "histogram")) {
				size_t c = strlen(cur);

				assert_memory_equal(name, cur, c);
				assert_true(!strcmp(name + c, "_bucket") || !strcmp(name + c, "_sum") ||
					    !strcmp(name + c, "_count"));
			} else {
				assert_string_equal(name, cur);
			}
			p += n;
			if (*p == '{') {
				p++;
				while (*p != '}') {
					n = strcspn(p, "=");
					assert_true(n > 0 && p[n] == '=' && p[n + 1] == '"');
					p = skip_value(p + n + 2);
					assert_non_null(p);
					if (*p == ',')
						p++;
					else
						assert_int_equal(*p, '}');
				}
				p++;
			}
			assert_int_equal(*p, ' ');
			char *end;

			strtod(p + 1, &end);
			assert_true(end > p + 1 && end == eol);
			samples++;
		}
		p = eol + 1;
	}
	return samples;
}

static void test_render_page(void **state)
{
	struct fixture *f = fixture_new();
	char *t, line[256];

	(void)state;
	snprintf(f->s.last_config_error, sizeof(f->s.last_config_error),
		 "/etc/p\\c.yaml:5:14: bad prefix \"10.128.1.1/24\"\nnext");
	f->s.last_config_ok = false;
	f->s.config_failures = 1;
	t = render(f);
	assert_true(check_exposition(t) > 100);

	/* Per-network counters: names from the config, reason names from the
	 * library's list; configured networks and (none) even at zero. */
	assert_true(has_line(t, "podroute_packets_total{network=\"default\",network_id=\"1\",reason=\"redirect\"} 10"));
	assert_true(has_line(t, "podroute_bytes_total{network=\"default\",network_id=\"1\",reason=\"redirect\"} 980"));
	assert_true(has_line(t, "podroute_packets_total{network=\"blue\",network_id=\"7\",reason=\"ttl\"} 0"));
	assert_true(has_line(t, "podroute_packets_total{network=\"(none)\",network_id=\"0\",reason=\"miss\"} 3"));
	assert_true(has_line(t, "podroute_packets_total{network=\"(unconfigured)\",network_id=\"9\",reason=\"no-target\"} 2"));
	assert_false(has_line(t, "podroute_packets_total{network=\"(unconfigured)\",network_id=\"9\",reason=\"miss\"} 0"));
	for (uint32_t r = 0; r < PR_R_MAX; r++) {
		snprintf(line, sizeof(line), "network_id=\"7\",reason=\"%s\"} 0", pr_reason_name(r));
		assert_non_null(strstr(t, line));
	}

	/* The error text, escaped as a label value. */
	assert_true(has_line(t, "podroute_last_config_error_info{error=\"/etc/p\\\\c.yaml:5:14: bad prefix "
				"\\\"10.128.1.1/24\\\"\\nnext\"} 1"));
	assert_true(has_line(t, "podroute_last_config_load_success 0"));
	assert_true(has_line(t, "podroute_config_load_failures_total 1"));

	assert_true(has_line(t, "podroute_map_entries{map=\"pr_routes4\"} 5"));
	assert_true(has_line(t, "podroute_map_capacity{map=\"pr_routes4\"} 1048576"));
	assert_null(strstr(t, "podroute_map_entries{map=\"pr_stats\"}"));
	assert_true(has_line(t, "podroute_reconciles_total 3"));
	assert_true(has_line(t, "podroute_route_to_map_latency_seconds_bucket{le=\"0.0025\"} 0"));
	assert_true(has_line(t, "podroute_route_to_map_latency_seconds_bucket{le=\"0.005\"} 4"));
	assert_true(has_line(t, "podroute_route_to_map_latency_seconds_bucket{le=\"+Inf\"} 4"));
	assert_true(has_line(t, "podroute_route_to_map_latency_seconds_count 4"));
	assert_true(has_line(t, "podroute_kernel_info{release=\"6.18.0-test\",vrf_fib_lookup=\"true\",xdp_metadata=\"true\"} 1"));
	assert_true(has_line(t, "podroute_attached{interface=\"in0\",role=\"underlay\",hook=\"xdp\",mode=\"native\"} 1"));
	assert_true(has_line(t, "podroute_attached{interface=\"in0\",role=\"underlay\",hook=\"tc\",mode=\"ingress\"} 1"));
	assert_true(has_line(t, "podroute_attached{interface=\"mp0\",role=\"ovn\",hook=\"xdp\",mode=\"generic\"} 1"));
	assert_null(strstr(t, "interface=\"mp0\",role=\"ovn\",hook=\"tc\""));
	assert_true(has_line(t, "podroute_interface_ok{interface=\"mp0\",role=\"ovn\"} 1"));
	assert_non_null(strstr(t, "podroute_build_info{version=\""));
	/* Healthy, not ready (the config on disk was refused). */
	assert_true(has_line(t, "podroute_healthy 1"));
	assert_true(has_line(t, "podroute_ready 0"));
	free(t);

	/* Without pr_stats (a failed read) the counter families are left out,
	 * not shown as zeros. */
	f->l.have_stats = false;
	t = render(f);
	check_exposition(t);
	assert_null(strstr(t, "podroute_packets_total"));
	free(t);
	free(f);
}

static void test_health(void **state)
{
	struct fixture *f = fixture_new();
	char why[512];

	(void)state;
	assert_true(pr_metrics_health(&f->s, &f->l, false, why, sizeof(why)));
	assert_string_equal(why, "");
	assert_true(pr_metrics_health(&f->s, &f->l, true, why, sizeof(why)));

	/* XDP gone from the underlay while pr_ifaces says it runs there. */
	f->l.ifs[0].xdp = false;
	assert_false(pr_metrics_health(&f->s, &f->l, false, why, sizeof(why)));
	assert_non_null(strstr(why, "in0 (underlay): XDP program missing"));
	f->l.ifs[0].xdp = true;

	/* Detached: no hook at all; or hooks without the pr_ifaces entry. */
	f->l.ifs[0].xdp = f->l.ifs[0].tc = false;
	assert_false(pr_metrics_health(&f->s, &f->l, false, why, sizeof(why)));
	assert_string_equal(why, "in0 (underlay): not attached (no podroute XDP program or TC filter)");
	f->l.ifs[0].xdp = f->l.ifs[0].tc = true;
	f->l.ifs[0].in_ifaces = false;
	assert_false(pr_metrics_health(&f->s, &f->l, false, why, sizeof(why)));
	assert_non_null(strstr(why, "in0 (underlay): no pr_ifaces entry"));
	f->l.ifs[0].in_ifaces = true;

	f->l.ifs[0].tc = false;
	assert_false(pr_metrics_health(&f->s, &f->l, false, why, sizeof(why)));
	assert_non_null(strstr(why, "TC ingress filter missing"));
	f->l.ifs[0].tc = true;

	f->l.ifs[0].ifindex = 0;
	assert_false(pr_metrics_health(&f->s, &f->l, false, why, sizeof(why)));
	assert_non_null(strstr(why, "in0 (underlay): no such device"));
	f->l.ifs[0].ifindex = 2;

	/* A failed reconcile; two reasons are both told. */
	f->s.last_reconcile_ok = false;
	f->l.ifs[0].tc = false;
	assert_false(pr_metrics_health(&f->s, &f->l, false, why, sizeof(why)));
	assert_non_null(strstr(why, "the last reconcile failed; in0 (underlay): TC"));
	f->s.last_reconcile_ok = true;
	f->l.ifs[0].tc = true;
	f->s.reconciles = 0;
	assert_false(pr_metrics_health(&f->s, &f->l, false, why, sizeof(why)));
	assert_non_null(strstr(why, "no reconcile has run yet"));
	f->s.reconciles = 1;

	/* brex / ovn, a refused config and an owed reconcile: readiness only. */
	f->l.ifs[1].tc = false;
	assert_true(pr_metrics_health(&f->s, &f->l, false, why, sizeof(why)));
	assert_false(pr_metrics_health(&f->s, &f->l, true, why, sizeof(why)));
	assert_non_null(strstr(why, "br-ex (brex): not attached"));
	f->l.ifs[1].tc = true;
	/* An OVN port without XDP needs its TC filter. */
	f->l.ifs[2].if_flags = PR_IF_F_OVN;
	f->l.ifs[2].xdp = false;
	assert_false(pr_metrics_health(&f->s, &f->l, true, why, sizeof(why)));
	assert_non_null(strstr(why, "mp0 (ovn): not attached"));
	f->l.ifs[2].xdp = true; /* present, but pr_ifaces says TC decides there */
	assert_false(pr_metrics_health(&f->s, &f->l, true, why, sizeof(why)));
	assert_non_null(strstr(why, "mp0 (ovn): TC ingress filter missing"));
	f->l.ifs[2].tc = true;
	assert_true(pr_metrics_health(&f->s, &f->l, true, why, sizeof(why)));
	f->s.last_config_ok = false;
	snprintf(f->s.last_config_error, sizeof(f->s.last_config_error), "c.yaml:1:1: bad");
	assert_true(pr_metrics_health(&f->s, &f->l, false, why, sizeof(why)));
	assert_false(pr_metrics_health(&f->s, &f->l, true, why, sizeof(why)));
	assert_string_equal(why, "the last config load failed: c.yaml:1:1: bad");
	f->s.last_config_ok = true;
	f->s.reconcile_owed = true;
	assert_false(pr_metrics_health(&f->s, &f->l, true, why, sizeof(why)));
	assert_non_null(strstr(why, "reconcile is owed"));
	/* A tiny buffer truncates, never overflows. */
	f->s.last_reconcile_ok = false;
	assert_false(pr_metrics_health(&f->s, &f->l, true, why, 8));
	assert_true(strlen(why) < 8);
	free(f);
}

static void listen_ok(const char *spec, int family, const char *addr, unsigned port)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	char why[160] = "", buf[INET6_ADDRSTRLEN];

	assert_int_equal(pr_metrics_parse_listen(spec, &ss, &sl, why, sizeof(why)), 0);
	assert_int_equal(ss.ss_family, family);
	if (family == AF_INET) {
		struct sockaddr_in *a = (void *)&ss;

		assert_int_equal(sl, sizeof(*a));
		assert_string_equal(inet_ntop(AF_INET, &a->sin_addr, buf, sizeof(buf)), addr);
		assert_int_equal(ntohs(a->sin_port), port);
	} else {
		struct sockaddr_in6 *a = (void *)&ss;

		assert_int_equal(sl, sizeof(*a));
		assert_string_equal(inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof(buf)), addr);
		assert_int_equal(ntohs(a->sin6_port), port);
	}
}

static void listen_bad(const char *spec, const char *expect)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	char why[160] = "";

	assert_int_equal(pr_metrics_parse_listen(spec, &ss, &sl, why, sizeof(why)), -EINVAL);
	if (!strstr(why, expect))
		fail_msg("\"%s\": got \"%s\", expected it to contain \"%s\"", spec, why, expect);
}

static void test_parse_listen(void **state)
{
	struct sockaddr_storage ss;
	socklen_t sl = 0;
	char why[160];

	(void)state;
	listen_ok(PR_METRICS_LISTEN_DEFAULT, AF_INET, "127.0.0.1", 9473);
	listen_ok("0.0.0.0:0", AF_INET, "0.0.0.0", 0);
	listen_ok("192.0.2.1:65535", AF_INET, "192.0.2.1", 65535);
	listen_ok("[::]:9473", AF_INET6, "::", 9473);
	listen_ok("[fd00::1]:80", AF_INET6, "fd00::1", 80);
	assert_int_equal(pr_metrics_parse_listen("none", &ss, &sl, why, sizeof(why)), 1);
	listen_bad("127.0.0.1", "expected ADDR:PORT");
	listen_bad("127.0.0.1:", "not a port number");
	listen_bad("127.0.0.1:65536", "not a port number");
	listen_bad("127.0.0.1:123456", "not a port number");
	listen_bad("127.0.0.1:8x", "not a port number");
	listen_bad("127.0.0.1:-1", "not a port number");
	listen_bad(":9473", "not a numeric IPv4 address");
	listen_bad("localhost:9473", "\"localhost\": not a numeric IPv4 address");
	listen_bad("300.1.1.1:80", "not a numeric IPv4 address");
	listen_bad("::1:80", "brackets");
	listen_bad("[::1]80", "expected [IPV6]:PORT");
	listen_bad("[::1", "expected [IPV6]:PORT");
	listen_bad("[zz]:80", "\"zz\": not a numeric IPv6 address");
	listen_bad("[]:80", "not a numeric IPv6 address");
	listen_bad("[127.0.0.1]:80", "not a numeric IPv6 address");
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_help_escaping),
		cmocka_unit_test(test_double_format),
		cmocka_unit_test(test_histogram_text),
		cmocka_unit_test(test_histogram_init),
		cmocka_unit_test(test_sbuf_growth),
		cmocka_unit_test(test_render_page),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_parse_listen),
	};
	return cmocka_run_group_tests_name("metrics", tests, NULL, NULL);
}
