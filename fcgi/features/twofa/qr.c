/* QR codes (ISO/IEC 18004) in byte mode at error correction level M, drawn as SVG: the setup page's picture of the otpauth:// URI. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/twofa/extern.h"

/*
 * Level M, versions 1..15: error correction codewords per block, then the
 * blocks of the first group and their data codewords; the second group
 * has blocks2 blocks of one more data codeword each.
 */
static const struct qr_version {
	int	 ecc;		/* per block */
	int	 blocks1;
	int	 data1;
	int	 blocks2;
} versions[MP_QR_MAXVER + 1] = {
	{ 0, 0, 0, 0 },
	{ 10, 1, 16, 0 },	/* 1 */
	{ 16, 1, 28, 0 },
	{ 26, 1, 44, 0 },
	{ 18, 2, 32, 0 },
	{ 24, 2, 43, 0 },	/* 5 */
	{ 16, 4, 27, 0 },
	{ 18, 4, 31, 0 },
	{ 22, 2, 38, 2 },
	{ 22, 3, 36, 2 },
	{ 26, 4, 43, 1 },	/* 10 */
	{ 30, 1, 50, 4 },
	{ 22, 6, 36, 2 },
	{ 22, 8, 37, 1 },
	{ 24, 4, 40, 5 },
	{ 24, 5, 41, 5 },	/* 15 */
};

/* Centres of the alignment patterns in each direction (0 ends a list). */
static const unsigned char align[MP_QR_MAXVER + 1][5] = {
	{ 0 }, { 0 },
	{ 6, 18 }, { 6, 22 }, { 6, 26 }, { 6, 30 }, { 6, 34 },
	{ 6, 22, 38 }, { 6, 24, 42 }, { 6, 26, 46 }, { 6, 28, 50 },
	{ 6, 30, 54 }, { 6, 32, 58 }, { 6, 34, 62 },
	{ 6, 26, 46, 66 }, { 6, 26, 48, 70 },
};

#define MAXCW	(655)		/* codewords of version 15 */
#define MAXECC	30

static int
data_codewords(int v)
{
	const struct qr_version	*q = &versions[v];

	return q->blocks1 * q->data1 + q->blocks2 * (q->data1 + 1);
}

/* ---------------------------------------------------- Reed-Solomon */

/* Product in GF(2^8) modulo x^8 + x^4 + x^3 + x^2 + 1. */
static unsigned char
gf_mul(unsigned char a, unsigned char b)
{
	unsigned	 r = 0;
	int		 i;

	for (i = 7; i >= 0; i--) {
		r = (r << 1) ^ ((r >> 7) * 0x11d);
		if ((b >> i) & 1)
			r ^= a;
	}
	return (unsigned char)r;
}

/* The generator polynomial of degree n, leading 1 left out, highest first. */
static void
rs_generator(int n, unsigned char *g)
{
	unsigned char	 root = 1;
	int		 i, j;

	memset(g, 0, (size_t)n);
	g[n - 1] = 1;
	for (i = 0; i < n; i++) {
		for (j = 0; j < n; j++) {
			g[j] = gf_mul(g[j], root);
			if (j + 1 < n)
				g[j] ^= g[j + 1];
		}
		root = gf_mul(root, 2);
	}
}

/* The n error correction codewords of data[0..len). */
static void
rs_remainder(const unsigned char *data, int len, const unsigned char *g,
    int n, unsigned char *out)
{
	unsigned char	 f;
	int		 i, j;

	memset(out, 0, (size_t)n);
	for (i = 0; i < len; i++) {
		f = data[i] ^ out[0];
		memmove(out, out + 1, (size_t)n - 1);
		out[n - 1] = 0;
		for (j = 0; j < n; j++)
			out[j] ^= gf_mul(g[j], f);
	}
}

/* ------------------------------------------------------- the grid */

