//! The open budget's pages (OB-1…OB-5). Public, without signing in: the documents in
//! discussion and each document with its figures, votes and published proposals with the
//! answers. With a signature (`/open-budget/sign-in`): votes and proposals. For the
//! administrator: publishing and answering (`/open-budget/manage`); for the operator:
//! moderation (`/open-budget/moderation`).

use super::common::form_message;
use super::common::unprocessable_if;
use super::common::{Choice, choices};
use crate::AppState;
use crate::ctx::{Ctx, cookie};
use crate::error::{AppError, AppResult, HttpError};
use crate::listing::{Column, Links, ListParams, Pager, columns};
use crate::menu::{MenuEntry, MenuGroup};
use crate::queries::{DocumentFilterParams, ProposalFilterParams};
use crate::view::{Page, render};
use askama::Template;
use axum::Router;
use axum::extract::{Form, Path, Query};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::Utc;
use jospar_access::Access;
use jospar_openbudget::ProposalStatus;
use jospar_openbudget::lists::{self, DocumentListRow, PendingProposal};
use jospar_openbudget::repo::Document;
use jospar_openbudget::usecases::{CITIZEN_COOKIE, Citizen, PARTS, Publication};
use serde::Deserialize;

/// The pages of this module in the menu, with the function a user needs to reach them.
pub(super) const MENU: &[MenuEntry] = &[MenuEntry {
    path: "/open-budget",
    current: "open-budget",
    title_key: "nav-open-budget",
    group: MenuGroup::Reports,
    access: Access::Public,
}];

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/open-budget", get(list))
        .route("/open-budget/sign-in", get(sign_in_form).post(sign_in))
        .route("/open-budget/manage", get(manage).post(publish))
        .route("/open-budget/moderation", get(moderation))
        .route("/open-budget/proposals/{id}/moderate", post(moderate))
        .route("/open-budget/proposals/{id}/answer", post(answer))
        .route("/open-budget/manage/{id}/upload", post(upload_again))
        .route("/open-budget/publications", post(register_publication))
        .route(
            "/open-budget/publications/{id}/file",
            get(publication_file).post(publish_publication_file),
        )
        .route("/open-budget/materials/{id}", get(material_file))
        .route("/open-budget/{id}", get(show))
        .route("/open-budget/{id}/chart", get(chart_file))
        .route("/open-budget/{id}/vote", post(vote))
        .route("/open-budget/{id}/proposals", post(propose))
}

async fn citizen_of(ctx: &Ctx, headers: &HeaderMap) -> AppResult<Option<Citizen>> {
    match cookie(headers, CITIZEN_COOKIE) {
        Some(token) => jospar_openbudget::usecases::citizen(ctx.db(), &token, Utc::now()).await,
        None => Ok(None),
    }
}

pub struct DocRow {
    id: i64,
    title: String,
    kind: String,
    administrator: String,
    published_on: String,
    ends_on: String,
    open: bool,
    final_made: bool,
}

async fn doc_row(ctx: &Ctx, d: &Document) -> AppResult<DocRow> {
    let lang = ctx.tr.lang();
    Ok(DocRow {
        id: d.id,
        title: d.title(lang).to_string(),
        kind: ctx.tr.t(&format!("ob-kind-{}", d.kind.code())),
        administrator: format!(
            "{} {}",
            d.abp,
            jospar_org::usecases::org_name(ctx.db(), ctx.tr.0, d.org_id).await?
        ),
        published_on: d.published_on.format("%d.%m.%Y").to_string(),
        ends_on: d.ends_on.format("%d.%m.%Y").to_string(),
        open: Utc::now().date_naive() <= d.ends_on,
        final_made: d.final_report.is_some(),
    })
}

/// A document of the list as the page shows it.
pub struct ListedDoc {
    id: i64,
    title: String,
    kind: String,
    administrator: String,
    year: i32,
    amount: String,
    published_on: String,
    ends_on: String,
    open: bool,
}

