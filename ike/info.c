/* INFORMATIONAL exchanges (RFC 7296 §1.4): DELETE of the IKE SA or of the
 * CHILD SA, error notifies, and liveness checks as dead peer detection with
 * Cisco's semantics (profile `dpd INTERVAL RETRY-INTERVAL on-demand|periodic
 * retries N`): a probe after INTERVAL (of silence, or of unanswered traffic
 * with on-demand), re-sent every RETRY-INTERVAL, and the peer declared dead
 * RETRIES x RETRY-INTERVAL after the first probe. */
#include "ike/sa_priv.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "lib/log.h"
#include "lib/writer.h"

void ike_sa_schedule_dpd(struct ikesa *sa, double now)
{
	const struct cfg_profile *p = sa->prof;
	(void)now;
	sa->dpd_next = INFINITY;
	if (!p || !p->has_dpd || sa->state != IKE_S_ESTABLISHED)
		return;
	if (p->dpd_mode == CFG_DPD_PERIODIC)
		sa->dpd_next = sa->last_rx + p->dpd_interval;
	else if (sa->last_tx_traffic > sa->last_rx)
		sa->dpd_next = fmax(sa->last_rx + p->dpd_interval, sa->last_tx_traffic);
}

void ike_info_send_dpd(struct ikesa *sa, double now)
{
	uint8_t inner[16];
	struct writer w;
	struct ike_builder b;

	wr_init(&w, inner, sizeof(inner));
	ike_builder_init_chain(&b, &w);
	ike_ctr[IKE_CTR_DPD_SENT]++;
	sa->dpd_next = INFINITY;
	sa->dpd_dead_at = now + sa->prof->dpd_retries * sa->prof->dpd_retry_interval;
	ike_sa_send_sk(sa, IKE_INFORMATIONAL, false, &b, inner, now, IKE_TASK_DPD);
}

void ike_info_send_delete(struct ikesa *sa, double now)
{
	uint8_t inner[64];
	struct writer w;
	struct ike_builder b;

	sa->pending_delete = false;
	wr_init(&w, inner, sizeof(inner));
	ike_builder_init_chain(&b, &w);
	ike_delete_build(&b, IKE_PROTO_IKE, 0, NULL, 0);
	ike_sa_set_state(sa, IKE_S_DELETING, sa->reason[0] ? sa->reason : "delete");
	ike_child_remove(sa, "IKE SA deleted");
	ike_sa_send_sk(sa, IKE_INFORMATIONAL, false, &b, inner, now, IKE_TASK_DELETE);
}

void ike_info_tick(struct ikesa *sa, double now)
{
	if (sa->state != IKE_S_ESTABLISHED || sa->task != IKE_TASK_NONE)
		return;
	if (sa->pending_delete) {
		ike_info_send_delete(sa, now);
		return;
	}
	if (sa->dpd_next <= now) {
		ike_info_send_dpd(sa, now);
		return;
	}
	if (sa->child_rekey_at <= now) {
		sa->child_rekey_at = INFINITY; /* re-armed when the new CHILD SA is up */
		ike_sa_rekey_child(sa, now);   /* may free sa (send failure) */
	}
}

