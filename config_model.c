/* Configuration model: lookups, small queries, freeing (secrets are zeroed
 * before their memory is released) and writing the model back as text.
 */
#include "config_parse.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lib/log.h"
#include "lib/util.h"

unsigned cfg_mcast_modes(const struct cfg_mcast *m)
{
	return (m->dynamic ? CFG_MCAST_DYNAMIC : 0) | (m->nhs ? CFG_MCAST_NHS : 0) |
	       (m->n_nbma ? CFG_MCAST_STATIC : 0);
}

bool cfg_iface_is_hub(const struct cfg_iface *ifc)
{
	return ifc->nhrp4.n_nhs == 0 && ifc->nhrp6.n_nhs == 0;
}

const struct cfg_iface *config_find_iface(const struct config *cfg, const char *name)
{
	for (size_t i = 0; cfg && i < cfg->n_ifaces; i++)
		if (cfg->ifaces[i].name && !strcmp(cfg->ifaces[i].name, name))
			return &cfg->ifaces[i];
	return NULL;
}

const struct cfg_profile *config_find_profile(const struct config *cfg, const char *name)
{
	for (size_t i = 0; cfg && i < cfg->n_profiles; i++)
		if (cfg->profiles[i].name && !strcmp(cfg->profiles[i].name, name))
			return &cfg->profiles[i];
	return NULL;
}

static void secret_free(char *s)
{
	if (s) {
		secure_zero(s, strlen(s));
		free(s);
	}
}

static void nhrp_af_clear(struct cfg_nhrp_af *af)
{
	for (size_t i = 0; i < af->n_nhs; i++)
		free(af->nhs[i].nbma_fqdn);
	free(af->nhs);
	free(af->maps);
	free(af->mcast.nbma);
	memset(af, 0, sizeof(*af));
}

void cfg_iface_clear(struct cfg_iface *ifc)
{
	free(ifc->name);
	free(ifc->tunnel_source_ifname);
	free(ifc->protection_profile);
	secret_free(ifc->nhrp_auth);
	nhrp_af_clear(&ifc->nhrp4);
	nhrp_af_clear(&ifc->nhrp6);
	memset(ifc, 0, sizeof(*ifc));
}

void cfg_profile_clear(struct cfg_profile *prof)
{
	free(prof->name);
	free(prof->local.value);
	free(prof->remote.value);
	for (size_t i = 0; i < prof->n_matches; i++)
		free(prof->matches[i].value);
	free(prof->matches);
	for (size_t i = 0; i < prof->n_authz; i++)
		free(prof->authz[i].value);
	free(prof->authz);
	if (prof->psk) {
		secure_zero(prof->psk, prof->psk_len);
		free(prof->psk);
	}
	free(prof->cert_file);
	free(prof->key_file);
	free(prof->ca_file);
	for (size_t i = 0; i < prof->n_proposals; i++)
		free(prof->proposals[i]);
	free(prof->proposals);
	free(prof->proposal_suites);
	for (size_t i = 0; i < prof->n_esp_proposals; i++)
		free(prof->esp_proposals[i]);
	free(prof->esp_proposals);
	free(prof->esp_suites);
	memset(prof, 0, sizeof(*prof));
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->n_ifaces; i++)
		cfg_iface_clear(&cfg->ifaces[i]);
	free(cfg->ifaces);
	for (size_t i = 0; i < cfg->n_profiles; i++)
		cfg_profile_clear(&cfg->profiles[i]);
	free(cfg->profiles);
	free(cfg->frr.zapi_path);
	free(cfg->frr.vty_path);
	free(cfg->hostname);
	free(cfg->path);
	free(cfg);
}

/* ---- writing the model back as configuration text ---- */

/* A word as the lexer reads it back: quoted when it has a space, a tab,
 * '!', '"' or '\', or is empty. */
static void put_word(FILE *out, const char *s)
{
	if (*s && !strpbrk(s, " \t!\"\\")) {
		fputs(s, out);
		return;
	}
	fputc('"', out);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', out);
		fputc(*s, out);
	}
	fputc('"', out);
}

/* Seconds without exponent and without trailing zeros ("0.3", "10"). */
static void put_secs(FILE *out, double v)
{
	char buf[64];
	size_t n = (size_t)snprintf(buf, sizeof(buf), "%.9f", v);

	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	while (n > 1 && buf[n - 1] == '0')
		buf[--n] = '\0';
	if (n > 1 && buf[n - 1] == '.')
		buf[--n] = '\0';
	fputs(buf, out);
}

static void put_secret(FILE *out, const char *s, bool show)
{
	put_word(out, show ? s : "<hidden>");
}

