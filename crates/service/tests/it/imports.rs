//! Excel import through the service layer on SQLite and PostgreSQL: ledgers (the dry run, the
//! problems by row and column, all or nothing, re-import without duplicates, the actor's
//! scope), units and people, and the upload kept between a dry run and its confirmation. The
//! organisation is in `support/world.rs`.

use rust_xlsxwriter::Workbook;
use shishi_core::Role;
use shishi_service::imports::{
    ImportKind, ImportReport, ImportRequest, MAX_IMPORT_BYTES, NoProgress, RowAction,
};
use shishi_service::{Actor, ServiceResult};
use shishi_store::sql::Sql;
use shishi_store::{Backend, both_backends};

#[allow(dead_code)]
use crate::support::world;

use world::*;

const LEDGER: [&str; 9] = [
    "序号",
    "事项名称",
    "责任单位",
    "责任人",
    "工作措施",
    "完成时限",
    "进展情况",
    "完成状态",
    "备注",
];

/// A one-sheet workbook of strings from A1; empty strings leave the cell blank.
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

/// A ledger under the usual header (row 1), so the first matter is on row 2.
fn ledger(rows: &[[&str; 9]]) -> Vec<u8> {
    let mut all: Vec<&[&str]> = vec![&LEDGER];
    all.extend(rows.iter().map(|r| r.as_slice()));
    book(&all)
}

/// [`ledger`] with a 验收标准 column last, so that a row can hold all five determinations.
fn ledger10(rows: &[[&str; 10]]) -> Vec<u8> {
    let header: Vec<&str> = LEDGER.iter().copied().chain(["验收标准"]).collect();
    let mut all: Vec<&[&str]> = vec![&header];
    all.extend(rows.iter().map(|r| r.as_slice()));
    book(&all)
}

async fn import(
    w: &World,
    who: i64,
    kind: ImportKind,
    bytes: Vec<u8>,
    dry_run: bool,
) -> ServiceResult<ImportReport> {
    let actor: Actor = w.who(who).await;
    match kind {
        ImportKind::Ledger => {
            w.svc
                .import_ledger(&actor, bytes, None, dry_run, "zh-CN")
                .await
        }
        ImportKind::Units => w.svc.import_units(&actor, bytes, dry_run, "zh-CN").await,
        ImportKind::People => w.svc.import_people(&actor, bytes, dry_run, "zh-CN").await,
    }
}

async fn matter_id(w: &World, title: &str) -> i64 {
    let mut sql = Sql::new("SELECT id FROM matters WHERE title = ");
    sql.text(title);
    w.scalar(&sql).await
}

async fn audited(w: &World, action: &str) -> i64 {
    let mut sql = Sql::new("SELECT COUNT(*) FROM audit_events WHERE action = ");
    sql.text(action);
    w.scalar(&sql).await
}

async fn unit_named(w: &World, name: &str) -> shishi_store::units::UnitRow {
    let mut conn = w.db.store.read().await.unwrap();
    let found = shishi_store::units::find_by_name(&mut conn, name)
        .await
        .unwrap();
    assert_eq!(found.len(), 1, "{name} once");
    found[0].clone()
}

fn actions(r: &ImportReport) -> Vec<(u32, RowAction)> {
    r.rows.iter().map(|p| (p.row, p.action)).collect()
}

