/* Shared by the ESP unit tests (test_esp.c, test_esp_sad.c): suites, a
 * CHILD SA and its mirror image, SA pairs, stored packets. */
#ifndef DMVPN_TESTS_ESP_HARNESS_H
#define DMVPN_TESTS_ESP_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ike/sa.h"
#include "lib/util.h"
#include "lib/writer.h"
#include "overlay/esp_int.h"
#include "overlay/ip.h"


#define BUFSZ (ESP_HEADROOM + 4096 + ESP_TAILROOM)

struct suite {
	const char *name;
	uint16_t encr, bits, integ;
	size_t enc_len, integ_len;
};

static const struct suite suites[] = {
	{ "aes128gcm16", IKE_ENCR_AES_GCM_16, 128, IKE_INTEG_NONE, 20, 0 },
	{ "aes256gcm16", IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, 36, 0 },
	{ "aes128-sha1", IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, 16, 20 },
	{ "aes128-sha256", IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128, 16, 32 },
	{ "aes256-sha384", IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_384_192, 32, 48 },
	{ "aes256-sha512", IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_512_256, 32, 64 },
	{ "aes256-sha256", IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128, 32, 32 },
	{ "3des-sha1", IKE_ENCR_3DES, 0, IKE_INTEG_HMAC_SHA1_96, 24, 20 },
};
#define S_GCM 1 /* aes256gcm16 */
#define S_CBC 3 /* aes128-sha256 */

static inline struct ipaddr ip(const char *s)
{
	struct ipaddr a;

	assert_int_equal(ipaddr_parse(&a, s), 0);
	return a;
}

/* Our side of a CHILD SA; peer() gives the other side. */
static inline void child(struct ike_child_info *c, const struct suite *s, enum ike_child_mode mode,
                  int family, bool esn)
{
	memset(c, 0, sizeof(*c));
	c->id = 7;
	c->spi_in = 0xc0000001;
	c->spi_out = 0xd0000002;
	c->mode = mode;
	c->suite.encr = s->encr;
	c->suite.encr_bits = s->bits;
	c->suite.integ = s->integ;
	c->esn = esn;
	c->enc_len = s->enc_len;
	c->integ_len = s->integ_len;
	for (size_t i = 0; i < sizeof(c->enc_in); i++) {
		c->enc_in[i] = (uint8_t)(0x10 + i);
		c->enc_out[i] = (uint8_t)(0x80 + 3 * i);
	}
	for (size_t i = 0; i < sizeof(c->integ_in); i++) {
		c->integ_in[i] = (uint8_t)(0x40 + 5 * i);
		c->integ_out[i] = (uint8_t)(0xc0 ^ i);
	}
	c->local = ip(family == AF_INET ? "198.51.100.1" : "2001:db8::1");
	c->remote = ip(family == AF_INET ? "203.0.113.9" : "2001:db8:9::9");
	c->ts_proto = 47;
	c->lifetime = 3600;
}

static inline void peer(struct ike_child_info *p, const struct ike_child_info *c)
{
	*p = *c;
	p->spi_in = c->spi_out;
	p->spi_out = c->spi_in;
	memcpy(p->enc_in, c->enc_out, sizeof(p->enc_in));
	memcpy(p->enc_out, c->enc_in, sizeof(p->enc_out));
	memcpy(p->integ_in, c->integ_out, sizeof(p->integ_in));
	memcpy(p->integ_out, c->integ_in, sizeof(p->integ_out));
	p->local = c->remote;
	p->remote = c->local;
}

/* A pair: our outbound and the peer's inbound for it. */
struct pair {
	struct ike_child_info c, p;
	struct esp_sa *out, *in;
};

static inline void pair_new(struct pair *pr, const struct suite *s, enum ike_child_mode mode, int family,
                     bool esn)
{
	child(&pr->c, s, mode, family, esn);
	peer(&pr->p, &pr->c);
	pr->out = esp_sa_new(&pr->c, false, 0);
	pr->in = esp_sa_new(&pr->p, true, 0);
	assert_non_null(pr->out);
	assert_non_null(pr->in);
	assert_int_equal(esp_sa_spi(pr->out), esp_sa_spi(pr->in));
}

static inline void pair_free(struct pair *pr)
{
	esp_sa_free(pr->out);
	esp_sa_free(pr->in);
}

/* A stored ESP packet. */
struct pkt {
	uint8_t b[BUFSZ];
	size_t len;
};

static inline void fill_gre(uint8_t *g, size_t len, unsigned salt)
{
	for (size_t i = 0; i < len; i++)
		g[i] = (uint8_t)(i * 7 + salt);
	if (len >= 4) { /* a GRE header for IPv4 */
		g[0] = g[1] = 0;
		g[2] = 0x08;
		g[3] = 0x00;
	}
}

static inline void encap(struct esp_sa *sa, size_t len, unsigned salt, struct pkt *pk)
{
	uint8_t buf[BUFSZ], *out;
	size_t out_len;

	fill_gre(buf + ESP_HEADROOM, len, salt);
	assert_int_equal(esp_encap(sa, buf + ESP_HEADROOM, len, &out, &out_len, 0), ESP_OK);
	assert_true(out >= buf && out + out_len <= buf + sizeof(buf));
	memcpy(pk->b, out, out_len);
	pk->len = out_len;
}

static inline enum esp_err decap_copy(struct esp_sa *sa, const struct pkt *pk, double now, size_t *glen)
{
	struct pkt tmp = *pk;
	uint8_t *g;
	size_t gl = 0;
	enum esp_err e = esp_decap(sa, tmp.b, tmp.len, &g, &gl, now);

	if (glen)
		*glen = gl;
	return e;
}


#endif
