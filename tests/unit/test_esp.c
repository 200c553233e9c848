/* Unit tests of userspace ESP (overlay/esp.c): round trips for every suite,
 * mode, family and ESN; anti-replay; tamper; padding, next header and inner
 * header checks (packets sealed with a correct ICV around bad content);
 * lifetimes. The SAD and the known-answer tests are in test_esp_sad.c. */
#include "tests/unit/esp_harness.h"

/* ---- names ------------------------------------------------------------ */

static void test_names(void **state)
{
	(void)state;
	assert_string_equal(esp_err_name(ESP_E_REPLAY), "replay");
	assert_string_equal(esp_err_name(ESP_E_SEQ_EXHAUSTED), "seq-exhausted");
	assert_string_equal(esp_err_name(ESP_OK), "ok");
	for (int e = 0; e < ESP_E_MAX_; e++) {
		assert_non_null(esp_err_name((enum esp_err)e));
		assert_true(strlen(esp_strerror((enum esp_err)e)) > 3);
	}
	assert_string_equal(esp_err_name(ESP_E_MAX_), "unknown");
}

/* ---- round trips ------------------------------------------------------ */

static void roundtrip(const struct suite *s, enum ike_child_mode mode, int family, bool esn)
{
	static const size_t lens[] = { 1, 4, 15, 16, 17, 31, 100, 1400, 1500 };
	uint8_t buf[BUFSZ], ref[BUFSZ], *out, *g;
	size_t out_len, gl, iv, icv, al, inner;
	struct pair pr;

	pair_new(&pr, s, mode, family, esn);
	iv = esp_sa_iv_len(pr.out);
	icv = esp_sa_icv_len(pr.out);
	al = esp_sa_align(pr.out);
	inner = mode == IKE_MODE_TRANSPORT ? 0 : family == AF_INET ? 20 : 40;
	for (size_t k = 0; k < ARRAY_SIZE(lens); k++) {
		size_t len = lens[k];

		fill_gre(buf + ESP_HEADROOM, len, (unsigned)k);
		memcpy(ref, buf + ESP_HEADROOM, len);
		assert_int_equal(esp_encap(pr.out, buf + ESP_HEADROOM, len, &out, &out_len, 1),
		                 ESP_OK);
		/* SPI, sequence number, length: header + IV + aligned payload + ICV */
		assert_int_equal((uint32_t)out[0] << 24 | (uint32_t)out[1] << 16 | out[2] << 8 | out[3], 0xd0000002u);
		assert_int_equal(out[7], k + 1);
		assert_int_equal((out_len - ESP_HDR_LEN - iv - icv) % al, 0);
		assert_true(out_len - ESP_HDR_LEN - iv - icv >= inner + len + 2);
		assert_true(out_len - ESP_HDR_LEN - iv - icv < inner + len + 2 + al);
		assert_true(out_len <= ESP_HEADROOM + len + ESP_TAILROOM);
		assert_int_equal(esp_decap(pr.in, out, out_len, &g, &gl, 1), ESP_OK);
		assert_int_equal(gl, len);
		assert_memory_equal(g, ref, len);
	}
	{
		struct esp_sa_stats st;

		esp_sa_get_stats(pr.in, &st);
		assert_int_equal(st.packets, ARRAY_SIZE(lens));
		assert_int_equal(st.errors, 0);
		assert_int_equal(st.seq, ARRAY_SIZE(lens));
		esp_sa_get_stats(pr.out, &st);
		assert_int_equal(st.packets, ARRAY_SIZE(lens));
		assert_int_equal(st.seq, ARRAY_SIZE(lens));
	}
	pair_free(&pr);
}

static void test_roundtrip_all(void **state)
{
	(void)state;
	for (size_t s = 0; s < ARRAY_SIZE(suites); s++)
		for (int m = IKE_MODE_TUNNEL; m <= IKE_MODE_TRANSPORT; m++)
			for (int f = 0; f < 2; f++)
				for (int esn = 0; esn < 2; esn++)
					roundtrip(&suites[s], (enum ike_child_mode)m,
					          f ? AF_INET6 : AF_INET, esn);
}

