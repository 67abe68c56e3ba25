-- Budget programs go to the national open-budgets portal when their passport or report is
-- published (issue 6, BP-14): the portal's id, or why it was not taken (sent again on request).
-- Keep in step with ../sqlite/0026_open_budget_portal.sql.
ALTER TABLE ob_documents ADD COLUMN portal_id TEXT;
ALTER TABLE ob_documents ADD COLUMN portal_error TEXT;