async fn a_dry_run_plans_row_by_row_and_writes_nothing(backend: Backend) {
    let w = World::new(backend).await;
    let bytes = ledger(&[
        [
            "1",
            "职工食堂增设夜班窗口",
            "甲一厂",
            "甲一厂责任人",
            "增设窗口",
            "2026-12-31",
            "设备已采购，进度：60%",
            "推进中",
            "夜班职工反映",
        ],
        [
            "2",
            "更换车间照明灯具",
            "甲一厂",
            "handler_a1",
            "",
            "2026-11-30",
            "",
            "已完成",
            "",
        ],
        [
            "3",
            "厂区道路修补",
            "甲二厂",
            "",
            "",
            "2026年12月",
            "",
            "",
            "",
        ],
    ]);
    let before = (w.count("matters").await, w.audit_events().await);
    let r = import(&w, w.admin_a, ImportKind::Ledger, bytes, true)
        .await
        .expect("a unit admin checks a ledger");
    assert!(r.dry_run && !r.written, "a dry run writes nothing");
    assert!(!r.has_problems(), "{:?}", r.all_problems());
    assert_eq!((r.created, r.skipped, r.errors), (3, 0, 0));
    use RowAction::*;
    assert_eq!(actions(&r), vec![(2, Create), (3, Create), (4, Create)]);
    assert_eq!(r.rows[0].unit, "甲一厂");
    // No 验收标准 column: the five determinations are incomplete, every row is proposed, and
    // the plan says so row by row.
    let note = &r.rows[0].messages;
    assert_eq!(
        note,
        &[
            "责任人：甲一厂责任人；完成时限：2026-12-31；状态：拟办；进度：60%",
            "五定不全（缺：验收标准），按拟办导入（表中为“推进中”）；补全后由单位管理员立项",
        ],
    );
    assert!(r.rows[2].messages[0].contains("完成时限：2026-12-31"));
    assert_eq!(
        r.rows[2].messages[1],
        "五定不全（缺：责任人、工作措施、验收标准），按拟办导入；补全后由单位管理员立项"
    );
    assert_eq!(
        (w.count("matters").await, w.audit_events().await),
        before,
        "nothing was written"
    );
}

both_backends!(dry_run, a_dry_run_plans_row_by_row_and_writes_nothing);

async fn a_bad_row_stops_the_whole_file_and_says_where(backend: Backend) {
    let w = World::new(backend).await;
    let bytes = ledger(&[
        [
            "1",
            "职工食堂增设夜班窗口",
            "甲一厂",
            "甲一厂责任人",
            "",
            "2026-12-31",
            "",
            "",
            "",
        ],
        [
            "2",
            "乙厂宿舍维修",
            "乙一厂",
            "",
            "",
            "2026-12-31",
            "",
            "",
            "",
        ],
        [
            "3",
            "丙厂澡堂改造",
            "丙一厂",
            "",
            "",
            "2026-12-31",
            "",
            "",
            "",
        ],
        [
            "4",
            "更换灯具",
            "甲一厂",
            "无此人",
            "",
            "明年年底",
            "",
            "",
            "",
        ],
        [
            "5",
            "修缮浴室",
            "甲一厂",
            "乙一厂责任人",
            "",
            "",
            "",
            "",
            "",
        ],
    ]);
    let before = (
        w.count("matters").await,
        w.count("progress_entries").await,
        w.audit_events().await,
    );
    let r = import(&w, w.admin_a, ImportKind::Ledger, bytes.clone(), false)
        .await
        .expect("the report lists the problems");
    assert!(!r.written && r.has_problems());
    assert_eq!(
        (
            w.count("matters").await,
            w.count("progress_entries").await,
            w.audit_events().await,
        ),
        before,
        "all or nothing: the good row was not written either"
    );
    use RowAction::*;
    assert_eq!(
        actions(&r),
        vec![(2, Create), (3, Error), (4, Error), (5, Error), (6, Error)]
    );
    let problems = r.all_problems();
    // A unit of another subsidiary and a unit nobody has read alike: the report never tells
    // whether something exists outside the actor's subtree.
    for expected in [
        "第 3 行 C 列（责任单位）：找不到单位“乙一厂”，或该单位不在您管理的范围内；可在试运行结果下方把它对应到您管理的单位（对应关系会保存，下次导入自动使用）",
        "第 4 行 C 列（责任单位）：找不到单位“丙一厂”，或该单位不在您管理的范围内；可在试运行结果下方把它对应到您管理的单位（对应关系会保存，下次导入自动使用）",
        "第 5 行 D 列（责任人）：找不到账号或姓名为“无此人”的人员，或此人不在您管理的范围内",
        "第 6 行 D 列（责任人）：找不到账号或姓名为“乙一厂责任人”的人员，或此人不在您管理的范围内",
    ] {
        assert!(
            problems.iter().any(|p| p == expected),
            "{expected} missing in {problems:#?}"
        );
    }
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("第 5 行 F 列（完成时限）：") && p.contains("明年年底")),
        "{problems:#?}"
    );

    // The same in English.
    let actor = w.who(w.admin_a).await;
    let en = w
        .svc
        .import_ledger(&actor, bytes, None, false, "en")
        .await
        .unwrap();
    assert!(
        en.all_problems().iter().any(|p| p.starts_with(
            "Row 3, column C (Responsible unit): no unit \"乙一厂\" was found among the units you manage"
        )),
        "{:#?}",
        en.all_problems()
    );

    // The group's admin reaches 乙一厂: the same row is no problem for them.
    let r = import(
        &w,
        w.root_admin,
        ImportKind::Ledger,
        ledger(&[[
            "1",
            "乙厂宿舍维修",
            "乙一厂",
            "",
            "",
            "2026-12-31",
            "",
            "",
            "",
        ]]),
        true,
    )
    .await
    .unwrap();
    assert!(!r.has_problems(), "{:?}", r.all_problems());

    // A file that is no workbook, and one over the size limit: one problem for the file.
    let r = import(
        &w,
        w.admin_a,
        ImportKind::Ledger,
        b"not a workbook".to_vec(),
        false,
    )
    .await
    .unwrap();
    assert!(r.rows.is_empty() && r.problems[0].contains("不是 Excel 工作簿"));
    let r = import(
        &w,
        w.admin_a,
        ImportKind::Ledger,
        vec![0u8; shishi_service::imports::MAX_IMPORT_BYTES + 1],
        false,
    )
    .await
    .unwrap();
    assert!(r.problems[0].contains("文件过大"), "{:?}", r.problems);
    assert_eq!(w.count("matters").await, before.0);
}

