//! Spawning the application on 127.0.0.1:0 with a fresh database per test.

use jospar_eds::testkit::{FakeNcaLayer, KeyAlgorithm, Person, TestCa};
use jospar_passport::HttpRegionPassport;
use jospar_passport::testkit::FakeRegionPassport;
use jospar_shep::testkit::{FakeNcaNodeWsse, FakeShep, STATUS_SERVICE, SUBMIT_SERVICE};
use jospar_shep::{NcaNodeWsseSigner, ShepClient, ShepTreasury, TreasuryGateway};
use jospar_store::Db;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

pub use jospar::demo::DEMO_PASSWORD;

static COUNTER: AtomicUsize = AtomicUsize::new(0);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    pub base: String,
    pub db: Db,
    pub url: String,
    pub engine: Engine,
    /// The test CA the app trusts for electronic signatures.
    pub ca: Arc<TestCa>,
    /// A fake NCALayer holding a signing key of every demo user.
    pub ncalayer: Arc<FakeNcaLayer>,
    /// The fake ShEP with the fake Treasury the app sends plans to (EX-4), and the gateway the
    /// app uses, for passes at a chosen time.
    pub shep: Arc<FakeShep>,
    pub treasury: Arc<dyn TreasuryGateway>,
    /// The fake Region passport portal the app publishes to (EX-R 22-23).
    pub passport: Arc<FakeRegionPassport>,
    /// The fake national open-budgets portal published programs go to (BP-14).
    pub open_budgets: Arc<jospar_obportal::testkit::FakeOpenBudgets>,
    /// The fake e-Minfin the app pulls forms from (issue 24) for the oblast's education
    /// administrator and its finance department, token `test-token`.
    pub emin: Arc<jospar_emin::testkit::FakeEMinfin>,
    /// The fake ЕБК service the app receives change sets from (issue 24), token `test-token`.
    pub ebk: Arc<jospar_ebkservice::testkit::FakeEbkService>,
    /// The fake procurement portal (issue 25), token `test-token`, two items a page.
    pub goszakup: Arc<jospar_goszakup::testkit::FakeGoszakup>,
}

pub const SHEP_SENDER: &str = "JOSPAR-TEST";
const SHEP_PASSWORD: &str = "test-password";

/// The Treasury through the fake ShEP, messages signed by the fake NCANode.
async fn fake_treasury() -> (FakeShep, Arc<dyn TreasuryGateway>) {
    let shep = FakeShep::spawn(SHEP_SENDER, SHEP_PASSWORD)
        .await
        .expect("fake ShEP");
    let ncanode = FakeNcaNodeWsse::spawn().await.expect("fake NCANode");
    let timeout = Duration::from_secs(10);
    let signer = NcaNodeWsseSigner::new(
        &ncanode.url(),
        b"test key container",
        FakeNcaNodeWsse::password(),
        None,
        timeout,
    );
    let client = ShepClient::new(
        &shep.url(),
        SHEP_SENDER,
        SHEP_PASSWORD,
        Arc::new(signer),
        timeout,
    );
    let treasury = ShepTreasury {
        client,
        submit_service: SUBMIT_SERVICE.into(),
        status_service: STATUS_SERVICE.into(),
    };
    (shep, Arc::new(treasury))
}

