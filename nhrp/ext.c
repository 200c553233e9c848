/* NHRP Client Information Entries and extensions (RFC 2332 5.2.0.1, 5.3;
 * Cisco NAT Address and cleartext authentication). */
#include "nhrp/packet.h"

#include <string.h>

#include "lib/cursor.h"

/* Extensions that may appear at most once. */
static bool ext_is_singleton(uint16_t type)
{
	switch (type) {
	case NHRP_EXT_RESPONDER:
	case NHRP_EXT_FWD_TRANSIT:
	case NHRP_EXT_REV_TRANSIT:
	case NHRP_EXT_AUTH:
	case NHRP_EXT_CISCO_NAT:
		return true;
	default:
		return false;
	}
}

static bool ext_has_cies(uint16_t type)
{
	return type == NHRP_EXT_RESPONDER || type == NHRP_EXT_FWD_TRANSIT ||
	       type == NHRP_EXT_REV_TRANSIT || type == NHRP_EXT_CISCO_NAT;
}

static bool ext_is_known(uint16_t type)
{
	return ext_has_cies(type) || type == NHRP_EXT_AUTH || type == NHRP_EXT_VENDOR;
}

/* Position in Cisco's order: 3, 4, 5, 7, 9, 8, then anything else. */
static int ext_rank(uint16_t type)
{
	switch (type) {
	case NHRP_EXT_RESPONDER:
		return 0;
	case NHRP_EXT_FWD_TRANSIT:
		return 1;
	case NHRP_EXT_REV_TRANSIT:
		return 2;
	case NHRP_EXT_AUTH:
		return 3;
	case NHRP_EXT_CISCO_NAT:
		return 4;
	case NHRP_EXT_VENDOR:
		return 5;
	default:
		return 6;
	}
}

bool nhrp_raw_eq(const struct nhrp_raw *a, const struct nhrp_raw *b)
{
	if (a->len != b->len)
		return false;
	return a->len == 0 || memcmp(a->p, b->p, a->len) == 0;
}

/* Reads a type/length octet of an NBMA address or subaddress. */
static int tl_parse(uint8_t tl, unsigned *len)
{
	if (tl & 0xc0) /* 0x40: E.164 type, 0x80: reserved */
		return NHRP_E_ADDR_TYPE;
	*len = tl & 0x3f;
	return NHRP_OK;
}

static bool size_ok(unsigned len, unsigned size)
{
	return len == 0 || len == size;
}

static void addr_take(struct ipaddr *a, const uint8_t *p, unsigned len)
{
	memset(a, 0, sizeof(*a));
	if (len)
		ipaddr_from_bytes(a, p, len);
}

static int cie_parse(struct nhrp_packet *pkt, struct nhrp_cie *e, struct cursor *c)
{
	size_t base = cur_offset(c);
	unsigned alen, slen, plen;
	const uint8_t *a, *s, *p;
	uint8_t atl, stl;

	if (cur_left(c) < NHRP_CIE_LEN)
		return NHRP_E_CIE;
	e->code = cur_u8(c);
	e->prefix_len = cur_u8(c);
	cur_skip(c, 2); /* unused */
	e->mtu = cur_be16(c);
	e->holding_time = cur_be16(c);
	atl = cur_u8(c);
	stl = cur_u8(c);
	plen = cur_u8(c);
	e->preference = cur_u8(c);
	pkt->err_offset = (uint16_t)(base + 8);
	if (tl_parse(atl, &alen) < 0)
		return NHRP_E_ADDR_TYPE;
	if (!size_ok(alen, nhrp_nbma_size(pkt->afn)))
		return NHRP_E_ADDR_LEN;
	pkt->err_offset = (uint16_t)(base + 9);
	if (tl_parse(stl, &slen) < 0)
		return NHRP_E_ADDR_TYPE;
	pkt->err_offset = (uint16_t)(base + 10);
	if (!size_ok(plen, nhrp_proto_size(pkt->pro_type)))
		return NHRP_E_ADDR_LEN;
	pkt->err_offset = (uint16_t)(base + NHRP_CIE_LEN);
	a = cur_bytes(c, alen);
	s = cur_bytes(c, slen);
	p = cur_bytes(c, plen);
	if (!cur_ok(c))
		return NHRP_E_CIE;
	addr_take(&e->nbma, a, alen);
	e->nbma_sub.p = slen ? s : NULL;
	e->nbma_sub.len = (uint16_t)slen;
	addr_take(&e->proto, p, plen);
	return NHRP_OK;
}

