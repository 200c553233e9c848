/* Peer table: reference-counted peers hashed by (interface, NBMA) and by
 * MAC index, with one state setter that logs and notifies listeners.
 * See overlay/peer.h. */
#include <stdlib.h>
#include <string.h>

#include "lib/addr.h"
#include "lib/log.h"
#include "overlay/peer.h"

#define PEER_HASH_SIZE 256u
#define PEER_LISTENERS_MAX 16
#define PEER_IDX_MAX 0xffffffffu

static struct peer *by_nbma[PEER_HASH_SIZE];
static struct peer *by_idx[PEER_HASH_SIZE];
static uint32_t next_idx = 1;
static unsigned n_peers;

struct listener {
	peer_listener_fn fn;
	void *ctx;
};
static struct listener listeners[PEER_LISTENERS_MAX];
static unsigned n_listeners;

static const char *const state_names[PEER_STATE_MAX_] = { "down", "connecting", "up" };
static const char *const type_names[PEER_TYPE_MAX_] = { "nhs", "dynamic", "shortcut", "static" };

const char *peer_state_name(enum peer_state s)
{
	return (unsigned)s < PEER_STATE_MAX_ ? state_names[s] : "unknown";
}

const char *peer_type_name(enum peer_type t)
{
	return (unsigned)t < PEER_TYPE_MAX_ ? type_names[t] : "unknown";
}

static unsigned hash_nbma(const struct ovl_if *oif, const struct ipaddr *nbma)
{
	uint32_t h = 2166136261u;
	uintptr_t o = (uintptr_t)oif;
	for (unsigned i = 0; i < sizeof(o); i++) {
		h ^= (uint8_t)(o >> (8 * i));
		h *= 16777619u;
	}
	h ^= nbma->family;
	h *= 16777619u;
	for (unsigned i = 0; i < nbma->len && i < sizeof(nbma->b); i++) {
		h ^= nbma->b[i];
		h *= 16777619u;
	}
	return h % PEER_HASH_SIZE;
}

static unsigned hash_idx(uint32_t idx)
{
	return (idx * 2654435761u) >> 24;
}

struct peer *peer_find(const struct ovl_if *oif, const struct ipaddr *nbma)
{
	if (!nbma)
		return NULL;
	for (struct peer *p = by_nbma[hash_nbma(oif, nbma)]; p; p = p->next)
		if (p->oif == oif && ipaddr_eq(&p->nbma, nbma))
			return p;
	return NULL;
}

struct peer *peer_find_idx(uint32_t idx)
{
	for (struct peer *p = by_idx[hash_idx(idx) % PEER_HASH_SIZE]; p; p = p->next_idx)
		if (p->idx == idx)
			return p;
	return NULL;
}

static uint32_t idx_alloc(void)
{
	/* Monotonic; after a wrap, skip indexes still in use. */
	for (;;) {
		uint32_t i = next_idx++;
		if (next_idx == 0 || next_idx > PEER_IDX_MAX - 1)
			next_idx = 1;
		if (i != 0 && !peer_find_idx(i))
			return i;
	}
}

/* Precedence for a peer used for several reasons: NHS > STATIC > DYNAMIC > SHORTCUT. */
static int type_rank(enum peer_type t)
{
	switch (t) {
	case PEER_T_NHS:
		return 4;
	case PEER_T_STATIC:
		return 3;
	case PEER_T_DYNAMIC:
		return 2;
	case PEER_T_SHORTCUT:
		return 1;
	default:
		return 0;
	}
}

struct peer *peer_get(struct ovl_if *oif, const struct ipaddr *nbma, enum peer_type type)
{
	if (!nbma || !ipaddr_is_set(nbma))
		return NULL;
	struct peer *p = peer_find(oif, nbma);
	if (p) {
		if (type_rank(type) > type_rank(p->type))
			p->type = type;
		p->refcnt++;
		return p;
	}
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->oif = oif;
	p->nbma = *nbma;
	p->type = type;
	p->state = PEER_DOWN;
	p->created = p->state_since = mono_now();
	p->keepalive_rtt_ms = -1;
	ka_entry_init(&p->ka);
	p->ike_state = "none";
	p->refcnt = 1;
	p->idx = idx_alloc();
	unsigned h = hash_nbma(oif, nbma);
	p->next = by_nbma[h];
	by_nbma[h] = p;
	unsigned hi = hash_idx(p->idx) % PEER_HASH_SIZE;
	p->next_idx = by_idx[hi];
	by_idx[hi] = p;
	n_peers++;
	return p;
}

