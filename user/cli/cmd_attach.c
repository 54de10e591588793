// SPDX-License-Identifier: GPL-2.0-only
/*
 * `podroute attach` / `detach`: load the datapath with its maps pinned
 * (adopting pins that exist, so that re-attaching or upgrading never
 * empties the maps), attach the programs by role, and record each
 * interface in pr_ifaces; or take them away again, touching only what
 * podroute installed.
 *
 * Roles and hooks:
 *   underlay  TC ingress, and XDP in front of it where XDP sees packets as
 *             the kernel does (a NIC keeping VLAN tags in the frame)
 *   brex      TC ingress (what OVS hands to the host)
 *   ovn       TC ingress: veth, tap and OVS internal ports hand over packets
 *             of local sockets (partial checksums, GSO) that XDP would break
 */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>

#include "datapath/attach.h"
#include "cli/cli.h"
#include "cli/sizes.h"
#include "datapath/interfaces.h"
#include "datapath/load.h"
#include "lib/log.h"
#include "datapath/pins.h"

static const char attach_help[] =
	"Usage: podroute attach --underlay IF [--underlay IF ...] [--brex IF] [--ovn IF ...]\n"
	"                       [--mode auto|native|generic|tc] [--force-xdp]\n"
	"                       [--routes4-max N] [--routes6-max N]\n"
	"                       [--index4-max N] [--index6-max N]\n"
	"Load the datapath (maps pinned under --pin-dir, existing pins adopted) and\n"
	"attach it. Never replaces an XDP or TC program podroute did not install;\n"
	"re-attaching replaces podroute's own programs atomically.\n"
	"  --underlay IF   provider-facing NIC: XDP (+ TC ingress for skb-only targets)\n"
	"  --brex IF       the bridge's own device: TC ingress\n"
	"  --ovn IF        OVN-facing port (ovn-k8s-mpX): east-west source\n"
	"  --mode M        auto: native XDP where it sees packets as the kernel does (a\n"
	"                  NIC that leaves VLAN tags in the frame), TC elsewhere (veth, tap,\n"
	"                  OVS internal ports, VLAN devices); native, generic: XDP or an\n"
	"                  error saying why not; tc: TC only\n"
	"  --force-xdp     XDP even on such devices (labs whose veth peers send no traffic\n"
	"                  of local sockets: it corrupts partial checksums, misses tags)\n"
	PR_CLI_SIZE_HELP;

int cmd_attach(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "underlay", required_argument, NULL, 'u' }, { "brex", required_argument, NULL, 'b' },
		{ "ovn", required_argument, NULL, 'o' }, { "mode", required_argument, NULL, 'm' },
		{ "force-xdp", no_argument, NULL, 'F' },
		PR_CLI_SIZE_OPTIONS, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct pr_attach_set set = { .mode = PR_MODE_AUTO };
	struct pr_loader_opts lo = { .pin_dir = cli.pin_dir };
	struct pr_datapath dp;
	int c, err;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'u':
		case 'o':
			if (pr_attach_set_add(&set, optarg, c == 'u' ? PR_ROLE_UNDERLAY : PR_ROLE_OVN))
				return cli_usage_error("attach", "too many interfaces or bad name \"%s\"", optarg);
			break;
		case 'b':
			if (pr_attach_set_add(&set, optarg, PR_ROLE_BREX))
				return cli_usage_error("attach", "bad --brex \"%s\"", optarg);
			break;
		case 'F':
			set.force_xdp = true;
			break;
		case 'm':
			if (pr_attach_mode_parse(optarg, &set.mode))
				return cli_usage_error("attach", "--mode: \"%s\" is not auto, native, generic or tc", optarg);
			break;
		case '4':
		case '6':
		case 'i':
		case 'j':
			if (pr_cli_size_option("attach", c, optarg, &lo))
				return PR_EXIT_USAGE;
			break;
		case 'h': fputs(attach_help, stdout); return 0;
		default: return cli_usage_error("attach", "bad option");
		}
	}
	if (optind < argc)
		return cli_usage_error("attach", "unexpected argument \"%s\"", argv[optind]);
	if (!pr_attach_set_has_underlay(&set))
		return cli_usage_error("attach", "at least one --underlay interface is required");
	err = pr_attach_set_resolve(&set);
	if (err)
		return cli_error(PR_EXIT_FAIL, "%s", set.error);

	err = pr_datapath_load(&dp, &lo);
	if (err)
		return cli_error(PR_EXIT_FAIL, "cannot load the datapath: %s", strerror(-err));
	err = pr_attach_set_apply(&dp, &set);
	pr_datapath_close(&dp); /* the attachments and pins keep everything alive */
	if (err)
		return cli_error(PR_EXIT_FAIL, "%s", set.error);
	for (unsigned i = 0; i < set.n; i++)
		log_info("%s: attached as %s (%s)", set.ifs[i].name, pr_role_name(set.ifs[i].role),
			 set.ifs[i].hooks);
	return 0;
}

int cmd_detach(int argc, char **argv)
{
	static const char help[] =
		"Usage: podroute detach [--unpin] [IF ...]\n"
		"Remove this instance's XDP and TC programs from the named interfaces\n"
		"(default: every interface it is attached to). Programs of other tools, and\n"
		"of other podroute instances (another --pin-dir), are left alone. --unpin\n"
		"also removes the pinned maps once no interface is left.\n";
	static const struct option opts[] = {
		{ "unpin", no_argument, NULL, 'U' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
	};
	struct pr_iface_maps im;
	struct pr_pins p;
	bool unpin = false;
	int c, err, ret = 0;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'U': unpin = true; break;
		case 'h': fputs(help, stdout); return 0;
		default: return cli_usage_error("detach", "bad option");
		}
	}
	err = pr_pins_open(&p, cli.pin_dir);
	if (err == -ENOENT)
		return cli_error(PR_EXIT_NOT_ATTACHED, "no pinned datapath under %s", cli.pin_dir);
	if (err)
		return cli_error(PR_EXIT_FAIL, "cannot open pins under %s: %s", cli.pin_dir, strerror(-err));
	im = (struct pr_iface_maps){ p.fd[PR_MAP_IFACES], p.fd[PR_MAP_IFSLOTS] };
	if (optind < argc) {
		for (int i = optind; i < argc; i++) {
			uint32_t ifindex = if_nametoindex(argv[i]);

			if (!ifindex) {
				ret = cli_error(PR_EXIT_FAIL, "%s: no such interface", argv[i]);
				continue;
			}
			if (pr_detach_iface(im, ifindex))
				ret = PR_EXIT_FAIL;
		}
	} else if (pr_detach_all(im)) {
		ret = PR_EXIT_FAIL;
	}
	if (unpin && !ret) {
		uint32_t key;

		if (!bpf_map_get_next_key(p.fd[PR_MAP_IFACES], NULL, &key)) {
			pr_pins_close(&p);
			return cli_error(PR_EXIT_FAIL, "interfaces remain attached: not unpinning");
		}
		pr_pins_close(&p);
		err = pr_pins_remove(cli.pin_dir);
		if (err)
			return cli_error(PR_EXIT_FAIL, "cannot remove pins under %s: %s", cli.pin_dir,
					 strerror(-err));
		return ret;
	}
	pr_pins_close(&p);
	return ret;
}
