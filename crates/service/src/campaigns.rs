//! Campaigns (批次/专项活动): a named round with a period, a unit scope and a stage.

use serde::Deserialize;
use shishi_store::audit;
use shishi_store::campaigns::{self, CampaignFields, CampaignRow, ContentAreaRow};
use shishi_store::units;

use crate::validate::Check;
use crate::{Actor, ServiceError, ServiceResult, Services};

/// 筹划部署 / 组织实施 / 检查验收.
pub const STAGES: [&str; 3] = ["planning", "implementation", "acceptance"];

#[derive(Debug, Clone, Default, Deserialize, utoipa::ToSchema)]
pub struct CampaignInput {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub starts_on: String,
    pub ends_on: String,
    pub stage: String,
    pub scope_unit_id: i64,
}

impl Services {
    pub async fn campaigns(&self, actor: &Actor) -> ServiceResult<Vec<CampaignRow>> {
        let roots: Vec<String> = actor.read_roots().into_iter().map(|(_, p)| p).collect();
        if roots.is_empty() {
            return Ok(vec![]);
        }
        let mut conn = self.store.read().await?;
        Ok(campaigns::visible(&mut conn, &roots).await?)
    }

    pub async fn campaign(&self, actor: &Actor, id: i64) -> ServiceResult<CampaignRow> {
        self.campaigns(actor)
            .await?
            .into_iter()
            .find(|c| c.id == id)
            .ok_or(ServiceError::NotFound)
    }

    pub async fn content_areas(&self) -> ServiceResult<Vec<ContentAreaRow>> {
        let mut conn = self.store.read().await?;
        Ok(campaigns::content_areas(&mut conn).await?)
    }

    async fn check_campaign(
        &self,
        actor: &Actor,
        input: &CampaignInput,
    ) -> ServiceResult<CampaignInput> {
        let mut check = Check::new();
        let name = check.required("name", &input.name, 100);
        let description = check.optional("description", &input.description, 2000);
        let starts = check.date("starts_on", Some(&input.starts_on));
        if input.starts_on.trim().is_empty() {
            check.push("starts_on", "error.required");
        }
        let ends = check.date("ends_on", Some(&input.ends_on));
        if input.ends_on.trim().is_empty() {
            check.push("ends_on", "error.required");
        }
        if let (Some(s), Some(e)) = (starts, ends)
            && e < s
        {
            check.push("ends_on", "error.ends_before_start");
        }
        if !STAGES.contains(&input.stage.trim()) {
            check.push("stage", "error.choice");
        }
        let mut conn = self.store.read().await?;
        match units::get(&mut conn, input.scope_unit_id).await {
            Ok(u) if actor.manages(&u.path) => {}
            _ => check.push("scope_unit_id", "error.unknown_unit"),
        }
        check.finish()?;
        Ok(CampaignInput {
            name,
            description,
            starts_on: input.starts_on.trim().to_string(),
            ends_on: input.ends_on.trim().to_string(),
            stage: input.stage.trim().to_string(),
            scope_unit_id: input.scope_unit_id,
        })
    }

    pub async fn create_campaign(
        &self,
        actor: &Actor,
        input: &CampaignInput,
    ) -> ServiceResult<CampaignRow> {
        if !actor.can_manage_any() {
            return Err(ServiceError::Forbidden("error.not_admin".into()));
        }
        let c = self.check_campaign(actor, input).await?;
        let mut tx = self.store.write().await?;
        let id = campaigns::insert(&mut tx, &fields(&c)).await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "campaign_created",
            "campaign",
            Some(id),
            &serde_json::json!({ "name": c.name, "stage": c.stage }),
        )
        .await?;
        let row = campaigns::get(&mut tx, id).await?;
        tx.commit().await?;
        Ok(row)
    }

    pub async fn update_campaign(
        &self,
        actor: &Actor,
        id: i64,
        input: &CampaignInput,
    ) -> ServiceResult<CampaignRow> {
        let current = self.campaign(actor, id).await?;
        if !actor.manages(&current.scope_unit_path) {
            return Err(ServiceError::Forbidden("error.not_admin".into()));
        }
        let c = self.check_campaign(actor, input).await?;
        let mut tx = self.store.write().await?;
        campaigns::update(&mut tx, id, &fields(&c)).await?;
        audit::append(
            &mut tx,
            Some(actor.id()),
            "campaign_updated",
            "campaign",
            Some(id),
            &serde_json::json!({ "name": c.name, "stage": c.stage, "old_stage": current.stage }),
        )
        .await?;
        let row = campaigns::get(&mut tx, id).await?;
        tx.commit().await?;
        Ok(row)
    }
}

fn fields(c: &CampaignInput) -> CampaignFields<'_> {
    CampaignFields {
        name: &c.name,
        description: &c.description,
        starts_on: &c.starts_on,
        ends_on: &c.ends_on,
        stage: &c.stage,
        scope_unit_id: c.scope_unit_id,
    }
}
