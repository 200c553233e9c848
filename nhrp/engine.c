/* NHRP engine: instance life cycle, input dispatch, packet building helpers,
 * deadlines, counters and `show` views. Protocol logic lives in cache.c,
 * nhs.c (spoke), server.c (hub), shortcut.c (resolution) and purge.c. */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "lib/counters.h"
#include "lib/writer.h"
#include "nhrp/engine_int.h"

#define NHRP_COUNTER_NAME(n) #n,
static const char *const nhrp_counter_names[] = { NHRP_COUNTERS(NHRP_COUNTER_NAME) };
#define NHRP_N_COUNTERS (sizeof(nhrp_counter_names) / sizeof(nhrp_counter_names[0]))

const char *nhrp_fmt(const struct ipaddr *a, char *buf)
{
	if (!a || !ipaddr_is_set(a))
		return "-";
	return ipaddr_fmt(a, buf, ADDR_STRLEN);
}

uint32_t nhrp_reqid(struct nhrp_if *nif)
{
	if (++nif->next_reqid == 0)
		nif->next_reqid = 1;
	return nif->next_reqid;
}

bool nhrp_is_own(const struct nhrp_if *nif, const struct ipaddr *a)
{
	return ipaddr_is_set(&nif->proto.addr) && ipaddr_eq(&nif->proto.addr, a);
}

void nhrp_tx_init(struct nhrp_if *nif, enum nhrp_type type)
{
	nhrp_packet_init(&nif->tx, type, nif->afn, nif->pro);
	nif->tx.src_nbma = nif->nbma;
	nif->tx.src_proto = nif->proto.addr;
	nif->tx.ext_end = true;
}

void nhrp_tx_set_responder(struct nhrp_if *nif, struct nhrp_packet *pkt)
{
	struct nhrp_ext *r = nhrp_ext_get(pkt, NHRP_EXT_RESPONDER);
	struct nhrp_cie own;

	if (!r)
		return;
	r->u.cies.count = 0;
	nhrp_own_cie(nif, &own, (uint8_t)nif->plen_max, nif->holdtime);
	nhrp_ext_append_cie(pkt, NHRP_EXT_RESPONDER, &own);
}

void nhrp_tx_set_auth(struct nhrp_if *nif, struct nhrp_packet *pkt)
{
	if (!nif->auth_len)
		return;
	struct nhrp_ext *e = nhrp_ext_add(pkt, NHRP_EXT_AUTH);
	if (!e)
		return;
	e->u.auth.type = NHRP_AUTH_CLEARTEXT;
	e->u.auth.data.p = (const uint8_t *)nif->auth;
	e->u.auth.data.len = (uint16_t)nif->auth_len;
}

void nhrp_tx_std_ext(struct nhrp_if *nif, struct nhrp_packet *pkt, bool responder)
{
	pkt->ext_end = true;
	if (responder)
		nhrp_ext_add(pkt, NHRP_EXT_RESPONDER);
	nhrp_ext_add(pkt, NHRP_EXT_FWD_TRANSIT);
	nhrp_ext_add(pkt, NHRP_EXT_REV_TRANSIT);
	nhrp_tx_set_auth(nif, pkt);
	nhrp_ext_add(pkt, NHRP_EXT_CISCO_NAT);
}

void nhrp_own_cie(const struct nhrp_if *nif, struct nhrp_cie *c, uint8_t plen, uint16_t hold)
{
	memset(c, 0, sizeof(*c));
	c->code = NHRP_CIE_SUCCESS;
	c->prefix_len = plen;
	c->mtu = nif->mtu;
	c->holding_time = hold;
	c->nbma = nif->nbma;
	c->proto = nif->proto.addr;
}

