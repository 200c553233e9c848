/* IKE_AUTH, both roles: identities, AUTH by pre-shared key (RFC 7296
 * §2.15), and the CHILD SA for GRE created inside it (§1.3, §2.9;
 * USE_TRANSPORT_MODE, §1.3.1). */
#include "ike/sa_priv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "ike/cert.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/writer.h"

static const char key_pad[] = "Key Pad for IKEv2";

struct ike_cred *ike_engine_cred(struct ike_engine *e, const struct cfg_profile *p)
{
	char err[160] = "";
	unsigned i;
	if (p->auth != CFG_AUTH_CERT || !p->cert_file || !p->key_file || !p->ca_file)
		return NULL;
	for (i = 0; i < IKE_CRED_CACHE && e->creds[i].prof; i++)
		if (e->creds[i].prof == p)
			return e->creds[i].cred;
	if (i == IKE_CRED_CACHE)
		return NULL;
	struct ike_cred *c = ike_cred_load(p->cert_file, p->key_file, p->ca_file, err, sizeof(err));
	if (!c) {
		log_rl(LOG_LVL_ERROR, "ike: profile %s: %s", p->name ? p->name : "?", err);
		return NULL;
	}
	e->creds[i].prof = p;
	e->creds[i].cred = c;
	return c;
}

void ike_engine_free_creds(struct ike_engine *e)
{
	for (unsigned i = 0; i < IKE_CRED_CACHE; i++) {
		ike_cred_free(e->creds[i].cred);
		e->creds[i].cred = NULL;
		e->creds[i].prof = NULL;
	}
}

int ike_auth_local_id(struct ikesa *sa)
{
	const struct cfg_identity *id = &sa->prof->local;
	uint8_t *b = sa->id_local;
	const void *data;
	size_t len;
	const struct ipaddr *a = &sa->local;

	memset(b, 0, 4);
	if (sa->prof->auth == CFG_AUTH_CERT &&
	    (id->type == CFG_ID_NONE || id->type == CFG_ID_DN)) {
		/* the certificate's subject (a DN written in the profile must
		 * be that subject: we do not encode DN strings ourselves) */
		struct ike_cred *c = ike_engine_cred(sa->e, sa->prof);
		if (!c)
			return -1;
		b[0] = IKE_ID_DER_ASN1_DN;
		data = ike_cred_subject(c, &len);
		goto copy;
	}
	switch (id->type) {
	case CFG_ID_NONE:
	case CFG_ID_ADDRESS:
		if (id->type == CFG_ID_ADDRESS)
			a = &id->addr;
		b[0] = a->len == 4 ? IKE_ID_IPV4_ADDR : IKE_ID_IPV6_ADDR;
		data = a->b;
		len = a->len;
		break;
	case CFG_ID_FQDN:
	case CFG_ID_EMAIL:
	case CFG_ID_KEY_ID:
		b[0] = id->type == CFG_ID_FQDN    ? IKE_ID_FQDN
		       : id->type == CFG_ID_EMAIL ? IKE_ID_RFC822_ADDR
		                                  : IKE_ID_KEY_ID;
		data = id->value;
		len = strlen(id->value);
		break;
	default:
		return -1; /* DN identities need the certificate module */
	}
copy:
	if (!len || len > IKE_ID_MAX - 4)
		return -1;
	memcpy(b + 4, data, len);
	sa->id_local_len = 4 + len;
	return 0;
}

void ike_id_format(const uint8_t *body, size_t len, char *out, size_t cap)
{
	struct ipaddr a;
	if (len < 4) {
		snprintf(out, cap, "%s", "");
		return;
	}
	switch (body[0]) {
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		if (ipaddr_from_bytes(&a, body + 4, len - 4) == 0) {
			char s[ADDR_STRLEN];
			snprintf(out, cap, "%s", ipaddr_fmt(&a, s, sizeof(s)));
			return;
		}
		break;
	case IKE_ID_FQDN:
	case IKE_ID_RFC822_ADDR:
	case IKE_ID_KEY_ID: {
		size_t n = 0;
		for (size_t i = 4; i < len && n + 1 < cap; i++)
			out[n++] = body[i] >= 0x20 && body[i] < 0x7f ? (char)body[i] : '?';
		out[n] = 0;
		return;
	}
	case IKE_ID_DER_ASN1_DN:
		if (ike_dn_string(body + 4, len - 4, out, cap) == 0)
			return;
		break;
	default:
		break;
	}
	snprintf(out, cap, "%s(%zu bytes)", ike_id_type_name(body[0]), len - 4);
}

