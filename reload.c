/* Reload: coarse configuration diff, the swap, and the daemon's counters. */
#include "reload.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/events.h"
#include "dmvpnd.h"
#include "lib/counters.h"
#include "lib/log.h"
#include "lib/util.h"
#include "overlay/iface.h"
#include "overlay/ipsec.h"

static bool str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool prefix_eq(const struct prefix *a, const struct prefix *b)
{
	return a->plen == b->plen && ipaddr_eq(&a->addr, &b->addr);
}

static bool nhs_eq(const struct cfg_nhs *a, size_t na, const struct cfg_nhs *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++) {
		if (a[i].proto_dynamic != b[i].proto_dynamic ||
		    !ipaddr_eq(&a[i].proto, &b[i].proto) || !ipaddr_eq(&a[i].nbma, &b[i].nbma) ||
		    !str_eq(a[i].nbma_fqdn, b[i].nbma_fqdn) || a[i].priority != b[i].priority)
			return false;
	}
	return true;
}

static bool maps_eq(const struct cfg_map *a, size_t na, const struct cfg_map *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (a[i].local != b[i].local || !ipaddr_eq(&a[i].proto, &b[i].proto) ||
		    !ipaddr_eq(&a[i].nbma, &b[i].nbma))
			return false;
	return true;
}

static bool mcast_eq(const struct cfg_mcast *a, const struct cfg_mcast *b)
{
	if (a->dynamic != b->dynamic || a->nhs != b->nhs || a->n_nbma != b->n_nbma)
		return false;
	for (size_t i = 0; i < a->n_nbma; i++)
		if (!ipaddr_eq(&a->nbma[i], &b->nbma[i]))
			return false;
	return true;
}

/* Names of the field groups that differ, appended to buf ("mtu, nhs"). */
struct difflist {
	char buf[256];
	size_t n;
};

static void diff_add(struct difflist *d, bool differs, const char *what)
{
	size_t len = strlen(d->buf);

	if (!differs)
		return;
	snprintf(d->buf + len, sizeof(d->buf) - len, "%s%s", d->n ? ", " : "", what);
	d->n++;
}

static void diff_af(struct difflist *d, const struct cfg_nhrp_af *a, const struct cfg_nhrp_af *b,
                    const char *fam)
{
	char w[32];

	snprintf(w, sizeof(w), "%snhrp", fam);
	diff_add(d,
	         a->has_network_id != b->has_network_id || a->network_id != b->network_id ||
	             a->holdtime != b->holdtime || a->shortcut != b->shortcut ||
	             a->redirect != b->redirect || a->reg_no_unique != b->reg_no_unique ||
	             a->nhrp_mtu != b->nhrp_mtu,
	         w);
	snprintf(w, sizeof(w), "%snhs", fam);
	diff_add(d, !nhs_eq(a->nhs, a->n_nhs, b->nhs, b->n_nhs), w);
	snprintf(w, sizeof(w), "%smap", fam);
	diff_add(
	    d, !maps_eq(a->maps, a->n_maps, b->maps, b->n_maps) || !mcast_eq(&a->mcast, &b->mcast),
	    w);
}

static void diff_iface(struct difflist *d, const struct cfg_iface *a, const struct cfg_iface *b)
{
	diff_add(d,
	         a->has_addr4 != b->has_addr4 || !prefix_eq(&a->addr4, &b->addr4) ||
	             a->has_addr6 != b->has_addr6 || !prefix_eq(&a->addr6, &b->addr6),
	         "address");
	diff_add(d, a->mtu != b->mtu, "mtu");
	diff_add(d,
	         !str_eq(a->tunnel_source_ifname, b->tunnel_source_ifname) ||
	             !ipaddr_eq(&a->tunnel_source, &b->tunnel_source),
	         "tunnel source");
	diff_add(d, a->has_key != b->has_key || a->key != b->key, "tunnel key");
	diff_add(d, !str_eq(a->protection_profile, b->protection_profile), "tunnel protection");
	diff_add(d,
	         a->has_keepalive != b->has_keepalive ||
	             a->keepalive_interval != b->keepalive_interval ||
	             a->keepalive_misses != b->keepalive_misses,
	         "keepalive");
	diff_add(d, !str_eq(a->nhrp_auth, b->nhrp_auth), "nhrp authentication");
	diff_af(d, &a->nhrp4, &b->nhrp4, "");
	diff_af(d, &a->nhrp6, &b->nhrp6, "ipv6 ");
}

static bool ident_eq(const struct cfg_identity *a, const struct cfg_identity *b)
{
	return a->type == b->type && str_eq(a->value, b->value);
}