fn listed_doc(ctx: &Ctx, row: &DocumentListRow) -> ListedDoc {
    let d = &row.document;
    ListedDoc {
        id: d.id,
        title: row.title.clone(),
        kind: ctx.tr.t(&format!("ob-kind-{}", d.kind.code())),
        administrator: format!("{} {}", d.abp, row.org_name),
        year: d.year,
        amount: row.amount.to_string(),
        published_on: d.published_on.format("%d.%m.%Y").to_string(),
        ends_on: d.ends_on.format("%d.%m.%Y").to_string(),
        open: row.open,
    }
}

/// The sortable columns of the documents list: (sort column, heading, numeric).
const DOC_COLUMNS: &[(&str, &str, bool)] = &[
    ("title", "ob-col-document", false),
    ("kind", "ob-col-kind", false),
    ("org", "ob-col-administrator", false),
    ("year", "field-year", false),
    ("amount", "ob-col-amount", true),
    ("published", "ob-col-published", false),
    ("ends", "ob-col-ends", false),
    ("state", "ob-col-state", false),
];

#[derive(Template)]
#[template(path = "ob_list.html")]
struct ListPage {
    page: Page,
    docs: Vec<ListedDoc>,
    columns: Vec<Column>,
    pager: Pager,
    total: usize,
    filtered: bool,
    search: ListParams,
    filters: DocumentFilterParams,
    administrators: Vec<Choice>,
    years: Vec<Choice>,
    states: Vec<Choice>,
    kinds: Vec<Choice>,
    error: Option<String>,
    citizen: Option<String>,
    publications: Vec<PublicationRow>,
    can_moderate: bool,
}

fn doc_kind_choices(ctx: &Ctx, selected: &str) -> Vec<Choice> {
    choices(
        jospar_openbudget::DocKind::ALL.iter().map(|k| {
            (
                k.code().to_string(),
                ctx.tr.t(&format!("ob-kind-{}", k.code())),
            )
        }),
        selected,
    )
}

pub struct PublicationRow {
    id: i64,
    kind: String,
    year: i64,
    title: String,
    administrator: String,
    due: String,
    late: bool,
    published_on: Option<String>,
    file_name: Option<String>,
}

async fn publication_rows(ctx: &Ctx, signed_in: bool) -> AppResult<Vec<PublicationRow>> {
    let principal = if signed_in {
        ctx.principal.as_ref()
    } else {
        None
    };
    let today = Utc::now().date_naive();
    let mut rows = Vec::new();
    for x in jospar_openbudget::usecases::publications(ctx.db(), principal).await? {
        rows.push(PublicationRow {
            id: x.id,
            kind: ctx.tr.t(&format!("ob-pub-{}", x.kind)),
            year: x.year,
            title: x.title(ctx.tr.lang()).to_string(),
            administrator: jospar_org::usecases::org_name(ctx.db(), ctx.tr.0, x.org_id).await?,
            due: x
                .due_on
                .map(|d| d.format("%d.%m.%Y").to_string())
                .unwrap_or_default(),
            late: x.late(today),
            published_on: x.published_on.map(|d| d.format("%d.%m.%Y").to_string()),
            file_name: x.file_name.clone(),
        });
    }
    Ok(rows)
}

