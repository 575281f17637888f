//! The five determinations (五定) hold for every matter past proposed, not only at the
//! approval gate: no later edit may blank one.

use shishi_core::matter::MatterAction;
use shishi_service::ServiceError;
use shishi_store::{Backend, both_backends};

use crate::support::world::World;

async fn an_approved_matter_keeps_its_five_determinations(backend: Backend) {
    let w = World::new(backend).await;
    let admin = w.who(w.admin_a).await;
    let id = w.listed("职工食堂增设夜班窗口", w.a1, "2026-12-30").await;
    let before = w.row(id).await;

    let mut blanked = w.input("职工食堂增设夜班窗口", w.a1, "2026-12-30");
    blanked.measures = "  ".into();
    blanked.acceptance_standard = String::new();
    blanked.owner_id = None;
    let err = w
        .svc
        .update_matter(&admin, id, Some(before.version), &blanked)
        .await
        .expect_err("an approved matter cannot lose a determination");
    let ServiceError::Invalid(fields) = err else {
        panic!("field errors, got {err:?}")
    };
    let mut names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
    names.sort_unstable();
    assert_eq!(names, ["acceptance_standard", "measures", "owner_id"]);
    assert!(
        fields
            .iter()
            .all(|f| f.code == "error.determination_required")
    );
    let after = w.row(id).await;
    assert_eq!(after.version, before.version, "nothing written");
    assert_eq!(after.measures, before.measures);

    // In progress likewise; an edit that keeps them all still works.
    w.step(w.handler_a1, id, MatterAction::Start, "").await;
    let current = w.row(id).await;
    assert!(
        w.svc
            .update_matter(&admin, id, Some(current.version), &blanked)
            .await
            .is_err()
    );
    let mut fine = w.input("职工食堂增设夜班窗口（含周末）", w.a1, "2026-12-30");
    fine.measures = "增设窗口，延长供餐时间".into();
    w.svc
        .update_matter(&admin, id, Some(current.version), &fine)
        .await
        .expect("a complete edit is taken");

    // A proposed matter may still be incomplete: that is what approval checks.
    let draft = w.proposed("更衣室增加储物柜", w.a1, "2026-12-30").await;
    let row = w.row(draft).await;
    w.svc
        .update_matter(&admin, draft, Some(row.version), &blanked)
        .await
        .expect("a proposed matter may lack determinations");
    let refused = w
        .try_step(w.admin_a, draft, MatterAction::Approve, "")
        .await;
    assert!(refused.is_err(), "and cannot be approved so");
}
both_backends!(
    an_approved_matter_keeps_its_five_determinations_on,
    an_approved_matter_keeps_its_five_determinations
);
