/* CHILD SA: SPIs, key material (RFC 7296 §2.17), traffic selectors for GRE
 * between the two outer addresses, handing the SA to the data plane, and
 * CREATE_CHILD_SA requests from the peer. */
#include "ike/sa_priv.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/writer.h"

#define IPPROTO_GRE_ 47

uint32_t ike_child_alloc_spi(struct ikesa *sa)
{
	uint32_t spi = 0;
	(void)sa;
	while (spi <= 255) /* 1..255 are reserved (RFC 4303 §2.1) */
		if (ike_random(&spi, sizeof(spi)) < 0)
			spi = 0x1000 + (uint32_t)(sa->e->next_child_id * 7919u);
	return spi;
}

int ike_child_keys(struct ikesa *sa, const struct ike_sel *esp, const uint8_t *ni, size_t nilen,
                   const uint8_t *nr, size_t nrlen)
{
	struct ike_encr_info ei;
	struct ike_child_info *c = &sa->child;
	uint8_t km[2 * (IKE_ENCR_KEY_MAX + IKE_INTEG_KEY_MAX)];

	if (ike_encr_info(esp->suite.encr, esp->suite.encr_bits, &ei) < 0)
		return -1;
	size_t el = ei.key_len, il = ei.aead ? 0 : ike_integ_key_len(esp->suite.integ);
	if (!ei.aead && !il)
		return -1;
	struct ike_chunk seed[2] = {{ni, nilen}, {nr, nrlen}};
	if (ike_prf_plus(sa->suite.prf, sa->km.sk_d, sa->km.prf_len, seed, 2, km, 2 * (el + il)) <
	    0)
		return -1;
	/* i->r encryption, i->r integrity, r->i encryption, r->i integrity */
	const uint8_t *ie = km, *ia = km + el, *re = km + el + il, *ra = km + 2 * el + il;
	memset(c, 0, sizeof(*c));
	memcpy(sa->initiator ? c->enc_out : c->enc_in, ie, el);
	memcpy(sa->initiator ? c->integ_out : c->integ_in, ia, il);
	memcpy(sa->initiator ? c->enc_in : c->enc_out, re, el);
	memcpy(sa->initiator ? c->integ_in : c->integ_out, ra, il);
	c->enc_len = el;
	c->integ_len = il;
	c->suite = esp->suite;
	c->suite.prf = IKE_PRF_NONE;
	c->esn = esp->esn;
	secure_zero(km, sizeof(km));
	return 0;
}

static void ts_host(struct ike_ts_list *l, const struct ipaddr *a)
{
	memset(l, 0, sizeof(*l));
	l->n = 1;
	l->ts[0].type = a->len == 4 ? IKE_TS_IPV4_ADDR_RANGE : IKE_TS_IPV6_ADDR_RANGE;
	l->ts[0].proto = IPPROTO_GRE_;
	l->ts[0].sport = 0;
	l->ts[0].eport = 65535;
	l->ts[0].start = *a;
	l->ts[0].end = *a;
}

void ike_child_our_ts(const struct ikesa *sa, struct ike_ts_list *tsi, struct ike_ts_list *tsr)
{
	ts_host(tsi, sa->initiator ? &sa->local : &sa->remote);
	ts_host(tsr, sa->initiator ? &sa->remote : &sa->local);
}

/* Does one of the selectors cover GRE to/from host a? */
static bool ts_covers(const struct ike_ts_list *l, const struct ipaddr *a)
{
	for (unsigned i = 0; i < l->n; i++) {
		const struct ike_ts *t = &l->ts[i];
		if (t->start.len != a->len || (t->proto != 0 && t->proto != IPPROTO_GRE_) ||
		    t->sport != 0 || t->eport != 65535)
			continue;
		if (ipaddr_cmp(&t->start, a) <= 0 && ipaddr_cmp(a, &t->end) <= 0)
			return true;
	}
	return false;
}

int ike_child_check_ts(const struct ikesa *sa, const struct ike_ts_list *tsi,
                       const struct ike_ts_list *tsr)
{
	const struct ipaddr *ia = sa->initiator ? &sa->local : &sa->remote;
	const struct ipaddr *ra = sa->initiator ? &sa->remote : &sa->local;
	return ts_covers(tsi, ia) && ts_covers(tsr, ra) ? 0 : -1;
}

