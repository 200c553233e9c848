/* libFuzzer target for the decode frame walker: link layer -> IP -> GRE /
 * UDP / ESP -> the GRE, NHRP, IKE and ESP codecs -> the text and JSON
 * printers. The first input byte picks the link type (and, with its top
 * bit, pretends the frame was cut short by the snapshot length); the rest
 * is the frame.
 */
#include <pcap/dlt.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/decode.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const int dlts[] = {
    DLT_EN10MB, DLT_RAW, DLT_IPV4, DLT_IPV6, DLT_NULL, DLT_LOOP, DLT_LINUX_SLL, DLT_LINUX_SLL2,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct decode_ctx *ctx;
	static FILE *sink;
	struct decode_frame f = {0};

	if (!ctx)
		ctx = decode_ctx_new();
	if (!sink)
		sink = fopen("/dev/null", "w");
	if (!ctx || !sink || size < 1)
		return 0;
	f.number = 1;
	f.dlt = dlts[(data[0] & 0x7f) % ARRAY_SIZE(dlts)];
	f.data = data + 1;
	f.caplen = size - 1;
	f.wirelen = f.caplen + (data[0] & 0x80 ? 100 : 0);
	decode_frame_print(ctx, &f, false, sink);
	decode_frame_print(ctx, &f, true, sink);
	return 0;
}
