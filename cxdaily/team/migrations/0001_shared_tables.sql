-- Team mode's shared tables, in the schema "cxdaily" (made by `cxdaily team init`).
-- Every row that belongs to a leader carries leader_role, the database role that wrote
-- it (current_user by default): row-level security lets a leader read the team's rows
-- and change only their own.

CREATE TABLE cxdaily.members (
    leader_role name PRIMARY KEY DEFAULT current_user,
    member      text NOT NULL,
    seen_at     timestamptz NOT NULL DEFAULT now()
);

-- Who is answering what: one row per question, won by an atomic insert.
CREATE TABLE cxdaily.claims (
    question_key text PRIMARY KEY,
    leader_role  name NOT NULL DEFAULT current_user,
    member       text NOT NULL,
    question_id  text NOT NULL,
    claimed_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX claims_expires_at ON cxdaily.claims (expires_at);

-- Questions a leader answered: every leader's batch leaves them out.
CREATE TABLE cxdaily.sent (
    question_key text PRIMARY KEY,
    leader_role  name NOT NULL DEFAULT current_user,
    member       text NOT NULL,
    question_id  text NOT NULL,
    reply_id     text NOT NULL,
    sent_at      timestamptz NOT NULL
);
CREATE INDEX sent_sent_at ON cxdaily.sent (sent_at);

CREATE TABLE cxdaily.insights (
    leader_role  name NOT NULL DEFAULT current_user,
    id           text NOT NULL,
    member       text NOT NULL,
    question_key text,
    created_at   timestamptz NOT NULL,
    team         text,
    tags         text[] NOT NULL,
    record       jsonb NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (leader_role, id)
);
CREATE INDEX insights_created_at ON cxdaily.insights (created_at);

CREATE TABLE cxdaily.handoffs (
    leader_role     name NOT NULL DEFAULT current_user,
    id              text NOT NULL,
    member          text NOT NULL,
    question_key    text NOT NULL,
    question_id     text NOT NULL,
    channel         text NOT NULL,
    customer_name   text,
    customer_handle text,
    team            text,
    note            text,
    handed_at       timestamptz NOT NULL,
    PRIMARY KEY (leader_role, id)
);
CREATE INDEX handoffs_handed_at ON cxdaily.handoffs (handed_at);

-- The team's shared taxonomy (tags, areas, teams), one document, kept by the administrator.
CREATE TABLE cxdaily.taxonomy (
    id         integer PRIMARY KEY CHECK (id = 1),
    document   jsonb NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- Row-level security, forced so that even a member of the owning role is held to it.
ALTER TABLE cxdaily.members ENABLE ROW LEVEL SECURITY;
ALTER TABLE cxdaily.members FORCE ROW LEVEL SECURITY;
ALTER TABLE cxdaily.claims ENABLE ROW LEVEL SECURITY;
ALTER TABLE cxdaily.claims FORCE ROW LEVEL SECURITY;
ALTER TABLE cxdaily.sent ENABLE ROW LEVEL SECURITY;
ALTER TABLE cxdaily.sent FORCE ROW LEVEL SECURITY;
ALTER TABLE cxdaily.insights ENABLE ROW LEVEL SECURITY;
ALTER TABLE cxdaily.insights FORCE ROW LEVEL SECURITY;
ALTER TABLE cxdaily.handoffs ENABLE ROW LEVEL SECURITY;
ALTER TABLE cxdaily.handoffs FORCE ROW LEVEL SECURITY;
ALTER TABLE cxdaily.taxonomy ENABLE ROW LEVEL SECURITY;

CREATE POLICY members_read ON cxdaily.members FOR SELECT USING (true);
CREATE POLICY members_add ON cxdaily.members FOR INSERT WITH CHECK (leader_role = current_user);
CREATE POLICY members_change ON cxdaily.members FOR UPDATE
    USING (leader_role = current_user) WITH CHECK (leader_role = current_user);

CREATE POLICY claims_read ON cxdaily.claims FOR SELECT USING (true);
CREATE POLICY claims_add ON cxdaily.claims FOR INSERT WITH CHECK (leader_role = current_user);
CREATE POLICY claims_change ON cxdaily.claims FOR UPDATE
    USING (leader_role = current_user) WITH CHECK (leader_role = current_user);
-- A leader removes their own claim (release), or anyone's claim once it has expired.
CREATE POLICY claims_remove ON cxdaily.claims FOR DELETE
    USING (leader_role = current_user OR expires_at <= now());

CREATE POLICY sent_read ON cxdaily.sent FOR SELECT USING (true);
CREATE POLICY sent_add ON cxdaily.sent FOR INSERT WITH CHECK (leader_role = current_user);
CREATE POLICY sent_change ON cxdaily.sent FOR UPDATE
    USING (leader_role = current_user) WITH CHECK (leader_role = current_user);

CREATE POLICY insights_read ON cxdaily.insights FOR SELECT USING (true);
CREATE POLICY insights_add ON cxdaily.insights FOR INSERT
    WITH CHECK (leader_role = current_user);
CREATE POLICY insights_change ON cxdaily.insights FOR UPDATE
    USING (leader_role = current_user) WITH CHECK (leader_role = current_user);
CREATE POLICY insights_remove ON cxdaily.insights FOR DELETE
    USING (leader_role = current_user);

CREATE POLICY handoffs_read ON cxdaily.handoffs FOR SELECT USING (true);
CREATE POLICY handoffs_add ON cxdaily.handoffs FOR INSERT
    WITH CHECK (leader_role = current_user);
CREATE POLICY handoffs_change ON cxdaily.handoffs FOR UPDATE
    USING (leader_role = current_user) WITH CHECK (leader_role = current_user);
CREATE POLICY handoffs_remove ON cxdaily.handoffs FOR DELETE
    USING (leader_role = current_user);

CREATE POLICY taxonomy_read ON cxdaily.taxonomy FOR SELECT USING (true);

GRANT SELECT, INSERT, UPDATE ON cxdaily.members TO cxdaily_leader;
GRANT SELECT, INSERT, UPDATE, DELETE ON cxdaily.claims TO cxdaily_leader;
GRANT SELECT, INSERT, UPDATE ON cxdaily.sent TO cxdaily_leader;
GRANT SELECT, INSERT, UPDATE, DELETE ON cxdaily.insights TO cxdaily_leader;
GRANT SELECT, INSERT, UPDATE, DELETE ON cxdaily.handoffs TO cxdaily_leader;
GRANT SELECT ON cxdaily.taxonomy TO cxdaily_leader;
