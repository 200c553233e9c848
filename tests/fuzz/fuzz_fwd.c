/* libFuzzer target: the underlay receive path of the data plane
 * (ovl_fwd_gre_input: GRE, key check, keepalive recognition, inner IP
 * classification and in-place Ethernet framing) and the hub's relay key.
 * First byte: bit 0 key configured, bit 1 hub; the rest is the GRE packet
 * as it comes off the raw socket. No TAP, no sockets, no engine: whatever
 * would be written or sent is counted as dropped. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/log.h"
#include "overlay/iface.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEADROOM 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ovl_if *oif;
	struct ipaddr src;
	uint8_t *buf;

	if (!oif) {
		log_init("fuzz_fwd", LOG_DEST_NONE, LOG_LVL_ERROR);
		oif = calloc(1, sizeof(*oif));
		oif->relay = calloc(1, sizeof(*oif->relay));
		if (!oif || !oif->relay)
			abort();
		oif->sock4 = oif->sock6 = -1;
		oif->tap.fd = -1;
		oif->mtu = 1400;
		oif->key = 42;
		ipaddr_parse(&oif->nbma4, "198.18.0.1");
	}
	if (size < 1 || size - 1 > 65536)
		return 0;
	oif->has_key = data[0] & 1;
	oif->hub = (data[0] & 2) != 0;
	ipaddr_parse(&src, (data[0] & 4) ? "2001:db8::2" : "198.18.0.2");
	/* an exact-size copy behind the headroom, so ASan sees overreads */
	buf = malloc(HEADROOM + size);
	if (!buf)
		return 0;
	memcpy(buf + HEADROOM, data + 1, size - 1);
	ovl_fwd_gre_input(oif, &src, buf + HEADROOM, size - 1, 1.0);
	(void)ovl_relay_key(data + 1, size - 1);
	free(buf);
	return 0;
}
