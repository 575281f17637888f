//! 我的待办 and the lifecycle stepper: each demo role sees the work that waits for them and no
//! more, a count follows an action, nobody counts what lies outside their subtree, and the
//! matter and demand pages say where things stand and who takes the next step.

use crate::common::TestApp;
use reqwest::StatusCode;
use serde_json::{Value, json};
use shishi_store::{Backend, both_backends};

const STEEL: &str = "示范钢铁股份有限公司";
const MINING: &str = "示范矿业有限公司";

async fn todo_of(app: &TestApp, user: &str) -> Value {
    let res = app.api_as(user).await.get("/todo").await;
    assert_eq!(res.status(), StatusCode::OK, "{user}'s to-do");
    res.json().await.expect("json")
}

/// The count of one kind, None when the person's roles do not give them that work.
fn count(todo: &Value, kind: &str) -> Option<i64> {
    todo["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["kind"] == kind)
        .map(|i| i["count"].as_i64().expect("count"))
}

async fn scalar(app: &TestApp, sql: &str, bind: &str) -> i64 {
    let mut conn = app.db.store.read().await.expect("conn");
    sqlx::query_scalar::<_, i64>(sql)
        .bind(bind.to_string())
        .fetch_one(&mut *conn)
        .await
        .expect(sql)
}

async fn unit_path(app: &TestApp, name: &str) -> String {
    let id = app.unit_id(name).await;
    let mut conn = app.db.store.read().await.expect("conn");
    sqlx::query_scalar("SELECT path FROM units WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .expect("path")
}

async fn each_role_sees_its_own_work(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let all_submitted = scalar(
        &app,
        "SELECT COUNT(*) FROM demands WHERE status = $1",
        "submitted",
    )
    .await;
    assert!(all_submitted > 0, "the demo has demands waiting");

    let clerk = todo_of(&app, "clerk").await;
    assert_eq!(count(&clerk, "demands_to_accept"), Some(all_submitted));
    assert_eq!(
        count(&clerk, "matters_to_approve"),
        None,
        "a clerk approves nothing"
    );
    assert_eq!(count(&clerk, "matters_to_accept"), None);

    let admin = todo_of(&app, "unitadmin").await;
    let proposed = scalar(
        &app,
        "SELECT COUNT(*) FROM matters WHERE status = $1",
        "proposed",
    )
    .await;
    assert!(proposed > 0);
    assert_eq!(count(&admin, "demands_to_accept"), Some(all_submitted));
    assert_eq!(count(&admin, "matters_to_approve"), Some(proposed));
    assert!(count(&admin, "extensions_to_decide").is_some());
    assert!(count(&admin, "reports_due").is_some());

    let supervisor = todo_of(&app, "supervisor").await;
    let completed = scalar(
        &app,
        "SELECT COUNT(*) FROM matters WHERE status = $1",
        "completed",
    )
    .await;
    assert!(completed > 0);
    assert_eq!(count(&supervisor, "matters_to_accept"), Some(completed));
    assert_eq!(count(&supervisor, "demands_to_accept"), None);

    let handler = todo_of(&app, "handler1").await;
    assert!(count(&handler, "orders_to_answer").is_some());
    let mine = scalar(
        &app,
        "SELECT COUNT(*) FROM matters m JOIN users u ON u.id = m.owner_id
         WHERE u.username = $1 AND m.status IN ('approved', 'in_progress') AND m.deadline IS NOT NULL
           AND m.deadline < '2100-01-01'",
        "handler1",
    )
    .await;
    let overdue = count(&handler, "my_overdue").expect("a handler's deadlines");
    let soon = count(&handler, "my_due_soon").expect("a handler's deadlines");
    assert!(overdue + soon <= mine);
    assert!(
        overdue > 0,
        "handler1 has overdue work in the demo: {handler}"
    );
    assert_eq!(count(&handler, "matters_to_approve"), None);

    let member = todo_of(&app, "member").await;
    assert!(count(&member, "verdicts_owed").is_some(), "{member}");
    assert_eq!(count(&member, "demands_to_accept"), None);
    assert_eq!(count(&member, "matters_to_accept"), None);

    // The landing page shows the same counts, each linked to its rows.
    let b = app.browser_as("supervisor").await;
    let (status, html) = b.get("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("我的待办"), "{html}");
    assert!(html.contains(r#"href="/todo/acceptance""#));
    assert!(html.contains(&format!(r#"<span class="todo-count">{completed}</span>"#)));
}
both_backends!(each_role_sees_its_own_work_on, each_role_sees_its_own_work);

async fn counts_stay_in_the_subtree(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let mining = unit_path(&app, MINING).await;
    let in_mining = scalar(
        &app,
        "SELECT COUNT(*) FROM demands WHERE status = 'submitted' AND unit_path LIKE $1",
        &format!("{mining}%"),
    )
    .await;
    let before = todo_of(&app, "sub2admin").await;
    assert_eq!(count(&before, "demands_to_accept"), Some(in_mining));
    let clerk1_before = count(&todo_of(&app, "clerk1").await, "demands_to_accept").unwrap();

    // A new demand to the steel company counts for its clerk, never for the mining admin.
    let steel = app.unit_id(STEEL).await;
    let res = app
        .api_as("member")
        .await
        .post(
            "/demands",
            json!({"channel": "online", "title": "炼钢车间更衣室柜子不够用", "body": "新入职职工没有更衣柜", "unit_id": steel}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let after = todo_of(&app, "sub2admin").await;
    assert_eq!(count(&after, "demands_to_accept"), Some(in_mining));
    assert_eq!(
        count(&todo_of(&app, "clerk1").await, "demands_to_accept"),
        Some(clerk1_before + 1)
    );

    // Nor the supervisor's list of another: sub2admin supervises nothing and sees no list.
    let b = app.browser_as("sub2admin").await;
    let (status, html) = b.get("/todo/acceptance").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("#steps\""), "no matter outside their reach");
}
both_backends!(counts_stay_in_the_subtree_on, counts_stay_in_the_subtree);

async fn acceptance_list_and_a_count_that_follows_an_action(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let sup = app.api_as("supervisor").await;
    let before = count(&todo_of(&app, "supervisor").await, "matters_to_accept").unwrap();
    let b = app.browser_as("supervisor").await;
    let (status, html) = b.get("/todo/acceptance").await;
    assert_eq!(status, StatusCode::OK);
    // Every row leads to the acceptance form on its matter page.
    let marker = "#steps\">";
    assert_eq!(html.matches(marker).count() as i64, before, "{html}");
    let at = html.find("/matters/").expect("a row");
    let id: i64 = html[at + "/matters/".len()..]
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap()
        .parse()
        .unwrap();

    // The matter page's stepper: completed now, the supervisor accepts next.
    let (_, page) = b.get(&format!("/matters/{id}")).await;
    let current = current_step(&page);
    assert_eq!(current, "已完成", "{page}");
    assert!(page.contains("下一步：督导"), "{page}");
    assert!(page.contains("验收"));
    assert!(page.contains("轮到您了"), "the supervisor may accept it");

    let res = sup
        .post(
            &format!("/matters/{id}/transitions"),
            json!({"action": "accept"}),
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let after = count(&todo_of(&app, "supervisor").await, "matters_to_accept").unwrap();
    assert_eq!(after, before - 1);
    let (_, page) = b.get(&format!("/matters/{id}")).await;
    assert_eq!(current_step(&page), "已验收");
    assert!(page.contains("下一步：单位管理员 销号"), "{page}");

    // The same stepper in English.
    let (_, en) = b.get(&format!("/lang/en?next=/matters/{id}")).await;
    let _ = en;
    let (_, en) = b.get(&format!("/matters/{id}")).await;
    assert!(en.contains("Next: close, by"), "{en}");
}
both_backends!(
    acceptance_list_and_a_count_that_follows_an_action_on,
    acceptance_list_and_a_count_that_follows_an_action
);

fn current_step(html: &str) -> String {
    let at = html.find(r#"aria-current="step""#).expect("a current step");
    let label = &html[at..];
    let start =
        label.find(r#"class="step-label">"#).expect("label") + r#"class="step-label">"#.len();
    label[start..].split('<').next().unwrap().to_string()
}

async fn the_demand_stepper_names_the_inbox(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let steel = app.unit_id(STEEL).await;
    let res = app
        .api_as("member")
        .await
        .post(
            "/demands",
            json!({"channel": "online", "title": "转炉车间休息室空调坏了", "body": "夏天太热", "unit_id": steel}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
    let b = app.browser_as("clerk1").await;
    let (status, html) = b.get(&format!("/demands/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(current_step(&html), "待受理");
    assert!(
        html.contains(&format!("下一步：受理员（{STEEL}） 受理")),
        "{html}"
    );
    assert!(
        html.contains("答复／纳入清单／合并／不予受理"),
        "the outcomes to come"
    );

    let res = app
        .api_as("clerk1")
        .await
        .post(&format!("/demands/{id}/steps"), json!({"action": "accept"}))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::OK,
        "{}",
        res.text().await.unwrap()
    );
    let (_, html) = b.get(&format!("/demands/{id}")).await;
    assert_eq!(current_step(&html), "已受理");
    assert!(html.contains("或转办"), "{html}");

    // The submitter sees where it stands, and that the step is not theirs.
    let m = app.browser_as("member").await;
    let (_, html) = m.get(&format!("/demands/{id}")).await;
    assert_eq!(current_step(&html), "已受理");
    assert!(!html.contains("轮到您了"));
}
both_backends!(
    the_demand_stepper_names_the_inbox_on,
    the_demand_stepper_names_the_inbox
);

async fn the_api_shape(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let todo = todo_of(&app, "unitadmin").await;
    let items = todo["items"].as_array().expect("items");
    assert!(!items.is_empty());
    let mut sum = 0;
    for i in items {
        assert!(i["kind"].is_string(), "{i}");
        assert!(i["href"].as_str().unwrap().starts_with('/'), "{i}");
        sum += i["count"].as_i64().unwrap();
    }
    assert_eq!(todo["total"].as_i64(), Some(sum));
    assert!(todo["reports"].is_array());
    for r in todo["reports"].as_array().unwrap() {
        assert!(
            r["href"].as_str().unwrap().starts_with("/reports?kind="),
            "{r}"
        );
    }
    // Documented, and closed to strangers.
    let doc: Value = app
        .anonymous()
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(doc["paths"]["/api/v1/todo"]["get"].is_object());
    let res = app
        .anonymous()
        .get(app.url("/api/v1/todo"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
}
both_backends!(the_api_shape_on, the_api_shape);
