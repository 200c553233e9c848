/* NHRP engine internals shared by engine.c, cache.c, nhs.c, server.c,
 * shortcut.c and purge.c. Not for other modules: use nhrp/nhrp.h. */
#ifndef DMVPN_NHRP_ENGINE_INT_H
#define DMVPN_NHRP_ENGINE_INT_H

#include "lib/log.h"
#include "nhrp/nhrp.h"
#include "nhrp/packet.h"
#include "overlay/peer.h"

#define NHRP_TXBUF_SIZE       4096
#define NHRP_CACHE_MAX        4096   /* entries per engine */
#define NHRP_MAX_NHS          8
#define NHRP_REQ_TIMEOUT_MIN  1.0    /* first retransmission (s) */
#define NHRP_REQ_TIMEOUT_MAX  64.0   /* backoff cap (s) */
#define NHRP_NHS_DOWN_TRIES   3      /* unanswered requests before an NHS is down */
#define NHRP_RES_TRIES        3      /* resolution requests before giving up */
#define NHRP_NEGATIVE_HOLD    10.0   /* negative cache entries (s) */
#define NHRP_REDIRECT_HOLD    8.0    /* Cisco `ip nhrp redirect timeout` default */
#define NHRP_RL_MAX           256    /* (source, destination) pairs remembered */
#define NHRP_RESOLVERS_MAX    8      /* requesters remembered per dynamic entry */
#define NHRP_PURGE_PENDING    16     /* Purge Requests awaiting their reply */
#define NHRP_PURGE_TRIES      4      /* transmissions before giving up */
#define NHRP_PURGE_TIMEOUT    1.0    /* first retransmission after (s), doubled */
#define NHRP_EI_PAYLOAD_MAX   512    /* bytes of the bad packet in an Error Indication */

enum nhrp_cache_type {
	NC_LOCAL = 0,
	NC_STATIC,
	NC_NHS,
	NC_DYNAMIC,    /* hub: registered with us */
	NC_CACHED,     /* learnt by resolution (requester) or from a request (owner) */
	NC_INCOMPLETE, /* resolution in progress */
	NC_NEGATIVE,   /* resolution refused */
	NC_TYPE_MAX_
};

struct nhrp_resolver {
	struct ipaddr nbma;
	struct ipaddr proto;
};

struct nhrp_cache {
	struct nhrp_cache *next;
	enum nhrp_cache_type type;
	struct prefix proto; /* bound protocol prefix */
	struct ipaddr via;   /* peer's protocol (tunnel) address */
	struct ipaddr nbma;  /* NBMA the client claims */
	struct peer *peer;   /* reference held; NULL for local/incomplete/negative */
	double created;
	double expires;      /* 0: never */
	uint16_t holdtime;
	bool unique, nat, route, owner; /* owner: we answered its request (purge on shutdown) */
	bool shortcut;       /* requester side of a resolution */
	double refresh_at;   /* shortcut: when to re-resolve if used */
	uint64_t last_pkts;  /* peer->pkts_out at the last refresh check */
	uint64_t use_count;
	/* incomplete (and shortcut refresh) */
	struct ipaddr target; /* the address resolved */
	uint32_t reqid;
	unsigned tries;
	double retry_at;
	/* hub: who resolved this entry through us (purged when it goes) */
	struct nhrp_resolver resolvers[NHRP_RESOLVERS_MAX];
	unsigned n_resolvers;
};

enum nhrp_nhs_state { NHS_DOWN = 0, NHS_PROBING, NHS_UP, NHS_STATE_MAX_ };

