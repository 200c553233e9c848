/* Unit tests for lib/: cursor, writer, addresses, checksum, rate limiter. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lib/addr.h"
#include "lib/cursor.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/writer.h"

static void test_cursor_reads(void **state)
{
	const uint8_t b[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	struct cursor c;

	cur_init(&c, b, sizeof(b));
	assert_int_equal(cur_u8(&c), 1);
	assert_int_equal(cur_be16(&c), 0x0203);
	assert_int_equal(cur_be32(&c), 0x04050607);
	assert_int_equal(cur_left(&c), 2);
	assert_true(cur_ok(&c));
	assert_int_equal(cur_be32(&c), 0); /* short read */
	assert_false(cur_ok(&c));
	assert_int_equal(cur_u8(&c), 0); /* sticky */
	assert_int_equal(cur_left(&c), 0);
}

static void test_cursor_sub(void **state)
{
	const uint8_t b[] = { 0, 3, 'a', 'b', 'c', 0xff };
	struct cursor c, s;

	cur_init(&c, b, sizeof(b));
	s = cur_sub(&c, cur_be16(&c));
	assert_true(cur_ok(&s));
	assert_int_equal(cur_left(&s), 3);
	assert_memory_equal(cur_bytes(&s, 3), "abc", 3);
	assert_null(cur_bytes(&s, 1));
	assert_int_equal(cur_u8(&c), 0xff);
	assert_true(cur_ok(&c));
	/* a length past the end fails both */
	cur_init(&c, b, sizeof(b));
	s = cur_sub(&c, 100);
	assert_false(cur_ok(&s));
	assert_false(cur_ok(&c));
}

static void test_writer(void **state)
{
	uint8_t buf[8];
	struct writer w;

	wr_init(&w, buf, sizeof(buf));
	size_t m = wr_mark(&w);
	wr_be16(&w, 0);
	wr_be32(&w, 0xdeadbeef);
	wr_patch_be16(&w, m, (uint16_t)wr_len(&w));
	assert_true(wr_ok(&w));
	assert_int_equal(wr_len(&w), 6);
	assert_memory_equal(buf, "\x00\x06\xde\xad\xbe\xef", 6);
	wr_be32(&w, 1); /* overflow */
	assert_false(wr_ok(&w));
	assert_int_equal(wr_len(&w), 6);
}

static void test_addr(void **state)
{
	struct prefix p;
	struct ipaddr a;
	char buf[PREFIX_STRLEN];

	assert_int_equal(prefix_parse(&p, "10.1.2.3/24"), 0);
	prefix_normalize(&p);
	assert_string_equal(prefix_fmt(&p, buf, sizeof(buf)), "10.1.2.0/24");
	assert_int_equal(ipaddr_parse(&a, "10.1.2.77"), 0);
	assert_true(prefix_contains(&p, &a));
	assert_int_equal(ipaddr_parse(&a, "10.1.3.1"), 0);
	assert_false(prefix_contains(&p, &a));
	assert_int_equal(prefix_parse(&p, "2001:db8::1"), 0);
	assert_int_equal(p.plen, 128);
	assert_int_equal(prefix_parse(&p, "10.0.0.1/33"), -1);
	assert_int_equal(prefix_parse(&p, "10.0.0.1/"), -1);
	assert_int_equal(ipaddr_parse(&a, "nonsense"), -1);
}

static void test_csum(void **state)
{
	/* RFC 1071 example words 0001 f203 f4f5 f6f7 sum to ddf2, checksum 220d */
	const uint8_t d[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	assert_int_equal(inet_csum(d, sizeof(d)), 0x220d);
	uint8_t e[10];
	memcpy(e, d, 8);
	e[8] = 0x22;
	e[9] = 0x0d;
	assert_int_equal(inet_csum(e, sizeof(e)), 0);
}

static void test_hex(void **state)
{
	uint8_t out[4];
	char s[9];
	assert_int_equal(hex_decode("0xDEADbeef", out, sizeof(out)), 4);
	hex_encode(out, 4, s);
	assert_string_equal(s, "deadbeef");
	assert_int_equal(hex_decode("abc", out, sizeof(out)), -1);
	assert_int_equal(hex_decode("0011223344", out, sizeof(out)), -1);
}

static void test_ratelimit(void **state)
{
	struct ratelimit rl = RATELIMIT_INIT(1.0, 3.0);
	int ok = 0;
	for (int i = 0; i < 10; i++)
		ok += ratelimit_ok(&rl, 100.0);
	assert_int_equal(ok, 3);
	assert_int_equal(rl.suppressed, 7);
	assert_true(ratelimit_ok(&rl, 101.0));
	assert_false(ratelimit_ok(&rl, 101.0));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cursor_reads), cmocka_unit_test(test_cursor_sub),
		cmocka_unit_test(test_writer),       cmocka_unit_test(test_addr),
		cmocka_unit_test(test_csum),         cmocka_unit_test(test_hex),
		cmocka_unit_test(test_ratelimit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
