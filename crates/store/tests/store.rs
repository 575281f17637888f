//! Storage behaviour, each test run on SQLite and on PostgreSQL.

use shishi_store::matters::{self, LedgerQuery, LedgerSort, MatterFields};
use shishi_store::testing::TestDb;
use shishi_store::{Backend, StoreError, audit, both_backends, units, users};

async fn migrations_are_idempotent(backend: Backend) {
    let db = TestDb::new(backend).await;
    assert!(
        db.store.migrate().await.unwrap().is_empty(),
        "second run applies nothing"
    );
}
both_backends!(migrations_are_idempotent_on, migrations_are_idempotent);

async fn tree_moves_carry_paths_and_counts(backend: Backend) {
    let db = TestDb::new(backend).await;
    let mut tx = db.store.write().await.unwrap();
    let group = units::insert(&mut tx, None, "集团", "group", 0)
        .await
        .unwrap();
    let a = units::insert(&mut tx, Some(&group), "甲公司", "subsidiary", 1)
        .await
        .unwrap();
    let b = units::insert(&mut tx, Some(&group), "乙公司", "subsidiary", 2)
        .await
        .unwrap();
    let a1 = units::insert(&mut tx, Some(&a), "甲一厂", "unit", 1)
        .await
        .unwrap();
    let f = |unit: &units::UnitRow, title: &str| MatterFields {
        title: title.into(),
        unit_id: unit.id,
        unit_path: unit.path.clone(),
        ..Default::default()
    };
    for i in 0..3 {
        matters::insert(
            &mut tx,
            None,
            &f(&a1, &format!("浴室热水{i}")),
            "in_progress",
            None,
            0,
        )
        .await
        .unwrap();
    }
    matters::insert(&mut tx, None, &f(&b, "食堂菜品"), "approved", None, 0)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut conn = db.store.read().await.unwrap();
    let count = |c: Vec<(String, i64)>| c.iter().map(|(_, n)| n).sum::<i64>();
    assert_eq!(
        count(
            matters::counts_by_status(&mut conn, &[group.id], true)
                .await
                .unwrap()
        ),
        4
    );
    assert_eq!(
        count(
            matters::counts_by_status(&mut conn, &[a.id], true)
                .await
                .unwrap()
        ),
        3
    );
    drop(conn);

    // Move 甲一厂 under 乙公司: its matters follow, and so do the counts.
    let mut tx = db.store.write().await.unwrap();
    let a1 = units::get(&mut tx, a1.id).await.unwrap();
    let b = units::get(&mut tx, b.id).await.unwrap();
    units::move_under(&mut tx, &a1, &b).await.unwrap();
    tx.commit().await.unwrap();

    let mut conn = db.store.read().await.unwrap();
    let moved = units::get(&mut conn, a1.id).await.unwrap();
    assert_eq!(moved.path, format!("{}{}/", b.path, a1.id));
    assert_eq!(moved.parent_id, Some(b.id));
    assert_eq!(
        count(
            matters::counts_by_status(&mut conn, &[a.id], true)
                .await
                .unwrap()
        ),
        0
    );
    assert_eq!(
        count(
            matters::counts_by_status(&mut conn, &[b.id], true)
                .await
                .unwrap()
        ),
        4
    );
    let q = LedgerQuery {
        roots: vec![b.path.clone()],
        root_ids: vec![b.id],
        limit: 10,
        ..Default::default()
    };
    let (rows, total) = matters::ledger(&mut conn, &q).await.unwrap();
    assert_eq!(total, 4);
    assert!(rows.iter().all(|r| r.unit_path.starts_with(&b.path)));
    // The subtree of 甲公司 holds no matter any more; a sibling with a longer id is no child.
    let q = LedgerQuery {
        roots: vec![a.path.clone()],
        root_ids: vec![a.id],
        limit: 10,
        ..Default::default()
    };
    assert_eq!(matters::ledger(&mut conn, &q).await.unwrap().0.len(), 0);
}
both_backends!(
    tree_moves_carry_paths_and_counts_on,
    tree_moves_carry_paths_and_counts
);