struct nhrp_nhs {
	bool dynamic;        /* `nhs dynamic`: proto learnt from the reply */
	struct ipaddr proto; /* unset until learnt when dynamic */
	struct ipaddr nbma;  /* unset: cannot register (FQDN not resolved) */
	unsigned priority;
	enum nhrp_nhs_state state;
	struct peer *peer;
	uint32_t reqid;
	bool pending;        /* a request is outstanding */
	double sent_at;      /* of the first try of the outstanding request */
	double next_at;      /* next transmission (retry or refresh) */
	double timeout;      /* current retransmission interval */
	unsigned tries;      /* unanswered tries */
	double last_reg;     /* < 0 never */
	double rtt_ms;
	double expires;      /* registration valid until */
};

struct nhrp_rl {
	struct ipaddr src, dst;
	double until;
};

struct nhrp_if {
	struct ovl_if *oif;
	struct nhrp_ops ops;
	char name[24];
	int family;          /* overlay family: AF_INET or AF_INET6 */
	uint16_t afn, pro;   /* wire types */
	unsigned plen_max;   /* 32 or 128 */
	struct ipaddr nbma;  /* our NBMA address */
	struct ipaddr nat_nbma; /* our post-NAT NBMA as seen by the NHS */
	struct prefix proto; /* our overlay address */
	uint32_t network_id;
	uint16_t holdtime;
	bool shortcut, redirect, reg_no_unique, hub;
	uint16_t mtu;
	char auth[16];
	size_t auth_len;

	struct nhrp_nhs nhs[NHRP_MAX_NHS];
	unsigned n_nhs;
	int active_nhs;      /* index of the preferred up NHS, -1 none */

	struct nhrp_cache *cache;
	unsigned n_cache;

	struct nhrp_rl rl[NHRP_RL_MAX];
	struct ratelimit ei_rl;
	/* Purge Requests sent without the N bit: retransmitted until the Purge
	 * Reply comes (RFC 2332 5.2.5), NHRP_PURGE_TRIES times at most. */
	struct nhrp_purge_pending {
		bool used;
		uint32_t reqid;
		unsigned tries;
		double next_at, timeout;
		struct ipaddr nbma, dst_proto;
		struct prefix what;
	} purge_pending[NHRP_PURGE_PENDING];
	uint32_t next_reqid;
	bool registered_counters;
	char ctr_module[48]; /* "nhrp.IFNAME" or "nhrp6.IFNAME" */
	bool shutting_down;
	int depth; /* inside nhrp_input */

	struct nhrp_counters ctr;
	struct nhrp_packet rx;  /* scratch: parsed input (~10 KB) */
	struct nhrp_packet tx;  /* scratch: packet being built */
	struct nhrp_packet aux; /* scratch: payload of an Error Indication */
	uint8_t txbuf[NHRP_TXBUF_SIZE];
};

/* engine.c */
void nhrp_tx_init(struct nhrp_if *nif, enum nhrp_type type);
/* Adds Cisco's extension set: Responder (requests/replies), Forward and
 * Reverse Transit, Authentication (when configured), Cisco NAT. */
void nhrp_tx_std_ext(struct nhrp_if *nif, struct nhrp_packet *pkt, bool responder);
void nhrp_tx_set_auth(struct nhrp_if *nif, struct nhrp_packet *pkt);
/* Fills the Responder Address extension (added by nhrp_tx_std_ext) with
 * our own CIE: we answer this reply. */
void nhrp_tx_set_responder(struct nhrp_if *nif, struct nhrp_packet *pkt);
int nhrp_tx_send(struct nhrp_if *nif, const struct nhrp_packet *pkt, const struct ipaddr *nbma);
void nhrp_own_cie(const struct nhrp_if *nif, struct nhrp_cie *c, uint8_t plen, uint16_t hold);
uint32_t nhrp_reqid(struct nhrp_if *nif);
bool nhrp_is_own(const struct nhrp_if *nif, const struct ipaddr *a);
const char *nhrp_fmt(const struct ipaddr *a, char *buf); /* buf[ADDR_STRLEN] */

/* cache.c */
struct nhrp_cache *nhrp_cache_new(struct nhrp_if *nif, enum nhrp_cache_type t,
				  const struct prefix *proto, double now);
