/* Internals shared by the IKE engine's files (ike/sa.h for the API). */
#ifndef DMVPN_IKE_SA_PRIV_H
#define DMVPN_IKE_SA_PRIV_H

#include "ike/sa.h"
#include "ike/payload.h"
#include "ike/sk.h"

#define IKE_MSG_MAX     8192
#define IKE_NONCE_SIZE  32
#define IKE_COOKIE_LEN  32
#define IKE_TABLE_SIZE  256
#define IKE_ID_MAX      256

/* The request we wait for an answer to (window size 1). */
enum ike_task {
	IKE_TASK_NONE = 0,
	IKE_TASK_INIT,
	IKE_TASK_AUTH,
	IKE_TASK_DPD,
	IKE_TASK_DELETE,
	IKE_TASK_CHILD,        /* CREATE_CHILD_SA (CHILD rekey) */
	IKE_TASK_DELETE_CHILD, /* INFORMATIONAL with DELETE of the old CHILD SA */
	IKE_TASK_REKEY_IKE,    /* CREATE_CHILD_SA rekeying this IKE SA (§1.3.2) */
	IKE_TASK_DELETE_RED,   /* DELETE of the CHILD SA we made and lost a
	                        * rekey collision with (§2.8.1) */
};

/* Retry delay after TEMPORARY_FAILURE (RFC 7296 §2.25): 2 s + up to 3 s. */
#define IKE_TEMP_FAIL_DELAY 2.0
#define IKE_TEMP_FAIL_JITTER 3.0
/* A superseded or collision-losing SA the peer should delete: if it has not
 * after this long, we delete it ourselves. */
#define IKE_DOOM_TIMEOUT 60.0

/* A message being reassembled from SKF fragments (RFC 7383). */
#define IKE_FRAG_MAX 32
struct ike_frags {
	uint32_t mid;
	bool response;
	uint8_t exchange;
	uint8_t first; /* inner payload type, from fragment 1 */
	uint16_t total, have;
	size_t bytes;
	uint8_t *p[IKE_FRAG_MAX + 1]; /* decrypted fragments 1..total */
	size_t len[IKE_FRAG_MAX + 1];
};

/* Transforms chosen for one SA (IKE or ESP). */
struct ike_sel {
	uint8_t num; /* proposal number */
	uint8_t protocol;
	uint8_t spi_size;
	uint8_t spi[8];
	struct ike_suite suite;
	bool esn;
};

struct ikesa {
	struct ike_engine *e;
	struct ikesa *next; /* table bucket (by our SPI) */
	const struct cfg_profile *prof;
	enum ike_sa_state state;
	bool initiator;
	uint8_t spi_i[8], spi_r[8];
	struct ipaddr local, remote;
	uint16_t lport, rport;
	bool nat_local, nat_remote; /* NAT detected in front of us / the peer */
	bool peer_frag;             /* IKEV2_FRAGMENTATION_SUPPORTED seen */

	struct ike_suite suite; /* IKE SA */
	uint16_t dh_group;      /* the group of our KE */
	struct ike_dh *dh;
	uint8_t ni[IKE_NONCE_MAX], nr[IKE_NONCE_MAX];
	size_t ni_len, nr_len;
	struct ike_keymat km;
	struct ike_sk_ctx sk_out, sk_in;
	bool keys;
	uint8_t cookie[64];
	size_t cookie_len;
	unsigned init_retries; /* INVALID_KE / COOKIE rounds */

	/* RealMessage1 / RealMessage2 for AUTH (RFC 7296 §2.15). */
	uint8_t *msg_init_i, *msg_init_r;
	size_t msg_init_i_len, msg_init_r_len;

	/* Message IDs and the request window. */
	uint32_t mid_next;   /* our next request */
	uint32_t mid_expect; /* peer's next request */
	enum ike_task task;
	uint32_t req_mid;
	uint8_t *req;
	size_t req_len;
	unsigned req_tries;
	double req_next; /* next retransmission; INFINITY when none */
	bool req_packed;  /* req holds fragments: [be16 length][message]... */
	bool resp_packed; /* the same for resp */
	uint8_t *resp;    /* last response sent (for retransmitted requests) */
	size_t resp_len;
	uint32_t resp_mid;
	bool pending_delete; /* delete once the window is free */

