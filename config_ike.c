/* Configuration: `crypto ikev2 profile NAME` block (identities, matching,
 * authentication, proposals, DPD, lifetimes, NAT traversal) and its checks.
 */
#include "config_parse.h"

#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "lib/util.h"

void cfg_profile_begin(struct cfg_parser *p, char **argv, int argc)
{
	struct config *cfg = p->cfg;
	struct cfg_profile *prof;
	const char *name = argc == 1 ? argv[0] : "";
	bool ok = true;

	if (argc != 1) {
		cfg_error(p, p->line, "usage: crypto ikev2 profile NAME");
		ok = false;
	} else if (!cfg_valid_name(name)) {
		cfg_error(p, p->line,
		          "profile name must be 1..%d letters, digits, '_', '-' or '.', not '%s'",
		          CFG_NAME_MAX, cfg_q(p, name));
		ok = false;
	}
	for (size_t i = 0; ok && i < cfg->n_profiles; i++) {
		if (cfg->profiles[i].name && !strcmp(cfg->profiles[i].name, name)) {
			cfg_error(p, p->line,
			          "duplicate crypto ikev2 profile '%s' (first at line %d)",
			          cfg_q(p, name), cfg->profiles[i].line);
			ok = false;
		}
	}
	if (ok)
		prof = cfg_append(p, (void **)&cfg->profiles, &cfg->n_profiles, sizeof(*prof));
	else
		prof = cfg_alloc(p, sizeof(*prof));
	if (!prof)
		return;
	prof->line = p->line;
	prof->name = cfg_strdup(p, name);
	prof->dpd_retries = CFG_DEFAULT_DPD_RETRIES;
	prof->lifetime_ike = CFG_DEFAULT_IKE_LIFETIME;
	prof->lifetime_child = CFG_DEFAULT_CHILD_LIFETIME;
	prof->nat_traversal = CFG_NATT_AUTO;

	p->blk = CFG_BLK_PROFILE;
	p->blk_obj = prof;
	p->blk_scratch = !ok;
	p->blk_table = &cfg_profile_table;
	memset(p->seen, 0, sizeof(p->seen));
}

static const char *const id_names[] = {
    [CFG_ID_NONE] = "none",   [CFG_ID_ADDRESS] = "address", [CFG_ID_FQDN] = "fqdn",
    [CFG_ID_EMAIL] = "email", [CFG_ID_KEY_ID] = "key-id",   [CFG_ID_DN] = "dn",
};

const char *cfg_id_type_name(enum cfg_id_type t)
{
	return (unsigned)t < ARRAY_SIZE(id_names) ? id_names[t] : "?";
}

static int id_type_parse(const char *s)
{
	for (size_t i = CFG_ID_ADDRESS; i < ARRAY_SIZE(id_names); i++)
		if (!strcmp(s, id_names[i]))
			return (int)i;
	return -1;
}

/* Checks VALUE for TYPE; reports "WHAT ..." and returns false when wrong. */
static bool id_value_ok(struct cfg_parser *p, const char *what, enum cfg_id_type type,
                        const char *v, struct ipaddr *addr)
{
	switch (type) {
	case CFG_ID_ADDRESS:
		return cfg_arg_addr(p, what, v, 0, addr);
	case CFG_ID_FQDN:
		if (cfg_valid_fqdn(v))
			return true;
		cfg_error(p, p->line, "%s must be a domain name, not '%s'", what, cfg_q(p, v));
		return false;
	case CFG_ID_EMAIL:
		if (cfg_valid_email(v))
			return true;
		cfg_error(p, p->line, "%s must be an e-mail address (user@domain), not '%s'", what,
		          cfg_q(p, v));
		return false;
	case CFG_ID_DN:
		if (strchr(v, '='))
			return true;
		cfg_error(p, p->line,
		          "%s must be a distinguished name like 'C=CH, O=Org, CN=host', not '%s'",
		          what, cfg_q(p, v));
		return false;
	default:
		if (*v && strlen(v) <= 255)
			return true;
		cfg_error(p, p->line, "%s must be 1..255 characters", what);
		return false;
	}
}

