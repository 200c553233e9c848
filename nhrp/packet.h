/* NHRP wire codec: RFC 2332 plus the Cisco DMVPN additions (Traffic
 * Indication, NAT Address extension, cleartext authentication).
 *
 * The codec covers the NHRP payload only: the bytes after a GRE header whose
 * protocol type is 0x2001 (or after an IP header with protocol 54).
 *
 * nhrp_parse() is pure: bytes in, a validated struct nhrp_packet out. It never
 * allocates; variable-length items that are not addresses (subaddresses,
 * authentication data, vendor data, unknown extensions, the packet carried by
 * an Error/Traffic Indication) point into the input buffer, which must outlive
 * the struct. Addresses are copied into struct ipaddr (length 0, 4 or 16).
 * Fixed maximums (NHRP_MAX_CIE, NHRP_MAX_EXT) reject larger packets with a
 * named error instead of truncating them.
 *
 * nhrp_build() writes exactly the layout described by the struct: extensions
 * in array order followed by End, with ar$pktsz, ar$extoff and ar$chksum
 * filled in. A packet produced by nhrp_parse() rebuilds byte-identically when
 * the sender used canonical encodings (zero unused/reserved fields and snap,
 * compulsory End), as Cisco IOS does.
 */
#ifndef DMVPN_NHRP_PACKET_H
#define DMVPN_NHRP_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "lib/writer.h"

#define NHRP_VERSION     1
#define NHRP_FIXED_LEN   20 /* fixed header */
#define NHRP_MAND_LEN    8  /* fixed fields at the start of the mandatory part */
#define NHRP_CIE_LEN     12 /* fixed fields of a Client Information Entry */
#define NHRP_EXT_HDR_LEN 4
#define NHRP_MAX_CIE     8  /* per list: mandatory part, or one extension */
#define NHRP_MAX_EXT     16 /* extensions, not counting End */
#define NHRP_HOPS_MAX    255

/* ar$afn: NBMA address family (IANA address family numbers). */
enum nhrp_afn {
	NHRP_AFN_IPV4 = 1,
	NHRP_AFN_IPV6 = 2,
};

/* ar$pro.type: protocol (overlay) address type, Ethertype short form. */
enum nhrp_pro {
	NHRP_PRO_IPV4 = 0x0800,
	NHRP_PRO_IPV6 = 0x86dd,
};

/* ar$op.type */
enum nhrp_type {
	NHRP_RESOLUTION_REQUEST = 1,
	NHRP_RESOLUTION_REPLY = 2,
	NHRP_REGISTRATION_REQUEST = 3,
	NHRP_REGISTRATION_REPLY = 4,
	NHRP_PURGE_REQUEST = 5,
	NHRP_PURGE_REPLY = 6,
	NHRP_ERROR_INDICATION = 7,
	NHRP_TRAFFIC_INDICATION = 8, /* Cisco: "redirect" (shortcut trigger) */
};

/* Mandatory-part flags; their meaning depends on the packet type. */
#define NHRP_FLAG_RES_Q     0x8000 /* resolution: requester is a router */
#define NHRP_FLAG_RES_A     0x4000 /* resolution: authoritative */
#define NHRP_FLAG_RES_D     0x2000 /* resolution reply: destination stable */
#define NHRP_FLAG_RES_U     0x1000 /* resolution: uniqueness */
#define NHRP_FLAG_RES_S     0x0800 /* resolution: source binding stable */
#define NHRP_FLAG_REG_U     0x8000 /* registration: unique */
#define NHRP_FLAG_PURGE_N   0x8000 /* purge request: no reply expected */
#define NHRP_FLAG_CISCO_NAT 0x0002 /* Cisco: sender understands the NAT ext */

/* CIE codes (RFC 2332 5.2.2, 5.2.4). FRR's nhrp_protocol.h has 11 for
 * "no binding"; the RFC and Wireshark say 12. */
enum nhrp_cie_code {
	NHRP_CIE_SUCCESS = 0,
	NHRP_CIE_ADMIN_PROHIBITED = 4,
	NHRP_CIE_INSUFFICIENT_RESOURCES = 5,
	NHRP_CIE_NO_BINDING = 12,
	NHRP_CIE_NOT_UNIQUE = 13,
	NHRP_CIE_ALREADY_REGISTERED = 14,
};

