//! Ledgers as offices keep them, through the service on both backends: the real layout
//! (a title naming the year, 项目名称 / 具体内容 / 责任单位 merged down / 责任人 / 完成时限 /
//! 进展情况 / 备注), the five determinations deciding proposed or not, completion days,
//! campaigns, unit names mapped to units and kept, and the exported ledger imported again.

use rust_xlsxwriter::{Format, FormatAlign, Workbook};
use shishi_core::MatterAction;
use shishi_service::campaigns::CampaignInput;
use shishi_service::imports::{ImportKind, ImportRequest, NoProgress, RowAction, UnitAliasInput};
use shishi_service::matters::LedgerFilter;
use shishi_service::{Actor, ServiceResult};
use shishi_store::{Backend, both_backends};

use super::{World, actions, matter_id, not_found};

/// A workbook as an office keeps it: the title merged over the table, then the header, then
/// `rows` with the cells of 责任单位 (column D) merged down over `merges` (first and last
/// 0-based row). Empty strings leave the cell blank.
fn office_book(title: &str, header: &[&str], rows: &[Vec<&str>], merges: &[(u32, u32)]) -> Vec<u8> {
    let mut workbook = Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("办实事清单").expect("a name");
    let centre = Format::new().set_align(FormatAlign::Center);
    let last = (header.len() - 1) as u16;
    sheet
        .merge_range(0, 0, 0, last, title, &centre)
        .expect("the title");
    for (c, h) in header.iter().enumerate() {
        sheet.write_string(1, c as u16, *h).expect("a header");
    }
    for &(first, end) in merges {
        let unit = rows[first as usize - 2][3];
        sheet
            .merge_range(first, 3, end, 3, unit, &centre)
            .expect("a merged unit");
    }
    for (r, cells) in rows.iter().enumerate() {
        let r = r as u32 + 2;
        for (c, text) in cells.iter().enumerate() {
            let merged = c == 3 && merges.iter().any(|&(a, b)| a <= r && r <= b);
            if !text.is_empty() && !merged {
                sheet.write_string(r, c as u16, *text).expect("a cell");
            }
        }
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

/// 甲一厂's three matters under one merged unit cell, and one of 甲二厂's.
fn office_rows(last_deadline: &str) -> Vec<Vec<&str>> {
    vec![
        vec![
            "1",
            "职工食堂增设夜班窗口",
            "增设夜班窗口，延长供餐时间",
            "甲一厂",
            "甲一厂责任人",
            "6月30日前",
            "已完成",
            "职工代表提案",
        ],
        vec![
            "2",
            "更换车间老旧空调",
            "分批更换老旧空调",
            "",
            "handler_a1",
            "年底前",
            "正在推进，已完成招标",
            "",
        ],
        vec![
            "3",
            "开通职工通勤班车",
            "开通两条通勤线路",
            "",
            "",
            "2021年12月底",
            "推进中",
            "",
        ],
        vec![
            "4",
            "建立困难职工帮扶台账",
            "走访建档，一人一策",
            "甲二厂",
            "",
            last_deadline,
            "完成",
            "",
        ],
    ]
}

async fn run(
    w: &World,
    who: i64,
    req: &ImportRequest,
) -> ServiceResult<shishi_service::imports::ImportReport> {
    let actor: Actor = w.who(who).await;
    w.svc.run_import(&actor, req, &NoProgress).await
}

fn request(bytes: Vec<u8>, dry_run: bool) -> ImportRequest {
    let mut req = ImportRequest::new(ImportKind::Ledger, "办实事清单.xlsx", bytes);
    req.dry_run = dry_run;
    req
}

async fn an_office_ledger_comes_in_as_proposed_and_says_why(backend: Backend) {
    let w = World::new(backend).await;
    let title = "甲公司2021年“我为群众办实事”项目清单";
    // 长期坚持 is no deadline: the row says so and what to write, and nothing is written.
    let bytes = office_book(title, &OFFICE, &office_rows("长期坚持"), &[(2, 4)]);
    let r = run(&w, w.admin_a, &request(bytes, false)).await.unwrap();
    assert!(!r.written);
    use RowAction::*;
    assert_eq!(
        actions(&r),
        vec![(3, Create), (4, Create), (5, Create), (6, Error)]
    );
    assert_eq!(
        r.rows[3].messages,
        [
            "第 6 行 F 列（完成时限）：“长期坚持”不是明确的日期，清单中的事项需要明确的完成时限：请填写本年度完成的日期（如 2021年12月31日），并在备注中注明“长期坚持”"
        ]
    );
    assert_eq!(w.count("matters").await, 0);

    // With a date the dry run lists every row: each one proposed, and why.
    let bytes = office_book(title, &OFFICE, &office_rows("9月底"), &[(2, 4)]);
    let dry = run(&w, w.admin_a, &request(bytes.clone(), true))
        .await
        .unwrap();
    assert!(!dry.has_problems(), "{:?}", dry.all_problems());
    assert_eq!(
        dry.notes,
        ["未写年份的完成时限（如“6月30日前”）按表格标题中的 2021 年计。"]
    );
    assert_eq!(
        dry.rows[0].messages,
        [
            "责任人：甲一厂责任人；完成时限：2021-06-30；状态：拟办；进度：0%",
            "五定不全（缺：验收标准），按拟办导入（表中为“已完成”）；补全后由单位管理员立项",
        ]
    );
    assert_eq!(
        dry.rows[2].messages[1],
        "五定不全（缺：责任人、验收标准），按拟办导入（表中为“推进中”）；补全后由单位管理员立项"
    );
    assert_eq!(dry.rows[1].unit, "甲一厂", "the merged unit reaches row 4");
    assert_eq!(dry.rows[3].unit, "甲二厂");
    let actor = w.who(w.admin_a).await;
    let mut en = request(bytes.clone(), true);
    en.locale = "en".into();
    let en = w.svc.run_import(&actor, &en, &NoProgress).await.unwrap();
    assert_eq!(
        en.rows[0].messages[1],
        "the five determinations are incomplete (missing: Acceptance standard): imported as proposed instead of completed; the unit admin approves it once they are filled in"
    );
    assert_eq!(w.count("matters").await, 0, "a dry run writes nothing");

    let r = run(&w, w.admin_a, &request(bytes.clone(), false))
        .await
        .unwrap();
    assert!(r.written, "{:?}", r.all_problems());
    assert_eq!(r.created, 4);
    let canteen = w.row(matter_id(&w, "职工食堂增设夜班窗口").await).await;
    assert_eq!(
        canteen.status, "proposed",
        "never approved without all five"
    );
    assert_eq!(canteen.unit_id, w.a1);
    assert_eq!(canteen.measures, "增设夜班窗口，延长供餐时间");
    assert_eq!(canteen.deadline.as_deref(), Some("2021-06-30"));
    assert_eq!(canteen.description, "职工代表提案");
    assert_eq!(canteen.completed_on, None, "proposed is not done");
    let detail = w.detail(canteen.id).await;
    assert_eq!(detail.progress[0].narrative, "已完成");
    let bus = w.row(matter_id(&w, "开通职工通勤班车").await).await;
    assert_eq!(
        (bus.unit_id, bus.deadline.as_deref()),
        (w.a1, Some("2021-12-31"))
    );
    let books = w.row(matter_id(&w, "建立困难职工帮扶台账").await).await;
    assert_eq!(
        (books.unit_id, books.deadline.as_deref()),
        (w.a2, Some("2021-09-30"))
    );
    // Nothing of it may be approved before the five are there.
    let refused = w
        .try_step(w.admin_a, canteen.id, MatterAction::Approve, "")
        .await;
    assert!(refused.is_err(), "{refused:?}");
    // Again: nothing new.
    let r = run(&w, w.admin_a, &request(bytes, false)).await.unwrap();
    assert_eq!((r.created, r.skipped), (0, 4));
    w.assert_audit_intact().await;
}

both_backends!(
    office_ledger,
    an_office_ledger_comes_in_as_proposed_and_says_why
);

const FULL: [&str; 9] = [
    "序号",
    "项目名称",
    "具体内容",
    "责任单位",
    "责任人",
    "完成时限",
    "验收标准",
    "进展情况",
    "批次",
];

async fn complete_rows_keep_their_status_day_and_campaign(backend: Backend) {
    let w = World::new(backend).await;
    let root = w.who(w.root_admin).await;
    let campaign = |name: &str, scope: i64| CampaignInput {
        name: name.into(),
        starts_on: "2021-01-01".into(),
        ends_on: "2021-12-31".into(),
        stage: "implementation".into(),
        scope_unit_id: scope,
        ..Default::default()
    };
    let first = w
        .svc
        .create_campaign(&root, &campaign("2021年第一批", w.a))
        .await
        .unwrap();
    let second = w
        .svc
        .create_campaign(&root, &campaign("2021年第二批", w.a))
        .await
        .unwrap();
    let theirs = w
        .svc
        .create_campaign(&root, &campaign("乙公司专项", w.b))
        .await
        .unwrap();
    let rows = vec![
        vec![
            "1",
            "更换车间照明灯具",
            "更换LED灯具",
            "甲一厂",
            "handler_a1",
            "2021-10-30",
            "照度达标",
            "已完成",
            "",
        ],
        vec![
            "2",
            "职工食堂增设夜班窗口",
            "增设窗口",
            "甲一厂",
            "handler_a1",
            "2021-12-31",
            "夜班职工均可就餐",
            "正在推进",
            "2021年第二批",
        ],
        vec![
            "3",
            "厂区道路修补",
            "修补路面",
            "甲二厂",
            "handler_a1",
            "2021-12-31",
            "路面平整",
            "",
            "",
        ],
    ];
    let bytes = office_book("甲公司2021年办实事项目清单", &FULL, &rows, &[]);

    // A campaign the actor does not see is not found; a year out of range is refused.
    let mut req = request(bytes.clone(), true);
    req.campaign = Some(theirs.id);
    not_found(run(&w, w.admin_a, &req).await);
    let mut req = request(bytes.clone(), true);
    req.year = Some(1999);
    req.completed_on = Some(chrono::NaiveDate::from_ymd_opt(2030, 1, 1).unwrap());
    match run(&w, w.admin_a, &req).await {
        Err(shishi_service::ServiceError::Invalid(fields)) => {
            let named: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
            assert_eq!(named, ["year", "completed_on"]);
        }
        other => panic!("expected Invalid, got {other:?}"),
    }

    // The whole import in 第一批, row 3 in its own; the completion day given.
    let mut req = request(bytes.clone(), true);
    req.campaign = Some(first.id);
    req.completed_on = chrono::NaiveDate::from_ymd_opt(2021, 10, 28);
    let dry = run(&w, w.admin_a, &req).await.unwrap();
    assert!(!dry.has_problems(), "{:?}", dry.all_problems());
    assert!(
        dry.notes
            .contains(&"未填写批次的事项均归入批次“2021年第一批”。".to_string())
    );
    assert_eq!(
        dry.rows[0].messages,
        [
            "责任人：甲一厂责任人；完成时限：2021-10-30；状态：已完成（按进展情况）；进度：100%；批次：2021年第一批",
            "完成日期：2021-10-28（导入时填写）",
        ]
    );
    assert!(dry.rows[1].messages[0].contains("状态：推进中（按进展情况）"));
    assert!(dry.rows[1].messages[0].ends_with("批次：2021年第二批"));
    assert!(dry.rows[2].messages[0].contains("状态：已立项"));
    req.dry_run = false;
    let r = run(&w, w.admin_a, &req).await.unwrap();
    assert!(r.written);
    let lamps = w.row(matter_id(&w, "更换车间照明灯具").await).await;
    assert_eq!(
        (
            lamps.status.as_str(),
            lamps.progress,
            lamps.completed_on.as_deref(),
            lamps.campaign_id
        ),
        ("completed", 100, Some("2021-10-28"), Some(first.id))
    );
    let canteen = w.row(matter_id(&w, "职工食堂增设夜班窗口").await).await;
    assert_eq!(
        (canteen.status.as_str(), canteen.campaign_id),
        ("in_progress", Some(second.id))
    );
    let road = w.row(matter_id(&w, "厂区道路修补").await).await;
    assert_eq!(
        (road.status.as_str(), road.campaign_id),
        ("approved", Some(first.id))
    );

    // A campaign the sheet names that is not there: the row and column say so.
    let mut bad = rows.clone();
    bad[0][1] = "新的一件实事";
    bad[0][8] = "乙公司专项";
    let bytes = office_book("甲公司2021年办实事项目清单", &FULL, &bad[..1], &[]);
    let r = run(&w, w.admin_a, &request(bytes, false)).await.unwrap();
    assert_eq!(
        r.all_problems(),
        [
            "第 3 行 I 列（批次）：找不到批次“乙公司专项”，或该批次不在您的范围内，可填：2021年第二批、2021年第一批"
        ]
    );
    w.assert_audit_intact().await;
}

both_backends!(
    complete_rows,
    complete_rows_keep_their_status_day_and_campaign
);

async fn unit_names_are_mapped_once_and_kept(backend: Backend) {
    let w = World::new(backend).await;
    let rows = vec![
        vec![
            "1",
            "党员活动室改造",
            "更新设施",
            "机关党委",
            "",
            "2021-12-31",
            "",
            "",
        ],
        vec!["2", "职工书屋", "购书", "甲一厂", "", "2021-12-31", "", ""],
    ];
    let bytes = office_book("甲公司2021年办实事项目清单", &OFFICE, &rows, &[]);
    let r = run(&w, w.admin_a, &request(bytes.clone(), true))
        .await
        .unwrap();
    assert_eq!(r.unmatched_units, ["机关党委"]);
    assert_eq!(
        r.all_problems(),
        [
            "第 3 行 D 列（责任单位）：找不到单位“机关党委”，或该单位不在您管理的范围内；可在试运行结果下方把它对应到您管理的单位（对应关系会保存，下次导入自动使用）"
        ]
    );
    let admin_a = w.who(w.admin_a).await;
    let map = |unit: i64| {
        vec![UnitAliasInput {
            name: " 机关党委 ".into(),
            unit_id: Some(unit),
        }]
    };
    // Outside the importer's subtree: not found, nothing kept; who may not import may not map.
    not_found(w.svc.save_unit_aliases(&admin_a, &map(w.b1)).await);
    let handler = w.who(w.handler_a1).await;
    assert!(matches!(
        w.svc.save_unit_aliases(&handler, &map(w.a1)).await,
        Err(shishi_service::ServiceError::Forbidden(_))
    ));
    assert_eq!(w.count("import_unit_aliases").await, 0);
    assert!(matches!(
        w.svc
            .save_unit_aliases(
                &admin_a,
                &[UnitAliasInput {
                    name: " ".into(),
                    unit_id: Some(w.a1)
                }]
            )
            .await,
        Err(shishi_service::ServiceError::Invalid(_))
    ));

    w.svc.save_unit_aliases(&admin_a, &map(w.a1)).await.unwrap();
    let kept = w.svc.unit_aliases(&admin_a).await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        (
            kept[0].name.as_str(),
            kept[0].unit_id,
            kept[0].unit.as_str()
        ),
        ("机关党委", w.a1, "示范集团/甲公司/甲一厂")
    );
    let r = run(&w, w.admin_a, &request(bytes.clone(), false))
        .await
        .unwrap();
    assert!(r.written, "{:?}", r.all_problems());
    assert_eq!(r.rows[0].unit, "甲一厂");
    assert_eq!(
        r.rows[0].messages[0],
        "责任单位“机关党委”按已保存的单位对应关系记为“甲一厂”"
    );
    let room = w.row(matter_id(&w, "党员活动室改造").await).await;
    assert_eq!(room.unit_id, w.a1);

    // The next import of the same organisation uses it: 甲一厂's own admin, with a new file.
    let next = vec![vec![
        "1",
        "党员活动室添置图书",
        "购书",
        "机关党委",
        "",
        "2021-12-31",
        "",
        "",
    ]];
    let bytes = office_book("甲一厂2021年办实事项目清单", &OFFICE, &next, &[]);
    let r = run(&w, w.admin_a1, &request(bytes.clone(), true))
        .await
        .unwrap();
    assert!(!r.has_problems(), "{:?}", r.all_problems());
    assert_eq!(r.rows[0].unit, "甲一厂");
    // Another organisation does not: the target is not theirs.
    let r = run(&w, w.admin_b, &request(bytes, true)).await.unwrap();
    assert_eq!(r.unmatched_units, ["机关党委"]);
    // Forgetting it.
    w.svc
        .save_unit_aliases(
            &admin_a,
            &[UnitAliasInput {
                name: "机关党委".into(),
                unit_id: None,
            }],
        )
        .await
        .unwrap();
    assert_eq!(w.count("import_unit_aliases").await, 0);
    w.assert_audit_intact().await;
}

both_backends!(unit_aliases, unit_names_are_mapped_once_and_kept);

async fn an_exported_ledger_imported_again_creates_nothing(backend: Backend) {
    let w = World::new(backend).await;
    let root = w.who(w.root_admin).await;
    let campaign = w
        .svc
        .create_campaign(
            &root,
            &CampaignInput {
                name: "2026年第一批".into(),
                starts_on: "2026-01-01".into(),
                ends_on: "2026-12-31".into(),
                stage: "implementation".into(),
                scope_unit_id: w.a,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    // Two units of one name: the export writes their paths.
    let mut offices = Vec::new();
    for parent in [w.a1, w.a2] {
        let unit = w
            .svc
            .create_unit(
                &root,
                Some(parent),
                &shishi_service::units::UnitInput {
                    name: "办公室".into(),
                    kind: "department".into(),
                    sort_order: 0,
                },
            )
            .await
            .unwrap();
        offices.push(unit.id);
    }
    let admin_a = w.who(w.admin_a).await;
    let mut input = w.input("职工食堂增设夜班窗口", w.a1, "2026-12-31");
    input.campaign_id = Some(campaign.id);
    input.supervisor_id = Some(w.sup_a);
    let canteen = w
        .svc
        .create_matter(&admin_a, None, &input)
        .await
        .unwrap()
        .id;
    w.step(w.admin_a, canteen, MatterAction::Approve, "").await;
    w.step(w.handler_a1, canteen, MatterAction::Start, "").await;
    // Extended once: the ledger keeps the original deadline.
    let handler = w.who(w.handler_a1).await;
    let ext = w
        .svc
        .request_extension(&handler, canteen, "2027-01-31", "设备到货推迟")
        .await
        .unwrap();
    w.svc
        .decide_extension(
            &admin_a,
            ext.id,
            &shishi_service::driving::ExtensionDecision {
                approve: true,
                note: String::new(),
            },
        )
        .await
        .unwrap();
    let one = w.listed("办公室换窗帘", offices[0], "2026-12-20").await;
    let two = w.listed("办公室换窗帘", offices[1], "2026-12-21").await;
    let proposed = w.proposed("修缮职工浴室", w.a2, "2026-12-31").await;
    let before = w.count("matters").await;

    let workbook = w
        .svc
        .ledger_workbook(&admin_a, &LedgerFilter::default(), "zh-CN")
        .await
        .unwrap();
    let parsed = shishi_report::import::read_ledger(&workbook.bytes, None).expect("it reads");
    assert_eq!(parsed.problems, vec![]);
    assert!(
        parsed.columns.iter().all(|c| c.field.is_some()),
        "{:?}",
        parsed.columns
    );
    let row = |title: &str, unit: &str| {
        parsed
            .rows
            .iter()
            .find(|r| r.title == title && r.unit.as_deref() == Some(unit))
            .unwrap_or_else(|| panic!("{title} of {unit} in {:#?}", parsed.rows))
    };
    let c = row("职工食堂增设夜班窗口", "甲一厂");
    assert_eq!(c.owner.as_deref(), Some("甲一厂责任人"));
    assert_eq!(c.measures.as_deref(), Some("制定方案，分步实施"));
    assert_eq!(c.acceptance_standard.as_deref(), Some("职工满意度达到90%"));
    assert_eq!(c.supervisor.as_deref(), Some("甲公司督导"));
    assert_eq!(c.campaign.as_deref(), Some("2026年第一批"));
    assert_eq!(c.deadline, chrono::NaiveDate::from_ymd_opt(2027, 1, 31));
    assert_eq!(
        c.original_deadline,
        chrono::NaiveDate::from_ymd_opt(2026, 12, 31)
    );
    assert_eq!(c.status.map(|s| s.code()), Some("in_progress"));
    row("办公室换窗帘", "甲一厂/办公室");
    row("办公室换窗帘", "甲二厂/办公室");

    // Imported again by the one who exported it: every row is there, nothing is created.
    let r = run(&w, w.admin_a, &request(workbook.bytes.clone(), false))
        .await
        .unwrap();
    assert!(!r.has_problems(), "{:?}", r.all_problems());
    assert_eq!((r.created, r.skipped), (0, parsed.rows.len()));
    assert_eq!(w.count("matters").await, before);
    for id in [canteen, one, two, proposed] {
        assert_eq!(
            w.matter_text(id, "import_key").await,
            None,
            "{id} untouched"
        );
    }

    // Into an organisation without them, every column comes back.
    let fresh = World::new(backend).await;
    let fresh_root = fresh.who(fresh.root_admin).await;
    let moved = fresh
        .svc
        .create_campaign(
            &fresh_root,
            &CampaignInput {
                name: "2026年第一批".into(),
                starts_on: "2026-01-01".into(),
                ends_on: "2026-12-31".into(),
                stage: "implementation".into(),
                scope_unit_id: fresh.a,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    for parent in [fresh.a1, fresh.a2] {
        fresh
            .svc
            .create_unit(
                &fresh_root,
                Some(parent),
                &shishi_service::units::UnitInput {
                    name: "办公室".into(),
                    kind: "department".into(),
                    sort_order: 0,
                },
            )
            .await
            .unwrap();
    }
    let r = run(&fresh, fresh.admin_a, &request(workbook.bytes, false))
        .await
        .unwrap();
    assert!(r.written, "{:?}", r.all_problems());
    assert_eq!(r.created, parsed.rows.len());
    let copy = fresh
        .row(matter_id(&fresh, "职工食堂增设夜班窗口").await)
        .await;
    let original = w.row(canteen).await;
    assert_eq!(copy.status, original.status);
    assert_eq!(copy.owner_id, Some(fresh.handler_a1));
    assert_eq!(copy.supervisor_id, Some(fresh.sup_a));
    assert_eq!(copy.campaign_id, Some(moved.id));
    assert_eq!(copy.measures, original.measures);
    assert_eq!(copy.acceptance_standard, original.acceptance_standard);
    assert_eq!(copy.deadline, original.deadline);
    assert_eq!(copy.original_deadline, original.original_deadline);
    assert_eq!(
        copy.description,
        original.description.trim().to_string() + "；延期1次"
    );
    let bath = fresh.row(matter_id(&fresh, "修缮职工浴室").await).await;
    assert_eq!(bath.status, "proposed");
}

both_backends!(
    export_round_trip,
    an_exported_ledger_imported_again_creates_nothing
);
