//! JSON API under `/api/v1` (described in [`ROUTES`], served as OpenAPI at
//! `/api/v1/openapi.json`). Authentication: `Authorization: Bearer <personal token>`; GET
//! requests also accept the browser session. Rights are those of the pages: both call
//! [`crate::service`].

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::pages::AuditQuery;
use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use jospar_classification::{CodeKind, diff_years, repo as ebk};
use jospar_core::DayKind;
use jospar_org::usecases as service;
use jospar_org::{NewOrg, NewUser, OrgChange, Right, UserChange, auth, repo};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// Who may call a route (checked again, per organisation, inside the handler).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    SignedIn,
    /// Read right on the organisation(s) concerned.
    Read,
    /// Enter-data right on the organisation(s) concerned.
    Enter,
    /// Configure right on the organisation(s) concerned.
    Configure,
    /// Approve right on the organisation reviewing the document.
    Approve,
    /// Configure right on a root of the tree (reference data).
    SystemConfigure,
}

pub struct ApiRoute {
    pub method: &'static str,
    pub path: &'static str,
    pub summary: &'static str,
    pub access: Access,
}

/// Every route of the API: the OpenAPI document and the authorisation-matrix test read it.
pub const ROUTES: &[ApiRoute] = &[
    ApiRoute {
        method: "get",
        path: "/openapi.json",
        summary: "This OpenAPI document",
        access: Access::Public,
    },
    ApiRoute {
        method: "get",
        path: "/me",
        summary: "The signed-in user with roles",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "get",
        path: "/budgets",
        summary: "Budgets (levels and territories)",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "get",
        path: "/orgs",
        summary: "Organisations readable by the caller; ?q= searches",
        access: Access::Read,
    },
    ApiRoute {
        method: "post",
        path: "/orgs",
        summary: "Create an organisation (NewOrg)",
        access: Access::Configure,
    },
    ApiRoute {
        method: "get",
        path: "/orgs/{id}",
        summary: "One organisation",
        access: Access::Read,
    },
    ApiRoute {
        method: "patch",
        path: "/orgs/{id}",
        summary: "Rename, move, switch scenario, close (OrgChange with version)",
        access: Access::Configure,
    },
    ApiRoute {
        method: "get",
        path: "/classification/years",
        summary: "Years that have a classification",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "get",
        path: "/classification/compare",
        summary: "Codes opened, closed, renamed between ?from= and ?to=",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "post",
        path: "/classification/import",
        summary: "Import a classification file (body = file; ?year_from=&year_to=&file_name=)",
        access: Access::SystemConfigure,
    },
    ApiRoute {
        method: "get",
        path: "/classification/{year}",
        summary: "Search codes of a year: ?q=&kind=&parent=",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "get",
        path: "/classification/{year}/{kind}/{code}",
        summary: "One code",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "get",
        path: "/users",
        summary: "Users of organisations the caller configures; ?q=",
        access: Access::Configure,
    },
    ApiRoute {
        method: "post",
        path: "/users",
        summary: "Create a user (NewUser)",
        access: Access::Configure,
    },
    ApiRoute {
        method: "get",
        path: "/users/{id}",
        summary: "One user with roles",
        access: Access::Configure,
    },
    ApiRoute {
        method: "patch",
        path: "/users/{id}",
        summary: "Change, block or unblock a user (UserChange with version)",
        access: Access::Configure,
    },
    ApiRoute {
        method: "post",
        path: "/users/{id}/grants",
        summary: "Grant a role on an organisation subtree until a date",
        access: Access::Configure,
    },
    ApiRoute {
        method: "delete",
        path: "/users/{id}/grants/{grant}",
        summary: "Revoke a role",
        access: Access::Configure,
    },
    ApiRoute {
        method: "get",
        path: "/audit",
        summary: "Audit log: ?login=&entity=&entity_id=&from=&to=",
        access: Access::Read,
    },
    ApiRoute {
        method: "get",
        path: "/calendar/{year}",
        summary: "Days off and exceptions of a year, working-day count",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "put",
        path: "/calendar/days/{day}",
        summary: "Set the kind of a day (decree, announced holiday)",
        access: Access::SystemConfigure,
    },
    ApiRoute {
        method: "delete",
        path: "/calendar/days/{day}",
        summary: "Remove the exception of a day",
        access: Access::SystemConfigure,
    },
    ApiRoute {
        method: "get",
        path: "/campaigns",
        summary: "Planning campaigns (L-1)",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "post",
        path: "/campaigns",
        summary: "Open a planning campaign for three years (L-1)",
        access: Access::Configure,
    },
    ApiRoute {
        method: "get",
        path: "/campaigns/{id}",
        summary: "One campaign with its deadlines in working days",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "get",
        path: "/campaigns/{id}/balance",
        summary: "Received, distributed and undistributed limits per organisation (L-2)",
        access: Access::Read,
    },
    ApiRoute {
        method: "put",
        path: "/campaigns/{id}/limits",
        summary: "Enter or distribute limits; never beyond what was received (L-1…L-4)",
        access: Access::Configure,
    },
    ApiRoute {
        method: "get",
        path: "/campaigns/{id}/desk",
        summary: "Curator's desk: organisations × documents with status and deadline (BP-7)",
        access: Access::Approve,
    },
    ApiRoute {
        method: "get",
        path: "/campaigns/{id}/consolidated",
        summary: "Requested amounts of the subtree by a slice (BP-5); ?by=&year=&format=",
        access: Access::Read,
    },
    ApiRoute {
        method: "get",
        path: "/forms",
        summary: "Calculation forms (BP-8)",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "put",
        path: "/forms/{code}",
        summary: "Add or change a calculation form without code (BP-10)",
        access: Access::SystemConfigure,
    },
    ApiRoute {
        method: "get",
        path: "/requests",
        summary: "Budget requests visible to the caller",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "post",
        path: "/requests",
        summary: "Create a budget request of an institution for a campaign (BP-1)",
        access: Access::Enter,
    },
    ApiRoute {
        method: "get",
        path: "/requests/{id}",
        summary: "A request with its lines and amounts",
        access: Access::Read,
    },
    ApiRoute {
        method: "post",
        path: "/requests/{id}/lines",
        summary: "Add a line: program, subprogram, specific, kind of limit, project",
        access: Access::Enter,
    },
    ApiRoute {
        method: "put",
        path: "/requests/{id}/lines/{line}/years/{year}",
        summary: "Save the calculation-form rows of a line and year; computed cells are refused (BP-8)",
        access: Access::Enter,
    },
    ApiRoute {
        method: "get",
        path: "/requests/{id}/export",
        summary: "Breakdowns of the request as XLSX or CSV with expense identifiers (BP-13, P-19)",
        access: Access::Read,
    },
    ApiRoute {
        method: "post",
        path: "/requests/{id}/versions",
        summary: "A refinement or correction of an approved request as a new version (BP-2)",
        access: Access::Enter,
    },
    ApiRoute {
        method: "get",
        path: "/requests/{id}/diff",
        summary: "Differences of a version from the approved request by year",
        access: Access::Read,
    },
    ApiRoute {
        method: "get",
        path: "/requests/{id}/attachments",
        summary: "Supporting documents of a request (P-18)",
        access: Access::Read,
    },
    ApiRoute {
        method: "post",
        path: "/requests/{id}/attachments",
        summary: "Attach a supporting document (multipart)",
        access: Access::Enter,
    },
    ApiRoute {
        method: "get",
        path: "/requests/{id}/attachments/{attachment}",
        summary: "Download a supporting document",
        access: Access::Read,
    },
    ApiRoute {
        method: "post",
        path: "/requests/{id}/fill-inflation",
        summary: "Fill later years from the first with inflation coefficients (BP-11)",
        access: Access::Enter,
    },
    ApiRoute {
        method: "post",
        path: "/requests/{id}/undo-fill",
        summary: "Undo the last inflation fill",
        access: Access::Enter,
    },
    ApiRoute {
        method: "get",
        path: "/requests/{id}/signing-data",
        summary: "The canonical bytes to sign (base64), their SHA-256 and the version (P-9)",
        access: Access::Read,
    },
    ApiRoute {
        method: "post",
        path: "/requests/{id}/send",
        summary: "Send for review within limits, signed: {version, cms} (BP-4, BP-6)",
        access: Access::Enter,
    },
    ApiRoute {
        method: "get",
        path: "/requests/{id}/signatures",
        summary: "Signatures of a request: signer, IIN, certificate, time",
        access: Access::Read,
    },
    ApiRoute {
        method: "post",
        path: "/requests/{id}/approve",
        summary: "Approve at the current stage of the review chain (BP-9)",
        access: Access::Approve,
    },
    ApiRoute {
        method: "post",
        path: "/requests/{id}/return",
        summary: "Return with a reason (BP-2)",
        access: Access::Approve,
    },
    ApiRoute {
        method: "post",
        path: "/staffing/{org}/{year}/copy",
        summary: "Copy a year's staffing table to the next year (a year longer in service)",
        access: Access::Enter,
    },
    ApiRoute {
        method: "get",
        path: "/staffing/{org}/compare",
        summary: "Positions added, removed and changed between ?from=YEAR&to=YEAR",
        access: Access::Read,
    },
    ApiRoute {
        method: "get",
        path: "/reports",
        summary: "The report catalogue: names and parameters",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "get",
        path: "/reports/{name}",
        summary: "A report (appendices 57–60, consolidated, pivot, breakdown): ?param=…&format=json|csv|xlsx|pdf",
        access: Access::Read,
    },
    ApiRoute {
        method: "get",
        path: "/pay-reference",
        summary: "Pay reference tables with their history: base salary, MCI, minimum wage, grids, contribution rates (ST-2)",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "put",
        path: "/pay-reference/{table}/{valid_from}",
        summary: "Set a reference table's value valid from a date (amount in tiyn, grid or rates JSON)",
        access: Access::SystemConfigure,
    },
    ApiRoute {
        method: "get",
        path: "/staffing/{org}/{year}",
        summary: "An institution's staffing table of a year with each position's monthly pay and the annual fund (ST-1)",
        access: Access::Read,
    },
    ApiRoute {
        method: "put",
        path: "/staffing/{org}/{year}",
        summary: "Save the positions of a year {version, positions}; priced first, refused whole with the row named",
        access: Access::Enter,
    },
    ApiRoute {
        method: "get",
        path: "/execution/portal-imports",
        summary: "Imported execution reports of the open-budgets portal the caller may read (EX-R 18)",
        access: Access::Read,
    },
    ApiRoute {
        method: "post",
        path: "/execution/portal-imports",
        summary: "Import a portal execution report (CSV body) under ?org= as ?title= (&file_name=); the same title is replaced",
        access: Access::Enter,
    },
    ApiRoute {
        method: "get",
        path: "/execution/treasury",
        summary: "Imported Treasury forms the caller may read (EX-5)",
        access: Access::Read,
    },
    ApiRoute {
        method: "post",
        path: "/execution/treasury/{form}",
        summary: "Import a Treasury form of the layouts in force (5-52, 5-42, 5-02, 2-15, 4-20, 2-19, 2-11, 2-43, 1-27; XLSX or CSV body) for ?org= at ?date=YYYY-MM-DD (&file_name=); the same form and date is replaced; refused in a closed month",
        access: Access::Enter,
    },
    ApiRoute {
        method: "get",
        path: "/financing-plans",
        summary: "Financing plans the caller may read: id, org_id, year (EX-1)",
        access: Access::Read,
    },
    ApiRoute {
        method: "post",
        path: "/financing-plans",
        summary: "A draft financing plan {request_id, year} from an approved budget request, months spread evenly",
        access: Access::Enter,
    },
    ApiRoute {
        method: "get",
        path: "/financing-plans/{id}",
        summary: "A financing plan with its change documents and its lines as of ?as_of=YYYY-MM-DD (default today)",
        access: Access::Read,
    },
    ApiRoute {
        method: "put",
        path: "/financing-plans/{id}",
        summary: "Save a draft's months {version, lines: [{expense_id, obligations[12], payments[12]}]} (amounts in tiyn)",
        access: Access::Enter,
    },
    ApiRoute {
        method: "post",
        path: "/financing-plans/{id}/approve",
        summary: "Approve a draft plan {version, cms}: signed over its signing-data by the authorised person of the organisation above (EX-6, P-9)",
        access: Access::Approve,
    },
    ApiRoute {
        method: "get",
        path: "/financing-plans/{id}/signing-data",
        summary: "The plan's canonical bytes to sign for approval (base64), their SHA-256 and the version",
        access: Access::Read,
    },
    ApiRoute {
        method: "post",
        path: "/financing-plans/{id}/changes",
        summary: "A dated change document {kind: certificate|refinement|correction, dated, reason, moves: [{expense_id, basis, from_month, to_month, amount}]} (EX-2)",
        access: Access::Enter,
    },
    ApiRoute {
        method: "get",
        path: "/receipt-plans",
        summary: "Plans of receipts the caller may read: id, org_id, year, status (EX-1)",
        access: Access::Read,
    },
    ApiRoute {
        method: "post",
        path: "/receipt-plans",
        summary: "A draft plan of receipts {org_id, year, lines: [{code, annual}]} (6-digit receipts codes, amounts in tiyn), months spread evenly",
        access: Access::Enter,
    },
    ApiRoute {
        method: "get",
        path: "/receipt-plans/{id}",
        summary: "A plan of receipts with its codes and months",
        access: Access::Read,
    },
    ApiRoute {
        method: "put",
        path: "/receipt-plans/{id}",
        summary: "Save a draft plan of receipts {version, lines: [{code, annual, months[12]}]}; refused whole with the code and month named",
        access: Access::Enter,
    },
    ApiRoute {
        method: "post",
        path: "/receipt-plans/{id}/approve",
        summary: "Approve a draft plan of receipts {version}",
        access: Access::Approve,
    },
    ApiRoute {
        method: "put",
        path: "/receipt-plans/{id}/reasons",
        summary: "The reason an approved plan of receipts fell short {month: YYYY-MM, code, reason} (appendix 2 of order 629); replaces an earlier one",
        access: Access::Enter,
    },
    ApiRoute {
        method: "get",
        path: "/oversight-applications",
        summary: "Applications of representative and audit bodies (OV-1, OV-2) with the deadline of their next step and whether it is overdue: all for the authorized body and the integrator, one's own otherwise",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "post",
        path: "/oversight-applications",
        summary: "File an application {body_name, body_bin, kind, anchor_org_id, employees: [{full_name, iin, position, unit, qr_code or qr_image (the E-Qyzmet QR picture, PNG or JPEG, base64: read into qr_code), phone, email}], purpose, analytic, planning}: a draft until the body signs it",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "get",
        path: "/oversight-applications/{id}/signing-data",
        summary: "The bytes of one's own draft application the body signs with its legal-entity key (base64)",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "post",
        path: "/oversight-applications/{id}/sign",
        summary: "Sign one's draft application {cms}: the signer is the user, the certificate the body's (its BIN); the application goes to the authorized body, whose 2 working days start",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "post",
        path: "/oversight-applications/{id}/review",
        summary: "The authorized body's review {forward: true} or {forward: false, reason}, due within 2 working days",
        access: Access::Approve,
    },
    ApiRoute {
        method: "post",
        path: "/oversight-applications/{id}/grant",
        summary: "The integrator grants a forwarded application: each employee's account (found by IIN) gets read-only access by competence",
        access: Access::Configure,
    },
    ApiRoute {
        method: "get",
        path: "/training-sessions",
        summary: "Training sessions (P-12) with who passed and the deadline of their report (5 working days), for the integrator",
        access: Access::Configure,
    },
    ApiRoute {
        method: "post",
        path: "/training-sessions",
        summary: "Record a session {held_on, topic, trainer, passed: [user ids]}: oversight access starts only for those who passed",
        access: Access::Configure,
    },
    ApiRoute {
        method: "post",
        path: "/training-sessions/{id}/report",
        summary: "Record that the session's training report was issued today",
        access: Access::Configure,
    },
    ApiRoute {
        method: "get",
        path: "/oversight-access",
        summary: "Read-only access granted to employees of representative and audit bodies (OV-3, OV-4), for the integrator",
        access: Access::Configure,
    },
    ApiRoute {
        method: "post",
        path: "/oversight-access",
        summary: "Grant an employee {user_id, kind, anchor_org_id (the region's root or the central body, as the kind asks), body_bin (the BIN of the employee's body: they sign in with its certificate)} read-only access by the competence table for one calendar year",
        access: Access::Configure,
    },
    ApiRoute {
        method: "post",
        path: "/oversight-access/{id}/block-request",
        summary: "The employer asks to block an access {reason} (the employee left): to be blocked within 3 working days; overdue ones are flagged",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "post",
        path: "/oversight-access/{id}/block",
        summary: "Block an access {reason} when the employee leaves: its grants are removed",
        access: Access::Configure,
    },
    ApiRoute {
        method: "get",
        path: "/execution/closed-periods",
        summary: "Closed execution periods the caller may read: org_id, month, reason, who and when (EX-5)",
        access: Access::Read,
    },
    ApiRoute {
        method: "post",
        path: "/execution/closed-periods",
        summary: "Close a month {org_id, month: YYYY-MM, reason} for the organisation's subtree: Treasury forms reporting it are no longer imported or replaced",
        access: Access::Approve,
    },
    ApiRoute {
        method: "post",
        path: "/execution/closed-periods/reopen",
        summary: "Open a closed month again {org_id, month, reason}",
        access: Access::Approve,
    },
    ApiRoute {
        method: "get",
        path: "/execution/offsetting-codes",
        summary: "Mutually offsetting codes the caller may read: each pair of a paying administrator's program and the receipts code of the transfer (EX-R 30)",
        access: Access::Read,
    },
    ApiRoute {
        method: "post",
        path: "/execution/offsetting-codes",
        summary: "Add a pair {org_id, year, abp, program, subprogram (empty: all), receipt_code (category 4), name} for an authorized body; codes checked against the classification",
        access: Access::Approve,
    },
    ApiRoute {
        method: "post",
        path: "/execution/offsetting-codes/{id}/delete",
        summary: "Remove a pair {reason}",
        access: Access::Approve,
    },
    ApiRoute {
        method: "get",
        path: "/open-budget/documents",
        summary: "Documents in public discussion (OB-1): passports of budget programs and reports on their implementation, with their discussion periods; no sign-in needed",
        access: Access::Public,
    },
    ApiRoute {
        method: "get",
        path: "/open-budget/documents/{id}",
        summary: "A document in discussion with its figures, votes and published proposals with the answers; no sign-in needed",
        access: Access::Public,
    },
    ApiRoute {
        method: "post",
        path: "/open-budget/documents",
        summary: "Publish {kind: passport|report, org_id (an administrator), program, year, title_ru, title_kk, summary_ru, summary_kk, head, ends_on?, materials?: [{file_name, content (base64)}]}: figures from the approved budget requests, at least 10 working days of discussion; a report of a program with budget investments needs its materials (OB-1, OB-2)",
        access: Access::Approve,
    },
    ApiRoute {
        method: "post",
        path: "/open-budget/documents/{id}/upload",
        summary: "Send a document's budget program to the national open-budgets portal again (BP-14); the portal's id or its refusal is kept on the document",
        access: Access::Approve,
    },
    ApiRoute {
        method: "get",
        path: "/open-budget/publications",
        summary: "Budget reports, consolidated financial statements, citizen's budgets and audit results: the published ones for anyone; with a token, also those the caller's administrators registered, each with its due day and whether it is late (OB-1)",
        access: Access::Public,
    },
    ApiRoute {
        method: "post",
        path: "/open-budget/publications",
        summary: "Register a publication {org_id, kind: budget_report|financial_statements|citizen_budget|audit_results, year, title_ru, title_kk, received_on (audit results)}: due 5 July of the next year (statements) or 15 working days after receipt (audit results)",
        access: Access::Approve,
    },
    ApiRoute {
        method: "post",
        path: "/open-budget/publications/{id}/file",
        summary: "Publish a registered publication with its file (the body; ?file_name=)",
        access: Access::Approve,
    },
    ApiRoute {
        method: "get",
        path: "/open-budget/proposals/pending",
        summary: "Proposals waiting for the operator, each with the day it must be moderated by (2 working days) and whether that has passed (OB-4)",
        access: Access::SystemConfigure,
    },
    ApiRoute {
        method: "post",
        path: "/open-budget/proposals/{id}/moderate",
        summary: "The operator publishes {publish: true} or refuses {publish: false, reason} a proposal (OB-4)",
        access: Access::SystemConfigure,
    },
    ApiRoute {
        method: "post",
        path: "/open-budget/proposals/{id}/answer",
        summary: "The administrator accepts or rejects a published proposal {accepted, text} within the discussion (OB-4)",
        access: Access::Approve,
    },
    ApiRoute {
        method: "get",
        path: "/execution/passport",
        summary: "Reports sent to the Region passport portal the caller may read, with their outcome (EX-R 22-23)",
        access: Access::Read,
    },
    ApiRoute {
        method: "post",
        path: "/execution/passport",
        summary: "Send to the Region passport portal {kind: cash_execution|budget_structure, f552, f219 (for the structure)}: built from imported Treasury forms, totals to the tiyn",
        access: Access::Enter,
    },
    ApiRoute {
        method: "get",
        path: "/treasury-exchange",
        summary: "Plans and change documents queued for the Treasury (EX-4) with their status: queued, sent, accepted (with the registration number), rejected (with the reason), failed (with the last error)",
        access: Access::Read,
    },
    ApiRoute {
        method: "post",
        path: "/treasury-exchange/send",
        summary: "Send now what is due of the caller's organisations and ask about registered documents; returns the counts of each outcome",
        access: Access::Enter,
    },
    ApiRoute {
        method: "post",
        path: "/treasury-exchange/{id}/retry",
        summary: "Queue a failed or rejected document again {reason}",
        access: Access::Enter,
    },
    ApiRoute {
        method: "get",
        path: "/tokens",
        summary: "The caller's API tokens",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "post",
        path: "/tokens",
        summary: "Create an API token {name, expires_on}",
        access: Access::SignedIn,
    },
    ApiRoute {
        method: "delete",
        path: "/tokens/{id}",
        summary: "Revoke one of the caller's tokens",
        access: Access::SignedIn,
    },
];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/openapi.json",
            get(|| async { Json(crate::openapi::document()) }),
        )
        .route("/me", get(me))
        .route("/budgets", get(budgets))
        .route("/orgs", get(orgs).post(create_org))
        .route("/orgs/{id}", get(org).patch(update_org))
        .route("/classification/years", get(years))
        .route("/classification/compare", get(compare))
        .route("/classification/import", post(import))
        .route("/classification/{year}", get(codes))
        .route("/classification/{year}/{kind}/{code}", get(code))
        .route("/users", get(users).post(create_user))
        .route("/users/{id}", get(user).patch(update_user))
        .route("/users/{id}/grants", post(add_grant))
        .route("/users/{id}/grants/{grant}", delete(remove_grant))
        .route("/audit", get(audit))
        .route("/calendar/{year}", get(calendar))
        .route("/calendar/days/{day}", put(set_day).delete(delete_day))
        .route("/campaigns", get(campaigns).post(create_campaign))
        .route("/campaigns/{id}", get(campaign))
        .route("/campaigns/{id}/balance", get(balance))
        .route("/campaigns/{id}/limits", put(set_limits))
        .route("/campaigns/{id}/desk", get(desk))
        .route("/campaigns/{id}/consolidated", get(consolidated))
        .route("/forms", get(forms))
        .route("/forms/{code}", put(put_form))
        .route("/requests", get(requests).post(create_request))
        .route("/requests/{id}", get(request))
        .route("/requests/{id}/lines", post(add_line))
        .route(
            "/requests/{id}/lines/{line}/years/{year}",
            get(line_rows).put(set_rows),
        )
        .route("/requests/{id}/export", get(export_request))
        .route("/requests/{id}/versions", post(new_version))
        .route("/requests/{id}/diff", get(diff))
        .route("/requests/{id}/attachments", get(attachments).post(attach))
        .route("/requests/{id}/attachments/{attachment}", get(attachment))
        .route("/requests/{id}/fill-inflation", post(fill_inflation))
        .route("/requests/{id}/undo-fill", post(undo_fill))
        .route("/requests/{id}/send", post(send_request))
        .route("/requests/{id}/signing-data", get(signing_data))
        .route("/requests/{id}/signatures", get(request_signatures))
        .route("/requests/{id}/approve", post(approve_request))
        .route("/requests/{id}/return", post(return_request))
        .route("/pay-reference", get(pay_reference))
        .route(
            "/pay-reference/{table}/{valid_from}",
            put(set_pay_reference),
        )
        .route(
            "/staffing/{org}/{year}",
            get(staffing_table).put(save_staffing_table),
        )
        .route("/staffing/{org}/{year}/copy", post(copy_staffing_table))
        .route("/staffing/{org}/compare", get(compare_staffing))
        .route(
            "/execution/portal-imports",
            get(portal_imports).post(import_portal),
        )
        .route("/execution/treasury", get(treasury_reports))
        .route(
            "/execution/treasury/{form}",
            post(import_treasury_form).layer(axum::extract::DefaultBodyLimit::max(
                crate::upload::FORM_UPLOAD_LIMIT,
            )),
        )
        .route("/financing-plans", get(financing_plans).post(create_plan))
        .route("/financing-plans/{id}", get(financing_plan).put(save_plan))
        .route("/financing-plans/{id}/approve", post(approve_plan))
        .route("/financing-plans/{id}/signing-data", get(plan_signing_data))
        .route("/financing-plans/{id}/changes", post(add_plan_change))
        .route(
            "/receipt-plans",
            get(receipt_plans).post(create_receipt_plan),
        )
        .route(
            "/receipt-plans/{id}",
            get(receipt_plan).put(save_receipt_plan),
        )
        .route("/receipt-plans/{id}/approve", post(approve_receipt_plan))
        .route("/receipt-plans/{id}/reasons", put(set_shortfall_reason))
        .route(
            "/training-sessions",
            get(training_sessions).post(record_training_session),
        )
        .route(
            "/training-sessions/{id}/report",
            post(issue_training_report),
        )
        .route(
            "/oversight-applications",
            get(oversight_applications).post(submit_oversight_application),
        )
        .route(
            "/oversight-applications/{id}/signing-data",
            get(oversight_application_signing_data),
        )
        .route(
            "/oversight-applications/{id}/sign",
            post(sign_oversight_application),
        )
        .route(
            "/oversight-applications/{id}/review",
            post(review_oversight_application),
        )
        .route(
            "/oversight-applications/{id}/grant",
            post(grant_oversight_application),
        )
        .route(
            "/oversight-access",
            get(oversight_access).post(grant_oversight),
        )
        .route("/oversight-access/{id}/block", post(block_oversight))
        .route(
            "/oversight-access/{id}/block-request",
            post(request_oversight_block),
        )
        .route(
            "/execution/closed-periods",
            get(closed_periods).post(close_period),
        )
        .route("/execution/closed-periods/reopen", post(reopen_period))
        .route(
            "/open-budget/documents",
            get(open_budget_documents).post(publish_open_budget),
        )
        .route("/open-budget/documents/{id}", get(open_budget_document))
        .route(
            "/open-budget/documents/{id}/upload",
            post(upload_open_budget),
        )
        .route(
            "/open-budget/publications",
            get(open_budget_publications).post(register_publication),
        )
        .route(
            "/open-budget/publications/{id}/file",
            post(publish_publication_file),
        )
        .route("/open-budget/proposals/pending", get(pending_proposals))
        .route(
            "/open-budget/proposals/{id}/moderate",
            post(moderate_proposal),
        )
        .route("/open-budget/proposals/{id}/answer", post(answer_proposal))
        .route(
            "/execution/offsetting-codes",
            get(offsetting_codes).post(add_offsetting_code),
        )
        .route(
            "/execution/offsetting-codes/{id}/delete",
            post(remove_offsetting_code),
        )
        .route(
            "/execution/passport",
            get(passport_exports).post(publish_to_passport),
        )
        .route("/treasury-exchange", get(treasury_exchange))
        .route("/treasury-exchange/send", post(send_to_treasury))
        .route(
            "/treasury-exchange/{id}/retry",
            post(retry_treasury_document),
        )
        .route("/reports", get(report_catalogue))
        .route("/reports/{name}", get(report))
        .route("/tokens", get(tokens).post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
}

