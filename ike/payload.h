/* IKEv2 message and payload codec (RFC 7296 section 3, RFC 7383).
 *
 * Parsing is pure and allocation-free: ike_msg_parse() validates the header
 * and walks the payload chain into an array of views that point into the
 * caller's buffer (which must outlive the struct). Each typed parser
 * (ike_sa_parse, ike_notify_parse, ...) then validates one payload body into
 * a struct whose pointers again point into that buffer. Every failure is a
 * negative enum ike_err; ike_strerror() names it.
 *
 * Building goes through struct ike_builder over a lib/writer.h writer: each
 * payload appended patches the previous payload's Next Payload field and,
 * at the end, the header's Length.
 *
 * Which payloads may appear in which exchange is checked separately by
 * ike_legal_check() (ike/legal.c).
 */
#ifndef DMVPN_IKE_PAYLOAD_H
#define DMVPN_IKE_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"
#include "lib/addr.h"
#include "lib/writer.h"

#define IKE_HDR_LEN             28
#define IKE_GENHDR_LEN          4
#define IKE_MSG_MAX_PAYLOADS    32
#define IKE_SA_MAX_PROPOSALS    16
#define IKE_PROP_MAX_TRANSFORMS 64
#define IKE_TS_MAX              16
#define IKE_CP_MAX_ATTRS        32
#define IKE_NONCE_LEN_MIN       16
#define IKE_NONCE_LEN_MAX       256
#define IKE_SKF_HDR_LEN         4 /* Fragment Number, Total Fragments */