/// The documents in public discussion, searched, filtered, sorted and paged (issue 20), and
/// the publications.
async fn list(ctx: Ctx, headers: HeaderMap) -> AppResult<Response> {
    let search: ListParams = ctx.query_params();
    let filters: DocumentFilterParams = ctx.query_params();
    let (filter, error) = match filters.filter() {
        Ok(filter) => (filter, None),
        Err(e) => (Default::default(), Some(e.message(&ctx.tr))),
    };
    let query = search.query();
    let lang = ctx.tr.lang();
    let today = Utc::now().date_naive();
    let listed = lists::list_documents(ctx.db(), lang, today, &filter, &query).await?;
    let links = Links::new(&ctx.path, &ctx.query);
    let citizen = citizen_of(&ctx, &headers).await?.map(|c| c.name);
    render(ListPage {
        page: Page::new(&ctx, "ob-title", "open-budget"),
        docs: listed
            .rows
            .iter()
            .map(|row| listed_doc(&ctx, row))
            .collect(),
        columns: columns(ctx.tr, &links, &query, DOC_COLUMNS),
        pager: Pager::new(ctx.tr, &links, &listed),
        total: listed.total,
        filtered: !query.q.is_empty() || filter != Default::default(),
        administrators: choices(
            lists::document_administrators(ctx.db(), lang)
                .await?
                .into_iter()
                .map(|(id, name)| (id.to_string(), name)),
            &filters.within,
        ),
        years: super::common::year_choices(&filters.year),
        states: choices(
            ["open", "closed"]
                .iter()
                .map(|s| (s.to_string(), ctx.tr.t(&format!("ob-state-{s}")))),
            &filters.state,
        ),
        kinds: doc_kind_choices(&ctx, &filters.kind),
        search,
        filters,
        error,
        citizen,
        publications: publication_rows(&ctx, false).await?,
        can_moderate: ctx
            .principal
            .as_ref()
            .is_some_and(jospar_openbudget::usecases::may_moderate),
    })
}

pub struct FigureView {
    subprogram: String,
    amounts: Vec<String>,
}

pub struct ProposalView {
    id: i64,
    part: String,
    text: String,
    published_on: String,
    votes_for: i64,
    votes_against: i64,
    answer: String,
}