	/* CHILD SA */
	bool child_up;
	bool want_transport;
	struct ike_child_info child;
	uint32_t child_spi_in; /* allocated before the answer */
	double child_installed, child_rekey_at; /* INFINITY: no rekey due */
	uint8_t rk_ni[IKE_NONCE_SIZE];          /* our nonce of a CHILD rekey */
	uint32_t rk_spi_in;                     /* our new inbound SPI in it */
	uint32_t rk_old_spi;                    /* spi_in of the CHILD SA it rekeys */
	uint16_t rk_group;                      /* PFS group of our KEi (0: none) */
	struct ike_dh *rk_dh;                   /* its key pair */
	unsigned rk_ke_retries;                 /* INVALID_KE_PAYLOAD rounds */
	/* the peer rekeyed the same CHILD SA while ours was out (§2.8.1):
	 * its Ni and our Nr, compared with ours when our answer comes */
	bool col_child;
	uint8_t col_ni[IKE_NONCE_MAX], col_nr[IKE_NONCE_SIZE];
	size_t col_ni_len;
	/* the CHILD SA replaced by a rekey: kept (inbound still valid) until
	 * the peer deletes it (make-before-break) */
	bool old_up;
	struct ike_child_info old_child;
	/* the peer's CHILD SA that lost a rekey collision: kept until the
	 * peer deletes it */
	bool red_up;
	struct ike_child_info red_child;
	uint32_t red_spi; /* our inbound SPI of the lost one we delete */

	/* IKE SA rekeying (rekey.c) */
	double ike_rekey_at;   /* INFINITY: none due */
	struct ikesa *rk_new;  /* ours, negotiating (not in the table) */
	uint16_t rk_ike_group; /* KE group for it (INVALID_KE_PAYLOAD) */
	unsigned rk_ike_retries;
	bool rk_peer;          /* we answered the peer's rekey of this SA */
	uint8_t rk_peer_spi[8]; /* our SPI (responder) in the peer's new SA */
	bool superseded;       /* a rekey replaced this SA: it only awaits DELETE */
	/* set when this SA lost a collision or a duplicate check: the reason
	 * reported with child_down/ike_down whoever deletes it */
	const char *lost_reason;
	double doom_at; /* delete it ourselves then (INFINITY: no) */

	struct ike_frags frags;

	/* identities (payload bodies: type, 3 reserved, data) */
	uint8_t id_local[IKE_ID_MAX], id_remote[IKE_ID_MAX];
	size_t id_local_len, id_remote_len;

	/* DPD and lifetime */
	double created, established_at, last_rx, last_tx_traffic, last_rx_traffic;
	double dpd_next;     /* next probe check; INFINITY when none */
	double dpd_dead_at;  /* while a probe is out */
	double expire_at;    /* half-open timeout */
	char reason[128];
};

#define IKE_CRED_CACHE 8

struct ike_engine {
	struct {
		const struct cfg_profile *prof;
		struct ike_cred *cred;
	} creds[IKE_CRED_CACHE]; /* certificate credentials by profile */
	struct ike_ops ops;
	void *ctx;
	struct ike_engine_conf conf;
	struct ikesa *tab[IKE_TABLE_SIZE];
	unsigned nsa, half_open;
	uint32_t next_child_id;
	uint8_t cookie_secret[32];
	bool dup_check;              /* an SA was established: look for duplicates */
	double inv_spi_tokens, inv_spi_at; /* INVALID_IKE_SPI rate limit */
	char last_reason[128];
};

/* sa.c */
void ike_sa_set_state(struct ikesa *sa, enum ike_sa_state s, const char *reason);
struct ikesa *ike_sa_new(struct ike_engine *e, bool initiator, const struct cfg_profile *prof,
                          const struct ipaddr *local, const struct ipaddr *remote,
                          uint16_t lport, uint16_t rport, double now);
