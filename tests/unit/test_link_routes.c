/* Overlay link layer against the real kernel, part two of tests/unit/
 * test_link (test_link.c has the namespace, setup and main, which registers
 * these tests): link and address queries, ECMP routes, route errors, flush
 * by protocol, link down/up, the TAP API, and last TAP removal. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/ip.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/addr.h"
#include "overlay/arp.h"
#include "overlay/netlink.h"
#include "overlay/tap.h"
#include "tests/unit/link_harness.h"

void test_link_and_addresses(void **state)
{
	struct netlink_link l;
	struct netlink_addr a[8];
	struct prefix extra = pfx("10.99.0.100/32");
	int n;

	assert_int_equal(netlink_link_get(nl, 0, TAP0, &l), 0);
	assert_int_equal(l.ifindex, tap0.ifindex);
	assert_string_equal(l.name, TAP0);
	assert_int_equal(l.mtu, 1400);
	assert_true(l.flags & IFF_UP);
	assert_true(l.has_mac);
	assert_memory_equal(l.mac, self_mac, 6);
	assert_int_equal(netlink_link_get(nl, tap0.ifindex, NULL, &l), 0);
	assert_string_equal(l.name, TAP0);
	assert_int_equal(netlink_link_get(nl, 0, "dmvpnt-none", &l), -ENODEV);

	n = netlink_addr_list(nl, tap0.ifindex, AF_INET, a, 8);
	assert_int_equal(n, 1);
	assert_string_equal(prefix_fmt(&a[0].pfx, (char[PREFIX_STRLEN]){0}, PREFIX_STRLEN),
	                    "10.99.0.1/32");
	assert_int_equal(a[0].scope, RT_SCOPE_UNIVERSE);
	n = netlink_addr_list(nl, tap0.ifindex, AF_INET6, a, 8);
	assert_true(n >= 1); /* and fe80:: (scope link) after it */
	assert_string_equal(prefix_fmt(&a[0].pfx, (char[PREFIX_STRLEN]){0}, PREFIX_STRLEN),
	                    "fd00:99::1/128");
	assert_true(a[0].flags & IFA_F_NODAD);
	assert_false(a[0].flags & IFA_F_TENTATIVE);
	for (int i = 1; i < n && i < 8; i++)
		assert_int_equal(a[i].scope, RT_SCOPE_LINK);

	assert_int_equal(netlink_addr_add(nl, tap0.ifindex, &extra), 0);
	assert_int_equal(netlink_addr_add(nl, tap0.ifindex, &extra), -EEXIST);
	assert_int_equal(netlink_addr_list(nl, tap0.ifindex, AF_INET, a, 8), 2);
	assert_int_equal(netlink_addr_list(nl, tap0.ifindex, AF_INET, a, 1), 2); /* count > cap */
	assert_int_equal(netlink_addr_del(nl, tap0.ifindex, &extra), 0);
	assert_int_equal(netlink_addr_del(nl, tap0.ifindex, &extra), -EADDRNOTAVAIL);
	assert_int_equal(netlink_addr_list(nl, tap0.ifindex, 0, a, 8), n + 1);

	/* net.ipv4.conf.IF.send_redirects through netlink (IFLA_INET_CONF) */
	assert_int_equal(
	    netlink_link_set_ipv4_conf(nl, tap0.ifindex, IPV4_DEVCONF_SEND_REDIRECTS, 0), 0);
	assert_int_equal(read_long("/proc/sys/net/ipv4/conf/" TAP0 "/send_redirects"), 0);
	assert_int_equal(netlink_link_set_ipv4_conf(nl, tap0.ifindex, 0, 0), -EINVAL);

	/* loopback stands in for `tunnel source IFNAME` */
	assert_int_equal(netlink_link_get(nl, 0, "lo", &l), 0);
	assert_int_equal(netlink_addr_list(nl, l.ifindex, AF_INET, a, 8), 1);
	assert_string_equal(ipaddr_fmt(&a[0].pfx.addr, (char[ADDR_STRLEN]){0}, ADDR_STRLEN),
	                    "127.0.0.1");
}