/// Parses a JSON body; a malformed body is a translated error naming serde's complaint.
fn body<T: DeserializeOwned>(bytes: &Bytes) -> AppResult<T> {
    serde_json::from_slice(bytes).map_err(|e| AppError::Invalid {
        key: "err-bad-json",
        args: vec![("message", e.to_string())],
        field: None,
    })
}

/// Mutations through the API need a bearer token: a browser session would need CSRF.
fn writer(ctx: &Ctx) -> AppResult<&crate::ctx::Principal> {
    let p = ctx.user()?;
    if p.via_token {
        Ok(p)
    } else {
        Err(AppError::Forbidden)
    }
}

fn created(value: impl serde::Serialize) -> Response {
    (StatusCode::CREATED, Json(json!(value))).into_response()
}

async fn me(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!({"user": p.user, "grants": p.grants})))
}

async fn budgets(ctx: Ctx) -> AppResult<Json<Value>> {
    ctx.user()?;
    Ok(Json(json!(repo::budgets(ctx.db()).await?)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchQuery {
    q: String,
    kind: String,
    parent: String,
    from: String,
    to: String,
}

async fn orgs(ctx: Ctx, Query(q): Query<SearchQuery>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    if p.scope(Right::Read).is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(Json(json!(service::visible_orgs(ctx.db(), p, &q.q).await?)))
}

async fn org(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(service::org(ctx.db(), p, id).await?)))
}

async fn create_org(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let new: NewOrg = body(&bytes)?;
    Ok(created(service::create_org(ctx.db(), p, new).await?))
}

async fn update_org(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let change: OrgChange = body(&bytes)?;
    Ok(Json(json!(
        service::update_org(ctx.db(), p, id, change).await?
    )))
}

async fn years(ctx: Ctx) -> AppResult<Json<Value>> {
    ctx.user()?;
    Ok(Json(json!(ebk::years(ctx.db()).await?)))
}

async fn compare(ctx: Ctx, Query(q): Query<SearchQuery>) -> AppResult<Json<Value>> {
    ctx.user()?;
    let from: i32 = q
        .from
        .parse()
        .map_err(|_| AppError::invalid("err-year", "from"))?;
    let to: i32 =
        q.to.parse()
            .map_err(|_| AppError::invalid("err-year", "to"))?;
    let a = ebk::codes_of_year(ctx.db(), from).await?;
    let b = ebk::codes_of_year(ctx.db(), to).await?;
    Ok(Json(json!(diff_years(&a, &b))))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ImportQuery {
    year_from: String,
    year_to: String,
    file_name: String,
}

async fn import(ctx: Ctx, Query(q): Query<ImportQuery>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let years = jospar_classification::usecases::parse_years(&q.year_from, &q.year_to)?;
    let name = if q.file_name.is_empty() {
        "api upload"
    } else {
        q.file_name.as_str()
    };
    Ok(Json(json!(
        jospar_classification::usecases::import_classification(ctx.db(), p, &bytes, years, name)
            .await?
    )))
}

async fn treasury_reports(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    let reader = jospar_access::Reader::User(p);
    Ok(Json(json!(
        jospar_execution::usecases::treasury::reports(ctx.db(), &reader).await?
    )))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TreasuryQuery {
    org: String,
    date: String,
    file_name: String,
}

async fn import_treasury_form(
    ctx: Ctx,
    Path(form): Path<String>,
    Query(q): Query<TreasuryQuery>,
    body: axum::body::Body,
) -> AppResult<Response> {
    let p = writer(&ctx)?;
    // Rights are checked before the body is read (the import checks them again).
    let org_id = jospar_access::parse_id(&q.org, "org")?;
    p.require(jospar_org::Right::Enter, org_id)?;
    let file = crate::upload::spool_body(body).await?;
    let target = jospar_execution::usecases::treasury::FormTarget {
        org_id,
        report_date: jospar_access::parse_date(&q.date, "date")?,
        file_name: if q.file_name.is_empty() {
            "api upload"
        } else {
            &q.file_name
        },
    };
    let report = jospar_execution::usecases::treasury::import_form(
        ctx.db(),
        &p.who(),
        Some(p),
        &form,
        target,
        file,
    )
    .await?;
    Ok(created(report))
}

async fn financing_plans(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    let plans = jospar_execution::usecases::plans::list(ctx.db(), p).await?;
    Ok(Json(json!(
        plans
            .into_iter()
            .map(|(id, org_id, year)| json!({"id": id, "org_id": org_id, "year": year}))
            .collect::<Vec<_>>()
    )))
}

#[derive(Deserialize)]
struct NewPlan {
    request_id: i64,
    year: i32,
}

async fn create_plan(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: NewPlan = body(&bytes)?;
    Ok(created(
        jospar_execution::usecases::plans::create_from_request(ctx.db(), p, b.request_id, b.year)
            .await?,
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AsOfQuery {
    as_of: String,
}

async fn financing_plan(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<AsOfQuery>,
) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    let plan = jospar_execution::usecases::plans::readable(ctx.db(), p, id).await?;
    let date = if q.as_of.is_empty() {
        p.today
    } else {
        jospar_access::parse_date(&q.as_of, "as_of")?
    };
    let lines = plan
        .as_of(date)
        .map_err(|e| AppError::Internal(e.to_string()))?;
    let signatures = jospar_execution::usecases::plans::signatures(ctx.db(), p, id).await?;
    let exchange = jospar_execution::usecases::exchange::of_plan(ctx.db(), p, &plan).await?;
    Ok(Json(json!({
        "plan": plan, "as_of": date, "lines_as_of": lines, "signatures": signatures,
        "treasury_exchange": exchange,
    })))
}

#[derive(Deserialize)]
struct PlanMonths {
    version: i64,
    lines: Vec<jospar_execution::PlanLine>,
}

async fn save_plan(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: PlanMonths = body(&bytes)?;
    Ok(Json(json!(
        jospar_execution::usecases::plans::save_months(ctx.db(), p, id, b.version, &b.lines)
            .await?
    )))
}

#[derive(Deserialize)]
struct PlanApproval {
    version: i64,
    #[serde(default)]
    cms: String,
}

async fn approve_plan(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: PlanApproval = body(&bytes)?;
    let signing = &ctx.state.config.signing;
    Ok(Json(json!(
        jospar_execution::usecases::plans::approve(ctx.db(), signing, p, id, b.version, &b.cms)
            .await?
    )))
}

async fn plan_signing_data(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    use base64::Engine as _;
    let p = ctx.user()?;
    let (plan, data) = jospar_execution::usecases::plans::signing_data(ctx.db(), p, id).await?;
    Ok(Json(json!({
        "version": plan.version,
        "data": base64::engine::general_purpose::STANDARD.encode(&data),
        "sha256": jospar_eds::sha256_hex(&data),
    })))
}

#[derive(Deserialize)]
struct NewChange {
    kind: jospar_execution::ChangeKind,
    dated: chrono::NaiveDate,
    reason: String,
    moves: Vec<jospar_execution::LineMove>,
}

async fn add_plan_change(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: NewChange = body(&bytes)?;
    let doc = jospar_execution::ChangeDoc {
        number: 0,
        kind: b.kind,
        dated: b.dated,
        reason: b.reason,
        moves: b.moves,
    };
    Ok(created(
        jospar_execution::usecases::plans::add_change(ctx.db(), p, id, doc).await?,
    ))
}

async fn receipt_plans(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    let plans = jospar_execution::usecases::receipt_plans::list(ctx.db(), p).await?;
    Ok(Json(json!(
        plans
            .into_iter()
            .map(|(id, org_id, year, status)| json!({"id": id, "org_id": org_id, "year": year, "status": status}))
            .collect::<Vec<_>>()
    )))
}

#[derive(Deserialize)]
struct NewReceiptLine {
    code: String,
    annual: jospar_core::Tenge,
}

#[derive(Deserialize)]
struct NewReceiptPlan {
    org_id: i64,
    year: i32,
    lines: Vec<NewReceiptLine>,
}

async fn create_receipt_plan(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: NewReceiptPlan = body(&bytes)?;
    let annual: Vec<(String, jospar_core::Tenge)> =
        b.lines.into_iter().map(|l| (l.code, l.annual)).collect();
    Ok(created(
        jospar_execution::usecases::receipt_plans::create(ctx.db(), p, b.org_id, b.year, &annual)
            .await?,
    ))
}

async fn receipt_plan(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    let reader = jospar_access::Reader::User(p);
    Ok(Json(json!(
        jospar_execution::usecases::receipt_plans::readable(ctx.db(), &reader, id).await?
    )))
}

#[derive(Deserialize)]
struct ReceiptMonths {
    version: i64,
    lines: Vec<jospar_execution::receipts::ReceiptLine>,
}

async fn save_receipt_plan(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: ReceiptMonths = body(&bytes)?;
    Ok(Json(json!(
        jospar_execution::usecases::receipt_plans::save(ctx.db(), p, id, b.version, &b.lines)
            .await?
    )))
}

#[derive(Deserialize)]
struct VersionOnly {
    version: i64,
}

async fn approve_receipt_plan(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: VersionOnly = body(&bytes)?;
    Ok(Json(json!(
        jospar_execution::usecases::receipt_plans::approve(ctx.db(), p, id, b.version).await?
    )))
}

#[derive(Deserialize)]
struct ShortfallReason {
    month: String,
    code: String,
    #[serde(default)]
    reason: String,
}

async fn set_shortfall_reason(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: ShortfallReason = body(&bytes)?;
    Ok(Json(json!(
        jospar_execution::usecases::receipt_plans::set_shortfall_reason(
            ctx.db(),
            p,
            id,
            &b.month,
            &b.code,
            &b.reason
        )
        .await?
    )))
}

async fn training_sessions(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_oversight::usecases::sessions(ctx.db(), p).await?
    )))
}

#[derive(Deserialize)]
struct NewSession {
    held_on: chrono::NaiveDate,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    trainer: String,
    #[serde(default)]
    passed: Vec<i64>,
}

async fn record_training_session(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: NewSession = body(&bytes)?;
    Ok(created(
        jospar_oversight::usecases::record_session(
            ctx.db(),
            p,
            b.held_on,
            &b.topic,
            &b.trainer,
            &b.passed,
        )
        .await?,
    ))
}

async fn issue_training_report(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    Ok(Json(json!(
        jospar_oversight::usecases::issue_report(ctx.db(), p, id).await?
    )))
}

async fn oversight_applications(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_oversight::usecases::applications(ctx.db(), p).await?
    )))
}

