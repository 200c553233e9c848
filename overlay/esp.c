/* Userspace ESP (RFC 4303): AES-GCM-16 (RFC 4106), AES-CBC (RFC 3602) and
 * 3DES-CBC with HMAC-SHA1-96 / HMAC-SHA2 (RFC 2404, RFC 4868), transport and
 * tunnel mode, anti-replay with ESN (RFC 4303 3.4.3, Appendix A), lifetimes.
 *
 * Inbound order (RFC 4303 3.4): length and alignment, SPI, sequence number
 * against the window, ICV, window update, decryption, padding, next header,
 * inner header. Every refusal is one esp_err, counted in the SA's stats.
 * One EVP_CIPHER_CTX and (non-AEAD) one EVP_MAC_CTX per SA, keyed once at
 * creation; packets are processed in place.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "ike/sa.h"
#include "lib/cursor.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/writer.h"
#include "overlay/esp_int.h"
#include "overlay/ip.h"

#define ESP_REPLAY_WORDS 64 /* power of two, >= ESP_REPLAY_WINDOW / 64 + 1 (RFC 6479) */
#define ESP_SALT_MAX     4
#define ESP_SOFT_FRACTION 0.9

enum esp_kind { ESP_KIND_GCM = 1, ESP_KIND_CBC = 2 };

struct esp_cipher_def {
	uint16_t encr, bits;
	const char *evp;
	enum esp_kind kind;
	uint8_t key_len, salt_len, iv_len, align, icv_len; /* icv_len: GCM tag */
};

static const struct esp_cipher_def esp_ciphers[] = {
	{ IKE_ENCR_AES_GCM_16, 128, "AES-128-GCM", ESP_KIND_GCM, 16, 4, 8, 4, 16 },
	{ IKE_ENCR_AES_GCM_16, 256, "AES-256-GCM", ESP_KIND_GCM, 32, 4, 8, 4, 16 },
	{ IKE_ENCR_AES_CBC, 128, "AES-128-CBC", ESP_KIND_CBC, 16, 0, 16, 16, 0 },
	{ IKE_ENCR_AES_CBC, 256, "AES-256-CBC", ESP_KIND_CBC, 32, 0, 16, 16, 0 },
	{ IKE_ENCR_3DES, 0, "DES-EDE3-CBC", ESP_KIND_CBC, 24, 0, 8, 8, 0 },
};

struct esp_integ_def {
	uint16_t integ;
	const char *digest;
	uint8_t key_len, icv_len;
};

static const struct esp_integ_def esp_integs[] = {
	{ IKE_INTEG_HMAC_SHA1_96, "SHA1", 20, 12 },
	{ IKE_INTEG_HMAC_SHA2_256_128, "SHA2-256", 32, 16 },
	{ IKE_INTEG_HMAC_SHA2_384_192, "SHA2-384", 48, 24 },
	{ IKE_INTEG_HMAC_SHA2_512_256, "SHA2-512", 64, 32 },
};

struct esp_sa {
	uint32_t spi, child_id;
	bool inbound, esn, tunnel;
	enum esp_kind kind;
	uint8_t iv_len, align, icv_len;
	uint8_t salt[ESP_SALT_MAX];
	struct ipaddr local, remote;
	/* inbound tunnel mode: the inner source must lie in ts_remote, the
	 * destination in ts_local (when unset: exactly remote, local) */
	struct ipaddr ts_local_start, ts_local_end, ts_remote_start, ts_remote_end;
	uint8_t ts_proto;
	EVP_CIPHER_CTX *cctx;
	EVP_MAC_CTX *mctx; /* NULL for AEAD (and confidentiality-only) */
	uint64_t seq;      /* outbound: last used; inbound: highest verified */
	uint64_t replay[ESP_REPLAY_WORDS];
	uint16_t inner_id;
	double lifetime; /* seconds, 0: none */
	uint64_t limit_bytes, limit_packets;
	struct esp_sa_stats st;
};

