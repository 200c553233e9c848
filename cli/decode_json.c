/* decode: one JSON object per frame (SPEC.md, `decode FILE --json`):
 *
 *   {"frame":N,"link":{...},"ip":{...},"gre":{"protocol","key",...},
 *    "nhrp":{...} | "ike":{...} | "esp":{"spi","seq"} | "nat_keepalive":true,
 *    "inner":{"ip":{...},"gre":{...},...}, "error":"NHRP malformed: ...",
 *    "notes":[...]}
 *
 * Only the layers present appear. An IP datagram carried in GRE is the
 * "inner" object of its GRE's level, with the same keys.
 */
#include "cli/decode_priv.h"

#include <json-c/json.h>
#include <stdio.h>

static void jadd(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static struct json_object *jaddr(const struct ipaddr *a)
{
	char buf[ADDR_STRLEN];

	return json_object_new_string(decode_addr(a, buf, sizeof(buf)));
}

static struct json_object *json_link(const struct decode_pkt *pkt)
{
	const struct decode_link *l = &pkt->link;
	struct json_object *o = json_object_new_object();

	jadd(o, "type", json_object_new_string(decode_link_name(l->dlt)));
	jadd(o, "dlt", json_object_new_int(l->dlt));
	if (l->nvlan) {
		struct json_object *a = json_object_new_array();

		for (unsigned i = 0; i < l->nvlan; i++)
			json_object_array_add(a, json_object_new_int(l->vlan[i]));
		jadd(o, "vlan", a);
	}
	if (pkt->link_rc >= 0) {
		if (l->ethertype)
			jadd(o, "ethertype", json_object_new_int(l->ethertype));
		else if (l->has_mac)
			jadd(o, "llc_length", json_object_new_int(l->llc_len));
		if (l->dlt == 0 || l->dlt == 108)
			jadd(o, "family", json_object_new_int64(l->family));
	}
	return o;
}

static struct json_object *json_ip(const struct ip_info *ip)
{
	struct json_object *o = json_object_new_object();

	jadd(o, "version", json_object_new_int(ip->version));
	jadd(o, "src", jaddr(&ip->src));
	jadd(o, "dst", jaddr(&ip->dst));
	jadd(o, "proto", json_object_new_int(ip->proto));
	jadd(o, "ttl", json_object_new_int(ip->ttl));
	jadd(o, "length", json_object_new_int64(ip->tot_len));
	if (ip->is_fragment) {
		struct json_object *f = json_object_new_object();

		jadd(f, "id", json_object_new_int64(ip->id));
		jadd(f, "offset", json_object_new_int(ip->frag_off));
		jadd(f, "more", json_object_new_boolean(ip->mf));
		jadd(o, "fragment", f);
	}
	return o;
}

static struct json_object *json_gre(const struct decode_level *lv)
{
	const struct gre_hdr *g = &lv->gre;
	struct json_object *o = json_object_new_object(), *f = json_object_new_object();

	jadd(f, "checksum", json_object_new_boolean(g->flags & GRE_F_CSUM));
	jadd(f, "routing", json_object_new_boolean(g->flags & GRE_F_ROUTING));
	jadd(f, "key", json_object_new_boolean(g->flags & GRE_F_KEY));
	jadd(f, "sequence", json_object_new_boolean(g->flags & GRE_F_SEQ));
	jadd(f, "strict_source_route", json_object_new_boolean(g->flags & 0x0800));
	jadd(f, "recursion", json_object_new_int((g->flags >> 8) & 7));
	jadd(f, "reserved", json_object_new_int((g->flags >> 3) & 0x1f));
	jadd(o, "flags", f);
	jadd(o, "version", json_object_new_int(g->version));
	jadd(o, "protocol", json_object_new_int(g->protocol));
	jadd(o, "protocol_name", json_object_new_string(gre_proto_name(g->protocol)));
	if (g->key_present)
		jadd(o, "key", json_object_new_int64(g->key));
	if (g->seq_present)
		jadd(o, "seq", json_object_new_int64(g->seq));
	if (g->csum_present)
		jadd(o, "checksum", json_object_new_int(g->checksum));
	if (lv->has_cmd) {
		jadd(o, "sgt", json_object_new_int(lv->cmd.sgt));
		jadd(o, "payload_protocol", json_object_new_int(lv->cmd.ethertype));
	}
	if (lv->ka == DECODE_KA_REQUEST) {
		jadd(o, "keepalive", json_object_new_string("request"));
	} else if (lv->ka == DECODE_KA_REPLY) {
		jadd(o, "keepalive", json_object_new_string("reply"));
		if (lv->ka_reply.id_present)
			jadd(o, "keepalive_id", json_object_new_int64(lv->ka_reply.id));
	}
	return o;
}

static void json_app(const struct decode_pkt *pkt, struct json_object *o)
{
	struct json_object *e;

	switch (pkt->app) {
	case DECODE_APP_NHRP:
		/* after a parse failure only the error is meaningful */
		if (!pkt->err_layer)
			jadd(o, "nhrp", decode_json_nhrp(pkt));
		break;
	case DECODE_APP_IKE:
	case DECODE_APP_IKEV1:
		jadd(o, "ike", decode_json_ike(pkt));
		break;
	case DECODE_APP_ESP:
		e = json_object_new_object();
		jadd(e, "spi", json_object_new_int64(pkt->esp.spi));
		jadd(e, "seq", json_object_new_int64(pkt->esp.seq));
		jadd(e, "length",
		     json_object_new_int64((int64_t)(pkt->esp.body_len + ESP_HDR_LEN)));
		jadd(o, "esp", e);
		break;
	case DECODE_APP_NATT_KA:
		jadd(o, "nat_keepalive", json_object_new_boolean(true));
		break;
	default:
		break;
	}
}

/* Level i into object o (the frame object for level 0). */
static void json_level(const struct decode_pkt *pkt, unsigned i, struct json_object *o)
{
	const struct decode_level *lv = &pkt->lv[i];

	jadd(o, "ip", json_ip(&lv->ip));
	if (lv->has_gre)
		jadd(o, "gre", json_gre(lv));
	if (lv->has_udp) {
		struct json_object *u = json_object_new_object();

		jadd(u, "sport", json_object_new_int(lv->udp.sport));
		jadd(u, "dport", json_object_new_int(lv->udp.dport));
		jadd(u, "length", json_object_new_int(lv->udp.len));
		jadd(o, "udp", u);
	}
	if (i + 1 < pkt->nlevel) {
		struct json_object *in = json_object_new_object();

		json_level(pkt, i + 1, in);
		jadd(o, "inner", in);
	} else {
		json_app(pkt, o);
	}
}

struct json_object *decode_json_pkt(const struct decode_pkt *pkt)
{
	const struct decode_frame *f = pkt->frame;
	struct json_object *o = json_object_new_object();
	char buf[160];

	jadd(o, "frame", json_object_new_int64(f->number));
	if (f->ts_sec || f->ts_usec) {
		snprintf(buf, sizeof(buf), "%lld.%06u", (long long)f->ts_sec, (unsigned)f->ts_usec);
		jadd(o, "time",
		     json_object_new_double_s((double)f->ts_sec + f->ts_usec / 1e6, buf));
	}
	jadd(o, "length", json_object_new_int64((int64_t)f->wirelen));
	if (pkt->truncated)
		jadd(o, "captured", json_object_new_int64((int64_t)f->caplen));
	jadd(o, "link", json_link(pkt));
	if (pkt->nlevel)
		json_level(pkt, 0, o);
	if (pkt->err_layer) {
		snprintf(buf, sizeof(buf), "%s malformed: %s", pkt->err_layer, pkt->err_reason);
		jadd(o, "error", json_object_new_string(buf));
		jadd(o, "error_layer", json_object_new_string(pkt->err_layer));
	}
	if (pkt->nnotes) {
		struct json_object *a = json_object_new_array();

		for (unsigned i = 0; i < pkt->nnotes; i++)
			json_object_array_add(a, json_object_new_string(pkt->notes[i]));
		jadd(o, "notes", a);
	}
	return o;
}
