/* IKE_SA_INIT, both roles (RFC 7296 §1.2, §2.6 cookies, §1.3 / §2.7
 * INVALID_KE_PAYLOAD, §2.23 NAT detection, RFC 7383 and RFC 7427 notifies).
 */
#include "ike/sa_priv.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ike/cert.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/writer.h"

#define INIT_MAX_RETRIES 4 /* COOKIE / INVALID_KE rounds */

/* RFC 7427: SHA2-256, SHA2-384, SHA2-512. */
static const uint8_t sig_hashes[] = {0, 2, 0, 3, 0, 4};

int ike_natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], const struct ipaddr *a,
                  uint16_t port, uint8_t out[20])
{
	uint8_t p[2] = {(uint8_t)(port >> 8), (uint8_t)port};
	struct ike_chunk c[4] = {{spi_i, 8}, {spi_r, 8}, {a->b, a->len}, {p, 2}};
	return ike_sha1(c, 4, out);
}

static void spi_from(uint64_t v, uint8_t spi[8])
{
	for (int i = 0; i < 8; i++)
		spi[i] = (uint8_t)(v >> (56 - 8 * i));
}

void ike_send_notify_plain(struct ike_engine *e, const struct ipaddr *local,
                           const struct ipaddr *remote, uint16_t lport, uint16_t rport,
                           const struct ike_hdr *req, uint16_t type, const void *data, size_t len)
{
	uint8_t buf[256];
	struct writer w;
	struct ike_builder b;
	struct ike_hdr h = {.ispi = req->ispi,
	                    .rspi = 0,
	                    .exchange = req->exchange,
	                    .flags = IKE_FLAG_R,
	                    .msgid = req->msgid};

	wr_init(&w, buf, sizeof(buf));
	ike_builder_init(&b, &w, &h);
	ike_notify_build(&b, 0, NULL, 0, type, data, len);
	int n = ike_builder_finish(&b);
	if (n < 0)
		return;
	ike_ctr[IKE_CTR_TX]++;
	e->ops.send(e->ctx, local, remote, lport, rport, buf, (size_t)n);
}

/* Our NAT_DETECTION notifies; `fake` (nat-traversal force) makes the source
 * hash random so that both sides see a NAT and float to 4500. */
static void build_natd(struct ike_builder *b, const struct ikesa *sa, bool fake)
{
	uint8_t h[20];
	if (fake)
		ike_random(h, sizeof(h));
	else
		ike_natd_hash(sa->spi_i, sa->spi_r, &sa->local, sa->lport, h);
	ike_notify_build(b, 0, NULL, 0, IKE_N_NAT_DETECTION_SOURCE_IP, h, 20);
	ike_natd_hash(sa->spi_i, sa->spi_r, &sa->remote, sa->rport, h);
	ike_notify_build(b, 0, NULL, 0, IKE_N_NAT_DETECTION_DESTINATION_IP, h, 20);
	ike_notify_build(b, 0, NULL, 0, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, NULL, 0);
	ike_notify_build(b, 0, NULL, 0, IKE_N_SIGNATURE_HASH_ALGORITHMS, sig_hashes,
	                 sizeof(sig_hashes));
}

/* NAT detection of a received message whose header carries (ispi, rspi). */
static void check_natd(struct ikesa *sa, const struct ike_msg *m, const uint8_t spi_r[8])
{
	uint8_t h[20];
	bool src_ok = false, dst_ok = false, any_src = false, any_dst = false;

	for (const struct ike_payload *p = NULL; (p = ike_msg_find(m, IKE_PL_NOTIFY, p));) {
		struct ike_notify n;
		if (ike_notify_parse(&n, p) < 0 || n.len != 20)
			continue;
		if (n.type == IKE_N_NAT_DETECTION_SOURCE_IP) {
			any_src = true;
			ike_natd_hash(sa->spi_i, spi_r, &sa->remote, sa->rport, h);
			src_ok |= !memcmp(h, n.data, 20);
		} else if (n.type == IKE_N_NAT_DETECTION_DESTINATION_IP) {
			any_dst = true;
			ike_natd_hash(sa->spi_i, spi_r, &sa->local, sa->lport, h);
			dst_ok |= !memcmp(h, n.data, 20);
		}
	}
	sa->nat_remote = any_src && !src_ok;
	sa->nat_local = any_dst && !dst_ok;
	struct ike_notify n;
	sa->peer_frag = ike_msg_find_notify(m, IKE_N_IKEV2_FRAGMENTATION_SUPPORTED, &n);
}

