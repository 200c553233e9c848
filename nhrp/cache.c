/* NHRP cache: protocol prefix -> NBMA bindings (local, static, nhs, dynamic,
 * cached, incomplete, negative), each holding a reference on its peer, with
 * expiry. Removing an entry withdraws what was installed through it. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "nhrp/engine_int.h"

static const char *const type_names[NC_TYPE_MAX_] = {
	"local", "static", "nhs", "dynamic", "cached", "incomplete", "negative",
};

const char *nhrp_cache_type_name(enum nhrp_cache_type t)
{
	return (unsigned)t < NC_TYPE_MAX_ ? type_names[t] : "unknown";
}

void nhrp_prefix_host(struct prefix *p, const struct ipaddr *a)
{
	memset(p, 0, sizeof(*p));
	p->addr = *a;
	p->plen = (uint8_t)(a->len * 8);
}

struct nhrp_cache *nhrp_cache_new(struct nhrp_if *nif, enum nhrp_cache_type t,
				  const struct prefix *proto, double now)
{
	char b[PREFIX_STRLEN];
	if (nif->n_cache >= NHRP_CACHE_MAX) {
		nif->ctr.cache_full++;
		log_rl(LOG_LVL_WARNING, "nhrp %s: cache full, %s not added", nif->name,
		       prefix_fmt(proto, b, sizeof(b)));
		return NULL;
	}
	struct nhrp_cache *c = calloc(1, sizeof(*c));
	if (!c) {
		nif->ctr.cache_full++;
		return NULL;
	}
	c->type = t;
	c->proto = *proto;
	prefix_normalize(&c->proto);
	c->created = now;
	c->next = nif->cache;
	nif->cache = c;
	nif->n_cache++;
	return c;
}

int nhrp_cache_bind(struct nhrp_if *nif, struct nhrp_cache *c, const struct ipaddr *nbma,
		    enum peer_type pt)
{
	struct peer *p = peer_get(nif->oif, nbma, pt);
	if (!p)
		return -1;
	if (c->peer)
		peer_put(c->peer);
	c->peer = p;
	if (ipaddr_is_set(&c->via)) {
		if (c->via.family == AF_INET6)
			p->tunnel6 = c->via;
		else
			p->tunnel4 = c->via;
	}
	return 0;
}

static void unlink_entry(struct nhrp_if *nif, struct nhrp_cache *c)
{
	for (struct nhrp_cache **pp = &nif->cache; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			nif->n_cache--;
			return;
		}
	}
}

/* Withdraws what the entry installed and, on the hub, purges whoever
 * resolved it through us. */
static void withdraw(struct nhrp_if *nif, struct nhrp_cache *c, bool purge, double now)
{
	if (c->route && nif->ops.route_del) {
		nif->ops.route_del(nif->ops.ctx, &c->proto, &c->via);
		c->route = false;
	}
	if (c->peer && ipaddr_is_set(&c->via) && nif->ops.neigh_update &&
	    (c->type == NC_DYNAMIC || c->type == NC_CACHED || c->type == NC_NHS ||
	     c->type == NC_STATIC)) {
		/* Forget the neighbour unless another entry still maps it. */
		bool other = false;
		for (struct nhrp_cache *o = nif->cache; o; o = o->next)
			if (o != c && o->peer && ipaddr_eq(&o->via, &c->via))
				other = true;
		if (!other)
			nif->ops.neigh_update(nif->ops.ctx, &c->via, NULL);
	}
	if (purge && c->type == NC_DYNAMIC) {
		for (unsigned i = 0; i < c->n_resolvers; i++)
			nhrp_purge_send(nif, &c->resolvers[i].nbma, &c->resolvers[i].proto,
					&c->proto, false, now);
		c->n_resolvers = 0;
	}
}

void nhrp_cache_remove(struct nhrp_if *nif, struct nhrp_cache *c, const char *reason, double now)
{
	char b[PREFIX_STRLEN];
	(void)now;
	log_info("nhrp %s: cache %s %s removed (%s)", nif->name, nhrp_cache_type_name(c->type),
		 prefix_fmt(&c->proto, b, sizeof(b)), reason);
	unlink_entry(nif, c);
	withdraw(nif, c, !nif->shutting_down || c->type == NC_DYNAMIC, now);
	if (c->peer) {
		struct peer *p = c->peer;
		c->peer = NULL;
		bool last = true;
		for (struct nhrp_cache *o = nif->cache; o; o = o->next)
			if (o->peer == p)
				last = false;
		if (last && p->type != PEER_T_NHS)
			peer_set_state(p, PEER_DOWN, reason);
		peer_put(p);
	}
	free(c);
}

