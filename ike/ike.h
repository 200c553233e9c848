/* IKEv2 protocol constants (RFC 7296 and the IANA "IKEv2 Parameters"
 * registry) with their name tables.
 *
 * Every *_name() function returns a static string and never NULL: the IANA
 * name without its family prefix where that is how the RFCs write it
 * ("IKE_SA_INIT", "SA", "COOKIE", "ENCR_AES_CBC"), and "UNKNOWN" for a value
 * we have no name for (print the number beside it).
 */
#ifndef DMVPN_IKE_H
#define DMVPN_IKE_H

#include <stdbool.h>
#include <stdint.h>

#define IKE_PORT          500
#define IKE_NATT_PORT     4500
#define IKE_MAJOR_VERSION 2
#define IKE_VERSION       0x20 /* major 2, minor 0 */
#define IKE_SPI_LEN       8

/* Exchange types (header octet 18). */
enum ike_exchange {
	IKE_SA_INIT = 34,
	IKE_AUTH = 35,
	IKE_CREATE_CHILD_SA = 36,
	IKE_INFORMATIONAL = 37,
	IKE_SESSION_RESUME = 38, /* RFC 5723 */
	IKE_INTERMEDIATE = 43,   /* RFC 9242 */
};

/* Header flags (octet 19). */
#define IKE_FLAG_I 0x08 /* sent by the original initiator */
#define IKE_FLAG_V 0x10 /* higher version supported */
#define IKE_FLAG_R 0x20 /* response */

/* Payload types (Next Payload values). */
enum ike_payload_type {
	IKE_PL_NONE = 0,
	IKE_PL_SA = 33,
	IKE_PL_KE = 34,
	IKE_PL_IDI = 35,
	IKE_PL_IDR = 36,
	IKE_PL_CERT = 37,
	IKE_PL_CERTREQ = 38,
	IKE_PL_AUTH = 39,
	IKE_PL_NONCE = 40,
	IKE_PL_NOTIFY = 41,
	IKE_PL_DELETE = 42,
	IKE_PL_VENDOR = 43,
	IKE_PL_TSI = 44,
	IKE_PL_TSR = 45,
	IKE_PL_SK = 46,
	IKE_PL_CP = 47,
	IKE_PL_EAP = 48,
	IKE_PL_GSPM = 49, /* RFC 6467 */
	IKE_PL_SKF = 53,  /* RFC 7383 */
};
/* True for the payload types above (33..49 and 53). */
bool ike_payload_known(uint8_t type);

/* Protocol IDs (proposals, Notify, Delete). */
enum ike_protocol {
	IKE_PROTO_NONE = 0,
	IKE_PROTO_IKE = 1,
	IKE_PROTO_AH = 2,
	IKE_PROTO_ESP = 3,
};

/* Transform types. */
enum ike_transform_type {
	IKE_TRANS_ENCR = 1,
	IKE_TRANS_PRF = 2,
	IKE_TRANS_INTEG = 3,
	IKE_TRANS_DH = 4, /* "Key Exchange Method" since RFC 9370 */
	IKE_TRANS_ESN = 5,
	IKE_TRANS_ADDKE1 = 6, /* RFC 9370: 6..12 Additional Key Exchange 1..7 */
	IKE_TRANS_ADDKE7 = 12,
};

/* Transform IDs. ike/crypto.h carries a subset of these four enums under
 * the same names and values for the crypto library, guarded by the same
 * macro: include ike/ike.h first to get the full lists. */
#ifndef DMVPN_IKE_TRANSFORM_IDS
#define DMVPN_IKE_TRANSFORM_IDS

