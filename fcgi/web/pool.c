/* The process manager: a master that forks, watches and replaces FastCGI responders. */
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <netinet/tcp.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "web/extern.h"

#define POOL_MAXWORKERS	256
#define POOL_NSLOTS	(2 * POOL_MAXWORKERS)
#define POOL_TICK_MS	100
#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	30000
#define HEALTHY_MS	10000	/* a responder that lived this long resets backoff */
#define RELOAD_WAIT_MS	15000
#define STOP_IDLE_MS	500	/* graceful stop: idle responders get TERM */

/*
 * The scoreboard lives in anonymous shared memory: each responder writes
 * its own slot, the master only reads it (to find requests that overran
 * request_timeout) and clears it when the responder is gone.
 */
enum sb_state { SB_EMPTY, SB_STARTING, SB_IDLE, SB_BUSY };

struct sb_slot {
	volatile pid_t		 pid;
	volatile int		 gen;
	volatile int		 state;
	volatile uint64_t	 started_ms;	/* of the current request */
	volatile uint64_t	 requests;
};

/* A responder idle this long writes the access lines it holds. */
#define IDLE_FLUSH_MS	50

/* This responder's own slot (NULL in the master and other programs). */
static struct sb_slot	*self_slot;

void
mp_pool_progress(void)
{
	if (self_slot != NULL && self_slot->state == SB_BUSY)
		self_slot->started_ms = mp_monotonic_ms();
}

/* What the master knows of one slot. */
struct kid {
	pid_t		 pid;
	int		 gen;
	int		 wanted;	/* respawn when it exits */
	int		 quitting;	/* QUIT sent, leaving for good */
	uint64_t	 quit_ms;	/* when QUIT was sent (reload) */
	int		 termed;	/* and TERM after shutdown_timeout */
	uint64_t	 born_ms;
	uint64_t	 next_spawn_ms;
	uint64_t	 backoff_ms;
};

struct pool {
	const char			*cfgpath;
	struct mp_config		*cfg;		/* current generation */
	struct mp_config		*ncfg;		/* generation being started */
	const struct mp_pool_hooks	*hooks;
	int				 fd;
	char				*unix_path;
	struct sb_slot			*sb;
	struct kid			 kids[POOL_NSLOTS];
	int				 gen;
	int				 reloading;	/* new gen = gen + 1 */
	int				 reload_failed;
	uint64_t			 reload_deadline;
	int				 stopping;	/* 1 graceful, 2 fast */
	uint64_t			 stop_deadline;
	uint64_t			 stop_ms;	/* when it began */
	int				 exit_code;
};

/* Responder-side state, set by signal handlers. */
static volatile sig_atomic_t	 child_quit;
static volatile sig_atomic_t	 child_reopen;

static void
child_on_quit(int sig)
{
	(void)sig;
	child_quit = 1;
	FCGX_ShutdownPending();
}

static void
child_on_term(int sig)
{
	(void)sig;
	mp_log_flush();
	_exit(0);
}

static void
child_on_usr1(int sig)
{
	(void)sig;
	child_reopen = 1;
}

static void
set_handler(int sig, void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = flags;
	sigaction(sig, &sa, NULL);
}

/*
 * An epoll set that waits on the listen socket fd exclusively: a new
 * connection wakes one idle responder, not all of them (each of the
 * others would wake, lose the accept race and sleep again: three system
 * calls each, for every request).  -1 when the kernel has no such set;
 * wait_listen then polls, as every responder did before.
 */
static int
listen_waiter(int fd)
{
	struct epoll_event	 ev;
	int			 ep;

	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		return -1;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLEXCLUSIVE;
	ev.data.fd = fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) < 0) {
		close(ep);
		return -1;
	}
	return ep;
}

/*
 * Wait until the listen socket has a connection to accept, through the
 * epoll set ep (see listen_waiter; -1: poll fd), with QUIT and USR1 let
 * through (they are blocked everywhere else), for at most timeout_ms
 * (-1: no limit).  Returns 0 to go on and accept (the socket is
 * non-blocking: another responder may still win the race, which
 * FCGX_Accept_r reports as EAGAIN), 1 when the time ran out, -1 when a
 * signal came first and the caller should look at its flags again.
 */
