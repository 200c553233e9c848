/* Unit tests of the SAD (overlay/sad.c: make-before-break, growth, expiry)
 * and known-answer decryption of the vendored captures (Wireshark's AES-CBC +
 * HMAC-SHA1-96 tunnel-mode capture, tcpdump's 3DES captures, a GCM vector
 * checked by Wireshark). */
#include "tests/unit/esp_harness.h"

struct expired {
	int soft, hard;
	uint32_t last;
	struct sad *del; /* delete the child on hard expiry */
};

static void on_expire(void *arg, uint32_t id, bool hard)
{
	struct expired *x = arg;

	if (hard)
		x->hard++;
	else
		x->soft++;
	x->last = id;
	if (hard && x->del)
		sad_del_child(x->del, id);
}

static void count_sa(const struct esp_sa *sa, void *arg)
{
	size_t *n = arg;

	(void)sa;
	(*n)++;
}

static void test_sad(void **state)
{
	struct ike_child_info c1, c2, p1, p2, c;
	struct esp_sa *peer_out1, *peer_out2;
	struct sad *sad = sad_new();
	struct pkt pk;
	size_t n = 0;

	(void)state;
	assert_non_null(sad);
	child(&c1, &suites[S_GCM], IKE_MODE_TRANSPORT, AF_INET, false);
	c1.id = 1;
	c1.spi_in = 0x1001;
	c1.spi_out = 0x2001;
	peer(&p1, &c1);
	c2 = c1;
	c2.id = 2;
	c2.spi_in = 0x1002;
	c2.spi_out = 0x2002;
	c2.enc_in[0] ^= 0xff;
	c2.enc_out[0] ^= 0xff;
	peer(&p2, &c2);
	peer_out1 = esp_sa_new(&p1, false, 0);
	peer_out2 = esp_sa_new(&p2, false, 0);

	assert_int_equal(sad_add_child(sad, &c1, 0), 0);
	assert_int_equal(sad_count(sad), 2);
	assert_int_equal(esp_sa_spi(sad_lookup_out(sad, &c1.remote)), 0x2001);
	/* the peer sends on the first SA */
	encap(peer_out1, 60, 1, &pk);
	assert_int_equal(decap_copy(sad_lookup_in(sad, 0x1001), &pk, 0, NULL), ESP_OK);
	/* rekey: the new pair is installed; its outbound waits until the peer
	 * is heard on the new inbound SA (it has installed the pair then) */
	assert_int_equal(sad_add_child(sad, &c2, 0), 0);
	assert_int_equal(sad_count(sad), 4);
	assert_int_equal(esp_sa_spi(sad_lookup_out(sad, &c1.remote)), 0x2001);
	assert_true(esp_sa_inbound(sad_lookup_in(sad, 0x1001)));
	/* the peer still sends on the old SA for a while: it still decrypts */
	encap(peer_out1, 60, 1, &pk);
	assert_int_equal(decap_copy(sad_lookup_in(sad, 0x1001), &pk, 0, NULL), ESP_OK);
	assert_int_equal(esp_sa_spi(sad_lookup_out(sad, &c1.remote)), 0x2001);
	encap(peer_out2, 60, 2, &pk);
	assert_int_equal(decap_copy(sad_lookup_in(sad, 0x1002), &pk, 0, NULL), ESP_OK);
	/* heard on the new one: switch */
	assert_int_equal(esp_sa_spi(sad_lookup_out(sad, &c1.remote)), 0x2002);
	assert_int_equal(esp_sa_child_id(sad_lookup_out(sad, &c1.remote)), 2);
	assert_false(esp_sa_inbound(sad_lookup_out(sad, &c1.remote)));
	assert_int_equal(decap_copy(sad_lookup_in(sad, 0x1001), &pk, 0, NULL), ESP_E_NO_SA);
	assert_null(sad_lookup_in(sad, 0x1003));
	assert_null(sad_lookup_in(sad, 0x2001)); /* outbound SPIs are not inbound */
	/* clashes and unsupported suites */
	c = c1;
	c.id = 3;
	assert_int_equal(sad_add_child(sad, &c, 0), -1); /* inbound SPI in use */
	c = c1;
	c.spi_in = 0x1009;
	assert_int_equal(sad_add_child(sad, &c, 0), -1); /* child id in use */
	c.id = 4;
	c.suite.encr = IKE_ENCR_AES_CTR;
	assert_int_equal(sad_add_child(sad, &c, 0), -1);
	assert_int_equal(sad_count(sad), 4);
	sad_walk(sad, count_sa, &n);
	assert_int_equal(n, 4);
	/* the old CHILD goes: the new one stays */
	sad_del_child(sad, 1);
	assert_null(sad_lookup_in(sad, 0x1001));
	assert_int_equal(esp_sa_spi(sad_lookup_out(sad, &c1.remote)), 0x2002);
	/* deleting the newest falls back to an older one still installed */
	assert_int_equal(sad_add_child(sad, &c1, 0), 0);
	assert_int_equal(esp_sa_spi(sad_lookup_out(sad, &c1.remote)), 0x2002); /* not heard yet */
	encap(peer_out1, 60, 3, &pk);
	assert_int_equal(decap_copy(sad_lookup_in(sad, 0x1001), &pk, 0, NULL), ESP_OK);
	assert_int_equal(esp_sa_spi(sad_lookup_out(sad, &c1.remote)), 0x2001);
	sad_del_child(sad, 1);
	sad_del_child(sad, 1); /* again: nothing */
	assert_int_equal(esp_sa_spi(sad_lookup_out(sad, &c1.remote)), 0x2002);
	sad_del_child(sad, 2);
	assert_null(sad_lookup_out(sad, &c1.remote));
	assert_int_equal(sad_count(sad), 0);
	esp_sa_free(peer_out1);
	esp_sa_free(peer_out2);
	sad_free(sad);
}

