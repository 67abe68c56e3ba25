//! Issue 23 (P-13, P-5): goods and prices on SQLite and on PostgreSQL — a classifier file with
//! a bad row, a duplicate code or a catalogue item of an unknown good is refused whole, naming
//! the row and column; prices typed for a good give its recommended price (the median of the
//! region's prices, indexed to the planning year — checked against a hand computation); a
//! school's calculation row above it is refused, then, once the rule is switched to
//! "justify", accepted only with a written justification; a good not in the classifier is
//! refused; every check is logged, seen by the school's chain and not by another
//! administrator; settings and prices are in the audit log; and only a configurer changes them.

use crate::app::{Engine, TestApp, spawn};
use crate::execution::get_json;
use crate::story::send_json;
use chrono::Datelike;
use serde_json::{Value, json};

#[tokio::test]
async fn goods_and_prices_on_sqlite() {
    let app = spawn(Engine::Sqlite).await.expect("sqlite");
    goods_and_prices(&app).await;
}

#[tokio::test]
async fn goods_and_prices_on_postgres() {
    let Some(app) = spawn(Engine::Postgres).await else {
        return;
    };
    goods_and_prices(&app).await;
}

/// The good the test prices: in the shipped sample, without sample prices.
const WINTER_DIESEL: &str = "192021.100.000002";
/// The planning year the school's rows are typed for.
const YEAR: i32 = 2027;