static int
wait_listen(int ep, int fd, int timeout_ms)
{
	struct epoll_event	 ev;
	struct pollfd		 pfd;
	struct timespec		 ts, *tsp = NULL;
	sigset_t		 none;
	int			 n;

	sigemptyset(&none);
	if (ep >= 0) {
		n = epoll_pwait(ep, &ev, 1, timeout_ms, &none);
		return n > 0 ? 0 : n == 0 ? 1 : -1;
	}
	pfd.fd = fd;
	pfd.events = POLLIN;
	pfd.revents = 0;
	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		tsp = &ts;
	}
	n = ppoll(&pfd, 1, tsp, &none);
	return n > 0 ? 0 : n == 0 ? 1 : -1;
}

/*
 * The pool's after hook, if any; returns when it wants to run again as a
 * monotonic deadline in ms, 0 for only after the next request.
 */
static uint64_t
run_after(struct pool *p, void *ctx)
{
	int	 ms;

	if (p->hooks->after == NULL || (ms = p->hooks->after(ctx)) < 0)
		return 0;
	return mp_monotonic_ms() + (uint64_t)ms;
}

/*
 * Run the handlers of a QUIT or USR1 that arrived while blocked (during
 * a request or a connection nginx keeps open).
 */
static void
take_signals(const sigset_t *quiet)
{
	sigset_t	 pend;

	if (sigpending(&pend) != 0 || (!sigismember(&pend, SIGQUIT) &&
	    !sigismember(&pend, SIGUSR1)))
		return;
	sigprocmask(SIG_UNBLOCK, quiet, NULL);
	sigprocmask(SIG_BLOCK, quiet, NULL);
}

/*
 * Let FCGX_Finish_r close the connection of req with a plain close().
 * libfcgi's own close shuts down its sending side and waits (up to 2 s)
 * for the peer to close first, then reads what is left: a TCP peer whose
 * request bytes were never read would otherwise get a reset that can
 * throw away the response it has not read yet.  That costs every request
 * a sleep, a wake-up and three system calls, and holds the responder
 * until nginx has read the response.  With nothing unread in the socket
 * (a request is read whole before it is served, unless a handler
 * refuses a body without reading it), a plain close cannot reset, so
 * the wait is skipped; otherwise libfcgi's close stands.
 */
static void
close_plainly(FCGX_Request *req)
{
	const char	*cl;
	int		 unread = -1;

	if (req->keepConnection || req->ipcFd < 0)
		return;
	/*
	 * A request without a body: the empty record that ends its stdin
	 * came with its parameters and waits in libfcgi's buffer, so
	 * reading it costs no system call and shows that the socket holds
	 * nothing more (nginx sends nothing after it).  Only when it is not
	 * there yet, or a body was left unread, is the socket asked.
	 */
	cl = FCGX_GetParam("CONTENT_LENGTH", req->envp);
	if (!req->in->isClosed && (cl == NULL || *cl == '\0' ||
	    strcmp(cl, "0") == 0))
		(void)FCGX_GetChar(req->in);
	if (req->in->isClosed ||
	    (ioctl(req->ipcFd, FIONREAD, &unread) == 0 && unread == 0))
		FCGX_Detach(req);
}

/*
 * Accept a connection on the unix listen socket fd for req, so that
 * FCGX_Accept_r reads its request at once.  libfcgi's own accept polls
 * every new unix-socket connection for up to 2 s before it reads, in case
 * the peer hangs up without a word; that is a system call a request, and
 * a read on a connection that sends nothing sees the end of it all the
 * same (FCGX_Accept_r then closes it and reports EAGAIN).  The connection
 * is handed over as libfcgi keeps one between requests: an open ipcFd
 * that its FCGX_Finish_r leaves alone, marked kept.  Whether it is kept
 * after this request is then up to the request, as always.  Returns 0 when
 * req holds a connection, 1 to wait again (another responder was first,
 * or the client went), -1 on any other error (logged).
 */