/* Transform type 1: encryption algorithms. */
enum ike_encr_id {
	IKE_ENCR_DES_IV64 = 1,
	IKE_ENCR_DES = 2,
	IKE_ENCR_3DES = 3,
	IKE_ENCR_RC5 = 4,
	IKE_ENCR_IDEA = 5,
	IKE_ENCR_CAST = 6,
	IKE_ENCR_BLOWFISH = 7,
	IKE_ENCR_3IDEA = 8,
	IKE_ENCR_DES_IV32 = 9,
	IKE_ENCR_NULL = 11,
	IKE_ENCR_AES_CBC = 12,
	IKE_ENCR_AES_CTR = 13,
	IKE_ENCR_AES_CCM_8 = 14,
	IKE_ENCR_AES_CCM_12 = 15,
	IKE_ENCR_AES_CCM_16 = 16,
	IKE_ENCR_AES_GCM_8 = 18,
	IKE_ENCR_AES_GCM_12 = 19,
	IKE_ENCR_AES_GCM_16 = 20,
	IKE_ENCR_NULL_AUTH_AES_GMAC = 21,
	IKE_ENCR_CAMELLIA_CBC = 23,
	IKE_ENCR_CAMELLIA_CTR = 24,
	IKE_ENCR_CAMELLIA_CCM_8 = 25,
	IKE_ENCR_CAMELLIA_CCM_12 = 26,
	IKE_ENCR_CAMELLIA_CCM_16 = 27,
	IKE_ENCR_CHACHA20_POLY1305 = 28,
};

/* Transform type 2: pseudo-random functions. */
enum ike_prf_id {
	IKE_PRF_NONE = 0, /* reserved; "no PRF" for callers */
	IKE_PRF_HMAC_MD5 = 1,
	IKE_PRF_HMAC_SHA1 = 2,
	IKE_PRF_HMAC_TIGER = 3,
	IKE_PRF_AES128_XCBC = 4,
	IKE_PRF_HMAC_SHA2_256 = 5,
	IKE_PRF_HMAC_SHA2_384 = 6,
	IKE_PRF_HMAC_SHA2_512 = 7,
	IKE_PRF_AES128_CMAC = 8,
};

/* Transform type 3: integrity algorithms. */
enum ike_integ_id {
	IKE_INTEG_NONE = 0,
	IKE_INTEG_HMAC_MD5_96 = 1,
	IKE_INTEG_HMAC_SHA1_96 = 2,
	IKE_INTEG_DES_MAC = 3,
	IKE_INTEG_KPDK_MD5 = 4,
	IKE_INTEG_AES_XCBC_96 = 5,
	IKE_INTEG_HMAC_MD5_128 = 6,
	IKE_INTEG_HMAC_SHA1_160 = 7,
	IKE_INTEG_AES_CMAC_96 = 8,
	IKE_INTEG_AES_128_GMAC = 9,
	IKE_INTEG_AES_192_GMAC = 10,
	IKE_INTEG_AES_256_GMAC = 11,
	IKE_INTEG_HMAC_SHA2_256_128 = 12,
	IKE_INTEG_HMAC_SHA2_384_192 = 13,
	IKE_INTEG_HMAC_SHA2_512_256 = 14,
};

/* Transform type 4: Diffie-Hellman groups (key exchange methods). */
enum ike_dh_id {
	IKE_DH_NONE = 0,
	IKE_DH_MODP768 = 1,
	IKE_DH_MODP1024 = 2,
	IKE_DH_MODP1536 = 5,
	IKE_DH_MODP2048 = 14,
	IKE_DH_MODP3072 = 15,
	IKE_DH_MODP4096 = 16,
	IKE_DH_MODP6144 = 17,
	IKE_DH_MODP8192 = 18,
	IKE_DH_ECP256 = 19,
	IKE_DH_ECP384 = 20,
	IKE_DH_ECP521 = 21,
	IKE_DH_MODP1024_S160 = 22,
	IKE_DH_MODP2048_S224 = 23,
	IKE_DH_MODP2048_S256 = 24,
	IKE_DH_ECP192 = 25,
	IKE_DH_ECP224 = 26,
	IKE_DH_BRAINPOOL224 = 27,
	IKE_DH_BRAINPOOL256 = 28,
	IKE_DH_BRAINPOOL384 = 29,
	IKE_DH_BRAINPOOL512 = 30,
	IKE_DH_CURVE25519 = 31,
	IKE_DH_CURVE448 = 32,
};

