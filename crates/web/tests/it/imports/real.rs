//! Ledgers as offices keep them, on the page and through the API of the demo organisation:
//! the campaign, year and completion day chosen with the upload, unit names mapped on the
//! dry-run page (and kept), and the exported ledger imported again without new rows.

use reqwest::StatusCode;
use rust_xlsxwriter::{Format, FormatAlign, Workbook};
use serde_json::{Value, json};
use shishi_store::{Backend, both_backends};

use super::upload;
use crate::common::{TestApp, hidden};

/// A workbook as an office keeps it: the title merged over the table, the header, then the
/// rows, with 责任单位 (column D) of rows 3 and 4 merged when both are "=".
fn office_book(title: &str, header: &[&str], rows: &[Vec<&str>]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    let centre = Format::new().set_align(FormatAlign::Center);
    sheet
        .merge_range(0, 0, 0, (header.len() - 1) as u16, title, &centre)
        .expect("the title");
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).expect("a header");
    }
    for (r, cells) in rows.iter().enumerate() {
        for (c, text) in cells.iter().enumerate() {
            if !text.is_empty() && *text != "=" {
                sheet
                    .write_string(r as u32 + 2, c as u16, *text)
                    .expect("a cell");
            }
        }
    }
    if rows.len() >= 2 && rows[1][3] == "=" {
        sheet
            .merge_range(2, 3, 3, 3, rows[0][3], &centre)
            .expect("the merged unit");
    }
    workbook.save_to_buffer().expect("a workbook")
}

const OFFICE: [&str; 8] = [
    "序号",
    "项目名称",
    "具体内容",
    "责任单位",
    "责任人",
    "完成时限",
    "进展情况",
    "备注",
];

async fn status_and_campaign(app: &TestApp, title: &str) -> (String, Option<i64>, Option<String>) {
    let mut conn = app.db.store.read().await.expect("conn");
    sqlx::query_as::<_, (String, Option<i64>, Option<String>)>(
        "SELECT status, campaign_id, completed_on FROM matters WHERE title = $1",
    )
    .bind(title)
    .fetch_one(&mut *conn)
    .await
    .expect("the matter")
}

/// The campaigns sub1admin sees, as (id, name).
async fn campaigns_of(app: &TestApp, who: &str) -> Vec<(i64, String)> {
    let actor = app.services.operator(Some(who)).await.expect("an actor");
    app.services
        .campaigns(&actor)
        .await
        .expect("campaigns")
        .into_iter()
        .map(|c| (c.id, c.name))
        .collect()
}

