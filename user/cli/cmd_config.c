// SPDX-License-Identifier: GPL-2.0-only
/*
 * `podroute config check|render|sync`: validate a config file; render one
 * node's config from the cluster's objects (config/k8s_render.h); and the
 * DaemonSet's sidecar loop that lists and watches those objects on the API
 * server (config/kube_informer.h), renders, and rewrites the agent's
 * config atomically when, and only when, it changed.
 */
#define _GNU_SOURCE /* open_memstream, signalfd */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "lib/atomic_file.h"
#include "cli/cli.h"
#include "config/config.h"
#include "config/kube_api.h"
#include "config/kube_event.h"
#include "config/kube_informer.h"
#include "lib/log.h"
#include "config/k8s_render.h"

static const char config_help[] =
	"Usage: podroute config check FILE\n"
	"       podroute config render --node NAME --base FILE --input FILE [--input FILE ...]\n"
	"                              [--vrf-table VRF=TABLE ...] [--service-cidr CIDR ...] [-o FILE]\n"
	"       podroute config sync --node NAME --base FILE -o FILE [--interval SECONDS]\n"
	"                            [--api-server URL] [--token-file FILE] [--ca-file FILE]\n"
	"                            [--vrf-table VRF=TABLE ...] [--service-cidr CIDR ...]\n"
	"                            [--no-events] [--once]\n"
	"check: validate a config file and print it in canonical form.\n"
	"render: write one node's config from the cluster's objects as `kubectl get -o json`\n"
	"  prints them (RouteAdvertisements, ClusterUserDefinedNetworks, UserDefinedNetworks,\n"
	"  NetworkAttachmentDefinitions, Nodes; any mix, one or more files): the base file\n"
	"  gives interfaces, limits and policy, render adds the networks this node advertises.\n"
	"  VRF tables come from this node's kernel unless given with --vrf-table.\n"
	"  Authority comes from RouteAdvertisements, ClusterUserDefinedNetworks, the\n"
	"  Node's OVN-Kubernetes annotations and the NADs OVN-Kubernetes owns, never\n"
	"  from what a tenant can write; a network that fails a check (its prefixes\n"
	"  cover a node address, a --service-cidr range or another network, a name\n"
	"  or id it may not claim, a broken object) is refused alone, and said so.\n"
	"  -o writes atomically (temporary file, fsync, rename); default stdout.\n"
	"sync: the DaemonSet's sidecar. Talks to the API server as a controller does:\n"
	"  lists routeadvertisements, clusteruserdefinednetworks, userdefinednetworks\n"
	"  (k8s.ovn.org), network-attachment-definitions (k8s.cni.cncf.io), namespaces and\n"
	"  this Node, then watches each from the list's resourceVersion: one watch per\n"
	"  resource, no polling. A dropped watch resumes from the last resourceVersion;\n"
	"  410 Gone lists again; failures back off (0.5 s doubling to 30 s, jittered);\n"
	"  a resource not served (404: CRD not installed) counts as none. It renders\n"
	"  1 s after a change and every --interval (default 10) seconds (VRF tables come\n"
	"  from the kernel), and rewrites -o only when the result changed. A failure\n"
	"  keeps the last good file. In a pod it needs no options: the API server from\n"
	"  KUBERNETES_SERVICE_HOST/PORT, the service-account token (read again on every\n"
	"  connection: projected tokens rotate) and CA from\n"
	"  " KUBE_SA_DIR "; --api-server (https://, or http:// for a\n"
	"  test server), --token-file and --ca-file override them. --once: list, render,\n"
	"  write, exit; the exit status says how it went. Each refusal is logged when\n"
	"  it first appears and posted as a Warning Event (reason PodrouteRefused) on the\n"
	"  refused object, or on the Node (RBAC: create events; a refusal is said once\n"
	"  and the sync goes on); --no-events posts none. The rendered file carries the\n"
	"  count (refused_objects), which the agent exports as\n"
	"  podroute_config_refused_objects.\n";

/* The rendered config as text, checked by reading it back. */
static int render_text(const struct pr_render_opts *ro, const char *base, char **text, size_t *len,
		       struct pr_render_report *rep, char *err, size_t errlen)
{
	struct pr_config cfg, back;
	struct pr_cfg_error e;
	char msg[600];
	FILE *f;
	int rc;

