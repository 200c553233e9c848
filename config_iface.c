/* Configuration: `interface NAME` block (addresses, tunnel, keepalive and the
 * FRR nhrpd `ip nhrp ...` / `ipv6 nhrp ...` commands with FRR's meaning), and
 * the checks that need the whole file.
 */
#include "config_parse.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/util.h"

#define AF4 4
#define AF6 6

static struct cfg_nhrp_af *af_of(struct cfg_iface *ifc, int aux)
{
	return aux == AF6 ? &ifc->nhrp6 : &ifc->nhrp4;
}

static const char *af_cmd(int aux)
{
	return aux == AF6 ? "ipv6" : "ip";
}

static int af_family(int aux)
{
	return aux == AF6 ? AF_INET6 : AF_INET;
}

/* Remembers the first NHRP command other than network-id (for the check
 * that NHRP commands come with a network-id). */
static void af_touch(struct cfg_parser *p, struct cfg_nhrp_af *af)
{
	if (!af->first_line)
		af->first_line = p->line;
}

void cfg_iface_begin(struct cfg_parser *p, char **argv, int argc)
{
	struct config *cfg = p->cfg;
	struct cfg_iface *ifc = NULL;
	const char *name = argc == 1 ? argv[0] : "";
	bool ok = true;

	if (argc != 1) {
		cfg_error(p, p->line, "usage: interface NAME");
		ok = false;
	} else if (!cfg_valid_ifname(name)) {
		cfg_error(
		    p, p->line,
		    "interface name must be 1..%d characters without '/', ':' or spaces, not '%s'",
		    CFG_IFNAME_MAX, cfg_q(p, name));
		ok = false;
	}
	for (size_t i = 0; ok && i < cfg->n_ifaces; i++) {
		if (cfg->ifaces[i].name && !strcmp(cfg->ifaces[i].name, name)) {
			cfg_error(p, p->line, "duplicate interface '%s' (first at line %d)",
			          cfg_q(p, name), cfg->ifaces[i].line);
			ok = false;
		}
	}
	if (ok)
		ifc = cfg_append(p, (void **)&cfg->ifaces, &cfg->n_ifaces, sizeof(*ifc));
	else
		ifc = cfg_alloc(p, sizeof(*ifc));
	if (!ifc)
		return;
	ifc->line = p->line;
	ifc->name = cfg_strdup(p, name);
	ifc->nhrp4.holdtime = CFG_DEFAULT_HOLDTIME;
	ifc->nhrp6.holdtime = CFG_DEFAULT_HOLDTIME;

	p->blk = CFG_BLK_IFACE;
	p->blk_obj = ifc;
	p->blk_scratch = !ok;
	p->blk_table = &cfg_iface_table;
	memset(p->seen, 0, sizeof(p->seen));
}

/* "A.B.C.D/M" with a strictly numeric length (a bare address is refused). */
static bool arg_prefix(struct cfg_parser *p, const char *what, const char *s, int family,
                       struct prefix *out)
{
	const char *slash = strchr(s, '/');
	uint32_t plen;
	struct prefix pfx;

	if (slash && cfg_parse_u32(slash + 1, 0, 128, &plen) && strlen(slash + 1) <= 3 &&
	    prefix_parse(&pfx, s) == 0 && pfx.addr.family == family) {
		*out = pfx;
		return true;
	}
	cfg_error(p, p->line, "%s must be an %s prefix (%s), not '%s'", what,
	          family == AF_INET ? "IPv4" : "IPv6",
	          family == AF_INET ? "A.B.C.D/M" : "X:X::X:X/M", cfg_q(p, s));
	return false;
}

static void cmd_address(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_iface *ifc = obj;

	if (aux == AF6)
		ifc->addr6_line = p->line;
	else
		ifc->addr4_line = p->line;
	if (aux == AF6)
		ifc->has_addr6 = arg_prefix(p, "ipv6 address", argv[0], AF_INET6, &ifc->addr6);
	else
		ifc->has_addr4 = arg_prefix(p, "ip address", argv[0], AF_INET, &ifc->addr4);
}

static void cmd_mtu(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_iface *ifc = obj;
	uint32_t v;

	if (cfg_arg_u32(p, "mtu", argv[0], 576, 9000, &v))
		ifc->mtu = v;
}

