-- The development budget (issue 25; DB-1, DB-2, P-14). Keep in step with the other engine's 0058.
--
-- The register of budget investment projects: each with its identifier (МИЖ, a digital code
-- generated once and never changed: the first year and a number of the year), its
-- administrator, program and subprogram, sphere, kind, state, territory (KATO), dates and
-- total cost in tiyn; its financing by year and source (republican transfers, local money);
-- and its construction objects.
CREATE TABLE investment_projects (
    id BIGINT PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name_ru TEXT NOT NULL,
    name_kk TEXT NOT NULL,
    admin_org_id BIGINT NOT NULL REFERENCES orgs(id),
    program TEXT NOT NULL,
    subprogram TEXT NOT NULL,
    sphere TEXT NOT NULL,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    kato TEXT NOT NULL,
    starts_on TEXT NOT NULL,
    ends_on TEXT NOT NULL,
    total_cost BIGINT NOT NULL,
    created_at TEXT NOT NULL,
    version BIGINT NOT NULL
);
CREATE INDEX investment_projects_admin ON investment_projects (admin_org_id);
CREATE TABLE investment_project_financing (
    project_id BIGINT NOT NULL REFERENCES investment_projects(id),
    year BIGINT NOT NULL,
    source TEXT NOT NULL,
    amount BIGINT NOT NULL,
    PRIMARY KEY (project_id, year, source)
);
CREATE TABLE investment_project_objects (
    id BIGINT PRIMARY KEY,
    project_id BIGINT NOT NULL REFERENCES investment_projects(id),
    name_ru TEXT NOT NULL,
    name_kk TEXT NOT NULL,
    kato TEXT NOT NULL,
    cost BIGINT NOT NULL
);
CREATE INDEX investment_project_objects_project ON investment_project_objects (project_id);
-- The procurement portal's plan points and contracts of a customer (by its BIN), as the
-- portal gave them (its ids), amounts in tiyn; a contract may be linked to a project.
CREATE TABLE procurement_plan_points (
    id BIGINT PRIMARY KEY,
    customer_bin TEXT NOT NULL,
    year BIGINT NOT NULL,
    abp_code BIGINT,
    name_ru TEXT NOT NULL,
    name_kz TEXT NOT NULL,
    enstru_code TEXT NOT NULL,
    units_code TEXT NOT NULL,
    quantity TEXT NOT NULL,
    price BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    month BIGINT NOT NULL,
    finsource_id BIGINT NOT NULL,
    plan_act_number TEXT NOT NULL,
    active BOOLEAN NOT NULL,
    loaded_at TEXT NOT NULL
);
CREATE INDEX procurement_plan_points_customer ON procurement_plan_points (customer_bin, year);
CREATE TABLE procurement_contracts (
    id BIGINT PRIMARY KEY,
    customer_bin TEXT NOT NULL,
    fin_year BIGINT NOT NULL,
    contract_number TEXT NOT NULL,
    contract_number_sys TEXT NOT NULL,
    trd_buy_number_anno TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_kz TEXT NOT NULL,
    status_id BIGINT NOT NULL,
    deleted BOOLEAN NOT NULL,
    supplier_biin TEXT NOT NULL,
    sum BIGINT NOT NULL,
    sum_with_vat BIGINT NOT NULL,
    executed_with_vat BIGINT NOT NULL,
    sign_date TEXT,
    description_ru TEXT NOT NULL,
    description_kz TEXT NOT NULL,
    last_update_date TEXT NOT NULL,
    project_id BIGINT REFERENCES investment_projects(id),
    loaded_at TEXT NOT NULL
);
CREATE INDEX procurement_contracts_customer ON procurement_contracts (customer_bin, fin_year);
-- Where a customer's load of a list stands: the next page to ask (none: the list was read to
-- its end), pages and items stored. A load stores page by page, each page with its cursor in
-- one transaction, and resumes from the stored cursor.
CREATE TABLE procurement_loads (
    customer_bin TEXT NOT NULL,
    kind TEXT NOT NULL,
    next_page TEXT,
    pages BIGINT NOT NULL,
    items BIGINT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    PRIMARY KEY (customer_bin, kind)
);