async fn upload(app: &TestApp, token: &str, name: &str, body: &str) -> (u16, Value) {
    let response = reqwest::Client::new()
        .post(app.url(&format!("/api/v1/goods/import?file_name={name}&lang=ru")))
        .bearer_auth(token)
        .body(body.to_string())
        .send()
        .await
        .expect("import");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn goods_count(app: &TestApp) -> i64 {
    jospar_goods::store::count_goods(&app.db)
        .await
        .expect("count")
}

async fn goods_and_prices(app: &TestApp) {
    let admin = app.token("admin").await;
    let economist = app.token("economist.school5").await;
    let planner = app.token("planner").await;
    jospar::demo_workflow::load_workflow(&app.db)
        .await
        .expect("the demo's budget year");

    imports_are_all_or_nothing(app, &admin, &economist).await;
    let recommended = recommended_price(app, &admin, &economist, &planner).await;
    rows_are_checked(app, &admin, &economist, recommended).await;
}

async fn imports_are_all_or_nothing(app: &TestApp, admin: &str, economist: &str) {
    let before = goods_count(app).await;
    for (file, message) in [
        (
            "code;name_ru\n999999.000.000001;Новый товар\n99999.000.000002;Плохой код\n",
            "Строка 3, столбец «code»",
        ),
        (
            "code;name_ru\n999999.000.000001;Новый товар\n999999.000.000001;Он же\n",
            "Строка 3, столбец «code»",
        ),
        (
            "code;enstru_code;name_ru\nNKT-1;999999.000.000009;Нет такого товара\n",
            "Строка 2, столбец «enstru_code»",
        ),
        ("a;b\n1;2\n", "Файл не распознан"),
    ] {
        let (status, body) = upload(app, admin, "bad.csv", file).await;
        assert_eq!(status, 422, "{body}");
        assert!(
            body["message"]
                .as_str()
                .is_some_and(|m| m.contains(message)),
            "{body}"
        );
    }
    assert_eq!(
        goods_count(app).await,
        before,
        "nothing of a bad file is kept"
    );
    // Only a configurer of the whole system imports.
    let (status, _) = upload(
        app,
        economist,
        "new.csv",
        "code;name_ru\n999999.000.000001;Новый\n",
    )
    .await;
    assert_eq!(status, 403);
    // A good file: one new, one renamed (audited with both names), one unchanged.
    let file = "code;kind;name_ru;name_kk;unit\n\
                999999.000.000001;goods;Новый товар;Жаңа тауар;штука\n\
                192021.100.000001;goods;Топливо дизельное летнее (ДТ-Л);Жазғы дизель отыны;литр\n\
                192021.100.000002;goods;Топливо дизельное зимнее;Қысқы дизель отыны;литр\n";
    let (status, summary) = upload(app, admin, "enstru.csv", file).await;
    assert_eq!(status, 200, "{summary}");
    assert_eq!(
        (
            &summary["kind"],
            &summary["inserted"],
            &summary["updated"],
            &summary["unchanged"]
        ),
        (&json!("goods"), &json!(1), &json!(1), &json!(1))
    );
    assert_eq!(goods_count(app).await, before + 1);
    let renamed = audit(app, "good").await;
    assert!(renamed.iter().any(|e| {
        e.entity_id == "192021.100.000001"
            && e.action == "update"
            && e.old_value
                .as_deref()
                .is_some_and(|v| v.contains("\"Топливо дизельное летнее\""))
    }));
    assert!(!audit(app, "goods_import").await.is_empty());
}

async fn audit(app: &TestApp, entity: &str) -> Vec<jospar_store::AuditRecord> {
    let filter = jospar_store::AuditFilter {
        entity: Some(entity.into()),
        ..Default::default()
    };
    app.db.audit_entries(&filter).await.expect("audit")
}

/// Three Mangystau prices and one of Astana typed for winter diesel, the indices set so that
/// only the planning year is indexed (10 %): the recommended price is computed by hand.
async fn recommended_price(app: &TestApp, admin: &str, economist: &str, planner: &str) -> i64 {
    let today = chrono::Utc::now().date_naive();
    for year in today.year() - 3..=YEAR + 3 {
        let percent = if year == YEAR { "10" } else { "0" };
        let (status, body) = send_json(
            app,
            "put",
            &format!("/goods/settings/indices/{year}"),
            admin,
            json!({"percent": percent}),
        )
        .await;
        assert_eq!(status, 204, "{body}");
    }
    let (status, _) = send_json(
        app,
        "put",
        &format!("/goods/settings/indices/{YEAR}"),
        planner,
        json!({"percent": "99"}),
    )
    .await;
    assert_eq!(status, 403, "the planner is not a configurer of the system");
    let typed = [
        ("47", 30, "300,00"),
        ("47", 60, "320,00"),
        ("47", 90, "310,00"),
        ("71", 30, "100,00"),
    ];
    for (region, days_ago, price) in typed {
        let date = today - chrono::Duration::days(days_ago);
        let (status, body) = send_json(
            app,
            "post",
            &format!("/goods/{WINTER_DIESEL}/prices"),
            admin,
            json!({"region": region, "date": date.to_string(), "price": price, "source": "мониторинг"}),
        )
        .await;
        assert_eq!(status, 204, "{body}");
    }
    // Bad prices are refused naming the field.
    for (body, field) in [
        (
            json!({"region": "471", "date": today.to_string(), "price": "1", "source": "x"}),
            "region",
        ),
        (
            json!({"region": "47", "date": "31.02.2026", "price": "1", "source": "x"}),
            "date",
        ),
        (
            json!({"region": "47", "date": today.to_string(), "price": "0", "source": "x"}),
            "price",
        ),
        (
            json!({"region": "47", "date": today.to_string(), "price": "1", "source": " "}),
            "source",
        ),
    ] {
        let (status, answer) = send_json(
            app,
            "post",
            &format!("/goods/{WINTER_DIESEL}/prices"),
            admin,
            body,
        )
        .await;
        assert_eq!(
            (status, answer["field"].as_str()),
            (422, Some(field)),
            "{answer}"
        );
    }
    let (status, _) = send_json(
        app,
        "post",
        &format!("/goods/{WINTER_DIESEL}/prices"),
        economist,
        json!({"region": "47", "date": today.to_string(), "price": "1", "source": "x"}),
    )
    .await;
    assert_eq!(status, 403);
    // By hand: Mangystau's three prices (it has three, so its own median), each × 1.10 when
    // observed before the planning year: the median of 300, 310, 320 is 310.
    let mut indexed: Vec<i64> = typed
        .iter()
        .filter(|(region, ..)| *region == "47")
        .map(|(_, days_ago, price)| {
            let tiyn: i64 = price.replace(",", "").parse().expect("price");
            let observed = today - chrono::Duration::days(*days_ago);
            if observed.year() < YEAR {
                tiyn * 11 / 10
            } else {
                tiyn
            }
        })
        .collect();
    indexed.sort_unstable();
    let expected = indexed[1];
    let (status, card) = get_json(app, economist, &format!("/goods/{WINTER_DIESEL}")).await;
    assert_eq!(status, 200, "{card}");
    assert_eq!(card["prices"].as_array().map(Vec::len), Some(4));
    if let Some(r) = card["recommended"]
        .as_array()
        .and_then(|all| all.iter().find(|r| r["year"] == YEAR))
    {
        assert_eq!(
            (
                r["price"].as_i64(),
                r["observations"].as_i64(),
                r["regional"].as_bool()
            ),
            (Some(expected), Some(3), Some(true)),
            "{card}"
        );
    }
    expected
}

async fn request_version(app: &TestApp, token: &str, id: i64) -> i64 {
    let (_, full) = send_json(app, "get", &format!("/requests/{id}"), token, Value::Null).await;
    full["request"]["version"].as_i64().expect("version")
}

async fn rows_are_checked(app: &TestApp, admin: &str, economist: &str, recommended: i64) {
    let (_, requests) = send_json(app, "get", "/requests", economist, Value::Null).await;
    let id = requests[0]["id"].as_i64().expect("the school's request");
    let (status, line) = send_json(
        app,
        "post",
        &format!("/requests/{id}/lines"),
        economist,
        json!({"version": request_version(app, economist, id).await, "program": "003",
               "subprogram": "015", "specific": "144"}),
    )
    .await;
    assert_eq!(
        (status, line["form_code"].as_str()),
        (201, Some("144")),
        "{line}"
    );
    let line = line["id"].as_i64().expect("line");
    let path = format!("/requests/{id}/lines/{line}/years/{YEAR}?lang=ru");
    let tenge = |tiyn: i64| format!("{},{:02}", tiyn / 100, tiyn % 100);
    let put = |price: String, good: &'static str, note: &'static str| {
        let path = path.clone();
        async move {
            let version = request_version(app, economist, id).await;
            let row = json!({"vehicle": "Школьный автобус ПАЗ", "good": good, "km": "20000",
                             "norm": "25", "price": price, "price_note": note});
            send_json(
                app,
                "put",
                &path,
                economist,
                json!({"version": version, "rows": [row]}),
            )
            .await
        }
    };
    // Above the recommended price: refused under the default rule, naming both prices.
    let (status, refused) = put(tenge(recommended + 1), WINTER_DIESEL, "").await;
    assert_eq!(
        (status, refused["field"].as_str()),
        (422, Some("rows")),
        "{refused}"
    );
    let message = refused["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("выше рекомендуемой") && message.contains(&tenge(recommended)),
        "{refused}"
    );
    // A justification does not help under the rule "refuse".
    let (status, _) = put(
        tenge(recommended + 1),
        WINTER_DIESEL,
        "Единственный поставщик",
    )
    .await;
    assert_eq!(status, 422);
    // A good not in the classifier is refused naming the column.
    let (status, unknown) = put(tenge(recommended), "999999.000.000777", "").await;
    assert_eq!(status, 422);
    assert!(
        unknown["message"]
            .as_str()
            .is_some_and(|m| m.contains("Код ЕНС ТРУ")),
        "{unknown}"
    );
    // At the recommended price: saved; 20 000 km × 25 l / 100 × price.
    let (status, saved) = put(tenge(recommended), WINTER_DIESEL, "").await;
    assert_eq!(
        (status, saved["amount_tiyn"].as_i64()),
        (200, Some(5_000 * recommended)),
        "{saved}"
    );
    // The rule becomes "justify" (with its reason, audited; a planner may not change it).
    let (status, _) = send_json(
        app,
        "put",
        "/goods/settings/rule",
        admin,
        json!({"rule": "justify", "reason": ""}),
    )
    .await;
    assert_eq!(status, 422, "a rule changes with its reason");
    let (status, body) = send_json(
        app,
        "put",
        "/goods/settings/rule",
        admin,
        json!({"rule": "justify", "reason": "Письмо МФ РК о порядке применения цен"}),
    )
    .await;
    assert_eq!(status, 204, "{body}");
    let (status, without) = put(tenge(recommended + 1), WINTER_DIESEL, " ").await;
    assert_eq!(status, 422);
    assert!(
        without["message"]
            .as_str()
            .is_some_and(|m| m.contains("Обоснование цены выше рекомендуемой")),
        "{without}"
    );
    let (status, _) = put(
        tenge(recommended + 1),
        WINTER_DIESEL,
        "Единственный поставщик",
    )
    .await;
    assert_eq!(status, 200);

    // Every check is in the log: the school's chain sees them, another administrator does not.
    let (status, checks) = get_json(app, economist, "/goods/checks").await;
    assert_eq!(status, 200);
    let outcomes: Vec<&str> = checks
        .as_array()
        .expect("checks")
        .iter()
        .filter(|c| c["request_id"] == id)
        .filter_map(|c| c["outcome"].as_str())
        .collect();
    assert_eq!(
        outcomes,
        ["justified", "refused", "within", "refused", "refused"],
        "newest first"
    );
    let health = app.token("abp.health").await;
    let (_, theirs) = get_json(app, &health, "/goods/checks").await;
    assert!(
        theirs
            .as_array()
            .is_some_and(|c| c.iter().all(|c| c["request_id"] != id)),
        "{theirs}"
    );
    let setting = audit(app, "setting").await;
    assert!(setting.iter().any(|e| {
        e.entity_id == "price_rule"
            && e.new_value
                .as_deref()
                .is_some_and(|v| v.contains("justify"))
            && e.reason.as_deref() == Some("Письмо МФ РК о порядке применения цен")
    }));
    assert!(audit(app, "good_price").await.len() >= 4);
    assert!(!audit(app, "price_index").await.is_empty());
}
