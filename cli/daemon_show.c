/* Daemon-side JSON for every control request (shapes: SPEC.md, CONTROL.md). */
#include "cli/daemon_show.h"
#include "cli/show_ike.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dmvpnd.h"
#include "lib/counters.h"
#include "lib/log.h"
#include "nhrp/nhrp.h"
#include "overlay/iface.h"
#include "overlay/ipsec.h"
#include "overlay/peer.h"

static json_object *jaddr(const struct ipaddr *a)
{
	char buf[ADDR_STRLEN];

	if (!ipaddr_is_set(a))
		return NULL; /* JSON null */
	return json_object_new_string(ipaddr_fmt(a, buf, sizeof(buf)));
}

static json_object *jprefix(const struct prefix *p, bool set)
{
	char buf[PREFIX_STRLEN];

	return set ? json_object_new_string(prefix_fmt(p, buf, sizeof(buf))) : NULL;
}

static json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static bool iface_is_hub(const struct cfg_iface *ifc)
{
	return ifc->redirect || ifc->nhrp6.redirect || cfg_iface_is_hub(ifc);
}

static json_object *nhs_nbma(const struct cfg_nhs *n)
{
	return n->nbma_fqdn ? json_object_new_string(n->nbma_fqdn) : jaddr(&n->nbma);
}

static json_object *nhs_tunnel(const struct cfg_nhs *n)
{
	return n->proto_dynamic ? json_object_new_string("dynamic") : jaddr(&n->proto);
}

static long long seconds_since_start(const struct dmvpnd *d)
{
	double s = mono_now() - d->started_mono;
	return s > 0 ? (long long)s : 0;
}

static json_object *jsecs(double s)
{
	return s < 0 ? NULL : json_object_new_int64((int64_t)s);
}

static json_object *jms(double ms)
{
	char buf[32];

	if (ms < 0)
		return NULL;
	snprintf(buf, sizeof(buf), "%.3f", ms);
	return json_object_new_double_s(strtod(buf, NULL), buf);
}

