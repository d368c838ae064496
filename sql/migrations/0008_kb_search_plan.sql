-- mp_kb_search() with a generic plan.  PL/pgSQL plans its query with the
-- call's values for the first five calls, then keeps a generic plan only if
-- its estimate is no worse; for this query the estimate never is, so every
-- search paid about 0.4 ms of planning (0.63 ms a call against 0.22 ms,
-- pgbench on the demo tenant; 1.8 ms against 1.4 ms at 10,000 articles).
-- The generic plan is the one wanted anyway: tenant, locale and status come
-- first in the GIN indexes, and sequential scans are off in the function.
ALTER FUNCTION mp_kb_search(text, text, text, text, integer, integer)
    SET plan_cache_mode = force_generic_plan;
