//! Use cases of budget requests (BP-1, BP-2, BP-4, BP-8, BP-9) shared by the pages and the
//! API, each with its rights check: the institution enters and sends, the organisations of
//! the review chain approve or return.

use crate::price_checks::{self, Priced};
use crate::repo::{self, Move, NewLine, NewSignature, RepoError, Target};
use crate::{
    Line, PlanningError, Request, RequestKind, Status, check_limits, next_stage, request_years,
    review_chain,
};
use jospar_access::Principal;
use jospar_access::{Error, Result};
use jospar_eds::Signing;
use jospar_forms::{FormDef, FormError, RowInput};
use jospar_i18n::Tr;
use jospar_limits::{LimitKind, Slot, repo as limits_repo};
use jospar_org::{OrgKind, Right};
use jospar_store::Db;
use std::collections::HashMap;

pub async fn visible_requests(db: &Db, p: &Principal) -> Result<Vec<Request>> {
    let read = p.scope(Right::Read);
    let approve = p.scope(Right::Approve);
    Ok(repo::requests(db)
        .await?
        .into_iter()
        .filter(|r| read.contains(r.org_id) || r.stage_org_id.is_some_and(|s| approve.contains(s)))
        .collect())
}

/// Filters of the requests list (issue 20); every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RequestFilter {
    /// Requests of this organisation and of everything below it.
    pub org: Option<i64>,
    /// The campaign's first planning year.
    pub year: Option<i32>,
    pub status: Option<Status>,
    pub kind: Option<RequestKind>,
    /// The amount of the first planning year, from and to (inclusive).
    pub min: Option<jospar_core::Tenge>,
    pub max: Option<jospar_core::Tenge>,
}

/// A row of the requests list: the request and what the list shows of it, in the reader's
/// language.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct RequestListRow {
    #[serde(flatten)]
    pub request: Request,
    /// The number people read, e.g. БЗ-2027-0042.
    pub number_label: String,
    /// The campaign's first planning year.
    pub first_year: i32,
    pub org_name: String,
    pub campaign_name: String,
    /// The amount of the first planning year.
    pub amount: jospar_core::Tenge,
}

impl jospar_core::listing::Listable for RequestListRow {
    /// The number, organisation and campaign, and the first year's amount in whole tenge as
    /// one types it ("36000000").
    fn search_text(&self) -> String {
        format!(
            "{} {} {} {}",
            self.number_label,
            self.org_name,
            self.campaign_name,
            self.amount.tiyn() / 100
        )
    }

    fn sort_key(&self, column: &str) -> Option<jospar_core::listing::SortKey> {
        use jospar_core::listing::SortKey;
        Some(match column {
            "number" => {
                SortKey::Number(i64::from(self.first_year) * 1_000_000 + self.request.number)
            }
            "date" => SortKey::Number(self.request.created_at.timestamp_micros()),
            "org" => SortKey::text(&self.org_name),
            "campaign" => SortKey::Number(i64::from(self.first_year)),
            "kind" => SortKey::Text(self.request.kind.code().into()),
            "status" => SortKey::Text(self.request.status.code().into()),
            "amount" => SortKey::Number(self.amount.tiyn()),
            _ => return None,
        })
    }
}

/// The requests list (issue 20): the requests the caller reads or reviews, filtered, searched,
/// sorted and cut to a page. Newest first unless sorted.
pub async fn list_requests(
    db: &Db,
    p: &Principal,
    tr: &Tr,
    filter: &RequestFilter,
    query: &jospar_core::listing::ListQuery,
) -> Result<jospar_core::listing::Listed<RequestListRow>> {
    let lang = tr.lang();
    let prefix = tr.t("request-number-prefix");
    let orgs = jospar_limits::usecases::org_map(db).await?;
    let campaigns: std::collections::HashMap<i64, jospar_limits::Campaign> =
        limits_repo::campaigns(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
    let amounts = repo::first_year_amounts(db).await?;
    let within: Option<std::collections::HashSet<i64>> = filter
        .org
        .map(|root| p.tree.subtree(root).into_iter().collect());
    let rows = visible_requests(db, p)
        .await?
        .into_iter()
        .filter(|r| within.as_ref().is_none_or(|ids| ids.contains(&r.org_id)))
        .filter(|r| filter.status.is_none_or(|s| s == r.status))
        .filter(|r| filter.kind.is_none_or(|k| k == r.kind))
        .filter_map(|request| {
            let campaign = campaigns.get(&request.campaign_id)?;
            let amount = jospar_core::Tenge::from_tiyn(
                amounts.get(&request.id).copied().unwrap_or_default(),
            );
            Some(RequestListRow {
                number_label: request.number_label(&prefix, campaign.first_year),
                first_year: campaign.first_year,
                org_name: orgs
                    .get(&request.org_id)
                    .map(|o| o.name(lang).to_string())
                    .unwrap_or_default(),
                campaign_name: if lang == "kk" {
                    campaign.name_kk.clone()
                } else {
                    campaign.name_ru.clone()
                },
                amount,
                request,
            })
        })
        .filter(|r| filter.year.is_none_or(|y| y == r.first_year))
        .filter(|r| filter.min.is_none_or(|min| r.amount >= min))
        .filter(|r| filter.max.is_none_or(|max| r.amount <= max))
        .collect();
    Ok(jospar_core::listing::list(rows, query))
}

pub async fn request(db: &Db, p: &Principal, id: i64) -> Result<Request> {
    let request = repo::request(db, id).await?.ok_or(Error::NotFound)?;
    let reviewer = request
        .stage_org_id
        .is_some_and(|s| p.can(Right::Approve, s));
    if !p.can(Right::Read, request.org_id) && !reviewer {
        return Err(Error::Forbidden);
    }
    Ok(request)
}

pub async fn create(
    db: &Db,
    p: &Principal,
    tr: &Tr,
    campaign_id: i64,
    org_id: i64,
    kind: &str,
) -> Result<Request> {
    let campaign = jospar_limits::usecases::campaign(db, p, campaign_id).await?;
    p.require(Right::Enter, org_id)?;
    let kind =
        RequestKind::from_code(kind).ok_or_else(|| Error::invalid("err-required", "kind"))?;
    let orgs = jospar_limits::usecases::org_map(db).await?;
    let org = orgs.get(&org_id).ok_or(Error::NotFound)?;
    let receives = org.kind != OrgKind::AuthorizedBody
        && jospar_limits::source_of(
            &jospar_limits::Node {
                org_id,
                program: "001".into(),
            },
            &campaign,
            &orgs,
            &p.tree,
        )
        .is_ok();
    if !receives {
        return Err(jospar_limits::usecases::limit_message(
            jospar_limits::LimitError::NotAReceiver(jospar_limits::Node {
                org_id,
                program: String::new(),
            }),
            &orgs,
            tr,
        ));
    }
    let request = repo::create_request(db, &p.who(), campaign_id, org_id, kind)
        .await
        .map_err(planning_error)?;
    // ST-3: the payroll lines come from the staffing tables of the planning years.
    crate::payroll::sync_request(db, &p.who(), &request).await?;
    Ok(repo::request(db, request.id).await?.unwrap_or(request))
}

pub async fn lines(db: &Db, request: &Request) -> Result<Vec<Line>> {
    Ok(repo::lines(db, request.id).await?)
}

pub struct LineInput {
    pub program: String,
    pub subprogram: String,
    pub specific: String,
    pub limit_kind: String,
    pub project: String,
}

fn three_digits(value: &str, field: &'static str, optional: bool) -> Result<String> {
    let v = value.trim();
    if v.is_empty() && optional {
        return Ok(String::new());
    }
    if v.len() == 3 && v.chars().all(|c| c.is_ascii_digit()) {
        Ok(v.to_string())
    } else {
        Err(Error::Invalid {
            key: "err-three-digits",
            args: vec![("field", field.into())],
            field: Some(field.into()),
        })
    }
}

pub async fn add_line(
    db: &Db,
    p: &Principal,
    id: i64,
    version: i64,
    input: LineInput,
) -> Result<Line> {
    let request = request(db, p, id).await?;
    p.require(Right::Enter, request.org_id)?;
    let program = three_digits(&input.program, "program", false)?;
    let subprogram = three_digits(&input.subprogram, "subprogram", true)?;
    let specific = three_digits(&input.specific, "specific", false)?;
    let limit_kind = LimitKind::from_code(&input.limit_kind).unwrap_or(LimitKind::Base);
    // Every code is one the user could have picked: names do not matter to the check.
    let choices = crate::codes::line_choices(db, &Tr(jospar_i18n::Lang::Ru), &request).await?;
    crate::codes::check_line(&choices, &program, &subprogram, &specific)?;
    let forms = repo::forms(db).await?;
    let form = repo::form_for_specific(&forms, &specific)
        .ok_or_else(|| planning_error(PlanningError::NoForm(specific.clone()).into()))?;
    let new = NewLine {
        program,
        subprogram,
        specific,
        limit_kind,
        project: input.project.trim().to_string(),
    };
    repo::add_line(
        db,
        &p.who(),
        Target {
            request_id: id,
            version,
        },
        new,
        form,
    )
    .await
    .map_err(planning_error)
}

/// Deletes a line of a request in work, by whoever may enter it (issue 21).
pub async fn delete_line(
    db: &Db,
    p: &Principal,
    id: i64,
    version: i64,
    line_id: i64,
) -> Result<()> {
    let request = request(db, p, id).await?;
    p.require(Right::Enter, request.org_id)?;
    repo::delete_line(
        db,
        &p.who(),
        Target {
            request_id: id,
            version,
        },
        line_id,
    )
    .await
    .map_err(planning_error)
}

pub async fn form_of(db: &Db, line: &Line) -> Result<FormDef> {
    repo::forms(db)
        .await?
        .into_iter()
        .find(|f| f.code == line.form_code)
        .ok_or_else(|| planning_error(PlanningError::NoForm(line.specific.clone()).into()))
}

/// The rows of a line for a year, where the column named in an error is given by its name in
/// the user's language.
pub struct RowsEdit<'a> {
    pub id: i64,
    pub version: i64,
    pub line_id: i64,
    pub year: i32,
    pub rows: &'a [RowInput],
}

