/* IKEv2 codec against real captures (ike/payload.h): every IKE message in
 * the zeek, tcpdump and Wireshark IKEv2 captures decoded and checked against
 * facts from `tshark -V`, found legal, rebuilt byte for byte through the
 * builder, and truncated at every length without a crash or over-read.
 * The exchange-by-exchange tests of three captures are in
 * test_ike_capture_exchanges.c, the capture reader in ike_capture_harness.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ike/ike.h"
#include "ike/payload.h"
#include "lib/util.h"
#include "tests/unit/ike_capture_harness.h"

/* Every capture with IKE messages, relative to captures/. */
static const char *const capture_files[] = {
    "zeek-plugin-ikev2/ikev2.pcap",
    "tcpdump/ikev2four.pcap",
    "tcpdump/ikev2pI2.pcap",
    "wireshark-test/ikev2-decrypt-3des-sha1_160.pcap",
    "wireshark-test/ikev2-decrypt-aes128ccm12-2.pcap",
    "wireshark-test/ikev2-decrypt-aes128ccm12.pcap",
    "wireshark-test/ikev2-decrypt-aes192ctr.pcap",
    "wireshark-test/ikev2-decrypt-aes256cbc.pcapng",
    "wireshark-test/ikev2-decrypt-aes256ccm16.pcapng",
    "wireshark-test/ikev2-decrypt-aes256gcm16.pcap",
    "wireshark-test/ikev2-decrypt-aes256gcm8.pcap",
};

/* Facts from `tshark -T fields -e isakmp.ispi -e isakmp.rspi
 * -e isakmp.exchangetype -e isakmp.flags -e isakmp.messageid -e isakmp.length
 * -e isakmp.typepayload -e isakmp.notify.msgtype -e isakmp.nextpayload`
 * (top-level payload types only; inner = Next Payload of SK/SKF). */
struct fact {
	const char *file;
	unsigned frame;
	uint64_t ispi, rspi;
	uint8_t exchange, flags;
	uint32_t msgid, length;
	const char *payloads;
	const char *notifies;
	uint8_t inner;
};