both_backends!(bad_rows, a_bad_row_stops_the_whole_file_and_says_where);

async fn a_clean_import_creates_the_matters_once(backend: Backend) {
    let w = World::new(backend).await;
    let rows = [
        [
            "1",
            "职工食堂增设夜班窗口",
            "甲一厂",
            "甲一厂责任人",
            "增设窗口",
            "2026-12-31",
            "设备已采购，进度：60%",
            "推进中",
            "夜班职工反映",
            "夜班职工均可就餐",
        ],
        [
            "2",
            "更换车间照明灯具",
            "甲一厂",
            "handler_a1",
            "更换LED灯具",
            "2026-10-30",
            "",
            "已完成",
            "",
            "照度达标",
        ],
        [
            "3",
            "厂区道路修补",
            "甲公司/甲二厂",
            "",
            "",
            "2026年12月",
            "",
            "",
            "",
            "",
        ],
        [
            "4",
            "职工书屋建设",
            "甲公司",
            "",
            "",
            "",
            "",
            "拟办",
            "",
            "",
        ],
    ];
    let r = import(&w, w.admin_a, ImportKind::Ledger, ledger10(&rows), false)
        .await
        .unwrap();
    assert!(!r.has_problems(), "{:?}", r.all_problems());
    assert!(r.written && !r.dry_run);
    assert_eq!((r.created, r.skipped), (4, 0));
    assert_eq!(w.count("matters").await, 4);

    let canteen = w.row(matter_id(&w, "职工食堂增设夜班窗口").await).await;
    assert_eq!(canteen.unit_id, w.a1);
    assert_eq!(canteen.owner_id, Some(w.handler_a1));
    assert_eq!(canteen.deadline.as_deref(), Some("2026-12-31"));
    assert_eq!(canteen.original_deadline.as_deref(), Some("2026-12-31"));
    assert_eq!(canteen.status, "in_progress");
    assert_eq!(canteen.progress, 60);
    assert_eq!(canteen.measures, "增设窗口");
    assert_eq!(canteen.acceptance_standard, "夜班职工均可就餐");
    assert_eq!(canteen.description, "夜班职工反映");
    assert_eq!(canteen.created_by, Some(w.admin_a));
    assert!(w.matter_text(canteen.id, "import_key").await.is_some());
    let detail = w.detail(canteen.id).await;
    assert_eq!(detail.progress.len(), 1);
    assert_eq!(detail.progress[0].narrative, "设备已采购，进度：60%");
    assert_eq!(detail.progress[0].percent, 60);
    assert_eq!(w.history(canteen.id).await, vec!["matter_imported"]);

    // Done, with all five: completed on the day of the import, which the plan said.
    let lamps = w.row(matter_id(&w, "更换车间照明灯具").await).await;
    assert_eq!((lamps.status.as_str(), lamps.progress), ("completed", 100));
    assert_eq!(lamps.completed_on.as_deref(), Some("2026-11-02"));
    assert_eq!(
        r.rows[1].messages[1],
        "完成日期按导入日期 2026-11-02 记；如需按实际日期，请在导入时填写完成日期"
    );
    // Without all five: proposed, whatever the sheet says.
    let road = w.row(matter_id(&w, "厂区道路修补").await).await;
    assert_eq!(road.unit_id, w.a2);
    assert_eq!(road.status, "proposed");
    assert_eq!(road.deadline.as_deref(), Some("2026-12-31"));
    let books = w.row(matter_id(&w, "职工书屋建设").await).await;
    assert_eq!((books.unit_id, books.status.as_str()), (w.a, "proposed"));

    // The summary line counts them like any other matters.
    let admin_a = w.who(w.admin_a).await;
    let s = w.svc.summary(&admin_a, w.a).await.unwrap();
    assert_eq!(
        (s.total, s.done, s.in_progress, s.proposed),
        (2, 1, 1, 2),
        "{s:?}"
    );
    // The similarity check offers an imported matter like a typed one.
    let similar = w
        .svc
        .similar_matters("职工食堂增设夜班窗口", 5)
        .await
        .unwrap();
    assert!(similar.iter().any(|m| m.id == canteen.id));
    assert_eq!(audited(&w, "ledger_imported").await, 1);
    assert_eq!(audited(&w, "matter_imported").await, 4);
    w.assert_audit_intact().await;

    // The same file again: nothing new. A re-typed title (blanks, a full stop) is the same
    // matter; a new row is created.
    let r = import(&w, w.admin_a, ImportKind::Ledger, ledger10(&rows), false)
        .await
        .unwrap();
    assert_eq!((r.created, r.skipped, r.errors), (0, 4, 0));
    assert!(r.rows.iter().all(|p| p.messages == ["已存在，跳过"]));
    assert_eq!(w.count("matters").await, 4);
    let mut again = rows;
    again[0][1] = "职工食堂 增设夜班窗口。";
    let more = [
        again[0],
        [
            "5",
            "职工健身房改造",
            "甲一厂",
            "甲一厂责任人",
            "添置器材",
            "2026-12-31",
            "",
            "",
            "",
            "器材到位",
        ],
    ];
    let r = import(&w, w.admin_a, ImportKind::Ledger, ledger10(&more), false)
        .await
        .unwrap();
    assert_eq!((r.created, r.skipped), (1, 1));
    assert_eq!(w.count("matters").await, 5);
    assert_eq!(w.count("progress_entries").await, 1);
    let gym = w.row(matter_id(&w, "职工健身房改造").await).await;
    assert_eq!(
        gym.status, "approved",
        "all five and no status: on the list"
    );
    let s = w.svc.summary(&admin_a, w.a).await.unwrap();
    assert_eq!((s.total, s.in_progress), (3, 2));
    w.assert_audit_intact().await;
}

