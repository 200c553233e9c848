/* Two IKE engines (initiator A, responder B) in one process with a mock
 * clock and a mock sender that queues messages and hands them across
 * (tests/unit/ike_harness.c): handshakes, errors, DPD, DELETE, CHILD
 * rekey, certificates, fragments. Rekeying and collisions: test_ike_rekey.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ike/payload.h"
#include "ike/sa.h"
#include "ike/sa_priv.h" /* white box: fragments built with the SA's keys */
#include "ike/sk.h"
#include "lib/writer.h"
#include "lib/log.h"
#include "tests/unit/ike_harness.h"

static void handshake_suite(const char *ike, const char *esp, uint16_t dh, size_t enc_len,
                            size_t integ_len)
{
	prof_init(&PA, ike, esp, "a long secret");
	prof_init(&PB, ike, esp, "a long secret");
	engines(NULL);
	assert_non_null(ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now));
	run_until(now + 1);
	assert_int_equal(S[0].ike_up, 1);
	assert_int_equal(S[1].ike_up, 1);
	assert_int_equal(S[0].child_up, 1);
	assert_int_equal(S[1].child_up, 1);
	assert_int_equal(ike_sa_state(first(0)), IKE_S_ESTABLISHED);
	assert_int_equal(ike_sa_state(first(1)), IKE_S_ESTABLISHED);
	struct ike_sa_info ia, ib;
	ike_sa_get_info(first(0), &ia);
	ike_sa_get_info(first(1), &ib);
	assert_int_equal(ia.suite.dh, dh);
	assert_int_equal(ib.suite.dh, dh);
	assert_true(ia.spi_i == ib.spi_i && ia.spi_r == ib.spi_r && ia.spi_r != 0);
	assert_string_equal(ia.remote_id, "198.18.0.2");
	assert_string_equal(ib.remote_id, "198.18.0.1");
	assert_same_keys();
	assert_int_equal(S[0].child.enc_len, enc_len);
	assert_int_equal(S[0].child.integ_len, integ_len);
	assert_int_equal(S[0].child.mode, IKE_MODE_TRANSPORT);
	assert_int_equal(S[1].child.mode, IKE_MODE_TRANSPORT);
	assert_int_equal(ike_engine_half_open(S[1].e), 0);
	assert_int_equal(dropped, 0);
	teardown_engines();
	assert_int_equal(S[0].child_down, 1);
	assert_int_equal(S[1].ike_down, 1);
}

static void test_handshake_gcm_x25519(void **st)
{
	(void)st;
	handshake_suite("aes256gcm16-prfsha256-x25519", "aes256gcm16", 31, 36, 0);
}
static void test_handshake_cbc_modp2048(void **st)
{
	(void)st;
	handshake_suite("aes128-sha256-modp2048", "aes128-sha256", 14, 16, 32);
}
static void test_handshake_gcm_ecp384(void **st)
{
	(void)st;
	handshake_suite("aes256gcm16-prfsha384-ecp384", "aes128gcm16", 20, 20, 0);
}

static void test_tunnel_fallback(void **st)
{
	(void)st;
	profs_default();
	struct ike_engine_conf cb = {.no_transport_mode = true};
	engines(&cb);
	ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	run_until(now + 1);
	assert_int_equal(S[0].child_up, 1);
	assert_int_equal(S[0].child.mode, IKE_MODE_TUNNEL);
	assert_int_equal(S[1].child.mode, IKE_MODE_TUNNEL);
	teardown_engines();
}