int nhrp_tx_send(struct nhrp_if *nif, const struct nhrp_packet *pkt, const struct ipaddr *nbma)
{
	char b[ADDR_STRLEN];
	struct writer w;
	wr_init(&w, nif->txbuf, sizeof(nif->txbuf));
	int r = nhrp_build(&w, pkt);
	if (r != NHRP_OK || !wr_ok(&w)) {
		nif->ctr.tx_errors++;
		log_rl(LOG_LVL_WARNING, "nhrp %s: cannot build %s: %s", nif->name,
		       nhrp_type_name(pkt->type), nhrp_strerror(r));
		return -1;
	}
	if (!nbma || !ipaddr_is_set(nbma) || !nif->ops.send) {
		nif->ctr.tx_errors++;
		return -1;
	}
	r = nif->ops.send(nif->ops.ctx, nbma, nif->txbuf, wr_len(&w));
	if (r < 0) {
		nif->ctr.tx_errors++;
		log_rl(LOG_LVL_DEBUG, "nhrp %s: send %s to %s failed (%d)", nif->name,
		       nhrp_type_name(pkt->type), nhrp_fmt(nbma, b), r);
		return r;
	}
	nif->ctr.tx_packets++;
	return 0;
}

static const struct cfg_nhrp_af *cfg_af(const struct cfg_iface *cfg, int family)
{
	return family == AF_INET6 ? &cfg->nhrp6 : &cfg->nhrp4;
}

struct nhrp_if *nhrp_if_new_af(struct ovl_if *oif, const struct cfg_iface *cfg, int family,
			       const struct nhrp_ops *ops, double now)
{
	if (!cfg || !ops || (family != AF_INET && family != AF_INET6))
		return NULL;
	const struct cfg_nhrp_af *af = cfg_af(cfg, family);
	struct nhrp_if *nif = calloc(1, sizeof(*nif));
	if (!nif)
		return NULL;
	nif->oif = oif;
	nif->ops = *ops;
	snprintf(nif->name, sizeof(nif->name), "%s%s", cfg->name ? cfg->name : "?",
		 family == AF_INET6 ? "/v6" : "");
	nif->family = family;
	nif->pro = family == AF_INET6 ? NHRP_PRO_IPV6 : NHRP_PRO_IPV4;
	nif->plen_max = family == AF_INET6 ? 128 : 32;
	if (family == AF_INET6 && cfg->has_addr6)
		nif->proto = cfg->addr6;
	else if (family == AF_INET && cfg->has_addr4)
		nif->proto = cfg->addr4;
	if (!ipaddr_is_set(&nif->proto.addr)) {
		free(nif);
		return NULL;
	}
	nif->nbma = cfg->tunnel_source;
	int nf = nif->nbma.family;
	if (!nf && af->n_nhs && ipaddr_is_set(&af->nhs[0].nbma))
		nf = af->nhs[0].nbma.family;
	nif->afn = nf == AF_INET6 ? NHRP_AFN_IPV6 : NHRP_AFN_IPV4;
	nif->network_id = af->network_id;
	nif->holdtime = (uint16_t)(af->holdtime ? (af->holdtime > 65535 ? 65535 : af->holdtime)
						: CFG_DEFAULT_HOLDTIME);
	nif->shortcut = af->shortcut;
	nif->redirect = af->redirect;
	nif->reg_no_unique = af->reg_no_unique;
	nif->mtu = af->nhrp_mtu > 0 ? (uint16_t)af->nhrp_mtu
				    : (af->nhrp_mtu < 0 ? (uint16_t)(cfg->mtu ? cfg->mtu : 1400) : 0);
	if (cfg->nhrp_auth) {
		nif->auth_len = strnlen(cfg->nhrp_auth, CFG_NHRP_AUTH_MAX);
		memcpy(nif->auth, cfg->nhrp_auth, nif->auth_len);
	}
	nif->hub = af->n_nhs == 0;
	nif->active_nhs = -1;
	nif->ei_rl = (struct ratelimit)RATELIMIT_INIT(10.0, 20.0);
	nif->next_reqid = (uint32_t)((uintptr_t)nif >> 4) & 0xffff;
	/* The registry keeps the module name: it lives in nif. */
	snprintf(nif->ctr_module, sizeof(nif->ctr_module), "nhrp%s.%s",
		 family == AF_INET6 ? "6" : "", cfg->name ? cfg->name : "if");
	nif->registered_counters = counters_register(nif->ctr_module, nhrp_counter_names,
						     (uint64_t *)&nif->ctr, NHRP_N_COUNTERS) == 0;
	nhrp_cache_load_config(nif, af, now);
	nhrp_nhs_init(nif, af, now);
	return nif;
}

