/* SK / SKF payload protection (RFC 7296 §3.14, RFC 5282, RFC 7383 §2.5). */
#include "ike/sk.h"

#include <string.h>

#include "lib/cursor.h"
#include "lib/util.h"
#include "lib/writer.h"

static const char *const sk_errors[IKE_SK_ERR_COUNT] = {
    [0] = "ok",
    [-IKE_SK_ERR_SHORT] = "message shorter than the IKE header",
    [-IKE_SK_ERR_LENGTH] = "IKE header length mismatch",
    [-IKE_SK_ERR_PAYLOAD] = "bad payload length",
    [-IKE_SK_ERR_NO_SK] = "no SK payload",
    [-IKE_SK_ERR_NOT_LAST] = "SK payload not last",
    [-IKE_SK_ERR_FRAG] = "bad fragment number",
    [-IKE_SK_ERR_TRUNCATED] = "SK payload truncated",
    [-IKE_SK_ERR_BLOCK] = "encrypted data not a block multiple",
    [-IKE_SK_ERR_ICV] = "ICV mismatch",
    [-IKE_SK_ERR_PAD] = "bad pad length",
    [-IKE_SK_ERR_NOSPACE] = "no space",
    [-IKE_SK_ERR_UNSUPPORTED] = "unsupported algorithm",
    [-IKE_SK_ERR_CRYPTO] = "crypto library failure",
};

const char *ike_sk_strerror(int err)
{
	if (err > 0 || err <= -IKE_SK_ERR_COUNT)
		return "unknown";
	return sk_errors[-err];
}

int ike_sk_ctx_init(struct ike_sk_ctx *ctx, const struct ike_suite *suite, const uint8_t *sk_e,
                    size_t sk_e_len, const uint8_t *sk_a, size_t sk_a_len)
{
	memset(ctx, 0, sizeof(*ctx));
	if (ike_suite_sizes(suite, &ctx->sz) < 0 || sk_e_len != ctx->sz.encr_key ||
	    sk_a_len != ctx->sz.integ_key)
		return IKE_SK_ERR_UNSUPPORTED;
	ctx->cipher = ike_cipher_new(suite->encr, sk_e, sk_e_len);
	if (!ctx->sz.aead)
		ctx->integ = ike_integ_new(suite->integ, sk_a, sk_a_len);
	if (!ctx->cipher || (!ctx->sz.aead && !ctx->integ)) {
		ike_sk_ctx_clear(ctx);
		return IKE_SK_ERR_CRYPTO;
	}
	return IKE_SK_OK;
}

void ike_sk_ctx_clear(struct ike_sk_ctx *ctx)
{
	ike_cipher_free(ctx->cipher);
	ike_integ_free(ctx->integ);
	memset(ctx, 0, sizeof(*ctx));
}

int ike_sk_locate(const uint8_t *msg, size_t len, struct ike_sk_loc *loc)
{
	struct cursor c;

	memset(loc, 0, sizeof(*loc));
	cur_init(&c, msg, len);
	if (!cur_skip(&c, 16))
		return IKE_SK_ERR_SHORT;
	uint8_t type = cur_u8(&c);
	cur_skip(&c, 7); /* version, exchange, flags, message ID */
	uint32_t hdr_len = cur_be32(&c);
	if (!cur_ok(&c))
		return IKE_SK_ERR_SHORT;
	if (hdr_len != len)
		return IKE_SK_ERR_LENGTH;
	while (type != 0) {
		size_t off = cur_offset(&c);
		uint8_t next = cur_u8(&c);
		cur_skip(&c, 1); /* critical bit, reserved */
		uint16_t plen = cur_be16(&c);
		if (!cur_ok(&c) || plen < 4)
			return IKE_SK_ERR_PAYLOAD;
		struct cursor body = cur_sub(&c, plen - 4u);
		if (!cur_ok(&body))
			return IKE_SK_ERR_PAYLOAD;
		if (type == IKE_SK_PT_SK || type == IKE_SK_PT_SKF) {
			if (cur_left(&c) != 0)
				return IKE_SK_ERR_NOT_LAST;
			loc->type = type;
			loc->first = next;
			loc->off = off;
			loc->iv_off = off + 4;
			if (type == IKE_SK_PT_SK)
				return IKE_SK_OK;
			loc->frag_num = cur_be16(&body);
			loc->frag_total = cur_be16(&body);
			loc->iv_off += 4;
			if (!cur_ok(&body))
				return IKE_SK_ERR_TRUNCATED;
			if (loc->frag_num == 0 || loc->frag_num > loc->frag_total)
				return IKE_SK_ERR_FRAG;
			return IKE_SK_OK;
		}
		type = next;
	}
	return IKE_SK_ERR_NO_SK;
}