int ike_init_derive(struct ikesa *sa, const uint8_t *peer_ke, size_t peer_ke_len)
{
	uint8_t gir[IKE_DH_PUB_MAX], seed[IKE_PRF_MAX];
	int rc = -1;
	int glen = ike_dh_shared(sa->dh, peer_ke, peer_ke_len, gir, sizeof(gir));

	if (glen <= 0)
		goto out;
	if (ike_skeyseed(sa->suite.prf, sa->ni, sa->ni_len, sa->nr, sa->nr_len, gir, (size_t)glen,
	                 seed) < 0)
		goto out;
	if (ike_keymat_derive(&sa->suite, seed, ike_prf_len(sa->suite.prf), sa->ni, sa->ni_len,
	                      sa->nr, sa->nr_len, sa->spi_i, sa->spi_r, &sa->km) < 0)
		goto out;
	const struct ike_keymat *k = &sa->km;
	const uint8_t *eo = sa->initiator ? k->sk_ei : k->sk_er;
	const uint8_t *ao = sa->initiator ? k->sk_ai : k->sk_ar;
	const uint8_t *ei = sa->initiator ? k->sk_er : k->sk_ei;
	const uint8_t *ai = sa->initiator ? k->sk_ar : k->sk_ai;
	if (ike_sk_ctx_init(&sa->sk_out, &sa->suite, eo, k->encr_len, k->integ_len ? ao : NULL,
	                    k->integ_len) != IKE_SK_OK ||
	    ike_sk_ctx_init(&sa->sk_in, &sa->suite, ei, k->encr_len, k->integ_len ? ai : NULL,
	                    k->integ_len) != IKE_SK_OK)
		goto out;
	sa->keys = true;
	rc = 0;
out:
	secure_zero(gir, sizeof(gir));
	secure_zero(seed, sizeof(seed));
	return rc;
}

static bool force_natt(const struct ikesa *sa)
{
	return sa->e->conf.force_natt || (sa->prof && sa->prof->nat_traversal == CFG_NATT_FORCE);
}

int ike_init_start(struct ikesa *sa, double now)
{
	uint8_t buf[IKE_MSG_MAX], pub[IKE_DH_PUB_MAX];
	struct writer w;
	struct ike_builder b;
	struct ike_hdr h;

	if (!sa->dh_group)
		sa->dh_group = ike_prop_first_dh(sa->prof);
	if (!sa->dh)
		sa->dh = ike_dh_new(sa->dh_group);
	if (!sa->dh)
		return -1;
	if (!sa->ni_len) {
		sa->ni_len = IKE_NONCE_SIZE;
		if (ike_random(sa->ni, sa->ni_len) < 0)
			return -1;
	}
	size_t publen = ike_dh_pub_len(sa->dh_group);
	if (ike_dh_public(sa->dh, pub, sizeof(pub)) < 0)
		return -1;
	memset(sa->spi_r, 0, 8);
	ike_hdr_for(sa, &h, IKE_SA_INIT, false, 0);
	wr_init(&w, buf, sizeof(buf));
	ike_builder_init(&b, &w, &h);
	if (sa->cookie_len)
		ike_notify_build(&b, 0, NULL, 0, IKE_N_COOKIE, sa->cookie, sa->cookie_len);
	if (ike_prop_build(&b, sa->prof, false, NULL, 0) < 0)
		return -1;
	ike_ke_build(&b, sa->dh_group, pub, publen);
	ike_nonce_build(&b, sa->ni, sa->ni_len);
	build_natd(&b, sa, force_natt(sa));
	int n = ike_builder_finish(&b);
	if (n < 0)
		return -1;
	free(sa->msg_init_i);
	sa->msg_init_i = malloc((size_t)n);
	if (!sa->msg_init_i)
		return -1;
	memcpy(sa->msg_init_i, buf, (size_t)n);
	sa->msg_init_i_len = (size_t)n;
	ike_sa_set_state(sa, IKE_S_INIT_SENT, "IKE_SA_INIT sent");
	return ike_sa_send_request(sa, IKE_TASK_INIT, buf, (size_t)n, now, false) < 0 ? -2 : 0;
}

