/* Configuration model: what `dmvpnd -f FILE` reads (doc/CONFIG.md).
 *
 * The parser (config*.c) builds one struct config per file; the daemon keeps
 * the current one and replaces it as a whole on SIGHUP (reload.c). Every
 * object remembers the line that defined it, so later checks can name it.
 */
#ifndef DMVPN_CONFIG_H
#define DMVPN_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lib/addr.h"

#define CFG_IFNAME_MAX 15    /* IFNAMSIZ - 1 */
#define CFG_NAME_MAX 63      /* profile names */
#define CFG_NHRP_AUTH_MAX 8  /* Cisco: cleartext secret of at most 8 characters */
#define CFG_SUITE_MAX 16     /* transforms in one proposal */

#define CFG_DEFAULT_LOG_LEVEL 1 /* LOG_LVL_INFO (checked in config.c) */
#define CFG_DEFAULT_HOLDTIME 7200
#define CFG_DEFAULT_DPD_RETRIES 5
#define CFG_DEFAULT_IKE_LIFETIME 86400
#define CFG_DEFAULT_CHILD_LIFETIME 3600
#define CFG_DEFAULT_IKE_PROPOSAL "aes256gcm16-prfsha256-x25519"
#define CFG_DEFAULT_ESP_PROPOSAL "aes256gcm16"

/* ---- IKEv2 profile ---- */

/* IKEv2 transform types (RFC 7296 section 3.3.2); a suite is kept in this order. */
enum cfg_xform_type {
	CFG_XFORM_ENCR = 1,
	CFG_XFORM_PRF = 2,
	CFG_XFORM_INTEG = 3,
	CFG_XFORM_DH = 4,
	CFG_XFORM_ESN = 5,
};

struct cfg_xform {
	uint8_t type;    /* enum cfg_xform_type */
	uint16_t id;     /* IANA transform ID */
	uint16_t keylen; /* bits, for AES; 0 otherwise */
};

/* One proposal: "aes256gcm16-prfsha256-x25519" as transforms. */
struct cfg_suite {
	struct cfg_xform x[CFG_SUITE_MAX];
	size_t n;
	bool aead;
};

enum cfg_id_type {
	CFG_ID_NONE = 0,
	CFG_ID_ADDRESS,
	CFG_ID_FQDN,
	CFG_ID_EMAIL,
	CFG_ID_KEY_ID,
	CFG_ID_DN,
};

struct cfg_identity {
	enum cfg_id_type type; /* CFG_ID_NONE: not configured */
	char *value;           /* as written */
	struct ipaddr addr;    /* CFG_ID_ADDRESS */
	int line;
};

enum cfg_match_kind {
	CFG_MATCH_ANY = 0,
	CFG_MATCH_EXACT,       /* TYPE VALUE */
	CFG_MATCH_DOMAIN,      /* fqdn|email domain SUFFIX */
	CFG_MATCH_ADDR_PREFIX, /* address PREFIX */
};

struct cfg_match {
	enum cfg_match_kind kind;
	enum cfg_id_type type;
	char *value;
	struct prefix prefix; /* CFG_MATCH_ADDR_PREFIX, normalized */
	int line;
};

/* `authorize TYPE VALUE tunnel-address PREFIX` / `authorize fqdn|email domain
 * SUFFIX tunnel-address PREFIX`: with tunnel protection, which IKE identity
 * may register which overlay addresses (hub). */
struct cfg_authz {
	enum cfg_id_type type;
	bool domain;          /* value is a domain suffix */
	char *value;
	struct ipaddr addr;   /* CFG_ID_ADDRESS */
	struct prefix prefix; /* tunnel-address, normalized */
	int line;
};

enum cfg_auth { CFG_AUTH_NONE = 0, CFG_AUTH_PSK, CFG_AUTH_CERT };
enum cfg_dpd_mode { CFG_DPD_PERIODIC = 0, CFG_DPD_ON_DEMAND };
enum cfg_natt { CFG_NATT_AUTO = 0, CFG_NATT_FORCE, CFG_NATT_OFF };

struct cfg_profile {
	char *name;
	int line;

	struct cfg_identity local, remote;
	struct cfg_match *matches;
	size_t n_matches;
	struct cfg_authz *authz;
	size_t n_authz;

	enum cfg_auth auth;
	int auth_line;
	char *psk; /* zeroed before it is freed */
	size_t psk_len;
	char *cert_file, *key_file, *ca_file;

	/* proposals[i] (the text) and proposal_suites[i] (parsed) go together */
	char **proposals;
	struct cfg_suite *proposal_suites;
	size_t n_proposals;
	char **esp_proposals;
	struct cfg_suite *esp_suites;
	size_t n_esp_proposals;

	bool has_dpd;
	double dpd_interval, dpd_retry_interval; /* seconds */
	enum cfg_dpd_mode dpd_mode;
	uint32_t dpd_retries;

	uint32_t lifetime_ike, lifetime_child; /* seconds */
	uint64_t lifetime_child_kb; /* CHILD SA volume limit in KiB, 0: none */
	enum cfg_natt nat_traversal;
};

/* ---- interface ---- */