int ike_sk_decrypt(const struct ike_sk_ctx *ctx, const uint8_t *msg, size_t len, uint8_t *out,
                   size_t cap, size_t *outlen, unsigned flags)
{
	const struct ike_suite_sizes *z = &ctx->sz;
	bool check = !(flags & IKE_SK_NO_ICV_CHECK);
	struct ike_sk_loc loc;
	int rc;

	*outlen = 0;
	if (!ctx->cipher)
		return IKE_SK_ERR_UNSUPPORTED;
	if ((rc = ike_sk_locate(msg, len, &loc)) < 0)
		return rc;
	size_t body = len - loc.iv_off;
	if (body < (size_t)z->iv + z->icv + 1)
		return IKE_SK_ERR_TRUNCATED;
	const uint8_t *iv = msg + loc.iv_off;
	const uint8_t *ct = iv + z->iv;
	const uint8_t *icv = msg + len - z->icv;
	size_t ct_len = body - z->iv - z->icv;
	if (ct_len % z->block)
		return IKE_SK_ERR_BLOCK;
	if (cap < ct_len)
		return IKE_SK_ERR_NOSPACE;
	if (!z->aead && check) {
		struct ike_chunk mac = {msg, len - z->icv};
		rc = ike_integ_verify(ctx->integ, &mac, 1, icv);
		if (rc != IKE_CRYPTO_OK)
			return rc == IKE_CRYPTO_ICV ? IKE_SK_ERR_ICV : IKE_SK_ERR_CRYPTO;
	}
	rc = ike_cipher_decrypt(ctx->cipher, iv, msg, loc.iv_off, ct, ct_len, out,
	                        z->aead && check ? icv : NULL);
	if (rc != IKE_CRYPTO_OK)
		return rc == IKE_CRYPTO_ICV ? IKE_SK_ERR_ICV : IKE_SK_ERR_CRYPTO;
	size_t pad = out[ct_len - 1];
	if (pad + 1 > ct_len) {
		secure_zero(out, ct_len);
		return IKE_SK_ERR_PAD;
	}
	*outlen = ct_len - pad - 1;
	return IKE_SK_OK;
}

size_t ike_sk_payload_len(const struct ike_sk_ctx *ctx, size_t inner_len, bool frag)
{
	const struct ike_suite_sizes *z = &ctx->sz;
	size_t block = z->block ? z->block : 1;
	size_t plain = (inner_len + 1 + block - 1) / block * block;

	return (frag ? 8 : 4) + z->iv + plain + z->icv;
}

/* Offset of the next-payload field that must name the payload appended at
 * the end of w: the IKE header's, or that of the last payload written. */
static int sk_chain_tail(const struct writer *w, size_t *field)
{
	struct cursor c;

	if (!wr_ok(w) || wr_len(w) < IKE_SK_IKE_HDR_LEN)
		return IKE_SK_ERR_SHORT;
	cur_init(&c, w->buf, wr_len(w));
	cur_skip(&c, IKE_SK_IKE_HDR_LEN);
	*field = 16;
	while (cur_left(&c) > 0) {
		size_t off = cur_offset(&c);
		cur_skip(&c, 2);
		uint16_t plen = cur_be16(&c);
		if (!cur_ok(&c) || plen < 4 || !cur_skip(&c, plen - 4u))
			return IKE_SK_ERR_PAYLOAD;
		*field = off;
	}
	return IKE_SK_OK;
}

