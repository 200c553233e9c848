/* libFuzzer target: userspace ESP (overlay/esp.c) and ESP framing.
 *
 * Input: one control byte, then data. Control bits 0-2 pick one of eight
 * fixed SA pairs (AES-256-GCM / AES-128-CBC+SHA256, transport / tunnel
 * IPv4 / tunnel IPv6, some with ESN); bits 3-4 pick what is done:
 *   0, 1  data is an ESP packet (from the SPI on) for the inbound SA;
 *   2     data is a plaintext with its own trailer, sealed with a correct
 *         ICV (esp_sa_seal) and then decapsulated: reaches the padding,
 *         next header and inner header checks;
 *   3     data is a GRE packet: encap then decap must give it back.
 * Every input also goes to esp_frame_parse. The windows are reset for each
 * input so that an input always behaves the same.
 *
 * Seeds (tests/fuzz/seeds/fuzz_esp): the real ESP packets of the vendored
 * captures, and packets made by this target's own SAs (valid ICVs); build
 * with -DFUZZ_ESP_SEEDS and run with a directory to regenerate the latter.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "ike/sa.h"
#include "lib/log.h"
#include "overlay/esp_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(x)                                                                                   \
	do {                                                                                       \
		if (!(x))                                                                          \
			abort();                                                                   \
	} while (0)

#define NPAIRS 8
#define BUF    (ESP_HEADROOM + 70000 + ESP_TAILROOM)

static struct esp_sa *sa_out[NPAIRS], *sa_in[NPAIRS];
static uint8_t buf[BUF];

static void setup_pair(int i)
{
	struct ike_child_info c, p;
	bool gcm = i & 1;
	int mode = (i >> 1) & 3; /* 0 transport, 1 tunnel v4, 2 tunnel v6, 3 transport ESN */

	memset(&c, 0, sizeof(c));
	c.id = (uint32_t)i + 1;
	c.spi_out = 0x1000u + (uint32_t)i;
	c.spi_in = 0x2000u + (uint32_t)i;
	c.mode = mode == 1 || mode == 2 ? IKE_MODE_TUNNEL : IKE_MODE_TRANSPORT;
	c.esn = mode == 3 || (mode == 2 && gcm);
	c.suite.encr = gcm ? IKE_ENCR_AES_GCM_16 : IKE_ENCR_AES_CBC;
	c.suite.encr_bits = gcm ? 256 : 128;
	c.suite.integ = gcm ? IKE_INTEG_NONE : IKE_INTEG_HMAC_SHA2_256_128;
	c.enc_len = gcm ? 36 : 16;
	c.integ_len = gcm ? 0 : 32;
	for (size_t k = 0; k < sizeof(c.enc_out); k++)
		c.enc_out[k] = (uint8_t)(k + 1);
	for (size_t k = 0; k < sizeof(c.integ_out); k++)
		c.integ_out[k] = (uint8_t)(k * 5 + 2);
	ipaddr_parse(&c.local, mode == 2 ? "2001:db8::1" : "192.0.2.1");
	ipaddr_parse(&c.remote, mode == 2 ? "2001:db8::2" : "192.0.2.2");
	c.ts_proto = 47;
	/* the peer's inbound for our outbound */
	p = c;
	p.spi_in = c.spi_out;
	memcpy(p.enc_in, c.enc_out, sizeof(p.enc_in));
	memcpy(p.integ_in, c.integ_out, sizeof(p.integ_in));
	p.local = c.remote;
	p.remote = c.local;
	sa_out[i] = esp_sa_new(&c, false, 0);
	sa_in[i] = esp_sa_new(&p, true, 0);
	CHECK(sa_out[i] && sa_in[i]);
}

static void setup(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	log_init("fuzz_esp", LOG_DEST_NONE, LOG_LVL_ERROR);
	for (int i = 0; i < NPAIRS; i++)
		setup_pair(i);
}