pub async fn set_rows(
    db: &Db,
    p: &Principal,
    tr: &Tr,
    edit: RowsEdit<'_>,
) -> Result<jospar_core::Tenge> {
    let RowsEdit {
        id,
        version,
        line_id,
        year,
        rows,
    } = edit;
    let request = request(db, p, id).await?;
    p.require(Right::Enter, request.org_id)?;
    let campaign = limits_repo::campaign(db, request.campaign_id)
        .await?
        .ok_or(Error::NotFound)?;
    if !request_years(campaign.first_year).contains(&year) {
        return Err(planning_error(PlanningError::Year(year).into()));
    }
    let lines = repo::lines(db, id).await?;
    let line = lines
        .iter()
        .find(|l| l.id == line_id)
        .ok_or(Error::NotFound)?;
    if crate::payroll::computed_from_staffing(db, request.org_id, year, &line.specific).await? {
        return Err(Error::Invalid {
            key: "err-staffing-computed",
            args: vec![
                ("specific", line.specific.clone()),
                ("year", year.to_string()),
            ],
            field: Some("rows".into()),
        });
    }
    let form = form_of(db, line).await?;
    // Rows that are entirely empty are dropped (the blank rows of the grid).
    let rows: Vec<RowInput> = rows
        .iter()
        .filter(|r| r.values().any(|v| !v.trim().is_empty()))
        .cloned()
        .collect();
    let priced = Priced {
        request: &request,
        line,
        year,
        form: &form,
        rows: &rows,
    };
    let region = price_checks::region_of(db, request.org_id).await?;
    let checks = price_checks::check(db, p, tr, &region, &priced).await?;
    let changed = !checks.is_empty() && repo::line_rows(db, id, line_id, year).await? != rows;
    let amount = repo::set_rows(
        db,
        &p.who(),
        Target {
            request_id: id,
            version,
        },
        line_id,
        year,
        &rows,
        &form,
    )
    .await
    .map_err(|e| planning_error(name_columns(e, &form, tr)))?;
    if changed {
        price_checks::log(db, p, &priced, &checks).await?;
    }
    Ok(amount)
}

/// The limits the request's organisation received in its campaign, by program, year and kind
/// (the grid shows what remains of them as the user types).
pub async fn limits_of(db: &Db, request: &Request) -> Result<Vec<limits_repo::Amount>> {
    Ok(limits_repo::amounts_of(db, request.campaign_id, request.org_id).await?)
}

/// The grid of a request for one year (issue 21): every line's calculation rows, by line.
pub struct GridEdit<'a> {
    pub id: i64,
    pub version: i64,
    pub cells: &'a [LineYearRows],
}

/// The calculation rows of one line in one year, as the grid sends them.
#[derive(Debug, Clone, PartialEq)]
pub struct LineYearRows {
    pub line_id: i64,
    pub year: i32,
    pub rows: Vec<RowInput>,
}

/// Saves the rows of lines × years at once (the grid, issue 21), atomically, with the version
/// check. Lines computed from the staffing table are left as they are; a refusal names the
/// line, the year, the row and the column.
pub async fn set_grid(db: &Db, p: &Principal, tr: &Tr, edit: GridEdit<'_>) -> Result<()> {
    let request = request(db, p, edit.id).await?;
    p.require(Right::Enter, request.org_id)?;
    let campaign = limits_repo::campaign(db, request.campaign_id)
        .await?
        .ok_or(Error::NotFound)?;
    let years = request_years(campaign.first_year);
    if let Some(bad) = edit.cells.iter().find(|c| !years.contains(&c.year)) {
        return Err(planning_error(PlanningError::Year(bad.year).into()));
    }
    let lines = repo::lines(db, edit.id).await?;
    let forms = repo::forms(db).await?;
    let mut from_staffing: HashMap<(i32, String), bool> = HashMap::new();
    let mut kept = Vec::new();
    let region = price_checks::region_of(db, request.org_id).await?;
    let mut to_log = Vec::new();
    for cell in edit.cells {
        let line = lines
            .iter()
            .find(|l| l.id == cell.line_id)
            .ok_or(Error::NotFound)?;
        let key = (cell.year, line.specific.clone());
        let computed = match from_staffing.get(&key) {
            Some(known) => *known,
            None => {
                let known = crate::payroll::computed_from_staffing(
                    db,
                    request.org_id,
                    cell.year,
                    &line.specific,
                )
                .await?;
                from_staffing.insert(key, known);
                known
            }
        };
        if computed {
            continue;
        }
        let form = forms
            .iter()
            .find(|f| f.code == line.form_code)
            .ok_or_else(|| planning_error(PlanningError::NoForm(line.specific.clone()).into()))?;
        // Rows that are entirely empty are dropped (the blank rows of the grid), and so are the
        // empty cells of a row: the grid sends every cell, the API only those typed, and the
        // same rows must not read as a change to audit.
        let rows: Vec<RowInput> = cell
            .rows
            .iter()
            .map(|r| {
                r.iter()
                    .filter(|(_, v)| !v.trim().is_empty())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect::<RowInput>()
            })
            .filter(|r| !r.is_empty())
            .collect();
        if let Err(e) = form.evaluate(&rows) {
            let e = planning_error(name_columns(e.into(), form, tr));
            return Err(in_line(line, cell.year, e, tr));
        }
        let priced = Priced {
            request: &request,
            line,
            year: cell.year,
            form,
            rows: &rows,
        };
        let checks = price_checks::check(db, p, tr, &region, &priced)
            .await
            .map_err(|e| in_line(line, cell.year, e, tr))?;
        if !checks.is_empty() && repo::line_rows(db, edit.id, line.id, cell.year).await? != rows {
            to_log.push((line, cell.year, form, rows.clone(), checks));
        }
        kept.push((line.id, cell.year, rows, form));
    }
    let writes: Vec<repo::LineRows> = kept
        .iter()
        .map(|(line_id, year, rows, form)| repo::LineRows {
            line_id: *line_id,
            year: *year,
            rows,
            form,
        })
        .collect();
    let target = Target {
        request_id: edit.id,
        version: edit.version,
    };
    repo::set_grid_rows(db, &p.who(), target, &writes)
        .await
        .map_err(planning_error)?;
    for (line, year, form, rows, checks) in &to_log {
        let priced = Priced {
            request: &request,
            line,
            year: *year,
            form,
            rows,
        };
        price_checks::log(db, p, &priced, checks).await?;
    }
    Ok(())
}