int nhrp_cie_list_parse(struct nhrp_packet *pkt, struct nhrp_cie_list *l, struct cursor *c)
{
	int rc;

	l->count = 0;
	while (cur_left(c) > 0) {
		pkt->err_offset = (uint16_t)cur_offset(c);
		if (l->count == NHRP_MAX_CIE)
			return NHRP_E_TOO_MANY_CIE;
		if ((rc = cie_parse(pkt, &l->e[l->count], c)) < 0)
			return rc;
		l->count++;
	}
	return cur_ok(c) ? NHRP_OK : NHRP_E_CIE;
}

int nhrp_cie_list_check(const struct nhrp_packet *pkt, const struct nhrp_cie_list *l)
{
	if (l->count > NHRP_MAX_CIE)
		return NHRP_E_TOO_MANY_CIE;
	for (unsigned i = 0; i < l->count; i++) {
		const struct nhrp_cie *e = &l->e[i];

		if (!size_ok(e->nbma.len, nhrp_nbma_size(pkt->afn)) ||
		    !size_ok(e->proto.len, nhrp_proto_size(pkt->pro_type)))
			return NHRP_E_ADDR_LEN;
		if (e->nbma_sub.len > 0x3f || (e->nbma_sub.len && !e->nbma_sub.p))
			return NHRP_E_INVALID;
	}
	return NHRP_OK;
}

void nhrp_cie_list_write(struct writer *w, const struct nhrp_cie_list *l)
{
	for (unsigned i = 0; i < l->count; i++) {
		const struct nhrp_cie *e = &l->e[i];

		wr_u8(w, e->code);
		wr_u8(w, e->prefix_len);
		wr_be16(w, 0);
		wr_be16(w, e->mtu);
		wr_be16(w, e->holding_time);
		wr_u8(w, e->nbma.len);
		wr_u8(w, (uint8_t)e->nbma_sub.len);
		wr_u8(w, e->proto.len);
		wr_u8(w, e->preference);
		wr_bytes(w, e->nbma.b, e->nbma.len);
		wr_bytes(w, e->nbma_sub.p, e->nbma_sub.len);
		wr_bytes(w, e->proto.b, e->proto.len);
	}
}

static bool addr_eq(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->len == b->len && memcmp(a->b, b->b, a->len) == 0;
}

bool nhrp_cie_list_eq(const struct nhrp_cie_list *a, const struct nhrp_cie_list *b)
{
	if (a->count != b->count)
		return false;
	for (unsigned i = 0; i < a->count; i++) {
		const struct nhrp_cie *x = &a->e[i], *y = &b->e[i];

		if (x->code != y->code || x->prefix_len != y->prefix_len || x->mtu != y->mtu ||
		    x->holding_time != y->holding_time || x->preference != y->preference ||
		    !addr_eq(&x->nbma, &y->nbma) || !nhrp_raw_eq(&x->nbma_sub, &y->nbma_sub) ||
		    !addr_eq(&x->proto, &y->proto))
			return false;
	}
	return true;
}

/* Decodes the value of a known extension; body covers exactly its bytes. */
static int ext_body_parse(struct nhrp_packet *pkt, struct nhrp_ext *x, struct cursor *body)
{
	if (ext_has_cies(x->type))
		return nhrp_cie_list_parse(pkt, &x->u.cies, body);
	if (x->type == NHRP_EXT_AUTH) {
		if (x->raw.len < 4)
			return NHRP_E_EXT_MALFORMED;
		x->u.auth.type = cur_be32(body);
		x->u.auth.data.len = (uint16_t)cur_left(body);
		x->u.auth.data.p = x->u.auth.data.len ? cur_bytes(body, x->u.auth.data.len) : NULL;
	} else if (x->type == NHRP_EXT_VENDOR) {
		if (x->raw.len < 3)
			return NHRP_E_EXT_MALFORMED;
		x->u.vendor.oui = cur_be24(body);
		x->u.vendor.data.len = (uint16_t)cur_left(body);
		x->u.vendor.data.p =
		    x->u.vendor.data.len ? cur_bytes(body, x->u.vendor.data.len) : NULL;
	}
	return NHRP_OK;
}

