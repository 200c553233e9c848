/* decode: NHRP as text and JSON (header, mandatory part, CIEs, every
 * extension with its content, the packet quoted by a Traffic Indication).
 */
#include "cli/decode_priv.h"

#include <ctype.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

/* Stable lower-case names: "resolution-request" from "Resolution Request". */
static const char *slug(const char *name, char *buf, size_t len)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		buf[i] = name[i] == ' ' ? '-' : (char)tolower((unsigned char)name[i]);
	buf[i] = '\0';
	return buf;
}

/* Short extension names for the one-line form and JSON. */
static const char *ext_short(unsigned type, char *buf, size_t len)
{
	switch (type) {
	case NHRP_EXT_END:
		return "end";
	case NHRP_EXT_RESPONDER:
		return "responder-address";
	case NHRP_EXT_FWD_TRANSIT:
		return "forward-transit";
	case NHRP_EXT_REV_TRANSIT:
		return "reverse-transit";
	case NHRP_EXT_AUTH:
		return "auth";
	case NHRP_EXT_VENDOR:
		return "vendor-private";
	case NHRP_EXT_CISCO_NAT:
		return "nat-address";
	default:
		snprintf(buf, len, "ext-0x%04x", type);
		return buf;
	}
}

static bool ext_has_cies(unsigned type)
{
	return type == NHRP_EXT_RESPONDER || type == NHRP_EXT_FWD_TRANSIT ||
	       type == NHRP_EXT_REV_TRANSIT || type == NHRP_EXT_CISCO_NAT;
}

/* Flag names for the packet type (RFC 2332 5.2.x; Cisco's NAT bit). */
struct flag_name {
	uint16_t bit;
	const char *letter;
	const char *name;
};

static const struct flag_name res_flags[] = {
    {NHRP_FLAG_RES_Q, "Q", "router"},     {NHRP_FLAG_RES_A, "A", "authoritative"},
    {NHRP_FLAG_RES_D, "D", "stable-dst"}, {NHRP_FLAG_RES_U, "U", "unique"},
    {NHRP_FLAG_RES_S, "S", "stable-src"}, {NHRP_FLAG_CISCO_NAT, "NAT", "nat"},
};
static const struct flag_name reg_flags[] = {
    {NHRP_FLAG_REG_U, "U", "unique"},
    {NHRP_FLAG_CISCO_NAT, "NAT", "nat"},
};
static const struct flag_name purge_flags[] = {
    {NHRP_FLAG_PURGE_N, "N", "no-reply"},
    {NHRP_FLAG_CISCO_NAT, "NAT", "nat"},
};

static const struct flag_name *flag_table(uint8_t type, size_t *n)
{
	switch (type) {
	case NHRP_RESOLUTION_REQUEST:
	case NHRP_RESOLUTION_REPLY:
		*n = ARRAY_SIZE(res_flags);
		return res_flags;
	case NHRP_REGISTRATION_REQUEST:
	case NHRP_REGISTRATION_REPLY:
		*n = ARRAY_SIZE(reg_flags);
		return reg_flags;
	case NHRP_PURGE_REQUEST:
	case NHRP_PURGE_REPLY:
		*n = ARRAY_SIZE(purge_flags);
		return purge_flags;
	default:
		*n = 0;
		return NULL;
	}
}

static bool type_has_cies(uint8_t type)
{
	return type >= NHRP_RESOLUTION_REQUEST && type <= NHRP_PURGE_REPLY;
}

/* End has no entry in struct nhrp_packet: walk the extension headers from
 * ar$extoff to find it and return its first word (type and C bit), or -1. */
static int end_word(const struct nhrp_packet *n, const uint8_t *base)
{
	size_t off = n->extoff;

	if (!n->ext_end || !base || !n->extoff)
		return -1;
	while (off + NHRP_EXT_HDR_LEN <= n->pktsz) {
		uint16_t w = (uint16_t)(base[off] << 8 | base[off + 1]);
		uint16_t len = (uint16_t)(base[off + 2] << 8 | base[off + 3]);

		if ((w & NHRP_EXT_TYPE_MASK) == NHRP_EXT_END)
			return w;
		off += NHRP_EXT_HDR_LEN + (size_t)len;
	}
	return -1;
}

/* ---- text ---- */

