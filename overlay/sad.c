/* The SA database: every ESP SA of the daemon, two per CHILD SA.
 *
 * Inbound SAs are found by SPI in a chained hash table; outbound SAs by the
 * peer's NBMA address in a second table whose chains keep the newest
 * install first, so that after a rekey the new outbound SA is used at once
 * while the old pair stays installed (and keeps decrypting) until its CHILD
 * is deleted: make-before-break. Deleting the newest CHILD falls back to
 * the previous one. Both tables double when they fill up; nothing is
 * allocated on the packet path.
 */
#include <stdlib.h>
#include <string.h>

#include "ike/sa.h"
#include "lib/log.h"
#include "overlay/esp.h"

#define SAD_BUCKETS_MIN 64

struct sad_child {
	uint32_t id;
	struct esp_sa *in, *out;
	struct sad_child *next;      /* all children, newest first */
	struct sad_child *next_in;   /* hash chain by inbound SPI */
	struct sad_child *next_out;  /* hash chain by remote, newest first */
	bool soft_told, hard_told;   /* sad_expire reported this level */
};

struct sad {
	struct sad_child *children;
	struct sad_child **by_spi, **by_remote;
	size_t nbuckets; /* power of two, both tables */
	size_t nchildren;
};

static uint32_t sad_hash32(uint32_t x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

static size_t sad_spi_slot(const struct sad *sad, uint32_t spi)
{
	return sad_hash32(spi) & (sad->nbuckets - 1);
}

static size_t sad_remote_slot(const struct sad *sad, const struct ipaddr *a)
{
	uint32_t h = 2166136261u; /* FNV-1a over family and address */

	h = (h ^ a->family) * 16777619u;
	for (size_t i = 0; i < a->len && i < sizeof(a->b); i++)
		h = (h ^ a->b[i]) * 16777619u;
	return sad_hash32(h) & (sad->nbuckets - 1);
}

struct sad *sad_new(void)
{
	struct sad *sad = calloc(1, sizeof(*sad));

	if (!sad)
		return NULL;
	sad->nbuckets = SAD_BUCKETS_MIN;
	sad->by_spi = calloc(sad->nbuckets, sizeof(*sad->by_spi));
	sad->by_remote = calloc(sad->nbuckets, sizeof(*sad->by_remote));
	if (!sad->by_spi || !sad->by_remote) {
		sad_free(sad);
		return NULL;
	}
	return sad;
}

static void sad_child_free(struct sad_child *ch)
{
	esp_sa_free(ch->in);
	esp_sa_free(ch->out);
	free(ch);
}

void sad_free(struct sad *sad)
{
	struct sad_child *ch, *next;

	if (!sad)
		return;
	for (ch = sad->children; ch; ch = next) {
		next = ch->next;
		sad_child_free(ch);
	}
	free(sad->by_spi);
	free(sad->by_remote);
	free(sad);
}

static void sad_link(struct sad *sad, struct sad_child *ch)
{
	size_t s = sad_spi_slot(sad, esp_sa_spi(ch->in));
	size_t r = sad_remote_slot(sad, esp_sa_remote(ch->out));

	ch->next_in = sad->by_spi[s];
	sad->by_spi[s] = ch;
	ch->next_out = sad->by_remote[r];
	sad->by_remote[r] = ch;
}

static void sad_append(struct sad_child **pp, struct sad_child *ch, bool in)
{
	while (*pp)
		pp = in ? &(*pp)->next_in : &(*pp)->next_out;
	*pp = ch;
}

/* Rebuilds both tables with n buckets. sad->children is newest first, so
 * appending keeps the remote chains newest first. */
static int sad_rehash(struct sad *sad, size_t n)
{
	struct sad_child **in = calloc(n, sizeof(*in)), **out = calloc(n, sizeof(*out));

	if (!in || !out) {
		free(in);
		free(out);
		return -1;
	}
	free(sad->by_spi);
	free(sad->by_remote);
	sad->by_spi = in;
	sad->by_remote = out;
	sad->nbuckets = n;
	for (struct sad_child *ch = sad->children; ch; ch = ch->next) {
		ch->next_in = ch->next_out = NULL;
		sad_append(&in[sad_spi_slot(sad, esp_sa_spi(ch->in))], ch, true);
		sad_append(&out[sad_remote_slot(sad, esp_sa_remote(ch->out))], ch, false);
	}
	return 0;
}

int sad_add_child(struct sad *sad, const struct ike_child_info *c, double now)
{
	struct sad_child *ch;

	for (ch = sad->children; ch; ch = ch->next)
		if (ch->id == c->id) {
			log_warn("sad: child %u already installed", c->id);
			return -1;
		}
	if (sad_lookup_in(sad, c->spi_in)) {
		log_warn("sad: child %u: inbound SPI %08x already in use", c->id, c->spi_in);
		return -1;
	}
	if (sad->nchildren + 1 > sad->nbuckets && sad_rehash(sad, sad->nbuckets * 2) < 0)
		return -1;
	ch = calloc(1, sizeof(*ch));
	if (!ch)
		return -1;
	ch->id = c->id;
	ch->in = esp_sa_new(c, true, now);
	ch->out = ch->in ? esp_sa_new(c, false, now) : NULL;
	if (!ch->out) {
		sad_child_free(ch);
		return -1;
	}
	ch->next = sad->children;
	sad->children = ch;
	sad_link(sad, ch);
	sad->nchildren++;
	return 0;
}

void sad_set_limits(struct sad *sad, uint32_t child_id, uint64_t bytes, uint64_t packets)
{
	for (struct sad_child *ch = sad->children; ch; ch = ch->next)
		if (ch->id == child_id) {
			esp_sa_set_limits(ch->in, bytes, packets);
			esp_sa_set_limits(ch->out, bytes, packets);
			return;
		}
}

void sad_del_child(struct sad *sad, uint32_t child_id)
{
	struct sad_child **pp, *ch;

	for (pp = &sad->children; *pp && (*pp)->id != child_id; pp = &(*pp)->next)
		;
	if (!(ch = *pp))
		return;
	*pp = ch->next;
	for (pp = &sad->by_spi[sad_spi_slot(sad, esp_sa_spi(ch->in))]; *pp != ch;
	     pp = &(*pp)->next_in)
		;
	*pp = ch->next_in;
	for (pp = &sad->by_remote[sad_remote_slot(sad, esp_sa_remote(ch->out))]; *pp != ch;
	     pp = &(*pp)->next_out)
		;
	*pp = ch->next_out;
	sad->nchildren--;
	sad_child_free(ch);
}

struct esp_sa *sad_lookup_in(const struct sad *sad, uint32_t spi)
{
	for (struct sad_child *ch = sad->by_spi[sad_spi_slot(sad, spi)]; ch; ch = ch->next_in)
		if (esp_sa_spi(ch->in) == spi)
			return ch->in;
	return NULL;
}

/* Make-before-break without loss: a new CHILD's outbound SA is used once
 * the peer has been heard on its inbound SA (so the peer has it installed;
 * strongSwan's rekey initiator installs its inbound side only when our
 * answer arrives), or when it is the only one left for the remote (the old
 * CHILD was deleted). Until then the older pair keeps carrying traffic. */
static bool sad_out_ready(const struct sad_child *ch)
{
	struct esp_sa_stats st;

	esp_sa_get_stats(ch->in, &st);
	return st.packets > 0;
}

struct esp_sa *sad_lookup_out(const struct sad *sad, const struct ipaddr *remote)
{
	struct sad_child *first = NULL;

	for (struct sad_child *ch = sad->by_remote[sad_remote_slot(sad, remote)]; ch;
	     ch = ch->next_out) {
		if (!ipaddr_eq(esp_sa_remote(ch->out), remote))
			continue;
		if (sad_out_ready(ch))
			return ch->out;
		if (!first)
			first = ch; /* newest */
	}
	/* Nothing heard on any: the newest (a fresh CHILD, or the peer silent). */
	return first ? first->out : NULL;
}

void sad_walk(const struct sad *sad, void (*fn)(const struct esp_sa *sa, void *arg), void *arg)
{
	struct sad_child *ch, *next;

	for (ch = sad->children; ch; ch = next) {
		next = ch->next;
		fn(ch->in, arg);
		fn(ch->out, arg);
	}
}

/* fn may delete children (a hard expiry usually does): after each call the
 * scan starts again; the told flags make it finish. */
void sad_expire(struct sad *sad, double now, void (*fn)(void *arg, uint32_t child_id, bool hard),
                void *arg)
{
	struct sad_child *ch;
	enum esp_expiry e, eo;

restart:
	for (ch = sad->children; ch; ch = ch->next) {
		e = esp_sa_expired(ch->in, now);
		eo = esp_sa_expired(ch->out, now);
		e = eo > e ? eo : e;
		if (e == ESP_HARD && !ch->hard_told) {
			ch->hard_told = ch->soft_told = true;
			fn(arg, ch->id, true);
			goto restart;
		}
		if (e == ESP_SOFT && !ch->soft_told) {
			ch->soft_told = true;
			fn(arg, ch->id, false);
			goto restart;
		}
	}
}

size_t sad_count(const struct sad *sad)
{
	return sad->nchildren * 2;
}
