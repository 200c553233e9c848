/* IKEv2 payloads other than SA: KE, ID, CERT, CERTREQ, AUTH, Nonce, Notify,
 * Delete, Vendor ID, TS, SKF, CP, EAP (RFC 7296 sections 3.4-3.16, RFC 7383
 * section 2.5, RFC 7427 section 3). Parsers and builders. */
#include "ike/payload.h"

#include <string.h>

#include "lib/cursor.h"

#define SHA1_LEN 20

static int body_open(struct cursor *c, const struct ike_payload *p, uint8_t type, size_t fixed)
{
	if (p->type != type)
		return IKE_ERR_WRONG_TYPE;
	cur_init(c, p->body, p->len);
	if (p->len < fixed)
		return IKE_ERR_BODY_SHORT;
	return IKE_OK;
}

static int bld_err(struct ike_builder *b, int err)
{
	if (!b->err)
		b->err = err;
	return b->err;
}

/* Writes fixed header bytes then data as one payload. */
static int payload_put(struct ike_builder *b, uint8_t type, const uint8_t *hdr, size_t hlen,
                       const void *data, size_t len)
{
	if (ike_builder_begin(b, type, false))
		return b->err;
	wr_bytes(b->w, hdr, hlen);
	wr_bytes(b->w, data, len);
	return ike_builder_end(b);
}

/* ---- KE (3.4) ---- */

size_t ike_dh_public_len(uint16_t group)
{
	switch (group) {
	case IKE_DH_MODP768:
		return 96;
	case IKE_DH_MODP1024:
	case IKE_DH_MODP1024_S160:
		return 128;
	case IKE_DH_MODP1536:
		return 192;
	case IKE_DH_MODP2048:
	case IKE_DH_MODP2048_S224:
	case IKE_DH_MODP2048_S256:
		return 256;
	case IKE_DH_MODP3072:
		return 384;
	case IKE_DH_MODP4096:
		return 512;
	case IKE_DH_MODP6144:
		return 768;
	case IKE_DH_MODP8192:
		return 1024;
	case IKE_DH_ECP192:
		return 48;
	case IKE_DH_ECP224:
	case IKE_DH_BRAINPOOL224:
		return 56;
	case IKE_DH_ECP256:
	case IKE_DH_BRAINPOOL256:
		return 64;
	case IKE_DH_ECP384:
	case IKE_DH_BRAINPOOL384:
		return 96;
	case IKE_DH_ECP521:
		return 132;
	case IKE_DH_BRAINPOOL512:
		return 128;
	case IKE_DH_CURVE25519:
		return 32;
	case IKE_DH_CURVE448:
		return 56;
	default:
		return 0;
	}
}

int ike_ke_parse(struct ike_ke *ke, const struct ike_payload *p)
{
	struct cursor c;
	int err = body_open(&c, p, IKE_PL_KE, 4);
	size_t want;

	memset(ke, 0, sizeof(*ke));
	if (err)
		return err;
	ke->group = cur_be16(&c);
	cur_skip(&c, 2);
	ke->len = cur_left(&c);
	ke->data = cur_bytes(&c, ke->len);
	want = ike_dh_public_len(ke->group);
	if (ke->len == 0 || (want && ke->len != want))
		return IKE_ERR_KE_LENGTH;
	return IKE_OK;
}

int ike_ke_build(struct ike_builder *b, uint16_t group, const void *data, size_t len)
{
	uint8_t h[4] = {group >> 8, group & 0xff, 0, 0};

	return payload_put(b, IKE_PL_KE, h, sizeof(h), data, len);
}

/* ---- IDi / IDr (3.5) ---- */

int ike_id_parse(struct ike_id *id, const struct ike_payload *p)
{
	struct cursor c;
	int err;

	memset(id, 0, sizeof(*id));
	if (p->type != IKE_PL_IDI && p->type != IKE_PL_IDR)
		return IKE_ERR_WRONG_TYPE;
	err = body_open(&c, p, p->type, 4);
	if (err)
		return err;
	id->type = cur_u8(&c);
	cur_skip(&c, 3);
	id->len = cur_left(&c);
	id->data = cur_bytes(&c, id->len);
	switch (id->type) {
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		if (id->len != (id->type == IKE_ID_IPV4_ADDR ? 4u : 16u))
			return IKE_ERR_ID_LENGTH;
		ipaddr_from_bytes(&id->addr, id->data, id->len);
		return IKE_OK;
	case IKE_ID_NULL:
		return id->len == 0 ? IKE_OK : IKE_ERR_ID_LENGTH;
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
	case IKE_ID_DER_ASN1_DN:
	case IKE_ID_DER_ASN1_GN:
	case IKE_ID_KEY_ID:
	case IKE_ID_FC_NAME:
		return id->len > 0 ? IKE_OK : IKE_ERR_ID_LENGTH;
	default:
		return IKE_ERR_ID_TYPE;
	}
}

