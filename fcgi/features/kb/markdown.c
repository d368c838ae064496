/* Help center markdown: cmark-gfm in safe mode to stored HTML, plain text and section rows. */
#include <string.h>
#include <strings.h>

#include <cmark-gfm.h>
#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm-extension_api.h>

#include "features/kb/extern.h"

#define MAX_HEADINGS	512
#define MAX_TABLE_COLS	64	/* columns of one table */
#define MAX_TABLE_CELLS	50000	/* cells of all tables, padding included */
#define REL_EXTERNAL	"rel=\"nofollow ugc noopener\" "

static const char *const extensions[] = {
	"table", "strikethrough", "autolink", "tasklist"
};

/* Element ids the article page uses itself: headings never take them. */
static const char *const reserved_ids[] = {
	"main", "toc", "vote", "q", "search", "related", "article", "content",
	"start", "feedback", "breadcrumb"
};

struct walk {
	struct mp_arena		*a;
	struct mp_buf		 text;		/* the whole body as text */
	struct mp_buf		 sec;		/* the current section's text */
	struct mp_kb_section	*secs;
	size_t			 nsec, capsec;
	cmark_node		*hnode[MAX_HEADINGS];
	char			*hid[MAX_HEADINGS];
	size_t			 nh;
};

/*
 * 1 if a link or image destination may stay: http, https and mailto URLs
 * and relative references (no scheme before the first '/', '?' or '#').
 */
static int
url_allowed(const char *u)
{
	size_t	 i;

	if (strncasecmp(u, "http://", 7) == 0 ||
	    strncasecmp(u, "https://", 8) == 0 ||
	    strncasecmp(u, "mailto:", 7) == 0)
		return 1;
	for (i = 0; u[i] != '\0'; i++) {
		if (u[i] == '/' || u[i] == '?' || u[i] == '#')
			return 1;
		if (u[i] == ':')
			return 0;
		/* Control characters and spaces could hide a scheme. */
		if ((unsigned char)u[i] <= ' ')
			return 0;
	}
	return 1;
}

/* Append the text content of node's subtree to b (inline text only). */
static void
node_text(cmark_node *node, struct mp_buf *b)
{
	cmark_iter		*it = cmark_iter_new(node);
	cmark_event_type	 ev;
	cmark_node		*n;
	const char		*lit;

	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		if (ev != CMARK_EVENT_ENTER)
			continue;
		n = cmark_iter_get_node(it);
		switch (cmark_node_get_type(n)) {
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
			if ((lit = cmark_node_get_literal(n)) != NULL)
				mp_buf_puts(b, lit);
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			mp_buf_putc(b, ' ');
			break;
		default:
			break;
		}
	}
	cmark_iter_free(it);
}

static int
id_taken(struct walk *w, const char *id)
{
	size_t	 i;

	for (i = 0; i < sizeof(reserved_ids) / sizeof(reserved_ids[0]); i++)
		if (strcmp(reserved_ids[i], id) == 0)
			return 1;
	for (i = 0; i < w->nh; i++)
		if (strcmp(w->hid[i], id) == 0)
			return 1;
	return 0;
}

/* A unique id for a heading with text t: its slug, then slug-2, slug-3... */
static char *
heading_id(struct walk *w, const char *t)
{
	char	*base = mp_kb_slugify(w->a, t, 60), *id = base;
	int	 k = 2;

	if (strcmp(base, "article") == 0 && strcasecmp(t, "article") != 0)
		id = base = mp_strdup(w->a, "section");
	while (id_taken(w, id))
		id = mp_printf(w->a, "%s-%d", base, k++);
	return id;
}

/* Close the section being collected and start a new one. */
static void
section_start(struct walk *w, int level, const char *anchor,
    const char *heading)
{
	struct mp_kb_section	*s, *ns;

	if (w->nsec > 0) {
		s = &w->secs[w->nsec - 1];
		s->text = mp_strdup(w->a, mp_buf_cstr(&w->sec));
		mp_kb_clean_text(s->text);
	}
	mp_buf_reset(&w->sec);
	if (w->nsec == w->capsec) {
		w->capsec = w->capsec ? w->capsec * 2 : 16;
		ns = mp_calloc(w->a, w->capsec, sizeof(*ns));
		if (w->nsec > 0)
			memcpy(ns, w->secs, w->nsec * sizeof(*ns));
		w->secs = ns;
	}
	s = &w->secs[w->nsec++];
	s->level = level;
	s->anchor = mp_strdup(w->a, anchor);
	s->heading = mp_strdup(w->a, heading);
	mp_kb_clean_text(s->heading);
}

/*
 * 1 if the tables of md stay within MAX_TABLE_COLS and MAX_TABLE_CELLS.
 * The packaged cmark-gfm pads every row to the header's width while
 * parsing, so a wide header over many short lines costs columns x lines
 * (minutes for 256 KB); this scan bounds that before cmark sees it.  A
 * delimiter row is a line of '|', ':', '-' and blanks (after any
 * blockquote or indent) with at least one '|' and one '-'; its table runs
 * to the next blank line.
 */
