//! The benchmark command at a tiny scale: it runs on both engines, every figure is
//! there with its baseline, the kept totals hold before and after its loads, and it writes the
//! JSON, the plot and the results page. Timings are not asserted: benchmarks are not tests.

use crate::app::{Engine, fresh_database, pg_admin_url};
use jospar::bench::{BenchOptions, run};
use jospar::scale::{Scale, generate};
use jospar_store::{Db, on_db};

#[tokio::test]
async fn bench_runs_at_a_tiny_scale_on_both_engines() {
    let postgres = fresh_database(Engine::Postgres)
        .await
        .map(|_| pg_admin_url());
    let out = std::env::temp_dir().join(format!("jospar_bench_{}", std::process::id()));
    let options = BenchOptions {
        scale: Scale::Tiny,
        seed: 3,
        sqlite: true,
        postgres: postgres.clone(),
        out: out.clone(),
        markdown: Some(out.join("BENCHMARKS.md")),
        load_seconds: 1,
        jospar: env!("CARGO_BIN_EXE_jospar").into(),
        only: Vec::new(),
        republic: false,
        soak: None,
    };
    let report = run(&options).await.expect("bench");
    assert_eq!(report.engines.len(), 1 + usize::from(postgres.is_some()));
    for engine in &report.engines {
        assert!(engine.verified, "{}", engine.engine);
        let mut scopes: Vec<&str> = engine.figures.iter().map(|f| f.scope.as_str()).collect();
        // The pages and the searches of three users and the planner's consolidations; where
        // Chromium is installed (always in CI), the three users' pages in the browser too.
        let browser = std::path::Path::new("/usr/bin/chromedriver").exists();
        let pages = scopes.split_off(scopes.len().min(14));
        assert_eq!(pages, vec!["pages"; if browser { 10 } else { 7 }]);
        assert_eq!(
            scopes,
            [
                "institution",
                "institution",
                "administrator",
                "administrator",
                "region",
                "region",
                "writes",
                "writes",
                "writes-saturation",
                "writes-saturation",
                "import",
                "import",
                "import",
                "http",
            ],
            "{}",
            engine.engine
        );
        for figure in &engine.figures {
            assert!(figure.timing.runs > 0, "{figure:?}");
            assert_eq!(figure.timing.errors, 0, "{figure:?}");
            if matches!(
                figure.scope.as_str(),
                "institution" | "administrator" | "region"
            ) {
                assert!(
                    figure.rows > 0 && figure.baseline.is_some() && figure.answer_read.is_some()
                );
            }
        }
        // The 5-52 forms, then the goods classifier (issue 23).
        for (import, rows) in engine.figures[10..13].iter().zip([2_000, 10_000, 10_000]) {
            assert_eq!(import.rows, rows);
            assert!(import.peak_rss_mb.is_some_and(|mb| mb > 0.0));
        }
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("bench.json")).expect("json"))
            .expect("valid json");
    assert_eq!(json["scale"], "tiny");
    let png = std::fs::read(out.join("BENCHMARKS.png")).expect("png");
    assert_eq!(&png[1..4], b"PNG");
    let page = std::fs::read_to_string(out.join("BENCHMARKS.md")).expect("page");
    assert!(page.contains("| sqlite | consolidated financing plan | region |"));
    assert!(page.contains("BENCHMARKS.png"));
}

/// The same seed builds the same region: the same amounts to the tiyn in both databases.
#[tokio::test]
async fn generated_data_is_deterministic_from_its_seed() {
    let mut sums = Vec::new();
    for seed in [5, 5, 6] {
        let url = fresh_database(Engine::Sqlite).await.expect("sqlite");
        let db = Db::connect(&url).await.expect("db");
        db.migrate().await.expect("migrate");
        let generated = generate(&db, Scale::Tiny, seed).await.expect("generate");
        assert!(generated.counts.plan_cells > 0 && generated.counts.treasury_rows > 0);
        let sum: (i64, i64, i64) = on_db!(&db, pool => jospar_store::sqlx::query_as(
            "SELECT (SELECT SUM(amount) FROM request_line_years), (SELECT SUM(payments) FROM plan_cells), \
             (SELECT SUM(row_count) FROM treasury_reports)").fetch_one(pool).await)
        .expect("sums");
        assert!(jospar::verify::verify(&db).await.expect("verify").holds());
        sums.push(sum);
    }
    assert_eq!(sums[0], sums[1]);
    assert_ne!(sums[0], sums[2]);
}

/// `jospar bench --soak` at a tiny scale for a few seconds: a real server under the clients,
/// both bombs refused with 422, no 5xx, no refusal of an ordinary request, no lost write.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn soak_runs_without_errors_at_a_tiny_scale() {
    let out = std::env::temp_dir().join(format!("jospar_soak_{}", std::process::id()));
    let options = BenchOptions {
        scale: Scale::Tiny,
        seed: 5,
        sqlite: true,
        postgres: None,
        out: out.clone(),
        markdown: Some(out.join("BENCHMARKS.md")),
        load_seconds: 1,
        jospar: env!("CARGO_BIN_EXE_jospar").into(),
        only: Vec::new(),
        republic: false,
        soak: Some(std::time::Duration::from_secs(12)),
    };
    std::fs::create_dir_all(&out).expect("out");
    std::fs::write(out.join("BENCHMARKS.md"), "# Benchmarks\n\nkept\n").expect("page");
    let report = run(&options).await.expect("soak");
    let figures = &report.engines[0].figures;
    assert_eq!(figures.len(), 3);
    for figure in figures {
        assert_eq!(figure.timing.errors, 0, "{figure:?}");
        assert!(figure.peak_rss_mb.is_some_and(|mb| mb > 0.0), "{figure:?}");
    }
    assert!(figures[0].rows > 0, "acknowledged writes: {:?}", figures[0]);
    assert!(figures[1].rows >= 2, "both bombs sent: {:?}", figures[1]);
    let page = std::fs::read_to_string(out.join("BENCHMARKS.md")).expect("page");
    assert!(page.starts_with("# Benchmarks\n\nkept\n"), "the rest kept");
    assert!(page.contains("<!-- jospar bench section: soak -->"));
    let _ = std::fs::remove_dir_all(&out);
}