static int
accept_unix(int fd, FCGX_Request *req)
{
	int	 c;

	if ((c = accept4(fd, NULL, NULL, SOCK_CLOEXEC)) >= 0) {
		req->ipcFd = c;
		req->keepConnection = 1;
		return 0;
	}
	switch (errno) {
	case EAGAIN:
#if EWOULDBLOCK != EAGAIN
	case EWOULDBLOCK:
#endif
	case EINTR:
	case ECONNABORTED:
	case EPROTO:
		return 1;
	}
	mp_error("accept: %s", strerror(errno));
	return -1;
}

/*
 * The life of one responder.  Signal handlers go in before FCGX_Init so
 * libfcgi keeps ours; the hooks open the database and templates only
 * now, after fork().  Never returns.
 */
static void __attribute__((noreturn))
responder(struct pool *p, int slot, struct mp_config *cfg, int gen)
{
	struct sb_slot	*me = &p->sb[slot];
	FCGX_Request	 req;
	void		*ctx = NULL;
	sigset_t	 quiet;
	uint64_t	 limit, served = 0, due = 0;	/* due: 0 none */
	int		 rc, wait, ep, flush;

	self_slot = me;
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	/*
	 * QUIT and USR1 stay blocked but in the wait for a new connection
	 * (wait_listen) and between requests on a kept one (take_signals):
	 * they never interrupt libfcgi's reads, writes and selects, and a
	 * connection nginx keeps open is served until nginx closes it.
	 * TERM is immediate.
	 */
	set_handler(SIGQUIT, child_on_quit, 0);
	set_handler(SIGTERM, child_on_term, 0);
	set_handler(SIGINT, child_on_term, 0);
	set_handler(SIGUSR1, child_on_usr1, SA_RESTART);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&quiet);
	sigaddset(&quiet, SIGQUIT);
	sigaddset(&quiet, SIGUSR1);
	sigprocmask(SIG_SETMASK, &quiet, NULL);
	if (getppid() == 1)
		_exit(0);

	if (FCGX_Init() != 0) {
		mp_error("FCGX_Init failed");
		_exit(1);
	}
	if ((rc = p->hooks->child_init(cfg, gen, &ctx)) != 0)
		_exit(rc);
	if (FCGX_InitRequest(&req, p->fd, 0) != 0)
		_exit(1);
	ep = listen_waiter(p->fd);
	/* Written when no connection comes for a while (see below). */
	mp_access_batch(1);

	limit = cfg->max_requests > 0 ? (uint64_t)cfg->max_requests : 0;
	if (limit > 0) {
		uint32_t r;

		mp_random(&r, sizeof(r));
		limit += r % (limit / 10 + 1);
	}
	me->state = SB_IDLE;
	for (;;) {
		/*
		 * QUIT and USR1 are let through in the wait for a new
		 * connection; only a kept connection skips that wait (see
		 * behind the request below).
		 */
		if (child_reopen) {
			child_reopen = 0;
			mp_log_reopen();
		}
		/*
		 * Leave only between connections.  Closing one that nginx
		 * keeps open races with the request nginx may be sending
		 * on it, and nginx does not retry a POST: after QUIT, the
		 * connection is closed behind the next response instead.
		 */
		if (req.ipcFd < 0) {
			if (child_quit)
				break;
			/*
			 * The hook's time is a deadline: lost accept races
			 * and signals do not push it back.
			 */
			wait = -1;
			if (due != 0) {
				uint64_t now = mp_monotonic_ms();

				wait = due > now ? (int)(due - now) : 0;
			}
			/*
			 * Access lines wait while connections keep coming,
			 * and go out once none has come for IDLE_FLUSH_MS.
			 */
			flush = mp_log_pending() &&
			    (wait < 0 || wait > IDLE_FLUSH_MS);
			rc = wait_listen(ep, p->fd, flush ? IDLE_FLUSH_MS : wait);
			if (rc == 1 && flush)
				mp_log_flush();
			else if (rc == 1)
				due = run_after(p, ctx);
			if (rc != 0)
				continue;
		}
		if (req.ipcFd < 0 && p->unix_path != NULL &&
		    (rc = accept_unix(p->fd, &req)) != 0) {
			if (rc > 0)
				continue;
			break;
		}
		if ((rc = FCGX_Accept_r(&req)) < 0) {
			if (rc == -EAGAIN || rc == -EINTR)
				continue;
			break;
		}
		me->started_ms = mp_monotonic_ms();
		me->state = SB_BUSY;
		p->hooks->serve(ctx, &req);
		/*
		 * The next request on a kept connection is waited for in
		 * libfcgi's read, not in wait_listen, which lets QUIT and
		 * USR1 through and writes the access lines: take the signals
		 * (a QUIT closes the connection behind this response) and
		 * write the lines now.  Any other connection is closed, and
		 * the wait for the next one does both.
		 */
		if (req.keepConnection) {
			take_signals(&quiet);
			mp_log_flush();
		}
		if (child_quit || (limit > 0 && served + 1 >= limit))
			/* The last one: close the connection behind it. */
			req.keepConnection = 0;
		close_plainly(&req);
		FCGX_Finish_r(&req);
		me->state = SB_IDLE;
		me->requests = ++served;
		due = run_after(p, ctx);
		if (limit > 0 && served >= limit) {
			mp_info("recycling after %llu requests",
			    (unsigned long long)served);
			break;
		}
	}
	mp_access_batch(0);
	if (p->hooks->child_fini != NULL)
		p->hooks->child_fini(ctx);
	_exit(0);
}

