/* Name tables for the IKEv2 constants in ike/ike.h (IANA "IKEv2 Parameters"). */
#include "ike/ike.h"

#include <stddef.h>

#include "lib/util.h"

struct ike_name {
	uint16_t v;
	const char *name;
};

static const char *name_lookup(const struct ike_name *t, size_t n, uint16_t v)
{
	for (size_t i = 0; i < n; i++)
		if (t[i].v == v)
			return t[i].name;
	return "UNKNOWN";
}

#define LOOKUP(table, v) name_lookup(table, ARRAY_SIZE(table), v)

static const struct ike_name exchanges[] = {
    {IKE_SA_INIT, "IKE_SA_INIT"},
    {IKE_AUTH, "IKE_AUTH"},
    {IKE_CREATE_CHILD_SA, "CREATE_CHILD_SA"},
    {IKE_INFORMATIONAL, "INFORMATIONAL"},
    {IKE_SESSION_RESUME, "IKE_SESSION_RESUME"},
    {IKE_INTERMEDIATE, "IKE_INTERMEDIATE"},
};

const char *ike_exchange_name(uint8_t exchange)
{
	return LOOKUP(exchanges, exchange);
}

static const struct ike_name payloads[] = {
    {IKE_PL_NONE, "NONE"},       {IKE_PL_SA, "SA"},     {IKE_PL_KE, "KE"},
    {IKE_PL_IDI, "IDi"},         {IKE_PL_IDR, "IDr"},   {IKE_PL_CERT, "CERT"},
    {IKE_PL_CERTREQ, "CERTREQ"}, {IKE_PL_AUTH, "AUTH"}, {IKE_PL_NONCE, "Nonce"},
    {IKE_PL_NOTIFY, "N"},        {IKE_PL_DELETE, "D"},  {IKE_PL_VENDOR, "V"},
    {IKE_PL_TSI, "TSi"},         {IKE_PL_TSR, "TSr"},   {IKE_PL_SK, "SK"},
    {IKE_PL_CP, "CP"},           {IKE_PL_EAP, "EAP"},   {IKE_PL_GSPM, "GSPM"},
    {IKE_PL_SKF, "SKF"},
};

const char *ike_payload_name(uint8_t type)
{
	return LOOKUP(payloads, type);
}

bool ike_payload_known(uint8_t type)
{
	return (type >= IKE_PL_SA && type <= IKE_PL_GSPM) || type == IKE_PL_SKF;
}

static const struct ike_name protocols[] = {
    {IKE_PROTO_NONE, "NONE"},
    {IKE_PROTO_IKE, "IKE"},
    {IKE_PROTO_AH, "AH"},
    {IKE_PROTO_ESP, "ESP"},
};

const char *ike_protocol_name(uint8_t protocol)
{
	return LOOKUP(protocols, protocol);
}

#define N(x)                                                                                       \
	{                                                                                          \
		IKE_N_##x, #x                                                                      \
	}
