-- Notification preferences, one unsubscribe system (opt-outs with their evidence), phone verification, digests and the newsletter.

-- What each user wants, per category: the channels and how often.  Push
-- and in-app are stored for later.  Security notices cannot be switched
-- off (one delivered channel, always instant); billing receipts are
-- transactional mail and never look here.
CREATE TABLE notification_preferences (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    user_id     bigint NOT NULL,
    category    text NOT NULL
                CHECK (category IN ('billing', 'support', 'marketing', 'security', 'product')),
    email       boolean NOT NULL,
    sms         boolean NOT NULL DEFAULT false,
    push        boolean NOT NULL DEFAULT false,
    in_app      boolean NOT NULL DEFAULT true,
    frequency   text NOT NULL DEFAULT 'instant'
                CHECK (frequency IN ('instant', 'daily', 'weekly', 'never')),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id, category),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
    CONSTRAINT security_stays_on
        CHECK (category <> 'security' OR (frequency = 'instant' AND (email OR sms)))
);

-- A user's phone number for SMS, and whether a code proved it.
CREATE TABLE notification_phone (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    user_id      bigint NOT NULL,
    phone        text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    verified_at  timestamptz,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, user_id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX notification_phone_number ON notification_phone (tenant_id, phone)
    WHERE verified_at IS NOT NULL;

-- One row per verification code sent: only a salted hash of the code.
CREATE TABLE phone_verification (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    id           bigint GENERATED ALWAYS AS IDENTITY,
    user_id      bigint NOT NULL,
    phone        text NOT NULL CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    country_code text NOT NULL CHECK (country_code ~ '^[1-9][0-9]{0,2}$'),
    ip           inet,
    salt         text NOT NULL,
    code_hash    text NOT NULL CHECK (code_hash ~ '^[0-9a-f]{64}$'),
    attempts     integer NOT NULL DEFAULT 0,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz,
    PRIMARY KEY (tenant_id, id),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX phone_verification_user ON phone_verification (tenant_id, user_id, created_at DESC);
CREATE INDEX phone_verification_phone ON phone_verification (tenant_id, phone, created_at);
CREATE INDEX phone_verification_ip ON phone_verification (tenant_id, ip, created_at);
CREATE INDEX phone_verification_cc ON phone_verification (tenant_id, country_code, created_at);

-- The evidence: every opt-out (and opt-in again) with its source, time and
-- the message it came from.  Append-only.
CREATE TABLE optout_event (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    id          bigint GENERATED ALWAYS AS IDENTITY,
    action      text NOT NULL CHECK (action IN ('out', 'in')),
    channel     text NOT NULL CHECK (channel IN ('email', 'sms')),
    address     text NOT NULL CHECK (address = lower(address) AND length(address) <= 254),
    category    text NOT NULL CHECK (category ~ '^[a-z][a-z0-9_-]{0,31}$'),
    source      text NOT NULL
                CHECK (source IN ('one-click', 'page', 'mailto', 'bounce', 'complaint',
                                  'admin', 'preferences', 'stop', 'api', 'confirm')),
    message_id  text CHECK (length(message_id) <= 300),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX optout_event_recent ON optout_event (tenant_id, created_at DESC);

-- Opt-outs may now come from the preference pages, an SMS STOP or the API.
ALTER TABLE notification_optout DROP CONSTRAINT notification_optout_source_check;
ALTER TABLE notification_optout ADD CONSTRAINT notification_optout_source_check
    CHECK (source IN ('one-click', 'page', 'mailto', 'bounce', 'complaint', 'admin',
                      'preferences', 'stop', 'api'));

-- Mail of a daily or weekly category waits ('held') for its digest.
ALTER TABLE notification DROP CONSTRAINT notification_state_check;
ALTER TABLE notification ADD CONSTRAINT notification_state_check
    CHECK (state IN ('queued', 'sending', 'sent', 'delivered', 'bounced', 'failed',
                     'suppressed', 'expired', 'held', 'digested'));
ALTER TABLE notification ADD COLUMN digest_due timestamptz;
ALTER TABLE notification ADD COLUMN digest_category text;
ALTER TABLE notification ADD COLUMN digest_period text CHECK (digest_period IN ('daily', 'weekly'));
CREATE INDEX notification_held ON notification (tenant_id, digest_due) WHERE state = 'held';
CREATE INDEX notification_recipient ON notification (tenant_id, recipient, created_at DESC);
ALTER TABLE notification_event DROP CONSTRAINT notification_event_kind_check;
ALTER TABLE notification_event ADD CONSTRAINT notification_event_kind_check
    CHECK (kind IN ('queued', 'attempt', 'sent', 'retry', 'delivered', 'bounced',
                    'failed', 'suppressed', 'expired', 'paused', 'sms_callback',
                    'open', 'click', 'unsubscribe', 'requeued', 'held', 'digested'));

-- Newsletter subscribers: double opt-in, where they came from.
CREATE TABLE newsletter_subscriber (
    tenant_id       bigint NOT NULL REFERENCES tenants (id),
    id              bigint GENERATED ALWAYS AS IDENTITY,
    email           text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    name            text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    source          text NOT NULL DEFAULT 'website' CHECK (source ~ '^[a-z0-9][a-z0-9_.-]{0,63}$'),
    state           text NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'confirmed', 'unsubscribed')),
    confirm_hash    text CHECK (confirm_hash ~ '^[0-9a-f]{64}$'),
    confirm_sent_at timestamptz NOT NULL DEFAULT now(),
    confirmed_at    timestamptz,
    unsubscribed_at timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, email),
    UNIQUE (tenant_id, confirm_hash)
);

