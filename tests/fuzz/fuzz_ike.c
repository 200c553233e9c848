/* libFuzzer target for the IKEv2 codec: the message parser, the bare chain
 * parser, every typed payload parser, the legality check for every
 * exchange and direction, and two invariants: a parsed message rebuilt
 * payload by payload gives back the same bytes, and a parsed SA payload
 * rebuilt with ike_sa_build() parses back to the same proposals. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/ike.h"
#include "ike/payload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct ike_sa sa, sa2;

static void sa_roundtrip(void)
{
	static uint8_t out[65536 + 64];
	struct ike_builder b;
	struct writer w;
	struct ike_msg m;

	wr_init(&w, out, sizeof(out));
	ike_builder_init_chain(&b, &w);
	if (ike_sa_build(&b, &sa) != IKE_OK || ike_builder_finish(&b) < 0)
		return; /* e.g. longer than 65535 once unknown attributes are dropped */
	if (ike_chain_parse(&m, IKE_PL_SA, out, wr_len(&w)) != IKE_OK || m.n != 1 ||
	    ike_sa_parse(&sa2, &m.pl[0]) != IKE_OK || sa2.nprop != sa.nprop)
		abort();
	for (unsigned i = 0; i < sa.nprop; i++) {
		const struct ike_proposal *a = &sa.p[i], *c = &sa2.p[i];

		if (a->num != c->num || a->protocol != c->protocol || a->spi_size != c->spi_size ||
		    memcmp(a->spi, c->spi, sizeof(a->spi)) || a->ntrans != c->ntrans)
			abort();
		for (unsigned j = 0; j < a->ntrans; j++)
			if (a->t[j].type != c->t[j].type || a->t[j].id != c->t[j].id ||
			    a->t[j].keylen != c->t[j].keylen ||
			    a->t[j].has_keylen != c->t[j].has_keylen)
				abort();
	}
}

static void typed_all(const struct ike_payload *p)
{
	struct ike_ke ke;
	struct ike_id id;
	struct ike_cert ce;
	struct ike_auth au;
	struct ike_nonce no;
	struct ike_notify n;
	struct ike_delete d;
	struct ike_vendor v;
	static struct ike_ts_list ts;
	struct ike_skf f;
	static struct ike_cp cp;
	struct ike_eap e;
	struct ike_payload q = *p;

	if (!p->known)
		q.type = IKE_PL_VENDOR;
	switch (q.type) {
	case IKE_PL_SA:
		if (ike_sa_parse(&sa, &q) == IKE_OK)
			sa_roundtrip();
		break;
	case IKE_PL_KE:
		(void)ike_ke_parse(&ke, &q);
		break;
	case IKE_PL_IDI:
	case IKE_PL_IDR:
		(void)ike_id_parse(&id, &q);
		break;
	case IKE_PL_CERT:
		(void)ike_cert_parse(&ce, &q);
		break;
	case IKE_PL_CERTREQ:
		(void)ike_certreq_parse(&ce, &q);
		break;
	case IKE_PL_AUTH:
		if (ike_auth_parse(&au, &q) == IKE_OK && au.sig &&
		    au.sig + au.sig_len != p->body + p->len)
			abort();
		break;
	case IKE_PL_NONCE:
		(void)ike_nonce_parse(&no, &q);
		break;
	case IKE_PL_NOTIFY:
		if (ike_notify_parse(&n, &q) == IKE_OK)
			(void)ike_notify_ke_group(&n);
		break;
	case IKE_PL_DELETE:
		if (ike_delete_parse(&d, &q) == IKE_OK)
			for (unsigned i = 0; i <= d.nspi; i++)
				(void)ike_delete_spi(&d, i);
		break;
	case IKE_PL_TSI:
	case IKE_PL_TSR:
		(void)ike_ts_parse(&ts, &q);
		break;
	case IKE_PL_SKF:
		(void)ike_skf_parse(&f, &q);
		break;
	case IKE_PL_CP:
		(void)ike_cp_parse(&cp, &q);
		break;
	case IKE_PL_EAP:
		(void)ike_eap_parse(&e, &q);
		break;
	default:
		(void)ike_vendor_parse(&v, &q);
		break;
	}
}

/* Rebuilds a parsed message or chain; it must come out identical except
 * for the payloads' reserved bits (ignored on receipt). */
static void rebuild(const struct ike_msg *m, bool has_hdr)
{
	static uint8_t out[65536 + 64];
	struct ike_builder b;
	struct writer w;
	int len;

	wr_init(&w, out, sizeof(out));
	if (has_hdr)
		ike_builder_init(&b, &w, &m->hdr);
	else
		ike_builder_init_chain(&b, &w);
	for (unsigned i = 0; i < m->n; i++) {
		const struct ike_payload *p = &m->pl[i];

		if (p->type == IKE_PL_SK || p->type == IKE_PL_SKF) {
			/* Written raw (SKF's fragment fields may be invalid), then the
			 * link to it gets the real type. */
			size_t link = b.next_off;

			if (ike_sk_begin(&b, p->next) != IKE_OK)
				abort();
			if (link != SIZE_MAX)
				out[link] = p->type;
			if (p->critical)
				out[b.pl_off + 1] |= 0x80;
			wr_bytes(&w, p->body, p->len);
			ike_builder_end(&b);
		} else {
			ike_payload_build(&b, p->type, p->critical, p->body, p->len);
		}
	}
	len = ike_builder_finish(&b);
	if (len < 0 || (size_t)len != m->len)
		abort();
	for (unsigned k = 0; k < m->n; k++) {
		size_t o = m->pl[k].off + 1;
		out[o] = (uint8_t)((out[o] & 0x80) | (m->buf[o] & 0x7f));
	}
	if (memcmp(out, m->buf, m->len))
		abort();
}

static void legal_all(const struct ike_msg *m)
{
	static const uint8_t exchanges[] = {
	    IKE_SA_INIT, IKE_AUTH, IKE_CREATE_CHILD_SA, IKE_INFORMATIONAL, IKE_INTERMEDIATE, 0};
	uint8_t bad;

	for (unsigned e = 0; e < sizeof(exchanges); e++)
		for (int r = 0; r < 2; r++)
			for (int in = 0; in < 2; in++)
				(void)ike_legal_check(m, exchanges[e], r, in, &bad);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ike_msg m;
	int rc;

	rc = ike_msg_parse(&m, data, size);
	for (unsigned i = 0; i < m.n; i++)
		typed_all(&m.pl[i]);
	legal_all(&m);
	(void)ike_strerror(rc);
	if (rc == IKE_OK)
		rebuild(&m, true);
	/* The same bytes as a bare chain (SK contents), first byte = type. */
	if (size > 0) {
		rc = ike_chain_parse(&m, data[0], data + 1, size - 1);
		for (unsigned i = 0; i < m.n; i++)
			typed_all(&m.pl[i]);
		legal_all(&m);
		if (rc == IKE_OK)
			rebuild(&m, false);
	}
	return 0;
}