/* Our SPI is known (spi_i or spi_r set): inserts into the table. */
void ike_sa_link(struct ikesa *sa);
/* Closes: child_down, ike_down (if it was up), unlinks and frees. */
void ike_sa_close(struct ikesa *sa, const char *reason);
void ike_sa_fail(struct ikesa *sa, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sends a request (takes a copy for retransmission); starts the timer.
 * -1 when the SA failed (it is freed then). */
int ike_sa_send_request(struct ikesa *sa, enum ike_task task, const uint8_t *buf, size_t len,
                         double now, bool packed);
/* Sends a response and keeps it for retransmitted requests. */
void ike_sa_send_response(struct ikesa *sa, const uint8_t *buf, size_t len, bool packed);
/* Finishes the inner chain in b (built over `inner`), encrypts it into an
 * exchange message and sends it: a response to the peer's current request,
 * or our next request (task). On error the SA is failed (freed): -1. */
int ike_sa_send_sk(struct ikesa *sa, uint8_t exchange, bool response, struct ike_builder *b,
                    uint8_t *inner, double now, enum ike_task task);
/* Sends a buffer that is one message, or (packed) a sequence of
 * [be16 length][message] fragments. */
void ike_sa_send_buf(struct ikesa *sa, const uint8_t *buf, size_t len, bool packed);
void ike_sa_send_raw(struct ikesa *sa, const uint8_t *buf, size_t len);
/* Request window done. */
void ike_sa_request_done(struct ikesa *sa);
/* Builds an encrypted message: header for (exchange, response?) with mid,
 * then `inner` (a payload chain starting with `first`) in SK. Returns the
 * length in out or -1. */
int ike_sa_build_sk(struct ikesa *sa, uint8_t exchange, bool response, uint32_t mid,
                    uint8_t first, const uint8_t *inner, size_t inner_len, uint8_t *out,
                    size_t cap);
/* Decrypts m's SK into buf and parses it into inner. 0 or -1 (counted). */
int ike_sa_open_sk(struct ikesa *sa, const uint8_t *msg, size_t len, uint8_t *buf, size_t cap,
                   struct ike_msg *inner);
void ike_hdr_for(const struct ikesa *sa, struct ike_hdr *h, uint8_t exchange, bool response,
                 uint32_t mid);
bool ike_sa_is_half_open(const struct ikesa *sa);
/* The SA with our SPI spi in the given role, NULL when none. */
struct ikesa *ike_sa_find(struct ike_engine *e, const uint8_t spi[8], bool initiator);
/* Random delay in [0, max). */
double ike_jitter(double max);
uint64_t ike_spi_num(const uint8_t spi[8]);
void ike_sa_schedule_dpd(struct ikesa *sa, double now);

/* frag.c */
/* One SKF message: 1 when the message is complete (its inner chain in out,
 * *outlen bytes, first payload *first), 0 while fragments are missing, -1
 * when dropped (counted). */
int ike_frag_input(struct ikesa *sa, const struct ike_msg *m, const uint8_t *msg, size_t len,
                   uint8_t *out, size_t cap, size_t *outlen, uint8_t *first);
void ike_frag_clear(struct ikesa *sa);

/* init.c */
/* Sends (again) our IKE_SA_INIT request. 0; -1 on a build error (the SA
 * lives); -2 when the SA failed and was freed. */
int ike_init_start(struct ikesa *sa, double now);
/* An IKE_SA_INIT request: a new one (ike_init_respond) or a retransmission
 * of one we answered (our answer again). */
void ike_init_input_request(struct ike_engine *e, const struct ipaddr *local,
                            const struct ipaddr *remote, uint16_t lport, uint16_t rport,
                            const struct ike_msg *m, double now);
/* Responder side of a new IKE_SA_INIT request (no SA yet). */
void ike_init_respond(struct ike_engine *e, const struct ipaddr *local, const struct ipaddr *remote,
                      uint16_t lport, uint16_t rport, const struct ike_msg *m, double now);
void ike_init_process_response(struct ikesa *sa, const struct ike_msg *m, double now);
/* NAT_DETECTION hash of (SPIi, SPIr, addr, port). */
int ike_natd_hash(const uint8_t spi_i[8], const uint8_t spi_r[8], const struct ipaddr *a,
                  uint16_t port, uint8_t out[20]);
/* SKEYSEED and the IKE SA keys, SK contexts. 0 or -1. */
int ike_init_derive(struct ikesa *sa, const uint8_t *peer_ke, size_t peer_ke_len);

/* auth.c */
struct ike_cred;
/* The profile's certificate credentials (loaded once), NULL on error. */
struct ike_cred *ike_engine_cred(struct ike_engine *e, const struct cfg_profile *p);
void ike_engine_free_creds(struct ike_engine *e);
void ike_auth_start(struct ikesa *sa, double now);
void ike_auth_process_request(struct ikesa *sa, const struct ike_msg *outer,
                              const struct ike_msg *inner, double now);
void ike_auth_process_response(struct ikesa *sa, const struct ike_msg *inner, double now);
/* Identity body (type | 3 reserved | data) from the profile. 0 or -1. */
int ike_auth_local_id(struct ikesa *sa);
void ike_id_format(const uint8_t *body, size_t len, char *out, size_t cap);

/* child.c */
/* Allocates our inbound SPI. */
uint32_t ike_child_alloc_spi(struct ikesa *sa);
/* Derives the CHILD keys (KEYMAT = prf+(SK_d, [g^ir] | Ni | Nr), §2.17)
 * into c for the chosen ESP suite; ini: we started this exchange (its
 * i->r keys are our outbound ones). 0 or -1. */
int ike_child_keymat(const struct ikesa *sa, struct ike_child_info *c, const struct ike_sel *esp,
                     bool ini, const uint8_t *gir, size_t girlen, const uint8_t *ni, size_t nilen,
                     const uint8_t *nr, size_t nrlen);
/* The same into sa->child for IKE_AUTH (no PFS, ini: IKE initiator). */
int ike_child_keys(struct ikesa *sa, const struct ike_sel *esp, const uint8_t *ni, size_t nilen,
                   const uint8_t *nr, size_t nrlen);
/* Moves every CHILD SA (current, rekeyed, redundant) from one IKE SA to
 * another (IKE rekey), with the CHILD rekey timer. */
void ike_child_move(struct ikesa *from, struct ikesa *to, double now);
/* The peer deletes the CHILD SA with its inbound SPI spi: removes it
 * (whichever of current, rekeyed or redundant it is). Our inbound SPI of
 * it, 0 when we have none. */
uint32_t ike_child_delete_rx(struct ikesa *sa, uint32_t spi);
/* Response to our DELETE of the CHILD SA that lost a collision. */
void ike_child_red_deleted(struct ikesa *sa, double now);
/* Frees what an unfinished CHILD rekey holds (PFS key pair). */
void ike_child_rekey_clear(struct ikesa *sa);
/* Our TSi/TSr for GRE between the outer addresses. */
void ike_child_our_ts(const struct ikesa *sa, struct ike_ts_list *tsi, struct ike_ts_list *tsr);
/* Responder: checks the proposed selectors contain ours. 0 or -1. */
int ike_child_check_ts(const struct ikesa *sa, const struct ike_ts_list *tsi,
                       const struct ike_ts_list *tsr);
/* Fills the rest of sa->child and calls child_up. */
void ike_child_install(struct ikesa *sa, uint32_t spi_out, enum ike_child_mode mode);
void ike_child_remove(struct ikesa *sa, const char *reason);
/* The rekeyed predecessor, if any. */
void ike_child_remove_old(struct ikesa *sa, const char *reason);
void ike_child_process_request(struct ikesa *sa, const struct ike_msg *inner, double now);
void ike_child_process_response(struct ikesa *sa, const struct ike_msg *inner, double now);

/* rekey.c */
/* CREATE_CHILD_SA with an IKE proposal (sap, parsed) from the peer. */
void ike_rekey_process_request(struct ikesa *sa, const struct ike_sa *sap,
                               const struct ike_msg *inner, double now);
/* The answer to our IKE rekey (IKE_TASK_REKEY_IKE). */
void ike_rekey_process_response(struct ikesa *sa, const struct ike_msg *inner, double now);
/* When an established SA is due for its IKE rekey: ~90 % (original
 * initiator) / ~95 % (responder) of lifetime_ike, minus up to 2 % jitter. */
void ike_rekey_schedule(struct ikesa *sa, double now);
/* Replies to a CREATE_CHILD_SA request with one error notify. */
void ike_rekey_refuse(struct ikesa *sa, uint16_t type, double now);

/* collide.c */
/* Lowest-nonce rule (§2.8.1, §2.8.2): true when the exchange with nonces
 * (a1, a2) holds the lowest of the four nonces. */
bool ike_collide_first_wins(const uint8_t *a1, size_t a1len, const uint8_t *a2, size_t a2len,
                            const uint8_t *b1, size_t b1len, const uint8_t *b2, size_t b2len);
/* Duplicate IKE SAs with one peer (simultaneous initiation): keeps the one
 * with the lowest (SPIi, SPIr), deletes the others we initiated. */
/* INITIAL_CONTACT (RFC 7296 §2.4): send it (no other SA with the remote)? */
bool ike_collide_first_contact(const struct ikesa *sa);
/* The peer sent INITIAL_CONTACT in sa's IKE_AUTH: close its stale SAs. */
void ike_collide_initial_contact(struct ikesa *sa);
/* Why a CREATE_CHILD_SA request of ours was refused (the last error
 * notify, else "unacceptable answer"), when to try again (2-5 s after
 * TEMPORARY_FAILURE, else 30 s) and the group an INVALID_KE_PAYLOAD asks
 * for (0: none). */
void ike_rekey_refusal(const struct ike_msg *in, const char **why, double *delay,
                       uint16_t *group);
void ike_collide_dups(struct ike_engine *e, double now);
/* Marks sa as lost (reason); the peer is expected to delete it. */
void ike_collide_doom(struct ikesa *sa, const char *reason, double now);
/* A doomed SA the peer did not delete: deleted now. true when it acted. */
bool ike_collide_tick(struct ikesa *sa, double now);
/* A request for an IKE SA we do not know (§2.21.4): rate-limited
 * unprotected INVALID_IKE_SPI answer. */
void ike_collide_invalid_spi(struct ike_engine *e, const struct ipaddr *local,
                             const struct ipaddr *remote, uint16_t lport, uint16_t rport,
                             const struct ike_msg *m, double now);

/* info.c */
void ike_info_process_request(struct ikesa *sa, const struct ike_msg *inner, double now);
void ike_info_process_response(struct ikesa *sa, enum ike_task task, const struct ike_msg *inner,
                               double now);
/* DELETE of the rekeyed CHILD SA (our old inbound SPI). */
void ike_info_send_delete_child(struct ikesa *sa, double now);
void ike_info_send_delete(struct ikesa *sa, double now);
void ike_info_send_dpd(struct ikesa *sa, double now);
/* Runs DPD timers of one SA. */
void ike_info_tick(struct ikesa *sa, double now);
/* Unprotected error notify response (IKE_SA_INIT, or before keys). */
void ike_send_notify_plain(struct ike_engine *e, const struct ipaddr *local,
                           const struct ipaddr *remote, uint16_t lport, uint16_t rport,
                           const struct ike_hdr *req, uint16_t type, const void *data,
                           size_t len);

/* proposal.c */
/* SA payload with every suite of the profile (IKE: proposals; ESP: esp
 * proposals with our SPI). */
int ike_prop_build(struct ike_builder *b, const struct cfg_profile *prof, bool esp,
                   const uint8_t *spi, uint8_t spi_size);
/* SA payload with one selected proposal. */
int ike_prop_build_sel(struct ike_builder *b, const struct ike_sel *sel);
/* Responder: the first of the peer's proposals (in the peer's order) that
 * one of our suites accepts (ESP: a DH transform is ignored). 0 or -1. */
int ike_prop_choose(const struct ike_sa *in, const struct cfg_profile *prof, bool esp,
                    struct ike_sel *out);
/* Initiator: the single proposal of a response is one we offered. 0 or -1. */
int ike_prop_accept(const struct ike_sa *in, const struct cfg_profile *prof, bool esp,
                    struct ike_sel *out);
/* CREATE_CHILD_SA for ESP (PFS, §1.3.1): the DH transforms of our ESP
 * suites are sent and must match (a suite without one takes proposals
 * without DH or with NONE). */
int ike_prop_build_child(struct ike_builder *b, const struct cfg_profile *prof, const uint8_t *spi);
int ike_prop_choose_child(const struct ike_sa *in, const struct cfg_profile *prof,
                          uint16_t ke_group, struct ike_sel *out);
int ike_prop_accept_child(const struct ike_sa *in, const struct cfg_profile *prof,
                          struct ike_sel *out);
/* First DH group of our ESP suites (0: no PFS); is group in one of them? */
uint16_t ike_prop_first_esp_dh(const struct cfg_profile *prof);
bool ike_prop_esp_has_dh(const struct cfg_profile *prof, uint16_t group);
/* Is group offered in any of our IKE suites? */
bool ike_prop_has_dh(const struct cfg_profile *prof, uint16_t group);
/* First DH group of our first IKE suite. */
uint16_t ike_prop_first_dh(const struct cfg_profile *prof);
/* IKE: as ike_prop_choose, preferring the KE's group where offered. */
int ike_prop_choose_ke(const struct ike_sa *in, const struct cfg_profile *prof, uint16_t ke_group,
                       struct ike_sel *out);
void ike_sel_name(const struct ike_sel *sel, bool esp, char *buf, size_t len);

#endif
