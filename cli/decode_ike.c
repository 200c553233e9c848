/* decode: IKEv2 (and the ISAKMP v1 header) as text and JSON: exchange,
 * SPIs, message ID, flags and every outer payload with its key details
 * (SA transforms by name, KE group, ID, Notify type, SK/SKF fragments...).
 */
#include "cli/decode_priv.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"

#define HEX_MAX 64 /* bytes of opaque data shown in the text form */

/* ---- IKEv1 names (RFC 2408, 2409, 3947) ---- */

const char *ikev1_exchange_name(uint8_t exchange)
{
	switch (exchange) {
	case 1:
		return "base";
	case 2:
		return "main";
	case 3:
		return "auth-only";
	case 4:
		return "aggressive";
	case 5:
		return "informational";
	case 32:
		return "quick";
	case 33:
		return "new-group";
	default:
		return "unknown";
	}
}

const char *ikev1_payload_name(uint8_t type)
{
	static const char *const names[] = {
	    [1] = "SA",   [2] = "P",     [3] = "T",      [4] = "KE",      [5] = "ID", [6] = "CERT",
	    [7] = "CR",   [8] = "HASH",  [9] = "SIG",    [10] = "NONCE",  [11] = "N", [12] = "D",
	    [13] = "VID", [14] = "ATTR", [20] = "NAT-D", [21] = "NAT-OA",
	};

	if (type == 130)
		return "NAT-D";
	if (type == 131)
		return "NAT-OA";
	if (type < ARRAY_SIZE(names) && names[type])
		return names[type];
	return "unknown";
}

/* ---- shared ---- */

/* Opaque data for humans: printable text as is, else hex (capped). */
static void text_data(const uint8_t *p, size_t len, FILE *out)
{
	char buf[2 * HEX_MAX + 1];
	bool text;

	decode_bytes_fmt(p, len, buf, sizeof(buf), &text);
	if (text)
		fprintf(out, " \"%s\"%s", buf, len > sizeof(buf) - 1 ? "..." : "");
	else if (len)
		fprintf(out, " %s%s", buf, len > HEX_MAX ? "..." : "");
}

