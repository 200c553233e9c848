/* IKE SA object: table by SPI, the one state setter, message-ID window,
 * retransmission with exponential backoff and give-up, and the dispatch of
 * received messages to the exchange handlers (init.c, auth.c, child.c,
 * info.c). */
#include "ike/sa_priv.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "lib/log.h"
#include "lib/util.h"
#include "lib/writer.h"

uint64_t ike_ctr[IKE_CTR_MAX];
const char *const ike_ctr_names[IKE_CTR_MAX] = {
    "rx",           "tx",          "retransmit",     "drop_parse",      "drop_no_sa",
    "drop_msgid",   "drop_decrypt", "drop_illegal",  "drop_unexpected", "cookie_sent",
    "invalid_ke_sent", "no_proposal", "auth_failed", "established",     "giveup",
    "dpd_sent",     "dpd_dead",    "delete_rx",       "frag_sent",
    "temp_failure_sent", "rekey_collision", "ike_rekeyed", "duplicate_sa",
    "invalid_spi_sent", "initial_contact",
};

static const char *const state_names[IKE_S_MAX_] = {
    "idle", "init-sent", "init-done", "auth-sent", "established", "deleting", "closed",
};

const char *ike_sa_state_name(enum ike_sa_state s)
{
	return (unsigned)s < IKE_S_MAX_ ? state_names[s] : "?";
}

double ike_jitter(double max)
{
	uint32_t r = 0;
	if (max <= 0 || ike_random(&r, sizeof(r)) < 0)
		return 0;
	return max * (r / 4294967296.0);
}

uint64_t ike_spi_num(const uint8_t spi[8])
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | spi[i];
	return v;
}

static const uint8_t *our_spi(const struct ikesa *sa)
{
	return sa->initiator ? sa->spi_i : sa->spi_r;
}

static unsigned bucket(const uint8_t spi[8])
{
	return (unsigned)(ike_spi_num(spi) % IKE_TABLE_SIZE);
}

bool ike_sa_is_half_open(const struct ikesa *sa)
{
	return !sa->initiator && sa->state == IKE_S_INIT_DONE;
}

void ike_sa_set_state(struct ikesa *sa, enum ike_sa_state s, const char *reason)
{
	if (sa->state == s)
		return;
	log_info("ike %016" PRIx64 "_%016" PRIx64 ": %s -> %s (%s)", ike_spi_num(sa->spi_i),
	         ike_spi_num(sa->spi_r), ike_sa_state_name(sa->state), ike_sa_state_name(s),
	         reason ? reason : "");
	bool was_half = ike_sa_is_half_open(sa);
	enum ike_sa_state from = sa->state;
	sa->state = s;
	if (s == IKE_S_ESTABLISHED) {
		ike_rekey_schedule(sa, sa->last_rx);
		/* by IKE_AUTH (not by a rekey): may duplicate another SA */
		if (from == IKE_S_AUTH_SENT || from == IKE_S_INIT_DONE)
			sa->e->dup_check = true;
	}
	bool half = ike_sa_is_half_open(sa);
	if (was_half && !half && sa->e->half_open)
		sa->e->half_open--;
	else if (!was_half && half)
		sa->e->half_open++;
}

struct ike_engine *ike_engine_new(const struct ike_ops *ops, void *ctx,
                                  const struct ike_engine_conf *conf)
{
	struct ike_engine *e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->ops = *ops;
	e->ctx = ctx;
	if (conf)
		e->conf = *conf;
	if (e->conf.retrans_timeout <= 0)
		e->conf.retrans_timeout = 2.0;
	if (e->conf.retrans_base < 1.0)
		e->conf.retrans_base = 1.8;
	if (!e->conf.retrans_tries)
		e->conf.retrans_tries = 5;
	if (!e->conf.cookie_threshold)
		e->conf.cookie_threshold = 16;
	if (e->conf.half_open_timeout <= 0)
		e->conf.half_open_timeout = 30.0;
	if (e->conf.frag_size < 576 || e->conf.frag_size > 65000)
		e->conf.frag_size = 1280;
	e->next_child_id = 1;
	if (ike_random(e->cookie_secret, sizeof(e->cookie_secret)) < 0) {
		free(e);
		return NULL;
	}
	return e;
}