struct nhrp_if *nhrp_if_new(struct ovl_if *oif, const struct cfg_iface *cfg,
			    const struct nhrp_ops *ops, double now)
{
	return nhrp_if_new_af(oif, cfg, AF_INET, ops, now);
}

void nhrp_if_set_nbma(struct nhrp_if *nif, const struct ipaddr *nbma, double now)
{
	if (!nif || !nbma || ipaddr_eq(&nif->nbma, nbma))
		return;
	nif->nbma = *nbma;
	nif->afn = nbma->family == AF_INET6 ? NHRP_AFN_IPV6 : NHRP_AFN_IPV4;
	/* Register again at once with the new address. */
	for (unsigned i = 0; i < nif->n_nhs; i++) {
		nif->nhs[i].pending = false;
		nif->nhs[i].next_at = now;
	}
	nhrp_nhs_run(nif, now);
}

void nhrp_if_nhs_set_nbma(struct nhrp_if *nif, unsigned i, const struct ipaddr *nbma, double now)
{
	if (!nif || !nbma || i >= nif->n_nhs || ipaddr_eq(&nif->nhs[i].nbma, nbma))
		return;
	struct nhrp_nhs *n = &nif->nhs[i];
	struct peer *old = n->peer;
	n->nbma = *nbma;
	n->peer = peer_get(nif->oif, nbma, PEER_T_NHS);
	if (n->peer && ipaddr_is_set(&n->proto)) {
		if (n->proto.family == AF_INET6)
			n->peer->tunnel6 = n->proto;
		else
			n->peer->tunnel4 = n->proto;
	}
	if (old)
		peer_put(old);
	n->pending = false;
	n->next_at = now;
	nhrp_nhs_run(nif, now);
}

void nhrp_if_free(struct nhrp_if *nif)
{
	if (!nif)
		return;
	nhrp_cache_free_all(nif, 0, false);
	nhrp_nhs_free(nif);
	if (nif->registered_counters)
		counters_unregister((uint64_t *)&nif->ctr);
	free(nif);
}

void nhrp_if_shutdown(struct nhrp_if *nif, double now)
{
	if (!nif)
		return;
	nif->shutting_down = true;
	nhrp_nhs_deregister(nif, now);
	/* Purge whoever holds a mapping of ours, then withdraw our routes. */
	struct prefix own;
	nhrp_prefix_host(&own, &nif->proto.addr);
	for (struct nhrp_cache *c = nif->cache; c; c = c->next) {
		if (c->type == NC_CACHED && c->owner && c->peer)
			nhrp_purge_send(nif, &c->peer->nbma, &c->proto.addr, &own, true, now);
	}
	nhrp_cache_free_all(nif, now, true);
	nhrp_if_free(nif);
}

const struct nhrp_counters *nhrp_if_counters(const struct nhrp_if *nif)
{
	return &nif->ctr;
}

static bool auth_ok(const struct nhrp_if *nif, const struct nhrp_packet *p)
{
	if (!nif->auth_len)
		return true;
	const struct nhrp_ext *e = nhrp_ext_find(p, NHRP_EXT_AUTH);
	return e && e->u.auth.type == NHRP_AUTH_CLEARTEXT && e->u.auth.data.len == nif->auth_len &&
	       memcmp(e->u.auth.data.p, nif->auth, nif->auth_len) == 0;
}