static const struct fact facts[] = {
    {"zeek-plugin-ikev2/ikev2.pcap", 1, 0x46fd10006d11e258ULL, 0x0000000000000000ULL, 34, 0x08, 0,
     894, "33 34 40 41 41 41 41 41", "16388 16389 16430 16431 16406", 0},
    {"zeek-plugin-ikev2/ikev2.pcap", 2, 0x46fd10006d11e258ULL, 0x0000000000000000ULL, 34, 0x20, 0,
     38, "41", "17", 0},
    {"zeek-plugin-ikev2/ikev2.pcap", 3, 0x46fd10006d11e258ULL, 0x0000000000000000ULL, 34, 0x08, 0,
     1214, "33 34 40 41 41 41 41 41", "16388 16389 16430 16431 16406", 0},
    {"zeek-plugin-ikev2/ikev2.pcap", 4, 0x46fd10006d11e258ULL, 0x14633b5928660a90ULL, 34, 0x20, 0,
     600, "33 34 40 41 41 41 41 41 41", "16388 16389 16430 16431 16418 16404", 0},
    {"zeek-plugin-ikev2/ikev2.pcap", 5, 0x46fd10006d11e258ULL, 0x14633b5928660a90ULL, 35, 0x08, 1,
     1236, "53", "", 35},
    {"zeek-plugin-ikev2/ikev2.pcap", 6, 0x46fd10006d11e258ULL, 0x14633b5928660a90ULL, 35, 0x08, 1,
     308, "53", "", 0},
    {"zeek-plugin-ikev2/ikev2.pcap", 7, 0x46fd10006d11e258ULL, 0x14633b5928660a90ULL, 35, 0x20, 1,
     80, "46", "", 41},
    {"tcpdump/ikev2four.pcap", 1, 0xa88875a8198992a6ULL, 0x0000000000000000ULL, 34, 0x08, 0, 376,
     "33 34 40 41 41", "16388 16389", 0},
    {"tcpdump/ikev2four.pcap", 2, 0xa88875a8198992a6ULL, 0x0000000000000000ULL, 34, 0x20, 0, 60,
     "41", "16390", 0},
    {"tcpdump/ikev2four.pcap", 3, 0xa88875a8198992a6ULL, 0x0000000000000000ULL, 34, 0x08, 0, 408,
     "41 33 34 40 41 41", "16390 16388 16389", 0},
    {"tcpdump/ikev2four.pcap", 4, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 34, 0x20, 0, 304,
     "33 34 40 41 41", "16388 16389", 0},
    {"tcpdump/ikev2four.pcap", 5, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 35, 0x08, 1, 236,
     "46", "", 35},
    {"tcpdump/ikev2four.pcap", 6, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 35, 0x20, 1, 156,
     "46", "", 36},
    {"tcpdump/ikev2four.pcap", 7, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x08, 2, 252,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 8, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x08, 3, 220,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 9, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x20, 2, 76,
     "46", "", 41},
    {"tcpdump/ikev2four.pcap", 10, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x20, 3, 76,
     "46", "", 41},
    {"tcpdump/ikev2four.pcap", 11, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x08, 4, 284,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 12, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x08, 5, 252,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 13, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x20, 4, 204,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 14, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x20, 5, 204,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 15, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x08, 6, 284,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 16, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x08, 7, 252,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 17, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x20, 6, 204,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 18, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x20, 7, 204,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 19, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x08, 8, 364,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 20, 0xa88875a8198992a6ULL, 0x71be8358efae7663ULL, 36, 0x20, 8, 316,
     "46", "", 33},
    {"tcpdump/ikev2four.pcap", 21, 0x1d9be9451d4f97a8ULL, 0x64a2a4b5d0e17b6aULL, 37, 0x08, 0, 92,
     "46", "", 42},
    {"tcpdump/ikev2pI2.pcap", 1, 0x0001020304050607ULL, 0x0000000000000000ULL, 34, 0x08, 0, 508,
     "33 34 40 43", "", 0},
    {"tcpdump/ikev2pI2.pcap", 2, 0x0001020304050607ULL, 0xc02e7a3031a03188ULL, 35, 0x08, 0, 284,
     "46", "", 35},
    {"wireshark-test/ikev2-decrypt-3des-sha1_160.pcap", 1, 0x19ab98963486359fULL,
     0x0000000000000000ULL, 34, 0x08, 0, 428, "33 34 40 41 41", "16388 16389", 0},
    {"wireshark-test/ikev2-decrypt-3des-sha1_160.pcap", 2, 0x19ab98963486359fULL,
     0x78f13157ccd3b3d8ULL, 34, 0x20, 0, 436, "33 34 40 41 41 41", "16388 16389 16404", 0},
    {"wireshark-test/ikev2-decrypt-3des-sha1_160.pcap", 3, 0x19ab98963486359fULL,
     0x78f13157ccd3b3d8ULL, 35, 0x08, 1, 252, "46", "", 35},
    {"wireshark-test/ikev2-decrypt-3des-sha1_160.pcap", 4, 0x19ab98963486359fULL,
     0x78f13157ccd3b3d8ULL, 35, 0x20, 1, 228, "46", "", 36},
    {"wireshark-test/ikev2-decrypt-3des-sha1_160.pcap", 5, 0x19ab98963486359fULL,
     0x78f13157ccd3b3d8ULL, 37, 0x08, 2, 76, "46", "", 42},
    {"wireshark-test/ikev2-decrypt-3des-sha1_160.pcap", 6, 0x19ab98963486359fULL,
     0x78f13157ccd3b3d8ULL, 37, 0x20, 2, 68, "46", "", 0},
    {"wireshark-test/ikev2-decrypt-aes128ccm12-2.pcap", 1, 0xa2926ae833c6f138ULL,
     0x0000000000000000ULL, 34, 0x08, 0, 232, "33 34 40 41 41", "16388 16389", 0},
    {"wireshark-test/ikev2-decrypt-aes128ccm12-2.pcap", 2, 0xa2926ae833c6f138ULL,
     0x5464c57d0dc5e272ULL, 34, 0x20, 0, 240, "33 34 40 41 41 41", "16388 16389 16404", 0},
    {"wireshark-test/ikev2-decrypt-aes128ccm12-2.pcap", 3, 0xa2926ae833c6f138ULL,
     0x5464c57d0dc5e272ULL, 35, 0x08, 1, 241, "46", "", 35},
    {"wireshark-test/ikev2-decrypt-aes128ccm12-2.pcap", 4, 0xa2926ae833c6f138ULL,
     0x5464c57d0dc5e272ULL, 35, 0x20, 1, 217, "46", "", 36},
    {"wireshark-test/ikev2-decrypt-aes128ccm12-2.pcap", 5, 0xa2926ae833c6f138ULL,
     0x5464c57d0dc5e272ULL, 37, 0x08, 2, 61, "46", "", 42},
    {"wireshark-test/ikev2-decrypt-aes128ccm12-2.pcap", 6, 0xa2926ae833c6f138ULL,
     0x5464c57d0dc5e272ULL, 37, 0x20, 2, 53, "46", "", 0},
    {"wireshark-test/ikev2-decrypt-aes128ccm12.pcap", 1, 0xea684d21597afd36ULL,
     0x0000000000000000ULL, 34, 0x08, 0, 248, "33 34 40 41 41 41", "16388 16389 16431", 0},
    {"wireshark-test/ikev2-decrypt-aes128ccm12.pcap", 2, 0xea684d21597afd36ULL,
     0xd9fe2ab22dac23acULL, 34, 0x20, 0, 240, "33 34 40 41 41 41", "16388 16389 16404", 0},
    {"wireshark-test/ikev2-decrypt-aes128ccm12.pcap", 3, 0xea684d21597afd36ULL,
     0xd9fe2ab22dac23acULL, 35, 0x08, 1, 241, "46", "", 35},
    {"wireshark-test/ikev2-decrypt-aes128ccm12.pcap", 4, 0xea684d21597afd36ULL,
     0xd9fe2ab22dac23acULL, 35, 0x20, 1, 217, "46", "", 36},
    {"wireshark-test/ikev2-decrypt-aes128ccm12.pcap", 5, 0xea684d21597afd36ULL,
     0xd9fe2ab22dac23acULL, 37, 0x08, 2, 61, "46", "", 42},
    {"wireshark-test/ikev2-decrypt-aes128ccm12.pcap", 6, 0xea684d21597afd36ULL,
     0xd9fe2ab22dac23acULL, 37, 0x20, 2, 53, "46", "", 0},
    {"wireshark-test/ikev2-decrypt-aes192ctr.pcap", 1, 0x81f24c0acd8fa55cULL, 0x0000000000000000ULL,
     34, 0x08, 0, 240, "33 34 40 41 41", "16388 16389", 0},
    {"wireshark-test/ikev2-decrypt-aes192ctr.pcap", 2, 0x81f24c0acd8fa55cULL, 0x192383172724c706ULL,
     34, 0x20, 0, 248, "33 34 40 41 41 41", "16388 16389 16404", 0},
    {"wireshark-test/ikev2-decrypt-aes192ctr.pcap", 3, 0x81f24c0acd8fa55cULL, 0x192383172724c706ULL,
     35, 0x08, 1, 261, "46", "", 35},
    {"wireshark-test/ikev2-decrypt-aes192ctr.pcap", 4, 0x81f24c0acd8fa55cULL, 0x192383172724c706ULL,
     35, 0x20, 1, 237, "46", "", 36},
    {"wireshark-test/ikev2-decrypt-aes192ctr.pcap", 5, 0x81f24c0acd8fa55cULL, 0x192383172724c706ULL,
     37, 0x08, 2, 81, "46", "", 42},
    {"wireshark-test/ikev2-decrypt-aes192ctr.pcap", 6, 0x81f24c0acd8fa55cULL, 0x192383172724c706ULL,
     37, 0x20, 2, 73, "46", "", 0},
    {"wireshark-test/ikev2-decrypt-aes256cbc.pcapng", 1, 0x191ccd371a7a1f7bULL,
     0x0000000000000000ULL, 34, 0x08, 0, 256, "33 34 40 41 41 41", "16388 16389 16431", 0},
    {"wireshark-test/ikev2-decrypt-aes256cbc.pcapng", 2, 0x191ccd371a7a1f7bULL,
     0xbc123d15e4af593fULL, 34, 0x20, 0, 248, "33 34 40 41 41 41", "16388 16389 16404", 0},
    {"wireshark-test/ikev2-decrypt-aes256cbc.pcapng", 3, 0x191ccd371a7a1f7bULL,
     0xbc123d15e4af593fULL, 35, 0x08, 1, 256, "46", "", 35},
    {"wireshark-test/ikev2-decrypt-aes256cbc.pcapng", 4, 0x191ccd371a7a1f7bULL,
     0xbc123d15e4af593fULL, 35, 0x20, 1, 224, "46", "", 36},
    {"wireshark-test/ikev2-decrypt-aes256ccm16.pcapng", 1, 0xcd7ae76304b277e2ULL,
     0x0000000000000000ULL, 34, 0x08, 0, 232, "33 34 40 41 41", "16388 16389", 0},
    {"wireshark-test/ikev2-decrypt-aes256ccm16.pcapng", 2, 0xcd7ae76304b277e2ULL,
     0x74f6080ed799d463ULL, 34, 0x20, 0, 240, "33 34 40 41 41 41", "16388 16389 16404", 0},
    {"wireshark-test/ikev2-decrypt-aes256ccm16.pcapng", 3, 0xcd7ae76304b277e2ULL,
     0x74f6080ed799d463ULL, 35, 0x08, 1, 237, "46", "", 35},
    {"wireshark-test/ikev2-decrypt-aes256ccm16.pcapng", 4, 0xcd7ae76304b277e2ULL,
     0x74f6080ed799d463ULL, 35, 0x20, 1, 213, "46", "", 36},
    {"wireshark-test/ikev2-decrypt-aes256gcm16.pcap", 1, 0x0158b8fb90b7623dULL,
     0x0000000000000000ULL, 34, 0x08, 0, 248, "33 34 40 41 41 41", "16388 16389 16431", 0},
    {"wireshark-test/ikev2-decrypt-aes256gcm16.pcap", 2, 0x0158b8fb90b7623dULL,
     0x13514610cea16160ULL, 34, 0x20, 0, 240, "33 34 40 41 41 41", "16388 16389 16404", 0},
    {"wireshark-test/ikev2-decrypt-aes256gcm16.pcap", 3, 0x0158b8fb90b7623dULL,
     0x13514610cea16160ULL, 35, 0x08, 1, 245, "46", "", 35},
    {"wireshark-test/ikev2-decrypt-aes256gcm16.pcap", 4, 0x0158b8fb90b7623dULL,
     0x13514610cea16160ULL, 35, 0x20, 1, 221, "46", "", 36},
    {"wireshark-test/ikev2-decrypt-aes256gcm16.pcap", 5, 0x0158b8fb90b7623dULL,
     0x13514610cea16160ULL, 37, 0x00, 0, 65, "46", "", 42},
    {"wireshark-test/ikev2-decrypt-aes256gcm16.pcap", 6, 0x0158b8fb90b7623dULL,
     0x13514610cea16160ULL, 37, 0x28, 0, 57, "46", "", 0},
    {"wireshark-test/ikev2-decrypt-aes256gcm8.pcap", 1, 0x5d48bfeeb7d574daULL,
     0x0000000000000000ULL, 34, 0x08, 0, 232, "33 34 40 41 41", "16388 16389", 0},
    {"wireshark-test/ikev2-decrypt-aes256gcm8.pcap", 2, 0x5d48bfeeb7d574daULL,
     0xbbb73016c0503640ULL, 34, 0x20, 0, 240, "33 34 40 41 41 41", "16388 16389 16404", 0},
    {"wireshark-test/ikev2-decrypt-aes256gcm8.pcap", 3, 0x5d48bfeeb7d574daULL,
     0xbbb73016c0503640ULL, 35, 0x08, 1, 237, "46", "", 35},
    {"wireshark-test/ikev2-decrypt-aes256gcm8.pcap", 4, 0x5d48bfeeb7d574daULL,
     0xbbb73016c0503640ULL, 35, 0x20, 1, 213, "46", "", 36},
    {"wireshark-test/ikev2-decrypt-aes256gcm8.pcap", 5, 0x5d48bfeeb7d574daULL,
     0xbbb73016c0503640ULL, 37, 0x00, 0, 57, "46", "", 42},
    {"wireshark-test/ikev2-decrypt-aes256gcm8.pcap", 6, 0x5d48bfeeb7d574daULL,
     0xbbb73016c0503640ULL, 37, 0x28, 0, 49, "46", "", 0},
};