	rc = pr_config_load_file(base, &cfg, &e);
	if (rc) {
		snprintf(err, errlen, "base config: %s", pr_cfg_error_str(&e, msg, sizeof(msg)));
		return rc;
	}
	rc = pr_render_ex(ro, &cfg, rep, err, errlen);
	if (rc) {
		pr_config_free(&cfg);
		return rc;
	}
	cfg.refused_objects = rep->nrefused; /* for the agent's metric */
	f = open_memstream(text, len);
	if (!f) {
		pr_config_free(&cfg);
		return -ENOMEM;
	}
	fputs("# Rendered by `podroute config render`: do not edit, the sidecar rewrites it.\n", f);
	if (rep->override >= 0)
		fprintf(f, "# interfaces: node_overrides[%d] (line %u of %s), the first whose labels this Node has\n",
			rep->override, rep->override_line, base);
	pr_config_dump(&cfg, f);
	fclose(f);
	/* What is written must be what the agent accepts, and mean the same. */
	rc = pr_config_load_string("rendered", *text, *len, &back, &e);
	if (rc) {
		snprintf(err, errlen, "rendered config refused: %s", pr_cfg_error_str(&e, msg, sizeof(msg)));
	} else {
		if (!pr_config_equal(&cfg, &back)) {
			snprintf(err, errlen, "rendered config does not read back the same");
			rc = -EINVAL;
		}
		pr_config_free(&back);
	}
	pr_config_free(&cfg);
	if (rc) {
		free(*text);
		*text = NULL;
	}
	return rc;
}