void ike_engine_free(struct ike_engine *e)
{
	if (!e)
		return;
	for (unsigned i = 0; i < IKE_TABLE_SIZE; i++)
		while (e->tab[i])
			ike_sa_close(e->tab[i], "shutdown");
	ike_engine_free_creds(e);
	secure_zero(e->cookie_secret, sizeof(e->cookie_secret));
	free(e);
}

struct ikesa *ike_sa_new(struct ike_engine *e, bool initiator, const struct cfg_profile *prof,
                         const struct ipaddr *local, const struct ipaddr *remote, uint16_t lport,
                         uint16_t rport, double now)
{
	struct ikesa *sa = calloc(1, sizeof(*sa));
	if (!sa)
		return NULL;
	sa->e = e;
	sa->prof = prof;
	sa->initiator = initiator;
	sa->local = *local;
	sa->remote = *remote;
	sa->lport = lport;
	sa->rport = rport;
	sa->created = sa->last_rx = now;
	sa->req_next = sa->dpd_next = sa->dpd_dead_at = INFINITY;
	sa->expire_at = INFINITY;
	sa->child_rekey_at = sa->ike_rekey_at = sa->doom_at = INFINITY;
	sa->want_transport = !e->conf.no_transport_mode;
	return sa;
}

void ike_sa_link(struct ikesa *sa)
{
	unsigned b = bucket(our_spi(sa));
	sa->next = sa->e->tab[b];
	sa->e->tab[b] = sa;
	sa->e->nsa++;
}

static void sa_unlink(struct ikesa *sa)
{
	struct ikesa **pp = &sa->e->tab[bucket(our_spi(sa))];
	for (; *pp; pp = &(*pp)->next) {
		if (*pp == sa) {
			*pp = sa->next;
			sa->e->nsa--;
			return;
		}
	}
}

struct ikesa *ike_sa_find(struct ike_engine *e, const uint8_t spi[8], bool initiator)
{
	for (struct ikesa *sa = e->tab[bucket(spi)]; sa; sa = sa->next)
		if (sa->initiator == initiator && !memcmp(our_spi(sa), spi, 8))
			return sa;
	return NULL;
}

void ike_sa_get_info(const struct ikesa *sa, struct ike_sa_info *in)
{
	memset(in, 0, sizeof(*in));
	in->spi_i = ike_spi_num(sa->spi_i);
	in->spi_r = ike_spi_num(sa->spi_r);
	in->initiator = sa->initiator;
	in->local = sa->local;
	in->remote = sa->remote;
	in->local_port = sa->lport;
	in->remote_port = sa->rport;
	in->suite = sa->suite;
	ike_id_format(sa->id_local, sa->id_local_len, in->local_id, sizeof(in->local_id));
	ike_id_format(sa->id_remote, sa->id_remote_len, in->remote_id, sizeof(in->remote_id));
	in->remote_id_type = sa->id_remote_len >= 4 ? sa->id_remote[0] : 0;
	in->profile = sa->prof ? sa->prof->name : NULL;
	in->nat_local = sa->nat_local;
	in->nat_remote = sa->nat_remote;
}

void ike_sa_close(struct ikesa *sa, const char *reason)
{
	struct ike_engine *e = sa->e;
	bool was_up = sa->state == IKE_S_ESTABLISHED || sa->state == IKE_S_DELETING;

	if (sa->lost_reason) /* a duplicate or collision loser, whoever deletes it */
		reason = sa->lost_reason;
	if (sa->rk_new) /* our IKE rekey, unfinished */
		ike_sa_close(sa->rk_new, "IKE SA closed while rekeying");
	sa->rk_new = NULL;
	ike_child_rekey_clear(sa);
	if (!sa->reason[0])
		snprintf(sa->reason, sizeof(sa->reason), "%s", reason);
	snprintf(e->last_reason, sizeof(e->last_reason), "%s", sa->reason);
	ike_child_remove(sa, reason);
	ike_sa_set_state(sa, IKE_S_CLOSED, reason);
	sa_unlink(sa);
	if (was_up && e->ops.ike_down) {
		struct ike_sa_info info;
		ike_sa_get_info(sa, &info);
		e->ops.ike_down(e->ctx, sa, &info, reason);
	}
	ike_frag_clear(sa);
	ike_dh_free(sa->dh);
	ike_sk_ctx_clear(&sa->sk_in);
	ike_sk_ctx_clear(&sa->sk_out);
	ike_keymat_clear(&sa->km);
	free(sa->msg_init_i);
	free(sa->msg_init_r);
	free(sa->req);
	free(sa->resp);
	secure_zero(sa, sizeof(*sa));
	free(sa);
}