static void test_wrong_psk(void **st)
{
	(void)st;
	prof_init(&PA, "aes256gcm16-prfsha256-x25519", "aes256gcm16", "secret one");
	prof_init(&PB, "aes256gcm16-prfsha256-x25519", "aes256gcm16", "secret two");
	engines(NULL);
	uint64_t before = ike_ctr[IKE_CTR_AUTH_FAILED];
	ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	run_until(now + 100);
	assert_int_equal(ike_engine_sa_count(S[0].e), 0);
	assert_int_equal(ike_engine_sa_count(S[1].e), 0);
	assert_int_equal(S[0].ike_up + S[1].ike_up + S[0].child_up + S[1].child_up, 0);
	assert_non_null(strstr(ike_engine_last_reason(S[0].e), "AUTHENTICATION_FAILED"));
	assert_non_null(strstr(ike_engine_last_reason(S[1].e), "authentication"));
	assert_true(ike_ctr[IKE_CTR_AUTH_FAILED] >= before + 2);
	teardown_engines();
}

static void test_no_proposal(void **st)
{
	(void)st;
	prof_init(&PA, "aes256gcm16-prfsha256-x25519", "aes256gcm16", "k");
	prof_init(&PB, "aes128-sha256-modp2048", "aes256gcm16", "k");
	engines(NULL);
	ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	run_until(now + 100);
	assert_int_equal(ike_engine_sa_count(S[0].e), 0);
	assert_int_equal(ike_engine_sa_count(S[1].e), 0);
	assert_non_null(strstr(ike_engine_last_reason(S[0].e), "NO_PROPOSAL_CHOSEN"));
	teardown_engines();
}

static void test_invalid_ke(void **st)
{
	(void)st;
	/* A offers x25519 and modp2048 and sends x25519; B only takes modp2048. */
	prof_init(&PA, "aes256gcm16-prfsha256-x25519-modp2048", "aes256gcm16", "k");
	prof_init(&PB, "aes256gcm16-prfsha256-modp2048", "aes256gcm16", "k");
	engines(NULL);
	uint64_t before = ike_ctr[IKE_CTR_INVALID_KE_SENT];
	ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	run_until(now + 1);
	assert_int_equal(ike_ctr[IKE_CTR_INVALID_KE_SENT], before + 1);
	assert_int_equal(S[0].ike_up, 1);
	assert_int_equal(S[1].ike_up, 1);
	struct ike_sa_info ia;
	ike_sa_get_info(first(0), &ia);
	assert_int_equal(ia.suite.dh, IKE_DH_MODP2048);
	assert_same_keys();
	teardown_engines();
}

/* Drop every IKE_AUTH request from side 0. */
static bool drop_auth_from_a(int from, const uint8_t *buf, size_t len)
{
	return from == 0 && len > 18 && buf[18] == IKE_AUTH;
}

static void test_cookie(void **st)
{
	(void)st;
	profs_default();
	struct ike_engine_conf cb = {.cookie_threshold = 1, .half_open_timeout = 30};
	engines(&cb);
	/* a first initiator that never completes leaves one half-open SA */
	drop_fn = drop_auth_from_a;
	ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	pump();
	assert_int_equal(ike_engine_half_open(S[1].e), 1);
	drop_fn = NULL;
	/* the second must return a cookie first */
	uint64_t before = ike_ctr[IKE_CTR_COOKIE_SENT];
	struct ikesa *sa2 = ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	assert_non_null(sa2);
	pump();
	assert_int_equal(ike_ctr[IKE_CTR_COOKIE_SENT], before + 1);
	assert_int_equal(S[0].ike_up, 1);
	assert_int_equal(S[1].ike_up, 1);
	assert_int_equal(ike_sa_state(sa2), IKE_S_ESTABLISHED);
	assert_int_equal(ike_engine_half_open(S[1].e), 1);
	/* the half-open one expires on the responder */
	run_until(now + 31);
	assert_int_equal(ike_engine_half_open(S[1].e), 0);
	teardown_engines();
}

static void test_retransmit_giveup(void **st)
{
	(void)st;
	profs_default();
	engines(NULL);
	drop_fn = drop_from_b;
	double t0 = now;
	ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	run_until(INFINITY);
	/* 1 + 3 retransmissions at 1, 2, 4 s; gives up 8 s after the last */
	assert_int_equal(S[0].sent, 4);
	assert_int_equal(ike_engine_sa_count(S[0].e), 0);
	assert_non_null(strstr(ike_engine_last_reason(S[0].e), "give-up"));
	assert_non_null(strstr(ike_engine_last_reason(S[0].e), "IKE_SA_INIT"));
	assert_true(now >= t0 + 15 - 1e-9);
	/* the responder answered the retransmissions from its cache */
	assert_int_equal(S[1].sent, 4);
	assert_int_equal(ike_engine_sa_count(S[1].e), 0); /* half-open expired */
	teardown_engines();
}

