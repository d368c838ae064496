/* The generation links nginx keys its page cache on: h/<host> -> t/<tenant> -> g/<tenant>-<gen>. */
#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "features/cache/extern.h"

/*
 * Layout under page_cache_links (see docs/operations.md):
 *
 *   g/<tenant>-<gen>/	an empty directory per generation
 *   t/<tenant>		symlink to ../g/<tenant>-<gen>, the current one
 *   h/<host>		symlink to ../t/<tenant>, one per host name
 *
 * nginx resolves h/<host> with realpath() on every request and puts the
 * result in the cache key, so moving t/<tenant> to a new generation is
 * one atomic rename(2) that retires every key of the tenant on all its
 * hosts at once.  Links only move forward (a lock file serialises the
 * pool's responders and the worker), and an old generation's directory
 * stays a while after it is retired, so a realpath() racing the rename
 * resolves one or the other, never nothing.
 */

static int
lock_dir(const char *dir)
{
	char	 path[PATH_MAX];
	int	 fd;

	snprintf(path, sizeof(path), "%s/lock", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644)) == -1)
		return -1;
	if (flock(fd, LOCK_EX) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

static void
unlock_dir(int fd)
{
	if (fd != -1)
		close(fd);	/* releases the flock */
}

/* mkdir dir and its g, t, h subdirectories (0755; nginx must read them). */
static int
make_dirs(const char *dir)
{
	static const char *const sub[] = { "g", "t", "h" };
	char	 path[PATH_MAX];
	size_t	 i;

	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		return -1;
	for (i = 0; i < MP_NELEM(sub); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, sub[i]);
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			return -1;
	}
	return 0;
}

/* Make (or replace) the symlink path -> target atomically. */
static int
link_to(const char *path, const char *target)
{
	char	 tmp[PATH_MAX], cur[PATH_MAX];
	ssize_t	 n;

	if ((n = readlink(path, cur, sizeof(cur) - 1)) >= 0) {
		cur[n] = '\0';
		if (strcmp(cur, target) == 0)
			return 0;
	}
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid());
	(void)unlink(tmp);
	if (symlink(target, tmp) == -1)
		return -1;
	if (rename(tmp, path) == -1) {
		(void)unlink(tmp);
		return -1;
	}
	return 0;
}

/* The generation t/<tenant> points at now, 0 for none. */
static int64_t
linked_gen(const char *dir, int64_t tenant)
{
	char	 path[PATH_MAX], cur[PATH_MAX], want[64];
	ssize_t	 n;
	size_t	 wl;

	snprintf(path, sizeof(path), "%s/t/%" PRId64, dir, tenant);
	if ((n = readlink(path, cur, sizeof(cur) - 1)) < 0)
		return 0;
	cur[n] = '\0';
	wl = (size_t)snprintf(want, sizeof(want), "../g/%" PRId64 "-", tenant);
	if (strncmp(cur, want, wl) != 0)
		return 0;
	return strtoll(cur + wl, NULL, 10);
}

int64_t
mp_cache_linked_gen(const char *dir, int64_t tenant)
{
	return linked_gen(dir, tenant);
}

int
mp_cache_link_gen(const char *dir, int64_t tenant, int64_t gen)
{
	char	 path[PATH_MAX], target[PATH_MAX];
	int64_t	 was;
	int	 fd, rc = 0;

	if (dir == NULL || *dir == '\0' || tenant <= 0 || gen <= 0)
		return 0;
	if (linked_gen(dir, tenant) >= gen)
		return 0;
	if (make_dirs(dir) == -1 || (fd = lock_dir(dir)) == -1)
		return -1;
	if ((was = linked_gen(dir, tenant)) < gen) {
		snprintf(path, sizeof(path), "%s/g/%" PRId64 "-%" PRId64, dir,
		    tenant, gen);
		if (mkdir(path, 0755) == -1 && errno != EEXIST)
			rc = -1;
		snprintf(path, sizeof(path), "%s/t/%" PRId64, dir, tenant);
		snprintf(target, sizeof(target), "../g/%" PRId64 "-%" PRId64,
		    tenant, gen);
		if (rc == 0)
			rc = link_to(path, target);
		/* Retired now: mp_cache_links_prune counts from here. */
		snprintf(path, sizeof(path), "%s/g/%" PRId64 "-%" PRId64, dir,
		    tenant, was);
		if (rc == 0 && was > 0)
			(void)utimensat(AT_FDCWD, path, NULL, 0);
	}
	unlock_dir(fd);
	return rc;
}

/*
 * A host nginx would use as a directory name: what its map
 * $mpanel_brand_host lets through, ^[a-z0-9][a-z0-9.-]{0,252}$, and
 * never "..".
 */
int
mp_cache_host_ok(const char *host)
{
	size_t	 i, n;

	if (host == NULL || (n = strlen(host)) == 0 || n > 253)
		return 0;
	if (!((host[0] >= 'a' && host[0] <= 'z') ||
	    (host[0] >= '0' && host[0] <= '9')))
		return 0;
	for (i = 0; i < n; i++)
		if (!((host[i] >= 'a' && host[i] <= 'z') ||
		    (host[i] >= '0' && host[i] <= '9') || host[i] == '.' ||
		    host[i] == '-'))
			return 0;
	return strstr(host, "..") == NULL;
}

int
mp_cache_link_host(const char *dir, const char *host, int64_t tenant)
{
	char	 path[PATH_MAX], target[64], cur[PATH_MAX];
	ssize_t	 n;

	if (dir == NULL || *dir == '\0' || !mp_cache_host_ok(host))
		return -1;
	snprintf(path, sizeof(path), "%s/h/%s", dir, host);
	snprintf(target, sizeof(target), "../t/%" PRId64, tenant);
	if ((n = readlink(path, cur, sizeof(cur) - 1)) >= 0) {
		cur[n] = '\0';
		if (strcmp(cur, target) == 0)
			return 0;
	}
	if (make_dirs(dir) == -1)
		return -1;
	return link_to(path, target);
}

/*
 * Remove the directories of generations retired more than keep_s
 * seconds ago (mp_cache_link_gen sets a directory's mtime when it
 * retires it).  Returns how many went.
 */
int
mp_cache_links_prune(const char *dir, int keep_s)
{
	char		 path[PATH_MAX];
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	int64_t		 tenant, gen;
	time_t		 now = time(NULL);
	int		 n = 0;

	if (dir == NULL || *dir == '\0')
		return 0;
	snprintf(path, sizeof(path), "%s/g", dir);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (sscanf(de->d_name, "%" SCNd64 "-%" SCNd64, &tenant,
		    &gen) != 2)
			continue;
		if (linked_gen(dir, tenant) <= gen)
			continue;
		snprintf(path, sizeof(path), "%s/g/%s", dir, de->d_name);
		if (stat(path, &st) == 0 && now - st.st_mtime > keep_s &&
		    rmdir(path) == 0)
			n++;
	}
	closedir(d);
	return n;
}