void nhrp_input(struct nhrp_if *nif, const struct ipaddr *src_nbma, const uint8_t *pkt,
		size_t len, double now)
{
	char b[ADDR_STRLEN];
	if (!nif || !src_nbma || !pkt)
		return;
	nif->ctr.rx_packets++;
	if (nif->depth) {
		/* ops->send must not feed packets back synchronously: the
		 * scratch packets are in use. */
		nif->ctr.rx_reentrant++;
		return;
	}
	nif->depth++;
	struct nhrp_packet *p = &nif->rx;
	int r = nhrp_parse(p, pkt, len);
	if (r == NHRP_E_EXT_UNKNOWN_COMPULSORY) {
		nif->ctr.rx_unknown_ext++;
		if (p->type != NHRP_ERROR_INDICATION)
			nhrp_error_send(nif, src_nbma, NHRP_ERROR_UNRECOGNIZED_EXTENSION,
					p->err_offset, pkt, len, now);
		goto out;
	}
	if (r != NHRP_OK) {
		nif->ctr.rx_malformed++;
		log_rl(LOG_LVL_INFO, "nhrp %s: malformed packet from %s: %s", nif->name,
		       nhrp_fmt(src_nbma, b), nhrp_strerror(r));
		/* Answer only when the header was good enough to be addressed
		 * and the bad packet is not itself an Error Indication. */
		if (r <= NHRP_E_EXTOFF && r != NHRP_E_CHECKSUM && len > 17 && pkt[17] != NHRP_ERROR_INDICATION)
			nhrp_error_send(nif, src_nbma, NHRP_ERROR_PROTOCOL_ERROR, p->err_offset,
					pkt, len, now);
		goto out;
	}
	if (p->pro_type != nif->pro || p->afn != nif->afn) {
		/* Another overlay family (its own engine), or another underlay. */
		if (p->pro_type != nif->pro)
			nif->ctr.rx_bad_network++;
		else
			nif->ctr.rx_wrong_af++;
		log_rl(LOG_LVL_DEBUG, "nhrp %s: %s for another family from %s dropped", nif->name,
		       nhrp_type_name(p->type), nhrp_fmt(src_nbma, b));
		goto out;
	}
	if (!auth_ok(nif, p)) {
		nif->ctr.rx_auth_fail++;
		log_rl(LOG_LVL_WARNING, "nhrp %s: %s from %s: authentication failed", nif->name,
		       nhrp_type_name(p->type), nhrp_fmt(src_nbma, b));
		/* RFC 2332 5.3.4: answered with an Error Indication (never an
		 * Error Indication itself; rate-limited like every other). */
		if (p->type != NHRP_ERROR_INDICATION)
			nhrp_error_send(nif, src_nbma, NHRP_ERROR_AUTHENTICATION_FAILURE, 0, pkt, len,
					now);
		goto out;
	}
	switch (p->type) {
	case NHRP_REGISTRATION_REQUEST:
		nhrp_server_recv_reg(nif, src_nbma, now);
		break;
	case NHRP_REGISTRATION_REPLY:
		nhrp_nhs_recv_reply(nif, src_nbma, now);
		break;
	case NHRP_RESOLUTION_REQUEST:
		nhrp_server_recv_res(nif, src_nbma, now);
		break;
	case NHRP_RESOLUTION_REPLY:
		nhrp_shortcut_recv_reply(nif, src_nbma, now);
		break;
	case NHRP_PURGE_REQUEST:
		nhrp_purge_recv_req(nif, src_nbma, now);
		break;
	case NHRP_PURGE_REPLY:
		nhrp_purge_recv_reply(nif, src_nbma, now);
		break;
	case NHRP_ERROR_INDICATION:
		nhrp_error_recv(nif, src_nbma, now);
		break;
	case NHRP_TRAFFIC_INDICATION:
		nhrp_shortcut_recv_ti(nif, src_nbma, now);
		break;
	default:
		nif->ctr.rx_unexpected++;
		break;
	}
out:
	nif->depth--;
}

void nhrp_if_run(struct nhrp_if *nif, double now)
{
	if (!nif)
		return;
	nhrp_nhs_run(nif, now);
	nhrp_shortcut_run(nif, now);
	nhrp_cache_run(nif, now);
	nhrp_purge_run(nif, now);
}

static void dl_min(double *d, double t)
{
	if (t > 0 && (*d == 0 || t < *d))
		*d = t;
}