/*
 * Open the listen socket named by cfg->listen: "unix:/path" or
 * "host:port".  Returns the descriptor or -1 with the reason logged.
 */
static int
pool_listen(struct pool *p, const struct mp_config *cfg)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	char		*host = NULL, *port;
	int		 fd = -1, on = 1;

	if (strncmp(cfg->listen, "unix:", 5) == 0) {
		struct sockaddr_un sun;
		const char *path = cfg->listen + 5;

		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		if (strlen(path) >= sizeof(sun.sun_path)) {
			mp_error("listen: socket path too long: %s", path);
			return -1;
		}
		memcpy(sun.sun_path, path, strlen(path) + 1);
		if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
			goto syserr;
		unlink(path);
		if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
			goto syserr;
		if (chmod(path, (mode_t)cfg->listen_mode) < 0)
			goto syserr;
		if ((p->unix_path = strdup(path)) == NULL)
			mp_oom();
	} else {
		if ((host = strdup(cfg->listen)) == NULL)
			mp_oom();
		if ((port = strrchr(host, ':')) == NULL) {
			mp_error("listen: expected unix:/path or host:port, "
			    "got %s", cfg->listen);
			goto out;
		}
		*port++ = '\0';
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_PASSIVE;
		if (getaddrinfo(*host ? host : NULL, port, &hints, &res) != 0) {
			mp_error("listen: cannot resolve %s", cfg->listen);
			goto out;
		}
		for (ai = res; ai != NULL; ai = ai->ai_next) {
			fd = socket(ai->ai_family, ai->ai_socktype |
			    SOCK_CLOEXEC, 0);
			if (fd < 0)
				continue;
			setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on,
			    sizeof(on));
			if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0)
				break;
			close(fd);
			fd = -1;
		}
		if (fd < 0)
			goto syserr;
	}
	if (listen(fd, cfg->listen_backlog) < 0)
		goto syserr;
	/* Responders wait (wait_listen) before accepting; a loser gets EAGAIN. */
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		goto syserr;
	/* Responders inherit it across fork(), not exec(). */
	goto out;
syserr:
	mp_error("listen %s: %s", cfg->listen, strerror(errno));
	if (fd >= 0)
		close(fd);
	fd = -1;