void ike_child_install(struct ikesa *sa, uint32_t spi_out, enum ike_child_mode mode)
{
	struct ike_child_info *c = &sa->child;
	char name[96];

	c->id = sa->e->next_child_id++;
	c->spi_in = sa->child_spi_in;
	c->spi_out = spi_out;
	c->mode = mode;
	c->ts_proto = IPPROTO_GRE_;
	c->ts_local_start = c->ts_local_end = sa->local;
	c->ts_remote_start = c->ts_remote_end = sa->remote;
	c->local = sa->local;
	c->remote = sa->remote;
	c->encap = sa->lport == IKE_NATT_PORT || sa->rport == IKE_NATT_PORT;
	c->local_port = sa->lport;
	c->remote_port = sa->rport;
	c->lifetime = sa->prof ? sa->prof->lifetime_child : 0;
	sa->child_up = true;
	sa->child_installed = sa->last_rx;
	sa->child_rekey_at = c->lifetime ? sa->last_rx + c->lifetime * (sa->initiator ? 0.90 : 0.95)
	                                 : INFINITY;
	ike_suite_format(&c->suite, name, sizeof(name));
	log_info("ike %016" PRIx64 "_%016" PRIx64 ": CHILD SA %s %s spi in %08x out %08x%s",
	         ike_spi_num(sa->spi_i), ike_spi_num(sa->spi_r),
	         mode == IKE_MODE_TRANSPORT ? "transport" : "tunnel", name, c->spi_in, c->spi_out,
	         c->encap ? " udp-encap" : "");
	if (sa->e->ops.child_up)
		sa->e->ops.child_up(sa->e->ctx, sa, c);
}

void ike_child_remove(struct ikesa *sa, const char *reason)
{
	ike_child_remove_old(sa, reason);
	if (!sa->child_up)
		return;
	sa->child_up = false;
	if (sa->e->ops.child_down)
		sa->e->ops.child_down(sa->e->ctx, sa, &sa->child, reason);
	secure_zero(sa->child.enc_in, sizeof(sa->child.enc_in));
	secure_zero(sa->child.enc_out, sizeof(sa->child.enc_out));
	secure_zero(sa->child.integ_in, sizeof(sa->child.integ_in));
	secure_zero(sa->child.integ_out, sizeof(sa->child.integ_out));
}

/* CREATE_CHILD_SA from the peer. CHILD rekeying (REKEY_SA) without PFS is
 * answered and the new SA replaces the old one: the data plane gets
 * child_up for the new one at once, and child_down for the old one when the
 * peer deletes it (make-before-break); IKE rekeying goes to rekey.c;
 * additional CHILD SAs and PFS rekeys are refused with NO_ADDITIONAL_SAS. */
