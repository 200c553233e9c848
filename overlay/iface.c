/* Overlay interface life cycle: TAP, raw GRE sockets, NHRP engines and their
 * ops (send, route sink, FIB lookup, neighbour updates), libev watchers. The
 * per-packet work is in overlay/fwd.c. */
#define _GNU_SOURCE
#include "overlay/iface.h"

#include <errno.h>
#include <linux/ip.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "gre/gre.h"
#include "lib/counters.h"
#include "lib/log.h"
#include "nhrp/nhrp.h"
#include "overlay/arp.h"
#include "overlay/ip.h"
#include "overlay/netlink.h"
#include "overlay/peer.h"

#define OVL_CTR_NAME(n) #n,
const char *const ovl_ctr_names[OVL_CTR_MAX] = {OVL_COUNTERS(OVL_CTR_NAME)};

#define OVL_MTU_DEFAULT 1400

/* ---- engine ops ---- */

static int op_send(void *ctx, const struct ipaddr *nbma, const uint8_t *pkt, size_t len)
{
	struct ovl_if *oif = ctx;
	uint8_t *buf = oif->txbuf;

	if (len + GRE_HDR_MAX > OVL_BUF_SIZE)
		return -EMSGSIZE;
	memcpy(buf + GRE_HDR_MAX, pkt, len);
	int r = ovl_fwd_send(oif, nbma, GRE_PROTO_NHRP, buf + GRE_HDR_MAX, len);
	if (r == 0)
		oif->ctr[OVL_CTR_nhrp_tx]++;
	return r;
}

static int op_route_add(void *ctx, const struct prefix *dst, const struct ipaddr *via)
{
	struct ovl_if *oif = ctx;

	if (oif->shutting_down)
		return 0;
	return ovl_routes_add(&oif->routes, dst, via);
}

static int op_route_del(void *ctx, const struct prefix *dst, const struct ipaddr *via)
{
	struct ovl_if *oif = ctx;

	return ovl_routes_del(&oif->routes, dst, via);
}

static int op_route_lookup(void *ctx, const struct ipaddr *dst, struct nhrp_route_info *out)
{
	struct ovl_if *oif = ctx;
	struct netlink_route r;
	int err;

	memset(out, 0, sizeof(*out));
	err = netlink_route_get(oif->nl, dst, &r);
	if (err == -ENETUNREACH || err == -EHOSTUNREACH || err == -ENOENT || err == -ESRCH)
		return 0; /* found = false */
	if (err)
		return err;
	out->found = true;
	out->match = r.dst;
	if (r.n_nh > 0) {
		out->via_overlay = r.nh[0].ifindex == oif->tap.ifindex;
		if (ipaddr_is_set(&r.nh[0].via)) {
			static const uint8_t zero[16];
			if (memcmp(r.nh[0].via.b, zero, r.nh[0].via.len) != 0)
				out->gateway = r.nh[0].via;
		}
	}
	return 0;
}

static void op_neigh_update(void *ctx, const struct ipaddr *proto, struct peer *p)
{
	ovl_fwd_neigh_update(ctx, proto, p);
}

static bool op_reg_allowed(void *ctx, const struct ipaddr *nbma, const struct prefix *proto)
{
	struct ovl_if *oif = ctx;

	if (!oif->protect || !oif->protect->reg_allowed)
		return true;
	return oif->protect->reg_allowed(oif->protect_ctx, oif, nbma, proto);
}

/* ---- watchers ---- */

static void on_tap(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ovl_if *oif = w->data;

	ovl_fwd_tap_rx(oif, mono_now());
	ovl_if_timer_update(oif);
}

static void on_sock4(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ovl_if *oif = w->data;

	ovl_fwd_sock_rx(oif, AF_INET, mono_now());
	ovl_if_timer_update(oif);
}

