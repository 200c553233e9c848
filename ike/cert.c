/* Certificates and RFC 7427 signatures over OpenSSL 3 (see ike/cert.h).
 * With ike/crypto.c, the only files under ike/ that include OpenSSL. */
#include "ike/cert.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

struct ike_cred {
	X509 *cert;
	EVP_PKEY *key;
	X509 *ca;
	X509_STORE *store;
	uint8_t *der, *subj;
	size_t der_len, subj_len;
	uint8_t ca_keyid[20];
};

struct ike_peer_cert {
	X509 *cert;
	uint8_t *subj;
	size_t subj_len;
};

/* RFC 7427 Appendix A. */
static const uint8_t alg_ecdsa_sha256[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                           0xce, 0x3d, 0x04, 0x03, 0x02};
static const uint8_t alg_ecdsa_sha384[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                           0xce, 0x3d, 0x04, 0x03, 0x03};
static const uint8_t alg_ecdsa_sha512[] = {0x30, 0x0a, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                           0xce, 0x3d, 0x04, 0x03, 0x04};
static const uint8_t alg_rsa_sha256[] = {0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86,
                                         0xf7, 0x0d, 0x01, 0x01, 0x0b, 0x05, 0x00};

static X509 *read_cert(const char *path)
{
	FILE *f = fopen(path, "r");
	X509 *x = f ? PEM_read_X509(f, NULL, NULL, NULL) : NULL;
	if (f)
		fclose(f);
	return x;
}

static int der_of(int (*i2d)(const void *, unsigned char **), const void *obj, uint8_t **out,
                  size_t *len)
{
	unsigned char *p = NULL;
	int n = i2d(obj, &p);
	if (n <= 0)
		return -1;
	*out = p;
	*len = (size_t)n;
	return 0;
}

static int i2d_x509_cb(const void *o, unsigned char **p)
{
	return i2d_X509((X509 *)o, p);
}
static int i2d_name_cb(const void *o, unsigned char **p)
{
	return i2d_X509_NAME((X509_NAME *)o, p);
}

struct ike_cred *ike_cred_load(const char *cert_pem, const char *key_pem, const char *ca_pem,
                               char *err, size_t errlen)
{
	struct ike_cred *c = calloc(1, sizeof(*c));
	FILE *f = NULL;

	if (!c)
		return NULL;
	if (!(c->cert = read_cert(cert_pem))) {
		snprintf(err, errlen, "cannot read certificate %s", cert_pem);
		goto fail;
	}
	if (!(f = fopen(key_pem, "r")) || !(c->key = PEM_read_PrivateKey(f, NULL, NULL, NULL))) {
		snprintf(err, errlen, "cannot read private key %s", key_pem);
		goto fail;
	}
	fclose(f);
	f = NULL;
	if (X509_check_private_key(c->cert, c->key) != 1) {
		snprintf(err, errlen, "private key does not match the certificate");
		goto fail;
	}
	if (!(c->ca = read_cert(ca_pem))) {
		snprintf(err, errlen, "cannot read CA certificate %s", ca_pem);
		goto fail;
	}
	c->store = X509_STORE_new();
	if (!c->store || X509_STORE_add_cert(c->store, c->ca) != 1)
		goto fail;
	if (der_of(i2d_x509_cb, c->cert, &c->der, &c->der_len) < 0 ||
	    der_of(i2d_name_cb, X509_get_subject_name(c->cert), &c->subj, &c->subj_len) < 0)
		goto fail;
	unsigned char *spki = NULL;
	int sl = i2d_PUBKEY(X509_get0_pubkey(c->ca), &spki);
	if (sl <= 0)
		goto fail;
	struct ike_chunk ch = {spki, (size_t)sl};
	int rc = ike_sha1(&ch, 1, c->ca_keyid);
	OPENSSL_free(spki);
	if (rc < 0)
		goto fail;
	return c;
fail:
	if (f)
		fclose(f);
	if (err && errlen && !err[0])
		snprintf(err, errlen, "credential setup failed");
	ike_cred_free(c);
	return NULL;
}

void ike_cred_free(struct ike_cred *c)
{
	if (!c)
		return;
	X509_free(c->cert);
	EVP_PKEY_free(c->key);
	X509_free(c->ca);
	X509_STORE_free(c->store);
	OPENSSL_free(c->der);
	OPENSSL_free(c->subj);
	free(c);
}

const uint8_t *ike_cred_cert(const struct ike_cred *c, size_t *len)
{
	*len = c->der_len;
	return c->der;
}
const uint8_t *ike_cred_subject(const struct ike_cred *c, size_t *len)
{
	*len = c->subj_len;
	return c->subj;
}
const uint8_t *ike_cred_ca_keyid(const struct ike_cred *c)
{
	return c->ca_keyid;
}

static int sign_or_verify(EVP_PKEY *key, const EVP_MD *md, bool sign, uint8_t *sig, size_t *siglen,
                          const struct ike_chunk *data, size_t n)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok = ctx != NULL;
	ok = ok && (sign ? EVP_DigestSignInit(ctx, NULL, md, NULL, key)
	                 : EVP_DigestVerifyInit(ctx, NULL, md, NULL, key)) == 1;
	for (size_t i = 0; ok && i < n; i++)
		ok = (sign ? EVP_DigestSignUpdate(ctx, data[i].p, data[i].len)
		           : EVP_DigestVerifyUpdate(ctx, data[i].p, data[i].len)) == 1;
	ok = ok && (sign ? EVP_DigestSignFinal(ctx, sig, siglen)
	                 : EVP_DigestVerifyFinal(ctx, sig, *siglen)) == 1;
	EVP_MD_CTX_free(ctx);
	return ok ? 0 : -1;
}

