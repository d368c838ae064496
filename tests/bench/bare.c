/* Bench baseline: the least a libfcgi responder can do, answer "ok". */

#include <sys/types.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <fcgiapp.h>

static volatile sig_atomic_t	 stopping;

static void
usage(void)
{
	fprintf(stderr, "usage: bare [-n procs] [-p pidfile] socket-path|:port\n");
	exit(2);
}

static void
on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * Accept and answer requests on the listening socket fd until the process is
 * told to stop.  Never returns.
 */
static void
serve(int fd)
{
	static const char	 reply[] =
	    "Status: 200 OK\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Length: 3\r\n"
	    "\r\n"
	    "ok\n";
	FCGX_Request		 req;

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	if (FCGX_InitRequest(&req, fd, 0) != 0)
		errx(1, "FCGX_InitRequest");
	while (FCGX_Accept_r(&req) >= 0) {
		FCGX_PutStr(reply, sizeof(reply) - 1, req.out);
		FCGX_Finish_r(&req);
	}
	_exit(0);
}

/*
 * bare [-n procs] [-p pidfile] socket: open the socket, fork procs
 * responders (default 1), and on TERM or INT stop them and exit.
 */
int
main(int argc, char *argv[])
{
	struct sigaction	 sa;
	const char		*pidfile = NULL;
	pid_t			*kids;
	FILE			*f;
	int			 c, fd, i, n = 1;

	while ((c = getopt(argc, argv, "n:p:")) != -1) {
		switch (c) {
		case 'n':
			n = atoi(optarg);
			if (n < 1 || n > 256)
				usage();
			break;
		case 'p':
			pidfile = optarg;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();

	if (FCGX_Init() != 0)
		errx(1, "FCGX_Init");
	umask(007);
	if ((fd = FCGX_OpenSocket(argv[optind], 128)) < 0)
		errx(1, "cannot listen on %s", argv[optind]);

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	if ((kids = calloc((size_t)n, sizeof(*kids))) == NULL)
		err(1, "calloc");
	for (i = 0; i < n; i++) {
		if ((kids[i] = fork()) == -1)
			err(1, "fork");
		if (kids[i] == 0)
			serve(fd);
	}
	if (pidfile != NULL) {
		if ((f = fopen(pidfile, "w")) == NULL)
			err(1, "%s", pidfile);
		fprintf(f, "%ld\n", (long)getpid());
		fclose(f);
	}

	while (!stopping)
		pause();
	for (i = 0; i < n; i++)
		kill(kids[i], SIGTERM);
	while (wait(NULL) > 0)
		;
	if (pidfile != NULL)
		unlink(pidfile);
	if (argv[optind][0] != ':')
		unlink(argv[optind]);
	free(kids);
	return 0;
}