static const struct ovl_if *find_oif(const struct dmvpnd *d, const char *name)
{
	for (const struct ovl_if *o = d->ifs; o; o = o->next)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

struct peer_walk_ctx {
	json_object *peers;
	bool detail;
	double now;
};

static void add_peer(struct peer *p, void *arg)
{
	struct peer_walk_ctx *c = arg;
	json_object *o = json_object_new_object();
	const struct ipaddr *tun = ipaddr_is_set(&p->tunnel4) ? &p->tunnel4 : &p->tunnel6;
	double up = c->now - p->state_since;

	json_object_object_add(o, "nbma", jaddr(&p->nbma));
	json_object_object_add(o, "tunnel", jaddr(tun));
	json_object_object_add(o, "type", json_object_new_string(peer_type_name(p->type)));
	json_object_object_add(o, "state", json_object_new_string(peer_state_name(p->state)));
	json_object_object_add(o, "uptime_s", json_object_new_int64(up > 0 ? (int64_t)up : 0));
	json_object_object_add(o, "ike", json_object_new_string(p->ike_state ? p->ike_state
	                                                                       : "none"));
	json_object_object_add(o, "keepalive_rtt_ms", jms(p->keepalive_rtt_ms));
	if (p->oif && p->oif->ka) {
		/* unanswered requests now; seconds since the last reply (null: none) */
		json_object *ka = json_object_new_object();
		json_object_object_add(ka, "probing", json_object_new_boolean(ka_entry_scheduled(&p->ka)));
		json_object_object_add(ka, "misses", json_object_new_int((int)p->ka.unanswered));
		json_object_object_add(ka, "last_rx_s",
		                       p->ka.last_reply < 0
		                           ? NULL
		                           : json_object_new_double(c->now - p->ka.last_reply));
		json_object_object_add(ka, "tx", json_object_new_uint64(p->ka.tx));
		json_object_object_add(ka, "rx", json_object_new_uint64(p->ka.rx));
		json_object_object_add(o, "keepalive", ka);
	}
	if (c->detail) {
		json_object *attrs = json_object_new_array();
		if (ipaddr_is_set(&p->nbma_claimed) && !ipaddr_eq(&p->nbma_claimed, &p->nbma)) {
			json_object_array_add(attrs, json_object_new_string("nat"));
			json_object_object_add(o, "nbma_claimed", jaddr(&p->nbma_claimed));
		}
		if (ipaddr_is_set(&p->tunnel4) && ipaddr_is_set(&p->tunnel6))
			json_object_object_add(o, "tunnel6", jaddr(&p->tunnel6));
		json_object_object_add(o, "attributes", attrs);
		json_object_object_add(o, "packets_in", json_object_new_uint64(p->pkts_in));
		json_object_object_add(o, "packets_out", json_object_new_uint64(p->pkts_out));
		json_object_object_add(o, "bytes_in", json_object_new_uint64(p->bytes_in));
		json_object_object_add(o, "bytes_out", json_object_new_uint64(p->bytes_out));
	}
	json_object_array_add(c->peers, o);
}

static void add_nhs_peers(const struct dmvpnd *d, const struct ovl_if *oif,
                          const struct cfg_nhrp_af *af, bool detail, json_object *peers)
{
	for (size_t i = 0; i < af->n_nhs; i++) {
		const struct cfg_nhs *n = &af->nhs[i];
		if (oif && ipaddr_is_set(&n->nbma) && peer_find(oif, &n->nbma))
			continue;
		json_object *p = json_object_new_object();
		json_object_object_add(p, "nbma", nhs_nbma(n));
		json_object_object_add(p, "tunnel", nhs_tunnel(n));
		json_object_object_add(p, "type", json_object_new_string("nhs"));
		json_object_object_add(p, "state", json_object_new_string("down"));
		json_object_object_add(p, "uptime_s",
		                       json_object_new_int64(seconds_since_start(d)));
		json_object_object_add(p, "ike", json_object_new_string("none"));
		json_object_object_add(p, "keepalive_rtt_ms", NULL);
		if (detail) {
			json_object_object_add(p, "priority",
			                       json_object_new_int((int)n->priority));
			json_object_object_add(p, "attributes", json_object_new_array());
		}
		json_object_array_add(peers, p);
	}
}

json_object *daemon_show_dmvpn(const struct dmvpnd *d, bool detail)
{
	json_object *res = json_object_new_object(), *ifs = json_object_new_array();

	for (size_t i = 0; d->cfg && i < d->cfg->n_ifaces; i++) {
		const struct cfg_iface *ifc = &d->cfg->ifaces[i];
		const struct ovl_if *oif = find_oif(d, ifc->name);
		json_object *o = json_object_new_object(), *peers = json_object_new_array();
		json_object_object_add(o, "name", json_object_new_string(ifc->name));
		json_object_object_add(o, "role",
		                       json_object_new_string(iface_is_hub(ifc) ? "hub" : "spoke"));
		if (detail) {
			json_object_object_add(o, "address", jprefix(&ifc->addr4, ifc->has_addr4));
			json_object_object_add(o, "address6", jprefix(&ifc->addr6, ifc->has_addr6));
			json_object_object_add(
			    o, "tunnel_source",
			    ifc->tunnel_source_ifname
			        ? json_object_new_string(ifc->tunnel_source_ifname)
			        : jaddr(&ifc->tunnel_source));
			json_object_object_add(
			    o, "key", ifc->has_key ? json_object_new_int64(ifc->key) : NULL);
			json_object_object_add(
			    o, "mtu", ifc->mtu ? json_object_new_int((int)ifc->mtu) : NULL);
			json_object_object_add(o, "protection", jstr(ifc->protection_profile));
		}
		if (oif) {
			struct peer_walk_ctx c = {.peers = peers, .detail = detail, .now = mono_now()};
			peer_walk(oif, add_peer, &c);
		}
		/* configured NHSs the peer table does not hold (yet): down */
		add_nhs_peers(d, oif, &ifc->nhrp4, detail, peers);
		add_nhs_peers(d, oif, &ifc->nhrp6, detail, peers);
		json_object_object_add(o, "peers", peers);
		json_object_array_add(ifs, o);
	}
	json_object_object_add(res, "interfaces", ifs);
	return res;
}

struct view_ctx {
	const struct ovl_if *oif;
	json_object *a;
};

static void add_nhs(const struct nhrp_nhs_view *v, void *arg)
{
	struct view_ctx *c = arg;
	json_object *o = json_object_new_object();

	json_object_object_add(o, "interface", json_object_new_string(c->oif->name));
	json_object_object_add(o, "tunnel", ipaddr_is_set(&v->proto) ? jaddr(&v->proto)
	                                                               : json_object_new_string(
	                                                                     "dynamic"));
	json_object_object_add(o, "nbma", jaddr(&v->nbma));
	json_object_object_add(o, "priority", json_object_new_int((int)v->priority));
	json_object_object_add(o, "state", json_object_new_string(v->state ? v->state : "down"));
	json_object_object_add(o, "rtt_ms", jms(v->rtt_ms));
	json_object_object_add(o, "last_registration_s", jsecs(v->last_reg_s));
	json_object_array_add(c->a, o);
}

/* An interface without a running engine: its configured NHSs, down. */
static void add_cfg_nhs(const struct cfg_iface *ifc, const struct cfg_nhrp_af *af, json_object *a)
{
	for (size_t k = 0; k < af->n_nhs; k++) {
		const struct cfg_nhs *n = &af->nhs[k];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "interface", json_object_new_string(ifc->name));
		json_object_object_add(o, "tunnel", nhs_tunnel(n));
		json_object_object_add(o, "nbma", nhs_nbma(n));
		json_object_object_add(o, "priority", json_object_new_int((int)n->priority));
		json_object_object_add(o, "state", json_object_new_string("down"));
		json_object_object_add(o, "rtt_ms", NULL);
		json_object_object_add(o, "last_registration_s", NULL);
		json_object_array_add(a, o);
	}
}

