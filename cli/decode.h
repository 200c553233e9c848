/* `dmvpnctl decode FILE [--json]`: decodes the GRE, NHRP, IKE and ESP
 * framing of every packet in a pcap or pcapng capture, one line (or one JSON
 * object) per packet.
 *
 * Link types: Ethernet (with 802.1Q / QinQ tags), raw IP (DLT_RAW, IPv4,
 * IPv6), BSD loopback (DLT_NULL, DLT_LOOP) and Linux cooked (SLL, SLL2).
 * A packet that fails to parse is printed with the layer and the named
 * reason ("NHRP malformed: ..."); the rest of the file is still decoded.
 */
#ifndef DMVPN_CLI_DECODE_H
#define DMVPN_CLI_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Decodes the capture at path to out (text, or JSON lines with json).
 * Returns 0, or 1 when the file cannot be opened or read (message on err). */
int decode_file(const char *path, bool json, FILE *out, FILE *err);

/* One captured frame, as a capture file hands it over. */
struct decode_frame {
	unsigned number; /* 1-based frame number */
	int dlt;         /* link type: libpcap DLT_* value */
	const uint8_t *data;
	size_t caplen;  /* bytes in data */
	size_t wirelen; /* length on the wire (>= caplen) */
	int64_t ts_sec; /* capture time; 0 when unknown */
	uint32_t ts_usec;
};

struct decode_ctx;
/* A decoder holds the working state for one frame at a time; NULL when
 * out of memory. */
struct decode_ctx *decode_ctx_new(void);
void decode_ctx_free(struct decode_ctx *ctx);
/* Decodes one frame and prints it to out: one line of text, or one JSON
 * object on one line. Never fails: malformed input is part of the output. */
void decode_frame_print(struct decode_ctx *ctx, const struct decode_frame *f, bool json, FILE *out);

#endif
