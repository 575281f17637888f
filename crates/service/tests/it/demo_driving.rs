//! The demo shows every part of driving matters to done: open and escalated supervision
//! orders, an extension waiting for approval, matters waiting for acceptance, verdicts of each
//! kind, and a matter reopened after a dissatisfied verdict.

use shishi_service::{Clock, Services};
use shishi_store::testing::TestDb;
use shishi_store::{Backend, both_backends};

async fn count(services: &Services, sql: &str) -> i64 {
    let mut conn = services.store.read().await.unwrap();
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(&mut *conn)
        .await
        .unwrap()
}

async fn demo_drives_matters(backend: Backend) {
    let db = TestDb::new(backend).await;
    let services = Services::new(db.store.clone(), Clock::system())
        .await
        .unwrap();
    services.seed_calendar().await.unwrap();
    assert!(services.load_demo().await.unwrap().loaded);
    let checks = [
        (
            "open orders",
            "SELECT COUNT(*) FROM supervision_orders WHERE state = 'open'",
        ),
        (
            "replied orders",
            "SELECT COUNT(*) FROM supervision_orders WHERE state = 'replied'",
        ),
        (
            "escalated orders",
            "SELECT COUNT(*) FROM supervision_orders WHERE state = 'escalated'",
        ),
        (
            "orders pressed on the unit above",
            "SELECT COUNT(*) FROM supervision_orders o JOIN matters m ON m.id = o.matter_id
             WHERE o.escalated_from IS NOT NULL AND o.attention_unit_id <> m.unit_id",
        ),
        (
            "pending extensions",
            "SELECT COUNT(*) FROM extension_requests WHERE state = 'pending'",
        ),
        (
            "approved extensions",
            "SELECT COUNT(*) FROM extension_requests WHERE state = 'approved'",
        ),
        (
            "matters waiting for acceptance",
            "SELECT COUNT(*) FROM matters WHERE status = 'completed'",
        ),
        (
            "satisfied",
            "SELECT COUNT(*) FROM evaluations WHERE verdict = 'satisfied'",
        ),
        (
            "basically satisfied",
            "SELECT COUNT(*) FROM evaluations WHERE verdict = 'basically'",
        ),
        (
            "dissatisfied",
            "SELECT COUNT(*) FROM evaluations WHERE verdict = 'dissatisfied'",
        ),
        (
            "still asked",
            "SELECT COUNT(*) FROM evaluations WHERE state = 'asked'",
        ),
        (
            "reopened matters",
            "SELECT COUNT(*) FROM matters WHERE rework_count > 0 AND status = 'in_progress'",
        ),
        ("notifications", "SELECT COUNT(*) FROM notifications"),
    ];
    for (what, sql) in checks {
        assert!(count(&services, sql).await > 0, "the demo has no {what}");
    }
    assert_eq!(
        count(&services, "SELECT COUNT(*) FROM deliveries").await,
        0,
        "without e-mail or webhooks configured nothing is queued to go out"
    );
}

both_backends!(demo_drives_matters_on, demo_drives_matters);
