/* IKEv2 Security Association payload: proposals, transforms and transform
 * attributes (RFC 7296 section 3.3). */
#include "ike/payload.h"

#include <string.h>

#include "lib/cursor.h"

#define PROP_HDR_LEN  8
#define TRANS_HDR_LEN 8
#define PROP_MORE     2
#define TRANS_MORE    3

static int attrs_parse(struct ike_transform *t, struct cursor *c)
{
	while (cur_left(c) > 0) {
		uint16_t atype, val;

		if (cur_left(c) < 4)
			return IKE_ERR_SA_ATTR_LENGTH;
		atype = cur_be16(c);
		val = cur_be16(c);
		if (!(atype & IKE_ATTR_AF)) {
			/* TLV: val is the length of the value that follows. */
			if (!cur_skip(c, val))
				return IKE_ERR_SA_ATTR_LENGTH;
			if (atype == IKE_ATTR_KEY_LENGTH)
				return IKE_ERR_SA_KEYLEN_FORMAT;
			t->unknown_attr = true;
			continue;
		}
		if ((atype & ~IKE_ATTR_AF) == IKE_ATTR_KEY_LENGTH) {
			t->keylen = val;
			t->has_keylen = true;
		} else {
			t->unknown_attr = true;
		}
	}
	return IKE_OK;
}

static int transforms_parse(struct ike_proposal *pr, unsigned want, struct cursor *c)
{
	pr->ntrans = 0;
	while (cur_left(c) > 0) {
		struct ike_transform *t;
		struct cursor attrs;
		uint8_t last;
		uint16_t tlen;
		int err;

		if (cur_left(c) < TRANS_HDR_LEN)
			return IKE_ERR_SA_TRANS_LENGTH;
		if (pr->ntrans >= IKE_PROP_MAX_TRANSFORMS)
			return IKE_ERR_SA_TOO_MANY_TRANS;
		t = &pr->t[pr->ntrans++];
		memset(t, 0, sizeof(*t));
		last = cur_u8(c);
		cur_skip(c, 1);
		tlen = cur_be16(c);
		t->type = cur_u8(c);
		cur_skip(c, 1);
		t->id = cur_be16(c);
		if (tlen < TRANS_HDR_LEN || (size_t)tlen - TRANS_HDR_LEN > cur_left(c))
			return IKE_ERR_SA_TRANS_LENGTH;
		attrs = cur_sub(c, tlen - TRANS_HDR_LEN);
		err = attrs_parse(t, &attrs);
		if (err)
			return err;
		if ((last != 0 && last != TRANS_MORE) || (last == TRANS_MORE) != (cur_left(c) > 0))
			return IKE_ERR_SA_TRANS_LAST;
	}
	if (pr->ntrans != want || want == 0)
		return IKE_ERR_SA_TRANS_COUNT;
	return IKE_OK;
}

static bool spi_size_ok(uint8_t proto, uint8_t size)
{
	if (proto == IKE_PROTO_IKE)
		return size == 0 || size == 8;
	return size == 4;
}