async fn a_real_ledger_is_mapped_and_imported_on_the_page(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let sub1 = app.browser_as("sub1admin").await;
    let (campaign_id, campaign) = campaigns_of(&app, "sub1admin").await.remove(0);
    let (status, html) = sub1.get("/import").await;
    assert_eq!(status, StatusCode::OK);
    for text in [
        "台账导入选项",
        "默认年份",
        "name=\"completed_on\"",
        &campaign,
    ] {
        assert!(html.contains(text), "{text} missing in {html}");
    }

    let bytes = office_book(
        "示范钢铁2021年“我为群众办实事”项目清单",
        &OFFICE,
        &[
            vec![
                "1",
                "热轧厂澡堂热水改造（导入）",
                "更换热水器",
                "热轧厂机关",
                "林涛",
                "6月30日前",
                "已完成",
                "",
            ],
            vec![
                "2",
                "热轧厂更衣柜更新（导入）",
                "更换更衣柜",
                "=",
                "handler4",
                "年底前",
                "正在推进",
                "",
            ],
        ],
    );
    let campaign_field = campaign_id.to_string();
    let (status, html) = upload(
        &sub1,
        &[
            ("kind", "ledger"),
            ("dry_run", "1"),
            ("campaign", &campaign_field),
        ],
        bytes,
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{html}");
    for text in [
        "第 3 行 D 列（责任单位）：找不到单位“热轧厂机关”",
        "第 4 行 D 列（责任单位）：找不到单位“热轧厂机关”",
        "action=\"/import/units\"",
        "name=\"name_0\" value=\"热轧厂机关\"",
        "单位对应",
    ] {
        assert!(html.contains(text), "{text} missing in {html}");
    }
    assert!(
        !html.contains("action=\"/import/confirm\""),
        "nothing to confirm yet"
    );
    let token = hidden(&html, "token");
    assert_eq!(token.len(), 64);

    // Someone else's upload is not found; a unit outside the subtree is not found either.
    let sub2 = app.browser_as("sub2admin").await;
    let mine = app.unit_id("选矿厂").await.to_string();
    let (status, _) = sub2
        .post(
            "/import/units",
            &[
                ("token", &token),
                ("name_0", "热轧厂机关"),
                ("unit_0", &mine),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = sub1
        .post(
            "/import/units",
            &[
                ("token", &token),
                ("name_0", "热轧厂机关"),
                ("unit_0", &mine),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(app.count("import_unit_aliases").await, 0);

    // Mapped to 热轧厂: checked again, and clean.
    let hot = app.unit_id("热轧厂").await.to_string();
    let (status, html) = sub1
        .post(
            "/import/units",
            &[
                ("token", &token),
                ("name_0", "热轧厂机关"),
                ("unit_0", &hot),
            ],
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{html}");
    for text in [
        "责任单位“热轧厂机关”按已保存的单位对应关系记为“热轧厂”",
        "未写年份的完成时限（如“6月30日前”）按表格标题中的 2021 年计。",
        &format!("未填写批次的事项均归入批次“{campaign}”。"),
        "五定不全（缺：验收标准），按拟办导入（表中为“已完成”）",
        "确认导入",
    ] {
        assert!(html.contains(text), "{text} missing in {html}");
    }
    assert_eq!(app.count("import_unit_aliases").await, 1);
    let before = app.count("matters").await;
    let (status, html) = sub1.post("/import/confirm", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("已新建 2 行"), "{html}");
    assert_eq!(app.count("matters").await, before + 2);
    assert_eq!(
        status_and_campaign(&app, "热轧厂澡堂热水改造（导入）").await,
        ("proposed".to_string(), Some(campaign_id), None)
    );

    // The mapping is kept: the next file with that name needs none.
    let bytes = office_book(
        "示范钢铁2021年“我为群众办实事”项目清单",
        &OFFICE,
        &[vec![
            "1",
            "热轧厂休息室空调（导入）",
            "加装空调",
            "热轧厂机关",
            "",
            "2021-08-31",
            "",
            "",
        ]],
    );
    let (status, html) = upload(&sub1, &[("kind", "ledger"), ("dry_run", "1")], bytes).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(
        html.contains("按已保存的单位对应关系记为“热轧厂”"),
        "{html}"
    );
}

both_backends!(
    page_mapping,
    a_real_ledger_is_mapped_and_imported_on_the_page
);

async fn the_api_takes_the_options_and_the_mapping(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let api = app.api_as("sub1admin").await;
    let (campaign_id, _) = campaigns_of(&app, "sub1admin").await.remove(0);
    let header = [
        "序号",
        "项目名称",
        "具体内容",
        "责任单位",
        "责任人",
        "完成时限",
        "验收标准",
        "进展情况",
    ];
    let bytes = office_book(
        "“我为群众办实事”项目清单",
        &header,
        &[vec![
            "1",
            "运输部调度室空调（接口导入）",
            "加装空调",
            "运输部办公室",
            "handler2",
            "6月30日前",
            "夏季室温不高于26度",
            "已完成",
        ]],
    );
    let post = async |query: &str| -> (StatusCode, Value) {
        let res = api
            .client
            .post(format!("{}/api/v1/imports/ledger{query}", api.base))
            .header("x-csrf-token", &api.csrf)
            .header("content-type", "application/octet-stream")
            .body(bytes.clone())
            .send()
            .await
            .expect("post");
        let status = res.status();
        (status, res.json().await.unwrap_or(Value::Null))
    };
    let (status, report) = post("").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["unmatched_units"], json!(["运输部办公室"]));
    let problems = report["rows"][0]["messages"].to_string();
    assert!(problems.contains("没有写年份"), "{report}");

    // Options the caller may not give.
    assert_eq!(post("?campaign=999999").await.0, StatusCode::NOT_FOUND);
    let (status, body) = post("?year=1999").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["error"]["fields"][0]["field"], "year");

    // The mapping: outside the subtree not found, inside kept.
    let ore = app.unit_id("选矿厂").await;
    let res = api
        .put(
            "/imports/unit-aliases",
            json!([{"name": "运输部办公室", "unit_id": ore}]),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let transport = app.unit_id("运输部").await;
    let res = api
        .put(
            "/imports/unit-aliases",
            json!([{"name": "运输部办公室", "unit_id": transport}]),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let kept: Value = api.get("/imports/unit-aliases").await.json().await.unwrap();
    assert_eq!(kept[0]["name"], "运输部办公室");
    assert_eq!(kept[0]["unit_id"], transport);
    let member = app.api_as("member").await;
    assert_eq!(
        member.get("/imports/unit-aliases").await.status(),
        StatusCode::FORBIDDEN
    );

    let (status, report) = post(&format!(
        "?dry_run=false&year=2021&campaign={campaign_id}&completed_on=2021-06-20"
    ))
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(report["written"], true, "{report}");
    assert_eq!(
        status_and_campaign(&app, "运输部调度室空调（接口导入）").await,
        (
            "completed".to_string(),
            Some(campaign_id),
            Some("2021-06-20".to_string())
        )
    );
    let doc: Value = api.get("/openapi.json").await.json().await.unwrap();
    assert!(doc["paths"]["/api/v1/imports/unit-aliases"]["put"].is_object());
}

both_backends!(api_options, the_api_takes_the_options_and_the_mapping);

async fn the_exported_ledger_imports_again_without_new_rows(backend: Backend) {
    let app = TestApp::with_demo(backend).await;
    let sub1 = app.browser_as("sub1admin").await;
    let res = sub1
        .client
        .get(app.url("/ledger/export.xlsx"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let bytes = res.bytes().await.unwrap().to_vec();
    let parsed = shishi_report::import::read_ledger(&bytes, None).expect("the export reads");
    assert_eq!(parsed.problems, vec![]);
    assert!(
        parsed.columns.iter().all(|c| c.field.is_some()),
        "{:?}",
        parsed.columns
    );
    assert!(parsed.rows.len() > 10);
    let before = app.count("matters").await;
    let api = app.api_as("sub1admin").await;
    let res = api
        .client
        .post(format!("{}/api/v1/imports/ledger?dry_run=false", api.base))
        .header("x-csrf-token", &api.csrf)
        .header("content-type", "application/octet-stream")
        .body(bytes)
        .send()
        .await
        .expect("post");
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["problems"], json!([]), "{report}");
    assert_eq!(report["errors"], 0, "{report}");
    assert_eq!(report["created"], 0, "{report}");
    assert_eq!(report["skipped"], parsed.rows.len());
    assert_eq!(app.count("matters").await, before);
}

both_backends!(
    export_again,
    the_exported_ledger_imports_again_without_new_rows
);