async fn submit_oversight_application(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    use base64::Engine as _;
    let p = writer(&ctx)?;
    let mut value: Value = body(&bytes)?;
    // Employees' QR pictures come as base64 beside the other fields; they are read into codes.
    let mut pictures = Vec::new();
    if let Some(employees) = value["employees"].as_array_mut() {
        for (i, employee) in employees.iter_mut().enumerate() {
            let Some(picture) = employee.as_object_mut().and_then(|e| e.remove("qr_image")) else {
                continue;
            };
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(picture.as_str().unwrap_or_default())
                .map_err(|_| AppError::Invalid {
                    key: "err-oversight-qr",
                    args: vec![
                        ("employee", (i + 1).to_string()),
                        ("detail", "base64".into()),
                    ],
                    field: Some(format!("employees[{}].qr_image", i + 1)),
                })?;
            employee["qr_code"] = json!("");
            pictures.push((i + 1, bytes));
        }
    }
    let mut request: jospar_oversight::application::Request = serde_json::from_value(value)
        .map_err(|e| AppError::Invalid {
            key: "err-bad-json",
            args: vec![("message", e.to_string())],
            field: None,
        })?;
    jospar_oversight::usecases::read_qr_pictures(&mut request, &pictures)?;
    Ok(created(
        jospar_oversight::usecases::submit(ctx.db(), p, &request).await?,
    ))
}