int ike_id_build(struct ike_builder *b, uint8_t pltype, uint8_t idtype, const void *data,
                 size_t len)
{
	uint8_t h[4] = {idtype, 0, 0, 0};

	if (pltype != IKE_PL_IDI && pltype != IKE_PL_IDR)
		return bld_err(b, IKE_ERR_BUILD);
	return payload_put(b, pltype, h, sizeof(h), data, len);
}

/* ---- CERT / CERTREQ (3.6, 3.7) ---- */

static int cert_open(struct ike_cert *ce, const struct ike_payload *p, uint8_t type)
{
	struct cursor c;
	int err = body_open(&c, p, type, 1);

	memset(ce, 0, sizeof(*ce));
	if (err)
		return err;
	ce->encoding = cur_u8(&c);
	ce->len = cur_left(&c);
	ce->data = cur_bytes(&c, ce->len);
	return IKE_OK;
}

int ike_cert_parse(struct ike_cert *ce, const struct ike_payload *p)
{
	int err = cert_open(ce, p, IKE_PL_CERT);

	if (err)
		return err;
	return ce->len ? IKE_OK : IKE_ERR_CERT_EMPTY;
}

int ike_certreq_parse(struct ike_cert *ce, const struct ike_payload *p)
{
	int err = cert_open(ce, p, IKE_PL_CERTREQ);

	if (err)
		return err;
	if (ce->encoding == IKE_CERT_X509_SIG && ce->len % SHA1_LEN)
		return IKE_ERR_CERTREQ_LENGTH;
	return IKE_OK;
}

int ike_cert_build(struct ike_builder *b, uint8_t encoding, const void *data, size_t len)
{
	return payload_put(b, IKE_PL_CERT, &encoding, 1, data, len);
}

int ike_certreq_build(struct ike_builder *b, uint8_t encoding, const void *data, size_t len)
{
	return payload_put(b, IKE_PL_CERTREQ, &encoding, 1, data, len);
}

/* ---- AUTH (3.8, RFC 7427 section 3) ---- */

int ike_auth_parse(struct ike_auth *a, const struct ike_payload *p)
{
	struct cursor c;
	int err = body_open(&c, p, IKE_PL_AUTH, 4);
	size_t alg_len;

	memset(a, 0, sizeof(*a));
	if (err)
		return err;
	a->method = cur_u8(&c);
	cur_skip(&c, 3);
	a->len = cur_left(&c);
	a->data = cur_bytes(&c, a->len);
	if (a->len == 0)
		return IKE_ERR_AUTH_EMPTY;
	if (a->method != IKE_AUTH_DIGITAL_SIG)
		return IKE_OK;
	/* One octet of length, the DER AlgorithmIdentifier (a SEQUENCE), then
	 * the signature. */
	alg_len = a->data[0];
	if (alg_len < 2 || alg_len + 1 >= a->len || a->data[1] != 0x30)
		return IKE_ERR_AUTH_SIG;
	a->sig_alg = a->data + 1;
	a->sig_alg_len = alg_len;
	a->sig = a->data + 1 + alg_len;
	a->sig_len = a->len - 1 - alg_len;
	return IKE_OK;
}

int ike_auth_build(struct ike_builder *b, uint8_t method, const void *data, size_t len)
{
	uint8_t h[4] = {method, 0, 0, 0};

	return payload_put(b, IKE_PL_AUTH, h, sizeof(h), data, len);
}

/* ---- Nonce (3.9) ---- */