static const struct ike_name notifies[] = {
    N(UNSUPPORTED_CRITICAL_PAYLOAD),
    N(INVALID_IKE_SPI),
    N(INVALID_MAJOR_VERSION),
    N(INVALID_SYNTAX),
    N(INVALID_MESSAGE_ID),
    N(INVALID_SPI),
    N(NO_PROPOSAL_CHOSEN),
    N(INVALID_KE_PAYLOAD),
    N(AUTHENTICATION_FAILED),
    N(SINGLE_PAIR_REQUIRED),
    N(NO_ADDITIONAL_SAS),
    N(INTERNAL_ADDRESS_FAILURE),
    N(FAILED_CP_REQUIRED),
    N(TS_UNACCEPTABLE),
    N(INVALID_SELECTORS),
    N(UNACCEPTABLE_ADDRESSES),
    N(UNEXPECTED_NAT_DETECTED),
    {IKE_N_USE_ASSIGNED_HOA, "USE_ASSIGNED_HoA"},
    N(TEMPORARY_FAILURE),
    N(CHILD_SA_NOT_FOUND),
    N(INVALID_GROUP_ID),
    N(AUTHORIZATION_FAILED),
    N(STATE_NOT_FOUND),
    N(INITIAL_CONTACT),
    N(SET_WINDOW_SIZE),
    N(ADDITIONAL_TS_POSSIBLE),
    N(IPCOMP_SUPPORTED),
    N(NAT_DETECTION_SOURCE_IP),
    N(NAT_DETECTION_DESTINATION_IP),
    N(COOKIE),
    N(USE_TRANSPORT_MODE),
    N(HTTP_CERT_LOOKUP_SUPPORTED),
    N(REKEY_SA),
    N(ESP_TFC_PADDING_NOT_SUPPORTED),
    N(NON_FIRST_FRAGMENTS_ALSO),
    N(MOBIKE_SUPPORTED),
    N(ADDITIONAL_IP4_ADDRESS),
    N(ADDITIONAL_IP6_ADDRESS),
    N(NO_ADDITIONAL_ADDRESSES),
    N(UPDATE_SA_ADDRESSES),
    N(COOKIE2),
    N(NO_NATS_ALLOWED),
    N(AUTH_LIFETIME),
    N(MULTIPLE_AUTH_SUPPORTED),
    N(ANOTHER_AUTH_FOLLOWS),
    N(REDIRECT_SUPPORTED),
    N(REDIRECT),
    N(REDIRECTED_FROM),
    N(TICKET_LT_OPAQUE),
    N(TICKET_REQUEST),
    N(TICKET_ACK),
    N(TICKET_NACK),
    N(TICKET_OPAQUE),
    N(LINK_ID),
    N(USE_WESP_MODE),
    N(ROHC_SUPPORTED),
    N(EAP_ONLY_AUTHENTICATION),
    N(CHILDLESS_IKEV2_SUPPORTED),
    N(QUICK_CRASH_DETECTION),
    N(IKEV2_MESSAGE_ID_SYNC_SUPPORTED),
    N(IPSEC_REPLAY_COUNTER_SYNC_SUPPORTED),
    N(IKEV2_MESSAGE_ID_SYNC),
    N(IPSEC_REPLAY_COUNTER_SYNC),
    N(SECURE_PASSWORD_METHODS),
    N(PSK_PERSIST),
    N(PSK_CONFIRM),
    N(ERX_SUPPORTED),
    N(IFOM_CAPABILITY),
    N(SENDER_REQUEST_ID),
    N(IKEV2_FRAGMENTATION_SUPPORTED),
    N(SIGNATURE_HASH_ALGORITHMS),
    N(CLONE_IKE_SA_SUPPORTED),
    N(CLONE_IKE_SA),
    N(PUZZLE),
    N(USE_PPK),
    N(PPK_IDENTITY),
    N(NO_PPK_AUTH),
    N(INTERMEDIATE_EXCHANGE_SUPPORTED),
    N(IP4_ALLOWED),
    N(IP6_ALLOWED),
    N(ADDITIONAL_KEY_EXCHANGE),
    N(USE_AGGFRAG),
};
#undef N

const char *ike_notify_name(uint16_t type)
{
	return LOOKUP(notifies, type);
}

static const struct ike_name trans_types[] = {
    {IKE_TRANS_ENCR, "ENCR"},
    {IKE_TRANS_PRF, "PRF"},
    {IKE_TRANS_INTEG, "INTEG"},
    {IKE_TRANS_DH, "DH"},
    {IKE_TRANS_ESN, "ESN"},
    {6, "ADDKE1"},
    {7, "ADDKE2"},
    {8, "ADDKE3"},
    {9, "ADDKE4"},
    {10, "ADDKE5"},
    {11, "ADDKE6"},
    {12, "ADDKE7"},
};

const char *ike_transform_type_name(uint8_t type)
{
	return LOOKUP(trans_types, type);
}

#define E(x)                                                                                       \
	{                                                                                          \
		IKE_ENCR_##x, "ENCR_" #x                                                           \
	}
static const struct ike_name encrs[] = {
    E(DES_IV64),
    E(DES),
    E(3DES),
    E(RC5),
    E(IDEA),
    E(CAST),
    E(BLOWFISH),
    E(3IDEA),
    E(DES_IV32),
    E(NULL),
    E(AES_CBC),
    E(AES_CTR),
    E(AES_CCM_8),
    E(AES_CCM_12),
    E(AES_CCM_16),
    E(AES_GCM_8),
    E(AES_GCM_12),
    E(AES_GCM_16),
    E(NULL_AUTH_AES_GMAC),
    E(CAMELLIA_CBC),
    E(CAMELLIA_CTR),
    E(CAMELLIA_CCM_8),
    E(CAMELLIA_CCM_12),
    E(CAMELLIA_CCM_16),
    E(CHACHA20_POLY1305),
};
#undef E

