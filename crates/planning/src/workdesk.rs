//! What the start page shows of budget planning (issue 20): the user's requests by state, the
//! requests waiting at a stage where the user approves, those returned with the reason, and each
//! open campaign's deadline in working days with its curator's-desk counts — computed by
//! [`crate::usecases::desk`] itself, so the start page and the desk never disagree.

use crate::domain::*;
use crate::{repo, usecases};
use jospar_access::Principal;
use jospar_i18n::Tr;
use jospar_limits::Stage;
use jospar_org::{OrgKind, Right};
use jospar_store::Db;
use std::collections::HashMap;

/// The planning part of a user's start page.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Workdesk {
    /// Requests of the organisations the user enters data for, counted by state
    /// (in work, sent, returned, approved), every state listed.
    pub mine: Vec<StateCount>,
    /// Requests sent to a stage where the user reviews (the user's own organisation, or one
    /// below it that has no reviewer of its own), oldest first.
    pub to_review: Vec<DocLine>,
    /// The user's requests returned for rework, newest first, each with its reason.
    pub returned: Vec<DocLine>,
    /// Campaigns for the coming years the user takes part in, with their deadline.
    pub campaigns: Vec<CampaignDue>,
    /// When no campaign is open for the coming years: the planning period and the authorized
    /// body whose step it is (its id), for the empty state to say so.
    pub awaited: Option<AwaitedCampaign>,
}

/// A request as the start page names it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct DocLine {
    #[serde(flatten)]
    pub request: Request,
    /// The number people read, e.g. БЗ-2027-0042.
    pub number_label: String,
    pub org_name: String,
    /// The deadline of the stage the request is at: its submission while in work or returned,
    /// the review of the organisation it was sent to while sent.
    pub deadline: Option<chrono::NaiveDate>,
    /// Past that deadline.
    pub overdue: bool,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StateCount {
    pub status: Status,
    pub count: usize,
}

/// An open campaign with its deadline and the counts of its curator's desk as the user sees it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CampaignDue {
    pub campaign: jospar_limits::Campaign,
    pub deadline: chrono::NaiveDate,
    /// Working days from today to the deadline (0 on the day itself and after it).
    pub working_days_left: u32,
    /// Organisations of the desk (those the user reads that receive limits in the campaign).
    pub organisations: usize,
    /// Of them: request sent or approved.
    pub submitted: usize,
    /// Of them: past the deadline without a sent or approved request.
    pub overdue: usize,
    /// Of them: the latest request returned for rework.
    pub returned: usize,
    /// Of them: no request yet.
    pub without_request: usize,
    /// The deadline of each stage, set by the authorized body when it opened the campaign.
    pub stages: Vec<StageDue>,
}

/// A stage's deadline as of today.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct StageDue {
    pub stage: jospar_limits::Stage,
    pub deadline: chrono::NaiveDate,
    /// Working days from today to the deadline (0 on the day itself and after it).
    pub working_days_left: u32,
    pub passed: bool,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct AwaitedCampaign {
    pub first_year: i32,
    pub authority_org_id: Option<i64>,
}