enum ike_err {
	IKE_OK = 0,
	/* message and payload chain */
	IKE_ERR_SHORT = -1,                /* shorter than the 28-byte header */
	IKE_ERR_VERSION = -2,              /* major version is not 2 */
	IKE_ERR_LENGTH = -3,               /* header Length != datagram length */
	IKE_ERR_PAYLOAD_SHORT = -4,        /* generic payload header truncated */
	IKE_ERR_PAYLOAD_LENGTH = -5,       /* payload Length < 4 or past the end */
	IKE_ERR_TRAILING = -6,             /* bytes after the last payload */
	IKE_ERR_TOO_MANY_PAYLOADS = -7,    /* more than IKE_MSG_MAX_PAYLOADS */
	IKE_ERR_UNSUPPORTED_CRITICAL = -8, /* unknown payload with critical bit (err_type) */
	IKE_ERR_SK_NOT_LAST = -9,          /* SK/SKF does not end the message */
	IKE_ERR_WRONG_TYPE = -10,          /* typed parser given another payload type */
	IKE_ERR_BODY_SHORT = -11,          /* payload body shorter than its fixed fields */
	/* SA */
	IKE_ERR_SA_EMPTY = -12,          /* SA payload without proposals */
	IKE_ERR_SA_PROP_LENGTH = -13,    /* proposal length < 8 or past the SA payload */
	IKE_ERR_SA_PROP_LAST = -14,      /* Last Substruc not 2 (more) / 0 (last) as it should */
	IKE_ERR_SA_PROP_NUM = -15,       /* proposal numbers not 1,2,3... or zero */
	IKE_ERR_SA_PROTOCOL = -16,       /* protocol ID not IKE, AH or ESP */
	IKE_ERR_SA_SPI_SIZE = -17,       /* SPI size wrong for the protocol */
	IKE_ERR_SA_TRANS_COUNT = -18,    /* Num Transforms != transforms present (or 0) */
	IKE_ERR_SA_TRANS_LENGTH = -19,   /* transform length < 8 or past the proposal */
	IKE_ERR_SA_TRANS_LAST = -20,     /* transform Last Substruc not 3 (more) / 0 (last) */
	IKE_ERR_SA_ATTR_LENGTH = -21,    /* attribute truncated */
	IKE_ERR_SA_KEYLEN_FORMAT = -22,  /* Key Length attribute not in TV format */
	IKE_ERR_SA_TOO_MANY_PROPS = -23, /* more than IKE_SA_MAX_PROPOSALS */
	IKE_ERR_SA_TOO_MANY_TRANS = -24, /* more than IKE_PROP_MAX_TRANSFORMS */
	/* other payloads */
	IKE_ERR_KE_LENGTH = -25,       /* KE data length wrong for a known group */
	IKE_ERR_ID_TYPE = -26,         /* unknown ID type */
	IKE_ERR_ID_LENGTH = -27,       /* ID data length wrong for its type */
	IKE_ERR_CERT_EMPTY = -28,      /* CERT without data */
	IKE_ERR_CERTREQ_LENGTH = -29,  /* X.509 CERTREQ not a list of 20-byte hashes */
	IKE_ERR_AUTH_EMPTY = -30,      /* AUTH without data */
	IKE_ERR_AUTH_SIG = -31,        /* RFC 7427 AlgorithmIdentifier length bad */
	IKE_ERR_NONCE_LENGTH = -32,    /* nonce not 16..256 bytes */
	IKE_ERR_NOTIFY_SPI_SIZE = -33, /* SPI size not 0, 4 or 8, or past the end */
	IKE_ERR_NOTIFY_DATA = -34,     /* notification data wrong for its type */
	IKE_ERR_DELETE_PROTOCOL = -35, /* Delete protocol not IKE, AH or ESP */
	IKE_ERR_DELETE_SPI_SIZE = -36, /* SPI size wrong for the protocol */
	IKE_ERR_DELETE_COUNT = -37,    /* Num SPIs x SPI size != data length */
	IKE_ERR_TS_COUNT = -38,        /* Number of TSs 0 or != selectors present */
	IKE_ERR_TS_TYPE = -39,         /* unknown TS type */
	IKE_ERR_TS_LENGTH = -40,       /* selector length wrong for its type */
	IKE_ERR_TS_TOO_MANY = -41,     /* more than IKE_TS_MAX */
	IKE_ERR_SKF_NUMBER = -42,      /* fragment number 0 or above the total */
	IKE_ERR_CP_TYPE = -43,         /* CFG type not 1..4 */
	IKE_ERR_CP_ATTR_LENGTH = -44,  /* attribute truncated */
	IKE_ERR_CP_TOO_MANY = -45,     /* more than IKE_CP_MAX_ATTRS */
	IKE_ERR_EAP_LENGTH = -46,      /* EAP Length != payload body length */
	/* legality (ike_legal_check) */
	IKE_ERR_LEGAL_EXCHANGE = -47,    /* unknown exchange, or no SK contents in it */
	IKE_ERR_LEGAL_MISSING = -48,     /* a mandatory payload is missing */
	IKE_ERR_LEGAL_NOT_ALLOWED = -49, /* a payload not allowed in this message */
	IKE_ERR_LEGAL_DUPLICATE = -50,   /* a payload that may appear once appears twice */
	IKE_ERR_LEGAL_SK_NOT_LAST = -51, /* SK/SKF not the last payload */
	IKE_ERR_LEGAL_INCOMPLETE = -52,  /* SA, TSi, TSr (or SA/KE) not all together */
	/* builder */
	IKE_ERR_NOSPACE = -53, /* writer capacity exhausted */
	IKE_ERR_BUILD = -54,   /* builder misuse or value out of range */
};
#define IKE_ERR_MIN IKE_ERR_BUILD
/* Stable lower-case description ("major version is not 2"). */
const char *ike_strerror(int err);
/* Identifier-like short name ("VERSION", "LEGAL_MISSING"), for counters. */
const char *ike_err_name(int err);

/* ---- header and payload chain ---- */

struct ike_hdr {
	uint64_t ispi; /* SPIs as big-endian numbers (print with %016" PRIx64) */
	uint64_t rspi;
	uint8_t next;     /* first payload type */
	uint8_t version;  /* raw octet: major << 4 | minor */
	uint8_t exchange; /* enum ike_exchange */
	uint8_t flags;    /* IKE_FLAG_* (other bits kept as received) */
	uint32_t msgid;
	uint32_t length;
};

