/* SPDX-License-Identifier: GPL-2.0-only */
/* Shared state and helpers of the program tests (test_progs.c). */
#ifndef PROGTEST_H
#define PROGTEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath/load.h"
#include "podroute_abi.h"

struct env {
	struct pr_datapath dp;
	int prog[PR_PROG__COUNT];
	int fd_routes4, fd_routes6, fd_nets, fd_ifaces, fd_ifslots, fd_txports, fd_xdp_txports, fd_config,
		fd_stats, fd_liveness;
	int ncpus;
	uint32_t if_in, if_in1, if_tgt0, if_tgt1, if_tgt2, if_ul1, if_ovn;
	uint8_t mac_in[6], mac_in1[6], mac_tgt0[6], mac_tgt1[6], mac_tgt2[6], mac_ul1[6], mac_ovn[6];
};
extern struct env E;

extern const uint8_t MAC_BR[6], MAC_POD1[6], MAC_POD2[6], MAC_POD3[6], MAC_FIB4[6],
	MAC_FIB6[6], MAC_R1[6], MAC_R2[6], MAC_DIRECT[6], MAC_PEER[6], MAC_OTHER[6];

struct stat_exp {
	uint32_t net, reason;
};

/* TAP: a case is tap_begin(); checks...; tap_end(name, ok). */
void tap_begin(void);
void tap_end(const char *name, bool ok);
void tap_skip(const char *name, const char *why);
/* Record the first failure of the current case; always returns false. */
bool check_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

void stats_clear(void);
bool stats_expect(const struct stat_exp *exp, unsigned n, uint32_t len);
const char *reason_name(uint32_t r);
void set_global_shadow(bool on);
void set_global_flags(uint32_t flags); /* pr_config's PR_G_F_* */
/* The agent's heartbeat (pr_liveness): no guard, fresh, or older than its
 * 5 s bound. */
enum heartbeat { HB_OFF, HB_FRESH, HB_GONE };
void set_heartbeat(enum heartbeat hb);
void set_iface_flags(uint32_t ifindex, uint32_t flags);
/* The interfaces' slots in pr_ifslots held by other ifindexes (true), or
 * their own again (false). */
void set_foreign_ifslots(bool on);
void put_route(const char *pfx, uint32_t net_id, uint8_t action, uint8_t flags, uint32_t nhg);
/* The same in routing domain `domain` (a VRF table; put_route uses 0). */
void put_route_in(uint32_t domain, const char *pfx, uint32_t net_id, uint8_t action, uint8_t flags,
		  uint32_t nhg);
void put_net(uint32_t id, uint32_t ifindex, const uint8_t *dmac, const uint8_t *smac,
	     uint32_t table, uint32_t flags);
int env_map(enum pr_map m);

int run_prog(enum pr_prog_id id, uint32_t ifindex, const uint8_t *in, size_t len, uint8_t *out,
	     uint32_t *out_len, uint32_t *retval);

bool check_forwarded(const uint8_t *in, size_t in_len, size_t l3_off, const uint8_t *out,
		     size_t out_len, const uint8_t *dmac, const uint8_t *smac);

/* label prefixes each case's name ("" or "index "). */
void run_case_table(const char *only, const char *label);
void run_ecmp_tests(const char *only);
void run_truncation_tests(const char *only);
void run_live_tests(const char *only);
/* The lookup index: build it from the tries (a case of its own; false if
 * it failed or only filters it out), then the random sweeps against the
 * trie, which replace the fixture's prefixes. */
bool index_begin(const char *only);
void run_index_sweeps(const char *only);

#endif