struct peer *peer_ref(struct peer *p)
{
	if (p)
		p->refcnt++;
	return p;
}

static void unlink_peer(struct peer *p)
{
	struct peer **pp;
	for (pp = &by_nbma[hash_nbma(p->oif, &p->nbma)]; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	for (pp = &by_idx[hash_idx(p->idx) % PEER_HASH_SIZE]; *pp; pp = &(*pp)->next_idx)
		if (*pp == p) {
			*pp = p->next_idx;
			break;
		}
	n_peers--;
}

void peer_put(struct peer *p)
{
	if (!p)
		return;
	if (p->refcnt > 1) {
		p->refcnt--;
		return;
	}
	/* Keep the reference across the listeners so none of them frees it. */
	peer_set_state(p, PEER_DOWN, "released");
	if (--p->refcnt > 0)
		return; /* a listener took a reference */
	unlink_peer(p);
	free(p);
}

enum peer_state peer_set_state(struct peer *p, enum peer_state s, const char *reason)
{
	enum peer_state old = p->state;
	if (old == s || (unsigned)s >= PEER_STATE_MAX_)
		return old;
	char buf[ADDR_STRLEN];
	log_info("peer %s: %s -> %s (%s)", ipaddr_fmt(&p->nbma, buf, sizeof(buf)),
		 peer_state_name(old), peer_state_name(s), reason ? reason : "");
	p->state = s;
	p->state_since = mono_now();
	p->refcnt++;
	for (unsigned i = 0; i < n_listeners; i++)
		listeners[i].fn(p, old, listeners[i].ctx);
	p->refcnt--;
	return old;
}

int peer_listener_add(peer_listener_fn fn, void *ctx)
{
	if (!fn || n_listeners >= PEER_LISTENERS_MAX)
		return -1;
	listeners[n_listeners].fn = fn;
	listeners[n_listeners].ctx = ctx;
	n_listeners++;
	return 0;
}

void peer_listener_del(peer_listener_fn fn, void *ctx)
{
	for (unsigned i = 0; i < n_listeners; i++) {
		if (listeners[i].fn == fn && listeners[i].ctx == ctx) {
			memmove(&listeners[i], &listeners[i + 1],
				(n_listeners - i - 1) * sizeof(listeners[0]));
			n_listeners--;
			return;
		}
	}
}

void peer_walk(const struct ovl_if *oif, peer_walk_fn fn, void *ctx)
{
	/* Collect first so fn may drop references (and free peers). */
	unsigned n = 0, cap = n_peers;
	if (!cap)
		return;
	struct peer **v = calloc(cap, sizeof(*v));
	if (!v)
		return;
	for (unsigned h = 0; h < PEER_HASH_SIZE; h++)
		for (struct peer *p = by_nbma[h]; p && n < cap; p = p->next)
			if (!oif || p->oif == oif)
				v[n++] = peer_ref(p);
	for (unsigned i = 0; i < n; i++)
		fn(v[i], ctx);
	for (unsigned i = 0; i < n; i++)
		peer_put(v[i]);
	free(v);
}

void peer_foreach(const struct ovl_if *oif, peer_walk_fn fn, void *ctx)
{
	for (unsigned h = 0; h < PEER_HASH_SIZE; h++)
		for (struct peer *p = by_nbma[h]; p; p = p->next)
			if (!oif || p->oif == oif)
				fn(p, ctx);
}

unsigned peer_count(const struct ovl_if *oif)
{
	if (!oif)
		return n_peers;
	unsigned n = 0;
	for (unsigned h = 0; h < PEER_HASH_SIZE; h++)
		for (struct peer *p = by_nbma[h]; p; p = p->next)
			if (p->oif == oif)
				n++;
	return n;
}