static bool strv_eq(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!str_eq(a[i], b[i]))
			return false;
	return true;
}

static bool matches_eq(const struct cfg_profile *a, const struct cfg_profile *b)
{
	if (a->n_matches != b->n_matches)
		return false;
	for (size_t i = 0; i < a->n_matches; i++) {
		const struct cfg_match *x = &a->matches[i], *y = &b->matches[i];
		if (x->kind != y->kind || x->type != y->type || !str_eq(x->value, y->value) ||
		    !prefix_eq(&x->prefix, &y->prefix))
			return false;
	}
	return true;
}

static bool authz_eq(const struct cfg_profile *a, const struct cfg_profile *b)
{
	if (a->n_authz != b->n_authz)
		return false;
	for (size_t i = 0; i < a->n_authz; i++) {
		const struct cfg_authz *x = &a->authz[i], *y = &b->authz[i];
		if (x->type != y->type || x->domain != y->domain || !str_eq(x->value, y->value) ||
		    !prefix_eq(&x->prefix, &y->prefix))
			return false;
	}
	return true;
}

static void diff_profile(struct difflist *d, const struct cfg_profile *a,
                         const struct cfg_profile *b)
{
	diff_add(d, !authz_eq(a, b), "authorize");
	bool psk_differs =
	    a->psk_len != b->psk_len ||
	    (a->psk && b->psk ? ct_memcmp(a->psk, b->psk, a->psk_len) != 0 : a->psk != b->psk);

	diff_add(d,
	         !ident_eq(&a->local, &b->local) || !ident_eq(&a->remote, &b->remote) ||
	             !matches_eq(a, b),
	         "identity");
	diff_add(d,
	         a->auth != b->auth || psk_differs || !str_eq(a->cert_file, b->cert_file) ||
	             !str_eq(a->key_file, b->key_file) || !str_eq(a->ca_file, b->ca_file),
	         "authentication");
	diff_add(d, !strv_eq(a->proposals, a->n_proposals, b->proposals, b->n_proposals),
	         "proposal");
	diff_add(
	    d, !strv_eq(a->esp_proposals, a->n_esp_proposals, b->esp_proposals, b->n_esp_proposals),
	    "esp-proposal");
	diff_add(d,
	         a->has_dpd != b->has_dpd || a->dpd_interval != b->dpd_interval ||
	             a->dpd_retry_interval != b->dpd_retry_interval || a->dpd_mode != b->dpd_mode ||
	             a->dpd_retries != b->dpd_retries,
	         "dpd");
	diff_add(d, a->lifetime_ike != b->lifetime_ike || a->lifetime_child != b->lifetime_child ||
	                 a->lifetime_child_kb != b->lifetime_child_kb,
	         "lifetime");
	diff_add(d, a->nat_traversal != b->nat_traversal, "nat-traversal");
}

