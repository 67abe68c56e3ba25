//! The open budget: documents in public discussion, publications, proposals and their
//! moderation (OB-1…OB-5, BP-14).

use crate::api::common::*;
use crate::ctx::Ctx;
use crate::error::{AppError, AppResult};
use crate::routes::{Access, Api, Module};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, Query};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use utoipa::{IntoParams, ToSchema};

pub(super) fn routes(api: Api) -> Api {
    api.module(Module::OpenBudget)
        .get(
            "/open-budget/documents",
            "Documents in public discussion (OB-1): passports of budget programs and reports on their implementation, with their discussion periods, the program's amount of the year and the administrator's name; no sign-in needed; newest first: searched (q: title, program, administrator, head), filtered (within an organisation's subtree, year, state open or closed, kind passport or report, amount min/max in tenge), sorted (sort=title, kind, org, year, amount, published, ends, state; -column descending) and paged (offset or page, limit; 50 by default); the rows found on every page in the X-Total-Count header",
            Access::Public,
            true,
            open_budget_documents,
        )
        .query::<crate::listing::ListParams>()
        .query::<crate::queries::DocumentFilterParams>()
        .answers::<jospar_openbudget::lists::DocumentListRow>()
        .get(
            "/open-budget/documents/{id}",
            "A document in discussion with its figures, votes and published proposals with the answers; no sign-in needed",
            Access::Public,
            true,
            open_budget_document,
        )
        .answer::<DocumentPage>()
        .post(
            "/open-budget/documents",
            "Publish {kind: passport|report, org_id (an administrator), program, year, title_ru, title_kk, summary_ru, summary_kk, head, ends_on?, materials?: [{file_name, content (base64)}]}: figures from the approved budget requests, at least 10 working days of discussion; a report of a program with budget investments needs its materials (OB-1, OB-2)",
            Access::Approve,
            false,
            publish_open_budget,
        )
        .body::<PublishBody>()
        .created::<jospar_openbudget::repo::Document>()
        .post(
            "/open-budget/documents/{id}/upload",
            "Send a document's budget program to the national open-budgets portal again (BP-14); the portal's id or its refusal is kept on the document",
            Access::Approve,
            false,
            upload_open_budget,
        )
        .answer::<jospar_openbudget::repo::Document>()
        .get(
            "/open-budget/publications",
            "Budget reports, consolidated financial statements, citizen's budgets and audit results: the published ones for anyone; with a token, also those the caller's administrators registered, each with its due day and whether it is late (OB-1)",
            Access::Public,
            true,
            open_budget_publications,
        )
        .answers::<PublicationRow>()
        .post(
            "/open-budget/publications",
            "Register a publication {org_id, kind: budget_report|financial_statements|citizen_budget|audit_results, year, title_ru, title_kk, received_on (audit results)}: due 5 July of the next year (statements) or 15 working days after receipt (audit results)",
            Access::Approve,
            false,
            register_publication,
        )
        .body::<jospar_openbudget::publications::NewPublication>()
        .created::<jospar_openbudget::publications::Publication>()
        .post(
            "/open-budget/publications/{id}/file",
            "Publish a registered publication with its file (the body; ?file_name=)",
            Access::Approve,
            false,
            publish_publication_file,
        )
        .query::<FileName>()
        .file_body(UPLOADS)
        .answer::<jospar_openbudget::publications::Publication>()
        .get(
            "/open-budget/proposals/pending",
            "Proposals waiting for the operator, each with its document and the day it must be moderated by (2 working days) and whether that has passed (OB-4); oldest first: searched (q: document, text, author), filtered (within an organisation's subtree, year received, part of the document, kind of document, overdue=1), sorted (sort=document, part, submitted, due; -column descending) and paged (offset or page, limit; 50 by default); the rows found on every page in the X-Total-Count header",
            Access::SystemConfigure,
            false,
            pending_proposals,
        )
        .query::<crate::listing::ListParams>()
        .query::<crate::queries::ProposalFilterParams>()
        .answers::<jospar_openbudget::lists::PendingProposal>()
        .post(
            "/open-budget/proposals/{id}/moderate",
            "The operator publishes {publish: true} or refuses {publish: false, reason} a proposal (OB-4)",
            Access::SystemConfigure,
            false,
            moderate_proposal,
        )
        .body::<Moderation>()
        .answer::<jospar_openbudget::repo::Proposal>()
        .post(
            "/open-budget/proposals/{id}/answer",
            "The administrator accepts or rejects a published proposal {accepted, text} within the discussion (OB-4)",
            Access::Approve,
            false,
            answer_proposal,
        )
        .body::<Answer>()
        .answer::<jospar_openbudget::repo::Proposal>()
}

