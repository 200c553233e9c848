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

int ike_child_keymat(const struct ikesa *sa, struct ike_child_info *c, const struct ike_sel *esp,
                     bool ini, const uint8_t *gir, size_t girlen, const uint8_t *ni, size_t nilen,
                     const uint8_t *nr, size_t nrlen)
{
	struct ike_encr_info ei;
	uint8_t km[2 * (IKE_ENCR_KEY_MAX + IKE_INTEG_KEY_MAX)];

	if (ike_encr_info(esp->suite.encr, esp->suite.encr_bits, &ei) < 0)
		return -1;
	size_t el = ei.key_len, il = ei.aead ? 0 : ike_integ_key_len(esp->suite.integ);
	if (!ei.aead && !il)
		return -1;
	struct ike_chunk seed[3] = {{gir, girlen}, {ni, nilen}, {nr, nrlen}};
	if (ike_prf_plus(sa->suite.prf, sa->km.sk_d, sa->km.prf_len, girlen ? seed : seed + 1,
	                 girlen ? 3 : 2, km, 2 * (el + il)) < 0)
		return -1;
	/* i->r encryption, i->r integrity, r->i encryption, r->i integrity;
	 * "i" is the initiator of this exchange (§2.17), as strongSwan does */
	const uint8_t *ie = km, *ia = km + el, *re = km + el + il, *ra = km + 2 * el + il;
	memset(c, 0, sizeof(*c));
	memcpy(ini ? c->enc_out : c->enc_in, ie, el);
	memcpy(ini ? c->integ_out : c->integ_in, ia, il);
	memcpy(ini ? c->enc_in : c->enc_out, re, el);
	memcpy(ini ? c->integ_in : c->integ_out, ra, il);
	c->enc_len = el;
	c->integ_len = il;
	c->suite = esp->suite;
	c->suite.prf = IKE_PRF_NONE;
	c->esn = esp->esn;
	secure_zero(km, sizeof(km));
	return 0;
}