static void on_sock6(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ovl_if *oif = w->data;

	ovl_fwd_sock_rx(oif, AF_INET6, mono_now());
	ovl_if_timer_update(oif);
}

/* Taking the link down deletes every route through it (overlay/netlink.h):
 * when it comes back up, the tracked routes go in again. */
static void link_check(struct ovl_if *oif, double now)
{
	struct netlink_link l;
	bool up;

	if (now - oif->link_checked < 0.9 || !oif->nl)
		return;
	oif->link_checked = now;
	if (netlink_link_get(oif->nl, oif->tap.ifindex, NULL, &l) < 0)
		return;
	up = (l.flags & IFF_UP) != 0;
	if (up && !oif->link_up) {
		log_notice("%s: link up: re-installing %zu routes", oif->name, oif->routes.n);
		ovl_routes_reapply(&oif->routes);
	} else if (!up && oif->link_up) {
		log_warn("%s: link set down by someone else", oif->name);
	}
	oif->link_up = up;
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ovl_if *oif = w->data;
	double now = mono_now();

	link_check(oif, now);
	ovl_ka_run(oif, now);
	if (oif->nhrp4)
		nhrp_if_run(oif->nhrp4, now);
	if (oif->nhrp6)
		nhrp_if_run(oif->nhrp6, now);
	ovl_if_timer_update(oif);
}

void ovl_if_timer_update(struct ovl_if *oif)
{
	double d = 0, now = mono_now(), t;

	if (!oif->loop)
		return;
	if (oif->nhrp4 && (t = nhrp_if_next_deadline(oif->nhrp4)) > 0)
		d = t;
	if (oif->nhrp6 && (t = nhrp_if_next_deadline(oif->nhrp6)) > 0 && (d == 0 || t < d))
		d = t;
	if ((t = ovl_ka_next(oif)) > 0 && (d == 0 || t < d))
		d = t;
	/* at least once a second: expiries the engines do not announce */
	if (d == 0 || d > now + 1.0)
		d = now + 1.0;
	ev_timer_stop(oif->loop, &oif->w_timer);
	ev_timer_set(&oif->w_timer, d > now ? d - now : 0.0, 0.0);
	ev_timer_start(oif->loop, &oif->w_timer);
}

/* ---- set-up ---- */

static int sock_open(struct ovl_if *oif, const struct ipaddr *src)
{
	int fd = socket(src->family, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_GRE);
	int val, bufsz = 4 << 20;
	char buf[ADDR_STRLEN];

	if (fd < 0) {
		log_err("%s: raw GRE socket: %s", oif->name, strerror(errno));
		return -1;
	}
	if (src->family == AF_INET) {
		struct sockaddr_in sin = {.sin_family = AF_INET};
		memcpy(&sin.sin_addr, src->b, 4);
		val = IP_PMTUDISC_DONT; /* the underlay fragments rather than drops */
		setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &val, sizeof(val));
		if (bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			goto fail;
	} else {
		struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
		memcpy(&sin6.sin6_addr, src->b, 16);
		val = IPV6_PMTUDISC_DONT;
		setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &val, sizeof(val));
		if (bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) < 0)
			goto fail;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bufsz, sizeof(bufsz));
	setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bufsz, sizeof(bufsz));
	return fd;
fail:
	log_err("%s: bind GRE socket to %s: %s", oif->name, ipaddr_fmt(src, buf, sizeof(buf)),
	        strerror(errno));
	close(fd);
	return -1;
}

/* The NBMA address: `tunnel source` address, or the first global address
 * of the named interface. */