/* Many children (the tables grow) and many remotes. */
static void test_sad_many(void **state)
{
	enum { N = 1500 };
	struct sad *sad = sad_new();
	struct ike_child_info c;
	char a[64];

	(void)state;
	child(&c, &suites[S_CBC], IKE_MODE_TRANSPORT, AF_INET, false);
	for (uint32_t i = 0; i < N; i++) {
		c.id = 100 + i;
		c.spi_in = 0x10000 + i;
		c.spi_out = 0x20000 + i;
		snprintf(a, sizeof(a), "10.%u.%u.1", i / 250, i % 250);
		c.remote = ip(a);
		assert_int_equal(sad_add_child(sad, &c, 0), 0);
	}
	/* a second child for every tenth remote (rekey) */
	for (uint32_t i = 0; i < N; i += 10) {
		c.id = 100000 + i;
		c.spi_in = 0x80000 + i;
		c.spi_out = 0x90000 + i;
		snprintf(a, sizeof(a), "10.%u.%u.1", i / 250, i % 250);
		c.remote = ip(a);
		assert_int_equal(sad_add_child(sad, &c, 0), 0);
	}
	assert_int_equal(sad_count(sad), 2 * (N + N / 10));
	for (uint32_t i = 0; i < N; i++) {
		struct ipaddr r;

		assert_non_null(sad_lookup_in(sad, 0x10000 + i));
		assert_int_equal(esp_sa_child_id(sad_lookup_in(sad, 0x10000 + i)), 100 + i);
		snprintf(a, sizeof(a), "10.%u.%u.1", i / 250, i % 250);
		r = ip(a);
		assert_int_equal(esp_sa_spi(sad_lookup_out(sad, &r)),
		                 i % 10 ? 0x20000 + i : 0x90000 + i);
		assert_true(ipaddr_eq(esp_sa_remote(sad_lookup_out(sad, &r)), &r));
	}
	for (uint32_t i = 0; i < N; i += 2)
		sad_del_child(sad, 100 + i);
	for (uint32_t i = 0; i < N; i++)
		assert_true((sad_lookup_in(sad, 0x10000 + i) != NULL) == (i % 2 == 1));
	sad_free(sad);
}

