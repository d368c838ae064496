/*
 * Event and access logs: an event line per write(2), access lines batched
 * where the process asks for it (mp_access_batch); reopened on USR1.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/extern.h"

#define LOG_LINEMAX	4096

static const char *const levels[] = {
	[MP_LOG_DEBUG] = "debug",
	[MP_LOG_INFO] = "info",
	[MP_LOG_WARN] = "warn",
	[MP_LOG_ERROR] = "error",
};

_Static_assert(sizeof(levels) / sizeof(levels[0]) == MP_LOG__MAX,
    "levels[] must have one entry per enum mp_loglevel");

/* Process-wide state; paths are kept so that mp_log_reopen() can reopen. */
static struct {
	char			 prog[64];
	char			 file[1024];	/* "": stderr */
	char			 access[1024];	/* "": off, "-": stderr */
	int			 logfd;
	int			 accfd;		/* -1: off */
	enum mp_loglevel	 level;
	char			 reqid[128];
} lg = { "mpanel", "", "", STDERR_FILENO, -1, MP_LOG_INFO, "" };

/*
 * Access lines in batches, for a process that says when it has nothing to
 * do (mp_access_batch; the pool's responders): a line waits here until
 * the process is about to wait for work (mp_log_flush), until the next
 * would not fit, or, when requests keep coming, for a second at most,
 * and the lines go out in one write(2).  len counts whole lines only, so
 * a signal handler may flush (write is async-signal-safe) without ever
 * writing half a line.
 */
static struct {
	char			 buf[16384];
	volatile sig_atomic_t	 len;
	uint64_t		 since;	/* monotonic ms of the oldest line */
	int			 on;
} acc;

/*
 * The process id for the prefix, asked once per process: glibc no longer
 * caches getpid(), and a responder logs at least one line a request.  A
 * fork() clears it in the child (pthread_atfork; fork() runs the handlers
 * whether or not the program has threads).
 */
static pid_t	 logpid;

static void
forget_pid(void)
{

	logpid = 0;
}

static long
log_pid(void)
{
	static int	 hooked;

	if (logpid == 0) {
		if (!hooked && pthread_atfork(NULL, NULL, forget_pid) == 0)
			hooked = 1;
		if (!hooked)
			return (long)getpid();
		logpid = getpid();
	}
	return (long)logpid;
}

