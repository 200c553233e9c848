/* Underlay demultiplexing (RFC 3948) and ESP framing (RFC 4303).
 *
 * UDP/4500 carries three things: a NAT-T keepalive (one 0xFF byte), IKE
 * behind a four-byte zero non-ESP marker, or ESP (whose SPI is never 0).
 * UDP/500 is always IKE without a marker. Raw IP protocol 50 is ESP.
 * esp_frame_parse() splits ESP into SPI, sequence number and the opaque
 * rest (IV + ciphertext + ICV): the SAD lookup needs no more than that.
 * All functions are pure.
 */
#ifndef DMVPN_OVERLAY_DEMUX_H
#define DMVPN_OVERLAY_DEMUX_H

#include <stddef.h>
#include <stdint.h>

struct writer;

#define DEMUX_PORT_IKE       500
#define DEMUX_PORT_NATT      4500
#define DEMUX_NONESP_MARKER  4    /* bytes of zero before IKE on 4500 */
#define DEMUX_NATT_KEEPALIVE 0xFF /* RFC 3948 section 2.3 */
#define DEMUX_IKE_HDR_LEN    28   /* IKE header: the shortest IKE message */
#define ESP_HDR_LEN          8    /* SPI + sequence number */
#define ESP_SPI_RESERVED_MAX 255  /* SPIs 1..255 are reserved (RFC 4303 2.1) */

enum demux_class {
	DEMUX_NONE = 0,
	DEMUX_NATT_KA, /* NAT-T keepalive: drop (refreshes the NAT mapping) */
	DEMUX_IKE,     /* data/len: the IKE message (after any marker) */
	DEMUX_ESP,     /* data/len: the ESP packet from the SPI on */
};

enum demux_err {
	DEMUX_OK = 0,
	DEMUX_E_EMPTY = -1,         /* zero-length payload */
	DEMUX_E_SHORT = -2,         /* 1..3 bytes that are not a keepalive */
	DEMUX_E_IKE_SHORT = -3,     /* IKE shorter than its 28-byte header */
	DEMUX_E_ESP_SHORT = -4,     /* ESP shorter than SPI + sequence + 1 */
	DEMUX_E_SPI_ZERO = -5,      /* ESP SPI 0 (only possible on raw 50) */
	DEMUX_E_SPI_RESERVED = -6,  /* ESP SPI 1..255 */
	DEMUX_E_PORT = -7,          /* UDP port neither 500 nor 4500 */
	DEMUX_E_MARKER_ON_500 = -8, /* non-ESP marker on port 500 (IKE SPI 0) */
	DEMUX_E_MAX_ = -9
};

struct demux_result {
	enum demux_class cls;
	const uint8_t *data;
	size_t len;
};

struct esp_frame {
	uint32_t spi;        /* never 0 or reserved when parse succeeded */
	uint32_t seq;        /* low 32 bits of the sequence number */
	const uint8_t *body; /* IV + encrypted data + ICV: opaque here */
	size_t body_len;     /* >= 1 */
};

/* Classifies a UDP payload received on port 4500. Returns 0 or a negative
 * demux_err (r->cls is DEMUX_NONE then). */
int demux_udp4500(struct demux_result *r, const uint8_t *p, size_t len);
/* UDP port 500: always IKE; checks the length and that the initiator SPI is
 * not the non-ESP marker. */
int demux_udp500(struct demux_result *r, const uint8_t *p, size_t len);
/* Dispatches on the local UDP port (500, 4500; else DEMUX_E_PORT). */
int demux_udp(struct demux_result *r, uint16_t port, const uint8_t *p, size_t len);
/* Payload of a raw IP protocol 50 packet: ESP (validated like esp_frame_parse). */
int demux_ip50(struct demux_result *r, const uint8_t *p, size_t len);

/* Splits an ESP packet (from the SPI on). Returns 0 or a negative demux_err. */
int esp_frame_parse(struct esp_frame *f, const uint8_t *p, size_t len);

/* Writes a NAT-T keepalive (one 0xFF byte) / the four-byte non-ESP marker. */
void demux_natt_keepalive_write(struct writer *w);
void demux_marker_write(struct writer *w);

const char *demux_strerror(int err);
/* "none", "natt-keepalive", "ike", "esp". */
const char *demux_class_name(enum demux_class c);

#endif
