// SPDX-License-Identifier: GPL-2.0-only
/*
 * `podroute config check|render|sync`: validate a config file; render one
 * node's config from the cluster's objects (config/k8s_render.h); and the
 * DaemonSet's sidecar loop that runs kubectl, renders, and rewrites the
 * agent's config atomically when, and only when, it changed.
 */
#define _GNU_SOURCE /* open_memstream, signalfd */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/atomic_file.h"
#include "cli/cli.h"
#include "config/config.h"
#include "config/kubectl.h"
#include "lib/log.h"
#include "config/k8s_render.h"

static const char config_help[] =
	"Usage: podroute config check FILE\n"
	"       podroute config render --node NAME --base FILE --input FILE [--input FILE ...]\n"
	"                              [--vrf-table VRF=TABLE ...] [--service-cidr CIDR ...] [-o FILE]\n"
	"       podroute config sync --node NAME --base FILE -o FILE [--interval SECONDS]\n"
	"                            [--kubectl PATH] [--vrf-table VRF=TABLE ...]\n"
	"                            [--service-cidr CIDR ...] [--no-events] [--once]\n"
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
	"sync: the DaemonSet's sidecar: every --interval (default 10) seconds run\n"
	"  `kubectl get routeadvertisements,clusteruserdefinednetworks,userdefinednetworks,\n"
	"  network-attachment-definitions,namespaces -A -o json` and `kubectl get node NAME\n"
	"  -o json`,\n"
	"  render, and rewrite -o only when the result changed. A failure keeps the last\n"
	"  good file. --once: one round, exit status says how it went. Each refusal is\n"
	"  logged when it first appears and posted as a Warning Event (reason\n"
	"  PodrouteRefused) on the refused object, or on the Node (`kubectl create`; RBAC:\n"
	"  create events); --no-events posts none. The rendered file carries the count\n"
	"  (refused_objects), which the agent exports as podroute_config_refused_objects.\n";

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
	const char *base, *out, *kubectl;
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
static void post_events(struct common *c, const struct pr_render_report *rep, const char *dir)
{
	char why[1024];

	for (unsigned i = 0; !c->no_events && i < rep->nmsgs; i++) {
		if (refusal_in(c->said, rep->refused[i]))
			continue;
		if (pr_kubectl_event(c->kubectl, dir, c->ro.node, &rep->object[i], "PodrouteRefused",
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

/* Each refused network, loudly: render says them all; sync only when the
 * set changed since the last round, with an Event for each new one. */
static void say_refusals(struct common *c, const struct pr_render_report *rep, const char *dir)
{
	bool changed = !c->said || c->said->nrefused != rep->nrefused || c->said->nmsgs != rep->nmsgs ||
		       c->said->nshadowed != rep->nshadowed;

	for (unsigned i = 0; !changed && i < rep->nmsgs; i++)
		changed = !refusal_in(c->said, rep->refused[i]);
	if (dir && !changed)
		return;
	for (unsigned i = 0; i < rep->nmsgs; i++)
		log_warn("config: %s", rep->refused[i]);
	if (rep->nrefused > rep->nmsgs)
		log_warn("config: %u more refusals not listed", rep->nrefused - rep->nmsgs);
	if (rep->nrefused || dir)
		log_info("config: %u networks rendered, %u refused", rep->nrendered, rep->nrefused);
	if (rep->nshadowed)
		log_warn("config: %u networks rendered in shadow mode: this node's gateway mode is shared, "
			 "and entering OVN through the management port would break TCP (enforce in local "
			 "gateway mode)", rep->nshadowed);
	if (!dir)
		return;
	post_events(c, rep, dir);
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
		{ "service-cidr", required_argument, NULL, 's' }, { "no-events", no_argument, NULL, 'E' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	char *end;
	int ch;

	optind = 1;
	c->interval = 10;
	c->kubectl = "kubectl";
	while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'n': c->ro.node = optarg; break;
		case 'b': c->base = optarg; break;
		case 'o': c->out = optarg; break;
		case 'i':
			if (sync)
				return cli_usage_error(cmd, "--input is for render; sync runs kubectl");
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
			if (!sync)
				return cli_usage_error(cmd, "--kubectl is for sync");
			c->kubectl = optarg;
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
	say_refusals(&c, &rep, NULL);
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

/* One round of sync: 1 rewritten, 0 unchanged, -1 failed (kept the old). */
static int sync_round(struct common *c, const char *dir)
{
	char objs[4096], node[4096], why[1024], *text = NULL, *cur = NULL;
	char *av1[] = { (char *)c->kubectl, "get",
			"routeadvertisements,clusteruserdefinednetworks,userdefinednetworks,"
			"network-attachment-definitions,namespaces",
			"-A", "-o", "json", NULL };
	char *av2[] = { (char *)c->kubectl, "get", "node", (char *)c->ro.node, "-o", "json", NULL };
	struct pr_render_opts ro = c->ro;
	struct pr_render_report rep;
	size_t len = 0, curlen = 0;
	int rc;

	snprintf(objs, sizeof(objs), "%s/objects.json", dir);
	snprintf(node, sizeof(node), "%s/node.json", dir);
	if (pr_kubectl_run(av1, objs, why, sizeof(why)) || pr_kubectl_run(av2, node, why, sizeof(why))) {
		log_err("config sync: %s; keeping %s", why, c->out);
		return -1;
	}
	ro.inputs[0] = objs;
	ro.inputs[1] = node;
	ro.ninputs = 2;
	rc = render_text(&ro, c->base, &text, &len, &rep, why, sizeof(why));
	say_refusals(c, &rep, dir);
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

static int cmd_sync(int argc, char **argv)
{
	struct common c = {};
	char dir[] = "/tmp/podroute-sync.XXXXXX";
	sigset_t mask;
	int rc = parse_common(argc, argv, "config sync", &c, true), sfd, ret = 0;

	if (rc)
		return rc < 0 ? 0 : rc;
	if (!mkdtemp(dir))
		return cli_error(PR_EXIT_FAIL, "cannot create a work directory: %s", strerror(errno));
	if (c.once) {
		ret = sync_round(&c, dir) < 0 ? PR_EXIT_FAIL : 0;
		goto out;
	}
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	log_info("config sync: node %s, every %u s, writing %s", c.ro.node, c.interval, c.out);
	for (;;) {
		struct pollfd p = { .fd = sfd, .events = POLLIN };

		sync_round(&c, dir);
		if (poll(&p, 1, (int)c.interval * 1000) > 0)
			break; /* TERM / INT */
	}
	log_info("config sync: exiting");
	close(sfd);
out:
	for (int i = 0; i < 2; i++) {
		char f[sizeof(dir) + 16];

		snprintf(f, sizeof(f), "%s/%s", dir, i ? "node.json" : "objects.json");
		unlink(f);
	}
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
