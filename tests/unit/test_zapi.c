/* ZAPI codec: exact bytes for what we send (FRR 8.4 numbers), parsing of
 * what zebra sends, the stream splitter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include <cmocka.h>

#include "frr-integration/zapi.h"

static const struct zapi_dialect *D = &zapi_frr_8_4;

static void addr(struct ipaddr *a, const char *s) { assert_int_equal(ipaddr_parse(a, s), 0); }

static void test_hello(void **state)
{
	static const uint8_t want[] = {
	    0x00, 0x13, 0xfe, 0x06, 0, 0, 0, 0, 0x00, 18, /* header: len 19, HELLO */
	    12,   0x00, 0x00,                             /* NHRP, instance 0 */
	    0,    0,    0,    0,                          /* session id */
	    1,    0,                                      /* notify, not synchronous */
	};
	uint8_t buf[64];

	assert_int_equal(zapi_hello_build(D, buf, sizeof(buf), true), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	assert_int_equal(zapi_hello_build(D, buf, 10, true), -1); /* does not fit */
}

static void test_route_add_v4(void **state)
{
	static const uint8_t want[] = {
	    0x00, 0x2c, 0xfe, 0x06, 0,    0,    0,    0,    0x00, 8, /* len 44, ROUTE_ADD */
	    12,   0x00, 0x00,                                        /* NHRP, instance 0 */
	    0,    0,    0,    0,                                     /* flags */
	    0,    0,    0,    0x03,                                  /* NEXTHOP|DISTANCE */
	    1,    2,    24,   10,   1,    2,                         /* safi, AF_INET, /24 */
	    0x00, 0x01,                                              /* 1 next hop */
	    0,    0,    0,    0,    3,    0x01,                      /* vrf, IPV4_IFINDEX, ONLINK */
	    10,   0,    0,    12,   0,    0,    0,    7,             /* via, ifindex 7 */
	    10,                                                      /* distance */
	};
	struct zapi_route r = {.n_nh = 1};
	uint8_t buf[128];

	assert_int_equal(prefix_parse(&r.dst, "10.1.2.77/24"), 0); /* host bits cleared */
	addr(&r.nh[0].via, "10.0.0.12");
	r.nh[0].ifindex = 7;
	r.nh[0].onlink = true;
	assert_int_equal(zapi_route_build(D, buf, sizeof(buf), true, &r), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
	r.n_nh = 0; /* an add without next hops is refused */
	assert_int_equal(zapi_route_build(D, buf, sizeof(buf), true, &r), -1);
}

static void test_route_delete_v4_host(void **state)
{
	static const uint8_t want[] = {
	    0x00, 0x1c, 0xfe, 0x06, 0, 0, 0, 0, 0x00, 9, /* len 28, ROUTE_DELETE */
	    12,   0,    0,    0,    0, 0, 0, 0, 0,    0, 0, /* NHRP, inst, flags, message 0 */
	    1,    2,    32,   10,   0, 0, 12,             /* safi, AF_INET, /32 */
	};
	struct zapi_route r = {0};
	uint8_t buf[128];

	assert_int_equal(prefix_parse(&r.dst, "10.0.0.12/32"), 0);
	assert_int_equal(zapi_route_build(D, buf, sizeof(buf), false, &r), sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));
}

