//! The binary as an operator uses it: init, demo, audit verify, on a SQLite data directory.

use std::process::Command;

fn shishi(dir: &std::path::Path, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_shishi"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("SHISHI_DATABASE_URL")
        .output()
        .expect("shishi runs")
}

#[test]
fn demo_then_verify_then_tamper() {
    let dir = tempfile::tempdir().unwrap();
    let out = shishi(dir.path(), &["demo"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("shishi-demo") && text.contains("admin"),
        "the logins are printed: {text}"
    );

    let again = shishi(dir.path(), &["demo"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("not loaded"));

    let out = shishi(dir.path(), &["audit", "verify"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));

    // Edit one audit row behind the application's back.
    let db = dir.path().join("shishi.db");
    let status = Command::new("python3")
        .arg("-c")
        .arg(format!(
            "import sqlite3; c=sqlite3.connect('{}'); c.execute(\"UPDATE audit_events SET details='{{}}' WHERE seq=7\"); c.commit()",
            db.display()
        ))
        .status();
    if !status.map(|s| s.success()).unwrap_or(false) {
        eprintln!(
            "python3 with sqlite3 is not available; the tamper half is covered by the store tests"
        );
        return;
    }
    let out = shishi(dir.path(), &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("event 7"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn init_generates_a_password_once() {
    let dir = tempfile::tempdir().unwrap();
    let out = shishi(dir.path(), &["init", "--org", "测试集团"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Generated password"));
    let out = shishi(dir.path(), &["init", "--org", "测试集团"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("already initialised"));
}

#[test]
fn a_bad_database_url_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = shishi(dir.path(), &["--database-url", "mysql://x/y", "demo"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unsupported database URL"));
}

#[test]
fn report_weekly_prints_the_table_and_writes_a_workbook() {
    let dir = tempfile::tempdir().unwrap();
    assert!(shishi(dir.path(), &["demo"]).status.success());
    let out_file = dir.path().join("周统计表.xlsx");
    let out = shishi(
        dir.path(),
        &[
            "report",
            "weekly",
            "--unit",
            "示范钢铁股份有限公司",
            "--week",
            "2026-W47",
            "--xlsx",
            out_file.to_str().unwrap(),
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("2026年第47周") && stdout.contains("第一炼钢厂") && stdout.contains("合计")
    );
    let mut book: calamine::Xlsx<_> = calamine::open_workbook(&out_file).unwrap();
    use calamine::Reader;
    let range = book.worksheet_range("周统计表").unwrap();
    assert!(
        range
            .rows()
            .any(|r| r.first().is_some_and(|c| *c == "第一炼钢厂"))
    );

    // A period of the wrong kind, a unit nobody has, and a user who may not see it: errors
    // that say so, and no file.
    for (args, says) in [
        (
            vec!["report", "weekly", "--week", "2026-11"],
            "not a weekly period",
        ),
        (
            vec!["report", "weekly", "--unit", "不存在的单位"],
            "no unit is named",
        ),
        (
            vec![
                "report",
                "weekly",
                "--as",
                "sub2admin",
                "--unit",
                "示范钢铁股份有限公司",
            ],
            "not found",
        ),
    ] {
        let out = shishi(dir.path(), &args);
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{args:?}"
        );
    }
}

/// A one-sheet workbook of strings from A1.
fn workbook(rows: &[&[&str]]) -> Vec<u8> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    for (r, cells) in rows.iter().enumerate() {
        for (c, text) in cells.iter().enumerate() {
            if !text.is_empty() {
                sheet.write_string(r as u32, c as u16, *text).unwrap();
            }
        }
    }
    book.save_to_buffer().unwrap()
}

#[test]
fn import_ledger_checks_imports_once_and_names_problems() {
    let dir = tempfile::tempdir().unwrap();
    assert!(shishi(dir.path(), &["demo"]).status.success());
    let header: &[&str] = &[
        "序号",
        "事项名称",
        "责任单位",
        "责任人",
        "完成时限",
        "完成状态",
    ];
    let good = dir.path().join("台账.xlsx");
    std::fs::write(
        &good,
        workbook(&[
            header,
            &[
                "1",
                "炼钢厂浴室热水改造（命令行）",
                "第一炼钢厂",
                "王磊",
                "2026-12-31",
                "推进中",
            ],
            &[
                "2",
                "热轧厂更衣室改造（命令行）",
                "热轧厂",
                "",
                "2026年12月",
                "",
            ],
        ]),
    )
    .unwrap();
    let good = good.to_str().unwrap();
    let text = |out: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };

    let out = shishi(
        dir.path(),
        &["import", "ledger", good, "--dry-run", "--as", "sub1admin"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("第 2 行  将新建  炼钢厂浴室热水改造（命令行）")
            && stdout.contains("试运行：将新建 2 行"),
        "{stdout}"
    );
    assert!(
        !stdout.contains('\u{1b}'),
        "no progress bar when stdout is not a terminal"
    );

    let out = shishi(dir.path(), &["import", "ledger", good, "--as", "sub1admin"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("已导入：新建 2 行，跳过 0 行"));
    let out = shishi(dir.path(), &["import", "ledger", good, "--as", "sub1admin"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("已导入：新建 0 行，跳过 2 行"),
        "the same file again creates nothing"
    );

    // A unit of another subsidiary: exit 1, the row and column named, nothing written.
    let bad = dir.path().join("bad.xlsx");
    std::fs::write(
        &bad,
        workbook(&[
            header,
            &[
                "1",
                "选矿厂食堂改造（命令行）",
                "选矿厂",
                "",
                "2026-12-31",
                "",
            ],
        ]),
    )
    .unwrap();
    let bad = bad.to_str().unwrap();
    let out = shishi(dir.path(), &["import", "ledger", bad, "--as", "sub1admin"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("第 2 行 C 列（责任单位）：找不到单位“选矿厂”，或该单位不在您管理的范围内")
            && stdout.contains("什么都没有写入"),
        "{stdout}"
    );
    let out = shishi(
        dir.path(),
        &["import", "ledger", bad, "--as", "sub1admin", "--lang", "en"],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout)
            .contains("Row 2, column C (Responsible unit): no unit \"选矿厂\"")
    );

    // A unit admin imports no people; the system admin (the default) does.
    let people = dir.path().join("people.xlsx");
    std::fs::write(
        &people,
        workbook(&[
            &["账号", "姓名", "所属单位"],
            &["cli.person", "命令行同事", "热轧厂"],
        ]),
    )
    .unwrap();
    let people = people.to_str().unwrap();
    let out = shishi(
        dir.path(),
        &["import", "people", people, "--as", "sub1admin"],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("无权导入"));
    let out = shishi(dir.path(), &["import", "people", people]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(String::from_utf8_lossy(&out.stdout).contains("初始密码（只显示这一次）"));
}

/// Runs shishi with `input` on its standard input.
fn shishi_with_stdin(dir: &std::path::Path, args: &[&str], input: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_shishi"))
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .env_remove("SHISHI_DATABASE_URL")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("shishi runs");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(input.as_bytes())
        .expect("written");
    child.wait_with_output().expect("shishi ends")
}

/// Opens the data directory's database as the server would, to check what the commands did.
async fn services(dir: &std::path::Path) -> shishi_service::Services {
    let url = format!("sqlite://{}", dir.join("shishi.db").display());
    let store = shishi_store::Store::connect(&url).await.expect("opens");
    shishi_service::Services::new(store, shishi_service::Clock::system())
        .await
        .expect("services")
}

#[test]
fn admin_commands_restore_access() {
    let dir = tempfile::tempdir().unwrap();
    assert!(
        shishi(
            dir.path(),
            &["init", "--org", "测试集团", "--password", "first-password"]
        )
        .status
        .success()
    );
    let rt = tokio::runtime::Runtime::new().unwrap();
    let text = |out: &std::process::Output| {
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    };
    // The only system admin got deactivated behind the application's back: nobody can sign in
    // to administer the system.
    rt.block_on(async {
        let svc = services(dir.path()).await;
        let mut tx = svc.store.write().await.unwrap();
        sqlx::query("UPDATE users SET active = 0 WHERE username = 'admin'")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(svc.authenticate("admin", "first-password").await.is_err());
    });

    let out = shishi(dir.path(), &["admin", "grant", "nobody"]);
    assert!(!out.status.success());
    assert!(text(&out).contains("no account is named"), "{}", text(&out));
    let out = shishi(dir.path(), &["admin", "grant", "admin"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(text(&out).contains("reactivated"), "{}", text(&out));
    let out = shishi(dir.path(), &["admin", "grant", "admin"]);
    assert!(text(&out).contains("nothing changed"), "{}", text(&out));
    rt.block_on(async {
        let svc = services(dir.path()).await;
        let actor = svc.authenticate("admin", "first-password").await.unwrap();
        assert!(actor.is_root_admin());
    });

    // A generated password, shown once.
    let out = shishi(dir.path(), &["admin", "reset-password", "admin"]);
    assert!(out.status.success(), "{}", text(&out));
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let generated = stdout
        .lines()
        .find_map(|l| l.strip_prefix("Generated password (shown once): "))
        .expect("the password is printed")
        .trim()
        .to_string();
    rt.block_on(async {
        let svc = services(dir.path()).await;
        assert!(svc.authenticate("admin", "first-password").await.is_err());
        assert!(svc.authenticate("admin", &generated).await.is_ok());
    });

    // Or one read from standard input, never printed; a short one is refused.
    let out = shishi_with_stdin(
        dir.path(),
        &["admin", "reset-password", "admin", "--password-stdin"],
        "short\n",
    );
    assert!(!out.status.success());
    assert!(
        text(&out).contains("at least 8 characters"),
        "{}",
        text(&out)
    );
    let out = shishi_with_stdin(
        dir.path(),
        &["admin", "reset-password", "admin", "--password-stdin"],
        "chosen-password-7\n",
    );
    assert!(out.status.success(), "{}", text(&out));
    assert!(!text(&out).contains("chosen-password-7") && !text(&out).contains("Generated"));
    rt.block_on(async {
        let svc = services(dir.path()).await;
        assert!(svc.authenticate("admin", "chosen-password-7").await.is_ok());
        // Recorded without an actor, as from the command line.
        let mut conn = svc.store.read().await.unwrap();
        let rows: Vec<(Option<i64>, String, String)> = sqlx::query_as(
            "SELECT actor_id, action, details FROM audit_events
             WHERE action IN ('admin_granted', 'password_reset') ORDER BY seq",
        )
        .fetch_all(&mut *conn)
        .await
        .unwrap();
        let actions: Vec<&str> = rows.iter().map(|r| r.1.as_str()).collect();
        assert_eq!(
            actions,
            ["admin_granted", "password_reset", "password_reset"]
        );
        assert!(
            rows.iter()
                .all(|(actor, _, d)| actor.is_none() && d.contains("command_line"))
        );
    });
    let out = shishi(dir.path(), &["audit", "verify"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn import_ledger_takes_a_campaign_a_year_and_unit_mappings() {
    let dir = tempfile::tempdir().unwrap();
    assert!(shishi(dir.path(), &["demo"]).status.success());
    let file = dir.path().join("清单.xlsx");
    std::fs::write(
        &file,
        workbook(&[
            &[
                "序号",
                "项目名称",
                "具体内容",
                "责任单位",
                "责任人",
                "完成时限",
                "进展情况",
            ],
            &[
                "1",
                "热轧厂澡堂改造（命令行）",
                "更换热水器",
                "热轧厂机关",
                "handler4",
                "6月30日前",
                "正在推进",
            ],
        ]),
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let campaign = "主题教育“为民办实事”专项";
    let out = shishi(
        dir.path(),
        &[
            "import",
            "ledger",
            file,
            "--dry-run",
            "--as",
            "sub1admin",
            "--campaign",
            campaign,
            "--year",
            "2021",
            "--map-unit",
            "热轧厂机关=热轧厂",
        ],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for text in [
        "未写年份的完成时限（如“6月30日前”）按导入时选择的 2021 年计。",
        "未填写批次的事项均归入批次“主题教育“为民办实事”专项”。",
        "责任单位“热轧厂机关”按已保存的单位对应关系记为“热轧厂”",
        "完成时限：2021-06-30",
        "批次：主题教育“为民办实事”专项",
    ] {
        assert!(stdout.contains(text), "{text} missing in {stdout}");
    }
    // The mapping is kept: the next run needs no --map-unit.
    let out = shishi(
        dir.path(),
        &[
            "import",
            "ledger",
            file,
            "--dry-run",
            "--as",
            "sub1admin",
            "--year",
            "2021",
        ],
    );
    assert_eq!(out.status.code(), Some(0));
    // A campaign out of reach, and a mapping to a unit out of reach, stop before anything.
    for (args, says) in [
        (
            vec!["--campaign", "示范矿业"],
            "no such campaign within your reach",
        ),
        (vec!["--map-unit", "机关=选矿厂"], "no unit \"选矿厂\""),
    ] {
        let mut all = vec!["import", "ledger", file, "--as", "sub1admin"];
        all.extend(args);
        let out = shishi(dir.path(), &all);
        assert!(!out.status.success());
        assert!(
            String::from_utf8_lossy(&out.stderr).contains(says),
            "{says}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
