//! The import pages on the demo organisation, on SQLite and PostgreSQL: upload, the dry-run
//! page row by row, "确认导入" without choosing the file again, the upload kept for its
//! uploader only, problems named by row and column, and who may import at all.

use crate::common::{Browser, TestApp, hidden};
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use rust_xlsxwriter::Workbook;
use shishi_store::{Backend, both_backends};

/// A one-sheet workbook of strings from A1.
fn book(rows: &[&[&str]]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    for (r, cells) in rows.iter().enumerate() {
        for (c, text) in cells.iter().enumerate() {
            if !text.is_empty() {
                sheet
                    .write_string(r as u32, c as u16, *text)
                    .expect("a cell");
            }
        }
    }
    workbook.save_to_buffer().expect("a workbook")
}

const HEADER: &[&str] = &[
    "序号",
    "事项名称",
    "责任单位",
    "责任人",
    "工作措施",
    "完成时限",
    "进展情况",
    "完成状态",
];

/// Posts the import form with a workbook and this session's CSRF token.
async fn upload(b: &Browser, fields: &[(&str, &str)], bytes: Vec<u8>) -> (StatusCode, String) {
    let mut form = Form::new().text("csrf", b.csrf.clone());
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    let part = Part::bytes(bytes)
        .file_name("2026年实事台账.xlsx")
        .mime_str("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        .expect("a mime type");
    let res = b
        .client
        .post(format!("{}/import", b.base))
        .multipart(form.part("file", part))
        .send()
        .await
        .expect("upload");
    let status = res.status();
    (status, res.text().await.unwrap_or_default())
}

async fn titled(app: &TestApp, title: &str) -> i64 {
    let mut conn = app.db.store.read().await.expect("conn");
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM matters WHERE title = $1")
        .bind(title)
        .fetch_one(&mut *conn)
        .await
        .expect("count")
}

async fn upload_check_confirm(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let sub1 = app.browser_as("sub1admin").await;
    let (status, html) = sub1.get("/import").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("导入 Excel") && html.contains("试运行（只检查，不写入）"),
        "{html}"
    );
    assert!(html.contains("href=\"/import\""), "the menu links the page");

    let bytes = book(&[
        HEADER,
        &[
            "1",
            "炼钢厂浴室热水改造（导入）",
            "第一炼钢厂",
            "王磊",
            "更换热水器",
            "2026-12-31",
            "进度：50%",
            "推进中",
        ],
        &[
            "2",
            "转炉车间休息室空调（导入）",
            "转炉车间",
            "handler13",
            "",
            "2026年12月",
            "",
            "",
        ],
    ]);
    let before = app.count("matters").await;
    let (status, html) = upload(&sub1, &[("kind", "ledger"), ("dry_run", "1")], bytes).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    for text in [
        "试运行结果",
        "将新建 2 行",
        "炼钢厂浴室热水改造（导入）",
        "责任人：王磊",
        "确认导入",
    ] {
        assert!(html.contains(text), "{text} missing");
    }
    assert_eq!(
        app.count("matters").await,
        before,
        "a dry run writes nothing"
    );
    assert_eq!(app.count("import_uploads").await, 1);
    let token = hidden(&html, "token");
    assert_eq!(token.len(), 64);

    // Another admin cannot use the upload, not even knowing its token.
    let sub2 = app.browser_as("sub2admin").await;
    let (status, _) = sub2.post("/import/confirm", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("matters").await, before);

    // Confirming imports the kept upload; the file is not asked for again.
    let (status, html) = sub1.post("/import/confirm", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("导入完成") && html.contains("已新建 2 行"),
        "{html}"
    );
    assert_eq!(app.count("matters").await, before + 2);
    assert_eq!(titled(&app, "炼钢厂浴室热水改造（导入）").await, 1);
    assert_eq!(app.count("import_uploads").await, 0);
    let (status, _) = sub1.post("/import/confirm", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "an upload is imported once");

    // The ledger shows the imported matter.
    let (_, html) = sub1
        .get("/ledger?q=%E7%83%AD%E6%B0%B4%E6%94%B9%E9%80%A0")
        .await;
    assert!(html.contains("炼钢厂浴室热水改造（导入）"));
}