fn unique(prefix: &str) -> String {
    format!(
        "{prefix}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    )
}

/// The server's PostgreSQL (CI: 127.0.0.1:5432, user postgres, trust auth).
pub fn pg_admin_url() -> String {
    std::env::var("JOSPAR_TEST_PG")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh database URL, or None when PostgreSQL is unreachable outside CI. In CI
/// (`CI=true`) an unreachable PostgreSQL fails the test: the PostgreSQL tests must run.
pub async fn fresh_database(engine: Engine) -> Option<String> {
    match engine {
        Engine::Sqlite => {
            let dir = std::env::temp_dir().join(unique("jospar_test"));
            std::fs::create_dir_all(&dir).expect("temp dir");
            Some(format!("sqlite:{}", dir.join("jospar.db").display()))
        }
        Engine::Postgres => {
            let admin = match Db::connect(&pg_admin_url()).await {
                Ok(db) => db,
                Err(e) => {
                    if std::env::var("CI").is_ok_and(|v| v == "true") {
                        panic!("PostgreSQL unreachable in CI at {}: {e}", pg_admin_url());
                    }
                    eprintln!(
                        "SKIPPED: PostgreSQL unreachable at {} ({e}); set CI=true to make this fail",
                        pg_admin_url()
                    );
                    return None;
                }
            };
            let name = unique("jospar_test");
            let Db::Postgres(pool) = &admin else {
                unreachable!("connected to postgres")
            };
            jospar_store::sqlx::query(jospar_store::sqlx::AssertSqlSafe(format!(
                "CREATE DATABASE {name}"
            )))
            .execute(pool)
            .await
            .expect("create database");
            admin.close().await;
            let base = pg_admin_url();
            let server = base
                .rsplit_once('/')
                .map(|(s, _)| s.to_string())
                .expect("url with database");
            Some(format!("{server}/{name}"))
        }
    }
}

/// Starts the app on a fresh database loaded with the demo region.
pub async fn spawn(engine: Engine) -> Option<TestApp> {
    spawn_loaded(engine, None).await
}

/// Starts the app on a fresh database loaded with the demo region, or with the data
/// `jospar demo --scale` generates at `scale` (seed 1).
pub async fn spawn_loaded(engine: Engine, scale: Option<jospar::scale::Scale>) -> Option<TestApp> {
    let url = fresh_database(engine).await?;
    let db = Db::connect(&url).await.expect("connect");
    db.migrate().await.expect("migrate");
    match scale {
        None => {
            jospar::demo::load_if_empty(&db).await.expect("demo data");
        }
        Some(scale) => {
            jospar::scale::generate(&db, scale, 1)
                .await
                .expect("generated data");
        }
    }
    let ca = TestCa::new("JOSPAR TEST CA", KeyAlgorithm::P256).expect("test CA");
    let mut keys = Vec::new();
    for user in jospar_org::repo::users(&db, "", None).await.expect("users") {
        keys.push(ca.issue(&individual(&user)).expect("key"));
    }
    let ncalayer = FakeNcaLayer::spawn("127.0.0.1:0", keys)
        .await
        .expect("fake NCALayer");
    let (shep, treasury) = fake_treasury().await;
    let passport = FakeRegionPassport::spawn("test-token")
        .await
        .expect("fake Region passport");
    let open_budgets = jospar_obportal::testkit::FakeOpenBudgets::spawn("test-token")
        .await
        .expect("fake open-budgets portal");
    let emin = jospar_emin::testkit::FakeEMinfin::spawn("test-token")
        .await
        .expect("fake e-Minfin");
    // The forms of the oblast's education administrator and finance department are pulled.
    let bins = jospar_org::repo::all_orgs(&db)
        .await
        .expect("orgs")
        .into_iter()
        .filter(|o| {
            o.name_ru == "Управление образования Мангистауской области"
                || o.name_ru
                    .starts_with("Управление экономики и бюджетного планирования")
        })
        .filter_map(|o| o.bin)
        .collect();
    let emin_client = jospar_emin::HttpEMinfin::with_config(
        jospar_adapter::AdapterConfig::new(&emin.url())
            .timeout(Duration::from_secs(2))
            .retries(0)
            .bearer("test-token"),
        Arc::new(jospar_execution::journal::DbJournal::new(db.clone())),
    );
    let ebk = jospar_ebkservice::testkit::FakeEbkService::spawn("test-token")
        .await
        .expect("fake ЕБК service");
    let ebk_client = jospar_ebkservice::HttpEbkService::with_config(
        jospar_adapter::AdapterConfig::new(&ebk.url())
            .timeout(Duration::from_secs(2))
            .retries(0)
            .bearer("test-token"),
        Arc::new(jospar_execution::journal::DbJournal::new(db.clone())),
    );
    let goszakup = jospar_goszakup::testkit::FakeGoszakup::spawn("test-token", 2)
        .await
        .expect("fake procurement portal");
    let goszakup_client = jospar_goszakup::HttpGoszakup::with_config(
        jospar_adapter::AdapterConfig::new(&goszakup.url())
            .timeout(Duration::from_secs(2))
            .retries(0)
            .bearer("test-token"),
        Arc::new(jospar_execution::journal::DbJournal::new(db.clone())),
    );
    let config = jospar_web::WebConfig {
        goszakup: Some(Arc::new(goszakup_client)),
        ebk: Some(Arc::new(ebk_client)),
        emin: Some(jospar_execution::usecases::emin::EminService {
            gateway: Arc::new(emin_client),
            bins,
            forms: jospar_emin::FORMS.iter().map(|f| f.to_string()).collect(),
        }),
        open_budgets: Some(Arc::new(jospar_obportal::HttpOpenBudgets::new(
            &open_budgets.url(),
            "test-token",
            Duration::from_secs(10),
        ))),
        passport: Some(Arc::new(HttpRegionPassport::new(
            &passport.url(),
            "test-token",
            Duration::from_secs(10),
        ))),
        treasury: Some(treasury.clone()),
        integrations: integrations(&shep.url(), &open_budgets.url(), &emin.url(), &ebk.url()),
        secure_cookies: false,
        signing: jospar_web::Signing {
            verifier: Arc::new(jospar_eds::NativeVerifier::new(vec![
                ca.certificate.clone(),
            ])),
            ncalayer_url: ncalayer.url(),
        },
    };
    let app = jospar_web::app(db.clone(), config);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        axum::serve(listener, app).await.expect("serve");
    });
    Some(TestApp {
        base: format!("http://{addr}"),
        db,
        url,
        engine,
        ca: Arc::new(ca),
        ncalayer: Arc::new(ncalayer),
        shep: Arc::new(shep),
        treasury,
        passport: Arc::new(passport),
        open_budgets: Arc::new(open_budgets),
        emin: Arc::new(emin),
        ebk: Arc::new(ebk),
        goszakup: Arc::new(goszakup),
    })
}