/* The first IKE_AUTH response is lost: A retransmits, B answers again from
 * its cache without processing the request twice. */
static unsigned auth_resp_drops;
static bool drop_first_auth_resp(int from, const uint8_t *buf, size_t len)
{
	if (from == 1 && len > 18 && buf[18] == IKE_AUTH && auth_resp_drops == 0) {
		auth_resp_drops++;
		return true;
	}
	return false;
}

static void test_retransmit_recovers(void **st)
{
	(void)st;
	prof_init(&PA, "aes128-sha256-modp2048", "aes128-sha256", "k");
	prof_init(&PB, "aes128-sha256-modp2048", "aes128-sha256", "k");
	engines(NULL);
	auth_resp_drops = 0;
	drop_fn = drop_first_auth_resp;
	ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	run_until(now + 5);
	assert_int_equal(auth_resp_drops, 1);
	assert_int_equal(S[0].ike_up, 1);
	assert_int_equal(S[1].ike_up, 1);
	assert_int_equal(S[1].child_up, 1); /* not installed twice */
	assert_same_keys();
	teardown_engines();
}

static void test_dpd(void **st)
{
	(void)st;
	profs_default();
	PA.p.has_dpd = true;
	PA.p.dpd_interval = 10;
	PA.p.dpd_retry_interval = 2;
	PA.p.dpd_retries = 3;
	PA.p.dpd_mode = CFG_DPD_PERIODIC;
	engines(NULL);
	double t0 = now;
	ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	run_until(now + 0.5);
	assert_int_equal(S[0].ike_up, 1);
	/* answered probes keep it up */
	uint64_t probes = ike_ctr[IKE_CTR_DPD_SENT];
	run_until(now + 35);
	assert_int_equal(ike_ctr[IKE_CTR_DPD_SENT], probes + 3);
	assert_int_equal(S[0].ike_down, 0);
	/* now B goes silent */
	double last = t0 + 30; /* probes at +10, +20, +30 were answered */
	drop_fn = drop_from_b;
	unsigned sent0 = S[0].sent;
	run_until(now + 100);
	assert_int_equal(S[0].ike_down, 1);
	assert_non_null(strstr(S[0].down_reason, "DPD"));
	/* probe at last+10, re-sent at +2, +4, dead at 10 + 3 x 2 */
	assert_true(fabs(S[0].down_at - (last + 10 + 3 * 2)) < 1e-6);
	assert_int_equal(S[0].sent - sent0, 3);
	teardown_engines();
}

static void test_dpd_on_demand(void **st)
{
	(void)st;
	profs_default();
	PA.p.has_dpd = true;
	PA.p.dpd_interval = 5;
	PA.p.dpd_retry_interval = 1;
	PA.p.dpd_retries = 2;
	PA.p.dpd_mode = CFG_DPD_ON_DEMAND;
	engines(NULL);
	ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	run_until(now + 0.5);
	uint64_t probes = ike_ctr[IKE_CTR_DPD_SENT];
	run_until(now + 60); /* idle: no probe */
	assert_int_equal(ike_ctr[IKE_CTR_DPD_SENT], probes);
	drop_fn = drop_from_b;
	double t = now;
	ike_sa_note_traffic(first(0), true, false, now); /* sent, nothing back */
	run_until(now + 60);
	assert_int_equal(ike_ctr[IKE_CTR_DPD_SENT], probes + 1);
	assert_int_equal(S[0].ike_down, 1);
	/* last rx was at the handshake, long ago: probe at once, dead 2 s later */
	assert_true(fabs(S[0].down_at - (t + 2)) < 1e-6);
	teardown_engines();
}