out:
	if (res != NULL)
		freeaddrinfo(res);
	free(host);
	return fd;
}

static struct kid *
kid_by_pid(struct pool *p, pid_t pid)
{
	int	 i;

	for (i = 0; i < POOL_NSLOTS; i++)
		if (p->kids[i].pid == pid)
			return &p->kids[i];
	return NULL;
}

static void
spawn(struct pool *p, int slot)
{
	struct kid	*k = &p->kids[slot];
	struct mp_config *cfg = k->gen == p->gen ? p->cfg : p->ncfg;
	pid_t		 pid;

	p->sb[slot].state = SB_STARTING;
	p->sb[slot].gen = k->gen;
	p->sb[slot].requests = 0;
	if ((pid = fork()) < 0) {
		mp_error("fork: %s", strerror(errno));
		k->next_spawn_ms = mp_monotonic_ms() + BACKOFF_MIN_MS;
		return;
	}
	if (pid == 0)
		responder(p, slot, cfg, k->gen);
	k->pid = pid;
	k->born_ms = mp_monotonic_ms();
	p->sb[slot].pid = pid;
}

/* Reserve n free slots for generation gen and start them. */
static void
start_generation(struct pool *p, int gen, int n)
{
	int	 i;

	for (i = 0; i < POOL_NSLOTS && n > 0; i++) {
		struct kid *k = &p->kids[i];

		if (k->pid != 0 || k->wanted)
			continue;
		memset(k, 0, sizeof(*k));
		k->gen = gen;
		k->wanted = 1;
		k->backoff_ms = BACKOFF_MIN_MS;
		spawn(p, i);
		n--;
	}
}

static void
signal_gen(struct pool *p, int gen, int sig)
{
	int	 i;

	for (i = 0; i < POOL_NSLOTS; i++) {
		struct kid *k = &p->kids[i];

		if (k->gen != gen || (k->pid == 0 && !k->wanted))
			continue;
		if (sig == SIGQUIT || sig == SIGTERM || sig == SIGKILL) {
			k->wanted = 0;
			k->quitting = 1;
			if (k->quit_ms == 0)
				k->quit_ms = mp_monotonic_ms();
		}
		if (k->pid != 0)
			kill(k->pid, sig);
	}
}

/*
 * Responders of a retired generation leave once nginx stops using their
 * connection; one still there after shutdown_timeout is stopped (TERM,
 * then KILL a second later).
 */
static void
watch_retired(struct pool *p, uint64_t now)
{
	uint64_t	 lim;
	int		 i;

	lim = (uint64_t)(p->cfg->shutdown_timeout > 0 ?
	    p->cfg->shutdown_timeout : 1) * 1000;
	for (i = 0; i < POOL_NSLOTS; i++) {
		struct kid *k = &p->kids[i];

		if (k->pid == 0 || !k->quitting || k->gen >= p->gen ||
		    now - k->quit_ms <= lim)
			continue;
		if (now - k->quit_ms <= lim + 1000) {
			if (!k->termed) {
				mp_warn("responder %d (generation %d) still "
				    "running after shutdown_timeout; stopping "
				    "it", (int)k->pid, k->gen);
				kill(k->pid, SIGTERM);
				k->termed = 1;
			}
		} else
			kill(k->pid, SIGKILL);
	}
}

static void
signal_all(struct pool *p, int sig)
{
	int	 i;

	for (i = 0; i < POOL_NSLOTS; i++) {
		if (sig == SIGQUIT || sig == SIGTERM || sig == SIGKILL) {
			p->kids[i].wanted = 0;
			p->kids[i].quitting = 1;
		}
		if (p->kids[i].pid != 0)
			kill(p->kids[i].pid, sig);
	}
}

static int
count_live(const struct pool *p, int gen)
{
	int	 i, n = 0;

	for (i = 0; i < POOL_NSLOTS; i++)
		if (p->kids[i].pid != 0 && (gen < 0 || p->kids[i].gen == gen))
			n++;
	return n;
}