-- Issues of the newsletter: markdown, its rendering, and whether sent.
CREATE TABLE newsletter_issue (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    id          bigint GENERATED ALWAYS AS IDENTITY,
    public_id   text NOT NULL CHECK (public_id ~ '^[A-Za-z0-9_-]{16,64}$'),
    subject     text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
    body_md     text NOT NULL CHECK (length(body_md) BETWEEN 1 AND 100000),
    body_html   text NOT NULL,
    created_by  bigint,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    recipients  integer,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, public_id)
);

-- Per-IP counters of the public endpoints (newsletter, unsubscribe).
CREATE TABLE prefs_rate (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    id          bigint GENERATED ALWAYS AS IDENTITY,
    bucket      text NOT NULL CHECK (bucket ~ '^[a-z_]{1,32}$'),
    ip          inet NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX prefs_rate_ip ON prefs_rate (tenant_id, bucket, ip, created_at);

DO $$
DECLARE t text;
BEGIN
    FOREACH t IN ARRAY ARRAY['notification_preferences', 'notification_phone',
        'phone_verification', 'optout_event', 'newsletter_subscriber',
        'newsletter_issue', 'prefs_rate']
    LOOP
        EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
        EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', t);
        EXECUTE format('CREATE POLICY tenant_isolation ON %I'
            ' USING (tenant_id = (SELECT mp_tenant()))'
            ' WITH CHECK (tenant_id = (SELECT mp_tenant()))', t);
    END LOOP;
END $$;
GRANT SELECT, INSERT, UPDATE ON notification_preferences, notification_phone,
    phone_verification, newsletter_subscriber, newsletter_issue TO mpanel_app;
GRANT SELECT, INSERT, DELETE ON prefs_rate TO mpanel_app;
GRANT SELECT, INSERT ON optout_event TO mpanel_app;

-- The evidence log is append-only.
CREATE FUNCTION optout_event_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'optout_event is append-only';
END $$;
CREATE TRIGGER optout_event_frozen BEFORE UPDATE OR DELETE ON optout_event
    FOR EACH ROW EXECUTE FUNCTION optout_event_frozen();
CREATE TRIGGER optout_event_no_truncate BEFORE TRUNCATE ON optout_event
    FOR EACH STATEMENT EXECUTE FUNCTION optout_event_frozen();

-- Defaults with the account: every new user gets the five rows.
CREATE FUNCTION prefs_defaults() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO notification_preferences (tenant_id, user_id, category, email)
    VALUES (NEW.tenant_id, NEW.id, 'billing', true),
           (NEW.tenant_id, NEW.id, 'support', true),
           (NEW.tenant_id, NEW.id, 'marketing', false),
           (NEW.tenant_id, NEW.id, 'security', true),
           (NEW.tenant_id, NEW.id, 'product', true)
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER users_prefs_defaults AFTER INSERT ON users
    FOR EACH ROW EXECUTE FUNCTION prefs_defaults();
INSERT INTO notification_preferences (tenant_id, user_id, category, email)
SELECT u.tenant_id, u.id, c.category, c.category <> 'marketing'
  FROM users u CROSS JOIN (VALUES ('billing'), ('support'), ('marketing'),
                                  ('security'), ('product')) AS c (category)
ON CONFLICT DO NOTHING;

-- The preference category a mail category belongs to: status, marketing
-- (newsletter), product (surveys, drips, onboarding), support, billing,
-- security; NULL for transactional mail; other names stand for themselves.
-- A digest ("digest-<category>") belongs to its category.
CREATE FUNCTION mp_pref_category(p_category text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN c = 'transactional' THEN NULL
        WHEN c IN ('security', 'account') THEN 'security'
        WHEN c IN ('billing', 'invoice', 'invoices') THEN 'billing'
        WHEN c IN ('support', 'ticket', 'tickets') THEN 'support'
        WHEN c IN ('marketing', 'newsletter', 'announcements', 'promotions')
            THEN 'marketing'
        WHEN c IN ('product', 'survey', 'surveys', 'drip', 'drips', 'onboarding')
            THEN 'product'
        WHEN c IN ('status', 'status-updates') THEN 'status'
        ELSE c END
      FROM (SELECT CASE WHEN p_category LIKE 'digest-%' THEN substr(p_category, 8)
                        ELSE p_category END) AS d (c)
$$;
GRANT EXECUTE ON FUNCTION mp_pref_category(text) TO mpanel_app;

-- THE decision, made in one place for every sender and re-made by the
-- worker when it claims the message: 'send', 'suppress', or 'daily' /
-- 'weekly' (hold for that digest).  In order: a suppressed address
-- (bounce, complaint, STOP) gets nothing; transactional mail always goes;
-- security mail goes unless the user moved it to another channel they
-- can receive; an opt-out of the category (or of everything) stops it;
-- then the user's choice of channel and frequency.  A digest is never
-- held again.  The user is p_user, else the user with that address (the
-- verified phone for SMS).
CREATE FUNCTION mp_notify_decision(p_channel text, p_address text, p_category text,
    p_user bigint) RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
    cat  text := mp_pref_category(p_category);
    uid  bigint := p_user;
    pref notification_preferences%ROWTYPE;
    verified boolean;
BEGIN
    IF EXISTS (SELECT 1 FROM notification_suppression s
                WHERE s.tenant_id = mp_tenant() AND s.channel = p_channel
                  AND s.address = lower(p_address)) THEN
        RETURN 'suppress';
    END IF;
    IF cat IS NULL THEN
        RETURN 'send';
    END IF;
    IF uid IS NULL AND p_channel = 'email' THEN
        SELECT u.id INTO uid FROM users u
         WHERE u.tenant_id = mp_tenant() AND u.email = lower(p_address);
    ELSIF uid IS NULL THEN
        SELECT p.user_id INTO uid FROM notification_phone p
         WHERE p.tenant_id = mp_tenant() AND p.phone = p_address
           AND p.verified_at IS NOT NULL LIMIT 1;
    END IF;
    IF uid IS NOT NULL AND cat IN ('billing', 'support', 'marketing', 'security', 'product') THEN
        SELECT * INTO pref FROM notification_preferences n
         WHERE n.tenant_id = mp_tenant() AND n.user_id = uid AND n.category = cat;
    END IF;
    IF cat = 'security' THEN
        IF pref.user_id IS NULL THEN
            RETURN CASE WHEN p_channel = 'email' THEN 'send' ELSE 'suppress' END;
        END IF;
        SELECT p.verified_at IS NOT NULL INTO verified FROM notification_phone p
         WHERE p.tenant_id = mp_tenant() AND p.user_id = uid;
        IF p_channel = 'email' THEN
            RETURN CASE WHEN pref.email OR NOT (pref.sms AND coalesce(verified, false))
                        THEN 'send' ELSE 'suppress' END;
        END IF;
        RETURN CASE WHEN pref.sms AND coalesce(verified, false) THEN 'send'
                    ELSE 'suppress' END;
    END IF;
    IF EXISTS (SELECT 1 FROM notification_optout o
                WHERE o.tenant_id = mp_tenant() AND o.channel = p_channel
                  AND o.address = lower(p_address)
                  AND o.category IN (p_category, cat, 'all')) THEN
        RETURN 'suppress';
    END IF;
    IF pref.user_id IS NULL THEN
        RETURN 'send';
    END IF;
    IF pref.frequency = 'never'
       OR (p_channel = 'email' AND NOT pref.email)
       OR (p_channel = 'sms' AND NOT pref.sms) THEN
        RETURN 'suppress';
    END IF;
    IF pref.frequency IN ('daily', 'weekly') AND p_channel = 'email'
       AND p_category NOT LIKE 'digest-%' THEN
        RETURN pref.frequency;
    END IF;
    RETURN 'send';
END $$;
GRANT EXECUTE ON FUNCTION mp_notify_decision(text, text, text, bigint) TO mpanel_app;

-- The yes/no form every existing caller uses (held mail counts as yes).
CREATE OR REPLACE FUNCTION mp_should_notify(p_channel text, p_address text, p_category text)
RETURNS boolean LANGUAGE sql STABLE AS $$
    SELECT mp_notify_decision(p_channel, p_address, p_category, NULL) <> 'suppress'
$$;

-- When a held mail's digest is due: the end of its UTC day or ISO week.
CREATE FUNCTION mp_digest_due(p_frequency text, p_at timestamptz) RETURNS timestamptz
LANGUAGE sql IMMUTABLE AS $$
    SELECT CASE p_frequency
        WHEN 'daily' THEN (date_trunc('day', p_at AT TIME ZONE 'UTC') + interval '1 day')
                          AT TIME ZONE 'UTC'
        ELSE (date_trunc('week', p_at AT TIME ZONE 'UTC') + interval '7 days')
             AT TIME ZONE 'UTC' END
$$;
GRANT EXECUTE ON FUNCTION mp_digest_due(text, timestamptz) TO mpanel_app;

-- Every list follows an opt-out at once: an email opt-out of status mail
-- ends the status subscription, one of marketing ends the newsletter
-- subscription ("all" ends both).
CREATE FUNCTION optout_lists() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.channel = 'email' AND NEW.category IN ('status', 'all') THEN
        DELETE FROM status_subscriber
         WHERE tenant_id = NEW.tenant_id AND email = NEW.address;
    END IF;
    IF NEW.channel = 'email' AND NEW.category IN ('marketing', 'newsletter', 'all') THEN
        UPDATE newsletter_subscriber SET state = 'unsubscribed', unsubscribed_at = now(),
               confirm_hash = NULL
         WHERE tenant_id = NEW.tenant_id AND email = NEW.address
           AND state <> 'unsubscribed';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER notification_optout_lists AFTER INSERT ON notification_optout
    FOR EACH ROW EXECUTE FUNCTION optout_lists();

-- Confirming a status subscription again is an opt-in: the old opt-out goes.
CREATE FUNCTION status_subscriber_optin() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.confirmed_at IS NOT NULL AND OLD.confirmed_at IS NULL THEN
        DELETE FROM notification_optout
         WHERE tenant_id = NEW.tenant_id AND channel = 'email'
           AND address = lower(NEW.email) AND category = 'status';
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER status_subscriber_optin AFTER UPDATE OF confirmed_at ON status_subscriber
    FOR EACH ROW EXECUTE FUNCTION status_subscriber_optin();
