/* Tunnel protection (overlay/ipsec.h): the IKE engine's callbacks, the
 * table of installed CHILD SAs, the per-peer queues that hold packets while
 * IKE comes up, the interface hooks (struct ovl_protect) and the timer.
 * Sockets and the per-packet I/O are in overlay/ipsec_io.c. */
#define _GNU_SOURCE
#include "overlay/ipsec.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli/events.h"
#include "config.h"
#include "lib/counters.h"
#include "lib/log.h"
#include "nhrp/nhrp.h"
#include "overlay/iface.h"
#include "overlay/ipsec_int.h"
#include "overlay/peer.h"

#define IPSEC_CTR_NAME(n) #n,
static const char *const base_names[IPSEC_CTR_MAX] = {IPSEC_COUNTERS(IPSEC_CTR_NAME)};
static const char *ctr_names[IPSEC_CTR_ALL];
static char esp_names[ESP_E_MAX_][40];

static void names_init(void)
{
	for (unsigned i = 0; i < IPSEC_CTR_MAX; i++)
		ctr_names[i] = base_names[i];
	for (unsigned e = 0; e < ESP_E_MAX_; e++) {
		snprintf(esp_names[e], sizeof(esp_names[e]), "drop_esp_%s",
		         e == ESP_OK ? "ok" : esp_err_name((enum esp_err)e));
		for (char *c = esp_names[e]; *c; c++)
			if (*c == '-' || *c == ' ')
				*c = '_';
		ctr_names[IPSEC_CTR_MAX + e] = esp_names[e];
	}
}

/* ---- lookups ---- */

static unsigned child_bucket(uint32_t id)
{
	return (id * 2654435761u) % IPSEC_CHILD_BUCKETS;
}