/// The planning part of the start page of `p`.
pub async fn workdesk(db: &Db, p: &Principal, tr: &Tr) -> jospar_access::Result<Workdesk> {
    let requests = repo::requests(db).await?;
    let orgs = jospar_limits::usecases::org_map(db).await?;
    let prefix = tr.t("request-number-prefix");
    let campaigns_by_id: HashMap<i64, jospar_limits::Campaign> = jospar_limits::repo::campaigns(db)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let calendar = db.working_calendar().await?;
    let line = |r: &Request| {
        let campaign = campaigns_by_id.get(&r.campaign_id);
        // While sent, the stage of the organisation reviewing it; else the submission's.
        let stage = match (r.status, r.stage_org_id) {
            (Status::Sent, Some(at)) => orgs
                .get(&at)
                .map_or(Stage::AuthorizedBody, |o| Stage::of(o.kind)),
            _ => Stage::Institution,
        };
        let deadline = campaign
            .filter(|_| r.status != Status::Approved)
            .map(|c| c.deadline_of(stage, &calendar));
        DocLine {
            number_label: r.number_label(&prefix, campaign.map_or(0, |c| c.first_year)),
            org_name: orgs
                .get(&r.org_id)
                .map(|o| o.name(tr.lang()).to_string())
                .unwrap_or_default(),
            overdue: deadline.is_some_and(|d| p.today > d),
            deadline,
            request: r.clone(),
        }
    };
    let mine: Vec<&Request> = requests
        .iter()
        .filter(|r| p.can(Right::Enter, r.org_id))
        .collect();
    let counts = Status::ALL
        .into_iter()
        .map(|status| StateCount {
            status,
            count: mine.iter().filter(|r| r.status == status).count(),
        })
        .collect();
    let mut returned: Vec<DocLine> = mine
        .iter()
        .filter(|r| r.status == Status::Returned)
        .map(|r| line(r))
        .collect();
    returned.sort_by_key(|r| std::cmp::Reverse(r.request.updated_at));
    let review_at = review_orgs(db, p).await?;
    let mut to_review: Vec<DocLine> = requests
        .iter()
        .filter(|r| r.status == Status::Sent)
        .filter(|r| r.stage_org_id.is_some_and(|s| review_at.contains(&s)))
        .map(line)
        .collect();
    to_review.sort_by_key(|r| r.request.updated_at);
    let coming = chrono::Datelike::year(&p.today) + 1;
    let mut campaigns = Vec::new();
    for campaign in jospar_limits::usecases::visible_campaigns(db, p).await? {
        if campaign.first_year < coming {
            continue;
        }
        let (deadline, rows) = usecases::desk_of(db, p, &campaign, &orgs, &calendar).await?;
        if rows.is_empty() {
            continue;
        }
        let latest = |status: Status| {
            rows.iter()
                .filter(|r| r.request.as_ref().is_some_and(|q| q.status == status))
                .count()
        };
        let left = |deadline: chrono::NaiveDate| {
            if deadline > p.today {
                calendar.working_days_between(p.today, deadline)
            } else {
                0
            }
        };
        let stages = campaign
            .stage_deadlines(&calendar)
            .into_iter()
            .map(|(stage, deadline)| StageDue {
                stage,
                deadline,
                working_days_left: left(deadline),
                passed: p.today > deadline,
            })
            .collect();
        campaigns.push(CampaignDue {
            stages,
            working_days_left: left(deadline),
            organisations: rows.len(),
            submitted: latest(Status::Sent) + latest(Status::Approved),
            overdue: rows.iter().filter(|r| r.overdue).count(),
            returned: latest(Status::Returned),
            without_request: rows.iter().filter(|r| r.request.is_none()).count(),
            campaign,
            deadline,
        });
    }
    campaigns.sort_by_key(|c| (c.deadline, c.campaign.id));
    let awaited = if campaigns.is_empty() {
        Some(AwaitedCampaign {
            first_year: coming,
            authority_org_id: authority_above(p, &orgs),
        })
    } else {
        None
    };
    Ok(Workdesk {
        mine: counts,
        to_review,
        returned,
        campaigns,
        awaited,
    })
}

/// The organisations where `p` reviews requests: those of the user's approving grants, and
/// below them the ones without a reviewer of their own (as the notice of a sent request goes).
async fn review_orgs(
    db: &Db,
    p: &Principal,
) -> jospar_access::Result<std::collections::HashSet<i64>> {
    let approving: Vec<i64> = p
        .grants
        .iter()
        .filter(|g| g.is_active(p.today) && g.role.rights().contains(&Right::Approve))
        .map(|g| g.org_id)
        .collect();
    if approving.is_empty() {
        return Ok(Default::default());
    }
    let reviewed: std::collections::HashSet<i64> = jospar_org::repo::all_grants(db)
        .await?
        .into_iter()
        .filter(|(_, g)| g.is_active(p.today) && g.role.rights().contains(&Right::Approve))
        .map(|(_, g)| g.org_id)
        .collect();
    let mut out = std::collections::HashSet::new();
    for root in approving {
        out.insert(root);
        // Below the grant: organisations that have no reviewer of their own and whose
        // nearest reviewer above is this one.
        for id in p.tree.subtree(root) {
            let nearest = std::iter::once(id)
                .chain(p.tree.ancestors(id))
                .find(|o| reviewed.contains(o));
            if nearest == Some(root) {
                out.insert(id);
            }
        }
    }
    Ok(out)
}

/// The authorized body above the user's organisation (whose step opening a campaign is).
fn authority_above(p: &Principal, orgs: &HashMap<i64, jospar_org::Org>) -> Option<i64> {
    std::iter::once(p.user.org_id)
        .chain(p.tree.ancestors(p.user.org_id))
        .find(|id| {
            orgs.get(id)
                .is_some_and(|o| o.kind == OrgKind::AuthorizedBody)
        })
}
