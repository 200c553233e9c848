/* libFuzzer target: ike_sk_locate / ike_sk_decrypt over arbitrary messages
 * with fixed keys for every supported suite, plus an encrypt/decrypt round
 * trip of whatever decrypts.
 *
 * Input: one selector byte, then the IKE message.
 *   selector & 0x1f: key set (mod the table size)
 *   selector & 0x20: IKE_SK_NO_ICV_CHECK (reaches the padding checks)
 *   selector & 0x40: overwrite the header length with the real length
 *   selector & 0x80: output buffer of half the message size
 * The first key sets are the Wireshark vectors' keys (initiator direction
 * first, then responder), so the seeds in seeds/fuzz_sk/ (messages from
 * those captures, prefixed with their selector) decrypt with a valid ICV.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ike/crypto.h"
#include "ike/sk.h"
#include "lib/util.h"
#include "lib/writer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct {
	struct ike_suite s;
	const char *ke, *ka;
} sets[] = {
    /* ikev2-decrypt-3des-sha1_160: I, R */
    {{IKE_ENCR_3DES, 0, IKE_INTEG_HMAC_SHA1_160, 0, 0},
     "2e0e194070fc658c2bfbfdbf8b956be4b2eaa33d02a43cca",
     "c96f5bad08aebbff60509c7495f11c183818b916"},
    {{IKE_ENCR_3DES, 0, IKE_INTEG_HMAC_SHA1_160, 0, 0},
     "219f3080e631774b8d5836d3a675b099b1e271c9bdcf6e15",
     "e742ac415cdfdd709c9de92769a169e0a5224f79"},
    /* aes128ccm12 */
    {{IKE_ENCR_AES_CCM_12, 128, 0, 0, 0}, "be83fe15f6a9976941870830fe26c014b863b3", ""},
    {{IKE_ENCR_AES_CCM_12, 128, 0, 0, 0}, "79e0f4476861a76e64329e787b1c4ff38d732f", ""},
    /* aes192ctr + HMAC_SHA2_512_256 */
    {{IKE_ENCR_AES_CTR, 192, IKE_INTEG_HMAC_SHA2_512_256, 0, 0},
     "aaa06839eaf0959d486eeecda7a48b23080963b5fd7217928e8fbf58",
     "65777be31ee2137f31cf23fa0ee834dfede11cc0adc9a84541026642c09df2bf96056a2036e97a67ce7d3c5b6"
     "f37e17e8fe64f4ef23e14f5997fb7671df3adaf"},
    {{IKE_ENCR_AES_CTR, 192, IKE_INTEG_HMAC_SHA2_512_256, 0, 0},
     "92dc96ec87076caa84e26b3621c7c469427e2e4bcc1b962362a3dde3",
     "42abd4709f1b94fd8c2270c74aae3fbe61c0b9c109c55f3e3b9ed7e480bc75c3985c15234caa623c8ca0606c3"
     "03921d7cfd44861df1e798370b2ee95fe712e52"},
    /* aes256cbc + HMAC_SHA2_256_128 */
    {{IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128, 0, 0},
     "9096ddd2933620e8f48122c53a3f562cb0222c1cf97ce41fcc874ea2582a89ac",
     "12d532c3e83c757906af548dfe1ccf223ca5507af77898454e2d55c8ace57a17"},
    {{IKE_ENCR_AES_CBC, 256, IKE_INTEG_HMAC_SHA2_256_128, 0, 0},
     "6718c6b2bbef2f234eac4c13832f885d87b574afd2af0111161e99b5dc61b4d4",
     "30c4ead18c93024b58a86c1e3db60f550221801026853170b4cb0248d3a95329"},
    /* aes256ccm16 */
    {{IKE_ENCR_AES_CCM_16, 256, 0, 0, 0},
     "daa0a85a81e6adda7b8c568f1c4cfaa6e9f9edb242e9895f012caaa642eacf4d004903",
     ""},
    {{IKE_ENCR_AES_CCM_16, 256, 0, 0, 0},
     "e02281ba4bb8ed20321faff956b95ce7f841b3039984dad4ed4625e77743fce4a04f32",
     ""},
    /* aes256gcm8 */
    {{IKE_ENCR_AES_GCM_8, 256, 0, 0, 0},
     "91b817d036d97db3ace64475cd8d1cbeab186295020211a9cf0c16cec10b92b453ecd24e",
     ""},
    {{IKE_ENCR_AES_GCM_8, 256, 0, 0, 0},
     "d04516586721974d970627d85f7d031433b6558c0ec6faecf9217e5445e17e7eeee6bc68",
     ""},
    /* aes256gcm16 */
    {{IKE_ENCR_AES_GCM_16, 256, 0, 0, 0},
     "647075bf167447a1c8683e8dbe4794b4cfe73799cc6bec34905441159ce13705c8dfb3a9",
     ""},
    {{IKE_ENCR_AES_GCM_16, 256, 0, 0, 0},
     "15c9eae6f94631d63068bf44bb69999abc07b3d15e915fd8f0ed99ad481efd75deb02a5e",
     ""},
    /* suites no capture covers: fixed keys from a pattern */
    {{IKE_ENCR_AES_CBC, 128, IKE_INTEG_HMAC_SHA1_96, 0, 0}, NULL, NULL},
    {{IKE_ENCR_AES_CBC, 192, IKE_INTEG_HMAC_SHA2_384_192, 0, 0}, NULL, NULL},
    {{IKE_ENCR_AES_CTR, 256, IKE_INTEG_HMAC_SHA1_96, 0, 0}, NULL, NULL},
    {{IKE_ENCR_AES_CTR, 128, IKE_INTEG_HMAC_SHA2_256_128, 0, 0}, NULL, NULL},
    {{IKE_ENCR_AES_CCM_8, 192, 0, 0, 0}, NULL, NULL},
    {{IKE_ENCR_AES_GCM_12, 128, 0, 0, 0}, NULL, NULL},
};

