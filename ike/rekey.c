/* IKE SA rekeying (RFC 7296 §1.3.2, §2.18), both roles.
 *
 * The initiator sends CREATE_CHILD_SA {SA (IKE proposals with its new SPI),
 * Ni, KEi} in the old SA; the responder answers {SA (one proposal with its
 * new SPI), Nr, KEr}. The new SA's keys come from SKEYSEED = prf(SK_d (old),
 * g^ir (new) | Ni | Nr); the side that asked is the new SA's initiator and
 * its message IDs start at 0. The new SA takes over the CHILD SA (no
 * child_down/child_up: the ESP SAs do not change), the identities and the
 * timers; the data plane sees ike_up for the new SA, then ike_down for the
 * old one, which the initiator of the surviving rekey deletes.
 *
 * Collision (§2.8.2): both sides rekey at once. Each answers the other as
 * usual; when its own answer arrives, the exchange holding the lowest of
 * the four nonces wins. The loser's new SA is deleted by the side that
 * created it (ike_down reason "rekey collision"), the winner's initiator
 * deletes the old SA, and the CHILD SA ends in the winner on both sides.
 */
#include "ike/sa_priv.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/writer.h"

#define REKEY_KE_RETRIES 2

void ike_rekey_schedule(struct ikesa *sa, double now)
{
	uint32_t life = sa->prof ? sa->prof->lifetime_ike : 0;
	if (!life) {
		sa->ike_rekey_at = INFINITY;
		return;
	}
	double f = sa->initiator ? 0.90 : 0.95;
	sa->ike_rekey_at = now + life * f - ike_jitter(life * 0.02);
}

/* Keys of n, rekeyed from old, from the peer's KE (n->dh is ours). */
static int derive(struct ikesa *n, const struct ikesa *old, const uint8_t *ke, size_t kelen)
{
	uint8_t gir[IKE_DH_PUB_MAX], seed[IKE_PRF_MAX];
	int rc = -1;
	int glen = ike_dh_shared(n->dh, ke, kelen, gir, sizeof(gir));

	if (glen <= 0 ||
	    ike_skeyseed_rekey(old->suite.prf, old->km.sk_d, old->km.prf_len, gir, (size_t)glen,
	                       n->ni, n->ni_len, n->nr, n->nr_len, seed) < 0 ||
	    ike_keymat_derive(&n->suite, seed, ike_prf_len(old->suite.prf), n->ni, n->ni_len, n->nr,
	                      n->nr_len, n->spi_i, n->spi_r, &n->km) < 0)
		goto out;
	const struct ike_keymat *k = &n->km;
	const uint8_t *eo = n->initiator ? k->sk_ei : k->sk_er;
	const uint8_t *ao = n->initiator ? k->sk_ai : k->sk_ar;
	const uint8_t *ei = n->initiator ? k->sk_er : k->sk_ei;
	const uint8_t *ai = n->initiator ? k->sk_ar : k->sk_ai;
	if (ike_sk_ctx_init(&n->sk_out, &n->suite, eo, k->encr_len, k->integ_len ? ao : NULL,
	                    k->integ_len) != IKE_SK_OK ||
	    ike_sk_ctx_init(&n->sk_in, &n->suite, ei, k->encr_len, k->integ_len ? ai : NULL,
	                    k->integ_len) != IKE_SK_OK)
		goto out;
	n->keys = true;
	rc = 0;
out:
	secure_zero(gir, sizeof(gir));
	secure_zero(seed, sizeof(seed));
	return rc;
}

/* n (keys done) becomes an established SA in the table with old's
 * identities; the CHILD SAs move from `from` (NULL: none). ike_up. */