static void text_cie(const struct nhrp_cie *c, FILE *out)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	fprintf(out, "[code %u", c->code);
	if (c->code != NHRP_CIE_SUCCESS)
		fprintf(out, " (%s)", nhrp_cie_code_name(c->code));
	fprintf(out, " plen %u mtu %u hold %u pref %u", c->prefix_len, c->mtu, c->holding_time,
	        c->preference);
	if (c->nbma.len || c->proto.len)
		fprintf(out, " nbma %s proto %s", decode_addr(&c->nbma, a, sizeof(a)),
		        decode_addr(&c->proto, b, sizeof(b)));
	if (c->nbma_sub.len)
		fprintf(out, " nbma-sub %u bytes", c->nbma_sub.len);
	fputc(']', out);
}

static void text_cies(const struct nhrp_cie_list *l, FILE *out)
{
	for (unsigned i = 0; i < l->count && i < NHRP_MAX_CIE; i++) {
		fputc(' ', out);
		text_cie(&l->e[i], out);
	}
}

static void text_raw(const struct nhrp_raw *r, FILE *out)
{
	char buf[2 * 256 + 1];
	bool text;

	decode_bytes_fmt(r->p, r->len, buf, sizeof(buf), &text);
	if (text)
		fprintf(out, " \"%s\"", buf);
	else if (r->len)
		fprintf(out, " %s%s", buf, r->len > 256 ? "..." : "");
}

static void text_ext(const struct nhrp_ext *e, FILE *out)
{
	char nb[16];

	fprintf(out, "%s%s", ext_short(e->type, nb, sizeof(nb)), e->compulsory ? "(C)" : "");
	if (ext_has_cies(e->type)) {
		text_cies(&e->u.cies, out);
	} else if (e->type == NHRP_EXT_AUTH) {
		if (e->u.auth.type != NHRP_AUTH_CLEARTEXT)
			fprintf(out, " type %" PRIu32, e->u.auth.type);
		text_raw(&e->u.auth.data, out);
	} else if (e->type == NHRP_EXT_VENDOR) {
		fprintf(out, " oui 0x%06" PRIx32, e->u.vendor.oui);
		text_raw(&e->u.vendor.data, out);
	} else if (e->raw.len) {
		fprintf(out, " len %u", e->raw.len);
		text_raw(&e->raw, out);
	}
}

static void text_quote(const struct decode_quote *q, FILE *out)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	if (!q->ok) {
		fprintf(out, " packet [%zu bytes]", q->quoted);
		return;
	}
	fprintf(out, " packet [IPv%u %s > %s %s", q->version, decode_addr(&q->src, a, sizeof(a)),
	        decode_addr(&q->dst, b, sizeof(b)), ip_proto_name(q->proto));
	if (q->has_ports)
		fprintf(out, " %u > %u", q->sport, q->dport);
	if (q->has_icmp)
		fprintf(out, " type %u code %u", q->icmp_type, q->icmp_code);
	fprintf(out, ", %zu of %u bytes]", q->quoted, q->tot_len);
}

void decode_text_nhrp(const struct decode_pkt *pkt, FILE *out)
{
	const struct nhrp_packet *n = &pkt->nhrp;
	char a[ADDR_STRLEN], b[ADDR_STRLEN], nb[40];
	const struct flag_name *ft;
	size_t nf;
	int ew;

	fprintf(out, " NHRP %s", slug(nhrp_type_name(n->type), nb, sizeof(nb)));
	if (n->type == NHRP_ERROR_INDICATION) {
		fprintf(out, " code %u (%s) offset %u", n->error_code,
		        nhrp_error_code_name(n->error_code), n->error_offset);
	} else if (n->type == NHRP_TRAFFIC_INDICATION) {
		fprintf(out, " code %u (%s)", n->traffic_code,
		        nhrp_traffic_code_name(n->traffic_code));
	} else {
		fprintf(out, " id %" PRIu32, n->request_id);
	}
	fprintf(out, " hops %u", n->hop_count);
	ft = flag_table(n->type, &nf);
	if (n->flags) {
		const char *sep = " flags ";

		for (size_t i = 0; i < nf; i++) {
			if (n->flags & ft[i].bit) {
				fprintf(out, "%s%s", sep, ft[i].letter);
				sep = ",";
			}
		}
		if (!strcmp(sep, " flags "))
			fprintf(out, " flags 0x%04x", n->flags);
	}
	fprintf(out, " src %s/%s", decode_addr(&n->src_proto, a, sizeof(a)),
	        decode_addr(&n->src_nbma, b, sizeof(b)));
	fprintf(out, " dst %s", decode_addr(&n->dst_proto, a, sizeof(a)));
	if (type_has_cies(n->type)) {
		fprintf(out, " cies %u", n->cies.count);
		text_cies(&n->cies, out);
	} else if (n->type == NHRP_TRAFFIC_INDICATION) {
		text_quote(&pkt->quote, out);
	} else if (n->payload.len >= NHRP_FIXED_LEN) {
		/* Error Indication: the NHRP packet in error */
		fprintf(out, " in-error [%s, %u bytes]",
		        slug(nhrp_type_name(n->payload.p[17]), nb, sizeof(nb)), n->payload.len);
	}
	if (n->ext_end || n->n_ext) {
		fprintf(out, " ext [");
		for (unsigned i = 0; i < n->n_ext && i < NHRP_MAX_EXT; i++) {
			text_ext(&n->ext[i], out);
			fputc(' ', out);
		}
		ew = end_word(n, pkt->nhrp_buf);
		fprintf(out, "end%s]", ew >= 0 && (ew & NHRP_EXT_COMPULSORY) ? "(C)" : "");
	}
}