/* Tunnel mode puts local -> remote, protocol 47, TTL 64 inside. */
static void test_tunnel_inner_header(void **state)
{
	uint8_t buf[BUFSZ], *out, *pl, nh;
	size_t out_len, plen;
	struct ip_info ipi;
	struct pair pr;

	(void)state;
	for (int f = 0; f < 2; f++) {
		pair_new(&pr, &suites[S_GCM], IKE_MODE_TUNNEL, f ? AF_INET6 : AF_INET, false);
		fill_gre(buf + ESP_HEADROOM, 100, 1);
		assert_int_equal(esp_encap(pr.out, buf + ESP_HEADROOM, 100, &out, &out_len, 0),
		                 ESP_OK);
		assert_int_equal(esp_sa_open(pr.in, out, out_len, &pl, &plen, &nh, 0), ESP_OK);
		assert_int_equal(nh, f ? ESP_NEXT_HDR_IPV6 : ESP_NEXT_HDR_IPV4);
		assert_int_equal(ip_parse(&ipi, pl, plen), 0); /* IPv4 checksum verified */
		assert_int_equal(ipi.proto, 47);
		assert_int_equal(ipi.ttl, 64);
		assert_true(ipaddr_eq(&ipi.src, &pr.c.local));
		assert_true(ipaddr_eq(&ipi.dst, &pr.c.remote));
		assert_int_equal(ipi.payload_len, 100);
		pair_free(&pr);
	}
}

/* CBC IVs are random; GCM's explicit IV is the 64-bit sequence number. */
static void test_iv(void **state)
{
	struct pkt a, b;
	struct pair pr;

	(void)state;
	pair_new(&pr, &suites[S_CBC], IKE_MODE_TRANSPORT, AF_INET, false);
	encap(pr.out, 64, 1, &a);
	encap(pr.out, 64, 1, &b);
	assert_int_equal(a.len, b.len);
	assert_memory_not_equal(a.b + 8, b.b + 8, 16);
	assert_memory_not_equal(a.b + 24, b.b + 24, a.len - 24);
	pair_free(&pr);

	pair_new(&pr, &suites[S_GCM], IKE_MODE_TRANSPORT, AF_INET, true);
	esp_sa_set_seq(pr.out, 0x123456789aULL);
	encap(pr.out, 64, 1, &a);
	assert_memory_equal(a.b + 8, "\x00\x00\x00\x12\x34\x56\x78\x9b", 8);
	assert_memory_equal(a.b + 4, "\x34\x56\x78\x9b", 4); /* only the low half is sent */
	pair_free(&pr);
}

/* ---- anti-replay ------------------------------------------------------ */