void ike_sa_fail(struct ikesa *sa, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(sa->reason, sizeof(sa->reason), fmt, ap);
	va_end(ap);
	char r[sizeof(sa->reason)];
	memcpy(r, sa->reason, sizeof(r));
	log_rl(LOG_LVL_NOTICE, "ike %016" PRIx64 ": failed: %s", ike_spi_num(our_spi(sa)), r);
	ike_sa_close(sa, r);
}

void ike_sa_send_raw(struct ikesa *sa, const uint8_t *buf, size_t len)
{
	ike_ctr[IKE_CTR_TX]++;
	sa->e->ops.send(sa->e->ctx, &sa->local, &sa->remote, sa->lport, sa->rport, buf, len);
}

static double backoff(const struct ikesa *sa)
{
	const struct ike_engine_conf *c = &sa->e->conf;
	if (sa->task == IKE_TASK_DPD && sa->prof && sa->prof->has_dpd)
		return sa->prof->dpd_retry_interval;
	return c->retrans_timeout * pow(c->retrans_base, sa->req_tries);
}

void ike_sa_send_buf(struct ikesa *sa, const uint8_t *buf, size_t len, bool packed)
{
	if (!packed) {
		ike_sa_send_raw(sa, buf, len);
		return;
	}
	for (size_t off = 0; off + 2 <= len;) {
		size_t n = (size_t)buf[off] << 8 | buf[off + 1];
		if (off + 2 + n > len)
			break;
		ike_sa_send_raw(sa, buf + off + 2, n);
		off += 2 + n;
	}
}

int ike_sa_send_request(struct ikesa *sa, enum ike_task task, const uint8_t *buf, size_t len,
                        double now, bool packed)
{
	uint8_t *copy = malloc(len);
	if (!copy) {
		ike_sa_fail(sa, "out of memory");
		return -1;
	}
	memcpy(copy, buf, len);
	free(sa->req);
	sa->req = copy;
	sa->req_len = len;
	sa->req_packed = packed;
	sa->task = task;
	sa->req_tries = 0;
	sa->req_mid = task == IKE_TASK_INIT ? 0 : sa->mid_next;
	sa->req_next = now + backoff(sa);
	ike_sa_send_buf(sa, buf, len, packed);
	return 0;
}

void ike_sa_send_response(struct ikesa *sa, const uint8_t *buf, size_t len, bool packed)
{
	uint8_t *copy = malloc(len);
	if (copy) {
		memcpy(copy, buf, len);
		free(sa->resp);
		sa->resp = copy;
		sa->resp_len = len;
		sa->resp_packed = packed;
		sa->resp_mid = sa->mid_expect - 1;
	}
	ike_sa_send_buf(sa, buf, len, packed);
}

void ike_sa_request_done(struct ikesa *sa)
{
	if (sa->task != IKE_TASK_INIT)
		sa->mid_next++;
	sa->task = IKE_TASK_NONE;
	sa->req_next = INFINITY;
	free(sa->req);
	sa->req = NULL;
	sa->req_len = 0;
}

void ike_hdr_for(const struct ikesa *sa, struct ike_hdr *h, uint8_t exchange, bool response,
                 uint32_t mid)
{
	memset(h, 0, sizeof(*h));
	h->ispi = ike_spi_num(sa->spi_i);
	h->rspi = ike_spi_num(sa->spi_r);
	h->exchange = exchange;
	h->flags = (sa->initiator ? IKE_FLAG_I : 0) | (response ? IKE_FLAG_R : 0);
	h->msgid = mid;
}

int ike_sa_build_sk(struct ikesa *sa, uint8_t exchange, bool response, uint32_t mid,
                    uint8_t first, const uint8_t *inner, size_t inner_len, uint8_t *out,
                    size_t cap)
{
	struct writer w;
	struct ike_builder b;
	struct ike_hdr h;

	ike_hdr_for(sa, &h, exchange, response, mid);
	wr_init(&w, out, cap);
	ike_builder_init(&b, &w, &h);
	if (ike_builder_finish(&b) < 0)
		return -1;
	if (ike_sk_encrypt(&sa->sk_out, &w, first, inner, inner_len) != IKE_SK_OK)
		return -1;
	return (int)wr_len(&w);
}