int ike_nonce_parse(struct ike_nonce *n, const struct ike_payload *p)
{
	struct cursor c;
	int err = body_open(&c, p, IKE_PL_NONCE, 0);

	memset(n, 0, sizeof(*n));
	if (err)
		return err;
	n->len = p->len;
	n->data = p->body;
	if (n->len < IKE_NONCE_LEN_MIN || n->len > IKE_NONCE_LEN_MAX)
		return IKE_ERR_NONCE_LENGTH;
	return IKE_OK;
}

int ike_nonce_build(struct ike_builder *b, const void *data, size_t len)
{
	if (len < IKE_NONCE_LEN_MIN || len > IKE_NONCE_LEN_MAX)
		return bld_err(b, IKE_ERR_BUILD);
	return payload_put(b, IKE_PL_NONCE, NULL, 0, data, len);
}

/* ---- Notify (3.10) ---- */

static bool notify_data_ok(const struct ike_notify *n)
{
	switch (n->type) {
	case IKE_N_INVALID_KE_PAYLOAD:
		return n->len == 2;
	case IKE_N_COOKIE:
		return n->len >= 1 && n->len <= 64;
	case IKE_N_NAT_DETECTION_SOURCE_IP:
	case IKE_N_NAT_DETECTION_DESTINATION_IP:
		return n->len == SHA1_LEN;
	case IKE_N_SIGNATURE_HASH_ALGORITHMS:
		return n->len % 2 == 0;
	case IKE_N_SET_WINDOW_SIZE:
		return n->len == 4;
	case IKE_N_REKEY_SA:
		return n->spi_size == 4;
	default:
		return true;
	}
}

int ike_notify_parse(struct ike_notify *n, const struct ike_payload *p)
{
	struct cursor c;
	int err = body_open(&c, p, IKE_PL_NOTIFY, 4);

	memset(n, 0, sizeof(*n));
	if (err)
		return err;
	n->protocol = cur_u8(&c);
	n->spi_size = cur_u8(&c);
	n->type = cur_be16(&c);
	if ((n->spi_size != 0 && n->spi_size != 4 && n->spi_size != 8) ||
	    n->spi_size > cur_left(&c))
		return IKE_ERR_NOTIFY_SPI_SIZE;
	n->spi = n->spi_size ? cur_bytes(&c, n->spi_size) : NULL;
	n->len = cur_left(&c);
	n->data = cur_bytes(&c, n->len);
	return notify_data_ok(n) ? IKE_OK : IKE_ERR_NOTIFY_DATA;
}

bool ike_msg_find_notify(const struct ike_msg *m, uint16_t type, struct ike_notify *n)
{
	const struct ike_payload *p = NULL;
	struct ike_notify tmp;

	while ((p = ike_msg_find(m, IKE_PL_NOTIFY, p))) {
		if (ike_notify_parse(&tmp, p) == IKE_OK && tmp.type == type) {
			if (n)
				*n = tmp;
			return true;
		}
	}
	return false;
}

uint16_t ike_notify_ke_group(const struct ike_notify *n)
{
	if (n->type != IKE_N_INVALID_KE_PAYLOAD || n->len != 2)
		return 0;
	return (uint16_t)(n->data[0] << 8 | n->data[1]);
}

int ike_notify_build(struct ike_builder *b, uint8_t protocol, const void *spi, uint8_t spi_size,
                     uint16_t type, const void *data, size_t len)
{
	uint8_t h[4] = {protocol, spi_size, type >> 8, type & 0xff};

	if (spi_size != 0 && spi_size != 4 && spi_size != 8)
		return bld_err(b, IKE_ERR_BUILD);
	if (ike_builder_begin(b, IKE_PL_NOTIFY, false))
		return b->err;
	wr_bytes(b->w, h, sizeof(h));
	wr_bytes(b->w, spi, spi_size);
	wr_bytes(b->w, data, len);
	return ike_builder_end(b);
}

/* ---- Delete (3.11) ---- */

int ike_delete_parse(struct ike_delete *d, const struct ike_payload *p)
{
	struct cursor c;
	int err = body_open(&c, p, IKE_PL_DELETE, 4);

	memset(d, 0, sizeof(*d));
	if (err)
		return err;
	d->protocol = cur_u8(&c);
	d->spi_size = cur_u8(&c);
	d->nspi = cur_be16(&c);
	if (d->protocol < IKE_PROTO_IKE || d->protocol > IKE_PROTO_ESP)
		return IKE_ERR_DELETE_PROTOCOL;
	if (d->spi_size != (d->protocol == IKE_PROTO_IKE ? 0 : 4))
		return IKE_ERR_DELETE_SPI_SIZE;
	if (d->protocol == IKE_PROTO_IKE ? d->nspi != 0 || cur_left(&c) != 0
	                                 : (size_t)d->nspi * 4 != cur_left(&c))
		return IKE_ERR_DELETE_COUNT;
	d->spis = p->body + 4;
	return IKE_OK;
}