static void test_replay(void **state)
{
	enum { N = 4200 };
	struct pkt *pk = calloc(N + 1, sizeof(*pk));
	struct esp_sa_stats st;
	struct pair pr;

	(void)state;
	assert_non_null(pk);
	pair_new(&pr, &suites[S_GCM], IKE_MODE_TRANSPORT, AF_INET, false);
	for (int i = 1; i <= N; i++)
		encap(pr.out, 32, (unsigned)i, &pk[i]);

	/* in order, then a duplicate */
	assert_int_equal(decap_copy(pr.in, &pk[1], 0, NULL), ESP_OK);
	assert_int_equal(decap_copy(pr.in, &pk[2], 0, NULL), ESP_OK);
	assert_int_equal(decap_copy(pr.in, &pk[2], 0, NULL), ESP_E_REPLAY);
	assert_int_equal(decap_copy(pr.in, &pk[1], 0, NULL), ESP_E_REPLAY);
	/* 2048 ahead, then everything in between in reverse (2047 reordered) */
	assert_int_equal(decap_copy(pr.in, &pk[2050], 0, NULL), ESP_OK);
	for (int i = 2049; i >= 3; i--)
		assert_int_equal(decap_copy(pr.in, &pk[i], 0, NULL), ESP_OK);
	for (int i = 3; i <= 2050; i += 97)
		assert_int_equal(decap_copy(pr.in, &pk[i], 0, NULL), ESP_E_REPLAY);
	/* slide by 2048: 3..2050 fall out (2 of them were never in the window
	 * as unseen: 1, 2 are left of it); 2051..4097 are unseen, inside */
	assert_int_equal(decap_copy(pr.in, &pk[4098], 0, NULL), ESP_OK);
	assert_int_equal(decap_copy(pr.in, &pk[2050], 0, NULL), ESP_E_REPLAY); /* left */
	assert_int_equal(decap_copy(pr.in, &pk[2051], 0, NULL), ESP_OK);       /* edge */
	assert_int_equal(decap_copy(pr.in, &pk[2051], 0, NULL), ESP_E_REPLAY);
	assert_int_equal(decap_copy(pr.in, &pk[3000], 0, NULL), ESP_OK);
	assert_int_equal(decap_copy(pr.in, &pk[4097], 0, NULL), ESP_OK);
	assert_int_equal(decap_copy(pr.in, &pk[N], 0, NULL), ESP_OK);
	assert_int_equal(decap_copy(pr.in, &pk[N - 1], 0, NULL), ESP_OK);
	assert_int_equal(decap_copy(pr.in, &pk[N], 0, NULL), ESP_E_REPLAY);
	esp_sa_get_stats(pr.in, &st);
	assert_int_equal(st.seq, N);
	/* a large jump clears the whole bitmap: 208999 shares its bit with
	 * 4199 (mod 4096), which was seen */
	esp_sa_set_seq(pr.out, 208998);
	encap(pr.out, 32, 1, &pk[0]);
	encap(pr.out, 32, 2, &pk[1]);
	assert_int_equal(decap_copy(pr.in, &pk[1], 0, NULL), ESP_OK);
	assert_int_equal(decap_copy(pr.in, &pk[0], 0, NULL), ESP_OK);
	assert_int_equal(decap_copy(pr.in, &pk[N], 0, NULL), ESP_E_REPLAY);
	esp_sa_get_stats(pr.in, &st);
	assert_int_equal(st.seq, 209000);
	pair_free(&pr);
	free(pk);
}

/* The window moves only for packets whose ICV verified. */
static void test_replay_after_icv(void **state)
{
	struct pkt p1, p2, p3000;
	struct pair pr;

	(void)state;
	pair_new(&pr, &suites[S_CBC], IKE_MODE_TRANSPORT, AF_INET, false);
	encap(pr.out, 40, 1, &p1);
	encap(pr.out, 40, 2, &p2);
	esp_sa_set_seq(pr.out, 2999);
	encap(pr.out, 40, 3, &p3000);
	p3000.b[p3000.len - 1] ^= 1; /* forged: ICV bad */
	assert_int_equal(decap_copy(pr.in, &p3000, 0, NULL), ESP_E_ICV);
	assert_int_equal(decap_copy(pr.in, &p2, 0, NULL), ESP_OK);
	assert_int_equal(decap_copy(pr.in, &p1, 0, NULL), ESP_OK);
	pair_free(&pr);
}