static void test_sad_expire(void **state)
{
	struct sad *sad = sad_new();
	struct ike_child_info c;
	struct expired x = { 0 };

	(void)state;
	child(&c, &suites[S_GCM], IKE_MODE_TRANSPORT, AF_INET, false);
	for (uint32_t i = 0; i < 3; i++) {
		c.id = 1 + i;
		c.spi_in = 0x100 + i;
		c.spi_out = 0x200 + i;
		c.lifetime = 100 * (i + 1); /* 100, 200, 300 */
		assert_int_equal(sad_add_child(sad, &c, 0), 0);
	}
	sad_expire(sad, 50, on_expire, &x);
	assert_int_equal(x.soft + x.hard, 0);
	sad_expire(sad, 90, on_expire, &x);
	assert_int_equal(x.soft, 1);
	assert_int_equal(x.last, 1);
	sad_expire(sad, 95, on_expire, &x); /* once per level */
	assert_int_equal(x.soft, 1);
	sad_expire(sad, 100, on_expire, &x);
	assert_int_equal(x.hard, 1);
	sad_expire(sad, 101, on_expire, &x);
	assert_int_equal(x.hard, 1);
	/* straight to hard: reported as hard only; the callback may delete */
	x.del = sad;
	sad_expire(sad, 1000, on_expire, &x);
	assert_int_equal(x.soft, 1);
	assert_int_equal(x.hard, 3);
	assert_int_equal(sad_count(sad), 2); /* child 1 was told before, not deleted */
	sad_del_child(sad, 1);
	assert_int_equal(sad_count(sad), 0);
	sad_free(sad);
	sad_free(NULL);
}

/* ---- captures --------------------------------------------------------- */

static const char *testdata(void)
{
	const char *e = getenv("DMVPN_TESTDATA");
	return e && *e ? e : TOP_SRCDIR "/tests/testdata";
}

/* ESP (from the SPI on) of each frame: Ethernet, IPv4, protocol 50 or UDP
 * 4500 (non-ESP marker frames skipped). Returns the number found. */
static int capture_esp(const char *rel, bool gz, struct pkt *out, int max)
{
	char path[512], cmd[600], err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	FILE *f = NULL;
	pcap_t *p;
	int n = 0;

	snprintf(path, sizeof(path), "%s/captures/%s", testdata(), rel);
	if (access(path, R_OK) != 0)
		return -1;
	if (gz) {
		snprintf(cmd, sizeof(cmd), "gzip -dc '%s'", path);
		if (!(f = popen(cmd, "r")))
			return -1;
		p = pcap_fopen_offline(f, err);
	} else {
		p = pcap_open_offline(path, err);
	}
	if (!p)
		fail_msg("%s: %s", path, err);
	assert_int_equal(pcap_datalink(p), DLT_EN10MB);
	while (n < max && pcap_next_ex(p, &h, &d) == 1) {
		struct ip_info ipi;
		struct udp_info u;

		if (h->caplen < 14 || d[12] != 0x08 || d[13] != 0x00 ||
		    ip_parse(&ipi, d + 14, h->caplen - 14) != 0)
			continue;
		if (ipi.proto == 17) {
			if (udp_parse(&u, ipi.payload, ipi.payload_len) != 0 || u.dport != 4500 ||
			    u.payload_len < 8 || !memcmp(u.payload, "\0\0\0\0", 4))
				continue;
			memcpy(out[n].b, u.payload, u.payload_len);
			out[n++].len = u.payload_len;
		} else if (ipi.proto == 50) {
			memcpy(out[n].b, ipi.payload, ipi.payload_len);
			out[n++].len = ipi.payload_len;
		}
	}
	pcap_close(p); /* fclose()s f, which for a popen() stream is pclose() in glibc */
	return n;
}

static void hex(uint8_t *out, const char *h, size_t want)
{
	assert_int_equal(hex_decode(h, out, want), (long)want);
}

/* Wireshark's esp-bug-12671: AES-128-CBC + HMAC-SHA1-96, tunnel mode with
 * inner ICMP between 10.1.1.1 and 10.1.0.10 (keys in esp_sa). */