/* identity local|remote TYPE VALUE (aux: 0 local, 1 remote) */
static void cmd_identity(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_profile *prof = obj;
	struct cfg_identity *id = aux ? &prof->remote : &prof->local;
	const char *what = aux ? "identity remote" : "identity local";
	int type = id_type_parse(argv[0]);

	if (type < 0) {
		cfg_error(p, p->line,
		          "%s type must be address, fqdn, email, key-id or dn, not '%s'", what,
		          cfg_q(p, argv[0]));
		return;
	}
	if (!id_value_ok(p, what, (enum cfg_id_type)type, argv[1], &id->addr))
		return;
	id->value = cfg_strdup(p, argv[1]);
	if (id->value)
		id->type = (enum cfg_id_type)type;
	id->line = p->line;
}

/* match identity remote any | address PREFIX | fqdn|email domain SUFFIX | TYPE VALUE */
static void cmd_match(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_profile *prof = obj;
	struct cfg_match m;
	int type;

	memset(&m, 0, sizeof(m));
	m.line = p->line;
	if (!strcmp(argv[0], "any")) {
		if (argc != 1) {
			cfg_error(p, p->line, "match identity remote any: unexpected '%s'",
			          cfg_q(p, argv[1]));
			return;
		}
		m.kind = CFG_MATCH_ANY;
	} else if ((type = id_type_parse(argv[0])) < 0) {
		cfg_error(p, p->line,
		          "match identity remote must be any, address, fqdn, email, key-id or dn, "
		          "not '%s'",
		          cfg_q(p, argv[0]));
		return;
	} else if (argc == 3 && !strcmp(argv[1], "domain") &&
	           (type == CFG_ID_FQDN || type == CFG_ID_EMAIL)) {
		if (!cfg_valid_fqdn(argv[2])) {
			cfg_error(p, p->line,
			          "match identity remote %s domain must be a domain name, not '%s'",
			          argv[0], cfg_q(p, argv[2]));
			return;
		}
		m.kind = CFG_MATCH_DOMAIN;
		m.type = (enum cfg_id_type)type;
		m.value = cfg_strdup(p, argv[2]);
	} else if (argc != 2) {
		cfg_error(p, p->line,
		          "usage: match identity remote any|TYPE VALUE|fqdn domain SUFFIX|email "
		          "domain SUFFIX|address PREFIX");
		return;
	} else if (type == CFG_ID_ADDRESS) {
		if (prefix_parse(&m.prefix, argv[1]) != 0) {
			cfg_error(
			    p, p->line,
			    "match identity remote address must be an address or prefix, not '%s'",
			    cfg_q(p, argv[1]));
			return;
		}
		prefix_normalize(&m.prefix);
		m.kind = CFG_MATCH_ADDR_PREFIX;
		m.type = CFG_ID_ADDRESS;
		m.value = cfg_strdup(p, argv[1]);
	} else {
		if (!id_value_ok(p, "match identity remote", (enum cfg_id_type)type, argv[1], NULL))
			return;
		m.kind = CFG_MATCH_EXACT;
		m.type = (enum cfg_id_type)type;
		m.value = cfg_strdup(p, argv[1]);
	}
	struct cfg_match *slot =
	    cfg_append(p, (void **)&prof->matches, &prof->n_matches, sizeof(m));
	if (!slot) {
		free(m.value);
		return;
	}
	*slot = m;
}

/* authorize TYPE VALUE tunnel-address PREFIX
 * authorize fqdn|email domain SUFFIX tunnel-address PREFIX */