/// How the test app's systems are set up, for the exchange monitor: the fakes' addresses, a
/// ShEP password and a portal token the monitor must never show.
fn integrations(
    shep: &str,
    portal: &str,
    emin: &str,
    ebk: &str,
) -> Vec<jospar_adapter::IntegrationInfo> {
    use jospar_adapter::{AdapterConfig, Credentials, IntegrationInfo, Secret};
    vec![
        IntegrationInfo::of(
            "shep",
            &AdapterConfig::new(shep).credentials(Credentials::InMessage {
                user: "JOSPAR-TEST".into(),
                password: Secret::new("shep-pa55word"),
            }),
            false,
        ),
        IntegrationInfo::not_configured("ncanode"),
        IntegrationInfo::not_configured("passport"),
        IntegrationInfo::of(
            "obportal",
            &AdapterConfig::new(&format!("{portal}?apiKey=portal-t0ken"))
                .credentials(Credentials::Bearer(Secret::new("portal-t0ken"))),
            false,
        ),
        IntegrationInfo::of(
            "emin",
            &AdapterConfig::new(emin).credentials(Credentials::Bearer(Secret::new("test-token"))),
            false,
        ),
        IntegrationInfo::of(
            "ebk",
            &AdapterConfig::new(ebk).credentials(Credentials::Bearer(Secret::new("test-token"))),
            false,
        ),
    ]
}

/// A signing key of an individual, as НУЦ issues them, for a user.
pub fn individual(user: &jospar_org::repo::User) -> Person {
    Person::individual(&user.iin, &user.full_name, KeyAlgorithm::P256)
}

impl TestApp {
    /// A personal API token of a demo user.
    pub async fn token(&self, login: &str) -> String {
        let user = jospar_org::repo::user_by_login(&self.db, login)
            .await
            .expect("query")
            .expect("demo user");
        let until = chrono::Utc::now().date_naive() + chrono::Duration::days(10);
        let (_, token) =
            jospar_org::auth::create_api_token(&self.db, &user.who(), &user, "test", until)
                .await
                .expect("token");
        token
    }

    /// A PEM CMS signature of `data` made with a fresh signing key of the demo user `login`.
    pub async fn sign_as(&self, login: &str, data: &[u8]) -> String {
        let user = jospar_org::repo::user_by_login(&self.db, login)
            .await
            .expect("query")
            .expect("demo user");
        let key = self.ca.issue(&individual(&user)).expect("key");
        jospar_eds::testkit::cms_pem(&key.sign_detached(data).expect("sign"))
    }

    /// The request's signing data from the API, signed by `login`: the body of `send`.
    pub async fn signed_send(&self, id: i64, login: &str, token: &str) -> serde_json::Value {
        use base64::Engine as _;
        let data: serde_json::Value = reqwest::Client::new()
            .get(self.url(&format!("/api/v1/requests/{id}/signing-data")))
            .bearer_auth(token)
            .send()
            .await
            .expect("signing data")
            .json()
            .await
            .expect("json");
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(data["data"].as_str().expect("data"))
            .expect("base64");
        serde_json::json!({"version": data["version"], "cms": self.sign_as(login, &bytes).await})
    }

