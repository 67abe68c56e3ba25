-- The open budget (issue 6, OB-1…OB-5; seed 003, order No. 176-НҚ): documents in public
-- discussion, the proposals to them, the votes, and the sessions of people signed in with
-- their electronic signature to vote and propose. Keep in step with ../postgres/0024_open_budget.sql.
CREATE TABLE ob_documents (
    id BIGINT PRIMARY KEY,
    kind TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    abp TEXT NOT NULL,
    program TEXT NOT NULL,
    year BIGINT NOT NULL,
    title_ru TEXT NOT NULL,
    title_kk TEXT NOT NULL,
    summary_ru TEXT NOT NULL,
    summary_kk TEXT NOT NULL,
    head TEXT NOT NULL,
    budget_kind TEXT NOT NULL,
    figures_json TEXT NOT NULL,
    published_by TEXT NOT NULL,
    published_on DATE NOT NULL,
    ends_on DATE NOT NULL,
    final_json TEXT,
    final_made_on DATE
);
CREATE TABLE ob_proposals (
    id BIGINT PRIMARY KEY,
    document_id BIGINT NOT NULL REFERENCES ob_documents(id),
    part TEXT NOT NULL,
    text TEXT NOT NULL,
    author_iin TEXT NOT NULL,
    author_name TEXT NOT NULL,
    submitted_on DATE NOT NULL,
    status TEXT NOT NULL,
    moderated_by TEXT,
    moderated_on DATE,
    moderation_reason TEXT,
    accepted BOOLEAN,
    answer TEXT,
    answered_by TEXT,
    answered_on DATE
);
-- One vote a person on a document (proposal_id 0) or on a proposal.
CREATE TABLE ob_votes (
    document_id BIGINT NOT NULL REFERENCES ob_documents(id),
    proposal_id BIGINT NOT NULL,
    voter_iin TEXT NOT NULL,
    in_favour BOOLEAN NOT NULL,
    voted_at TEXT NOT NULL,
    PRIMARY KEY (document_id, proposal_id, voter_iin)
);
CREATE TABLE ob_sessions (
    token_hash TEXT PRIMARY KEY,
    iin TEXT NOT NULL,
    full_name TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
