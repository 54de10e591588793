// SPDX-License-Identifier: GPL-2.0-only
/*
 * `podroute agent`: the daemon on every node. It keeps the pinned maps
 * equal to f(config, BGP-learned routes, nexthop objects, neighbours,
 * links), continuously:
 *
 *   start:  load config (refuse to start on a bad one) -> load the datapath
 *           adopting existing pins (no flush: forwarding continues) ->
 *           attach per config -> dump netlink state -> reconcile
 *   loop:   poll(netlink, config watch, signals); apply every ready event
 *           to the kernel-state cache; then reconcile once per batch
 *   HUP / config change: re-read; a bad file is logged with file:line:col
 *           and changes nothing; a good one is applied (attach + reconcile)
 *   netlink overrun (ENOBUFS): full resync (clear cache, re-dump)
 *   TERM / INT: exit, leaving the datapath in place (--detach-on-exit to
 *           remove it)
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "cfgwatch.h"
#include "cli.h"
#include "config.h"
#include "ifaces.h"
#include "kstate.h"
#include "loader.h"
#include "log.h"
#include "nlsource.h"
#include "pinned.h"

static const char agent_help[] =
	"Usage: podroute agent [--config FILE] [--detach-on-exit] [--once]\n"
	"Run the node agent. It attaches the datapath to the interfaces the config\n"
	"names, then keeps the pinned maps equal to the advertised networks of the\n"
	"config and the BGP-learned routes of the kernel (as FRR installs them),\n"
	"continuously. A restart adopts the pinned maps and programs without a\n"
	"flush: forwarding never stops.\n"
	"  --config FILE      YAML config (default /etc/podroute/config.yaml); watched,\n"
	"                     re-read on change and on SIGHUP\n"
	"  --detach-on-exit   on SIGTERM/SIGINT remove the datapath (default: leave it)\n"
	"  --once             reconcile once and exit (for tests and scripts)\n";

static double now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void on_route(void *ctx, int type, const struct pr_kroute *r)
{
	struct pr_agent *a = ctx;

	if (type == RTM_DELROUTE)
		pr_kstate_route_del(a->ks, r);
	else if (pr_kstate_route_set(a->ks, r))
		a->oom = true;
	a->dirty = true;
}

static void on_nexthop(void *ctx, int type, const struct pr_knexthop *nh)
{
	struct pr_agent *a = ctx;

	if (type == RTM_DELNEXTHOP)
		pr_kstate_nexthop_del(a->ks, nh->id);
	else if (pr_kstate_nexthop_set(a->ks, nh))
		a->oom = true;
	a->dirty = true;
}

static void on_neigh(void *ctx, int type, const struct pr_kneigh *n)
{
	struct pr_agent *a = ctx;

	if (type == RTM_DELNEIGH)
		pr_kstate_neigh_del(a->ks, n);
	else if (pr_kstate_neigh_set(a->ks, n))
		a->oom = true;
	a->dirty = true;
}

static void on_link(void *ctx, int type, const struct pr_klink *l)
{
	struct pr_agent *a = ctx;

	if (type == RTM_DELLINK)
		pr_kstate_link_del(a->ks, l->ifindex);
	else if (pr_kstate_link_set(a->ks, l))
		a->oom = true;
	a->dirty = true;
}

static void on_resync(void *ctx)
{
	struct pr_agent *a = ctx;

	/* An overrun, or a link change after which the kernel flushes routes
	 * without telling anyone (see nlsource.c): start from a fresh dump. */
	pr_warn("netlink: full resync");
	a->resyncs++;
	pr_kstate_clear(a->ks);
	a->dirty = true;
}

/* Attach to the interfaces the config names (re-attaching is atomic). */
static int agent_attach(struct pr_agent *a, const struct pr_config *cfg)
{
	struct pr_attach_set set = { .mode = cfg->mode };
	int err;

	for (unsigned i = 0; i < cfg->nunderlay; i++)
		pr_attach_set_add(&set, cfg->underlay[i], PR_ROLE_UNDERLAY);
	if (cfg->brex[0])
		pr_attach_set_add(&set, cfg->brex, PR_ROLE_BREX);
	for (unsigned i = 0; i < cfg->novn; i++)
		pr_attach_set_add(&set, cfg->ovn[i], PR_ROLE_OVN);
	err = pr_attach_set_resolve(&set) ?: pr_attach_set_apply(&a->dp, &set);
	if (err) {
		pr_err("attach: %s", set.error);
		return err;
	}
	for (unsigned i = 0; i < set.n; i++)
		pr_info("%s: attached as %s (%s)", set.ifs[i].name, pr_role_name(set.ifs[i].role),
			set.ifs[i].hooks);
	return 0;
}