#[derive(Template)]
#[template(path = "ob_document.html")]
struct DocumentPage {
    page: Page,
    doc: DocRow,
    /// The program's amounts by subprogram and year (issue 21).
    chart: Option<crate::charts::ChartView>,
    summary: String,
    program: String,
    head: String,
    budget_kind: String,
    years: Vec<i32>,
    figures: Vec<FigureView>,
    votes_for: i64,
    votes_against: i64,
    proposals: Vec<ProposalView>,
    parts: Vec<Choice>,
    citizen: Option<Citizen>,
    press_release: String,
    /// The materials attached to the document: id and file name.
    materials: Vec<(i64, String)>,
    error: Option<String>,
    /// The text typed in a refused proposal, shown again.
    typed: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ChartQuery {
    format: String,
}

/// The document's chart drawn by the server, as PNG, JPEG or PDF: public, as the document is.
async fn chart_file(
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<ChartQuery>,
) -> AppResult<Response> {
    let doc = jospar_openbudget::usecases::document(ctx.db(), id).await?;
    let labels = jospar_openbudget::usecases::figure_labels(ctx.db(), &ctx.tr, &doc).await?;
    let chart = jospar_openbudget::usecases::figures_chart(&ctx.tr, &doc, &labels);
    crate::charts::chart_response(&chart, &q.format, "program")
}

async fn document_page(
    ctx: &Ctx,
    headers: &HeaderMap,
    id: i64,
    error: Option<String>,
    typed: String,
) -> AppResult<Response> {
    let db = ctx.db();
    let doc = jospar_openbudget::usecases::document(db, id).await?;
    let tallies = jospar_openbudget::repo::tallies(db, id)
        .await
        .map_err(jospar_openbudget::usecases::repo_error)?;
    let mut years: Vec<i32> = doc
        .figures
        .iter()
        .flat_map(|f| f.years.keys().copied())
        .collect();
    years.sort_unstable();
    years.dedup();
    let labels = jospar_openbudget::usecases::figure_labels(db, &ctx.tr, &doc).await?;
    let figures = doc
        .figures
        .iter()
        .zip(&labels.subprograms)
        .map(|(f, label)| FigureView {
            subprogram: label.clone(),
            amounts: years
                .iter()
                .map(|y| {
                    f.years
                        .get(y)
                        .copied()
                        .unwrap_or_default()
                        .format_thousands()
                })
                .collect(),
        })
        .collect();
    let proposals = jospar_openbudget::usecases::published_proposals(db, id)
        .await?
        .into_iter()
        .map(|p| {
            let (votes_for, votes_against) = tallies.get(&p.id).copied().unwrap_or_default();
            ProposalView {
                id: p.id,
                part: ctx.tr.t(&format!("ob-part-{}", p.part)),
                published_on: p
                    .moderated_on
                    .unwrap_or(p.submitted_on)
                    .format("%d.%m.%Y")
                    .to_string(),
                answer: jospar_openbudget::usecases::answer_text(&ctx.tr, &p),
                text: p.text,
                votes_for,
                votes_against,
            }
        })
        .collect();
    let (votes_for, votes_against) = tallies.get(&0).copied().unwrap_or_default();
    let parts = PARTS
        .iter()
        .map(|p| Choice {
            value: p.to_string(),
            label: ctx.tr.t(&format!("ob-part-{p}")),
            selected: false,
        })
        .collect();
    let refused = error.is_some();
    let response = render(DocumentPage {
        page: Page::new(ctx, "ob-title", "open-budget"),
        summary: doc.summary(ctx.tr.lang()).to_string(),
        program: labels.program.clone(),
        head: doc.head.clone(),
        budget_kind: ctx.tr.t(&format!("ob-budget-{}", doc.budget_kind)),
        press_release: jospar_openbudget::usecases::press_release(db, &ctx.tr, &doc).await?,
        materials: jospar_openbudget::publications::materials(db, doc.id).await?,
        doc: doc_row(ctx, &doc).await?,
        chart: if doc.figures.is_empty() {
            None
        } else {
            let chart = jospar_openbudget::usecases::figures_chart(&ctx.tr, &doc, &labels);
            let path = format!("/open-budget/{id}/chart?lang={}", ctx.tr.lang());
            Some(crate::charts::view(&chart, &path)?)
        },
        years,
        figures,
        votes_for,
        votes_against,
        proposals,
        parts,
        citizen: citizen_of(ctx, headers).await?,
        error,
        typed,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn show(ctx: Ctx, headers: HeaderMap, Path(id): Path<i64>) -> AppResult<Response> {
    document_page(&ctx, &headers, id, None, String::new()).await
}

/// A refusal of a public form is shown on the document's page; anything else goes up.
async fn public_answer(
    ctx: &Ctx,
    headers: &HeaderMap,
    id: i64,
    done: AppResult<()>,
    typed: String,
    key: &'static str,
) -> AppResult<Response> {
    match done {
        Ok(()) => Ok(
            Redirect::to(&crate::view::done(&format!("/open-budget/{id}"), key)).into_response(),
        ),
        Err(e @ AppError::Invalid { .. }) => {
            // Refused votes and proposals (a second vote, a late one, banned words…) are logged.
            if let AppError::Invalid { key, .. } = &e {
                tracing::info!(document = id, reason = key, "open budget: refused");
            }
            let message = form_message(ctx, e)?;
            document_page(ctx, headers, id, Some(message), typed).await
        }
        Err(e) => Err(e),
    }
}

/// The person of the request, or a refusal asking them to sign in with their signature.
async fn signed_citizen(ctx: &Ctx, headers: &HeaderMap, csrf: &str) -> AppResult<Citizen> {
    let citizen = citizen_of(ctx, headers)
        .await?
        .ok_or_else(|| AppError::invalid("err-ob-sign-in", "signature"))?;
    citizen.check_csrf(csrf)?;
    Ok(citizen)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VoteForm {
    csrf: String,
    proposal: Option<i64>,
    value: String,
}

async fn vote(
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<VoteForm>,
) -> AppResult<Response> {
    let done = async {
        let citizen = signed_citizen(&ctx, &headers, &f.csrf).await?;
        let in_favour = match f.value.as_str() {
            "for" => true,
            "against" => false,
            other => {
                return Err(AppError::Invalid {
                    key: "err-unknown-value",
                    args: vec![("field", "value".into()), ("value", other.into())],
                    field: Some("value".into()),
                });
            }
        };
        jospar_openbudget::usecases::vote(ctx.db(), &citizen, id, f.proposal, in_favour, Utc::now())
            .await
    }
    .await;
    public_answer(&ctx, &headers, id, done, String::new(), "voted").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ProposalForm {
    csrf: String,
    part: String,
    text: String,
}

async fn propose(
    ctx: Ctx,
    headers: HeaderMap,
    Path(id): Path<i64>,
    Form(f): Form<ProposalForm>,
) -> AppResult<Response> {
    let done = async {
        let citizen = signed_citizen(&ctx, &headers, &f.csrf).await?;
        let today = Utc::now().date_naive();
        jospar_openbudget::usecases::propose(ctx.db(), &citizen, id, &f.part, &f.text, today)
            .await
            .map(|_| ())
    }
    .await;
    public_answer(&ctx, &headers, id, done, f.text.clone(), "sent").await
}

#[derive(Template)]
#[template(path = "ob_sign_in.html")]
struct SignInPage {
    page: Page,
    error: Option<String>,
    next: String,
    nonce: String,
    nonce_base64: String,
    ncalayer_url: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NextQuery {
    next: String,
}

async fn sign_in_page(ctx: &Ctx, next: String, error: Option<String>) -> AppResult<Response> {
    use base64::Engine as _;
    let nonce = jospar_org::auth::create_challenge(ctx.db(), Utc::now()).await?;
    let refused = error.is_some();
    let mut response = render(SignInPage {
        page: Page::new(ctx, "ob-sign-in-title", "open-budget"),
        error,
        next,
        nonce_base64: base64::engine::general_purpose::STANDARD
            .encode(jospar_org::auth::challenge_data(&nonce)),
        nonce,
        ncalayer_url: ctx.state.config.signing.ncalayer_url.clone(),
    })?;
    if refused {
        *response.status_mut() = axum::http::StatusCode::UNAUTHORIZED;
    }
    Ok(response)
}

async fn sign_in_form(ctx: Ctx, Query(q): Query<NextQuery>) -> AppResult<Response> {
    sign_in_page(&ctx, q.next, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SignInForm {
    nonce: String,
    cms: String,
    next: String,
}

/// A person signs in with their signature to vote and propose (OB-3).
async fn sign_in(ctx: Ctx, Form(f): Form<SignInForm>) -> AppResult<Response> {
    let now = Utc::now();
    let signing = &ctx.state.config.signing;
    let opened = async {
        let signer =
            crate::eds_login::verified_signer(ctx.db(), signing, &f.nonce, &f.cms, now).await?;
        jospar_openbudget::usecases::open_session(ctx.db(), &signer, now).await
    }
    .await;
    match opened {
        Ok(token) => {
            let next = if f.next.starts_with("/open-budget") {
                f.next.as_str()
            } else {
                "/open-budget"
            };
            let mut response = Redirect::to(next).into_response();
            let secure = if ctx.state.config.secure_cookies {
                "; Secure"
            } else {
                ""
            };
            let value = format!(
                "{CITIZEN_COOKIE}={token}; Path=/open-budget; HttpOnly; SameSite=Lax{secure}"
            );
            response.headers_mut().append(
                header::SET_COOKIE,
                HeaderValue::from_str(&value).map_err(|e| AppError::Internal(e.to_string()))?,
            );
            Ok(response)
        }
        Err(e @ AppError::Invalid { .. }) => {
            let message = form_message(&ctx, e)?;
            sign_in_page(&ctx, f.next, Some(message)).await
        }
        Err(e) => Err(e),
    }
}

pub struct ManagedRow {
    doc: DocRow,
    /// What the open-budgets portal answered, and whether it can be sent again.
    portal: String,
    can_upload: bool,
    press_release: String,
    proposals: Vec<ManagedProposal>,
}

pub struct ManagedProposal {
    id: i64,
    part: String,
    text: String,
    status: String,
    answer: Option<String>,
    can_answer: bool,
}

#[derive(Template)]
#[template(path = "ob_manage.html")]
struct ManagePage {
    page: Page,
    rows: Vec<ManagedRow>,
    publications: Vec<PublicationRow>,
    kinds: Vec<Choice>,
    administrators: Vec<Choice>,
    this_year: i32,
    error: Option<String>,
}

async fn manage_page(ctx: &Ctx, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let db = ctx.db();
    let mut rows = Vec::new();
    for d in jospar_openbudget::usecases::managed(db, p).await? {
        let open = p.today <= d.ends_on;
        let proposals = jospar_openbudget::repo::proposals(db, d.id)
            .await
            .map_err(jospar_openbudget::usecases::repo_error)?
            .into_iter()
            .map(|prop| {
                let published = prop.status() == ProposalStatus::Published;
                ManagedProposal {
                    id: prop.id,
                    part: ctx.tr.t(&format!("ob-part-{}", prop.part)),
                    status: ctx.tr.t(&format!("ob-status-{}", prop.status)),
                    answer: prop
                        .answered_on
                        .map(|_| jospar_openbudget::usecases::answer_text(&ctx.tr, &prop)),
                    can_answer: open && published && prop.answered_on.is_none(),
                    text: prop.text,
                }
            })
            .collect();
        // The final report is made when the administrator's page is first opened after the end.
        jospar_openbudget::usecases::final_report(db, &ctx.tr, &d, p.today).await?;
        let d = jospar_openbudget::usecases::document(db, d.id).await?;
        let portal = match (&d.portal_id, &d.portal_error) {
            (Some(id), _) => ctx.tr.args("ob-portal-taken", &[("id", id.clone())]),
            (None, Some(e)) => ctx.tr.args("ob-portal-refused", &[("error", e.clone())]),
            (None, None) if ctx.state.config.open_budgets.is_none() => {
                ctx.tr.t("ob-portal-not-configured")
            }
            (None, None) => ctx.tr.t("ob-portal-not-sent"),
        };
        rows.push(ManagedRow {
            can_upload: d.portal_id.is_none() && ctx.state.config.open_budgets.is_some(),
            portal,
            press_release: jospar_openbudget::usecases::press_release(db, &ctx.tr, &d).await?,
            doc: doc_row(ctx, &d).await?,
            proposals,
        });
    }
    let lang = ctx.tr.lang();
    let administrators = jospar_openbudget::usecases::publishing_administrators(db, p)
        .await?
        .into_iter()
        .map(|o| Choice {
            value: o.id.to_string(),
            label: format!(
                "{} {}",
                o.abp_code.clone().unwrap_or_default(),
                o.name(lang)
            ),
            selected: false,
        })
        .collect();
    let refused = error.is_some();
    let kinds = jospar_openbudget::publications::PublicationKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.code().to_string(),
            label: ctx.tr.t(&format!("ob-pub-{}", k.code())),
            selected: false,
        })
        .collect();
    let response = render(ManagePage {
        page: Page::new(ctx, "ob-manage-title", "open-budget"),
        publications: publication_rows(ctx, true).await?,
        kinds,
        rows,
        administrators,
        this_year: p.today.format("%Y").to_string().parse().unwrap_or(2027),
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn manage(ctx: Ctx) -> AppResult<Response> {
    manage_page(&ctx, None).await
}

async fn manage_answer(ctx: &Ctx, done: AppResult<()>, key: &'static str) -> AppResult<Response> {
    match done {
        Ok(()) => Ok(Redirect::to(&crate::view::done("/open-budget/manage", key)).into_response()),
        Err(e @ AppError::Invalid { .. }) => {
            let message = form_message(ctx, e)?;
            manage_page(ctx, Some(message)).await
        }
        Err(e) => Err(e),
    }
}

/// Publishes a document from the administrator's form (multipart: the materials of an
/// implementation report come as files).
async fn publish(ctx: Ctx, multipart: axum::extract::Multipart) -> AppResult<Response> {
    let p = ctx.user()?;
    let (fields, files) = super::common::multipart_form(multipart).await?;
    let field = |name: &str| fields.get(name).cloned().unwrap_or_default();
    p.check_csrf(&field("csrf"))?;
    let done = async {
        let ends_on = match field("ends_on").trim() {
            "" => None,
            day => Some(jospar_access::parse_date(day, "ends_on")?),
        };
        let number = |name: &str| -> AppResult<i64> {
            field(name)
                .trim()
                .parse()
                .map_err(|_| AppError::invalid("err-required", name))
        };
        let new = Publication {
            kind: field("kind"),
            org_id: number("org_id")?,
            program: field("program"),
            year: i32::try_from(number("year")?)
                .map_err(|_| AppError::invalid("err-ob-year", "year"))?,
            title_ru: field("title_ru"),
            title_kk: field("title_kk"),
            summary_ru: field("summary_ru"),
            summary_kk: field("summary_kk"),
            head: field("head"),
            ends_on,
            materials: files
                .into_iter()
                .filter(|f| f.field == "materials")
                .map(|f| {
                    (
                        jospar_planning::repo::clean_file_name(&f.file_name),
                        f.bytes,
                    )
                })
                .collect(),
        };
        let portal = ctx.state.config.open_budgets.as_deref();
        jospar_openbudget::usecases::publish(ctx.db(), portal, p, new)
            .await
            .map(|_| ())
    }
    .await;
    manage_answer(&ctx, done, "published").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AnswerForm {
    csrf: String,
    accepted: String,
    text: String,
}

async fn answer(ctx: Ctx, Path(id): Path<i64>, Form(f): Form<AnswerForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&f.csrf)?;
    let accepted = f.accepted == "yes";
    let done = jospar_openbudget::usecases::answer(ctx.db(), p, id, accepted, &f.text)
        .await
        .map(|_| ());
    manage_answer(&ctx, done, "sent").await
}

pub struct PendingRow {
    id: i64,
    document: String,
    document_id: i64,
    part: String,
    text: String,
    submitted_on: String,
    due: String,
    late: bool,
}

fn pending_row(ctx: &Ctx, row: &PendingProposal) -> PendingRow {
    let prop = &row.proposal;
    PendingRow {
        id: prop.id,
        document: row.document_title.clone(),
        document_id: prop.document_id,
        part: ctx.tr.t(&format!("ob-part-{}", prop.part)),
        text: prop.text.clone(),
        submitted_on: prop.submitted_on.format("%d.%m.%Y").to_string(),
        due: row.due.format("%d.%m.%Y").to_string(),
        late: row.overdue,
    }
}

/// The sortable columns of the proposals awaiting moderation: (sort column, heading, numeric).
const PENDING_COLUMNS: &[(&str, &str, bool)] = &[
    ("document", "ob-col-document", false),
    ("part", "ob-col-part", false),
    ("", "ob-col-text", false),
    ("submitted", "ob-col-submitted", false),
    ("due", "ob-col-due", false),
    ("", "oversight-actions", false),
];

#[derive(Template)]
#[template(path = "ob_moderation.html")]
struct ModerationPage {
    page: Page,
    rows: Vec<PendingRow>,
    columns: Vec<Column>,
    pager: Pager,
    total: usize,
    filtered: bool,
    search: ListParams,
    filters: ProposalFilterParams,
    parents: Vec<Choice>,
    years: Vec<Choice>,
    parts: Vec<Choice>,
    kinds: Vec<Choice>,
    error: Option<String>,
}

/// The proposals waiting for the operator, searched, filtered, sorted and paged (issue 20).
async fn moderation_page(ctx: &Ctx, error: Option<String>) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: ListParams = ctx.query_params();
    let filters: ProposalFilterParams = ctx.query_params();
    let query = search.query();
    let filter = filters.filter();
    let listed = lists::list_pending(ctx.db(), p, ctx.tr.lang(), &filter, &query).await?;
    let links = Links::new(&ctx.path, &ctx.query);
    let refused = error.is_some();
    let response = render(ModerationPage {
        page: Page::new(ctx, "ob-moderation-title", "open-budget"),
        rows: listed
            .rows
            .iter()
            .map(|row| pending_row(ctx, row))
            .collect(),
        columns: columns(ctx.tr, &links, &query, PENDING_COLUMNS),
        pager: Pager::new(ctx.tr, &links, &listed),
        total: listed.total,
        filtered: !query.q.is_empty() || filter != Default::default(),
        parents: super::common::parent_choices(ctx, p, &filters.within).await?,
        years: super::common::year_choices(&filters.year),
        parts: choices(
            PARTS
                .iter()
                .map(|part| (part.to_string(), ctx.tr.t(&format!("ob-part-{part}")))),
            &filters.part,
        ),
        kinds: doc_kind_choices(ctx, &filters.kind),
        search,
        filters,
        error,
    })?;
    Ok(unprocessable_if(refused, response))
}

async fn moderation(ctx: Ctx) -> AppResult<Response> {
    moderation_page(&ctx, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ModerateForm {
    csrf: String,
    decision: String,
    reason: String,
}

async fn moderate(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<ModerateForm>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&f.csrf)?;
    let publish = f.decision == "publish";
    match jospar_openbudget::usecases::moderate(ctx.db(), p, id, publish, &f.reason).await {
        Ok(_) => Ok(
            Redirect::to(&crate::view::done("/open-budget/moderation", "saved")).into_response(),
        ),
        Err(e @ AppError::Invalid { .. }) => {
            let message = form_message(&ctx, e)?;
            moderation_page(&ctx, Some(message)).await
        }
        Err(e) => Err(e),
    }
}

async fn upload_again(
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<super::common::CsrfForm>,
) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&f.csrf)?;
    let portal = ctx.state.config.open_budgets.as_deref();
    let done = jospar_openbudget::usecases::upload_again(ctx.db(), portal, p, id)
        .await
        .map(|_| ());
    manage_answer(&ctx, done, "imported").await
}

fn file_response(file_name: &str, content: Vec<u8>) -> Response {
    let disposition = format!(
        "attachment; filename*=UTF-8''{}",
        urlencoding::encode(file_name)
    );
    (
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        content,
    )
        .into_response()
}

/// A published publication's file, for anyone.
async fn publication_file(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (name, content) = jospar_openbudget::publications::file(ctx.db(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(file_response(&name, content))
}

/// A material of a published document, for anyone.
async fn material_file(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let (_, name, content) = jospar_openbudget::publications::material(ctx.db(), id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(file_response(&name, content))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RegisterForm {
    csrf: String,
    org_id: i64,
    kind: String,
    year: i32,
    title_ru: String,
    title_kk: String,
    received_on: String,
}

async fn register_publication(ctx: Ctx, Form(f): Form<RegisterForm>) -> AppResult<Response> {
    let p = ctx.user()?;
    p.check_csrf(&f.csrf)?;
    let done = async {
        let received_on = match f.received_on.trim() {
            "" => None,
            day => Some(jospar_access::parse_date(day, "received_on")?),
        };
        let new = jospar_openbudget::publications::NewPublication {
            org_id: f.org_id,
            kind: f.kind,
            year: f.year,
            title_ru: f.title_ru,
            title_kk: f.title_kk,
            received_on,
        };
        jospar_openbudget::usecases::register_publication(ctx.db(), p, new)
            .await
            .map(|_| ())
    }
    .await;
    manage_answer(&ctx, done, "added").await
}

async fn publish_publication_file(
    ctx: Ctx,
    Path(id): Path<i64>,
    multipart: axum::extract::Multipart,
) -> AppResult<Response> {
    let p = ctx.user()?;
    let (fields, files) = super::common::multipart_form(multipart).await?;
    p.check_csrf(fields.get("csrf").map(String::as_str).unwrap_or_default())?;
    let done = match files.into_iter().find(|f| f.field == "file") {
        Some(file) => {
            jospar_openbudget::usecases::publish_file(ctx.db(), p, id, &file.file_name, &file.bytes)
                .await
                .map(|_| ())
        }
        None => Err(AppError::invalid("err-ob-file", "file")),
    };
    manage_answer(&ctx, done, "published").await
}
