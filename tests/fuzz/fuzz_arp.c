/* libFuzzer target: the overlay link-layer parsers (ARP requests, IPv6
 * Neighbor Solicitations, frame classification) and the answers built from
 * whatever they accept. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "overlay/arp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[ARP_ANSWER_MAX], mac[ARP_MAC_LEN];
	struct arp_query q, again;
	enum arp_frame_kind kind;
	int err, len;

	/* Copy so that ASan sees reads past the exact input size. */
	uint8_t *frame = malloc(size ? size : 1);
	if (!frame)
		return 0;
	memcpy(frame, data, size);

	kind = arp_frame_classify(frame, size);
	if (!arp_frame_kind_name(kind))
		abort();
	err = arp_query_parse(frame, size, &q);
	if (!arp_strerror(err))
		abort();
	if (err == ARP_OK) {
		if (kind != ARP_FRAME_ARP && kind != ARP_FRAME_ND_NS)
			abort(); /* the classifier and the parser must agree */
		peer_mac_from_index(mac, (uint32_t)size);
		len = arp_answer_build(out, sizeof(out), &q, mac);
		if (len <= 0 || len > ARP_ANSWER_MAX)
			abort();
		/* An answer is never itself a query. */
		if (arp_query_parse(out, (size_t)len, &again) == ARP_OK)
			abort();
		if (arp_frame_classify(out, (size_t)len) == ARP_FRAME_INVALID)
			abort();
	} else if (err > 0 || err <= -ARP_ERR_COUNT) {
		abort();
	}
	free(frame);
	return 0;
}