static void write_profile(FILE *out, const struct cfg_profile *p, bool show)
{
	char buf[PREFIX_STRLEN];
	const struct cfg_identity *ids[2] = {&p->local, &p->remote};

	fprintf(out, "crypto ikev2 profile %s\n", p->name);
	for (int i = 0; i < 2; i++) {
		if (ids[i]->type == CFG_ID_NONE)
			continue;
		fprintf(out, " identity %s %s ", i ? "remote" : "local",
		        cfg_id_type_name(ids[i]->type));
		put_word(out, ids[i]->value);
		fputc('\n', out);
	}
	for (size_t i = 0; i < p->n_matches; i++) {
		const struct cfg_match *m = &p->matches[i];
		fputs(" match identity remote ", out);
		if (m->kind == CFG_MATCH_ANY) {
			fputs("any", out);
		} else if (m->kind == CFG_MATCH_ADDR_PREFIX) {
			fprintf(out, "address %s", prefix_fmt(&m->prefix, buf, sizeof(buf)));
		} else {
			fprintf(out, "%s %s", cfg_id_type_name(m->type),
			        m->kind == CFG_MATCH_DOMAIN ? "domain " : "");
			put_word(out, m->value);
		}
		fputc('\n', out);
	}
	for (size_t i = 0; i < p->n_authz; i++) {
		const struct cfg_authz *a = &p->authz[i];
		fprintf(out, " authorize %s %s", cfg_id_type_name(a->type), a->domain ? "domain " : "");
		put_word(out, a->value);
		fprintf(out, " tunnel-address %s\n", prefix_fmt(&a->prefix, buf, sizeof(buf)));
	}
	if (p->auth == CFG_AUTH_PSK) {
		fputs(" authentication psk ", out);
		put_secret(out, p->psk, show);
		fputc('\n', out);
	} else if (p->auth == CFG_AUTH_CERT) {
		fputs(" authentication certificate ", out);
		put_word(out, p->cert_file);
		fputs(" key ", out);
		put_word(out, p->key_file);
		fputs(" ca ", out);
		put_word(out, p->ca_file);
		fputc('\n', out);
	}
	for (size_t i = 0; i < p->n_proposals; i++)
		fprintf(out, " proposal %s\n", p->proposals[i]);
	for (size_t i = 0; i < p->n_esp_proposals; i++)
		fprintf(out, " esp-proposal %s\n", p->esp_proposals[i]);
	if (p->has_dpd) {
		fputs(" dpd ", out);
		put_secs(out, p->dpd_interval);
		fputc(' ', out);
		put_secs(out, p->dpd_retry_interval);
		fprintf(out, " %s retries %u\n", cfg_dpd_mode_name(p->dpd_mode), p->dpd_retries);
	}
	if (p->lifetime_child_kb)
		fprintf(out, " lifetime %u %u kilobytes %llu\n", p->lifetime_ike, p->lifetime_child,
		        (unsigned long long)p->lifetime_child_kb);
	else
		fprintf(out, " lifetime %u %u\n", p->lifetime_ike, p->lifetime_child);
	fprintf(out, " nat-traversal %s\n", cfg_natt_name(p->nat_traversal));
	fputs("!\n", out);
}

static void write_af(FILE *out, const struct cfg_nhrp_af *af, const char *c)
{
	char b1[ADDR_STRLEN], b2[ADDR_STRLEN];

	if (af->has_network_id)
		fprintf(out, " %s nhrp network-id %u\n %s nhrp holdtime %u\n", c, af->network_id, c,
		        af->holdtime);
	for (size_t i = 0; i < af->n_nhs; i++) {
		const struct cfg_nhs *n = &af->nhs[i];
		fprintf(out, " %s nhrp nhs %s", c,
		        n->proto_dynamic ? "dynamic" : ipaddr_fmt(&n->proto, b1, sizeof(b1)));
		if (n->nbma_fqdn)
			fprintf(out, " nbma %s", n->nbma_fqdn);
		else if (!n->nbma_from_map)
			fprintf(out, " nbma %s", ipaddr_fmt(&n->nbma, b2, sizeof(b2)));
		fprintf(out, " priority %u\n", n->priority);
	}
	for (size_t i = 0; i < af->n_maps; i++)
		fprintf(
		    out, " %s nhrp map %s %s\n", c, ipaddr_fmt(&af->maps[i].proto, b1, sizeof(b1)),
		    af->maps[i].local ? "local" : ipaddr_fmt(&af->maps[i].nbma, b2, sizeof(b2)));
	if (af->mcast.dynamic)
		fprintf(out, " %s nhrp map multicast dynamic\n", c);
	if (af->mcast.nhs)
		fprintf(out, " %s nhrp map multicast nhs\n", c);
	for (size_t i = 0; i < af->mcast.n_nbma; i++)
		fprintf(out, " %s nhrp map multicast %s\n", c,
		        ipaddr_fmt(&af->mcast.nbma[i], b1, sizeof(b1)));
	if (af->shortcut)
		fprintf(out, " %s nhrp shortcut\n", c);
	if (af->redirect)
		fprintf(out, " %s nhrp redirect\n", c);
	if (af->reg_no_unique)
		fprintf(out, " %s nhrp registration no-unique\n", c);
	if (af->nhrp_mtu > 0)
		fprintf(out, " %s nhrp mtu %d\n", c, af->nhrp_mtu);
	else if (af->nhrp_mtu < 0)
		fprintf(out, " %s nhrp mtu opennhrp\n", c);
}