static void test_delete(void **st)
{
	(void)st;
	profs_default();
	engines(NULL);
	ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	run_until(now + 1);
	assert_int_equal(S[1].ike_up, 1);
	uint64_t before = ike_ctr[IKE_CTR_DELETE_RX];
	ike_sa_delete(first(0), now, "administratively deleted");
	run_until(now + 1);
	assert_int_equal(ike_ctr[IKE_CTR_DELETE_RX], before + 1);
	assert_int_equal(S[0].child_down, 1);
	assert_int_equal(S[1].child_down, 1);
	assert_int_equal(S[0].ike_down, 1);
	assert_int_equal(S[1].ike_down, 1);
	assert_string_equal(S[0].down_reason, "administratively deleted");
	assert_string_equal(S[1].down_reason, "deleted by the peer");
	assert_int_equal(ike_engine_sa_count(S[0].e), 0);
	assert_int_equal(ike_engine_sa_count(S[1].e), 0);
	teardown_engines();
}

static void test_child_rekey(void **st)
{
	(void)st;
	prof_init(&PA, "aes128-sha256-x25519", "aes128-sha256", "k");
	prof_init(&PB, "aes128-sha256-x25519", "aes128-sha256", "k");
	PA.p.lifetime_child = 100;
	PB.p.lifetime_child = 100;
	engines(NULL);
	double t0 = now;
	ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	run_until(now + 1);
	struct ike_child_info a1 = S[0].child;
	assert_int_equal(S[0].child_up, 1);
	/* nothing before 90 % of the lifetime */
	run_until(t0 + 89);
	assert_int_equal(S[0].child_up, 1);
	run_until(t0 + 91);
	assert_int_equal(S[0].child_up, 2);
	assert_int_equal(S[1].child_up, 2);
	/* the old pair went only after the DELETE exchange, on both sides */
	assert_int_equal(S[0].child_down, 1);
	assert_int_equal(S[1].child_down, 1);
	assert_int_not_equal(S[0].child.spi_in, a1.spi_in);
	assert_int_not_equal(S[0].child.spi_out, a1.spi_out);
	assert_memory_not_equal(S[0].child.enc_out, a1.enc_out, a1.enc_len);
	assert_same_keys();
	assert_int_equal(S[0].ike_down + S[1].ike_down, 0);
	/* an explicit rekey works too, and not while another exchange is out */
	struct ikesa *a = first(0);
	assert_int_equal(ike_sa_rekey_child(a, now), 0);
	assert_int_equal(ike_sa_rekey_child(a, now), -1);
	run_until(now + 1);
	assert_int_equal(S[0].child_up, 3);
	assert_int_equal(S[1].child_up, 3);
	assert_int_equal(S[1].child_down, 2);
	assert_same_keys();
	teardown_engines();
}

#ifndef TOP_SRCDIR
#define TOP_SRCDIR "."
#endif
static char certpath[8][512];

static const char *cert_file(int slot, const char *name)
{
	const char *top = getenv("DMVPN_TOP_SRCDIR") ? getenv("DMVPN_TOP_SRCDIR") : TOP_SRCDIR;
	snprintf(certpath[slot], sizeof(certpath[slot]), "%s/tests/unit/ike-certs/%s", top, name);
	return certpath[slot];
}

static void cert_profile(struct prof_store *ps, int slot, const char *who, const char *ca)
{
	char c[16], k[16];
	snprintf(c, sizeof(c), "%s.pem", who);
	snprintf(k, sizeof(k), "%s.key", who);
	ps->p.auth = CFG_AUTH_CERT;
	ps->p.psk = NULL;
	ps->p.psk_len = 0;
	ps->p.cert_file = (char *)cert_file(slot, c);
	ps->p.key_file = (char *)cert_file(slot + 1, k);
	ps->p.ca_file = (char *)cert_file(slot + 2, ca);
}