static const char *const esp_err_names[] = {
	[ESP_OK] = "ok",
	[ESP_E_SHORT] = "short",
	[ESP_E_NO_SA] = "no-sa",
	[ESP_E_REPLAY] = "replay",
	[ESP_E_ICV] = "icv",
	[ESP_E_ALIGN] = "align",
	[ESP_E_PAD] = "pad",
	[ESP_E_NEXT_HDR] = "next-hdr",
	[ESP_E_INNER] = "inner",
	[ESP_E_EXPIRED] = "expired",
	[ESP_E_SEQ_EXHAUSTED] = "seq-exhausted",
	[ESP_E_TOO_BIG] = "too-big",
	[ESP_E_CRYPTO] = "crypto",
};
_Static_assert(ARRAY_SIZE(esp_err_names) == ESP_E_MAX_, "a name for every esp_err");

#define ESP_ERR_TEXT(n, s) [ESP_E_##n] = s,
static const char *const esp_err_texts[ESP_E_MAX_] = { [ESP_OK] = "no error",
	                                               ESP_ERRORS(ESP_ERR_TEXT) };

const char *esp_err_name(enum esp_err e)
{
	return (unsigned)e < ESP_E_MAX_ && esp_err_names[e] ? esp_err_names[e] : "unknown";
}

const char *esp_strerror(enum esp_err e)
{
	return (unsigned)e < ESP_E_MAX_ ? esp_err_texts[e] : "unknown ESP error";
}

/* ---- SA creation ------------------------------------------------------ */

static const struct esp_cipher_def *esp_cipher_find(uint16_t encr, uint16_t bits)
{
	for (size_t i = 0; i < ARRAY_SIZE(esp_ciphers); i++)
		if (esp_ciphers[i].encr == encr && (encr == IKE_ENCR_3DES || esp_ciphers[i].bits == bits))
			return &esp_ciphers[i];
	return NULL;
}

static const struct esp_integ_def *esp_integ_find(uint16_t integ)
{
	for (size_t i = 0; i < ARRAY_SIZE(esp_integs); i++)
		if (esp_integs[i].integ == integ)
			return &esp_integs[i];
	return NULL;
}

static int esp_sa_keys(struct esp_sa *sa, const struct esp_cipher_def *cd,
                       const struct esp_integ_def *id, const uint8_t *ekey, const uint8_t *akey)
{
	EVP_CIPHER *ciph = EVP_CIPHER_fetch(NULL, cd->evp, NULL);
	EVP_MAC *mac = NULL;
	OSSL_PARAM params[2];
	int ok = 0;

	sa->cctx = EVP_CIPHER_CTX_new();
	if (!ciph || !sa->cctx ||
	    !EVP_CipherInit_ex(sa->cctx, ciph, NULL, ekey, NULL, sa->inbound ? 0 : 1) ||
	    !EVP_CIPHER_CTX_set_padding(sa->cctx, 0))
		goto out;
	memcpy(sa->salt, ekey + cd->key_len, cd->salt_len);
	if (id) {
		mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
		sa->mctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
		params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
		                                             (char *)id->digest, 0);
		params[1] = OSSL_PARAM_construct_end();
		if (!sa->mctx || !EVP_MAC_init(sa->mctx, akey, id->key_len, params))
			goto out;
	}
	ok = 1;
out:
	EVP_CIPHER_free(ciph);
	EVP_MAC_free(mac);
	return ok ? 0 : -1;
}

struct esp_sa *esp_sa_new_ex(const struct ike_child_info *c, bool inbound, double now,
                             enum esp_new_flags flags)
{
	const struct esp_cipher_def *cd = esp_cipher_find(c->suite.encr, c->suite.encr_bits);
	const struct esp_integ_def *id = NULL;
	struct esp_sa *sa;

