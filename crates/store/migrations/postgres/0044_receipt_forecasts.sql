-- The forecast of receipts for the planning period (issue 22): versions of a campaign's
-- forecast, each kept whole, and their figures by receipts code and year with the basis of
-- each. Keep in step with ../sqlite/0044_receipt_forecasts.sql.
CREATE TABLE receipt_forecasts (
    id BIGINT PRIMARY KEY,
    campaign_id BIGINT NOT NULL REFERENCES limit_campaigns(id),
    budget_id BIGINT NOT NULL REFERENCES budgets(id),
    first_year BIGINT NOT NULL,
    number BIGINT NOT NULL,
    status TEXT NOT NULL,
    version BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    adopted_by TEXT,
    adopted_at TIMESTAMPTZ
);
CREATE UNIQUE INDEX receipt_forecasts_number ON receipt_forecasts(campaign_id, number);

CREATE TABLE receipt_forecast_lines (
    forecast_id BIGINT NOT NULL REFERENCES receipt_forecasts(id),
    code TEXT NOT NULL,
    year BIGINT NOT NULL,
    amount BIGINT NOT NULL,
    basis TEXT NOT NULL,
    PRIMARY KEY (forecast_id, code, year)
);
