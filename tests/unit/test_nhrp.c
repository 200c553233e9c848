/* Unit tests: NHRP codec (RFC 2332 + Cisco DMVPN) against real IOS captures,
 * round trips of every packet type and extension, named rejections. This
 * file has the capture facts, round trips and main; the rejection tests are
 * in test_nhrp_reject.c, the capture reader in nhrp_codec_harness.h. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/util.h"
#include "lib/writer.h"
#include "nhrp/packet.h"
#include "tests/unit/nhrp_codec_harness.h"

/* ---- facts from `tshark -T fields` (Wireshark 4.0.17) -------------------- */

struct fact {
	const char *file;
	int frame;
	unsigned type, hops, pktsz, extoff, flags;
	uint32_t reqid;
	const char *src_nbma, *src_proto, *dst_proto;
	/* every CIE in wire order (mandatory part, then extensions) */
	const char *codes, *prefix, *htime, *mtu, *cli_nbma, *cli_proto;
	/* extensions in wire order, End included */
	const char *ext_type, *ext_c, *ext_len;
};

/* clang-format off */
static const struct fact facts[] = {
	{"tcpdump/nhrp-trace.pcap", 1, 8, 255, 98, 68, 0, 0, "192.168.200.1", "10.255.255.1", "10.255.255.3", "", "", "", "", "", "", "4,5,7,9,0", "1,1,1,0,1", "0,0,10,0,0"},
	{"tcpdump/nhrp-trace.pcap", 2, 1, 255, 86, 52, 0xc802, 0x00000005, "192.168.200.3", "10.255.255.3", "10.255.255.2", "0", "0", "7200", "1514", "", "", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,10,0,0"},
	{"tcpdump/nhrp-trace.pcap", 3, 1, 254, 106, 52, 0xc802, 0x00000005, "192.168.200.3", "10.255.255.3", "10.255.255.2", "0,0", "0,0", "7200,7200", "1514,1514", "192.168.200.1", "10.255.255.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,20,0,10,0,0"},
	{"tcpdump/nhrp-trace.pcap", 4, 2, 255, 134, 60, 0xf802, 0x00000005, "192.168.200.3", "10.255.255.3", "10.255.255.2", "0,0,0", "32,0,0", "7200,7200,7200", "1514,1514,1514", "192.168.200.2,192.168.200.2,192.168.200.1", "10.255.255.2,10.255.255.2,10.255.255.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "20,20,0,10,0,0"},
	{"tcpdump/NHRP_registration.pcap", 1, 3, 255, 108, 52, 0x8002, 0x00000001, "169.254.100.1", "155.1.0.1", "155.1.0.5", "0,0", "32,32", "7200,0", "17912,17912", "169.254.100.5", "155.1.0.5", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,12,20,0"},
	{"tcpdump/NHRP_registration.pcap", 2, 4, 255, 128, 52, 0x8002, 0x00000001, "169.254.100.1", "155.1.0.1", "155.1.0.5", "0,0,0", "32,32,32", "7200,7200,0", "17912,17912,17912", "169.254.100.5,169.254.100.5", "155.1.0.5,155.1.0.5", "3,4,5,7,9,0", "1,1,1,1,0,1", "20,0,0,12,20,0"},
	{"tcpdump/NHRP_registration.pcap", 3, 3, 255, 108, 52, 0x8002, 0x00000002, "169.254.100.1", "155.1.0.1", "155.1.0.5", "0,0", "32,32", "7200,0", "17912,17912", "169.254.100.5", "155.1.0.5", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,12,20,0"},
	{"tcpdump/NHRP_registration.pcap", 4, 4, 255, 128, 52, 0x8002, 0x00000002, "169.254.100.1", "155.1.0.1", "155.1.0.5", "0,0,0", "32,32,32", "7200,7200,0", "17912,17912,17912", "169.254.100.5,169.254.100.5", "155.1.0.5,155.1.0.5", "3,4,5,7,9,0", "1,1,1,1,0,1", "20,0,0,12,20,0"},
	{"tcpdump/NHRP-responder-address.pcap", 1, 3, 255, 108, 52, 0x0002, 0x0000012c, "155.1.79.2", "155.1.0.9", "155.1.0.6", "0,0", "32,32", "7200,0", "17912,17912", "6.6.6.6", "155.1.0.6", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,12,20,0"},
	{"tcpdump/NHRP-responder-address.pcap", 2, 4, 255, 128, 52, 0x0002, 0x0000012c, "155.1.79.2", "155.1.0.9", "155.1.0.6", "0,0,0", "32,32,32", "7200,7200,0", "17912,17912,17912", "6.6.6.6,6.6.6.6", "155.1.146.6,155.1.0.6", "3,4,5,7,9,0", "1,1,1,1,0,1", "20,0,0,12,20,0"},
	{"tcpdump/nhrp.pcapng", 1, 3, 255, 104, 52, 0x8002, 0x00000015, "100.1.2.27", "10.65.0.3", "10.65.0.1", "0,0", "32,32", "7200,0", "17916,17916", "100.1.0.14", "10.65.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 2, 4, 255, 124, 52, 0x8002, 0x00000015, "100.1.2.27", "10.65.0.3", "10.65.0.1", "0,0,0", "32,32,32", "7200,7200,0", "17916,17916,17916", "100.1.0.14,100.1.0.14", "10.65.0.1,10.65.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "20,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 3, 3, 255, 104, 52, 0x8002, 0x00000016, "100.1.2.27", "10.65.0.3", "10.65.0.1", "0,0", "32,32", "7200,0", "17916,17916", "100.1.0.14", "10.65.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 4, 4, 255, 124, 52, 0x8002, 0x00000016, "100.1.2.27", "10.65.0.3", "10.65.0.1", "0,0,0", "32,32,32", "7200,7200,0", "17916,17916,17916", "100.1.0.14,100.1.0.14", "10.65.0.1,10.65.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "20,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 5, 3, 255, 104, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0", "32,32", "7200,0", "17916,17916", "100.1.0.15", "10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 6, 4, 255, 124, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0,0", "32,32,32", "7200,7200,0", "17916,17916,17916", "100.1.0.15,100.1.0.15", "10.64.0.1,10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "20,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 7, 3, 255, 104, 52, 0x8002, 0x00000002, "100.1.2.27", "10.65.0.3", "10.65.0.1", "0,0", "32,32", "7200,0", "17916,17916", "100.1.0.14", "10.65.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 8, 4, 255, 124, 52, 0x8002, 0x00000002, "100.1.2.27", "10.65.0.3", "10.65.0.1", "0,0,0", "32,32,32", "7200,7200,0", "17916,17916,17916", "100.1.0.14,100.1.0.14", "10.65.0.1,10.65.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "20,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 9, 3, 255, 104, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0", "32,32", "7200,0", "17916,17916", "100.1.0.15", "10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 10, 4, 255, 124, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0,0", "32,32,32", "7200,7200,0", "17916,17916,17916", "100.1.0.15,100.1.0.15", "10.64.0.1,10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "20,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 11, 3, 255, 104, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0", "32,32", "7200,0", "17916,17916", "100.1.0.15", "10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 12, 4, 255, 124, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0,0", "32,32,32", "7200,7200,0", "17916,17916,17916", "100.1.0.15,100.1.0.15", "10.64.0.1,10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "20,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 13, 3, 255, 104, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0", "32,32", "7200,0", "17916,17916", "100.1.0.15", "10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 14, 3, 255, 104, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0", "32,32", "7200,0", "17916,17916", "100.1.0.15", "10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 15, 3, 255, 104, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0", "32,32", "7200,0", "17916,17916", "100.1.0.15", "10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 16, 3, 255, 104, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0", "32,32", "7200,0", "17916,17916", "100.1.0.15", "10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 17, 3, 255, 104, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0", "32,32", "7200,0", "17916,17916", "100.1.0.15", "10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 18, 3, 255, 104, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0", "32,32", "7200,0", "17916,17916", "100.1.0.15", "10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 19, 4, 255, 124, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0,0", "32,32,32", "7200,7200,0", "17916,17916,17916", "100.1.0.15,100.1.0.15", "10.64.0.1,10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "20,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 20, 3, 255, 104, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0", "32,32", "7200,0", "17916,17916", "100.1.0.15", "10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 21, 4, 255, 124, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0,0", "32,32,32", "7200,7200,0", "17916,17916,17916", "100.1.0.15,100.1.0.15", "10.64.0.1,10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "20,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 22, 3, 255, 104, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0", "32,32", "7200,0", "17916,17916", "100.1.0.15", "10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 23, 4, 255, 124, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0,0", "32,32,32", "7200,7200,0", "17916,17916,17916", "100.1.0.15,100.1.0.15", "10.64.0.1,10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "20,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 24, 3, 255, 104, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0", "32,32", "7200,0", "17916,17916", "100.1.0.15", "10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "0,0,0,8,20,0"},
	{"tcpdump/nhrp.pcapng", 25, 4, 255, 124, 52, 0x8002, 0x00000001, "100.1.2.27", "10.64.0.3", "10.64.0.1", "0,0,0", "32,32,32", "7200,7200,0", "17916,17916,17916", "100.1.0.15,100.1.0.15", "10.64.0.1,10.64.0.1", "3,4,5,7,9,0", "1,1,1,1,0,1", "20,0,0,8,20,0"},
	{"tcpdump/ios_nhrp.pcap", 1, 3, 255, 81, 52, 0x8000, 0x00000005, "10.0.12.2", "192.168.0.2", "192.168.0.1", "0", "255", "30", "1514", "", "", "3,4,5,7,0", "1,1,1,1,1", "0,0,0,9,0"},
};
/* clang-format on */

/* Appends s to a comma-separated list. */
static void csv_add(char *buf, size_t cap, const char *s)
{
	size_t n = strlen(buf);
	snprintf(buf + n, cap - n, "%s%s", n ? "," : "", s);
}

static void csv_num(char *buf, size_t cap, unsigned v)
{
	char t[16];
	snprintf(t, sizeof(t), "%u", v);
	csv_add(buf, cap, t);
}

static const char *fmt(const struct ipaddr *a, char *buf)
{
	return ipaddr_is_set(a) ? ipaddr_fmt(a, buf, ADDR_STRLEN) : "";
}

struct cie_csv {
	char codes[256], prefix[256], htime[256], mtu[256], nbma[512], proto[512];
};

static void cie_csv_add(struct cie_csv *c, const struct nhrp_cie_list *l)
{
	char a[ADDR_STRLEN];

	for (unsigned i = 0; i < l->count; i++) {
		const struct nhrp_cie *e = &l->e[i];
		csv_num(c->codes, sizeof(c->codes), e->code);
		csv_num(c->prefix, sizeof(c->prefix), e->prefix_len);
		csv_num(c->htime, sizeof(c->htime), e->holding_time);
		csv_num(c->mtu, sizeof(c->mtu), e->mtu);
		if (ipaddr_is_set(&e->nbma))
			csv_add(c->nbma, sizeof(c->nbma), fmt(&e->nbma, a));
		if (ipaddr_is_set(&e->proto))
			csv_add(c->proto, sizeof(c->proto), fmt(&e->proto, a));
	}
}

static bool has_cies(uint16_t t)
{
	return t == NHRP_EXT_RESPONDER || t == NHRP_EXT_FWD_TRANSIT || t == NHRP_EXT_REV_TRANSIT ||
	       t == NHRP_EXT_CISCO_NAT;
}

static void check_fact(const struct fact *f, const struct nhrp_frame *fr, const char *password)
{
	struct nhrp_packet pkt;
	struct cie_csv c = {0};
	char et[128] = "", ec[128] = "", el[128] = "", a[ADDR_STRLEN];
	uint8_t out[2048];
	struct writer w;
	int rc;

	rc = nhrp_parse(&pkt, fr->b, fr->len);
	if (rc != NHRP_OK)
		fail_msg("%s #%d: %s", f->file, f->frame, nhrp_strerror(rc));
	assert_int_equal(pkt.afn, NHRP_AFN_IPV4);
	assert_int_equal(pkt.pro_type, NHRP_PRO_IPV4);
	assert_int_equal(pkt.type, f->type);
	assert_int_equal(pkt.hop_count, f->hops);
	assert_int_equal(pkt.pktsz, f->pktsz);
	assert_int_equal(pkt.extoff, f->extoff);
	assert_int_equal(fr->len, f->pktsz); /* no trailing bytes in these captures */
	if (f->type <= NHRP_PURGE_REPLY) {
		assert_int_equal(pkt.flags, f->flags);
		assert_int_equal(pkt.request_id, f->reqid);
	}
	assert_string_equal(fmt(&pkt.src_nbma, a), f->src_nbma);
	assert_string_equal(fmt(&pkt.src_proto, a), f->src_proto);
	assert_string_equal(fmt(&pkt.dst_proto, a), f->dst_proto);
	assert_int_equal(pkt.src_nbma_sub.len, 0);

	cie_csv_add(&c, &pkt.cies);
	for (unsigned i = 0; i < pkt.n_ext; i++) {
		const struct nhrp_ext *x = &pkt.ext[i];
		csv_num(et, sizeof(et), x->type);
		csv_num(ec, sizeof(ec), x->compulsory);
		csv_num(el, sizeof(el), x->raw.len);
		if (has_cies(x->type))
			cie_csv_add(&c, &x->u.cies);
	}
	assert_true(pkt.ext_end);
	csv_add(et, sizeof(et), "0");
	csv_add(ec, sizeof(ec), "1");
	csv_add(el, sizeof(el), "0");
	assert_string_equal(c.codes, f->codes);
	assert_string_equal(c.prefix, f->prefix);
	assert_string_equal(c.htime, f->htime);
	assert_string_equal(c.mtu, f->mtu);
	assert_string_equal(c.nbma, f->cli_nbma);
	assert_string_equal(c.proto, f->cli_proto);
	assert_string_equal(et, f->ext_type);
	assert_string_equal(ec, f->ext_c);
	assert_string_equal(el, f->ext_len);

	/* Cisco cleartext authentication: 00 00 00 01, then the password. */
	const struct nhrp_ext *auth = nhrp_ext_find(&pkt, NHRP_EXT_AUTH);
	assert_non_null(auth);
	assert_int_equal(auth->u.auth.type, NHRP_AUTH_CLEARTEXT);
	assert_int_equal(auth->u.auth.data.len, strlen(password));
	assert_memory_equal(auth->u.auth.data.p, password, strlen(password));

	/* Requests carry an empty Responder Address, replies one CIE. */
	const struct nhrp_ext *resp = nhrp_ext_find(&pkt, NHRP_EXT_RESPONDER);
	if (f->type == NHRP_RESOLUTION_REQUEST || f->type == NHRP_REGISTRATION_REQUEST)
		assert_int_equal(resp->u.cies.count, 0);
	if (f->type == NHRP_RESOLUTION_REPLY || f->type == NHRP_REGISTRATION_REPLY)
		assert_int_equal(resp->u.cies.count, 1);

	/* The builder reproduces Cisco's bytes exactly. */
	wr_init(&w, out, sizeof(out));
	rc = nhrp_build(&w, &pkt);
	if (rc != NHRP_OK)
		fail_msg("%s #%d: build: %s", f->file, f->frame, nhrp_strerror(rc));
	assert_int_equal(wr_len(&w), fr->len);
	assert_memory_equal(out, fr->b, fr->len);
}

static void test_captures(void **state)
{
	static struct nhrp_frame fr[MAX_FRAMES];
	unsigned checked = 0;

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		int n = load(files[i].file, fr, MAX_FRAMES);
		assert_int_equal(n, files[i].count);
		for (size_t j = 0; j < ARRAY_SIZE(facts); j++) {
			if (strcmp(facts[j].file, files[i].file))
				continue;
			assert_true(facts[j].frame >= 1 && facts[j].frame <= n);
			check_fact(&facts[j], &fr[facts[j].frame - 1], files[i].password);
			checked++;
		}
	}
	assert_int_equal(checked, 36);
}

/* Traffic Indication (nhrp-trace #1): code, and the packet that caused it. */
static void test_traffic_indication(void **state)
{
	struct nhrp_frame fr[4];
	struct nhrp_packet pkt;

	(void)state;
	assert_int_equal(load("tcpdump/nhrp-trace.pcap", fr, 4), 4);
	assert_int_equal(nhrp_parse(&pkt, fr[0].b, fr[0].len), NHRP_OK);
	assert_int_equal(pkt.type, NHRP_TRAFFIC_INDICATION);
	assert_int_equal(pkt.traffic_code, NHRP_TRAFFIC_REDIRECT);
	assert_string_equal(nhrp_traffic_code_name(pkt.traffic_code), "redirect");
	assert_int_equal(pkt.cies.count, 0);
	/* IPv4 header + 8 bytes: 10.255.255.3 -> 10.255.255.2, ICMP echo */
	assert_int_equal(pkt.payload.len, 28);
	assert_int_equal(pkt.payload.p[0], 0x45);
	assert_int_equal(pkt.payload.p[9], 1);
	assert_memory_equal(pkt.payload.p + 12, "\x0a\xff\xff\x03\x0a\xff\xff\x02", 8);
	assert_null(nhrp_ext_find(&pkt, NHRP_EXT_RESPONDER));
}

/* The hub's forwarding of nhrp-trace #2 is #3: hop count - 1 and its own
 * record appended to the Forward Transit NHS Record extension. */
static void test_forward_transit(void **state)
{
	struct nhrp_frame fr[4];
	struct nhrp_packet pkt;
	struct nhrp_cie me = {.mtu = 1514, .holding_time = 7200};
	uint8_t out[512], copy[512];
	struct writer w;

	(void)state;
	assert_int_equal(load("tcpdump/nhrp-trace.pcap", fr, 4), 4);
	assert_int_equal(nhrp_parse(&pkt, fr[1].b, fr[1].len), NHRP_OK);
	ipaddr_parse(&me.nbma, "192.168.200.1");
	ipaddr_parse(&me.proto, "10.255.255.1");
	pkt.hop_count--;
	assert_int_equal(nhrp_ext_append_cie(&pkt, NHRP_EXT_FWD_TRANSIT, &me), NHRP_OK);
	wr_init(&w, out, sizeof(out));
	assert_int_equal(nhrp_build(&w, &pkt), NHRP_OK);
	assert_int_equal(wr_len(&w), fr[2].len);
	assert_memory_equal(out, fr[2].b, fr[2].len);

	/* No such extension / full list / wrong type. */
	assert_int_equal(nhrp_ext_append_cie(&pkt, NHRP_EXT_AUTH, &me), NHRP_E_INVALID);
	struct nhrp_packet ti;
	assert_int_equal(nhrp_parse(&ti, fr[0].b, fr[0].len), NHRP_OK);
	assert_int_equal(nhrp_ext_append_cie(&ti, NHRP_EXT_RESPONDER, &me), NHRP_E_NO_EXT);
	for (int i = 1; i < NHRP_MAX_CIE; i++)
		assert_int_equal(nhrp_ext_append_cie(&pkt, NHRP_EXT_FWD_TRANSIT, &me), NHRP_OK);
	assert_int_equal(nhrp_ext_append_cie(&pkt, NHRP_EXT_FWD_TRANSIT, &me), NHRP_E_TOO_MANY_CIE);

	/* In-place decrement keeps the checksum valid for every hop value. */
	memcpy(copy, fr[1].b, fr[1].len);
	for (int hops = 254; hops >= 0; hops--) {
		assert_int_equal(nhrp_hop_decrement(copy, fr[1].len), hops);
		assert_int_equal(inet_csum(copy, fr[1].len), 0);
		assert_int_equal(nhrp_checksum(copy, fr[1].len),
		                 (uint16_t)(copy[12] << 8 | copy[13]));
	}
	assert_int_equal(nhrp_hop_decrement(copy, fr[1].len), NHRP_E_HOP_COUNT);
	assert_int_equal(nhrp_hop_decrement(copy, 19), NHRP_E_SHORT);
	assert_int_equal(nhrp_parse(&pkt, copy, fr[1].len), NHRP_OK);
	assert_int_equal(pkt.hop_count, 0);
}

/* A Registration Request built from scratch with extensions added out of
 * order comes out as Cisco's NHRP_registration #1. */
static void test_build_cisco_layout(void **state)
{
	struct nhrp_frame fr[4];
	struct nhrp_packet pkt;
	struct nhrp_ext *x;
	struct nhrp_cie nat = {.prefix_len = 32, .mtu = 17912};
	uint8_t out[512];
	struct writer w;

	(void)state;
	assert_int_equal(load("tcpdump/NHRP_registration.pcap", fr, 4), 4);
	nhrp_packet_init(&pkt, NHRP_REGISTRATION_REQUEST, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	pkt.flags = NHRP_FLAG_REG_U | NHRP_FLAG_CISCO_NAT;
	pkt.request_id = 1;
	ipaddr_parse(&pkt.src_nbma, "169.254.100.1");
	ipaddr_parse(&pkt.src_proto, "155.1.0.1");
	ipaddr_parse(&pkt.dst_proto, "155.1.0.5");
	pkt.cies.count = 1;
	pkt.cies.e[0] = (struct nhrp_cie){.prefix_len = 32, .mtu = 17912, .holding_time = 7200};

	assert_non_null(x = nhrp_ext_add(&pkt, NHRP_EXT_CISCO_NAT));
	ipaddr_parse(&nat.nbma, "169.254.100.5");
	ipaddr_parse(&nat.proto, "155.1.0.5");
	x->u.cies.e[x->u.cies.count++] = nat;
	assert_non_null(x = nhrp_ext_add(&pkt, NHRP_EXT_AUTH));
	x->u.auth.type = NHRP_AUTH_CLEARTEXT;
	x->u.auth.data = (struct nhrp_raw){(const uint8_t *)"NHRPAUTH", 8};
	assert_non_null(nhrp_ext_add(&pkt, NHRP_EXT_REV_TRANSIT));
	assert_non_null(nhrp_ext_add(&pkt, NHRP_EXT_RESPONDER));
	assert_non_null(nhrp_ext_add(&pkt, NHRP_EXT_FWD_TRANSIT));
	assert_ptr_equal(nhrp_ext_add(&pkt, NHRP_EXT_RESPONDER), &pkt.ext[0]); /* singleton */
	assert_int_equal(pkt.n_ext, 5);

	wr_init(&w, out, sizeof(out));
	assert_int_equal(nhrp_build(&w, &pkt), NHRP_OK);
	assert_int_equal(wr_len(&w), fr[0].len);
	assert_memory_equal(out, fr[0].b, fr[0].len);

	/* Cisco order and compulsory bits: 3 4 5 7 9 8 <unknown>. */
	assert_non_null(nhrp_ext_add(&pkt, 0x123));
	assert_non_null(nhrp_ext_add(&pkt, NHRP_EXT_VENDOR));
	assert_non_null(nhrp_ext_add(&pkt, NHRP_EXT_VENDOR)); /* may repeat */
	const uint16_t order[] = {3, 4, 5, 7, 9, 8, 8, 0x123};
	const bool comp[] = {1, 1, 1, 1, 0, 0, 0, 0};
	assert_int_equal(pkt.n_ext, ARRAY_SIZE(order));
	for (size_t i = 0; i < ARRAY_SIZE(order); i++) {
		assert_int_equal(pkt.ext[i].type, order[i]);
		assert_int_equal(pkt.ext[i].compulsory, comp[i]);
	}
	assert_null(nhrp_ext_add(&pkt, NHRP_EXT_END));
	assert_null(nhrp_ext_add(&pkt, 0x4000));
	while (pkt.n_ext < NHRP_MAX_EXT)
		assert_non_null(nhrp_ext_add(&pkt, NHRP_EXT_VENDOR));
	assert_null(nhrp_ext_add(&pkt, NHRP_EXT_VENDOR));
}

/* ---- round trips ---------------------------------------------------------- */

static void fill_cie(struct nhrp_cie *e, struct nhrp_packet *p, int n, uint8_t code)
{
	char s[64];

	memset(e, 0, sizeof(*e));
	e->code = code;
	e->prefix_len = p->pro_type == NHRP_PRO_IPV6 ? 128 : 32;
	e->mtu = 1400;
	e->holding_time = (uint16_t)(600 + n);
	e->preference = (uint8_t)n;
	snprintf(s, sizeof(s), p->afn == NHRP_AFN_IPV6 ? "2001:db8::%d" : "198.51.100.%d", n);
	ipaddr_parse(&e->nbma, s);
	snprintf(s, sizeof(s), p->pro_type == NHRP_PRO_IPV6 ? "fd00::%d" : "10.0.0.%d", n);
	ipaddr_parse(&e->proto, s);
}

static void roundtrip(struct nhrp_packet *p)
{
	static uint8_t out[4096], out2[4096];
	static struct nhrp_packet q;
	struct writer w;
	size_t len;
	int rc;

	wr_init(&w, out, sizeof(out));
	rc = nhrp_build(&w, p);
	if (rc != NHRP_OK)
		fail_msg("build %s: %s", nhrp_type_name(p->type), nhrp_strerror(rc));
	len = wr_len(&w);
	rc = nhrp_parse(&q, out, len);
	if (rc != NHRP_OK)
		fail_msg("parse %s: %s", nhrp_type_name(p->type), nhrp_strerror(rc));
	assert_true(nhrp_packet_eq(p, &q));
	assert_int_equal(q.pktsz, len);
	wr_init(&w, out2, sizeof(out2));
	assert_int_equal(nhrp_build(&w, &q), NHRP_OK);
	assert_int_equal(wr_len(&w), len);
	assert_memory_equal(out, out2, len);
	/* A tiny writer fails with a name, at every size. */
	for (size_t cap = 0; cap < len; cap++) {
		wr_init(&w, out2, cap);
		assert_int_equal(nhrp_build(&w, p), NHRP_E_NOSPACE);
	}
}

static void build_all(uint16_t afn, uint16_t pro)
{
	static struct nhrp_packet p;
	static const uint8_t sub[] = {0xaa, 0xbb, 0xcc};
	static const uint8_t vend[] = {1, 2, 3, 4, 5};
	static const uint8_t unk[] = {9, 8, 7};
	static const uint8_t inner[] = {0x45, 0, 0,  28, 0, 0, 0, 0, 64, 1, 0, 0, 10, 0,
	                                0,    1, 10, 0,  0, 2, 8, 0, 0,  0, 0, 0, 0,  0};
	struct nhrp_ext *x;

	for (unsigned type = 1; type <= 8; type++) {
		nhrp_packet_init(&p, (enum nhrp_type)type, (enum nhrp_afn)afn, (enum nhrp_pro)pro);
		p.hop_count = (uint8_t)(200 + type);
		struct nhrp_cie tmp;
		fill_cie(&tmp, &p, 1, 0);
		p.src_nbma = tmp.nbma;
		p.src_proto = tmp.proto;
		fill_cie(&tmp, &p, 2, 0);
		p.dst_proto = tmp.proto;
		if (type <= NHRP_PURGE_REPLY) {
			p.flags =
			    type & 1 ? NHRP_FLAG_RES_Q | NHRP_FLAG_CISCO_NAT : NHRP_FLAG_PURGE_N;
			p.request_id = 0xdeadbe00u + type;
			p.cies.count = 2;
			fill_cie(&p.cies.e[0], &p, 3, 0);
			fill_cie(&p.cies.e[1], &p, 4, NHRP_CIE_ALREADY_REGISTERED);
			p.cies.e[1].nbma_sub = (struct nhrp_raw){sub, sizeof(sub)};
			memset(&p.cies.e[1].proto, 0, sizeof(p.cies.e[1].proto));
		} else if (type == NHRP_ERROR_INDICATION) {
			p.error_code = NHRP_ERROR_UNRECOGNIZED_EXTENSION;
			p.error_offset = 52;
			p.payload = (struct nhrp_raw){inner, sizeof(inner)};
		} else {
			p.traffic_code = NHRP_TRAFFIC_REDIRECT;
			p.payload = (struct nhrp_raw){inner, sizeof(inner)};
		}
		p.src_nbma_sub = (struct nhrp_raw){sub, type == 5 ? sizeof(sub) : 0};
		roundtrip(&p); /* no extensions */
		p.ext_end = true;
		roundtrip(&p); /* End only */
		p.ext_end = false;

		x = nhrp_ext_add(&p, NHRP_EXT_RESPONDER);
		fill_cie(&x->u.cies.e[x->u.cies.count++], &p, 5, 0);
		x = nhrp_ext_add(&p, NHRP_EXT_FWD_TRANSIT);
		for (int i = 0; i < NHRP_MAX_CIE; i++)
			fill_cie(&x->u.cies.e[x->u.cies.count++], &p, 10 + i, 0);
		nhrp_ext_add(&p, NHRP_EXT_REV_TRANSIT);
		x = nhrp_ext_add(&p, NHRP_EXT_AUTH);
		x->u.auth.type = NHRP_AUTH_CLEARTEXT;
		x->u.auth.data = (struct nhrp_raw){(const uint8_t *)"secret", 6};
		x = nhrp_ext_add(&p, NHRP_EXT_CISCO_NAT);
		fill_cie(&x->u.cies.e[x->u.cies.count++], &p, 6, 0);
		x = nhrp_ext_add(&p, NHRP_EXT_VENDOR);
		x->u.vendor.oui = 0x00000c;
		x->u.vendor.data = (struct nhrp_raw){vend, sizeof(vend)};
		x = nhrp_ext_add(&p, NHRP_EXT_VENDOR);
		x->u.vendor.oui = 0x123456;
		x = nhrp_ext_add(&p, 0x2345);
		x->raw = (struct nhrp_raw){unk, sizeof(unk)};
		x = nhrp_ext_add(&p, 0x3fff); /* empty unknown */
		roundtrip(&p);
	}
}

static void test_roundtrip_ipv4(void **state)
{
	(void)state;
	build_all(NHRP_AFN_IPV4, NHRP_PRO_IPV4);
}

static void test_roundtrip_ipv6(void **state)
{
	(void)state;
	build_all(NHRP_AFN_IPV6, NHRP_PRO_IPV6);
	build_all(NHRP_AFN_IPV4, NHRP_PRO_IPV6); /* IPv6 overlay on IPv4 NBMA */
	build_all(NHRP_AFN_IPV6, NHRP_PRO_IPV4);
}

/* An Error Indication carries the packet in error; it parses on its own. */
static void test_error_indication(void **state)
{
	struct nhrp_frame fr[1];
	static struct nhrp_packet ei, bad, inner;
	uint8_t out[512];
	struct writer w;

	(void)state;
	assert_int_equal(load("tcpdump/ios_nhrp.pcap", fr, 1), 1);
	assert_int_equal(nhrp_parse(&bad, fr[0].b, fr[0].len), NHRP_OK);
	nhrp_packet_init(&ei, NHRP_ERROR_INDICATION, NHRP_AFN_IPV4, NHRP_PRO_IPV4);
	ipaddr_parse(&ei.src_nbma, "10.0.12.1");
	ipaddr_parse(&ei.src_proto, "192.168.0.1");
	ei.dst_proto = bad.src_proto;
	ei.error_code = NHRP_ERROR_AUTHENTICATION_FAILURE;
	ei.error_offset = bad.extoff;
	ei.payload = (struct nhrp_raw){fr[0].b, (uint16_t)fr[0].len};
	wr_init(&w, out, sizeof(out));
	assert_int_equal(nhrp_build(&w, &ei), NHRP_OK);
	assert_int_equal(wr_len(&w), 20 + 8 + 12 + fr[0].len);
	assert_int_equal(nhrp_parse(&ei, out, wr_len(&w)), NHRP_OK);
	assert_int_equal(ei.type, NHRP_ERROR_INDICATION);
	assert_int_equal(ei.error_code, 11);
	assert_string_equal(nhrp_error_code_name(ei.error_code), "Authentication Failure");
	assert_int_equal(ei.error_offset, 52);
	assert_int_equal(ei.extoff, 0);
	assert_int_equal(nhrp_parse(&inner, ei.payload.p, ei.payload.len), NHRP_OK);
	assert_true(nhrp_packet_eq(&inner, &bad));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_captures),           cmocka_unit_test(test_traffic_indication),
	    cmocka_unit_test(test_forward_transit),    cmocka_unit_test(test_build_cisco_layout),
	    cmocka_unit_test(test_roundtrip_ipv4),     cmocka_unit_test(test_roundtrip_ipv6),
	    cmocka_unit_test(test_error_indication),   cmocka_unit_test(test_pb_nhrp_1),
	    cmocka_unit_test(test_truncations),        cmocka_unit_test(test_bitflips),
	    cmocka_unit_test(test_checksum),           cmocka_unit_test(test_named_errors),
	    cmocka_unit_test(test_unknown_extensions), cmocka_unit_test(test_build_errors),
	    cmocka_unit_test(test_packet_eq),          cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