static void change(json_object *changes, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void change(json_object *changes, const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	json_object_array_add(changes, json_object_new_string(buf));
}

enum reload_if_action reload_iface_action(const struct config *o, const struct config *n,
                                          const char *name, char *why, size_t len)
{
	const struct cfg_iface *oi = config_find_iface(o, name);
	const struct cfg_iface *ni = config_find_iface(n, name);
	struct difflist d = {.n = 0};

	if (len)
		why[0] = '\0';
	if (!ni)
		return oi ? RELOAD_IF_REMOVE : RELOAD_IF_KEEP;
	if (!oi)
		return RELOAD_IF_ADD;
	diff_iface(&d, oi, ni);
	if (d.n) {
		snprintf(why, len, "%s changed", d.buf);
		return RELOAD_IF_RECREATE;
	}
	/* the same profile name, but the profile itself changed */
	const struct cfg_profile *op =
	    oi->protection_profile ? config_find_profile(o, oi->protection_profile) : NULL;
	const struct cfg_profile *np =
	    ni->protection_profile ? config_find_profile(n, ni->protection_profile) : NULL;
	if (op && np) {
		diff_profile(&d, op, np);
		if (d.n) {
			snprintf(why, len, "profile %s changed", np->name);
			return RELOAD_IF_RECREATE;
		}
	}
	return RELOAD_IF_KEEP;
}

void reload_diff(const struct config *o, const struct config *n, json_object *changes)
{
	if (!str_eq(o->hostname, n->hostname))
		change(changes, "hostname: %s -> %s", o->hostname ? o->hostname : "(none)",
		       n->hostname ? n->hostname : "(none)");
	if (o->log_level != n->log_level)
		change(changes, "log level: %s -> %s", log_level_name(o->log_level),
		       log_level_name(n->log_level));
	for (size_t i = 0; i < o->n_profiles; i++)
		if (!config_find_profile(n, o->profiles[i].name))
			change(changes, "profile %s: removed", o->profiles[i].name);
	for (size_t i = 0; i < n->n_profiles; i++) {
		const struct cfg_profile *np = &n->profiles[i];
		const struct cfg_profile *op = config_find_profile(o, np->name);
		struct difflist d = {.n = 0};
		if (!op) {
			change(changes, "profile %s: added", np->name);
			continue;
		}
		diff_profile(&d, op, np);
		if (d.n)
			change(changes, "profile %s: changed (%s)", np->name, d.buf);
	}
	for (size_t i = 0; i < o->n_ifaces; i++)
		if (!config_find_iface(n, o->ifaces[i].name))
			change(changes, "interface %s: removed", o->ifaces[i].name);
	for (size_t i = 0; i < n->n_ifaces; i++) {
		const struct cfg_iface *ni = &n->ifaces[i];
		char why[256];
		switch (reload_iface_action(o, n, ni->name, why, sizeof(why))) {
		case RELOAD_IF_ADD:
			change(changes, "interface %s: added", ni->name);
			break;
		case RELOAD_IF_RECREATE:
			change(changes, "interface %s: recreated (%s)", ni->name, why);
			break;
		default:
			break;
		}
	}
	if (o->frr.zapi != n->frr.zapi || o->frr.vty != n->frr.vty ||
	    !str_eq(o->frr.zapi_path, n->frr.zapi_path) ||
	    !str_eq(o->frr.vty_path, n->frr.vty_path))
		change(changes, "frr: changed");
}

/* ---- the daemon's own counters ---- */

static const char *const dmvpnd_ctr_names[DMVPND_CTR_MAX] = {
    [DMVPND_CTR_RELOADS] = "reloads",
    [DMVPND_CTR_RELOAD_FAILURES] = "reload_failures",
};
static const char *const dmvpnd_gauge_names[DMVPND_G_MAX] = {
    [DMVPND_G_INTERFACES] = "interfaces",
    [DMVPND_G_PROFILES] = "profiles",
};

void dmvpnd_counters_register(struct dmvpnd *d)
{
	if (counters_register("daemon", dmvpnd_ctr_names, d->ctr, DMVPND_CTR_MAX) < 0 ||
	    counters_register_gauges("config", dmvpnd_gauge_names, d->gauge, DMVPND_G_MAX) < 0)
		log_warn("daemon counters not registered");
	dmvpnd_gauges_update(d);
}

void dmvpnd_counters_unregister(struct dmvpnd *d)
{
	counters_unregister(d->ctr);
	counters_unregister(d->gauge);
}

void dmvpnd_gauges_update(struct dmvpnd *d)
{
	d->gauge[DMVPND_G_INTERFACES] = d->cfg ? d->cfg->n_ifaces : 0;
	d->gauge[DMVPND_G_PROFILES] = d->cfg ? d->cfg->n_profiles : 0;
}

/* ---- reload ---- */

/* Splits the parser's "FILE:LINE: message\n" lines into a JSON array, and
 * logs each. */
static json_object *errors_to_json(const char *text)
{
	json_object *a = json_object_new_array();

	while (text && *text) {
		const char *nl = strchr(text, '\n');
		size_t len = nl ? (size_t)(nl - text) : strlen(text);
		if (len) {
			json_object_array_add(a, json_object_new_string_len(text, (int)len));
			log_err("reload: %.*s", (int)len, text);
		}
		text += len + (nl ? 1 : 0);
	}
	return a;
}

static struct ovl_if *iface_find(struct dmvpnd *d, const char *name)
{
	for (struct ovl_if *o = d->ifs; o; o = o->next)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

/* The IPsec module keeps the configuration copy it was made with; an
 * interface added or recreated with `tunnel protection` needs the new one
 * (its profile may be new or changed). A second load of the file, checked
 * to be the configuration just applied, goes to ipsec_config_add(). When
 * that fails, ipsec_attach() falls back to an older copy: the interface is
 * protected with the profile it had, or (not in any copy) stays down and
 * is retried: never cleartext. */
static void ipsec_refresh(struct dmvpnd *d, const struct config *nc, json_object *changes)
{
	int nerr = 0;
	struct config *copy;
	json_object *diff;
	bool needed = false;

	for (size_t i = 0; i < nc->n_ifaces; i++) {
		const struct cfg_iface *ni = &nc->ifaces[i];
		needed |= ni->protection_profile && !iface_find(d, ni->name);
	}
	if (!d->ipsec || !needed)
		return;
	copy = config_load(d->opts.config_path, NULL, &nerr);
	diff = json_object_new_array();
	if (copy)
		reload_diff(copy, nc, diff);
	if (!copy || json_object_array_length(diff)) {
		config_free(copy);
		change(changes,
		       "tunnel protection: %s changed during the reload; new protected "
		       "interfaces use the previous profiles (reload again)",
		       d->opts.config_path);
	} else {
		ipsec_config_add(d->ipsec, copy);
	}
	json_object_put(diff);
}

void reload_apply_ifaces(struct dmvpnd *d, struct config *nc, json_object *changes)
{
	char why[256];

	/* removed and changed interfaces go first (deregistration, purges, IKE
	 * DELETE, routes, TAP), under the configuration they were made with */
	for (struct ovl_if **pp = &d->ifs; *pp;) {
		struct ovl_if *oif = *pp;
		enum reload_if_action a =
		    reload_iface_action(d->cfg, nc, oif->name, why, sizeof(why));
		if (a != RELOAD_IF_REMOVE && a != RELOAD_IF_RECREATE &&
		    config_find_iface(nc, oif->name)) {
			pp = &oif->next;
			continue;
		}
		*pp = oif->next;
		oif->next = NULL;
		log_notice("reload: %s: shutting down (%s)", oif->name,
		           a == RELOAD_IF_RECREATE ? why : "removed");
		ovl_if_shutdown(oif);
	}
	bool *made = calloc(nc->n_ifaces ? nc->n_ifaces : 1, sizeof(*made));
	for (size_t i = 0; made && i < nc->n_ifaces; i++) {
		enum reload_if_action a =
		    reload_iface_action(d->cfg, nc, nc->ifaces[i].name, why, sizeof(why));
		made[i] = a == RELOAD_IF_ADD || a == RELOAD_IF_RECREATE;
	}
	config_free(d->cfg);
	d->cfg = nc;
	ipsec_refresh(d, nc, changes);
	if (d->ifs_create) {                       /* NULL in unit tests: no data plane */
		ev_timer_stop(d->loop, &d->retry); /* overlay_create re-arms it if needed */
		d->ifs_create(d);                  /* the added and recreated ones */
		for (size_t i = 0; made && i < nc->n_ifaces; i++)
			if (made[i] && !iface_find(d, nc->ifaces[i].name))
				change(changes, "interface %s: not up (retrying every 10 s)",
				       nc->ifaces[i].name);
	}
	free(made);
}

int dmvpnd_reload(struct dmvpnd *d, json_object **data, char *err, size_t errlen)
{
	const char *path = d->opts.config_path;
	char *ebuf = NULL;
	size_t elen = 0;
	FILE *ef = open_memstream(&ebuf, &elen);
	int nerr = 0;
	struct config *nc = config_load(path, ef, &nerr);
	json_object *res = json_object_new_object(), *ev;

	if (ef)
		fclose(ef);
	json_object_object_add(res, "file", json_object_new_string(path));
	if (!nc) {
		d->ctr[DMVPND_CTR_RELOAD_FAILURES]++;
		json_object_object_add(res, "errors", errors_to_json(ebuf));
		snprintf(err, errlen, "%s: %d error%s; keeping the running configuration", path,
		         nerr, nerr == 1 ? "" : "s");
		log_err("reload: %s", err);
		ev = json_object_new_object();
		json_object_object_add(ev, "status", json_object_new_string("failed"));
		json_object_object_add(ev, "file", json_object_new_string(path));
		json_object_object_add(ev, "errors", json_object_new_int(nerr));
		events_emit("reload", ev);
		free(ebuf);
		*data = res;
		return -1;
	}
	free(ebuf);

	json_object *changes = json_object_new_array();
	if (d->cfg) {
		reload_diff(d->cfg, nc, changes);
		reload_apply_ifaces(d, nc, changes);
	} else {
		d->cfg = nc;
	}
	log_set_level((enum log_level)nc->log_level);
	d->ctr[DMVPND_CTR_RELOADS]++;
	dmvpnd_gauges_update(d);

	size_t n = json_object_array_length(changes);
	if (!n)
		log_notice("reload: %s: no changes", path);
	for (size_t i = 0; i < n; i++)
		log_notice("reload: %s",
		           json_object_get_string(json_object_array_get_idx(changes, i)));
	ev = json_object_new_object();
	json_object_object_add(ev, "status", json_object_new_string("ok"));
	json_object_object_add(ev, "file", json_object_new_string(path));
	json_object_object_add(ev, "changes", json_object_get(changes));
	events_emit("reload", ev);
	json_object_object_add(res, "changes", changes);
	*data = res;
	return 0;
}