both_backends!(upload_then_confirm, upload_check_confirm);

async fn problems_are_shown_by_row_and_column(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let sub1 = app.browser_as("sub1admin").await;
    let bytes = book(&[
        HEADER,
        &[
            "1",
            "选矿厂食堂改造（导入）",
            "选矿厂",
            "",
            "",
            "2026-12-31",
            "",
            "",
        ],
        &[
            "2",
            "热轧厂更衣室（导入）",
            "热轧厂",
            "",
            "",
            "下个月",
            "",
            "",
        ],
    ]);
    let before = app.count("matters").await;
    // Without the dry run: the import is refused as a whole.
    let (status, html) = upload(&sub1, &[("kind", "ledger")], bytes).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    for text in [
        "有问题，未导入",
        "第 2 行 C 列（责任单位）：找不到单位“选矿厂”，或该单位不在您管理的范围内",
        "第 3 行 F 列（完成时限）",
        "什么都没有写入",
    ] {
        assert!(html.contains(text), "{text} missing in {html}");
    }
    assert!(!html.contains("name=\"token\""), "nothing to confirm");
    assert_eq!(app.count("matters").await, before);
    assert_eq!(app.count("import_uploads").await, 0);

    // No header at all: the columns are named by letter, and the import goes through.
    let bytes = book(&[&["热轧厂更衣室改造（导入）", "热轧厂", "2026-10-31"]]);
    let (status, html) = upload(
        &sub1,
        &[
            ("kind", "ledger"),
            ("header_row", "0"),
            ("col_title", "A"),
            ("col_unit", "B"),
            ("col_deadline", "C"),
        ],
        bytes,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("已新建 1 行"), "{html}");
    assert_eq!(titled(&app, "热轧厂更衣室改造（导入）").await, 1);

    // Not a workbook: one sentence about the file.
    let (status, html) = upload(
        &sub1,
        &[("kind", "ledger"), ("dry_run", "1")],
        b"%PDF-1.4 not a sheet".to_vec(),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("不是 Excel 工作簿"), "{html}");
}

both_backends!(problems_by_row, problems_are_shown_by_row_and_column);

async fn only_admins_import_and_only_what_they_may(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    for who in ["member", "handler1", "leader"] {
        let b = app.browser_as(who).await;
        let (status, html) = b.get("/import").await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
        assert!(!html.contains("name=\"file\""));
        let (status, _) = upload(&b, &[("kind", "ledger")], book(&[HEADER])).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{who}");
    }
    // A unit admin imports ledgers, not people.
    let sub1 = app.browser_as("sub1admin").await;
    let (_, html) = sub1.get("/import").await;
    assert!(!html.contains("value=\"people\""));
    let users = app.count("users").await;
    let people = book(&[
        &["账号", "姓名", "所属单位", "角色"],
        &["new.person", "新同事", "第一炼钢厂", "职工"],
    ]);
    let (status, html) = upload(&sub1, &[("kind", "people")], people.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("没有导入这类内容的权限"), "{html}");
    assert_eq!(app.count("users").await, users);

    // The system admin does, and sees the initial password once.
    let admin = app.browser_as("admin").await;
    let (status, html) = upload(&admin, &[("kind", "people")], people).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("初始密码只显示这一次") && html.contains("新同事"),
        "{html}"
    );
    assert_eq!(app.count("users").await, users + 1);
}

both_backends!(who_may_import, only_admins_import_and_only_what_they_may);

