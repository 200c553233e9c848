/* libFuzzer target: gre_parse, the Cisco MetaData shim, keepalive
 * recognition, and build -> parse consistency of whatever parsed. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "gre/gre.h"
#include "gre/keepalive.h"
#include "lib/writer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

static bool inside(const uint8_t *p, size_t n, const uint8_t *buf, size_t len)
{
	return p >= buf && n <= len && (size_t)(p - buf) <= len - n;
}

static void fuzz_rebuild(const struct gre_hdr *g)
{
	static uint8_t out[65536 + GRE_HDR_MAX];
	struct writer w;
	struct gre_hdr h;

	wr_init(&w, out, sizeof(out));
	if (gre_build(&w, g, g->payload, g->payload_len) != 0)
		abort();
	CHECK(gre_parse(&h, out, wr_len(&w)) == 0);
	CHECK(h.protocol == g->protocol && h.hdr_len == g->hdr_len);
	CHECK(h.key_present == g->key_present && h.key == g->key);
	CHECK(h.seq_present == g->seq_present && h.seq == g->seq);
	CHECK(h.payload_len == g->payload_len);
	CHECK(memcmp(h.payload, g->payload, g->payload_len) == 0);
}

static void fuzz_keepalive(const struct gre_hdr *g, const uint8_t *data, size_t size)
{
	struct gre_ka_request kr;
	struct gre_ka_reply rep;
	struct gre_hdr inner;
	struct ipaddr src;
	int rc;

	/* the first bytes as a claimed outer source address */
	if (size >= 4 && ipaddr_from_bytes(&src, data, 4) == 0)
		(void)gre_ka_request_parse(&kr, g, &src);
	rc = gre_ka_request_parse(&kr, g, NULL);
	if (rc == 0) {
		CHECK(inside(kr.reflect, kr.reflect_len, data, size));
		CHECK(inside(kr.reflect_gre, kr.reflect_gre_len, kr.reflect, kr.reflect_len));
		CHECK(kr.inner.protocol == GRE_PROTO_KEEPALIVE);
		CHECK(gre_parse(&inner, kr.reflect_gre, kr.reflect_gre_len) == 0);
		CHECK(gre_ka_reply_parse(&rep, &inner) == 0);
	}
	if (gre_ka_reply_parse(&rep, g) == 0) {
		const uint8_t *p;
		size_t len;
		uint16_t proto;

		CHECK(gre_payload_unwrap(g, &proto, &p, &len, NULL) == 0);
		CHECK(proto == GRE_PROTO_KEEPALIVE);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct gre_hdr g;
	struct gre_cmd cmd;
	const uint8_t *p;
	size_t len;
	uint16_t proto;
	int32_t sgt;
	int rc;

	(void)gre_cmd_parse(&cmd, data, size);
	rc = gre_parse(&g, data, size);
	CHECK(gre_strerror(rc)[0] != '?');
	if (rc != 0)
		return 0;
	CHECK(g.hdr_len >= GRE_HDR_MIN && g.hdr_len <= GRE_HDR_MAX);
	CHECK(inside(g.payload, g.payload_len, data, size));
	CHECK(g.hdr_len + g.payload_len == size);
	(void)gre_proto_name(g.protocol);
	if (gre_payload_unwrap(&g, &proto, &p, &len, &sgt) == 0)
		CHECK(inside(p, len, data, size));
	fuzz_rebuild(&g);
	fuzz_keepalive(&g, data, size);
	return 0;
}
