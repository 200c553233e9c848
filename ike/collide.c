/* Collisions between IKE SAs with one peer:
 *
 * - Rekey collisions (RFC 7296 §2.8.1 CHILD, §2.8.2 IKE): the exchange
 *   holding the lowest of the four nonces wins (ike_collide_first_wins;
 *   child.c and rekey.c act on it).
 * - Duplicate IKE SAs from simultaneous initiation (DMVPN: two spokes
 *   resolve each other at once and both call ike_initiate). Rule, computed
 *   identically on both sides once both SAs are ESTABLISHED: among
 *   established SAs with the same remote address, profile and remote
 *   identity, the one with the numerically lowest (SPIi, SPIr) pair
 *   (SPIi first, then SPIr, as unsigned 64-bit big-endian numbers) survives.
 *   Every other one is deleted (INFORMATIONAL DELETE) by the side that
 *   initiated it; the other side only marks it and waits for that DELETE
 *   (deleting it itself after IKE_DOOM_TIMEOUT). child_down and ike_down
 *   report reason "duplicate" on both sides.
 * - Requests for IKE SAs we do not know (§2.21.4): an unprotected
 *   INFORMATIONAL response with INVALID_IKE_SPI, rate limited.
 * - INITIAL_CONTACT (§2.4): sent in IKE_AUTH only when we hold no other SA
 *   with that remote address; received, it closes (without a DELETE: the
 *   peer has forgotten them) every SA with the same remote identity and
 *   profile that was established before the new one began, i.e. the stale
 *   SAs of a peer that restarted. SAs begun around the same time
 *   (simultaneous initiation) are left to the duplicate rule above.
 */
#include "ike/sa_priv.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "config.h"
#include "lib/log.h"
#include "lib/writer.h"

#define INV_SPI_RATE  10.0 /* INVALID_IKE_SPI answers per second ... */
#define INV_SPI_BURST 10.0 /* ... with bursts of this many */