/* AUTH = prf(prf(Shared Secret, "Key Pad for IKEv2"), <SignedOctets>),
 * SignedOctets = RealMessage | Nonce of the other side | prf(SK_p, ID body). */
static int signed_octets(const struct ikesa *sa, bool of_initiator, const uint8_t *id,
                         size_t idlen, uint8_t macid[IKE_PRF_MAX], struct ike_chunk oct[3])
{
	struct ike_chunk c = {id, idlen};
	if (ike_prf(sa->suite.prf, of_initiator ? sa->km.sk_pi : sa->km.sk_pr, sa->km.prf_len, &c,
	            1, macid) < 0)
		return -1;
	oct[0] = (struct ike_chunk){of_initiator ? sa->msg_init_i : sa->msg_init_r,
	                            of_initiator ? sa->msg_init_i_len : sa->msg_init_r_len};
	oct[1] = (struct ike_chunk){of_initiator ? sa->nr : sa->ni,
	                            of_initiator ? sa->nr_len : sa->ni_len};
	oct[2] = (struct ike_chunk){macid, ike_prf_len(sa->suite.prf)};
	return 0;
}

static int psk_auth(const struct ikesa *sa, bool of_initiator, const uint8_t *id, size_t idlen,
                    uint8_t out[IKE_PRF_MAX])
{
	const struct cfg_profile *p = sa->prof;
	unsigned prf = sa->suite.prf;
	size_t plen = ike_prf_len(prf);
	uint8_t macid[IKE_PRF_MAX], key[IKE_PRF_MAX];
	struct ike_chunk c, oct[3];
	int rc = -1;

	if (!p->psk || !plen)
		return -1;
	if (signed_octets(sa, of_initiator, id, idlen, macid, oct) < 0)
		goto out;
	c = (struct ike_chunk){key_pad, sizeof(key_pad) - 1};
	if (ike_prf(prf, (const uint8_t *)p->psk, p->psk_len, &c, 1, key) < 0)
		goto out;
	rc = ike_prf(prf, key, plen, oct, 3, out);
out:
	secure_zero(key, sizeof(key));
	return rc;
}

/* Certificate authentication (RFC 7427): the peer's CERT must chain to our
 * CA, its subject must be the peer's DN identity, and its key must have
 * signed the octets. */
static int verify_sig(const struct ikesa *sa, const struct ike_auth *a, const struct ike_msg *in)
{
	struct ike_cred *cred = ike_engine_cred(sa->e, sa->prof);
	const struct ike_payload *pc = ike_msg_find(in, IKE_PL_CERT, NULL);
	struct ike_cert cert;
	char err[160] = "";
	uint8_t macid[IKE_PRF_MAX];
	struct ike_chunk oct[3];
	size_t slen;
	int rc = -1;

	if (!cred || !pc || ike_cert_parse(&cert, pc) < 0 || cert.encoding != IKE_CERT_X509_SIG ||
	    !a->sig_alg)
		return -1;
	struct ike_peer_cert *p = ike_peer_cert_verify(cred, cert.data, cert.len, err, sizeof(err));
	if (!p) {
		log_rl(LOG_LVL_NOTICE, "ike: peer certificate refused: %s", err);
		return -1;
	}
	const uint8_t *subj = ike_peer_cert_subject(p, &slen);
	if (sa->id_remote_len < 4 || sa->id_remote[0] != IKE_ID_DER_ASN1_DN ||
	    sa->id_remote_len - 4 != slen || memcmp(sa->id_remote + 4, subj, slen) != 0) {
		log_rl(LOG_LVL_NOTICE, "ike: peer identity is not its certificate's subject");
		goto out;
	}
	if (signed_octets(sa, !sa->initiator, sa->id_remote, sa->id_remote_len, macid, oct) < 0)
		goto out;
	rc = ike_peer_cert_check(p, a->sig_alg, a->sig_alg_len, a->sig, a->sig_len, oct, 3);
out:
	ike_peer_cert_free(p);
	return rc;
}