static int
tables_ok(const char *md, size_t len)
{
	const char	*p = md, *end = md + len, *eol, *q;
	size_t		 cells = 0, cols, rows;
	int		 dash, pipe, other, run;

	while (p < end) {
		if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
			eol = end;
		q = p;
		while (q < eol && (*q == ' ' || *q == '\t' || *q == '>'))
			q++;
		dash = pipe = other = run = 0;
		cols = 0;
		for (; q < eol; q++) {
			if (*q == '-') {
				dash = 1;
				if (!run)
					cols++;
				run = 1;
				continue;
			}
			run = 0;
			if (*q == '|')
				pipe = 1;
			else if (*q != ':' && *q != ' ' && *q != '\t' &&
			    *q != '\r')
				other = 1;
		}
		p = eol < end ? eol + 1 : end;
		if (!dash || !pipe || other)
			continue;
		if (cols > MAX_TABLE_COLS)
			return 0;
		for (rows = 1; p < end; rows++) {
			if ((eol = memchr(p, '\n', (size_t)(end - p))) == NULL)
				eol = end;
			for (q = p; q < eol && (*q == ' ' || *q == '\t' ||
			    *q == '\r' || *q == '>'); q++)
				continue;
			if (q == eol)
				break;
			p = eol < end ? eol + 1 : end;
		}
		if ((cells += cols * rows) > MAX_TABLE_CELLS)
			return 0;
	}
	return 1;
}

/*
 * One pass over the tree: drop link and image destinations we do not
 * allow, give top-level headings ids (remembered for the HTML pass),
 * split the text into sections at H1-H3 and collect the plain text.
 */
static void
walk_tree(struct walk *w, cmark_node *doc)
{
	cmark_iter		*it = cmark_iter_new(doc);
	cmark_event_type	 ev;
	cmark_node		*n;
	cmark_node_type		 t;
	struct mp_buf		 hb;
	cmark_node		*inhead = NULL;
	const char		*lit, *u, *ts;
	int			 level;

	mp_buf_init(&hb, 0);
	while ((ev = cmark_iter_next(it)) != CMARK_EVENT_DONE) {
		n = cmark_iter_get_node(it);
		t = cmark_node_get_type(n);
		if (ev == CMARK_EVENT_EXIT) {
			/* A block ends: keep words of adjacent blocks apart. */
			ts = cmark_node_get_type_string(n);
			if (n == inhead)
				inhead = NULL;
			if (t == CMARK_NODE_PARAGRAPH || t == CMARK_NODE_ITEM ||
			    t == CMARK_NODE_HEADING ||
			    t == CMARK_NODE_BLOCK_QUOTE ||
			    strcmp(ts, "table_row") == 0 ||
			    strcmp(ts, "table_header") == 0) {
				mp_buf_putc(&w->text, '\n');
				if (t != CMARK_NODE_HEADING)
					mp_buf_putc(&w->sec, '\n');
			} else if (strcmp(ts, "table_cell") == 0) {
				mp_buf_puts(&w->text, " | ");
				mp_buf_puts(&w->sec, " | ");
			}
			continue;
		}
		switch (t) {
		case CMARK_NODE_LINK:
		case CMARK_NODE_IMAGE:
			u = cmark_node_get_url(n);
			if (u != NULL && !url_allowed(u))
				cmark_node_set_url(n, "");
			break;
		case CMARK_NODE_HEADING:
			if (cmark_node_parent(n) != doc || w->nh >= MAX_HEADINGS)
				break;
			mp_buf_reset(&hb);
			node_text(n, &hb);
			w->hnode[w->nh] = n;
			w->hid[w->nh] = heading_id(w, mp_buf_cstr(&hb));
			w->nh++;
			level = cmark_node_get_heading_level(n);
			if (level <= 3) {
				section_start(w, level < 2 ? 2 : level,
				    w->hid[w->nh - 1], mp_buf_cstr(&hb));
				/* Its words are the section's heading. */
				inhead = n;
			}
			break;
		case CMARK_NODE_TEXT:
		case CMARK_NODE_CODE:
		case CMARK_NODE_CODE_BLOCK:
			if ((lit = cmark_node_get_literal(n)) != NULL) {
				mp_buf_puts(&w->text, lit);
				if (inhead == NULL)
					mp_buf_puts(&w->sec, lit);
			}
			if (t == CMARK_NODE_CODE_BLOCK) {
				mp_buf_putc(&w->text, '\n');
				mp_buf_putc(&w->sec, '\n');
			}
			break;
		case CMARK_NODE_SOFTBREAK:
		case CMARK_NODE_LINEBREAK:
			mp_buf_putc(&w->text, ' ');
			mp_buf_putc(&w->sec, ' ');
			break;
		default:
			/* Raw HTML is omitted from the page: from the text too. */
			break;
		}
	}
	cmark_iter_free(it);
	mp_buf_free(&hb);
}