int ike_sa_parse(struct ike_sa *sa, const struct ike_payload *p)
{
	struct cursor c;

	sa->nprop = 0;
	if (p->type != IKE_PL_SA)
		return IKE_ERR_WRONG_TYPE;
	cur_init(&c, p->body, p->len);
	if (cur_left(&c) == 0)
		return IKE_ERR_SA_EMPTY;
	while (cur_left(&c) > 0) {
		struct ike_proposal *pr;
		struct cursor sub;
		uint8_t last, ntrans;
		uint16_t plen;
		int err;

		if (sa->nprop >= IKE_SA_MAX_PROPOSALS)
			return IKE_ERR_SA_TOO_MANY_PROPS;
		if (cur_left(&c) < PROP_HDR_LEN)
			return IKE_ERR_SA_PROP_LENGTH;
		pr = &sa->p[sa->nprop++];
		last = cur_u8(&c);
		cur_skip(&c, 1);
		plen = cur_be16(&c);
		if (plen < PROP_HDR_LEN || plen - 4u > cur_left(&c))
			return IKE_ERR_SA_PROP_LENGTH;
		sub = cur_sub(&c, plen - 4u);
		pr->num = cur_u8(&sub);
		pr->protocol = cur_u8(&sub);
		pr->spi_size = cur_u8(&sub);
		ntrans = cur_u8(&sub);
		memset(pr->spi, 0, sizeof(pr->spi));
		if ((last != 0 && last != PROP_MORE) || (last == PROP_MORE) != (cur_left(&c) > 0))
			return IKE_ERR_SA_PROP_LAST;
		if (pr->num == 0 || (sa->nprop > 1 && (sa->p[0].num != 1 ||
		                                       pr->num != sa->p[sa->nprop - 2].num + 1)))
			return IKE_ERR_SA_PROP_NUM;
		if (pr->protocol < IKE_PROTO_IKE || pr->protocol > IKE_PROTO_ESP)
			return IKE_ERR_SA_PROTOCOL;
		if (!spi_size_ok(pr->protocol, pr->spi_size))
			return IKE_ERR_SA_SPI_SIZE;
		if (!cur_copy(&sub, pr->spi, pr->spi_size))
			return IKE_ERR_SA_PROP_LENGTH;
		err = transforms_parse(pr, ntrans, &sub);
		if (err)
			return err;
	}
	return IKE_OK;
}

uint64_t ike_proposal_spi(const struct ike_proposal *pr)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < pr->spi_size && i < sizeof(pr->spi); i++)
		v = v << 8 | pr->spi[i];
	return v;
}

static void transform_write(struct writer *w, const struct ike_transform *t, bool more)
{
	size_t start = wr_mark(w);

	wr_u8(w, more ? TRANS_MORE : 0);
	wr_u8(w, 0);
	wr_be16(w, 0);
	wr_u8(w, t->type);
	wr_u8(w, 0);
	wr_be16(w, t->id);
	if (t->has_keylen) {
		wr_be16(w, IKE_ATTR_AF | IKE_ATTR_KEY_LENGTH);
		wr_be16(w, t->keylen);
	}
	wr_patch_be16(w, start + 2, (uint16_t)(wr_len(w) - start));
}

int ike_sa_build(struct ike_builder *b, const struct ike_sa *sa)
{
	if (b->err)
		return b->err;
	if (sa->nprop == 0 || sa->nprop > IKE_SA_MAX_PROPOSALS) {
		b->err = IKE_ERR_BUILD;
		return b->err;
	}
	for (unsigned i = 0; i < sa->nprop; i++) {
		const struct ike_proposal *pr = &sa->p[i];

		if (pr->ntrans == 0 || pr->ntrans > IKE_PROP_MAX_TRANSFORMS ||
		    pr->spi_size > sizeof(pr->spi)) {
			b->err = IKE_ERR_BUILD;
			return b->err;
		}
	}
	if (ike_builder_begin(b, IKE_PL_SA, false))
		return b->err;
	for (unsigned i = 0; i < sa->nprop; i++) {
		const struct ike_proposal *pr = &sa->p[i];
		size_t start = wr_mark(b->w);
		size_t plen;

		wr_u8(b->w, i + 1 < sa->nprop ? PROP_MORE : 0);
		wr_u8(b->w, 0);
		wr_be16(b->w, 0);
		wr_u8(b->w, pr->num ? pr->num : (uint8_t)(i + 1));
		wr_u8(b->w, pr->protocol);
		wr_u8(b->w, pr->spi_size);
		wr_u8(b->w, (uint8_t)pr->ntrans);
		wr_bytes(b->w, pr->spi, pr->spi_size);
		for (unsigned j = 0; j < pr->ntrans; j++)
			transform_write(b->w, &pr->t[j], j + 1 < pr->ntrans);
		plen = wr_len(b->w) - start;
		if (plen > UINT16_MAX) {
			b->err = IKE_ERR_BUILD;
			return b->err;
		}
		wr_patch_be16(b->w, start + 2, (uint16_t)plen);
	}
	return ike_builder_end(b);
}