static void types_str(const struct ike_msg *m, char *out, size_t cap)
{
	size_t n = 0;

	out[0] = 0;
	for (unsigned i = 0; i < m->n; i++)
		n += (size_t)snprintf(out + n, cap - n, "%s%u", i ? " " : "", m->pl[i].type);
}

static void notifies_str(const struct ike_msg *m, char *out, size_t cap)
{
	const struct ike_payload *p = NULL;
	size_t n = 0;

	out[0] = 0;
	while ((p = ike_msg_find(m, IKE_PL_NOTIFY, p))) {
		struct ike_notify no;
		assert_int_equal(ike_notify_parse(&no, p), IKE_OK);
		n += (size_t)snprintf(out + n, cap - n, "%s%u", n ? " " : "", no.type);
	}
}

/* Every typed parser that applies must accept every payload of a real
 * message. */
static void parse_all_typed(const struct ike_msg *m)
{
	for (unsigned i = 0; i < m->n; i++) {
		const struct ike_payload *p = &m->pl[i];
		struct ike_sa sa;
		struct ike_ke ke;
		struct ike_nonce no;
		struct ike_notify n;
		struct ike_vendor v;
		struct ike_skf f;

		switch (p->type) {
		case IKE_PL_SA:
			assert_int_equal(ike_sa_parse(&sa, p), IKE_OK);
			break;
		case IKE_PL_KE:
			assert_int_equal(ike_ke_parse(&ke, p), IKE_OK);
			break;
		case IKE_PL_NONCE:
			assert_int_equal(ike_nonce_parse(&no, p), IKE_OK);
			break;
		case IKE_PL_NOTIFY:
			assert_int_equal(ike_notify_parse(&n, p), IKE_OK);
			break;
		case IKE_PL_VENDOR:
			assert_int_equal(ike_vendor_parse(&v, p), IKE_OK);
			break;
		case IKE_PL_SKF:
			assert_int_equal(ike_skf_parse(&f, p), IKE_OK);
			break;
		default:
			break;
		}
	}
}