async fn oversight_application_signing_data(
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Json<Value>> {
    use base64::Engine as _;
    let p = ctx.user()?;
    let (_, data) = jospar_oversight::usecases::signing_data(ctx.db(), p, id).await?;
    Ok(Json(json!({
        "data": base64::engine::general_purpose::STANDARD.encode(&data),
        "sha256": jospar_eds::sha256_hex(&data),
    })))
}

#[derive(Deserialize)]
struct Cms {
    #[serde(default)]
    cms: String,
}

async fn sign_oversight_application(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: Cms = body(&bytes)?;
    let signing = &ctx.state.config.signing;
    Ok(Json(json!(
        jospar_oversight::usecases::sign(ctx.db(), signing, p, id, &b.cms).await?
    )))
}

#[derive(Deserialize)]
struct Review {
    forward: bool,
    #[serde(default)]
    reason: String,
}

async fn review_oversight_application(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: Review = body(&bytes)?;
    Ok(Json(json!(
        jospar_oversight::usecases::review(ctx.db(), p, id, b.forward, &b.reason).await?
    )))
}

async fn grant_oversight_application(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    Ok(Json(json!(
        jospar_oversight::usecases::grant_application(ctx.db(), p, id).await?
    )))
}

async fn oversight_access(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_oversight::usecases::list(ctx.db(), p).await?
    )))
}