/* Open path for appending, or -1 (the caller falls back to stderr). */
static int
open_append(const char *path)
{

	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

/* Write a whole line with one write(2), retried only on EINTR. */
static void
put_line(int fd, const char *line, size_t len)
{
	ssize_t	 n;

	do
		n = write(fd, line, len);
	while (n == -1 && errno == EINTR);
}

/*
 * Start "2026-11-21T10:00:00.123Z " plus optional level and the fixed
 * tags into line; returns its length.
 */
static size_t
prefix(char *line, size_t sz, const char *level)
{
	struct timespec	 ts;
	struct tm	 tm;
	char		 date[32];
	int		 n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	n = snprintf(line, sz, "%s.%03ldZ %s%s%sprog=%s pid=%ld req=%s ",
	    date, ts.tv_nsec / 1000000, level ? "level=" : "",
	    level ? level : "", level ? " " : "", lg.prog, log_pid(),
	    lg.reqid[0] ? lg.reqid : "-");
	return n < 0 ? 0 : (size_t)n >= sz ? sz - 1 : (size_t)n;
}

/*
 * Append the formatted message to line[off..], escaping control bytes so
 * that a request cannot forge log lines, cut at LOG_LINEMAX, and end it
 * with a newline.  Returns the total length.
 */
static size_t	body(char *, size_t, const char *, va_list)
		    __attribute__((format(printf, 3, 0)));

static size_t
body(char *line, size_t off, const char *fmt, va_list ap)
{
	char	 msg[LOG_LINEMAX];
	char	*p;
	size_t	 end = LOG_LINEMAX - 1;	/* room for the newline */

	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	for (p = msg; *p != '\0' && off < end; p++) {
		unsigned char c = (unsigned char)*p;

		if (c < 0x20 || c == 0x7f) {
			if (end - off < 4)
				break;
			snprintf(line + off, 5, "\\x%02x", c);
			off += 4;
		} else
			line[off++] = (char)c;
	}
	line[off++] = '\n';
	return off;
}

static enum mp_loglevel
parse_level(const char *level)
{
	int	 i;

	for (i = 0; level != NULL && i < MP_LOG__MAX; i++)
		if (strcmp(level, levels[i]) == 0)
			return (enum mp_loglevel)i;
	return MP_LOG_INFO;
}

/*
 * Choose the program tag, the event log (NULL, "" or "-": stderr), the
 * access log (NULL or "": off, "-": stderr) and the minimum level (an
 * unknown name means info).  A file that cannot be opened is reported on
 * stderr and stderr is used instead.
 */
void
mp_log_open(const char *prog, const char *file, const char *access,
    const char *level)
{

	snprintf(lg.prog, sizeof(lg.prog), "%s", prog ? prog : "mpanel");
	snprintf(lg.file, sizeof(lg.file), "%s",
	    file == NULL || strcmp(file, "-") == 0 ? "" : file);
	snprintf(lg.access, sizeof(lg.access), "%s", access ? access : "");
	lg.level = parse_level(level);
	if (lg.logfd != STDERR_FILENO)
		close(lg.logfd);
	if (lg.accfd != -1 && lg.accfd != STDERR_FILENO)
		close(lg.accfd);
	lg.logfd = STDERR_FILENO;
	lg.accfd = -1;
	if (lg.file[0] != '\0' && (lg.logfd = open_append(lg.file)) == -1) {
		lg.logfd = STDERR_FILENO;
		mp_error("cannot open log file %s: %s", lg.file,
		    strerror(errno));
	}
	if (strcmp(lg.access, "-") == 0)
		lg.accfd = STDERR_FILENO;
	else if (lg.access[0] != '\0' &&
	    (lg.accfd = open_append(lg.access)) == -1) {
		lg.accfd = STDERR_FILENO;
		mp_error("cannot open access log %s: %s", lg.access,
		    strerror(errno));
	}
}

/* Reopen path onto fd in place, so a concurrent write never sees it closed. */
static void
reopen_fd(const char *path, int fd)
{
	int	 nfd;

	if ((nfd = open_append(path)) == -1)
		return;
	if (nfd != fd) {
		dup2(nfd, fd);
		close(nfd);
	}
	/* dup2 clears close-on-exec on the target; set it again. */
	fcntl(fd, F_SETFD, FD_CLOEXEC);
}

/*
 * Reopen both log files after rotation (SIGUSR1).  Uses only open, dup2,
 * fcntl and close, so it is safe to call from a signal handler.  A file
 * that cannot be reopened keeps its old descriptor.
 */
void
mp_log_reopen(void)
{

	/* Lines from before the rotation belong in the old file. */
	mp_log_flush();
	if (lg.logfd != STDERR_FILENO)
		reopen_fd(lg.file, lg.logfd);
	if (lg.accfd != -1 && lg.accfd != STDERR_FILENO)
		reopen_fd(lg.access, lg.accfd);
}

/*
 * Tag following lines with this request id (copied, truncated to 127
 * bytes; NULL clears).  Bytes other than [A-Za-z0-9._-] become '_' so that
 * an id taken from a header cannot break the line format.
 */
void
mp_log_set_reqid(const char *id)
{
	size_t	 i;
	char	 c;

	for (i = 0; id != NULL && id[i] != '\0' && i < sizeof(lg.reqid) - 1;
	    i++) {
		c = id[i];
		lg.reqid[i] = (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '_' || c == '-' ? c : '_';
	}
	lg.reqid[i] = '\0';
}

/* Log one line at level lvl if it passes the filter. */
void
mp_log(enum mp_loglevel lvl, const char *fmt, ...)
{
	char	 line[LOG_LINEMAX];
	size_t	 len;
	va_list	 ap;

	if ((unsigned)lvl >= MP_LOG__MAX)
		lvl = MP_LOG_ERROR;
	if (lvl < lg.level)
		return;
	len = prefix(line, sizeof(line), levels[lvl]);
	va_start(ap, fmt);
	len = body(line, len, fmt, ap);
	va_end(ap);
	put_line(lg.logfd, line, len);
}

/* Log one access line, unless the access log is off. */
void
mp_access(const char *fmt, ...)
{
	char	 line[LOG_LINEMAX];
	size_t	 len;
	uint64_t now;
	va_list	 ap;

	if (lg.accfd == -1)
		return;
	len = prefix(line, sizeof(line), NULL);
	va_start(ap, fmt);
	len = body(line, len, fmt, ap);
	va_end(ap);
	if (!acc.on) {
		put_line(lg.accfd, line, len);
		return;
	}
	now = mp_monotonic_ms();
	if (acc.len > 0 && ((size_t)acc.len + len > sizeof(acc.buf) ||
	    now - acc.since >= 1000))
		mp_log_flush();
	if (acc.len == 0)
		acc.since = now;
	memcpy(acc.buf + acc.len, line, len);
	acc.len += (sig_atomic_t)len;
}

/* Keep access lines for mp_log_flush (on), or write each at once (off). */
void
mp_access_batch(int on)
{

	if (!on)
		mp_log_flush();
	acc.on = on;
}

/* Whether access lines wait for mp_log_flush. */
int
mp_log_pending(void)
{

	return acc.len > 0;
}

/* Write the access lines that wait, if any.  Async-signal-safe. */
void
mp_log_flush(void)
{

	if (acc.len > 0 && lg.accfd != -1)
		put_line(lg.accfd, acc.buf, (size_t)acc.len);
	acc.len = 0;
}