/// A refusal inside one line of the grid, prefixed with the line's codes; the field names the
/// line so that the page marks it.
fn in_line(line: &Line, year: i32, e: Error, tr: &Tr) -> Error {
    match e {
        Error::Invalid { key, args, .. } => Error::Invalid {
            key: "err-grid-line",
            args: vec![
                (
                    "line",
                    format!("{} {} {}", line.program, line.subprogram, line.specific)
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" "),
                ),
                ("year", year.to_string()),
                ("error", tr.args(key, &args)),
            ],
            field: Some(format!("line-{}-{year}", line.id)),
        },
        other => other,
    }
}

/// Replaces column keys in a form error by the column names the user sees.
pub(crate) fn name_columns(e: RepoError, form: &FormDef, tr: &Tr) -> RepoError {
    let name = |key: String| {
        form.column(&key)
            .map(|c| {
                if tr.lang() == "kk" {
                    c.name_kk.clone()
                } else {
                    c.name_ru.clone()
                }
            })
            .unwrap_or(key)
    };
    match e {
        RepoError::Planning(PlanningError::Form(f)) => {
            RepoError::Planning(PlanningError::Form(match f {
                FormError::Required { row, column } => FormError::Required {
                    row,
                    column: name(column),
                },
                FormError::NotANumber { row, column, value } => FormError::NotANumber {
                    row,
                    column: name(column),
                    value,
                },
                FormError::OutOfRange {
                    row,
                    column,
                    value,
                    min,
                    max,
                } => FormError::OutOfRange {
                    row,
                    column: name(column),
                    value,
                    min,
                    max,
                },
                FormError::ComputedEdited { row, column } => FormError::ComputedEdited {
                    row,
                    column: name(column),
                },
                other => other,
            }))
        }
        other => other,
    }
}

/// Sends the request for review: limit control first (BP-4), then the first reviewer of the chain.
/// The bytes the responsible person signs to send the request as it is now (P-9).
pub async fn signing_data(db: &Db, p: &Principal, id: i64) -> Result<(Request, Vec<u8>)> {
    let request = request(db, p, id).await?;
    let lines = repo::lines(db, id).await?;
    let data = crate::canonical_bytes(&request, &lines);
    Ok((request, data))
}

/// Sends a request for review (BP-2, BP-4, BP-6): within its limits, and signed over the
/// request's canonical bytes at `version` by the head of the institution or its acting head
/// today, with their own signing key (issue 21).
pub async fn send(
    db: &Db,
    signing: &Signing,
    p: &Principal,
    id: i64,
    version: i64,
    cms_text: &str,
) -> Result<Request> {
    let request = request(db, p, id).await?;
    // The head of the institution signs it before it goes up, or its acting head (issue 21).
    jospar_org::delegations::require_head(db, p, request.org_id).await?;
    if !request.status.editable() {
        return Err(planning_error(PlanningError::Frozen(request.status).into()));
    }
    if request.version != version {
        return Err(Error::Stale);
    }
    let campaign = limits_repo::campaign(db, request.campaign_id)
        .await?
        .ok_or(Error::NotFound)?;
    let lines = repo::lines(db, id).await?;
    if lines.is_empty() {
        return Err(planning_error(PlanningError::Empty.into()));
    }
    let orgs = jospar_limits::usecases::org_map(db).await?;
    let amounts = limits_repo::amounts(db, campaign.id).await?;
    let ledger = limits_repo::ledger_of(&campaign, &amounts, &orgs, &p.tree)
        .map_err(|e| Error::Internal(e.to_string()))?;
    let limit_of = |program: &str, year: i32, kind: LimitKind| {
        ledger.amount(&Slot {
            org_id: request.org_id,
            program: program.to_string(),
            year,
            kind,
        })
    };
    check_limits(&lines, &campaign.years(), limit_of).map_err(|e| planning_error(e.into()))?;
    let data = crate::canonical_bytes(&request, &lines);
    let bin = orgs.get(&request.org_id).and_then(|o| o.bin.clone());
    let signature = verify_signature(signing, p, cms_text, &data, bin.as_deref()).await?;
    let chain = review_chain(request.org_id, campaign.authority_org_id, &orgs, &p.tree);
    let step = Move {
        from: &[Status::InWork, Status::Returned],
        to: Status::Sent,
        stage: chain.first().copied(),
        reason: None,
    };
    let target = Target {
        request_id: id,
        version,
    };
    repo::transition_signed(db, &p.who(), target, step, &signature)
        .await
        .map_err(planning_error)
}

/// Whether the caller signs and sends the request: its head, or its acting head today, while
/// the request is in work or returned (issue 21).
pub async fn may_send(db: &Db, p: &Principal, request: &Request) -> Result<bool> {
    Ok(request.status.editable()
        && jospar_org::delegations::signs_for_head(db, p, request.org_id).await?)
}

/// The signatures of a request the user may read.
pub async fn signatures(db: &Db, p: &Principal, id: i64) -> Result<Vec<repo::SignatureRecord>> {
    request(db, p, id).await?;
    repo::signatures(db, id).await.map_err(planning_error)
}

/// Verifies the CMS over `data` and that the user signed it with their own signing key.
pub async fn verify_signature(
    signing: &Signing,
    p: &Principal,
    cms_text: &str,
    data: &[u8],
    organisation_bin: Option<&str>,
) -> Result<NewSignature> {
    if cms_text.trim().is_empty() {
        return Err(Error::invalid("err-signature-required", "cms"));
    }
    let cms = jospar_eds::decode_cms_text(cms_text).map_err(signature_error)?;
    let signer = signing
        .verifier
        .verify_cms(&cms, data)
        .await
        .map_err(signature_error)?;
    jospar_eds::check_document_signer(&signer, &p.user.iin, organisation_bin)
        .map_err(signature_error)?;
    use base64::Engine as _;
    Ok(NewSignature {
        data: String::from_utf8_lossy(data).into_owned(),
        cms: base64::engine::general_purpose::STANDARD.encode(&cms),
        signer_iin: signer.iin.unwrap_or_default(),
        signer_bin: signer.bin,
        signer_name: signer.common_name,
        cert_serial: signer.serial,
        cert_not_after: signer.not_after,
    })
}

/// A refused signature as a translated message naming the reason.
pub fn signature_error(e: jospar_eds::EdsError) -> Error {
    use jospar_eds::EdsError as E;
    let (key, args): (&'static str, Vec<(&'static str, String)>) = match e {
        E::Malformed(detail) => ("err-signature-malformed", vec![("detail", detail)]),
        E::UnsupportedAlgorithm(alg) => ("err-signature-algorithm", vec![("algorithm", alg)]),
        E::DataMismatch => ("err-signature-data", vec![]),
        E::BadSignature => ("err-signature-invalid", vec![]),
        E::Untrusted => ("err-signature-untrusted", vec![]),
        E::Expired(at) => (
            "err-signature-expired",
            vec![("date", at.format("%d.%m.%Y").to_string())],
        ),
        E::Revoked => ("err-signature-revoked", vec![]),
        E::NotSigningKey => ("err-signature-not-signing-key", vec![]),
        E::WrongSigner { expected, found } => (
            "err-signature-wrong-signer",
            vec![("expected", expected), ("found", found)],
        ),
        E::WrongOrganisation { expected, found } => (
            "err-signature-wrong-organisation",
            vec![("expected", expected), ("found", found)],
        ),
        E::Unavailable(detail) => ("err-signature-unavailable", vec![("detail", detail)]),
    };
    invalid(key, args, Some("cms".into()))
}

/// Approval by the reviewer at the current stage: forwards up the chain, or approves at the top.
/// Approves a request at the caller's stage of the review chain (BP-9), signed with the
/// approver's own key over what is approved — the request's canonical bytes — as the
/// institution's head signed them when sending (issue 21).
pub async fn approve(
    db: &Db,
    signing: &Signing,
    p: &Principal,
    id: i64,
    version: i64,
    cms_text: &str,
) -> Result<Request> {
    let request = request(db, p, id).await?;
    let stage = at_stage(p, &request)?;
    if request.version != version {
        return Err(Error::Stale);
    }
    let campaign = limits_repo::campaign(db, request.campaign_id)
        .await?
        .ok_or(Error::NotFound)?;
    let orgs = jospar_limits::usecases::org_map(db).await?;
    let lines = repo::lines(db, id).await?;
    let data = crate::canonical_bytes(&request, &lines);
    let bin = orgs.get(&stage).and_then(|o| o.bin.clone());
    let signature = verify_signature(signing, p, cms_text, &data, bin.as_deref()).await?;
    let chain = review_chain(request.org_id, campaign.authority_org_id, &orgs, &p.tree);
    let step = match next_stage(&chain, stage) {
        Some(next) => Move {
            from: &[Status::Sent],
            to: Status::Sent,
            stage: Some(next),
            reason: None,
        },
        None => Move {
            from: &[Status::Sent],
            to: Status::Approved,
            stage: None,
            reason: None,
        },
    };
    let target = Target {
        request_id: id,
        version,
    };
    repo::transition_signed(db, &p.who(), target, step, &signature)
        .await
        .map_err(planning_error)
}