void ike_info_process_request(struct ikesa *sa, const struct ike_msg *in, double now)
{
	uint8_t inner[256];
	struct writer w;
	struct ike_builder b;
	bool delete_ike = false;

	wr_init(&w, inner, sizeof(inner));
	ike_builder_init_chain(&b, &w);
	for (const struct ike_payload *p = NULL; (p = ike_msg_find(in, IKE_PL_DELETE, p));) {
		struct ike_delete d;
		if (ike_delete_parse(&d, p) < 0)
			continue;
		ike_ctr[IKE_CTR_DELETE_RX]++;
		if (d.protocol == IKE_PROTO_IKE) {
			delete_ike = true;
			continue;
		}
		if (d.protocol != IKE_PROTO_ESP)
			continue;
		for (unsigned i = 0; i < d.nspi; i++) {
			uint32_t ours = ike_child_delete_rx(sa, ike_delete_spi(&d, i));
			if (ours) {
				uint8_t s[4] = {(uint8_t)(ours >> 24), (uint8_t)(ours >> 16),
				                (uint8_t)(ours >> 8), (uint8_t)ours};
				ike_delete_build(&b, IKE_PROTO_ESP, 4, s, 1);
			}
		}
	}
	for (const struct ike_payload *p = NULL; (p = ike_msg_find(in, IKE_PL_NOTIFY, p));) {
		struct ike_notify n;
		if (ike_notify_parse(&n, p) == 0 && ike_notify_is_error(n.type))
			log_rl(LOG_LVL_NOTICE, "ike %016" PRIx64 ": peer reports %s",
			       ike_spi_num(sa->spi_i), ike_notify_name(n.type));
	}
	if (delete_ike) {
		/* answer with an empty INFORMATIONAL, then the SA is gone */
		wr_init(&w, inner, sizeof(inner));
		ike_builder_init_chain(&b, &w);
	}
	if (ike_sa_send_sk(sa, IKE_INFORMATIONAL, true, &b, inner, now, IKE_TASK_NONE) < 0)
		return;
	if (delete_ike)
		ike_sa_close(sa, "deleted by the peer");
}

void ike_info_send_delete_child(struct ikesa *sa, double now)
{
	uint8_t inner[64];
	struct writer w;
	struct ike_builder b;
	uint32_t s = sa->old_child.spi_in;
	uint8_t spi[4] = {(uint8_t)(s >> 24), (uint8_t)(s >> 16), (uint8_t)(s >> 8), (uint8_t)s};

	wr_init(&w, inner, sizeof(inner));
	ike_builder_init_chain(&b, &w);
	ike_delete_build(&b, IKE_PROTO_ESP, 4, spi, 1);
	ike_sa_send_sk(sa, IKE_INFORMATIONAL, false, &b, inner, now, IKE_TASK_DELETE_CHILD);
}

void ike_info_process_response(struct ikesa *sa, enum ike_task task, const struct ike_msg *in,
                               double now)
{
	(void)in;
	if (task == IKE_TASK_DELETE_CHILD)
		ike_child_remove_old(sa, "rekeyed: old SA deleted");
	if (sa->state == IKE_S_DELETING) {
		ike_sa_close(sa, sa->reason[0] ? sa->reason : "deleted");
		return;
	}
	sa->dpd_dead_at = INFINITY;
	ike_sa_schedule_dpd(sa, now);
	if (sa->pending_delete)
		ike_info_send_delete(sa, now);
}

void ike_sa_dpd_get(const struct ikesa *sa, double now, struct ike_sa_dpd_view *v)
{
	const struct cfg_profile *p = sa->prof;

	memset(v, 0, sizeof(*v));
	v->next_probe_s = -1;
	v->idle_s = now - sa->last_rx;
	if (!p || !p->has_dpd)
		return;
	v->enabled = true;
	v->periodic = p->dpd_mode == CFG_DPD_PERIODIC;
	v->interval = p->dpd_interval;
	v->retry_interval = p->dpd_retry_interval;
	v->retries = p->dpd_retries;
	if (sa->task == IKE_TASK_DPD)
		v->misses = sa->req_tries + 1;
	if (isfinite(sa->dpd_next))
		v->next_probe_s = fmax(0.0, sa->dpd_next - now);
}

double ike_sa_age(const struct ikesa *sa, double now)
{
	return now - sa->created;
}

double ike_sa_established_for(const struct ikesa *sa, double now)
{
	return sa->established_at > 0 ? now - sa->established_at : -1.0;
}

double ike_sa_rekey_in(const struct ikesa *sa, double now)
{
	return isfinite(sa->child_rekey_at) ? fmax(0.0, sa->child_rekey_at - now) : -1.0;
}