static void test_capture_aes_cbc_sha1(void **state)
{
	struct pkt pk[8];
	int n = capture_esp("wireshark-test/esp-bug-12671.pcapng.gz", true, pk, 8);
	struct ike_child_info c;
	struct esp_sa *sa[2][2];

	(void)state;
	if (n < 0) {
		skip();
		return;
	}
	assert_int_equal(n, 6);
	memset(&c, 0, sizeof(c));
	c.mode = IKE_MODE_TUNNEL;
	c.suite.encr = IKE_ENCR_AES_CBC;
	c.suite.encr_bits = 128;
	c.suite.integ = IKE_INTEG_HMAC_SHA1_96;
	c.enc_len = 16;
	c.integ_len = 20;
	/* as 192.168.0.1: inbound 0xc254fe64 from .100, and as .100: 0x070883c2 */
	c.local = ip("192.168.0.1");
	c.remote = ip("192.168.0.100");
	c.spi_in = 0xc254fe64;
	hex(c.enc_in, "88e1dad7140af03b8d4f3d734d21be4b", 16);
	hex(c.integ_in, "3e00d517c1220d4b7d2950fcc02edd4b6023d278", 20);
	for (int k = 0; k < 2; k++) {
		sa[0][k] = esp_sa_new(&c, true, 0);
		assert_non_null(sa[0][k]);
	}
	c.local = ip("192.168.0.100");
	c.remote = ip("192.168.0.1");
	c.spi_in = 0x070883c2;
	hex(c.enc_in, "5de1a4c2c72662c9fda7a7c78cd25623", 16);
	hex(c.integ_in, "51c9213c18232f8f26c70c4dee6e0e6d56e31e8a", 20);
	for (int k = 0; k < 2; k++) {
		sa[1][k] = esp_sa_new(&c, true, 0);
		assert_non_null(sa[1][k]);
	}
	for (int i = 0; i < n; i++) {
		int dir = i % 2; /* .100 -> .1 first */
		struct pkt t = pk[i], bad = pk[i];
		uint8_t *pl, nh, *g;
		size_t plen, gl;
		struct ip_info ipi;

		assert_int_equal(esp_sa_open(sa[dir][0], t.b, t.len, &pl, &plen, &nh, 0), ESP_OK);
		assert_int_equal(nh, ESP_NEXT_HDR_IPV4);
		assert_int_equal(plen, 84); /* 10 bytes of padding 1..10 removed */
		assert_int_equal(ip_parse(&ipi, pl, plen), 0);
		assert_int_equal(ipi.proto, 1);
		assert_true(ipaddr_eq(&ipi.src, dir ? &(struct ipaddr){ AF_INET, 4, { 10, 1, 0, 10 } }
		                                    : &(struct ipaddr){ AF_INET, 4, { 10, 1, 1, 1 } }));
		assert_int_equal(pl[20], dir ? 0 : 8); /* echo reply / request */
		/* the daemon path refuses it: the inner packet is not GRE from the NBMA */
		t = pk[i];
		assert_int_equal(esp_decap(sa[dir][1], t.b, t.len, &g, &gl, 0), ESP_E_INNER);
		/* replayed, and tampered */
		t = pk[i];
		assert_int_equal(esp_sa_open(sa[dir][0], t.b, t.len, &pl, &plen, &nh, 0),
		                 ESP_E_REPLAY);
		bad.b[30] ^= 4;
		assert_int_equal(esp_sa_open(sa[dir][0], bad.b, bad.len, &pl, &plen, &nh, 0),
		                 ESP_E_REPLAY);
	}
	/* a tampered copy against a fresh SA: ICV */
	{
		struct pkt bad = pk[0];
		uint8_t *pl, nh;
		size_t plen;

		esp_sa_set_seq(sa[0][0], 0);
		bad.b[30] ^= 4;
		assert_int_equal(esp_sa_open(sa[0][0], bad.b, bad.len, &pl, &plen, &nh, 0),
		                 ESP_E_ICV);
	}
	for (int d = 0; d < 2; d++)
		for (int k = 0; k < 2; k++)
			esp_sa_free(sa[d][k]);
}

/* AES-256-GCM-16, tunnel mode, made by esp_encap and checked independently
 * by Wireshark 4 ("AES-GCM with 16 octet ICV [RFC4106]", key 01..24 incl.
 * salt 21222324: ICV correct, inner IPv4 192.0.2.1 -> 192.0.2.2 carrying
 * GRE/IPv4/ICMP). Proves the nonce (salt | IV = 64-bit sequence number) and
 * AAD (SPI | seq) layout against another implementation. */