#[derive(Deserialize)]
struct NewOversightAccess {
    user_id: i64,
    kind: String,
    #[serde(default)]
    anchor_org_id: Option<i64>,
    #[serde(default)]
    body_bin: String,
}

async fn grant_oversight(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: NewOversightAccess = body(&bytes)?;
    Ok(created(
        jospar_oversight::usecases::grant(
            ctx.db(),
            p,
            b.user_id,
            &b.kind,
            b.anchor_org_id,
            &b.body_bin,
        )
        .await?,
    ))
}

#[derive(Deserialize)]
struct Reason {
    #[serde(default)]
    reason: String,
}

async fn request_oversight_block(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: Reason = body(&bytes)?;
    Ok(Json(json!(
        jospar_oversight::usecases::request_block(ctx.db(), p, id, &b.reason).await?
    )))
}

async fn block_oversight(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: Reason = body(&bytes)?;
    Ok(Json(json!(
        jospar_oversight::usecases::block(ctx.db(), p, id, &b.reason).await?
    )))
}

async fn closed_periods(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_execution::usecases::periods::list(ctx.db(), p).await?
    )))
}

#[derive(Deserialize)]
struct PeriodAct {
    org_id: i64,
    month: String,
    #[serde(default)]
    reason: String,
}

async fn close_period(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: PeriodAct = body(&bytes)?;
    Ok(created(
        jospar_execution::usecases::periods::close(ctx.db(), p, b.org_id, &b.month, &b.reason)
            .await?,
    ))
}

async fn reopen_period(ctx: Ctx, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: PeriodAct = body(&bytes)?;
    Ok(Json(json!(
        jospar_execution::usecases::periods::reopen(ctx.db(), p, b.org_id, &b.month, &b.reason)
            .await?
    )))
}

async fn open_budget_documents(ctx: Ctx) -> AppResult<Json<Value>> {
    let docs = jospar_openbudget::repo::documents(ctx.db())
        .await
        .map_err(jospar_openbudget::usecases::repo_error)?;
    Ok(Json(json!(docs)))
}