/// The tree the statistics tables read comes packed into one value: names holding the
/// separators, quotes or an emoji, a unit with no parent, negative sort orders and an empty
/// subtree all read back as they were written.
async fn tree_nodes_read_back_whatever_the_names(backend: Backend) {
    let db = TestDb::new(backend).await;
    let mut tx = db.store.write().await.unwrap();
    let group = units::insert(&mut tx, None, "集团;总部,本部", "group", 0)
        .await
        .unwrap();
    let a = units::insert(&mut tx, Some(&group), "甲'公司\"😀", "subsidiary", -3)
        .await
        .unwrap();
    let a1 = units::insert(&mut tx, Some(&a), "1,2;3", "unit", 7)
        .await
        .unwrap();
    let b = units::insert(&mut tx, Some(&group), ";", "subsidiary", 2)
        .await
        .unwrap();
    tx.commit().await.unwrap();
    let mut conn = db.store.read().await.unwrap();
    let mut nodes = units::tree_nodes(&mut conn, &group.path).await.unwrap();
    nodes.sort_by_key(|n| n.id);
    let expected: Vec<units::TreeNode> = [&group, &a, &a1, &b]
        .iter()
        .map(|u| units::TreeNode {
            id: u.id,
            parent_id: u.parent_id,
            name: u.name.clone(),
            sort_order: u.sort_order,
        })
        .collect();
    assert_eq!(nodes, expected);
    let under_a = units::tree_nodes(&mut conn, &a.path).await.unwrap();
    assert_eq!(under_a.len(), 2, "甲 and its plant, not its sibling");
    assert!(
        units::tree_nodes(&mut conn, "/999999/")
            .await
            .unwrap()
            .is_empty()
    );
}
both_backends!(
    tree_nodes_read_back_whatever_the_names_on,
    tree_nodes_read_back_whatever_the_names
);

