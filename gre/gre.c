/* GRE codec: RFC 2784 base header, RFC 2890 key and sequence number, and
 * the Cisco MetaData shim (protocol 0x8909). See gre.h for receive rules. */
#include "gre/gre.h"

#include <string.h>

#include "lib/cursor.h"
#include "lib/util.h"
#include "lib/writer.h"

static const char *const gre_err_names[] = {
    [0] = "ok",
    [-GRE_E_TRUNCATED] = "truncated GRE header",
    [-GRE_E_VERSION] = "unsupported GRE version",
    [-GRE_E_PPTP] = "GRE version 1 (PPTP enhanced GRE)",
    [-GRE_E_ROUTING] = "GRE routing bit set (RFC 1701 source routing)",
    [-GRE_E_RESERVED] = "GRE reserved bits set",
    [-GRE_E_CHECKSUM] = "GRE checksum mismatch",
    [-GRE_E_CMD_TRUNCATED] = "truncated Cisco MetaData header",
    [-GRE_E_CMD_VERSION] = "unsupported Cisco MetaData version",
    [-GRE_E_NOSPACE] = "no space for GRE packet",
    [-GRE_E_INVAL] = "invalid GRE build argument",
    [-GRE_E_KA_NOT] = "not a GRE keepalive",
    [-GRE_E_KA_INNER_IP] = "keepalive inner IP header malformed",
    [-GRE_E_KA_INNER_GRE] = "keepalive inner GRE header malformed",
    [-GRE_E_KA_MIRROR] = "keepalive inner destination is not the sender",
};

const char *gre_strerror(int err)
{
	if (err > 0 || err <= GRE_E_MAX_)
		return "?";
	return gre_err_names[-err];
}

static const struct {
	uint16_t proto;
	const char *name;
} gre_proto_names[] = {
    {GRE_PROTO_KEEPALIVE, "keepalive"},
    {GRE_PROTO_IPV4, "IPv4"},
    {GRE_PROTO_IPV6, "IPv6"},
    {GRE_PROTO_NHRP, "NHRP"},
    {GRE_PROTO_CDP, "CDP"},
    {GRE_PROTO_TEB, "TEB"},
    {GRE_PROTO_PPP, "PPP"},
    {GRE_PROTO_MPLS, "MPLS"},
    {GRE_PROTO_CMD, "CiscoMetaData"},
};

const char *gre_proto_name(uint16_t proto)
{
	for (size_t i = 0; i < ARRAY_SIZE(gre_proto_names); i++)
		if (gre_proto_names[i].proto == proto)
			return gre_proto_names[i].name;
	return "unknown";
}

/* Rules in the order RFC 2784 2.3 states them; one check, one reason. */
int gre_parse(struct gre_hdr *g, const uint8_t *buf, size_t len)
{
	struct cursor c;

	memset(g, 0, sizeof(*g));
	if (!buf || len < GRE_HDR_MIN) /* and no cursor over NULL */
		return GRE_E_TRUNCATED;
	cur_init(&c, buf, len);
	g->flags = cur_be16(&c);
	g->protocol = cur_be16(&c);
	if (!cur_ok(&c))
		return GRE_E_TRUNCATED;
	g->version = g->flags & GRE_F_VERSION;
	if (g->version == 1)
		return GRE_E_PPTP;
	if (g->version != 0)
		return GRE_E_VERSION;
	if (g->flags & GRE_F_ROUTING)
		return GRE_E_ROUTING;
	if (g->flags & GRE_F_RESERVED)
		return GRE_E_RESERVED;
	g->csum_present = (g->flags & GRE_F_CSUM) != 0;
	g->key_present = (g->flags & GRE_F_KEY) != 0;
	g->seq_present = (g->flags & GRE_F_SEQ) != 0;
	if (g->csum_present) {
		g->checksum = cur_be16(&c);
		cur_be16(&c); /* reserved1: ignored on receipt */
	}
	if (g->key_present)
		g->key = cur_be32(&c);
	if (g->seq_present)
		g->seq = cur_be32(&c);
	if (!cur_ok(&c))
		return GRE_E_TRUNCATED;
	g->hdr_len = cur_offset(&c);
	g->payload = buf + g->hdr_len;
	g->payload_len = len - g->hdr_len;
	/* The checksum covers header and payload with the field included. */
	if (g->csum_present && inet_csum(buf, len) != 0)
		return GRE_E_CHECKSUM;
	return GRE_OK;
}

