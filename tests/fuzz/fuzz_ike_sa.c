/* libFuzzer target: arbitrary IKE messages fed to the engine (ike/sa.h),
 * to a responder with no state, to an initiator waiting for its
 * IKE_SA_INIT response, and to both sides of a real half-done handshake
 * (SPIs patched in so the message reaches the SA). Modes 4-6 go past the
 * encryption: the input (first byte: exchange selector, second: first
 * payload type, rest: payload chain) is encrypted with the real keys of a
 * real SA as an IKE_AUTH request (4), as a request in an established SA
 * (5), or as the IKE_AUTH response to the initiator (6). First input byte
 * selects the mode. No crash, no leak. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ike/sa.h"
#include "ike/sa_priv.h" /* white box: encrypt fuzz input with real keys */
#include "lib/log.h"

struct cap {
	uint8_t buf[8192];
	size_t len;
	unsigned n;
};
static struct cap capA, capB;

static void f_send(void *ctx, const struct ipaddr *l, const struct ipaddr *r, uint16_t lp,
                   uint16_t rp, const uint8_t *buf, size_t len)
{
	struct cap *c = ctx;
	(void)l;
	(void)r;
	(void)lp;
	(void)rp;
	if (len <= sizeof(c->buf)) {
		memcpy(c->buf, buf, len);
		c->len = len;
	}
	c->n++;
}

static struct cfg_suite ike_s, esp_s;
static struct cfg_profile prof;
static char psk[] = "fuzz secret";

static void setup(void)
{
	static int done;
	char err[64];
	if (done)
		return;
	done = 1;
	log_init("fuzz", LOG_DEST_NONE, LOG_LVL_ERROR);
	cfg_suite_parse(&ike_s, "aes128-sha256-x25519", false, err, sizeof(err));
	cfg_suite_parse(&esp_s, "aes128-sha256", true, err, sizeof(err));
	prof.name = "fuzz";
	prof.auth = CFG_AUTH_PSK;
	prof.psk = psk;
	prof.psk_len = sizeof(psk) - 1;
	prof.proposal_suites = &ike_s;
	prof.n_proposals = 1;
	prof.esp_suites = &esp_s;
	prof.n_esp_proposals = 1;
	prof.has_dpd = true;
	prof.dpd_interval = 1;
	prof.dpd_retry_interval = 1;
	prof.dpd_retries = 2;
	prof.lifetime_child = 3600;
}

static const struct ike_ops opsA = {.send = f_send};

static void feed(struct ike_engine *e, const struct ipaddr *l, const struct ipaddr *r,
                 const uint8_t *d, size_t n, double now)
{
	ike_input(e, l, r, 500, 500, d, n, now);
	ike_tick(e, now + 100);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipaddr a, b;
	uint8_t msg[8192];

	setup();
	if (size < 1 || size > sizeof(msg))
		return 0;
	ipaddr_parse(&a, "198.18.0.1");
	ipaddr_parse(&b, "198.18.0.2");
	uint8_t mode = data[0] % 7;
	data++;
	size--;
	memcpy(msg, data, size);
	struct ike_engine_conf conf = {.profile = &prof, .cookie_threshold = (mode == 3) ? 1 : 0};
	static const uint8_t exch[4] = {IKE_INFORMATIONAL, IKE_CREATE_CHILD_SA, IKE_AUTH,
	                                IKE_INFORMATIONAL};
	struct ike_engine *A = ike_engine_new(&opsA, &capA, &conf);
	struct ike_engine *B = ike_engine_new(&opsA, &capB, &conf);
	memset(&capA, 0, sizeof(capA));
	memset(&capB, 0, sizeof(capB));
	if (!A || !B)
		goto out;
	switch (mode) {
	case 0: /* stateless responder */
	case 3: /* responder under cookie pressure */
		feed(B, &b, &a, msg, size, 1.0);
		break;
	case 1: /* initiator waiting for the IKE_SA_INIT response */
		if (!ike_initiate(A, &prof, &a, &b, 0.0))
			break;
		if (size >= 8)
			memcpy(msg, capA.buf, 8); /* our SPIi */
		feed(A, &a, &b, msg, size, 0.5);
		break;
	case 2: { /* real IKE_SA_INIT, then the input to both sides */
		if (!ike_initiate(A, &prof, &a, &b, 0.0))
			break;
		ike_input(B, &b, &a, 500, 500, capA.buf, capA.len, 0.1);
		ike_input(A, &a, &b, 500, 500, capB.buf, capB.len, 0.2);
		/* A is in AUTH_SENT now; capA holds its IKE_AUTH request */
		if (size >= 16)
			memcpy(msg, capA.buf, 16); /* both SPIs */
		ike_input(B, &b, &a, 4500, 4500, msg, size, 0.3);
		feed(A, &a, &b, msg, size, 0.4);
		break;
	}
	case 4:
	case 5:
	case 6: { /* encrypted with the real keys */
		if (size < 2 || !ike_initiate(A, &prof, &a, &b, 0.0))
			break;
		ike_input(B, &b, &a, 500, 500, capA.buf, capA.len, 0.1);
		ike_input(A, &a, &b, 500, 500, capB.buf, capB.len, 0.2);
		struct ikesa *sa = ike_engine_first(A), *sb = ike_engine_first(B);
		if (!sa || !sb)
			break;
		if (mode == 5) { /* complete the handshake first */
			ike_input(B, &b, &a, 4500, 4500, capA.buf, capA.len, 0.3);
			ike_input(A, &a, &b, 4500, 4500, capB.buf, capB.len, 0.4);
			if (ike_sa_state(sa) != IKE_S_ESTABLISHED)
				break;
		}
		uint8_t out[8192 + 128];
		int n;
		if (mode == 6) /* the responder's keys, as its IKE_AUTH answer */
			n = ike_sa_build_sk(sb, IKE_AUTH, true, 1, msg[1], msg + 2, size - 2, out,
			                    sizeof(out));
		else
			n = ike_sa_build_sk(sa, mode == 4 ? IKE_AUTH : exch[msg[0] >> 6],
			                    false, mode == 4 ? 1 : sa->mid_next, msg[1], msg + 2,
			                    size - 2, out, sizeof(out));
		if (n > 0) {
			if (mode == 6)
				feed(A, &a, &b, out, (size_t)n, 0.5);
			else
				feed(B, &b, &a, out, (size_t)n, 0.5);
		}
		break;
	}
	}
out:
	ike_engine_free(A);
	ike_engine_free(B);
	return 0;
}