int ike_sa_open_sk(struct ikesa *sa, const uint8_t *msg, size_t len, uint8_t *buf, size_t cap,
                   struct ike_msg *inner)
{
	struct ike_sk_loc loc;
	size_t outlen = 0;

	if (!sa->keys || ike_sk_locate(msg, len, &loc) != IKE_SK_OK || loc.type != IKE_SK_PT_SK ||
	    ike_sk_decrypt(&sa->sk_in, msg, len, buf, cap, &outlen, 0) != IKE_SK_OK) {
		ike_ctr[IKE_CTR_DROP_DECRYPT]++;
		return -1;
	}
	if (ike_chain_parse(inner, loc.first, buf, outlen) < 0) {
		ike_ctr[IKE_CTR_DROP_PARSE]++;
		return -1;
	}
	return 0;
}

/* RFC 7383 §2.5: the inner chain in SKF fragments that each fit in
 * frag_size bytes of IP packet. Returns the packed length, or -1. */
static int build_fragments(struct ikesa *sa, uint8_t exchange, bool response, uint32_t mid,
                           uint8_t first, const uint8_t *inner, size_t ilen, uint8_t *out,
                           size_t cap)
{
	size_t ip = sa->remote.len == 16 ? 40 : 20, udp = 8;
	size_t marker = (sa->lport == IKE_NATT_PORT || sa->rport == IKE_NATT_PORT) ? 4 : 0;
	size_t limit = sa->e->conf.frag_size - ip - udp - marker - IKE_HDR_LEN;
	size_t chunk = limit;
	while (chunk > 64 && ike_sk_payload_len(&sa->sk_out, chunk, true) > limit)
		chunk--;
	if (chunk <= 64)
		return -1;
	size_t total = (ilen + chunk - 1) / chunk, off = 0, pos = 0;
	if (total > IKE_FRAG_MAX)
		return -1;
	for (size_t i = 1; i <= total; i++) {
		size_t n = ilen - off < chunk ? ilen - off : chunk;
		struct writer w;
		struct ike_builder b;
		struct ike_hdr h;
		if (pos + 2 > cap)
			return -1;
		ike_hdr_for(sa, &h, exchange, response, mid);
		wr_init(&w, out + pos + 2, cap - pos - 2);
		ike_builder_init(&b, &w, &h);
		if (ike_builder_finish(&b) < 0 ||
		    ike_skf_encrypt(&sa->sk_out, &w, i == 1 ? first : 0, (uint16_t)i, (uint16_t)total,
		                    inner + off, n) != IKE_SK_OK)
			return -1;
		out[pos] = (uint8_t)(wr_len(&w) >> 8);
		out[pos + 1] = (uint8_t)wr_len(&w);
		pos += 2 + wr_len(&w);
		off += n;
	}
	ike_ctr[IKE_CTR_FRAG_SENT] += total;
	return (int)pos;
}

int ike_sa_send_sk(struct ikesa *sa, uint8_t exchange, bool response, struct ike_builder *b,
                   uint8_t *inner, double now, enum ike_task task)
{
	uint8_t msg[2 * IKE_MSG_MAX];
	uint32_t mid = response ? sa->mid_expect - 1 : sa->mid_next;
	int ilen = ike_builder_finish(b);
	if (ilen < 0) {
		ike_sa_fail(sa, "cannot build %s", ike_exchange_name(exchange));
		return -1;
	}
	size_t ip = sa->remote.len == 16 ? 40 : 20;
	size_t whole = IKE_HDR_LEN + ike_sk_payload_len(&sa->sk_out, (size_t)ilen, false);
	bool frag = sa->peer_frag && whole + ip + 8 + 4 > sa->e->conf.frag_size;
	int n = frag ? build_fragments(sa, exchange, response, mid, b->first, inner, (size_t)ilen,
	                               msg, sizeof(msg))
	             : ike_sa_build_sk(sa, exchange, response, mid, b->first, inner, (size_t)ilen,
	                               msg, sizeof(msg));
	if (n < 0) {
		ike_sa_fail(sa, "cannot encrypt %s", ike_exchange_name(exchange));
		return -1;
	}
	if (response) {
		ike_sa_send_response(sa, msg, (size_t)n, frag);
		return 0;
	}
	return ike_sa_send_request(sa, task, msg, (size_t)n, now, frag);
}