json_object *daemon_show_nhrp_nhs(const struct dmvpnd *d)
{
	json_object *res = json_object_new_object(), *a = json_object_new_array();
	double now = mono_now();

	for (size_t i = 0; d->cfg && i < d->cfg->n_ifaces; i++) {
		const struct cfg_iface *ifc = &d->cfg->ifaces[i];
		const struct ovl_if *oif = find_oif(d, ifc->name);
		struct view_ctx c = {.oif = oif, .a = a};
		if (oif && oif->nhrp4)
			nhrp_nhs_walk(oif->nhrp4, now, add_nhs, &c);
		else
			add_cfg_nhs(ifc, &ifc->nhrp4, a);
		if (oif && oif->nhrp6)
			nhrp_nhs_walk(oif->nhrp6, now, add_nhs, &c);
		else
			add_cfg_nhs(ifc, &ifc->nhrp6, a);
	}
	json_object_object_add(res, "nhs", a);
	return res;
}

static void add_cache(const struct nhrp_cache_view *v, void *arg)
{
	struct view_ctx *c = arg;
	json_object *o = json_object_new_object(), *fl = json_object_new_array();

	json_object_object_add(o, "interface", json_object_new_string(c->oif->name));
	json_object_object_add(o, "protocol", jaddr(&v->proto.addr));
	json_object_object_add(o, "prefix_len", json_object_new_int(v->proto.plen));
	json_object_object_add(o, "nbma", jaddr(&v->nbma));
	json_object_object_add(o, "type", json_object_new_string(v->type ? v->type : "?"));
	json_object_object_add(o, "expires_s", jsecs(v->expires_s));
	if (v->flags & NHRP_VIEW_F_UNIQUE)
		json_object_array_add(fl, json_object_new_string("unique"));
	if (v->flags & NHRP_VIEW_F_USED)
		json_object_array_add(fl, json_object_new_string("used"));
	if (v->flags & NHRP_VIEW_F_NAT)
		json_object_array_add(fl, json_object_new_string("nat"));
	if (v->flags & NHRP_VIEW_F_ROUTE)
		json_object_array_add(fl, json_object_new_string("route"));
	json_object_object_add(o, "flags", fl);
	json_object_array_add(c->a, o);
}