struct grid {
	int		 size;
	unsigned char	 dark[MP_QR_MAXSIZE][MP_QR_MAXSIZE];
	unsigned char	 fn[MP_QR_MAXSIZE][MP_QR_MAXSIZE];	/* function module */
};

static void
put(struct grid *g, int x, int y, int dark)
{
	g->dark[y][x] = (unsigned char)(dark != 0);
	g->fn[y][x] = 1;
}

/* A finder pattern centred on (cx, cy) with its light separator. */
static void
finder(struct grid *g, int cx, int cy)
{
	int	 dx, dy, x, y, d;

	for (dy = -4; dy <= 4; dy++)
		for (dx = -4; dx <= 4; dx++) {
			x = cx + dx;
			y = cy + dy;
			if (x < 0 || y < 0 || x >= g->size || y >= g->size)
				continue;
			d = abs(dx) > abs(dy) ? abs(dx) : abs(dy);
			put(g, x, y, d != 2 && d != 4);
		}
}

static void
alignment(struct grid *g, int cx, int cy)
{
	int	 dx, dy, d;

	for (dy = -2; dy <= 2; dy++)
		for (dx = -2; dx <= 2; dx++) {
			d = abs(dx) > abs(dy) ? abs(dx) : abs(dy);
			put(g, cx + dx, cy + dy, d != 1);
		}
}

unsigned
mp_qr_format_bits(int mask)
{
	/* Level M is 00, so the five data bits are the mask alone. */
	unsigned	 data = (unsigned)mask & 7, rem = data;
	int		 i;

	for (i = 0; i < 10; i++)
		rem = (rem << 1) ^ ((rem >> 9) * 0x537);
	return ((data << 10) | (rem & 0x3ff)) ^ 0x5412;
}

/* Both copies of the format bits; bit 14 is the most significant. */
static void
format_bits(struct grid *g, int mask)
{
	unsigned	 b = mp_qr_format_bits(mask);
	int		 i, n = g->size;

	for (i = 0; i <= 5; i++)
		put(g, 8, i, (b >> i) & 1);
	put(g, 8, 7, (b >> 6) & 1);
	put(g, 8, 8, (b >> 7) & 1);
	put(g, 7, 8, (b >> 8) & 1);
	for (i = 9; i < 15; i++)
		put(g, 14 - i, 8, (b >> i) & 1);
	for (i = 0; i < 8; i++)
		put(g, n - 1 - i, 8, (b >> i) & 1);
	for (i = 8; i < 15; i++)
		put(g, 8, n - 15 + i, (b >> i) & 1);
	put(g, 8, n - 8, 1);		/* the dark module */
}

/* Versions 7 and up carry their number, BCH(18,6), in two places. */
static void
version_bits(struct grid *g, int v)
{
	unsigned	 rem = (unsigned)v, b;
	int		 i, a, c;

	if (v < 7)
		return;
	for (i = 0; i < 12; i++)
		rem = (rem << 1) ^ ((rem >> 11) * 0x1f25);
	b = ((unsigned)v << 12) | (rem & 0xfff);
	for (i = 0; i < 18; i++) {
		a = g->size - 11 + i % 3;
		c = i / 3;
		put(g, a, c, (b >> i) & 1);
		put(g, c, a, (b >> i) & 1);
	}
}

static void
function_patterns(struct grid *g, int v)
{
	int	 i, j, n = 0, last;

	for (i = 0; i < g->size; i++) {
		put(g, 6, i, i % 2 == 0);
		put(g, i, 6, i % 2 == 0);
	}
	finder(g, 3, 3);
	finder(g, g->size - 4, 3);
	finder(g, 3, g->size - 4);
	while (n < 5 && align[v][n] != 0)
		n++;
	last = n - 1;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			if ((i == 0 && j == 0) || (i == 0 && j == last) ||
			    (i == last && j == 0))
				continue;
			alignment(g, align[v][i], align[v][j]);
		}
	format_bits(g, 0);	/* reserves the area; redrawn per mask */
	version_bits(g, v);
}