static void check_ecmp(const char *dst, int family, const char *via1, const char *via2)
{
	struct netlink_route r = route2(dst, via1, via2, 3), got[8];
	const char *txt;
	int n;

	assert_int_equal(netlink_route_add(nl, &r), 0);
	assert_int_equal(netlink_route_add(nl, &r), -EEXIST);
	n = netlink_route_list(nl, tap0.ifindex, family, RTPROT_DMVPN, got, 8);
	assert_true(n >= 1);
	for (int i = 0; i < n; i++) {
		if (!ipaddr_eq(&got[i].dst.addr, &r.dst.addr) || got[i].dst.plen != r.dst.plen)
			continue;
		assert_int_equal(got[i].n_nh, 2);
		assert_true(ipaddr_eq(&got[i].nh[0].via, &r.nh[0].via));
		assert_true(ipaddr_eq(&got[i].nh[1].via, &r.nh[1].via));
		assert_int_equal(got[i].nh[0].weight, 1);
		assert_int_equal(got[i].nh[1].weight, 3);
		assert_true(got[i].nh[0].onlink && got[i].nh[1].onlink);
		assert_int_equal(got[i].protocol, RTPROT_DMVPN);
		assert_int_equal(got[i].table, RT_TABLE_MAIN);
	}
	txt = run("ip -%d route show %s", family == AF_INET ? 4 : 6, dst);
	assert_non_null(strstr(txt, "proto 77"));
	assert_non_null(strstr(txt, "weight 3"));
	assert_non_null(strstr(txt, "onlink"));

	/* replace: one next hop now, atomically */
	r = route2(dst, via2, NULL, 0);
	assert_int_equal(netlink_route_replace(nl, &r), 0);
	txt = run("ip -%d route show %s", family == AF_INET ? 4 : 6, dst);
	assert_null(strstr(txt, "nexthop"));
	assert_non_null(strstr(txt, via2));
	assert_int_equal(netlink_route_del(nl, &r), 0);
	assert_int_equal(netlink_route_del(nl, &r), -ESRCH);
	assert_string_equal(run("ip -%d route show %s", family == AF_INET ? 4 : 6, dst), "");
}

void test_routes_ecmp(void **state)
{
	check_ecmp("10.99.6.0/24", AF_INET, "10.99.0.2", "10.99.0.3");
	check_ecmp("fd00:99:6::/64", AF_INET6, "fd00:99::2", "fd00:99::3");
}

void test_routes_errors(void **state)
{
	struct netlink_route r = route2("10.99.7.0/24", "10.99.0.2", NULL, 0);
	struct netlink_route bad = r;

	/* without onlink the gateway is in no connected subnet of a /32 */
	r.nh[0].onlink = false;
	assert_int_equal(netlink_route_add(nl, &r), -ENETUNREACH);
	printf("# kernel says: %s\n", netlink_last_error(nl));
	assert_string_not_equal(netlink_last_error(nl), "");
	bad.n_nh = 0;
	assert_int_equal(netlink_route_add(nl, &bad), -EINVAL);
	bad = r;
	bad.nh[0].via = ip("fd00:99::2"); /* family mismatch */
	assert_int_equal(netlink_route_add(nl, &bad), -EINVAL);
	bad = r;
	bad.nh[0].ifindex = 999999;
	bad.nh[0].onlink = true;
	assert_int_equal(netlink_route_add(nl, &bad), -ENODEV);
}

/* Flush removes our routes through one interface, in every table and both
 * families, and nothing else. */
