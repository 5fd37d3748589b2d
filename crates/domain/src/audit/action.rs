pub const LOGIN: &str = "auth.login";
pub const LOGIN_FAILED: &str = "auth.login_failed";
pub const LOGOUT: &str = "auth.logout";
pub const USER_CREATED: &str = "user.created";
pub const USER_DISABLED: &str = "user.disabled";
pub const USER_ENABLED: &str = "user.enabled";
pub const TOKEN_ISSUED: &str = "token.issued";
pub const TOKEN_REVOKED: &str = "token.revoked";
pub const ORG_IMPORTED: &str = "org.imported";
/// A keyed store opened a chain whose last entry had no MAC: keying starts here.
pub const AUDIT_KEYED: &str = "audit.keyed";
/// The test clock moved (demo and test databases only).
pub const CLOCK_MOVED: &str = "clock.moved";
/// A database was marked as made for demos or benchmarks.
pub const INSTANCE_MARKED: &str = "instance.marked";