/// Votes for and against.
#[derive(Serialize, ToSchema)]
struct Votes {
    #[serde(rename = "for")]
    for_: i64,
    against: i64,
}

/// A published proposal with its answer and votes.
#[derive(Serialize, ToSchema)]
struct PublishedProposal {
    id: i64,
    part: String,
    text: String,
    published_on: Option<chrono::NaiveDate>,
    accepted: Option<bool>,
    answer: Option<String>,
    votes: Votes,
}

/// A document in public discussion as citizens see it.
#[derive(Serialize, ToSchema)]
struct DocumentPage {
    unique_number: String,
    document: jospar_openbudget::repo::Document,
    votes: Votes,
    proposals: Vec<PublishedProposal>,
    press_release: String,
}

/// A material confirming an investment project.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)] // Read from JSON by the handler; declared for the document.
struct Material {
    file_name: String,
    /// base64
    content: String,
}

/// A document to publish, with its materials.
#[derive(Deserialize, ToSchema)]
#[allow(dead_code)] // Read from JSON by the handler; declared for the document.
struct PublishBody {
    #[serde(flatten)]
    publication: jospar_openbudget::usecases::Publication,
    #[serde(default)]
    materials: Vec<Material>,
}

/// A publication and whether it came late.
#[derive(Serialize, ToSchema)]
struct PublicationRow {
    publication: jospar_openbudget::publications::Publication,
    late: bool,
}

async fn open_budget_documents(ctx: Ctx) -> AppResult<Response> {
    let search: crate::listing::ListParams = ctx.query_params();
    let filters: crate::queries::DocumentFilterParams = ctx.query_params();
    let listed = jospar_openbudget::lists::list_documents(
        ctx.db(),
        ctx.tr.lang(),
        chrono::Utc::now().date_naive(),
        &filters.filter()?,
        &search.query(),
    )
    .await?;
    Ok(crate::listing::api_answer(listed))
}

async fn open_budget_document(ctx: Ctx, Path(id): Path<i64>) -> AppResult<Json<Value>> {
    let doc = jospar_openbudget::usecases::document(ctx.db(), id).await?;
    let proposals = jospar_openbudget::usecases::published_proposals(ctx.db(), id).await?;
    let tallies = jospar_openbudget::repo::tallies(ctx.db(), id)
        .await
        .map_err(jospar_openbudget::usecases::repo_error)?;
    let votes = |target: i64| {
        let (f, a) = tallies.get(&target).copied().unwrap_or_default();
        Votes {
            for_: f,
            against: a,
        }
    };
    let proposals = proposals
        .iter()
        .map(|p| PublishedProposal {
            id: p.id,
            part: p.part.clone(),
            text: p.text.clone(),
            published_on: p.moderated_on,
            accepted: p.accepted,
            answer: p.answer.clone(),
            votes: votes(p.id),
        })
        .collect();
    let press_release = jospar_openbudget::usecases::press_release(ctx.db(), &ctx.tr, &doc).await?;
    Ok(Json(json!(DocumentPage {
        unique_number: doc.unique_number(),
        votes: votes(0),
        document: doc,
        proposals,
        press_release,
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
    let rows: Vec<PublicationRow> =
        jospar_openbudget::usecases::publications(ctx.db(), ctx.principal.as_ref())
            .await?
            .into_iter()
            .map(|x| {
                let late = x.late(today);
                PublicationRow {
                    publication: x,
                    late,
                }
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

#[derive(Deserialize, IntoParams)]
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

async fn pending_proposals(ctx: Ctx) -> AppResult<Response> {
    let p = ctx.user()?;
    let search: crate::listing::ListParams = ctx.query_params();
    let filters: crate::queries::ProposalFilterParams = ctx.query_params();
    let listed = jospar_openbudget::lists::list_pending(
        ctx.db(),
        p,
        ctx.tr.lang(),
        &filters.filter(),
        &search.query(),
    )
    .await?;
    Ok(crate::listing::api_answer(listed))
}

#[derive(Deserialize, ToSchema)]
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

#[derive(Deserialize, ToSchema)]
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