struct ikesa *ike_initiate(struct ike_engine *e, const struct cfg_profile *prof,
                           const struct ipaddr *local, const struct ipaddr *remote, double now)
{
	struct ikesa *sa = ike_sa_new(e, true, prof, local, remote, IKE_PORT, IKE_PORT, now);

	if (!sa)
		return NULL;
	do
		if (ike_random(sa->spi_i, 8) < 0) {
			free(sa);
			return NULL;
		}
	while (!ike_spi_num(sa->spi_i) || ike_sa_find(e, sa->spi_i, true));
	ike_sa_link(sa);
	int rc = ike_init_start(sa, now);
	if (rc < 0) {
		if (rc == -1) /* -2: already failed and freed */
			ike_sa_close(sa, "cannot build IKE_SA_INIT");
		return NULL;
	}
	return sa;
}

static void dispatch_request(struct ikesa *sa, const struct ike_msg *m, const struct ike_msg *in,
                             double now)
{
	switch (m->hdr.exchange) {
	case IKE_AUTH:
		if (sa->initiator || sa->state != IKE_S_INIT_DONE) {
			ike_ctr[IKE_CTR_DROP_UNEXPECTED]++;
			return;
		}
		ike_auth_process_request(sa, m, in, now);
		return;
	case IKE_INFORMATIONAL:
		if (sa->state != IKE_S_ESTABLISHED && sa->state != IKE_S_DELETING) {
			ike_ctr[IKE_CTR_DROP_UNEXPECTED]++;
			return;
		}
		ike_info_process_request(sa, in, now);
		return;
	case IKE_CREATE_CHILD_SA:
		if (sa->state == IKE_S_DELETING) {
			/* our DELETE is out: not now (§2.25.1, §2.25.2) */
			ike_rekey_refuse(sa, IKE_N_TEMPORARY_FAILURE, now);
			return;
		}
		if (sa->state != IKE_S_ESTABLISHED) {
			ike_ctr[IKE_CTR_DROP_UNEXPECTED]++;
			return;
		}
		ike_child_process_request(sa, in, now);
		return;
	default:
		ike_ctr[IKE_CTR_DROP_UNEXPECTED]++;
	}
}

static void dispatch_response(struct ikesa *sa, const struct ike_msg *m, const struct ike_msg *in,
                              double now)
{
	enum ike_task t = sa->task;
	ike_sa_request_done(sa);
	switch (t) {
	case IKE_TASK_AUTH:
		if (m->hdr.exchange == IKE_AUTH) {
			ike_auth_process_response(sa, in, now);
			return;
		}
		break;
	case IKE_TASK_DPD:
	case IKE_TASK_DELETE:
	case IKE_TASK_DELETE_CHILD:
		if (m->hdr.exchange == IKE_INFORMATIONAL) {
			ike_info_process_response(sa, t, in, now);
			return;
		}
		break;
	case IKE_TASK_CHILD:
		if (m->hdr.exchange == IKE_CREATE_CHILD_SA) {
			ike_child_process_response(sa, in, now);
			return;
		}
		break;
	case IKE_TASK_REKEY_IKE:
		if (m->hdr.exchange == IKE_CREATE_CHILD_SA) {
			ike_rekey_process_response(sa, in, now);
			return;
		}
		break;
	case IKE_TASK_DELETE_RED:
		if (m->hdr.exchange == IKE_INFORMATIONAL) {
			ike_child_red_deleted(sa, now);
			return;
		}
		break;
	default:
		break;
	}
	ike_ctr[IKE_CTR_DROP_UNEXPECTED]++;
}