static void cert_handshake(const char *a, const char *b, const char *a_ca)
{
	prof_init(&PA, "aes256gcm16-prfsha384-ecp384", "aes256gcm16", "unused");
	prof_init(&PB, "aes256gcm16-prfsha384-ecp384", "aes256gcm16", "unused");
	cert_profile(&PA, 0, a, a_ca);
	cert_profile(&PB, 3, b, "ca.pem");
	engines(NULL);
	ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	run_until(now + 100);
}

static void test_cert_ecdsa(void **st)
{
	(void)st;
	cert_handshake("a", "b", "ca.pem"); /* P-256 initiator, P-384 responder */
	assert_int_equal(S[0].ike_up, 1);
	assert_int_equal(S[1].ike_up, 1);
	struct ike_sa_info ia, ib;
	ike_sa_get_info(first(0), &ia);
	ike_sa_get_info(first(1), &ib);
	assert_string_equal(ia.local_id, "C=CH, O=dmvpnd test, CN=a");
	assert_string_equal(ia.remote_id, "C=CH, O=dmvpnd test, CN=b");
	assert_string_equal(ib.remote_id, "C=CH, O=dmvpnd test, CN=a");
	assert_same_keys();
	teardown_engines();
}

static void test_cert_rsa(void **st)
{
	(void)st;
	/* RSA-2048 initiator; IKE_AUTH in both directions in SKF fragments
	 * of at most 576-byte IP packets (RFC 7383), one of them lost once */
	uint64_t frags = ike_ctr[IKE_CTR_FRAG_SENT];
	frag_size = 576;
	auth_resp_drops = 0;
	next_drop = drop_first_auth_resp;
	cert_handshake("c", "b", "ca.pem");
	frag_size = 0;
	assert_int_equal(auth_resp_drops, 1);
	assert_int_equal(S[0].ike_up, 1);
	assert_int_equal(S[1].ike_up, 1);
	assert_true(ike_ctr[IKE_CTR_FRAG_SENT] >= frags + 4);
	assert_same_keys();
	teardown_engines();
}

static void test_cert_untrusted(void **st)
{
	(void)st;
	/* x is issued by a CA the responder does not trust */
	cert_handshake("x", "b", "ca.pem");
	assert_int_equal(S[0].ike_up + S[1].ike_up, 0);
	assert_int_equal(ike_engine_sa_count(S[0].e), 0);
	assert_int_equal(ike_engine_sa_count(S[1].e), 0);
	assert_non_null(strstr(ike_engine_last_reason(S[0].e), "AUTHENTICATION_FAILED"));
	teardown_engines();
	/* and the initiator refuses a responder its CA did not sign */
	cert_handshake("a", "b", "other-ca.pem");
	assert_int_equal(S[0].ike_up, 0);
	assert_int_equal(ike_engine_sa_count(S[0].e), 0);
	assert_non_null(strstr(ike_engine_last_reason(S[0].e), "authentication of the responder"));
	teardown_engines();
}

/* RFC 7383: an INFORMATIONAL request from A in three SKF fragments (built
 * with A's keys) is answered by B only once all three are in; a tampered
 * fragment is dropped without spoiling the others. */
static int build_frag(struct ikesa *a, uint32_t mid, uint8_t first, uint16_t num, uint16_t total,
                      const uint8_t *inner, size_t len, uint8_t *out, size_t cap)
{
	struct writer w;
	struct ike_builder b;
	struct ike_hdr h;
	ike_hdr_for(a, &h, IKE_INFORMATIONAL, false, mid);
	wr_init(&w, out, cap);
	ike_builder_init(&b, &w, &h);
	assert_true(ike_builder_finish(&b) >= 0);
	assert_int_equal(ike_skf_encrypt(&a->sk_out, &w, first, num, total, inner, len), IKE_SK_OK);
	return (int)wr_len(&w);
}

