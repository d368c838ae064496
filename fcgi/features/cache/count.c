/* Counting what nginx answered from its cache: the worker reads nginx's hit log and hands the counts to the help center. */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "features/cache/extern.h"
#include "features/kb/kb.h"

/*
 * A page the help center renders counts its view or search as it goes
 * out, and says so in its X-Mpanel-Count header ("<tenant> <tag>"),
 * which nginx keeps with the cached copy.  Each time nginx serves that
 * copy instead (HIT, STALE, UPDATING), it writes the header's value as a
 * line of page_cache_count_log; the worker on the same host reads the
 * new lines every tick, adds equal lines up and hands each sum to
 * mp_kb_count_cached in a transaction of the tenant.  The position
 * reached is kept in <log>.pos, so a restarted worker neither loses nor
 * repeats lines; a rotated log (renamed, nginx reopened it on USR1) is
 * read to its end through the descriptor still open before the new
 * file is taken up.
 */

#define MAX_KEYS	512
#define TAG_MAX		600

struct hit {
	int64_t	 tenant;
	char	 tag[TAG_MAX];
	long	 n;
};

static struct hit	 hits[MAX_KEYS];
static int		 nhits;
static int		 fd = -1;
static ino_t		 fd_ino;
static off_t		 pos;		/* of fd: bytes consumed */
static char		 part[TAG_MAX + 64];	/* an unfinished last line */
static size_t		 partlen;

static void
add_line(const char *line)
{
	char	*end;
	int64_t	 t;
	int	 i;

	t = strtoll(line, &end, 10);
	if (t <= 0 || *end != ' ' || strlen(end + 1) >= TAG_MAX ||
	    end[1] == '\0')
		return;
	end++;
	for (i = 0; i < nhits; i++)
		if (hits[i].tenant == t && strcmp(hits[i].tag, end) == 0) {
			hits[i].n++;
			return;
		}
	if (nhits == MAX_KEYS)
		return;		/* flushed before the table fills: see read_new */
	hits[nhits].tenant = t;
	snprintf(hits[nhits].tag, TAG_MAX, "%s", end);
	hits[nhits].n = 1;
	nhits++;
}

/* Read fd to its end (at most 1 MB a tick), adding up whole lines. */
static void
read_new(void)
{
	char	 buf[65536];
	ssize_t	 n;
	size_t	 i, total = 0;

	while (nhits < MAX_KEYS - 64 && total < (1u << 20) &&
	    (n = pread(fd, buf, sizeof(buf), pos)) > 0) {
		total += (size_t)n;
		pos += n;
		for (i = 0; i < (size_t)n; i++) {
			if (buf[i] != '\n') {
				if (partlen < sizeof(part) - 1)
					part[partlen++] = buf[i];
				continue;
			}
			part[partlen] = '\0';
			add_line(part);
			partlen = 0;
		}
	}
}

static char *
pos_path(struct mp_arena *a, const char *log)
{
	return mp_printf(a, "%s.pos", log);
}

static void
save_pos(struct mp_arena *a, const char *log)
{
	char	*p = pos_path(a, log), *tmp = mp_printf(a, "%s.tmp", p);
	FILE	*f;

	if ((f = fopen(tmp, "w")) == NULL)
		return;
	fprintf(f, "%llu %lld\n", (unsigned long long)fd_ino,
	    (long long)(pos - (off_t)partlen));
	if (fclose(f) == 0)
		(void)rename(tmp, p);
}

static void
open_log(struct mp_arena *a, const char *log)
{
	struct stat		 st;
	unsigned long long	 ino;
	long long		 off;
	FILE			*f;

	if ((fd = open(log, O_RDONLY | O_CLOEXEC)) == -1)
		return;
	if (fstat(fd, &st) == -1) {
		close(fd);
		fd = -1;
		return;
	}
	fd_ino = st.st_ino;
	pos = 0;
	partlen = 0;
	if ((f = fopen(pos_path(a, log), "r")) != NULL) {
		if (fscanf(f, "%llu %lld", &ino, &off) == 2 &&
		    ino == (unsigned long long)st.st_ino && off >= 0 &&
		    off <= st.st_size)
			pos = off;
		fclose(f);
	}
}

/* Write what was added up; 0 when all of it is in the database. */
static int
flush(const struct mp_config *cfg, struct mp_db *db, struct mp_arena *a)
{
	struct mp_tenant	 t;
	struct mp_ctx		 c;
	int			 i, j, failed = 0;

	for (i = 0; i < nhits; i++) {
		if (hits[i].n == 0)
			continue;
		memset(&c, 0, sizeof(c));
		memset(&t, 0, sizeof(t));
		t.id = hits[i].tenant;
		t.id_text = mp_printf(a, "%" PRId64, t.id);
		c.a = a;
		c.db = db;
		c.cfg = cfg;
		c.tenant = &t;
		c.reqid = "page-cache-count";
		if (mp_tx_begin(&c) != MP_OK) {
			failed = 1;
			break;
		}
		/* One transaction per tenant, all its lines in it. */
		for (j = i; j < nhits; j++)
			if (hits[j].tenant == t.id && hits[j].n > 0 &&
			    mp_kb_count_cached(&c, hits[j].tag, hits[j].n) !=
			    MP_OK)
				break;
		if (j < nhits || mp_tx_commit(&c) != MP_OK) {
			mp_tx_rollback(&c);
			failed = 1;
			break;
		}
		for (j = i; j < nhits; j++)
			if (hits[j].tenant == t.id)
				hits[j].n = 0;
	}
	if (!failed)
		nhits = 0;
	return failed ? -1 : 0;
}

void
mp_cache_count_tick(const struct mp_config *cfg, struct mp_db *db,
    struct mp_arena *a)
{
	const char	*log = mp_cache_conf(cfg)->page_cache_count_log;
	struct stat	 st;

	if (log[0] == '\0')
		return;
	/* Counts that could not be written yet go first. */
	if (nhits > 0 && flush(cfg, db, a) != 0)
		return;
	if (fd == -1)
		open_log(a, log);
	if (fd == -1)
		return;
	read_new();
	if (stat(log, &st) == 0 && st.st_ino != fd_ino &&
	    nhits < MAX_KEYS - 64) {
		/* Rotated: the old file's tail first, then the new one. */
		read_new();
		close(fd);
		fd = -1;
		partlen = 0;
		(void)unlink(pos_path(a, log));
		open_log(a, log);
	} else if (fstat(fd, &st) == 0 && st.st_size < pos) {
		pos = 0;	/* truncated */
		partlen = 0;
	}
	if (nhits > 0 && flush(cfg, db, a) != 0)
		return;
	if (fd != -1)
		save_pos(a, log);
}