#endif /* DMVPN_IKE_TRANSFORM_IDS */

/* Transform type 5: extended sequence numbers. */
enum ike_esn {
	IKE_ESN_NO = 0,
	IKE_ESN_YES = 1,
};

/* Transform attributes. */
#define IKE_ATTR_AF         0x8000 /* attribute format bit: TV (set) or TLV (clear) */
#define IKE_ATTR_KEY_LENGTH 14

/* Identification payload ID types. */
enum ike_id_type {
	IKE_ID_IPV4_ADDR = 1,
	IKE_ID_FQDN = 2,
	IKE_ID_RFC822_ADDR = 3,
	IKE_ID_IPV6_ADDR = 5,
	IKE_ID_DER_ASN1_DN = 9,
	IKE_ID_DER_ASN1_GN = 10,
	IKE_ID_KEY_ID = 11,
	IKE_ID_FC_NAME = 12, /* RFC 4595 */
	IKE_ID_NULL = 13,    /* RFC 7619 */
};

/* Authentication methods (AUTH payload). */
enum ike_auth_method {
	IKE_AUTH_RSA_SIG = 1,
	IKE_AUTH_SHARED_KEY_MIC = 2,
	IKE_AUTH_DSS_SIG = 3,
	IKE_AUTH_ECDSA_SHA256_P256 = 9,
	IKE_AUTH_ECDSA_SHA384_P384 = 10,
	IKE_AUTH_ECDSA_SHA512_P521 = 11,
	IKE_AUTH_GSPAM = 12,
	IKE_AUTH_NULL = 13,
	IKE_AUTH_DIGITAL_SIG = 14, /* RFC 7427 */
};

/* Certificate encodings (CERT, CERTREQ). */
enum ike_cert_encoding {
	IKE_CERT_PKCS7_X509 = 1,
	IKE_CERT_PGP = 2,
	IKE_CERT_DNS_SIGNED_KEY = 3,
	IKE_CERT_X509_SIG = 4,
	IKE_CERT_KERBEROS = 6,
	IKE_CERT_CRL = 7,
	IKE_CERT_ARL = 8,
	IKE_CERT_SPKI = 9,
	IKE_CERT_X509_ATTR = 10,
	IKE_CERT_RAW_RSA = 11,
	IKE_CERT_HASH_URL_X509 = 12,
	IKE_CERT_HASH_URL_BUNDLE = 13,
	IKE_CERT_OCSP = 14,
	IKE_CERT_RAW_PUBKEY = 15,
};

/* Traffic selector types. */
enum ike_ts_type {
	IKE_TS_IPV4_ADDR_RANGE = 7,
	IKE_TS_IPV6_ADDR_RANGE = 8,
};

/* Configuration payload types and attributes. */
enum ike_cfg_type {
	IKE_CFG_REQUEST = 1,
	IKE_CFG_REPLY = 2,
	IKE_CFG_SET = 3,
	IKE_CFG_ACK = 4,
};
enum ike_cfg_attr {
	IKE_CFG_INTERNAL_IP4_ADDRESS = 1,
	IKE_CFG_INTERNAL_IP4_NETMASK = 2,
	IKE_CFG_INTERNAL_IP4_DNS = 3,
	IKE_CFG_INTERNAL_IP4_NBNS = 4,
	IKE_CFG_INTERNAL_IP4_DHCP = 6,
	IKE_CFG_APPLICATION_VERSION = 7,
	IKE_CFG_INTERNAL_IP6_ADDRESS = 8,
	IKE_CFG_INTERNAL_IP6_DNS = 10,
	IKE_CFG_INTERNAL_IP6_DHCP = 12,
	IKE_CFG_INTERNAL_IP4_SUBNET = 13,
	IKE_CFG_SUPPORTED_ATTRIBUTES = 14,
	IKE_CFG_INTERNAL_IP6_SUBNET = 15,
};