static void test_capture_facts(void **state)
{
	unsigned checked = 0;

	(void)state;
	for (size_t fi = 0; fi < ARRAY_SIZE(capture_files); fi++) {
		struct capture *c = capture_load(capture_files[fi]);
		unsigned in_file = 0;

		for (size_t i = 0; i < ARRAY_SIZE(facts); i++) {
			const struct fact *f = &facts[i];
			const struct capmsg *cm;
			struct ike_msg m;
			char buf[256];
			uint8_t bad = 0;
			int rc;

			if (strcmp(f->file, capture_files[fi]))
				continue;
			in_file++;
			cm = capture_frame(c, f->frame);
			rc = ike_msg_parse(&m, cm->data, cm->len);
			if (rc)
				fail_msg("%s #%u: %s", f->file, f->frame, ike_strerror(rc));
			assert_int_equal(m.hdr.ispi, f->ispi);
			assert_int_equal(m.hdr.rspi, f->rspi);
			assert_int_equal(m.hdr.exchange, f->exchange);
			assert_int_equal(m.hdr.flags, f->flags);
			assert_int_equal(m.hdr.msgid, f->msgid);
			assert_int_equal(m.hdr.length, f->length);
			assert_int_equal(m.hdr.version, 0x20);
			types_str(&m, buf, sizeof(buf));
			assert_string_equal(buf, f->payloads);
			notifies_str(&m, buf, sizeof(buf));
			assert_string_equal(buf, f->notifies);
			if (m.sk >= 0) {
				assert_int_equal(m.sk, (int)m.n - 1);
				assert_int_equal(m.sk_inner, f->inner);
				assert_int_equal(m.sk_off, m.pl[m.sk].off);
				assert_int_equal(m.sk_off + 4 + m.pl[m.sk].len, cm->len);
			}
			parse_all_typed(&m);
			/* Every real message is legal (outer part). */
			rc = ike_legal_check(&m, m.hdr.exchange, ike_hdr_is_response(&m.hdr), false,
			                     &bad);
			if (rc)
				fail_msg("%s #%u: %s (%s)", f->file, f->frame, ike_strerror(rc),
				         ike_payload_name(bad));
			checked++;
		}
		/* Every IKE message of the file is in the table. */
		assert_int_equal(in_file, c->n);
		capture_free(c);
	}
	assert_int_equal(checked, ARRAY_SIZE(facts));
}