json_object *daemon_show_nhrp_cache(const struct dmvpnd *d)
{
	json_object *res = json_object_new_object(), *a = json_object_new_array();
	double now = mono_now();

	for (const struct ovl_if *oif = d->ifs; oif; oif = oif->next) {
		struct view_ctx c = {.oif = oif, .a = a};
		if (oif->nhrp4)
			nhrp_cache_walk(oif->nhrp4, now, add_cache, &c);
		if (oif->nhrp6)
			nhrp_cache_walk(oif->nhrp6, now, add_cache, &c);
	}
	json_object_object_add(res, "entries", a);
	return res;
}

static void add_shortcut(const struct nhrp_shortcut_view *v, void *arg)
{
	struct view_ctx *c = arg;
	json_object *o = json_object_new_object();

	json_object_object_add(o, "interface", json_object_new_string(c->oif->name));
	json_object_object_add(o, "prefix", jprefix(&v->prefix, true));
	json_object_object_add(o, "via", jaddr(&v->via));
	json_object_object_add(o, "nbma", jaddr(&v->nbma));
	json_object_object_add(o, "expires_s", jsecs(v->expires_s));
	json_object_object_add(o, "use_count", json_object_new_uint64(v->use_count));
	json_object_array_add(c->a, o);
}

json_object *daemon_show_nhrp_shortcut(const struct dmvpnd *d)
{
	json_object *res = json_object_new_object(), *a = json_object_new_array();
	double now = mono_now();

	for (const struct ovl_if *oif = d->ifs; oif; oif = oif->next) {
		struct view_ctx c = {.oif = oif, .a = a};
		if (oif->nhrp4)
			nhrp_shortcut_walk(oif->nhrp4, now, add_shortcut, &c);
		if (oif->nhrp6)
			nhrp_shortcut_walk(oif->nhrp6, now, add_shortcut, &c);
	}
	json_object_object_add(res, "shortcuts", a);
	return res;
}

static void count_entry(const struct nhrp_cache_view *v, void *arg)
{
	if (v->type && (strcmp(v->type, "dynamic") == 0 || strcmp(v->type, "cached") == 0 ||
	                strcmp(v->type, "incomplete") == 0 || strcmp(v->type, "negative") == 0))
		(*(unsigned long *)arg)++;
}

/* `clear nhrp cache`: returns how many dynamic/shortcut entries went. */
static unsigned long clear_nhrp_cache(struct dmvpnd *d)
{
	unsigned long n = 0;
	double now = mono_now();

	for (struct ovl_if *oif = d->ifs; oif; oif = oif->next) {
		struct nhrp_if *nifs[2] = {oif->nhrp4, oif->nhrp6};
		for (int i = 0; i < 2; i++) {
			if (!nifs[i])
				continue;
			nhrp_cache_walk(nifs[i], now, count_entry, &n);
			nhrp_cache_clear(nifs[i], now);
		}
		ovl_if_timer_update(oif);
	}
	return n;
}

json_object *daemon_show_ikev2_sa(const struct dmvpnd *d)
{
	return show_ike_sas(d->ipsec);
}

static int add_counter(const char *module, const char *name, enum counter_kind kind, uint64_t value,
                       void *arg)
{
	char full[COUNTERS_NAME_MAX];

	snprintf(full, sizeof(full), "%s.%s", module, name);
	json_object_object_add(arg, full, json_object_new_uint64(value));
	return 0;
}

json_object *daemon_show_counters(void)
{
	json_object *res = json_object_new_object(), *c = json_object_new_object();

	counters_foreach(add_counter, c);
	json_object_object_add(res, "counters", c);
	return res;
}

