-- mp_kb_expand() with generic plans, as mp_kb_search() got in 0008.
--
-- A search expands its query inside mp_kb_search(), whose own setting
-- (force_generic_plan) already covers the expansion's dozen small
-- statements.  Called on its own, as the zero-result page asks which
-- synonym groups fired (KB_FIRED) and as the staff search report does for
-- every query it lists, PL/pgSQL planned most of those statements again
-- at every call with the call's values: their generic estimate (an array
-- of spellings of unknown length, a tenant of unknown size) never looked
-- better than a custom one, so no cached plan was kept.  0.4 to 0.75 ms
-- of PostgreSQL CPU a call against 0.3 to 0.5 ms with generic plans (the
-- 2,000-article data set, the 10,000-article tenant and the demo tenant;
-- same answers).  The generic plans are the ones wanted: the spellings
-- are looked up through the primary key of kb_words (tenant_id, word), the
-- synonym groups are a handful per tenant.
ALTER FUNCTION mp_kb_expand(text, text)
    SET plan_cache_mode = force_generic_plan;
