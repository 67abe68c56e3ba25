-- Goods and prices (P-13, P-5, issue 23): the goods classifier (ЕНС ТРУ) and the national
-- catalogue (НКТ) as reference tables; prices of goods by region (КАТО region code, empty for
-- the republic) and date; the yearly inflation index the prices are brought to a planning
-- year with; system settings (the rule for a price above the recommended one); and the log of
-- every price check of a calculation row.
-- Keep in step with ../postgres/0053_goods_prices.sql.
CREATE TABLE goods (
    code TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    name_ru TEXT NOT NULL,
    name_kk TEXT NOT NULL,
    unit TEXT NOT NULL,
    search_key TEXT NOT NULL
);
CREATE TABLE catalogue_items (
    code TEXT PRIMARY KEY,
    good_code TEXT NOT NULL REFERENCES goods(code),
    name_ru TEXT NOT NULL,
    name_kk TEXT NOT NULL,
    unit TEXT NOT NULL,
    search_key TEXT NOT NULL
);
CREATE INDEX catalogue_items_good ON catalogue_items (good_code);
CREATE TABLE good_prices (
    good_code TEXT NOT NULL REFERENCES goods(code),
    region TEXT NOT NULL,
    observed_on DATE NOT NULL,
    source TEXT NOT NULL,
    price BIGINT NOT NULL,
    PRIMARY KEY (good_code, region, observed_on, source)
);
CREATE TABLE price_indices (
    year BIGINT PRIMARY KEY,
    percent_bp BIGINT NOT NULL
);
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE price_checks (
    id BIGINT PRIMARY KEY,
    checked_at TEXT NOT NULL,
    login TEXT NOT NULL,
    iin TEXT NOT NULL,
    org_id BIGINT NOT NULL REFERENCES orgs(id),
    request_id BIGINT NOT NULL,
    line_id BIGINT NOT NULL,
    year BIGINT NOT NULL,
    row_no BIGINT NOT NULL,
    good_code TEXT NOT NULL,
    price BIGINT NOT NULL,
    recommended BIGINT,
    rule TEXT NOT NULL,
    outcome TEXT NOT NULL,
    justification TEXT NOT NULL
);
CREATE INDEX price_checks_org ON price_checks (org_id, checked_at);
