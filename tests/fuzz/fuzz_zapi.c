/* libFuzzer target: the ZAPI stream splitter and message parser over a
 * byte stream as zebra would send it, and build -> parse consistency of
 * route messages made from the input. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "frr-integration/zapi.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

static void fuzz_build(const uint8_t *data, size_t size)
{
	struct zapi_route r = {0};
	uint8_t buf[1024], a[16] = {0};
	struct zapi_hdr h;
	bool v6, mixed;
	long n;

	if (size < 3)
		return;
	v6 = data[0] & 1;
	mixed = data[0] & 2; /* a next hop of the other family: must be refused */
	r.n_nh = data[1] % (ZAPI_MAX_NH + 2);
	r.dst.plen = data[2];
	memcpy(a, data + 3, size - 3 < sizeof(a) ? size - 3 : sizeof(a));
	if (ipaddr_from_bytes(&r.dst.addr, a, v6 ? 16 : 4) < 0)
		return;
	r.dst.addr.family = v6 ? AF_INET6 : AF_INET;
	for (unsigned i = 0; i < r.n_nh && i < ZAPI_MAX_NH; i++) {
		bool nv6 = (mixed && i == 1) ? !v6 : v6;
		ipaddr_from_bytes(&r.nh[i].via, a, nv6 ? 16 : 4);
		r.nh[i].via.family = nv6 ? AF_INET6 : AF_INET;
		r.nh[i].via.b[0] ^= (uint8_t)i;
		r.nh[i].ifindex = i;
		r.nh[i].onlink = i & 1;
	}
	for (int add = 0; add < 2; add++) {
		n = zapi_route_build(&zapi_frr_8_4, buf, sizeof(buf), add, &r);
		if (r.dst.plen > (v6 ? 128 : 32) ||
		    (add && (r.n_nh == 0 || r.n_nh > ZAPI_MAX_NH || (mixed && r.n_nh >= 2))))
			CHECK(n < 0);
		if (n < 0)
			continue;
		CHECK(n >= ZAPI_HDR_LEN && (size_t)n <= sizeof(buf));
		CHECK(zapi_split(buf, (size_t)n) == n);
		CHECK(zapi_hdr_parse(buf, (size_t)n, &h) == 0 && h.len == n);
		CHECK(h.command == zapi_frr_8_4.cmd[add ? ZAPI_CMD_ROUTE_ADD : ZAPI_CMD_ROUTE_DELETE]);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off = 0;
	long n;

	while ((n = zapi_split(data + off, size - off)) > 0) {
		struct zapi_msg m;
		CHECK((size_t)n >= ZAPI_HDR_LEN && (size_t)n <= size - off);
		if (zapi_msg_parse(&zapi_frr_8_4, data + off, (size_t)n, &m) == 0 &&
		    m.cmd == ZAPI_CMD_ROUTE_NOTIFY_OWNER) {
			CHECK(m.notify.dst.addr.len == 4 || m.notify.dst.addr.len == 16);
			CHECK(m.notify.dst.plen <= m.notify.dst.addr.len * 8);
		}
		off += (size_t)n;
	}
	fuzz_build(data, size);
	return 0;
}