static int nonce_cmp(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

bool ike_collide_first_wins(const uint8_t *a1, size_t a1len, const uint8_t *a2, size_t a2len,
                            const uint8_t *b1, size_t b1len, const uint8_t *b2, size_t b2len)
{
	bool a = nonce_cmp(a1, a1len, a2, a2len) <= 0, b = nonce_cmp(b1, b1len, b2, b2len) <= 0;
	return nonce_cmp(a ? a1 : a2, a ? a1len : a2len, b ? b1 : b2, b ? b1len : b2len) < 0;
}

void ike_collide_doom(struct ikesa *sa, const char *reason, double now)
{
	if (reason)
		sa->lost_reason = reason;
	sa->ike_rekey_at = INFINITY;
	sa->doom_at = now + IKE_DOOM_TIMEOUT;
}

bool ike_collide_tick(struct ikesa *sa, double now)
{
	if (sa->doom_at > now)
		return false;
	sa->doom_at = INFINITY;
	if (sa->state != IKE_S_ESTABLISHED)
		return false;
	log_notice("ike %016" PRIx64 "_%016" PRIx64 ": the peer did not delete it (%s): deleting",
	           ike_spi_num(sa->spi_i), ike_spi_num(sa->spi_r),
	           sa->lost_reason ? sa->lost_reason : "superseded");
	ike_sa_delete(sa, now, sa->lost_reason ? sa->lost_reason : "superseded by a rekey");
	return true;
}

static bool candidate(const struct ikesa *sa)
{
	return sa->state == IKE_S_ESTABLISHED && !sa->superseded && !sa->lost_reason &&
	       !sa->pending_delete;
}

/* The same remote identity under the same profile. */
static bool same_identity(const struct ikesa *a, const struct ikesa *b)
{
	if (a->id_remote_len != b->id_remote_len ||
	    memcmp(a->id_remote, b->id_remote, a->id_remote_len) != 0)
		return false;
	if (a->prof == b->prof)
		return true;
	return a->prof && b->prof && a->prof->name && b->prof->name &&
	       !strcmp(a->prof->name, b->prof->name);
}

/* ... and at the same address. */
static bool same_peer(const struct ikesa *a, const struct ikesa *b)
{
	return ipaddr_eq(&a->remote, &b->remote) && same_identity(a, b);
}

/* Does a survive against b? The lowest (SPIi, SPIr). */
static bool keeps(const struct ikesa *a, const struct ikesa *b)
{
	uint64_t ai = ike_spi_num(a->spi_i), bi = ike_spi_num(b->spi_i);
	if (ai != bi)
		return ai < bi;
	return ike_spi_num(a->spi_r) < ike_spi_num(b->spi_r);
}

/* One duplicate pair resolved: true (the table may have changed). */
static bool resolve_one(struct ike_engine *e, double now)
{
	for (struct ikesa *a = ike_engine_first(e); a; a = ike_engine_next(e, a)) {
		if (!candidate(a))
			continue;
		for (struct ikesa *b = ike_engine_first(e); b; b = ike_engine_next(e, b)) {
			if (b == a || !candidate(b) || !same_peer(a, b))
				continue;
			struct ikesa *loser = keeps(a, b) ? b : a;
			const struct ikesa *winner = loser == a ? b : a;
			ike_ctr[IKE_CTR_DUPLICATE]++;
			log_info("ike %016" PRIx64 "_%016" PRIx64 ": duplicate of %016" PRIx64
			         "_%016" PRIx64 " (lower SPIs): %s",
			         ike_spi_num(loser->spi_i), ike_spi_num(loser->spi_r),
			         ike_spi_num(winner->spi_i), ike_spi_num(winner->spi_r),
			         loser->initiator ? "deleting it" : "the peer deletes it");
			if (loser->initiator) {
				loser->lost_reason = "duplicate";
				ike_sa_delete(loser, now, "duplicate"); /* may free it */
			} else {
				ike_collide_doom(loser, "duplicate", now);
			}
			return true;
		}
	}
	return false;
}

bool ike_collide_first_contact(const struct ikesa *sa)
{
	for (struct ikesa *o = ike_engine_first(sa->e); o; o = ike_engine_next(sa->e, o))
		if (o != sa && o->state != IKE_S_CLOSED && ipaddr_eq(&o->remote, &sa->remote))
			return false;
	return true;
}

void ike_collide_initial_contact(struct ikesa *sa)
{
	struct ike_engine *e = sa->e;
restart:
	for (struct ikesa *o = ike_engine_first(e); o; o = ike_engine_next(e, o)) {
		if (o == sa || o->state != IKE_S_ESTABLISHED || o->established_at <= 0 ||
		    o->established_at >= sa->created || !same_identity(o, sa))
			continue;
		ike_ctr[IKE_CTR_INITIAL_CONTACT]++;
		log_notice("ike %016" PRIx64 "_%016" PRIx64 ": peer sent INITIAL_CONTACT in "
		           "%016" PRIx64 "_%016" PRIx64 ": closing the old SA",
		           ike_spi_num(o->spi_i), ike_spi_num(o->spi_r), ike_spi_num(sa->spi_i),
		           ike_spi_num(sa->spi_r));
		ike_sa_close(o, "initial contact (peer restarted)");
		goto restart;
	}
}

void ike_collide_dups(struct ike_engine *e, double now)
{
	/* each round takes one SA out of the candidates: bounded */
	for (unsigned i = 0; i <= e->nsa && resolve_one(e, now); i++)
		;
}

void ike_collide_invalid_spi(struct ike_engine *e, const struct ipaddr *local,
                             const struct ipaddr *remote, uint16_t lport, uint16_t rport,
                             const struct ike_msg *m, double now)
{
	uint8_t buf[64];
	struct writer w;
	struct ike_builder b;

	/* only what looks like a protected request of an IKE SA */
	if (ike_hdr_is_response(&m->hdr) || m->sk < 0 || !m->hdr.ispi)
		return;
	e->inv_spi_tokens = fmin(INV_SPI_BURST, e->inv_spi_tokens + (now - e->inv_spi_at) * INV_SPI_RATE);
	e->inv_spi_at = now;
	if (e->inv_spi_tokens < 1.0) {
		log_rl(LOG_LVL_DEBUG, "ike: INVALID_IKE_SPI answer rate-limited");
		return;
	}
	e->inv_spi_tokens -= 1.0;
	struct ike_hdr h = {.ispi = m->hdr.ispi,
	                    .rspi = m->hdr.rspi,
	                    .exchange = IKE_INFORMATIONAL,
	                    .flags = IKE_FLAG_R | ((m->hdr.flags & IKE_FLAG_I) ? 0 : IKE_FLAG_I),
	                    .msgid = m->hdr.msgid};
	wr_init(&w, buf, sizeof(buf));
	ike_builder_init(&b, &w, &h);
	ike_notify_build(&b, 0, NULL, 0, IKE_N_INVALID_IKE_SPI, NULL, 0);
	int n = ike_builder_finish(&b);
	if (n < 0)
		return;
	log_rl(LOG_LVL_INFO, "ike: request for unknown IKE SA %016" PRIx64 "_%016" PRIx64
	       " answered with INVALID_IKE_SPI", m->hdr.ispi, m->hdr.rspi);
	ike_ctr[IKE_CTR_INVALID_SPI_SENT]++;
	ike_ctr[IKE_CTR_TX]++;
	e->ops.send(e->ctx, local, remote, lport, rport, buf, (size_t)n);
}
