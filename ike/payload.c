/* IKEv2 header, payload chain, error names and the message builder
 * (RFC 7296 sections 3.1-3.2, 3.14; RFC 7383 section 2.5). */
#include "ike/payload.h"

#include <stdint.h>
#include <string.h>

#include "lib/cursor.h"
#include "lib/util.h"

static const struct {
	const char *name;
	const char *text;
} errs[] = {
    [0] = {"OK", "success"},
    [-IKE_ERR_SHORT] = {"SHORT", "message shorter than the IKE header"},
    [-IKE_ERR_VERSION] = {"VERSION", "major version is not 2"},
    [-IKE_ERR_LENGTH] = {"LENGTH", "header length does not match the datagram"},
    [-IKE_ERR_PAYLOAD_SHORT] = {"PAYLOAD_SHORT", "generic payload header truncated"},
    [-IKE_ERR_PAYLOAD_LENGTH] = {"PAYLOAD_LENGTH", "payload length below 4 or past the end"},
    [-IKE_ERR_TRAILING] = {"TRAILING", "bytes after the last payload"},
    [-IKE_ERR_TOO_MANY_PAYLOADS] = {"TOO_MANY_PAYLOADS", "too many payloads"},
    [-IKE_ERR_UNSUPPORTED_CRITICAL] = {"UNSUPPORTED_CRITICAL_PAYLOAD",
                                       "unknown payload marked critical"},
    [-IKE_ERR_SK_NOT_LAST] = {"SK_NOT_LAST", "encrypted payload does not end the message"},
    [-IKE_ERR_WRONG_TYPE] = {"WRONG_TYPE", "payload of another type"},
    [-IKE_ERR_BODY_SHORT] = {"BODY_SHORT", "payload body shorter than its fixed fields"},
    [-IKE_ERR_SA_EMPTY] = {"SA_EMPTY", "SA payload without proposals"},
    [-IKE_ERR_SA_PROP_LENGTH] = {"SA_PROP_LENGTH", "proposal length invalid"},
    [-IKE_ERR_SA_PROP_LAST] = {"SA_PROP_LAST", "proposal last-substructure field invalid"},
    [-IKE_ERR_SA_PROP_NUM] = {"SA_PROP_NUM", "proposal numbers not consecutive from 1"},
    [-IKE_ERR_SA_PROTOCOL] = {"SA_PROTOCOL", "proposal protocol not IKE, AH or ESP"},
    [-IKE_ERR_SA_SPI_SIZE] = {"SA_SPI_SIZE", "proposal SPI size wrong for its protocol"},
    [-IKE_ERR_SA_TRANS_COUNT] = {"SA_TRANS_COUNT", "transform count does not match"},
    [-IKE_ERR_SA_TRANS_LENGTH] = {"SA_TRANS_LENGTH", "transform length invalid"},
    [-IKE_ERR_SA_TRANS_LAST] = {"SA_TRANS_LAST", "transform last-substructure field invalid"},
    [-IKE_ERR_SA_ATTR_LENGTH] = {"SA_ATTR_LENGTH", "transform attribute truncated"},
    [-IKE_ERR_SA_KEYLEN_FORMAT] = {"SA_KEYLEN_FORMAT", "key length attribute not in TV format"},
    [-IKE_ERR_SA_TOO_MANY_PROPS] = {"SA_TOO_MANY_PROPS", "too many proposals"},
    [-IKE_ERR_SA_TOO_MANY_TRANS] = {"SA_TOO_MANY_TRANS", "too many transforms in a proposal"},
    [-IKE_ERR_KE_LENGTH] = {"KE_LENGTH", "key exchange data length wrong for its group"},
    [-IKE_ERR_ID_TYPE] = {"ID_TYPE", "unknown identification type"},
    [-IKE_ERR_ID_LENGTH] = {"ID_LENGTH", "identification data length wrong for its type"},
    [-IKE_ERR_CERT_EMPTY] = {"CERT_EMPTY", "certificate payload without data"},
    [-IKE_ERR_CERTREQ_LENGTH] = {"CERTREQ_LENGTH", "certificate request not a list of hashes"},
    [-IKE_ERR_AUTH_EMPTY] = {"AUTH_EMPTY", "authentication payload without data"},
    [-IKE_ERR_AUTH_SIG] = {"AUTH_SIG", "signature algorithm identifier invalid"},
    [-IKE_ERR_NONCE_LENGTH] = {"NONCE_LENGTH", "nonce not 16 to 256 bytes"},
    [-IKE_ERR_NOTIFY_SPI_SIZE] = {"NOTIFY_SPI_SIZE", "notify SPI size invalid"},
    [-IKE_ERR_NOTIFY_DATA] = {"NOTIFY_DATA", "notification data wrong for its type"},
    [-IKE_ERR_DELETE_PROTOCOL] = {"DELETE_PROTOCOL", "delete protocol not IKE, AH or ESP"},
    [-IKE_ERR_DELETE_SPI_SIZE] = {"DELETE_SPI_SIZE", "delete SPI size wrong for its protocol"},
    [-IKE_ERR_DELETE_COUNT] = {"DELETE_COUNT", "delete SPI count does not match the length"},
    [-IKE_ERR_TS_COUNT] = {"TS_COUNT", "traffic selector count does not match"},
    [-IKE_ERR_TS_TYPE] = {"TS_TYPE", "unknown traffic selector type"},
    [-IKE_ERR_TS_LENGTH] = {"TS_LENGTH", "traffic selector length wrong for its type"},
    [-IKE_ERR_TS_TOO_MANY] = {"TS_TOO_MANY", "too many traffic selectors"},
    [-IKE_ERR_SKF_NUMBER] = {"SKF_NUMBER", "fragment number zero or above the total"},
    [-IKE_ERR_CP_TYPE] = {"CP_TYPE", "configuration payload type invalid"},
    [-IKE_ERR_CP_ATTR_LENGTH] = {"CP_ATTR_LENGTH", "configuration attribute truncated"},
    [-IKE_ERR_CP_TOO_MANY] = {"CP_TOO_MANY", "too many configuration attributes"},
    [-IKE_ERR_EAP_LENGTH] = {"EAP_LENGTH", "EAP length does not match the payload"},
    [-IKE_ERR_LEGAL_EXCHANGE] = {"LEGAL_EXCHANGE", "no such message in this exchange"},
    [-IKE_ERR_LEGAL_MISSING] = {"LEGAL_MISSING", "mandatory payload missing"},
    [-IKE_ERR_LEGAL_NOT_ALLOWED] = {"LEGAL_NOT_ALLOWED", "payload not allowed in this message"},
    [-IKE_ERR_LEGAL_DUPLICATE] = {"LEGAL_DUPLICATE", "payload appears more than once"},
    [-IKE_ERR_LEGAL_SK_NOT_LAST] = {"LEGAL_SK_NOT_LAST", "encrypted payload not last"},
    [-IKE_ERR_LEGAL_INCOMPLETE] = {"LEGAL_INCOMPLETE", "payloads that go together are incomplete"},
    [-IKE_ERR_NOSPACE] = {"NOSPACE", "buffer too small"},
    [-IKE_ERR_BUILD] = {"BUILD", "builder misuse or value out of range"},
};

