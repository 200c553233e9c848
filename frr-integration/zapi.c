/* ZAPI codec (see zapi.h). Field orders follow FRR 8.4's lib/zclient.c
 * (zapi_route_encode, zapi_nexthop_encode, zclient_send_hello,
 * zclient_capabilities_send) and zebra/zapi_msg.c (route_notify_internal,
 * zsend_capabilities); doc notes in ../shared/notes/frr-integration.md. */
#include <string.h>
#include <sys/socket.h>

#include "frr-integration/zapi.h"
#include "lib/cursor.h"
#include "lib/writer.h"

const struct zapi_dialect zapi_frr_8_4 = {
    .name = "8.4",
    .cmd =
        {
            [ZAPI_CMD_ROUTE_ADD] = 8,
            [ZAPI_CMD_ROUTE_DELETE] = 9,
            [ZAPI_CMD_ROUTE_NOTIFY_OWNER] = 10,
            [ZAPI_CMD_HELLO] = 18,
            [ZAPI_CMD_CAPABILITIES] = 19,
            [ZAPI_CMD_CLIENT_CAPABILITIES] = 119,
        },
    .route_type_nhrp = 12,
    .hello_has_notify = true,
};

const char *const zapi_note_names[ZAPI_NOTE_MAX] = {
    "fail_install", "better_admin_won", "installed", "removed", "remove_fail",
};

static const char *const cmd_names[ZAPI_CMD_MAX + 1] = {
    "ROUTE_ADD", "ROUTE_DELETE", "ROUTE_NOTIFY_OWNER", "HELLO",
    "CAPABILITIES", "CLIENT_CAPABILITIES", "UNKNOWN",
};

const char *zapi_cmd_name(enum zapi_cmd c)
{
	return (unsigned)c <= ZAPI_CMD_MAX ? cmd_names[c] : "?";
}

int zapi_hdr_parse(const uint8_t *buf, size_t len, struct zapi_hdr *h)
{
	struct cursor c;

	cur_init(&c, buf, len);
	h->len = cur_be16(&c);
	h->marker = cur_u8(&c);
	h->version = cur_u8(&c);
	h->vrf = cur_be32(&c);
	h->command = cur_be16(&c);
	if (!cur_ok(&c) || h->marker != ZAPI_MARKER || h->version != ZAPI_VERSION ||
	    h->len < ZAPI_HDR_LEN || h->len > ZAPI_MAX_MSG)
		return -1;
	return 0;
}

long zapi_split(const uint8_t *buf, size_t len)
{
	struct zapi_hdr h;

	if (len < ZAPI_HDR_LEN)
		return 0;
	if (zapi_hdr_parse(buf, len, &h) < 0)
		return -1;
	return h.len <= len ? (long)h.len : 0;
}

static enum zapi_cmd cmd_of(const struct zapi_dialect *d, uint16_t wire)
{
	for (int i = 0; i < ZAPI_CMD_MAX; i++)
		if (d->cmd[i] == wire)
			return (enum zapi_cmd)i;
	return ZAPI_CMD_UNKNOWN;
}

static size_t af_len(uint8_t family)
{
	return family == ZAPI_AF_INET ? 4 : family == ZAPI_AF_INET6 ? 16 : 0;
}

/* u32 note (zebra writes it in its own byte order: host order, and zebra
 * runs on this host), u8 family, u8 plen, full address, u32 table, u8 afi,
 * u8 safi. */
static int notify_parse(struct cursor *c, struct zapi_notify *n)
{
	uint8_t fam, plen;
	size_t alen;
	const uint8_t *a;

	if (!cur_copy(c, &n->raw_note, sizeof(n->raw_note)))
		return -1;
	n->note = n->raw_note < ZAPI_NOTE_MAX ? (enum zapi_note)n->raw_note : ZAPI_NOTE_MAX;
	fam = cur_u8(c);
	plen = cur_u8(c);
	alen = af_len(fam);
	if (!cur_ok(c) || !alen || plen > alen * 8)
		return -1;
	a = cur_bytes(c, alen);
	if (!a || ipaddr_from_bytes(&n->dst.addr, a, alen) < 0)
		return -1;
	n->dst.plen = plen;
	n->table = cur_be32(c);
	n->afi = cur_u8(c);
	n->safi = cur_u8(c);
	return cur_ok(c) ? 0 : -1;
}

/* u32 VRF backend, u8 MPLS, u32 multipath; later fields (MLAG role, ...)
 * vary by release and are ignored. */
static int caps_parse(struct cursor *c, struct zapi_caps *k)
{
	k->vrf_backend = cur_be32(c);
	k->mpls = cur_u8(c) != 0;
	k->multipath = cur_be32(c);
	return cur_ok(c) ? 0 : -1;
}

int zapi_msg_parse(const struct zapi_dialect *d, const uint8_t *buf, size_t len,
                   struct zapi_msg *m)
{
	struct cursor c;

	memset(m, 0, sizeof(*m));
	if (zapi_hdr_parse(buf, len, &m->hdr) < 0 || m->hdr.len != len)
		return -1;
	cur_init(&c, buf + ZAPI_HDR_LEN, len - ZAPI_HDR_LEN);
	m->cmd = cmd_of(d, m->hdr.command);
	switch (m->cmd) {
	case ZAPI_CMD_ROUTE_NOTIFY_OWNER:
		return notify_parse(&c, &m->notify);
	case ZAPI_CMD_CAPABILITIES:
		return caps_parse(&c, &m->caps);
	default:
		m->cmd = ZAPI_CMD_UNKNOWN; /* including what only we send */
		return 0;
	}
}