static int read_file(const char *path, char **text, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return -errno;
	do {
		if (n + 4096 > cap) {
			char *nb = realloc(buf, cap = cap * 2 + 8192);

			if (!nb) {
				free(buf);
				fclose(f);
				return -ENOMEM;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r);
	fclose(f);
	*text = buf;
	*len = n;
	return 0;
}

struct common {
	struct pr_render_opts ro;
	const char *base, *out;
	const char *api_server, *token_file, *ca_file;
	struct kube_api api;
	unsigned interval;
	bool once, no_events;
	/* sync: the refusals last said (and posted as Events), so that each
	 * is said once, when it appears, not every round */
	struct pr_render_report *said;
	bool events_failed; /* said that Events cannot be created */
};

static bool refusal_in(const struct pr_render_report *r, const char *msg)
{
	for (unsigned i = 0; r && i < r->nmsgs; i++)
		if (!strcmp(r->refused[i], msg))
			return true;
	return false;
}

/* A Warning Event for each refusal that is new since the last round. */
static void post_events(struct common *c, const struct pr_render_report *rep)
{
	char why[1024];

	for (unsigned i = 0; !c->no_events && i < rep->nmsgs; i++) {
		if (refusal_in(c->said, rep->refused[i]))
			continue;
		if (kube_post_event(&c->api, c->ro.node, &rep->object[i], "PodrouteRefused",
				    rep->refused[i], why, sizeof(why))) {
			/* Said once; tried again when another refusal appears. */
			if (!c->events_failed)
				log_warn("config sync: cannot post an Event (RBAC: create events?): %s", why);
			c->events_failed = true;
			return;
		}
		c->events_failed = false;
	}
}

/* Each refused network, loudly: render says them all; sync (in_sync) only
 * when the set changed since the last round, with an Event for each new one. */
static void say_refusals(struct common *c, const struct pr_render_report *rep, bool in_sync)
{
	bool changed = !c->said || c->said->nrefused != rep->nrefused || c->said->nmsgs != rep->nmsgs ||
		       c->said->nshadowed != rep->nshadowed;

	for (unsigned i = 0; !changed && i < rep->nmsgs; i++)
		changed = !refusal_in(c->said, rep->refused[i]);
	if (in_sync && !changed)
		return;
	for (unsigned i = 0; i < rep->nmsgs; i++)
		log_warn("config: %s", rep->refused[i]);
	if (rep->nrefused > rep->nmsgs)
		log_warn("config: %u more refusals not listed", rep->nrefused - rep->nmsgs);
	if (rep->nrefused || in_sync)
		log_info("config: %u networks rendered, %u refused", rep->nrendered, rep->nrefused);
	if (rep->nshadowed)
		log_warn("config: %u networks rendered in shadow mode: this node's gateway mode is shared, "
			 "and entering OVN through the management port would break TCP (enforce in local "
			 "gateway mode)", rep->nshadowed);
	if (!in_sync)
		return;
	post_events(c, rep);
	if (!c->said)
		c->said = malloc(sizeof(*c->said));
	if (c->said)
		memcpy(c->said, rep, sizeof(*rep));
}

static int parse_common(int argc, char **argv, const char *cmd, struct common *c, bool sync)
{
	static const struct option opts[] = {
		{ "node", required_argument, NULL, 'n' }, { "base", required_argument, NULL, 'b' },
		{ "input", required_argument, NULL, 'i' }, { "vrf-table", required_argument, NULL, 'v' },
		{ "output", required_argument, NULL, 'o' }, { "interval", required_argument, NULL, 't' },
		{ "kubectl", required_argument, NULL, 'k' }, { "once", no_argument, NULL, '1' },
		{ "api-server", required_argument, NULL, 'A' }, { "token-file", required_argument, NULL, 'T' },
		{ "ca-file", required_argument, NULL, 'C' },
		{ "service-cidr", required_argument, NULL, 's' }, { "no-events", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	char *end;
	int ch;

	optind = 1;
	c->interval = 10;
	while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': c->ro.node = optarg; break;
		case 'b': c->base = optarg; break;
		case 'o': c->out = optarg; break;
		case 'i':
			if (sync)
				return cli_usage_error(cmd, "--input is for render; sync reads the API server");
			if (c->ro.ninputs == PR_RENDER_MAX_INPUTS)
				return cli_usage_error(cmd, "more than %d --input files", PR_RENDER_MAX_INPUTS);
			c->ro.inputs[c->ro.ninputs++] = optarg;
			break;
		case 'v':
			if (pr_render_add_vrf_table(&c->ro, optarg))
				return cli_usage_error(cmd, "--vrf-table \"%s\": expected VRF=TABLE (table 1..%u)",
						       optarg, UINT32_MAX);
			break;
		case 's':
			if (pr_render_add_service_cidr(&c->ro, optarg))
				return cli_usage_error(cmd, "--service-cidr \"%s\": a CIDR, at most %d of them",
						       optarg, PR_RENDER_MAX_SERVICE);
			break;
		case 't':
			c->interval = strtoul(optarg, &end, 10);
			if (!sync || *end || end == optarg || c->interval < 1 || c->interval > 86400)
				return cli_usage_error(cmd, "--interval \"%s\": seconds 1..86400 (sync only)", optarg);
			break;
		case 'k':
			/* Said plainly rather than ignored: a manifest that still
			 * passes it expects kubectl in the image, which is gone. */
			return cli_usage_error(cmd, "--kubectl: removed; sync talks to the API server itself "
					       "(in a pod: no options needed; else --api-server, --token-file, --ca-file)");
		case 'A': case 'T': case 'C':
			if (!sync)
				return cli_usage_error(cmd, "--api-server, --token-file and --ca-file are for sync");
			*(ch == 'A' ? &c->api_server : ch == 'T' ? &c->token_file : &c->ca_file) = optarg;
			break;
		case '1':
			if (!sync)
				return cli_usage_error(cmd, "--once is for sync");
			c->once = true;
			break;
		case 'E':
			if (!sync)
				return cli_usage_error(cmd, "--no-events is for sync");
			c->no_events = true;
			break;
		case 'h': fputs(config_help, stdout); return -1;
		default: return cli_usage_error(cmd, "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error(cmd, "unexpected argument \"%s\"", argv[optind]);
	if (!c->ro.node || !c->base)
		return cli_usage_error(cmd, "--node and --base are required");
	if (sync && !c->out)
		return cli_usage_error(cmd, "-o FILE is required");
	if (!sync && !c->ro.ninputs)
		return cli_usage_error(cmd, "at least one --input FILE (kubectl get -o json) is required");
	return 0;
}

static int cmd_render(int argc, char **argv)
{
	struct common c = {};
	struct pr_render_report rep;
	char err[1024], *text = NULL;
	size_t len = 0;
	int rc = parse_common(argc, argv, "config render", &c, false);

	if (rc)
		return rc < 0 ? 0 : rc;
	rc = render_text(&c.ro, c.base, &text, &len, &rep, err, sizeof(err));
	say_refusals(&c, &rep, false);
	if (rc)
		return cli_error(PR_EXIT_FAIL, "%s", err);
	if (c.out) {
		rc = pr_write_atomic(c.out, text, len);
		if (rc)
			rc = cli_error(PR_EXIT_FAIL, "writing %s: %s", c.out, strerror(-rc));
	} else {
		fwrite(text, 1, len, stdout);
	}
	free(text);
	return rc;
}

/* One round of sync, from the objects as the informer has them: 1
 * rewritten, 0 unchanged, -1 failed (kept the old). */
static int sync_round(struct common *c, struct kube_informer *inf, const char *dir)
{
	char objs[4096], why[1024], *text = NULL, *cur = NULL;
	struct pr_render_opts ro = c->ro;
	struct pr_render_report rep;
	size_t len = 0, curlen = 0;
	json_t *all = kube_informer_objects(inf);
	int rc, fd;

	/* The renderer reads `kubectl get -o json` files: one List of all. */
	snprintf(objs, sizeof(objs), "%s/objects.json", dir);
	/* 0600, as the objects are the cluster's, not everyone's on the node. */
	fd = open(objs, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	rc = all && fd >= 0 ? json_dumpfd(all, fd, JSON_COMPACT) : -1;
	if (fd >= 0 && close(fd))
		rc = -1;
	json_decref(all);
	if (rc) {
		log_err("config sync: cannot write %s; keeping %s", objs, c->out);
		return -1;
	}
	ro.inputs[0] = objs;
	ro.ninputs = 1;
	rc = render_text(&ro, c->base, &text, &len, &rep, why, sizeof(why));
	say_refusals(c, &rep, true);
	if (rc) {
		log_err("config sync: %s; keeping %s", why, c->out);
		return -1;
	}
	if (!read_file(c->out, &cur, &curlen) && curlen == len && !memcmp(cur, text, len)) {
		free(cur);
		free(text);
		log_debug("config sync: %s unchanged", c->out);
		return 0;
	}
	free(cur);
	rc = pr_write_atomic(c->out, text, len);
	free(text);
	if (rc) {
		log_err("config sync: writing %s: %s", c->out, strerror(-rc));
		return -1;
	}
	log_info("config sync: %s rewritten", c->out);
	return 1;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Changes come in bursts (an admin applies several objects): render once,
 * this long after the first change of a burst. */
#define RENDER_DEBOUNCE_MS 1000

/* --once: list everything once (no retries), render, write. */
static int sync_once(struct common *c, struct kube_informer *inf, const char *dir)
{
	const char *last;

	while (!kube_informer_synced(inf)) {
		if (kube_informer_list_failures(inf, &last))
			return cli_error(PR_EXIT_FAIL, "config sync: %s; keeping %s", last, c->out);
		kube_informer_run(inf, -1, 1000);
	}
	return sync_round(c, inf, dir) < 0 ? PR_EXIT_FAIL : 0;
}

static int cmd_sync(int argc, char **argv)
{
	struct common c = {};
	char dir[] = "/tmp/podroute-sync.XXXXXX", err[600], f[sizeof(dir) + 16];
	struct kube_informer *inf = NULL;
	unsigned long seen = 0;
	int64_t render_at = 0, resync_at = 0;
	sigset_t mask;
	int rc = parse_common(argc, argv, "config sync", &c, true), sfd = -1, ret = 0;

	if (rc)
		return rc < 0 ? 0 : rc;
	if (kube_api_init(&c.api, c.api_server, c.token_file, c.ca_file, err, sizeof(err)))
		return cli_error(PR_EXIT_FAIL, "config sync: %s", err);
	if (!mkdtemp(dir))
		return cli_error(PR_EXIT_FAIL, "cannot create a work directory: %s", strerror(errno));
	inf = kube_informer_new(&c.api, c.ro.node);
	if (!inf) {
		ret = cli_error(PR_EXIT_FAIL, "config sync: out of memory");
		goto out;
	}
	if (c.once) {
		ret = sync_once(&c, inf, dir);
		goto out;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	log_info("config sync: node %s, API server %s, rendering on change and every %u s, writing %s",
		 c.ro.node, c.api.server, c.interval, c.out);
	for (;;) {
		int64_t now = mono_ms(), wait = 1000;

		if (kube_informer_synced(inf)) {
			unsigned long gen = kube_informer_generation(inf);

			if (gen != seen && !render_at)
				/* The first render as soon as everything is listed. */
				render_at = resync_at ? now + RENDER_DEBOUNCE_MS : now;
			seen = gen;
			if ((render_at && now >= render_at) || (resync_at && now >= resync_at)) {
				sync_round(&c, inf, dir);
				render_at = 0;
				resync_at = now + (int64_t)c.interval * 1000;
			}
			if (render_at)
				wait = render_at - now;
			else if (resync_at)
				wait = resync_at - now;
			if (wait > 1000)
				wait = 1000;
		}
		if (kube_informer_run(inf, sfd, (int)(wait > 0 ? wait : 0)) > 0)
			break; /* TERM / INT */
	}
	log_info("config sync: exiting");
	close(sfd);
out:
	kube_informer_free(inf);
	snprintf(f, sizeof(f), "%s/objects.json", dir);
	unlink(f);
	rmdir(dir);
	free(c.said);
	return ret;
}

static int cmd_check(int argc, char **argv)
{
	struct pr_config cfg;
	struct pr_cfg_error e;
	char msg[600];

	if (argc != 2)
		return cli_usage_error("config check", "expected one FILE");
	if (pr_config_load_file(argv[1], &cfg, &e))
		return cli_error(PR_EXIT_FAIL, "%s", pr_cfg_error_str(&e, msg, sizeof(msg)));
	pr_config_dump(&cfg, stdout);
	pr_config_free(&cfg);
	return 0;
}

int cmd_config(int argc, char **argv)
{
	static const struct cli_cmd cmds[] = {
		{ "check", cmd_check, "validate a config file and print it in canonical form" },
		{ "render", cmd_render, "write one node's config from the cluster's objects" },
		{ "sync", cmd_sync, "the DaemonSet's sidecar: render on every change" },
	};

	return CLI_DISPATCH("config", cmds, config_help, argc, argv);
}
