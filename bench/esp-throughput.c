/* bench/esp-throughput: userspace ESP encap + decap of 1400-byte GRE packets
 * in one thread, for AES-256-GCM-16 and AES-128-CBC/HMAC-SHA2-256-128
 * (transport mode). Prints packets/s and Gbit/s of GRE payload for each.
 *
 *   bench/esp-throughput [seconds per suite, default 3] [packet bytes, default 1400]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "ike/sa.h"
#include "overlay/esp.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int run(const char *name, uint16_t encr, uint16_t bits, uint16_t integ, size_t enc_len,
               size_t integ_len, double secs, size_t len)
{
	struct ike_child_info c;
	struct esp_sa *out, *in;
	uint8_t buf[ESP_HEADROOM + 65536 + ESP_TAILROOM], *gre = buf + ESP_HEADROOM, *e, *g;
	size_t elen, glen;
	uint64_t n = 0;
	double t0, t1;

	memset(&c, 0, sizeof(c));
	c.id = 1;
	c.spi_in = c.spi_out = 0x1000;
	c.mode = IKE_MODE_TRANSPORT;
	c.suite.encr = encr;
	c.suite.encr_bits = bits;
	c.suite.integ = integ;
	c.enc_len = enc_len;
	c.integ_len = integ_len;
	for (size_t i = 0; i < sizeof(c.enc_in); i++)
		c.enc_in[i] = c.enc_out[i] = (uint8_t)i;
	for (size_t i = 0; i < sizeof(c.integ_in); i++)
		c.integ_in[i] = c.integ_out[i] = (uint8_t)(i * 3);
	ipaddr_parse(&c.local, "192.0.2.1");
	ipaddr_parse(&c.remote, "192.0.2.2");
	out = esp_sa_new(&c, false, 0);
	in = esp_sa_new(&c, true, 0);
	if (!out || !in) {
		fprintf(stderr, "%s: SA setup failed\n", name);
		return 1;
	}
	t0 = now_s();
	do {
		for (int k = 0; k < 1024; k++, n++) {
			memset(gre, 0x5a, len);
			if (esp_encap(out, gre, len, &e, &elen, 0) != ESP_OK ||
			    esp_decap(in, e, elen, &g, &glen, 0) != ESP_OK || glen != len) {
				fprintf(stderr, "%s: round trip failed at %llu\n", name,
				        (unsigned long long)n);
				return 1;
			}
		}
		t1 = now_s();
	} while (t1 - t0 < secs);
	printf("%-28s %5zu B  %10.0f packets/s  %6.3f Gbit/s  (encap+decap, %llu packets in %.2f s)\n",
	       name, len, (double)n / (t1 - t0), (double)n * (double)len * 8 / (t1 - t0) / 1e9,
	       (unsigned long long)n, t1 - t0);
	esp_sa_free(out);
	esp_sa_free(in);
	return 0;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 3;
	size_t len = argc > 2 ? (size_t)atol(argv[2]) : 1400;

	if (secs <= 0 || len < 4 || len > 65000) {
		fprintf(stderr, "usage: %s [seconds] [bytes]\n", argv[0]);
		return 2;
	}
	return run("aes256gcm16", IKE_ENCR_AES_GCM_16, 256, IKE_INTEG_NONE, 36, 0, secs, len) |
	       run("aes128-sha256 (cbc+hmac)", IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA2_256_128,
	           16, 32, secs, len);
}