/* Rebuilding every real message payload by payload through the builder
 * gives back the same bytes; so does rebuilding the IKE_SA_INIT payloads
 * with the typed builders. */
static void rebuild_generic(const struct ike_msg *m)
{
	uint8_t *out = malloc(m->len + 16);
	struct ike_builder b;
	struct writer w;

	assert_non_null(out);
	wr_init(&w, out, m->len + 16);
	ike_builder_init(&b, &w, &m->hdr);
	for (unsigned i = 0; i < m->n; i++) {
		const struct ike_payload *p = &m->pl[i];

		if (p->type == IKE_PL_SK) {
			assert_int_equal(ike_sk_begin(&b, p->next), IKE_OK);
			if (p->critical) /* ikev2pI2 frame 2 */
				out[b.pl_off + 1] |= 0x80;
			wr_bytes(&w, p->body, p->len);
			assert_int_equal(ike_builder_end(&b), IKE_OK);
		} else if (p->type == IKE_PL_SKF) {
			struct ike_skf f;
			assert_int_equal(ike_skf_parse(&f, p), IKE_OK);
			assert_int_equal(ike_skf_begin(&b, p->next, f.num, f.total), IKE_OK);
			wr_bytes(&w, f.data, f.len);
			assert_int_equal(ike_builder_end(&b), IKE_OK);
		} else {
			assert_int_equal(
			    ike_payload_build(&b, p->type, p->critical, p->body, p->len), IKE_OK);
		}
	}
	assert_int_equal(ike_builder_finish(&b), (int)m->len);
	assert_memory_equal(out, m->buf, m->len);
	free(out);
}

