//! Server-rendered pages. Every form post carries the session's CSRF token; every page asks
//! its module's use cases, which check the caller's rights.

mod adhoc;
mod admin;
mod budget;
mod classification;
mod code_requests;
mod common;
mod devbudget;
mod ebk_changes;
mod exchange;
mod execution;
mod goods;
mod integrations;
mod limits;
mod notifications;
pub(crate) use notifications::notices;
mod openbudget;
mod orgs;
mod oversight;
mod passport;
mod plans;
mod programs;
mod receipts;
mod report_year;
mod reports;
mod requests;
mod revenues;
mod search;
mod selfcheck;
mod session;
mod staffing;
mod transfers;
mod users;

use crate::AppState;
use crate::menu::MenuEntry;
use axum::Router;

/// The menu in its order: the work of the year first (planning, execution, reports), then
/// reference data and administration, then the public portal.
pub fn menu() -> Vec<MenuEntry> {
    [
        orgs::MENU,
        limits::MENU,
        requests::MENU,
        budget::MENU,
        transfers::MENU,
        staffing::MENU,
        plans::MENU,
        execution::MENU,
        devbudget::MENU,
        exchange::MENU,
        reports::MENU,
        classification::MENU,
        ebk_changes::MENU,
        goods::MENU,
        integrations::MENU,
        selfcheck::MENU,
        code_requests::MENU,
        adhoc::MENU,
        users::MENU,
        oversight::MENU,
        admin::MENU,
        openbudget::MENU,
    ]
    .concat()
}

pub fn routes() -> Router<AppState> {
    Router::new()
        .merge(session::routes())
        .merge(search::routes())
        .merge(orgs::routes())
        .merge(openbudget::routes())
        .merge(classification::routes())
        .merge(ebk_changes::routes())
        .merge(goods::routes())
        .merge(integrations::routes())
        .merge(devbudget::routes())
        .merge(selfcheck::routes())
        .merge(code_requests::routes())
        .merge(adhoc::routes())
        .merge(users::routes())
        .merge(admin::routes())
        .merge(limits::routes())
        .merge(requests::routes())
        .merge(report_year::routes())
        .merge(revenues::routes())
        .merge(budget::routes())
        .merge(programs::routes())
        .merge(transfers::routes())
        .merge(reports::routes())
        .merge(staffing::routes())
        .merge(execution::routes())
        .merge(plans::routes())
        .merge(notifications::routes())
        .merge(exchange::routes())
        .merge(receipts::routes())
        .merge(passport::routes())
        .merge(oversight::routes())
}
