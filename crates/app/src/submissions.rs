//! Web form submissions carried out once: a form sent twice (a double click, a reload that
//! posts again, a retry after a dropped connection) leads to the first one's result instead of
//! a second action, aid proposal or deposit. See docs/adr/0013-form-submissions.md.

use sha2::{Digest, Sha256};

pub use jiujinan_store::SubmissionClaim;

use crate::{App, AppError};

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

    /// Claims a submission; see [`SubmissionClaim`]. A claim still running after
    /// `abandon_after_ms` belongs to a process that died and is taken over, so it must be
    /// longer than any submission can run. Returns the claim's stamp, for finishing or
    /// releasing it.
    pub async fn claim_submission(&self, key: &str, abandon_after_ms: i64) -> Result<(SubmissionClaim, i64), AppError> {
        let stamp = self.now_ms();
        Ok((self.store.claim_submission(key, stamp, abandon_after_ms).await?, stamp))
    }

    /// Records where a submission led, for the copies that follow.
    pub async fn finish_submission(&self, key: &str, stamp: i64, location: &str) -> Result<(), AppError> {
        Ok(self.store.finish_submission(key, stamp, location).await?)
    }

    /// Gives a failed submission's claim back, so the form can be sent again.
    pub async fn release_submission(&self, key: &str, stamp: i64) -> Result<(), AppError> {
        Ok(self.store.release_submission(key, stamp).await?)
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