pub async fn return_request(
    db: &Db,
    p: &Principal,
    id: i64,
    version: i64,
    reason: &str,
) -> Result<Request> {
    let request = request(db, p, id).await?;
    at_stage(p, &request)?;
    if reason.trim().is_empty() {
        return Err(Error::invalid("err-required", "reason"));
    }
    let step = Move {
        from: &[Status::Sent],
        to: Status::Returned,
        stage: None,
        reason: Some(reason.trim()),
    };
    repo::transition(
        db,
        &p.who(),
        Target {
            request_id: id,
            version,
        },
        step,
    )
    .await
    .map_err(planning_error)
}

fn at_stage(p: &Principal, request: &Request) -> Result<i64> {
    match request.stage_org_id {
        Some(stage) if request.status == Status::Sent => {
            p.require(Right::Approve, stage)?;
            Ok(stage)
        }
        _ => Err(planning_error(PlanningError::NotAtStage.into())),
    }
}

pub async fn save_form(db: &Db, p: &Principal, def: &FormDef) -> Result<()> {
    p.require_system(Right::Configure)?;
    repo::save_form(db, &p.who(), def)
        .await
        .map_err(planning_error)
}

fn invalid(key: &'static str, args: Vec<(&'static str, String)>, field: Option<String>) -> Error {
    Error::Invalid { key, args, field }
}

pub fn planning_error(e: RepoError) -> Error {
    let e = match e {
        RepoError::Store(s) => return s.into(),
        RepoError::Planning(p) => p,
    };
    match e {
        PlanningError::Frozen(status) => invalid(
            "err-request-frozen",
            vec![("status", status.code().into())],
            None,
        ),
        PlanningError::Stale => Error::Stale,
        PlanningError::NotFound => Error::NotFound,
        PlanningError::OverLimit {
            program,
            year,
            kind,
            limit,
            requested,
            excess,
        } => invalid(
            "err-over-limit",
            vec![
                ("program", program),
                ("year", year.to_string()),
                ("kind", kind.code().into()),
                ("limit", limit.to_string()),
                ("requested", requested.to_string()),
                ("excess", excess.to_string()),
            ],
            Some("program".into()),
        ),
        PlanningError::Empty => invalid("err-request-empty", vec![], None),
        PlanningError::Field(field) => Error::invalid("err-required", field),
        PlanningError::Year(year) => invalid(
            "err-limit-year",
            vec![("year", year.to_string())],
            Some("year".into()),
        ),
        PlanningError::NoForm(specific) => invalid(
            "err-no-form",
            vec![("specific", specific)],
            Some("specific".into()),
        ),
        PlanningError::NotAtStage => invalid("err-not-at-stage", vec![], None),
        PlanningError::ReasonRequired => Error::invalid("err-required", "reason"),
        PlanningError::NotApproved => invalid("err-not-approved", vec![], None),
        PlanningError::Twin { id, number } => invalid(
            "err-request-twin",
            vec![("number", number.to_string()), ("id", id.to_string())],
            Some("kind".into()),
        ),
        PlanningError::Form(f) => form_error(f),
    }
}

/// A calculation form's refusal, naming its row and column (shared with the ad-hoc forms).
pub fn form_error(e: FormError) -> Error {
    let cell = |row: usize, column: &str| Some(format!("row {row}, {column}"));
    match e {
        FormError::Definition { form, message } => invalid(
            "err-form-definition",
            vec![("form", form), ("message", message)],
            Some("definition".into()),
        ),
        FormError::Required { row, column } => invalid(
            "err-form-required",
            vec![("row", row.to_string()), ("column", column.clone())],
            cell(row, &column),
        ),
        FormError::NotANumber { row, column, value } => invalid(
            "err-form-number",
            vec![
                ("row", row.to_string()),
                ("column", column.clone()),
                ("value", value),
            ],
            cell(row, &column),
        ),
        FormError::OutOfRange {
            row,
            column,
            value,
            min,
            max,
        } => invalid(
            "err-form-range",
            vec![
                ("row", row.to_string()),
                ("column", column.clone()),
                ("value", value),
                ("min", min),
                ("max", max),
            ],
            cell(row, &column),
        ),
        FormError::ComputedEdited { row, column } => invalid(
            "err-form-computed",
            vec![("row", row.to_string()), ("column", column.clone())],
            cell(row, &column),
        ),
        FormError::UnknownColumn { row, column } => invalid(
            "err-form-unknown",
            vec![("row", row.to_string()), ("column", column.clone())],
            cell(row, &column),
        ),
        FormError::Formula { row, error } => invalid(
            "err-form-formula",
            vec![("row", row.to_string()), ("message", error.to_string())],
            None,
        ),
    }
}

/// One line of the curator's desk (BP-7): an organisation of the campaign and the state of its
/// latest request against the campaign's deadline.
pub struct DeskRow {
    pub org_id: i64,
    pub request: Option<Request>,
    pub overdue: bool,
}

/// The campaign's deadline (working days from its opening) and its organisations' requests.
pub async fn desk(
    db: &Db,
    p: &Principal,
    campaign_id: i64,
) -> Result<(jospar_limits::Campaign, chrono::NaiveDate, Vec<DeskRow>)> {
    let campaign = jospar_limits::usecases::campaign(db, p, campaign_id).await?;
    let calendar = db.working_calendar().await?;
    let orgs = jospar_limits::usecases::org_map(db).await?;
    let (deadline, rows) = desk_of(db, p, &campaign, &orgs, &calendar).await?;
    Ok((campaign, deadline, rows))
}

/// The desk of a campaign the caller reads, with the organisations and the calendar read once
/// by the caller (the start page shows the desk of every open campaign).
pub async fn desk_of(
    db: &Db,
    p: &Principal,
    campaign: &jospar_limits::Campaign,
    orgs: &std::collections::HashMap<i64, jospar_org::Org>,
    calendar: &jospar_core::calendar::WorkingCalendar,
) -> Result<(chrono::NaiveDate, Vec<DeskRow>)> {
    let deadline = calendar.add_working_days(
        campaign.opened_on,
        u32::try_from(campaign.request_days).unwrap_or(10),
    );
    let read = p.scope(Right::Read);
    // Requests come newest first: the first one of each organisation is its latest.
    let mut latest: std::collections::HashMap<i64, Request> = std::collections::HashMap::new();
    for request in repo::campaign_requests(db, campaign.id).await? {
        latest.entry(request.org_id).or_insert(request);
    }
    let mut rows: Vec<DeskRow> = p
        .tree
        .subtree(campaign.authority_org_id)
        .into_iter()
        .filter(|id| read.contains(*id) && *id != campaign.authority_org_id)
        .filter(|id| {
            let node = jospar_limits::Node {
                org_id: *id,
                program: "001".into(),
            };
            orgs.get(id)
                .is_some_and(|o| o.closed_on.is_none() && o.kind != OrgKind::AuthorizedBody)
                && jospar_limits::source_of(&node, campaign, orgs, &p.tree).is_ok()
        })
        .map(|org_id| {
            let request = latest.get(&org_id).cloned();
            let overdue = crate::is_overdue(request.as_ref().map(|r| r.status), p.today, deadline);
            DeskRow {
                org_id,
                overdue,
                request,
            }
        })
        .collect();
    let name = |id: i64| {
        orgs.get(&id)
            .map(|o| (o.abp_code.clone(), o.name_ru.clone()))
    };
    rows.sort_by_key(|r| name(r.org_id));
    Ok((deadline, rows))
}

/// The state a row of the curator's desk is filtered by: no request yet, or the state of the
/// organisation's latest request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeskState {
    NoRequest,
    Request(Status),
}