/* ESN: the high half is inferred (RFC 4303 A2.2), across 2^32. */
static void test_esn(void **state)
{
	enum { N = 40 };
	struct pkt pk[N];
	struct esp_sa_stats st;
	struct pair pr;

	(void)state;
	for (int s = 0; s < 2; s++) {
		pair_new(&pr, &suites[s ? S_CBC : S_GCM], IKE_MODE_TRANSPORT, AF_INET, true);
		esp_sa_set_seq(pr.out, 0xffffffebULL); /* packets 0xffffffec .. 0x1_00000013 */
		esp_sa_set_seq(pr.in, 0xffffffe0ULL);
		for (int i = 0; i < N; i++)
			encap(pr.out, 50, (unsigned)i, &pk[i]);
		/* after the wrap first, then those before it (window spans two subspaces) */
		assert_int_equal(decap_copy(pr.in, &pk[30], 0, NULL), ESP_OK);
		esp_sa_get_stats(pr.in, &st);
		assert_int_equal(st.seq, 0x10000000aULL);
		for (int i = 0; i < 30; i++)
			assert_int_equal(decap_copy(pr.in, &pk[i], 0, NULL), ESP_OK);
		for (int i = 31; i < N; i++)
			assert_int_equal(decap_copy(pr.in, &pk[i], 0, NULL), ESP_OK);
		for (int i = 0; i < N; i += 5)
			assert_int_equal(decap_copy(pr.in, &pk[i], 0, NULL), ESP_E_REPLAY);
		esp_sa_get_stats(pr.in, &st);
		assert_int_equal(st.seq, 0x100000013ULL);
		pair_free(&pr);
	}
	/* without ESN the same high sequence numbers are refused by the sender */
	pair_new(&pr, &suites[S_GCM], IKE_MODE_TRANSPORT, AF_INET, false);
	esp_sa_set_seq(pr.out, 0xfffffffeULL);
	encap(pr.out, 50, 1, &pk[0]);
	{
		uint8_t buf[BUFSZ], *out;
		size_t out_len;

		fill_gre(buf + ESP_HEADROOM, 50, 0);
		assert_int_equal(esp_encap(pr.out, buf + ESP_HEADROOM, 50, &out, &out_len, 0),
		                 ESP_E_SEQ_EXHAUSTED);
		assert_int_equal(esp_sa_expired(pr.out, 0), ESP_HARD);
	}
	assert_int_equal(decap_copy(pr.in, &pk[0], 0, NULL), ESP_OK);
	pair_free(&pr);
}

/* ---- tamper ----------------------------------------------------------- */

static void test_tamper(void **state)
{
	struct pkt good, t;
	struct esp_sa_stats st;
	struct pair pr;
	uint64_t errs = 0;

	(void)state;
	for (size_t s = 0; s < ARRAY_SIZE(suites); s++) {
		for (int m = IKE_MODE_TUNNEL; m <= IKE_MODE_TRANSPORT; m++) {
			pair_new(&pr, &suites[s], (enum ike_child_mode)m, AF_INET, s & 1);
			encap(pr.out, 77, 3, &good);
			errs = 0;
			for (size_t i = 0; i < good.len; i++) {
				t = good;
				t.b[i] ^= 0x80;
				enum esp_err want = i < 4 ? ESP_E_NO_SA : ESP_E_ICV;
				assert_int_equal(decap_copy(pr.in, &t, 0, NULL), want);
				errs++;
			}
			/* truncated or extended */
			for (size_t cut = 1; cut < good.len; cut += 3) {
				enum esp_err e;

				t = good;
				t.len -= cut;
				e = decap_copy(pr.in, &t, 0, NULL);
				assert_true(e == ESP_E_SHORT || e == ESP_E_ALIGN || e == ESP_E_ICV);
				errs++;
			}
			t = good;
			memset(t.b + t.len, 0, 16);
			t.len += 16;
			assert_int_equal(decap_copy(pr.in, &t, 0, NULL), ESP_E_ICV);
			errs++;
			/* sequence number 0 */
			t = good;
			t.b[7] = 0;
			assert_int_equal(decap_copy(pr.in, &t, 0, NULL), ESP_E_REPLAY);
			errs++;
			esp_sa_get_stats(pr.in, &st);
			assert_int_equal(st.errors, errs);
			assert_int_equal(st.packets, 0);
			assert_int_equal(st.seq, 0); /* the window never moved */
			assert_int_equal(decap_copy(pr.in, &good, 0, NULL), ESP_OK);
			pair_free(&pr);
		}
	}
}