static void write_iface(FILE *out, const struct cfg_iface *ifc, bool show)
{
	char buf[PREFIX_STRLEN];

	fputs("interface ", out);
	put_word(out, ifc->name);
	fputc('\n', out);
	if (ifc->has_addr4)
		fprintf(out, " ip address %s\n", prefix_fmt(&ifc->addr4, buf, sizeof(buf)));
	if (ifc->has_addr6)
		fprintf(out, " ipv6 address %s\n", prefix_fmt(&ifc->addr6, buf, sizeof(buf)));
	if (ifc->mtu)
		fprintf(out, " mtu %u\n", ifc->mtu);
	if (ifc->tunnel_source_ifname) {
		fputs(" tunnel source ", out);
		put_word(out, ifc->tunnel_source_ifname);
		fputc('\n', out);
	} else if (ipaddr_is_set(&ifc->tunnel_source))
		fprintf(out, " tunnel source %s\n",
		        ipaddr_fmt(&ifc->tunnel_source, buf, sizeof(buf)));
	if (ifc->has_key)
		fprintf(out, " tunnel key %u\n", ifc->key);
	if (ifc->protection_profile)
		fprintf(out, " tunnel protection ikev2 profile %s\n", ifc->protection_profile);
	if (ifc->has_keepalive) {
		fputs(" keepalive ", out);
		put_secs(out, ifc->keepalive_interval);
		fprintf(out, " %u\n", ifc->keepalive_misses);
	}
	write_af(out, &ifc->nhrp4, "ip");
	write_af(out, &ifc->nhrp6, "ipv6");
	if (ifc->nhrp_auth) {
		fputs(" ip nhrp authentication ", out);
		put_secret(out, ifc->nhrp_auth, show);
		fputc('\n', out);
	}
	fputs("!\n", out);
}

int config_write(const struct config *cfg, FILE *out, bool show_secrets)
{
	if (cfg->hostname)
		fprintf(out, "hostname %s\n", cfg->hostname);
	fprintf(out, "log level %s\n!\n", log_level_name((enum log_level)cfg->log_level));
	for (size_t i = 0; i < cfg->n_profiles; i++)
		write_profile(out, &cfg->profiles[i], show_secrets);
	for (size_t i = 0; i < cfg->n_ifaces; i++)
		write_iface(out, &cfg->ifaces[i], show_secrets);
	if (cfg->frr.zapi) {
		fputs("frr zapi", out);
		if (cfg->frr.zapi_path) {
			fputc(' ', out);
			put_word(out, cfg->frr.zapi_path);
		}
		fputc('\n', out);
	}
	if (cfg->frr.vty) {
		fputs("frr vty", out);
		if (cfg->frr.vty_path) {
			fputc(' ', out);
			put_word(out, cfg->frr.vty_path);
		}
		fputc('\n', out);
	}
	return ferror(out) ? -1 : 0;
}

/* Case-insensitive: does id end in "." + suffix (or equal it)? For email,
 * the part after '@' is compared. */
static bool domain_match(enum cfg_id_type type, const char *id, const char *suffix)
{
	size_t il, sl = strlen(suffix);

	if (type == CFG_ID_EMAIL) {
		const char *at = strrchr(id, '@');
		if (!at)
			return false;
		id = at + 1;
	}
	il = strlen(id);
	if (il < sl || strcasecmp(id + il - sl, suffix) != 0)
		return false;
	return il == sl || id[il - sl - 1] == '.' || (type == CFG_ID_EMAIL && il == sl);
}

bool cfg_profile_authorizes(const struct cfg_profile *p, enum cfg_id_type type, const char *id,
                            const struct ipaddr *addr)
{
	if (!p || !p->n_authz)
		return true;
	if (!id || !*id)
		return false;
	for (size_t i = 0; i < p->n_authz; i++) {
		const struct cfg_authz *a = &p->authz[i];
		bool who;
		if (a->type != type || !prefix_contains(&a->prefix, addr))
			continue;
		if (a->domain)
			who = domain_match(type, id, a->value);
		else if (type == CFG_ID_ADDRESS) {
			struct ipaddr x;
			who = ipaddr_parse(&x, id) == 0 && ipaddr_eq(&x, &a->addr);
		} else if (type == CFG_ID_FQDN || type == CFG_ID_EMAIL)
			who = strcasecmp(id, a->value) == 0;
		else
			who = strcmp(id, a->value) == 0;
		if (who)
			return true;
	}
	return false;
}