static void jadd(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static void jdata(struct json_object *o, const char *key, const uint8_t *p, size_t len)
{
	char k[32];
	char *buf;
	bool text;

	if (!len)
		return;
	buf = malloc(2 * len + 1);
	if (!buf)
		return;
	decode_bytes_fmt(p, len, buf, 2 * len + 1, &text);
	snprintf(k, sizeof(k), text ? "%s" : "%s_hex", key);
	jadd(o, k, json_object_new_string(buf));
	free(buf);
}

static struct json_object *jspi(uint64_t spi)
{
	char buf[17];

	snprintf(buf, sizeof(buf), "%016" PRIx64, spi);
	return json_object_new_string(buf);
}

static const char *id_fmt(const struct ike_id *id, char *buf, size_t len, bool *text)
{
	*text = true;
	if (id->addr.len)
		return ipaddr_fmt(&id->addr, buf, len);
	decode_bytes_fmt(id->data, id->len, buf, len, text);
	return buf;
}

static void ts_fmt(const struct ike_ts *t, char *buf, size_t len)
{
	char a[ADDR_STRLEN], b[ADDR_STRLEN];

	snprintf(buf, len, "%s-%s proto %u port %u-%u", decode_addr(&t->start, a, sizeof(a)),
	         decode_addr(&t->end, b, sizeof(b)), t->proto, t->sport, t->eport);
}

/* ---- one payload, text ---- */

static void text_sa(const struct ike_payload *p, FILE *out)
{
	struct ike_sa sa;
	int rc = ike_sa_parse(&sa, p);

	if (rc < 0) {
		fprintf(out, " malformed: %s", ike_strerror(rc));
		return;
	}
	for (unsigned i = 0; i < sa.nprop; i++) {
		const struct ike_proposal *pr = &sa.p[i];

		fprintf(out, " #%u %s", pr->num, ike_protocol_name(pr->protocol));
		if (pr->spi_size)
			fprintf(out, " spi %0*" PRIx64, pr->spi_size * 2, ike_proposal_spi(pr));
		fputc(':', out);
		for (unsigned j = 0; j < pr->ntrans; j++) {
			const struct ike_transform *t = &pr->t[j];

			fprintf(out, " %s", ike_transform_name(t->type, t->id));
			if (!strcmp(ike_transform_name(t->type, t->id), "UNKNOWN"))
				fprintf(out, "(%s %u)", ike_transform_type_name(t->type), t->id);
			if (t->has_keylen)
				fprintf(out, "/%u", t->keylen);
		}
	}
}

static void text_notify(const struct ike_payload *p, FILE *out)
{
	struct ike_notify n;
	int rc = ike_notify_parse(&n, p);

	if (rc < 0 && rc != IKE_ERR_NOTIFY_DATA) {
		fprintf(out, " malformed: %s", ike_strerror(rc));
		return;
	}
	fprintf(out, " %s", ike_notify_name(n.type));
	if (!strcmp(ike_notify_name(n.type), "UNKNOWN"))
		fprintf(out, "(%u)", n.type);
	if (n.protocol)
		fprintf(out, " %s", ike_protocol_name(n.protocol));
	if (n.spi_size == 4 || n.spi_size == 8) {
		uint64_t spi = 0;

		for (unsigned i = 0; i < n.spi_size; i++)
			spi = spi << 8 | n.spi[i];
		fprintf(out, " spi %0*" PRIx64, n.spi_size * 2, spi);
	}
	if (n.type == IKE_N_INVALID_KE_PAYLOAD && n.len == 2)
		fprintf(out, " group %u", ike_notify_ke_group(&n));
	else
		text_data(n.data, n.len, out);
	if (rc < 0)
		fprintf(out, " malformed: %s", ike_strerror(rc));
}

static void text_payload_detail(const struct ike_msg *m, const struct ike_payload *p, FILE *out)
{
	char buf[256];
	bool text;
	int rc = 0;

	switch (p->type) {
	case IKE_PL_SA:
		text_sa(p, out);
		return;
	case IKE_PL_KE: {
		struct ike_ke ke;

		rc = ike_ke_parse(&ke, p);
		if (rc == 0 || rc == IKE_ERR_KE_LENGTH)
			fprintf(out, " %s len %zu", ike_dh_name(ke.group), ke.len);
		if (rc == 0 && !strcmp(ike_dh_name(ke.group), "UNKNOWN"))
			fprintf(out, " group %u", ke.group);
		break;
	}
	case IKE_PL_IDI:
	case IKE_PL_IDR: {
		struct ike_id id;

		rc = ike_id_parse(&id, p);
		if (rc == 0)
			fprintf(out, " %s %s", ike_id_type_name(id.type),
			        id_fmt(&id, buf, sizeof(buf), &text));
		break;
	}
	case IKE_PL_CERT:
	case IKE_PL_CERTREQ: {
		struct ike_cert c;

		rc = p->type == IKE_PL_CERT ? ike_cert_parse(&c, p) : ike_certreq_parse(&c, p);
		if (rc == 0)
			fprintf(out, " %s len %zu", ike_cert_encoding_name(c.encoding), c.len);
		break;
	}
	case IKE_PL_AUTH: {
		struct ike_auth a;

		rc = ike_auth_parse(&a, p);
		if (rc == 0)
			fprintf(out, " %s len %zu", ike_auth_method_name(a.method), a.len);
		break;
	}
	case IKE_PL_NONCE:
		fprintf(out, " len %u", p->len);
		break;
	case IKE_PL_NOTIFY:
		text_notify(p, out);
		return;
	case IKE_PL_DELETE: {
		struct ike_delete d;

		rc = ike_delete_parse(&d, p);
		if (rc == 0) {
			fprintf(out, " %s", ike_protocol_name(d.protocol));
			for (unsigned i = 0; i < d.nspi; i++)
				fprintf(out, "%s%08" PRIx32, i ? "," : " spi ",
				        ike_delete_spi(&d, i));
		}
		break;
	}
	case IKE_PL_VENDOR:
		text_data(p->body, p->len, out);
		break;
	case IKE_PL_TSI:
	case IKE_PL_TSR: {
		struct ike_ts_list l;

		rc = ike_ts_parse(&l, p);
		for (unsigned i = 0; rc == 0 && i < l.n; i++) {
			ts_fmt(&l.ts[i], buf, sizeof(buf));
			fprintf(out, "%s%s", i ? ", " : " ", buf);
		}
		break;
	}
	case IKE_PL_SK:
		fprintf(out, " inner %s len %u", ike_payload_name(p->next), p->len);
		break;
	case IKE_PL_SKF: {
		struct ike_skf f;

		rc = ike_skf_parse(&f, p);
		if (rc == 0) {
			fprintf(out, " %u/%u", f.num, f.total);
			if (f.num == 1)
				fprintf(out, " inner %s", ike_payload_name(p->next));
			fprintf(out, " len %zu", f.len);
		}
		break;
	}
	case IKE_PL_CP: {
		struct ike_cp cp;

		rc = ike_cp_parse(&cp, p);
		if (rc == 0) {
			fprintf(out, " %s", ike_cfg_type_name(cp.type));
			for (unsigned i = 0; i < cp.n; i++)
				fprintf(out, "%s%s", i ? "," : " ",
				        ike_cfg_attr_name(cp.a[i].type));
		}
		break;
	}
	case IKE_PL_EAP: {
		struct ike_eap e;

		rc = ike_eap_parse(&e, p);
		if (rc == 0)
			fprintf(out, " code %u id %u type %u", e.code, e.id, e.type);
		break;
	}
	default:
		fprintf(out, " len %u", p->len);
		break;
	}
	(void)m;
	if (rc < 0)
		fprintf(out, " malformed: %s", ike_strerror(rc));
}

static void text_payloads(const struct decode_pkt *pkt, bool v1, FILE *out)
{
	const struct ike_msg *m = &pkt->ike;

	fputs(" [", out);
	for (unsigned i = 0; i < m->n && i < IKE_MSG_MAX_PAYLOADS; i++) {
		const struct ike_payload *p = &m->pl[i];

		if (i)
			fputs(", ", out);
		if (v1) {
			fprintf(out, "%s", ikev1_payload_name(p->type));
			if (!strcmp(ikev1_payload_name(p->type), "unknown"))
				fprintf(out, "(%u)", p->type);
			continue;
		}
		fprintf(out, "%s", ike_payload_name(p->type));
		if (!p->known)
			fprintf(out, "(%u) len %u", p->type, p->len);
		else
			text_payload_detail(m, p, out);
		if (p->critical)
			fputs(" critical", out);
	}
	fputc(']', out);
}

void decode_text_ike(const struct decode_pkt *pkt, FILE *out)
{
	const struct ike_hdr *h = &pkt->ike.hdr;

	if (pkt->app == DECODE_APP_IKEV1) {
		fprintf(out,
		        " ISAKMP v%u.%u %s(%u) ispi %016" PRIx64 " rspi %016" PRIx64
		        " msgid %" PRIu32 " len %" PRIu32,
		        h->version >> 4, h->version & 15, ikev1_exchange_name(h->exchange),
		        h->exchange, h->ispi, h->rspi, h->msgid, h->length);
		if (pkt->ikev1_encrypted)
			fputs(" encrypted", out);
		else
			text_payloads(pkt, true, out);
		return;
	}
	fprintf(out, " IKE %s", ike_exchange_name(h->exchange));
	if (!strcmp(ike_exchange_name(h->exchange), "UNKNOWN"))
		fprintf(out, "(%u)", h->exchange);
	fprintf(out, " ispi %016" PRIx64 " rspi %016" PRIx64 " msgid %" PRIu32 " %s %s", h->ispi,
	        h->rspi, h->msgid, ike_hdr_is_initiator(h) ? "initiator" : "responder",
	        ike_hdr_is_response(h) ? "response" : "request");
	if (h->flags & IKE_FLAG_V)
		fputs(" higher-version", out);
	fprintf(out, " len %" PRIu32, h->length);
	text_payloads(pkt, false, out);
}

/* ---- JSON ---- */

static void json_sa(struct json_object *o, const struct ike_payload *p)
{
	struct json_object *props = json_object_new_array();
	struct ike_sa sa;
	int rc = ike_sa_parse(&sa, p);

	if (rc < 0) {
		jadd(o, "error", json_object_new_string(ike_strerror(rc)));
		json_object_put(props);
		return;
	}
	for (unsigned i = 0; i < sa.nprop; i++) {
		const struct ike_proposal *pr = &sa.p[i];
		struct json_object *po = json_object_new_object();
		struct json_object *ts = json_object_new_array();

		jadd(po, "num", json_object_new_int(pr->num));
		jadd(po, "protocol", json_object_new_string(ike_protocol_name(pr->protocol)));
		if (pr->spi_size)
			jadd(po, "spi", jspi(ike_proposal_spi(pr)));
		for (unsigned j = 0; j < pr->ntrans; j++) {
			const struct ike_transform *t = &pr->t[j];
			struct json_object *to = json_object_new_object();

			jadd(to, "type", json_object_new_string(ike_transform_type_name(t->type)));
			jadd(to, "id", json_object_new_int(t->id));
			jadd(to, "name",
			     json_object_new_string(ike_transform_name(t->type, t->id)));
			if (t->has_keylen)
				jadd(to, "keylen", json_object_new_int(t->keylen));
			json_object_array_add(ts, to);
		}
		jadd(po, "transforms", ts);
		json_object_array_add(props, po);
	}
	jadd(o, "proposals", props);
}

static void json_notify(struct json_object *o, const struct ike_payload *p)
{
	struct ike_notify n;
	int rc = ike_notify_parse(&n, p);

	if (rc < 0 && rc != IKE_ERR_NOTIFY_DATA) {
		jadd(o, "error", json_object_new_string(ike_strerror(rc)));
		return;
	}
	jadd(o, "notify", json_object_new_string(ike_notify_name(n.type)));
	jadd(o, "notify_type", json_object_new_int(n.type));
	if (n.protocol)
		jadd(o, "protocol", json_object_new_string(ike_protocol_name(n.protocol)));
	if (n.spi_size)
		jdata(o, "spi", n.spi, n.spi_size);
	if (n.type == IKE_N_INVALID_KE_PAYLOAD && n.len == 2)
		jadd(o, "group", json_object_new_int(ike_notify_ke_group(&n)));
	jdata(o, "data", n.data, n.len);
	if (rc < 0)
		jadd(o, "error", json_object_new_string(ike_strerror(rc)));
}

static void json_payload_detail(struct json_object *o, const struct ike_payload *p)
{
	char buf[512];
	int rc = 0;

	switch (p->type) {
	case IKE_PL_SA:
		json_sa(o, p);
		return;
	case IKE_PL_NOTIFY:
		json_notify(o, p);
		return;
	case IKE_PL_KE: {
		struct ike_ke ke;

		rc = ike_ke_parse(&ke, p);
		if (rc == 0 || rc == IKE_ERR_KE_LENGTH) {
			jadd(o, "group", json_object_new_int(ke.group));
			jadd(o, "group_name", json_object_new_string(ike_dh_name(ke.group)));
			jadd(o, "data_length", json_object_new_int64((int64_t)ke.len));
		}
		break;
	}
	case IKE_PL_IDI:
	case IKE_PL_IDR: {
		struct ike_id id;
		bool text;

		rc = ike_id_parse(&id, p);
		if (rc == 0) {
			jadd(o, "id_type", json_object_new_string(ike_id_type_name(id.type)));
			id_fmt(&id, buf, sizeof(buf), &text);
			if (text)
				jadd(o, "id", json_object_new_string(buf));
			else
				jdata(o, "id", id.data, id.len);
		}
		break;
	}
	case IKE_PL_CERT:
	case IKE_PL_CERTREQ: {
		struct ike_cert c;

		rc = p->type == IKE_PL_CERT ? ike_cert_parse(&c, p) : ike_certreq_parse(&c, p);
		if (rc == 0)
			jadd(o, "encoding",
			     json_object_new_string(ike_cert_encoding_name(c.encoding)));
		break;
	}
	case IKE_PL_AUTH: {
		struct ike_auth a;

		rc = ike_auth_parse(&a, p);
		if (rc == 0)
			jadd(o, "method", json_object_new_string(ike_auth_method_name(a.method)));
		break;
	}
	case IKE_PL_DELETE: {
		struct ike_delete d;
		struct json_object *a;

		rc = ike_delete_parse(&d, p);
		if (rc == 0) {
			jadd(o, "protocol", json_object_new_string(ike_protocol_name(d.protocol)));
			a = json_object_new_array();
			for (unsigned i = 0; i < d.nspi; i++)
				json_object_array_add(a,
				                      json_object_new_int64(ike_delete_spi(&d, i)));
			jadd(o, "spis", a);
		}
		break;
	}
	case IKE_PL_VENDOR:
		jdata(o, "vendor_id", p->body, p->len);
		break;
	case IKE_PL_TSI:
	case IKE_PL_TSR: {
		struct ike_ts_list l;
		struct json_object *a;

		rc = ike_ts_parse(&l, p);
		if (rc == 0) {
			a = json_object_new_array();
			for (unsigned i = 0; i < l.n; i++) {
				ts_fmt(&l.ts[i], buf, sizeof(buf));
				json_object_array_add(a, json_object_new_string(buf));
			}
			jadd(o, "selectors", a);
		}
		break;
	}
	case IKE_PL_SK:
		jadd(o, "inner", json_object_new_string(ike_payload_name(p->next)));
		break;
	case IKE_PL_SKF: {
		struct ike_skf f;

		rc = ike_skf_parse(&f, p);
		if (rc == 0) {
			jadd(o, "fragment", json_object_new_int(f.num));
			jadd(o, "total", json_object_new_int(f.total));
			if (f.num == 1)
				jadd(o, "inner", json_object_new_string(ike_payload_name(p->next)));
		}
		break;
	}
	case IKE_PL_CP: {
		struct ike_cp cp;
		struct json_object *a;

		rc = ike_cp_parse(&cp, p);
		if (rc == 0) {
			jadd(o, "cfg_type", json_object_new_string(ike_cfg_type_name(cp.type)));
			a = json_object_new_array();
			for (unsigned i = 0; i < cp.n; i++)
				json_object_array_add(
				    a, json_object_new_string(ike_cfg_attr_name(cp.a[i].type)));
			jadd(o, "attributes", a);
		}
		break;
	}
	case IKE_PL_EAP: {
		struct ike_eap e;

		rc = ike_eap_parse(&e, p);
		if (rc == 0) {
			jadd(o, "eap_code", json_object_new_int(e.code));
			jadd(o, "eap_id", json_object_new_int(e.id));
			jadd(o, "eap_type", json_object_new_int(e.type));
		}
		break;
	}
	default:
		break;
	}
	if (rc < 0)
		jadd(o, "error", json_object_new_string(ike_strerror(rc)));
}

struct json_object *decode_json_ike(const struct decode_pkt *pkt)
{
	const struct ike_msg *m = &pkt->ike;
	const struct ike_hdr *h = &m->hdr;
	struct json_object *o = json_object_new_object(), *pl = json_object_new_array();
	bool v1 = pkt->app == DECODE_APP_IKEV1;
	char ver[8];

	snprintf(ver, sizeof(ver), "%u.%u", h->version >> 4, h->version & 15);
	jadd(o, "version", json_object_new_string(ver));
	jadd(o, "exchange",
	     json_object_new_string(v1 ? ikev1_exchange_name(h->exchange)
	                               : ike_exchange_name(h->exchange)));
	jadd(o, "exchange_type", json_object_new_int(h->exchange));
	jadd(o, "ispi", jspi(h->ispi));
	jadd(o, "rspi", jspi(h->rspi));
	jadd(o, "message_id", json_object_new_int64(h->msgid));
	jadd(o, "flags", json_object_new_int(h->flags));
	if (v1) {
		jadd(o, "encrypted", json_object_new_boolean(pkt->ikev1_encrypted));
	} else {
		jadd(o, "initiator", json_object_new_boolean(ike_hdr_is_initiator(h)));
		jadd(o, "response", json_object_new_boolean(ike_hdr_is_response(h)));
	}
	jadd(o, "length", json_object_new_int64(h->length));
	if (pkt->nonesp_marker)
		jadd(o, "non_esp_marker", json_object_new_boolean(true));
	for (unsigned i = 0; i < m->n && i < IKE_MSG_MAX_PAYLOADS; i++) {
		const struct ike_payload *p = &m->pl[i];
		struct json_object *po = json_object_new_object();

		jadd(po, "type",
		     json_object_new_string(v1 ? ikev1_payload_name(p->type)
		                               : ike_payload_name(p->type)));
		jadd(po, "code", json_object_new_int(p->type));
		jadd(po, "length", json_object_new_int(p->len + IKE_GENHDR_LEN));
		if (!v1) {
			jadd(po, "critical", json_object_new_boolean(p->critical));
			if (p->known)
				json_payload_detail(po, p);
		}
		json_object_array_add(pl, po);
	}
	jadd(o, "payloads", pl);
	return o;
}