static void cookie_compute(const struct ike_engine *e, const struct ike_msg *m,
                           const struct ike_nonce *ni, const struct ipaddr *remote,
                           uint8_t out[IKE_PRF_MAX])
{
	uint8_t spi[8];
	spi_from(m->hdr.ispi, spi);
	struct ike_chunk c[3] = {{ni->data, ni->len}, {remote->b, remote->len}, {spi, 8}};
	ike_prf(IKE_PRF_HMAC_SHA2_256, e->cookie_secret, sizeof(e->cookie_secret), c, 3, out);
}

void ike_init_respond(struct ike_engine *e, const struct ipaddr *local, const struct ipaddr *remote,
                      uint16_t lport, uint16_t rport, const struct ike_msg *m, double now)
{
	static struct ike_sa sap; /* large; single-threaded engine */
	const struct cfg_profile *prof =
	    e->ops.profile_for ? e->ops.profile_for(e->ctx, local, remote) : NULL;
	struct ike_ke ke;
	struct ike_nonce ni;
	struct ike_sel sel;
	struct ike_notify n;
	const struct ike_payload *psa = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_payload *pke = ike_msg_find(m, IKE_PL_KE, NULL);
	const struct ike_payload *pni = ike_msg_find(m, IKE_PL_NONCE, NULL);

	if (!prof)
		prof = e->conf.profile;
	if (!prof || !psa || !pke || !pni) {
		ike_ctr[IKE_CTR_DROP_UNEXPECTED]++;
		return;
	}
	if (ike_sa_parse(&sap, psa) < 0 || ike_ke_parse(&ke, pke) < 0 ||
	    ike_nonce_parse(&ni, pni) < 0) {
		ike_ctr[IKE_CTR_DROP_PARSE]++;
		ike_send_notify_plain(e, local, remote, lport, rport, &m->hdr, IKE_N_INVALID_SYNTAX,
		                      NULL, 0);
		return;
	}
	/* DoS protection: stateless until the peer returns our cookie. */
	if (e->half_open >= e->conf.cookie_threshold) {
		uint8_t want[IKE_PRF_MAX];
		cookie_compute(e, m, &ni, remote, want);
		if (!ike_msg_find_notify(m, IKE_N_COOKIE, &n) || n.len != IKE_COOKIE_LEN ||
		    ct_memcmp(n.data, want, IKE_COOKIE_LEN) != 0) {
			ike_ctr[IKE_CTR_COOKIE_SENT]++;
			ike_send_notify_plain(e, local, remote, lport, rport, &m->hdr, IKE_N_COOKIE,
			                      want, IKE_COOKIE_LEN);
			return;
		}
	}
	if (ike_prop_choose_ke(&sap, prof, ke.group, &sel) < 0) {
		ike_ctr[IKE_CTR_NO_PROPOSAL]++;
		log_rl(LOG_LVL_NOTICE, "ike: no acceptable IKE proposal from the peer");
		ike_send_notify_plain(e, local, remote, lport, rport, &m->hdr,
		                      IKE_N_NO_PROPOSAL_CHOSEN, NULL, 0);
		return;
	}
	if (ke.group != sel.suite.dh) {
		uint8_t g[2] = {(uint8_t)(sel.suite.dh >> 8), (uint8_t)sel.suite.dh};
		ike_ctr[IKE_CTR_INVALID_KE_SENT]++;
		ike_send_notify_plain(e, local, remote, lport, rport, &m->hdr,
		                      IKE_N_INVALID_KE_PAYLOAD, g, 2);
		return;
	}

	struct ikesa *sa = ike_sa_new(e, false, prof, local, remote, lport, rport, now);
	uint8_t buf[IKE_MSG_MAX], pub[IKE_DH_PUB_MAX];
	if (!sa)
		return;
	spi_from(m->hdr.ispi, sa->spi_i);
	if (ike_random(sa->spi_r, 8) < 0)
		goto fail;
	sa->suite = sel.suite;
	sa->dh_group = sel.suite.dh;
	sa->dh = ike_dh_new(sa->dh_group);
	memcpy(sa->ni, ni.data, ni.len);
	sa->ni_len = ni.len;
	sa->nr_len = IKE_NONCE_SIZE;
	if (!sa->dh || ike_random(sa->nr, sa->nr_len) < 0)
		goto fail;
	uint8_t zero[8] = {0};
	check_natd(sa, m, zero);
	if (ike_init_derive(sa, ke.data, ke.len) < 0) {
		ike_ctr[IKE_CTR_DROP_PARSE]++;
		ike_send_notify_plain(e, local, remote, lport, rport, &m->hdr, IKE_N_INVALID_SYNTAX,
		                      NULL, 0);
		goto fail;
	}
	if (ike_dh_public(sa->dh, pub, sizeof(pub)) < 0)
		goto fail;

	struct writer w;
	struct ike_builder b;
	struct ike_hdr h;
	ike_hdr_for(sa, &h, IKE_SA_INIT, true, 0);
	wr_init(&w, buf, sizeof(buf));
	ike_builder_init(&b, &w, &h);
	sel.spi_size = 0;
	ike_prop_build_sel(&b, &sel);
	ike_ke_build(&b, sa->dh_group, pub, ike_dh_pub_len(sa->dh_group));
	ike_nonce_build(&b, sa->nr, sa->nr_len);
	build_natd(&b, sa, force_natt(sa));
	if (prof->auth == CFG_AUTH_CERT) {
		struct ike_cred *cred = ike_engine_cred(e, prof);
		if (cred)
			ike_certreq_build(&b, IKE_CERT_X509_SIG, ike_cred_ca_keyid(cred), 20);
	}
	int len = ike_builder_finish(&b);
	if (len < 0)
		goto fail;
	sa->msg_init_i = malloc(m->len);
	sa->msg_init_r = malloc((size_t)len);
	if (!sa->msg_init_i || !sa->msg_init_r)
		goto fail;
	memcpy(sa->msg_init_i, m->buf, m->len);
	sa->msg_init_i_len = m->len;
	memcpy(sa->msg_init_r, buf, (size_t)len);
	sa->msg_init_r_len = (size_t)len;
	sa->mid_expect = 1;
	sa->expire_at = now + e->conf.half_open_timeout;
	ike_sa_link(sa);
	ike_sa_set_state(sa, IKE_S_INIT_DONE, "IKE_SA_INIT answered");
	ike_sa_send_raw(sa, buf, (size_t)len);
	return;
fail:
	ike_sa_link(sa);
	ike_sa_close(sa, "IKE_SA_INIT failed");
}