impl DeskState {
    /// `none`, or a request's state (in_work, sent, approved, returned).
    pub fn from_code(code: &str) -> Option<DeskState> {
        if code == "none" {
            return Some(DeskState::NoRequest);
        }
        Status::from_code(code).map(DeskState::Request)
    }
}

/// Filters of the curator's desk (issue 20); every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeskFilter {
    /// Organisations of this one's subtree.
    pub within: Option<i64>,
    pub state: Option<DeskState>,
    pub kind: Option<RequestKind>,
    /// Only the organisations past the deadline without a sent request.
    pub overdue: bool,
    /// The request's first-year amount from and to (inclusive); an organisation without a
    /// request counts 0.
    pub min: Option<jospar_core::Tenge>,
    pub max: Option<jospar_core::Tenge>,
}

impl DeskFilter {
    fn keeps(&self, row: &DeskListRow, within: Option<&std::collections::HashSet<i64>>) -> bool {
        let status = row.request.as_ref().map(|r| r.status);
        within.is_none_or(|ids| ids.contains(&row.org_id))
            && self.state.is_none_or(|state| match state {
                DeskState::NoRequest => status.is_none(),
                DeskState::Request(s) => status == Some(s),
            })
            && self
                .kind
                .is_none_or(|k| row.request.as_ref().is_some_and(|r| r.kind == k))
            && (!self.overdue || row.overdue)
            && self.min.is_none_or(|min| row.amount >= min)
            && self.max.is_none_or(|max| row.amount <= max)
    }
}

/// A row of the curator's desk as the lists show it: the organisation, its latest request
/// with its number and first-year amount, the organisation reviewing it, and the deadline.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DeskListRow {
    pub org_id: i64,
    pub org_name: String,
    /// The organisation's budget administrator code, if any.
    pub abp_code: Option<String>,
    pub request: Option<Request>,
    /// The request's number as people read it, e.g. БЗ-2027-0042; empty without a request.
    pub number_label: String,
    /// The request's first-year amount (0 without a request).
    pub amount: jospar_core::Tenge,
    /// The organisation the request awaits, if sent.
    pub stage_name: String,
    pub overdue: bool,
}

impl jospar_core::listing::Listable for DeskListRow {
    fn search_text(&self) -> String {
        format!(
            "{} {} {} {}",
            self.org_name,
            self.abp_code.as_deref().unwrap_or_default(),
            self.number_label,
            self.stage_name
        )
    }

    fn sort_key(&self, column: &str) -> Option<jospar_core::listing::SortKey> {
        use jospar_core::listing::SortKey;
        let request = self.request.as_ref();
        Some(match column {
            "org" => SortKey::text(&self.org_name),
            "number" => SortKey::Number(request.map_or(0, |r| r.number)),
            "kind" => SortKey::Text(request.map_or("", |r| r.kind.code()).into()),
            "status" => SortKey::Text(request.map_or("", |r| r.status.code()).into()),
            "stage" => SortKey::text(&self.stage_name),
            "date" => SortKey::Number(request.map_or(0, |r| r.updated_at.timestamp_micros())),
            "amount" => SortKey::Number(self.amount.tiyn()),
            "overdue" => SortKey::Number(i64::from(self.overdue)),
            _ => return None,
        })
    }
}

/// The curator's desk as a list (issue 20): the campaign, its deadline, the counts of the
/// whole desk (what the start page shows) and the page of rows asked for.
pub struct DeskList {
    pub campaign: jospar_limits::Campaign,
    pub deadline: chrono::NaiveDate,
    /// Organisations whose latest request is sent or approved, on the whole desk.
    pub submitted: usize,
    /// Organisations past the deadline, on the whole desk.
    pub overdue: usize,
    pub listed: jospar_core::listing::Listed<DeskListRow>,
}

/// The curator's desk (BP-7, issue 20) filtered, searched, sorted and cut to a page; in the
/// order of the budget administrators' codes unless sorted.
pub async fn list_desk(
    db: &Db,
    p: &Principal,
    tr: &Tr,
    campaign_id: i64,
    filter: &DeskFilter,
    query: &jospar_core::listing::ListQuery,
) -> Result<DeskList> {
    let (campaign, deadline, rows) = desk(db, p, campaign_id).await?;
    let lang = tr.lang();
    let prefix = tr.t("request-number-prefix");
    let orgs = jospar_limits::usecases::org_map(db).await?;
    let amounts = repo::first_year_amounts(db).await?;
    let name = |id: i64| {
        orgs.get(&id)
            .map(|o| o.name(lang).to_string())
            .unwrap_or_default()
    };
    let within: Option<std::collections::HashSet<i64>> = filter
        .within
        .map(|root| p.tree.subtree(root).into_iter().collect());
    let submitted = rows
        .iter()
        .filter(|r| {
            r.request
                .as_ref()
                .is_some_and(|q| matches!(q.status, Status::Sent | Status::Approved))
        })
        .count();
    let overdue = rows.iter().filter(|r| r.overdue).count();
    let rows = rows
        .into_iter()
        .map(|row| DeskListRow {
            org_id: row.org_id,
            org_name: name(row.org_id),
            abp_code: orgs.get(&row.org_id).and_then(|o| o.abp_code.clone()),
            number_label: row
                .request
                .as_ref()
                .map(|r| r.number_label(&prefix, campaign.first_year))
                .unwrap_or_default(),
            amount: jospar_core::Tenge::from_tiyn(
                row.request
                    .as_ref()
                    .and_then(|r| amounts.get(&r.id).copied())
                    .unwrap_or_default(),
            ),
            stage_name: row
                .request
                .as_ref()
                .and_then(|r| r.stage_org_id)
                .map(name)
                .unwrap_or_default(),
            overdue: row.overdue,
            request: row.request,
        })
        .filter(|row| filter.keeps(row, within.as_ref()))
        .collect();
    Ok(DeskList {
        campaign,
        deadline,
        submitted,
        overdue,
        listed: jospar_core::listing::list(rows, query),
    })
}

/// BP-11: fills the second and third planning years of every line from the first, indexed
/// columns (prices, tariffs, norms, tax bases) multiplied by the campaign's inflation indices.
pub async fn fill_inflation(db: &Db, p: &Principal, id: i64, version: i64) -> Result<Request> {
    let request = request(db, p, id).await?;
    p.require(Right::Enter, request.org_id)?;
    let campaign = limits_repo::campaign(db, request.campaign_id)
        .await?
        .ok_or(Error::NotFound)?;
    let [first, second, third] = campaign.years();
    let lines = repo::lines(db, id).await?;
    let forms = repo::forms(db).await?;
    let mut prepared = Vec::new();
    for line in &lines {
        let Some(form) = forms.iter().find(|f| f.code == line.form_code) else {
            continue;
        };
        let base = repo::line_rows(db, id, line.id, first).await?;
        if base.is_empty() {
            continue;
        }
        let year2 = form.indexed_copy(&base, campaign.inflation_bp[0]);
        let year3 = form.indexed_copy(&year2, campaign.inflation_bp[1]);
        prepared.push((line.id, form, year2, year3));
    }
    if prepared.is_empty() {
        return Err(invalid(
            "err-fill-nothing",
            vec![("year", first.to_string())],
            None,
        ));
    }
    let fills: Vec<repo::YearFill> = prepared
        .into_iter()
        .flat_map(|(line_id, form, year2, year3)| {
            [
                repo::YearFill {
                    line_id,
                    year: second,
                    rows: year2,
                    form,
                },
                repo::YearFill {
                    line_id,
                    year: third,
                    rows: year3,
                    form,
                },
            ]
        })
        .collect();
    repo::fill_years(
        db,
        &p.who(),
        Target {
            request_id: id,
            version,
        },
        &fills,
    )
    .await
    .map_err(planning_error)
}

pub async fn undo_fill(db: &Db, p: &Principal, id: i64, version: i64) -> Result<Request> {
    let request = request(db, p, id).await?;
    p.require(Right::Enter, request.org_id)?;
    repo::undo_fill(
        db,
        &p.who(),
        Target {
            request_id: id,
            version,
        },
    )
    .await
    .map_err(planning_error)
}

/// Parameters of the consolidated view (BP-5): whose subtree, by which slice, and whether
/// only approved requests count.
pub struct ConsolidationQuery {
    pub campaign_id: i64,
    pub root_org: Option<i64>,
    pub by: crate::Dimension,
    pub approved_only: bool,
}