uint32_t ike_delete_spi(const struct ike_delete *d, unsigned i)
{
	const uint8_t *s;

	if (d->spi_size != 4 || i >= d->nspi || !d->spis)
		return 0;
	s = d->spis + 4 * (size_t)i;
	return (uint32_t)s[0] << 24 | (uint32_t)s[1] << 16 | (uint32_t)s[2] << 8 | s[3];
}

int ike_delete_build(struct ike_builder *b, uint8_t protocol, uint8_t spi_size, const void *spis,
                     uint16_t nspi)
{
	uint8_t h[4] = {protocol, spi_size, nspi >> 8, nspi & 0xff};

	return payload_put(b, IKE_PL_DELETE, h, sizeof(h), spis, (size_t)nspi * spi_size);
}

/* ---- Vendor ID (3.12) ---- */

int ike_vendor_parse(struct ike_vendor *v, const struct ike_payload *p)
{
	struct cursor c;
	int err = body_open(&c, p, IKE_PL_VENDOR, 0);

	v->data = err ? NULL : p->body;
	v->len = err ? 0 : p->len;
	return err;
}

int ike_vendor_build(struct ike_builder *b, const void *data, size_t len)
{
	return payload_put(b, IKE_PL_VENDOR, NULL, 0, data, len);
}

/* ---- TSi / TSr (3.13) ---- */

int ike_ts_parse(struct ike_ts_list *l, const struct ike_payload *p)
{
	struct cursor c;
	uint8_t want;
	int err;

	l->n = 0;
	if (p->type != IKE_PL_TSI && p->type != IKE_PL_TSR)
		return IKE_ERR_WRONG_TYPE;
	err = body_open(&c, p, p->type, 4);
	if (err)
		return err;
	want = cur_u8(&c);
	cur_skip(&c, 3);
	while (cur_left(&c) > 0) {
		struct ike_ts *ts;
		uint16_t slen;
		size_t alen;

		if (l->n >= IKE_TS_MAX)
			return IKE_ERR_TS_TOO_MANY;
		if (cur_left(&c) < 4)
			return IKE_ERR_TS_LENGTH;
		ts = &l->ts[l->n++];
		memset(ts, 0, sizeof(*ts));
		ts->type = cur_u8(&c);
		ts->proto = cur_u8(&c);
		slen = cur_be16(&c);
		if (ts->type == IKE_TS_IPV4_ADDR_RANGE)
			alen = 4;
		else if (ts->type == IKE_TS_IPV6_ADDR_RANGE)
			alen = 16;
		else
			return IKE_ERR_TS_TYPE;
		if (slen != 8 + 2 * alen || slen - 4u > cur_left(&c))
			return IKE_ERR_TS_LENGTH;
		ts->sport = cur_be16(&c);
		ts->eport = cur_be16(&c);
		ipaddr_from_bytes(&ts->start, cur_bytes(&c, alen), alen);
		ipaddr_from_bytes(&ts->end, cur_bytes(&c, alen), alen);
	}
	if (want == 0 || l->n != want)
		return IKE_ERR_TS_COUNT;
	return IKE_OK;
}