/* ---- padding, next header, inner header (correct ICV, bad content) ---- */

/* Seals payload + pad + pad length + next header as given. */
static enum esp_err seal_open(struct pair *pr, const uint8_t *payload, size_t plen,
                              const uint8_t *pad, size_t npad, uint8_t padlen, uint8_t nh,
                              bool full_decap)
{
	uint8_t buf[BUFSZ], *pt = buf + ESP_HEADROOM, *out, *g, n2;
	size_t out_len, gl;

	memcpy(pt, payload, plen);
	memcpy(pt + plen, pad, npad);
	pt[plen + npad] = padlen;
	pt[plen + npad + 1] = nh;
	assert_int_equal(esp_sa_seal(pr->out, pt, plen + npad + 2, &out, &out_len, 0), ESP_OK);
	if (full_decap)
		return esp_decap(pr->in, out, out_len, &g, &gl, 0);
	return esp_sa_open(pr->in, out, out_len, &g, &gl, &n2, 0);
}

static void test_padding(void **state)
{
	static const uint8_t ok_pad[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	uint8_t gre[64], bad[16];
	struct pair pr;

	(void)state;
	fill_gre(gre, sizeof(gre), 9);
	for (int s = 0; s < 2; s++) {
		pair_new(&pr, &suites[s ? S_CBC : S_GCM], IKE_MODE_TRANSPORT, AF_INET, false);
		/* control: 64 + 14 + 2 = 80, correct pad */
		assert_int_equal(seal_open(&pr, gre, 64, ok_pad, 14, 14, 47, true), ESP_OK);
		/* extra padding beyond the minimum is fine (RFC 4303 2.4) */
		assert_int_equal(seal_open(&pr, gre, 48, ok_pad, 14 + 16 - 16, 14, 47, true),
		                 ESP_OK);
		/* one wrong pad byte anywhere */
		for (int k = 0; k < 14; k++) {
			memcpy(bad, ok_pad, sizeof(bad));
			bad[k] ^= 0x40;
			assert_int_equal(seal_open(&pr, gre, 64, bad, 14, 14, 47, true), ESP_E_PAD);
		}
		/* zero padding instead of 1, 2, 3 */
		memset(bad, 0, sizeof(bad));
		assert_int_equal(seal_open(&pr, gre, 64, bad, 14, 14, 47, true), ESP_E_PAD);
		/* pad length pointing before the payload's start */
		assert_int_equal(seal_open(&pr, gre, 0, ok_pad, 14, 15, 47, true), ESP_E_PAD);
		assert_int_equal(seal_open(&pr, gre, 0, ok_pad, 14, 255, 47, true), ESP_E_PAD);
		/* a pad length that swallows payload bytes that are not 1, 2, 3 */
		assert_int_equal(seal_open(&pr, gre, 64, ok_pad, 14, 20, 47, true), ESP_E_PAD);
		pair_free(&pr);
	}
}

static void test_next_header(void **state)
{
	static const uint8_t pad[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	static const uint8_t bad_nh[] = { 4, 41, 59, 6, 17, 0, 255 };
	uint8_t gre[64];
	struct pair pr;

	(void)state;
	fill_gre(gre, sizeof(gre), 1);
	pair_new(&pr, &suites[S_GCM], IKE_MODE_TRANSPORT, AF_INET, false);
	for (size_t i = 0; i < sizeof(bad_nh); i++) {
		assert_int_equal(seal_open(&pr, gre, 64, pad, 14, 14, bad_nh[i], true),
		                 ESP_E_NEXT_HDR);
		/* the lower half accepts it: only the next-header policy refused it */
		assert_int_equal(seal_open(&pr, gre, 64, pad, 14, 14, bad_nh[i], false), ESP_OK);
	}
	pair_free(&pr);
	/* tunnel mode wants the IP version of the SA, not GRE */
	pair_new(&pr, &suites[S_CBC], IKE_MODE_TUNNEL, AF_INET, false);
	assert_int_equal(seal_open(&pr, gre, 64, pad, 14, 14, 47, true), ESP_E_NEXT_HDR);
	assert_int_equal(seal_open(&pr, gre, 64, pad, 14, 14, 41, true), ESP_E_NEXT_HDR);
	pair_free(&pr);
}

/* Builds inner IPv4/IPv6 + 60 bytes of GRE; returns the length. */
static size_t inner_pkt(uint8_t *b, const struct ipaddr *src, const struct ipaddr *dst,
                        uint8_t proto, size_t cap)
{
	struct ip_tmpl t = { .src = *src, .dst = *dst, .proto = proto };
	struct writer w;

	wr_init(&w, b, cap);
	assert_int_equal(ip_hdr_build(&w, &t, 60), 0);
	fill_gre(b + wr_len(&w), 60, 5);
	return wr_len(&w) + 60;
}

static void test_inner(void **state)
{
	static const uint8_t pad[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	uint8_t b[256];
	size_t n, npad;
	struct pair pr;

	(void)state;
	for (int f = 0; f < 2; f++) {
		int fam = f ? AF_INET6 : AF_INET;
		uint8_t nh = f ? 41 : 4;
		struct ipaddr other = ip(f ? "2001:db8::77" : "192.0.2.77");

		pair_new(&pr, &suites[S_GCM], IKE_MODE_TUNNEL, fam, false);
		/* the peer's inbound: src must be its remote (our local) */
		n = inner_pkt(b, &pr.c.local, &pr.c.remote, 47, sizeof(b));
		npad = (4 - (n + 2) % 4) % 4;
		assert_int_equal(seal_open(&pr, b, n, pad, npad, (uint8_t)npad, nh, true), ESP_OK);
		n = inner_pkt(b, &other, &pr.c.remote, 47, sizeof(b));
		assert_int_equal(seal_open(&pr, b, n, pad, npad, (uint8_t)npad, nh, true),
		                 ESP_E_INNER);
		n = inner_pkt(b, &pr.c.local, &other, 47, sizeof(b));
		assert_int_equal(seal_open(&pr, b, n, pad, npad, (uint8_t)npad, nh, true),
		                 ESP_E_INNER);
		n = inner_pkt(b, &pr.c.remote, &pr.c.local, 47, sizeof(b)); /* reversed */
		assert_int_equal(seal_open(&pr, b, n, pad, npad, (uint8_t)npad, nh, true),
		                 ESP_E_INNER);
		n = inner_pkt(b, &pr.c.local, &pr.c.remote, 6, sizeof(b)); /* TCP */
		assert_int_equal(seal_open(&pr, b, n, pad, npad, (uint8_t)npad, nh, true),
		                 ESP_E_INNER);
		/* inner length shorter than the payload */
		n = inner_pkt(b, &pr.c.local, &pr.c.remote, 47, sizeof(b));
		b[n] = 0;
		assert_int_equal(seal_open(&pr, b, n + 4, pad, (4 - (n + 6) % 4) % 4,
		                           (uint8_t)((4 - (n + 6) % 4) % 4), nh, true),
		                 ESP_E_INNER);
		if (!f) {
			/* bad checksum; a fragment */
			n = inner_pkt(b, &pr.c.local, &pr.c.remote, 47, sizeof(b));
			b[10] ^= 1;
			assert_int_equal(seal_open(&pr, b, n, pad, npad, (uint8_t)npad, nh, true),
			                 ESP_E_INNER);
			n = inner_pkt(b, &pr.c.local, &pr.c.remote, 47, sizeof(b));
			b[6] |= 0x20; /* MF */
			b[10] = b[11] = 0;
			{
				uint16_t cs = inet_csum(b, 20);
				b[10] = (uint8_t)(cs >> 8);
				b[11] = (uint8_t)cs;
			}
			assert_int_equal(seal_open(&pr, b, n, pad, npad, (uint8_t)npad, nh, true),
			                 ESP_E_INNER);
		}
		/* the wrong IP version for the SA */
		assert_int_equal(seal_open(&pr, b, n, pad, npad, (uint8_t)npad, f ? 4 : 41, true),
		                 ESP_E_NEXT_HDR);
		pair_free(&pr);
	}
	/* selectors given as ranges: a source inside the range passes */
	child(&pr.c, &suites[S_GCM], IKE_MODE_TUNNEL, AF_INET, false);
	peer(&pr.p, &pr.c);
	pr.p.ts_remote_start = ip("198.51.100.0");
	pr.p.ts_remote_end = ip("198.51.100.255");
	pr.p.ts_local_start = pr.p.ts_local_end = pr.p.local;
	pr.out = esp_sa_new(&pr.c, false, 0);
	pr.in = esp_sa_new(&pr.p, true, 0);
	{
		struct ipaddr in_range = ip("198.51.100.200"), out_range = ip("198.51.101.1");

		n = inner_pkt(b, &in_range, &pr.c.remote, 47, sizeof(b));
		npad = (4 - (n + 2) % 4) % 4;
		assert_int_equal(seal_open(&pr, b, n, pad, npad, (uint8_t)npad, 4, true), ESP_OK);
		n = inner_pkt(b, &out_range, &pr.c.remote, 47, sizeof(b));
		assert_int_equal(seal_open(&pr, b, n, pad, npad, (uint8_t)npad, 4, true),
		                 ESP_E_INNER);
	}
	pair_free(&pr);
}

/* ---- SA creation ------------------------------------------------------ */

static void test_unsupported(void **state)
{
	struct ike_child_info c;

	(void)state;
	child(&c, &suites[S_GCM], IKE_MODE_TRANSPORT, AF_INET, false);
	c.suite.encr = IKE_ENCR_AES_CCM_16;
	assert_null(esp_sa_new(&c, true, 0));
	child(&c, &suites[S_GCM], IKE_MODE_TRANSPORT, AF_INET, false);
	c.suite.integ = IKE_INTEG_HMAC_SHA2_256_128; /* AEAD with integrity */
	assert_null(esp_sa_new(&c, true, 0));
	child(&c, &suites[S_GCM], IKE_MODE_TRANSPORT, AF_INET, false);
	c.suite.encr_bits = 192;
	assert_null(esp_sa_new(&c, true, 0));
	child(&c, &suites[S_GCM], IKE_MODE_TRANSPORT, AF_INET, false);
	c.enc_len = 16; /* no salt */
	assert_null(esp_sa_new(&c, true, 0));
	child(&c, &suites[S_CBC], IKE_MODE_TRANSPORT, AF_INET, false);
	c.suite.integ = IKE_INTEG_NONE; /* CBC without integrity */
	assert_null(esp_sa_new(&c, false, 0));
	child(&c, &suites[S_CBC], IKE_MODE_TRANSPORT, AF_INET, false);
	c.integ_len = 20;
	assert_null(esp_sa_new(&c, false, 0));
	child(&c, &suites[S_CBC], IKE_MODE_TUNNEL, AF_INET, false);
	c.local = ip("2001:db8::1"); /* families differ */
	assert_null(esp_sa_new(&c, false, 0));
	child(&c, &suites[S_CBC], IKE_MODE_TRANSPORT, AF_INET, false);
	c.mode = (enum ike_child_mode)9;
	assert_null(esp_sa_new(&c, false, 0));
	esp_sa_free(NULL);
}

/* ---- lifetimes -------------------------------------------------------- */

static void test_lifetimes(void **state)
{
	uint8_t buf[BUFSZ], *out;
	size_t out_len;
	struct pkt pk;
	struct pair pr;

	(void)state;
	pair_new(&pr, &suites[S_GCM], IKE_MODE_TRANSPORT, AF_INET, false);
	/* time: created at 0, lifetime 3600 */
	assert_int_equal(esp_sa_expired(pr.out, 0), ESP_LIVE);
	assert_int_equal(esp_sa_expired(pr.out, 3239), ESP_LIVE);
	assert_int_equal(esp_sa_expired(pr.out, 3240), ESP_SOFT);
	assert_int_equal(esp_sa_expired(pr.in, 3599), ESP_SOFT);
	assert_int_equal(esp_sa_expired(pr.in, 3600), ESP_HARD);
	encap(pr.out, 20, 1, &pk);
	assert_int_equal(decap_copy(pr.in, &pk, 3500, NULL), ESP_OK); /* soft still works */
	encap(pr.out, 20, 2, &pk);
	assert_int_equal(decap_copy(pr.in, &pk, 3600, NULL), ESP_E_EXPIRED);
	fill_gre(buf + ESP_HEADROOM, 20, 0);
	assert_int_equal(esp_encap(pr.out, buf + ESP_HEADROOM, 20, &out, &out_len, 3600),
	                 ESP_E_EXPIRED);
	pair_free(&pr);

	/* packets and bytes */
	pair_new(&pr, &suites[S_CBC], IKE_MODE_TRANSPORT, AF_INET, false);
	esp_sa_set_limits(pr.out, 0, 10);
	esp_sa_set_limits(pr.in, 1000, 0);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(esp_sa_expired(pr.out, 0), i < 9 ? ESP_LIVE : ESP_SOFT);
		encap(pr.out, 100, (unsigned)i, &pk);
		assert_int_equal(esp_sa_expired(pr.in, 0),
		                 i < 9 ? ESP_LIVE : ESP_SOFT); /* 900 bytes: soft */
		assert_int_equal(decap_copy(pr.in, &pk, 0, NULL), ESP_OK);
	}
	assert_int_equal(esp_sa_expired(pr.out, 0), ESP_HARD);
	assert_int_equal(esp_sa_expired(pr.in, 0), ESP_HARD);
	fill_gre(buf + ESP_HEADROOM, 20, 0);
	assert_int_equal(esp_encap(pr.out, buf + ESP_HEADROOM, 20, &out, &out_len, 0),
	                 ESP_E_EXPIRED);
	pair_free(&pr);

	/* sequence space: soft at 90 % */
	pair_new(&pr, &suites[S_GCM], IKE_MODE_TRANSPORT, AF_INET, false);
	esp_sa_set_seq(pr.out, (uint64_t)(0.9 * UINT32_MAX) - 1);
	assert_int_equal(esp_sa_expired(pr.out, 1e9), ESP_HARD); /* time still counts */
	pair_free(&pr);
	child(&pr.c, &suites[S_GCM], IKE_MODE_TRANSPORT, AF_INET, false);
	pr.c.lifetime = 0;
	pr.out = esp_sa_new(&pr.c, false, 0);
	esp_sa_set_seq(pr.out, 3865470560ULL); /* 0.9 * (2^32 - 1) = 3865470565.5 */
	assert_int_equal(esp_sa_expired(pr.out, 1e9), ESP_LIVE);
	esp_sa_set_seq(pr.out, 3865470567ULL);
	assert_int_equal(esp_sa_expired(pr.out, 1e9), ESP_SOFT);
	esp_sa_free(pr.out);
}

/* ---- SAD -------------------------------------------------------------- */

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_roundtrip_all),
	    cmocka_unit_test(test_tunnel_inner_header),
	    cmocka_unit_test(test_iv),
	    cmocka_unit_test(test_replay),
	    cmocka_unit_test(test_replay_after_icv),
	    cmocka_unit_test(test_esn),
	    cmocka_unit_test(test_tamper),
	    cmocka_unit_test(test_padding),
	    cmocka_unit_test(test_next_header),
	    cmocka_unit_test(test_inner),
	    cmocka_unit_test(test_unsupported),
	    cmocka_unit_test(test_lifetimes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
