/* Internals of overlay/esp.c shared with its tests and fuzz target only
 * (never with the daemon): the lower halves of esp_encap/esp_decap, which
 * seal or open an ESP packet around an arbitrary payload and trailer,
 * without the GRE next header, inner header or selector logic. They let
 * the tests decrypt the vendored captures (tunnel mode carrying ICMP, not
 * GRE) and build packets whose ICV is right but whose padding is not.
 */
#ifndef DMVPN_OVERLAY_ESP_INT_H
#define DMVPN_OVERLAY_ESP_INT_H

#include "overlay/esp.h"

enum esp_new_flags {
	ESP_NEW_DEFAULT = 0,
	/* Accept a non-AEAD cipher with IKE_INTEG_NONE (RFC 4303
	 * confidentiality-only; icv_len 0). Tests only: tcpdump's 3DES
	 * captures come without their integrity key. */
	ESP_NEW_ALLOW_NO_INTEG = 1,
};

struct esp_sa *esp_sa_new_ex(const struct ike_child_info *c, bool inbound, double now,
                             enum esp_new_flags flags);

/* Outbound: pt[0..pt_len) is the plaintext including padding, pad length
 * and next header, already laid out by the caller (pt_len a multiple of the
 * cipher's alignment, else ESP_E_ALIGN). Header and IV are written before pt
 * (ESP_HDR_LEN + IV bytes), the ICV after it. Takes the next sequence
 * number; packets/bytes are counted by esp_encap, errors here. */
enum esp_err esp_sa_seal(struct esp_sa *sa, uint8_t *pt, size_t pt_len, uint8_t **out,
                         size_t *out_len, double now);

/* Inbound: everything esp_decap does up to and including the padding check
 * (length, SPI, anti-replay, ICV, window update, decryption, pad bytes), but
 * not the next header or inner header checks. On ESP_OK, *payload and *plen are
 * the payload without padding and *next_hdr its next header. Errors are
 * counted in the SA's stats; a success is not (esp_decap counts it). */
enum esp_err esp_sa_open(struct esp_sa *sa, uint8_t *esp, size_t len, uint8_t **payload,
                         size_t *plen, uint8_t *next_hdr, double now);

/* Tests: outbound, the next sequence number is seq + 1; inbound, the top of
 * the window is seq and the window is empty. */
void esp_sa_set_seq(struct esp_sa *sa, uint64_t seq);
/* Padding alignment (4 for GCM, the block size for CBC), IV and ICV sizes. */
size_t esp_sa_align(const struct esp_sa *sa);
size_t esp_sa_iv_len(const struct esp_sa *sa);
size_t esp_sa_icv_len(const struct esp_sa *sa);

#endif