void ike_input(struct ike_engine *e, const struct ipaddr *local, const struct ipaddr *remote,
               uint16_t lport, uint16_t rport, const uint8_t *buf, size_t len, double now)
{
	struct ike_msg m;
	uint8_t plain[IKE_MSG_MAX];
	struct ike_msg in;

	ike_ctr[IKE_CTR_RX]++;
	if (ike_msg_parse(&m, buf, len) < 0) {
		ike_ctr[IKE_CTR_DROP_PARSE]++;
		log_rl(LOG_LVL_DEBUG, "ike: malformed message from port %u dropped", rport);
		return;
	}
	bool response = ike_hdr_is_response(&m.hdr);
	if (m.hdr.exchange == IKE_SA_INIT) {
		if (ike_legal_check(&m, IKE_SA_INIT, response, false, NULL) < 0) {
			ike_ctr[IKE_CTR_DROP_ILLEGAL]++;
			return;
		}
		if (!response) {
			ike_init_input_request(e, local, remote, lport, rport, &m, now);
			return;
		}
		uint8_t spi[8];
		for (int i = 0; i < 8; i++)
			spi[i] = (uint8_t)(m.hdr.ispi >> (56 - 8 * i));
		struct ikesa *sa = ike_sa_find(e, spi, true);
		if (!sa || sa->state != IKE_S_INIT_SENT || m.hdr.msgid != 0 ||
		    (m.hdr.flags & IKE_FLAG_I)) {
			ike_ctr[IKE_CTR_DROP_NO_SA]++;
			return;
		}
		ike_init_process_response(sa, &m, now);
		return;
	}

	/* The original initiator sets I: then we are the responder. */
	bool we_init = !(m.hdr.flags & IKE_FLAG_I);
	uint64_t ours = we_init ? m.hdr.ispi : m.hdr.rspi;
	uint64_t theirs = we_init ? m.hdr.rspi : m.hdr.ispi;
	uint8_t spi[8];
	for (int i = 0; i < 8; i++)
		spi[i] = (uint8_t)(ours >> (56 - 8 * i));
	struct ikesa *sa = ike_sa_find(e, spi, we_init);
	if (!sa || ike_spi_num(we_init ? sa->spi_r : sa->spi_i) != theirs || !sa->keys) {
		ike_ctr[IKE_CTR_DROP_NO_SA]++;
		if (!sa && !response)
			ike_collide_invalid_spi(e, local, remote, lport, rport, &m, now);
		return;
	}
	if (response) {
		if (sa->task == IKE_TASK_NONE || sa->task == IKE_TASK_INIT ||
		    m.hdr.msgid != sa->req_mid) {
			ike_ctr[IKE_CTR_DROP_MSGID]++;
			return;
		}
	} else if (m.hdr.msgid != sa->mid_expect) {
		if (sa->resp && m.hdr.msgid == sa->resp_mid && m.hdr.msgid + 1 == sa->mid_expect) {
			ike_ctr[IKE_CTR_RETRANSMIT]++;
			ike_sa_send_buf(sa, sa->resp, sa->resp_len, sa->resp_packed);
		} else {
			ike_ctr[IKE_CTR_DROP_MSGID]++;
		}
		return;
	}
	if (m.sk < 0) {
		ike_ctr[IKE_CTR_DROP_ILLEGAL]++;
		return;
	}
	if (m.pl[m.sk].type == IKE_PL_SKF) {
		size_t plen = 0;
		uint8_t first = 0;
		if (ike_frag_input(sa, &m, buf, len, plain, sizeof(plain), &plen, &first) <= 0)
			return;
		if (ike_chain_parse(&in, first, plain, plen) < 0) {
			ike_ctr[IKE_CTR_DROP_PARSE]++;
			return;
		}
	} else if (ike_sa_open_sk(sa, buf, len, plain, sizeof(plain), &in) < 0) {
		return;
	}
	if (ike_legal_check(&in, m.hdr.exchange, response, true, NULL) < 0) {
		ike_ctr[IKE_CTR_DROP_ILLEGAL]++;
		log_rl(LOG_LVL_INFO, "ike: %s %s with illegal payloads dropped",
		       ike_exchange_name(m.hdr.exchange), response ? "response" : "request");
		return;
	}
	/* Authenticated: the peer is alive, and NAT-T may have moved it. */
	sa->last_rx = now;
	sa->lport = lport;
	sa->rport = rport;
	sa->remote = *remote;
	ike_sa_schedule_dpd(sa, now);
	if (response) {
		dispatch_response(sa, &m, &in, now);
	} else {
		sa->mid_expect++;
		dispatch_request(sa, &m, &in, now);
	}
	if (e->dup_check) {
		e->dup_check = false;
		ike_collide_dups(e, now);
	}
}