static void hdr_put(struct writer *w, const struct zapi_dialect *d, enum zapi_cmd cmd)
{
	wr_be16(w, 0); /* patched by finish() */
	wr_u8(w, ZAPI_MARKER);
	wr_u8(w, ZAPI_VERSION);
	wr_be32(w, 0); /* VRF_DEFAULT */
	wr_be16(w, d->cmd[cmd]);
}

static long finish(struct writer *w)
{
	if (!wr_ok(w) || wr_len(w) > ZAPI_MAX_MSG)
		return -1;
	wr_patch_be16(w, 0, (uint16_t)wr_len(w));
	return (long)wr_len(w);
}

long zapi_hello_build(const struct zapi_dialect *d, uint8_t *buf, size_t cap, bool notify)
{
	struct writer w;

	wr_init(&w, buf, cap);
	hdr_put(&w, d, ZAPI_CMD_HELLO);
	wr_u8(&w, d->route_type_nhrp);
	wr_be16(&w, 0); /* instance */
	wr_be32(&w, 0); /* session id */
	if (d->hello_has_notify)
		wr_u8(&w, notify ? 1 : 0);
	wr_u8(&w, 0); /* not synchronous */
	return finish(&w);
}

/* FRR's zapi_nexthop_cmp for our next hops: type, then the address bytes,
 * then ifindex (vrf and weight are the same for all of ours). */
static int nh_cmp(const struct zapi_nh *a, const struct zapi_nh *b)
{
	int r = memcmp(a->via.b, b->via.b, a->via.len);

	if (r)
		return r;
	return a->ifindex < b->ifindex ? -1 : a->ifindex > b->ifindex;
}

static void nh_sort(struct zapi_nh *v, unsigned n)
{
	for (unsigned i = 1; i < n; i++) { /* insertion sort: n <= 16, stable */
		struct zapi_nh x = v[i];
		unsigned j = i;
		while (j > 0 && nh_cmp(&v[j - 1], &x) > 0) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

long zapi_route_build(const struct zapi_dialect *d, uint8_t *buf, size_t cap, bool add,
                      const struct zapi_route *r)
{
	const struct ipaddr *a = &r->dst.addr;
	struct zapi_nh nh[ZAPI_MAX_NH];
	uint8_t fam = a->family == AF_INET ? ZAPI_AF_INET : ZAPI_AF_INET6;
	struct prefix p = r->dst;
	unsigned n = add ? r->n_nh : 0;
	struct writer w;

	if ((a->family != AF_INET && a->family != AF_INET6) || a->len != af_len(fam) ||
	    r->dst.plen > a->len * 8 || n > ZAPI_MAX_NH || (add && n == 0))
		return -1;
	for (unsigned i = 0; i < n; i++) {
		nh[i] = r->nh[i];
		if (nh[i].via.family != a->family || nh[i].via.len != a->len)
			return -1;
	}
	nh_sort(nh, n);
	prefix_normalize(&p);

	wr_init(&w, buf, cap);
	hdr_put(&w, d, add ? ZAPI_CMD_ROUTE_ADD : ZAPI_CMD_ROUTE_DELETE);
	wr_u8(&w, d->route_type_nhrp);
	wr_be16(&w, 0); /* instance */
	wr_be32(&w, 0); /* flags */
	wr_be32(&w, add ? ZAPI_MESSAGE_NEXTHOP | ZAPI_MESSAGE_DISTANCE : 0);
	wr_u8(&w, ZAPI_SAFI_UNICAST);
	wr_u8(&w, fam);
	wr_u8(&w, p.plen);
	wr_bytes(&w, p.addr.b, (p.plen + 7u) / 8u);
	if (add) {
		wr_be16(&w, (uint16_t)n);
		for (unsigned i = 0; i < n; i++) {
			wr_be32(&w, 0); /* vrf */
			wr_u8(&w, fam == ZAPI_AF_INET ? ZAPI_NH_IPV4_IFINDEX : ZAPI_NH_IPV6_IFINDEX);
			wr_u8(&w, nh[i].onlink ? ZAPI_NH_FLAG_ONLINK : 0);
			wr_bytes(&w, nh[i].via.b, nh[i].via.len);
			wr_be32(&w, nh[i].ifindex);
		}
		wr_u8(&w, r->distance ? r->distance : ZAPI_DISTANCE_NHRP);
	}
	return finish(&w);
}

static long cap_build(const struct zapi_dialect *d, uint8_t *buf, size_t cap, uint32_t what,
                      const uint32_t *args, unsigned nargs)
{
	struct writer w;

	wr_init(&w, buf, cap);
	hdr_put(&w, d, ZAPI_CMD_CLIENT_CAPABILITIES);
	wr_be32(&w, what);
	for (unsigned i = 0; i < nargs; i++)
		wr_be32(&w, args[i]);
	return finish(&w);
}

long zapi_cap_gr_build(const struct zapi_dialect *d, uint8_t *buf, size_t cap,
                       uint32_t stale_time)
{
	const uint32_t args[] = {stale_time, 0 /* vrf */};

	return cap_build(d, buf, cap, ZAPI_CAP_GR, args, 2);
}

long zapi_cap_gr_disable_build(const struct zapi_dialect *d, uint8_t *buf, size_t cap)
{
	const uint32_t args[] = {0 /* vrf */};

	return cap_build(d, buf, cap, ZAPI_CAP_GR_DISABLE, args, 1);
}

long zapi_cap_complete_build(const struct zapi_dialect *d, uint8_t *buf, size_t cap,
                             uint32_t afi)
{
	const uint32_t args[] = {afi, ZAPI_SAFI_UNICAST, 0 /* vrf */};

	return cap_build(d, buf, cap, ZAPI_CAP_ROUTE_UPDATE_COMPLETE, args, 3);
}