static void take_over(struct ikesa *n, struct ikesa *old, struct ikesa *from, double now)
{
	n->nat_local = old->nat_local;
	n->nat_remote = old->nat_remote;
	n->peer_frag = old->peer_frag;
	memcpy(n->id_local, old->id_local, old->id_local_len);
	n->id_local_len = old->id_local_len;
	memcpy(n->id_remote, old->id_remote, old->id_remote_len);
	n->id_remote_len = old->id_remote_len;
	n->want_transport = old->want_transport;
	n->rk_group = old->rk_group;
	if (from)
		ike_child_move(from, n, now);
	old->superseded = true;
	old->ike_rekey_at = INFINITY;
	n->established_at = n->last_rx = now;
	ike_ctr[IKE_CTR_IKE_REKEYED]++;
	ike_sa_link(n);
	ike_sa_set_state(n, IKE_S_ESTABLISHED, "rekeyed IKE SA");
	ike_sa_schedule_dpd(n, now);
	log_info("ike %016" PRIx64 "_%016" PRIx64 ": rekeyed as %016" PRIx64 "_%016" PRIx64,
	         ike_spi_num(old->spi_i), ike_spi_num(old->spi_r), ike_spi_num(n->spi_i),
	         ike_spi_num(n->spi_r));
	if (n->e->ops.ike_up) {
		struct ike_sa_info info;
		ike_sa_get_info(n, &info);
		n->e->ops.ike_up(n->e->ctx, n, &info);
	}
}

void ike_rekey_process_request(struct ikesa *sa, const struct ike_sa *sap, const struct ike_msg *in,
                               double now)
{
	uint8_t inner[IKE_MSG_MAX], pub[IKE_DH_PUB_MAX];
	struct writer w;
	struct ike_builder b;
	struct ike_sel sel;
	struct ike_ke ke;
	struct ike_nonce ni;
	const struct ike_payload *pke = ike_msg_find(in, IKE_PL_KE, NULL);
	const struct ike_payload *pni = ike_msg_find(in, IKE_PL_NONCE, NULL);
	uint16_t err = 0;
	uint8_t g[2];

	memset(&sel, 0, sizeof(sel));
	wr_init(&w, inner, sizeof(inner));
	ike_builder_init_chain(&b, &w);
	if (!pke || !pni || ike_ke_parse(&ke, pke) < 0 || ike_nonce_parse(&ni, pni) < 0)
		err = IKE_N_INVALID_SYNTAX;
	else if (ike_prop_choose_ke(sap, sa->prof, ke.group, &sel) < 0 || sel.spi_size != 8 ||
	         !ike_spi_num(sel.spi))
		err = IKE_N_NO_PROPOSAL_CHOSEN;
	else if (ke.group != sel.suite.dh)
		err = IKE_N_INVALID_KE_PAYLOAD;
	if (err) {
		if (err == IKE_N_INVALID_KE_PAYLOAD)
			ike_ctr[IKE_CTR_INVALID_KE_SENT]++;
		g[0] = (uint8_t)(sel.suite.dh >> 8);
		g[1] = (uint8_t)sel.suite.dh;
		ike_notify_build(&b, 0, NULL, 0, err, err == IKE_N_INVALID_KE_PAYLOAD ? g : NULL,
		                 err == IKE_N_INVALID_KE_PAYLOAD ? 2 : 0);
		ike_sa_send_sk(sa, IKE_CREATE_CHILD_SA, true, &b, inner, now, IKE_TASK_NONE);
		return;
	}

	struct ikesa *n =
	    ike_sa_new(sa->e, false, sa->prof, &sa->local, &sa->remote, sa->lport, sa->rport, now);
	if (!n)
		return;
	memcpy(n->spi_i, sel.spi, 8);
	do
		if (ike_random(n->spi_r, 8) < 0)
			goto fail;
	while (!ike_spi_num(n->spi_r) || ike_sa_find(sa->e, n->spi_r, false));
	n->suite = sel.suite;
	n->dh_group = sel.suite.dh;
	n->dh = ike_dh_new(n->dh_group);
	memcpy(n->ni, ni.data, ni.len);
	n->ni_len = ni.len;
	n->nr_len = IKE_NONCE_SIZE;
	if (!n->dh || ike_random(n->nr, n->nr_len) < 0 || derive(n, sa, ke.data, ke.len) < 0 ||
	    ike_dh_public(n->dh, pub, sizeof(pub)) < 0)
		goto fail;
	struct ike_sel mine = sel;
	memcpy(mine.spi, n->spi_r, 8);
	ike_prop_build_sel(&b, &mine);
	ike_nonce_build(&b, n->nr, n->nr_len);
	ike_ke_build(&b, n->dh_group, pub, ike_dh_pub_len(n->dh_group));
	if (ike_sa_send_sk(sa, IKE_CREATE_CHILD_SA, true, &b, inner, now, IKE_TASK_NONE) < 0)
		goto fail;
	if (sa->task == IKE_TASK_REKEY_IKE) {
		/* ours is out too (§2.8.2): decided when its answer comes */
		sa->rk_peer = true;
		memcpy(sa->rk_peer_spi, n->spi_r, 8);
		log_info("ike %016" PRIx64 ": IKE rekey collision, the nonces decide",
		         ike_spi_num(sa->spi_i));
	}
	/* the new SA takes over; the old one lives until the peer deletes it */
	take_over(n, sa, sa, now);
	ike_collide_doom(sa, NULL, now);
	return;
fail:
	ike_sa_link(n);
	ike_sa_close(n, "IKE rekey failed");
}