/* One payload as found on the wire. `body` points just after the 4-byte
 * generic header; `off` is the offset of that generic header from the start
 * of the parsed buffer (the IKE header for ike_msg_parse). */
struct ike_payload {
	uint8_t type;
	uint8_t next; /* raw Next Payload field (for SK/SKF: first inner type) */
	bool critical;
	bool known;   /* ike_payload_known(type); unknown ones are kept, flagged */
	uint16_t len; /* body length = payload Length - 4 */
	size_t off;
	const uint8_t *body;
};

struct ike_msg {
	struct ike_hdr hdr; /* zero for chains from ike_chain_parse() */
	const uint8_t *buf;
	size_t len;
	unsigned n; /* payloads in pl[] */
	struct ike_payload pl[IKE_MSG_MAX_PAYLOADS];
	/* SK (46) or SKF (53): index into pl[] or -1. It is always the last. */
	int sk;
	size_t sk_off;    /* offset of the SK/SKF generic header in buf */
	uint8_t sk_inner; /* SK's Next Payload: the first inner payload type */
	/* On failure: the offending payload type (IKE_ERR_UNSUPPORTED_CRITICAL,
	 * payload errors) and the offset where parsing stopped. */
	uint8_t err_type;
	size_t err_off;
};

/* Parses a whole IKE datagram (after the caller stripped the 4-byte non-ESP
 * marker on port 4500). Checks: length >= 28, major version 2, header
 * Length == len, every generic header (Length >= 4, inside the message),
 * SK/SKF last and ending the message, no trailing bytes, at most
 * IKE_MSG_MAX_PAYLOADS payloads, unknown payloads skipped (kept with
 * known=false) unless critical. The SK/SKF body is not looked into.
 * Returns 0 or a negative enum ike_err. On failure m->hdr is still filled
 * when len >= 28, pl[0..n) holds the payloads walked before the failure,
 * and err_type/err_off locate it. */
int ike_msg_parse(struct ike_msg *m, const void *buf, size_t len);
/* Parses only the header (for demultiplexing before a full parse); does
 * not compare Length with len beyond requiring len >= 28. */
int ike_hdr_parse(struct ike_hdr *h, const void *buf, size_t len);
/* Parses a bare payload chain starting with payload type `first` (the
 * decrypted contents of SK, with padding removed). Same rules as the
 * message parser; m->hdr is zeroed and offsets are relative to buf. */
int ike_chain_parse(struct ike_msg *m, uint8_t first, const void *buf, size_t len);

/* First payload of `type` after `after` (NULL: from the start; otherwise a
 * pointer into m->pl), or NULL. */
const struct ike_payload *ike_msg_find(const struct ike_msg *m, uint8_t type,
                                       const struct ike_payload *after);
unsigned ike_msg_count(const struct ike_msg *m, uint8_t type);
static inline bool ike_hdr_is_response(const struct ike_hdr *h)
{
	return h->flags & IKE_FLAG_R;
}
static inline bool ike_hdr_is_initiator(const struct ike_hdr *h)
{
	return h->flags & IKE_FLAG_I;
}

/* ---- typed payload parsers ----
 * Each returns 0 or a negative enum ike_err. Fields are filled in wire
 * order, so on a semantic error (e.g. IKE_ERR_KE_LENGTH, IKE_ERR_NOTIFY_DATA)
 * the fixed fields read before it are valid; pointers are never left
 * pointing outside the payload body. */

struct ike_transform {
	uint8_t type;    /* enum ike_transform_type */
	uint16_t id;     /* transform ID */
	uint16_t keylen; /* Key Length attribute in bits, 0 when absent */
	bool has_keylen;
	bool unknown_attr; /* carried an attribute other than Key Length (RFC 7296
	                    * 3.3.6: such a transform must not be chosen) */
};

