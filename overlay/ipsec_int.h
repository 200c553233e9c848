/* Internals of overlay/ipsec.c (control: engine callbacks, children,
 * queues, hooks) and overlay/ipsec_io.c (sockets, receive paths, ESP and
 * IKE transmit). Not for other modules. */
#ifndef DMVPN_OVERLAY_IPSEC_INT_H
#define DMVPN_OVERLAY_IPSEC_INT_H

#include "ike/sa.h"
#include "overlay/esp.h"
#include "overlay/ipsec.h"

#define IPSEC_IFS_MAX       16
#define IPSEC_SOCKS_MAX     16
#define IPSEC_QUEUES_MAX    256
#define IPSEC_QPAYLOAD      4112 /* largest GRE packet queued (NHRP 4096 + GRE) */
#define IPSEC_QSLOT         (ESP_HEADROOM + IPSEC_QPAYLOAD + ESP_TAILROOM)
#define IPSEC_QUEUE_AGE     30.0 /* s: a queue without progress is dropped */
#define IPSEC_RETRY_S       2.0  /* s: re-initiate when no SA is pending */
#define IPSEC_CHILD_BUCKETS 256
#define IPSEC_NATT_KA_S     20.0 /* RFC 3948 2.3 */
#define IPSEC_NOTE_S        0.5  /* ike_sa_note_traffic at most this often */
#define IPSEC_HK_S          1.0  /* housekeeping period */
#define IPSEC_BUF           (65536 + 256)
#define IPSEC_RX_HEADROOM   64
#define IPSEC_RX_BURST      64

#define IPSEC_COUNTERS(X)                                                                      \
	X(ike_rx) X(ike_tx) X(esp_rx) X(esp_tx) X(esp_udp_rx) X(esp_udp_tx) X(natt_ka_rx)      \
	X(natt_ka_tx) X(initiated) X(ike_up) X(ike_down) X(child_up) X(child_down) X(peer_dead) \
	X(queued) X(dequeued) X(rekey_soft) X(expired_hard) X(drop_no_sa_in) X(drop_queue_full) \
	X(drop_queue_too_big) X(drop_queue_expired) X(drop_queues_max) X(drop_initiate_failed) \
	X(drop_send_error) X(drop_no_iface) X(drop_demux) X(drop_outer_parse) X(drop_no_socket) \
	X(drop_too_big) X(drop_child_install) X(reg_no_sa) X(reg_refused) X(drop_ike_no_socket)
#define IPSEC_CTR_ENUM(n) IPSEC_CTR_##n,
enum ipsec_ctr { IPSEC_COUNTERS(IPSEC_CTR_ENUM) IPSEC_CTR_MAX };
/* followed by one drop_esp_<name> per enum esp_err */
#define IPSEC_CTR_ALL (IPSEC_CTR_MAX + ESP_E_MAX_)

struct ipsec_sock { /* one per local NBMA address */
	struct ipsec *ips;
	struct ipaddr local;
	int fd500, fd4500, fdesp;
	ev_io w500, w4500, wesp;
};

struct ipsec_if { /* a protected interface */
	struct ovl_if *oif;
	const struct cfg_profile *prof;
	struct ipsec_sock *s4, *s6;
};

struct ipsec_child { /* an installed CHILD SA (pair of ESP SAs in the SAD) */
	struct ipsec_child *next;
	uint32_t id;
	struct ikesa *sa;
	struct ovl_if *oif; /* NULL once detached */
	struct ipsec_sock *sock;
	struct ipaddr local, remote;
	bool encap;
	uint16_t lport, rport;
	int remote_id_type; /* enum cfg_id_type */
	char remote_id[128];
	double noted_tx, noted_rx;
	int expiry_seen; /* enum esp_expiry last handed to housekeeping */
};

struct ipsec_queue { /* packets for one peer waiting for its CHILD SA */
	struct ipsec_queue *next;
	struct ovl_if *oif;
	struct ipaddr remote;
	double created, last_init;
	unsigned head, n;
	size_t len[IPSEC_QUEUE_MAX];
	uint8_t *buf; /* IPSEC_QUEUE_MAX * IPSEC_QSLOT */
};

struct ipsec {
	struct ev_loop *loop;
	struct config *cfg;
	struct config **cfg_more; /* added by reloads (ipsec_config_add), newest last */
	size_t n_cfg_more;
	struct ike_engine *eng;
	struct sad *sad;
	ev_timer w_timer;
	ev_timer w_kick; /* runs initiations outside engine callbacks */
	double hk_next, natt_next;
	struct ipsec_if ifs[IPSEC_IFS_MAX];
	unsigned n_ifs;
	struct ipsec_sock socks[IPSEC_SOCKS_MAX];
	unsigned n_socks;
	struct ipsec_child *children[IPSEC_CHILD_BUCKETS];
	struct ipsec_queue *queues;
	unsigned n_queues;
	struct ipsec_child *rx_child; /* SA of the packet being handled */
	uint8_t *rxbuf, *txbuf, *ikebuf;
	uint64_t ctr[IPSEC_CTR_ALL];
	bool ctr_registered;
};

/* ipsec.c */
struct ipsec_child *ipsec_child_find(const struct ipsec *ips, uint32_t id);
struct ipsec_if *ipsec_if_by_local(struct ipsec *ips, const struct ipaddr *local);
void ipsec_timer_update(struct ipsec *ips);
int ipsec_protect_send(void *ctx, struct ovl_if *oif, const struct ipaddr *nbma, uint8_t *gre,
                       size_t len, bool inplace);

/* ipsec_io.c */
struct ipsec_sock *ipsec_sock_get(struct ipsec *ips, const struct ipaddr *local);
void ipsec_sock_close_all(struct ipsec *ips);
void ipsec_io_ike_send(void *ctx, const struct ipaddr *local, const struct ipaddr *remote,
                       uint16_t lport, uint16_t rport, const uint8_t *buf, size_t len);
/* An SA of ch passed a lifetime level (a volume limit can be reached
 * between two housekeeping runs): run housekeeping on the next loop turn. */
void ipsec_expiry_check(struct ipsec *ips, struct ipsec_child *ch, const struct esp_sa *sa,
                        double now);
/* esp_encap in place (ESP_HEADROOM/ESP_TAILROOM around gre) and send. */
int ipsec_esp_send(struct ipsec *ips, struct esp_sa *sa, uint8_t *gre, size_t len, double now);
void ipsec_natt_keepalives(struct ipsec *ips, double now);

#endif
