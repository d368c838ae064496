-- Surveys: CSAT after support, quarterly NPS, per-tenant wording, answers
-- reached from mail by a hashed token, and the follow-up of low scores.
-- Every table is tenant-owned and behind row-level security.

-- One row per tenant, optional: the delay of CSAT mail after the request
-- that asks for it, and whether the quarterly NPS campaign runs.
CREATE TABLE survey_settings (
    tenant_id      bigint NOT NULL REFERENCES tenants (id),
    csat_delay     integer NOT NULL DEFAULT 86400
                   CHECK (csat_delay BETWEEN 0 AND 2592000),
    nps_quarterly  boolean NOT NULL DEFAULT false,
    updated_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id)
);
ALTER TABLE survey_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE survey_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON survey_settings
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
GRANT SELECT, INSERT, UPDATE ON survey_settings TO mpanel_app;

-- A tenant's wording of the question of a type, and for product and
-- onboarding its scale (CSAT types are 1-5 and NPS 0-10 always).
CREATE TABLE survey_question (
    tenant_id   bigint NOT NULL REFERENCES tenants (id),
    type        text NOT NULL
                CHECK (type IN ('csat', 'support_ticket', 'nps', 'product', 'onboarding')),
    question    text NOT NULL CHECK (length(question) BETWEEN 1 AND 300),
    scale_min   smallint NOT NULL,
    scale_max   smallint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tenant_id, type),
    CHECK (CASE type WHEN 'nps' THEN scale_min = 0 AND scale_max = 10
                     WHEN 'csat' THEN scale_min = 1 AND scale_max = 5
                     WHEN 'support_ticket' THEN scale_min = 1 AND scale_max = 5
                     ELSE scale_min IN (0, 1) AND scale_max BETWEEN 3 AND 10 END)
);
ALTER TABLE survey_question ENABLE ROW LEVEL SECURITY;
ALTER TABLE survey_question FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON survey_question
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
GRANT SELECT, INSERT, UPDATE, DELETE ON survey_question TO mpanel_app;

-- The question and scale of a type for the current tenant: its own wording,
-- else the default.
CREATE FUNCTION survey_question_of(p_type text,
    OUT question text, OUT scale_min smallint, OUT scale_max smallint)
LANGUAGE sql STABLE AS $$
    SELECT coalesce(q.question, d.question), coalesce(q.scale_min, d.lo),
           coalesce(q.scale_max, d.hi)
      FROM (VALUES
        ('csat', 'How satisfied are you with the help you received?', 1::smallint, 5::smallint),
        ('support_ticket', 'How satisfied are you with how your ticket was handled?', 1, 5),
        ('nps', 'How likely are you to recommend us to a friend or colleague?', 0, 10),
        ('product', 'How satisfied are you with our service?', 1, 5),
        ('onboarding', 'How easy was it to get started with us?', 1, 5)
      ) AS d (type, question, lo, hi)
      LEFT JOIN survey_question q ON q.type = d.type
     WHERE d.type = p_type
$$;
GRANT EXECUTE ON FUNCTION survey_question_of(text) TO mpanel_app;

-- One survey sent to one person.  The token of its link is stored as its
-- SHA-256 only; the question and scale are kept as they were asked.  An
-- answer is recorded once: responded_at goes from NULL to a time in one
-- UPDATE ... WHERE responded_at IS NULL.
CREATE TABLE survey (
    tenant_id        bigint NOT NULL REFERENCES tenants (id),
    id               bigint GENERATED ALWAYS AS IDENTITY,
    public_id        text NOT NULL CHECK (public_id ~ '^[A-Za-z0-9_-]{16,64}$'),
    token_hash       text NOT NULL CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    type             text NOT NULL
                     CHECK (type IN ('csat', 'support_ticket', 'nps', 'product', 'onboarding')),
    user_id          bigint,
    email            text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    reference        text CHECK (length(reference) <= 200),
    campaign         text CHECK (campaign ~ '^nps-[0-9]{4}-Q[1-4]$'),
    question         text NOT NULL CHECK (length(question) BETWEEN 1 AND 300),
    scale_min        smallint NOT NULL,
    scale_max        smallint NOT NULL,
    created_by       bigint,
    created_at       timestamptz NOT NULL DEFAULT now(),
    send_at          timestamptz NOT NULL,
    expires_at       timestamptz NOT NULL,
    notification_id  text,
    responded_at     timestamptz,
    score            smallint,
    comment          text CHECK (length(comment) <= 2000),
    followup         text NOT NULL DEFAULT 'none' CHECK (followup IN ('none', 'open', 'done')),
    followup_note    text CHECK (length(followup_note) <= 2000),
    followup_by      bigint,
    followup_at      timestamptz,
    PRIMARY KEY (tenant_id, id),
    UNIQUE (tenant_id, public_id),
    UNIQUE (tenant_id, token_hash),
    -- one survey per customer and NPS campaign (quarter): a campaign run
    -- twice sends nothing new
    UNIQUE (tenant_id, user_id, campaign),
    FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id),
    CHECK (scale_min < scale_max),
    CHECK (expires_at > send_at),
    CHECK ((responded_at IS NULL) = (score IS NULL)),
    CHECK (score IS NULL OR score BETWEEN scale_min AND scale_max),
    CHECK (comment IS NULL OR responded_at IS NOT NULL)
);
CREATE INDEX survey_send ON survey (tenant_id, send_at);
CREATE INDEX survey_user ON survey (tenant_id, user_id, type, created_at);
CREATE INDEX survey_email ON survey (tenant_id, email);
CREATE INDEX survey_followup ON survey (tenant_id, followup, responded_at)
    WHERE followup <> 'none';
ALTER TABLE survey ENABLE ROW LEVEL SECURITY;
ALTER TABLE survey FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON survey
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
GRANT SELECT, INSERT, UPDATE ON survey TO mpanel_app;

-- The quarterly NPS campaigns a tenant's scheduled job has run.
CREATE TABLE survey_campaign (
    tenant_id    bigint NOT NULL REFERENCES tenants (id),
    campaign     text NOT NULL CHECK (campaign ~ '^nps-[0-9]{4}-Q[1-4]$'),
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    sent         integer NOT NULL DEFAULT 0,
    PRIMARY KEY (tenant_id, campaign)
);
ALTER TABLE survey_campaign ENABLE ROW LEVEL SECURITY;
ALTER TABLE survey_campaign FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON survey_campaign
    USING (tenant_id = (SELECT mp_tenant()))
    WITH CHECK (tenant_id = (SELECT mp_tenant()));
GRANT SELECT, INSERT, UPDATE ON survey_campaign TO mpanel_app;