static int nbma_resolve(struct ovl_if *oif, const struct cfg_iface *cfg)
{
	if (ipaddr_is_set(&cfg->tunnel_source)) {
		if (cfg->tunnel_source.family == AF_INET)
			oif->nbma4 = cfg->tunnel_source;
		else
			oif->nbma6 = cfg->tunnel_source;
		return 0;
	}
	if (cfg->tunnel_source_ifname) {
		struct netlink_link l;
		struct netlink_addr a[8];
		int n;

		if (netlink_link_get(oif->nl, 0, cfg->tunnel_source_ifname, &l) < 0) {
			log_err("%s: tunnel source %s: no such interface", oif->name,
			        cfg->tunnel_source_ifname);
			return -1;
		}
		n = netlink_addr_list(oif->nl, l.ifindex, 0, a, 8);
		for (int i = 0; i < n && i < 8; i++) {
			if (a[i].scope != 0)
				continue;
			if (a[i].pfx.addr.family == AF_INET && !ipaddr_is_set(&oif->nbma4))
				oif->nbma4 = a[i].pfx.addr;
			if (a[i].pfx.addr.family == AF_INET6 && !ipaddr_is_set(&oif->nbma6))
				oif->nbma6 = a[i].pfx.addr;
		}
		if (!ipaddr_is_set(&oif->nbma4) && !ipaddr_is_set(&oif->nbma6)) {
			log_err("%s: tunnel source %s has no address", oif->name,
			        cfg->tunnel_source_ifname);
			return -1;
		}
		return 0;
	}
	log_err("%s: no tunnel source", oif->name);
	return -1;
}

static void mcast_copy(struct ovl_mcast *m, const struct cfg_mcast *c)
{
	m->dynamic = c->dynamic;
	m->nhs = c->nhs;
	for (size_t i = 0; i < c->n_nbma && m->n_nbma < OVL_MCAST_MAX_STATIC; i++)
		m->nbma[m->n_nbma++] = c->nbma[i];
}

/* Every TAP has the same made-up MAC, so no EUI-64 link-local: one of our
 * own, hashed from the name and NBMA addresses (ip6_ll_derive). Without
 * IPv6 in the namespace there is nothing to do. */
static void ll6_setup(struct ovl_if *oif)
{
	struct prefix ll = {.plen = 64};
	char buf[ADDR_STRLEN];
	int err;

	if (netlink_link_set_ipv6_ll(oif->nl, oif->tap.ifindex, false) < 0)
		return;
	ip6_ll_derive(oif->name, &oif->nbma4, &oif->nbma6, &ll.addr);
	if ((err = netlink_addr_add(oif->nl, oif->tap.ifindex, &ll)) < 0 && err != -EEXIST)
		log_warn("%s: link-local %s: %s", oif->name, ipaddr_fmt(&ll.addr, buf, sizeof(buf)),
		         strerror(-err));
}

static int link_setup(struct ovl_if *oif)
{
	int err;

	arp_self_mac(oif->mac);
	if ((err = tap_set_mac(&oif->tap, oif->mac)) < 0 ||
	    (err = netlink_link_set_mtu(oif->nl, oif->tap.ifindex, oif->mtu)) < 0) {
		log_err("%s: MAC/MTU: %s", oif->name, strerror(-err));
		return -1;
	}
	/* no redirects (the hub relays between spokes on purpose) */
	netlink_link_set_ipv4_conf(oif->nl, oif->tap.ifindex, IPV4_DEVCONF_SEND_REDIRECTS, 0);
	ll6_setup(oif);
	if (oif->has_addr4) {
		struct prefix p = oif->addr4;
		if ((err = netlink_addr_add(oif->nl, oif->tap.ifindex, &p)) < 0 && err != -EEXIST) {
			log_err("%s: address: %s", oif->name, strerror(-err));
			return -1;
		}
	}
	if (oif->has_addr6) {
		struct prefix p = oif->addr6;
		if ((err = netlink_addr_add(oif->nl, oif->tap.ifindex, &p)) < 0 && err != -EEXIST) {
			log_err("%s: address6: %s", oif->name, strerror(-err));
			return -1;
		}
	}
	if ((err = netlink_link_set_up(oif->nl, oif->tap.ifindex, true)) < 0) {
		log_err("%s: link up: %s", oif->name, strerror(-err));
		return -1;
	}
	return 0;
}