static int add_metric(const char *module, const char *name, enum counter_kind kind, uint64_t value,
                      void *arg)
{
	char full[COUNTERS_NAME_MAX];
	json_object *m = json_object_new_object();

	snprintf(full, sizeof(full), "%s.%s", module, name);
	json_object_object_add(m, "name", json_object_new_string(full));
	json_object_object_add(
	    m, "type", json_object_new_string(kind == COUNTER_KIND_GAUGE ? "gauge" : "counter"));
	json_object_object_add(m, "value", json_object_new_uint64(value));
	json_object_array_add(arg, m);
	return 0;
}

json_object *daemon_show_metrics(void)
{
	json_object *res = json_object_new_object(), *a = json_object_new_array();

	counters_foreach(add_metric, a);
	json_object_object_add(res, "metrics", a);
	return res;
}

json_object *daemon_show_version(const struct dmvpnd *d)
{
	json_object *res = json_object_new_object();

	json_object_object_add(res, "version", json_object_new_string(DMVPN_VERSION));
	json_object_object_add(res, "pid", json_object_new_int((int)getpid()));
	json_object_object_add(res, "name", jstr(d->opts.name));
	json_object_object_add(res, "config", jstr(d->opts.config_path));
	json_object_object_add(res, "hostname", jstr(d->cfg ? d->cfg->hostname : NULL));
	json_object_object_add(res, "uptime_s", json_object_new_int64(seconds_since_start(d)));
	return res;
}

static json_object *cleared(unsigned long n)
{
	json_object *res = json_object_new_object();

	json_object_object_add(res, "cleared", json_object_new_int64((int64_t)n));
	return res;
}

json_object *dmvpnd_ctl_dispatch(void *arg, const struct ctl_request *req)
{
	struct dmvpnd *d = arg;
	json_object *data = NULL;
	char err[256];

	switch (req->cmd) {
	case CTL_CMD_SHOW_DMVPN:
		return ctl_reply_ok(daemon_show_dmvpn(d, req->detail));
	case CTL_CMD_SHOW_NHRP_CACHE:
		return ctl_reply_ok(daemon_show_nhrp_cache(d));
	case CTL_CMD_SHOW_NHRP_NHS:
		return ctl_reply_ok(daemon_show_nhrp_nhs(d));
	case CTL_CMD_SHOW_NHRP_SHORTCUT:
		return ctl_reply_ok(daemon_show_nhrp_shortcut(d));
	case CTL_CMD_SHOW_IKEV2_SA:
		return ctl_reply_ok(daemon_show_ikev2_sa(d));
	case CTL_CMD_SHOW_IPSEC_SA:
		return ctl_reply_ok(show_ipsec_sas(d->ipsec));
	case CTL_CMD_SHOW_COUNTERS:
		dmvpnd_gauges_update(d);
		return ctl_reply_ok(daemon_show_counters());
	case CTL_CMD_METRICS:
		dmvpnd_gauges_update(d);
		return ctl_reply_ok(daemon_show_metrics());
	case CTL_CMD_CLEAR_NHRP_CACHE:
		return ctl_reply_ok(cleared(clear_nhrp_cache(d)));
	case CTL_CMD_CLEAR_IKEV2_SA:
		return ctl_reply_ok(cleared(d->ipsec ? ipsec_clear(d->ipsec, req->has_peer ? &req->peer
		                                                                          : NULL)
		                                     : 0));
	case CTL_CMD_RELOAD:
		log_notice("reload requested over the control socket");
		if (dmvpnd_reload(d, &data, err, sizeof(err)) < 0)
			return ctl_reply_error(err, data);
		return ctl_reply_ok(data);
	case CTL_CMD_VERSION:
		return ctl_reply_ok(daemon_show_version(d));
	case CTL_CMD_MONITOR: /* handled by the server */
	case CTL_CMD_NONE:
	case CTL_CMD_MAX:
		break;
	}
	return NULL;
}