static void rebuild_typed(const struct ike_msg *m)
{
	uint8_t *out = malloc(m->len + 16);
	struct ike_sa *sa = malloc(sizeof(*sa));
	struct ike_builder b;
	struct writer w;

	assert_non_null(out);
	assert_non_null(sa);
	wr_init(&w, out, m->len + 16);
	ike_builder_init(&b, &w, &m->hdr);
	for (unsigned i = 0; i < m->n; i++) {
		const struct ike_payload *p = &m->pl[i];
		struct ike_ke ke;
		struct ike_nonce no;
		struct ike_notify n;
		struct ike_vendor v;

		switch (p->type) {
		case IKE_PL_SA:
			assert_int_equal(ike_sa_parse(sa, p), IKE_OK);
			assert_int_equal(ike_sa_build(&b, sa), IKE_OK);
			break;
		case IKE_PL_KE:
			assert_int_equal(ike_ke_parse(&ke, p), IKE_OK);
			assert_int_equal(ike_ke_build(&b, ke.group, ke.data, ke.len), IKE_OK);
			break;
		case IKE_PL_NONCE:
			assert_int_equal(ike_nonce_parse(&no, p), IKE_OK);
			assert_int_equal(ike_nonce_build(&b, no.data, no.len), IKE_OK);
			break;
		case IKE_PL_NOTIFY:
			assert_int_equal(ike_notify_parse(&n, p), IKE_OK);
			assert_int_equal(ike_notify_build(&b, n.protocol, n.spi, n.spi_size, n.type,
			                                  n.data, n.len),
			                 IKE_OK);
			break;
		case IKE_PL_VENDOR:
			assert_int_equal(ike_vendor_parse(&v, p), IKE_OK);
			assert_int_equal(ike_vendor_build(&b, v.data, v.len), IKE_OK);
			break;
		default:
			fail_msg("unexpected payload %u in IKE_SA_INIT", p->type);
		}
		if (p->critical) /* ikev2pI2 sets it on SA and Nonce */
			out[b.pl_off + 1] |= 0x80;
	}
	assert_int_equal(ike_builder_finish(&b), (int)m->len);
	assert_memory_equal(out, m->buf, m->len);
	free(sa);
	free(out);
}

static void test_capture_rebuild(void **state)
{
	unsigned n = 0;

	(void)state;
	for (size_t fi = 0; fi < ARRAY_SIZE(capture_files); fi++) {
		struct capture *c = capture_load(capture_files[fi]);

		for (unsigned i = 0; i < c->n; i++) {
			struct ike_msg m;

			assert_int_equal(ike_msg_parse(&m, c->m[i].data, c->m[i].len), IKE_OK);
			rebuild_generic(&m);
			if (m.hdr.exchange == IKE_SA_INIT)
				rebuild_typed(&m);
			n++;
		}
		capture_free(c);
	}
	assert_int_equal(n, ARRAY_SIZE(facts));
}

/* Runs every typed parser over a payload view; only absence of crashes and
 * over-reads (under ASan) is checked. */