async fn ledger_filters_sort_and_count(backend: Backend) {
    let db = TestDb::new(backend).await;
    let mut tx = db.store.write().await.unwrap();
    let group = units::insert(&mut tx, None, "集团", "group", 0)
        .await
        .unwrap();
    let plant = units::insert(&mut tx, Some(&group), "一厂", "unit", 0)
        .await
        .unwrap();
    let statuses = [
        "approved",
        "in_progress",
        "in_progress",
        "completed",
        "closed",
    ];
    for (i, s) in statuses.iter().enumerate() {
        let f = MatterFields {
            title: format!("事项{i}：职工{}", if i % 2 == 0 { "食堂" } else { "班车" }),
            unit_id: plant.id,
            unit_path: plant.path.clone(),
            deadline: Some(format!("2026-11-{:02}", 10 + i)),
            ..Default::default()
        };
        matters::insert(&mut tx, None, &f, s, None, 0)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    let mut conn = db.store.read().await.unwrap();
    let base = LedgerQuery {
        roots: vec![group.path.clone()],
        root_ids: vec![group.id],
        limit: 2,
        ..Default::default()
    };
    let (rows, total) = matters::ledger(&mut conn, &base).await.unwrap();
    assert_eq!((rows.len(), total), (2, 5));
    let q = LedgerQuery {
        statuses: vec!["in_progress".into()],
        ..base.clone()
    };
    assert_eq!(matters::ledger(&mut conn, &q).await.unwrap().1, 2);
    let q = LedgerQuery {
        title: Some("食堂".into()),
        limit: 10,
        ..base.clone()
    };
    assert_eq!(matters::ledger(&mut conn, &q).await.unwrap().1, 3);
    // A LIKE wildcard in the search is taken literally.
    let q = LedgerQuery {
        title: Some("%".into()),
        ..base.clone()
    };
    assert_eq!(matters::ledger(&mut conn, &q).await.unwrap().1, 0);
    // Overdue on 11-13: open work (approved, in progress) due before it.
    let q = LedgerQuery {
        overdue_before: Some("2026-11-13".into()),
        limit: 10,
        ..base.clone()
    };
    assert_eq!(matters::ledger(&mut conn, &q).await.unwrap().1, 3);
    assert_eq!(
        matters::overdue_count(&mut conn, &[group.id], "2026-11-13")
            .await
            .unwrap(),
        3
    );
    assert_eq!(matters::count_matching(&mut conn, &q).await.unwrap(), 3);
    assert_eq!(
        matters::overdue_count(&mut conn, &[plant.id], "2026-11-12")
            .await
            .unwrap(),
        2,
        "in_progress due 11-11 and approved due 11-10"
    );
    let q = LedgerQuery {
        sort: LedgerSort::DeadlineDesc,
        limit: 10,
        ..base.clone()
    };
    let rows = matters::ledger(&mut conn, &q).await.unwrap().0;
    assert_eq!(rows[0].deadline.as_deref(), Some("2026-11-14"));
    // The counts agree with a recount.
    let before = matters::counts_by_status(&mut conn, &[group.id], false)
        .await
        .unwrap();
    drop(conn);
    let mut tx = db.store.write().await.unwrap();
    matters::rebuild_counts(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    let mut conn = db.store.read().await.unwrap();
    let mut after = matters::counts_by_status(&mut conn, &[group.id], false)
        .await
        .unwrap();
    let mut before = before;
    before.sort();
    after.sort();
    assert_eq!(before, after);
}
both_backends!(
    ledger_filters_sort_and_count_on,
    ledger_filters_sort_and_count
);

async fn audit_chain_detects_tampering(backend: Backend) {
    let db = TestDb::new(backend).await;
    let mut tx = db.store.write().await.unwrap();
    for i in 0..5 {
        audit::append(
            &mut tx,
            None,
            "test",
            "thing",
            Some(i),
            &serde_json::json!({"n": i}),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let mut conn = db.store.read().await.unwrap();
    assert_eq!(
        audit::verify(&mut conn).await.unwrap(),
        audit::VerifyOutcome::Intact { events: 5 }
    );

    sqlx::query("UPDATE audit_events SET details = '{\"n\":99}' WHERE seq = 3")
        .execute(&mut *conn)
        .await
        .unwrap();
    match audit::verify(&mut conn).await.unwrap() {
        audit::VerifyOutcome::Broken { seq, .. } => assert_eq!(seq, 3),
        other => panic!("tampering not seen: {other:?}"),
    }
}
both_backends!(
    audit_chain_detects_tampering_on,
    audit_chain_detects_tampering
);

async fn audit_chain_detects_deletion(backend: Backend) {
    let db = TestDb::new(backend).await;
    let mut tx = db.store.write().await.unwrap();
    for i in 0..4 {
        audit::append(
            &mut tx,
            Some(1),
            "test",
            "thing",
            Some(i),
            &serde_json::json!({}),
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let mut conn = db.store.read().await.unwrap();
    sqlx::query("DELETE FROM audit_events WHERE seq = 4")
        .execute(&mut *conn)
        .await
        .unwrap();
    match audit::verify(&mut conn).await.unwrap() {
        audit::VerifyOutcome::Broken { seq, .. } => assert_eq!(seq, 4, "the deleted tail is named"),
        other => panic!("deletion not seen: {other:?}"),
    }
    sqlx::query("DELETE FROM audit_events WHERE seq = 2")
        .execute(&mut *conn)
        .await
        .unwrap();
    match audit::verify(&mut conn).await.unwrap() {
        audit::VerifyOutcome::Broken { seq, .. } => assert_eq!(seq, 2),
        other => panic!("deletion not seen: {other:?}"),
    }
}
both_backends!(
    audit_chain_detects_deletion_on,
    audit_chain_detects_deletion
);

async fn people_grants_and_constraints(backend: Backend) {
    let db = TestDb::new(backend).await;
    let mut tx = db.store.write().await.unwrap();
    let group = units::insert(&mut tx, None, "集团", "group", 0)
        .await
        .unwrap();
    let new = users::NewUser {
        username: "zhang",
        display_name: "张三",
        password_hash: "x",
        unit_id: group.id,
        email: "",
        phone: "",
    };
    let id = users::insert(&mut tx, &new).await.unwrap();
    users::add_grant(&mut tx, id, "unit_admin", group.id)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    let mut tx = db.store.write().await.unwrap();
    assert!(matches!(
        users::insert(&mut tx, &new).await,
        Err(StoreError::Duplicate(_))
    ));
    drop(tx);
    let mut tx = db.store.write().await.unwrap();
    assert!(matches!(
        users::add_grant(&mut tx, id, "unit_admin", group.id).await,
        Err(StoreError::Duplicate(_))
    ));
    drop(tx);
    let mut tx = db.store.write().await.unwrap();
    assert!(matches!(
        users::add_grant(&mut tx, id, "leader", 999_999).await,
        Err(StoreError::Reference(_))
    ));
    drop(tx);

    let mut conn = db.store.read().await.unwrap();
    let grants = users::grants_of(&mut conn, id).await.unwrap();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].unit_path, group.path);
    let (list, total) =
        users::list_in_paths(&mut conn, std::slice::from_ref(&group.path), "张", 10, 0)
            .await
            .unwrap();
    assert_eq!((list.len(), total), (1, 1));
    let (_, total) =
        users::list_in_paths(&mut conn, std::slice::from_ref(&group.path), "李", 10, 0)
            .await
            .unwrap();
    assert_eq!(total, 0);
}
both_backends!(
    people_grants_and_constraints_on,
    people_grants_and_constraints
);

type Snapshot = (Vec<(i64, String, i64)>, Vec<(i64, String, i64, i64)>);

async fn counters(conn: &mut shishi_store::AnyConnection) -> Snapshot {
    let deadlines = sqlx::query_as(
        "SELECT unit_id, deadline, n FROM open_deadline_counts WHERE n <> 0 ORDER BY unit_id, deadline",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    let statuses = sqlx::query_as(
        "SELECT unit_id, status, top_level, n FROM subtree_counts WHERE n <> 0 ORDER BY unit_id, status, top_level",
    )
    .fetch_all(&mut *conn)
    .await
    .unwrap();
    (deadlines, statuses)
}

/// The counters kept on every write equal a recount after inserts, edits, steps and moves.
async fn counters_survive_every_kind_of_write(backend: Backend) {
    let db = TestDb::new(backend).await;
    let mut tx = db.store.write().await.unwrap();
    let group = units::insert(&mut tx, None, "集团", "group", 0)
        .await
        .unwrap();
    let a = units::insert(&mut tx, Some(&group), "甲", "subsidiary", 0)
        .await
        .unwrap();
    let b = units::insert(&mut tx, Some(&group), "乙", "subsidiary", 0)
        .await
        .unwrap();
    let a1 = units::insert(&mut tx, Some(&a), "甲一", "unit", 0)
        .await
        .unwrap();
    let mut ids = Vec::new();
    for (i, status) in ["approved", "in_progress", "proposed", "in_progress"]
        .iter()
        .enumerate()
    {
        let f = MatterFields {
            title: format!("事项{i}"),
            unit_id: a1.id,
            unit_path: a1.path.clone(),
            deadline: Some(format!("2026-11-{:02}", 10 + i)),
            ..Default::default()
        };
        ids.push(
            matters::insert(&mut tx, None, &f, status, None, 0)
                .await
                .unwrap(),
        );
    }
    // An edit of the deadline, a step out of open work, a step into it.
    let m = matters::get(&mut tx, ids[0]).await.unwrap();
    let f = MatterFields {
        title: m.title.clone(),
        unit_id: m.unit_id,
        unit_path: m.unit_path.clone(),
        deadline: Some("2026-12-01".into()),
        ..Default::default()
    };
    matters::update_fields(&mut tx, &m, &f, true, 0)
        .await
        .unwrap();
    let m = matters::get(&mut tx, ids[1]).await.unwrap();
    matters::set_status(&mut tx, &m, "completed", "", 0)
        .await
        .unwrap();
    let m = matters::get(&mut tx, ids[2]).await.unwrap();
    matters::set_status(&mut tx, &m, "approved", "", 0)
        .await
        .unwrap();
    let a1 = units::get(&mut tx, a1.id).await.unwrap();
    let b = units::get(&mut tx, b.id).await.unwrap();
    units::move_under(&mut tx, &a1, &b).await.unwrap();
    tx.commit().await.unwrap();

    let mut conn = db.store.read().await.unwrap();
    let kept = counters(&mut conn).await;
    assert_eq!(
        matters::overdue_count(&mut conn, &[b.id], "2026-11-30")
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        matters::overdue_count(&mut conn, &[a.id], "2026-11-30")
            .await
            .unwrap(),
        0
    );
    drop(conn);
    let mut tx = db.store.write().await.unwrap();
    matters::rebuild_counts(&mut tx).await.unwrap();
    tx.commit().await.unwrap();
    let mut conn = db.store.read().await.unwrap();
    assert_eq!(kept, counters(&mut conn).await);
}
both_backends!(
    counters_survive_every_kind_of_write_on,
    counters_survive_every_kind_of_write
);