static void test_fragments_reassembled(void **st)
{
	(void)st;
	prof_init(&PA, "aes128-sha256-x25519", "aes128-sha256", "k");
	prof_init(&PB, "aes128-sha256-x25519", "aes128-sha256", "k");
	engines(NULL);
	ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	run_until(now + 1);
	struct ikesa *a = first(0);
	assert_int_equal(ike_sa_state(a), IKE_S_ESTABLISHED);

	/* inner chain: one status Notify with 600 bytes of data */
	uint8_t inner[1024], data[600], msg[3][1024];
	memset(data, 0x5a, sizeof(data));
	struct writer w;
	struct ike_builder b;
	wr_init(&w, inner, sizeof(inner));
	ike_builder_init_chain(&b, &w);
	ike_notify_build(&b, 0, NULL, 0, 40000, data, sizeof(data));
	int ilen = ike_builder_finish(&b);
	assert_true(ilen > 600);
	uint32_t mid = a->mid_next;
	size_t part = (size_t)ilen / 3 + 1, off = 0;
	int mlen[3];
	for (unsigned i = 0; i < 3; i++) {
		size_t n = off + part > (size_t)ilen ? (size_t)ilen - off : part;
		mlen[i] = build_frag(a, mid, i == 0 ? b.first : 0, (uint16_t)(i + 1), 3, inner + off,
		                     n, msg[i], sizeof(msg[i]));
		off += n;
	}
	unsigned sent = S[1].sent;
	uint64_t bad = ike_ctr[IKE_CTR_DROP_DECRYPT];
	/* fragment 2 tampered: dropped */
	uint8_t t[1024];
	memcpy(t, msg[1], (size_t)mlen[1]);
	t[mlen[1] - 1] ^= 0x80;
	ike_input(S[1].e, &S[1].addr, &S[0].addr, 500, 500, t, (size_t)mlen[1], now);
	assert_int_equal(ike_ctr[IKE_CTR_DROP_DECRYPT], bad + 1);
	ike_input(S[1].e, &S[1].addr, &S[0].addr, 500, 500, msg[2], (size_t)mlen[2], now);
	ike_input(S[1].e, &S[1].addr, &S[0].addr, 500, 500, msg[0], (size_t)mlen[0], now);
	assert_int_equal(S[1].sent, sent); /* still incomplete */
	ike_input(S[1].e, &S[1].addr, &S[0].addr, 500, 500, msg[1], (size_t)mlen[1], now);
	assert_int_equal(S[1].sent, sent + 1); /* answered */
	assert_int_equal(S[1].ike_down, 0);
	teardown_engines();
}

/* IKE SA rekey (RFC 7296 §1.3.2) answered by B: A's request is built by
 * hand with A's keys (white box); B answers with SA/Nr/KE, a second IKE SA
 * appears on B holding the CHILD SA, and when A deletes the old IKE SA, B
 * keeps the CHILD SA in the new one. */
