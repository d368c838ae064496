/*
 * Help search's memo: the expansion of recent queries, in this
 * responder's memory.
 *
 * mp_kb_search() (migration 0038) expands a query into its concepts
 * (synonyms, spellings, compound and hyphen variants), about a third of a
 * search's time in PostgreSQL, and returns them with the tenant's cache
 * generation.  They are kept here per tenant, locale and query text and
 * passed with the next search of the same query; the function uses them
 * only while the generation is still the tenant's (every change of
 * articles, sections or synonyms moves it) and expands afresh otherwise.
 * So a stale memo costs one expansion, never a wrong answer.
 *
 * A fixed table of MEMO_SLOTS entries, one per hash of the key: a new
 * query takes its slot from whichever held it before.  At most
 * MEMO_SLOTS * MEMO_ENTRY_MAX bytes a responder.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "features/kb/extern.h"

#define MEMO_SLOTS	256
#define MEMO_ENTRY_MAX	8192	/* bytes of key and values together */

/* The key's parts and the memo's fields, NUL-separated in one block. */
enum { F_LOCALE, F_QUERY, F_GEN, F_CONCEPTS, F_TYPED, F_FIRED, F_HQ, F__MAX };

struct slot {
	uint64_t	 hash;
	int64_t		 tenant;
	char		*block;		/* NULL: empty */
	const char	*f[F__MAX];
};

static struct slot	 slots[MEMO_SLOTS];

/* FNV-1a of the tenant, the locale and the query. */
static uint64_t
key_hash(int64_t tenant, const char *locale, const char *q)
{
	uint64_t	 h = 14695981039346656037ULL;
	const char	*parts[2] = { locale, q };
	size_t		 i, j;

	for (i = 0; i < sizeof(tenant); i++) {
		h ^= (uint64_t)(((uint64_t)tenant >> (8 * i)) & 0xff);
		h *= 1099511628211ULL;
	}
	for (j = 0; j < 2; j++) {
		for (i = 0; parts[j][i] != '\0'; i++) {
			h ^= (unsigned char)parts[j][i];
			h *= 1099511628211ULL;
		}
		h ^= 0xff;	/* "a" + "bc" is not "ab" + "c" */
		h *= 1099511628211ULL;
	}
	return h;
}

/* The slot holding the memo of this key, or NULL. */
static struct slot *
find(int64_t tenant, const char *locale, const char *q)
{
	uint64_t	 hash = key_hash(tenant, locale, q);
	struct slot	*s = &slots[hash % MEMO_SLOTS];

	if (s->block == NULL || s->hash != hash || s->tenant != tenant ||
	    strcmp(s->f[F_LOCALE], locale) != 0 ||
	    strcmp(s->f[F_QUERY], q) != 0)
		return NULL;
	return s;
}

int
mp_kb_memo_get(struct mp_arena *a, int64_t tenant, const char *locale,
    const char *q, struct mp_kb_memo *m)
{
	struct slot	*s;

	if (locale == NULL || q == NULL || (s = find(tenant, locale, q)) == NULL)
		return 0;
	m->gen = mp_strdup(a, s->f[F_GEN]);
	m->concepts = mp_strdup(a, s->f[F_CONCEPTS]);
	m->typed = mp_strdup(a, s->f[F_TYPED]);
	m->fired = s->f[F_FIRED] == NULL ? NULL : mp_strdup(a, s->f[F_FIRED]);
	m->hq = mp_strdup(a, s->f[F_HQ]);
	return 1;
}

void
mp_kb_memo_put(int64_t tenant, const char *locale, const char *q,
    const struct mp_kb_memo *m)
{
	const char	*v[F__MAX];
	struct slot	*s;
	uint64_t	 hash;
	size_t		 len[F__MAX], total = 0;
	char		*block, *p;
	int		 i;

	if (locale == NULL || q == NULL || m->gen == NULL ||
	    m->concepts == NULL || m->typed == NULL || m->hq == NULL)
		return;
	v[F_LOCALE] = locale;
	v[F_QUERY] = q;
	v[F_GEN] = m->gen;
	v[F_CONCEPTS] = m->concepts;
	v[F_TYPED] = m->typed;
	v[F_FIRED] = m->fired;
	v[F_HQ] = m->hq;
	for (i = 0; i < F__MAX; i++) {
		len[i] = v[i] == NULL ? 0 : strlen(v[i]) + 1;
		total += len[i];
	}
	if (total > MEMO_ENTRY_MAX || (block = malloc(total)) == NULL)
		return;
	hash = key_hash(tenant, locale, q);
	s = &slots[hash % MEMO_SLOTS];
	free(s->block);
	s->block = block;
	s->hash = hash;
	s->tenant = tenant;
	for (p = block, i = 0; i < F__MAX; i++) {
		if (v[i] == NULL) {
			s->f[i] = NULL;
			continue;
		}
		memcpy(p, v[i], len[i]);
		s->f[i] = p;
		p += len[i];
	}
}

void
mp_kb_memo_clear(void)
{
	size_t	 i;

	for (i = 0; i < MEMO_SLOTS; i++) {
		free(slots[i].block);
		memset(&slots[i], 0, sizeof(slots[i]));
	}
}