static void sa_tick(struct ikesa *sa, double now)
{
	if (sa->expire_at <= now) {
		ike_sa_fail(sa, "half-open SA expired (no IKE_AUTH)");
		return;
	}
	if (sa->req_next <= now) {
		if (sa->task == IKE_TASK_DPD && sa->dpd_dead_at <= now + 1e-9) {
			ike_ctr[IKE_CTR_DPD_DEAD]++;
			ike_sa_fail(sa, "DPD: peer dead (%u probes unanswered)", sa->req_tries + 1);
			return;
		}
		if (sa->task != IKE_TASK_DPD && sa->req_tries >= sa->e->conf.retrans_tries) {
			ike_ctr[IKE_CTR_GIVEUP]++;
			ike_sa_fail(sa, "retransmission give-up: no answer to %s after %u retransmissions",
			            sa->task == IKE_TASK_INIT   ? "IKE_SA_INIT"
			            : sa->task == IKE_TASK_AUTH ? "IKE_AUTH"
			            : sa->task == IKE_TASK_CHILD || sa->task == IKE_TASK_REKEY_IKE
			                ? "CREATE_CHILD_SA"
			                : "INFORMATIONAL",
			            sa->req_tries);
			return;
		}
		sa->req_tries++;
		ike_ctr[IKE_CTR_RETRANSMIT]++;
		double next = now + backoff(sa);
		sa->req_next = sa->task == IKE_TASK_DPD ? fmin(next, sa->dpd_dead_at) : next;
		ike_sa_send_buf(sa, sa->req, sa->req_len, sa->req_packed);
		return;
	}
	if (ike_collide_tick(sa, now))
		return;
	if (sa->ike_rekey_at <= now && sa->state == IKE_S_ESTABLISHED &&
	    sa->task == IKE_TASK_NONE && !sa->pending_delete) {
		sa->ike_rekey_at = now + 5; /* again then when it cannot start now */
		ike_sa_rekey_ike(sa, now); /* may free sa */
		return;
	}
	ike_info_tick(sa, now);
}

void ike_tick(struct ike_engine *e, double now)
{
	for (unsigned i = 0; i < IKE_TABLE_SIZE; i++) {
		struct ikesa *sa = e->tab[i], *next;
		for (; sa; sa = next) {
			next = sa->next;
			sa_tick(sa, now);
		}
	}
}

double ike_next_deadline(const struct ike_engine *e)
{
	double d = INFINITY;
	for (unsigned i = 0; i < IKE_TABLE_SIZE; i++)
		for (const struct ikesa *sa = e->tab[i]; sa; sa = sa->next) {
			d = fmin(d, sa->req_next);
			d = fmin(d, sa->expire_at);
			d = fmin(d, sa->doom_at);
			if (sa->task == IKE_TASK_NONE) {
				d = fmin(d, sa->dpd_next);
				d = fmin(d, sa->child_rekey_at);
				if (sa->state == IKE_S_ESTABLISHED)
					d = fmin(d, sa->ike_rekey_at);
			}
		}
	return d;
}

void ike_sa_delete(struct ikesa *sa, double now, const char *reason)
{
	snprintf(sa->reason, sizeof(sa->reason), "%s", reason);
	if (sa->state != IKE_S_ESTABLISHED) {
		ike_sa_close(sa, reason);
		return;
	}
	if (sa->task != IKE_TASK_NONE) {
		sa->pending_delete = true;
		return;
	}
	ike_info_send_delete(sa, now);
}

void ike_sa_note_traffic(struct ikesa *sa, bool sent, bool received, double now)
{
	if (sent)
		sa->last_tx_traffic = now;
	if (received) {
		sa->last_rx_traffic = now;
		sa->last_rx = now;
	}
	ike_sa_schedule_dpd(sa, now);
}

enum ike_sa_state ike_sa_state(const struct ikesa *sa)
{
	return sa->state;
}
const struct ike_child_info *ike_sa_child(const struct ikesa *sa)
{
	return sa->child_up ? &sa->child : NULL;
}
const char *ike_sa_reason(const struct ikesa *sa)
{
	return sa->reason;
}
const struct ike_keymat *ike_sa_keymat(const struct ikesa *sa)
{
	return sa->keys ? &sa->km : NULL;
}
unsigned ike_engine_sa_count(const struct ike_engine *e)
{
	return e->nsa;
}
unsigned ike_engine_half_open(const struct ike_engine *e)
{
	return e->half_open;
}
const char *ike_engine_last_reason(const struct ike_engine *e)
{
	return e->last_reason;
}

struct ikesa *ike_engine_first(const struct ike_engine *e)
{
	for (unsigned i = 0; i < IKE_TABLE_SIZE; i++)
		if (e->tab[i])
			return e->tab[i];
	return NULL;
}

struct ikesa *ike_engine_next(const struct ike_engine *e, const struct ikesa *sa)
{
	if (sa->next)
		return sa->next;
	for (unsigned i = bucket(our_spi(sa)) + 1; i < IKE_TABLE_SIZE; i++)
		if (e->tab[i])
			return e->tab[i];
	return NULL;
}