int ike_ts_build(struct ike_builder *b, uint8_t pltype, const struct ike_ts_list *l)
{
	if (b->err)
		return b->err;
	if ((pltype != IKE_PL_TSI && pltype != IKE_PL_TSR) || l->n == 0 || l->n > IKE_TS_MAX)
		return bld_err(b, IKE_ERR_BUILD);
	for (unsigned i = 0; i < l->n; i++) {
		const struct ike_ts *ts = &l->ts[i];
		size_t alen = ts->type == IKE_TS_IPV4_ADDR_RANGE ? 4 : 16;

		if ((ts->type != IKE_TS_IPV4_ADDR_RANGE && ts->type != IKE_TS_IPV6_ADDR_RANGE) ||
		    ts->start.len != alen || ts->end.len != alen)
			return bld_err(b, IKE_ERR_BUILD);
	}
	if (ike_builder_begin(b, pltype, false))
		return b->err;
	wr_u8(b->w, (uint8_t)l->n);
	wr_zero(b->w, 3);
	for (unsigned i = 0; i < l->n; i++) {
		const struct ike_ts *ts = &l->ts[i];

		wr_u8(b->w, ts->type);
		wr_u8(b->w, ts->proto);
		wr_be16(b->w, (uint16_t)(8 + 2 * ts->start.len));
		wr_be16(b->w, ts->sport);
		wr_be16(b->w, ts->eport);
		wr_bytes(b->w, ts->start.b, ts->start.len);
		wr_bytes(b->w, ts->end.b, ts->end.len);
	}
	return ike_builder_end(b);
}

/* ---- SKF (RFC 7383 2.5) ---- */

int ike_skf_parse(struct ike_skf *f, const struct ike_payload *p)
{
	struct cursor c;
	int err = body_open(&c, p, IKE_PL_SKF, IKE_SKF_HDR_LEN);

	memset(f, 0, sizeof(*f));
	if (err)
		return err;
	f->num = cur_be16(&c);
	f->total = cur_be16(&c);
	f->len = cur_left(&c);
	f->data = cur_bytes(&c, f->len);
	if (f->num == 0 || f->num > f->total)
		return IKE_ERR_SKF_NUMBER;
	return IKE_OK;
}

/* ---- CP (3.15) ---- */

int ike_cp_parse(struct ike_cp *cp, const struct ike_payload *p)
{
	struct cursor c;
	int err = body_open(&c, p, IKE_PL_CP, 4);

	cp->type = 0;
	cp->n = 0;
	if (err)
		return err;
	cp->type = cur_u8(&c);
	cur_skip(&c, 3);
	if (cp->type < IKE_CFG_REQUEST || cp->type > IKE_CFG_ACK)
		return IKE_ERR_CP_TYPE;
	while (cur_left(&c) > 0) {
		struct ike_cp_attr *a;

		if (cp->n >= IKE_CP_MAX_ATTRS)
			return IKE_ERR_CP_TOO_MANY;
		if (cur_left(&c) < 4)
			return IKE_ERR_CP_ATTR_LENGTH;
		a = &cp->a[cp->n++];
		a->type = cur_be16(&c) & 0x7fff;
		a->len = cur_be16(&c);
		a->val = cur_bytes(&c, a->len);
		if (!a->val)
			return IKE_ERR_CP_ATTR_LENGTH;
	}
	return IKE_OK;
}

int ike_cp_build(struct ike_builder *b, const struct ike_cp *cp)
{
	if (b->err)
		return b->err;
	if (cp->n > IKE_CP_MAX_ATTRS)
		return bld_err(b, IKE_ERR_BUILD);
	if (ike_builder_begin(b, IKE_PL_CP, false))
		return b->err;
	wr_u8(b->w, cp->type);
	wr_zero(b->w, 3);
	for (unsigned i = 0; i < cp->n; i++) {
		wr_be16(b->w, cp->a[i].type & 0x7fff);
		wr_be16(b->w, cp->a[i].len);
		wr_bytes(b->w, cp->a[i].val, cp->a[i].len);
	}
	return ike_builder_end(b);
}

/* ---- EAP (3.16) ---- */

int ike_eap_parse(struct ike_eap *e, const struct ike_payload *p)
{
	struct cursor c;
	int err = body_open(&c, p, IKE_PL_EAP, 4);
	uint16_t len;

	memset(e, 0, sizeof(*e));
	if (err)
		return err;
	e->code = cur_u8(&c);
	e->id = cur_u8(&c);
	len = cur_be16(&c);
	if (len != p->len)
		return IKE_ERR_EAP_LENGTH;
	if (e->code == 1 || e->code == 2) {
		if (len < 5)
			return IKE_ERR_EAP_LENGTH;
		e->type = cur_u8(&c);
	}
	e->data = p->body;
	e->len = p->len;
	return IKE_OK;
}

int ike_eap_build(struct ike_builder *b, const void *eap, size_t len)
{
	return payload_put(b, IKE_PL_EAP, NULL, 0, eap, len);
}