const char *ike_strerror(int err)
{
	if (err > 0 || err < IKE_ERR_MIN || !errs[-err].text)
		return "unknown error";
	return errs[-err].text;
}

const char *ike_err_name(int err)
{
	if (err > 0 || err < IKE_ERR_MIN || !errs[-err].name)
		return "UNKNOWN";
	return errs[-err].name;
}

/* ---- parsing ---- */

static void hdr_read(struct ike_hdr *h, struct cursor *c)
{
	h->ispi = cur_be64(c);
	h->rspi = cur_be64(c);
	h->next = cur_u8(c);
	h->version = cur_u8(c);
	h->exchange = cur_u8(c);
	h->flags = cur_u8(c);
	h->msgid = cur_be32(c);
	h->length = cur_be32(c);
}

int ike_hdr_parse(struct ike_hdr *h, const void *buf, size_t len)
{
	struct cursor c;

	memset(h, 0, sizeof(*h));
	if (!buf || len < IKE_HDR_LEN)
		return IKE_ERR_SHORT;
	cur_init(&c, buf, len);
	hdr_read(h, &c);
	if (h->version >> 4 != IKE_MAJOR_VERSION)
		return IKE_ERR_VERSION;
	return IKE_OK;
}

static int chain_fail(struct ike_msg *m, int err, uint8_t type, size_t off)
{
	m->err_type = type;
	m->err_off = off;
	return err;
}