/* ---- JSON ---- */

static void jadd(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static struct json_object *jaddr(const struct ipaddr *a)
{
	char buf[ADDR_STRLEN];

	return a->len ? json_object_new_string(ipaddr_fmt(a, buf, sizeof(buf))) : NULL;
}

/* Raw bytes: "key" as text when printable, else "key_hex". */
static void jraw(struct json_object *o, const char *key, const struct nhrp_raw *r)
{
	char *buf;
	char k[32];
	bool text;

	if (!r->len)
		return;
	buf = malloc(2 * (size_t)r->len + 1);
	if (!buf)
		return;
	decode_bytes_fmt(r->p, r->len, buf, 2 * (size_t)r->len + 1, &text);
	snprintf(k, sizeof(k), text ? "%s" : "%s_hex", key);
	jadd(o, k, json_object_new_string(buf));
	free(buf);
}

static struct json_object *json_cie(const struct nhrp_cie *c)
{
	struct json_object *o = json_object_new_object();
	char nb[64];

	jadd(o, "code", json_object_new_int(c->code));
	jadd(o, "code_name",
	     json_object_new_string(slug(nhrp_cie_code_name(c->code), nb, sizeof(nb))));
	jadd(o, "prefix_len", json_object_new_int(c->prefix_len));
	jadd(o, "mtu", json_object_new_int(c->mtu));
	jadd(o, "holding_time", json_object_new_int(c->holding_time));
	jadd(o, "preference", json_object_new_int(c->preference));
	if (c->nbma.len)
		jadd(o, "nbma", jaddr(&c->nbma));
	if (c->proto.len)
		jadd(o, "proto", jaddr(&c->proto));
	jraw(o, "nbma_sub", &c->nbma_sub);
	return o;
}

static struct json_object *json_cies(const struct nhrp_cie_list *l)
{
	struct json_object *a = json_object_new_array();

	for (unsigned i = 0; i < l->count && i < NHRP_MAX_CIE; i++)
		json_object_array_add(a, json_cie(&l->e[i]));
	return a;
}

static struct json_object *json_ext(const struct nhrp_ext *e)
{
	struct json_object *o = json_object_new_object();
	char nb[16];

	jadd(o, "type", json_object_new_string(ext_short(e->type, nb, sizeof(nb))));
	jadd(o, "code", json_object_new_int(e->type));
	jadd(o, "compulsory", json_object_new_boolean(e->compulsory));
	jadd(o, "length", json_object_new_int(e->raw.len));
	if (ext_has_cies(e->type)) {
		jadd(o, "cies", json_cies(&e->u.cies));
	} else if (e->type == NHRP_EXT_AUTH) {
		jadd(o, "auth_type", json_object_new_int64(e->u.auth.type));
		jraw(o, "password", &e->u.auth.data);
	} else if (e->type == NHRP_EXT_VENDOR) {
		jadd(o, "oui", json_object_new_int64(e->u.vendor.oui));
		jraw(o, "data", &e->u.vendor.data);
	} else {
		jraw(o, "data", &e->raw);
	}
	return o;
}

static struct json_object *json_quote(const struct decode_quote *q)
{
	struct json_object *o = json_object_new_object();

	jadd(o, "quoted", json_object_new_int64((int64_t)q->quoted));
	if (!q->ok)
		return o;
	jadd(o, "version", json_object_new_int(q->version));
	jadd(o, "src", jaddr(&q->src));
	jadd(o, "dst", jaddr(&q->dst));
	jadd(o, "proto", json_object_new_int(q->proto));
	jadd(o, "length", json_object_new_int(q->tot_len));
	if (q->has_ports) {
		jadd(o, "sport", json_object_new_int(q->sport));
		jadd(o, "dport", json_object_new_int(q->dport));
	}
	if (q->has_icmp) {
		jadd(o, "icmp_type", json_object_new_int(q->icmp_type));
		jadd(o, "icmp_code", json_object_new_int(q->icmp_code));
	}
	return o;
}

struct json_object *decode_json_nhrp(const struct decode_pkt *pkt)
{
	const struct nhrp_packet *n = &pkt->nhrp;
	struct json_object *o = json_object_new_object(), *fl, *ex;
	const struct flag_name *ft;
	char nb[40];
	size_t nf;
	int ew;

	jadd(o, "type", json_object_new_string(slug(nhrp_type_name(n->type), nb, sizeof(nb))));
	jadd(o, "type_code", json_object_new_int(n->type));
	jadd(o, "afn", json_object_new_int(n->afn));
	jadd(o, "protocol_type", json_object_new_int(n->pro_type));
	jadd(o, "hop_count", json_object_new_int(n->hop_count));
	jadd(o, "length", json_object_new_int(n->pktsz));
	jadd(o, "checksum", json_object_new_int(n->checksum));
	jadd(o, "extoff", json_object_new_int(n->extoff));
	if (n->src_nbma.len)
		jadd(o, "src_nbma", jaddr(&n->src_nbma));
	jraw(o, "src_nbma_sub", &n->src_nbma_sub);
	if (n->src_proto.len)
		jadd(o, "src_proto", jaddr(&n->src_proto));
	if (n->dst_proto.len)
		jadd(o, "dst_proto", jaddr(&n->dst_proto));
	if (type_has_cies(n->type)) {
		jadd(o, "request_id", json_object_new_int64(n->request_id));
		jadd(o, "flags", json_object_new_int(n->flags));
		fl = json_object_new_array();
		ft = flag_table(n->type, &nf);
		for (size_t i = 0; i < nf; i++)
			if (n->flags & ft[i].bit)
				json_object_array_add(fl, json_object_new_string(ft[i].name));
		jadd(o, "flag_names", fl);
		jadd(o, "cies", json_cies(&n->cies));
	} else if (n->type == NHRP_ERROR_INDICATION) {
		jadd(o, "error_code", json_object_new_int(n->error_code));
		jadd(o, "error_name",
		     json_object_new_string(
		         slug(nhrp_error_code_name(n->error_code), nb, sizeof(nb))));
		jadd(o, "error_offset", json_object_new_int(n->error_offset));
		jadd(o, "payload_length", json_object_new_int(n->payload.len));
		if (n->payload.len >= NHRP_FIXED_LEN)
			jadd(o, "in_error_type", json_object_new_int(n->payload.p[17]));
	} else if (n->type == NHRP_TRAFFIC_INDICATION) {
		jadd(o, "traffic_code", json_object_new_int(n->traffic_code));
		jadd(o, "packet", json_quote(&pkt->quote));
	}
	if (n->ext_end || n->n_ext) {
		ex = json_object_new_array();
		for (unsigned i = 0; i < n->n_ext && i < NHRP_MAX_EXT; i++)
			json_object_array_add(ex, json_ext(&n->ext[i]));
		ew = end_word(n, pkt->nhrp_buf);
		if (ew >= 0) {
			struct json_object *e = json_object_new_object();

			jadd(e, "type", json_object_new_string("end"));
			jadd(e, "code", json_object_new_int(ew & NHRP_EXT_TYPE_MASK));
			jadd(e, "compulsory", json_object_new_boolean(ew & NHRP_EXT_COMPULSORY));
			jadd(e, "length", json_object_new_int(0));
			json_object_array_add(ex, e);
		}
		jadd(o, "extensions", ex);
	}
	return o;
}