int nhrp_ext_list_parse(struct nhrp_packet *pkt, struct cursor *c)
{
	long unknown_at = -1;
	int rc;

	for (;;) {
		size_t off = cur_offset(c);
		uint16_t word, len;
		struct cursor body;
		struct nhrp_ext *x;

		pkt->err_offset = (uint16_t)off;
		if (cur_left(c) == 0)
			return NHRP_E_EXT_NO_END;
		if (cur_left(c) < NHRP_EXT_HDR_LEN)
			return NHRP_E_EXT_LEN;
		word = cur_be16(c);
		len = cur_be16(c);
		if (cur_left(c) < len)
			return NHRP_E_EXT_LEN;
		if ((word & NHRP_EXT_TYPE_MASK) == NHRP_EXT_END) {
			if (len != 0)
				return NHRP_E_EXT_MALFORMED;
			if (cur_left(c) != 0) {
				pkt->err_offset = (uint16_t)cur_offset(c);
				return NHRP_E_EXT_TRAILING;
			}
			break;
		}
		if (pkt->n_ext == NHRP_MAX_EXT)
			return NHRP_E_TOO_MANY_EXT;
		if (ext_is_singleton(word & NHRP_EXT_TYPE_MASK) &&
		    nhrp_ext_find(pkt, word & NHRP_EXT_TYPE_MASK))
			return NHRP_E_EXT_DUP;
		x = &pkt->ext[pkt->n_ext];
		memset(x, 0, sizeof(*x));
		x->type = word & NHRP_EXT_TYPE_MASK;
		x->compulsory = (word & NHRP_EXT_COMPULSORY) != 0;
		x->raw.len = len;
		body = cur_sub(c, len);
		x->raw.p = len ? body.p : NULL;
		if ((rc = ext_body_parse(pkt, x, &body)) < 0)
			return rc;
		pkt->n_ext++;
		if (!ext_is_known(x->type) && x->compulsory && unknown_at < 0)
			unknown_at = (long)off;
	}
	pkt->ext_end = true;
	if (unknown_at >= 0) {
		pkt->err_offset = (uint16_t)unknown_at;
		return NHRP_E_EXT_UNKNOWN_COMPULSORY;
	}
	return NHRP_OK;
}

/* Length of an extension's value as nhrp_ext_list_write() encodes it. */
static size_t ext_body_len(const struct nhrp_ext *x)
{
	size_t n = 0;

	if (ext_has_cies(x->type)) {
		for (unsigned i = 0; i < x->u.cies.count; i++) {
			const struct nhrp_cie *e = &x->u.cies.e[i];
			n += NHRP_CIE_LEN + e->nbma.len + e->nbma_sub.len + e->proto.len;
		}
	} else if (x->type == NHRP_EXT_AUTH) {
		n = 4 + (size_t)x->u.auth.data.len;
	} else if (x->type == NHRP_EXT_VENDOR) {
		n = 3 + (size_t)x->u.vendor.data.len;
	} else {
		n = x->raw.len;
	}
	return n;
}

int nhrp_ext_list_check(const struct nhrp_packet *pkt)
{
	int rc;

	if (pkt->n_ext > NHRP_MAX_EXT)
		return NHRP_E_TOO_MANY_EXT;
	for (unsigned i = 0; i < pkt->n_ext; i++) {
		const struct nhrp_ext *x = &pkt->ext[i];

		if (x->type == NHRP_EXT_END || x->type > NHRP_EXT_TYPE_MASK)
			return NHRP_E_INVALID;
		for (unsigned j = 0; j < i && ext_is_singleton(x->type); j++)
			if (pkt->ext[j].type == x->type)
				return NHRP_E_EXT_DUP;
		if (ext_has_cies(x->type) && (rc = nhrp_cie_list_check(pkt, &x->u.cies)) < 0)
			return rc;
		if (x->type == NHRP_EXT_AUTH && x->u.auth.data.len && !x->u.auth.data.p)
			return NHRP_E_INVALID;
		if (x->type == NHRP_EXT_VENDOR &&
		    (x->u.vendor.oui > 0xffffff || (x->u.vendor.data.len && !x->u.vendor.data.p)))
			return NHRP_E_INVALID;
		if (!ext_is_known(x->type) && x->raw.len && !x->raw.p)
			return NHRP_E_INVALID;
		if (ext_body_len(x) > 0xffff)
			return NHRP_E_TOO_BIG;
	}
	return NHRP_OK;
}

