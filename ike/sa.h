/* IKEv2 protocol engine (RFC 7296): IKE SAs, their exchanges and timers.
 *
 * The engine is event driven and owns no socket and no clock: the caller
 * feeds received datagrams with ike_input() (the IKE message only: strip the
 * non-ESP marker on port 4500 first), calls ike_tick() when
 * ike_next_deadline() has passed, and every outgoing message leaves through
 * ops->send (again without the marker: the I/O layer prepends it when
 * either port is 4500). Time is a double in seconds passed in as `now`.
 *
 * One CHILD SA per IKE SA (DMVPN protects GRE between the two NBMA
 * addresses): it is negotiated inside IKE_AUTH and handed to the data plane
 * with ops->child_up (struct ike_child_info: SPIs, mode, suite, keys,
 * traffic selectors, UDP encapsulation).
 *
 * Files: sa.c (SA object, table, state setter, retransmission, dispatch),
 * init.c (IKE_SA_INIT), auth.c (IKE_AUTH), child.c (CHILD SA keys and
 * selectors), info.c (INFORMATIONAL: DELETE, DPD), proposal.c (SA payloads).
 * ike/sa_priv.h holds what they share.
 */
#ifndef DMVPN_IKE_SA_H
#define DMVPN_IKE_SA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ike/ike.h"
#include "ike/crypto.h"
#include "lib/addr.h"

struct cfg_profile;
struct ike_engine;
struct ikesa;

enum ike_child_mode {
	IKE_MODE_TUNNEL = 1,
	IKE_MODE_TRANSPORT = 2,
};

/* What the data plane needs for one CHILD SA (a pair of ESP SAs). "in" is
 * the SA the peer sends on (its SPI is ours), "out" the one we send on. */
struct ike_child_info {
	uint32_t id;      /* unique in the engine (reqid) */
	uint32_t spi_in;  /* chosen by us */
	uint32_t spi_out; /* chosen by the peer */
	enum ike_child_mode mode;
	struct ike_suite suite; /* ESP: encr, encr_bits, integ (NONE for AEAD), dh (PFS) */
	bool esn;
	uint8_t enc_in[IKE_ENCR_KEY_MAX], enc_out[IKE_ENCR_KEY_MAX]; /* key incl. salt */
	uint8_t integ_in[IKE_INTEG_KEY_MAX], integ_out[IKE_INTEG_KEY_MAX];
	size_t enc_len, integ_len;
	/* Traffic selectors as negotiated (ours = local side). */
	struct ipaddr ts_local_start, ts_local_end, ts_remote_start, ts_remote_end;
	uint8_t ts_proto; /* 47 (GRE) */
	/* Outer addresses and, when encap, the UDP ports (RFC 3948). */
	struct ipaddr local, remote;
	bool encap;
	uint16_t local_port, remote_port;
	uint32_t lifetime; /* seconds (the profile's CHILD lifetime) */
};

/* What ike_up/ike_down report. */
struct ike_sa_info {
	uint64_t spi_i, spi_r;
	bool initiator;
	struct ipaddr local, remote;
	uint16_t local_port, remote_port;
	struct ike_suite suite;
	char local_id[128], remote_id[128]; /* printable identities */
	uint8_t remote_id_type;             /* IKE_ID_* of remote_id (0: none yet) */
	const char *profile;
	/* NAT detected in front of us (the I/O layer must then send NAT-T
	 * keepalives, RFC 3948 §2.3) / in front of the peer. */
	bool nat_local, nat_remote;
};

struct ike_ops {
	/* Sends one IKE message (no non-ESP marker). */
	void (*send)(void *ctx, const struct ipaddr *local, const struct ipaddr *remote,
	             uint16_t lport, uint16_t rport, const uint8_t *buf, size_t len);
	void (*child_up)(void *ctx, struct ikesa *sa, const struct ike_child_info *c);
	void (*child_down)(void *ctx, struct ikesa *sa, const struct ike_child_info *c,
	                   const char *reason);
	void (*ike_up)(void *ctx, struct ikesa *sa, const struct ike_sa_info *info);
	/* The SA is freed right after this returns. */
	void (*ike_down)(void *ctx, struct ikesa *sa, const struct ike_sa_info *info,
	                 const char *reason);
	/* Responder: the profile for a request received on local from remote
	 * (NULL: the engine's default profile). Optional. */
	const struct cfg_profile *(*profile_for)(void *ctx, const struct ipaddr *local,
	                                         const struct ipaddr *remote);
};