async fn open_budget_document(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let doc = jospar_openbudget::usecases::document(ctx.db(), id).await?;
    let proposals = jospar_openbudget::usecases::published_proposals(ctx.db(), id).await?;
    let tallies = jospar_openbudget::repo::tallies(ctx.db(), id)
        .await
        .map_err(jospar_openbudget::usecases::repo_error)?;
    let votes = |target: i64| {
        let (f, a) = tallies.get(&target).copied().unwrap_or_default();
        json!({"for": f, "against": a})
    };
    let proposals: Vec<Value> = proposals
        .iter()
        .map(|p| {
            json!({"id": p.id, "part": p.part, "text": p.text, "published_on": p.moderated_on,
                   "accepted": p.accepted, "answer": p.answer, "votes": votes(p.id)})
        })
        .collect();
    let press_release = jospar_openbudget::usecases::press_release(ctx.db(), &ctx.tr, &doc).await?;
    Ok(Json(json!({
        "unique_number": doc.unique_number(),
        "document": doc,
        "votes": votes(0),
        "proposals": proposals,
        "press_release": press_release,
    })))
}

async fn publish_open_budget(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    use base64::Engine as _;
    let mut value: Value = body(&bytes)?;
    // Materials come as {file_name, content (base64)}; the rest is the publication itself.
    let mut materials = Vec::new();
    if let Some(list) = value.as_object_mut().and_then(|o| o.remove("materials")) {
        for m in list.as_array().cloned().unwrap_or_default() {
            let content = base64::engine::general_purpose::STANDARD
                .decode(m["content"].as_str().unwrap_or_default())
                .map_err(|_| AppError::invalid("err-ob-file", "materials"))?;
            let name = m["file_name"].as_str().unwrap_or("material").to_string();
            materials.push((jospar_planning::repo::clean_file_name(&name), content));
        }
    }
    let mut new: jospar_openbudget::usecases::Publication =
        serde_json::from_value(value).map_err(|e| AppError::Invalid {
            key: "err-bad-json",
            args: vec![("message", e.to_string())],
            field: None,
        })?;
    new.materials = materials;
    let portal = ctx.state.config.open_budgets.as_deref();
    Ok(created(
        jospar_openbudget::usecases::publish(ctx.db(), portal, p, new).await?,
    ))
}

async fn upload_open_budget(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let portal = ctx.state.config.open_budgets.as_deref();
    Ok(Json(json!(
        jospar_openbudget::usecases::upload_again(ctx.db(), portal, p, id).await?
    )))
}

async fn open_budget_publications(ctx: Ctx) -> AppResult<Json<Value>> {
    let today = chrono::Utc::now().date_naive();
    let rows: Vec<Value> =
        jospar_openbudget::usecases::publications(ctx.db(), ctx.principal.as_ref())
            .await?
            .into_iter()
            .map(|x| {
                let late = x.late(today);
                json!({"publication": x, "late": late})
            })
            .collect();
    Ok(Json(json!(rows)))
}

async fn register_publication(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let new: jospar_openbudget::publications::NewPublication = body(&bytes)?;
    Ok(created(
        jospar_openbudget::usecases::register_publication(ctx.db(), p, new).await?,
    ))
}

#[derive(Deserialize)]
struct FileName {
    #[serde(default)]
    file_name: String,
}

async fn publish_publication_file(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<FileName>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let name = if q.file_name.is_empty() {
        "publication"
    } else {
        q.file_name.as_str()
    };
    Ok(Json(json!(
        jospar_openbudget::usecases::publish_file(ctx.db(), p, id, name, &bytes).await?
    )))
}

async fn pending_proposals(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    let rows: Vec<Value> = jospar_openbudget::usecases::pending(ctx.db(), p)
        .await?
        .into_iter()
        .map(|(proposal, due, late)| json!({"proposal": proposal, "due": due, "overdue": late}))
        .collect();
    Ok(Json(json!(rows)))
}

#[derive(Deserialize)]
struct Moderation {
    publish: bool,
    #[serde(default)]
    reason: String,
}

async fn moderate_proposal(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: Moderation = body(&bytes)?;
    Ok(Json(json!(
        jospar_openbudget::usecases::moderate(ctx.db(), p, id, b.publish, &b.reason).await?
    )))
}

#[derive(Deserialize)]
struct Answer {
    accepted: bool,
    #[serde(default)]
    text: String,
}

async fn answer_proposal(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: Answer = body(&bytes)?;
    Ok(Json(json!(
        jospar_openbudget::usecases::answer(ctx.db(), p, id, b.accepted, &b.text).await?
    )))
}

async fn offsetting_codes(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_execution::usecases::offsetting::list(ctx.db(), p).await?
    )))
}

async fn add_offsetting_code(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let new: jospar_execution::offsetting::NewPair = body(&bytes)?;
    Ok(created(
        jospar_execution::usecases::offsetting::add(ctx.db(), p, new).await?,
    ))
}

async fn remove_offsetting_code(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: Reason = body(&bytes)?;
    Ok(Json(json!(
        jospar_execution::usecases::offsetting::remove(ctx.db(), p, id, &b.reason).await?
    )))
}

async fn passport_exports(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_execution::usecases::passport::exports(ctx.db(), p).await?
    )))
}

#[derive(Deserialize)]
struct NewPublication {
    kind: String,
    f552: i64,
    #[serde(default)]
    f219: Option<i64>,
}

async fn publish_to_passport(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: NewPublication = body(&bytes)?;
    let what = jospar_execution::usecases::passport::Publication {
        kind: b.kind,
        f552: b.f552,
        f219: b.f219,
    };
    let portal = ctx.state.config.passport.as_ref();
    Ok(created(
        jospar_execution::usecases::passport::publish(ctx.db(), p, portal, &what).await?,
    ))
}

async fn treasury_exchange(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_execution::usecases::exchange::list(ctx.db(), p).await?
    )))
}

async fn send_to_treasury(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let gateway = ctx.state.config.treasury.as_ref();
    Ok(Json(json!(
        jospar_execution::usecases::exchange::send_now(ctx.db(), gateway, p).await?
    )))
}

#[derive(Deserialize)]
struct Retry {
    #[serde(default)]
    reason: String,
}

async fn retry_treasury_document(
    ctx: Ctx,
    Path(id): Path<i64>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: Retry = body(&bytes)?;
    Ok(Json(json!(
        jospar_execution::usecases::exchange::retry(ctx.db(), p, id, &b.reason).await?
    )))
}

async fn portal_imports(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    let reader = jospar_access::Reader::User(p);
    Ok(Json(json!(
        jospar_execution::usecases::portal_reports::imports(ctx.db(), &reader).await?
    )))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PortalImportQuery {
    org: String,
    title: String,
    file_name: String,
}

async fn import_portal(
    ctx: Ctx,
    Query(q): Query<PortalImportQuery>,
    bytes: Bytes,
) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let target = jospar_execution::usecases::portal_reports::ImportTarget {
        org_id: jospar_access::parse_id(&q.org, "org")?,
        title: &q.title,
        file_name: if q.file_name.is_empty() {
            "api upload"
        } else {
            &q.file_name
        },
    };
    let import = jospar_execution::usecases::portal_reports::import_portal(
        ctx.db(),
        &p.who(),
        Some(p),
        target,
        &bytes,
    )
    .await?;
    Ok(created(import))
}

fn kind_param(kind: &str) -> AppResult<Option<CodeKind>> {
    if kind.is_empty() {
        return Ok(None);
    }
    CodeKind::from_code(kind)
        .map(Some)
        .ok_or_else(|| AppError::Invalid {
            key: "err-unknown-value",
            args: vec![("field", "kind".into()), ("value", kind.into())],
            field: Some("kind".into()),
        })
}

async fn codes(
    ctx: Ctx,
    Path(year): Path<i32>,
    Query(q): Query<SearchQuery>,
) -> AppResult<Json<Value>> {
    ctx.user()?;
    let kind = kind_param(&q.kind)?;
    let parent = Some(q.parent.as_str()).filter(|p| !p.is_empty());
    Ok(Json(json!(
        ebk::search(ctx.db(), year, kind, parent, &q.q, 1000).await?
    )))
}

async fn code(
    ctx: Ctx,
    Path((year, kind, code)): Path<(i32, String, String)>,
) -> AppResult<Json<Value>> {
    ctx.user()?;
    let kind = kind_param(&kind)?.ok_or(AppError::NotFound)?;
    match ebk::get(ctx.db(), year, kind, &code).await? {
        Some(entry) => Ok(Json(json!(entry))),
        None => Err(AppError::Invalid {
            key: "err-unknown-code",
            args: vec![("field", "code".into()), ("value", code.clone())],
            field: Some("code".into()),
        }),
    }
}

