/* GRE codec (RFC 2784 with the RFC 2890 key and sequence extensions).
 *
 * gre_parse() is pure: it validates the header, verifies the checksum when
 * the C bit is set, and points into the caller's buffer for the payload.
 * Receive rules (RFC 2784 section 2.3, as extended by RFC 2890):
 *   - version must be 0 (version 1 is PPTP's enhanced GRE: its own reason);
 *   - the RFC 1701 routing bit (bit 1) is rejected;
 *   - bits 4-5 (RFC 1701 strict source route, top recursion bit) are rejected;
 *   - bits 6-12 are ignored on receipt as the RFC requires (kept in `flags`).
 *
 * Cisco MetaData (protocol 0x8909, TrustSec inline SGT tagging) is a second
 * 8-byte shim some IOS tunnels put in front of the real payload:
 * ethertype(2) version(1) length(1) options(2) SGT(2). gre_cmd_parse()
 * unwraps it (Cisco keepalives are sent that way in various_gre.pcap).
 */
#ifndef DMVPN_GRE_H
#define DMVPN_GRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct writer;

/* Protocol types (ethertypes) carried in the GRE header. */
#define GRE_PROTO_KEEPALIVE 0x0000 /* Cisco keepalive reply (inner GRE) */
#define GRE_PROTO_IPV4      0x0800
#define GRE_PROTO_IPV6      0x86DD
#define GRE_PROTO_NHRP      0x2001
#define GRE_PROTO_CDP       0x2000 /* Cisco Discovery Protocol over a tunnel */
#define GRE_PROTO_TEB       0x6558 /* transparent Ethernet bridging */
#define GRE_PROTO_PPP       0x880B
#define GRE_PROTO_MPLS      0x8847
#define GRE_PROTO_CMD       0x8909 /* Cisco MetaData (SGT) shim */

/* First 16 bits of the header. */
#define GRE_F_CSUM     0x8000 /* C: checksum + reserved1 present */
#define GRE_F_ROUTING  0x4000 /* R (RFC 1701): rejected */
#define GRE_F_KEY      0x2000 /* K (RFC 2890) */
#define GRE_F_SEQ      0x1000 /* S (RFC 2890) */
#define GRE_F_RESERVED 0x0C00 /* bits 4-5: must be zero (RFC 2784) */
#define GRE_F_IGNORED  0x03F8 /* bits 6-12: ignored on receipt */
#define GRE_F_VERSION  0x0007

#define GRE_HDR_MIN 4
#define GRE_HDR_MAX 16 /* base + checksum + key + sequence */
#define GRE_CMD_LEN 8  /* Cisco MetaData shim */

/* Negative error values; gre_strerror() names them. Shared by gre_parse,
 * gre_cmd_parse, the builders and the keepalive functions. */
enum gre_err {
	GRE_OK = 0,
	GRE_E_TRUNCATED = -1,     /* shorter than the header its flags announce */
	GRE_E_VERSION = -2,       /* version 2..7 */
	GRE_E_PPTP = -3,          /* version 1: PPTP enhanced GRE (RFC 2637) */
	GRE_E_ROUTING = -4,       /* R bit set (RFC 1701 source routing) */
	GRE_E_RESERVED = -5,      /* reserved bits 4-5 set */
	GRE_E_CHECKSUM = -6,      /* C set and checksum does not verify */
	GRE_E_CMD_TRUNCATED = -7, /* Cisco MetaData shim shorter than 8 bytes */
	GRE_E_CMD_VERSION = -8,   /* Cisco MetaData version != 1 */
	GRE_E_NOSPACE = -9,       /* builder: writer too small */
	GRE_E_INVAL = -10,        /* builder: bad argument (template, address family) */
	GRE_E_KA_NOT = -11,       /* not a keepalive (caller continues normally) */
	GRE_E_KA_INNER_IP = -12,  /* keepalive: inner IP header malformed */
	GRE_E_KA_INNER_GRE = -13, /* keepalive: inner GRE header malformed */
	GRE_E_KA_MIRROR = -14,    /* keepalive: inner addresses do not mirror the outer */
	GRE_E_MAX_ = -15
};

struct gre_hdr {
	uint16_t flags; /* raw first 16 bits (flags and version) */
	bool csum_present;
	bool key_present;
	bool seq_present;
	uint8_t version;
	uint16_t protocol;
	uint16_t checksum; /* as received (valid only if csum_present) */
	uint32_t key;
	uint32_t seq;
	size_t hdr_len;         /* 4, 8, 12 or 16 */
	const uint8_t *payload; /* into the parsed buffer */
	size_t payload_len;
};

/* Cisco MetaData shim (inside GRE protocol 0x8909). */
struct gre_cmd {
	uint16_t ethertype; /* of the payload that follows */
	uint8_t version;    /* 1 */
	uint8_t length;
	uint16_t options; /* option type/length word, 0x0001 = SGT */
	uint16_t sgt;     /* security group tag */
	const uint8_t *payload;
	size_t payload_len;
};

/* Parses and validates one GRE header. len must be the exact length of the
 * GRE packet (the IP payload length, not a padded frame): GRE has no length
 * field and the checksum covers everything. Returns 0 or a negative gre_err. */
int gre_parse(struct gre_hdr *g, const uint8_t *buf, size_t len);
/* Parses the 8-byte Cisco MetaData shim (the payload of a GRE_PROTO_CMD
 * packet). Returns 0 or GRE_E_CMD_TRUNCATED / GRE_E_CMD_VERSION. */
int gre_cmd_parse(struct gre_cmd *c, const uint8_t *buf, size_t len);
/* Protocol and payload of a parsed GRE packet with any Cisco MetaData shim
 * removed. Returns 0 or a gre_cmd_parse error; sgt (may be NULL) is set to
 * the SGT or -1 when there was no shim. */
int gre_payload_unwrap(const struct gre_hdr *g, uint16_t *proto, const uint8_t **payload,
                       size_t *len, int32_t *sgt);

/* Header length implied by the template's csum/key/seq_present bits. */
size_t gre_hdr_len(const struct gre_hdr *tmpl);
/* Writes the GRE header described by tmpl (csum/key/seq_present, key, seq,
 * protocol; version is always 0) followed by the payload. When
 * csum_present, the checksum covers header+payload. Returns 0,
 * GRE_E_NOSPACE or GRE_E_INVAL (a NULL payload with len > 0). */
int gre_build(struct writer *w, const struct gre_hdr *tmpl, const void *payload, size_t len);
/* Header only, checksum field zero; for the data path, which appends the
 * payload itself and then calls gre_csum_fill() if csum_present. */
int gre_build_hdr(struct writer *w, const struct gre_hdr *tmpl);
/* Computes and stores the checksum of a complete GRE packet (header at
 * pkt[0], C bit set) in place. Returns 0 or GRE_E_INVAL/GRE_E_TRUNCATED. */
int gre_csum_fill(uint8_t *pkt, size_t len);

/* Name of a protocol type ("IPv4", "IPv6", "NHRP", "keepalive", "CDP",
 * "CiscoMetaData", ...) or "unknown". */
const char *gre_proto_name(uint16_t proto);
/* Reason text for a gre_err value (0 gives "ok"; unknown values "?"). */
const char *gre_strerror(int err);

#endif