	if (!cd) {
		log_warn("esp: child %u: cipher %u/%u not supported", c->id, c->suite.encr,
		         c->suite.encr_bits);
		return NULL;
	}
	if (cd->kind == ESP_KIND_GCM ? c->suite.integ != IKE_INTEG_NONE
	                             : c->suite.integ == IKE_INTEG_NONE &&
	                                       !(flags & ESP_NEW_ALLOW_NO_INTEG)) {
		log_warn("esp: child %u: integrity %u not allowed with %s", c->id, c->suite.integ,
		         cd->evp);
		return NULL;
	}
	if (c->suite.integ != IKE_INTEG_NONE && !(id = esp_integ_find(c->suite.integ))) {
		log_warn("esp: child %u: integrity %u not supported", c->id, c->suite.integ);
		return NULL;
	}
	if (c->enc_len != (size_t)cd->key_len + cd->salt_len ||
	    (id && c->integ_len != id->key_len)) {
		log_warn("esp: child %u: key lengths %zu/%zu do not fit %s", c->id, c->enc_len,
		         c->integ_len, cd->evp);
		return NULL;
	}
	if (c->mode != IKE_MODE_TRANSPORT &&
	    (c->mode != IKE_MODE_TUNNEL || !ipaddr_is_set(&c->local) ||
	     c->local.family != c->remote.family)) {
		log_warn("esp: child %u: mode %d with these addresses not supported", c->id,
		         (int)c->mode);
		return NULL;
	}
	sa = calloc(1, sizeof(*sa));
	if (!sa)
		return NULL;
	sa->spi = inbound ? c->spi_in : c->spi_out;
	sa->child_id = c->id;
	sa->inbound = inbound;
	sa->esn = c->esn;
	sa->tunnel = c->mode == IKE_MODE_TUNNEL;
	sa->kind = cd->kind;
	sa->iv_len = cd->iv_len;
	sa->align = cd->align;
	sa->icv_len = id ? id->icv_len : cd->icv_len;
	sa->local = c->local;
	sa->remote = c->remote;
	sa->ts_local_start = c->ts_local_start;
	sa->ts_local_end = c->ts_local_end;
	sa->ts_remote_start = c->ts_remote_start;
	sa->ts_remote_end = c->ts_remote_end;
	sa->ts_proto = c->ts_proto;
	sa->lifetime = c->lifetime;
	sa->st.created = sa->st.last_used = now;
	if (esp_sa_keys(sa, cd, id, inbound ? c->enc_in : c->enc_out,
	                inbound ? c->integ_in : c->integ_out) < 0) {
		log_err("esp: child %u: OpenSSL could not key %s", c->id, cd->evp);
		esp_sa_free(sa);
		return NULL;
	}
	if (!inbound && RAND_bytes((uint8_t *)&sa->inner_id, sizeof(sa->inner_id)) != 1)
		sa->inner_id = 0;
	return sa;
}

struct esp_sa *esp_sa_new(const struct ike_child_info *c, bool inbound, double now)
{
	return esp_sa_new_ex(c, inbound, now, ESP_NEW_DEFAULT);
}

void esp_sa_free(struct esp_sa *sa)
{
	if (!sa)
		return;
	EVP_CIPHER_CTX_free(sa->cctx); /* cleanses the key schedule */
	EVP_MAC_CTX_free(sa->mctx);
	OPENSSL_cleanse(sa, sizeof(*sa));
	free(sa);
}

uint32_t esp_sa_spi(const struct esp_sa *sa) { return sa->spi; }
uint32_t esp_sa_child_id(const struct esp_sa *sa) { return sa->child_id; }
bool esp_sa_inbound(const struct esp_sa *sa) { return sa->inbound; }
const struct ipaddr *esp_sa_remote(const struct esp_sa *sa) { return &sa->remote; }
size_t esp_sa_align(const struct esp_sa *sa) { return sa->align; }
size_t esp_sa_iv_len(const struct esp_sa *sa) { return sa->iv_len; }
size_t esp_sa_icv_len(const struct esp_sa *sa) { return sa->icv_len; }
void esp_sa_set_seq(struct esp_sa *sa, uint64_t seq)
{
	sa->seq = seq;
	memset(sa->replay, 0, sizeof(sa->replay));
}