async fn users(ctx: Ctx, Query(q): Query<SearchQuery>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    if p.scope(Right::Configure).is_empty() {
        return Err(AppError::Forbidden);
    }
    Ok(Json(json!(service::users(ctx.db(), p, &q.q).await?)))
}

async fn user(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    let user = service::user(ctx.db(), p, id).await?;
    let grants = repo::grants_of(ctx.db(), id).await?;
    Ok(Json(json!({"user": user, "grants": grants})))
}

async fn create_user(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let new: NewUser = body(&bytes)?;
    Ok(created(service::create_user(ctx.db(), p, new).await?))
}

async fn update_user(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let change: UserChange = body(&bytes)?;
    Ok(Json(json!(
        service::update_user(ctx.db(), p, id, change).await?
    )))
}

#[derive(Deserialize)]
struct GrantBody {
    role: String,
    org_id: i64,
    valid_until: chrono::NaiveDate,
}

async fn add_grant(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let g: GrantBody = body(&bytes)?;
    Ok(created(
        service::grant(ctx.db(), p, id, &g.role, g.org_id, g.valid_until).await?,
    ))
}

async fn remove_grant(ctx: Ctx, Path((id, grant)): Path<(i64, i64)>) -> AppResult<StatusCode> {
    let p = writer(&ctx)?;
    service::revoke(ctx.db(), p, id, grant).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn audit(ctx: Ctx, Query(q): Query<AuditQuery>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(service::audit(ctx.db(), p, q.filter()?).await?)))
}

async fn calendar(ctx: Ctx, Path(year): Path<i32>) -> AppResult<Json<Value>> {
    ctx.user()?;
    if !(2000..=2100).contains(&year) {
        return Err(AppError::invalid("err-year", "year"));
    }
    let calendar = ctx.db().working_calendar().await?;
    let days: Vec<Value> = calendar
        .days_off_and_exceptions(year)
        .into_iter()
        .map(|(d, k)| json!({"day": d, "kind": k.code()}))
        .collect();
    Ok(Json(
        json!({"year": year, "working_days": calendar.working_days_in_year(year), "days": days}),
    ))
}

#[derive(Deserialize)]
struct DayBody {
    kind: String,
    #[serde(default)]
    note: String,
}

async fn set_day(ctx: Ctx, Path(day): Path<String>, bytes: Bytes) -> AppResult<StatusCode> {
    let p = writer(&ctx)?;
    p.require_system(Right::Configure)?;
    let date = jospar_access::parse_date(&day, "day")?;
    let b: DayBody = body(&bytes)?;
    let kind = DayKind::from_code(&b.kind).ok_or_else(|| AppError::Invalid {
        key: "err-unknown-value",
        args: vec![("field", "kind".into()), ("value", b.kind.clone())],
        field: Some("kind".into()),
    })?;
    ctx.db()
        .set_calendar_day(&p.who(), date, kind, &b.note)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn delete_day(ctx: Ctx, Path(day): Path<String>) -> AppResult<StatusCode> {
    let p = writer(&ctx)?;
    p.require_system(Right::Configure)?;
    let date = jospar_access::parse_date(&day, "day")?;
    if ctx.db().delete_calendar_day(&p.who(), date).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}

async fn tokens(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(auth::api_tokens_of(ctx.db(), p.user.id).await?)))
}

#[derive(Deserialize)]
struct TokenBody {
    name: String,
    expires_on: chrono::NaiveDate,
}

async fn create_token(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: TokenBody = body(&bytes)?;
    if b.name.trim().is_empty() {
        return Err(AppError::invalid("err-required", "name"));
    }
    if b.expires_on < p.today {
        return Err(AppError::invalid("err-expiry-past", "expires_on"));
    }
    let (record, token) =
        auth::create_api_token(ctx.db(), &p.who(), &p.user, &b.name, b.expires_on).await?;
    Ok(created(json!({"token": token, "record": record})))
}

async fn revoke_token(ctx: Ctx, Path(id): Path<i64>) -> AppResult<StatusCode> {
    let p = writer(&ctx)?;
    if auth::revoke_api_token(ctx.db(), &p.who(), &p.user, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(AppError::NotFound)
    }
}

async fn campaigns(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_limits::usecases::visible_campaigns(ctx.db(), p).await?
    )))
}

async fn create_campaign(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let new: jospar_limits::repo::NewCampaign = body(&bytes)?;
    Ok(created(
        jospar_limits::usecases::create_campaign(ctx.db(), p, new).await?,
    ))
}

async fn campaign(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    let campaign = jospar_limits::usecases::campaign(ctx.db(), p, id).await?;
    let read = p.scope(Right::Read);
    let amounts: Vec<_> = jospar_limits::repo::amounts(ctx.db(), id)
        .await?
        .into_iter()
        .filter(|a| read.contains(a.slot.org_id))
        .collect();
    Ok(Json(json!({"campaign": campaign, "amounts": amounts})))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NodeQuery {
    org: String,
    program: String,
}

async fn balance(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<NodeQuery>,
) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    let campaign = jospar_limits::usecases::campaign(ctx.db(), p, id).await?;
    let org: i64 = q
        .org
        .parse()
        .map_err(|_| AppError::invalid("err-required", "org"))?;
    p.require(Right::Read, org)?;
    let orgs = jospar_limits::usecases::org_map(ctx.db()).await?;
    let amounts = jospar_limits::repo::amounts(ctx.db(), id).await?;
    let ledger = jospar_limits::repo::ledger_of(&campaign, &amounts, &orgs, &p.tree)
        .map_err(|e| jospar_limits::usecases::limit_message(e, &orgs, &ctx.tr))?;
    let node = jospar_limits::Node {
        org_id: org,
        program: q.program.trim().to_string(),
    };
    let rows: Vec<Value> = jospar_limits::usecases::balances(&campaign, &node, &ledger)
        .into_iter()
        .map(|b| json!({"year": b.year, "kind": b.kind, "received_tiyn": b.received.tiyn(),
                        "distributed_tiyn": b.distributed.tiyn(), "remaining_tiyn": b.remaining.tiyn()}))
        .collect();
    Ok(Json(json!(rows)))
}

#[derive(Deserialize)]
struct LimitsBody {
    changes: Vec<jospar_limits::repo::Change>,
    #[serde(default)]
    reason: Option<String>,
}

async fn set_limits(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let campaign = jospar_limits::usecases::campaign(ctx.db(), p, id).await?;
    let b: LimitsBody = body(&bytes)?;
    let saved = jospar_limits::usecases::save(
        ctx.db(),
        p,
        &ctx.tr,
        &campaign,
        &b.changes,
        b.reason.as_deref(),
    )
    .await?;
    Ok(Json(json!({"saved": saved})))
}

async fn forms(ctx: Ctx) -> AppResult<Json<Value>> {
    ctx.user()?;
    Ok(Json(json!(jospar_planning::repo::forms(ctx.db()).await?)))
}

async fn put_form(ctx: Ctx, Path(code): Path<String>, bytes: Bytes) -> AppResult<StatusCode> {
    let p = writer(&ctx)?;
    p.require_system(Right::Configure)?;
    let def: jospar_forms::FormDef = body(&bytes)?;
    if def.code != code {
        return Err(AppError::invalid("err-form-code", "code"));
    }
    jospar_planning::usecases::save_form(ctx.db(), p, &def).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn requests(ctx: Ctx) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_planning::usecases::visible_requests(ctx.db(), p).await?
    )))
}

#[derive(Deserialize)]
struct NewRequestBody {
    campaign_id: i64,
    org_id: i64,
    kind: String,
}

async fn create_request(ctx: Ctx, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: NewRequestBody = body(&bytes)?;
    Ok(created(
        jospar_planning::usecases::create(ctx.db(), p, &ctx.tr, b.campaign_id, b.org_id, &b.kind)
            .await?,
    ))
}

async fn request(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    let request = jospar_planning::usecases::request(ctx.db(), p, id).await?;
    let lines = jospar_planning::usecases::lines(ctx.db(), &request).await?;
    Ok(Json(json!({"request": request, "lines": lines})))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LineBody {
    version: i64,
    program: String,
    subprogram: String,
    specific: String,
    limit_kind: String,
    project: String,
}

async fn add_line(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: LineBody = body(&bytes)?;
    let input = jospar_planning::usecases::LineInput {
        program: b.program,
        subprogram: b.subprogram,
        specific: b.specific,
        limit_kind: b.limit_kind,
        project: b.project,
    };
    Ok(created(
        jospar_planning::usecases::add_line(ctx.db(), p, id, b.version, input).await?,
    ))
}

async fn line_rows(
    ctx: Ctx,
    Path((id, line, year)): Path<(i64, i64, i32)>,
) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    let request = jospar_planning::usecases::request(ctx.db(), p, id).await?;
    let rows = jospar_planning::repo::line_rows(ctx.db(), request.id, line, year).await?;
    Ok(Json(json!(rows)))
}