struct ike_engine_conf {
	const struct cfg_profile *profile; /* default responder profile */
	double retrans_timeout;            /* first retransmission after (s); default 2 */
	double retrans_base;               /* backoff factor; default 1.8 */
	unsigned retrans_tries;            /* retransmissions before giving up; default 5 */
	unsigned cookie_threshold;         /* half-open SAs before COOKIE; default 16 */
	double half_open_timeout;          /* responder waits this long for IKE_AUTH; 30 */
	bool no_transport_mode;            /* do not ask for USE_TRANSPORT_MODE */
	bool force_natt;                   /* as the profile's nat-traversal force */
	unsigned frag_size; /* IP packet size above which we fragment (RFC 7383)
	                     * when the peer supports it; default 1280 */
};

enum ike_sa_state {
	IKE_S_IDLE = 0,
	IKE_S_INIT_SENT,   /* initiator: IKE_SA_INIT request out */
	IKE_S_INIT_DONE,   /* responder: IKE_SA_INIT answered (half-open) */
	IKE_S_AUTH_SENT,   /* initiator: IKE_AUTH request out */
	IKE_S_ESTABLISHED, /* authenticated */
	IKE_S_DELETING,    /* our DELETE is out */
	IKE_S_CLOSED,      /* to be freed */
	IKE_S_MAX_
};
const char *ike_sa_state_name(enum ike_sa_state s);

struct ike_engine *ike_engine_new(const struct ike_ops *ops, void *ctx,
                                  const struct ike_engine_conf *conf);
/* Frees every SA (ike_down/child_down are called with reason "shutdown"). */
void ike_engine_free(struct ike_engine *e);

/* Starts an IKE SA (IKE_SA_INIT) with the profile from local to remote, on
 * port 500. After IKE_SA_INIT both sides move to 4500 when a NAT was
 * detected, or always with `nat-traversal force` (we then send a random
 * NAT_DETECTION_SOURCE_IP hash, as strongSwan's encap=yes does), never with
 * `nat-traversal off`. NULL on error. */
struct ikesa *ike_initiate(struct ike_engine *e, const struct cfg_profile *prof,
                            const struct ipaddr *local, const struct ipaddr *remote, double now);
/* One received IKE message (marker stripped). Anything malformed is counted
 * and dropped or answered with the protocol's error. */
void ike_input(struct ike_engine *e, const struct ipaddr *local, const struct ipaddr *remote,
               uint16_t lport, uint16_t rport, const uint8_t *buf, size_t len, double now);
/* Runs expired timers (retransmission, DPD, half-open expiry). */
void ike_tick(struct ike_engine *e, double now);
/* Earliest time ike_tick must run; INFINITY when nothing is pending. */
double ike_next_deadline(const struct ike_engine *e);

/* Deletes an established SA (INFORMATIONAL with DELETE); others close now. */
void ike_sa_delete(struct ikesa *sa, double now, const char *reason);
/* Rekeys the CHILD SA now (CREATE_CHILD_SA with REKEY_SA, no PFS): the
 * new SA is handed over with child_up, the old one goes with child_down once
 * the peer has answered our DELETE for it. -1 when not possible now (no
 * CHILD SA, or another exchange outstanding). The engine does this by
 * itself at 90 % (initiator) / 95 % (responder) of the profile's CHILD
 * lifetime. */
int ike_sa_rekey_child(struct ikesa *sa, double now);
/* Rekeys the IKE SA now (RFC 7296 §1.3.2: CREATE_CHILD_SA with SA, Ni,
 * KEi; SKEYSEED from the old SK_d, §2.18): the new SA gets ike_up and the
 * CHILD SA (no child_up/child_down), then the old one is deleted (ike_down
 * "IKE SA rekeyed"). -1 when not possible now. The engine does this by
 * itself at ~90 % (original initiator) / ~95 % (responder) of the
 * profile's lifetime_ike, less up to 2 % random jitter. When both sides
 * rekey at once, the lowest nonce decides (§2.8.2). */
