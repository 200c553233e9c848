/* Configuration: strongSwan-style proposal strings -> IKEv2 transforms.
 *
 * Accepted names (IANA transform IDs, RFC 7296 section 3.3.2 and the IKEv2
 * registry):
 *   encryption  aes128 aes192 aes256 (AES-CBC), 3des,
 *               aesNNNgcm8|12|16, aesNNNccm8|12|16 (NNN = 128, 192, 256;
 *               also the ICV-bit spellings gcm64|96|128, ccm64|96|128)
 *   integrity   sha1 sha256 sha384 sha512 (also sha2_256 sha2_384 sha2_512)
 *   prf         prfsha1 prfsha256 prfsha384 prfsha512
 *   dh          x25519 (curve25519) ecp256 ecp384 modp2048 modp3072 modp4096
 *   esn         esn noesn (ESP only)
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "lib/util.h"

enum {
	ENCR_3DES = 3,
	ENCR_AES_CBC = 12,
	ENCR_AES_CCM_8 = 14,
	ENCR_AES_CCM_12 = 15,
	ENCR_AES_CCM_16 = 16,
	ENCR_AES_GCM_8 = 18,
	ENCR_AES_GCM_12 = 19,
	ENCR_AES_GCM_16 = 20,
	AUTH_HMAC_SHA1_96 = 2,
	AUTH_HMAC_SHA2_256_128 = 12,
	AUTH_HMAC_SHA2_384_192 = 13,
	AUTH_HMAC_SHA2_512_256 = 14,
	PRF_HMAC_SHA1 = 2,
	PRF_HMAC_SHA2_256 = 5,
	PRF_HMAC_SHA2_384 = 6,
	PRF_HMAC_SHA2_512 = 7,
	DH_MODP2048 = 14,
	DH_MODP3072 = 15,
	DH_MODP4096 = 16,
	DH_ECP256 = 19,
	DH_ECP384 = 20,
	DH_CURVE25519 = 31,
};

struct alg {
	const char *name;
	uint8_t type;
	uint16_t id;
	uint16_t keylen;
	bool aead;
};

#define AES_MODES(bits)                                                                            \
	{"aes" #bits, CFG_XFORM_ENCR, ENCR_AES_CBC, bits, false},                                  \
	    {"aes" #bits "gcm16", CFG_XFORM_ENCR, ENCR_AES_GCM_16, bits, true},                    \
	    {"aes" #bits "gcm12", CFG_XFORM_ENCR, ENCR_AES_GCM_12, bits, true},                    \
	    {"aes" #bits "gcm8", CFG_XFORM_ENCR, ENCR_AES_GCM_8, bits, true},                      \
	    {"aes" #bits "ccm16", CFG_XFORM_ENCR, ENCR_AES_CCM_16, bits, true},                    \
	    {"aes" #bits "ccm12", CFG_XFORM_ENCR, ENCR_AES_CCM_12, bits, true},                    \
	    {"aes" #bits "ccm8", CFG_XFORM_ENCR, ENCR_AES_CCM_8, bits, true},                      \
	    {"aes" #bits "gcm128", CFG_XFORM_ENCR, ENCR_AES_GCM_16, bits, true},                   \
	    {"aes" #bits "gcm96", CFG_XFORM_ENCR, ENCR_AES_GCM_12, bits, true},                    \
	    {"aes" #bits "gcm64", CFG_XFORM_ENCR, ENCR_AES_GCM_8, bits, true},                     \
	    {"aes" #bits "ccm128", CFG_XFORM_ENCR, ENCR_AES_CCM_16, bits, true},                   \
	    {"aes" #bits "ccm96", CFG_XFORM_ENCR, ENCR_AES_CCM_12, bits, true},                    \
	{                                                                                          \
		"aes" #bits "ccm64", CFG_XFORM_ENCR, ENCR_AES_CCM_8, bits, true                    \
	}

/* The first entry of each (type, id, keylen) is its canonical name. */
static const struct alg algs[] = {
    AES_MODES(128),
    AES_MODES(192),
    AES_MODES(256),
    {"3des", CFG_XFORM_ENCR, ENCR_3DES, 0, false},
    {"sha1", CFG_XFORM_INTEG, AUTH_HMAC_SHA1_96, 0, false},
    {"sha256", CFG_XFORM_INTEG, AUTH_HMAC_SHA2_256_128, 0, false},
    {"sha384", CFG_XFORM_INTEG, AUTH_HMAC_SHA2_384_192, 0, false},
    {"sha512", CFG_XFORM_INTEG, AUTH_HMAC_SHA2_512_256, 0, false},
    {"sha2_256", CFG_XFORM_INTEG, AUTH_HMAC_SHA2_256_128, 0, false},
    {"sha2_384", CFG_XFORM_INTEG, AUTH_HMAC_SHA2_384_192, 0, false},
    {"sha2_512", CFG_XFORM_INTEG, AUTH_HMAC_SHA2_512_256, 0, false},
    {"prfsha1", CFG_XFORM_PRF, PRF_HMAC_SHA1, 0, false},
    {"prfsha256", CFG_XFORM_PRF, PRF_HMAC_SHA2_256, 0, false},
    {"prfsha384", CFG_XFORM_PRF, PRF_HMAC_SHA2_384, 0, false},
    {"prfsha512", CFG_XFORM_PRF, PRF_HMAC_SHA2_512, 0, false},
    {"x25519", CFG_XFORM_DH, DH_CURVE25519, 0, false},
    {"curve25519", CFG_XFORM_DH, DH_CURVE25519, 0, false},
    {"ecp256", CFG_XFORM_DH, DH_ECP256, 0, false},
    {"ecp384", CFG_XFORM_DH, DH_ECP384, 0, false},
    {"modp2048", CFG_XFORM_DH, DH_MODP2048, 0, false},
    {"modp3072", CFG_XFORM_DH, DH_MODP3072, 0, false},
    {"modp4096", CFG_XFORM_DH, DH_MODP4096, 0, false},
    {"noesn", CFG_XFORM_ESN, 0, 0, false},
    {"esn", CFG_XFORM_ESN, 1, 0, false},
};

