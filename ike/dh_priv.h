/* Internals shared by ike/crypto.c (suite sizes, names, parsing) and
 * ike/dh.c (Diffie-Hellman): the table of supported DH groups. Private to
 * ike/libikecrypto.a; ike/crypto.h is the API. No OpenSSL here. */
#ifndef DMVPN_IKE_DH_PRIV_H
#define DMVPN_IKE_DH_PRIV_H

#include <stdint.h>

enum dh_kind { DH_MODP, DH_ECP, DH_RAW };

struct dh_group {
	uint16_t id;
	uint8_t kind;
	uint16_t pub_len;
	const char *ossl;  /* OpenSSL group or algorithm name */
	const char *token; /* strongSwan keyword */
};

/* The group with IANA id `id`, or NULL when it is not supported. */
const struct dh_group *ike_dh_group_find(unsigned id);
/* The group whose strongSwan keyword is `token` (e.g. "ecp256"), or NULL. */
const struct dh_group *ike_dh_group_by_token(const char *token);

#endif