static void ovl_if_free(struct ovl_if *oif)
{
	if (oif->loop) {
		ev_io_stop(oif->loop, &oif->w_tap);
		ev_io_stop(oif->loop, &oif->w_s4);
		ev_io_stop(oif->loop, &oif->w_s6);
		ev_timer_stop(oif->loop, &oif->w_timer);
	}
	if (oif->nhrp4)
		nhrp_if_free(oif->nhrp4);
	if (oif->nhrp6)
		nhrp_if_free(oif->nhrp6);
	ovl_ka_free(oif);
	ovl_routes_flush(&oif->routes);
	if (oif->ctr_registered)
		counters_unregister(oif->ctr);
	if (oif->sock4 >= 0)
		close(oif->sock4);
	if (oif->sock6 >= 0)
		close(oif->sock6);
	tap_close(&oif->tap);
	netlink_close(oif->nl);
	free(oif->rxbuf);
	free(oif->txbuf);
	free(oif->relay);
	free(oif);
}

struct ovl_if *ovl_if_new(struct ev_loop *loop, const struct cfg_iface *cfg)
{
	struct ovl_if *oif = calloc(1, sizeof(*oif));
	struct nhrp_ops ops = {
	    .send = op_send,
	    .route_add = op_route_add,
	    .route_del = op_route_del,
	    .route_lookup = op_route_lookup,
	    .neigh_update = op_neigh_update,
	    .reg_allowed = op_reg_allowed,
	};
	double now = mono_now();
	int err;

	if (!oif)
		return NULL;
	oif->sock4 = oif->sock6 = -1;
	oif->tap.fd = -1;
	snprintf(oif->name, sizeof(oif->name), "%s", cfg->name);
	oif->has_key = cfg->has_key;
	oif->key = cfg->key;
	oif->mtu = cfg->mtu ? cfg->mtu : OVL_MTU_DEFAULT;
	oif->addr4 = cfg->addr4;
	oif->addr6 = cfg->addr6;
	oif->has_addr4 = cfg->has_addr4;
	oif->has_addr6 = cfg->has_addr6;
	oif->protect_required = cfg->protection_profile != NULL;
	oif->hub = cfg->redirect || cfg->nhrp6.redirect || cfg_iface_is_hub(cfg);
	mcast_copy(&oif->mcast4, &cfg->nhrp4.mcast);
	mcast_copy(&oif->mcast6, &cfg->nhrp6.mcast);
	oif->rxbuf = malloc((size_t)OVL_BATCH * OVL_BUF_SIZE);
	oif->txbuf = malloc(OVL_BUF_SIZE);
	oif->relay = calloc(1, sizeof(*oif->relay));
	oif->nl = netlink_open();
	if (!oif->rxbuf || !oif->txbuf || !oif->relay || !oif->nl) {
		log_err("%s: out of memory or no netlink", cfg->name);
		goto fail;
	}
	if (nbma_resolve(oif, cfg) < 0)
		goto fail;
	/* sockets first: no TAP appears for a tunnel source we cannot use */
	if (ipaddr_is_set(&oif->nbma4) && (oif->sock4 = sock_open(oif, &oif->nbma4)) < 0)
		goto fail;
	if (ipaddr_is_set(&oif->nbma6) && (oif->sock6 = sock_open(oif, &oif->nbma6)) < 0)
		goto fail;
	if ((err = tap_open(&oif->tap, cfg->name)) < 0) {
		log_err("%s: TAP: %s", cfg->name, strerror(-err));
		goto fail;
	}
	if (link_setup(oif) < 0)
		goto fail;
	ovl_routes_init_sink(&oif->routes, oif->tap.ifindex, oif->nl);
	oif->routes.ctr = oif->ctr;
	snprintf(oif->ctr_module, sizeof(oif->ctr_module), "overlay.%s", oif->name);
	oif->ctr_registered =
	    counters_register(oif->ctr_module, ovl_ctr_names, oif->ctr, OVL_CTR_MAX) == 0;

