-- Demo surveys: about seven months of CSAT, support-ticket, product and
-- quarterly NPS surveys, answered and not, some low scores followed up, so
-- the staff page's charts show something real.  Runs once per demo tenant
-- (nothing when the tenant has surveys), except the one open survey whose
-- link is known, /s/DemoSurvey-<slug>-0000001 (the benchmark's form page),
-- which is kept answerable on every run.
DO $$
DECLARE
    slug    text := current_setting('app.tenant_slug');
    acme    boolean := slug = 'acme';
    n       integer := CASE WHEN acme THEN 260 ELSE 180 END;
    i       integer;
    h       text;
    r1      integer;
    r2      integer;
    t       text;
    sent    timestamptz;
    sc      integer;
    lo      integer;
    hi      integer;
    q       text;
    answered boolean;
    cmt     text;
    camp    text;
    comments text[] := ARRAY[
        'Quick and friendly, thank you!',
        'Solved on the first reply.',
        'Took two days to get an answer.',
        'The agent knew exactly what to do with my DNS records.',
        'I had to explain the problem three times.',
        'Great help with the SSL renewal.',
        'Migration went smoothly.',
        'Mail was down for hours and nobody told us.',
        'Fair prices, reliable servers.',
        'The control panel is confusing.'];
    bench   text := 'DemoSurvey-' || slug || '-0000001';
BEGIN
    IF NOT EXISTS (SELECT 1 FROM survey) THEN
        FOR i IN 1 .. n LOOP
            h := md5(slug || ':' || i);
            r1 := ('x' || substr(h, 1, 4))::bit(16)::integer;
            r2 := ('x' || substr(h, 5, 4))::bit(16)::integer;
            t := CASE WHEN r1 % 10 < 5 THEN 'csat'
                      WHEN r1 % 10 < 7 THEN 'support_ticket'
                      WHEN r1 % 10 < 9 THEN 'nps'
                      ELSE 'product' END;
            sent := date_trunc('hour', now()) - make_interval(days => 1 + (r2 % 210),
                                                               hours => r1 % 24);
            lo := CASE WHEN t = 'nps' THEN 0 ELSE 1 END;
            hi := CASE WHEN t = 'nps' THEN 10 ELSE 5 END;
            q := (SELECT question FROM survey_question_of(t));
            -- Older surveys were answered more often; recent ones are open.
            answered := (r2 / 7) % 100 < CASE WHEN sent > now() - interval '14 days' THEN 30
                                             ELSE 55 END;
            sc := NULL;
            IF answered THEN
                IF t = 'nps' THEN
                    sc := CASE WHEN r1 % 17 < 8 THEN 9 + r1 % 2
                               WHEN r1 % 17 < 13 THEN 7 + r1 % 2
                               ELSE r1 % 7 END;
                ELSE
                    sc := CASE WHEN r1 % 13 < 6 THEN 5
                               WHEN r1 % 13 < 10 THEN 4
                               ELSE 1 + r1 % 3 END;
                END IF;
            END IF;
            cmt := CASE WHEN answered AND r2 % 3 = 0 THEN comments[1 + r2 % 10] END;
            camp := CASE WHEN t = 'nps' THEN
                'nps-' || to_char(sent AT TIME ZONE 'UTC', 'YYYY-"Q"Q') END;
            INSERT INTO survey (tenant_id, public_id, token_hash, type, email,
                                reference, campaign, question, scale_min, scale_max,
                                created_at, send_at, expires_at, responded_at, score,
                                comment, followup, followup_note, followup_at)
            VALUES (mp_tenant(), md5('pid:' || h), encode(sha256(convert_to(h, 'UTF8')), 'hex'), t,
                    'customer' || (1 + r2 % 90) || '@' || slug || '-customers.example',
                    CASE WHEN t IN ('csat', 'support_ticket') THEN 'TICKET-' || (40000 + i) END,
                    camp, q, lo, hi, sent - interval '1 day', sent, sent + interval '14 days',
                    CASE WHEN answered THEN sent + make_interval(hours => 1 + r1 % 70) END,
                    sc, cmt,
                    CASE WHEN NOT answered THEN 'none'
                         WHEN (t = 'nps' AND sc <= 6) OR (t <> 'nps' AND sc <= 3) THEN
                              CASE WHEN sent < now() - interval '45 days' THEN 'done' ELSE 'open' END
                         ELSE 'none' END,
                    CASE WHEN answered AND ((t = 'nps' AND sc <= 6) OR (t <> 'nps' AND sc <= 3))
                              AND sent < now() - interval '45 days'
                         THEN 'Called the customer; issue resolved.' END,
                    CASE WHEN answered AND ((t = 'nps' AND sc <= 6) OR (t <> 'nps' AND sc <= 3))
                              AND sent < now() - interval '45 days'
                         THEN sent + interval '3 days' END);
        END LOOP;
    END IF;

    -- The open survey with a known link.
    INSERT INTO survey (tenant_id, public_id, token_hash, type, email, reference,
                        question, scale_min, scale_max, send_at, expires_at)
    SELECT mp_tenant(), md5('pid:' || bench), encode(sha256(convert_to(bench, 'UTF8')), 'hex'),
           'csat', 'customer@' || slug || '.example', 'TICKET-DEMO',
           q.question, q.scale_min, q.scale_max, now(), now() + interval '14 days'
      FROM survey_question_of('csat') q
    ON CONFLICT (tenant_id, token_hash) DO UPDATE
       SET expires_at = now() + interval '14 days', send_at = least(survey.send_at, now()),
           responded_at = NULL, score = NULL, comment = NULL, followup = 'none';
END $$;