void esp_sa_get_stats(const struct esp_sa *sa, struct esp_sa_stats *st)
{
	*st = sa->st;
	st->seq = sa->seq;
}

void esp_sa_set_limits(struct esp_sa *sa, uint64_t bytes, uint64_t packets)
{
	sa->limit_bytes = bytes;
	sa->limit_packets = packets;
}

/* ---- lifetimes -------------------------------------------------------- */

static enum esp_expiry esp_level(double used, double limit)
{
	if (limit <= 0)
		return ESP_LIVE;
	if (used >= limit)
		return ESP_HARD;
	return used >= limit * ESP_SOFT_FRACTION ? ESP_SOFT : ESP_LIVE;
}

enum esp_expiry esp_sa_expired(const struct esp_sa *sa, double now)
{
	double seq_max = sa->esn ? (double)UINT64_MAX : (double)UINT32_MAX;
	enum esp_expiry e = esp_level(now - sa->st.created, sa->lifetime), x;

	x = esp_level((double)sa->st.bytes, (double)sa->limit_bytes);
	e = x > e ? x : e;
	x = esp_level((double)sa->st.packets, (double)sa->limit_packets);
	e = x > e ? x : e;
	x = esp_level((double)sa->seq, seq_max);
	return x > e ? x : e;
}

/* ---- anti-replay (RFC 4303 3.4.3, Appendix A; bitmap per RFC 6479) --- */

/* The full sequence number of a packet carrying low bits lo; false when
 * it cannot be in or right of the window. */
static bool esp_seq_infer(const struct esp_sa *sa, uint32_t lo, uint64_t *seq)
{
	uint32_t th = (uint32_t)(sa->seq >> 32), tl, hi;

	if (!sa->esn) {
		*seq = lo;
		return lo != 0;
	}
	tl = (uint32_t)sa->seq - (ESP_REPLAY_WINDOW - 1); /* bottom of the window, mod 2^32 */
	if ((uint32_t)sa->seq >= ESP_REPLAY_WINDOW - 1) { /* A2.2 case A: one subspace */
		if (lo < tl && th == UINT32_MAX)
			return false;
		hi = lo >= tl ? th : th + 1;
	} else { /* case B: the window spans two subspaces */
		if (lo >= tl && th == 0)
			return false;
		hi = lo >= tl ? th - 1 : th;
	}
	*seq = (uint64_t)hi << 32 | lo;
	return *seq != 0;
}

static bool esp_replay_ok(const struct esp_sa *sa, uint64_t s)
{
	if (s > sa->seq)
		return true;
	if (sa->seq - s >= ESP_REPLAY_WINDOW)
		return false;
	return !(sa->replay[(s >> 6) & (ESP_REPLAY_WORDS - 1)] & (1ull << (s & 63)));
}

static void esp_replay_update(struct esp_sa *sa, uint64_t s)
{
	if (s > sa->seq) {
		uint64_t from = sa->seq >> 6, n = (s >> 6) - from;

		if (n > ESP_REPLAY_WORDS)
			n = ESP_REPLAY_WORDS;
		for (uint64_t i = 1; i <= n; i++)
			sa->replay[(from + i) & (ESP_REPLAY_WORDS - 1)] = 0;
		sa->seq = s;
	}
	sa->replay[(s >> 6) & (ESP_REPLAY_WORDS - 1)] |= 1ull << (s & 63);
}

/* ---- crypto ----------------------------------------------------------- */

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* AES-GCM over esp = SPI | seq | IV | data | tag (RFC 4106): AAD is SPI |
 * seq (ESN: SPI | seq_hi | seq_lo), nonce is salt | IV. In place. */