#[derive(Deserialize)]
struct RowsBody {
    version: i64,
    rows: Vec<jospar_forms::RowInput>,
}

async fn set_rows(
    ctx: Ctx,
    Path((id, line, year)): Path<(i64, i64, i32)>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: RowsBody = body(&bytes)?;
    let amount = jospar_planning::usecases::set_rows(
        ctx.db(),
        p,
        &ctx.tr,
        jospar_planning::usecases::RowsEdit {
            id,
            version: b.version,
            line_id: line,
            year,
            rows: &b.rows,
        },
    )
    .await?;
    Ok(Json(json!({"amount_tiyn": amount.tiyn()})))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StepBody {
    version: i64,
    reason: String,
    /// The CMS signature from NCALayer (PEM or base64) over the request's signing data.
    cms: String,
}

async fn send_request(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: StepBody = body(&bytes)?;
    let signing = &ctx.state.config.signing;
    Ok(Json(json!(
        jospar_planning::usecases::send(ctx.db(), signing, p, id, b.version, &b.cms).await?
    )))
}

async fn pay_reference(ctx: Ctx) -> AppResult<Json<Value>> {
    ctx.user()?;
    Ok(Json(json!(
        jospar_staffing::usecases::reference_tables(ctx.db()).await?
    )))
}

async fn set_pay_reference(
    ctx: Ctx,
    Path((table, valid_from)): Path<(String, String)>,
    bytes: Bytes,
) -> AppResult<StatusCode> {
    let p = writer(&ctx)?;
    let date = jospar_access::parse_date(&valid_from, "valid_from")?;
    let value: Value = body(&bytes)?;
    jospar_planning::payroll::set_reference(ctx.db(), p, &table, date, &value).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
struct StaffingBody {
    version: i64,
    positions: Vec<jospar_staffing::Position>,
}

async fn staffing_table(ctx: Ctx, Path((org, year)): Path<(i64, i32)>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_staffing::usecases::staffing_table(ctx.db(), p, org, year).await?
    )))
}

async fn save_staffing_table(
    ctx: Ctx,
    Path((org, year)): Path<(i64, i32)>,
    bytes: Bytes,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: StaffingBody = body(&bytes)?;
    Ok(Json(json!(
        jospar_planning::payroll::save_staffing_table(
            ctx.db(),
            p,
            org,
            year,
            b.version,
            &b.positions
        )
        .await?
    )))
}

async fn copy_staffing_table(
    ctx: Ctx,
    Path((org, year)): Path<(i64, i32)>,
) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    Ok(Json(json!(
        jospar_planning::payroll::copy_to_next_year(ctx.db(), p, org, year).await?
    )))
}

#[derive(Deserialize)]
struct CompareYears {
    from: i32,
    to: i32,
}

async fn compare_staffing(
    ctx: Ctx,
    Path(org): Path<i64>,
    Query(years): Query<CompareYears>,
) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_staffing::usecases::compare(ctx.db(), p, org, years.from, years.to).await?
    )))
}

async fn report_catalogue(ctx: Ctx) -> AppResult<Json<Value>> {
    ctx.user()?;
    let reports: Vec<Value> = crate::reports::catalogue()
        .iter()
        .map(|r| {
            let params: Vec<Value> = r
                .params
                .iter()
                .map(|p| json!({"name": p.name, "required": p.required, "about": p.about}))
                .collect();
            json!({"name": r.name, "title": ctx.tr.t(&format!("report-{}", r.name)), "params": params})
        })
        .collect();
    Ok(Json(json!(reports)))
}

async fn report(
    ctx: Ctx,
    Path(name): Path<String>,
    Query(params): Query<std::collections::HashMap<String, String>>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    crate::reports::catalogue()
        .find(&name)
        .ok_or(AppError::NotFound)?;
    let reader = jospar_access::Reader::User(p);
    let table = crate::reports::catalogue()
        .build(ctx.db(), &ctx.tr, &p.tree, &reader, &name, &params)
        .await?;
    let format = params.get("format").map(String::as_str).unwrap_or("json");
    match crate::pages::download(&table, format, &name)? {
        Some(file) if format != "json" => Ok(file),
        _ => Ok(Json(json!(table)).into_response()),
    }
}

async fn signing_data(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    use base64::Engine as _;
    let p = ctx.user()?;
    let (request, data) = jospar_planning::usecases::signing_data(ctx.db(), p, id).await?;
    Ok(Json(json!({
        "version": request.version,
        "data": base64::engine::general_purpose::STANDARD.encode(&data),
        "sha256": jospar_eds::sha256_hex(&data),
    })))
}

async fn request_signatures(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_planning::usecases::signatures(ctx.db(), p, id).await?
    )))
}

async fn approve_request(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: StepBody = body(&bytes)?;
    Ok(Json(json!(
        jospar_planning::usecases::approve(ctx.db(), p, id, b.version).await?
    )))
}

async fn return_request(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: StepBody = body(&bytes)?;
    Ok(Json(json!(
        jospar_planning::usecases::return_request(ctx.db(), p, id, b.version, &b.reason).await?
    )))
}

async fn desk(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    let (campaign, deadline, rows) = jospar_planning::usecases::desk(ctx.db(), p, id).await?;
    let rows: Vec<Value> = rows
        .into_iter()
        .map(|r| json!({"org_id": r.org_id, "request": r.request, "overdue": r.overdue}))
        .collect();
    Ok(Json(
        json!({"campaign": campaign, "deadline": deadline, "rows": rows}),
    ))
}

async fn fill_inflation(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: StepBody = body(&bytes)?;
    Ok(Json(json!(
        jospar_planning::usecases::fill_inflation(ctx.db(), p, id, b.version).await?
    )))
}

async fn undo_fill(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Json<Value>> {
    let p = writer(&ctx)?;
    let b: StepBody = body(&bytes)?;
    Ok(Json(json!(
        jospar_planning::usecases::undo_fill(ctx.db(), p, id, b.version).await?
    )))
}

async fn consolidated(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(params): Query<crate::pages::ConsolidationParams>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    jospar_limits::usecases::campaign(ctx.db(), p, id).await?;
    let query = params.query(id);
    if let Some(root) = query.root_org {
        p.require(Right::Read, root)?;
    }
    let read = p.scope(Right::Read);
    let readable = |org: i64| read.contains(org);
    let table = match params.pivot(id) {
        Some(pivot) => {
            jospar_planning::usecases::pivot_table(ctx.db(), &ctx.tr, &p.tree, &pivot, &readable)
                .await?
        }
        None => {
            jospar_planning::usecases::consolidated_table(
                ctx.db(),
                &ctx.tr,
                &p.tree,
                &query,
                &readable,
            )
            .await?
        }
    };
    match crate::pages::download(&table, &params.format, &format!("consolidated-{id}"))? {
        Some(file) => Ok(file),
        None => Ok(Json(json!(table)).into_response()),
    }
}

async fn attachments(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    let request = jospar_planning::usecases::request(ctx.db(), p, id).await?;
    Ok(Json(json!(
        jospar_planning::repo::attachments(ctx.db(), request.id).await?
    )))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AttachQuery {
    version: i64,
    file_name: String,
}

async fn attach(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<AttachQuery>,
    headers: axum::http::HeaderMap,
    bytes: Bytes,
) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let content_type = headers
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    Ok(created(
        jospar_planning::usecases::attach(
            ctx.db(),
            p,
            id,
            q.version,
            &q.file_name,
            content_type,
            &bytes,
        )
        .await?,
    ))
}

async fn attachment(ctx: Ctx, Path((id, attachment)): Path<(i64, i64)>) -> AppResult<Response> {
    let p = ctx.user()?;
    let (meta, content) =
        jospar_planning::usecases::attachment(ctx.db(), p, id, attachment).await?;
    Ok(crate::pages::attachment_response(&meta, content))
}

async fn export_request(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<crate::pages::ExportQuery>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let request = jospar_planning::usecases::request(ctx.db(), p, id).await?;
    let table = jospar_planning::usecases::breakdown_table(ctx.db(), &ctx.tr, &request).await?;
    match crate::pages::download(&table, &q.format, &format!("request-{id}"))? {
        Some(file) => Ok(file),
        None => Ok(Json(json!(table)).into_response()),
    }
}

#[derive(Deserialize)]
struct VersionBody {
    kind: String,
}

async fn new_version(ctx: Ctx, Path(id): Path<i64>, bytes: Bytes) -> AppResult<Response> {
    let p = writer(&ctx)?;
    let b: VersionBody = body(&bytes)?;
    Ok(created(
        jospar_planning::usecases::new_version(ctx.db(), p, id, &b.kind).await?,
    ))
}

async fn diff(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let p = ctx.user()?;
    Ok(Json(json!(
        jospar_planning::usecases::diff(ctx.db(), p, id).await?
    )))
}