static bool inside(const uint8_t *p, size_t n, const uint8_t *b, size_t len)
{
	return p >= b && n <= len && (size_t)(p - b) <= len - n;
}

static void check_decap(struct esp_sa *in, uint8_t *esp, size_t len)
{
	uint8_t *g = NULL;
	size_t gl = 0;
	enum esp_err e = esp_decap(in, esp, len, &g, &gl, 1);

	CHECK((unsigned)e < ESP_E_MAX_);
	CHECK(esp_err_name(e)[0] && esp_strerror(e)[0]);
	if (e == ESP_OK)
		CHECK(inside(g, gl, esp, len) && gl + ESP_HDR_LEN < len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct esp_frame f;
	int i, op;

	setup();
	if (esp_frame_parse(&f, data, size) == 0)
		CHECK(inside(f.body, f.body_len, data, size) && f.body_len >= 1);
	if (size < 1 || size > 65536)
		return 0;
	i = data[0] & 7;
	op = (data[0] >> 3) & 3;
	data++;
	size--;
	esp_sa_set_seq(sa_in[i], 0);
	esp_sa_set_seq(sa_out[i], 0);
	if (op < 2) {
		memcpy(buf, data, size);
		check_decap(sa_in[i], buf, size);
		/* once more: the same packet is now a replay or refused again */
		memcpy(buf, data, size);
		CHECK(esp_decap(sa_in[i], buf, size, &(uint8_t *){ NULL }, &(size_t){ 0 }, 1) !=
		      ESP_OK);
	} else if (op == 2) {
		size_t al = esp_sa_align(sa_out[i]), n = size - size % al;
		uint8_t *out;
		size_t out_len;

		if (n == 0)
			return 0;
		memcpy(buf + ESP_HEADROOM, data, n);
		CHECK(esp_sa_seal(sa_out[i], buf + ESP_HEADROOM, n, &out, &out_len, 1) == ESP_OK);
		check_decap(sa_in[i], out, out_len);
	} else {
		uint8_t *out, *g;
		size_t out_len, gl;

		if (size > 65000)
			return 0;
		memcpy(buf + ESP_HEADROOM, data, size);
		CHECK(esp_encap(sa_out[i], buf + ESP_HEADROOM, size, &out, &out_len, 1) == ESP_OK);
		CHECK(esp_decap(sa_in[i], out, out_len, &g, &gl, 1) == ESP_OK);
		CHECK(gl == size && memcmp(g, data, size) == 0);
	}
	return 0;
}

#ifdef FUZZ_ESP_SEEDS
/* Writes one seed per pair and operation into argv[1]. */
int main(int argc, char **argv)
{
	static const uint8_t gre[] = { 0, 0, 0x08, 0, 0x45, 0, 0, 20, 0, 1, 0, 0, 64, 1, 0, 0,
		                       10, 0, 0, 1, 10, 0, 0, 2 };
	char path[512];

	if (argc < 2)
		return 2;
	setup();
	for (int i = 0; i < NPAIRS; i++) {
		uint8_t *out;
		size_t out_len;
		FILE *fp;

		esp_sa_set_seq(sa_out[i], 0);
		memcpy(buf + ESP_HEADROOM, gre, sizeof(gre));
		CHECK(esp_encap(sa_out[i], buf + ESP_HEADROOM, sizeof(gre), &out, &out_len, 0) ==
		      ESP_OK);
		snprintf(path, sizeof(path), "%s/sa%d-esp", argv[1], i);
		fp = fopen(path, "wb");
		CHECK(fp);
		fputc(i, fp);
		fwrite(out, 1, out_len, fp);
		fclose(fp);
		snprintf(path, sizeof(path), "%s/sa%d-gre", argv[1], i);
		fp = fopen(path, "wb");
		CHECK(fp);
		fputc(i | 3 << 3, fp);
		fwrite(gre, 1, sizeof(gre), fp);
		fclose(fp);
	}
	return 0;
}
#endif