#define P(x)                                                                                       \
	{                                                                                          \
		IKE_PRF_##x, "PRF_" #x                                                             \
	}
static const struct ike_name prfs[] = {
    P(HMAC_MD5),      P(HMAC_SHA1),     P(HMAC_TIGER),    P(AES128_XCBC),
    P(HMAC_SHA2_256), P(HMAC_SHA2_384), P(HMAC_SHA2_512), P(AES128_CMAC),
};
#undef P

#define I(x)                                                                                       \
	{                                                                                          \
		IKE_INTEG_##x, "AUTH_" #x                                                          \
	}
static const struct ike_name integs[] = {
    I(NONE),
    I(HMAC_MD5_96),
    I(HMAC_SHA1_96),
    I(DES_MAC),
    I(KPDK_MD5),
    I(AES_XCBC_96),
    I(HMAC_MD5_128),
    I(HMAC_SHA1_160),
    I(AES_CMAC_96),
    I(AES_128_GMAC),
    I(AES_192_GMAC),
    I(AES_256_GMAC),
    I(HMAC_SHA2_256_128),
    I(HMAC_SHA2_384_192),
    I(HMAC_SHA2_512_256),
};
#undef I

static const struct ike_name dhs[] = {
    {IKE_DH_NONE, "NONE"},
    {IKE_DH_MODP768, "MODP_768"},
    {IKE_DH_MODP1024, "MODP_1024"},
    {IKE_DH_MODP1536, "MODP_1536"},
    {IKE_DH_MODP2048, "MODP_2048"},
    {IKE_DH_MODP3072, "MODP_3072"},
    {IKE_DH_MODP4096, "MODP_4096"},
    {IKE_DH_MODP6144, "MODP_6144"},
    {IKE_DH_MODP8192, "MODP_8192"},
    {IKE_DH_ECP256, "ECP_256"},
    {IKE_DH_ECP384, "ECP_384"},
    {IKE_DH_ECP521, "ECP_521"},
    {IKE_DH_MODP1024_S160, "MODP_1024_160"},
    {IKE_DH_MODP2048_S224, "MODP_2048_224"},
    {IKE_DH_MODP2048_S256, "MODP_2048_256"},
    {IKE_DH_ECP192, "ECP_192"},
    {IKE_DH_ECP224, "ECP_224"},
    {IKE_DH_BRAINPOOL224, "BRAINPOOL_P224"},
    {IKE_DH_BRAINPOOL256, "BRAINPOOL_P256"},
    {IKE_DH_BRAINPOOL384, "BRAINPOOL_P384"},
    {IKE_DH_BRAINPOOL512, "BRAINPOOL_P512"},
    {IKE_DH_CURVE25519, "CURVE25519"},
    {IKE_DH_CURVE448, "CURVE448"},
};

static const struct ike_name esns[] = {
    {IKE_ESN_NO, "NO_ESN"},
    {IKE_ESN_YES, "ESN"},
};

const char *ike_dh_name(uint16_t group)
{
	return LOOKUP(dhs, group);
}

const char *ike_transform_name(uint8_t type, uint16_t id)
{
	switch (type) {
	case IKE_TRANS_ENCR:
		return LOOKUP(encrs, id);
	case IKE_TRANS_PRF:
		return LOOKUP(prfs, id);
	case IKE_TRANS_INTEG:
		return LOOKUP(integs, id);
	case IKE_TRANS_ESN:
		return LOOKUP(esns, id);
	default:
		if (type == IKE_TRANS_DH || (type >= IKE_TRANS_ADDKE1 && type <= IKE_TRANS_ADDKE7))
			return LOOKUP(dhs, id);
		return "UNKNOWN";
	}
}

static const struct ike_name id_types[] = {
    {IKE_ID_IPV4_ADDR, "ID_IPV4_ADDR"},
    {IKE_ID_FQDN, "ID_FQDN"},
    {IKE_ID_RFC822_ADDR, "ID_RFC822_ADDR"},
    {IKE_ID_IPV6_ADDR, "ID_IPV6_ADDR"},
    {IKE_ID_DER_ASN1_DN, "ID_DER_ASN1_DN"},
    {IKE_ID_DER_ASN1_GN, "ID_DER_ASN1_GN"},
    {IKE_ID_KEY_ID, "ID_KEY_ID"},
    {IKE_ID_FC_NAME, "ID_FC_NAME"},
    {IKE_ID_NULL, "ID_NULL"},
};