static void cmd_authorize(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_profile *prof = obj;
	struct cfg_authz a;
	int type, k;

	memset(&a, 0, sizeof(a));
	a.line = p->line;
	if ((type = id_type_parse(argv[0])) < 0) {
		cfg_error(p, p->line, "authorize: type must be address, fqdn, email, key-id or dn, "
		                      "not '%s'", cfg_q(p, argv[0]));
		return;
	}
	a.type = (enum cfg_id_type)type;
	if (argc == 5 && !strcmp(argv[1], "domain") &&
	    (type == CFG_ID_FQDN || type == CFG_ID_EMAIL)) {
		if (!cfg_valid_fqdn(argv[2])) {
			cfg_error(p, p->line, "authorize %s domain must be a domain name, not '%s'",
			          argv[0], cfg_q(p, argv[2]));
			return;
		}
		a.domain = true;
		k = 2;
	} else if (argc == 4) {
		if (!id_value_ok(p, "authorize", a.type, argv[1], &a.addr))
			return;
		k = 1;
	} else {
		cfg_error(p, p->line, "usage: authorize TYPE VALUE tunnel-address PREFIX | authorize "
		                      "fqdn|email domain SUFFIX tunnel-address PREFIX");
		return;
	}
	if (strcmp(argv[k + 1], "tunnel-address") != 0) {
		cfg_error(p, p->line, "authorize: expected 'tunnel-address', not '%s'",
		          cfg_q(p, argv[k + 1]));
		return;
	}
	if (prefix_parse(&a.prefix, argv[k + 2]) != 0) {
		cfg_error(p, p->line, "authorize: tunnel-address must be an address or prefix, not '%s'",
		          cfg_q(p, argv[k + 2]));
		return;
	}
	prefix_normalize(&a.prefix);
	a.value = cfg_strdup(p, argv[k]);
	struct cfg_authz *slot = cfg_append(p, (void **)&prof->authz, &prof->n_authz, sizeof(a));
	if (!slot) {
		free(a.value);
		return;
	}
	*slot = a;
}

/* authentication psk SECRET | authentication certificate FILE key FILE ca FILE */
static void cmd_auth(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_profile *prof = obj;
	const char *key = NULL, *ca = NULL;

	prof->auth_line = p->line;
	if (!strcmp(argv[0], "psk")) {
		if (argc != 2) {
			cfg_error(p, p->line,
			          "usage: authentication psk SECRET (quote it if it has spaces)");
			return;
		}
		if (!argv[1][0]) {
			cfg_error(p, p->line, "authentication psk: empty secret");
			return;
		}
		prof->psk_len = strlen(argv[1]);
		prof->psk = cfg_strdup(p, argv[1]);
		if (prof->psk)
			prof->auth = CFG_AUTH_PSK;
		return;
	}
	if (strcmp(argv[0], "certificate") != 0) {
		cfg_error(p, p->line, "authentication must be 'psk' or 'certificate', not '%s'",
		          cfg_q(p, argv[0]));
		return;
	}
	if (argc < 2 || !argv[1][0] || (argc % 2) != 0) {
		cfg_error(p, p->line, "usage: authentication certificate FILE key FILE ca FILE");
		return;
	}
	for (int i = 2; i + 1 < argc; i += 2) {
		const char **slot = !strcmp(argv[i], "key")  ? &key
		                    : !strcmp(argv[i], "ca") ? &ca
		                                             : NULL;
		if (!slot) {
			cfg_error(p, p->line,
			          "authentication certificate: unknown option '%s' (key, ca)",
			          cfg_q(p, argv[i]));
			return;
		}
		if (*slot) {
			cfg_error(p, p->line, "authentication certificate: '%s' given twice",
			          argv[i]);
			return;
		}
		if (!argv[i + 1][0]) {
			cfg_error(p, p->line, "authentication certificate: empty file name");
			return;
		}
		*slot = argv[i + 1];
	}
	if (!key || !ca) {
		cfg_error(p, p->line, "authentication certificate: missing '%s FILE'",
		          key ? "ca" : "key");
		return;
	}
	prof->cert_file = cfg_strdup(p, argv[1]);
	prof->key_file = cfg_strdup(p, key);
	prof->ca_file = cfg_strdup(p, ca);
	prof->auth = CFG_AUTH_CERT;
}

