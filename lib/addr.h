/* IPv4/IPv6 addresses and prefixes, independent of sockets. */
#ifndef DMVPN_ADDR_H
#define DMVPN_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ADDR_STRLEN 46 /* INET6_ADDRSTRLEN */
#define PREFIX_STRLEN (ADDR_STRLEN + 4)

struct ipaddr {
	uint8_t family; /* 0 (none), AF_INET or AF_INET6 */
	uint8_t len;    /* 0, 4 or 16 */
	uint8_t b[16];
};

struct prefix {
	struct ipaddr addr;
	uint8_t plen;
};

/* Parses "198.18.0.1" or "2001:db8::1". Returns 0 or -1. */
int ipaddr_parse(struct ipaddr *a, const char *s);
/* Sets from raw bytes of length 4 or 16; -1 for any other length. */
int ipaddr_from_bytes(struct ipaddr *a, const void *p, size_t len);
const char *ipaddr_fmt(const struct ipaddr *a, char *buf, size_t len);
bool ipaddr_eq(const struct ipaddr *a, const struct ipaddr *b);
int ipaddr_cmp(const struct ipaddr *a, const struct ipaddr *b);
static inline bool ipaddr_is_set(const struct ipaddr *a) { return a->len != 0; }

/* Parses "10.0.0.0/24" (a bare address gets the full length). 0 or -1. */
int prefix_parse(struct prefix *p, const char *s);
const char *prefix_fmt(const struct prefix *p, char *buf, size_t len);
/* Zeroes host bits. */
void prefix_normalize(struct prefix *p);
bool prefix_contains(const struct prefix *p, const struct ipaddr *a);

#endif