async fn the_api_takes_the_workbook_as_the_body(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let api = app.api_as("sub1admin").await;
    let bytes = book(&[
        HEADER,
        &[
            "1",
            "接口导入的实事",
            "热轧厂",
            "",
            "",
            "2026-12-31",
            "",
            "",
        ],
        &[
            "2",
            "接口导入的另一件实事",
            "选矿厂",
            "",
            "",
            "2026-12-31",
            "",
            "",
        ],
    ]);
    let post = async |query: &str, bytes: Vec<u8>, lang: &str| {
        api.client
            .post(format!("{}/api/v1/imports/ledger{query}", api.base))
            .header("x-csrf-token", &api.csrf)
            .header("accept-language", lang)
            .header("content-type", "application/octet-stream")
            .body(bytes)
            .send()
            .await
            .expect("post")
    };
    let before = app.count("matters").await;
    let res = post("", bytes.clone(), "en").await;
    assert_eq!(res.status(), StatusCode::OK);
    let report: serde_json::Value = res.json().await.unwrap();
    assert_eq!(report["dry_run"], true, "a dry run unless told otherwise");
    assert_eq!(report["written"], false);
    assert_eq!(report["rows"][0]["action"], "create");
    assert_eq!(report["rows"][1]["action"], "error");
    assert!(
        report["rows"][1]["messages"][0]
            .as_str()
            .unwrap()
            .starts_with("Row 3, column C (Responsible unit):"),
        "{report}"
    );
    let good = book(&[
        HEADER,
        &[
            "1",
            "接口导入的实事",
            "热轧厂",
            "",
            "",
            "2026-12-31",
            "",
            "",
        ],
    ]);
    let res = post("?dry_run=false&filename=api.xlsx", good, "zh-CN").await;
    let report: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        (report["written"].clone(), report["created"].clone()),
        (true.into(), 1.into())
    );
    assert_eq!(app.count("matters").await, before + 1);
    let res = post("", bytes, "zh-CN").await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = api
        .client
        .post(format!("{}/api/v1/imports/everything", api.base))
        .header("x-csrf-token", &api.csrf)
        .body(Vec::new())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let member = app.api_as("member").await;
    let res = member
        .client
        .post(format!("{}/api/v1/imports/ledger", member.base))
        .header("x-csrf-token", &member.csrf)
        .body(Vec::new())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let doc: serde_json::Value = api.get("/openapi.json").await.json().await.unwrap();
    assert!(doc["paths"]["/api/v1/imports/{kind}"]["post"].is_object());
}

both_backends!(api_import, the_api_takes_the_workbook_as_the_body);

async fn a_kept_upload_is_cancelled_by_its_uploader_and_a_big_file_refused(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let sub1 = app.browser_as("sub1admin").await;
    let bytes = book(&[
        HEADER,
        &["1", "取消的导入", "热轧厂", "", "", "2026-12-31", "", ""],
    ]);
    let (status, html) = upload(&sub1, &[("kind", "ledger"), ("dry_run", "1")], bytes).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let token = hidden(&html, "token");
    assert_eq!(app.count("import_uploads").await, 1);

    // Someone else's cancel leaves it; the uploader's drops it.
    let sub2 = app.browser_as("sub2admin").await;
    let (status, _) = sub2.post("/import/cancel", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("import_uploads").await, 1, "not theirs to drop");
    let (status, _) = sub1.post("/import/cancel", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    assert_eq!(app.count("import_uploads").await, 0);
    let (status, _) = sub1.post("/import/confirm", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a cancelled upload is gone");

    // Over the limit: refused on the form, nothing kept, nothing read.
    let huge = vec![0u8; shishi_service::imports::MAX_IMPORT_BYTES + 1];
    let (status, html) = upload(&sub1, &[("kind", "ledger"), ("dry_run", "1")], huge.clone()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(html.contains("文件过大，一次最多导入 20 MB"), "{html}");
    assert_eq!(app.count("import_uploads").await, 0);

    // The API says so in the report.
    let api = app.api_as("sub1admin").await;
    let res = api
        .client
        .post(format!("{}/api/v1/imports/ledger?dry_run=false", api.base))
        .header("x-csrf-token", &api.csrf)
        .header("content-type", "application/octet-stream")
        .body(huge)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::OK);
    let report: serde_json::Value = res.json().await.unwrap();
    assert_eq!(report["written"], false);
    assert!(
        report["problems"][0]
            .as_str()
            .is_some_and(|p| p.starts_with("文件过大")),
        "{report}"
    );
    assert_eq!(titled(&app, "取消的导入").await, 0);
}

both_backends!(
    cancel_and_too_large,
    a_kept_upload_is_cancelled_by_its_uploader_and_a_big_file_refused
);

mod real;