int ike_cred_sign(const struct ike_cred *c, const struct ike_chunk *data, size_t n, uint8_t *out,
                  size_t cap)
{
	const uint8_t *alg;
	size_t alglen;
	const EVP_MD *md;
	int bits = EVP_PKEY_get_bits(c->key);

	if (EVP_PKEY_is_a(c->key, "EC")) {
		if (bits > 384) {
			alg = alg_ecdsa_sha512, alglen = sizeof(alg_ecdsa_sha512), md = EVP_sha512();
		} else if (bits > 256) {
			alg = alg_ecdsa_sha384, alglen = sizeof(alg_ecdsa_sha384), md = EVP_sha384();
		} else {
			alg = alg_ecdsa_sha256, alglen = sizeof(alg_ecdsa_sha256), md = EVP_sha256();
		}
	} else if (EVP_PKEY_is_a(c->key, "RSA")) {
		alg = alg_rsa_sha256, alglen = sizeof(alg_rsa_sha256), md = EVP_sha256();
	} else {
		return -1;
	}
	size_t siglen = (size_t)EVP_PKEY_get_size(c->key);
	if (cap < 1 + alglen + siglen)
		return -1;
	out[0] = (uint8_t)alglen;
	memcpy(out + 1, alg, alglen);
	if (sign_or_verify(c->key, md, true, out + 1 + alglen, &siglen, data, n) < 0)
		return -1;
	return (int)(1 + alglen + siglen);
}

struct ike_peer_cert *ike_peer_cert_verify(const struct ike_cred *c, const uint8_t *der,
                                           size_t len, char *err, size_t errlen)
{
	const unsigned char *p = der;
	struct ike_peer_cert *pc = calloc(1, sizeof(*pc));
	X509_STORE_CTX *ctx = NULL;

	if (!pc)
		return NULL;
	pc->cert = d2i_X509(NULL, &p, (long)len);
	if (!pc->cert || p != der + len) {
		snprintf(err, errlen, "malformed certificate");
		goto fail;
	}
	ctx = X509_STORE_CTX_new();
	if (!ctx || X509_STORE_CTX_init(ctx, c->store, pc->cert, NULL) != 1)
		goto fail;
	if (X509_verify_cert(ctx) != 1) {
		snprintf(err, errlen, "certificate not trusted: %s",
		         X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx)));
		goto fail;
	}
	X509_STORE_CTX_free(ctx);
	ctx = NULL;
	if (der_of(i2d_name_cb, X509_get_subject_name(pc->cert), &pc->subj, &pc->subj_len) < 0)
		goto fail;
	return pc;
fail:
	if (err && errlen && !err[0])
		snprintf(err, errlen, "certificate check failed");
	X509_STORE_CTX_free(ctx);
	ike_peer_cert_free(pc);
	return NULL;
}

void ike_peer_cert_free(struct ike_peer_cert *pc)
{
	if (!pc)
		return;
	X509_free(pc->cert);
	OPENSSL_free(pc->subj);
	free(pc);
}

const uint8_t *ike_peer_cert_subject(const struct ike_peer_cert *pc, size_t *len)
{
	*len = pc->subj_len;
	return pc->subj;
}

int ike_peer_cert_check(const struct ike_peer_cert *pc, const uint8_t *alg, size_t alglen,
                        const uint8_t *sig, size_t siglen, const struct ike_chunk *data, size_t n)
{
	const unsigned char *p = alg;
	X509_ALGOR *a = d2i_X509_ALGOR(NULL, &p, (long)alglen);
	int md_nid = NID_undef, pk_nid = NID_undef, rc = -1;

	if (!a)
		return -1;
	const ASN1_OBJECT *oid = NULL;
	X509_ALGOR_get0(&oid, NULL, NULL, a);
	if (p == alg + alglen && oid &&
	    OBJ_find_sigid_algs(OBJ_obj2nid(oid), &md_nid, &pk_nid) == 1) {
		const EVP_MD *md = EVP_get_digestbynid(md_nid);
		EVP_PKEY *key = X509_get0_pubkey(pc->cert);
		bool fits = key && ((pk_nid == NID_X9_62_id_ecPublicKey && EVP_PKEY_is_a(key, "EC")) ||
		                    (pk_nid == NID_rsaEncryption && EVP_PKEY_is_a(key, "RSA")));
		size_t sl = siglen;
		if (md && fits)
			rc = sign_or_verify(key, md, false, (uint8_t *)sig, &sl, data, n);
	}
	X509_ALGOR_free(a);
	return rc;
}

int ike_dn_string(const uint8_t *der, size_t len, char *out, size_t cap)
{
	const unsigned char *p = der;
	X509_NAME *n = d2i_X509_NAME(NULL, &p, (long)len);
	BIO *b = n ? BIO_new(BIO_s_mem()) : NULL;
	int rc = -1;

	if (b && p == der + len && cap &&
	    X509_NAME_print_ex(b, n, 0, XN_FLAG_SEP_CPLUS_SPC | ASN1_STRFLGS_RFC2253) >= 0) {
		int k = BIO_read(b, out, (int)(cap - 1));
		out[k > 0 ? k : 0] = 0;
		rc = 0;
	}
	BIO_free(b);
	X509_NAME_free(n);
	return rc;
}