/// The lines of the latest request (or the latest approved one) of every organisation below
/// `root` that `readable` lets through, kept between calls ([`crate::kept_lines`]).
pub async fn campaign_lines(
    db: &Db,
    tree: &jospar_org::OrgTree,
    campaign_id: i64,
    root: i64,
    approved_only: bool,
    readable: &(dyn Fn(i64) -> bool + Sync),
) -> Result<CampaignLines> {
    let requests = repo::campaign_requests(db, campaign_id).await?;
    let mut lines = crate::kept_lines::lines_of(db, campaign_id, &requests).await?;
    let by_org: Vec<(i64, std::sync::Arc<Vec<Line>>)> =
        latest_of(&requests, tree, root, approved_only, readable)
            .into_iter()
            .map(|r| (r.org_id, lines.remove(&r.id).unwrap_or_default()))
            .collect();
    Ok(CampaignLines(by_org))
}

/// The latest request (or the latest approved one) of every organisation below `root` that
/// `readable` lets through, in the order of the organisations' ids.
pub fn latest_of<'a>(
    requests: &'a [Request],
    tree: &jospar_org::OrgTree,
    root: i64,
    approved_only: bool,
    readable: &(dyn Fn(i64) -> bool + Sync),
) -> Vec<&'a Request> {
    let within: std::collections::HashSet<i64> = tree
        .subtree(root)
        .into_iter()
        .filter(|id| readable(*id))
        .collect();
    let mut latest: std::collections::BTreeMap<i64, &Request> = std::collections::BTreeMap::new();
    for request in requests.iter().filter(|r| within.contains(&r.org_id)) {
        if approved_only && request.status != Status::Approved {
            continue;
        }
        // Requests come newest first: keep the first of each organisation.
        latest.entry(request.org_id).or_insert(request);
    }
    latest.into_values().collect()
}

/// The lines a consolidation counts, by organisation, shared with what is kept in memory.
pub struct CampaignLines(Vec<(i64, std::sync::Arc<Vec<Line>>)>);

impl CampaignLines {
    /// Each line with its organisation.
    pub fn iter(&self) -> impl Iterator<Item = (i64, &Line)> {
        self.0
            .iter()
            .flat_map(|(org, lines)| lines.iter().map(move |line| (*org, line)))
    }
}

/// Keys and labels of the slices of a consolidation (BP-5).
pub struct Slicer<'a> {
    pub tr: &'a Tr,
    pub tree: &'a jospar_org::OrgTree,
    pub orgs: std::collections::HashMap<i64, jospar_org::Org>,
    pub budgets: Vec<jospar_org::Budget>,
    /// Names of programs, subprograms and specifics, once [`Slicer::name_expenses`] loaded them.
    pub expenses: Option<jospar_classification::repo::ExpenseNames>,
}

impl<'a> Slicer<'a> {
    pub async fn load(db: &Db, tr: &'a Tr, tree: &'a jospar_org::OrgTree) -> Result<Slicer<'a>> {
        Ok(Slicer {
            tr,
            tree,
            orgs: jospar_limits::usecases::org_map(db).await?,
            budgets: jospar_org::repo::budgets(db).await?,
            expenses: None,
        })
    }

    /// Names the expense codes of the slices from the classification of `year`, programs under
    /// the administrator of `root`, or under the administrators below it (issue 21: names
    /// wherever a code is shown).
    pub async fn name_expenses(mut self, db: &Db, year: i32, root: i64) -> Result<Slicer<'a>> {
        let names = crate::codes::expense_names(db, self.tr, self.tree, root, year).await?;
        self.expenses = Some(names);
        Ok(self)
    }

    fn budget_of(&self, org: i64) -> Option<&jospar_org::Budget> {
        let budget_id = self.orgs.get(&org)?.budget_id;
        self.budgets.iter().find(|b| b.id == budget_id)
    }

    pub fn org_keys(&self, org: i64) -> crate::OrgKeys {
        crate::OrgKeys {
            org: org.to_string(),
            budget: self
                .budget_of(org)
                .map(|b| b.id.to_string())
                .unwrap_or_default(),
            level: self
                .budget_of(org)
                .map(|b| b.level.code().to_string())
                .unwrap_or_default(),
            administrator: std::iter::once(org)
                .chain(self.tree.ancestors(org))
                .find(|id| {
                    self.orgs
                        .get(id)
                        .is_some_and(|o| o.kind == OrgKind::Administrator)
                })
                .map(|id| id.to_string())
                .unwrap_or_default(),
        }
    }

    /// The keys of every organisation of `lines`, each computed once.
    pub fn keys_of(&self, lines: &CampaignLines) -> std::collections::HashMap<i64, crate::OrgKeys> {
        let mut keys = std::collections::HashMap::new();
        for (org, _) in lines.iter() {
            keys.entry(org).or_insert_with(|| self.org_keys(org));
        }
        keys
    }

    pub fn org_name(&self, org: i64) -> String {
        self.orgs
            .get(&org)
            .map(|o| o.name(self.tr.lang()).to_string())
            .unwrap_or_default()
    }

    /// What a key of a slice reads as in the report.
    pub fn label(&self, by: crate::Dimension, key: &str) -> String {
        use crate::Dimension;
        let org = || key.parse::<i64>().ok().and_then(|id| self.orgs.get(&id));
        match by {
            Dimension::Org => org()
                .map(|o| o.name(self.tr.lang()).to_string())
                .unwrap_or_default(),
            Dimension::Administrator => org()
                .map(|o| match &o.abp_code {
                    Some(code) => format!("{code} {}", o.name(self.tr.lang())),
                    None => o.name(self.tr.lang()).to_string(),
                })
                .unwrap_or_default(),
            Dimension::Budget => self
                .budgets
                .iter()
                .find(|b| b.id.to_string() == key)
                .map(|b| {
                    if self.tr.lang() == "kk" {
                        b.name_kk.clone()
                    } else {
                        b.name_ru.clone()
                    }
                })
                .unwrap_or_default(),
            Dimension::Level => self.tr.t(&format!("level-{key}")),
            Dimension::LimitKind => LimitKind::from_code(key)
                .map(|k| jospar_limits::usecases::kind_name(self.tr, k))
                .unwrap_or_default(),
            Dimension::Program | Dimension::Subprogram | Dimension::Specific => {
                self.expense_label(by, key)
            }
            _ => key.to_string(),
        }
    }
}

impl Slicer<'_> {
    /// "003 Общеобразовательное обучение", "003 015 За счет средств местного бюджета",
    /// "111 Оплата труда": the key with its name, or the key alone when none is known.
    fn expense_label(&self, by: crate::Dimension, key: &str) -> String {
        use crate::Dimension;
        let Some(names) = &self.expenses else {
            return key.to_string();
        };
        let name = match by {
            Dimension::Program => names.program(key),
            Dimension::Subprogram => match key.split_once(' ') {
                Some((program, subprogram)) => names.subprogram(program, subprogram),
                None => names.program(key),
            },
            _ => names.specific(key),
        };
        format!("{key} {name}").trim().to_string()
    }
}

/// Which requests a consolidation counts, as its subtitle says.
pub fn which_requests(tr: &Tr, approved_only: bool) -> String {
    tr.t(if approved_only {
        "consolidated-approved"
    } else {
        "consolidated-all"
    })
}

fn campaign_name(tr: &Tr, campaign: &jospar_limits::Campaign) -> String {
    if tr.lang() == "kk" {
        campaign.name_kk.clone()
    } else {
        campaign.name_ru.clone()
    }
}

