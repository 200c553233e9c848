/* ZAPI: the protocol between zebra (FRRouting) and its clients, as far as
 * a route source needs it. Pure functions: bytes in, validated structs out
 * (and back); no sockets, no timers, no globals besides the constant tables.
 *
 * Header (big-endian): u16 length of the whole message, u8 marker 0xFE,
 * u8 version, u32 VRF id, u16 command. The version stays 6 from FRR 7.x to
 * 10.x, but command and route type numbers move between releases, so every
 * number this module puts on the wire comes from one table per FRR version
 * (struct zapi_dialect); today there is one, FRR 8.4.
 */
#ifndef DMVPN_ZAPI_H
#define DMVPN_ZAPI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"

#define ZAPI_HDR_LEN 10
#define ZAPI_MARKER 0xFE
#define ZAPI_VERSION 6
#define ZAPI_MAX_MSG 16384 /* ZEBRA_MAX_PACKET_SIZ */
#define ZAPI_MAX_NH 16
#define ZAPI_DISTANCE_NHRP 10

/* Commands we send or read, by meaning; the dialect maps them to numbers. */
enum zapi_cmd {
	ZAPI_CMD_ROUTE_ADD,
	ZAPI_CMD_ROUTE_DELETE,
	ZAPI_CMD_ROUTE_NOTIFY_OWNER,
	ZAPI_CMD_HELLO,
	ZAPI_CMD_CAPABILITIES,
	ZAPI_CMD_CLIENT_CAPABILITIES,
	ZAPI_CMD_MAX,
	ZAPI_CMD_UNKNOWN = ZAPI_CMD_MAX,
};

/* One FRR release's numbers. */
struct zapi_dialect {
	const char *name;            /* "8.4" */
	uint16_t cmd[ZAPI_CMD_MAX];  /* wire number of each command */
	uint8_t route_type_nhrp;     /* ZEBRA_ROUTE_NHRP */
	bool hello_has_notify;       /* HELLO carries the receive_notify byte */
};
extern const struct zapi_dialect zapi_frr_8_4;

/* Message bits, route flags, next hop types and flags (stable since 7.x). */
#define ZAPI_MESSAGE_NEXTHOP 0x01u
#define ZAPI_MESSAGE_DISTANCE 0x02u
#define ZAPI_NH_IPV4_IFINDEX 3
#define ZAPI_NH_IPV6_IFINDEX 5
#define ZAPI_NH_FLAG_ONLINK 0x01
#define ZAPI_SAFI_UNICAST 1
#define ZAPI_AF_INET 2
#define ZAPI_AF_INET6 10
/* CLIENT_CAPABILITIES cap values */
#define ZAPI_CAP_GR 1
#define ZAPI_CAP_ROUTE_UPDATE_COMPLETE 2
#define ZAPI_CAP_GR_DISABLE 4

/* ROUTE_NOTIFY_OWNER notes (enum zapi_route_notify_owner) */
enum zapi_note {
	ZAPI_NOTE_FAIL_INSTALL = 0,
	ZAPI_NOTE_BETTER_ADMIN_WON = 1,
	ZAPI_NOTE_INSTALLED = 2,
	ZAPI_NOTE_REMOVED = 3,
	ZAPI_NOTE_REMOVE_FAIL = 4,
	ZAPI_NOTE_MAX
};
extern const char *const zapi_note_names[ZAPI_NOTE_MAX]; /* "fail_install", ... */

struct zapi_hdr {
	uint16_t len; /* whole message, header included */
	uint8_t marker, version;
	uint32_t vrf;
	uint16_t command; /* wire number */
};

struct zapi_nh {
	struct ipaddr via; /* IPv4 or IPv6 gateway (same family as the prefix) */
	uint32_t ifindex;
	bool onlink;
};
struct zapi_route {
	struct prefix dst;
	uint8_t distance; /* 0: ZAPI_DISTANCE_NHRP */
	unsigned n_nh;    /* 0..ZAPI_MAX_NH; a delete needs none */
	struct zapi_nh nh[ZAPI_MAX_NH];
};

/* What zebra sends that we act on. */
struct zapi_notify {
	enum zapi_note note; /* ZAPI_NOTE_MAX when the value is unknown */
	uint32_t raw_note;
	struct prefix dst;
	uint32_t table;
	uint8_t afi, safi;
};
struct zapi_caps {
	uint32_t vrf_backend;
	bool mpls;
	uint32_t multipath;
};
struct zapi_msg {
	struct zapi_hdr hdr;
	enum zapi_cmd cmd; /* ZAPI_CMD_UNKNOWN: skipped by its length */
	union {
		struct zapi_notify notify;
		struct zapi_caps caps;
	};
};

/* Parses a header from the first ZAPI_HDR_LEN bytes. 0, or -1 when short,
 * the marker or version is wrong, or the length is below ZAPI_HDR_LEN or
 * above ZAPI_MAX_MSG. */
int zapi_hdr_parse(const uint8_t *buf, size_t len, struct zapi_hdr *h);

/* Stream splitter: the length of the complete message at the start of
 * buf[len], 0 when more bytes are needed, -1 when the stream is corrupt
 * (bad header: the connection must be dropped). */
long zapi_split(const uint8_t *buf, size_t len);

/* Parses one complete message buf[len] (exactly one header's length).
 * Messages we do not care about get cmd ZAPI_CMD_UNKNOWN and are not
 * inspected beyond the header. 0, or -1 when malformed. */
int zapi_msg_parse(const struct zapi_dialect *d, const uint8_t *buf, size_t len,
                   struct zapi_msg *m);

/* Builders: write one complete message into buf[cap], return its length or
 * -1 when it does not fit or the input is invalid. */
long zapi_hello_build(const struct zapi_dialect *d, uint8_t *buf, size_t cap, bool notify);
/* add: ROUTE_ADD (needs 1..ZAPI_MAX_NH next hops of the prefix's family,
 * sorted here as FRR sorts them), else ROUTE_DELETE (next hops ignored). */
long zapi_route_build(const struct zapi_dialect *d, uint8_t *buf, size_t cap, bool add,
                      const struct zapi_route *r);
/* CLIENT_CAPABILITIES: graceful restart with stale_time seconds. */
long zapi_cap_gr_build(const struct zapi_dialect *d, uint8_t *buf, size_t cap,
                       uint32_t stale_time);
/* CLIENT_CAPABILITIES: graceful restart off (zebra then drops our routes
 * when the connection closes). */
long zapi_cap_gr_disable_build(const struct zapi_dialect *d, uint8_t *buf, size_t cap);
/* CLIENT_CAPABILITIES: route update complete for (afi, safi unicast). */
long zapi_cap_complete_build(const struct zapi_dialect *d, uint8_t *buf, size_t cap,
                             uint32_t afi);
#define ZAPI_AFI_IP 1
#define ZAPI_AFI_IP6 2

const char *zapi_cmd_name(enum zapi_cmd c);

#endif