static void cmd_tunnel_source(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_iface *ifc = obj;

	ifc->tunnel_source_line = p->line;
	if (ipaddr_parse(&ifc->tunnel_source, argv[0]) == 0)
		return;
	if (!cfg_valid_ifname(argv[0])) {
		cfg_error(p, p->line,
		          "tunnel source must be an address or an interface name (1..%d "
		          "characters), not '%s'",
		          CFG_IFNAME_MAX, cfg_q(p, argv[0]));
		return;
	}
	ifc->tunnel_source_ifname = cfg_strdup(p, argv[0]);
}

static void cmd_tunnel_key(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_iface *ifc = obj;

	ifc->has_key = cfg_arg_u32(p, "tunnel key", argv[0], 0, UINT32_MAX, &ifc->key);
}

static void cmd_tunnel_protection(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_iface *ifc = obj;

	if (!cfg_valid_name(argv[0])) {
		cfg_error(p, p->line,
		          "profile name must be 1..%d letters, digits, '_', '-' or '.', not '%s'",
		          CFG_NAME_MAX, cfg_q(p, argv[0]));
		return;
	}
	ifc->protection_profile = cfg_strdup(p, argv[0]);
	ifc->protection_line = p->line;
}

/* keepalive [INTERVAL [MISSES]] (Cisco defaults 10 s, 3 misses) */
static void cmd_keepalive(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_iface *ifc = obj;
	double interval = 10;
	uint32_t misses = 3;

	if (argc >= 1 && !cfg_arg_secs(p, "keepalive interval", argv[0], 32767, &interval))
		return;
	if (argc >= 2 && !cfg_arg_u32(p, "keepalive misses", argv[1], 1, 255, &misses))
		return;
	ifc->has_keepalive = true;
	ifc->keepalive_interval = interval;
	ifc->keepalive_misses = misses;
}

static void cmd_nhrp_network_id(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_nhrp_af *af = af_of(obj, aux);
	char what[32];

	snprintf(what, sizeof(what), "%s nhrp network-id", af_cmd(aux));
	af->has_network_id = cfg_arg_u32(p, what, argv[0], 1, UINT32_MAX, &af->network_id);
	af->network_id_line = p->line;
}

static void cmd_nhrp_holdtime(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_nhrp_af *af = af_of(obj, aux);
	char what[32];
	uint32_t v;

	af_touch(p, af);
	snprintf(what, sizeof(what), "%s nhrp holdtime", af_cmd(aux));
	if (cfg_arg_u32(p, what, argv[0], 1, 65535, &v))
		af->holdtime = v;
}

/* ip nhrp nhs ADDR|dynamic [nbma ADDR|FQDN] [priority N] */
static void cmd_nhrp_nhs(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_nhrp_af *af = af_of(obj, aux);
	struct cfg_nhs n;
	const char *nbma = NULL, *prio_s = NULL;
	uint32_t prio = 0;
	char what[32];

	af_touch(p, af);
	memset(&n, 0, sizeof(n));
	n.line = p->line;
	snprintf(what, sizeof(what), "%s nhrp nhs", af_cmd(aux));
	if (!strcmp(argv[0], "dynamic"))
		n.proto_dynamic = true;
	else if (!cfg_arg_addr(p, what, argv[0], af_family(aux), &n.proto))
		return;

	for (int i = 1; i < argc; i += 2) {
		const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		const char **slot = !strcmp(opt, "nbma")       ? &nbma
		                    : !strcmp(opt, "priority") ? &prio_s
		                                               : NULL;

		if (!slot) {
			cfg_error(p, p->line, "%s: unknown option '%s' (nbma, priority)", what,
			          cfg_q(p, opt));
			return;
		}
		if (!val) {
			cfg_error(p, p->line, "%s: '%s' needs a value", what, opt);
			return;
		}
		if (*slot) {
			cfg_error(p, p->line, "%s: '%s' given twice", what, opt);
			return;
		}
		*slot = val;
	}
	if (prio_s) {
		char pw[48];
		snprintf(pw, sizeof(pw), "%s priority", what);
		if (!cfg_arg_u32(p, pw, prio_s, 0, 255, &prio))
			return;
	}
	n.priority = prio;
	if (nbma && ipaddr_parse(&n.nbma, nbma) != 0) {
		if (!cfg_valid_fqdn(nbma) || !strcmp(nbma, "dynamic")) {
			cfg_error(p, p->line,
			          "%s: nbma must be an address or a domain name, not '%s'", what,
			          cfg_q(p, nbma));
			return;
		}
		n.nbma_fqdn = cfg_strdup(p, nbma);
		if (!n.nbma_fqdn)
			return;
	}

	for (size_t i = 0; i < af->n_nhs; i++) {
		const struct cfg_nhs *o = &af->nhs[i];
		bool dup = !n.proto_dynamic && !o->proto_dynamic && ipaddr_eq(&o->proto, &n.proto);
		if (n.proto_dynamic && o->proto_dynamic && nbma)
			dup = n.nbma_fqdn ? o->nbma_fqdn && !strcmp(o->nbma_fqdn, n.nbma_fqdn)
			                  : ipaddr_eq(&o->nbma, &n.nbma);
		if (dup) {
			cfg_error(p, p->line, "duplicate %s %s (first at line %d)", what,
			          cfg_q(p, argv[0]), o->line);
			free(n.nbma_fqdn);
			return;
		}
	}
	struct cfg_nhs *slot = cfg_append(p, (void **)&af->nhs, &af->n_nhs, sizeof(n));
	if (!slot) {
		free(n.nbma_fqdn);
		return;
	}
	*slot = n;
}