    pub fn client() -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client")
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser-like client signed in through the login form.
    pub async fn signed_in(&self, login: &str) -> reqwest::Client {
        let client = Self::client();
        let response = self
            .post_login(
                &client,
                "/login",
                &[("login", login), ("password", DEMO_PASSWORD), ("next", "/")],
            )
            .await;
        assert_eq!(response.status(), 303, "sign-in of {login}");
        client
    }

    /// The CSRF token of a fresh sign-in page; its cookie stays in the client.
    pub async fn login_token(&self, client: &reqwest::Client) -> String {
        let page = client
            .get(self.url("/login"))
            .send()
            .await
            .expect("login page")
            .text()
            .await
            .expect("text");
        page.split("name=\"csrf\" value=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("csrf")
            .to_string()
    }

    /// Posts a sign-in form to `path` as a browser does: from the sign-in page, with its token.
    pub async fn post_login(
        &self,
        client: &reqwest::Client,
        path: &str,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        let token = self.login_token(client).await;
        let mut fields = form.to_vec();
        fields.push(("csrf", token.as_str()));
        client
            .post(self.url(path))
            .form(&fields)
            .send()
            .await
            .expect("login")
    }

    /// The region's campaign for 2027–2029, opened by its authorized body.
    pub async fn open_campaign_2027(&self) -> jospar_limits::Campaign {
        let root = self
            .org_id("Управление экономики и бюджетного планирования Мангистауской области")
            .await;
        let root_org = jospar_org::repo::get_org(&self.db, root)
            .await
            .expect("q")
            .expect("root");
        jospar_limits::repo::create_campaign(
            &self.db,
            &jospar_store::Who::system(),
            &root_org,
            jospar_limits::repo::NewCampaign {
                authority_org_id: root,
                first_year: 2027,
                name_ru: "Бюджет 2027–2029".into(),
                name_kk: "2027–2029 бюджеті".into(),
                inflation_bp: [10500, 10500],
                request_days: None,
                review_days: None,
            },
        )
        .await
        .expect("campaign")
    }

    /// A new user of `org` (password [`DEMO_PASSWORD`]) holding `role` there limited to the
    /// module, or holding nothing.
    pub async fn add_user(
        &self,
        login: &str,
        iin: &str,
        org: i64,
        role: Option<(&str, jospar_access::Module)>,
    ) {
        let who = jospar_store::Who::system();
        let user = jospar_org::repo::create_user(
            &self.db,
            &who,
            jospar_org::NewUser {
                org_id: org,
                login: login.into(),
                iin: iin.into(),
                full_name: format!("Тест {login}"),
                position: String::new(),
                phone: String::new(),
                email: String::new(),
                password: DEMO_PASSWORD.into(),
            },
        )
        .await
        .expect("user");
        if let Some((role, module)) = role {
            let today = chrono::Utc::now().date_naive();
            jospar_org::repo::grant_role(
                &self.db,
                &who,
                user.id,
                jospar_org::repo::NewGrant {
                    role,
                    org_id: org,
                    valid_until: today + chrono::Duration::days(30),
                    module: Some(module),
                },
                today,
            )
            .await
            .expect("grant");
        }
    }

    pub async fn org_id(&self, name_part: &str) -> i64 {
        jospar_org::repo::all_orgs(&self.db)
            .await
            .expect("orgs")
            .into_iter()
            .find(|o| o.name_ru.contains(name_part))
            .unwrap_or_else(|| panic!("demo org containing {name_part}"))
            .id
    }
}

/// GET `path` with `token`: the status, the total header and the JSON body.
pub async fn get_listed(
    app: &TestApp,
    token: &str,
    path: &str,
) -> (u16, Option<usize>, serde_json::Value) {
    let answer = reqwest::Client::new()
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .expect("answer");
    let status = answer.status().as_u16();
    let total = answer
        .headers()
        .get("x-total-count")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok());
    (status, total, answer.json().await.expect("json"))
}

/// The value of a page's hidden field `name` (its CSRF token, a signing challenge).
pub fn hidden(page: &str, name: &str) -> String {
    page.split(&format!("name=\"{name}\" value=\""))
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_else(|| panic!("no {name} on the page"))
        .to_string()
}
