/* Diffie-Hellman for IKEv2 over OpenSSL 3 EVP (ike/crypto.h has the API):
 * MODP (RFC 3526), ECP (RFC 5903) and Curve25519/448 (RFC 8031) groups,
 * key pairs (fresh or from a known private value, for known-answer tests)
 * and the shared secret, in the KE payload's encodings. */
#include "ike/crypto.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/dh.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/params.h>

#include "ike/dh_priv.h"
#include "lib/util.h"

/* ------------------------------------------------------------------ */
/* Groups */

static const struct dh_group dh_groups[] = {
    {IKE_DH_MODP1536, DH_MODP, 192, "modp_1536", "modp1536"},
    {IKE_DH_MODP2048, DH_MODP, 256, "modp_2048", "modp2048"},
    {IKE_DH_MODP3072, DH_MODP, 384, "modp_3072", "modp3072"},
    {IKE_DH_MODP4096, DH_MODP, 512, "modp_4096", "modp4096"},
    {IKE_DH_MODP6144, DH_MODP, 768, "modp_6144", "modp6144"},
    {IKE_DH_MODP8192, DH_MODP, 1024, "modp_8192", "modp8192"},
    {IKE_DH_ECP256, DH_ECP, 64, "P-256", "ecp256"},
    {IKE_DH_ECP384, DH_ECP, 96, "P-384", "ecp384"},
    {IKE_DH_ECP521, DH_ECP, 132, "P-521", "ecp521"},
    {IKE_DH_CURVE25519, DH_RAW, 32, "X25519", "x25519"},
    {IKE_DH_CURVE448, DH_RAW, 56, "X448", "x448"},
};

const struct dh_group *ike_dh_group_find(unsigned id)
{
	for (size_t i = 0; i < ARRAY_SIZE(dh_groups); i++)
		if (dh_groups[i].id == id)
			return &dh_groups[i];
	return NULL;
}

const struct dh_group *ike_dh_group_by_token(const char *token)
{
	for (size_t i = 0; i < ARRAY_SIZE(dh_groups); i++)
		if (strcmp(token, dh_groups[i].token) == 0)
			return &dh_groups[i];
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Key pairs and the shared secret */

struct ike_dh {
	const struct dh_group *g;
	EVP_PKEY *pkey;
};

size_t ike_dh_pub_len(unsigned group)
{
	const struct dh_group *g = ike_dh_group_find(group);
	return g ? g->pub_len : 0;
}

static struct ike_dh *dh_wrap(const struct dh_group *g, EVP_PKEY *pkey)
{
	struct ike_dh *dh = pkey ? calloc(1, sizeof(*dh)) : NULL;

	if (!dh) {
		EVP_PKEY_free(pkey);
		ERR_clear_error();
		return NULL;
	}
	dh->g = g;
	dh->pkey = pkey;
	return dh;
}

struct ike_dh *ike_dh_new(unsigned group)
{
	const struct dh_group *g = ike_dh_group_find(group);
	const char *alg = !g                   ? NULL
	                  : g->kind == DH_MODP ? "DH"
	                  : g->kind == DH_ECP  ? "EC"
	                                       : g->ossl;
	EVP_PKEY_CTX *ctx = alg ? EVP_PKEY_CTX_new_from_name(NULL, alg, NULL) : NULL;
	EVP_PKEY *pkey = NULL;

	if (!ctx || EVP_PKEY_keygen_init(ctx) <= 0 ||
	    (g->kind != DH_RAW && EVP_PKEY_CTX_set_group_name(ctx, g->ossl) <= 0) ||
	    EVP_PKEY_generate(ctx, &pkey) <= 0) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	EVP_PKEY_CTX_free(ctx);
	return g ? dh_wrap(g, pkey) : NULL;
}

/* ECP key from a private scalar: the public point is computed here because
 * OpenSSL 3.0 does not derive it on import. */
static EVP_PKEY *ecp_from_private(const struct dh_group *g, const uint8_t *priv, size_t len)
{
	EC_GROUP *grp = EC_GROUP_new_by_curve_name(EC_curve_nist2nid(g->ossl));
	EC_POINT *pt = grp ? EC_POINT_new(grp) : NULL;
	BIGNUM *d = BN_bin2bn(priv, (int)len, NULL);
	OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	OSSL_PARAM *params = NULL;
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	EVP_PKEY *pkey = NULL;
	uint8_t pub[1 + 2 * 66];
	size_t publen;

	if (!pt || !d || !bld || !ctx || !EC_POINT_mul(grp, pt, d, NULL, NULL, NULL))
		goto out;
	publen = EC_POINT_point2oct(grp, pt, POINT_CONVERSION_UNCOMPRESSED, pub, sizeof(pub), NULL);
	if (publen != 1 + (size_t)g->pub_len ||
	    !OSSL_PARAM_BLD_push_utf8_string(bld, OSSL_PKEY_PARAM_GROUP_NAME, g->ossl, 0) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_PRIV_KEY, d) ||
	    !OSSL_PARAM_BLD_push_octet_string(bld, OSSL_PKEY_PARAM_PUB_KEY, pub, publen) ||
	    !(params = OSSL_PARAM_BLD_to_param(bld)) || EVP_PKEY_fromdata_init(ctx) <= 0 ||
	    EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_KEYPAIR, params) <= 0)
		pkey = NULL;
