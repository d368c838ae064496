/* Uploaded brand images: the type from the content (PNG, JPEG, WebP, ICO) and the dimensions, never from the name. */
#include <string.h>

#include "features/brand/extern.h"

static unsigned
be16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static unsigned long
be32(const unsigned char *p)
{
	return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 |
	    (unsigned long)p[2] << 8 | p[3];
}

static unsigned
le16(const unsigned char *p)
{
	return (unsigned)p[1] << 8 | p[0];
}

static unsigned long
le24(const unsigned char *p)
{
	return (unsigned long)p[2] << 16 | (unsigned long)p[1] << 8 | p[0];
}

static int
png(const unsigned char *b, size_t n, struct mp_brand_img *im)
{
	if (n < 24 || memcmp(b, "\x89PNG\r\n\x1a\n", 8) != 0 ||
	    memcmp(b + 12, "IHDR", 4) != 0)
		return -1;
	im->w = be32(b + 16);
	im->h = be32(b + 20);
	return 0;
}

/* Walk the JPEG segments to the first frame header (SOFn). */
static int
jpeg(const unsigned char *b, size_t n, struct mp_brand_img *im)
{
	size_t	 i = 2;
	unsigned m, len;

	if (n < 4 || b[0] != 0xff || b[1] != 0xd8 || b[2] != 0xff)
		return -1;
	while (i + 4 <= n) {
		if (b[i] != 0xff)
			return -1;
		while (i < n && b[i] == 0xff)
			i++;
		if (i + 3 > n)
			return -1;
		m = b[i++];
		if (m == 0xd8 || m == 0x01 || (m >= 0xd0 && m <= 0xd7))
			continue;
		if (m == 0xd9 || m == 0xda)
			return -1;	/* no frame header before the data */
		len = be16(b + i);
		if (len < 2 || i + len > n)
			return -1;
		if (m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 &&
		    m != 0xcc) {
			if (len < 7)
				return -1;
			im->h = be16(b + i + 3);
			im->w = be16(b + i + 5);
			return 0;
		}
		i += len;
	}
	return -1;
}

static int
webp(const unsigned char *b, size_t n, struct mp_brand_img *im)
{
	if (n < 30 || memcmp(b, "RIFF", 4) != 0 ||
	    memcmp(b + 8, "WEBP", 4) != 0)
		return -1;
	if (memcmp(b + 12, "VP8 ", 4) == 0) {
		if (b[23] != 0x9d || b[24] != 0x01 || b[25] != 0x2a)
			return -1;
		im->w = le16(b + 26) & 0x3fff;
		im->h = le16(b + 28) & 0x3fff;
		return 0;
	}
	if (memcmp(b + 12, "VP8L", 4) == 0) {
		if (b[20] != 0x2f)
			return -1;
		im->w = 1 + (((unsigned long)(b[22] & 0x3f) << 8) | b[21]);
		im->h = 1 + (((unsigned long)(b[24] & 0x0f) << 10) |
		    ((unsigned long)b[23] << 2) | ((b[22] & 0xc0) >> 6));
		return 0;
	}
	if (memcmp(b + 12, "VP8X", 4) == 0) {
		im->w = 1 + le24(b + 24);
		im->h = 1 + le24(b + 27);
		return 0;
	}
	return -1;
}

/* The largest image of an icon directory. */
static int
ico(const unsigned char *b, size_t n, struct mp_brand_img *im)
{
	unsigned	 count, i, w, h;

	if (n < 22 || b[0] != 0 || b[1] != 0 || b[2] != 1 || b[3] != 0)
		return -1;
	count = le16(b + 4);
	if (count == 0 || count > 64 || n < 6 + 16 * (size_t)count)
		return -1;
	im->w = im->h = 0;
	for (i = 0; i < count; i++) {
		const unsigned char *e = b + 6 + 16 * i;
		unsigned long off = (unsigned long)e[12] |
		    (unsigned long)e[13] << 8 | (unsigned long)e[14] << 16 |
		    (unsigned long)e[15] << 24;
		unsigned long sz = (unsigned long)e[8] |
		    (unsigned long)e[9] << 8 | (unsigned long)e[10] << 16 |
		    (unsigned long)e[11] << 24;

		if (e[3] != 0 || sz == 0 || off > n || sz > n - off)
			return -1;
		w = e[0] ? e[0] : 256;
		h = e[1] ? e[1] : 256;
		if (w > im->w)
			im->w = w;
		if (h > im->h)
			im->h = h;
	}
	return 0;
}

/* Text that looks like markup: an SVG (or HTML) disguised by its name. */
static int
looks_svg(const unsigned char *b, size_t n)
{
	size_t	 i;

	for (i = 0; i < n && i < 512; i++) {
		if (b[i] != '<')
			continue;
		if (n - i >= 4 && (strncasecmp((const char *)b + i, "<svg",
		    4) == 0 || strncasecmp((const char *)b + i, "<?xm", 4) ==
		    0))
			return 1;
	}
	return 0;
}

/*
 * Identify an uploaded image by its first bytes and read its dimensions.
 * Returns 0 and fills im (type, extension, media type, width, height);
 * -1 with a sentence in *why when it is not a PNG, JPEG, WebP or ICO
 * whose header can be read.
 */
int
mp_brand_image(const void *data, size_t n, struct mp_brand_img *im,
    const char **why)
{
	const unsigned char	*b = data;

	memset(im, 0, sizeof(*im));
	if (png(b, n, im) == 0) {
		im->ext = "png";
		im->ctype = "image/png";
	} else if (jpeg(b, n, im) == 0) {
		im->ext = "jpg";
		im->ctype = "image/jpeg";
	} else if (webp(b, n, im) == 0) {
		im->ext = "webp";
		im->ctype = "image/webp";
	} else if (ico(b, n, im) == 0) {
		im->ext = "ico";
		im->ctype = "image/x-icon";
	} else {
		*why = looks_svg(b, n) ? "SVG images are not accepted: upload "
		    "a PNG, JPEG, WebP or ICO file." : "The file is not a PNG, "
		    "JPEG, WebP or ICO image.";
		return -1;
	}
	if (im->w == 0 || im->h == 0) {
		*why = "The image has no width or height.";
		return -1;
	}
	return 0;
}
