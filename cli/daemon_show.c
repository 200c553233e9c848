/* Daemon-side JSON for every control request (shapes: SPEC.md, CONTROL.md). */
#include "cli/daemon_show.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "dmvpnd.h"
#include "lib/counters.h"
#include "lib/log.h"

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

/* Configured NHSs are peers of type "nhs"; until NHRP registration exists
 * they are down since start. */
static void add_nhs_peers(const struct dmvpnd *d, const struct cfg_nhrp_af *af, bool detail,
                          json_object *peers)
{
	for (size_t i = 0; i < af->n_nhs; i++) {
		const struct cfg_nhs *n = &af->nhs[i];
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
		add_nhs_peers(d, &ifc->nhrp4, detail, peers);
		add_nhs_peers(d, &ifc->nhrp6, detail, peers);
		json_object_object_add(o, "peers", peers);
		json_object_array_add(ifs, o);
	}
	json_object_object_add(res, "interfaces", ifs);
	return res;
}

json_object *daemon_show_nhrp_nhs(const struct dmvpnd *d)
{
	json_object *res = json_object_new_object(), *a = json_object_new_array();

	for (size_t i = 0; d->cfg && i < d->cfg->n_ifaces; i++) {
		const struct cfg_iface *ifc = &d->cfg->ifaces[i];
		const struct cfg_nhrp_af *afs[2] = {&ifc->nhrp4, &ifc->nhrp6};
		for (size_t f = 0; f < 2; f++) {
			for (size_t k = 0; k < afs[f]->n_nhs; k++) {
				const struct cfg_nhs *n = &afs[f]->nhs[k];
				json_object *o = json_object_new_object();
				json_object_object_add(o, "interface",
				                       json_object_new_string(ifc->name));
				json_object_object_add(o, "tunnel", nhs_tunnel(n));
				json_object_object_add(o, "nbma", nhs_nbma(n));
				json_object_object_add(o, "priority",
				                       json_object_new_int((int)n->priority));
				json_object_object_add(o, "state", json_object_new_string("down"));
				json_object_object_add(o, "rtt_ms", NULL);
				json_object_object_add(o, "last_registration_s", NULL);
				json_object_array_add(a, o);
			}
		}
	}
	json_object_object_add(res, "nhs", a);
	return res;
}

static json_object *empty_list(const char *key)
{
	json_object *res = json_object_new_object();

	json_object_object_add(res, key, json_object_new_array());
	return res;
}

json_object *daemon_show_nhrp_cache(const struct dmvpnd *d)
{
	return empty_list("entries");
}
json_object *daemon_show_nhrp_shortcut(const struct dmvpnd *d)
{
	return empty_list("shortcuts");
}
json_object *daemon_show_ikev2_sa(const struct dmvpnd *d)
{
	return empty_list("sas");
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
	case CTL_CMD_SHOW_COUNTERS:
		dmvpnd_gauges_update(d);
		return ctl_reply_ok(daemon_show_counters());
	case CTL_CMD_METRICS:
		dmvpnd_gauges_update(d);
		return ctl_reply_ok(daemon_show_metrics());
	case CTL_CMD_CLEAR_NHRP_CACHE:
	case CTL_CMD_CLEAR_IKEV2_SA:
		/* nothing dynamic exists yet */
		return ctl_reply_ok(cleared(0));
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