static void proposal_add(struct cfg_parser *p, struct cfg_profile *prof, const char *text, bool esp)
{
	char ***texts = esp ? &prof->esp_proposals : &prof->proposals;
	struct cfg_suite **suites = esp ? &prof->esp_suites : &prof->proposal_suites;
	size_t *n = esp ? &prof->n_esp_proposals : &prof->n_proposals;
	const char *what = esp ? "esp-proposal" : "proposal";
	struct cfg_suite s;
	char err[128];
	size_t nn;

	if (cfg_suite_parse(&s, text, esp, err, sizeof(err)) < 0) {
		cfg_error(p, p->line, "%s '%s': %s", what, cfg_q(p, text), err);
		return;
	}
	for (size_t i = 0; i < *n; i++) {
		if (!strcmp((*texts)[i], text)) {
			cfg_error(p, p->line, "%s '%s' given twice", what, cfg_q(p, text));
			return;
		}
	}
	/* Both arrays grow together; *n counts the entries present in both. */
	nn = *n;
	if (!cfg_append(p, (void **)suites, &nn, sizeof(s)))
		return;
	nn = *n;
	char **slot = cfg_append(p, (void **)texts, &nn, sizeof(char *));
	if (!slot)
		return;
	*slot = cfg_strdup(p, text);
	if (!*slot)
		return;
	(*suites)[*n] = s;
	(*n)++;
}

/* proposal P [P...] / esp-proposal P [P...] (aux: 1 for ESP) */
static void cmd_proposal(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	for (int i = 0; i < argc; i++)
		proposal_add(p, obj, argv[i], aux != 0);
}

/* dpd INTERVAL RETRY-INTERVAL on-demand|periodic [retries N] */
static void cmd_dpd(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_profile *prof = obj;
	double interval, retry;
	uint32_t retries = CFG_DEFAULT_DPD_RETRIES;
	enum cfg_dpd_mode mode;

	if (!cfg_arg_secs(p, "dpd interval", argv[0], 3600, &interval) ||
	    !cfg_arg_secs(p, "dpd retry interval", argv[1], 3600, &retry))
		return;
	if (!strcmp(argv[2], "on-demand")) {
		mode = CFG_DPD_ON_DEMAND;
	} else if (!strcmp(argv[2], "periodic")) {
		mode = CFG_DPD_PERIODIC;
	} else {
		cfg_error(p, p->line, "dpd mode must be on-demand or periodic, not '%s'",
		          cfg_q(p, argv[2]));
		return;
	}
	if (argc > 3) {
		if (argc != 5 || strcmp(argv[3], "retries") != 0) {
			cfg_error(
			    p, p->line,
			    "usage: dpd INTERVAL RETRY-INTERVAL on-demand|periodic [retries N]");
			return;
		}
		if (!cfg_arg_u32(p, "dpd retries", argv[4], 1, 100, &retries))
			return;
	}
	prof->has_dpd = true;
	prof->dpd_interval = interval;
	prof->dpd_retry_interval = retry;
	prof->dpd_mode = mode;
	prof->dpd_retries = retries;
}