struct nhrp_cache *nhrp_cache_find(const struct nhrp_if *nif, const struct ipaddr *a,
				   bool exact_host)
{
	struct nhrp_cache *best = NULL;
	for (struct nhrp_cache *c = nif->cache; c; c = c->next) {
		if (c->proto.addr.family != a->family)
			continue;
		bool hit;
		if (exact_host)
			hit = c->proto.plen == a->len * 8 && ipaddr_eq(&c->proto.addr, a);
		else
			hit = prefix_contains(&c->proto, a) ||
			      (c->peer && ipaddr_is_set(&c->via) && ipaddr_eq(&c->via, a));
		if (!hit)
			continue;
		unsigned plen = ipaddr_eq(&c->via, a) ? 255u : c->proto.plen;
		unsigned bplen = best ? (ipaddr_eq(&best->via, a) ? 255u : best->proto.plen) : 0;
		if (!best || plen > bplen)
			best = c;
	}
	return best;
}

struct nhrp_cache *nhrp_cache_find_prefix(const struct nhrp_if *nif, const struct prefix *p,
					  enum nhrp_cache_type t)
{
	struct prefix n = *p;
	prefix_normalize(&n);
	for (struct nhrp_cache *c = nif->cache; c; c = c->next)
		if (c->type == t && c->proto.plen == n.plen && ipaddr_eq(&c->proto.addr, &n.addr))
			return c;
	return NULL;
}

struct nhrp_cache *nhrp_cache_find_reqid(const struct nhrp_if *nif, uint32_t reqid)
{
	for (struct nhrp_cache *c = nif->cache; c; c = c->next)
		if (c->type == NC_INCOMPLETE && c->reqid == reqid)
			return c;
	return NULL;
}

void nhrp_cache_run(struct nhrp_if *nif, double now)
{
	struct nhrp_cache *c = nif->cache, *n;
	for (; c; c = n) {
		n = c->next;
		if (c->expires > 0 && c->expires <= now) {
			nif->ctr.cache_expired++;
			if (c->shortcut && c->route)
				nif->ctr.shortcut_expired++;
			nhrp_cache_remove(nif, c, "expired", now);
		}
	}
}

double nhrp_cache_deadline(const struct nhrp_if *nif)
{
	double d = 0;
	for (const struct nhrp_cache *c = nif->cache; c; c = c->next) {
		double t = c->expires;
		if (c->type == NC_INCOMPLETE && c->retry_at > 0 && (t == 0 || c->retry_at < t))
			t = c->retry_at;
		if (c->shortcut && c->refresh_at > 0 && (t == 0 || c->refresh_at < t))
			t = c->refresh_at;
		if (t > 0 && (d == 0 || t < d))
			d = t;
	}
	return d;
}

void nhrp_cache_free_all(struct nhrp_if *nif, double now, bool withdraw_routes)
{
	nif->shutting_down = true;
	while (nif->cache) {
		struct nhrp_cache *c = nif->cache;
		if (withdraw_routes) {
			nhrp_cache_remove(nif, c, "shutdown", now);
			continue;
		}
		nif->cache = c->next;
		nif->n_cache--;
		if (c->peer)
			peer_put(c->peer);
		free(c);
	}
}

/* Local address and `ip nhrp map` entries. */
void nhrp_cache_load_config(struct nhrp_if *nif, const void *cfg_af, double now)
{
	const struct cfg_nhrp_af *af = cfg_af;
	if (ipaddr_is_set(&nif->proto.addr)) {
		struct prefix p;
		nhrp_prefix_host(&p, &nif->proto.addr);
		struct nhrp_cache *c = nhrp_cache_new(nif, NC_LOCAL, &p, now);
		if (c) {
			c->nbma = nif->nbma;
			c->via = nif->proto.addr;
		}
	}
	for (size_t i = 0; i < af->n_maps; i++) {
		const struct cfg_map *m = &af->maps[i];
		if (m->proto.family != nif->family || !ipaddr_is_set(&m->nbma) || m->local)
			continue;
		struct prefix p;
		nhrp_prefix_host(&p, &m->proto);
		struct nhrp_cache *c = nhrp_cache_new(nif, NC_STATIC, &p, now);
		if (!c)
			continue;
		c->nbma = m->nbma;
		c->via = m->proto;
		if (nhrp_cache_bind(nif, c, &m->nbma, PEER_T_STATIC) == 0) {
			peer_set_state(c->peer, PEER_UP, "static map");
			if (nif->ops.neigh_update)
				nif->ops.neigh_update(nif->ops.ctx, &c->via, c->peer);
		}
	}
}

unsigned nhrp_peer_dead(struct nhrp_if *nif, struct peer *p, const char *reason, double now)
{
	unsigned n = 0;
	bool again = true;

	nif->ctr.peer_dead++;
	peer_ref(p); /* removing its entries must not free it under us */
	nhrp_nhs_peer_dead(nif, p, reason, now);
	while (again) { /* removal may purge and change the list: restart */
		again = false;
		for (struct nhrp_cache *c = nif->cache; c; c = c->next) {
			if (c->peer != p || c->type == NC_NHS || c->type == NC_STATIC ||
			    c->type == NC_LOCAL)
				continue;
			nhrp_cache_remove(nif, c, reason, now);
			n++;
			again = true;
			break;
		}
	}
	peer_set_state(p, PEER_DOWN, reason);
	peer_put(p);
	return n;
}