void ike_child_process_request(struct ikesa *sa, const struct ike_msg *in, double now)
{
	static struct ike_sa sap;
	uint8_t inner[IKE_MSG_MAX];
	struct writer w;
	struct ike_builder b;
	struct ike_notify n;
	struct ike_sel sel;
	struct ike_nonce ni;
	struct ike_ts_list tsi, tsr;
	const struct ike_payload *psa = ike_msg_find(in, IKE_PL_SA, NULL);
	const struct ike_payload *pni = ike_msg_find(in, IKE_PL_NONCE, NULL);
	const struct ike_payload *ptsi = ike_msg_find(in, IKE_PL_TSI, NULL);
	const struct ike_payload *ptsr = ike_msg_find(in, IKE_PL_TSR, NULL);
	uint16_t err = 0;

	/* an IKE proposal: rekeying of the IKE SA itself */
	if (psa && !ike_msg_find_notify(in, IKE_N_REKEY_SA, &n) && ike_sa_parse(&sap, psa) == 0 &&
	    sap.nprop && sap.p[0].protocol == IKE_PROTO_IKE) {
		ike_rekey_process_request(sa, &sap, in, now);
		return;
	}
	wr_init(&w, inner, sizeof(inner));
	ike_builder_init_chain(&b, &w);
	if (!ike_msg_find_notify(in, IKE_N_REKEY_SA, &n) || !sa->child_up || !psa || !pni ||
	    !ptsi || !ptsr || ike_msg_find(in, IKE_PL_KE, NULL))
		err = IKE_N_NO_ADDITIONAL_SAS;
	else if (n.spi_size != 4 || n.protocol != IKE_PROTO_ESP ||
	         ((uint32_t)n.spi[0] << 24 | (uint32_t)n.spi[1] << 16 | (uint32_t)n.spi[2] << 8 |
	          n.spi[3]) != sa->child.spi_out)
		err = IKE_N_CHILD_SA_NOT_FOUND;
	else if (ike_sa_parse(&sap, psa) < 0 || ike_prop_choose(&sap, sa->prof, true, &sel) < 0)
		err = IKE_N_NO_PROPOSAL_CHOSEN;
	else if (ike_nonce_parse(&ni, pni) < 0 || ike_ts_parse(&tsi, ptsi) < 0 ||
	         ike_ts_parse(&tsr, ptsr) < 0 || ike_child_check_ts(sa, &tsi, &tsr) < 0)
		err = IKE_N_TS_UNACCEPTABLE;
	if (err) {
		ike_notify_build(&b, 0, NULL, 0, err, NULL, 0);
		ike_sa_send_sk(sa, IKE_CREATE_CHILD_SA, true, &b, inner, now, IKE_TASK_NONE);
		return;
	}
	uint8_t nr[IKE_NONCE_SIZE];
	if (ike_random(nr, sizeof(nr)) < 0)
		return;
	uint32_t spi_out = 0;
	for (unsigned i = 0; i < sap.nprop; i++)
		if (sap.p[i].num == sel.num)
			spi_out = (uint32_t)ike_proposal_spi(&sap.p[i]);
	enum ike_child_mode mode = sa->child.mode;
	struct ike_child_info old = sa->child;
	sa->child_spi_in = ike_child_alloc_spi(sa);
	struct ike_sel mine = sel;
	uint32_t s = sa->child_spi_in;
	uint8_t spi[4] = {(uint8_t)(s >> 24), (uint8_t)(s >> 16), (uint8_t)(s >> 8), (uint8_t)s};
	memcpy(mine.spi, spi, 4);
	if (mode == IKE_MODE_TRANSPORT)
		ike_notify_build(&b, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	ike_prop_build_sel(&b, &mine);
	ike_nonce_build(&b, nr, sizeof(nr));
	ike_child_our_ts(sa, &tsi, &tsr);
	ike_ts_build(&b, IKE_PL_TSI, &tsi);
	ike_ts_build(&b, IKE_PL_TSR, &tsr);
	if (ike_child_keys(sa, &sel, ni.data, ni.len, nr, sizeof(nr)) < 0) {
		sa->child = old;
		return;
	}
	if (ike_sa_send_sk(sa, IKE_CREATE_CHILD_SA, true, &b, inner, now, IKE_TASK_NONE) < 0)
		return;
	/* make-before-break: the new SA is up before the old one goes */
	ike_child_install(sa, spi_out, mode);
	ike_child_remove_old(sa, "rekeyed again");
	sa->old_child = old;
	sa->old_up = true;
	secure_zero(&old, sizeof(old));
}

void ike_child_remove_old(struct ikesa *sa, const char *reason)
{
	if (!sa->old_up)
		return;
	sa->old_up = false;
	if (sa->e->ops.child_down)
		sa->e->ops.child_down(sa->e->ctx, sa, &sa->old_child, reason);
	secure_zero(&sa->old_child, sizeof(sa->old_child));
}

int ike_sa_rekey_child(struct ikesa *sa, double now)
{
	uint8_t inner[IKE_MSG_MAX];
	struct writer w;
	struct ike_builder b;
	struct ike_ts_list tsi, tsr;

	if (sa->state != IKE_S_ESTABLISHED || !sa->child_up || sa->task != IKE_TASK_NONE ||
	    sa->pending_delete)
		return -1;
	sa->child_rekey_at = INFINITY;
	if (ike_random(sa->rk_ni, sizeof(sa->rk_ni)) < 0)
		return -1;
	sa->child_spi_in = ike_child_alloc_spi(sa);
	uint32_t s = sa->child.spi_in, n = sa->child_spi_in;
	uint8_t old[4] = {(uint8_t)(s >> 24), (uint8_t)(s >> 16), (uint8_t)(s >> 8), (uint8_t)s};
	uint8_t spi[4] = {(uint8_t)(n >> 24), (uint8_t)(n >> 16), (uint8_t)(n >> 8), (uint8_t)n};
	wr_init(&w, inner, sizeof(inner));
	ike_builder_init_chain(&b, &w);
	ike_notify_build(&b, IKE_PROTO_ESP, old, 4, IKE_N_REKEY_SA, NULL, 0);
	if (sa->child.mode == IKE_MODE_TRANSPORT)
		ike_notify_build(&b, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	if (ike_prop_build(&b, sa->prof, true, spi, 4) < 0)
		return -1;
	ike_nonce_build(&b, sa->rk_ni, sizeof(sa->rk_ni));
	ike_child_our_ts(sa, &tsi, &tsr);
	ike_ts_build(&b, IKE_PL_TSI, &tsi);
	ike_ts_build(&b, IKE_PL_TSR, &tsr);
	log_info("ike %016" PRIx64 "_%016" PRIx64 ": rekeying CHILD SA %08x", ike_spi_num(sa->spi_i),
	         ike_spi_num(sa->spi_r), s);
	return ike_sa_send_sk(sa, IKE_CREATE_CHILD_SA, false, &b, inner, now, IKE_TASK_CHILD);
}

void ike_child_process_response(struct ikesa *sa, const struct ike_msg *in, double now)
{
	static struct ike_sa sap;
	struct ike_notify n;
	struct ike_sel sel;
	struct ike_nonce nr;
	struct ike_ts_list tsi, tsr;
	const struct ike_payload *psa = ike_msg_find(in, IKE_PL_SA, NULL);
	const struct ike_payload *pnr = ike_msg_find(in, IKE_PL_NONCE, NULL);
	const struct ike_payload *ptsi = ike_msg_find(in, IKE_PL_TSI, NULL);
	const struct ike_payload *ptsr = ike_msg_find(in, IKE_PL_TSR, NULL);

	if (!sa->child_up)
		return;
	if (!psa || !pnr || !ptsi || !ptsr || ike_sa_parse(&sap, psa) < 0 ||
	    ike_prop_accept(&sap, sa->prof, true, &sel) < 0 || ike_nonce_parse(&nr, pnr) < 0 ||
	    ike_ts_parse(&tsi, ptsi) < 0 || ike_ts_parse(&tsr, ptsr) < 0 ||
	    ike_child_check_ts(sa, &tsi, &tsr) < 0) {
		const char *why = "unacceptable answer";
		for (const struct ike_payload *p = NULL; (p = ike_msg_find(in, IKE_PL_NOTIFY, p));)
			if (ike_notify_parse(&n, p) == 0 && ike_notify_is_error(n.type))
				why = ike_notify_name(n.type);
		log_notice("ike %016" PRIx64 ": CHILD rekey failed (%s); retrying in 30 s",
		           ike_spi_num(sa->spi_i), why);
		sa->child_rekey_at = now + 30;
		return;
	}
	enum ike_child_mode mode = ike_msg_find_notify(in, IKE_N_USE_TRANSPORT_MODE, &n)
	                               ? IKE_MODE_TRANSPORT
	                               : IKE_MODE_TUNNEL;
	struct ike_child_info old = sa->child;
	if (ike_child_keys(sa, &sel, sa->rk_ni, sizeof(sa->rk_ni), nr.data, nr.len) < 0) {
		sa->child = old;
		sa->child_rekey_at = now + 30;
		return;
	}
	/* make-before-break: the new SA first, the old one after our DELETE */
	ike_child_install(sa, (uint32_t)ike_proposal_spi(&sap.p[0]), mode);
	ike_child_remove_old(sa, "rekeyed again");
	sa->old_child = old;
	sa->old_up = true;
	secure_zero(&old, sizeof(old));
	ike_info_send_delete_child(sa, now);
}