static int sk_encrypt(const struct ike_sk_ctx *ctx, struct writer *w, uint8_t type, uint8_t first,
                      uint16_t frag_num, uint16_t frag_total, const uint8_t *inner,
                      size_t inner_len)
{
	const struct ike_suite_sizes *z = &ctx->sz;
	bool frag = type == IKE_SK_PT_SKF;
	size_t field, start = wr_len(w);
	int rc;

	if (!ctx->cipher)
		return IKE_SK_ERR_UNSUPPORTED;
	if ((rc = sk_chain_tail(w, &field)) < 0)
		return rc;
	size_t sk_len = ike_sk_payload_len(ctx, inner_len, frag);
	size_t hdr = frag ? 8 : 4, plain = sk_len - hdr - z->iv - z->icv;
	if (inner_len > 0xffff || sk_len > 0xffff || start + sk_len > UINT32_MAX)
		return IKE_SK_ERR_NOSPACE;
	if (w->cap - start < sk_len) /* checked first: a failed reserve is sticky */
		return IKE_SK_ERR_NOSPACE;
	uint8_t *p = wr_reserve(w, sk_len);
	uint8_t *iv = p + hdr, *ct = iv + z->iv, *icv = ct + plain;
	uint8_t saved_next = w->buf[field], saved_len[4];

	memcpy(saved_len, w->buf + 24, 4);
	memmove(ct, inner, inner_len);
	p[0] = first;
	p[1] = 0;
	p[2] = (uint8_t)(sk_len >> 8);
	p[3] = (uint8_t)sk_len;
	if (frag) {
		p[4] = (uint8_t)(frag_num >> 8);
		p[5] = (uint8_t)frag_num;
		p[6] = (uint8_t)(frag_total >> 8);
		p[7] = (uint8_t)frag_total;
	}
	w->buf[field] = type;
	wr_patch_be32(w, 24, (uint32_t)(start + sk_len));
	memset(ct + inner_len, 0, plain - inner_len - 1);
	ct[plain - 1] = (uint8_t)(plain - inner_len - 1);
	rc = IKE_SK_ERR_CRYPTO;
	if (ike_random(iv, z->iv) < 0 ||
	    ike_cipher_encrypt(ctx->cipher, iv, w->buf, (size_t)(iv - w->buf), ct, plain, ct,
	                       z->aead ? icv : NULL) != IKE_CRYPTO_OK)
		goto fail;
	if (!z->aead) {
		struct ike_chunk mac = {w->buf, (size_t)(icv - w->buf)};
		if (ike_integ_compute(ctx->integ, &mac, 1, icv) != IKE_CRYPTO_OK)
			goto fail;
	}
	return IKE_SK_OK;
fail:
	secure_zero(p, sk_len);
	w->buf[field] = saved_next;
	memcpy(w->buf + 24, saved_len, 4);
	w->len = start;
	return rc;
}

int ike_sk_encrypt(const struct ike_sk_ctx *ctx, struct writer *w, uint8_t first,
                   const uint8_t *inner, size_t inner_len)
{
	return sk_encrypt(ctx, w, IKE_SK_PT_SK, first, 0, 0, inner, inner_len);
}

int ike_skf_encrypt(const struct ike_sk_ctx *ctx, struct writer *w, uint8_t first,
                    uint16_t frag_num, uint16_t frag_total, const uint8_t *inner, size_t inner_len)
{
	if (frag_num == 0 || frag_num > frag_total)
		return IKE_SK_ERR_FRAG;
	return sk_encrypt(ctx, w, IKE_SK_PT_SKF, frag_num == 1 ? first : 0, frag_num, frag_total,
	                  inner, inner_len);
}
