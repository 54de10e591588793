// SPDX-License-Identifier: GPL-2.0-only
/* IP prefix parsing, formatting and LPM key encoding (see prefix.h). */
#include "lib/prefix.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned family_bits(int family)
{
	return family == AF_INET ? 32 : 128;
}

static bool host_bits_clear(const uint8_t *addr, unsigned len, unsigned bits)
{
	for (unsigned i = len; i < bits; i++)
		if (addr[i / 8] & (0x80 >> (i % 8)))
			return false;
	return true;
}

void pr_addr_mask(uint8_t *addr, unsigned len, unsigned bits)
{
	for (unsigned i = 0; i < bits / 8; i++) {
		unsigned keep = len > i * 8 ? len - i * 8 : 0;

		if (keep < 8)
			addr[i] &= (uint8_t)(0xff00 >> keep);
	}
}

int pr_prefix_parse(const char *s, struct pr_prefix *p, const char **why)
{
	char buf[64];
	const char *dummy;
	char *slash, *end;
	unsigned long len;
	unsigned bits;

	if (!why)
		why = &dummy;
	if (!s || !*s) {
		*why = "empty prefix";
		return -EINVAL;
	}
	if (strlen(s) >= sizeof(buf)) {
		*why = "prefix too long";
		return -EINVAL;
	}
	strcpy(buf, s);
	memset(p, 0, sizeof(*p));

	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, p->addr) == 1) {
		p->family = AF_INET;
	} else if (inet_pton(AF_INET6, buf, p->addr) == 1) {
		p->family = AF_INET6;
	} else {
		*why = "not an IPv4 or IPv6 address";
		return -EINVAL;
	}
	bits = family_bits(p->family);
	if (!slash) {
		p->len = bits;
		return 0;
	}
	if (slash[1] < '0' || slash[1] > '9') {
		*why = "prefix length is not a number";
		return -EINVAL;
	}
	errno = 0;
	len = strtoul(slash + 1, &end, 10);
	if (errno || *end) {
		*why = "prefix length is not a number";
		return -EINVAL;
	}
	if (len > bits) {
		*why = p->family == AF_INET ? "prefix length exceeds 32" : "prefix length exceeds 128";
		return -EINVAL;
	}
	if (!host_bits_clear(p->addr, len, bits)) {
		*why = "host bits set beyond the prefix length";
		return -EINVAL;
	}
	p->len = len;
	return 0;
}

char *pr_prefix_format(const struct pr_prefix *p, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];

	if (!inet_ntop(p->family, p->addr, addr, sizeof(addr)))
		snprintf(addr, sizeof(addr), "?");
	snprintf(buf, size, "%s/%u", addr, p->len);
	return buf;
}

int pr_prefix_from_addr(struct pr_prefix *p, int family, const void *addr, unsigned len)
{
	if ((family != AF_INET && family != AF_INET6) || len > family_bits(family))
		return -EINVAL;
	memset(p, 0, sizeof(*p));
	p->family = family;
	p->len = len;
	memcpy(p->addr, addr, family == AF_INET ? 4 : 16);
	pr_addr_mask(p->addr, len, family_bits(family));
	return 0;
}

static bool first_bits_equal(const uint8_t *a, const uint8_t *b, unsigned n)
{
	unsigned bytes = n / 8, rem = n % 8;

	if (memcmp(a, b, bytes))
		return false;
	if (rem) {
		uint8_t mask = 0xff << (8 - rem);
		return (a[bytes] & mask) == (b[bytes] & mask);
	}
	return true;
}

bool pr_prefix_contains(const struct pr_prefix *outer, const struct pr_prefix *inner)
{
	return outer->family == inner->family && inner->len >= outer->len &&
	       first_bits_equal(outer->addr, inner->addr, outer->len);
}

bool pr_prefix_overlaps(const struct pr_prefix *a, const struct pr_prefix *b)
{
	return pr_prefix_contains(a, b) || pr_prefix_contains(b, a);
}

bool pr_prefix_equal(const struct pr_prefix *a, const struct pr_prefix *b)
{
	return a->family == b->family && a->len == b->len &&
	       !memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
}

int pr_prefix_to_key4(const struct pr_prefix *p, uint32_t domain, struct pr_lpm4_key *k)
{
	if (p->family != AF_INET || p->len > 32)
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	k->prefixlen = PR_LPM_DOMAIN_BITS + p->len;
	k->domain = domain;
	memcpy(k->addr, p->addr, 4);
	return 0;
}

int pr_prefix_to_key6(const struct pr_prefix *p, uint32_t domain, struct pr_lpm6_key *k)
{
	if (p->family != AF_INET6 || p->len > 128)
		return -EINVAL;
	memset(k, 0, sizeof(*k));
	k->prefixlen = PR_LPM_DOMAIN_BITS + p->len;
	k->domain = domain;
	memcpy(k->addr, p->addr, 16);
	return 0;
}

/* A key always matches its whole domain: a shorter prefixlen is not ours. */
int pr_prefix_from_key4(struct pr_prefix *p, uint32_t *domain, const struct pr_lpm4_key *k)
{
	if (k->prefixlen < PR_LPM_DOMAIN_BITS)
		return -EINVAL;
	if (domain)
		*domain = k->domain;
	return pr_prefix_from_addr(p, AF_INET, k->addr, k->prefixlen - PR_LPM_DOMAIN_BITS);
}

int pr_prefix_from_key6(struct pr_prefix *p, uint32_t *domain, const struct pr_lpm6_key *k)
{
	if (k->prefixlen < PR_LPM_DOMAIN_BITS)
		return -EINVAL;
	if (domain)
		*domain = k->domain;
	return pr_prefix_from_addr(p, AF_INET6, k->addr, k->prefixlen - PR_LPM_DOMAIN_BITS);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int pr_mac_parse(const char *s, uint8_t mac[6])
{
	/* By hand rather than sscanf, which takes "+a" or " a" as a byte. */
	if (!s || strlen(s) != 17)
		return -EINVAL;
	for (int i = 0; i < 6; i++) {
		int hi = hex_digit(s[3 * i]), lo = hex_digit(s[3 * i + 1]);

		if (hi < 0 || lo < 0 || (i < 5 && s[3 * i + 2] != ':'))
			return -EINVAL;
		mac[i] = hi << 4 | lo;
	}
	return 0;
}

char *pr_mac_format(const uint8_t mac[6], char *buf, size_t size)
{
	snprintf(buf, size, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
	return buf;
}