static const struct alg *alg_find(const char *name, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(algs); i++)
		if (strlen(algs[i].name) == len && !memcmp(algs[i].name, name, len))
			return &algs[i];
	return NULL;
}

const char *cfg_xform_name(const struct cfg_xform *x)
{
	for (size_t i = 0; i < ARRAY_SIZE(algs); i++)
		if (algs[i].type == x->type && algs[i].id == x->id && algs[i].keylen == x->keylen)
			return algs[i].name;
	return "?";
}

/* The PRF that goes with an integrity algorithm (strongSwan's rule). */
static uint16_t prf_for_integ(uint16_t integ)
{
	switch (integ) {
	case AUTH_HMAC_SHA1_96:
		return PRF_HMAC_SHA1;
	case AUTH_HMAC_SHA2_256_128:
		return PRF_HMAC_SHA2_256;
	case AUTH_HMAC_SHA2_384_192:
		return PRF_HMAC_SHA2_384;
	default:
		return PRF_HMAC_SHA2_512;
	}
}

static bool suite_has(const struct cfg_suite *s, uint8_t type, uint16_t id, uint16_t keylen)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->x[i].type == type && s->x[i].id == id && s->x[i].keylen == keylen)
			return true;
	return false;
}

static size_t suite_count(const struct cfg_suite *s, uint8_t type)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n; i++)
		n += s->x[i].type == type;
	return n;
}

static int suite_add(struct cfg_suite *s, uint8_t type, uint16_t id, uint16_t keylen)
{
	if (suite_has(s, type, id, keylen))
		return 0;
	if (s->n >= CFG_SUITE_MAX)
		return -1;
	s->x[s->n].type = type;
	s->x[s->n].id = id;
	s->x[s->n].keylen = keylen;
	s->n++;
	return 0;
}

/* Stable sort by transform type (encr, prf, integ, dh, esn) keeping the
 * written order inside a type. */
static void suite_order(struct cfg_suite *s)
{
	for (size_t i = 1; i < s->n; i++) {
		struct cfg_xform x = s->x[i];
		size_t j = i;
		while (j > 0 && s->x[j - 1].type > x.type) {
			s->x[j] = s->x[j - 1];
			j--;
		}
		s->x[j] = x;
	}
}