/* Codewords into the grid in the two-column zigzag, bottom right first. */
static void
place(struct grid *g, const unsigned char *cw, int ncw)
{
	int	 right, vert, j, x, y, up, i = 0;

	for (right = g->size - 1; right >= 1; right -= 2) {
		if (right == 6)
			right = 5;
		up = ((right + 1) & 2) == 0;
		for (vert = 0; vert < g->size; vert++)
			for (j = 0; j < 2; j++) {
				x = right - j;
				y = up ? g->size - 1 - vert : vert;
				if (g->fn[y][x])
					continue;
				if (i < ncw * 8)
					g->dark[y][x] =
					    (cw[i >> 3] >> (7 - (i & 7))) & 1;
				i++;
			}
	}
}

static int
mask_bit(int m, int x, int y)
{
	switch (m) {
	case 0: return (x + y) % 2 == 0;
	case 1: return y % 2 == 0;
	case 2: return x % 3 == 0;
	case 3: return (x + y) % 3 == 0;
	case 4: return (x / 3 + y / 2) % 2 == 0;
	case 5: return x * y % 2 + x * y % 3 == 0;
	case 6: return (x * y % 2 + x * y % 3) % 2 == 0;
	default: return ((x + y) % 2 + x * y % 3) % 2 == 0;
	}
}

static void
apply_mask(struct grid *g, int m)
{
	int	 x, y;

	for (y = 0; y < g->size; y++)
		for (x = 0; x < g->size; x++)
			if (!g->fn[y][x] && mask_bit(m, x, y))
				g->dark[y][x] ^= 1;
}

static int
at(const struct grid *g, int x, int y, int horiz)
{
	return horiz ? g->dark[y][x] : g->dark[x][y];
}

/* The standard's four penalty rules; the lowest total picks the mask. */
static long
penalty(const struct grid *g)
{
	static const unsigned char pat[11] = { 1, 0, 1, 1, 1, 0, 1, 0, 0, 0, 0 };
	long	 p = 0;
	int	 n = g->size, h, i, j, k, run, dark = 0, fwd, back;

	for (h = 0; h < 2; h++)
		for (i = 0; i < n; i++) {
			run = 1;
			for (j = 1; j <= n; j++) {
				if (j < n && at(g, j, i, h) == at(g, j - 1, i, h)) {
					run++;
					continue;
				}
				if (run >= 5)
					p += 3 + (run - 5);
				run = 1;
			}
			for (j = 0; j + 11 <= n; j++) {
				fwd = back = 1;
				for (k = 0; k < 11; k++) {
					if (at(g, j + k, i, h) != pat[k])
						fwd = 0;
					if (at(g, j + k, i, h) != pat[10 - k])
						back = 0;
				}
				p += 40 * (fwd + back);
			}
		}
	for (i = 0; i + 1 < n; i++)
		for (j = 0; j + 1 < n; j++)
			if (g->dark[i][j] == g->dark[i][j + 1] &&
			    g->dark[i][j] == g->dark[i + 1][j] &&
			    g->dark[i][j] == g->dark[i + 1][j + 1])
				p += 3;
	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++)
			dark += g->dark[i][j];
	k = abs(dark * 20 - n * n * 10);
	p += 10L * (k / (n * n));
	return p;
}

/*
 * Byte mode segment, terminator and padding; blocks with their error
 * correction, interleaved; then the grid under each mask.
 */
