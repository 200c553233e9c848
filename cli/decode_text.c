/* decode: one line of text per frame, and the formatting helpers shared
 * with the JSON printer.
 *
 *   3 192.168.200.1 > 192.168.200.2 GRE key 1000 NHRP resolution-request ...
 *   11 vlan 1213 10.172.64.7 > 10.172.64.6 GRE key 40 cmd sgt 0 keepalive-request
 *      IPv4 10.172.64.6 > 10.172.64.7 GRE key 40 keepalive-reply
 *
 * (the second example is one line). Errors end the line as
 * "<layer> malformed: <reason>"; notes follow in brackets.
 */
#include "cli/decode_priv.h"

#include <inttypes.h>
#include <string.h>

#include "lib/util.h"

const char *decode_addr(const struct ipaddr *a, char *buf, size_t len)
{
	if (!a->len)
		return "-";
	return ipaddr_fmt(a, buf, len);
}

void decode_bytes_fmt(const uint8_t *p, size_t len, char *out, size_t cap, bool *is_text)
{
	static const char hx[] = "0123456789abcdef";
	bool text = len > 0;
	size_t o = 0;

	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] > 0x7e || p[i] == '"' || p[i] == '\\')
			text = false;
	if (is_text)
		*is_text = text;
	if (cap == 0)
		return;
	for (size_t i = 0; i < len; i++) {
		if (text && o + 1 < cap) {
			out[o++] = (char)p[i];
		} else if (!text && o + 2 < cap) {
			out[o++] = hx[p[i] >> 4];
			out[o++] = hx[p[i] & 15];
		} else {
			break;
		}
	}
	out[o] = '\0';
}

static void text_link(const struct decode_pkt *pkt, FILE *out)
{
	const struct decode_link *l = &pkt->link;

	for (unsigned i = 0; i < l->nvlan; i++)
		fprintf(out, " vlan %u", l->vlan[i]);
	if (pkt->link_rc < 0 || l->ethertype == 0x0800 || l->ethertype == 0x86dd)
		return;
	fprintf(out, " %s", decode_link_name(l->dlt));
	if (l->has_mac && l->ethertype == 0)
		fprintf(out, " 802.3 length %u", l->llc_len);
	else if (l->ethertype == 0x0806)
		fprintf(out, " ARP");
	else if (l->ethertype)
		fprintf(out, " ethertype 0x%04x", l->ethertype);
	else if (l->dlt == 0 || l->dlt == 108)
		fprintf(out, " family %" PRIu32, l->family);
	else
		fprintf(out, " not IP");
}

static void text_gre(const struct decode_level *lv, FILE *out)
{
	const struct gre_hdr *g = &lv->gre;

	fprintf(out, " GRE");
	if (g->key_present)
		fprintf(out, " key %" PRIu32, g->key);
	if (g->seq_present)
		fprintf(out, " seq %" PRIu32, g->seq);
	if (g->csum_present)
		fprintf(out, " csum 0x%04x", g->checksum);
	if (g->flags & GRE_F_IGNORED)
		fprintf(out, " flags 0x%04x", g->flags);
	if (lv->has_cmd)
		fprintf(out, " cmd sgt %u", lv->cmd.sgt);
	switch (lv->ka) {
	case DECODE_KA_REQUEST:
		fprintf(out, " keepalive-request");
		return;
	case DECODE_KA_REPLY:
		fprintf(out, " keepalive-reply");
		if (lv->ka_reply.id_present)
			fprintf(out, " id %" PRIu32, lv->ka_reply.id);
		return;
	default:
		break;
	}
	if (lv->next == DECODE_NEXT_OTHER || lv->gre_proto == GRE_PROTO_KEEPALIVE)
		fprintf(out, " proto 0x%04x (%s)", lv->gre_proto, gre_proto_name(lv->gre_proto));
}

static void text_app(const struct decode_pkt *pkt, FILE *out)
{
	switch (pkt->app) {
	case DECODE_APP_NHRP:
		/* after a parse failure only the error is meaningful */
		if (!pkt->err_layer)
			decode_text_nhrp(pkt, out);
		break;
	case DECODE_APP_IKE:
	case DECODE_APP_IKEV1:
		decode_text_ike(pkt, out);
		break;
	case DECODE_APP_ESP:
		fprintf(out, " ESP spi 0x%08" PRIx32 " seq %" PRIu32 " len %zu", pkt->esp.spi,
		        pkt->esp.seq, pkt->esp.body_len + ESP_HDR_LEN);
		break;
	case DECODE_APP_NATT_KA:
		fprintf(out, " NAT-keepalive");
		break;
	default:
		break;
	}
}

static void text_level(const struct decode_pkt *pkt, unsigned i, FILE *out)
{
	const struct decode_level *lv = &pkt->lv[i];
	const struct ip_info *ip = &lv->ip;
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	if (i > 0)
		fprintf(out, " IPv%u", ip->version);
	fprintf(out, " %s > %s", decode_addr(&ip->src, a, sizeof(a)),
	        decode_addr(&ip->dst, b, sizeof(b)));
	if (ip->is_fragment)
		fprintf(out, " frag id 0x%" PRIx32 " off %u%s", ip->id, ip->frag_off,
		        ip->mf ? "+" : "");
	if (lv->next == DECODE_NEXT_FRAGMENT) {
		fprintf(out, " %s fragment len %zu", ip_proto_name(ip->proto), ip->payload_len);
		return;
	}
	if (lv->has_gre)
		text_gre(lv, out);
	else if (lv->has_udp)
		fprintf(out, " UDP %u > %u", lv->udp.sport, lv->udp.dport);
	else if (lv->next == DECODE_NEXT_OTHER)
		fprintf(out, " %s (%u) len %zu", ip_proto_name(ip->proto), ip->proto,
		        ip->payload_len);
	if (lv->has_udp && lv->next == DECODE_NEXT_OTHER)
		fprintf(out, " len %zu", lv->udp.payload_len);
	if (i + 1 == pkt->nlevel)
		text_app(pkt, out);
}

void decode_text_print(const struct decode_pkt *pkt, FILE *out)
{
	fprintf(out, "%u", pkt->frame->number);
	text_link(pkt, out);
	for (unsigned i = 0; i < pkt->nlevel; i++)
		text_level(pkt, i, out);
	if (pkt->err_layer)
		fprintf(out, " %s malformed: %s", pkt->err_layer, pkt->err_reason);
	for (unsigned i = 0; i < pkt->nnotes; i++)
		fprintf(out, " [%s]", pkt->notes[i]);
}