/* ip nhrp map PROTO NBMA|local */
static void cmd_nhrp_map(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_nhrp_af *af = af_of(obj, aux);
	struct cfg_map m;
	char what[32];

	af_touch(p, af);
	memset(&m, 0, sizeof(m));
	m.line = p->line;
	snprintf(what, sizeof(what), "%s nhrp map", af_cmd(aux));
	if (!cfg_arg_addr(p, what, argv[0], af_family(aux), &m.proto))
		return;
	if (!strcmp(argv[1], "local"))
		m.local = true;
	else if (!cfg_arg_addr(p, "ip nhrp map nbma", argv[1], 0, &m.nbma))
		return;
	for (size_t i = 0; i < af->n_maps; i++) {
		if (ipaddr_eq(&af->maps[i].proto, &m.proto)) {
			cfg_error(p, p->line, "duplicate %s %s (first at line %d)", what,
			          cfg_q(p, argv[0]), af->maps[i].line);
			return;
		}
	}
	struct cfg_map *slot = cfg_append(p, (void **)&af->maps, &af->n_maps, sizeof(m));
	if (slot)
		*slot = m;
}

/* ip nhrp map multicast dynamic|nhs|NBMA */
static void cmd_nhrp_map_mcast(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_nhrp_af *af = af_of(obj, aux);
	struct cfg_mcast *mc = &af->mcast;
	struct ipaddr a;

	af_touch(p, af);
	if (!mc->line)
		mc->line = p->line;
	if (!strcmp(argv[0], "dynamic")) {
		mc->dynamic = true;
		return;
	}
	if (!strcmp(argv[0], "nhs")) {
		mc->nhs = true;
		return;
	}
	if (ipaddr_parse(&a, argv[0]) != 0) {
		cfg_error(p, p->line,
		          "%s nhrp map multicast must be dynamic, nhs or an NBMA address, not '%s'",
		          af_cmd(aux), cfg_q(p, argv[0]));
		return;
	}
	for (size_t i = 0; i < mc->n_nbma; i++)
		if (ipaddr_eq(&mc->nbma[i], &a))
			return;
	struct ipaddr *slot = cfg_append(p, (void **)&mc->nbma, &mc->n_nbma, sizeof(a));
	if (slot)
		*slot = a;
}

/* aux: AF | flag << 4; flag 1 shortcut, 2 redirect, 3 registration no-unique */
static void cmd_nhrp_flag(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_nhrp_af *af = af_of(obj, aux & 0xf);

	af_touch(p, af);
	switch (aux >> 4) {
	case 1:
		af->shortcut = true;
		break;
	case 2:
		af->redirect = true;
		break;
	default:
		af->reg_no_unique = true;
		break;
	}
}

/* ip nhrp mtu (576-1500)|opennhrp  (FRR: IPv4 only) */
static void cmd_nhrp_mtu(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_nhrp_af *af = af_of(obj, AF4);
	uint32_t v;

	af_touch(p, af);
	if (!strcmp(argv[0], "opennhrp")) {
		af->nhrp_mtu = -1;
		return;
	}
	if (!cfg_parse_u32(argv[0], 576, 1500, &v)) {
		cfg_error(p, p->line,
		          "ip nhrp mtu must be an integer in 576..1500 or 'opennhrp', not '%s'",
		          cfg_q(p, argv[0]));
		return;
	}
	af->nhrp_mtu = (int)v;
}