static bool esp_gcm(struct esp_sa *sa, uint8_t *esp, uint8_t *data, size_t dlen, uint64_t seq,
                    bool enc)
{
	uint8_t nonce[12], aad[12], *tag = data + dlen;
	size_t aad_len = 8;
	int n = 0, m = 0;

	memcpy(nonce, sa->salt, 4);
	memcpy(nonce + 4, esp + ESP_HDR_LEN, 8);
	memcpy(aad, esp, 4);
	if (sa->esn) {
		put_be32(aad + 4, (uint32_t)(seq >> 32));
		aad_len = 12;
	}
	memcpy(aad + aad_len - 4, esp + 4, 4);
	if (!EVP_CipherInit_ex(sa->cctx, NULL, NULL, NULL, nonce, enc ? 1 : 0) ||
	    !EVP_CipherUpdate(sa->cctx, NULL, &n, aad, (int)aad_len))
		return false;
	if (!enc && !EVP_CIPHER_CTX_ctrl(sa->cctx, EVP_CTRL_AEAD_SET_TAG, sa->icv_len, tag))
		return false;
	if (!EVP_CipherUpdate(sa->cctx, data, &n, data, (int)dlen) ||
	    EVP_CipherFinal_ex(sa->cctx, data + n, &m) <= 0)
		return false;
	return !enc || EVP_CIPHER_CTX_ctrl(sa->cctx, EVP_CTRL_AEAD_GET_TAG, sa->icv_len, tag) > 0;
}

/* CBC in place over data (IV already at esp + ESP_HDR_LEN). */
static bool esp_cbc(struct esp_sa *sa, const uint8_t *iv, uint8_t *data, size_t dlen, bool enc)
{
	int n = 0;

	return EVP_CipherInit_ex(sa->cctx, NULL, NULL, NULL, iv, enc ? 1 : 0) &&
	       EVP_CipherUpdate(sa->cctx, data, &n, data, (int)dlen) && (size_t)n == dlen;
}

/* HMAC over esp[0..len) then seq_hi with ESN (RFC 4303 2.2.1); full output
 * in mac (truncated by the caller). */
static bool esp_hmac(struct esp_sa *sa, const uint8_t *esp, size_t len, uint64_t seq,
                     uint8_t mac[EVP_MAX_MD_SIZE])
{
	uint8_t hi[4];
	size_t outl = 0;

	put_be32(hi, (uint32_t)(seq >> 32));
	return EVP_MAC_init(sa->mctx, NULL, 0, NULL) && EVP_MAC_update(sa->mctx, esp, len) &&
	       (!sa->esn || EVP_MAC_update(sa->mctx, hi, 4)) &&
	       EVP_MAC_final(sa->mctx, mac, &outl, EVP_MAX_MD_SIZE) && outl >= sa->icv_len;
}

/* ---- outbound --------------------------------------------------------- */

static enum esp_err esp_fail(struct esp_sa *sa, enum esp_err e)
{
	sa->st.errors++;
	return e;
}

enum esp_err esp_sa_seal(struct esp_sa *sa, uint8_t *pt, size_t pt_len, uint8_t **out,
                         size_t *out_len, double now)
{
	uint64_t seq_max = sa->esn ? UINT64_MAX : UINT32_MAX, seq;
	uint8_t *esp = pt - sa->iv_len - ESP_HDR_LEN, mac[EVP_MAX_MD_SIZE];
	bool ok;

	(void)now;
	if (sa->inbound)
		return esp_fail(sa, ESP_E_NO_SA);
	if (pt_len == 0 || pt_len % sa->align || pt_len > INT32_MAX)
		return esp_fail(sa, ESP_E_ALIGN);
	if (sa->seq >= seq_max)
		return esp_fail(sa, ESP_E_SEQ_EXHAUSTED);
	seq = sa->seq + 1;
	put_be32(esp, sa->spi);
	put_be32(esp + 4, (uint32_t)seq);
	if (sa->kind == ESP_KIND_GCM) {
		put_be32(esp + 8, (uint32_t)(seq >> 32)); /* explicit IV = 64-bit sequence number */
		put_be32(esp + 12, (uint32_t)seq);
		ok = esp_gcm(sa, esp, pt, pt_len, seq, true);
	} else {
		ok = RAND_bytes(esp + ESP_HDR_LEN, sa->iv_len) == 1 &&
		     esp_cbc(sa, esp + ESP_HDR_LEN, pt, pt_len, true);
		if (ok && sa->mctx) {
			ok = esp_hmac(sa, esp, (size_t)(pt + pt_len - esp), seq, mac);
			memcpy(pt + pt_len, mac, sa->icv_len);
			OPENSSL_cleanse(mac, sizeof(mac));
		}
	}
	if (!ok)
		return esp_fail(sa, ESP_E_CRYPTO);
	sa->seq = seq;
	*out = esp;
	*out_len = (size_t)(pt + pt_len - esp) + sa->icv_len;
	return ESP_OK;
}