/// The consolidated table of the latest requests of every organisation below `root_org`
/// (default: the campaign's authorized body) that `readable` lets through. Computed from the
/// lines on every call: real time, and the total row is the sum of the rows.
pub async fn consolidated_table(
    db: &Db,
    tr: &Tr,
    tree: &jospar_org::OrgTree,
    query: &ConsolidationQuery,
    readable: &(dyn Fn(i64) -> bool + Sync),
) -> Result<jospar_reports::Table> {
    use crate::consolidate;
    use jospar_reports::{Cell, Table};
    let campaign = limits_repo::campaign(db, query.campaign_id)
        .await?
        .ok_or(Error::NotFound)?;
    let root = query.root_org.unwrap_or(campaign.authority_org_id);
    let slicer = Slicer::load(db, tr, tree)
        .await?
        .name_expenses(db, campaign.first_year, root)
        .await?;
    let rows = match kept_consolidation(db, tree, query, root, campaign.first_year, readable)
        .await?
    {
        Some(rows) => rows,
        None => {
            let owned =
                campaign_lines(db, tree, campaign.id, root, query.approved_only, readable).await?;
            let keys = slicer.keys_of(&owned);
            let tagged: Vec<(String, &Line)> = owned
                .iter()
                .map(|(org, line)| (crate::slice_key(query.by, &keys[&org], line), line))
                .collect();
            consolidate(&tagged, query.by)
        }
    };
    let years = request_years(campaign.first_year);
    let money_cells = |amounts: &std::collections::BTreeMap<i32, jospar_core::Tenge>| -> Vec<Cell> {
        years
            .iter()
            .map(|y| Cell::Money(amounts.get(y).copied().unwrap_or_default()))
            .collect()
    };
    let mut table_rows = Vec::new();
    let mut total = std::collections::BTreeMap::new();
    for row in &rows {
        for (year, amount) in &row.amounts {
            *total.entry(*year).or_insert(jospar_core::Tenge::ZERO) += *amount;
        }
        let mut cells = vec![Cell::Text(slicer.label(query.by, &row.key))];
        cells.extend(money_cells(&row.amounts));
        table_rows.push(cells);
    }
    let mut total_row = vec![Cell::Text(tr.t("total"))];
    total_row.extend(money_cells(&total));
    let mut headers = vec![tr.t(&format!("dimension-{}", query.by.code()))];
    headers.extend(years.iter().map(|y| y.to_string()));
    Ok(Table {
        title: tr.t("consolidated-title"),
        subtitle: vec![
            campaign_name(tr, &campaign),
            slicer.org_name(root),
            which_requests(tr, query.approved_only),
            tr.t("consolidated-units"),
        ],
        headers,
        rows: table_rows,
        total: Some(total_row),
        ..Table::default()
    })
}

/// The consolidated rows read from the kept totals when they answer the query:
/// approved requests, sliced by the administrator or the codes, for a reader who sees the
/// whole subtree. Otherwise `None`, and the rows are summed from the lines.
async fn kept_consolidation(
    db: &Db,
    tree: &jospar_org::OrgTree,
    query: &ConsolidationQuery,
    root: i64,
    first_year: i32,
    readable: &(dyn Fn(i64) -> bool + Sync),
) -> Result<Option<Vec<crate::Consolidated>>> {
    use crate::Dimension;
    let sliced_by_kept_keys = matches!(
        query.by,
        Dimension::Administrator | Dimension::Program | Dimension::Subprogram | Dimension::Specific
    );
    if !query.approved_only || !sliced_by_kept_keys || !tree.subtree(root).into_iter().all(readable)
    {
        return Ok(None);
    }
    let mut sums: std::collections::BTreeMap<
        String,
        std::collections::BTreeMap<i32, jospar_core::Tenge>,
    > = Default::default();
    for total in jospar_consolidation::repo::request_totals(db, root, query.campaign_id).await? {
        let codes = &total.codes;
        let key = match query.by {
            Dimension::Administrator if total.admin_id == 0 => String::new(),
            Dimension::Administrator => total.admin_id.to_string(),
            Dimension::Subprogram => format!("{} {}", codes.program, codes.subprogram)
                .trim()
                .to_string(),
            Dimension::Specific => codes.specific.clone(),
            _ => codes.program.clone(),
        };
        let years = sums.entry(key).or_default();
        for (index, amount) in total.years.iter().enumerate() {
            *years
                .entry(jospar_consolidation::year_at(first_year, index))
                .or_default() += jospar_core::Tenge::from_tiyn(*amount);
        }
    }
    Ok(Some(
        sums.into_iter()
            .map(|(key, amounts)| crate::Consolidated { key, amounts })
            .collect(),
    ))
}

/// A pivot of one year's requested amounts by two slices (BP-5): rows × columns with row and
/// column totals.
pub struct PivotQuery {
    pub campaign_id: i64,
    pub root_org: Option<i64>,
    pub rows: crate::Dimension,
    pub columns: crate::Dimension,
    pub year: Option<i32>,
    pub approved_only: bool,
}

pub async fn pivot_table(
    db: &Db,
    tr: &Tr,
    tree: &jospar_org::OrgTree,
    query: &PivotQuery,
    readable: &(dyn Fn(i64) -> bool + Sync),
) -> Result<jospar_reports::Table> {
    use jospar_reports::{Cell, Table};
    let campaign = limits_repo::campaign(db, query.campaign_id)
        .await?
        .ok_or(Error::NotFound)?;
    let years = request_years(campaign.first_year);
    let year = query.year.unwrap_or(campaign.first_year);
    if !years.contains(&year) {
        return Err(Error::invalid("err-year-outside", "year"));
    }
    let root = query.root_org.unwrap_or(campaign.authority_org_id);
    let owned = campaign_lines(db, tree, campaign.id, root, query.approved_only, readable).await?;
    let slicer = Slicer::load(db, tr, tree)
        .await?
        .name_expenses(db, campaign.first_year, root)
        .await?;
    let keys = slicer.keys_of(&owned);
    let keyed: Vec<(&crate::OrgKeys, &Line)> = owned
        .iter()
        .map(|(org, line)| (&keys[&org], line))
        .collect();
    let pivot = crate::pivot(&keyed, query.rows, query.columns, year);
    let mut headers = vec![format!(
        "{} × {}",
        tr.t(&format!("dimension-{}", query.rows.code())),
        tr.t(&format!("dimension-{}", query.columns.code()))
    )];
    headers.extend(pivot.columns.iter().map(|c| slicer.label(query.columns, c)));
    headers.push(tr.t("total"));
    let rows = pivot
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![Cell::Text(slicer.label(query.rows, r))];
            cells.extend(pivot.columns.iter().map(|c| Cell::Money(pivot.cell(r, c))));
            cells.push(Cell::Money(pivot.row_total(r)));
            cells
        })
        .collect();
    let mut total = vec![Cell::Text(tr.t("total"))];
    total.extend(
        pivot
            .columns
            .iter()
            .map(|c| Cell::Money(pivot.column_total(c))),
    );
    total.push(Cell::Money(pivot.total()));
    Ok(Table {
        title: tr.t("pivot-title"),
        subtitle: vec![
            campaign_name(tr, &campaign),
            slicer.org_name(root),
            format!("{} {year}", tr.t("field-year")),
            which_requests(tr, query.approved_only),
            tr.t("consolidated-units"),
        ],
        headers,
        rows,
        total: Some(total),
        ..Table::default()
    })
}

pub async fn attach(
    db: &Db,
    p: &Principal,
    id: i64,
    version: i64,
    file_name: &str,
    content_type: &str,
    content: &[u8],
) -> Result<repo::Attachment> {
    let request = request(db, p, id).await?;
    p.require(Right::Enter, request.org_id)?;
    if content.is_empty() || content.len() > repo::MAX_ATTACHMENT_BYTES {
        return Err(invalid(
            "err-attachment-size",
            vec![(
                "max",
                (repo::MAX_ATTACHMENT_BYTES / 1024 / 1024).to_string(),
            )],
            Some("file".into()),
        ));
    }
    repo::add_attachment(
        db,
        &p.who(),
        Target {
            request_id: id,
            version,
        },
        file_name,
        content_type,
        content,
    )
    .await
    .map_err(planning_error)
}

pub async fn attachment(
    db: &Db,
    p: &Principal,
    id: i64,
    attachment_id: i64,
) -> Result<(repo::Attachment, Vec<u8>)> {
    let request = request(db, p, id).await?;
    repo::attachment_content(db, request.id, attachment_id)
        .await?
        .ok_or(Error::NotFound)
}

