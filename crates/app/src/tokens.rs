//! Bearer tokens for hotline and department systems.

use jiujinan_domain::audit::action;
use jiujinan_store::ApiTokenInfo;
use serde_json::json;

use crate::auth::Actor;
use crate::ids::{new_id, new_secret, secret_hash};
use crate::{App, AppError};

/// A freshly issued token: the secret is shown once and stored only as a hash.
#[derive(Debug, Clone)]
pub struct IssuedToken {
    pub id: String,
    pub secret: String,
}

impl App {
    /// Issues a token acting as `username` (within the actor's jurisdiction).
    pub async fn issue_token(&self, actor: &Actor, username: &str, name: &str) -> Result<IssuedToken, AppError> {
        if !actor.may(jiujinan_domain::policy::Permission::ManageUsers) {
            return Err(AppError::Forbidden);
        }
        let user = self.user_by_name_in_scope(actor, username).await?;
        let now = self.now_ms();
        let id = new_id(now);
        let secret = format!("jjn_{}", new_secret());
        let token = jiujinan_store::NewApiToken {
            id: id.clone(),
            user_id: user.id.clone(),
            name: if name.trim().is_empty() { "integration".to_owned() } else { name.trim().to_owned() },
            token_hash: secret_hash(&secret),
        };
        let audit =
            actor.audit(action::TOKEN_ISSUED, ("api_token", &id), &json!({"user": user.username, "name": token.name}));
        self.store.insert_api_token(&token, audit, now).await?;
        Ok(IssuedToken { id, secret })
    }

    /// Revokes a token by id.
    pub async fn revoke_token(&self, actor: &Actor, id: &str) -> Result<(), AppError> {
        if !actor.may(jiujinan_domain::policy::Permission::ManageUsers) {
            return Err(AppError::Forbidden);
        }
        let owner = self.store.api_token_owner(id).await?.ok_or(AppError::NotFound)?;
        if !owner.division.starts_with(actor.jurisdiction.division.as_str()) {
            return Err(AppError::NotFound);
        }
        let audit = actor.audit(action::TOKEN_REVOKED, ("api_token", id), &json!({"user": owner.username}));
        self.store.revoke_api_token(id, audit, self.now_ms()).await?;
        Ok(())
    }

    /// The tokens of a user within the actor's jurisdiction.
    pub async fn tokens_of(&self, actor: &Actor, username: &str) -> Result<Vec<ApiTokenInfo>, AppError> {
        if !actor.may(jiujinan_domain::policy::Permission::ManageUsers) {
            return Err(AppError::Forbidden);
        }
        let user = self.user_by_name_in_scope(actor, username).await?;
        Ok(self.store.api_tokens_of(&user.id).await?)
    }
}