static void cmd_nhrp_auth(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_iface *ifc = obj;
	size_t n = strlen(argv[0]);

	if (n == 0) {
		cfg_error(p, p->line, "ip nhrp authentication: empty secret");
		return;
	}
	if (n > CFG_NHRP_AUTH_MAX) {
		cfg_error(p, p->line, "ip nhrp authentication: secret longer than %d characters",
		          CFG_NHRP_AUTH_MAX);
		return;
	}
	ifc->nhrp_auth = cfg_strdup(p, argv[0]);
}

#define NHRP_TWINS(words, min, max, once, fn, aux, usage)                                          \
	{"ip nhrp " words, min, max, once, fn, AF4 | (aux), usage},                                \
	{                                                                                          \
		"ipv6 nhrp " words, min, max, once, fn, AF6 | (aux), usage                         \
	}

static const struct cfg_cmd iface_cmds[] = {
    {"ip address", 1, 1, true, cmd_address, AF4, "A.B.C.D/M"},
    {"ipv6 address", 1, 1, true, cmd_address, AF6, "X:X::X:X/M"},
    {"mtu", 1, 1, true, cmd_mtu, 0, "576..9000"},
    {"tunnel source", 1, 1, true, cmd_tunnel_source, 0, "ADDRESS|IFNAME"},
    {"tunnel key", 1, 1, true, cmd_tunnel_key, 0, "0..4294967295"},
    {"tunnel protection ikev2 profile", 1, 1, true, cmd_tunnel_protection, 0, "NAME"},
    {"keepalive", 0, 2, true, cmd_keepalive, 0, "[INTERVAL [MISSES]]"},
    NHRP_TWINS("network-id", 1, 1, true, cmd_nhrp_network_id, 0, "1..4294967295"),
    NHRP_TWINS("holdtime", 1, 1, true, cmd_nhrp_holdtime, 0, "1..65535"),
    NHRP_TWINS("nhs", 1, 5, false, cmd_nhrp_nhs, 0,
               "ADDRESS|dynamic nbma ADDRESS|FQDN [priority 0..255]"),
    NHRP_TWINS("map", 2, 2, false, cmd_nhrp_map, 0, "PROTOCOL-ADDRESS NBMA-ADDRESS|local"),
    NHRP_TWINS("map multicast", 1, 1, false, cmd_nhrp_map_mcast, 0, "dynamic|nhs|NBMA-ADDRESS"),
    NHRP_TWINS("shortcut", 0, 0, true, cmd_nhrp_flag, 1 << 4, ""),
    NHRP_TWINS("redirect", 0, 0, true, cmd_nhrp_flag, 2 << 4, ""),
    NHRP_TWINS("registration no-unique", 0, 0, true, cmd_nhrp_flag, 3 << 4, ""),
    {"ip nhrp mtu", 1, 1, true, cmd_nhrp_mtu, AF4, "576..1500|opennhrp"},
    {"ip nhrp authentication", 1, 1, true, cmd_nhrp_auth, 0, "SECRET (at most 8 characters)"},
};
_Static_assert(ARRAY_SIZE(iface_cmds) <= CFG_CMDS_MAX, "raise CFG_CMDS_MAX");
const struct cfg_table cfg_iface_table = {"interface", iface_cmds, ARRAY_SIZE(iface_cmds)};

/* ---- whole-file checks ---- */

static bool nbma_family_ok(const struct cfg_iface *ifc, const struct ipaddr *nbma)
{
	return !ipaddr_is_set(&ifc->tunnel_source) || !ipaddr_is_set(nbma) ||
	       nbma->family == ifc->tunnel_source.family;
}

