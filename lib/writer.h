/* Bounded writer for building wire formats, with length back-patching.
 * Like the cursor, its error bit is sticky: a write past the capacity fails
 * the writer and every later write is a no-op; check wr_ok() once at the end.
 */
#ifndef DMVPN_WRITER_H
#define DMVPN_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct writer {
	uint8_t *buf;
	size_t len;
	size_t cap;
	bool err;
};

void wr_init(struct writer *w, void *buf, size_t cap);
static inline bool wr_ok(const struct writer *w) { return !w->err; }
static inline size_t wr_len(const struct writer *w) { return w->len; }
/* Reserves n bytes and returns a pointer to them (NULL on overflow). */
uint8_t *wr_reserve(struct writer *w, size_t n);
void wr_u8(struct writer *w, uint8_t v);
void wr_be16(struct writer *w, uint16_t v);
void wr_be24(struct writer *w, uint32_t v);
void wr_be32(struct writer *w, uint32_t v);
void wr_be64(struct writer *w, uint64_t v);
void wr_bytes(struct writer *w, const void *p, size_t n);
void wr_zero(struct writer *w, size_t n);
/* Back-patching: remember the offset of a length field, fill it in later. */
static inline size_t wr_mark(const struct writer *w) { return w->len; }
void wr_patch_be16(struct writer *w, size_t off, uint16_t v);
void wr_patch_be32(struct writer *w, size_t off, uint32_t v);
void wr_patch_u8(struct writer *w, size_t off, uint8_t v);

#endif