/* 0 when the AUTH payload proves the peer's identity. */
static int verify_auth(const struct ikesa *sa, const struct ike_payload *pauth,
                       const struct ike_msg *in)
{
	struct ike_auth a;
	uint8_t want[IKE_PRF_MAX];
	size_t plen = ike_prf_len(sa->suite.prf);

	if (ike_auth_parse(&a, pauth) < 0)
		return -1;
	if (sa->prof->auth == CFG_AUTH_CERT)
		return a.method == IKE_AUTH_DIGITAL_SIG ? verify_sig(sa, &a, in) : -1;
	if (a.method != IKE_AUTH_SHARED_KEY_MIC || sa->prof->auth != CFG_AUTH_PSK || a.len != plen)
		return -1;
	if (psk_auth(sa, !sa->initiator, sa->id_remote, sa->id_remote_len, want) < 0)
		return -1;
	int rc = ct_memcmp(want, a.data, plen) == 0 ? 0 : -1;
	secure_zero(want, sizeof(want));
	return rc;
}

static bool id_equals(const struct ike_id *id, enum cfg_id_type t, const char *value,
                      const struct ipaddr *addr)
{
	switch (t) {
	case CFG_ID_ADDRESS:
		return (id->type == IKE_ID_IPV4_ADDR || id->type == IKE_ID_IPV6_ADDR) &&
		       ipaddr_eq(&id->addr, addr);
	case CFG_ID_FQDN:
	case CFG_ID_EMAIL:
		return id->type == (t == CFG_ID_FQDN ? IKE_ID_FQDN : IKE_ID_RFC822_ADDR) &&
		       strlen(value) == id->len && !strncasecmp(value, (const char *)id->data, id->len);
	case CFG_ID_KEY_ID:
		return id->type == IKE_ID_KEY_ID && strlen(value) == id->len &&
		       !memcmp(value, id->data, id->len);
	default:
		return false;
	}
}

static bool domain_match(const struct ike_id *id, const char *suffix)
{
	size_t n = strlen(suffix);
	if (id->len < n)
		return false;
	return !strncasecmp((const char *)id->data + id->len - n, suffix, n);
}

/* The profile's remote identity and `match identity remote` rules. */
static bool identity_allowed(const struct cfg_profile *p, const struct ike_id *id)
{
	if (p->remote.type != CFG_ID_NONE &&
	    !id_equals(id, p->remote.type, p->remote.value, &p->remote.addr))
		return false;
	if (!p->n_matches)
		return true;
	for (size_t i = 0; i < p->n_matches; i++) {
		const struct cfg_match *m = &p->matches[i];
		switch (m->kind) {
		case CFG_MATCH_ANY:
			return true;
		case CFG_MATCH_EXACT: {
			struct ipaddr a;
			memset(&a, 0, sizeof(a));
			if (m->type == CFG_ID_ADDRESS && ipaddr_parse(&a, m->value) < 0)
				break;
			if (id_equals(id, m->type, m->value, &a))
				return true;
			break;
		}
		case CFG_MATCH_DOMAIN:
			if (id->type == (m->type == CFG_ID_FQDN ? IKE_ID_FQDN : IKE_ID_RFC822_ADDR) &&
			    domain_match(id, m->value))
				return true;
			break;
		case CFG_MATCH_ADDR_PREFIX:
			if ((id->type == IKE_ID_IPV4_ADDR || id->type == IKE_ID_IPV6_ADDR) &&
			    prefix_contains(&m->prefix, &id->addr))
				return true;
			break;
		}
	}
	return false;
}

/* Stores the peer's ID body; 0 or -1. */
static int take_remote_id(struct ikesa *sa, const struct ike_payload *pid, struct ike_id *id)
{
	if (ike_id_parse(id, pid) < 0 || pid->len > IKE_ID_MAX)
		return -1;
	memcpy(sa->id_remote, pid->body, pid->len);
	sa->id_remote_len = pid->len;
	return 0;
}