/* Notify message types: errors are below 16384, status types from 16384. */
#define IKE_NOTIFY_STATUS_MIN 16384
enum ike_notify_type {
	/* errors */
	IKE_N_UNSUPPORTED_CRITICAL_PAYLOAD = 1,
	IKE_N_INVALID_IKE_SPI = 4,
	IKE_N_INVALID_MAJOR_VERSION = 5,
	IKE_N_INVALID_SYNTAX = 7,
	IKE_N_INVALID_MESSAGE_ID = 9,
	IKE_N_INVALID_SPI = 11,
	IKE_N_NO_PROPOSAL_CHOSEN = 14,
	IKE_N_INVALID_KE_PAYLOAD = 17,
	IKE_N_AUTHENTICATION_FAILED = 24,
	IKE_N_SINGLE_PAIR_REQUIRED = 34,
	IKE_N_NO_ADDITIONAL_SAS = 35,
	IKE_N_INTERNAL_ADDRESS_FAILURE = 36,
	IKE_N_FAILED_CP_REQUIRED = 37,
	IKE_N_TS_UNACCEPTABLE = 38,
	IKE_N_INVALID_SELECTORS = 39,
	IKE_N_UNACCEPTABLE_ADDRESSES = 40,
	IKE_N_UNEXPECTED_NAT_DETECTED = 41,
	IKE_N_USE_ASSIGNED_HOA = 42,
	IKE_N_TEMPORARY_FAILURE = 43,
	IKE_N_CHILD_SA_NOT_FOUND = 44,
	IKE_N_INVALID_GROUP_ID = 45,
	IKE_N_AUTHORIZATION_FAILED = 46,
	IKE_N_STATE_NOT_FOUND = 47,
	/* status */
	IKE_N_INITIAL_CONTACT = 16384,
	IKE_N_SET_WINDOW_SIZE = 16385,
	IKE_N_ADDITIONAL_TS_POSSIBLE = 16386,
	IKE_N_IPCOMP_SUPPORTED = 16387,
	IKE_N_NAT_DETECTION_SOURCE_IP = 16388,
	IKE_N_NAT_DETECTION_DESTINATION_IP = 16389,
	IKE_N_COOKIE = 16390,
	IKE_N_USE_TRANSPORT_MODE = 16391,
	IKE_N_HTTP_CERT_LOOKUP_SUPPORTED = 16392,
	IKE_N_REKEY_SA = 16393,
	IKE_N_ESP_TFC_PADDING_NOT_SUPPORTED = 16394,
	IKE_N_NON_FIRST_FRAGMENTS_ALSO = 16395,
	IKE_N_MOBIKE_SUPPORTED = 16396,
	IKE_N_ADDITIONAL_IP4_ADDRESS = 16397,
	IKE_N_ADDITIONAL_IP6_ADDRESS = 16398,
	IKE_N_NO_ADDITIONAL_ADDRESSES = 16399,
	IKE_N_UPDATE_SA_ADDRESSES = 16400,
	IKE_N_COOKIE2 = 16401,
	IKE_N_NO_NATS_ALLOWED = 16402,
	IKE_N_AUTH_LIFETIME = 16403,
	IKE_N_MULTIPLE_AUTH_SUPPORTED = 16404,
	IKE_N_ANOTHER_AUTH_FOLLOWS = 16405,
	IKE_N_REDIRECT_SUPPORTED = 16406,
	IKE_N_REDIRECT = 16407,
	IKE_N_REDIRECTED_FROM = 16408,
	IKE_N_TICKET_LT_OPAQUE = 16409,
	IKE_N_TICKET_REQUEST = 16410,
	IKE_N_TICKET_ACK = 16411,
	IKE_N_TICKET_NACK = 16412,
	IKE_N_TICKET_OPAQUE = 16413,
	IKE_N_LINK_ID = 16414,
	IKE_N_USE_WESP_MODE = 16415,
	IKE_N_ROHC_SUPPORTED = 16416,
	IKE_N_EAP_ONLY_AUTHENTICATION = 16417,
	IKE_N_CHILDLESS_IKEV2_SUPPORTED = 16418,
	IKE_N_QUICK_CRASH_DETECTION = 16419,
	IKE_N_IKEV2_MESSAGE_ID_SYNC_SUPPORTED = 16420,
	IKE_N_IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED = 16421,
	IKE_N_IKEV2_MESSAGE_ID_SYNC = 16422,
	IKE_N_IPSEC_REPLAY_COUNTER_SYNC = 16423,
	IKE_N_SECURE_PASSWORD_METHODS = 16424,
	IKE_N_PSK_PERSIST = 16425,
	IKE_N_PSK_CONFIRM = 16426,
	IKE_N_ERX_SUPPORTED = 16427,
	IKE_N_IFOM_CAPABILITY = 16428,
	IKE_N_SENDER_REQUEST_ID = 16429,
	IKE_N_IKEV2_FRAGMENTATION_SUPPORTED = 16430,
	IKE_N_SIGNATURE_HASH_ALGORITHMS = 16431,
	IKE_N_CLONE_IKE_SA_SUPPORTED = 16432,
	IKE_N_CLONE_IKE_SA = 16433,
	IKE_N_PUZZLE = 16434,
	IKE_N_USE_PPK = 16435,
	IKE_N_PPK_IDENTITY = 16436,
	IKE_N_NO_PPK_AUTH = 16437,
	IKE_N_INTERMEDIATE_EXCHANGE_SUPPORTED = 16438,
	IKE_N_IP4_ALLOWED = 16439,
	IKE_N_IP6_ALLOWED = 16440,
	IKE_N_ADDITIONAL_KEY_EXCHANGE = 16441,
	IKE_N_USE_AGGFRAG = 16442,
};
static inline bool ike_notify_is_error(uint16_t type)
{
	return type < IKE_NOTIFY_STATUS_MIN;
}