enum esp_err esp_encap(struct esp_sa *sa, uint8_t *gre, size_t len, uint8_t **out,
                       size_t *out_len, double now)
{
	size_t inner = 0, plen, pad;
	uint8_t *pt = gre;
	enum esp_err e;

	if (esp_sa_expired(sa, now) == ESP_HARD)
		return esp_fail(sa, sa->seq >= (sa->esn ? UINT64_MAX : UINT32_MAX)
		                            ? ESP_E_SEQ_EXHAUSTED
		                            : ESP_E_EXPIRED);
	if (sa->tunnel) {
		struct ip_tmpl t = { .src = sa->local, .dst = sa->remote,
			             .proto = ESP_NEXT_HDR_GRE, .ttl = 64, .id = sa->inner_id };
		struct writer w;

		inner = sa->local.family == AF_INET ? IPV4_HDR_LEN : IPV6_HDR_LEN;
		pt = gre - inner;
		wr_init(&w, pt, inner);
		if (ip_hdr_build(&w, &t, len) != IP_OK)
			return esp_fail(sa, ESP_E_TOO_BIG);
		sa->inner_id++;
	}
	plen = inner + len;
	if (plen > 65535)
		return esp_fail(sa, ESP_E_TOO_BIG);
	pad = (sa->align - (plen + 2) % sa->align) % sa->align;
	for (size_t i = 0; i < pad; i++)
		pt[plen + i] = (uint8_t)(i + 1);
	pt[plen + pad] = (uint8_t)pad;
	pt[plen + pad + 1] = !sa->tunnel                     ? ESP_NEXT_HDR_GRE
	                     : sa->local.family == AF_INET ? ESP_NEXT_HDR_IPV4
	                                                   : ESP_NEXT_HDR_IPV6;
	e = esp_sa_seal(sa, pt, plen + pad + 2, out, out_len, now);
	if (e != ESP_OK)
		return e;
	sa->st.packets++;
	sa->st.bytes += len;
	sa->st.last_used = now;
	return ESP_OK;
}

/* ---- inbound ---------------------------------------------------------- */

