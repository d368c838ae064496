-- Demo status page: 9 components in 3 groups, 90 days of interval history
-- with a few incidents, and one upcoming maintenance.  Runs once per demo
-- tenant; does nothing when the tenant already has components.
DO $$
DECLARE
    slug   text := current_setting('app.tenant_slug');
    acme   boolean := slug = 'acme';
    g_web  bigint;
    g_mail bigint;
    g_cp   bigint;
    crec   record;
    wrec   record;
    inc    bigint;
    cursor_at timestamptz;
    t0     timestamptz := date_trunc('hour', now()) - interval '92 days';
BEGIN
    IF EXISTS (SELECT 1 FROM status_component) THEN
        RETURN;
    END IF;
    INSERT INTO status_page (tenant_id) VALUES (mp_tenant())
    ON CONFLICT (tenant_id) DO NOTHING;

    INSERT INTO status_component (tenant_id, name, description, position, is_group, created_at)
    VALUES (mp_tenant(), 'Web hosting', 'Shared and managed hosting nodes', 1, true, t0)
    RETURNING id INTO g_web;
    INSERT INTO status_component (tenant_id, name, description, position, is_group, created_at)
    VALUES (mp_tenant(), 'Email and DNS', 'Mailboxes, outbound mail and name servers', 2, true, t0)
    RETURNING id INTO g_mail;
    INSERT INTO status_component (tenant_id, name, description, position, is_group, created_at)
    VALUES (mp_tenant(), 'Control panel and backups', NULL, 3, true, t0)
    RETURNING id INTO g_cp;

    INSERT INTO status_component (tenant_id, name, description, position, group_id,
                                  start_date, created_at)
    SELECT mp_tenant(), n, d, p, g, (t0 AT TIME ZONE 'Etc/UTC')::date, t0
    FROM (VALUES
        (CASE WHEN acme THEN 'Web node web-01' ELSE 'Cloud node fra-1' END,
         'Hosting node in the primary data centre', 1, g_web),
        (CASE WHEN acme THEN 'Web node web-02' ELSE 'Cloud node fra-2' END,
         'Hosting node in the primary data centre', 2, g_web),
        (CASE WHEN acme THEN 'Web node web-03' ELSE 'Cloud node ams-1' END,
         'Hosting node in the secondary data centre', 3, g_web),
        ('Mailboxes (IMAP/POP3)', 'Reading mail', 1, g_mail),
        ('Outbound mail (SMTP)', 'Sending mail', 2, g_mail),
        ('DNS', 'Authoritative name servers', 3, g_mail),
        ('Control panel', 'The customer control panel', 1, g_cp),
        ('Customer API', 'The REST API', 2, g_cp),
        ('Backups', 'Nightly and on-demand backups', 3, g_cp)
    ) v (n, d, p, g);

    -- Replace the intervals the trigger opened with the history below.
    DELETE FROM status_interval;
    CREATE TEMP TABLE seed_window (comp text, status text, s timestamptz,
                                   e timestamptz) ON COMMIT DROP;
    INSERT INTO seed_window VALUES
        ('Outbound mail (SMTP)', 'partial_outage',
         date_trunc('day', now()) - interval '62 days' + interval '9 hours 10 minutes',
         date_trunc('day', now()) - interval '62 days' + interval '11 hours 50 minutes'),
        (CASE WHEN acme THEN 'Web node web-03' ELSE 'Cloud node ams-1' END, 'major_outage',
         date_trunc('day', now()) - interval '34 days' + interval '2 hours 13 minutes',
         date_trunc('day', now()) - interval '34 days' + interval '3 hours'),
        (CASE WHEN acme THEN 'Web node web-03' ELSE 'Cloud node ams-1' END, 'degraded_performance',
         date_trunc('day', now()) - interval '34 days' + interval '3 hours',
         date_trunc('day', now()) - interval '34 days' + interval '3 hours 30 minutes'),
        ('DNS', 'degraded_performance',
         date_trunc('day', now()) - interval '11 days' + interval '14 hours',
         date_trunc('day', now()) - interval '11 days' + interval '15 hours 15 minutes'),
        ('Backups', 'under_maintenance',
         date_trunc('day', now()) - interval '20 days' + interval '1 hour',
         date_trunc('day', now()) - interval '20 days' + interval '3 hours'),
        ('Control panel', 'partial_outage',
         date_trunc('day', now()) - interval '3 days' + interval '16 hours 5 minutes',
         date_trunc('day', now()) - interval '3 days' + interval '16 hours 30 minutes');

    FOR crec IN SELECT id, name FROM status_component WHERE NOT is_group LOOP
        cursor_at := t0;
        FOR wrec IN SELECT * FROM seed_window WHERE comp = crec.name ORDER BY s LOOP
            IF wrec.s > cursor_at THEN
                INSERT INTO status_interval (tenant_id, component_id, status, started_at, ended_at)
                VALUES (mp_tenant(), crec.id, 'operational', cursor_at, wrec.s);
            END IF;
            INSERT INTO status_interval (tenant_id, component_id, status, started_at, ended_at)
            VALUES (mp_tenant(), crec.id, wrec.status, wrec.s, wrec.e);
            cursor_at := wrec.e;
        END LOOP;
        INSERT INTO status_interval (tenant_id, component_id, status, started_at)
        VALUES (mp_tenant(), crec.id, 'operational', cursor_at);
    END LOOP;

    -- The incidents that explain those windows.
    INSERT INTO status_incident (tenant_id, name, status, impact, started_at,
        monitoring_at, resolved_at, created_at, updated_at)
    SELECT mp_tenant(), 'Delays sending outbound email', 'resolved', 'minor',
           s, s + interval '2 hours', e, s, e
    FROM seed_window WHERE comp = 'Outbound mail (SMTP)'
    RETURNING id INTO inc;
    INSERT INTO status_incident_component (tenant_id, incident_id, component_id)
    SELECT mp_tenant(), inc, id FROM status_component WHERE name = 'Outbound mail (SMTP)';
    INSERT INTO status_update (tenant_id, incident_id, status, body, created_at, updated_at, display_at)
    SELECT mp_tenant(), inc, u.st, u.body, w.s + u.off, w.s + u.off, w.s + u.off
    FROM seed_window w, (VALUES
        ('investigating', 'Outgoing mail is queueing for up to 40 minutes. We are looking into it.', interval '5 minutes'),
        ('identified', 'A relay lost its reputation with two large mailbox providers; we have moved sending to the standby relays.', interval '55 minutes'),
        ('monitoring', 'The queue is draining. New mail goes out within a minute.', interval '2 hours'),
        ('resolved', 'All queued mail has been delivered.', interval '2 hours 40 minutes')
    ) u (st, body, off)
    WHERE w.comp = 'Outbound mail (SMTP)';

    INSERT INTO status_incident (tenant_id, name, status, impact, started_at,
        monitoring_at, resolved_at, postmortem_body, postmortem_at, created_at, updated_at)
    SELECT mp_tenant(),
           CASE WHEN acme THEN 'Web node web-03 unreachable' ELSE 'Cloud node ams-1 unreachable' END,
           'postmortem', 'major', min(s), min(s) + interval '47 minutes', max(e),
           'A failed top-of-rack switch took the node off the network. Traffic '
           'moved to the redundant switch once it was power-cycled. We have '
           'replaced the switch and added an alert on its link state.',
           max(e) + interval '2 days', min(s), max(e) + interval '2 days'
    FROM seed_window WHERE comp IN ('Web node web-03', 'Cloud node ams-1')
    RETURNING id INTO inc;
    INSERT INTO status_incident_component (tenant_id, incident_id, component_id)
    SELECT mp_tenant(), inc, id FROM status_component
    WHERE name IN ('Web node web-03', 'Cloud node ams-1');
    INSERT INTO status_update (tenant_id, incident_id, status, body, created_at, updated_at, display_at)
    SELECT mp_tenant(), inc, u.st, u.body, x.s + u.off, x.s + u.off, x.s + u.off
    FROM (SELECT min(s) AS s FROM seed_window
          WHERE comp IN ('Web node web-03', 'Cloud node ams-1')) x, (VALUES
        ('investigating', 'Sites on this node are not answering. Engineers are on their way.', interval '4 minutes'),
        ('identified', 'A network switch failed. We are moving the node to the redundant switch.', interval '30 minutes'),
        ('monitoring', 'Sites are back; response times are still elevated while caches warm up.', interval '47 minutes'),
        ('resolved', 'Response times are back to normal.', interval '77 minutes')
    ) u (st, body, off);

    INSERT INTO status_incident (tenant_id, name, status, impact, started_at,
        resolved_at, created_at, updated_at)
    SELECT mp_tenant(), 'Slow DNS answers from one name server', 'resolved', 'minor',
           s, e, s, e FROM seed_window WHERE comp = 'DNS'
    RETURNING id INTO inc;
    INSERT INTO status_incident_component (tenant_id, incident_id, component_id)
    SELECT mp_tenant(), inc, id FROM status_component WHERE name = 'DNS';
    INSERT INTO status_update (tenant_id, incident_id, status, body, created_at, updated_at, display_at)
    SELECT mp_tenant(), inc, u.st, u.body, w.s + u.off, w.s + u.off, w.s + u.off
    FROM seed_window w, (VALUES
        ('investigating', 'Some lookups take several seconds.', interval '3 minutes'),
        ('resolved', 'A misbehaving resolver upstream of ns2 was taken out of rotation.', interval '75 minutes')
    ) u (st, body, off)
    WHERE w.comp = 'DNS';

    INSERT INTO status_incident (tenant_id, name, status, impact, started_at,
        resolved_at, created_at, updated_at)
    SELECT mp_tenant(), 'Errors signing in to the control panel', 'resolved', 'minor',
           s, e, s, e FROM seed_window WHERE comp = 'Control panel'
    RETURNING id INTO inc;
    INSERT INTO status_incident_component (tenant_id, incident_id, component_id)
    SELECT mp_tenant(), inc, id FROM status_component WHERE name = 'Control panel';
    INSERT INTO status_update (tenant_id, incident_id, status, body, created_at, updated_at, display_at)
    SELECT mp_tenant(), inc, u.st, u.body, w.s + u.off, w.s + u.off, w.s + u.off
    FROM seed_window w, (VALUES
        ('investigating', 'About one sign-in in three fails with an error page.', interval '2 minutes'),
        ('identified', 'A configuration change to the session store was rolled back.', interval '18 minutes'),
        ('resolved', 'Sign-ins work again. Nobody needs to reset a password.', interval '25 minutes')
    ) u (st, body, off)
    WHERE w.comp = 'Control panel';

    -- The past maintenance on backups, completed.
    INSERT INTO status_incident (tenant_id, kind, name, status, impact, started_at,
        resolved_at, scheduled_for, scheduled_until, created_at, updated_at)
    SELECT mp_tenant(), 'maintenance', 'Backup storage migration', 'completed',
           'none', s, e, s, e, s - interval '7 days', e
    FROM seed_window WHERE comp = 'Backups'
    RETURNING id INTO inc;
    INSERT INTO status_incident_component (tenant_id, incident_id, component_id)
    SELECT mp_tenant(), inc, id FROM status_component WHERE name = 'Backups';
    INSERT INTO status_update (tenant_id, incident_id, status, body, created_at, updated_at, display_at)
    SELECT mp_tenant(), inc, u.st, u.body, u.at, u.at, u.at
    FROM seed_window w, LATERAL (VALUES
        ('scheduled', 'We are moving backup storage to new hardware. Backups will not run during the window; existing backups stay available for restore afterwards.', w.s - interval '7 days'),
        ('in_progress', 'The migration has started.', w.s),
        ('completed', 'The migration is complete and backups run again.', w.e)
    ) u (st, body, at)
    WHERE w.comp = 'Backups';

    -- The upcoming maintenance: moves by itself at its times.
    INSERT INTO status_incident (tenant_id, kind, name, status, impact, started_at,
        scheduled_for, scheduled_until, created_at, updated_at)
    VALUES (mp_tenant(), 'maintenance', 'Mail server software upgrade', 'scheduled',
            'none', date_trunc('day', now()) + interval '6 days 2 hours',
            date_trunc('day', now()) + interval '6 days 2 hours',
            date_trunc('day', now()) + interval '6 days 4 hours',
            now() - interval '1 day', now() - interval '1 day')
    RETURNING id INTO inc;
    INSERT INTO status_incident_component (tenant_id, incident_id, component_id)
    SELECT mp_tenant(), inc, id FROM status_component
    WHERE name IN ('Mailboxes (IMAP/POP3)', 'Outbound mail (SMTP)');
    INSERT INTO status_update (tenant_id, incident_id, status, body, created_at, updated_at, display_at)
    VALUES (mp_tenant(), inc, 'scheduled',
            'We will upgrade the mail servers. Mail may be delayed by up to 15 minutes; nothing is lost.',
            now() - interval '1 day', now() - interval '1 day', now() - interval '1 day');

    INSERT INTO status_template (tenant_id, name, title, body, status, impact)
    VALUES (mp_tenant(), 'Node unreachable', 'Hosting node unreachable',
            'Sites on one hosting node are not answering. We are investigating.',
            'investigating', 'major'),
           (mp_tenant(), 'Mail delays', 'Delays delivering email',
            'Some mail is delayed. Nothing is lost; we are working on it.',
            'investigating', 'minor');

    PERFORM status_rollup((now() AT TIME ZONE 'Etc/UTC')::date - 95,
                          (now() AT TIME ZONE 'Etc/UTC')::date - 1, 'Etc/UTC');
END $$;