/* Name tables (ike/names.c). */
const char *ike_exchange_name(uint8_t exchange);
/* Short RFC notation: "SA", "KE", "IDi", "IDr", "CERT", "CERTREQ", "AUTH",
 * "Nonce", "N", "D", "V", "TSi", "TSr", "SK", "CP", "EAP", "GSPM", "SKF";
 * "NONE" for 0. */
const char *ike_payload_name(uint8_t type);
const char *ike_protocol_name(uint8_t protocol);   /* "IKE", "AH", "ESP" */
const char *ike_notify_name(uint16_t type);        /* "COOKIE", "INVALID_KE_PAYLOAD" */
const char *ike_transform_type_name(uint8_t type); /* "ENCR", "PRF", "INTEG", "DH", "ESN" */
/* "ENCR_AES_CBC", "PRF_HMAC_SHA2_256", "AUTH_HMAC_SHA2_256_128", "AUTH_NONE",
 * "MODP_2048", "ECP_256", "CURVE25519", "NONE", "ESN", "NO_ESN". */
const char *ike_transform_name(uint8_t type, uint16_t id);
const char *ike_dh_name(uint16_t group);          /* = ike_transform_name(IKE_TRANS_DH, group) */
const char *ike_id_type_name(uint8_t type);       /* "ID_IPV4_ADDR", "ID_FQDN" */
const char *ike_auth_method_name(uint8_t method); /* "SHARED_KEY_MIC", "DIGITAL_SIGNATURE" */
const char *ike_cert_encoding_name(uint8_t enc);  /* "X509_SIGNATURE" */
const char *ike_ts_type_name(uint8_t type);       /* "TS_IPV4_ADDR_RANGE" */
const char *ike_cfg_type_name(uint8_t type);      /* "CFG_REQUEST" */
const char *ike_cfg_attr_name(uint16_t type);     /* "INTERNAL_IP4_ADDRESS" */

#endif
