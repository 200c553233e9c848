/* libFuzzer target: ip_parse (IPv4/IPv6 with extension headers), udp_parse
 * and its checksum, and the ICMP too-big builder over whatever parsed. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/writer.h"
#include "overlay/ip.h"

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

static void fuzz_too_big(const struct ip_info *ip, const uint8_t *data, size_t size)
{
	static uint8_t out[1500];
	struct ipaddr from;
	struct writer w;
	struct ip_info e;
	int rc;

	if (ip->version == 4)
		ipaddr_parse(&from, "192.0.2.1");
	else
		ipaddr_parse(&from, "2001:db8::1");
	wr_init(&w, out, sizeof(out));
	rc = ip_icmp_too_big_build(&w, data, size, &from, 1280);
	CHECK(ip_strerror(rc)[0] != '?');
	if (rc != 0)
		return;
	CHECK(ip_parse(&e, out, wr_len(&w)) == 0);
	CHECK(ipaddr_eq(&e.dst, &ip->src));
	CHECK(e.tot_len == wr_len(&w) && wr_len(&w) <= (ip->version == 4 ? 576u : 1280u));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ip_info ip;
	struct udp_info u;
	int rc;

	rc = udp_parse(&u, data, size);
	CHECK(ip_strerror(rc)[0] != '?');
	if (rc == 0)
		CHECK(inside(u.payload, u.payload_len, data, size));
	rc = ip_parse(&ip, data, size);
	CHECK(ip_strerror(rc)[0] != '?');
	if (rc != 0)
		return 0;
	CHECK(ip.version == 4 || ip.version == 6);
	CHECK(ip.tot_len <= size && ip.hdr_len + ip.payload_len == ip.tot_len);
	CHECK(inside(ip.payload, ip.payload_len, data, size));
	(void)ip_proto_name(ip.proto);
	if (ip.proto == IPPROTO_NUM_UDP && udp_parse(&u, ip.payload, ip.payload_len) == 0) {
		CHECK(inside(u.payload, u.payload_len, ip.payload, ip.payload_len));
		rc = udp_csum_check(&ip, &u);
		CHECK(rc == 0 || rc == IP_E_UDP_CHECKSUM);
	}
	fuzz_too_big(&ip, data, size);
	return 0;
}
