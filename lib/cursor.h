/* Bounds-checked read cursor for wire formats (after FRR's zbuf).
 *
 * A cursor has a sticky error bit: once a read runs past the end, every
 * later read returns zero/NULL and cur_ok() stays false, so a parser can do a
 * run of reads and check once. Every length field should become a
 * sub-cursor (cur_sub) so that inner parsing can never read its neighbour.
 */
#ifndef DMVPN_CURSOR_H
#define DMVPN_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

struct cursor {
	const uint8_t *start; /* for offsets in error messages */
	const uint8_t *p;
	const uint8_t *end;
	bool err;
};

void cur_init(struct cursor *c, const void *buf, size_t len);
static inline size_t cur_left(const struct cursor *c) { return c->err ? 0 : (size_t)(c->end - c->p); }
static inline bool cur_ok(const struct cursor *c) { return !c->err; }
static inline size_t cur_offset(const struct cursor *c) { return (size_t)(c->p - c->start); }
/* Marks the cursor failed (e.g. a semantic check) and returns false. */
static inline bool cur_fail(struct cursor *c) { c->err = true; return false; }

uint8_t cur_u8(struct cursor *c);
uint16_t cur_be16(struct cursor *c);
uint32_t cur_be24(struct cursor *c);
uint32_t cur_be32(struct cursor *c);
uint64_t cur_be64(struct cursor *c);
/* Returns a pointer to the next n bytes and advances, or NULL (sticky err). */
const uint8_t *cur_bytes(struct cursor *c, size_t n);
/* Copies n bytes to dst; false (and dst zeroed) when short. */
bool cur_copy(struct cursor *c, void *dst, size_t n);
bool cur_skip(struct cursor *c, size_t n);
/* Splits off the next n bytes as an independent cursor and advances past
 * them. When fewer than n bytes are left, both cursors are failed. */
struct cursor cur_sub(struct cursor *c, size_t n);
/* Peeks without consuming; false when fewer bytes are left. */
bool cur_peek(const struct cursor *c, void *dst, size_t n);

#endif
