/* The page cache feature's own interface, shared by the files of fcgi/features/cache only. */
#ifndef MP_FEATURES_CACHE_EXTERN_H
#define MP_FEATURES_CACHE_EXTERN_H

#include <stdint.h>

#include "features/cache/cache.h"

/* Settings (cache.c has the keys, defaults and ranges). */
struct mp_cache_conf {
	int	 page_cache;		/* 0: mark nothing, nginx keeps nothing */
	char	*page_cache_links;	/* generation links nginx reads; "" = off */
	int	 page_cache_ttl;	/* seconds nginx keeps a copy fresh */
	char	*page_cache_count_log;	/* nginx's log of cache hits; "" = none */
};

extern const struct mp_confsec	 mp_cache_confsec;
#define mp_cache_conf(cfg) \
	((const struct mp_cache_conf *)mp_config_sec((cfg), &mp_cache_confsec))

/* links.c */
int	 mp_cache_link_gen(const char *dir, int64_t tenant, int64_t gen);
int64_t	 mp_cache_linked_gen(const char *dir, int64_t tenant);
int	 mp_cache_link_host(const char *dir, const char *host, int64_t tenant);
int	 mp_cache_host_ok(const char *host);
int	 mp_cache_links_prune(const char *dir, int keep_s);

/* count.c */
void	 mp_cache_count_tick(const struct mp_config *, struct mp_db *,
	    struct mp_arena *);

#endif