	if (ovl_ka_init(oif, cfg) < 0) { /* before the engines: static maps come up at once */
		log_err("%s: keepalive: cannot start", oif->name);
		goto fail;
	}
	ops.ctx = oif;
	if (cfg->nhrp4.has_network_id && cfg->has_addr4)
		oif->nhrp4 = nhrp_if_new_af(oif, cfg, AF_INET, &ops, now);
	if (cfg->nhrp6.has_network_id && cfg->has_addr6)
		oif->nhrp6 = nhrp_if_new_af(oif, cfg, AF_INET6, &ops, now);
	if (!oif->nhrp4 && !oif->nhrp6)
		log_warn("%s: no NHRP engine (no network-id with an address)", oif->name);

	oif->link_up = true;
	oif->loop = loop;
	if (loop) {
		ev_io_init(&oif->w_tap, on_tap, oif->tap.fd, EV_READ);
		oif->w_tap.data = oif;
		ev_io_start(loop, &oif->w_tap);
		if (oif->sock4 >= 0) {
			ev_io_init(&oif->w_s4, on_sock4, oif->sock4, EV_READ);
			oif->w_s4.data = oif;
			ev_io_start(loop, &oif->w_s4);
		}
		if (oif->sock6 >= 0) {
			ev_io_init(&oif->w_s6, on_sock6, oif->sock6, EV_READ);
			oif->w_s6.data = oif;
			ev_io_start(loop, &oif->w_s6);
		}
		ev_timer_init(&oif->w_timer, on_timer, 0.0, 0.0);
		oif->w_timer.data = oif;
		ovl_if_timer_update(oif);
	}
	char b4[ADDR_STRLEN] = "-", b6[ADDR_STRLEN] = "-";
	if (ipaddr_is_set(&oif->nbma4))
		ipaddr_fmt(&oif->nbma4, b4, sizeof(b4));
	if (ipaddr_is_set(&oif->nbma6))
		ipaddr_fmt(&oif->nbma6, b6, sizeof(b6));
	log_notice("%s: up (ifindex %d, mtu %u, nbma %s %s, key %s, %s)", oif->name,
	           oif->tap.ifindex, oif->mtu, b4, b6, oif->has_key ? "set" : "none",
	           oif->hub ? "hub" : "spoke");
	return oif;
fail:
	ovl_if_free(oif);
	return NULL;
}

void ovl_if_shutdown(struct ovl_if *oif)
{
	double now = mono_now();

	if (!oif)
		return;
	oif->shutting_down = true;
	if (oif->nhrp4) {
		nhrp_if_shutdown(oif->nhrp4, now); /* frees */
		oif->nhrp4 = NULL;
	}
	if (oif->nhrp6) {
		nhrp_if_shutdown(oif->nhrp6, now);
		oif->nhrp6 = NULL;
	}
	if (oif->protect && oif->protect->detach)
		oif->protect->detach(oif->protect_ctx, oif); /* IKE DELETE after the purges */
	oif->protect = NULL;
	ovl_routes_flush(&oif->routes);
	if (oif->nl && oif->tap.ifindex > 0)
		netlink_route_flush(oif->nl, oif->tap.ifindex, 0);
	log_notice("%s: down", oif->name);
	ovl_if_free(oif);
}

void ovl_peer_dead(struct ovl_if *oif, struct peer *p, const char *why, double now)
{
	peer_ref(p); /* the engines may drop the last other reference */
	if (oif->nhrp4)
		nhrp_peer_dead(oif->nhrp4, p, why, now);
	if (oif->nhrp6)
		nhrp_peer_dead(oif->nhrp6, p, why, now);
	peer_set_state(p, PEER_DOWN, why);
	peer_put(p);
}
