/* GRE keepalives of an overlay interface (overlay/iface.h): which peers are
 * probed (a peer listener), sending the requests, matching the replies and
 * declaring the dead. The scheduling and miss rule are overlay/keepalive.c. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "config.h"
#include "gre/gre.h"
#include "gre/keepalive.h"
#include "lib/log.h"
#include "lib/writer.h"
#include "nhrp/nhrp.h"
#include "overlay/iface.h"
#include "overlay/keepalive.h"
#include "overlay/peer.h"

void (*ovl_ka_dead_hook)(struct ovl_if *oif, struct peer *p, unsigned misses, const char *reason);

#define KA_TOS 0xc0 /* as Cisco: network control */

/* Peers worth probing: learnt ones that NHRP can bring back. A static
 * mapping (`ip nhrp map`) has nothing that would mark it up again. */
static bool ka_wanted(const struct ovl_if *oif, const struct peer *p)
{
	return p->oif == oif && p->state == PEER_UP && p->type != PEER_T_STATIC &&
	       ipaddr_is_set(&p->nbma);
}

static void on_peer(struct peer *p, enum peer_state old, void *ctx)
{
	struct ovl_if *oif = ctx;

	(void)old;
	if (p->oif != oif || !oif->ka)
		return;
	if (ka_wanted(oif, p)) {
		if (ka_start(oif->ka, &p->ka, mono_now()) < 0)
			log_rl(LOG_LVL_WARNING, "%s: keepalive: out of memory", oif->name);
		else if (oif->loop)
			ovl_if_timer_update(oif);
	} else {
		ka_stop(oif->ka, &p->ka);
	}
}

int ovl_ka_init(struct ovl_if *oif, const struct cfg_iface *cfg)
{
	if (!cfg->has_keepalive)
		return 0;
	oif->ka = calloc(1, sizeof(*oif->ka));
	if (!oif->ka)
		return -ENOMEM;
	ka_sched_init(oif->ka, cfg->keepalive_interval, cfg->keepalive_misses,
	              (uint32_t)(mono_now() * 1e6) ^ (uint32_t)(uintptr_t)oif);
	if (peer_listener_add(on_peer, oif) < 0) {
		free(oif->ka);
		oif->ka = NULL;
		return -ENOSPC;
	}
	log_info("%s: keepalive every %.3g s, dead after %u missed", oif->name, oif->ka->interval,
	         oif->ka->misses);
	return 0;
}

void ovl_ka_free(struct ovl_if *oif)
{
	if (!oif->ka)
		return;
	peer_listener_del(on_peer, oif);
	ka_sched_free(oif->ka);
	free(oif->ka);
	oif->ka = NULL;
}

double ovl_ka_next(const struct ovl_if *oif)
{
	return oif->ka ? ka_sched_next(oif->ka) : 0;
}

/* The request: outer GRE built by ovl_fwd_send (key, protocol IPv4/IPv6),
 * then an IP packet from the peer to us carrying GRE protocol 0 with the id
 * in its sequence number (gre/keepalive.h). */
static void ka_send(struct ovl_if *oif, struct peer *p, uint32_t id)
{
	const struct ipaddr *local = p->nbma.family == AF_INET6 ? &oif->nbma6 : &oif->nbma4;
	const struct ipaddr *nat = nhrp_if_nat_nbma(oif->nhrp4 ? oif->nhrp4 : oif->nhrp6);

	/* behind NAT the reply must go to our public address (and the peer
	 * checks that the inner destination is where the request came from) */
	if (nat && nat->family == p->nbma.family)
		local = nat;
	struct gre_ka_req rq = {
	    .local = *local,
	    .peer = p->nbma,
	    .key_present = oif->has_key,
	    .key = oif->key,
	    .id = id,
	    .tos = KA_TOS,
	};
	struct gre_hdr outer = {.key_present = oif->has_key, .key = oif->key};
	uint8_t *start = oif->txbuf + GRE_HDR_MAX;
	size_t olen = gre_hdr_len(&outer);
	struct writer w;

	if (!ipaddr_is_set(local))
		return;
	wr_init(&w, start, OVL_BUF_SIZE - GRE_HDR_MAX);
	if (gre_ka_build(&w, &rq) != 0 || wr_len(&w) <= olen)
		return;
	if (ovl_fwd_send(oif, &p->nbma,
	                 p->nbma.family == AF_INET6 ? GRE_PROTO_IPV6 : GRE_PROTO_IPV4, start + olen,
	                 wr_len(&w) - olen) == 0)
		oif->ctr[OVL_CTR_ka_tx]++;
}

static void ka_dead(struct ovl_if *oif, struct peer *p, double now)
{
	char b[ADDR_STRLEN], why[64];
	unsigned misses = oif->ka->misses;

	snprintf(why, sizeof(why), "keepalive: %u missed", misses);
	oif->ctr[OVL_CTR_ka_dead]++;
	log_warn("%s: peer %s declared dead (%s, last reply %s)", oif->name,
	         ipaddr_fmt(&p->nbma, b, sizeof(b)), why,
	         p->ka.last_reply < 0 ? "never" : "earlier");
	if (ovl_ka_dead_hook)
		ovl_ka_dead_hook(oif, p, misses, why);
	ovl_peer_dead(oif, p, why, now);
}

void ovl_ka_run(struct ovl_if *oif, double now)
{
	struct ka_entry *e;
	uint32_t id;
	enum ka_action a;
	unsigned guard = 0;

	if (!oif->ka || oif->shutting_down)
		return;
	while ((a = ka_sched_due(oif->ka, now, &e, &id)) != KA_NONE && guard++ < 100000) {
		struct peer *p = (struct peer *)((char *)e - offsetof(struct peer, ka));
		if (a == KA_SEND)
			ka_send(oif, p, id);
		else
			ka_dead(oif, p, now);
	}
}

void ovl_ka_reply_input(struct ovl_if *oif, const struct ipaddr *src, const struct gre_hdr *g,
                        double now)
{
	struct gre_ka_reply r;
	struct peer *p;

	oif->ctr[OVL_CTR_ka_reply_rx]++;
	if (!oif->ka || gre_ka_reply_parse(&r, g) != 0 || !(p = peer_find(oif, src)) ||
	    !ka_entry_scheduled(&p->ka) || !ka_reply(&p->ka, r.id_present, r.id, now)) {
		oif->ctr[OVL_CTR_ka_reply_stale]++;
		return;
	}
	p->keepalive_rtt_ms = p->ka.rtt * 1000.0;
}

bool ovl_ka_reflect_ok(const struct ovl_if *oif, const struct ipaddr *src)
{
	const struct peer *p;

	if (!oif->ka)
		return true;
	p = peer_find(oif, src);
	return p && p->state != PEER_DOWN;
}