struct cfg_nhs {
	int line;
	bool proto_dynamic;   /* `nhs dynamic`: learn the overlay address */
	struct ipaddr proto;  /* overlay address of the NHS */
	struct ipaddr nbma;   /* unset when nbma_fqdn is used */
	char *nbma_fqdn;      /* `nbma FQDN` */
	bool nbma_from_map;   /* nbma taken from an `ip nhrp map` of proto */
	uint32_t priority;    /* 0..255, lower preferred */
};

struct cfg_map {
	int line;
	struct ipaddr proto;
	struct ipaddr nbma;
	bool local;
};

#define CFG_MCAST_NONE 0u
#define CFG_MCAST_DYNAMIC 1u
#define CFG_MCAST_NHS 2u
#define CFG_MCAST_STATIC 4u

struct cfg_mcast {
	int line; /* first `map multicast` */
	bool dynamic, nhs;
	struct ipaddr *nbma;
	size_t n_nbma;
};

/* NHRP settings of one address family of an interface (`ip nhrp` or
 * `ipv6 nhrp`). A macro so that the IPv4 set can also be reached directly
 * as members of struct cfg_iface (ifc->holdtime == ifc->nhrp4.holdtime). */
#define CFG_NHRP_AF_FIELDS                                                                         \
	bool has_network_id;                                                                       \
	uint32_t network_id;                                                                       \
	int network_id_line;                                                                       \
	int first_line; /* first NHRP command other than network-id */                             \
	uint32_t holdtime;                                                                         \
	struct cfg_nhs *nhs;                                                                       \
	size_t n_nhs;                                                                              \
	struct cfg_map *maps;                                                                      \
	size_t n_maps;                                                                             \
	struct cfg_mcast mcast;                                                                    \
	bool shortcut, redirect, reg_no_unique;                                                    \
	int nhrp_mtu; /* 0 not advertised, -1 opennhrp (interface MTU), else 576..1500 */

struct cfg_nhrp_af {
	CFG_NHRP_AF_FIELDS
};

struct cfg_iface {
	char *name;
	int line;

	struct prefix addr4, addr6;
	bool has_addr4, has_addr6;
	int addr4_line, addr6_line;
	uint32_t mtu; /* 0: daemon's choice */

	struct ipaddr tunnel_source; /* unset when tunnel_source_ifname is used */
	char *tunnel_source_ifname;
	int tunnel_source_line;
	bool has_key;
	uint32_t key;

	char *protection_profile;
	int protection_line;
	const struct cfg_profile *profile; /* resolved after parsing */

	bool has_keepalive;
	double keepalive_interval;
	uint32_t keepalive_misses;

	char *nhrp_auth; /* zeroed before it is freed */

	union {
		struct cfg_nhrp_af nhrp4;
		struct {
			CFG_NHRP_AF_FIELDS
		};
	};
	struct cfg_nhrp_af nhrp6;
};

struct config {
	char *path;
	char *hostname;
	int log_level; /* enum log_level */
	struct {
		bool zapi, vty;
		char *zapi_path, *vty_path; /* NULL: the default path */
	} frr;
	struct cfg_iface *ifaces;
	size_t n_ifaces;
	struct cfg_profile *profiles;
	size_t n_profiles;
};

/* Reads and parses a file. Every error is printed to errout (may be NULL) as
 * "FILE:LINE: message", sorted by line; *nerrors gets their count. Returns
 * NULL when there was any error. */
struct config *config_load(const char *path, FILE *errout, int *nerrors);
/* The same for text in memory; name is used in messages. */
struct config *config_parse_string(const char *name, const char *text, size_t len, FILE *errout,
                                   int *nerrors);
void config_free(struct config *cfg);
/* Writes the model back as configuration text that parses to the same model;
 * secrets as "<hidden>" unless show_secrets. 0 or -1 (write error). */
int config_write(const struct config *cfg, FILE *out, bool show_secrets);

const struct cfg_iface *config_find_iface(const struct config *cfg, const char *name);
const struct cfg_profile *config_find_profile(const struct config *cfg, const char *name);

/* An interface without any NHS is a hub. */
bool cfg_iface_is_hub(const struct cfg_iface *ifc);
/* CFG_MCAST_* bits of a `map multicast` set. */
unsigned cfg_mcast_modes(const struct cfg_mcast *m);

/* Parses a strongSwan-style proposal ("aes256gcm16-prfsha256-x25519"); esp
 * selects the ESP rules. 0, or -1 with a message in err. */
int cfg_suite_parse(struct cfg_suite *s, const char *text, bool esp, char *err, size_t errlen);
/* Canonical name of a transform ("aes256gcm16", "prfsha256"); "?" if none. */
const char *cfg_xform_name(const struct cfg_xform *x);

const char *cfg_id_type_name(enum cfg_id_type t);
/* Does the profile let the IKE identity (type, printable value as the IKE
 * engine formats it) hold the overlay address addr? True when the profile
 * has no `authorize` line at all. Pure. */
bool cfg_profile_authorizes(const struct cfg_profile *p, enum cfg_id_type type, const char *id,
                            const struct ipaddr *addr);
const char *cfg_natt_name(enum cfg_natt n);
const char *cfg_dpd_mode_name(enum cfg_dpd_mode m);

#endif