struct ike_proposal {
	uint8_t num;
	uint8_t protocol; /* enum ike_protocol */
	uint8_t spi_size; /* 0, 4 or 8 */
	uint8_t spi[8];
	unsigned ntrans;
	struct ike_transform t[IKE_PROP_MAX_TRANSFORMS];
};

struct ike_sa {
	unsigned nprop;
	struct ike_proposal p[IKE_SA_MAX_PROPOSALS];
};

/* Validates an SA payload: proposals chained with Last Substruc 2/0,
 * numbered 1, 2, 3... (a single proposal may carry any non-zero number, as
 * in a response), protocol IKE/AH/ESP with SPI size 0 or 8 for IKE and 4
 * for AH/ESP, Num Transforms matching, transforms chained 3/0, attributes
 * TV/TLV inside the transform, Key Length only as TV. */
int ike_sa_parse(struct ike_sa *sa, const struct ike_payload *p);
/* The proposal's SPI as a number (4 or 8 bytes big-endian; 0 when none). */
uint64_t ike_proposal_spi(const struct ike_proposal *pr);

struct ike_ke {
	uint16_t group; /* enum ike_dh_id */
	const uint8_t *data;
	size_t len;
};
/* Checks the data length against the group when the group is known. */
int ike_ke_parse(struct ike_ke *ke, const struct ike_payload *p);
/* Public value length of a DH group in bytes, 0 when unknown. */
size_t ike_dh_public_len(uint16_t group);

struct ike_id {
	uint8_t type; /* enum ike_id_type */
	const uint8_t *data;
	size_t len;
	struct ipaddr addr; /* for ID_IPV4_ADDR / ID_IPV6_ADDR */
};
/* IDi or IDr. IPv4 must be 4 bytes, IPv6 16, ID_NULL empty, others
 * non-empty. (AUTH covers the whole body: use p->body/p->len for that.) */
int ike_id_parse(struct ike_id *id, const struct ike_payload *p);

struct ike_cert {
	uint8_t encoding; /* enum ike_cert_encoding */
	const uint8_t *data;
	size_t len;
};
/* CERT: non-empty data. */
int ike_cert_parse(struct ike_cert *c, const struct ike_payload *p);
/* CERTREQ: data may be empty; for X509_SIG it is a list of 20-byte SHA-1
 * hashes of CA public keys (len % 20 == 0). */
int ike_certreq_parse(struct ike_cert *c, const struct ike_payload *p);

struct ike_auth {
	uint8_t method; /* enum ike_auth_method */
	const uint8_t *data;
	size_t len;
	/* IKE_AUTH_DIGITAL_SIG (RFC 7427): the DER AlgorithmIdentifier and the
	 * signature that follow the one-byte ASN.1 length; NULL/0 otherwise. */
	const uint8_t *sig_alg;
	size_t sig_alg_len;
	const uint8_t *sig;
	size_t sig_len;
};
int ike_auth_parse(struct ike_auth *a, const struct ike_payload *p);

struct ike_nonce {
	const uint8_t *data;
	size_t len; /* 16..256 */
};
int ike_nonce_parse(struct ike_nonce *n, const struct ike_payload *p);

struct ike_notify {
	uint8_t protocol; /* 0 or enum ike_protocol */
	uint8_t spi_size;
	const uint8_t *spi;
	uint16_t type; /* enum ike_notify_type */
	const uint8_t *data;
	size_t len;
};
/* SPI size must be 0, 4 or 8. Known types get their data checked:
 * INVALID_KE_PAYLOAD 2 bytes, COOKIE 1..64, NAT_DETECTION_* 20,
 * SIGNATURE_HASH_ALGORITHMS even, REKEY_SA with a 4-byte SPI, FRAGMENTATION/
 * INITIAL_CONTACT/... (no data expected) are not checked further. */
