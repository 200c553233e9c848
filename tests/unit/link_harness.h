/* Shared by the two files of tests/unit/test_link (one program):
 * test_link.c (namespace, setup, ping/ARP/ND and neighbour tests) and
 * test_link_routes.c (links, addresses, routes, TAP API and removal). The
 * handle and TAP made by setup in test_link.c, small helpers, and the tests
 * of test_link_routes.c that test_link.c's main registers. */
#ifndef DMVPN_TESTS_LINK_HARNESS_H
#define DMVPN_TESTS_LINK_HARNESS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "lib/addr.h"
#include "overlay/netlink.h"
#include "overlay/tap.h"

#define TAP0 "dmvpnt0"
#define TAP1 "dmvpnt1"

/* Made by setup() in test_link.c. */
extern struct netlink *nl;
extern struct tap tap0;
extern uint8_t self_mac[6];

static inline struct ipaddr ip(const char *s)
{
	struct ipaddr a;

	assert_int_equal(ipaddr_parse(&a, s), 0);
	return a;
}

static inline struct prefix pfx(const char *s)
{
	struct prefix p;

	assert_int_equal(prefix_parse(&p, s), 0);
	return p;
}

static inline long read_long(const char *path)
{
	char buf[64] = "";
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return n > 0 ? strtol(buf, NULL, 10) : -1;
}

/* Runs a command and returns its first KB of output (for cross-checks with
 * iproute2, an implementation independent of ours). */
static inline const char *run(const char *fmt, ...)
{
	static char out[8192];
	char cmd[512];
	va_list ap;
	FILE *p;
	size_t n;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	p = popen(cmd, "r");
	assert_non_null(p);
	n = fread(out, 1, sizeof(out) - 1, p);
	out[n] = '\0';
	pclose(p);
	return out;
}

/* A route via one or two onlink next hops on tap0 (weight w2 for the second). */
static inline struct netlink_route route2(const char *dst, const char *via1, const char *via2,
                                          int w2)
{
	struct netlink_route r = {.dst = pfx(dst), .n_nh = via2 ? 2 : 1};

	r.nh[0] =
	    (struct netlink_nexthop){.via = ip(via1), .ifindex = tap0.ifindex, .onlink = true};
	if (via2)
		r.nh[1] = (struct netlink_nexthop){.via = ip(via2),
		                                   .ifindex = tap0.ifindex,
		                                   .onlink = true,
		                                   .weight = (uint16_t)w2};
	return r;
}

/* test_link_routes.c */
void test_link_and_addresses(void **state);
void test_routes_ecmp(void **state);
void test_routes_errors(void **state);
void test_routes_flush(void **state);
void test_link_down_up(void **state);
void test_tap_api(void **state);
void test_tap_removal(void **state);

#endif