struct ipsec_child *ipsec_child_find(const struct ipsec *ips, uint32_t id)
{
	for (struct ipsec_child *c = ips->children[child_bucket(id)]; c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

static struct ipsec_if *if_find(struct ipsec *ips, const struct ovl_if *oif)
{
	for (unsigned i = 0; i < ips->n_ifs; i++)
		if (ips->ifs[i].oif == oif)
			return &ips->ifs[i];
	return NULL;
}

struct ipsec_if *ipsec_if_by_local(struct ipsec *ips, const struct ipaddr *local)
{
	for (unsigned i = 0; i < ips->n_ifs; i++) {
		struct ovl_if *o = ips->ifs[i].oif;
		if (ipaddr_eq(&o->nbma4, local) || ipaddr_eq(&o->nbma6, local))
			return &ips->ifs[i];
	}
	return NULL;
}

static const struct ipaddr *local_for(const struct ovl_if *oif, const struct ipaddr *remote)
{
	const struct ipaddr *l = remote->family == AF_INET6 ? &oif->nbma6 : &oif->nbma4;
	return ipaddr_is_set(l) ? l : NULL;
}

/* Is an IKE SA (any state but closing) with remote in the engine? */
static bool sa_pending(const struct ipsec *ips, const struct ipaddr *remote)
{
	for (struct ikesa *sa = ike_engine_first(ips->eng); sa; sa = ike_engine_next(ips->eng, sa)) {
		struct ike_sa_info in;
		enum ike_sa_state st = ike_sa_state(sa);
		if (st == IKE_S_DELETING || st == IKE_S_CLOSED)
			continue;
		ike_sa_get_info(sa, &in);
		if (ipaddr_eq(&in.remote, remote))
			return true;
	}
	return false;
}

static void peer_ike_state(struct ipsec *ips, const struct ipaddr *remote, const char *st)
{
	for (unsigned i = 0; i < ips->n_ifs; i++) {
		struct peer *p = peer_find(ips->ifs[i].oif, remote);
		if (p)
			p->ike_state = st;
	}
}

/* Peer listener: a peer that appears (or changes state) on a protected
 * interface shows the state of its IKE SA. */
static void on_peer(struct peer *p, enum peer_state old, void *ctx)
{
	struct ipsec *ips = ctx;

	(void)old;
	if (!p->oif || !if_find(ips, p->oif) || !ipaddr_is_set(&p->nbma))
		return;
	if (sad_lookup_out(ips->sad, &p->nbma))
		p->ike_state = "established";
	else
		p->ike_state = sa_pending(ips, &p->nbma) ? "connecting" : "none";
}

static enum cfg_id_type id_type_from_ike(uint8_t t)
{
	switch (t) {
	case IKE_ID_IPV4_ADDR:
	case IKE_ID_IPV6_ADDR:
		return CFG_ID_ADDRESS;
	case IKE_ID_FQDN:
		return CFG_ID_FQDN;
	case IKE_ID_RFC822_ADDR:
		return CFG_ID_EMAIL;
	case IKE_ID_KEY_ID:
		return CFG_ID_KEY_ID;
	case IKE_ID_DER_ASN1_DN:
		return CFG_ID_DN;
	default:
		return CFG_ID_NONE;
	}
}

static void ike_event(const struct ike_sa_info *in, const char *state, const char *reason)
{
	char b[ADDR_STRLEN];
	json_object *o;

	if (!events_wanted())
		return;
	o = json_object_new_object();
	json_object_object_add(o, "local",
	                       json_object_new_string(ipaddr_fmt(&in->local, b, sizeof(b))));
	json_object_object_add(o, "remote",
	                       json_object_new_string(ipaddr_fmt(&in->remote, b, sizeof(b))));
	json_object_object_add(o, "remote_id", json_object_new_string(in->remote_id));
	json_object_object_add(o, "state", json_object_new_string(state));
	if (reason)
		json_object_object_add(o, "reason", json_object_new_string(reason));
	events_emit("ike", o);
}

/* ---- queues ---- */

static struct ipsec_queue *queue_find(struct ipsec *ips, const struct ovl_if *oif,
                                      const struct ipaddr *remote)
{
	for (struct ipsec_queue *q = ips->queues; q; q = q->next)
		if ((!oif || q->oif == oif) && ipaddr_eq(&q->remote, remote))
			return q;
	return NULL;
}

static void queue_free(struct ipsec *ips, struct ipsec_queue *q, bool count_drops)
{
	for (struct ipsec_queue **pp = &ips->queues; *pp; pp = &(*pp)->next)
		if (*pp == q) {
			*pp = q->next;
			break;
		}
	if (count_drops)
		ips->ctr[IPSEC_CTR_drop_queue_expired] += q->n;
	ips->n_queues--;
	free(q->buf);
	free(q);
}

/* The CHILD SA toward remote is up: send what waited for it. */
static void queue_flush(struct ipsec *ips, const struct ipaddr *remote, double now)
{
	struct ipsec_queue *q;

	while ((q = queue_find(ips, NULL, remote))) {
		struct esp_sa *sa = sad_lookup_out(ips->sad, remote);
		for (; q->n; q->n--, q->head = (q->head + 1) % IPSEC_QUEUE_MAX) {
			uint8_t *slot = q->buf + (size_t)q->head * IPSEC_QSLOT;
			if (sa && ipsec_esp_send(ips, sa, slot + ESP_HEADROOM, q->len[q->head], now) == 0)
				ips->ctr[IPSEC_CTR_dequeued]++;
		}
		queue_free(ips, q, false);
	}
}

static int enqueue(struct ipsec *ips, struct ovl_if *oif, const struct ipaddr *remote,
                   const uint8_t *gre, size_t len, double now)
{
	struct ipsec_queue *q = queue_find(ips, oif, remote);
	unsigned slot;

	if (len > IPSEC_QPAYLOAD) {
		ips->ctr[IPSEC_CTR_drop_queue_too_big]++;
		return -1;
	}
	if (!q) {
		if (ips->n_queues >= IPSEC_QUEUES_MAX) {
			ips->ctr[IPSEC_CTR_drop_queues_max]++;
			return -1;
		}
		q = calloc(1, sizeof(*q));
		if (q)
			q->buf = malloc((size_t)IPSEC_QUEUE_MAX * IPSEC_QSLOT);
		if (!q || !q->buf) {
			free(q);
			ips->ctr[IPSEC_CTR_drop_queues_max]++;
			return -1;
		}
		q->oif = oif;
		q->remote = *remote;
		q->created = now;
		q->last_init = -INFINITY;
		q->next = ips->queues;
		ips->queues = q;
		ips->n_queues++;
	}
	if (q->n == IPSEC_QUEUE_MAX) {
		ips->ctr[IPSEC_CTR_drop_queue_full]++;
		return -1;
	}
	slot = (q->head + q->n) % IPSEC_QUEUE_MAX;
	memcpy(q->buf + (size_t)slot * IPSEC_QSLOT + ESP_HEADROOM, gre, len);
	q->len[slot] = len;
	q->n++;
	ips->ctr[IPSEC_CTR_queued]++;
	if (!ev_is_active(&ips->w_kick)) {
		ev_timer_set(&ips->w_kick, 0.0, 0.0);
		ev_timer_start(ips->loop, &ips->w_kick);
	}
	return 0;
}

/* Starts IKE for every queue that has no SA coming (outside engine
 * callbacks: from the kick timer and housekeeping). */
static void queues_run(struct ipsec *ips, double now, bool expire)
{
	struct ipsec_queue *q, *next;

	for (q = ips->queues; q; q = next) {
		struct ipsec_if *ifp = if_find(ips, q->oif);
		const struct ipaddr *local = ifp ? local_for(q->oif, &q->remote) : NULL;
		next = q->next;
		if (sad_lookup_out(ips->sad, &q->remote)) {
			queue_flush(ips, &q->remote, now);
			next = ips->queues; /* the list changed */
			continue;
		}
		if (expire && now - q->created > IPSEC_QUEUE_AGE) {
			queue_free(ips, q, true);
			continue;
		}
		if (!local || sa_pending(ips, &q->remote) || now - q->last_init < IPSEC_RETRY_S)
			continue;
		q->last_init = now;
		char b[ADDR_STRLEN];
		log_info("ipsec %s: no SA to %s: starting IKE", q->oif->name,
		         ipaddr_fmt(&q->remote, b, sizeof(b)));
		if (!ike_initiate(ips->eng, ifp->prof, local, &q->remote, now)) {
			ips->ctr[IPSEC_CTR_drop_initiate_failed]++;
			continue;
		}
		ips->ctr[IPSEC_CTR_initiated]++;
		peer_ike_state(ips, &q->remote, "connecting");
	}
}

/* ---- interface hooks ---- */

int ipsec_protect_send(void *ctx, struct ovl_if *oif, const struct ipaddr *nbma, uint8_t *gre,
                       size_t len, bool inplace)
{
	struct ipsec *ips = ctx;
	double now = mono_now();
	struct esp_sa *sa = sad_lookup_out(ips->sad, nbma);

	if (!sa || esp_sa_expired(sa, now) == ESP_HARD)
		return enqueue(ips, oif, nbma, gre, len, now);
	if (!inplace) {
		if (len > IPSEC_BUF - ESP_HEADROOM - ESP_TAILROOM) {
			ips->ctr[IPSEC_CTR_drop_too_big]++;
			return -1;
		}
		memmove(ips->txbuf + ESP_HEADROOM, gre, len);
		gre = ips->txbuf + ESP_HEADROOM;
	}
	return ipsec_esp_send(ips, sa, gre, len, now);
}

static bool protect_reg_allowed(void *ctx, struct ovl_if *oif, const struct ipaddr *nbma,
                                const struct prefix *proto)
{
	struct ipsec *ips = ctx;
	struct ipsec_if *ifp = if_find(ips, oif);
	struct ipsec_child *ch = ips->rx_child;

	(void)nbma;
	if (!ifp || !ifp->prof->n_authz)
		return true;
	if (!ch) {
		ips->ctr[IPSEC_CTR_reg_no_sa]++;
		return false;
	}
	if (cfg_profile_authorizes(ifp->prof, (enum cfg_id_type)ch->remote_id_type, ch->remote_id,
	                           &proto->addr))
		return true;
	ips->ctr[IPSEC_CTR_reg_refused]++;
	char b[PREFIX_STRLEN];
	log_warn("ipsec %s: identity '%s' may not register %s", oif->name, ch->remote_id,
	         prefix_fmt(proto, b, sizeof(b)));
	return false;
}

static void protect_detach(void *ctx, struct ovl_if *oif)
{
	struct ipsec *ips = ctx;
	struct ipsec_if *ifp = if_find(ips, oif);
	struct ikesa *del[64];
	unsigned n = 0;
	double now = mono_now();

	/* IKE DELETE to the peers of this interface */
	for (unsigned b = 0; b < IPSEC_CHILD_BUCKETS; b++)
		for (struct ipsec_child *c = ips->children[b]; c; c = c->next)
			if (c->oif == oif && n < 64) {
				bool dup = false;
				for (unsigned k = 0; k < n; k++)
					dup |= del[k] == c->sa;
				if (!dup)
					del[n++] = c->sa;
			}
	for (unsigned k = 0; k < n; k++)
		ike_sa_delete(del[k], now, "interface shutdown");
	for (unsigned b = 0; b < IPSEC_CHILD_BUCKETS; b++)
		for (struct ipsec_child *c = ips->children[b]; c; c = c->next)
			if (c->oif == oif)
				c->oif = NULL;
	for (struct ipsec_queue *q = ips->queues, *next; q; q = next) {
		next = q->next;
		if (q->oif == oif)
			queue_free(ips, q, true);
	}
	if (ifp) {
		*ifp = ips->ifs[--ips->n_ifs];
		memset(&ips->ifs[ips->n_ifs], 0, sizeof(ips->ifs[0]));
	}
	ipsec_timer_update(ips);
}

static const struct ovl_protect protect_ops = {
    .send = ipsec_protect_send,
    .reg_allowed = protect_reg_allowed,
    .detach = protect_detach,
};

/* ---- engine callbacks ---- */

static void op_child_up(void *ctx, struct ikesa *sa, const struct ike_child_info *c)
{
	struct ipsec *ips = ctx;
	struct ipsec_if *ifp = ipsec_if_by_local(ips, &c->local);
	double now = mono_now();
	char b[ADDR_STRLEN];
	struct ipsec_child *ch;
	struct ike_sa_info in;

	if (sad_add_child(ips->sad, c, now) < 0) {
		ips->ctr[IPSEC_CTR_drop_child_install]++;
		log_warn("ipsec: CHILD SA %08x/%08x with %s not installed", c->spi_in, c->spi_out,
		         ipaddr_fmt(&c->remote, b, sizeof(b)));
		return;
	}
	ch = calloc(1, sizeof(*ch));
	if (!ch) {
		sad_del_child(ips->sad, c->id);
		ips->ctr[IPSEC_CTR_drop_child_install]++;
		return;
	}
	ike_sa_get_info(sa, &in);
	/* Volume lifetime (`lifetime ... kilobytes N`): soft at 90 % rekeys. */
	const struct cfg_profile *prof = NULL; /* the interface's copy first (reloads) */
	if (in.profile)
		prof = ifp && !strcmp(ifp->prof->name, in.profile)
		           ? ifp->prof
		           : config_find_profile(ips->cfg, in.profile);
	if (prof && prof->lifetime_child_kb)
		sad_set_limits(ips->sad, c->id, prof->lifetime_child_kb * 1024, 0);
	ch->id = c->id;
	ch->sa = sa;
	ch->oif = ifp ? ifp->oif : NULL;
	ch->sock = ipsec_sock_get(ips, &c->local);
	ch->local = c->local;
	ch->remote = c->remote;
	ch->encap = c->encap;
	ch->lport = c->local_port;
	ch->rport = c->remote_port;
	ch->remote_id_type = (int)id_type_from_ike(in.remote_id_type);
	snprintf(ch->remote_id, sizeof(ch->remote_id), "%s", in.remote_id);
	ch->noted_rx = ch->noted_tx = -INFINITY;
	unsigned bk = child_bucket(ch->id);
	ch->next = ips->children[bk];
	ips->children[bk] = ch;
	ips->ctr[IPSEC_CTR_child_up]++;
	log_info("ipsec %s: CHILD SA with %s (%s) up: spi in %08x out %08x%s",
	         ch->oif ? ch->oif->name : "-", ipaddr_fmt(&c->remote, b, sizeof(b)), ch->remote_id,
	         c->spi_in, c->spi_out, c->encap ? " udp-encap" : "");
	peer_ike_state(ips, &c->remote, "established");
	queue_flush(ips, &c->remote, now);
}

static void op_child_down(void *ctx, struct ikesa *sa, const struct ike_child_info *c,
                          const char *reason)
{
	struct ipsec *ips = ctx;
	unsigned bk = child_bucket(c->id);
	char b[ADDR_STRLEN];

	(void)sa;
	sad_del_child(ips->sad, c->id);
	for (struct ipsec_child **pp = &ips->children[bk]; *pp; pp = &(*pp)->next) {
		struct ipsec_child *ch = *pp;
		if (ch->id != c->id)
			continue;
		*pp = ch->next;
		if (ips->rx_child == ch)
			ips->rx_child = NULL;
		free(ch);
		break;
	}
	ips->ctr[IPSEC_CTR_child_down]++;
	log_info("ipsec: CHILD SA %08x/%08x with %s down (%s)", c->spi_in, c->spi_out,
	         ipaddr_fmt(&c->remote, b, sizeof(b)), reason);
}

static void op_ike_up(void *ctx, struct ikesa *sa, const struct ike_sa_info *in)
{
	struct ipsec *ips = ctx;
	char b[ADDR_STRLEN];

	(void)sa;
	ips->ctr[IPSEC_CTR_ike_up]++;
	log_notice("ipsec: IKE SA with %s (%s) established as %s", ipaddr_fmt(&in->remote, b, sizeof(b)),
	           in->remote_id, in->initiator ? "initiator" : "responder");
	ike_event(in, "established", NULL);
}

static bool reason_is_dead(const char *reason)
{
	return reason && (!strncmp(reason, "DPD", 3) || !strncmp(reason, "retransmission give-up", 22));
}

static void op_ike_down(void *ctx, struct ikesa *sa, const struct ike_sa_info *in,
                        const char *reason)
{
	struct ipsec *ips = ctx;
	double now = mono_now();
	char b[ADDR_STRLEN], why[200];

	(void)sa;
	ips->ctr[IPSEC_CTR_ike_down]++;
	log_notice("ipsec: IKE SA with %s (%s) down: %s", ipaddr_fmt(&in->remote, b, sizeof(b)),
	           in->remote_id, reason);
	ike_event(in, reason_is_dead(reason) ? "dead" : "down", reason);
	if (!sa_pending(ips, &in->remote))
		peer_ike_state(ips, &in->remote, "none");
	if (!reason_is_dead(reason))
		return;
	/* declared dead: the routing side forgets the peer */
	snprintf(why, sizeof(why), "IKE: %s", reason);
	for (unsigned i = 0; i < ips->n_ifs; i++) {
		struct ovl_if *oif = ips->ifs[i].oif;
		struct peer *p = peer_find(oif, &in->remote);
		if (!p)
			continue;
		ips->ctr[IPSEC_CTR_peer_dead]++;
		log_warn("ipsec %s: peer %s declared dead (%s)", oif->name, b, reason);
		ovl_peer_dead(oif, p, why, now);
		ovl_if_timer_update(oif);
	}
}

static const struct cfg_profile *op_profile_for(void *ctx, const struct ipaddr *local,
                                                const struct ipaddr *remote)
{
	struct ipsec_if *ifp = ipsec_if_by_local(ctx, local);

	(void)remote;
	return ifp ? ifp->prof : NULL;
}

static const struct ike_ops engine_ops = {
    .send = ipsec_io_ike_send,
    .child_up = op_child_up,
    .child_down = op_child_down,
    .ike_up = op_ike_up,
    .ike_down = op_ike_down,
    .profile_for = op_profile_for,
};

/* ---- timer ---- */

static void expire_one(void *arg, uint32_t child_id, bool hard)
{
	struct ipsec *ips = arg;
	struct ipsec_child *ch = ipsec_child_find(ips, child_id);

	if (hard) {
		/* Never used past its limit; a replacement if none is coming. */
		ips->ctr[IPSEC_CTR_expired_hard]++;
		sad_del_child(ips->sad, child_id);
		if (ch)
			ike_sa_rekey_child(ch->sa, mono_now());
		return;
	}
	ips->ctr[IPSEC_CTR_rekey_soft]++;
	if (ch)
		ike_sa_rekey_child(ch->sa, mono_now());
}

static void housekeeping(struct ipsec *ips, double now)
{
	sad_expire(ips->sad, now, expire_one, ips);
	queues_run(ips, now, true);
	if (now >= ips->natt_next) {
		ips->natt_next = now + IPSEC_NATT_KA_S;
		ipsec_natt_keepalives(ips, now);
	}
}

void ipsec_expiry_check(struct ipsec *ips, struct ipsec_child *ch, const struct esp_sa *sa,
                        double now)
{
	int e = (int)esp_sa_expired(sa, now);

	if (e <= ch->expiry_seen)
		return;
	ch->expiry_seen = e;
	if (ips->hk_next > now) {
		ips->hk_next = now;
		ipsec_timer_update(ips);
	}
}

void ipsec_timer_update(struct ipsec *ips)
{
	double now = mono_now(), d = fmin(ike_next_deadline(ips->eng), ips->hk_next);

	ev_timer_stop(ips->loop, &ips->w_timer);
	ev_timer_set(&ips->w_timer, d > now ? d - now : 0.0, 0.0);
	ev_timer_start(ips->loop, &ips->w_timer);
}

static void on_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ipsec *ips = w->data;
	double now = mono_now();

	(void)loop;
	(void)revents;
	if (now >= ips->hk_next) {
		ips->hk_next = now + IPSEC_HK_S;
		housekeeping(ips, now);
	}
	ike_tick(ips->eng, now);
	ipsec_timer_update(ips);
}

static void on_kick(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct ipsec *ips = w->data;

	(void)loop;
	(void)revents;
	queues_run(ips, mono_now(), false);
	ipsec_timer_update(ips);
}

/* ---- life cycle ---- */

static const struct cfg_profile *first_profile(const struct config *cfg)
{
	for (size_t i = 0; i < cfg->n_ifaces; i++)
		if (cfg->ifaces[i].profile)
			return cfg->ifaces[i].profile;
	return NULL;
}

struct ipsec *ipsec_new(struct ev_loop *loop, struct config *cfg)
{
	struct ipsec *ips = calloc(1, sizeof(*ips));
	struct ike_engine_conf ec = {0};

