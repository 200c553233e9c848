/* Userspace ESP (RFC 4303; AES-GCM per RFC 4106, AES-CBC + HMAC-SHA2 per
 * RFC 4868) and the SA database that holds it.
 *
 * An esp_sa is one direction of a CHILD SA as negotiated by ike/ (struct
 * ike_child_info). Outbound it protects one GRE packet (the overlay's only
 * traffic: selectors are protocol 47 between the two NBMA addresses);
 * inbound it checks, decrypts and hands the GRE packet back. The result of
 * esp_encap() is the ESP packet from the SPI on: the caller sends it on a raw
 * protocol-50 socket or on UDP 4500 (RFC 3948), the kernel adds IP/UDP.
 *
 * Transport mode: ESP payload = the GRE packet, next header 47.
 * Tunnel mode (strongSwan kernel-libipsec only does this): ESP payload =
 * inner IP header (local NBMA -> remote NBMA, protocol 47) + GRE, next
 * header 4 (IPv4) or 41 (IPv6). Inbound the inner header is checked against
 * the SA's selectors and stripped.
 *
 * Nothing is allocated per packet: esp_encap/esp_decap work in place in the
 * caller's buffer (ESP_HEADROOM bytes free before the GRE packet,
 * ESP_TAILROOM after it), with one EVP context per SA made at creation.
 * Anti-replay: a sliding window of ESP_REPLAY_WINDOW packets (RFC 4303
 * 3.4.3, window >= 1024), updated only after the ICV verified.
 * Lifetimes: time (the CHILD lifetime) and bytes/packets; esp_sa_expired()
 * says soft (rekey now) or hard (stop using it).
 */
#ifndef DMVPN_OVERLAY_ESP_H
#define DMVPN_OVERLAY_ESP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/addr.h"
#include "overlay/demux.h" /* ESP_HDR_LEN, esp_frame_parse */

struct ike_child_info;

#define ESP_IV_MAX         16
#define ESP_ICV_MAX        32
#define ESP_INNER_HDR_MAX  40 /* tunnel mode: an IPv6 header */
#define ESP_HEADROOM       (ESP_HDR_LEN + ESP_IV_MAX + ESP_INNER_HDR_MAX)
#define ESP_TAILROOM       (16 + 2 + ESP_ICV_MAX) /* padding, pad length, next header, ICV */
#define ESP_REPLAY_WINDOW  2048
#define ESP_NEXT_HDR_IPV4  4
#define ESP_NEXT_HDR_IPV6  41
#define ESP_NEXT_HDR_GRE   47

/* Why a packet was refused (counted per reason by the caller). */
#define ESP_ERRORS(X)                                                                            \
	X(SHORT, "too short for header, IV, padding and ICV")                                      \
	X(NO_SA, "no SA for this SPI")                                                             \
	X(REPLAY, "sequence number replayed or left of the window")                               \
	X(ICV, "integrity check failed")                                                          \
	X(ALIGN, "ciphertext not a multiple of the block size")                                   \
	X(PAD, "padding bytes not 1, 2, 3, ... (RFC 4303 2.4)")                                    \
	X(NEXT_HDR, "next header not GRE (transport) or IP (tunnel)")                              \
	X(INNER, "inner IP header bad or outside the selectors")                                   \
	X(EXPIRED, "SA past its hard lifetime")                                                    \
	X(SEQ_EXHAUSTED, "outbound sequence number would wrap")                                   \
	X(TOO_BIG, "result does not fit the buffer")                                               \
	X(CRYPTO, "OpenSSL error")

#define ESP_ERR_ENUM(n, s) ESP_E_##n,
enum esp_err { ESP_OK = 0, ESP_ERRORS(ESP_ERR_ENUM) ESP_E_MAX_ };
const char *esp_err_name(enum esp_err e);   /* "replay" */
const char *esp_strerror(enum esp_err e);   /* the sentence above */