int ike_child_keys(struct ikesa *sa, const struct ike_sel *esp, const uint8_t *ni, size_t nilen,
                   const uint8_t *nr, size_t nrlen)
{
	return ike_child_keymat(sa, &sa->child, esp, sa->initiator, NULL, 0, ni, nilen, nr, nrlen);
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

/* TSi is the side of whoever started the exchange (for CREATE_CHILD_SA
 * not necessarily the IKE SA's initiator): ini, we did. */
static void our_ts(const struct ikesa *sa, bool ini, struct ike_ts_list *tsi,
                   struct ike_ts_list *tsr)
{
	ts_host(tsi, ini ? &sa->local : &sa->remote);
	ts_host(tsr, ini ? &sa->remote : &sa->local);
}

void ike_child_our_ts(const struct ikesa *sa, struct ike_ts_list *tsi, struct ike_ts_list *tsr)
{
	our_ts(sa, sa->initiator, tsi, tsr);
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

/* ini: we started the exchange (TSi is ours). */
static int check_ts(const struct ikesa *sa, bool ini, const struct ike_ts_list *tsi,
                    const struct ike_ts_list *tsr)
{
	const struct ipaddr *ia = ini ? &sa->local : &sa->remote;
	const struct ipaddr *ra = ini ? &sa->remote : &sa->local;
	/* transport mode through a NAT (§2.23.1): a side behind the NAT names
	 * its private address, which the outer addresses cannot confirm */
	bool nat_i = ini ? sa->nat_local : sa->nat_remote;
	bool nat_r = ini ? sa->nat_remote : sa->nat_local;
	return (nat_i || ts_covers(tsi, ia)) && (nat_r || ts_covers(tsr, ra)) ? 0 : -1;
}

int ike_child_check_ts(const struct ikesa *sa, const struct ike_ts_list *tsi,
                       const struct ike_ts_list *tsr)
{
	return check_ts(sa, sa->initiator, tsi, tsr);
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

static void be32_put(uint32_t v, uint8_t o[4])
{
	o[0] = (uint8_t)(v >> 24);
	o[1] = (uint8_t)(v >> 16);
	o[2] = (uint8_t)(v >> 8);
	o[3] = (uint8_t)v;
}

static void child_down(struct ikesa *sa, struct ike_child_info *c, bool *up, const char *reason)
{
	if (!*up)
		return;
	*up = false;
	if (sa->lost_reason)
		reason = sa->lost_reason;
	if (sa->e->ops.child_down)
		sa->e->ops.child_down(sa->e->ctx, sa, c, reason);
	secure_zero(c, sizeof(*c));
}

void ike_child_remove(struct ikesa *sa, const char *reason)
{
	ike_child_remove_old(sa, reason);
	child_down(sa, &sa->red_child, &sa->red_up, reason);
	child_down(sa, &sa->child, &sa->child_up, reason);
}

void ike_child_remove_old(struct ikesa *sa, const char *reason)
{
	child_down(sa, &sa->old_child, &sa->old_up, reason);
}

void ike_child_rekey_clear(struct ikesa *sa)
{
	ike_dh_free(sa->rk_dh);
	sa->rk_dh = NULL;
	sa->col_child = false;
	secure_zero(sa->col_ni, sizeof(sa->col_ni));
	secure_zero(sa->col_nr, sizeof(sa->col_nr));
}

void ike_child_move(struct ikesa *from, struct ikesa *to, double now)
{
	to->child_up = from->child_up;
	to->child = from->child;
	to->old_up = from->old_up;
	to->old_child = from->old_child;
	to->red_up = from->red_up;
	to->red_child = from->red_child;
	to->child_installed = from->child_installed;
	to->child_rekey_at = from->child_rekey_at;
	if (to->child_up && !isfinite(to->child_rekey_at) && to->child.lifetime)
		to->child_rekey_at = now + IKE_TEMP_FAIL_DELAY + ike_jitter(IKE_TEMP_FAIL_JITTER);
	to->want_transport = from->want_transport;
	from->child_up = from->old_up = from->red_up = false;
	from->child_rekey_at = INFINITY;
	secure_zero(&from->child, sizeof(from->child));
	secure_zero(&from->old_child, sizeof(from->old_child));
	secure_zero(&from->red_child, sizeof(from->red_child));
}

uint32_t ike_child_delete_rx(struct ikesa *sa, uint32_t spi)
{
	uint32_t ours = 0;
	if (sa->child_up && spi == sa->child.spi_out) {
		ours = sa->child.spi_in;
		ike_child_remove(sa, "deleted by the peer");
	} else if (sa->old_up && spi == sa->old_child.spi_out) {
		ours = sa->old_child.spi_in;
		ike_child_remove_old(sa, "rekeyed: old SA deleted by the peer");
	} else if (sa->red_up && spi == sa->red_child.spi_out) {
		ours = sa->red_child.spi_in;
		child_down(sa, &sa->red_child, &sa->red_up, "rekey collision");
	}
	return ours;
}

static void refuse(struct ikesa *sa, uint16_t err, uint16_t group, double now)
{
	uint8_t inner[64], g[2] = {(uint8_t)(group >> 8), (uint8_t)group};
	struct writer w;
	struct ike_builder b;

	if (err == IKE_N_TEMPORARY_FAILURE)
		ike_ctr[IKE_CTR_TEMP_FAILURE_SENT]++;
	log_rl(LOG_LVL_INFO, "ike %016" PRIx64 ": CREATE_CHILD_SA refused: %s",
	       ike_spi_num(sa->spi_i), ike_notify_name(err));
	wr_init(&w, inner, sizeof(inner));
	ike_builder_init_chain(&b, &w);
	ike_notify_build(&b, 0, NULL, 0, err, group ? g : NULL, group ? 2 : 0);
	ike_sa_send_sk(sa, IKE_CREATE_CHILD_SA, true, &b, inner, now, IKE_TASK_NONE);
}

void ike_rekey_refuse(struct ikesa *sa, uint16_t type, double now)
{
	refuse(sa, type, 0, now);
}

/* Can we take part in a rekey of this IKE SA's CHILD (or of itself) now? */
static bool busy(const struct ikesa *sa)
{
	return sa->pending_delete || sa->superseded || sa->lost_reason ||
	       sa->state != IKE_S_ESTABLISHED;
}

/* CREATE_CHILD_SA from the peer. CHILD rekeying (REKEY_SA, with PFS when
 * the chosen ESP proposal has a DH group) is answered and the new SA
 * replaces the old one: the data plane gets child_up for the new one at
 * once, and child_down for the old one when the peer deletes it
 * (make-before-break); IKE rekeying goes to rekey.c; additional CHILD SAs
 * are refused with NO_ADDITIONAL_SAS. While a rekey of ours for the same
 * SA is out, both go ahead and the lowest nonce decides afterwards
 * (§2.8.1); a rekey we cannot do now gets TEMPORARY_FAILURE (§2.25). */
void ike_child_process_request(struct ikesa *sa, const struct ike_msg *in, double now)
{
	static struct ike_sa sap;
	uint8_t inner[IKE_MSG_MAX];
	struct writer w;
	struct ike_builder b;
	struct ike_notify n;
	struct ike_sel sel;
	struct ike_nonce ni;
	struct ike_ke ke;
	struct ike_ts_list tsi, tsr;
	const struct ike_payload *psa = ike_msg_find(in, IKE_PL_SA, NULL);
	const struct ike_payload *pni = ike_msg_find(in, IKE_PL_NONCE, NULL);
	const struct ike_payload *pke = ike_msg_find(in, IKE_PL_KE, NULL);
	const struct ike_payload *ptsi = ike_msg_find(in, IKE_PL_TSI, NULL);
	const struct ike_payload *ptsr = ike_msg_find(in, IKE_PL_TSR, NULL);
	uint16_t err = 0, want = 0;

	/* an IKE proposal: rekeying of the IKE SA itself */
	bool rekey = ike_msg_find_notify(in, IKE_N_REKEY_SA, &n);
	if (psa && !rekey && ike_sa_parse(&sap, psa) == 0 && sap.nprop &&
	    sap.p[0].protocol == IKE_PROTO_IKE) {
		if (busy(sa) || sa->task == IKE_TASK_CHILD || sa->task == IKE_TASK_DELETE_CHILD ||
		    sa->task == IKE_TASK_DELETE_RED)
			refuse(sa, IKE_N_TEMPORARY_FAILURE, 0, now);
		else
			ike_rekey_process_request(sa, &sap, in, now);
		return;
	}
	uint32_t rspi = rekey && n.spi_size == 4 ? (uint32_t)n.spi[0] << 24 |
	                                               (uint32_t)n.spi[1] << 16 |
	                                               (uint32_t)n.spi[2] << 8 | n.spi[3]
	                                         : 0;
	if (!rekey || !psa || !pni || !ptsi || !ptsr)
		err = IKE_N_NO_ADDITIONAL_SAS;
	else if (n.spi_size != 4 || n.protocol != IKE_PROTO_ESP)
		err = IKE_N_CHILD_SA_NOT_FOUND;
	else if (busy(sa) || sa->task == IKE_TASK_REKEY_IKE)
		err = IKE_N_TEMPORARY_FAILURE;
	else if (!sa->child_up || rspi != sa->child.spi_out)
		/* one we are deleting (§2.25.1), or none */
		err = (sa->old_up && rspi == sa->old_child.spi_out) ||
		              (sa->red_up && rspi == sa->red_child.spi_out)
		          ? IKE_N_TEMPORARY_FAILURE
		          : IKE_N_CHILD_SA_NOT_FOUND;
	else if (ike_sa_parse(&sap, psa) < 0 || ike_nonce_parse(&ni, pni) < 0 ||
	         (pke && ike_ke_parse(&ke, pke) < 0))
		err = IKE_N_INVALID_SYNTAX;
	else if (ike_prop_choose_child(&sap, sa->prof, pke ? ke.group : 0, &sel) < 0)
		err = IKE_N_NO_PROPOSAL_CHOSEN;
	else if (sel.suite.dh && (!pke || ke.group != sel.suite.dh))
		err = IKE_N_INVALID_KE_PAYLOAD, want = sel.suite.dh;
	else if (ike_ts_parse(&tsi, ptsi) < 0 || ike_ts_parse(&tsr, ptsr) < 0 ||
	         check_ts(sa, false, &tsi, &tsr) < 0)
		err = IKE_N_TS_UNACCEPTABLE;
	if (err) {
		if (err == IKE_N_INVALID_KE_PAYLOAD)
			ike_ctr[IKE_CTR_INVALID_KE_SENT]++;
		refuse(sa, err, want, now);
		return;
	}
	uint8_t nr[IKE_NONCE_SIZE], gir[IKE_DH_PUB_MAX], pub[IKE_DH_PUB_MAX];
	int glen = 0;
	struct ike_dh *dh = NULL;
	if (ike_random(nr, sizeof(nr)) < 0)
		return;
	if (sel.suite.dh) {
		dh = ike_dh_new(sel.suite.dh);
		glen = dh ? ike_dh_shared(dh, ke.data, ke.len, gir, sizeof(gir)) : -1;
		if (glen <= 0 || ike_dh_public(dh, pub, sizeof(pub)) < 0) {
			ike_dh_free(dh);
			refuse(sa, IKE_N_INVALID_SYNTAX, 0, now); /* a bad KE */
			return;
		}
	}
	uint32_t spi_out = 0;
	for (unsigned i = 0; i < sap.nprop; i++)
		if (sap.p[i].num == sel.num)
			spi_out = (uint32_t)ike_proposal_spi(&sap.p[i]);
	enum ike_child_mode mode = sa->child.mode;
	bool collide = sa->task == IKE_TASK_CHILD && sa->rk_old_spi == sa->child.spi_in;
	struct ike_child_info old = sa->child;
	uint32_t spi_in = ike_child_alloc_spi(sa);
	struct ike_sel mine = sel;
	be32_put(spi_in, mine.spi);
	wr_init(&w, inner, sizeof(inner));
	ike_builder_init_chain(&b, &w);
	if (mode == IKE_MODE_TRANSPORT)
		ike_notify_build(&b, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	ike_prop_build_sel(&b, &mine);
	ike_nonce_build(&b, nr, sizeof(nr));
	if (dh)
		ike_ke_build(&b, sel.suite.dh, pub, ike_dh_pub_len(sel.suite.dh));
	our_ts(sa, false, &tsi, &tsr);
	ike_ts_build(&b, IKE_PL_TSI, &tsi);
	ike_ts_build(&b, IKE_PL_TSR, &tsr);
	int rc = ike_child_keymat(sa, &sa->child, &sel, false, gir, (size_t)glen, ni.data, ni.len,
	                          nr, sizeof(nr));
	ike_dh_free(dh);
	secure_zero(gir, sizeof(gir));
	if (rc < 0) {
		sa->child = old;
		secure_zero(&old, sizeof(old));
		return;
	}
	if (ike_sa_send_sk(sa, IKE_CREATE_CHILD_SA, true, &b, inner, now, IKE_TASK_NONE) < 0)
		return;
	/* make-before-break: the new SA is up before the old one goes */
	sa->child_spi_in = spi_in;
	ike_child_install(sa, spi_out, mode);
	ike_child_remove_old(sa, "rekeyed again");
	sa->old_child = old;
	sa->old_up = true;
	secure_zero(&old, sizeof(old));
	if (collide) {
		sa->col_child = true;
		memcpy(sa->col_ni, ni.data, ni.len);
		sa->col_ni_len = ni.len;
		memcpy(sa->col_nr, nr, sizeof(nr));
		log_info("ike %016" PRIx64 ": CHILD rekey collision, the nonces decide",
		         ike_spi_num(sa->spi_i));
	}
	secure_zero(nr, sizeof(nr));
}

int ike_sa_rekey_child(struct ikesa *sa, double now)
{
	uint8_t inner[IKE_MSG_MAX], pub[IKE_DH_PUB_MAX];
	struct writer w;
	struct ike_builder b;
	struct ike_ts_list tsi, tsr;

	if (!sa->child_up || sa->task != IKE_TASK_NONE || busy(sa))
		return -1;
	ike_child_rekey_clear(sa);
	if (ike_random(sa->rk_ni, sizeof(sa->rk_ni)) < 0)
		return -1;
	if (!sa->rk_group || !ike_prop_esp_has_dh(sa->prof, sa->rk_group))
		sa->rk_group = ike_prop_first_esp_dh(sa->prof);
	if (sa->rk_group &&
	    (!(sa->rk_dh = ike_dh_new(sa->rk_group)) || ike_dh_public(sa->rk_dh, pub, sizeof(pub)) < 0))
		return -1;
	sa->rk_spi_in = ike_child_alloc_spi(sa);
	sa->rk_old_spi = sa->child.spi_in;
	uint8_t old[4], spi[4];
	be32_put(sa->child.spi_in, old);
	be32_put(sa->rk_spi_in, spi);
	wr_init(&w, inner, sizeof(inner));
	ike_builder_init_chain(&b, &w);
	ike_notify_build(&b, IKE_PROTO_ESP, old, 4, IKE_N_REKEY_SA, NULL, 0);
	if (sa->child.mode == IKE_MODE_TRANSPORT)
		ike_notify_build(&b, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	if (ike_prop_build_child(&b, sa->prof, spi) < 0)
		return -1;
	ike_nonce_build(&b, sa->rk_ni, sizeof(sa->rk_ni));
	if (sa->rk_dh)
		ike_ke_build(&b, sa->rk_group, pub, ike_dh_pub_len(sa->rk_group));
	our_ts(sa, true, &tsi, &tsr);
	ike_ts_build(&b, IKE_PL_TSI, &tsi);
	ike_ts_build(&b, IKE_PL_TSR, &tsr);
	sa->child_rekey_at = INFINITY;
	log_info("ike %016" PRIx64 "_%016" PRIx64 ": rekeying CHILD SA %08x%s%s",
	         ike_spi_num(sa->spi_i), ike_spi_num(sa->spi_r), sa->child.spi_in,
	         sa->rk_group ? " with PFS " : "", sa->rk_group ? ike_dh_name(sa->rk_group) : "");
	return ike_sa_send_sk(sa, IKE_CREATE_CHILD_SA, false, &b, inner, now, IKE_TASK_CHILD);
}

/* Our CHILD rekey was refused or unusable: maybe again later. */
static void rekey_failed(struct ikesa *sa, const struct ike_msg *in, double now)
{
	const char *why;
	double delay;
	uint16_t g;
	ike_rekey_refusal(in, &why, &delay, &g);
	bool col = sa->col_child;
	ike_child_rekey_clear(sa);
	if (col || !sa->child_up) {
		/* the peer's rekey (or delete) of the same SA went through */
		log_info("ike %016" PRIx64 ": our CHILD rekey failed (%s), the peer's stands",
		         ike_spi_num(sa->spi_i), why);
		return;
	}
	if (g && g != sa->rk_group && ike_prop_esp_has_dh(sa->prof, g) && ike_dh_pub_len(g) &&
	    ++sa->rk_ke_retries <= 2) {
		log_info("ike %016" PRIx64 ": peer wants PFS with %s, rekeying again",
		         ike_spi_num(sa->spi_i), ike_dh_name(g));
		sa->rk_group = g;
		sa->child_rekey_at = now + delay; /* kept when it cannot start */
		ike_sa_rekey_child(sa, now);      /* may free sa */
		return;
	}
	log_notice("ike %016" PRIx64 ": CHILD rekey failed (%s); retrying in %.0f s",
	           ike_spi_num(sa->spi_i), why, delay);
	sa->rk_ke_retries = 0;
	sa->child_rekey_at = now + delay;
}

static void send_delete_red(struct ikesa *sa, double now)
{
	uint8_t inner[64], spi[4];
	struct writer w;
	struct ike_builder b;

	be32_put(sa->red_spi, spi);
	wr_init(&w, inner, sizeof(inner));
	ike_builder_init_chain(&b, &w);
	ike_delete_build(&b, IKE_PROTO_ESP, 4, spi, 1);
	ike_sa_send_sk(sa, IKE_INFORMATIONAL, false, &b, inner, now, IKE_TASK_DELETE_RED);
}

void ike_child_red_deleted(struct ikesa *sa, double now)
{
	sa->red_spi = 0;
	sa->dpd_dead_at = INFINITY;
	ike_sa_schedule_dpd(sa, now);
	if (sa->pending_delete)
		ike_info_send_delete(sa, now);
}

void ike_child_process_response(struct ikesa *sa, const struct ike_msg *in, double now)
{
	static struct ike_sa sap;
	struct ike_notify n;
	struct ike_sel sel;
	struct ike_nonce nr;
	struct ike_ke ke;
	struct ike_ts_list tsi, tsr;
	struct ike_child_info o;
	uint8_t gir[IKE_DH_PUB_MAX];
	int glen = 0;
	const struct ike_payload *psa = ike_msg_find(in, IKE_PL_SA, NULL);
	const struct ike_payload *pnr = ike_msg_find(in, IKE_PL_NONCE, NULL);
	const struct ike_payload *pke = ike_msg_find(in, IKE_PL_KE, NULL);
	const struct ike_payload *ptsi = ike_msg_find(in, IKE_PL_TSI, NULL);
	const struct ike_payload *ptsr = ike_msg_find(in, IKE_PL_TSR, NULL);

	if (!sa->child_up || !psa || !pnr || !ptsi || !ptsr || ike_sa_parse(&sap, psa) < 0 ||
	    ike_prop_accept_child(&sap, sa->prof, &sel) < 0 || ike_nonce_parse(&nr, pnr) < 0 ||
	    ike_ts_parse(&tsi, ptsi) < 0 || ike_ts_parse(&tsr, ptsr) < 0 ||
	    check_ts(sa, true, &tsi, &tsr) < 0 ||
	    (sel.suite.dh && (!pke || ike_ke_parse(&ke, pke) < 0 || ke.group != sa->rk_group ||
	                      !sa->rk_dh ||
	                      (glen = ike_dh_shared(sa->rk_dh, ke.data, ke.len, gir, sizeof(gir))) <=
	                          0)) ||
	    ike_child_keymat(sa, &o, &sel, true, gir, (size_t)glen, sa->rk_ni, sizeof(sa->rk_ni),
	                     nr.data, nr.len) < 0) {
		secure_zero(gir, sizeof(gir));
		rekey_failed(sa, in, now);
		return;
	}
	secure_zero(gir, sizeof(gir));
	sa->rk_ke_retries = 0;
	enum ike_child_mode mode = ike_msg_find_notify(in, IKE_N_USE_TRANSPORT_MODE, &n)
	                               ? IKE_MODE_TRANSPORT
	                               : IKE_MODE_TUNNEL;
	uint32_t spi_out = (uint32_t)ike_proposal_spi(&sap.p[0]);
	bool col = sa->col_child, win = true;
	if (col) {
		ike_ctr[IKE_CTR_REKEY_COLLISION]++;
		win = ike_collide_first_wins(sa->rk_ni, sizeof(sa->rk_ni), nr.data, nr.len, sa->col_ni,
		                             sa->col_ni_len, sa->col_nr, sizeof(sa->col_nr));
		log_info("ike %016" PRIx64 ": CHILD rekey collision %s", ike_spi_num(sa->spi_i),
		         win ? "won: the peer deletes its SA" : "lost: deleting ours");
	}
	ike_child_rekey_clear(sa);
	if (!win) {
		/* ours is redundant: never handed to the data plane, deleted by
		 * us; the peer's (current) stays and the peer deletes the old */
		secure_zero(&o, sizeof(o));
		sa->red_spi = sa->rk_spi_in;
		send_delete_red(sa, now);
		return;
	}
	struct ike_child_info cur = sa->child;
	if (col) {
		/* the peer's SA is the redundant one: kept until it deletes it */
		child_down(sa, &sa->red_child, &sa->red_up, "rekey collision");
		sa->red_child = cur;
		sa->red_up = true;
	} else {
		ike_child_remove_old(sa, "rekeyed again");
		sa->old_child = cur;
		sa->old_up = true;
	}
	secure_zero(&cur, sizeof(cur));
	/* make-before-break: the new SA first, the old one after our DELETE */
	sa->child = o;
	secure_zero(&o, sizeof(o));
	sa->child_spi_in = sa->rk_spi_in;
	ike_child_install(sa, spi_out, mode);
	ike_info_send_delete_child(sa, now);
}