static void typed_any(const struct ike_payload *p)
{
	struct ike_sa *sa = malloc(sizeof(*sa));
	struct ike_ke ke;
	struct ike_id id;
	struct ike_cert ce;
	struct ike_auth au;
	struct ike_nonce no;
	struct ike_notify n;
	struct ike_delete d;
	struct ike_vendor v;
	struct ike_ts_list ts;
	struct ike_skf f;
	struct ike_cp cp;
	struct ike_eap e;
	struct ike_payload q = *p;

	assert_non_null(sa);
	/* Every parser on every type: the wrong ones must say WRONG_TYPE. */
	for (unsigned t = IKE_PL_SA; t <= IKE_PL_SKF; t++) {
		q.type = (uint8_t)t;
		(void)ike_sa_parse(sa, &q);
		(void)ike_ke_parse(&ke, &q);
		(void)ike_id_parse(&id, &q);
		(void)ike_cert_parse(&ce, &q);
		(void)ike_certreq_parse(&ce, &q);
		(void)ike_auth_parse(&au, &q);
		(void)ike_nonce_parse(&no, &q);
		if (ike_notify_parse(&n, &q) == IKE_OK)
			(void)ike_notify_ke_group(&n);
		if (ike_delete_parse(&d, &q) == IKE_OK)
			for (unsigned i = 0; i <= d.nspi; i++)
				(void)ike_delete_spi(&d, i);
		(void)ike_vendor_parse(&v, &q);
		(void)ike_ts_parse(&ts, &q);
		(void)ike_skf_parse(&f, &q);
		(void)ike_cp_parse(&cp, &q);
		(void)ike_eap_parse(&e, &q);
	}
	q.type = IKE_PL_KE;
	assert_int_equal(ike_sa_parse(sa, &q), IKE_ERR_WRONG_TYPE);
	free(sa);
}

static void test_capture_truncations(void **state)
{
	size_t tried = 0, total = 0;

	(void)state;
	for (size_t fi = 0; fi < ARRAY_SIZE(capture_files); fi++) {
		struct capture *c = capture_load(capture_files[fi]);

		for (unsigned i = 0; i < c->n; i++) {
			const struct capmsg *cm = &c->m[i];
			struct ike_msg full;

			total += cm->len;
			assert_int_equal(ike_msg_parse(&full, cm->data, cm->len), IKE_OK);
			for (size_t l = 0; l < cm->len; l++) {
				uint8_t *t = malloc(l ? l : 1);
				struct ike_msg m;

				assert_non_null(t);
				memcpy(t, cm->data, l);
				/* As received: the header length no longer matches. */
				assert_int_not_equal(ike_msg_parse(&m, t, l), IKE_OK);
				/* With the header length patched: the chain is cut. */
				if (l >= IKE_HDR_LEN) {
					t[24] = (uint8_t)(l >> 24);
					t[25] = (uint8_t)(l >> 16);
					t[26] = (uint8_t)(l >> 8);
					t[27] = (uint8_t)l;
					assert_int_not_equal(ike_msg_parse(&m, t, l), IKE_OK);
					for (unsigned k = 0; k < m.n; k++)
						typed_any(&m.pl[k]);
					(void)ike_legal_check(&m, m.hdr.exchange, true, false,
					                      NULL);
				}
				free(t);
				tried++;
			}
			/* Every payload body cut at every length. */
			for (unsigned k = 0; k < full.n; k++) {
				for (size_t l = 0; l <= full.pl[k].len; l++) {
					struct ike_payload p = full.pl[k];
					uint8_t *body = malloc(l ? l : 1);

					assert_non_null(body);
					memcpy(body, p.body, l);
					p.body = body;
					p.len = (uint16_t)l;
					typed_any(&p);
					free(body);
				}
			}
		}
		capture_free(c);
	}
	assert_int_equal(tried, total);
	assert_true(total > 15000);
}

int main(void)
{
	char dir[512];
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_capture_facts),   cmocka_unit_test(test_capture_zeek),
	    cmocka_unit_test(test_capture_four),    cmocka_unit_test(test_capture_pi2),
	    cmocka_unit_test(test_capture_rebuild), cmocka_unit_test(test_capture_truncations),
	};

	snprintf(dir, sizeof(dir), "%s/captures/zeek-plugin-ikev2/ikev2.pcap", testdata_dir());
	if (access(dir, R_OK) != 0) {
		fprintf(stderr, "SKIP: no test data at %s (set DMVPN_TESTDATA)\n", dir);
		return 77;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