both_backends!(clean_import, a_clean_import_creates_the_matters_once);

async fn the_same_matter_twice_in_one_file_names_both_rows(backend: Backend) {
    let w = World::new(backend).await;
    let bytes = ledger(&[
        ["1", "修缮职工浴室", "甲一厂", "", "", "", "", "", ""],
        ["2", "修缮职工浴室", "甲二厂", "", "", "", "", "", ""],
        ["3", "修缮职工浴室", "甲一厂", "", "", "", "", "", ""],
    ]);
    let r = import(&w, w.admin_a, ImportKind::Ledger, bytes, false)
        .await
        .unwrap();
    use RowAction::*;
    assert_eq!(actions(&r), vec![(2, Error), (3, Create), (4, Error)]);
    let problems = r.all_problems();
    assert!(
        problems
            .iter()
            .any(|p| p.starts_with("第 2 行 B 列（事项名称）：与第 4 行是同一事项"))
            && problems
                .iter()
                .any(|p| p.starts_with("第 4 行 B 列（事项名称）：与第 2 行是同一事项")),
        "{problems:#?}"
    );
    assert_eq!(w.count("matters").await, 0);
}

both_backends!(twins, the_same_matter_twice_in_one_file_names_both_rows);

async fn only_those_who_manage_may_import(backend: Backend) {
    let w = World::new(backend).await;
    let bytes = ledger(&[["1", "修缮职工浴室", "甲一厂", "", "", "", "", "", ""]]);
    for who in [w.handler_a1, w.submitter, w.sup_a, w.clerk_a1] {
        forbidden(
            import(&w, who, ImportKind::Ledger, bytes.clone(), true).await,
            "import.not_allowed",
        );
    }
    // Units and people take a system admin; a unit admin may import only ledgers.
    for kind in [ImportKind::Units, ImportKind::People] {
        forbidden(
            import(&w, w.admin_a, kind, bytes.clone(), true).await,
            "import.not_allowed",
        );
    }
    assert_eq!(w.count("matters").await, 0);
}