double nhrp_if_next_deadline(const struct nhrp_if *nif)
{
	if (!nif)
		return 0;
	double d = 0;
	dl_min(&d, nhrp_nhs_deadline(nif));
	dl_min(&d, nhrp_cache_deadline(nif));
	dl_min(&d, nhrp_purge_deadline(nif));
	return d;
}

struct peer *nhrp_neigh_lookup(struct nhrp_if *nif, const struct ipaddr *addr, double now)
{
	if (!nif || !addr)
		return NULL;
	struct nhrp_cache *c = nhrp_cache_find(nif, addr, false);
	if (c && c->peer && c->type != NC_INCOMPLETE && c->type != NC_NEGATIVE) {
		c->use_count++;
		return c->peer;
	}
	if (!c && nif->shortcut && !nif->hub)
		nhrp_shortcut_resolve(nif, addr, now);
	return NULL;
}

void nhrp_relay_seen(struct nhrp_if *nif, struct peer *in, struct peer *out, const uint8_t *ip,
		     size_t len, double now)
{
	if (!nif || !in || !ip)
		return;
	nhrp_server_relay_seen(nif, in, out, ip, len, now);
}

void nhrp_cache_clear(struct nhrp_if *nif, double now)
{
	if (!nif)
		return;
	struct nhrp_cache *c = nif->cache, *n;
	for (; c; c = n) {
		n = c->next;
		if (c->type == NC_DYNAMIC || c->type == NC_CACHED || c->type == NC_INCOMPLETE ||
		    c->type == NC_NEGATIVE)
			nhrp_cache_remove(nif, c, "cleared", now);
	}
}

void nhrp_cache_walk(const struct nhrp_if *nif, double now, nhrp_cache_walk_fn fn, void *ctx)
{
	if (!nif || !fn)
		return;
	for (const struct nhrp_cache *c = nif->cache; c; c = c->next) {
		struct nhrp_cache_view v = { 0 };
		v.proto = c->proto;
		v.nbma = c->peer ? c->peer->nbma : c->nbma;
		v.type = nhrp_cache_type_name(c->type);
		v.expires_s = c->expires > 0 ? c->expires - now : -1;
		if (c->type == NC_INCOMPLETE)
			v.expires_s = c->retry_at - now;
		v.flags = (c->unique ? NHRP_VIEW_F_UNIQUE : 0) | (c->use_count ? NHRP_VIEW_F_USED : 0) |
			  (c->nat ? NHRP_VIEW_F_NAT : 0) | (c->route ? NHRP_VIEW_F_ROUTE : 0);
		v.peer = c->peer;
		fn(&v, ctx);
	}
}

void nhrp_nhs_walk(const struct nhrp_if *nif, double now, nhrp_nhs_walk_fn fn, void *ctx)
{
	if (!nif || !fn)
		return;
	for (unsigned i = 0; i < nif->n_nhs; i++) {
		const struct nhrp_nhs *n = &nif->nhs[i];
		struct nhrp_nhs_view v = { 0 };
		v.proto = n->proto;
		v.nbma = n->nbma;
		v.priority = n->priority;
		v.state = nhrp_nhs_state_name(n->state);
		v.last_reg_s = n->last_reg >= 0 ? now - n->last_reg : -1;
		v.rtt_ms = n->rtt_ms;
		fn(&v, ctx);
	}
}

void nhrp_shortcut_walk(const struct nhrp_if *nif, double now, nhrp_shortcut_walk_fn fn,
			void *ctx)
{
	if (!nif || !fn)
		return;
	for (const struct nhrp_cache *c = nif->cache; c; c = c->next) {
		if (c->type != NC_CACHED || !c->shortcut)
			continue;
		struct nhrp_shortcut_view v = { 0 };
		v.prefix = c->proto;
		v.via = c->via;
		v.nbma = c->peer ? c->peer->nbma : c->nbma;
		v.expires_s = c->expires > 0 ? c->expires - now : -1;
		v.use_count = c->peer ? c->peer->pkts_out : c->use_count;
		fn(&v, ctx);
	}
}