int cfg_suite_parse(struct cfg_suite *s, const char *text, bool esp, char *err, size_t errlen)
{
	struct cfg_suite in; /* as written, integrity kept apart for the AEAD rule */
	bool have_aead = false, have_plain = false;
	const char *t = text;

	memset(s, 0, sizeof(*s));
	memset(&in, 0, sizeof(in));
	for (;;) {
		size_t len = strcspn(t, "-");
		const struct alg *a = alg_find(t, len);

		if (len == 0) {
			snprintf(err, errlen, "empty algorithm name");
			return -1;
		}
		if (!a) {
			snprintf(err, errlen, "unknown algorithm '%.*s'", len > 40 ? 40 : (int)len,
			         t);
			return -1;
		}
		if (a->type == CFG_XFORM_ESN && !esp) {
			snprintf(err, errlen, "'%s' is only valid in an esp-proposal", a->name);
			return -1;
		}
		if (a->type == CFG_XFORM_PRF && esp) {
			snprintf(err, errlen, "PRF '%s' is not valid in an esp-proposal", a->name);
			return -1;
		}
		if (suite_has(&in, a->type, a->id, a->keylen) ||
		    (a->type == CFG_XFORM_ESN && suite_count(&in, CFG_XFORM_ESN))) {
			snprintf(err, errlen, "'%s' given twice", a->name);
			return -1;
		}
		if (suite_add(&in, a->type, a->id, a->keylen) < 0) {
			snprintf(err, errlen, "too many algorithms (at most %d)", CFG_SUITE_MAX);
			return -1;
		}
		if (a->type == CFG_XFORM_ENCR) {
			have_aead |= a->aead;
			have_plain |= !a->aead;
		}
		if (!t[len])
			break;
		t += len + 1;
	}

	if (!have_aead && !have_plain) {
		snprintf(err, errlen, "no encryption algorithm");
		return -1;
	}
	if (have_aead && have_plain) {
		snprintf(err, errlen, "mixes AEAD (gcm/ccm) and non-AEAD encryption algorithms");
		return -1;
	}
	s->aead = have_aead;
	for (size_t i = 0; i < in.n; i++) {
		const struct cfg_xform *x = &in.x[i];
		uint8_t type = x->type;
		uint16_t id = x->id;

		if (type == CFG_XFORM_INTEG && have_aead) {
			if (esp) {
				snprintf(err, errlen,
				         "integrity algorithm '%s' with an AEAD (gcm/ccm) cipher",
				         cfg_xform_name(x));
				return -1;
			}
			type = CFG_XFORM_PRF; /* IKE + AEAD: sha256 names prfsha256 */
			id = prf_for_integ(id);
		}
		if (suite_add(s, type, id, x->keylen) < 0) {
			snprintf(err, errlen, "too many algorithms (at most %d)", CFG_SUITE_MAX);
			return -1;
		}
	}
	if (!have_aead && !suite_count(s, CFG_XFORM_INTEG)) {
		snprintf(err, errlen, "no integrity algorithm (e.g. sha256)");
		return -1;
	}
	if (!esp && !suite_count(s, CFG_XFORM_PRF)) {
		if (have_aead) {
			snprintf(err, errlen, "no PRF for the AEAD cipher (e.g. prfsha256)");
			return -1;
		}
		for (size_t i = 0; i < in.n; i++)
			if (in.x[i].type == CFG_XFORM_INTEG &&
			    suite_add(s, CFG_XFORM_PRF, prf_for_integ(in.x[i].id), 0) < 0) {
				snprintf(err, errlen, "too many algorithms (at most %d)",
				         CFG_SUITE_MAX);
				return -1;
			}
	}
	if (!esp && !suite_count(s, CFG_XFORM_DH)) {
		snprintf(err, errlen, "no key exchange group (e.g. x25519)");
		return -1;
	}
	if (esp && !suite_count(s, CFG_XFORM_ESN) && suite_add(s, CFG_XFORM_ESN, 0, 0) < 0) {
		snprintf(err, errlen, "too many algorithms (at most %d)", CFG_SUITE_MAX);
		return -1;
	}
	suite_order(s);
	return 0;
}