/*
 * Append html to b, adding rel="nofollow ugc noopener" to links that
 * leave the site.  Safe mode turns raw HTML into a comment and escapes
 * '<' in text, so every "<a href=" in cmark's output is a link cmark
 * made.
 */
static void
add_html(struct mp_buf *b, const char *html)
{
	const char	*p = html, *q;

	while ((q = strstr(p, "<a href=\"")) != NULL) {
		mp_buf_add(b, p, (size_t)(q - p));
		mp_buf_puts(b, "<a ");
		if (strncasecmp(q + 9, "http://", 7) == 0 ||
		    strncasecmp(q + 9, "https://", 8) == 0)
			mp_buf_puts(b, REL_EXTERNAL);
		mp_buf_puts(b, "href=\"");
		p = q + 9;
	}
	mp_buf_puts(b, p);
}

/*
 * Render markdown md[0..len) into r: sanitised HTML (cmark-gfm safe mode,
 * never CMARK_OPT_UNSAFE, with the table, strikethrough, autolink and
 * tasklist extensions), the plain text, and the sections (the lead,
 * titled with title, then one per H1-H3 heading).  Returns MP_ELIMIT for
 * a source over MP_KB_MD_MAX or tables past the limits of tables_ok(),
 * MP_EINPUT for invalid UTF-8 or NUL bytes.
 * Everything in r is arena memory; cmark's own memory is freed here.
 */
enum mp_err
mp_kb_render(struct mp_arena *a, const char *md, size_t len,
    const char *title, struct mp_kb_render *r)
{
	static int		 registered;
	const int		 opts = CMARK_OPT_DEFAULT |
	    CMARK_OPT_VALIDATE_UTF8 | CMARK_OPT_GITHUB_PRE_LANG;
	cmark_parser		*p;
	cmark_syntax_extension	*ext;
	cmark_llist		*exts;
	cmark_node		*doc, *n;
	struct walk		 w;
	struct mp_buf		 html;
	char			*s, *tag;
	size_t			 i;

	memset(r, 0, sizeof(*r));
	if (len > MP_KB_MD_MAX)
		return MP_ELIMIT;
	if (!mp_utf8_valid(md, len))
		return MP_EINPUT;
	if (!tables_ok(md, len))
		return MP_ELIMIT;
	if (!registered) {
		cmark_gfm_core_extensions_ensure_registered();
		registered = 1;
	}
	p = cmark_parser_new(opts);
	for (i = 0; i < sizeof(extensions) / sizeof(extensions[0]); i++)
		if ((ext = cmark_find_syntax_extension(extensions[i])) != NULL)
			cmark_parser_attach_syntax_extension(p, ext);
	cmark_parser_feed(p, md, len);
	doc = cmark_parser_finish(p);
	exts = cmark_parser_get_syntax_extensions(p);

	memset(&w, 0, sizeof(w));
	w.a = a;
	mp_buf_init(&w.text, 0);
	mp_buf_init(&w.sec, 0);
	section_start(&w, 1, "", title ? title : "");
	walk_tree(&w, doc);
	section_start(&w, 1, "", "");	/* closes the last section */
	w.nsec--;
	if (w.nsec > 1 && w.secs[0].text[strspn(w.secs[0].text, " \n\t")]
	    == '\0') {
		/* No lead before the first heading. */
		memmove(&w.secs[0], &w.secs[1], (w.nsec - 1) *
		    sizeof(w.secs[0]));
		w.nsec--;
	}

	/* Block by block, so top-level headings can carry their ids. */
	mp_buf_init(&html, 0);
	for (n = cmark_node_first_child(doc); n != NULL;
	    n = cmark_node_next(n)) {
		s = cmark_render_html(n, opts, exts);
		tag = NULL;
		for (i = 0; i < w.nh; i++)
			if (w.hnode[i] == n)
				tag = w.hid[i];
		if (tag != NULL && strncmp(s, "<h", 2) == 0 && s[2] != '\0') {
			mp_buf_add(&html, s, 3);
			mp_buf_printf(&html, " id=\"%s\"", tag);
			add_html(&html, s + 3);
		} else
			add_html(&html, s);
		cmark_get_default_mem_allocator()->free(s);
	}
	r->html = mp_strdup(a, mp_buf_cstr(&html));
	r->text = mp_strdup(a, mp_buf_cstr(&w.text));
	mp_kb_clean_text(r->text);
	r->sec = w.secs;
	r->nsec = w.nsec;
	mp_buf_free(&html);
	mp_buf_free(&w.text);
	mp_buf_free(&w.sec);
	cmark_node_free(doc);
	cmark_parser_free(p);
	return MP_OK;
}

/* The help center's rendering of md, for other features (kb.h). */
enum mp_err
mp_kb_markdown_html(struct mp_arena *a, const char *md, size_t len,
    char **html)
{
	struct mp_kb_render	 out;
	enum mp_err		 rc;

	*html = NULL;
	if ((rc = mp_kb_render(a, md, len, "", &out)) != MP_OK)
		return rc;
	*html = out.html;
	return MP_OK;
}