/*
 * A responder exited.  Decide whether and when its slot is refilled:
 * recycled or timed-out responders come back at once, crashing ones
 * with a doubling delay, and a fatal configuration error never.
 */
static void
reap(struct pool *p, pid_t pid, int status)
{
	struct kid	*k;
	uint64_t	 now = mp_monotonic_ms();
	int		 slot, code = -1;

	if ((k = kid_by_pid(p, pid)) == NULL)
		return;
	slot = (int)(k - p->kids);
	k->pid = 0;
	p->sb[slot].pid = 0;
	p->sb[slot].state = SB_EMPTY;
	if (WIFEXITED(status))
		code = WEXITSTATUS(status);
	if (!k->wanted) {
		mp_debug("responder %d (generation %d) left", (int)pid, k->gen);
		return;
	}
	if (code == MP_EXIT_CONFIG) {
		mp_error("responder %d exited with a fatal configuration "
		    "error; not respawned", (int)pid);
		k->wanted = 0;
		if (p->reloading && k->gen == p->gen + 1)
			p->reload_failed = 1;
		return;
	}
	if (code == 0) {
		k->backoff_ms = BACKOFF_MIN_MS;
		k->next_spawn_ms = now;
	} else {
		if (now - k->born_ms > HEALTHY_MS)
			k->backoff_ms = BACKOFF_MIN_MS;
		k->next_spawn_ms = now + k->backoff_ms;
		if (WIFSIGNALED(status))
			mp_warn("responder %d killed by signal %d; respawn in "
			    "%llu ms", (int)pid, WTERMSIG(status),
			    (unsigned long long)k->backoff_ms);
		else
			mp_warn("responder %d exited with status %d; respawn "
			    "in %llu ms", (int)pid, code,
			    (unsigned long long)k->backoff_ms);
		k->backoff_ms *= 2;
		if (k->backoff_ms > BACKOFF_MAX_MS)
			k->backoff_ms = BACKOFF_MAX_MS;
	}
}

/* Kill responders whose current request has run past request_timeout. */
static void
watch_timeouts(struct pool *p, uint64_t now)
{
	int	 i;

	for (i = 0; i < POOL_NSLOTS; i++) {
		struct kid		*k = &p->kids[i];
		struct mp_config	*cfg;
		uint64_t		 lim;

		if (k->pid == 0 || p->sb[i].state != SB_BUSY)
			continue;
		cfg = k->gen == p->gen ? p->cfg : p->ncfg;
		if (cfg == NULL || cfg->request_timeout <= 0)
			continue;
		lim = (uint64_t)cfg->request_timeout * 1000;
		if (now - p->sb[i].started_ms <= lim)
			continue;
		mp_warn("responder %d: request running for %llu ms, past "
		    "request_timeout; killing it", (int)k->pid,
		    (unsigned long long)(now - p->sb[i].started_ms));
		p->sb[i].state = SB_EMPTY;
		kill(k->pid, SIGKILL);
		k->next_spawn_ms = now;
		k->backoff_ms = BACKOFF_MIN_MS;
		/* The exit is expected: refill without backoff. */
		k->born_ms = 0;
	}
}

/*
 * HUP: read the configuration again and check it (templates parse).
 * A bad one keeps the running generation and says why; a good one starts
 * the next generation, which replaces the old once all of it is ready.
 */