int ike_sa_rekey_ike(struct ikesa *sa, double now);
/* The data plane reports traffic on the SA's CHILD (DPD on-demand). */
void ike_sa_note_traffic(struct ikesa *sa, bool sent, bool received, double now);

/* Inspection. */
enum ike_sa_state ike_sa_state(const struct ikesa *sa);
void ike_sa_get_info(const struct ikesa *sa, struct ike_sa_info *info);
/* The CHILD SA, NULL when none is installed. */
const struct ike_child_info *ike_sa_child(const struct ikesa *sa);
/* Dead peer detection as it stands (show ikev2 sa). */
struct ike_sa_dpd_view {
	bool enabled, periodic;
	double interval, retry_interval; /* s */
	unsigned retries;
	unsigned misses;     /* probes out unanswered (0: none in flight) */
	double next_probe_s; /* seconds to the next probe check, < 0 none */
	double idle_s;       /* seconds since the peer was last heard */
};
void ike_sa_dpd_get(const struct ikesa *sa, double now, struct ike_sa_dpd_view *v);
/* Seconds since the SA was created / established (< 0: not yet). */
double ike_sa_age(const struct ikesa *sa, double now);
double ike_sa_established_for(const struct ikesa *sa, double now);
/* Seconds until the CHILD SA is rekeyed (< 0: none scheduled). */
double ike_sa_rekey_in(const struct ikesa *sa, double now);
/* Why the SA failed or closed ("" while it lives). */
const char *ike_sa_reason(const struct ikesa *sa);
const struct ike_keymat *ike_sa_keymat(const struct ikesa *sa);
unsigned ike_engine_sa_count(const struct ike_engine *e);
unsigned ike_engine_half_open(const struct ike_engine *e);
/* The first SA (any state), then the next one: iteration. */
struct ikesa *ike_engine_first(const struct ike_engine *e);
struct ikesa *ike_engine_next(const struct ike_engine *e, const struct ikesa *sa);
/* Reason of the last SA that closed (tests, logs). */
const char *ike_engine_last_reason(const struct ike_engine *e);

/* Counters (module "ike"). */
enum ike_ctr {
	IKE_CTR_RX,
	IKE_CTR_TX,
	IKE_CTR_RETRANSMIT,
	IKE_CTR_DROP_PARSE,
	IKE_CTR_DROP_NO_SA,
	IKE_CTR_DROP_MSGID,
	IKE_CTR_DROP_DECRYPT,
	IKE_CTR_DROP_ILLEGAL,
	IKE_CTR_DROP_UNEXPECTED,
	IKE_CTR_COOKIE_SENT,
	IKE_CTR_INVALID_KE_SENT,
	IKE_CTR_NO_PROPOSAL,
	IKE_CTR_AUTH_FAILED,
	IKE_CTR_ESTABLISHED,
	IKE_CTR_GIVEUP,
	IKE_CTR_DPD_SENT,
	IKE_CTR_DPD_DEAD,
	IKE_CTR_DELETE_RX,
	IKE_CTR_FRAG_SENT,
	IKE_CTR_TEMP_FAILURE_SENT, /* TEMPORARY_FAILURE answers (§2.25) */
	IKE_CTR_REKEY_COLLISION,   /* CHILD or IKE rekey collisions resolved */
	IKE_CTR_IKE_REKEYED,       /* IKE SAs replaced by a rekey */
	IKE_CTR_DUPLICATE,         /* duplicate IKE SAs resolved */
	IKE_CTR_INVALID_SPI_SENT,  /* INVALID_IKE_SPI answers (§2.21.4) */
	IKE_CTR_INITIAL_CONTACT,   /* stale SAs closed on INITIAL_CONTACT (§2.4) */
	IKE_CTR_MAX
};
extern uint64_t ike_ctr[IKE_CTR_MAX];
extern const char *const ike_ctr_names[IKE_CTR_MAX];

#endif