static void cmd_lifetime(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_profile *prof = obj;
	uint32_t ike, child, kb = 0;

	if (!cfg_arg_u32(p, "lifetime (IKE SA)", argv[0], 10, 604800, &ike) ||
	    !cfg_arg_u32(p, "lifetime (CHILD SA)", argv[1], 10, 604800, &child))
		return;
	if (argc == 4) {
		if (strcmp(argv[2], "kilobytes") != 0) {
			cfg_error(p, p->line, "lifetime: expected 'kilobytes N' after the two lifetimes, "
			                      "not '%s'", argv[2]);
			return;
		}
		if (!cfg_arg_u32(p, "lifetime (CHILD SA kilobytes)", argv[3], 10, 4000000000u, &kb))
			return;
	} else if (argc != 2) {
		cfg_error(p, p->line, "usage: lifetime IKE-SECONDS CHILD-SECONDS [kilobytes N]");
		return;
	}
	prof->lifetime_ike = ike;
	prof->lifetime_child = child;
	prof->lifetime_child_kb = kb;
}

static const char *const natt_names[] = {"auto", "force", "off"};
static const char *const dpd_names[] = {"periodic", "on-demand"};

const char *cfg_natt_name(enum cfg_natt n)
{
	return (unsigned)n < ARRAY_SIZE(natt_names) ? natt_names[n] : "?";
}

const char *cfg_dpd_mode_name(enum cfg_dpd_mode m)
{
	return (unsigned)m < ARRAY_SIZE(dpd_names) ? dpd_names[m] : "?";
}

static void cmd_natt(struct cfg_parser *p, void *obj, char **argv, int argc, int aux)
{
	struct cfg_profile *prof = obj;

	for (size_t i = 0; i < ARRAY_SIZE(natt_names); i++) {
		if (!strcmp(argv[0], natt_names[i])) {
			prof->nat_traversal = (enum cfg_natt)i;
			return;
		}
	}
	cfg_error(p, p->line, "nat-traversal must be auto, force or off, not '%s'",
	          cfg_q(p, argv[0]));
}

static const struct cfg_cmd profile_cmds[] = {
    {"identity local", 2, 2, true, cmd_identity, 0, "address|fqdn|email|key-id|dn VALUE"},
    {"identity remote", 2, 2, true, cmd_identity, 1, "address|fqdn|email|key-id|dn VALUE"},
    {"match identity remote", 1, 3, false, cmd_match, 0,
     "any|TYPE VALUE|fqdn domain SUFFIX|email domain SUFFIX|address PREFIX"},
    {"authorize", 4, 5, false, cmd_authorize, 0,
     "TYPE VALUE tunnel-address PREFIX | fqdn|email domain SUFFIX tunnel-address PREFIX"},
    {"authentication", 1, 7, true, cmd_auth, 0, "psk SECRET | certificate FILE key FILE ca FILE"},
    {"proposal", 1, -1, false, cmd_proposal, 0, "SUITE [SUITE...]"},
    {"esp-proposal", 1, -1, false, cmd_proposal, 1, "SUITE [SUITE...]"},
    {"dpd", 3, 5, true, cmd_dpd, 0, "INTERVAL RETRY-INTERVAL on-demand|periodic [retries N]"},
    {"lifetime", 2, 4, true, cmd_lifetime, 0, "IKE-SECONDS CHILD-SECONDS [kilobytes N]"},
    {"nat-traversal", 1, 1, true, cmd_natt, 0, "auto|force|off"},
};
_Static_assert(ARRAY_SIZE(profile_cmds) <= CFG_CMDS_MAX, "raise CFG_CMDS_MAX");
const struct cfg_table cfg_profile_table = {"crypto ikev2 profile", profile_cmds,
                                            ARRAY_SIZE(profile_cmds)};

/* ---- whole-file checks and defaults ---- */

void cfg_profile_check(struct cfg_parser *p, struct cfg_profile *prof)
{
	if (!prof->auth_line)
		cfg_error(p, prof->line,
		          "crypto ikev2 profile '%s' has no 'authentication' (psk or certificate)",
		          prof->name ? prof->name : "?");
	if (!prof->n_proposals)
		proposal_add(p, prof, CFG_DEFAULT_IKE_PROPOSAL, false);
	if (!prof->n_esp_proposals)
		proposal_add(p, prof, CFG_DEFAULT_ESP_PROPOSAL, true);
}