void nhrp_ext_list_write(struct writer *w, const struct nhrp_packet *pkt)
{
	for (unsigned i = 0; i < pkt->n_ext; i++) {
		const struct nhrp_ext *x = &pkt->ext[i];

		wr_be16(w, (uint16_t)(x->type | (x->compulsory ? NHRP_EXT_COMPULSORY : 0)));
		wr_be16(w, (uint16_t)ext_body_len(x));
		if (ext_has_cies(x->type)) {
			nhrp_cie_list_write(w, &x->u.cies);
		} else if (x->type == NHRP_EXT_AUTH) {
			wr_be32(w, x->u.auth.type);
			wr_bytes(w, x->u.auth.data.p, x->u.auth.data.len);
		} else if (x->type == NHRP_EXT_VENDOR) {
			wr_be24(w, x->u.vendor.oui);
			wr_bytes(w, x->u.vendor.data.p, x->u.vendor.data.len);
		} else {
			wr_bytes(w, x->raw.p, x->raw.len);
		}
	}
	wr_be16(w, NHRP_EXT_COMPULSORY | NHRP_EXT_END);
	wr_be16(w, 0);
}

static bool ext_eq(const struct nhrp_ext *a, const struct nhrp_ext *b)
{
	if (a->type != b->type || a->compulsory != b->compulsory)
		return false;
	if (ext_has_cies(a->type))
		return nhrp_cie_list_eq(&a->u.cies, &b->u.cies);
	if (a->type == NHRP_EXT_AUTH)
		return a->u.auth.type == b->u.auth.type &&
		       nhrp_raw_eq(&a->u.auth.data, &b->u.auth.data);
	if (a->type == NHRP_EXT_VENDOR)
		return a->u.vendor.oui == b->u.vendor.oui &&
		       nhrp_raw_eq(&a->u.vendor.data, &b->u.vendor.data);
	return nhrp_raw_eq(&a->raw, &b->raw);
}

bool nhrp_ext_list_eq(const struct nhrp_packet *a, const struct nhrp_packet *b)
{
	bool area_a = a->ext_end || a->n_ext, area_b = b->ext_end || b->n_ext;

	if (area_a != area_b || a->n_ext != b->n_ext)
		return false;
	for (unsigned i = 0; i < a->n_ext; i++)
		if (!ext_eq(&a->ext[i], &b->ext[i]))
			return false;
	return true;
}

const struct nhrp_ext *nhrp_ext_find(const struct nhrp_packet *pkt, uint16_t type)
{
	for (unsigned i = 0; i < pkt->n_ext && i < NHRP_MAX_EXT; i++)
		if (pkt->ext[i].type == type)
			return &pkt->ext[i];
	return NULL;
}

struct nhrp_ext *nhrp_ext_get(struct nhrp_packet *pkt, uint16_t type)
{
	return (struct nhrp_ext *)nhrp_ext_find(pkt, type);
}

struct nhrp_ext *nhrp_ext_add(struct nhrp_packet *pkt, uint16_t type)
{
	struct nhrp_ext *x;
	unsigned pos;

	if (type == NHRP_EXT_END || type > NHRP_EXT_TYPE_MASK)
		return NULL;
	if (ext_is_singleton(type) && (x = nhrp_ext_get(pkt, type)))
		return x;
	if (pkt->n_ext >= NHRP_MAX_EXT)
		return NULL;
	pos = pkt->n_ext;
	while (pos > 0 && ext_rank(pkt->ext[pos - 1].type) > ext_rank(type))
		pos--;
	memmove(&pkt->ext[pos + 1], &pkt->ext[pos], (pkt->n_ext - pos) * sizeof(pkt->ext[0]));
	pkt->n_ext++;
	x = &pkt->ext[pos];
	memset(x, 0, sizeof(*x));
	x->type = type;
	x->compulsory = ext_rank(type) <= ext_rank(NHRP_EXT_AUTH);
	return x;
}

int nhrp_ext_append_cie(struct nhrp_packet *pkt, uint16_t type, const struct nhrp_cie *cie)
{
	struct nhrp_ext *x;

	if (!ext_has_cies(type))
		return NHRP_E_INVALID;
	if (!(x = nhrp_ext_get(pkt, type)))
		return NHRP_E_NO_EXT;
	if (x->u.cies.count >= NHRP_MAX_CIE)
		return NHRP_E_TOO_MANY_CIE;
	x->u.cies.e[x->u.cies.count++] = *cie;
	return NHRP_OK;
}