#define NSETS ARRAY_SIZE(sets)

static struct ike_sk_ctx ctxs[NSETS];

static void setup(void)
{
	for (size_t i = 0; i < NSETS; i++) {
		struct ike_suite_sizes z;
		uint8_t ke[IKE_ENCR_KEY_MAX], ka[IKE_INTEG_KEY_MAX];
		if (ike_suite_sizes(&sets[i].s, &z) < 0)
			abort();
		for (size_t j = 0; j < sizeof(ke); j++)
			ke[j] = (uint8_t)(i * 31 + j);
		for (size_t j = 0; j < sizeof(ka); j++)
			ka[j] = (uint8_t)(i * 17 + j * 3);
		if (sets[i].ke) {
			hex_decode(sets[i].ke, ke, sizeof(ke));
			hex_decode(sets[i].ka, ka, sizeof(ka));
		}
		if (ike_sk_ctx_init(&ctxs[i], &sets[i].s, ke, z.encr_key, ka, z.integ_key) !=
		    IKE_SK_OK)
			abort();
	}
}

static uint8_t msg[65536 + 64], out[65536], again[65536];
static uint8_t built[65536 + 1024];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct ike_sk_loc loc;
	size_t n = 0;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 1 || size - 1 > 65536)
		return 0;
	uint8_t sel = data[0];
	const struct ike_sk_ctx *ctx = &ctxs[(sel & 0x1f) % NSETS];
	size_t len = size - 1;
	memcpy(msg, data + 1, len);
	if ((sel & 0x40) && len >= 28) {
		msg[24] = (uint8_t)(len >> 24);
		msg[25] = (uint8_t)(len >> 16);
		msg[26] = (uint8_t)(len >> 8);
		msg[27] = (uint8_t)len;
	}
	int lrc = ike_sk_locate(msg, len, &loc);
	if (lrc == IKE_SK_OK && (loc.iv_off > len || loc.off + 4 > loc.iv_off))
		abort();
	size_t cap = (sel & 0x80) ? len / 2 : sizeof(out);
	unsigned flags = (sel & 0x20) ? IKE_SK_NO_ICV_CHECK : 0;
	int rc = ike_sk_decrypt(ctx, msg, len, out, cap, &n, flags);
	if (rc != IKE_SK_OK) {
		if (n != 0 || !ike_sk_strerror(rc))
			abort();
		return 0;
	}
	if (lrc != IKE_SK_OK || n >= len || n > cap)
		abort();

	/* round trip: re-encrypt the plaintext behind the same header */
	struct writer w;
	size_t n2 = 0;
	wr_init(&w, built, sizeof(built));
	wr_bytes(&w, msg, 16);
	wr_u8(&w, 0);
	wr_bytes(&w, msg + 17, 7);
	wr_be32(&w, 0);
	if (loc.type == IKE_SK_PT_SKF)
		rc = ike_skf_encrypt(ctx, &w, loc.first, loc.frag_num, loc.frag_total, out, n);
	else
		rc = ike_sk_encrypt(ctx, &w, loc.first, out, n);
	if (rc != IKE_SK_OK)
		abort();
	rc = ike_sk_decrypt(ctx, built, wr_len(&w), again, sizeof(again), &n2, 0);
	if (rc != IKE_SK_OK || n2 != n || memcmp(again, out, n) != 0)
		abort();
	return 0;
}