/* Walks payloads from `off` to m->len, the first being of type `next`. */
static int chain_walk(struct ike_msg *m, uint8_t next, size_t off)
{
	struct cursor c;

	cur_init(&c, m->buf, m->len);
	cur_skip(&c, off);
	while (next != IKE_PL_NONE) {
		struct ike_payload *p;
		uint8_t type = next;
		size_t poff = cur_offset(&c);
		uint8_t flags;
		uint16_t plen;

		if (cur_left(&c) < IKE_GENHDR_LEN)
			return chain_fail(m, IKE_ERR_PAYLOAD_SHORT, type, poff);
		next = cur_u8(&c);
		flags = cur_u8(&c);
		plen = cur_be16(&c);
		if (plen < IKE_GENHDR_LEN || (size_t)plen - IKE_GENHDR_LEN > cur_left(&c))
			return chain_fail(m, IKE_ERR_PAYLOAD_LENGTH, type, poff);
		if (!ike_payload_known(type) && (flags & 0x80))
			return chain_fail(m, IKE_ERR_UNSUPPORTED_CRITICAL, type, poff);
		if (m->n >= IKE_MSG_MAX_PAYLOADS)
			return chain_fail(m, IKE_ERR_TOO_MANY_PAYLOADS, type, poff);
		p = &m->pl[m->n++];
		p->type = type;
		p->next = next;
		p->critical = flags & 0x80;
		p->known = ike_payload_known(type);
		p->len = plen - IKE_GENHDR_LEN;
		p->off = poff;
		p->body = cur_bytes(&c, p->len);
		if (type == IKE_PL_SK || type == IKE_PL_SKF) {
			/* Its Next Payload names the first inner payload; the
			 * chain ends here and so must the message. */
			m->sk = (int)(m->n - 1);
			m->sk_off = poff;
			m->sk_inner = next;
			if (cur_left(&c) != 0)
				return chain_fail(m, IKE_ERR_SK_NOT_LAST, type, cur_offset(&c));
			return IKE_OK;
		}
	}
	if (cur_left(&c) != 0)
		return chain_fail(m, IKE_ERR_TRAILING, 0, cur_offset(&c));
	return IKE_OK;
}

static void msg_reset(struct ike_msg *m, const void *buf, size_t len)
{
	memset(&m->hdr, 0, sizeof(m->hdr));
	m->buf = buf;
	m->len = buf ? len : 0;
	m->n = 0;
	m->sk = -1;
	m->sk_off = 0;
	m->sk_inner = 0;
	m->err_type = 0;
	m->err_off = 0;
}

int ike_msg_parse(struct ike_msg *m, const void *buf, size_t len)
{
	int err;

	msg_reset(m, buf, len);
	err = ike_hdr_parse(&m->hdr, buf, len);
	if (err)
		return chain_fail(m, err, 0, 0);
	if (m->hdr.length != len)
		return chain_fail(m, IKE_ERR_LENGTH, 0, 24);
	return chain_walk(m, m->hdr.next, IKE_HDR_LEN);
}

int ike_chain_parse(struct ike_msg *m, uint8_t first, const void *buf, size_t len)
{
	msg_reset(m, buf, len);
	return chain_walk(m, first, 0);
}

const struct ike_payload *ike_msg_find(const struct ike_msg *m, uint8_t type,
                                       const struct ike_payload *after)
{
	unsigned i = after ? (unsigned)(after - m->pl) + 1 : 0;

	for (; i < m->n && i < IKE_MSG_MAX_PAYLOADS; i++)
		if (m->pl[i].type == type)
			return &m->pl[i];
	return NULL;
}

unsigned ike_msg_count(const struct ike_msg *m, uint8_t type)
{
	unsigned k = 0;

	for (unsigned i = 0; i < m->n && i < IKE_MSG_MAX_PAYLOADS; i++)
		k += m->pl[i].type == type;
	return k;
}

