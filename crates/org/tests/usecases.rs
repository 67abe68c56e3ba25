//! The organisation use cases on a real database, without HTTP (P-1, P-3, P-4): a caller
//! creates organisations only where it configures, a refusal writes nothing, and what is
//! written is in the audit log under the caller's name.

use jospar_access::testing::principal;
use jospar_access::{Error, Role};
use jospar_org::repo;
use jospar_org::usecases::{create_org, update_org, visible_orgs};
use jospar_org::{BudgetLevel, NewOrg, OrgChange};
use jospar_store::{AuditFilter, Db, Who};

async fn database() -> Db {
    let path = std::env::temp_dir().join(format!(
        "jospar-org-usecases-{}-{}.db",
        std::process::id(),
        jospar_core::ids::new_id()
    ));
    let db = Db::connect(&format!("sqlite:{}", path.display()))
        .await
        .expect("sqlite");
    db.migrate().await.expect("migrations");
    db
}

fn new_org(parent: Option<i64>, kind: &str, budget_id: i64, name: &str) -> NewOrg {
    NewOrg {
        parent_id: parent,
        kind: kind.into(),
        budget_id,
        name_ru: name.into(),
        name_kk: name.into(),
        ..Default::default()
    }
}

/// A region's budget and its authorized body, the top of the tree.
async fn region(db: &Db) -> (jospar_org::Budget, jospar_org::Org) {
    let system = Who::system();
    let budget = repo::create_budget(
        db,
        &system,
        None,
        BudgetLevel::Oblast,
        "470000000",
        "Б",
        "Б",
    )
    .await
    .expect("budget");
    let region = repo::create_org(
        db,
        &system,
        new_org(None, "authorized_body", budget.id, "Region"),
        false,
    )
    .await
    .expect("region");
    (budget, region)
}

#[tokio::test]
async fn organisations_are_created_and_changed_only_where_the_caller_configures() {
    let db = database().await;
    let system = Who::system();
    let (budget, region) = region(&db).await;
    let district = repo::create_org(
        &db,
        &system,
        NewOrg {
            abp_code: Some("261".into()),
            ..new_org(Some(region.id), "administrator", budget.id, "District")
        },
        true,
    )
    .await
    .expect("district");
    let links = [(region.id, None), (district.id, Some(region.id))];
    let district_admin = principal(district.id, &[(Role::Sysadmin, district.id)], &links);

    let refused = create_org(
        &db,
        &district_admin,
        NewOrg {
            abp_code: Some("253".into()),
            ..new_org(Some(region.id), "administrator", budget.id, "Elsewhere")
        },
    )
    .await;
    assert!(matches!(refused, Err(Error::Forbidden)), "{refused:?}");
    let renamed = update_org(
        &db,
        &district_admin,
        region.id,
        OrgChange {
            version: region.version,
            name_ru: Some("Taken over".into()),
            ..Default::default()
        },
    )
    .await;
    assert!(matches!(renamed, Err(Error::Forbidden)), "{renamed:?}");
    assert_eq!(
        repo::all_orgs(&db).await.expect("orgs").len(),
        2,
        "a refusal writes nothing"
    );

    let school = create_org(
        &db,
        &district_admin,
        new_org(Some(district.id), "institution", budget.id, "School"),
    )
    .await
    .expect("created under the caller's organisation");
    assert_eq!(school.parent_id, Some(district.id));
    let audit = db
        .audit_entries(&AuditFilter {
            entity: Some("org".into()),
            entity_id: Some(school.id.to_string()),
            limit: 10,
            ..Default::default()
        })
        .await
        .expect("audit");
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].login, "tester");

    // The district's administrator reads its own branch only; a user reading nothing is
    // refused the list rather than shown an empty one.
    let links = [
        (region.id, None),
        (district.id, Some(region.id)),
        (school.id, Some(district.id)),
    ];
    let reader = principal(district.id, &[(Role::Auditor, district.id)], &links);
    let mut seen: Vec<i64> = visible_orgs(&db, &reader, "")
        .await
        .expect("visible")
        .iter()
        .map(|o| o.id)
        .collect();
    seen.sort();
    let mut expected = vec![district.id, school.id];
    expected.sort();
    assert_eq!(seen, expected);
    let nobody = principal(district.id, &[], &links);
    assert!(matches!(
        visible_orgs(&db, &nobody, "").await,
        Err(Error::Forbidden)
    ));
}

/// A hundred guesses at once: each takes its place in the counter before its password is
/// checked, so no more than the allowed attempts are ever checked per lock period (P-3).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_guesses_check_at_most_the_allowed_passwords() {
    use jospar_org::auth::{AuthError, MAX_FAILED_LOGINS, authenticate};
    let db = database().await;
    let system = Who::system();
    let (_, region) = region(&db).await;
    repo::create_user(
        &db,
        &system,
        jospar_org::NewUser {
            org_id: region.id,
            login: "guess.me".into(),
            iin: "900101300007".into(),
            full_name: "Guess Me".into(),
            password: "Guess-me-please-1".into(),
            ..Default::default()
        },
    )
    .await
    .expect("user");
    let now = chrono::Utc::now();
    let guesses: Vec<_> = (0..100)
        .map(|i| {
            let db = db.clone();
            tokio::spawn(async move {
                authenticate(&db, "guess.me", &format!("wrong-{i}"), now)
                    .await
                    .expect("no storage error")
            })
        })
        .collect();
    let mut wrong = 0;
    for guess in guesses {
        match guess.await.expect("task") {
            Err(AuthError::BadCredentials) => wrong += 1,
            Err(AuthError::Locked(_)) => {}
            other => panic!("{other:?}"),
        }
    }
    // The attempts before the last are told the password is wrong; every other one meets
    // the lock, most of them without a password check.
    assert_eq!(wrong, MAX_FAILED_LOGINS - 1);
    let right = authenticate(&db, "guess.me", "Guess-me-please-1", now)
        .await
        .expect("storage");
    assert!(matches!(right, Err(AuthError::Locked(_))), "{right:?}");
    // When the lock has run out the right password is let in.
    let later = now + chrono::Duration::minutes(jospar_org::auth::LOCK_MINUTES + 1);
    let admitted = authenticate(&db, "guess.me", "Guess-me-please-1", later)
        .await
        .expect("storage");
    assert!(matches!(admitted, Err(AuthError::NoAccess)), "{admitted:?}");
}