/* Error Indication codes (RFC 2332 5.2.7). */
enum nhrp_error_code {
	NHRP_ERROR_UNRECOGNIZED_EXTENSION = 1,
	NHRP_ERROR_LOOP_DETECTED = 3,
	NHRP_ERROR_PROTO_ADDR_UNREACHABLE = 6,
	NHRP_ERROR_PROTOCOL_ERROR = 7,
	NHRP_ERROR_SDU_SIZE_EXCEEDED = 8,
	NHRP_ERROR_INVALID_EXTENSION = 9,
	NHRP_ERROR_INVALID_REPLY = 10,
	NHRP_ERROR_AUTHENTICATION_FAILURE = 11,
	NHRP_ERROR_HOP_COUNT_EXCEEDED = 15,
};

/* Traffic Indication codes (Cisco). */
enum nhrp_traffic_code {
	NHRP_TRAFFIC_REDIRECT = 0,
};

/* Extension types: the low 14 bits of the extension's first word. */
#define NHRP_EXT_COMPULSORY 0x8000
#define NHRP_EXT_TYPE_MASK  0x3fff
enum nhrp_ext_type {
	NHRP_EXT_END = 0,
	NHRP_EXT_RESPONDER = 3,   /* CIE list (one CIE; empty in requests) */
	NHRP_EXT_FWD_TRANSIT = 4, /* CIE list, one per NHS on the way out */
	NHRP_EXT_REV_TRANSIT = 5, /* CIE list, one per NHS on the way back */
	NHRP_EXT_AUTH = 7,        /* struct nhrp_auth */
	NHRP_EXT_VENDOR = 8,      /* struct nhrp_vendor */
	NHRP_EXT_CISCO_NAT = 9,   /* Cisco NAT Address: CIE list, post-NAT address */
};

/* Cisco authentication: a 4-byte type, 1 = cleartext password. */
#define NHRP_AUTH_CLEARTEXT 1

/* Every failure is a negative value; nhrp_strerror() names it. */
enum nhrp_err {
	NHRP_OK = 0,
	NHRP_E_SHORT = -1,                   /* fewer bytes than the 20-byte fixed header */
	NHRP_E_VERSION = -2,                 /* ar$op.version is not 1 */
	NHRP_E_PKTSZ = -3,                   /* ar$pktsz < 20 or more than the bytes received */
	NHRP_E_CHECKSUM = -4,                /* ar$chksum does not verify */
	NHRP_E_AFN = -5,                     /* ar$afn is not IPv4 (1) or IPv6 (2) */
	NHRP_E_PROTO = -6,                   /* ar$pro.type is not 0x0800 or 0x86dd */
	NHRP_E_TYPE = -7,                    /* ar$op.type is not 1..8 */
	NHRP_E_EXTOFF = -8,                  /* ar$extoff is below 20 or beyond ar$pktsz */
	NHRP_E_ADDR_TYPE = -9,               /* type/length octet has the E.164 or reserved bit */
	NHRP_E_ADDR_LEN = -10,               /* address length not 0 or its family's size */
	NHRP_E_MANDATORY = -11,              /* mandatory part shorter than its fields */
	NHRP_E_CIE = -12,                    /* a CIE runs past the end of its list */
	NHRP_E_TOO_MANY_CIE = -13,           /* more than NHRP_MAX_CIE CIEs in one list */
	NHRP_E_EXT_LEN = -14,                /* an extension runs past ar$pktsz */
	NHRP_E_EXT_MALFORMED = -15,          /* known extension with a bad body (End with a
	                                      * length, auth < 4 bytes, vendor < 3) */
	NHRP_E_EXT_NO_END = -16,             /* extension list not terminated by End */
	NHRP_E_EXT_TRAILING = -17,           /* bytes after End, before ar$pktsz */
	NHRP_E_EXT_DUP = -18,                /* extension 3, 4, 5, 7 or 9 appears twice */
	NHRP_E_TOO_MANY_EXT = -19,           /* more than NHRP_MAX_EXT extensions */
	NHRP_E_EXT_UNKNOWN_COMPULSORY = -20, /* unknown type with the C bit:
	                                      * answer "Unrecognized Extension" */
	NHRP_E_NOSPACE = -21,                /* build: the writer is full */
	NHRP_E_TOO_BIG = -22,                /* build: the packet would exceed 65535 bytes */
	NHRP_E_INVALID = -23,                /* build/helpers: inconsistent struct or argument */
	NHRP_E_HOP_COUNT = -24,              /* nhrp_hop_decrement: hop count already 0 */
	NHRP_E_NO_EXT = -25,                 /* nhrp_ext_append_cie: no such extension */
};

