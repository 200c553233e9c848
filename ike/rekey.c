/* IKE SA rekeying, responder side (RFC 7296 §1.3.2, §2.18): the peer's
 * CREATE_CHILD_SA with an IKE proposal (new SPI), Ni and KE is answered in
 * the old SA; a new SA with keys from SKEYSEED = prf(SK_d (old),
 * g^ir (new) | Ni | Nr) takes over the CHILD SA, identities and timers. The
 * peer that asked is the new SA's initiator. The old SA lives until the
 * peer deletes it; the data plane sees ike_up for the new SA at once and
 * ike_down ("deleted by the peer") for the old one later. */
#include "ike/sa_priv.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/util.h"
#include "lib/writer.h"

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
	if (ike_sk_ctx_init(&n->sk_out, &n->suite, k->sk_er, k->encr_len,
	                    k->integ_len ? k->sk_ar : NULL, k->integ_len) != IKE_SK_OK ||
	    ike_sk_ctx_init(&n->sk_in, &n->suite, k->sk_ei, k->encr_len,
	                    k->integ_len ? k->sk_ai : NULL, k->integ_len) != IKE_SK_OK)
		goto out;
	n->keys = true;
	rc = 0;
out:
	secure_zero(gir, sizeof(gir));
	secure_zero(seed, sizeof(seed));
	return rc;
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
	if (ike_random(n->spi_r, 8) < 0)
		goto fail;
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
	if (ike_sa_send_sk(sa, IKE_CREATE_CHILD_SA, true, &b, inner, now, IKE_TASK_NONE) < 0) {
		ike_sa_link(n);
		ike_sa_close(n, "IKE rekey failed");
		return;
	}
	/* the new SA takes over */
	n->nat_local = sa->nat_local;
	n->nat_remote = sa->nat_remote;
	n->peer_frag = sa->peer_frag;
	memcpy(n->id_local, sa->id_local, sa->id_local_len);
	n->id_local_len = sa->id_local_len;
	memcpy(n->id_remote, sa->id_remote, sa->id_remote_len);
	n->id_remote_len = sa->id_remote_len;
	n->child_up = sa->child_up;
	n->child = sa->child;
	n->old_up = sa->old_up;
	n->old_child = sa->old_child;
	n->child_installed = sa->child_installed;
	n->child_rekey_at = sa->child_rekey_at;
	n->want_transport = sa->want_transport;
	sa->child_up = sa->old_up = false;
	sa->child_rekey_at = INFINITY;
	secure_zero(&sa->child, sizeof(sa->child));
	secure_zero(&sa->old_child, sizeof(sa->old_child));
	n->established_at = n->last_rx = now;
	ike_sa_link(n);
	ike_sa_set_state(n, IKE_S_ESTABLISHED, "rekeyed IKE SA");
	ike_sa_schedule_dpd(n, now);
	log_info("ike %016" PRIx64 "_%016" PRIx64 ": rekeyed as %016" PRIx64 "_%016" PRIx64,
	         ike_spi_num(sa->spi_i), ike_spi_num(sa->spi_r), ike_spi_num(n->spi_i),
	         ike_spi_num(n->spi_r));
	if (sa->e->ops.ike_up) {
		struct ike_sa_info info;
		ike_sa_get_info(n, &info);
		sa->e->ops.ike_up(sa->e->ctx, n, &info);
	}
	return;
fail:
	ike_sa_link(n);
	ike_sa_close(n, "IKE rekey failed");
}