static void
begin_reload(struct pool *p)
{
	struct mp_config	*ncfg = NULL;
	char			 err[512];

	if (p->reloading) {
		mp_warn("reload already in progress; HUP ignored");
		return;
	}
	if (mp_config_load(&ncfg, p->cfgpath, err, sizeof(err)) != MP_OK) {
		mp_error("reload refused, keeping generation %d: %s", p->gen,
		    err);
		return;
	}
	if (p->hooks->check != NULL &&
	    p->hooks->check(ncfg, err, sizeof(err)) != 0) {
		mp_error("reload refused, keeping generation %d: %s", p->gen,
		    err);
		mp_config_free(ncfg);
		return;
	}
	if (strcmp(ncfg->listen, p->cfg->listen) != 0)
		mp_warn("listen changed to %s: takes effect on restart, "
		    "still serving %s", ncfg->listen, p->cfg->listen);
	if (ncfg->workers > POOL_MAXWORKERS)
		ncfg->workers = POOL_MAXWORKERS;
	mp_log_open("mpanel-fcgi", ncfg->log_file, ncfg->access_log,
	    ncfg->log_level);
	p->ncfg = ncfg;
	p->reloading = 1;
	p->reload_failed = 0;
	p->reload_deadline = mp_monotonic_ms() + RELOAD_WAIT_MS;
	mp_info("reload: starting generation %d with %d responders",
	    p->gen + 1, ncfg->workers);
	start_generation(p, p->gen + 1, ncfg->workers);
}

static void
reload_progress(struct pool *p, uint64_t now)
{
	int	 i, ready = 0, want = 0;

	for (i = 0; i < POOL_NSLOTS; i++) {
		if (p->kids[i].gen != p->gen + 1 || !p->kids[i].wanted)
			continue;
		want++;
		if (p->kids[i].pid != 0 && p->sb[i].state >= SB_IDLE)
			ready++;
	}
	if (!p->reload_failed && want > 0 && ready == want) {
		mp_info("reload: generation %d ready; retiring generation %d",
		    p->gen + 1, p->gen);
		signal_gen(p, p->gen, SIGQUIT);
		mp_config_free(p->cfg);
		p->cfg = p->ncfg;
		p->ncfg = NULL;
		p->gen++;
		p->reloading = 0;
		return;
	}
	if (p->reload_failed || want == 0 || now > p->reload_deadline) {
		mp_error("reload: generation %d failed to start; generation "
		    "%d keeps serving", p->gen + 1, p->gen);
		signal_gen(p, p->gen + 1, SIGTERM);
		for (i = 0; i < POOL_NSLOTS; i++)
			if (p->kids[i].gen == p->gen + 1)
				p->kids[i].wanted = 0;
		/* Its config is freed once its responders are gone. */
		p->reloading = 0;
		p->reload_failed = 0;
		if (count_live(p, p->gen + 1) == 0) {
			mp_config_free(p->ncfg);
			p->ncfg = NULL;
		}
	}
}

/*
 * Graceful stop: a responder still idle a moment after QUIT waits on a
 * connection nginx keeps open.  Nothing will serve after us, so it need
 * not wait for nginx: TERM it.  Busy ones finish their request.
 */
static void
stop_idle(struct pool *p)
{
	int	 i;

	for (i = 0; i < POOL_NSLOTS; i++) {
		struct kid *k = &p->kids[i];

		if (k->pid == 0 || k->termed || p->sb[i].state != SB_IDLE)
			continue;
		kill(k->pid, SIGTERM);
		k->termed = 1;
	}
}

static void
begin_stop(struct pool *p, int fast)
{
	struct mp_config *cfg = p->cfg;

	if (p->stopping == 2 || (p->stopping == 1 && !fast))
		return;
	p->stopping = fast ? 2 : 1;
	p->stop_ms = mp_monotonic_ms();
	p->stop_deadline = mp_monotonic_ms() +
	    (uint64_t)(cfg->shutdown_timeout > 0 ? cfg->shutdown_timeout : 1) *
	    1000;
	mp_info("%s stop: %d responders", fast ? "fast" : "graceful",
	    count_live(p, -1));
	signal_all(p, fast ? SIGTERM : SIGQUIT);
}

static void
write_pidfile(const char *path)
{
	FILE	*f;

	if (path == NULL || *path == '\0')
		return;
	if ((f = fopen(path, "w")) == NULL) {
		mp_warn("pid file %s: %s", path, strerror(errno));
		return;
	}
	fprintf(f, "%d\n", (int)getpid());
	fclose(f);
}