static void test_kat_gcm(void **state)
{
	static const uint8_t gre[] = { 0, 0, 0x08, 0, 0x45, 0, 0, 28, 0, 1, 0, 0, 64, 1, 0, 0,
		                       10, 0, 0, 1, 10, 0, 0, 2, 8, 0, 0xf7, 0xff, 0, 0, 0, 0 };
	struct ike_child_info c;
	struct esp_sa *sa;
	struct pkt pk;
	uint8_t *g;
	size_t gl;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.spi_in = 0x11111111;
	c.mode = IKE_MODE_TUNNEL;
	c.suite.encr = IKE_ENCR_AES_GCM_16;
	c.suite.encr_bits = 256;
	c.enc_len = 36;
	for (int i = 0; i < 36; i++)
		c.enc_in[i] = (uint8_t)(i + 1);
	c.local = ip("192.0.2.2");
	c.remote = ip("192.0.2.1");
	pk.len = 88;
	hex(pk.b, "111111110000000100000000000000010c8e8fb253730ac344fb759145e1851a"
	          "4091328e183b6367849f9ed56a39bc4af1fc4946c8e01504618a390dd15d6fbd"
	          "56eb99c73f6af006eee7b07b6dbb1f1c07eb7d23489462f4",
	    pk.len);
	sa = esp_sa_new(&c, true, 0);
	assert_non_null(sa);
	assert_int_equal(esp_decap(sa, pk.b, pk.len, &g, &gl, 0), ESP_OK);
	assert_int_equal(gl, sizeof(gre));
	assert_memory_equal(g, gre, sizeof(gre));
	esp_sa_free(sa);
}

/* tcpdump's 3DES captures (tunnel mode, inner ICMP 192.0.2.1 -> 192.0.1.1).
 * Their 96-bit ICV key is not published: the ICV is stripped and the SA is
 * made confidentiality-only, which still proves 3DES-CBC, IV handling,
 * padding and next header on real packets. */
static void capture_3des(const char *rel, size_t frame_len)
{
	struct pkt pk[8];
	int n = capture_esp(rel, false, pk, 8);
	struct ike_child_info c;
	struct esp_sa *sa;

	if (n < 0) {
		skip();
		return;
	}
	assert_int_equal(n, 8);
	memset(&c, 0, sizeof(c));
	c.mode = IKE_MODE_TUNNEL;
	c.suite.encr = IKE_ENCR_3DES;
	c.suite.integ = IKE_INTEG_NONE;
	c.enc_len = 24;
	c.spi_in = 0x12345678;
	c.local = ip("192.1.2.45");
	c.remote = ip("192.1.2.23");
	hex(c.enc_in, "4043434545464649494a4a4c4c4f4f515152525454575758", 24);
	assert_null(esp_sa_new(&c, true, 0)); /* never without integrity in the daemon */
	sa = esp_sa_new_ex(&c, true, 0, ESP_NEW_ALLOW_NO_INTEG);
	assert_non_null(sa);
	assert_int_equal(esp_sa_icv_len(sa), 0);
	for (int i = 0; i < n; i++) {
		uint8_t *pl, nh;
		size_t plen;
		struct ip_info ipi;

		assert_int_equal(pk[i].len, frame_len);
		assert_int_equal(pk[i].b[7], i + 1);
		pk[i].len -= 12; /* HMAC-96 */
		assert_int_equal(esp_sa_open(sa, pk[i].b, pk[i].len, &pl, &plen, &nh, 0), ESP_OK);
		assert_int_equal(nh, ESP_NEXT_HDR_IPV4);
		assert_int_equal(plen, 84); /* pad 1, 2 */
		assert_int_equal(ip_parse(&ipi, pl, plen), 0);
		assert_int_equal(ipi.proto, 1);
		assert_memory_equal(ipi.src.b, "\xc0\x00\x02\x01", 4);
		assert_memory_equal(ipi.dst.b, "\xc0\x00\x01\x01", 4);
		assert_int_equal(ipi.payload[0], 8); /* echo request */
		assert_int_equal(inet_csum(ipi.payload, ipi.payload_len), 0);
	}
	esp_sa_free(sa);
}

static void test_capture_3des_udp(void **state)
{
	(void)state;
	capture_3des("tcpdump/espudp1.pcap", 116);
}

static void test_capture_3des_raw(void **state)
{
	(void)state;
	capture_3des("tcpdump/02-sunrise-sunset-esp.pcap", 116);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_sad),
	    cmocka_unit_test(test_sad_many),
	    cmocka_unit_test(test_sad_expire),
	    cmocka_unit_test(test_kat_gcm),
	    cmocka_unit_test(test_capture_aes_cbc_sha1),
	    cmocka_unit_test(test_capture_3des_udp),
	    cmocka_unit_test(test_capture_3des_raw),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