void nhrp_cache_remove(struct nhrp_if *nif, struct nhrp_cache *c, const char *reason, double now);
struct nhrp_cache *nhrp_cache_find(const struct nhrp_if *nif, const struct ipaddr *a,
				   bool exact_host);
struct nhrp_cache *nhrp_cache_find_prefix(const struct nhrp_if *nif, const struct prefix *p,
					  enum nhrp_cache_type t);
struct nhrp_cache *nhrp_cache_find_reqid(const struct nhrp_if *nif, uint32_t reqid);
/* Binds c to the peer at nbma (reference taken; the old one dropped). */
int nhrp_cache_bind(struct nhrp_if *nif, struct nhrp_cache *c, const struct ipaddr *nbma,
		    enum peer_type pt);
void nhrp_cache_run(struct nhrp_if *nif, double now);
double nhrp_cache_deadline(const struct nhrp_if *nif);
void nhrp_cache_free_all(struct nhrp_if *nif, double now, bool withdraw);
const char *nhrp_cache_type_name(enum nhrp_cache_type t);
void nhrp_cache_load_config(struct nhrp_if *nif, const void *cfg_af, double now);
void nhrp_prefix_host(struct prefix *p, const struct ipaddr *a);

/* nhs.c */
void nhrp_nhs_init(struct nhrp_if *nif, const void *cfg_af, double now);
void nhrp_nhs_run(struct nhrp_if *nif, double now);
double nhrp_nhs_deadline(const struct nhrp_if *nif);
void nhrp_nhs_recv_reply(struct nhrp_if *nif, const struct ipaddr *src, double now);
void nhrp_nhs_deregister(struct nhrp_if *nif, double now);
void nhrp_nhs_free(struct nhrp_if *nif);
struct nhrp_nhs *nhrp_nhs_active(struct nhrp_if *nif);
const char *nhrp_nhs_state_name(enum nhrp_nhs_state s);
void nhrp_nhs_peer_dead(struct nhrp_if *nif, const struct peer *p, const char *reason, double now);

/* server.c */
void nhrp_server_recv_reg(struct nhrp_if *nif, const struct ipaddr *src, double now);
void nhrp_server_recv_res(struct nhrp_if *nif, const struct ipaddr *src, double now);
void nhrp_server_relay_seen(struct nhrp_if *nif, struct peer *in, struct peer *out,
			    const uint8_t *ip, size_t len, double now);

/* shortcut.c */
void nhrp_shortcut_recv_ti(struct nhrp_if *nif, const struct ipaddr *src, double now);
void nhrp_shortcut_recv_reply(struct nhrp_if *nif, const struct ipaddr *src, double now);
void nhrp_shortcut_answer(struct nhrp_if *nif, const struct ipaddr *src, double now);
int nhrp_shortcut_resolve(struct nhrp_if *nif, const struct ipaddr *dst, double now);
void nhrp_shortcut_send_req(struct nhrp_if *nif, struct nhrp_cache *c, double now);
void nhrp_shortcut_run(struct nhrp_if *nif, double now);

/* purge.c */
void nhrp_purge_send(struct nhrp_if *nif, const struct ipaddr *nbma, const struct ipaddr *dst_proto,
		     const struct prefix *what, bool no_reply, double now);
void nhrp_purge_run(struct nhrp_if *nif, double now);
double nhrp_purge_deadline(const struct nhrp_if *nif);
void nhrp_purge_recv_req(struct nhrp_if *nif, const struct ipaddr *src, double now);
void nhrp_purge_recv_reply(struct nhrp_if *nif, const struct ipaddr *src, double now);
void nhrp_error_send(struct nhrp_if *nif, const struct ipaddr *nbma, uint16_t code,
		     uint16_t offset, const uint8_t *bad, size_t len, double now);
void nhrp_error_recv(struct nhrp_if *nif, const struct ipaddr *src, double now);

#endif