static void test_ike_rekey_responder(void **st)
{
	(void)st;
	prof_init(&PA, "aes128-sha256-x25519", "aes128-sha256", "k");
	prof_init(&PB, "aes128-sha256-x25519", "aes128-sha256", "k");
	engines(NULL);
	ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	run_until(now + 1);
	struct ikesa *a = first(0);
	assert_int_equal(ike_sa_state(a), IKE_S_ESTABLISHED);

	uint8_t inner[1024], msg[2048], newspi[8] = {1, 2, 3, 4, 5, 6, 7, 8}, ni[32], pub[64];
	memset(ni, 0x42, sizeof(ni));
	struct ike_dh *dh = ike_dh_new(IKE_DH_CURVE25519);
	assert_non_null(dh);
	assert_true(ike_dh_public(dh, pub, sizeof(pub)) >= 0);
	struct writer w;
	struct ike_builder b;
	wr_init(&w, inner, sizeof(inner));
	ike_builder_init_chain(&b, &w);
	assert_int_equal(ike_prop_build(&b, &PA.p, false, newspi, 8), 0);
	ike_nonce_build(&b, ni, sizeof(ni));
	ike_ke_build(&b, IKE_DH_CURVE25519, pub, 32);
	int il = ike_builder_finish(&b);
	assert_true(il > 0);
	int n = ike_sa_build_sk(a, IKE_CREATE_CHILD_SA, false, a->mid_next, b.first, inner,
	                        (size_t)il, msg, sizeof(msg));
	assert_true(n > 0);
	a->mid_next++;
	unsigned sent = S[1].sent;
	ike_input(S[1].e, &S[1].addr, &S[0].addr, 500, 500, msg, (size_t)n, now);
	assert_int_equal(S[1].sent, sent + 1); /* answered */
	assert_int_equal(ike_engine_sa_count(S[1].e), 2);
	assert_int_equal(S[1].ike_up, 2);
	/* the answer carries B's new SPI and a KE (not an error notify) */
	struct qmsg *r = Q[qn - 1];
	assert_true(r->len > 28 + 32 + 8);
	qn--;
	free(r);
	ike_dh_free(dh);

	ike_sa_delete(a, now, "old IKE SA");
	run_until(now + 1);
	assert_int_equal(S[1].ike_down, 1);
	assert_int_equal(S[1].child_down, 0); /* the CHILD SA moved to the new IKE SA */
	assert_int_equal(ike_engine_sa_count(S[1].e), 1);
	struct ikesa *nb = first(1);
	assert_int_equal(ike_sa_state(nb), IKE_S_ESTABLISHED);
	assert_non_null(ike_sa_child(nb));
	struct ike_sa_info info;
	ike_sa_get_info(nb, &info);
	assert_int_equal(info.spi_i, 0x0102030405060708ull);
	teardown_engines();
	assert_int_equal(S[1].child_down, 1);
}

static void test_garbage_ignored(void **st)
{
	(void)st;
	profs_default();
	engines(NULL);
	ike_initiate(S[0].e, &PA.p, &S[0].addr, &S[1].addr, now);
	run_until(now + 1);
	/* a tampered copy of our DELETE request is dropped; the real one works */
	struct ikesa *a = first(0);
	assert_non_null(a);
	uint64_t before = ike_ctr[IKE_CTR_DROP_DECRYPT];
	uint8_t msg[8192];
	memcpy(msg, "junk", 4);
	ike_sa_delete(a, now, "bye");
	assert_int_equal(qn, 1);
	memcpy(msg, Q[0]->buf, Q[0]->len);
	size_t len = Q[0]->len;
	msg[len - 1] ^= 1;
	ike_input(S[1].e, &S[1].addr, &S[0].addr, 500, 500, msg, len, now);
	assert_int_equal(ike_ctr[IKE_CTR_DROP_DECRYPT], before + 1);
	assert_int_equal(S[1].ike_down, 0);
	run_until(now + 1);
	assert_int_equal(S[1].ike_down, 1);
	teardown_engines();
}

int main(void)
{
	log_init("test_ike_sa", LOG_DEST_STDERR, getenv("IKE_TEST_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_handshake_gcm_x25519),
	    cmocka_unit_test(test_handshake_cbc_modp2048),
	    cmocka_unit_test(test_handshake_gcm_ecp384),
	    cmocka_unit_test(test_tunnel_fallback),
	    cmocka_unit_test(test_wrong_psk),
	    cmocka_unit_test(test_no_proposal),
	    cmocka_unit_test(test_invalid_ke),
	    cmocka_unit_test(test_cookie),
	    cmocka_unit_test(test_retransmit_giveup),
	    cmocka_unit_test(test_retransmit_recovers),
	    cmocka_unit_test(test_dpd),
	    cmocka_unit_test(test_dpd_on_demand),
	    cmocka_unit_test(test_delete),
	    cmocka_unit_test(test_child_rekey),
	    cmocka_unit_test(test_cert_ecdsa),
	    cmocka_unit_test(test_cert_rsa),
	    cmocka_unit_test(test_cert_untrusted),
	    cmocka_unit_test(test_fragments_reassembled),
	    cmocka_unit_test(test_ike_rekey_responder),
	    cmocka_unit_test(test_garbage_ignored),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
