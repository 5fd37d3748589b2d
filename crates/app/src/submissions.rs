//! Web form submissions carried out once: a form sent twice (a double click, a reload that
//! posts again, a retry after a dropped connection) leads to the first one's result instead of
//! a second action, aid proposal or deposit. See docs/adr/0013-form-submissions.md.

use sha2::{Digest, Sha256};

pub use jiujinan_store::SubmissionClaim;

use crate::{App, AppError};

/// A claim still running after this long belongs to a process that died; it is taken over.
const ABANDON_AFTER_MS: i64 = 60_000;

impl App {
    /// The key of a submission: the user, the path and the whole body, which carries the token
    /// drawn when the form was rendered. The same form sent again has the same key; the same
    /// form changed and sent again, or rendered again, has another.
    pub fn submission_key(user_id: &str, path: &str, body: &[u8]) -> String {
        let mut h = Sha256::new();
        for part in [user_id.as_bytes(), path.as_bytes(), body] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part);
        }
        hex::encode(h.finalize())
    }

    /// Claims a submission; see [`SubmissionClaim`].
    pub async fn claim_submission(&self, key: &str) -> Result<SubmissionClaim, AppError> {
        Ok(self.store.claim_submission(key, self.now_ms(), ABANDON_AFTER_MS).await?)
    }

    /// Records where a submission led, for the copies that follow.
    pub async fn finish_submission(&self, key: &str, location: &str) -> Result<(), AppError> {
        Ok(self.store.finish_submission(key, location).await?)
    }

    /// Gives a failed submission's claim back, so the form can be sent again.
    pub async fn release_submission(&self, key: &str) -> Result<(), AppError> {
        Ok(self.store.release_submission(key).await?)
    }
}

#[cfg(test)]
mod tests {
    use crate::App;

    #[test]
    fn the_key_depends_on_user_path_and_body() {
        let k = App::submission_key("u1", "/cases/1/aid", b"csrf=x&submission=t1&amount=100");
        assert_eq!(k, App::submission_key("u1", "/cases/1/aid", b"csrf=x&submission=t1&amount=100"));
        assert_ne!(k, App::submission_key("u2", "/cases/1/aid", b"csrf=x&submission=t1&amount=100"));
        assert_ne!(k, App::submission_key("u1", "/cases/2/aid", b"csrf=x&submission=t1&amount=100"));
        assert_ne!(k, App::submission_key("u1", "/cases/1/aid", b"csrf=x&submission=t1&amount=200"));
        assert_ne!(k, App::submission_key("u1", "/cases/1/aid", b"csrf=x&submission=t2&amount=100"));
        assert_ne!(
            App::submission_key("u1", "/a", b"b"),
            App::submission_key("u1/a", "", b"b"),
            "fields cannot run together"
        );
    }
}
