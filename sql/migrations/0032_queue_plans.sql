-- The worker's two idle questions with plans that last.
--
-- Every runner asks for work twice a second (its tx queue, then bulk) and
-- the worker asks once a second when the next job is due, busy or not.
-- Both functions were LANGUAGE sql with SECURITY DEFINER and a SET clause,
-- which PostgreSQL neither inlines nor keeps a plan for: each call parsed
-- and planned its statement again.  On the demo stack (4 runners) that was
-- about 0.5 ms of planning against 0.03 ms of work per claim, and 0.45 ms
-- per "next run": about 5 ms of database CPU every second with nothing to
-- do, more with each worker host.  As PL/pgSQL the statements are planned
-- once per session; generic plans are forced because the limit and the
-- queue are parameters, and the plans wanted do not depend on them (the
-- job_ready index in order for a claim, job_due's first entry for the next
-- run).  Same statements, same results.
CREATE OR REPLACE FUNCTION mp_job_claim(p_queue text, p_limit integer, p_worker text, p_lease integer)
RETURNS TABLE (r_tenant_id bigint, r_id bigint, r_kind text, r_priority smallint,
               r_attempt integer, r_max_attempts integer, r_payload jsonb,
               r_expired boolean, r_run_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    RETURN QUERY
    WITH u AS (
        UPDATE job j SET state = 'running', attempt = j.attempt + 1,
               locked_by = p_worker, attempted_at = now(),
               lease_until = now() + make_interval(secs => p_lease)
         WHERE j.ctid = ANY (ARRAY(
                   SELECT c.ctid FROM job c
                    WHERE c.state = 'queued' AND c.queue = p_queue AND c.run_at <= now()
                    ORDER BY c.priority, c.run_at, c.id
                    LIMIT p_limit
                      FOR UPDATE SKIP LOCKED))
           AND j.state = 'queued'
        RETURNING j.tenant_id, j.id, j.kind, j.priority, j.attempt, j.max_attempts,
                  j.payload, j.deadline IS NOT NULL AND j.deadline <= now(), j.run_at
    )
    SELECT * FROM u ORDER BY 4, 9, 2;
END $$;

CREATE OR REPLACE FUNCTION mp_job_next_run()
RETURNS timestamptz
LANGUAGE plpgsql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
SET plan_cache_mode = force_generic_plan AS $$
BEGIN
    RETURN (SELECT min(run_at) FROM job WHERE state = 'queued');
END $$;