int ike_sa_rekey_ike(struct ikesa *sa, double now)
{
	uint8_t inner[IKE_MSG_MAX], pub[IKE_DH_PUB_MAX];
	struct writer w;
	struct ike_builder b;

	if (sa->state != IKE_S_ESTABLISHED || sa->task != IKE_TASK_NONE || sa->pending_delete ||
	    sa->superseded || sa->lost_reason || sa->old_up || sa->red_up || !sa->keys)
		return -1;
	if (sa->rk_new)
		ike_sa_close(sa->rk_new, "IKE rekey restarted");
	sa->rk_new = NULL;
	sa->rk_peer = false;
	struct ikesa *n =
	    ike_sa_new(sa->e, true, sa->prof, &sa->local, &sa->remote, sa->lport, sa->rport, now);
	if (!n)
		return -1;
	do
		if (ike_random(n->spi_i, 8) < 0)
			goto fail;
	while (!ike_spi_num(n->spi_i) || ike_sa_find(sa->e, n->spi_i, true));
	if (!sa->rk_ike_group || !ike_prop_has_dh(sa->prof, sa->rk_ike_group))
		sa->rk_ike_group = ike_prop_has_dh(sa->prof, sa->suite.dh) ? sa->suite.dh
		                                                         : ike_prop_first_dh(sa->prof);
	n->dh_group = sa->rk_ike_group;
	n->ni_len = IKE_NONCE_SIZE;
	if (!(n->dh = ike_dh_new(n->dh_group)) || ike_random(n->ni, n->ni_len) < 0 ||
	    ike_dh_public(n->dh, pub, sizeof(pub)) < 0)
		goto fail;
	wr_init(&w, inner, sizeof(inner));
	ike_builder_init_chain(&b, &w);
	if (ike_prop_build(&b, sa->prof, false, n->spi_i, 8) < 0)
		goto fail;
	ike_nonce_build(&b, n->ni, n->ni_len);
	ike_ke_build(&b, n->dh_group, pub, ike_dh_pub_len(n->dh_group));
	sa->rk_new = n;
	sa->ike_rekey_at = INFINITY;
	log_info("ike %016" PRIx64 "_%016" PRIx64 ": rekeying the IKE SA (new SPIi %016" PRIx64
	         ", %s)",
	         ike_spi_num(sa->spi_i), ike_spi_num(sa->spi_r), ike_spi_num(n->spi_i),
	         ike_dh_name(n->dh_group));
	return ike_sa_send_sk(sa, IKE_CREATE_CHILD_SA, false, &b, inner, now, IKE_TASK_REKEY_IKE);
fail:
	ike_sa_close(n, "cannot start IKE rekey");
	return -1;
}

void ike_rekey_refusal(const struct ike_msg *in, const char **why, double *delay,
                       uint16_t *group)
{
	struct ike_notify n;

	*why = "unacceptable answer";
	*delay = 30;
	*group = 0;
	for (const struct ike_payload *p = NULL; (p = ike_msg_find(in, IKE_PL_NOTIFY, p));)
		if (ike_notify_parse(&n, p) == 0 && ike_notify_is_error(n.type)) {
			*why = ike_notify_name(n.type);
			if (n.type == IKE_N_TEMPORARY_FAILURE)
				*delay = IKE_TEMP_FAIL_DELAY + ike_jitter(IKE_TEMP_FAIL_JITTER);
			if (n.type == IKE_N_INVALID_KE_PAYLOAD)
				*group = ike_notify_ke_group(&n);
		}
}