int ike_notify_parse(struct ike_notify *n, const struct ike_payload *p);
/* First Notify of `type` in m; fills *n when found. */
bool ike_msg_find_notify(const struct ike_msg *m, uint16_t type, struct ike_notify *n);
/* Data of INVALID_KE_PAYLOAD: the group the responder wants (0 if wrong). */
uint16_t ike_notify_ke_group(const struct ike_notify *n);

struct ike_delete {
	uint8_t protocol; /* enum ike_protocol */
	uint8_t spi_size; /* 0 for IKE, 4 for AH/ESP */
	uint16_t nspi;
	const uint8_t *spis; /* nspi * spi_size bytes */
};
int ike_delete_parse(struct ike_delete *d, const struct ike_payload *p);
/* i-th SPI (AH/ESP: 4 bytes big-endian), 0 when out of range. */
uint32_t ike_delete_spi(const struct ike_delete *d, unsigned i);

struct ike_vendor {
	const uint8_t *data;
	size_t len;
};
int ike_vendor_parse(struct ike_vendor *v, const struct ike_payload *p);

struct ike_ts {
	uint8_t type;  /* enum ike_ts_type */
	uint8_t proto; /* IP protocol, 0 = any */
	uint16_t sport;
	uint16_t eport;
	struct ipaddr start;
	struct ipaddr end;
};
struct ike_ts_list {
	unsigned n;
	struct ike_ts ts[IKE_TS_MAX];
};
/* TSi or TSr: Number of TSs >= 1 and matching, IPv4 ranges 16 bytes,
 * IPv6 ranges 40, nothing left over. */
int ike_ts_parse(struct ike_ts_list *l, const struct ike_payload *p);

struct ike_skf {
	uint16_t num;        /* 1..total */
	uint16_t total;      /* >= 1 */
	const uint8_t *data; /* IV, ciphertext, padding, ICV */
	size_t len;
};
int ike_skf_parse(struct ike_skf *f, const struct ike_payload *p);

struct ike_cp_attr {
	uint16_t type; /* enum ike_cfg_attr (R bit stripped) */
	uint16_t len;
	const uint8_t *val;
};
struct ike_cp {
	uint8_t type; /* enum ike_cfg_type */
	unsigned n;
	struct ike_cp_attr a[IKE_CP_MAX_ATTRS];
};
int ike_cp_parse(struct ike_cp *cp, const struct ike_payload *p);

struct ike_eap {
	uint8_t code; /* 1 request, 2 response, 3 success, 4 failure */
	uint8_t id;
	uint8_t type;        /* EAP method for request/response, else 0 */
	const uint8_t *data; /* whole EAP message (pass it through) */
	size_t len;
};
/* Only checks that the EAP Length (>= 4) equals the payload body length. */
int ike_eap_parse(struct ike_eap *e, const struct ike_payload *p);

/* ---- builder ---- */

struct ike_builder {
	struct writer *w;
	size_t base;     /* offset of the IKE header in w (chain mode: start) */
	size_t next_off; /* offset of the Next Payload field to patch, or SIZE_MAX */
	size_t pl_off;   /* offset of the open payload's generic header */
	uint8_t first;   /* type of the first payload appended (0: none yet) */
	uint8_t last;    /* type of the last payload appended */
	bool has_hdr;
	bool open;   /* a payload is open (begin without end) */
	bool sealed; /* SK/SKF appended: nothing may follow */
	int err;     /* first error, sticky */
};

/* Writes the IKE header (Next Payload and Length patched later) at the
 * writer's current position. h->next and h->length are ignored; h->version
 * 0 means IKE_VERSION. */
void ike_builder_init(struct ike_builder *b, struct writer *w, const struct ike_hdr *h);
/* For a bare payload chain (the plaintext of SK): no header. b->first is
 * the type to pass as `inner` to ike_sk_begin(). */
