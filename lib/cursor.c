#include "cursor.h"

#include <string.h>

void cur_init(struct cursor *c, const void *buf, size_t len)
{
	c->start = c->p = buf;
	c->end = buf ? c->p + len : c->p; /* no arithmetic on NULL */
	c->err = false;
}

const uint8_t *cur_bytes(struct cursor *c, size_t n)
{
	const uint8_t *r;

	if (c->err || (size_t)(c->end - c->p) < n) {
		c->err = true;
		return NULL;
	}
	r = c->p;
	c->p += n;
	return r;
}

uint8_t cur_u8(struct cursor *c)
{
	const uint8_t *b = cur_bytes(c, 1);
	return b ? b[0] : 0;
}

uint16_t cur_be16(struct cursor *c)
{
	const uint8_t *b = cur_bytes(c, 2);
	return b ? (uint16_t)(b[0] << 8 | b[1]) : 0;
}

uint32_t cur_be24(struct cursor *c)
{
	const uint8_t *b = cur_bytes(c, 3);
	return b ? (uint32_t)b[0] << 16 | (uint32_t)b[1] << 8 | b[2] : 0;
}

uint32_t cur_be32(struct cursor *c)
{
	const uint8_t *b = cur_bytes(c, 4);
	return b ? (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3] : 0;
}

uint64_t cur_be64(struct cursor *c)
{
	uint64_t hi = cur_be32(c);
	uint64_t lo = cur_be32(c);
	return c->err ? 0 : hi << 32 | lo;
}

bool cur_copy(struct cursor *c, void *dst, size_t n)
{
	const uint8_t *b = cur_bytes(c, n);

	if (!b) {
		memset(dst, 0, n);
		return false;
	}
	memcpy(dst, b, n);
	return true;
}

bool cur_skip(struct cursor *c, size_t n)
{
	return cur_bytes(c, n) != NULL;
}

struct cursor cur_sub(struct cursor *c, size_t n)
{
	struct cursor s;
	const uint8_t *b = cur_bytes(c, n);

	s.start = c->start;
	s.p = b ? b : c->end;
	s.end = b ? b + n : c->end;
	s.err = b == NULL;
	return s;
}

bool cur_peek(const struct cursor *c, void *dst, size_t n)
{
	if (c->err || (size_t)(c->end - c->p) < n)
		return false;
	memcpy(dst, c->p, n);
	return true;
}