/* Our IKE rekey was refused or unusable: maybe again later. */
static void rekey_failed(struct ikesa *sa, const struct ike_msg *in, double now)
{
	const char *why;
	double delay;
	uint16_t g;
	ike_rekey_refusal(in, &why, &delay, &g);
	if (sa->rk_new)
		ike_sa_close(sa->rk_new, "IKE rekey failed");
	sa->rk_new = NULL;
	if (sa->rk_peer || sa->superseded) {
		/* the peer's rekey of this SA went through */
		sa->rk_peer = false;
		log_info("ike %016" PRIx64 ": our IKE rekey failed (%s), the peer's stands",
		         ike_spi_num(sa->spi_i), why);
		return;
	}
	if (g && g != sa->rk_ike_group && ike_prop_has_dh(sa->prof, g) && ike_dh_pub_len(g) &&
	    ++sa->rk_ike_retries <= REKEY_KE_RETRIES) {
		log_info("ike %016" PRIx64 ": peer wants %s for the IKE rekey", ike_spi_num(sa->spi_i),
		         ike_dh_name(g));
		sa->rk_ike_group = g;
		sa->ike_rekey_at = now + delay; /* kept when it cannot start */
		ike_sa_rekey_ike(sa, now);      /* may free sa */
		return;
	}
	log_notice("ike %016" PRIx64 ": IKE rekey failed (%s); retrying in %.0f s",
	           ike_spi_num(sa->spi_i), why, delay);
	sa->rk_ike_retries = 0;
	sa->ike_rekey_at = now + delay;
}

void ike_rekey_process_response(struct ikesa *sa, const struct ike_msg *in, double now)
{
	static struct ike_sa sap;
	struct ike_sel sel;
	struct ike_ke ke;
	struct ike_nonce nr;
	struct ikesa *n = sa->rk_new;
	const struct ike_payload *psa = ike_msg_find(in, IKE_PL_SA, NULL);
	const struct ike_payload *pke = ike_msg_find(in, IKE_PL_KE, NULL);
	const struct ike_payload *pnr = ike_msg_find(in, IKE_PL_NONCE, NULL);

	if (!n || !psa || !pke || !pnr || ike_sa_parse(&sap, psa) < 0 ||
	    ike_prop_accept(&sap, sa->prof, false, &sel) < 0 || sel.spi_size != 8 ||
	    !ike_spi_num(sel.spi) || sel.suite.dh != n->dh_group || ike_ke_parse(&ke, pke) < 0 ||
	    ke.group != n->dh_group || ike_nonce_parse(&nr, pnr) < 0) {
		rekey_failed(sa, in, now);
		return;
	}
	memcpy(n->spi_r, sel.spi, 8);
	n->suite = sel.suite;
	memcpy(n->nr, nr.data, nr.len);
	n->nr_len = nr.len;
	if (derive(n, sa, ke.data, ke.len) < 0) {
		rekey_failed(sa, in, now);
		return;
	}
	sa->rk_new = NULL;
	sa->rk_ike_retries = 0;
	struct ikesa *peer = sa->rk_peer ? ike_sa_find(sa->e, sa->rk_peer_spi, false) : NULL;
	sa->rk_peer = false;
	if (peer && peer->state == IKE_S_ESTABLISHED && !peer->lost_reason) {
		ike_ctr[IKE_CTR_REKEY_COLLISION]++;
		bool win = ike_collide_first_wins(n->ni, n->ni_len, n->nr, n->nr_len, peer->ni,
		                                  peer->ni_len, peer->nr, peer->nr_len);
		log_info("ike %016" PRIx64 ": IKE rekey collision %s", ike_spi_num(sa->spi_i),
		         win ? "won: the peer deletes its new SA" : "lost: deleting our new SA");
		if (!win) {
			/* ours is redundant: up, then deleted by us; the peer
			 * deletes the old SA */
			take_over(n, sa, NULL, now);
			n->lost_reason = "rekey collision";
			ike_sa_delete(n, now, "rekey collision");
			return;
		}
		take_over(n, sa, peer, now);
		ike_collide_doom(peer, "rekey collision", now);
	} else {
		take_over(n, sa, sa, now);
	}
	/* we made the surviving SA: the old one goes */
	bool also_new = sa->pending_delete;
	ike_sa_delete(sa, now, "IKE SA rekeyed");
	if (also_new) /* deleting was asked for while we rekeyed */
		ike_sa_delete(n, now, "deleted while rekeying");
}