const char *ike_id_type_name(uint8_t type)
{
	return LOOKUP(id_types, type);
}

static const struct ike_name auth_methods[] = {
    {IKE_AUTH_RSA_SIG, "RSA_SIGNATURE"},
    {IKE_AUTH_SHARED_KEY_MIC, "SHARED_KEY_MIC"},
    {IKE_AUTH_DSS_SIG, "DSS_SIGNATURE"},
    {IKE_AUTH_ECDSA_SHA256_P256, "ECDSA_SHA256_P256"},
    {IKE_AUTH_ECDSA_SHA384_P384, "ECDSA_SHA384_P384"},
    {IKE_AUTH_ECDSA_SHA512_P521, "ECDSA_SHA512_P521"},
    {IKE_AUTH_GSPAM, "GSPAM"},
    {IKE_AUTH_NULL, "NULL_AUTH"},
    {IKE_AUTH_DIGITAL_SIG, "DIGITAL_SIGNATURE"},
};

const char *ike_auth_method_name(uint8_t method)
{
	return LOOKUP(auth_methods, method);
}

static const struct ike_name cert_encs[] = {
    {IKE_CERT_PKCS7_X509, "PKCS7_X509"},
    {IKE_CERT_PGP, "PGP"},
    {IKE_CERT_DNS_SIGNED_KEY, "DNS_SIGNED_KEY"},
    {IKE_CERT_X509_SIG, "X509_SIGNATURE"},
    {IKE_CERT_KERBEROS, "KERBEROS_TOKEN"},
    {IKE_CERT_CRL, "CRL"},
    {IKE_CERT_ARL, "ARL"},
    {IKE_CERT_SPKI, "SPKI"},
    {IKE_CERT_X509_ATTR, "X509_ATTRIBUTE"},
    {IKE_CERT_RAW_RSA, "RAW_RSA_KEY"},
    {IKE_CERT_HASH_URL_X509, "HASH_URL_X509_CERT"},
    {IKE_CERT_HASH_URL_BUNDLE, "HASH_URL_X509_BUNDLE"},
    {IKE_CERT_OCSP, "OCSP_CONTENT"},
    {IKE_CERT_RAW_PUBKEY, "RAW_PUBLIC_KEY"},
};

const char *ike_cert_encoding_name(uint8_t enc)
{
	return LOOKUP(cert_encs, enc);
}

static const struct ike_name ts_types[] = {
    {IKE_TS_IPV4_ADDR_RANGE, "TS_IPV4_ADDR_RANGE"},
    {IKE_TS_IPV6_ADDR_RANGE, "TS_IPV6_ADDR_RANGE"},
};

const char *ike_ts_type_name(uint8_t type)
{
	return LOOKUP(ts_types, type);
}

static const struct ike_name cfg_types[] = {
    {IKE_CFG_REQUEST, "CFG_REQUEST"},
    {IKE_CFG_REPLY, "CFG_REPLY"},
    {IKE_CFG_SET, "CFG_SET"},
    {IKE_CFG_ACK, "CFG_ACK"},
};

const char *ike_cfg_type_name(uint8_t type)
{
	return LOOKUP(cfg_types, type);
}

#define C(x)                                                                                       \
	{                                                                                          \
		IKE_CFG_##x, #x                                                                    \
	}
static const struct ike_name cfg_attrs[] = {
    C(INTERNAL_IP4_ADDRESS), C(INTERNAL_IP4_NETMASK), C(INTERNAL_IP4_DNS),
    C(INTERNAL_IP4_NBNS),    C(INTERNAL_IP4_DHCP),    C(APPLICATION_VERSION),
    C(INTERNAL_IP6_ADDRESS), C(INTERNAL_IP6_DNS),     C(INTERNAL_IP6_DHCP),
    C(INTERNAL_IP4_SUBNET),  C(SUPPORTED_ATTRIBUTES), C(INTERNAL_IP6_SUBNET),
};
#undef C

const char *ike_cfg_attr_name(uint16_t type)
{
	return LOOKUP(cfg_attrs, type);
}