enum esp_err esp_sa_open(struct esp_sa *sa, uint8_t *esp, size_t len, uint8_t **payload,
                         size_t *plen, uint8_t *next_hdr, double now)
{
	size_t min_ct = sa->align < 4 ? 4 : sa->align, ct_len, padlen;
	uint8_t *ct, mac[EVP_MAX_MD_SIZE];
	struct cursor c;
	uint32_t spi, lo;
	uint64_t seq;
	bool ok;

	if (!sa->inbound)
		return esp_fail(sa, ESP_E_NO_SA);
	if (esp_sa_expired(sa, now) == ESP_HARD)
		return esp_fail(sa, ESP_E_EXPIRED);
	cur_init(&c, esp, len);
	spi = cur_be32(&c);
	lo = cur_be32(&c);
	if (!cur_skip(&c, sa->iv_len) || cur_left(&c) < min_ct + sa->icv_len ||
	    len - ESP_HDR_LEN - sa->iv_len - sa->icv_len > INT32_MAX)
		return esp_fail(sa, ESP_E_SHORT);
	ct = esp + cur_offset(&c);
	ct_len = cur_left(&c) - sa->icv_len;
	if (ct_len % sa->align || ct_len % 4)
		return esp_fail(sa, ESP_E_ALIGN);
	if (spi != sa->spi)
		return esp_fail(sa, ESP_E_NO_SA);
	if (!esp_seq_infer(sa, lo, &seq) || !esp_replay_ok(sa, seq))
		return esp_fail(sa, ESP_E_REPLAY);
	if (sa->kind == ESP_KIND_GCM) {
		if (!esp_gcm(sa, esp, ct, ct_len, seq, false)) {
			memset(ct, 0, ct_len); /* never leave unauthenticated plaintext */
			return esp_fail(sa, ESP_E_ICV);
		}
	} else {
		if (sa->mctx) {
			ok = esp_hmac(sa, esp, len - sa->icv_len, seq, mac) &&
			     CRYPTO_memcmp(mac, ct + ct_len, sa->icv_len) == 0;
			OPENSSL_cleanse(mac, sizeof(mac));
			if (!ok)
				return esp_fail(sa, ESP_E_ICV);
		}
		if (!esp_cbc(sa, esp + ESP_HDR_LEN, ct, ct_len, false))
			return esp_fail(sa, ESP_E_CRYPTO);
	}
	/* authentic: the window moves even if the content is refused below */
	esp_replay_update(sa, seq);
	padlen = ct[ct_len - 2];
	if (padlen > ct_len - 2)
		return esp_fail(sa, ESP_E_PAD);
	for (size_t i = 0; i < padlen; i++)
		if (ct[ct_len - 2 - padlen + i] != (uint8_t)(i + 1))
			return esp_fail(sa, ESP_E_PAD);
	*payload = ct;
	*plen = ct_len - 2 - padlen;
	*next_hdr = ct[ct_len - 1];
	return ESP_OK;
}

static bool esp_in_range(const struct ipaddr *a, const struct ipaddr *lo,
                         const struct ipaddr *hi, const struct ipaddr *exact)
{
	if (!ipaddr_is_set(lo) || !ipaddr_is_set(hi))
		return ipaddr_eq(a, exact);
	return ipaddr_cmp(a, lo) >= 0 && ipaddr_cmp(a, hi) <= 0;
}

/* Tunnel mode: the inner header must be remote -> local within the
 * selectors, protocol 47, unfragmented, and cover exactly the payload. */
static bool esp_inner_ok(const struct esp_sa *sa, const uint8_t *p, size_t len,
                         const uint8_t **gre, size_t *gre_len)
{
	struct ip_info ip;

	if (ip_parse(&ip, p, len) != 0 || ip.tot_len != len || ip.is_fragment ||
	    ip.proto != ESP_NEXT_HDR_GRE || (sa->ts_proto && sa->ts_proto != ip.proto) ||
	    ip.src.family != sa->remote.family ||
	    !esp_in_range(&ip.src, &sa->ts_remote_start, &sa->ts_remote_end, &sa->remote) ||
	    !esp_in_range(&ip.dst, &sa->ts_local_start, &sa->ts_local_end, &sa->local))
		return false;
	*gre = ip.payload;
	*gre_len = ip.payload_len;
	return true;
}

enum esp_err esp_decap(struct esp_sa *sa, uint8_t *esp, size_t len, uint8_t **gre,
                       size_t *gre_len, double now)
{
	uint8_t *pl, nh, want;
	const uint8_t *g;
	size_t plen, glen;
	enum esp_err e = esp_sa_open(sa, esp, len, &pl, &plen, &nh, now);

	if (e != ESP_OK)
		return e;
	want = !sa->tunnel                      ? ESP_NEXT_HDR_GRE
	       : sa->remote.family == AF_INET ? ESP_NEXT_HDR_IPV4
	                                      : ESP_NEXT_HDR_IPV6;
	if (nh != want)
		return esp_fail(sa, ESP_E_NEXT_HDR);
	if (sa->tunnel) {
		if (!esp_inner_ok(sa, pl, plen, &g, &glen))
			return esp_fail(sa, ESP_E_INNER);
		pl += g - pl;
		plen = glen;
	}
	*gre = pl;
	*gre_len = plen;
	sa->st.packets++;
	sa->st.bytes += plen;
	sa->st.last_used = now;
	return ESP_OK;
}