out:
	OSSL_PARAM_free(params);
	OSSL_PARAM_BLD_free(bld);
	EVP_PKEY_CTX_free(ctx);
	BN_clear_free(d);
	EC_POINT_free(pt);
	EC_GROUP_free(grp);
	return pkey;
}

struct ike_dh *ike_dh_new_private(unsigned group, const uint8_t *priv, size_t len)
{
	const struct dh_group *g = ike_dh_group_find(group);

	if (!g || g->kind == DH_MODP)
		return NULL;
	if (g->kind == DH_RAW)
		return dh_wrap(g, EVP_PKEY_new_raw_private_key_ex(NULL, g->ossl, NULL, priv, len));
	return dh_wrap(g, ecp_from_private(g, priv, len));
}

void ike_dh_free(struct ike_dh *dh)
{
	if (!dh)
		return;
	EVP_PKEY_free(dh->pkey);
	free(dh);
}

int ike_dh_public(const struct ike_dh *dh, uint8_t *out, size_t cap)
{
	uint8_t buf[1 + IKE_DH_PUB_MAX];
	size_t len = 0;
	BIGNUM *y = NULL;
	int rc = -1;

	if (cap < dh->g->pub_len)
		return -1;
	switch (dh->g->kind) {
	case DH_MODP:
		if (EVP_PKEY_get_bn_param(dh->pkey, OSSL_PKEY_PARAM_PUB_KEY, &y) &&
		    BN_bn2binpad(y, out, dh->g->pub_len) == dh->g->pub_len)
			rc = 0;
		BN_free(y);
		break;
	case DH_ECP: /* 0x04 | x | y -> x | y */
		if (EVP_PKEY_get_octet_string_param(dh->pkey, OSSL_PKEY_PARAM_ENCODED_PUBLIC_KEY,
		                                    buf, sizeof(buf), &len) &&
		    len == 1u + dh->g->pub_len && buf[0] == 4) {
			memcpy(out, buf + 1, dh->g->pub_len);
			rc = 0;
		}
		break;
	case DH_RAW:
		len = cap;
		if (EVP_PKEY_get_raw_public_key(dh->pkey, out, &len) && len == dh->g->pub_len)
			rc = 0;
		break;
	}
	if (rc)
		ERR_clear_error();
	return rc;
}

int ike_dh_shared(struct ike_dh *dh, const uint8_t *peer, size_t peerlen, uint8_t *out, size_t cap)
{
	const struct dh_group *g = dh->g;
	uint8_t buf[1 + IKE_DH_PUB_MAX];
	EVP_PKEY *pk = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t len = 0;
	int rc = -1;

	if (peerlen != g->pub_len)
		return -1;
	if (g->kind == DH_RAW) {
		pk = EVP_PKEY_new_raw_public_key_ex(NULL, g->ossl, NULL, peer, peerlen);
	} else {
		size_t off = g->kind == DH_ECP ? 1 : 0; /* back to OpenSSL's 0x04 | x | y */
		buf[0] = 4;
		memcpy(buf + off, peer, peerlen);
		pk = EVP_PKEY_new();
		if (pk && (EVP_PKEY_copy_parameters(pk, dh->pkey) <= 0 ||
		           EVP_PKEY_set1_encoded_public_key(pk, buf, peerlen + off) <= 0)) {
			EVP_PKEY_free(pk);
			pk = NULL;
		}
	}
	ctx = pk ? EVP_PKEY_CTX_new_from_pkey(NULL, dh->pkey, NULL) : NULL;
	if (!ctx || EVP_PKEY_derive_init(ctx) <= 0 ||
	    (g->kind == DH_MODP && EVP_PKEY_CTX_set_dh_pad(ctx, 1) <= 0) ||
	    EVP_PKEY_derive_set_peer(ctx, pk) <= 0 || /* validates the peer's value */
	    EVP_PKEY_derive(ctx, NULL, &len) <= 0 || len > cap ||
	    EVP_PKEY_derive(ctx, out, &len) <= 0)
		goto out;
	rc = (int)len;
out:
	if (rc < 0)
		ERR_clear_error();
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(pk);
	return rc;
}
