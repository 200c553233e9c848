/* IKE fragmentation (RFC 7383), receiving side: each Encrypted Fragment
 * (SKF) is authenticated and decrypted on arrival, kept until all of one
 * message's fragments are in, then the plaintexts are joined into the inner
 * payload chain the message would have carried in one SK payload.
 *
 * Limits: IKE_FRAG_MAX fragments and IKE_MSG_MAX bytes of plaintext per
 * message; one message in reassembly per SA (window size 1). A fragment
 * that does not verify is dropped without touching the others (§2.6). */
#include "ike/sa_priv.h"

#include <stdlib.h>
#include <string.h>

#include "lib/log.h"
#include "lib/util.h"

void ike_frag_clear(struct ikesa *sa)
{
	struct ike_frags *f = &sa->frags;
	for (unsigned i = 0; i <= IKE_FRAG_MAX; i++) {
		if (f->p[i]) {
			secure_zero(f->p[i], f->len[i]);
			free(f->p[i]);
		}
	}
	memset(f, 0, sizeof(*f));
}

int ike_frag_input(struct ikesa *sa, const struct ike_msg *m, const uint8_t *msg, size_t len,
                   uint8_t *out, size_t cap, size_t *outlen, uint8_t *first)
{
	struct ike_frags *f = &sa->frags;
	struct ike_sk_loc loc;
	uint8_t plain[IKE_MSG_MAX];
	size_t plen = 0;
	bool response = ike_hdr_is_response(&m->hdr);

	if (!sa->keys || ike_sk_locate(msg, len, &loc) != IKE_SK_OK || loc.type != IKE_SK_PT_SKF ||
	    loc.frag_total == 0 || loc.frag_total > IKE_FRAG_MAX || loc.frag_num == 0 ||
	    loc.frag_num > loc.frag_total) {
		ike_ctr[IKE_CTR_DROP_PARSE]++;
		return -1;
	}
	if (ike_sk_decrypt(&sa->sk_in, msg, len, plain, sizeof(plain), &plen, 0) != IKE_SK_OK) {
		ike_ctr[IKE_CTR_DROP_DECRYPT]++;
		return -1;
	}
	/* a fragment of another message (or a new fragmentation of the same
	 * one with another total) starts over */
	if (f->total && (f->mid != m->hdr.msgid || f->response != response ||
	                 f->exchange != m->hdr.exchange || f->total != loc.frag_total))
		ike_frag_clear(sa);
	if (!f->total) {
		f->mid = m->hdr.msgid;
		f->response = response;
		f->exchange = m->hdr.exchange;
		f->total = loc.frag_total;
	}
	unsigned n = loc.frag_num;
	if (f->p[n]) {
		secure_zero(plain, plen);
		return 0; /* duplicate */
	}
	if (f->bytes + plen > cap || !(f->p[n] = malloc(plen ? plen : 1))) {
		ike_frag_clear(sa);
		secure_zero(plain, plen);
		ike_ctr[IKE_CTR_DROP_PARSE]++;
		return -1;
	}
	memcpy(f->p[n], plain, plen);
	f->len[n] = plen;
	f->bytes += plen;
	f->have++;
	if (n == 1)
		f->first = loc.first;
	secure_zero(plain, plen);
	if (f->have < f->total)
		return 0;
	size_t off = 0;
	for (unsigned i = 1; i <= f->total; i++) {
		memcpy(out + off, f->p[i], f->len[i]);
		off += f->len[i];
	}
	*outlen = off;
	*first = f->first;
	log_debug("ike: reassembled %u fragments (%zu bytes)", f->total, off);
	ike_frag_clear(sa);
	return 1;
}