/* Bytes in the parsed buffer (or in caller storage, for building). */
struct nhrp_raw {
	const uint8_t *p;
	uint16_t len;
};

/* Client Information Entry. The 2-byte unused field is dropped on parse
 * and written as zero. */
struct nhrp_cie {
	uint8_t code; /* enum nhrp_cie_code */
	uint8_t prefix_len;
	uint16_t mtu;
	uint16_t holding_time; /* seconds */
	uint8_t preference;
	struct ipaddr nbma;       /* client NBMA address (length 0, 4 or 16) */
	struct nhrp_raw nbma_sub; /* client NBMA subaddress, usually empty */
	struct ipaddr proto;      /* client protocol address (length 0, 4 or 16) */
};

struct nhrp_cie_list {
	uint8_t count;
	struct nhrp_cie e[NHRP_MAX_CIE];
};

struct nhrp_auth {
	uint32_t type;        /* NHRP_AUTH_CLEARTEXT (Cisco) */
	struct nhrp_raw data; /* the password for cleartext (not NUL-terminated) */
};

struct nhrp_vendor {
	uint32_t oui; /* 24-bit IEEE company ID */
	struct nhrp_raw data;
};

/* One extension other than End. Which member is used depends on type:
 * cies for 3/4/5/9, auth for 7, vendor for 8, raw for any other type.
 * nhrp_parse() sets raw (the extension value) for every type; nhrp_build()
 * reads raw only for types without a decoder. */
struct nhrp_ext {
	uint16_t type;   /* enum nhrp_ext_type or unknown (<= 0x3fff, not 0) */
	bool compulsory; /* the 0x8000 bit */
	struct nhrp_raw raw;
	union {
		struct nhrp_cie_list cies;
		struct nhrp_auth auth;
		struct nhrp_vendor vendor;
	} u;
};

struct nhrp_packet {
	/* fixed header */
	uint16_t afn;      /* enum nhrp_afn; sizes NBMA addresses (4 or 16) */
	uint16_t pro_type; /* enum nhrp_pro; sizes protocol addresses */
	uint8_t hop_count;
	uint8_t type; /* enum nhrp_type */
	/* Filled in by nhrp_parse() (wire values), ignored by nhrp_build(). */
	uint16_t pktsz;
	uint16_t checksum;
	uint16_t extoff;

	/* mandatory part */
	uint16_t flags;        /* types 1-6: NHRP_FLAG_* */
	uint32_t request_id;   /* types 1-6 */
	uint16_t error_code;   /* type 7: enum nhrp_error_code */
	uint16_t error_offset; /* type 7: offset of the error in the bad packet */
	uint16_t traffic_code; /* type 8: enum nhrp_traffic_code */
	struct ipaddr src_nbma;
	struct nhrp_raw src_nbma_sub;
	struct ipaddr src_proto;
	struct ipaddr dst_proto;
	struct nhrp_cie_list cies; /* types 1-6 */
	/* type 7: the NHRP packet in error; type 8: the data packet that
	 * triggered the indication (Cisco sends its IP header + 8 bytes) */
	struct nhrp_raw payload;

	/* extensions, in wire order, End not included */
	bool ext_end; /* parse: the packet has an extension area (ar$extoff != 0);
	               * build: write End (and the area) even when n_ext is 0 */
	uint8_t n_ext;
	struct nhrp_ext ext[NHRP_MAX_EXT];

	/* On a parse failure: offset from the start of the NHRP packet of the
	 * field at fault (for an Error Indication's Error Offset). */
	uint16_t err_offset;
};

/* Parses one NHRP packet. Bytes beyond ar$pktsz (link padding) are ignored.
 * Returns NHRP_OK or a negative enum nhrp_err; err_offset is set either way.
 * On NHRP_E_EXT_UNKNOWN_COMPULSORY the whole struct is still valid (the
 * unknown extension is kept raw in ext[]) so a transit NHS can forward it and
 * an endpoint can answer with Error Indication "Unrecognized Extension" whose
 * offset is pkt->err_offset. For any other error only the fields before the
 * fault are meaningful. */
int nhrp_parse(struct nhrp_packet *pkt, const uint8_t *buf, size_t len);

