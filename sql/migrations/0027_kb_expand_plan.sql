-- mp_kb_expand() with generic plans, as mp_kb_search() got in 0008.
--
-- Every search expands its query first (synonyms, compound and hyphen
-- variants).  The function runs a dozen small statements a call, and
-- PL/pgSQL planned most of them again at every call with the call's
-- values: their generic estimate (an array of spellings of unknown length,
-- a tenant of unknown size) never looked as good as a custom one, so the
-- cached plans were never kept.  The planning cost more than the work:
-- 0.4 to 0.75 ms of PostgreSQL CPU a search against 0.3 to 0.5 ms with
-- generic plans (the 2,000-article data set, the 10,000-article tenant and
-- the demo tenant; same answers).  The generic plans are the ones wanted:
-- the spellings are looked up through the primary key of kb_words
-- (tenant_id, word), the synonym groups are a handful per tenant.
ALTER FUNCTION mp_kb_expand(text, text)
    SET plan_cache_mode = force_generic_plan;