/* ECMP: sorted by address bytes, then ifindex, as FRR's zapi_nexthop_cmp. */
static void test_route_add_v6_ecmp_sorted(void **state)
{
	struct zapi_route r = {.n_nh = 3};
	uint8_t buf[256];
	long n;

	assert_int_equal(prefix_parse(&r.dst, "2001:db8:2::/48"), 0);
	addr(&r.nh[0].via, "fd00::12");
	r.nh[0].ifindex = 5;
	addr(&r.nh[1].via, "fd00::11");
	r.nh[1].ifindex = 5;
	addr(&r.nh[2].via, "fd00::11");
	r.nh[2].ifindex = 4;
	r.nh[0].onlink = r.nh[1].onlink = r.nh[2].onlink = true;
	n = zapi_route_build(D, buf, sizeof(buf), true, &r);
	/* 10 header + 11 + 1+1+1 + 6 prefix bytes + 2 + 3*26 + 1 distance */
	assert_int_equal(n, 10 + 11 + 3 + 6 + 2 + 3 * 26 + 1);
	const uint8_t *p = buf + 10 + 11;
	assert_int_equal(p[0], 1);
	assert_int_equal(p[1], 10); /* AF_INET6 */
	assert_int_equal(p[2], 48);
	p += 3 + 6;
	assert_int_equal(p[0] << 8 | p[1], 3);
	p += 2;
	static const uint8_t want_nh[3][2] = {{0x11, 4}, {0x11, 5}, {0x12, 5}};
	for (int i = 0; i < 3; i++, p += 26) {
		assert_int_equal(p[4], 5); /* IPV6_IFINDEX */
		assert_int_equal(p[5], 1); /* ONLINK */
		assert_int_equal(p[6], 0xfd);
		assert_int_equal(p[6 + 15], want_nh[i][0]);
		assert_int_equal(p[25], want_nh[i][1]);
	}
	assert_int_equal(p[0], 10);
	/* a next hop of the wrong family is refused */
	addr(&r.nh[1].via, "10.0.0.1");
	assert_int_equal(zapi_route_build(D, buf, sizeof(buf), true, &r), -1);
}

static void test_client_capabilities(void **state)
{
	static const uint8_t gr[] = {0x00, 0x16, 0xfe, 0x06, 0, 0, 0, 0, 0x00, 119,
	                             0,    0,    0,    1,    0, 0, 0, 60, 0, 0, 0, 0};
	static const uint8_t done[] = {0x00, 0x1a, 0xfe, 0x06, 0, 0, 0, 0, 0x00, 119, 0, 0, 0,
	                               2,    0,    0,    0,    1, 0, 0, 0, 1, 0,    0,   0, 0};
	static const uint8_t off[] = {0x00, 0x12, 0xfe, 0x06, 0, 0, 0, 0, 0x00, 119,
	                              0,    0,    0,    4,    0, 0, 0, 0};
	uint8_t buf[64];

	assert_int_equal(zapi_cap_gr_build(D, buf, sizeof(buf), 60), sizeof(gr));
	assert_memory_equal(buf, gr, sizeof(gr));
	assert_int_equal(zapi_cap_complete_build(D, buf, sizeof(buf), ZAPI_AFI_IP), sizeof(done));
	assert_memory_equal(buf, done, sizeof(done));
	assert_int_equal(zapi_cap_gr_disable_build(D, buf, sizeof(buf)), sizeof(off));
	assert_memory_equal(buf, off, sizeof(off));
}

static size_t notify_msg(uint8_t *b, uint32_t note, uint8_t fam, uint8_t plen,
                         const uint8_t *a, size_t alen)
{
	size_t n = 10;

	memcpy(b + n, &note, 4); /* host order, as zebra writes it */
	n += 4;
	b[n++] = fam;
	b[n++] = plen;
	memcpy(b + n, a, alen);
	n += alen;
	memset(b + n, 0, 4); /* table */
	b[n + 3] = 254;
	n += 4;
	b[n++] = 1; /* afi */
	b[n++] = 1; /* safi */
	const uint8_t h[10] = {(uint8_t)(n >> 8), (uint8_t)n, 0xfe, 6, 0, 0, 0, 0, 0, 10};
	memcpy(b, h, 10);
	return n;
}

