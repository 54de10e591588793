/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * IP prefixes in userspace: parsing "10.0.0.0/8" / "fd00::/64", formatting,
 * containment, and encoding as the LPM keys of include/podroute_abi.h.
 * Everything else in user/ speaks struct pr_prefix; only this file knows
 * the key layout.
 */
#ifndef PR_PREFIX_H
#define PR_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "podroute_abi.h"

struct pr_prefix {
	uint8_t family; /* AF_INET or AF_INET6 */
	uint8_t len;    /* prefix length */
	uint8_t addr[16]; /* network byte order; bits past len are zero */
};

/* Longest "ffff:ffff:...:ffff/128" plus NUL. */
#define PR_PREFIX_STRLEN 48

/*
 * Parse "a.b.c.d/len", "x::y/len" or a bare address (host prefix).
 * Host bits set beyond len are an error (-EINVAL with *why set), as an
 * operator who wrote 10.0.0.1/8 almost certainly meant something else.
 * Returns 0 or -EINVAL; *why (if not NULL) gets a static explanation.
 */
int pr_prefix_parse(const char *s, struct pr_prefix *p, const char **why);

/* Format into buf (at least PR_PREFIX_STRLEN bytes); returns buf. */
char *pr_prefix_format(const struct pr_prefix *p, char *buf, size_t size);

/* Clear the bits of addr from len up to bits (32 or 128): byte-wise, as the
 * lookup index's builder calls it for every prefix. */
void pr_addr_mask(uint8_t *addr, unsigned len, unsigned bits);

/* Build a prefix from an address and length, clearing host bits. */
int pr_prefix_from_addr(struct pr_prefix *p, int family, const void *addr, unsigned len);

/* true if inner lies within outer (same family, inner->len >= outer->len). */
bool pr_prefix_contains(const struct pr_prefix *outer, const struct pr_prefix *inner);

/* true if the two prefixes share any address. */
bool pr_prefix_overlaps(const struct pr_prefix *a, const struct pr_prefix *b);

bool pr_prefix_equal(const struct pr_prefix *a, const struct pr_prefix *b);

/* Encode as LPM keys of routing domain `domain` (a VRF table, 0 = the
 * default VRF); -EINVAL if the family does not match. */
int pr_prefix_to_key4(const struct pr_prefix *p, uint32_t domain, struct pr_lpm4_key *k);
int pr_prefix_to_key6(const struct pr_prefix *p, uint32_t domain, struct pr_lpm6_key *k);
/* Decode LPM keys (as read back from the maps); -EINVAL on bad length.
 * domain may be NULL. */
int pr_prefix_from_key4(struct pr_prefix *p, uint32_t *domain, const struct pr_lpm4_key *k);
int pr_prefix_from_key6(struct pr_prefix *p, uint32_t *domain, const struct pr_lpm6_key *k);

/* Parse (six two-digit hex bytes, colons, nothing else) / format a MAC
 * "aa:bb:cc:dd:ee:ff". The one MAC parser: config, CLI. */
int pr_mac_parse(const char *s, uint8_t mac[6]);
char *pr_mac_format(const uint8_t mac[6], char *buf, size_t size);
#define PR_MAC_STRLEN 18

#endif