/* ---- building ---- */

static int bld_fail(struct ike_builder *b, int err)
{
	if (!b->err)
		b->err = err;
	return b->err;
}

static int bld_check(struct ike_builder *b)
{
	if (!b->err && !wr_ok(b->w))
		b->err = IKE_ERR_NOSPACE;
	return b->err;
}

void ike_builder_init(struct ike_builder *b, struct writer *w, const struct ike_hdr *h)
{
	memset(b, 0, sizeof(*b));
	b->w = w;
	b->base = wr_mark(w);
	b->has_hdr = true;
	b->next_off = b->base + 16;
	wr_be64(w, h->ispi);
	wr_be64(w, h->rspi);
	wr_u8(w, IKE_PL_NONE);
	wr_u8(w, h->version ? h->version : IKE_VERSION);
	wr_u8(w, h->exchange);
	wr_u8(w, h->flags);
	wr_be32(w, h->msgid);
	wr_be32(w, 0);
	bld_check(b);
}

void ike_builder_init_chain(struct ike_builder *b, struct writer *w)
{
	memset(b, 0, sizeof(*b));
	b->w = w;
	b->base = wr_mark(w);
	b->next_off = SIZE_MAX;
	bld_check(b);
}

int ike_builder_begin(struct ike_builder *b, uint8_t type, bool critical)
{
	if (b->err)
		return b->err;
	if (b->open || b->sealed || type == IKE_PL_NONE)
		return bld_fail(b, IKE_ERR_BUILD);
	if (b->next_off != SIZE_MAX)
		wr_patch_u8(b->w, b->next_off, type);
	if (!b->first)
		b->first = type;
	b->last = type;
	b->pl_off = wr_mark(b->w);
	b->next_off = b->pl_off;
	b->open = true;
	wr_u8(b->w, IKE_PL_NONE);
	wr_u8(b->w, critical ? 0x80 : 0);
	wr_be16(b->w, 0);
	return bld_check(b);
}

int ike_builder_end(struct ike_builder *b)
{
	size_t plen;

	if (b->err)
		return b->err;
	if (!b->open)
		return bld_fail(b, IKE_ERR_BUILD);
	b->open = false;
	plen = wr_len(b->w) - b->pl_off;
	if (plen > UINT16_MAX)
		return bld_fail(b, IKE_ERR_BUILD);
	wr_patch_be16(b->w, b->pl_off + 2, (uint16_t)plen);
	return bld_check(b);
}

int ike_payload_build(struct ike_builder *b, uint8_t type, bool critical, const void *body,
                      size_t len)
{
	if (ike_builder_begin(b, type, critical))
		return b->err;
	wr_bytes(b->w, body, len);
	return ike_builder_end(b);
}

int ike_builder_finish(struct ike_builder *b)
{
	size_t total;

	if (b->err)
		return b->err;
	if (b->open)
		return bld_fail(b, IKE_ERR_BUILD);
	total = wr_len(b->w) - b->base;
	if (total > INT32_MAX)
		return bld_fail(b, IKE_ERR_BUILD);
	if (b->has_hdr)
		wr_patch_be32(b->w, b->base + 24, (uint32_t)total);
	if (bld_check(b))
		return b->err;
	return (int)total;
}

static int sk_open(struct ike_builder *b, uint8_t type, uint8_t inner)
{
	if (ike_builder_begin(b, type, false))
		return b->err;
	/* SK's Next Payload is the first inner payload, and nothing follows. */
	wr_patch_u8(b->w, b->pl_off, inner);
	b->next_off = SIZE_MAX;
	b->sealed = true;
	return bld_check(b);
}

int ike_sk_begin(struct ike_builder *b, uint8_t inner)
{
	return sk_open(b, IKE_PL_SK, inner);
}

int ike_skf_begin(struct ike_builder *b, uint8_t inner, uint16_t num, uint16_t total)
{
	if (num == 0 || num > total || (num > 1 && inner != IKE_PL_NONE))
		return bld_fail(b, IKE_ERR_BUILD);
	if (sk_open(b, IKE_PL_SKF, inner))
		return b->err;
	wr_be16(b->w, num);
	wr_be16(b->w, total);
	return bld_check(b);
}