/// The breakdowns (расшифровки) of a request as one table: every calculation row of every
/// line and year with its amount — what an enterprise hands to its administrator (BP-13) and
/// what prints as the request's appendix (P-19).
pub async fn breakdown_table(db: &Db, tr: &Tr, request: &Request) -> Result<jospar_reports::Table> {
    use jospar_reports::{Cell, Table};
    let campaign = limits_repo::campaign(db, request.campaign_id)
        .await?
        .ok_or(Error::NotFound)?;
    let orgs = jospar_limits::usecases::org_map(db).await?;
    let forms = repo::forms(db).await?;
    let mut stored = repo::request_rows(db, request.id).await?;
    let mut rows = Vec::new();
    let mut total = jospar_core::Tenge::ZERO;
    for line in repo::lines(db, request.id).await? {
        let Some(form) = forms.iter().find(|f| f.code == line.form_code) else {
            continue;
        };
        let describe = form
            .columns
            .iter()
            .find(|c| c.column_type == jospar_forms::ColumnType::Text)
            .map(|c| c.key.clone());
        for year in request_years(campaign.first_year) {
            let inputs = stored.remove(&(line.id, year)).unwrap_or_default();
            let evaluated = form
                .evaluate(&inputs)
                .map_err(|e| planning_error(PlanningError::Form(e).into()))?;
            for (index, row) in evaluated.iter().enumerate() {
                total += row.amount;
                let description = describe
                    .as_ref()
                    .and_then(|k| row.values.get(k))
                    .cloned()
                    .unwrap_or_default();
                rows.push(vec![
                    Cell::Text(line.id.to_string()),
                    Cell::Text(line.program.clone()),
                    Cell::Text(line.subprogram.clone()),
                    Cell::Text(line.specific.clone()),
                    Cell::Text(line.project.clone()),
                    Cell::Text(year.to_string()),
                    Cell::Text((index + 1).to_string()),
                    Cell::Text(description),
                    Cell::Money(row.amount),
                ]);
            }
        }
    }
    let blank = || Cell::Text(String::new());
    let lang = tr.lang();
    Ok(Table {
        title: tr.t("breakdown-title"),
        subtitle: vec![
            orgs.get(&request.org_id)
                .map(|o| o.name(lang).to_string())
                .unwrap_or_default(),
            if lang == "kk" {
                campaign.name_kk.clone()
            } else {
                campaign.name_ru.clone()
            },
            format!(
                "{} · {}",
                tr.t(&format!("request-kind-{}", request.kind.code())),
                tr.t(&format!("status-{}", request.status.code()))
            ),
            tr.t("consolidated-units"),
        ],
        headers: [
            "request-expense-id",
            "field-program",
            "field-subprogram",
            "field-specific",
            "field-project",
            "field-year",
            "breakdown-row",
            "breakdown-description",
            "breakdown-amount",
        ]
        .iter()
        .map(|k| tr.t(k))
        .collect(),
        rows,
        total: Some(vec![
            Cell::Text(tr.t("total")),
            blank(),
            blank(),
            blank(),
            blank(),
            blank(),
            blank(),
            blank(),
            Cell::Money(total),
        ]),
        ..Table::default()
    })
}

/// Opens a refinement or correction of an approved request (BP-2).
pub async fn new_version(db: &Db, p: &Principal, id: i64, kind: &str) -> Result<Request> {
    let source = request(db, p, id).await?;
    p.require(Right::Enter, source.org_id)?;
    let kind =
        RequestKind::from_code(kind).ok_or_else(|| Error::invalid("err-required", "kind"))?;
    repo::create_version(db, &p.who(), &source, kind)
        .await
        .map_err(planning_error)
}

/// Differences of a refinement or correction from the approved request it is based on.
pub async fn diff(db: &Db, p: &Principal, id: i64) -> Result<Vec<crate::LineDiff>> {
    let current = request(db, p, id).await?;
    let Some(base) = current.based_on else {
        return Ok(Vec::new());
    };
    let approved = repo::lines(db, base).await?;
    let lines = repo::lines(db, current.id).await?;
    Ok(crate::diff_versions(&approved, &lines))
}

/// The request's total of each year, in the order of `years`.
pub fn year_totals(lines: &[crate::Line], years: &[i32]) -> Vec<jospar_core::Tenge> {
    years
        .iter()
        .map(|y| {
            lines
                .iter()
                .map(|l| l.amounts.get(y).copied().unwrap_or_default())
                .sum()
        })
        .collect()
}

/// What the caller may do with a request: edit its lines (a draft or a returned request of
/// an organisation where the caller enters data), review it (sent, and waiting at an
/// organisation the caller approves for), or refine an approved one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RequestActions {
    pub edit: bool,
    pub review: bool,
    pub refine: bool,
}

pub fn request_actions(p: &Principal, request: &Request) -> RequestActions {
    let enters = p.can(Right::Enter, request.org_id);
    RequestActions {
        edit: request.status.editable() && enters,
        review: request.status == Status::Sent
            && request
                .stage_org_id
                .is_some_and(|stage| p.can(Right::Approve, stage)),
        refine: request.status == Status::Approved && enters,
    }
}

/// The organisations a new request may be made for: open organisations where the caller
/// enters data, authorized bodies excepted (they distribute, they do not request).
pub fn request_orgs<'a>(
    p: &Principal,
    orgs: impl IntoIterator<Item = &'a jospar_org::Org>,
) -> Vec<&'a jospar_org::Org> {
    orgs.into_iter()
        .filter(|o| o.kind != OrgKind::AuthorizedBody && o.closed_on.is_none())
        .filter(|o| p.can(Right::Enter, o.id))
        .collect()
}

/// The organisations of a campaign a consolidation may start from: those of its subtree the
/// caller reads, institutions and enterprises excepted.
pub fn consolidation_roots<'a>(
    p: &Principal,
    authority_org_id: i64,
    orgs: &'a std::collections::HashMap<i64, jospar_org::Org>,
) -> Vec<&'a jospar_org::Org> {
    let read = p.scope(Right::Read);
    p.tree
        .subtree(authority_org_id)
        .into_iter()
        .filter(|o| read.contains(*o))
        .filter_map(|o| orgs.get(&o))
        .filter(|o| !matches!(o.kind, OrgKind::Institution | OrgKind::Enterprise))
        .collect()
}

/// The consolidation of a campaign for the caller: by one slice and year, or a pivot of one
/// year by two slices when `pivot` is given; only the organisations the caller reads count,
/// and a root outside them is refused.
pub async fn consolidation(
    db: &Db,
    p: &Principal,
    tr: &Tr,
    query: &ConsolidationQuery,
    pivot: Option<&PivotQuery>,
) -> Result<jospar_reports::Table> {
    jospar_limits::usecases::campaign(db, p, query.campaign_id).await?;
    if let Some(root) = query.root_org {
        p.require(Right::Read, root)?;
    }
    let read = p.scope(Right::Read);
    let readable = |org: i64| read.contains(org);
    match pivot {
        Some(pivot) => pivot_table(db, tr, &p.tree, pivot, &readable).await,
        None => consolidated_table(db, tr, &p.tree, query, &readable).await,
    }
}

#[cfg(test)]
mod rights_tests {
    use super::*;
    use jospar_access::Role;
    use jospar_access::testing::{REGION, principal};

    fn request(status: Status, stage: Option<i64>) -> Request {
        Request {
            id: 10,
            campaign_id: 1,
            org_id: 3,
            kind: crate::RequestKind::Forecast,
            status,
            stage_org_id: stage,
            return_reason: None,
            version: 1,
            updated_at: chrono::Utc::now(),
            based_on: None,
            number: 1,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn the_institution_edits_its_draft_and_its_administrator_reviews_it_once_sent() {
        let economist = principal(3, &[(Role::Economist, 3)], REGION);
        let administrator = principal(2, &[(Role::Abp, 2)], REGION);
        let draft = request(Status::InWork, None);
        let sent = request(Status::Sent, Some(2));
        assert_eq!(
            request_actions(&economist, &draft),
            RequestActions {
                edit: true,
                review: false,
                refine: false
            }
        );
        assert!(!request_actions(&economist, &sent).edit);
        assert!(!request_actions(&economist, &sent).review);
        assert!(request_actions(&administrator, &sent).review);
        // Waiting at the region, the administrator no longer reviews it.
        let at_region = request(Status::Sent, Some(1));
        assert!(!request_actions(&administrator, &at_region).review);
    }

    #[test]
    fn an_approved_request_is_refined_by_its_institution_and_nobody_else() {
        let approved = request(Status::Approved, None);
        let economist = principal(3, &[(Role::Economist, 3)], REGION);
        let other = principal(5, &[(Role::Economist, 5)], REGION);
        let auditor = principal(1, &[(Role::Auditor, 1)], REGION);
        assert!(request_actions(&economist, &approved).refine);
        assert!(!request_actions(&economist, &approved).edit);
        assert_eq!(
            request_actions(&other, &approved),
            RequestActions::default()
        );
        assert_eq!(
            request_actions(&auditor, &approved),
            RequestActions::default()
        );
    }
}
