/* Replays a fuzz target over its stored corpus (MP_CORPUS) for make check. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifndef MP_CORPUS
#error "MP_CORPUS must name the corpus directory"
#endif

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/*
 * Feed one file to the target in a buffer of exactly its size, so that
 * AddressSanitizer sees any read past the end.  Returns 0 or -1.
 */
static int
run_file(const char *path)
{
	FILE		*f;
	struct stat	 st;
	uint8_t		*data = NULL;
	size_t		 len;
	int		 rc = -1;

	if ((f = fopen(path, "rb")) == NULL || fstat(fileno(f), &st) == -1) {
		perror(path);
		goto out;
	}
	len = (size_t)st.st_size;
	if ((data = malloc(len ? len : 1)) == NULL ||
	    fread(data, 1, len, f) != len) {
		fprintf(stderr, "%s: read failed\n", path);
		goto out;
	}
	LLVMFuzzerTestOneInput(data, len);
	rc = 0;
out:
	free(data);
	if (f != NULL)
		fclose(f);
	return rc;
}

/* Every regular, non-hidden file of dir; the count run, or -1. */
static int
run_dir(const char *dir)
{
	DIR		*d;
	struct dirent	*de;
	struct stat	 st;
	char		 path[4096];
	int		 n = 0;

	if ((d = opendir(dir)) == NULL) {
		perror(dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &st) == -1 || !S_ISREG(st.st_mode))
			continue;
		if (run_file(path) == -1) {
			n = -1;
			break;
		}
		n++;
	}
	closedir(d);
	return n;
}

/*
 * With no arguments, replay MP_CORPUS and fail if it is missing or empty;
 * with arguments, replay those files (to reproduce one crash).
 */
int
main(int argc, char *argv[])
{
	int	 i, n;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			if (run_file(argv[i]) == -1)
				return 1;
		return 0;
	}
	if ((n = run_dir(MP_CORPUS)) <= 0) {
		fprintf(stderr, "%s: %s\n", MP_CORPUS,
		    n == 0 ? "empty corpus" : "cannot replay");
		return 1;
	}
	printf("replayed %d inputs from %s\n", n, MP_CORPUS);
	return 0;
}