/* Load, validate and check devices; on any error keep the running config. */
static int agent_load_config(struct pr_agent *a, bool initial)
{
	struct pr_config cfg;
	struct pr_cfg_error e;
	char msg[600];
	int err;

	err = pr_config_load_file(a->config_path, &cfg, &e);
	if (!err) {
		err = pr_config_check_devices(&cfg, &e);
		if (err)
			pr_config_free(&cfg);
	}
	if (err) {
		a->config_failures++;
		snprintf(a->last_config_error, sizeof(a->last_config_error), "%s",
			 pr_cfg_error_str(&e, msg, sizeof(msg)));
		pr_err("config rejected, %s: %s", initial ? "not starting" : "keeping the running config",
		       a->last_config_error);
		return err;
	}
	if (!initial && pr_config_equal(&cfg, &a->cfg)) {
		pr_config_free(&cfg);
		pr_debug("config: unchanged");
		return 0;
	}
	if (agent_attach(a, &cfg)) {
		pr_config_free(&cfg);
		a->config_failures++;
		return -EIO;
	}
	if (!initial)
		pr_config_free(&a->cfg);
	a->cfg = cfg;
	a->have_cfg = true;
	a->last_config_error[0] = '\0';
	a->config_loads++;
	a->dirty = true;
	pr_info("config %s: %u networks, %u underlay interfaces", initial ? "loaded" : "applied",
		cfg.nnetworks, cfg.nunderlay);
	return 0;
}

static int agent_sync(struct pr_agent *a)
{
	double t0 = now_ms();
	int err = pr_agent_reconcile(a);

	a->last_reconcile_ms = now_ms() - t0;
	a->reconciles++;
	a->last_reconcile_ok = !err;
	if (err)
		pr_err("reconcile failed (%s); retrying on the next event", strerror(-err));
	else
		a->dirty = false;
	return err;
}

int cmd_agent(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' }, { "detach-on-exit", no_argument, NULL, 'D' },
		{ "once", no_argument, NULL, '1' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pr_loader_opts lo = { .pin_dir = cli.pin_dir };
	struct pr_nl_handlers h = { on_route, on_nexthop, on_neigh, on_link, on_resync };
	struct pr_agent a = { .config_path = "/etc/podroute/config.yaml" };
	bool detach_on_exit = false, once = false, running = true;
	int c, err, sfd, wfd, ret = 0;
	sigset_t mask;

	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': a.config_path = optarg; break;
		case 'D': detach_on_exit = true; break;
		case '1': once = true; break;
		case 'h': fputs(agent_help, stdout); return 0;
		default: return cli_usage_error("agent", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("agent", "unexpected argument \"%s\"", argv[optind]);

	a.ks = pr_kstate_new();
	if (!a.ks)
		return cli_error(PR_EXIT_FAIL, "out of memory");
	err = pr_datapath_load(&a.dp, &lo);
	if (err) {
		pr_kstate_free(a.ks);
		return cli_error(PR_EXIT_FAIL, "cannot load the datapath: %s", strerror(-err));
	}
	if (agent_load_config(&a, true)) {
		ret = PR_EXIT_FAIL;
		goto out_dp;
	}
	if (pr_agent_reconcile_init(&a)) {
		ret = PR_EXIT_FAIL;
		goto out_cfg;
	}
	a.nl = pr_nlsource_open(&h, &a);
	if (!a.nl) {
		ret = cli_error(PR_EXIT_FAIL, "netlink: cannot open the route/neighbour/link sockets");
		goto out_rec;
	}
	if (pr_nlsource_dump(a.nl)) {
		ret = cli_error(PR_EXIT_FAIL, "netlink: initial dump failed");
		goto out_nl;
	}
	pr_info("netlink: %zu routes in the kernel", pr_kstate_nroutes(a.ks));
	if (agent_sync(&a) && once) {
		ret = PR_EXIT_FAIL;
		goto out_nl;
	}
	if (once)
		goto out_nl;

	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	wfd = pr_cfgwatch_open(a.config_path);
	pr_info("agent running (config %s, pins %s)", a.config_path, cli.pin_dir);
	while (running) {
		struct pollfd pfd[3] = {
			{ .fd = pr_nlsource_fd(a.nl), .events = POLLIN },
			{ .fd = sfd, .events = POLLIN },
			{ .fd = wfd, .events = POLLIN },
		};
		/* While a reconcile is owed (it failed), retry once a second. */
		int n = poll(pfd, 3, a.dirty ? 1000 : -1);

		if (n < 0 && errno != EINTR) {
			ret = cli_error(PR_EXIT_FAIL, "poll: %s", strerror(errno));
			break;
		}
		if (pfd[0].revents && pr_nlsource_process(a.nl) < 0)
			pr_warn("netlink: processing error; state will be resynced");
		if (pfd[1].revents) {
			struct signalfd_siginfo si;

			while (read(sfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGHUP) {
					pr_info("SIGHUP: re-reading %s", a.config_path);
					agent_load_config(&a, false);
				} else {
					pr_info("%s: exiting", strsignal(si.ssi_signo));
					running = false;
				}
			}
		}
		if (pfd[2].revents && pr_cfgwatch_drain(wfd))
			agent_load_config(&a, false);
		if (a.oom) {
			pr_err("out of memory in the route cache: full resync");
			a.oom = false;
			on_resync(&a);
		}
		if (a.dirty && running)
			agent_sync(&a);
	}
	if (wfd >= 0)
		close(wfd);
	if (sfd >= 0)
		close(sfd);
	if (detach_on_exit) {
		int fd = pr_datapath_map_fd(&a.dp, "pr_ifaces");

		pr_info("detaching the datapath (--detach-on-exit)");
		pr_detach_all(fd);
	}
out_nl:
	pr_nlsource_close(a.nl);
out_rec:
	pr_agent_reconcile_fini(&a);
out_cfg:
	pr_config_free(&a.cfg);
out_dp:
	pr_datapath_close(&a.dp);
	pr_kstate_free(a.ks);
	return ret;
}