enum mp_err
mp_qr_encode(const void *data, size_t len, int mask, struct mp_qr *out)
{
	struct grid		 base, g;
	unsigned char		 bits[MAXCW], cw[MAXCW], gen[MAXECC];
	unsigned char		 ecc[20][MAXECC];
	const unsigned char	*d = data;
	const struct qr_version	*q;
	int			 v, cap, nbits = 0, cci, i, j, b, nb, off, n;
	int			 best = 0, m, lo, hi;
	long			 pb = -1, pm;

	for (v = 1; v <= MP_QR_MAXVER; v++) {
		cci = v <= 9 ? 8 : 16;
		if (4 + cci + 8 * (long)len <= 8L * data_codewords(v))
			break;
	}
	if (v > MP_QR_MAXVER || mask > 7)
		return MP_ELIMIT;
	q = &versions[v];
	cap = data_codewords(v);
	memset(bits, 0, sizeof(bits));
#define PUSH(val, count) do {						\
	for (int _k = (count) - 1; _k >= 0; _k--, nbits++)		\
		if (((val) >> _k) & 1)					\
			bits[nbits >> 3] |= (unsigned char)(0x80 >> (nbits & 7)); \
} while (0)
	PUSH(4u, 4);
	PUSH((unsigned)len, cci);
	for (i = 0; i < (int)len; i++)
		PUSH(d[i], 8);
	n = cap * 8 - nbits;
	PUSH(0u, n < 4 ? n : 4);
	nbits = (nbits + 7) & ~7;
	for (i = nbits / 8, b = 0; i < cap; i++, b ^= 1)
		bits[i] = b ? 0x11 : 0xec;
#undef PUSH

	/* Blocks: each one's data then its error correction, interleaved. */
	nb = q->blocks1 + q->blocks2;
	rs_generator(q->ecc, gen);
	for (i = 0, off = 0; i < nb; i++) {
		n = q->data1 + (i >= q->blocks1);
		rs_remainder(bits + off, n, gen, q->ecc, ecc[i]);
		off += n;
	}
	n = 0;
	for (j = 0; j <= q->data1; j++)
		for (i = 0, off = 0; i < nb; i++) {
			b = q->data1 + (i >= q->blocks1);
			if (j < b)
				cw[n++] = bits[off + j];
			off += b;
		}
	for (j = 0; j < q->ecc; j++)
		for (i = 0; i < nb; i++)
			cw[n++] = ecc[i][j];

	memset(&base, 0, sizeof(base));
	base.size = 17 + 4 * v;
	function_patterns(&base, v);
	place(&base, cw, n);
	lo = mask < 0 ? 0 : mask;
	hi = mask < 0 ? 7 : mask;
	for (m = lo; m <= hi; m++) {
		g = base;
		apply_mask(&g, m);
		format_bits(&g, m);
		pm = penalty(&g);
		if (pb < 0 || pm < pb) {
			pb = pm;
			best = m;
		}
	}
	g = base;
	apply_mask(&g, best);
	format_bits(&g, best);
	memset(out, 0, sizeof(*out));
	out->version = v;
	out->size = g.size;
	out->mask = best;
	for (i = 0; i < g.size; i++)
		memcpy(out->dark[i], g.dark[i], (size_t)g.size);
	return MP_OK;
}

/*
 * One path of dark runs, row by row, in module units with a quiet zone
 * of four; the picture is pixels wide.
 */
char *
mp_qr_svg(struct mp_arena *a, const struct mp_qr *qr, int pixels)
{
	struct mp_buf	 b;
	char		*s;
	int		 x, y, run, side = qr->size + 8;

	mp_buf_init(&b, 0);
	mp_buf_printf(&b, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
	    "viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" "
	    "shape-rendering=\"crispEdges\"><rect width=\"%d\" height=\"%d\" "
	    "fill=\"#fff\"/><path fill=\"#000\" d=\"", side, side, pixels,
	    pixels, side, side);
	for (y = 0; y < qr->size; y++)
		for (x = 0; x < qr->size; x += run > 0 ? run : 1) {
			for (run = 0; x + run < qr->size &&
			    qr->dark[y][x + run]; run++)
				;
			if (run > 0)
				mp_buf_printf(&b, "M%d %dh%dv1h-%dz", x + 4,
				    y + 4, run, run);
		}
	mp_buf_puts(&b, "\"/></svg>");
	s = b.err ? NULL : mp_strndup(a, b.data, b.len);
	mp_buf_free(&b);
	if (s == NULL)
		mp_oom();
	return s;
}