void test_routes_flush(void **state)
{
	struct tap tap1;
	struct netlink_route r, got[32];
	struct netlink_addr a[4];
	const char *txt;
	int n;

	assert_int_equal(tap_open(&tap1, TAP1), 0);
	assert_int_equal(netlink_link_set_ipv6_ll(nl, tap1.ifindex, false), 0);
	assert_int_equal(netlink_link_set_up(nl, tap1.ifindex, true), 0);
	assert_int_equal(netlink_addr_list(nl, tap1.ifindex, 0, a, 4), 0); /* no fe80:: */

	r = route2("10.99.10.0/24", "10.99.0.2", "10.99.0.3", 2); /* ours, ECMP */
	assert_int_equal(netlink_route_add(nl, &r), 0);
	r = route2("10.99.11.0/24", "10.99.0.2", NULL, 0); /* ours, table 100 */
	r.table = 100;
	assert_int_equal(netlink_route_add(nl, &r), 0);
	r = route2("10.99.11.0/24", "10.99.0.2", NULL, 0); /* ours, second metric */
	r.metric = 20;
	assert_int_equal(netlink_route_add(nl, &r), 0);
	r = route2("fd00:99:10::/64", "fd00:99::2", "fd00:99::3", 1); /* ours, v6 ECMP */
	assert_int_equal(netlink_route_add(nl, &r), 0);
	r = route2("fd00:99:11::/64", "fd00:99::2", NULL, 0);
	assert_int_equal(netlink_route_add(nl, &r), 0);
	r = route2("10.99.12.0/24", "10.99.0.2", NULL, 0); /* someone else's */
	r.protocol = RTPROT_STATIC;
	assert_int_equal(netlink_route_add(nl, &r), 0);
	r = route2("10.99.13.0/24", "10.99.0.2", NULL, 0); /* ours, other TAP */
	r.nh[0].ifindex = tap1.ifindex;
	assert_int_equal(netlink_route_add(nl, &r), 0);
	r = route2("fd00:99:13::/64", "fd00:99::2", NULL, 0);
	r.nh[0].ifindex = tap1.ifindex;
	assert_int_equal(netlink_route_add(nl, &r), 0);

	/* the routes of test setup (10.99.5/24, fd00:99:5::/64) count too */
	n = netlink_route_list(nl, tap0.ifindex, 0, RTPROT_DMVPN, got, 32);
	assert_int_equal(n, 7);
	assert_int_equal(netlink_route_flush(nl, tap0.ifindex, AF_INET6), 3);
	assert_int_equal(netlink_route_flush(nl, tap0.ifindex, 0), 4);
	assert_int_equal(netlink_route_flush(nl, tap0.ifindex, 0), 0);
	assert_int_equal(netlink_route_list(nl, tap0.ifindex, 0, RTPROT_DMVPN, got, 32), 0);
	assert_int_equal(netlink_route_list(nl, tap1.ifindex, 0, RTPROT_DMVPN, got, 32), 2);
	n = netlink_route_list(nl, tap0.ifindex, AF_INET, RTPROT_STATIC, got, 32);
	assert_int_equal(n, 1);
	/* iproute2's view agrees */
	txt = run("ip route show table all proto 77");
	assert_non_null(strstr(txt, "10.99.13.0/24"));
	assert_null(strstr(txt, "10.99.10.0"));
	assert_null(strstr(txt, "10.99.11.0"));
	assert_null(strstr(txt, "10.99.5.0"));
	txt = run("ip -6 route show table all proto 77");
	assert_non_null(strstr(txt, "fd00:99:13::/64"));
	assert_null(strstr(txt, "fd00:99:10::"));
	assert_null(strstr(txt, "fd00:99:5::"));
	assert_non_null(strstr(run("ip route show proto static"), "10.99.12.0/24"));

	/* closing a TAP takes its routes and addresses along */
	int idx1 = tap1.ifindex;
	tap_close(&tap1);
	assert_int_equal(netlink_route_list(nl, idx1, 0, 0, got, 32), 0);
	assert_int_equal(netlink_addr_list(nl, idx1, 0, a, 4), 0);
	assert_null(strstr(run("ip -o link show"), TAP1));
}

