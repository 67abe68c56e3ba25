-- Rights by module (issue 20): a grant names the one module it reaches (limits, planning,
-- staffing, plans, treasury, reports, oversight, open_budget, configuration), or none: every
-- module. The grants made before keep reaching every module. Keep in step with
-- ../postgres/0039_grant_modules.sql.
ALTER TABLE role_grants ADD COLUMN module TEXT;
