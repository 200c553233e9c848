/* Small helpers with no protocol knowledge. */
#ifndef DMVPN_UTIL_H
#define DMVPN_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* RFC 1071 Internet checksum over buf (odd lengths padded with zero). The
 * result is a host-order value: store it big-endian (put_be16/wr_patch_be16).
 * Verifying a block that contains its own checksum yields 0. */
uint16_t inet_csum(const void *buf, size_t len);
/* Incremental form: sum 16-bit words into acc, then fold with inet_csum_fold. */
uint32_t inet_csum_add(uint32_t acc, const void *buf, size_t len);
uint16_t inet_csum_fold(uint32_t acc);

/* Hex helpers: "0a1b" -> bytes (returns length or -1), bytes -> lowercase hex. */
long hex_decode(const char *hex, uint8_t *out, size_t cap);
void hex_encode(const uint8_t *in, size_t len, char *out /* 2*len+1 */);

/* Constant-time comparison; 0 when equal. */
int ct_memcmp(const void *a, const void *b, size_t len);
/* Zeroes memory in a way the compiler may not elide. */
void secure_zero(void *p, size_t len);

#endif