static void check_af(struct cfg_parser *p, struct cfg_iface *ifc, int aux)
{
	struct cfg_nhrp_af *af = af_of(ifc, aux);
	const char *c = af_cmd(aux);
	bool has_addr = aux == AF6 ? ifc->addr6_line : ifc->addr4_line;
	char buf[ADDR_STRLEN];

	if (af->first_line && !af->network_id_line &&
	    (ifc->nhrp4.network_id_line || ifc->nhrp6.network_id_line))
		cfg_error(p, af->first_line, "'%s nhrp' commands need '%s nhrp network-id'", c, c);
	if (af->has_network_id && !has_addr && (ifc->addr4_line || ifc->addr6_line))
		cfg_error(p, af->network_id_line, "%s nhrp network-id needs an '%s address'", c, c);

	for (size_t i = 0; i < af->n_nhs; i++) {
		struct cfg_nhs *n = &af->nhs[i];
		if (!n->nbma_fqdn && !ipaddr_is_set(&n->nbma) && !n->proto_dynamic) {
			for (size_t j = 0; j < af->n_maps; j++) {
				if (!af->maps[j].local &&
				    ipaddr_eq(&af->maps[j].proto, &n->proto)) {
					n->nbma = af->maps[j].nbma;
					n->nbma_from_map = true;
				}
			}
		}
		if (!n->nbma_fqdn && !ipaddr_is_set(&n->nbma)) {
			cfg_error(p, n->line,
			          "%s nhrp nhs %s has no NBMA address (add 'nbma ADDRESS|FQDN')", c,
			          n->proto_dynamic ? "dynamic"
			                           : ipaddr_fmt(&n->proto, buf, sizeof(buf)));
			continue;
		}
		if (!nbma_family_ok(ifc, &n->nbma))
			cfg_error(p, n->line,
			          "%s nhrp nhs: NBMA %s is not of the tunnel source's family", c,
			          ipaddr_fmt(&n->nbma, buf, sizeof(buf)));
	}
	for (size_t i = 0; i < af->n_maps; i++)
		if (!nbma_family_ok(ifc, &af->maps[i].nbma))
			cfg_error(p, af->maps[i].line,
			          "%s nhrp map: NBMA %s is not of the tunnel source's family", c,
			          ipaddr_fmt(&af->maps[i].nbma, buf, sizeof(buf)));
	for (size_t i = 0; i < af->mcast.n_nbma; i++)
		if (!nbma_family_ok(ifc, &af->mcast.nbma[i]))
			cfg_error(
			    p, af->mcast.line,
			    "%s nhrp map multicast: NBMA %s is not of the tunnel source's family",
			    c, ipaddr_fmt(&af->mcast.nbma[i], buf, sizeof(buf)));
}

void cfg_iface_check(struct cfg_parser *p, struct cfg_iface *ifc)
{
	const char *name = ifc->name ? ifc->name : "?";

	if (!ifc->addr4_line && !ifc->addr6_line)
		cfg_error(p, ifc->line, "interface '%s' has no 'ip address' or 'ipv6 address'",
		          name);
	if (!ifc->tunnel_source_line)
		cfg_error(p, ifc->line, "interface '%s' has no 'tunnel source'", name);
	if (!ifc->nhrp4.network_id_line && !ifc->nhrp6.network_id_line)
		cfg_error(p, ifc->line,
		          "interface '%s' has no 'ip nhrp network-id' (or 'ipv6 nhrp network-id')",
		          name);
	check_af(p, ifc, AF4);
	check_af(p, ifc, AF6);

	if (ifc->protection_profile) {
		ifc->profile = config_find_profile(p->cfg, ifc->protection_profile);
		if (!ifc->profile)
			cfg_error(p, ifc->protection_line, "no crypto ikev2 profile named '%s'",
			          ifc->protection_profile);
		/* SAs are bound to the local NBMA address: one protected
		 * interface per tunnel source (doc/SPEC.md). */
		for (size_t i = 0; i < p->cfg->n_ifaces && &p->cfg->ifaces[i] != ifc; i++) {
			const struct cfg_iface *o = &p->cfg->ifaces[i];
			bool same = o->tunnel_source_ifname && ifc->tunnel_source_ifname
			                ? !strcmp(o->tunnel_source_ifname, ifc->tunnel_source_ifname)
			                : !o->tunnel_source_ifname && !ifc->tunnel_source_ifname &&
			                      ipaddr_eq(&o->tunnel_source, &ifc->tunnel_source);
			if (o->protection_profile && same && ifc->tunnel_source_line)
				cfg_error(p, ifc->protection_line,
				          "interface '%s': tunnel source already used by protected "
				          "interface '%s' (protected interfaces need distinct tunnel "
				          "sources)",
				          name, o->name ? o->name : "?");
		}
	}
}