both_backends!(forbidden_to_import, only_those_who_manage_may_import);

async fn units_are_created_along_their_paths_once(backend: Backend) {
    let w = World::new(backend).await;
    let header: &[&str] = &["单位名称", "上级单位", "单位类型", "排序"];
    let bytes = book(&[
        header,
        &["甲三厂", "甲公司", "单位", "3"],
        &["检修车间", "示范集团/甲公司/甲三厂", "部门", ""],
        &["丙一厂", "丙公司", "", ""],
        &["丙公司", "", "子公司", ""],
        &["丁一厂", "丁公司/丁分部", "", ""],
        &["甲一厂", "甲公司", "", ""],
    ]);
    let before = w.count("units").await;
    let r = import(&w, w.root_admin, ImportKind::Units, bytes.clone(), true)
        .await
        .unwrap();
    assert!(!r.has_problems(), "{:?}", r.all_problems());
    use RowAction::*;
    assert_eq!(
        actions(&r),
        vec![
            (2, Create),
            (3, Create),
            (4, Create),
            (5, Create),
            (6, Create),
            (7, Skip)
        ]
    );
    assert_eq!(r.rows[4].messages, ["同时新建上级单位：丁公司 / 丁分部"]);
    assert_eq!(r.rows[5].messages, ["已存在，跳过"]);
    assert_eq!(w.count("units").await, before);

    let r = import(&w, w.root_admin, ImportKind::Units, bytes.clone(), false)
        .await
        .unwrap();
    assert!(r.written);
    assert_eq!(w.count("units").await, before + 7);
    let a3 = unit_named(&w, "甲三厂").await;
    assert_eq!(
        (a3.parent_id, a3.kind.as_str(), a3.sort_order),
        (Some(w.a), "unit", 3)
    );
    let shop = unit_named(&w, "检修车间").await;
    assert_eq!(
        (shop.parent_id, shop.kind.as_str()),
        (Some(a3.id), "department")
    );
    let c = unit_named(&w, "丙公司").await;
    assert_eq!((c.parent_id, c.kind.as_str()), (Some(w.root), "subsidiary"));
    assert_eq!(unit_named(&w, "丙一厂").await.parent_id, Some(c.id));
    let d = unit_named(&w, "丁公司").await;
    let d_part = unit_named(&w, "丁分部").await;
    assert_eq!(d_part.parent_id, Some(d.id));
    assert_eq!(unit_named(&w, "丁一厂").await.parent_id, Some(d_part.id));
    assert_eq!(audited(&w, "units_imported").await, 1);

    // Again: every unit is in its place already.
    let r = import(&w, w.root_admin, ImportKind::Units, bytes, false)
        .await
        .unwrap();
    assert_eq!((r.created, r.skipped), (0, 6));
    assert_eq!(w.count("units").await, before + 7);

    // A system admin of 甲公司 only: a unit under 乙公司 and one under a company nobody has
    // read alike, and nothing is written.
    w.svc
        .add_grant(
            &w.who(w.root_admin).await,
            w.admin_a,
            Role::SystemAdmin.code(),
            w.a,
        )
        .await
        .unwrap();
    let bytes = book(&[
        header,
        &["甲四厂", "甲公司", "", ""],
        &["乙二厂", "乙公司", "", ""],
        &["戊一厂", "戊公司", "", ""],
    ]);
    let r = import(&w, w.admin_a, ImportKind::Units, bytes, false)
        .await
        .unwrap();
    assert_eq!(actions(&r), vec![(2, Create), (3, Error), (4, Error)]);
    assert_eq!(
        r.all_problems(),
        [
            "第 3 行 B 列（上级单位）：找不到单位“乙公司”，或该单位不在您管理的范围内",
            "第 4 行 B 列（上级单位）：找不到单位“戊公司”，或该单位不在您管理的范围内",
        ]
    );
    assert_eq!(w.count("units").await, before + 7);
    w.assert_audit_intact().await;
}

