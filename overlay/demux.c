/* Underlay demultiplexing (RFC 3948 section 2) and ESP framing (RFC 4303
 * section 2). Classification only: nothing here decrypts or looks up SAs. */
#include "overlay/demux.h"

#include <string.h>

#include "lib/cursor.h"
#include "lib/writer.h"

static const char *const demux_err_names[] = {
    [0] = "ok",
    [-DEMUX_E_EMPTY] = "empty UDP payload",
    [-DEMUX_E_SHORT] = "UDP payload too short for IKE or ESP",
    [-DEMUX_E_IKE_SHORT] = "IKE message shorter than its header",
    [-DEMUX_E_ESP_SHORT] = "ESP packet too short",
    [-DEMUX_E_SPI_ZERO] = "ESP SPI 0",
    [-DEMUX_E_SPI_RESERVED] = "ESP SPI in reserved range 1-255",
    [-DEMUX_E_PORT] = "UDP port is not IKE or NAT-T",
    [-DEMUX_E_MARKER_ON_500] = "non-ESP marker on port 500",
};

const char *demux_strerror(int err)
{
	if (err > 0 || err <= DEMUX_E_MAX_)
		return "?";
	return demux_err_names[-err];
}

const char *demux_class_name(enum demux_class c)
{
	switch (c) {
	case DEMUX_NATT_KA:
		return "natt-keepalive";
	case DEMUX_IKE:
		return "ike";
	case DEMUX_ESP:
		return "esp";
	case DEMUX_NONE:
		break;
	}
	return "none";
}

int esp_frame_parse(struct esp_frame *f, const uint8_t *p, size_t len)
{
	struct cursor c;

	memset(f, 0, sizeof(*f));
	if (!p || len < ESP_HDR_LEN + 1)
		return DEMUX_E_ESP_SHORT;
	cur_init(&c, p, len);
	f->spi = cur_be32(&c);
	f->seq = cur_be32(&c);
	if (!cur_ok(&c) || cur_left(&c) < 1)
		return DEMUX_E_ESP_SHORT;
	if (f->spi == 0)
		return DEMUX_E_SPI_ZERO;
	if (f->spi <= ESP_SPI_RESERVED_MAX)
		return DEMUX_E_SPI_RESERVED;
	f->body = c.p;
	f->body_len = cur_left(&c);
	return DEMUX_OK;
}

static int demux_set(struct demux_result *r, enum demux_class cls, const uint8_t *p, size_t len)
{
	r->cls = cls;
	r->data = p;
	r->len = len;
	return DEMUX_OK;
}

static int demux_esp(struct demux_result *r, const uint8_t *p, size_t len)
{
	struct esp_frame f;
	int rc = esp_frame_parse(&f, p, len);

	if (rc < 0)
		return rc;
	return demux_set(r, DEMUX_ESP, p, len);
}

/* RFC 3948 2.2/2.3: the checks in the order a receiver must make them. */
int demux_udp4500(struct demux_result *r, const uint8_t *p, size_t len)
{
	memset(r, 0, sizeof(*r));
	if (len == 0)
		return DEMUX_E_EMPTY;
	if (len == 1 && p[0] == DEMUX_NATT_KEEPALIVE)
		return demux_set(r, DEMUX_NATT_KA, p, len);
	if (len < DEMUX_NONESP_MARKER)
		return DEMUX_E_SHORT;
	if (p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0) {
		if (len - DEMUX_NONESP_MARKER < DEMUX_IKE_HDR_LEN)
			return DEMUX_E_IKE_SHORT;
		return demux_set(r, DEMUX_IKE, p + DEMUX_NONESP_MARKER, len - DEMUX_NONESP_MARKER);
	}
	return demux_esp(r, p, len);
}

int demux_udp500(struct demux_result *r, const uint8_t *p, size_t len)
{
	memset(r, 0, sizeof(*r));
	if (len == 0)
		return DEMUX_E_EMPTY;
	if (len < DEMUX_IKE_HDR_LEN)
		return DEMUX_E_IKE_SHORT;
	/* The initiator SPI is never zero (RFC 7296 3.1), so four zero bytes
	 * here are a NAT-T peer talking to the wrong port. */
	if (p[0] == 0 && p[1] == 0 && p[2] == 0 && p[3] == 0)
		return DEMUX_E_MARKER_ON_500;
	return demux_set(r, DEMUX_IKE, p, len);
}

int demux_udp(struct demux_result *r, uint16_t port, const uint8_t *p, size_t len)
{
	if (port == DEMUX_PORT_NATT)
		return demux_udp4500(r, p, len);
	if (port == DEMUX_PORT_IKE)
		return demux_udp500(r, p, len);
	memset(r, 0, sizeof(*r));
	return DEMUX_E_PORT;
}

int demux_ip50(struct demux_result *r, const uint8_t *p, size_t len)
{
	memset(r, 0, sizeof(*r));
	if (len == 0)
		return DEMUX_E_EMPTY;
	return demux_esp(r, p, len);
}

void demux_natt_keepalive_write(struct writer *w)
{
	wr_u8(w, DEMUX_NATT_KEEPALIVE);
}

void demux_marker_write(struct writer *w)
{
	wr_be32(w, 0);
}