static void build_id_auth(struct ikesa *sa, struct ike_builder *b, uint8_t idtype)
{
	uint8_t auth[IKE_PRF_MAX];
	ike_id_build(b, idtype, sa->id_local[0], sa->id_local + 4, sa->id_local_len - 4);
	if (sa->prof->auth == CFG_AUTH_CERT) {
		struct ike_cred *c = ike_engine_cred(sa->e, sa->prof);
		uint8_t sig[1024], macid[IKE_PRF_MAX];
		struct ike_chunk oct[3];
		size_t dlen;
		const uint8_t *der = c ? ike_cred_cert(c, &dlen) : NULL;
		int n = -1;
		if (der && signed_octets(sa, sa->initiator, sa->id_local, sa->id_local_len, macid,
		                         oct) == 0)
			n = ike_cred_sign(c, oct, 3, sig, sizeof(sig));
		if (n < 0) {
			b->err = IKE_ERR_BUILD;
			return;
		}
		ike_cert_build(b, IKE_CERT_X509_SIG, der, dlen);
		ike_auth_build(b, IKE_AUTH_DIGITAL_SIG, sig, (size_t)n);
		return;
	}
	if (psk_auth(sa, sa->initiator, sa->id_local, sa->id_local_len, auth) < 0) {
		b->err = IKE_ERR_BUILD;
		return;
	}
	ike_auth_build(b, IKE_AUTH_SHARED_KEY_MIC, auth, ike_prf_len(sa->suite.prf));
	secure_zero(auth, sizeof(auth));
}