void ike_init_process_response(struct ikesa *sa, const struct ike_msg *m, double now)
{
	static struct ike_sa sap;
	struct ike_notify n;
	struct ike_sel sel;
	struct ike_ke ke;
	struct ike_nonce nr;

	if (ike_msg_find_notify(m, IKE_N_COOKIE, &n) && !ike_msg_find(m, IKE_PL_SA, NULL)) {
		if (++sa->init_retries > INIT_MAX_RETRIES || n.len > sizeof(sa->cookie)) {
			ike_sa_fail(sa, "too many IKE_SA_INIT rounds (COOKIE)");
			return;
		}
		memcpy(sa->cookie, n.data, n.len);
		sa->cookie_len = n.len;
		ike_sa_request_done(sa);
		if (ike_init_start(sa, now) == -1)
			ike_sa_fail(sa, "cannot rebuild IKE_SA_INIT");
		return;
	}
	if (ike_msg_find_notify(m, IKE_N_INVALID_KE_PAYLOAD, &n)) {
		uint16_t g = ike_notify_ke_group(&n);
		if (++sa->init_retries > INIT_MAX_RETRIES || !g || g == sa->dh_group ||
		    !ike_prop_has_dh(sa->prof, g) || !ike_dh_pub_len(g)) {
			ike_sa_fail(sa, "peer asked for DH group %u we cannot use", g);
			return;
		}
		log_info("ike: peer wants %s, retrying IKE_SA_INIT", ike_dh_name(g));
		sa->dh_group = g;
		ike_dh_free(sa->dh);
		sa->dh = NULL;
		ike_sa_request_done(sa);
		if (ike_init_start(sa, now) == -1)
			ike_sa_fail(sa, "cannot rebuild IKE_SA_INIT");
		return;
	}
	for (const struct ike_payload *p = NULL; (p = ike_msg_find(m, IKE_PL_NOTIFY, p));)
		if (ike_notify_parse(&n, p) == 0 && ike_notify_is_error(n.type)) {
			ike_sa_fail(sa, "peer answered IKE_SA_INIT with %s", ike_notify_name(n.type));
			return;
		}
	const struct ike_payload *psa = ike_msg_find(m, IKE_PL_SA, NULL);
	const struct ike_payload *pke = ike_msg_find(m, IKE_PL_KE, NULL);
	const struct ike_payload *pnr = ike_msg_find(m, IKE_PL_NONCE, NULL);
	if (!psa || !pke || !pnr || !m->hdr.rspi || ike_sa_parse(&sap, psa) < 0 ||
	    ike_ke_parse(&ke, pke) < 0 || ike_nonce_parse(&nr, pnr) < 0) {
		ike_ctr[IKE_CTR_DROP_PARSE]++;
		return; /* keep waiting: it may be forged */
	}
	if (ike_prop_accept(&sap, sa->prof, false, &sel) < 0 || sel.suite.dh != sa->dh_group ||
	    ke.group != sa->dh_group) {
		ike_sa_fail(sa, "peer chose an IKE proposal we did not offer");
		return;
	}
	spi_from(m->hdr.rspi, sa->spi_r);
	sa->suite = sel.suite;
	memcpy(sa->nr, nr.data, nr.len);
	sa->nr_len = nr.len;
	check_natd(sa, m, sa->spi_r);
	/* the SA is now found by spi_i as before; spi_r completes it */
	if (ike_init_derive(sa, ke.data, ke.len) < 0) {
		ike_sa_fail(sa, "key derivation failed (bad KE from the peer?)");
		return;
	}
	sa->msg_init_r = malloc(m->len);
	if (!sa->msg_init_r) {
		ike_sa_fail(sa, "out of memory");
		return;
	}
	memcpy(sa->msg_init_r, m->buf, m->len);
	sa->msg_init_r_len = m->len;
	ike_sa_request_done(sa);
	sa->mid_next = 1;
	if ((sa->nat_local || sa->nat_remote || force_natt(sa)) &&
	    sa->prof->nat_traversal != CFG_NATT_OFF) {
		sa->lport = IKE_NATT_PORT;
		sa->rport = IKE_NATT_PORT;
	}
	char name[96];
	ike_sel_name(&sel, false, name, sizeof(name));
	log_info("ike %016" PRIx64 "_%016" PRIx64 ": IKE_SA_INIT done, %s%s", ike_spi_num(sa->spi_i),
	         ike_spi_num(sa->spi_r), name,
	         sa->nat_local ? ", NAT here" : (sa->nat_remote ? ", NAT at peer" : ""));
	ike_auth_start(sa, now);
}