void ike_builder_init_chain(struct ike_builder *b, struct writer *w);
/* Opens a payload: writes its generic header and patches the previous Next
 * Payload field. The caller writes the body with wr_*(b->w, ...). */
int ike_builder_begin(struct ike_builder *b, uint8_t type, bool critical);
/* Closes the open payload: patches its Length (body must be < 65532). */
int ike_builder_end(struct ike_builder *b);
/* A whole payload with an opaque body. */
int ike_payload_build(struct ike_builder *b, uint8_t type, bool critical, const void *body,
                      size_t len);
/* Patches the header Length (or nothing in chain mode). Returns the total
 * length written since init, or a negative enum ike_err (the first error). */
int ike_builder_finish(struct ike_builder *b);

int ike_sa_build(struct ike_builder *b, const struct ike_sa *sa);
int ike_ke_build(struct ike_builder *b, uint16_t group, const void *data, size_t len);
int ike_id_build(struct ike_builder *b, uint8_t pltype /* IDi or IDr */, uint8_t idtype,
                 const void *data, size_t len);
int ike_cert_build(struct ike_builder *b, uint8_t encoding, const void *data, size_t len);
int ike_certreq_build(struct ike_builder *b, uint8_t encoding, const void *data, size_t len);
int ike_auth_build(struct ike_builder *b, uint8_t method, const void *data, size_t len);
int ike_nonce_build(struct ike_builder *b, const void *data, size_t len);
int ike_notify_build(struct ike_builder *b, uint8_t protocol, const void *spi, uint8_t spi_size,
                     uint16_t type, const void *data, size_t len);
/* spis: nspi * spi_size bytes (spi_size 0 for IKE, 4 for AH/ESP). */
int ike_delete_build(struct ike_builder *b, uint8_t protocol, uint8_t spi_size, const void *spis,
                     uint16_t nspi);
int ike_vendor_build(struct ike_builder *b, const void *data, size_t len);
int ike_ts_build(struct ike_builder *b, uint8_t pltype /* TSi or TSr */,
                 const struct ike_ts_list *l);
int ike_cp_build(struct ike_builder *b, const struct ike_cp *cp);
int ike_eap_build(struct ike_builder *b, const void *eap, size_t len);
/* Opens the SK payload (Next Payload = inner, the first inner payload
 * type). The caller then writes IV, ciphertext, padding and ICV (usually
 * wr_reserve() then encrypt in place after ike_builder_finish(), since the
 * header length is part of the authenticated data), and closes it with
 * ike_builder_end(). Nothing may be appended after it. */
int ike_sk_begin(struct ike_builder *b, uint8_t inner);
/* Same for SKF (RFC 7383): writes Fragment Number and Total Fragments;
 * `inner` must be 0 for num > 1. */
int ike_skf_begin(struct ike_builder *b, uint8_t inner, uint16_t num, uint16_t total);

/* ---- legality (ike/legal.c) ---- */

/* Checks which payloads appear in one message of `exchange`, against RFC
 * 7296 (and RFC 7383/6023/4739 where they relax it). `inner` selects the
 * contents of SK (a chain from ike_chain_parse); otherwise the outer
 * message: IKE_SA_INIT carries everything outside, the other exchanges
 * exactly one SK or SKF (INFORMATIONAL and responses may instead be bare
 * error Notifies, RFC 7296 1.5 / 2.21). Unknown (non-critical) payload
 * types are ignored. Returns 0 or IKE_ERR_LEGAL_*; *bad_type (may be NULL)
 * gets the payload type concerned. */
int ike_legal_check(const struct ike_msg *m, uint8_t exchange, bool response, bool inner,
                    uint8_t *bad_type);
/* Same over a list of payload types; notify[i] is the Notify type of
 * types[i] when it is IKE_PL_NOTIFY (notify may be NULL: all status). */
int ike_legal_check_types(const uint8_t *types, const uint16_t *notify, unsigned n,
                          uint8_t exchange, bool response, bool inner, uint8_t *bad_type);

#endif