void ike_auth_start(struct ikesa *sa, double now)
{
	uint8_t inner[IKE_MSG_MAX];
	struct writer w;
	struct ike_builder b;
	struct ike_ts_list tsi, tsr;

	if (sa->prof->auth != CFG_AUTH_PSK && !ike_engine_cred(sa->e, sa->prof)) {
		ike_sa_fail(sa, "no usable credentials in profile %s",
		            sa->prof->name ? sa->prof->name : "?");
		return;
	}
	if (ike_auth_local_id(sa) < 0) {
		ike_sa_fail(sa, "local identity unusable");
		return;
	}
	sa->child_spi_in = ike_child_alloc_spi(sa);
	uint8_t spi[4] = {(uint8_t)(sa->child_spi_in >> 24), (uint8_t)(sa->child_spi_in >> 16),
	                  (uint8_t)(sa->child_spi_in >> 8), (uint8_t)sa->child_spi_in};
	wr_init(&w, inner, sizeof(inner));
	ike_builder_init_chain(&b, &w);
	build_id_auth(sa, &b, IKE_PL_IDI);
	if (sa->prof->auth == CFG_AUTH_CERT)
		ike_certreq_build(&b, IKE_CERT_X509_SIG,
		                  ike_cred_ca_keyid(ike_engine_cred(sa->e, sa->prof)), 20);
	if (ike_collide_first_contact(sa))
		ike_notify_build(&b, 0, NULL, 0, IKE_N_INITIAL_CONTACT, NULL, 0);
	if (sa->want_transport)
		ike_notify_build(&b, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
	if (ike_prop_build(&b, sa->prof, true, spi, 4) < 0) {
		ike_sa_fail(sa, "no ESP proposal");
		return;
	}
	ike_child_our_ts(sa, &tsi, &tsr);
	ike_ts_build(&b, IKE_PL_TSI, &tsi);
	ike_ts_build(&b, IKE_PL_TSR, &tsr);
	ike_sa_set_state(sa, IKE_S_AUTH_SENT, "IKE_AUTH sent");
	ike_sa_send_sk(sa, IKE_AUTH, false, &b, inner, now, IKE_TASK_AUTH);
}

static void established(struct ikesa *sa, double now)
{
	sa->established_at = now;
	sa->expire_at = INFINITY;
	ike_ctr[IKE_CTR_ESTABLISHED]++;
	ike_sa_set_state(sa, IKE_S_ESTABLISHED, "authenticated");
	ike_sa_schedule_dpd(sa, now);
	if (sa->e->ops.ike_up) {
		struct ike_sa_info info;
		ike_sa_get_info(sa, &info);
		sa->e->ops.ike_up(sa->e->ctx, sa, &info);
	}
}

void ike_auth_process_request(struct ikesa *sa, const struct ike_msg *outer,
                              const struct ike_msg *in, double now)
{
	static struct ike_sa sap;
	uint8_t inner[IKE_MSG_MAX];
	struct writer w;
	struct ike_builder b;
	struct ike_id id;
	const struct ike_payload *pid = ike_msg_find(in, IKE_PL_IDI, NULL);
	const struct ike_payload *pauth = ike_msg_find(in, IKE_PL_AUTH, NULL);
	const struct ike_payload *psa = ike_msg_find(in, IKE_PL_SA, NULL);
	const struct ike_payload *ptsi = ike_msg_find(in, IKE_PL_TSI, NULL);
	const struct ike_payload *ptsr = ike_msg_find(in, IKE_PL_TSR, NULL);
	(void)outer;

	wr_init(&w, inner, sizeof(inner));
	ike_builder_init_chain(&b, &w);
	if (!pid || !pauth || take_remote_id(sa, pid, &id) < 0 || ike_auth_local_id(sa) < 0 ||
	    verify_auth(sa, pauth, in) < 0 || !identity_allowed(sa->prof, &id)) {
		char who[128];
		ike_id_format(sa->id_remote, sa->id_remote_len, who, sizeof(who));
		ike_ctr[IKE_CTR_AUTH_FAILED]++;
		ike_notify_build(&b, 0, NULL, 0, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
		if (ike_sa_send_sk(sa, IKE_AUTH, true, &b, inner, now, IKE_TASK_NONE) < 0)
			return;
		ike_sa_fail(sa, "authentication of peer '%s' failed", who);
		return;
	}
	struct ike_notify ic;
	if (ike_msg_find_notify(in, IKE_N_INITIAL_CONTACT, &ic))
		ike_collide_initial_contact(sa); /* the peer restarted: its old SAs are gone */
	established(sa, now);
	build_id_auth(sa, &b, IKE_PL_IDR);

	/* the CHILD SA */
	struct ike_sel sel;
	struct ike_ts_list tsi, tsr;
	uint16_t err = 0;
	struct ike_notify n;
	if (!psa || !ptsi || !ptsr)
		err = 0; /* childless (RFC 6023): nothing to do */
	else if (ike_sa_parse(&sap, psa) < 0 || ike_prop_choose(&sap, sa->prof, true, &sel) < 0)
		err = IKE_N_NO_PROPOSAL_CHOSEN;
	else if (ike_ts_parse(&tsi, ptsi) < 0 || ike_ts_parse(&tsr, ptsr) < 0 ||
	         ike_child_check_ts(sa, &tsi, &tsr) < 0)
		err = IKE_N_TS_UNACCEPTABLE;
	if (err) {
		ike_notify_build(&b, 0, NULL, 0, err, NULL, 0);
		log_rl(LOG_LVL_NOTICE, "ike: CHILD SA refused: %s", ike_notify_name(err));
	} else if (psa && ptsi && ptsr) {
		enum ike_child_mode mode = IKE_MODE_TUNNEL;
		if (ike_msg_find_notify(in, IKE_N_USE_TRANSPORT_MODE, &n) && sa->want_transport) {
			mode = IKE_MODE_TRANSPORT;
			ike_notify_build(&b, 0, NULL, 0, IKE_N_USE_TRANSPORT_MODE, NULL, 0);
		}
		uint32_t spi_out = (uint32_t)ike_proposal_spi(&sap.p[sel.num ? 0 : 0]);
		for (unsigned i = 0; i < sap.nprop; i++)
			if (sap.p[i].num == sel.num)
				spi_out = (uint32_t)ike_proposal_spi(&sap.p[i]);
		sa->child_spi_in = ike_child_alloc_spi(sa);
		struct ike_sel mine = sel;
		uint32_t s = sa->child_spi_in;
		uint8_t spi[4] = {(uint8_t)(s >> 24), (uint8_t)(s >> 16), (uint8_t)(s >> 8),
		                  (uint8_t)s};
		memcpy(mine.spi, spi, 4);
		mine.spi_size = 4;
		ike_prop_build_sel(&b, &mine);
		ike_child_our_ts(sa, &tsi, &tsr);
		ike_ts_build(&b, IKE_PL_TSI, &tsi);
		ike_ts_build(&b, IKE_PL_TSR, &tsr);
		if (ike_child_keys(sa, &sel, sa->ni, sa->ni_len, sa->nr, sa->nr_len) < 0) {
			ike_sa_fail(sa, "CHILD key derivation failed");
			return;
		}
		if (ike_sa_send_sk(sa, IKE_AUTH, true, &b, inner, now, IKE_TASK_NONE) < 0)
			return;
		ike_child_install(sa, spi_out, mode);
		return;
	}
	ike_sa_send_sk(sa, IKE_AUTH, true, &b, inner, now, IKE_TASK_NONE);
}

/* Tells the responder its AUTH did not verify (RFC 7296 §2.21.2). */
static void send_auth_failed(struct ikesa *sa)
{
	uint8_t inner[64], msg[512];
	struct writer w;
	struct ike_builder b;
	wr_init(&w, inner, sizeof(inner));
	ike_builder_init_chain(&b, &w);
	ike_notify_build(&b, 0, NULL, 0, IKE_N_AUTHENTICATION_FAILED, NULL, 0);
	int il = ike_builder_finish(&b);
	int n = il < 0 ? -1
	               : ike_sa_build_sk(sa, IKE_INFORMATIONAL, false, sa->mid_next, b.first, inner,
	                                 (size_t)il, msg, sizeof(msg));
	if (n > 0)
		ike_sa_send_raw(sa, msg, (size_t)n);
}

void ike_auth_process_response(struct ikesa *sa, const struct ike_msg *in, double now)
{
	static struct ike_sa sap;
	struct ike_notify n;
	struct ike_id id;
	const struct ike_payload *pid = ike_msg_find(in, IKE_PL_IDR, NULL);
	const struct ike_payload *pauth = ike_msg_find(in, IKE_PL_AUTH, NULL);

	if (ike_msg_find_notify(in, IKE_N_AUTHENTICATION_FAILED, &n)) {
		ike_ctr[IKE_CTR_AUTH_FAILED]++;
		ike_sa_fail(sa, "peer answered AUTHENTICATION_FAILED");
		return;
	}
	if (!pid || !pauth) {
		for (const struct ike_payload *p = NULL; (p = ike_msg_find(in, IKE_PL_NOTIFY, p));)
			if (ike_notify_parse(&n, p) == 0 && ike_notify_is_error(n.type)) {
				ike_sa_fail(sa, "peer answered IKE_AUTH with %s",
				            ike_notify_name(n.type));
				return;
			}
		ike_sa_fail(sa, "IKE_AUTH response without IDr/AUTH");
		return;
	}
	if (take_remote_id(sa, pid, &id) < 0 || verify_auth(sa, pauth, in) < 0 ||
	    !identity_allowed(sa->prof, &id)) {
		ike_ctr[IKE_CTR_AUTH_FAILED]++;
		send_auth_failed(sa);
		ike_sa_fail(sa, "authentication of the responder failed");
		return;
	}
	established(sa, now);

	const struct ike_payload *psa = ike_msg_find(in, IKE_PL_SA, NULL);
	const struct ike_payload *ptsi = ike_msg_find(in, IKE_PL_TSI, NULL);
	const struct ike_payload *ptsr = ike_msg_find(in, IKE_PL_TSR, NULL);
	struct ike_sel sel;
	struct ike_ts_list tsi, tsr;
	if (!psa || !ptsi || !ptsr) {
		for (const struct ike_payload *p = NULL; (p = ike_msg_find(in, IKE_PL_NOTIFY, p));)
			if (ike_notify_parse(&n, p) == 0 && ike_notify_is_error(n.type))
				log_notice("ike: CHILD SA refused by the peer: %s",
				           ike_notify_name(n.type));
		return;
	}
	if (ike_sa_parse(&sap, psa) < 0 || ike_prop_accept(&sap, sa->prof, true, &sel) < 0 ||
	    ike_ts_parse(&tsi, ptsi) < 0 || ike_ts_parse(&tsr, ptsr) < 0 ||
	    ike_child_check_ts(sa, &tsi, &tsr) < 0) {
		log_notice("ike: CHILD SA answer unacceptable; deleting the IKE SA");
		ike_sa_delete(sa, now, "CHILD SA answer unacceptable");
		return;
	}
	enum ike_child_mode mode = ike_msg_find_notify(in, IKE_N_USE_TRANSPORT_MODE, &n) &&
	                                   sa->want_transport
	                               ? IKE_MODE_TRANSPORT
	                               : IKE_MODE_TUNNEL;
	if (ike_child_keys(sa, &sel, sa->ni, sa->ni_len, sa->nr, sa->nr_len) < 0) {
		ike_sa_fail(sa, "CHILD key derivation failed");
		return;
	}
	ike_child_install(sa, (uint32_t)ike_proposal_spi(&sap.p[0]), mode);
}
