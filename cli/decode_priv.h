/* decode internals: the frame walker's result and the printers.
 *
 * decode_walk() turns one frame into a struct decode_pkt: link layer, then
 * up to DECODE_MAX_LEVEL IP datagrams (outer, and those carried in GRE as
 * IPv4/IPv6, such as a keepalive request's inner packet), each with its
 * GRE or UDP header, and at most one application message (NHRP, IKE, ESP
 * framing, NAT-T keepalive). Decoding stops at the first failure, which is
 * recorded as a layer name and a reason.
 *
 * The walker works on a private copy of the frame, so that a wrong checksum
 * (IPv4 header, GRE, NHRP) can be noted, repaired in the copy and decoding
 * continued, as a protocol analyser should.
 */
#ifndef DMVPN_CLI_DECODE_PRIV_H
#define DMVPN_CLI_DECODE_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli/decode.h"
#include "gre/gre.h"
#include "gre/keepalive.h"
#include "ike/payload.h"
#include "nhrp/packet.h"
#include "overlay/demux.h"
#include "overlay/ip.h"

#define DECODE_MAX_VLAN  4
#define DECODE_MAX_LEVEL 3 /* outer IP + two encapsulated ones */
#define DECODE_MAX_NOTES 6
#define DECODE_BUF_SIZE  262144 /* libpcap's largest snapshot length */
#define IPPROTO_NUM_NARP 54     /* NHRP directly over IP (RFC 2332 sec. 3) */

/* ---- link layer (decode_link.c) ---- */

enum decode_link_err {
	DECODE_LINK_OK = 0,
	DECODE_LINK_TRUNCATED = 1,
	DECODE_LINK_UNSUPPORTED = 2,
	DECODE_LINK_BAD_FAMILY = 3,
	DECODE_LINK_TOO_MANY_TAGS = 4,
};

struct decode_link {
	int dlt;
	uint16_t ethertype; /* network protocol; 0 when not IP or unknown */
	size_t offset;      /* of the network-layer header */
	bool has_mac;
	uint8_t src_mac[6];
	uint8_t dst_mac[6];
	unsigned nvlan;
	uint16_t vlan[DECODE_MAX_VLAN];
	uint16_t llc_len;     /* IEEE 802.3 length field (ethertype 0) */
	uint32_t family;      /* DLT_NULL / DLT_LOOP address family */
	uint16_t sll_pkttype; /* Linux cooked: packet type */
	uint32_t ifindex;     /* SLL2 */
};

/* Returns 0 or a negative decode_link_err; l->ethertype and l->offset are
 * set whenever the header was read. */
int decode_link_parse(int dlt, const uint8_t *buf, size_t len, struct decode_link *l);
const char *decode_link_strerror(int err);
const char *decode_link_name(int dlt);

/* ---- the walk (decode_walk.c) ---- */

enum decode_ka {
	DECODE_KA_NONE = 0,
	DECODE_KA_REQUEST, /* GRE carrying IP/GRE(0) back to the sender */
	DECODE_KA_REPLY,   /* GRE protocol 0 */
};

/* What follows an IP header (or its GRE/UDP header). */
enum decode_next {
	DECODE_NEXT_NONE = 0, /* nothing decoded beyond this level */
	DECODE_NEXT_IP,       /* an inner IP datagram: the next level */
	DECODE_NEXT_APP,      /* the frame's application message (pkt->app) */
	DECODE_NEXT_OTHER,    /* a payload we do not decode (named only) */
	DECODE_NEXT_FRAGMENT, /* non-first fragment: payload not decodable */
};

struct decode_level {
	struct ip_info ip;
	bool has_gre;
	struct gre_hdr gre;
	bool has_cmd; /* Cisco MetaData shim inside GRE protocol 0x8909 */
	struct gre_cmd cmd;
	uint16_t gre_proto; /* payload protocol after any shim */
	enum decode_ka ka;
	struct gre_ka_request ka_req;
	struct gre_ka_reply ka_reply;
	bool has_udp;
	struct udp_info udp;
	enum decode_next next;
};

enum decode_app {
	DECODE_APP_NONE = 0,
	DECODE_APP_NHRP,
	DECODE_APP_IKE,   /* IKEv2: pkt->ike (or only pkt->ike.hdr on error) */
	DECODE_APP_IKEV1, /* ISAKMP v1: header and unencrypted payload chain */
	DECODE_APP_ESP,
	DECODE_APP_NATT_KA,
};

/* Header summary of an IP packet quoted in an NHRP Traffic / Error
 * Indication (usually only the first bytes of it). */
struct decode_quote {
	bool ok;
	uint8_t version;
	uint8_t proto;
	uint16_t tot_len;
	struct ipaddr src;
	struct ipaddr dst;
	bool has_ports;
	uint16_t sport, dport;
	bool has_icmp;
	uint8_t icmp_type, icmp_code;
	size_t quoted; /* bytes present */
};

struct decode_pkt {
	const struct decode_frame *frame;
	bool truncated; /* caplen < wirelen */

	int link_rc;
	struct decode_link link;

	unsigned nlevel;
	struct decode_level lv[DECODE_MAX_LEVEL];

	enum decode_app app;
	bool nonesp_marker; /* IKE after the 4-byte marker on port 4500 */
	struct nhrp_packet nhrp;
	const uint8_t *nhrp_buf;   /* start of the NHRP packet in the copy */
	struct decode_quote quote; /* NHRP Traffic Indication payload */
	struct ike_msg ike;
	int ikev1_rc; /* IKEv1: payload chain parse result */
	bool ikev1_encrypted;
	struct esp_frame esp;

	/* first failure: "<layer> malformed: <reason>" */
	const char *err_layer;
	const char *err_reason;

	/* remarks that did not stop decoding ("IPv4 bad checksum 0x0101") */
	unsigned nnotes;
	char notes[DECODE_MAX_NOTES][64];
};

struct decode_ctx {
	uint8_t *buf; /* working copy of the frame, exactly caplen bytes (so
	               * that ASan sees any read past the frame) */
	struct decode_pkt pkt;
};

/* Decodes f into ctx->pkt, with ctx->buf as the working copy; the result
 * points into it until decode_walk_done(). */
void decode_walk(struct decode_ctx *ctx, const struct decode_frame *f);
void decode_walk_done(struct decode_ctx *ctx);
void decode_quote_parse(struct decode_quote *q, const uint8_t *p, size_t len);

/* ---- printers ---- */

/* Text: one line, no newline (decode_text.c). */
void decode_text_print(const struct decode_pkt *pkt, FILE *out);
void decode_text_nhrp(const struct decode_pkt *pkt, FILE *out);
void decode_text_ike(const struct decode_pkt *pkt, FILE *out);
/* JSON object for one frame (decode_json.c). Returns a json_object *. */
struct json_object;
struct json_object *decode_json_pkt(const struct decode_pkt *pkt);
struct json_object *decode_json_nhrp(const struct decode_pkt *pkt);
struct json_object *decode_json_ike(const struct decode_pkt *pkt);

/* Shared formatting helpers (decode_text.c). */
const char *decode_addr(const struct ipaddr *a, char *buf, size_t len);
/* Printable form of raw bytes: the string itself when it is all printable
 * ASCII, else lowercase hex. Writes at most cap-1 characters. */
void decode_bytes_fmt(const uint8_t *p, size_t len, char *out, size_t cap, bool *is_text);
const char *ikev1_payload_name(uint8_t type);
const char *ikev1_exchange_name(uint8_t exchange);

#endif
