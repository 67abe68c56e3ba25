//! The one search box (issue 23, P-6): the words typed find budget requests, financing plans,
//! budget acts, transfer applications, classification code requests, ad-hoc forms, oversight
//! applications and open-budget publications by
//! number, organisation, code, amount (whole tenge, as typed: "36000000") or text. Each module's own list use case answers with what the
//! caller may read, searched the way every list is ([`jospar_core::listing`]); this module
//! only puts their first rows side by side, as `reports.rs` puts the modules' reports in one
//! catalogue.

use jospar_access::{Module, Principal, Reader, Result};
use jospar_core::listing::{ListQuery, Listable, SortKey, list};
use jospar_i18n::Tr;
use jospar_store::Db;

/// How many rows of each kind the search shows; the rest is one click away in its list.
pub const PER_KIND: usize = 5;

/// A document found.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Hit {
    pub title: String,
    pub link: String,
}

/// The documents of one kind found: the first few, how many in all, and the list that
/// shows them all.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Group {
    /// requests, plans, budget_acts, transfer_applications, code_requests, adhoc_forms,
    /// oversight_applications, publications
    pub kind: &'static str,
    pub title: String,
    pub total: usize,
    pub hits: Vec<Hit>,
    /// The kind's list searched for the same words.
    pub all: String,
}

/// A row searched here for a kind whose module has no list use case of its own.
struct Searched {
    text: String,
    hit: Hit,
}

impl Listable for Searched {
    fn search_text(&self) -> String {
        self.text.clone()
    }

    fn sort_key(&self, _column: &str) -> Option<SortKey> {
        None
    }
}

fn group(
    tr: &Tr,
    kind: &'static str,
    list_path: &str,
    q: &str,
    total: usize,
    hits: Vec<Hit>,
) -> Group {
    Group {
        kind,
        title: tr.t(&format!("search-kind-{kind}")),
        total,
        hits,
        all: format!("{list_path}?q={}", urlencoding::encode(q)),
    }
}

/// Every kind's documents holding all the words of `q`, the kinds with none left out.
pub async fn search(db: &Db, tr: &Tr, p: &Principal, q: &str) -> Result<Vec<Group>> {
    let q = q.trim();
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let query = ListQuery {
        q: q.to_string(),
        limit: PER_KIND,
        ..ListQuery::default()
    };
    let mut groups = Vec::new();
    // Each kind is read with the grants that count in its module, as on its own pages.
    let planning = p.in_module(Some(Module::Planning));

    let requests =
        jospar_planning::usecases::list_requests(db, &planning, tr, &Default::default(), &query)
            .await?;
    let hits = requests
        .rows
        .iter()
        .map(|r| Hit {
            title: format!("{} · {} · {}", r.number_label, r.org_name, r.campaign_name),
            link: format!("/requests/{}", r.request.id),
        })
        .collect();
    groups.push(group(tr, "requests", "/requests", q, requests.total, hits));

    let plans_grants = p.in_module(Some(Module::Plans));
    let plans = jospar_execution::usecases::plans::list_plans(
        db,
        &plans_grants,
        tr,
        &Default::default(),
        &query,
    )
    .await?;
    let hits = plans
        .rows
        .iter()
        .map(|r| Hit {
            title: format!("{} · {}", r.number_label, r.org_name),
            link: format!("/plans/{}", r.plan.id),
        })
        .collect();
    groups.push(group(tr, "plans", "/plans", q, plans.total, hits));

    let acts = jospar_budget::usecases::visible_acts(db, &planning)
        .await?
        .into_iter()
        .map(|a| {
            let title = jospar_budget::reports::act_label(tr, &a);
            Searched {
                text: format!("{title} {} {}", a.number, a.administrator),
                hit: Hit {
                    title,
                    link: format!("/budget-acts/{}", a.id),
                },
            }
        })
        .collect();
    let acts = list(acts, &query);
    let hits = acts.rows.into_iter().map(|s| s.hit).collect();
    groups.push(group(
        tr,
        "budget_acts",
        "/budget-acts",
        q,
        acts.total,
        hits,
    ));

    let transfers = jospar_budget::transfers::applications(db, &Reader::User(&planning))
        .await?
        .into_iter()
        .map(|a| Searched {
            text: format!(
                "{} {} {} {} {} {}",
                a.purpose,
                a.abp,
                a.program,
                a.source_program,
                a.year,
                a.amount.tiyn() / 100
            ),
            hit: Hit {
                title: format!("{} · {} {} · {}", a.purpose, a.abp, a.program, a.amount),
                link: format!("/transfer-applications/{}", a.id),
            },
        })
        .collect();
    let transfers = list(transfers, &query);
    let hits = transfers.rows.into_iter().map(|s| s.hit).collect();
    groups.push(group(
        tr,
        "transfer_applications",
        "/transfer-applications",
        q,
        transfers.total,
        hits,
    ));

    let codes = jospar_planning::code_requests::requests(db, &Reader::User(&planning)).await?;
    let codes = list(codes, &query);
    let hits = codes
        .rows
        .iter()
        .map(|r| Hit {
            title: format!("{} · {} · {}", r.code, r.name(tr), r.year),
            link: format!("/code-requests/{}", r.id),
        })
        .collect();
    groups.push(group(
        tr,
        "code_requests",
        "/code-requests",
        q,
        codes.total,
        hits,
    ));

    let forms = jospar_adhoc::forms(db, &Reader::User(&planning), &p.tree).await?;
    let forms = list(forms, &query);
    let hits = forms
        .rows
        .iter()
        .map(|f| Hit {
            title: format!("{} · {}", f.title(tr), f.deadline.format("%d.%m.%Y")),
            link: format!("/adhoc-forms/{}", f.id),
        })
        .collect();
    groups.push(group(
        tr,
        "adhoc_forms",
        "/adhoc-forms",
        q,
        forms.total,
        hits,
    ));

    let applications = jospar_oversight::usecases::list_applications(
        db,
        &p.in_module(Some(Module::Oversight)),
        &Default::default(),
        &query,
    )
    .await?;
    let hits = applications
        .rows
        .iter()
        .map(|a| Hit {
            title: a.search_text().chars().take(160).collect(),
            link: format!("/oversight-applications/{}", a.application.id),
        })
        .collect();
    groups.push(group(
        tr,
        "oversight_applications",
        "/oversight-applications",
        q,
        applications.total,
        hits,
    ));

    let documents = jospar_openbudget::lists::list_documents(
        db,
        tr.lang(),
        p.today,
        &Default::default(),
        &query,
    )
    .await?;
    let hits = documents
        .rows
        .iter()
        .map(|d| Hit {
            title: format!("{} · {} · {}", d.title, d.org_name, d.document.year),
            link: format!("/open-budget/{}", d.document.id),
        })
        .collect();
    groups.push(group(
        tr,
        "publications",
        "/open-budget",
        q,
        documents.total,
        hits,
    ));

    groups.retain(|g| g.total > 0);
    Ok(groups)
}
