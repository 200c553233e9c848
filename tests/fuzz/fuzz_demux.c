/* libFuzzer target: UDP 500/4500 and protocol 50 demultiplexing and ESP
 * framing. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "overlay/demux.h"

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

static void check(int rc, const struct demux_result *r, const uint8_t *data, size_t size)
{
	struct esp_frame f;

	CHECK(demux_strerror(rc)[0] != '?');
	(void)demux_class_name(r->cls);
	if (rc != 0) {
		CHECK(r->cls == DEMUX_NONE);
		return;
	}
	CHECK(r->cls != DEMUX_NONE && inside(r->data, r->len, data, size));
	if (r->cls == DEMUX_ESP) {
		CHECK(esp_frame_parse(&f, r->data, r->len) == 0);
		CHECK(f.spi > ESP_SPI_RESERVED_MAX && f.body_len >= 1);
		CHECK(inside(f.body, f.body_len, r->data, r->len));
	}
	if (r->cls == DEMUX_IKE)
		CHECK(r->len >= DEMUX_IKE_HDR_LEN);
	if (r->cls == DEMUX_NATT_KA)
		CHECK(r->len == 1 && r->data[0] == 0xFF);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct demux_result r;
	struct esp_frame f;

	check(demux_udp4500(&r, data, size), &r, data, size);
	check(demux_udp500(&r, data, size), &r, data, size);
	check(demux_ip50(&r, data, size), &r, data, size);
	if (size >= 2)
		check(demux_udp(&r, (uint16_t)(data[0] << 8 | data[1]), data + 2, size - 2), &r,
		      data + 2, size - 2);
	if (esp_frame_parse(&f, data, size) == 0)
		CHECK(inside(f.body, f.body_len, data, size));
	return 0;
}
