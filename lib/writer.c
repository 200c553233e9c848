#include "writer.h"

#include <string.h>

void wr_init(struct writer *w, void *buf, size_t cap)
{
	w->buf = buf;
	w->len = 0;
	w->cap = buf ? cap : 0;
	w->err = false;
}

uint8_t *wr_reserve(struct writer *w, size_t n)
{
	uint8_t *p;

	if (w->err || w->cap - w->len < n) {
		w->err = true;
		return NULL;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

void wr_u8(struct writer *w, uint8_t v)
{
	uint8_t *p = wr_reserve(w, 1);
	if (p)
		p[0] = v;
}

void wr_be16(struct writer *w, uint16_t v)
{
	uint8_t *p = wr_reserve(w, 2);
	if (p) {
		p[0] = v >> 8;
		p[1] = v;
	}
}

void wr_be24(struct writer *w, uint32_t v)
{
	uint8_t *p = wr_reserve(w, 3);
	if (p) {
		p[0] = v >> 16;
		p[1] = v >> 8;
		p[2] = v;
	}
}

void wr_be32(struct writer *w, uint32_t v)
{
	uint8_t *p = wr_reserve(w, 4);
	if (p) {
		p[0] = v >> 24;
		p[1] = v >> 16;
		p[2] = v >> 8;
		p[3] = v;
	}
}

void wr_be64(struct writer *w, uint64_t v)
{
	wr_be32(w, v >> 32);
	wr_be32(w, (uint32_t)v);
}

void wr_bytes(struct writer *w, const void *src, size_t n)
{
	uint8_t *p = wr_reserve(w, n);
	if (p && n)
		memcpy(p, src, n);
}

void wr_zero(struct writer *w, size_t n)
{
	uint8_t *p = wr_reserve(w, n);
	if (p && n)
		memset(p, 0, n);
}

void wr_patch_u8(struct writer *w, size_t off, uint8_t v)
{
	if (w->err || off + 1 > w->len) {
		w->err = true;
		return;
	}
	w->buf[off] = v;
}

void wr_patch_be16(struct writer *w, size_t off, uint16_t v)
{
	if (w->err || off + 2 > w->len) {
		w->err = true;
		return;
	}
	w->buf[off] = v >> 8;
	w->buf[off + 1] = v;
}

void wr_patch_be32(struct writer *w, size_t off, uint32_t v)
{
	if (w->err || off + 4 > w->len) {
		w->err = true;
		return;
	}
	w->buf[off] = v >> 24;
	w->buf[off + 1] = v >> 16;
	w->buf[off + 2] = v >> 8;
	w->buf[off + 3] = v;
}