int gre_cmd_parse(struct gre_cmd *cmd, const uint8_t *buf, size_t len)
{
	struct cursor c;

	memset(cmd, 0, sizeof(*cmd));
	if (!buf || len < GRE_CMD_LEN)
		return GRE_E_CMD_TRUNCATED;
	cur_init(&c, buf, len);
	cmd->ethertype = cur_be16(&c);
	cmd->version = cur_u8(&c);
	cmd->length = cur_u8(&c);
	cmd->options = cur_be16(&c);
	cmd->sgt = cur_be16(&c);
	if (!cur_ok(&c))
		return GRE_E_CMD_TRUNCATED;
	if (cmd->version != 1)
		return GRE_E_CMD_VERSION;
	cmd->payload = buf + GRE_CMD_LEN;
	cmd->payload_len = len - GRE_CMD_LEN;
	return GRE_OK;
}

int gre_payload_unwrap(const struct gre_hdr *g, uint16_t *proto, const uint8_t **payload,
                       size_t *len, int32_t *sgt)
{
	struct gre_cmd cmd;
	int rc;

	*proto = g->protocol;
	*payload = g->payload;
	*len = g->payload_len;
	if (sgt)
		*sgt = -1;
	if (g->protocol != GRE_PROTO_CMD)
		return GRE_OK;
	rc = gre_cmd_parse(&cmd, g->payload, g->payload_len);
	if (rc < 0)
		return rc;
	*proto = cmd.ethertype;
	*payload = cmd.payload;
	*len = cmd.payload_len;
	if (sgt)
		*sgt = cmd.sgt;
	return GRE_OK;
}

size_t gre_hdr_len(const struct gre_hdr *t)
{
	return GRE_HDR_MIN + (t->csum_present ? 4 : 0) + (t->key_present ? 4 : 0) +
	       (t->seq_present ? 4 : 0);
}

int gre_build_hdr(struct writer *w, const struct gre_hdr *t)
{
	uint16_t flags = 0;

	if (t->csum_present)
		flags |= GRE_F_CSUM;
	if (t->key_present)
		flags |= GRE_F_KEY;
	if (t->seq_present)
		flags |= GRE_F_SEQ;
	wr_be16(w, flags);
	wr_be16(w, t->protocol);
	if (t->csum_present)
		wr_be32(w, 0); /* checksum + reserved1, checksum filled later */
	if (t->key_present)
		wr_be32(w, t->key);
	if (t->seq_present)
		wr_be32(w, t->seq);
	return wr_ok(w) ? GRE_OK : GRE_E_NOSPACE;
}

int gre_csum_fill(uint8_t *pkt, size_t len)
{
	uint16_t sum;

	if (len < GRE_HDR_MIN + 4)
		return GRE_E_TRUNCATED;
	if (!(pkt[0] & (GRE_F_CSUM >> 8)))
		return GRE_E_INVAL;
	pkt[4] = pkt[5] = 0;
	sum = inet_csum(pkt, len);
	pkt[4] = (uint8_t)(sum >> 8);
	pkt[5] = (uint8_t)sum;
	return GRE_OK;
}

int gre_build(struct writer *w, const struct gre_hdr *t, const void *payload, size_t len)
{
	size_t start = wr_len(w);
	int rc;

	if (len && !payload)
		return GRE_E_INVAL;
	rc = gre_build_hdr(w, t);
	if (rc < 0)
		return rc;
	if (len)
		wr_bytes(w, payload, len);
	if (!wr_ok(w))
		return GRE_E_NOSPACE;
	if (t->csum_present)
		return gre_csum_fill(w->buf + start, wr_len(w) - start);
	return GRE_OK;
}