both_backends!(units_import, units_are_created_along_their_paths_once);

async fn people_get_accounts_roles_and_a_password_shown_once(backend: Backend) {
    let w = World::new(backend).await;
    let header: &[&str] = &["账号", "姓名", "所属单位", "手机", "邮箱", "角色"];
    let bytes = book(&[
        header,
        &[
            "zhang.san",
            "张三",
            "甲一厂",
            "13800138000",
            "zs@example.org",
            "责任人",
        ],
        &["li.si", "李四", "甲公司/甲二厂", "", "", ""],
        &["handler_a1", "甲一厂责任人", "甲一厂", "", "", "责任人"],
    ]);
    let before = w.count("users").await;
    let r = import(&w, w.root_admin, ImportKind::People, bytes.clone(), true)
        .await
        .unwrap();
    assert!(!r.has_problems(), "{:?}", r.all_problems());
    use RowAction::*;
    assert_eq!(actions(&r), vec![(2, Create), (3, Create), (4, Skip)]);
    assert!(
        r.rows.iter().all(|p| p.password.is_none()),
        "no password in a dry run"
    );
    assert_eq!(r.rows[1].messages, ["未填写角色，按职工（群众）授予"]);
    assert_eq!(r.rows[2].messages, ["账号已存在，跳过"]);
    assert_eq!(w.count("users").await, before);

    let r = import(&w, w.root_admin, ImportKind::People, bytes.clone(), false)
        .await
        .unwrap();
    assert!(r.written);
    assert_eq!(w.count("users").await, before + 2);
    let zhang_pw = r.rows[0].password.clone().expect("the password, once");
    assert_eq!(zhang_pw.len(), 12);
    assert!(r.rows[2].password.is_none());
    let zhang = w
        .svc
        .authenticate("zhang.san", &zhang_pw)
        .await
        .expect("the new person signs in with it");
    assert_eq!(zhang.user.display_name, "张三");
    assert_eq!(zhang.user.unit_id, w.a1);
    assert_eq!(zhang.user.phone, "13800138000");
    assert!(zhang.has_role(Role::Handler));
    assert!(zhang.grants.iter().all(|g| g.unit_id == w.a1));
    let li = w
        .svc
        .authenticate("li.si", r.rows[1].password.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(li.user.unit_id, w.a2);
    assert!(li.has_role(Role::Member) && li.grants.len() == 1);
    assert_eq!(audited(&w, "people_imported").await, 1);

    // Again: everyone is there; no password is shown again.
    let r = import(&w, w.root_admin, ImportKind::People, bytes, false)
        .await
        .unwrap();
    assert_eq!((r.created, r.skipped), (0, 3));
    assert!(r.rows.iter().all(|p| p.password.is_none()));
    assert_eq!(w.count("users").await, before + 2);

    // A system admin of 甲公司 only: no system admins, nobody in 乙公司.
    w.svc
        .add_grant(
            &w.who(w.root_admin).await,
            w.admin_a,
            Role::SystemAdmin.code(),
            w.a,
        )
        .await
        .unwrap();
    let r = import(
        &w,
        w.admin_a,
        ImportKind::People,
        book(&[
            header,
            &["wang.wu", "王五", "甲一厂", "", "", "系统管理员"],
            &["zhao.liu", "赵六", "乙一厂", "", "", ""],
            &["bad@name", "某人", "甲一厂", "", "", ""],
        ]),
        false,
    )
    .await
    .unwrap();
    assert_eq!(
        r.all_problems(),
        [
            "第 2 行 F 列（角色）：只有全集团的系统管理员才能授予“系统管理员”角色",
            "第 3 行 C 列（所属单位）：找不到单位“乙一厂”，或该单位不在您管理的范围内",
            "第 4 行 A 列（账号）：账号“bad@name”无法用于登录：只能使用字母、数字和 . _ -",
        ]
    );
    assert_eq!(w.count("users").await, before + 2);
    w.assert_audit_intact().await;
}

both_backends!(
    people_import,
    people_get_accounts_roles_and_a_password_shown_once
);

async fn a_kept_upload_is_its_uploaders_only(backend: Backend) {
    let w = World::new(backend).await;
    let admin_a = w.who(w.admin_a).await;
    let bytes = ledger(&[["1", "修缮职工浴室", "甲一厂", "", "", "", "", "", ""]]);
    let mut req = ImportRequest::new(ImportKind::Ledger, "台账.xlsx", bytes);
    let report = w.svc.run_import(&admin_a, &req, &NoProgress).await.unwrap();
    assert!(!report.has_problems() && !report.written);
    req.dry_run = false;
    let token = w.svc.keep_upload(&admin_a, &req).await.unwrap();
    assert_eq!(w.count("import_uploads").await, 1);
    // Another admin who reaches the same unit cannot use it, nor cancel it.
    let root = w.who(w.root_admin).await;
    not_found(w.svc.import_kept(&root, &token, "zh-CN", &NoProgress).await);
    w.svc.forget_upload(&root, &token).await.unwrap();
    assert_eq!(w.count("import_uploads").await, 1, "still the uploader's");
    let r = w
        .svc
        .import_kept(&admin_a, &token, "zh-CN", &NoProgress)
        .await
        .unwrap();
    assert!(r.written && r.created == 1 && r.filename == "台账.xlsx");
    assert_eq!(
        w.count("import_uploads").await,
        0,
        "forgotten once imported"
    );
    not_found(
        w.svc
            .import_kept(&admin_a, &token, "zh-CN", &NoProgress)
            .await,
    );
    // After a day it is gone.
    let token = w.svc.keep_upload(&admin_a, &req).await.unwrap();
    w.clock
        .set(w.now() + shishi_service::imports::UPLOAD_TTL_MS + 1);
    not_found(w.svc.kept_upload(&admin_a, &token).await);
    assert_eq!(w.count("matters").await, 1);
    // The uploader cancels: it is gone.
    w.svc.forget_upload(&admin_a, &token).await.unwrap();
    assert_eq!(w.count("import_uploads").await, 0);
    // Nothing is kept for who may not import it, nor beyond the size limit.
    forbidden(
        w.svc.keep_upload(&w.who(w.handler_a1).await, &req).await,
        "import.not_allowed",
    );
    let huge = ImportRequest::new(ImportKind::Ledger, "大.xlsx", vec![0; MAX_IMPORT_BYTES + 1]);
    conflict(
        w.svc.keep_upload(&admin_a, &huge).await,
        "import.file_too_large",
    );
    assert_eq!(w.count("import_uploads").await, 0);
}

both_backends!(kept_uploads, a_kept_upload_is_its_uploaders_only);

async fn a_file_over_the_limit_is_refused_unread(backend: Backend) {
    let w = World::new(backend).await;
    let admin_a = w.who(w.admin_a).await;
    let mut req = ImportRequest::new(ImportKind::Ledger, "大.xlsx", vec![0; MAX_IMPORT_BYTES + 1]);
    req.dry_run = false;
    let r = w.svc.run_import(&admin_a, &req, &NoProgress).await.unwrap();
    assert!(!r.written && r.rows.is_empty());
    assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
    assert!(
        r.problems[0].starts_with("文件过大（20.0 MB），一次最多导入 20 MB"),
        "{:?}",
        r.problems
    );
    // Scope is checked first: who may not import learns nothing about the file.
    forbidden(
        w.svc
            .run_import(&w.who(w.handler_a1).await, &req, &NoProgress)
            .await,
        "import.not_allowed",
    );
    assert_eq!(w.count("matters").await, 0);
}

both_backends!(too_large, a_file_over_the_limit_is_refused_unread);

mod real;