/* Appends the packet to w. Returns NHRP_OK, or a negative enum nhrp_err
 * (NHRP_E_INVALID, NHRP_E_ADDR_LEN, NHRP_E_TOO_MANY_CIE, ... when the struct
 * would not parse back; NHRP_E_NOSPACE when w is full). Anything it accepts,
 * nhrp_parse() accepts and returns equal (nhrp_packet_eq). */
int nhrp_build(struct writer *w, const struct nhrp_packet *pkt);

/* Zeroes pkt and sets the header for a fresh packet: hop count 255, the
 * given type and address families. */
void nhrp_packet_init(struct nhrp_packet *pkt, enum nhrp_type type, enum nhrp_afn afn,
                      enum nhrp_pro pro);

/* Semantic equality (what the wire carries; raw bytes compared by content;
 * the parse-only fields pktsz/checksum/extoff/err_offset are ignored). */
bool nhrp_packet_eq(const struct nhrp_packet *a, const struct nhrp_packet *b);

/* Extensions. */
const struct nhrp_ext *nhrp_ext_find(const struct nhrp_packet *pkt, uint16_t type);
struct nhrp_ext *nhrp_ext_get(struct nhrp_packet *pkt, uint16_t type);
/* Adds an extension in Cisco's order (3, 4, 5, 7, 9, 8, then others) with
 * Cisco's compulsory bit (set on 3/4/5/7, clear on 9/8 and unknown types).
 * For 3/4/5/7/9 returns the existing one if present. NULL when full or type
 * is End/out of range. The new extension is empty (no CIEs, no data). */
struct nhrp_ext *nhrp_ext_add(struct nhrp_packet *pkt, uint16_t type);
/* Appends cie to the CIE list of extension type (3/4/5/9), e.g. a hub's own
 * record to the Forward Transit NHS Record when it forwards a request.
 * NHRP_E_NO_EXT if the packet has no such extension, NHRP_E_TOO_MANY_CIE
 * when full, NHRP_E_INVALID for a type without CIEs. */
int nhrp_ext_append_cie(struct nhrp_packet *pkt, uint16_t type, const struct nhrp_cie *cie);

/* Checksum helpers over a built packet in place (buf starts at ar$afn).
 * nhrp_checksum() computes the value for ar$chksum over len bytes, treating
 * the checksum field as zero. nhrp_checksum_fix() stores it. */
uint16_t nhrp_checksum(const uint8_t *buf, size_t len);
int nhrp_checksum_fix(uint8_t *buf, size_t len);
/* Decrements ar$hopcnt in place and updates ar$chksum incrementally
 * (RFC 1624). Returns the new hop count (>= 0), NHRP_E_HOP_COUNT when it is
 * already 0 (answer Error Indication "Hop Count Exceeded"), or NHRP_E_SHORT. */
int nhrp_hop_decrement(uint8_t *buf, size_t len);

/* Name tables; unknown values give "unknown". */
const char *nhrp_strerror(int err);
const char *nhrp_type_name(unsigned type);
const char *nhrp_ext_name(unsigned type);
const char *nhrp_cie_code_name(unsigned code);
const char *nhrp_error_code_name(unsigned code);
const char *nhrp_traffic_code_name(unsigned code);

/* Codec internals shared by packet.c and ext.c; not for other modules. */
struct cursor;
unsigned nhrp_nbma_size(uint16_t afn);  /* 4, 16, or 0 when unknown */
unsigned nhrp_proto_size(uint16_t pro); /* 4, 16, or 0 when unknown */
int nhrp_cie_list_parse(struct nhrp_packet *pkt, struct nhrp_cie_list *l, struct cursor *c);
int nhrp_cie_list_check(const struct nhrp_packet *pkt, const struct nhrp_cie_list *l);
void nhrp_cie_list_write(struct writer *w, const struct nhrp_cie_list *l);
bool nhrp_cie_list_eq(const struct nhrp_cie_list *a, const struct nhrp_cie_list *b);
int nhrp_ext_list_parse(struct nhrp_packet *pkt, struct cursor *c);
int nhrp_ext_list_check(const struct nhrp_packet *pkt);
void nhrp_ext_list_write(struct writer *w, const struct nhrp_packet *pkt);
bool nhrp_ext_list_eq(const struct nhrp_packet *a, const struct nhrp_packet *b);
bool nhrp_raw_eq(const struct nhrp_raw *a, const struct nhrp_raw *b);

#endif