static void test_notify_parse(void **state)
{
	static const uint8_t a4[4] = {10, 1, 2, 0};
	uint8_t b[64];
	struct zapi_msg m;
	char s[PREFIX_STRLEN];
	size_t n = notify_msg(b, ZAPI_NOTE_INSTALLED, 2, 24, a4, 4);

	assert_int_equal(n, 26);
	assert_int_equal(zapi_msg_parse(D, b, n, &m), 0);
	assert_int_equal(m.cmd, ZAPI_CMD_ROUTE_NOTIFY_OWNER);
	assert_int_equal(m.notify.note, ZAPI_NOTE_INSTALLED);
	assert_string_equal(prefix_fmt(&m.notify.dst, s, sizeof(s)), "10.1.2.0/24");
	assert_int_equal(m.notify.table, 254);
	assert_int_equal(m.notify.safi, 1);

	n = notify_msg(b, 77, 2, 24, a4, 4); /* an unknown note still parses */
	assert_int_equal(zapi_msg_parse(D, b, n, &m), 0);
	assert_int_equal(m.notify.note, ZAPI_NOTE_MAX);
	assert_int_equal(m.notify.raw_note, 77);

	n = notify_msg(b, 0, 2, 33, a4, 4); /* plen too long */
	assert_int_equal(zapi_msg_parse(D, b, n, &m), -1);
	n = notify_msg(b, 0, 7, 8, a4, 4); /* unknown family */
	assert_int_equal(zapi_msg_parse(D, b, n, &m), -1);
	n = notify_msg(b, 0, 10, 64, a4, 4); /* IPv6 with 4 address bytes: short */
	assert_int_equal(zapi_msg_parse(D, b, n, &m), -1);
	n = notify_msg(b, 0, 2, 24, a4, 4);
	b[1] = (uint8_t)(n - 1); /* header length disagrees with the buffer */
	assert_int_equal(zapi_msg_parse(D, b, n, &m), -1);
}

static void test_caps_and_skip(void **state)
{
	static const uint8_t caps[] = {0x00, 0x18, 0xfe, 0x06, 0, 0, 0, 0, 0x00, 19,
	                               0,    0,    0,    1,    1, 0, 0, 0, 64,   0, 0, 0, 0, 0};
	static const uint8_t vrf_add[] = {0x00, 0x0e, 0xfe, 0x06, 0, 0, 0, 0, 0x00, 0x0e,
	                                  1,    2,    3,    4};
	static const uint8_t caps_short[] = {0x00, 0x0c, 0xfe, 0x06, 0, 0, 0, 0, 0x00, 19, 0, 0};
	struct zapi_msg m;

	assert_int_equal(zapi_msg_parse(D, caps, sizeof(caps), &m), 0);
	assert_int_equal(m.cmd, ZAPI_CMD_CAPABILITIES);
	assert_int_equal(m.caps.vrf_backend, 1);
	assert_true(m.caps.mpls);
	assert_int_equal(m.caps.multipath, 64);
	assert_int_equal(zapi_msg_parse(D, vrf_add, sizeof(vrf_add), &m), 0);
	assert_int_equal(m.cmd, ZAPI_CMD_UNKNOWN);
	assert_int_equal(m.hdr.command, 14);
	assert_int_equal(zapi_msg_parse(D, caps_short, sizeof(caps_short), &m), -1);
}

static void test_split(void **state)
{
	uint8_t s[64];
	long n = zapi_hello_build(D, s, sizeof(s), true);

	assert_int_equal(n, 19);
	assert_int_equal(zapi_hello_build(D, s + n, sizeof(s) - (size_t)n, false), 19);
	assert_int_equal(zapi_split(s, 0), 0);
	assert_int_equal(zapi_split(s, 9), 0);  /* header incomplete */
	assert_int_equal(zapi_split(s, 18), 0); /* body incomplete */
	assert_int_equal(zapi_split(s, 19), 19);
	assert_int_equal(zapi_split(s, 38), 19);
	assert_int_equal(zapi_split(s + 19, 19), 19);
	s[2] = 0xfd; /* bad marker */
	assert_int_equal(zapi_split(s, 38), -1);
	s[2] = 0xfe;
	s[3] = 5; /* bad version */
	assert_int_equal(zapi_split(s, 38), -1);
	s[3] = 6;
	s[0] = 0, s[1] = 9; /* length below the header */
	assert_int_equal(zapi_split(s, 38), -1);
	s[0] = 0x40, s[1] = 0x01; /* 16385: above the maximum */
	assert_int_equal(zapi_split(s, 38), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hello),
	    cmocka_unit_test(test_route_add_v4),
	    cmocka_unit_test(test_route_delete_v4_host),
	    cmocka_unit_test(test_route_add_v6_ecmp_sorted),
	    cmocka_unit_test(test_client_capabilities),
	    cmocka_unit_test(test_notify_parse),
	    cmocka_unit_test(test_caps_and_skip),
	    cmocka_unit_test(test_split),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