struct esp_sa_stats {
	uint64_t packets, bytes; /* accepted (inbound) / sent (outbound) */
	uint64_t errors;         /* refused with any esp_err */
	uint64_t seq;            /* outbound: last sequence number used; inbound: highest seen */
	double created, last_used;
};

struct esp_sa; /* opaque */

/* One direction of the CHILD SA c (inbound: SPI c->spi_in, keys *_in;
 * outbound: c->spi_out, keys *_out). NULL when the suite is not supported
 * (logged). */
struct esp_sa *esp_sa_new(const struct ike_child_info *c, bool inbound, double now);
/* Frees the SA; keys are wiped (OPENSSL_cleanse). NULL is fine. */
void esp_sa_free(struct esp_sa *sa);

uint32_t esp_sa_spi(const struct esp_sa *sa);
uint32_t esp_sa_child_id(const struct esp_sa *sa);
bool esp_sa_inbound(const struct esp_sa *sa);
const struct ipaddr *esp_sa_remote(const struct esp_sa *sa); /* the peer's NBMA */
void esp_sa_get_stats(const struct esp_sa *sa, struct esp_sa_stats *st);

/* Outbound: protects gre[0..len). ESP_HEADROOM bytes before gre and
 * ESP_TAILROOM after gre+len must be writable. On ESP_OK, *out and *out_len are
 * the ESP packet (SPI .. ICV) inside that same buffer. */
enum esp_err esp_encap(struct esp_sa *sa, uint8_t *gre, size_t len, uint8_t **out,
                       size_t *out_len, double now);
/* Inbound: esp[0..len) from the SPI on (its SPI must be this SA's). Verifies
 * the ICV, anti-replay, padding, next header (and the inner header in tunnel
 * mode), decrypts in place; on ESP_OK *gre and *gre_len are the GRE packet. */
enum esp_err esp_decap(struct esp_sa *sa, uint8_t *esp, size_t len, uint8_t **gre,
                       size_t *gre_len, double now);

enum esp_expiry { ESP_LIVE = 0, ESP_SOFT, ESP_HARD };
/* Soft: 90 % of the time/byte/packet limit or the sequence space is used
 * (rekey now); hard: the limit itself (the SA must not be used). */
enum esp_expiry esp_sa_expired(const struct esp_sa *sa, double now);
/* Byte/packet limits (0: none); time comes from the CHILD lifetime. */
void esp_sa_set_limits(struct esp_sa *sa, uint64_t bytes, uint64_t packets);

/* ---- SAD (overlay/sad.c) ---- */
/* All ESP SAs of the daemon: inbound by SPI (hash), outbound by remote NBMA.
 * Make-before-break on rekey: the old pair keeps decrypting until its CHILD
 * is deleted, and keeps encrypting until the peer has been heard on the new
 * inbound SA (or the old CHILD is gone): the newest pair heard from wins,
 * else the newest. */
struct sad;

struct sad *sad_new(void);
void sad_free(struct sad *sad);
/* Installs both directions of c (see above for when its outbound SA takes
 * over). 0, or -1 (suite unsupported, SPI clash). */
int sad_add_child(struct sad *sad, const struct ike_child_info *c, double now);
/* Byte/packet limits (esp_sa_set_limits) on both directions of a CHILD. */
void sad_set_limits(struct sad *sad, uint32_t child_id, uint64_t bytes, uint64_t packets);
/* Removes both directions of CHILD c->id. */
void sad_del_child(struct sad *sad, uint32_t child_id);
struct esp_sa *sad_lookup_in(const struct sad *sad, uint32_t spi);
struct esp_sa *sad_lookup_out(const struct sad *sad, const struct ipaddr *remote);
/* Calls fn for each SA (show ipsec sa). */
void sad_walk(const struct sad *sad, void (*fn)(const struct esp_sa *sa, void *arg), void *arg);
/* Children whose SA passed its soft or hard lifetime: fn(child_id, hard)
 * once per child and level. */
void sad_expire(struct sad *sad, double now, void (*fn)(void *arg, uint32_t child_id, bool hard),
                void *arg);
size_t sad_count(const struct sad *sad);

#endif
