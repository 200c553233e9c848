/* libFuzzer target: nhrp_parse on arbitrary bytes, and the round trip
 * parse -> build -> parse must be stable (equal packets, identical bytes on
 * a second build). The in-place hop decrement must keep the packet valid. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/writer.h"
#include "nhrp/packet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct nhrp_packet a, b, c;
static uint8_t out[0x10000], out2[0x10000], copy[0x10000], fixed[0x10000];

static int one(const uint8_t *data, size_t size)
{
	struct writer w;
	size_t len;
	int rc, rc2;

	rc = nhrp_parse(&a, data, size);
	if (!nhrp_strerror(rc)[0])
		abort();
	if (rc != NHRP_OK && rc != NHRP_E_EXT_UNKNOWN_COMPULSORY)
		return 0;
	if (a.pktsz > size || a.err_offset > a.pktsz)
		abort();

	/* parse -> build -> parse gives the same packet */
	wr_init(&w, out, sizeof(out));
	if (nhrp_build(&w, &a) != NHRP_OK)
		abort();
	len = wr_len(&w);
	if (len != a.pktsz) /* canonical encoding keeps every length */
		abort();
	rc2 = nhrp_parse(&b, out, len);
	if (rc2 != rc || !nhrp_packet_eq(&a, &b) || b.extoff != a.extoff)
		abort();
	if (rc == NHRP_E_EXT_UNKNOWN_COMPULSORY && b.err_offset != a.err_offset)
		abort();
	wr_init(&w, out2, sizeof(out2));
	if (nhrp_build(&w, &b) != NHRP_OK || wr_len(&w) != len || memcmp(out, out2, len))
		abort();

	/* forwarding: hop count - 1 in place, checksum still valid */
	memcpy(copy, data, a.pktsz);
	rc2 = nhrp_hop_decrement(copy, a.pktsz);
	if (a.hop_count == 0) {
		if (rc2 != NHRP_E_HOP_COUNT)
			abort();
		return 0;
	}
	if (rc2 != a.hop_count - 1 || nhrp_parse(&c, copy, a.pktsz) != rc)
		abort();
	c.hop_count++;
	if (!nhrp_packet_eq(&a, &c))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t pktsz;

	one(data, size);
	/* Random mutations rarely keep the checksum right; also try the input
	 * with its checksum repaired so the deeper checks get exercised. */
	if (size < NHRP_FIXED_LEN || size > sizeof(fixed))
		return 0;
	pktsz = (size_t)(data[10] << 8 | data[11]);
	if (pktsz < NHRP_FIXED_LEN || pktsz > size)
		return 0;
	memcpy(fixed, data, size);
	nhrp_checksum_fix(fixed, pktsz);
	one(fixed, size);
	return 0;
}