/*
 * Run the master until QUIT or TERM; the pool owns cfg from here on and
 * frees it (a reload replaces it).  Signals are blocked in the master
 * and taken synchronously with sigtimedwait(), so the loop has no
 * handler races; responders restore their own mask and handlers.
 * Returns the process exit code.
 */
int
mp_pool_run(const char *cfgpath, struct mp_config *cfg,
    const struct mp_pool_hooks *hooks)
{
	struct pool	*p;
	sigset_t	 set;
	siginfo_t	 si;
	struct timespec	 tick = { 0, POOL_TICK_MS * 1000000L };
	int		 sig, i, status, rc = 0;
	pid_t		 pid;
	uint64_t	 now;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		mp_oom();
	p->cfgpath = cfgpath;
	p->cfg = cfg;
	p->hooks = hooks;
	p->gen = 1;
	if (cfg->workers > POOL_MAXWORKERS)
		cfg->workers = POOL_MAXWORKERS;

	sigemptyset(&set);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	p->sb = mmap(NULL, sizeof(struct sb_slot) * POOL_NSLOTS,
	    PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (p->sb == MAP_FAILED) {
		mp_error("mmap scoreboard: %s", strerror(errno));
		rc = 1;
		goto out;
	}
	if ((p->fd = pool_listen(p, cfg)) < 0) {
		rc = 1;
		goto out;
	}
	write_pidfile(cfg->pid_file);
	mp_info("master %d: listening on %s, %d responders, generation %d",
	    (int)getpid(), cfg->listen, cfg->workers, p->gen);
	start_generation(p, p->gen, cfg->workers);

	for (;;) {
		sig = sigtimedwait(&set, &si, &tick);
		switch (sig) {
		case SIGHUP:
			if (!p->stopping)
				begin_reload(p);
			break;
		case SIGQUIT:
			begin_stop(p, 0);
			break;
		case SIGTERM:
		case SIGINT:
			begin_stop(p, 1);
			break;
		case SIGUSR1:
			mp_log_reopen();
			signal_all(p, SIGUSR1);
			break;
		default:
			break;
		}
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
			reap(p, pid, status);
		now = mp_monotonic_ms();

		if (p->stopping) {
			if (count_live(p, -1) == 0)
				break;
			if (p->stopping == 1 && now - p->stop_ms > STOP_IDLE_MS)
				stop_idle(p);
			if (now > p->stop_deadline) {
				mp_warn("stop: %d responders still running "
				    "after shutdown_timeout; killing them",
				    count_live(p, -1));
				signal_all(p, SIGKILL);
				p->stop_deadline = now + 60000;
			}
			continue;
		}
		watch_timeouts(p, now);
		watch_retired(p, now);
		for (i = 0; i < POOL_NSLOTS; i++) {
			struct kid *k = &p->kids[i];

			if (k->wanted && k->pid == 0 && now >= k->next_spawn_ms)
				spawn(p, i);
		}
		if (p->reloading)
			reload_progress(p, now);
		else if (p->ncfg != NULL && count_live(p, p->gen + 1) == 0) {
			mp_config_free(p->ncfg);
			p->ncfg = NULL;
		}
		if (!p->reloading) {
			int wanted = 0;

			for (i = 0; i < POOL_NSLOTS; i++)
				if (p->kids[i].wanted)
					wanted++;
			if (wanted == 0 && count_live(p, -1) == 0) {
				mp_error("no responder can start (fatal "
				    "configuration); master exits");
				rc = MP_EXIT_CONFIG;
				break;
			}
		}
	}
	mp_info("master %d: stopped", (int)getpid());
out:
	if (p->unix_path != NULL) {
		unlink(p->unix_path);
		free(p->unix_path);
	}
	if (p->cfg->pid_file != NULL && *p->cfg->pid_file != '\0')
		unlink(p->cfg->pid_file);
	if (p->ncfg != NULL)
		mp_config_free(p->ncfg);
	mp_config_free(p->cfg);
	free(p);
	return rc;
}