	if (!ips) {
		config_free(cfg);
		return NULL;
	}
	ips->loop = loop;
	ips->cfg = cfg;
	ec.profile = first_profile(cfg);
	ips->rxbuf = malloc(IPSEC_BUF);
	ips->txbuf = malloc(IPSEC_BUF);
	ips->ikebuf = malloc(IPSEC_BUF);
	ips->sad = sad_new();
	ips->eng = ike_engine_new(&engine_ops, ips, &ec);
	if (!ips->rxbuf || !ips->txbuf || !ips->ikebuf || !ips->sad || !ips->eng) {
		log_err("ipsec: cannot start (out of memory or IKE engine)");
		ipsec_free(ips);
		return NULL;
	}
	names_init();
	ips->ctr_registered = counters_register("ipsec", ctr_names, ips->ctr, IPSEC_CTR_ALL) == 0;
	peer_listener_add(on_peer, ips);
	ev_timer_init(&ips->w_timer, on_timer, 0.0, 0.0);
	ips->w_timer.data = ips;
	ev_timer_init(&ips->w_kick, on_kick, 0.0, 0.0);
	ips->w_kick.data = ips;
	ips->hk_next = mono_now() + IPSEC_HK_S;
	ips->natt_next = mono_now() + IPSEC_NATT_KA_S;
	ipsec_timer_update(ips);
	return ips;
}

int ipsec_config_add(struct ipsec *ips, struct config *cfg)
{
	struct config **v = realloc(ips->cfg_more, (ips->n_cfg_more + 1) * sizeof(*v));

	if (!v) {
		log_err("ipsec: out of memory keeping the reloaded configuration");
		config_free(cfg);
		return -1;
	}
	ips->cfg_more = v;
	v[ips->n_cfg_more++] = cfg;
	return 0;
}

/* The interface as the newest configuration copy that has it says. */
static const struct cfg_iface *ipsec_find_iface(const struct ipsec *ips, const char *name)
{
	for (size_t i = ips->n_cfg_more; i-- > 0;) {
		const struct cfg_iface *ifc = config_find_iface(ips->cfg_more[i], name);
		if (ifc)
			return ifc;
	}
	return config_find_iface(ips->cfg, name);
}

int ipsec_attach(struct ipsec *ips, struct ovl_if *oif)
{
	const struct cfg_iface *ifc = ipsec_find_iface(ips, oif->name);
	struct ipsec_if *ifp;

	if (!ifc || !ifc->profile)
		return 0;
	if (ips->n_ifs == IPSEC_IFS_MAX) {
		log_err("ipsec: more than %d protected interfaces", IPSEC_IFS_MAX);
		return -1;
	}
	ifp = &ips->ifs[ips->n_ifs];
	memset(ifp, 0, sizeof(*ifp));
	ifp->oif = oif;
	ifp->prof = ifc->profile;
	if (ipaddr_is_set(&oif->nbma4) && !(ifp->s4 = ipsec_sock_get(ips, &oif->nbma4)))
		return -1;
	if (ipaddr_is_set(&oif->nbma6) && !(ifp->s6 = ipsec_sock_get(ips, &oif->nbma6)))
		return -1;
	ips->n_ifs++;
	oif->protect = &protect_ops;
	oif->protect_ctx = ips;
	log_notice("%s: tunnel protection ikev2 profile %s%s", oif->name, ifp->prof->name,
	           ifp->prof->n_authz ? " (registrations checked against authorize rules)" : "");
	return 1;
}

void ipsec_free(struct ipsec *ips)
{
	if (!ips)
		return;
	if (ips->loop) {
		ev_timer_stop(ips->loop, &ips->w_timer);
		ev_timer_stop(ips->loop, &ips->w_kick);
	}
	peer_listener_del(on_peer, ips);
	ips->n_ifs = 0; /* no callback reaches an interface any more */
	ike_engine_free(ips->eng);
	for (unsigned b = 0; b < IPSEC_CHILD_BUCKETS; b++)
		while (ips->children[b]) {
			struct ipsec_child *c = ips->children[b];
			ips->children[b] = c->next;
			free(c);
		}
	while (ips->queues)
		queue_free(ips, ips->queues, true);
	sad_free(ips->sad);
	ipsec_sock_close_all(ips);
	if (ips->ctr_registered)
		counters_unregister(ips->ctr);
	free(ips->rxbuf);
	free(ips->txbuf);
	free(ips->ikebuf);
	config_free(ips->cfg);
	for (size_t i = 0; i < ips->n_cfg_more; i++)
		config_free(ips->cfg_more[i]);
	free(ips->cfg_more);
	free(ips);
}

unsigned ipsec_clear(struct ipsec *ips, const struct ipaddr *peer)
{
	struct ikesa *del[256];
	unsigned n = 0;
	double now = mono_now();

	for (struct ikesa *sa = ike_engine_first(ips->eng); sa && n < 256;
	     sa = ike_engine_next(ips->eng, sa)) {
		struct ike_sa_info in;
		ike_sa_get_info(sa, &in);
		if (!peer || ipaddr_eq(&in.remote, peer))
			del[n++] = sa;
	}
	for (unsigned k = 0; k < n; k++)
		ike_sa_delete(del[k], now, "cleared by the operator");
	ipsec_timer_update(ips);
	return n;
}

struct ike_engine *ipsec_engine(const struct ipsec *ips)
{
	return ips->eng;
}

struct sad *ipsec_sad(const struct ipsec *ips)
{
	return ips->sad;
}