/* A new IKE_SA_INIT request, or a retransmission of one we answered. */
void ike_init_input_request(struct ike_engine *e, const struct ipaddr *local,
                               const struct ipaddr *remote, uint16_t lport, uint16_t rport,
                               const struct ike_msg *m, double now)
{
	uint8_t ispi[8];
	for (int i = 0; i < 8; i++)
		ispi[i] = (uint8_t)(m->hdr.ispi >> (56 - 8 * i));
	if (m->hdr.rspi != 0 || !(m->hdr.flags & IKE_FLAG_I) || m->hdr.msgid != 0) {
		ike_ctr[IKE_CTR_DROP_UNEXPECTED]++;
		return;
	}
	for (unsigned i = 0; i < IKE_TABLE_SIZE; i++)
		for (struct ikesa *sa = e->tab[i]; sa; sa = sa->next)
			if (!sa->initiator && !memcmp(sa->spi_i, ispi, 8) &&
			    ipaddr_eq(&sa->remote, remote)) {
				if (sa->state == IKE_S_INIT_DONE && sa->msg_init_i &&
				    sa->msg_init_i_len == m->len &&
				    !memcmp(sa->msg_init_i, m->buf, m->len) && sa->msg_init_r) {
					ike_ctr[IKE_CTR_RETRANSMIT]++;
					ike_sa_send_raw(sa, sa->msg_init_r, sa->msg_init_r_len);
				} else {
					ike_ctr[IKE_CTR_DROP_UNEXPECTED]++;
				}
				return;
			}
	ike_init_respond(e, local, remote, lport, rport, m, now);
}