/* Link down: the kernel drops IPv4 routes through it at once; observe IPv6. */
void test_link_down_up(void **state)
{
	struct netlink_route r4 = route2("10.99.20.0/24", "10.99.0.2", NULL, 0);
	struct netlink_route r6 = route2("fd00:99:20::/64", "fd00:99::2", NULL, 0);
	struct netlink_route got[8];
	int n4, n6;

	assert_int_equal(netlink_route_add(nl, &r4), 0);
	assert_int_equal(netlink_route_add(nl, &r6), 0);
	assert_int_equal(netlink_link_set_up(nl, tap0.ifindex, false), 0);
	n4 = netlink_route_list(nl, tap0.ifindex, AF_INET, RTPROT_DMVPN, got, 8);
	n6 = netlink_route_list(nl, tap0.ifindex, AF_INET6, RTPROT_DMVPN, got, 8);
	printf("# link down: %d IPv4 and %d IPv6 route(s) of ours survive\n", n4, n6);
	assert_int_equal(n4, 0);
	/* an onlink route cannot be added while the link is down */
	int err = netlink_route_add(nl, &r4);
	printf("# onlink IPv4 route on a down link: %s\n",
	       err ? netlink_strerror(err) : "accepted");
	assert_int_equal(netlink_link_set_up(nl, tap0.ifindex, true), 0);
	netlink_route_flush(nl, tap0.ifindex, 0);
}

void test_tap_api(void **state)
{
	struct tap t;
	struct tap_frame fr[4];
	uint8_t bufs[4][64], mac[6];

	assert_int_equal(tap_open(&t, TAP0), -EBUSY); /* held by tap0 */
	assert_int_equal(tap_open(&t, "lo"), -EINVAL);
	assert_int_equal(tap_open(&t, "a-name-far-too-long-for-linux"), -ENAMETOOLONG);
	assert_int_equal(t.fd, -1);
	tap_close(&t); /* harmless on a closed tap */
	assert_int_equal(tap_get_mac(&tap0, mac), 0);
	assert_memory_equal(mac, self_mac, 6);

	/* nothing queued: a batch read returns 0, not an error */
	while (tap_read(&tap0, bufs[0], sizeof(bufs[0])) > 0)
		;
	for (int i = 0; i < 4; i++)
		fr[i] = (struct tap_frame){.buf = bufs[i], .cap = sizeof(bufs[i])};
	assert_int_equal(tap_read_batch(&tap0, fr, 4), 0);
	assert_int_equal(tap_read(&tap0, bufs[0], sizeof(bufs[0])), -EAGAIN);

	/* a batch of frames that the kernel takes (then ignores: not for it) */
	for (int i = 0; i < 3; i++) {
		uint8_t other[6] = {0x02, 0, 0, 0, 0, (uint8_t)i};
		arp_eth_header_write(bufs[i], other, other, 0x88b5); /* local experimental */
		memset(bufs[i] + ARP_ETH_HLEN, i, 46);
		fr[i].len = 60;
	}
	int err = 1;
	assert_int_equal(tap_write_batch(&tap0, fr, 3, &err), 3);
	assert_int_equal(err, 0);
}

/* Last: closing the TAP removes the interface and everything on it. */
void test_tap_removal(void **state)
{
	struct netlink_link l;
	struct netlink_route got[8];
	struct netlink_addr a[4];
	int idx = tap0.ifindex;

	struct netlink_route r = route2("10.99.30.0/24", "10.99.0.2", NULL, 0);
	assert_int_equal(netlink_route_add(nl, &r), 0);
	tap_close(&tap0);
	assert_int_equal(netlink_link_get(nl, 0, TAP0, &l), -ENODEV);
	assert_int_equal(netlink_link_get(nl, idx, NULL, &l), -ENODEV);
	assert_int_equal(netlink_route_list(nl, idx, 0, 0, got, 8), 0);
	assert_int_equal(netlink_addr_list(nl, idx, 0, a, 4), 0);
	assert_int_equal(netlink_route_list(nl, 0, 0, RTPROT_DMVPN, got, 8), 0);
	assert_string_equal(run("ip -o link show | grep -v ' lo:' || true"), "");
}
