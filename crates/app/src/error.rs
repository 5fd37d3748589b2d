//! Errors of the use cases, each with a stable code and a zh-CN / English message.
//!
//! Error policy: input that breaks a rule, missing permissions and conflicts are expected
//! outcomes with their own codes (4xx); store failures become `UNAVAILABLE` (503) or
//! `INTERNAL` (500) and their details go to the log, never to the user. The web layer maps
//! `status()` to HTTP once; the CLI prints `message(Lang::En)`.

use jiujinan_domain::ValidationError;
use jiujinan_store::{Conflict, StoreError};

use crate::i18n::Lang;

/// A use-case error.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("invalid input: {0}")]
    Validation(ValidationError),
    #[error("invalid credentials")]
    InvalidCredentials,
    #[error("login temporarily locked")]
    LoginLocked { retry_after_s: i64 },
    #[error("not signed in")]
    Unauthenticated,
    #[error("forbidden")]
    Forbidden,
    #[error("not found")]
    NotFound,
    #[error("username taken")]
    UsernameTaken,
    #[error("unknown unit")]
    UnknownUnit,
    #[error("role does not fit the unit")]
    RoleUnitMismatch,
    #[error("changed by someone else")]
    StaleVersion,
    #[error("CSRF check failed")]
    CsrfFailed,
    #[error("idempotency key reused with another request")]
    IdempotencyKeyReused,
    #[error("the lead was already verified")]
    LeadClosed,
    #[error("that step is not possible now")]
    InvalidTransition,
    /// A step that conflicts with the current state, with its own stable code.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("{file}:{line}: {reason}")]
    ImportMalformed { file: String, line: u64, reason: String },
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error("internal error: {0}")]
    Internal(String),
    /// Stored data that no longer parses (e.g. a case's household JSON): never read as empty.
    #[error("corrupt stored data: {0}")]
    CorruptData(String),
}

impl AppError {
    /// The stable code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Validation(v) => v.code,
            Self::InvalidCredentials => "INVALID_CREDENTIALS",
            Self::LoginLocked { .. } => "LOGIN_LOCKED",
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::UsernameTaken => "USERNAME_TAKEN",
            Self::UnknownUnit => "UNKNOWN_UNIT",
            Self::RoleUnitMismatch => "ROLE_UNIT_MISMATCH",
            Self::StaleVersion => "STALE_VERSION",
            Self::CsrfFailed => "CSRF_FAILED",
            Self::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            Self::LeadClosed => "LEAD_CLOSED",
            Self::InvalidTransition => "INVALID_TRANSITION",
            Self::Conflict(c) => c,
            Self::ImportMalformed { .. } => "IMPORT_MALFORMED",
            Self::Unavailable(_) => "UNAVAILABLE",
            Self::Internal(_) => "INTERNAL",
            Self::CorruptData(_) => "CORRUPT_DATA",
        }
    }

    /// The HTTP status this error means.
    pub fn status(&self) -> u16 {
        match self {
            Self::Validation(v) if v.code == "BODY_TOO_LARGE" => 413,
            Self::Validation(v) if v.code == "UNSUPPORTED_MEDIA_TYPE" => 415,
            Self::Validation(_) | Self::UnknownUnit | Self::RoleUnitMismatch | Self::ImportMalformed { .. } => 422,
            Self::InvalidCredentials | Self::Unauthenticated => 401,
            Self::LoginLocked { .. } => 429,
            Self::Forbidden | Self::CsrfFailed => 403,
            Self::NotFound => 404,
            Self::UsernameTaken
            | Self::StaleVersion
            | Self::IdempotencyKeyReused
            | Self::LeadClosed
            | Self::InvalidTransition
            | Self::Conflict(_) => 409,
            Self::Unavailable(_) => 503,
            Self::Internal(_) | Self::CorruptData(_) => 500,
        }
    }

    /// The offending field, for forms and the API's `fields` object.
    pub fn field(&self) -> Option<&'static str> {
        match self {
            Self::Validation(v) => Some(v.field),
            Self::UsernameTaken => Some("username"),
            Self::UnknownUnit => Some("unit"),
            Self::RoleUnitMismatch => Some("role"),
            _ => None,
        }
    }

    /// The message for users, in `lang`.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            Self::ImportMalformed { file, line, reason } => match lang {
                Lang::Zh => format!("导入文件格式错误：{file} 第 {line} 行：{reason}；未导入任何数据"),
                Lang::En => format!("malformed import file {file}, line {line}: {reason}; nothing was imported"),
            },
            Self::LoginLocked { retry_after_s } => {
                let minutes = (retry_after_s + 59) / 60;
                match lang {
                    Lang::Zh => format!("登录失败次数过多，请 {minutes} 分钟后再试"),
                    Lang::En => format!("Too many failed sign-ins; try again in {minutes} minute(s)"),
                }
            }
            _ => catalogue(self.code(), lang).to_owned(),
        }
    }
}

/// The message catalogue for stable codes.
pub fn catalogue(code: &str, lang: Lang) -> &'static str {
    let (zh, en) = match code {
        "INVALID_CREDENTIALS" => ("用户名或密码错误", "Wrong username or password"),
        "UNAUTHENTICATED" => ("请先登录", "Please sign in"),
        "FORBIDDEN" => ("您无权进行此操作", "You are not allowed to do this"),
        "NOT_FOUND" => ("未找到，或不在您的管辖范围内", "Not found, or outside your jurisdiction"),
        "USERNAME_TAKEN" => ("该用户名已被使用", "That username is already taken"),
        "UNKNOWN_UNIT" => ("单位代码不存在，或不在您的管辖范围内", "Unknown unit code, or outside your jurisdiction"),
        "ROLE_UNIT_MISMATCH" => ("该角色不能设在此单位", "That role does not belong in that unit"),
        "STALE_VERSION" => ("数据已被他人修改，请刷新后重试", "Someone else changed this; reload and try again"),
        "CSRF_FAILED" => {
            ("请求来源校验失败，请刷新页面后重试", "Request verification failed; reload the page and try again")
        }
        "UNAVAILABLE" => ("数据库暂不可用，请稍后再试", "The database is unavailable; try again shortly"),
        "INTERNAL" => ("系统内部错误，已记录", "Internal error; it has been logged"),
        "CORRUPT_DATA" => (
            "该记录的存储数据已损坏，无法显示或计算；已记录，请联系管理员",
            "The stored data of this record is corrupt and cannot be shown or used; it has been logged, contact an administrator",
        ),
        "INVALID_DIVISION_CODE" => ("区划代码应为 2、6、9 或 12 位数字", "A division code has 2, 6, 9 or 12 digits"),
        "INVALID_UNIT_CODE" => {
            ("单位代码格式不正确（例如 110105 或 110105:mz）", "Malformed unit code (e.g. 110105 or 110105:mz)")
        }
        "INVALID_LEVEL" => {
            ("层级应为 city、district、street 或 community", "Level must be city, district, street or community")
        }
        "UNKNOWN_ROLE" => ("未知角色", "Unknown role"),
        "INVALID_USERNAME" => (
            "用户名应为 3–32 位小写字母、数字或 _ . -，以字母或数字开头",
            "A username has 3–32 lowercase letters, digits, _ . or -, starting with a letter or digit",
        ),
        "WEAK_PASSWORD" => (
            "密码至少 10 位，且包含小写字母、大写字母、数字、符号中的三类",
            "A password needs at least 10 characters from three of: lowercase, uppercase, digits, symbols",
        ),
        "INVALID_DISPLAY_NAME" => ("姓名不能为空且不超过 40 字", "A display name is 1–40 characters"),
        "BAD_REQUEST" => ("请求格式不正确", "Malformed request"),
        "BODY_TOO_LARGE" => ("请求内容过大", "Request body too large"),
        "UNSUPPORTED_MEDIA_TYPE" => {
            ("请求内容类型不受支持（应为 application/json）", "Unsupported content type (expected application/json)")
        }
        "INVALID_TEXT" => (
            "含有不允许的字符（如控制字符或无效编码），请删除后重试",
            "Contains characters that are not allowed (control characters or invalid encoding)",
        ),
        "LEAD_CLOSED" => {
            ("该线索已核查处理，请刷新查看结果", "This lead was already verified; reload to see the outcome")
        }
        "INVALID_TRANSITION" => ("当前状态下不能进行此操作", "That step is not possible in the current state"),
        "REASON_REQUIRED" => ("请填写理由（不超过 2000 字）", "Give the reasons (at most 2,000 characters)"),
        "SAME_OFFICE" => ("已由该街道负责，无需移交", "That street is already responsible"),
        "MERGE_TARGET" => (
            "合并对象应为本辖区内同一对象的待核查线索或案件",
            "Merge into an open lead or a case about the same person in your jurisdiction",
        ),
        "UNKNOWN_METHOD" => ("未知的调查方式", "Unknown investigation method"),
        "UNKNOWN_RELATIONSHIP" => ("未知的家庭关系", "Unknown relationship"),
        "UNKNOWN_ROUTE" => ("未知的处置途径", "Unknown disposition route"),
        "INVALID_MEMBER" => ("家庭成员姓名不超过 50 字", "A member's name has at most 50 characters"),
        "NEGATIVE_AMOUNT" => ("金额不能为负数", "Amounts cannot be negative"),
        "INVALID_AMOUNT" => ("金额格式不正确（元，最多两位小数）", "Malformed amount (yuan, at most two decimals)"),
        "INVALID_ITEM" => ("收入或财产项目名称不超过 40 字", "An income or asset label has at most 40 characters"),
        "FINDINGS_REQUIRED" => ("请填写调查情况（不超过 4000 字）", "Describe the findings (at most 4,000 characters)"),
        "OPINION_REQUIRED" => {
            ("请填写初审意见（不超过 4000 字）", "Write the review opinion (at most 4,000 characters)")
        }
        "INVESTIGATION_REQUIRED" => {
            ("提交初审前至少需要一条调查记录", "Record at least one investigation before review")
        }
        "INVALID_DATE" => ("日期不合理（不能晚于今天）", "Implausible date (not after today)"),
        "IDEMPOTENCY_KEY_REUSED" => {
            ("该 Idempotency-Key 已用于另一请求", "This Idempotency-Key was already used for a different request")
        }
        "INVALID_IDEMPOTENCY_KEY" => {
            ("Idempotency-Key 不能超过 200 个字符", "An Idempotency-Key has at most 200 characters")
        }
        "UNKNOWN_CHANNEL" => ("未知的求助渠道", "Unknown channel"),
        "UNKNOWN_URGENCY" => ("紧急程度应为 critical、urgent 或 normal", "Urgency must be critical, urgent or normal"),
        "UNKNOWN_HARDSHIP_TYPE" => ("未知的困难类型", "Unknown hardship type"),
        "SUBJECT_NAME_REQUIRED" => (
            "请填写求助对象姓名（身份不明可填写特征，如“无名男子，约60岁”），不超过 50 字",
            "Give the person's name (or a description if unknown), at most 50 characters",
        ),
        "DESCRIPTION_REQUIRED" => {
            ("请填写求助情况说明（不超过 4000 字）", "Describe the situation (at most 4,000 characters)")
        }
        "TEXT_TOO_LONG" => ("内容过长", "Text too long"),
        "INVALID_PHONE" => ("电话号码应为 5–20 位数字", "A phone number has 5–20 digits"),
        "AGENT_REQUIRED" => (
            "代为申请须填写代办人姓名及与求助对象的关系或委托情况",
            "An application on someone's behalf needs the agent's name and relation or entrustment",
        ),
        "UNKNOWN_LOCATION" => {
            ("所在地代码不存在，应为街道（乡镇）或社区（村）代码", "Unknown location: give a street or community code")
        }
        "LOCATION_REQUIRED" => (
            "请选择求助对象现所在地（街道或社区）；仅在所在地不明且户籍在本市某街道（社区）时可按户籍地分派",
            "Choose where the person is (a street or community); only when that is unknown is a Beijing street or community of hukou used",
        ),
        "LOCATION_TOO_COARSE" => {
            ("所在地须具体到街道（乡镇）或社区（村）", "The location must be a street/township or community/village")
        }
        "ID_NUMBER_FORMAT" => (
            "身份证号码应为 18 位（末位可为 X）或 15 位数字",
            "An ID number has 18 characters (the last may be X) or 15 digits",
        ),
        "ID_NUMBER_BIRTH_DATE" => {
            ("身份证号码中的出生日期不存在或晚于今天", "The birth date in the ID number is impossible or in the future")
        }
        "EVENT_NOT_FOR_ROUTE" => (
            "该记录类型不属于此处置途径（例如医疗转介没有入站安置、返乡）",
            "This kind of record does not belong to this route (a medical referral has no shelter stay or trip home)",
        ),
        "ID_NUMBER_MASKED" => (
            "请填写完整的身份证号码（带 * 的号码只能原样保留已登记的号码）",
            "Type the full ID number (a number with * only keeps the number already recorded)",
        ),
        "ID_NUMBER_CHECK_DIGIT" => (
            "身份证号码校验位错误（GB 11643 MOD 11-2）",
            "The ID number's check character is wrong (GB 11643 MOD 11-2)",
        ),
        "ALREADY_ANSWERED" => ("该转办已被接收或退回，不能重复操作", "This referral was already accepted or returned"),
        "NOT_ACCEPTED" => ("该事项尚未接收或已办结，不能反馈结果", "Feedback needs an accepted, unfinished action"),
        "ACTION_CLOSED" => ("该处置事项已结束", "This action is already finished"),
        "ACTIONS_OPEN" => {
            ("仍有处置事项未办结，全部有结果后才能结案", "Every action needs an outcome before the case can close")
        }
        "REVIEW_REQUIRED" => (
            "转办、慈善对接和提请联席会议须在初审意见之后",
            "Referral, charity and joint meeting come after the review opinion",
        ),
        "CASE_CLOSED" => ("案件已结案，如需继续办理请先重新打开", "The case is closed; reopen it first"),
        "DECISION_DONE" => ("该决定已落实", "This decision was already carried out"),
        "ALREADY_ON_AGENDA" => ("该事项已列入本次会议议程", "Already on this meeting's agenda"),
        "CLOCK_STATE" => ("计时状态已变化，请刷新", "The clock's state changed; reload"),
        "INSTRUCTION_REQUIRED" => {
            ("请填写督办意见（不超过 2000 字）", "Write the supervision instruction (at most 2,000 characters)")
        }
        "REPLY_REQUIRED" => {
            ("请填写办理情况反馈（不超过 2000 字）", "Write how the step is being handled (at most 2,000 characters)")
        }
        "SUPERVISION_RESOLVED" => {
            ("该督办事项的环节已办结，无需再下达督办意见", "The step is done: this item needs no instruction now")
        }
        "SUPERVISION_NOTED" => ("督办意见或反馈已填写，不能重复填写", "This instruction or reply was already written"),
        "CLOCK_BACKWARDS" => (
            "测试时钟只能调到更晚的时间，不能回到已记录的时间之前",
            "The test clock only moves forward, never back before what is on record",
        ),
        "DEMO_PASSWORD_REFUSED" => (
            "该账号使用公开的演示密码，而本数据库不是演示库：请管理员为其重设密码",
            "This account uses the published demo password and this is not a demo database: ask an administrator to reset its password",
        ),
        "NOT_A_BENCH_DATABASE" => (
            "该数据库已有账号、线索或个案，且不是基准测试库：基准测试数据只写入空库或基准测试库",
            "This database holds accounts, leads or cases and is not a benchmark database: synthetic data goes only into an empty or benchmark database",
        ),
        "NOT_A_DEMO_DATABASE" => (
            "该数据库已有非演示用户，不能载入演示数据（演示账号共用公开密码）",
            "This database holds accounts other than the demo ones: the demo (whose accounts share a published password) is not loaded into it",
        ),
        "SUPERVISION_NOT_INSTRUCTED" => (
            "督办单位尚未下达督办意见，收到意见后再反馈办理情况",
            "The supervising unit has not written its instruction yet: reply once it has",
        ),
        "INVALID_UNIT_KIND" => (
            "部门类别应为 civil_affairs、health、education、housing、human_resources 等单位类别代码",
            "The department must be a unit kind code such as civil_affairs, health, education, housing or human_resources",
        ),
        "INVALID_PROGRAMME_CODE" => (
            "项目代码应为 2–40 位小写字母、数字或下划线，以字母开头",
            "A programme code has 2–40 lowercase letters, digits or underscores, starting with a letter",
        ),
        "NAME_REQUIRED" => ("请填写名称", "Enter the name"),
        "INVALID_MONTHS" => ("月数应为 1–24", "Months must be 1–24"),
        "INVALID_FREQUENCY" => ("每年次数应为 1–12", "Times per year must be 1–12"),
        "UNKNOWN_LEVEL" => ("审批层级应为街道（street）或区（district）", "The level must be street or district"),
        "ROUTE_REQUIRED" => ("请选择处置途径", "Choose the route"),
        "LEVEL_REQUIRED" => ("请选择审批层级", "Choose the deciding level"),
        "RULE_EXISTS" => ("同一规则同一生效日期已存在", "A rule with this key and effective date exists"),
        "UNKNOWN_PROGRAMME" => ("未知的救助项目", "Unknown programme"),
        "PROGRAMME_REQUIRED" => ("转介相关部门须选择救助项目", "A referral needs its programme"),
        "UNKNOWN_RECEIVER" => {
            ("接收单位不存在或不负责该项目", "Unknown receiving unit, or it is not responsible for that programme")
        }
        "RECEIVER_REQUIRED" => ("请填写接收的慈善组织或项目", "Name the charity organisation or project"),
        "REQUEST_REQUIRED" => {
            ("请说明需要对方办理的事项（不超过 2000 字）", "Say what is asked (at most 2,000 characters)")
        }
        "HOSPITAL_REQUIRED" => ("请填写救治医院", "Name the treating hospital"),
        "AMOUNT_REQUIRED" => ("请填写先行救助的金额或实物", "Give the amount or the goods given"),
        "UNKNOWN_OUTCOME" => {
            ("结果应为 granted、refused 或 in_progress", "Outcome must be granted, refused or in_progress")
        }
        "UNKNOWN_EVENT" => ("未知的记录类型", "Unknown record type"),
        "UNKNOWN_LIMIT_UNIT" => ("时限单位应为 hours 或 working_days", "The unit must be hours or working_days"),
        "INVALID_LIMIT" => ("时限应为 1–3650 之间的整数", "A limit is a whole number from 1 to 3,650"),
        "INVALID_DAY" => ("日期格式应为 YYYY-MM-DD", "Dates look like YYYY-MM-DD"),
        "REDIRECT_SOURCE" => {
            ("只能改派本案件中已被退回的转办", "Only a returned referral of this case can be redirected")
        }
        "LEAD_UNIT_REQUIRED" => ("请选择牵头落实单位", "Choose the lead unit"),
        "TITLE_REQUIRED" => ("请填写会议名称（不超过 200 字）", "Give the meeting a title (at most 200 characters)"),
        "DETAIL_REQUIRED" => ("请填写内容（不超过 2000 字）", "Write the details (at most 2,000 characters)"),
        "UNKNOWN_STEP" => ("未知的办理环节", "Unknown step"),
        "UNKNOWN_AID_KIND" => {
            ("救助方式应为 cash、in_kind、service 或 medical", "Aid is cash, in_kind, service or medical")
        }
        "UNKNOWN_AID_TYPE" => ("请选择急难型或支出型", "Choose emergency (急难型) or expenditure (支出型)"),
        "UNKNOWN_TIER" => ("该类型没有这一救助档次", "No such tier for this aid type"),
        "AID_FIRST_SOURCE" => {
            ("只能为本案件中正在补办手续的先行救助提出", "Only an aid-first action of this case awaiting its paperwork")
        }
        "FREQUENCY_LIMIT" => (
            "同一事由一年内已获救助，原则上不再重复救助（见规则数据：救助频次）",
            "Aid for the same cause was already given within a year (rule: frequency limit)",
        ),
        "ABOVE_AUTHORITY" => (
            "超出本级审批权限（见规则数据：审批权限）；超过区级上限须按“一事一议”报区民政局审批",
            "Above this level's approval authority (rule: approval authority); beyond the district ceiling only as a special case (一事一议)",
        ),
        "UNKNOWN_FUND" => ("资金账户不存在或不覆盖该案件所在地", "Unknown fund, or it does not cover the case's area"),
        "AMOUNT_TOO_LARGE" => (
            "金额超过上限（见规则数据：单笔金额上限），或将使资金账户余额超出可记录的范围",
            "The amount is above the ceiling (rule: money limits), or would take the fund's balance beyond what it may hold",
        ),
        "UNKNOWN_OPERATION" => {
            ("资金操作应为 deposit、allocation 或 grant", "A money operation is deposit, allocation or grant")
        }
        "SAME_PERSON" => (
            "职责分离：同一救助事项的提出、审核、审批须由不同人员办理，发放须由审批人以外的人员登记（规则例外除外）",
            "Separation of duties: one aid item is proposed, reviewed and approved by three different people, and its payment is recorded by someone other than the approver (unless a rule exception allows it)",
        ),
        "UNKNOWN_DUTY_EXCEPTION" => (
            "例外应为 propose_review、propose_approve、review_approve 或 approve_pay",
            "An exception is propose_review, propose_approve, review_approve or approve_pay",
        ),
        "INSUFFICIENT_FUNDS" => {
            ("资金账户余额不足，未作任何预留", "Not enough money in the fund; nothing was reserved")
        }
        "SUBMISSION_RUNNING" => (
            "该表单已提交，正在处理，请稍后刷新页面查看结果",
            "This form was already sent and is still being processed; reload the page shortly to see the result",
        ),
        "ALREADY_PAID" => ("该笔救助已发放，不会重复发放", "This aid was already paid; it is not paid twice"),
        "NO_AUDIT_KEY" => (
            "未配置审计密钥（audit_key_file），无法签名或核对检查点",
            "No audit key is configured (audit_key_file): checkpoints cannot be signed or checked",
        ),
        "AID_STATE" => ("该救助事项当前状态下不能进行此操作", "Not possible in this aid item's current state"),
        "POSTING_CLOSED" => ("公示已结束或已有异议", "The posting is closed or already objected to"),
        "POSTING_OPEN" => ("公示期未满，公示结束后方可发放", "The public posting period has not ended; pay after it"),
        "UNKNOWN_DELIVERY" => ("发放方式应为 bank、cash 或 goods", "Delivery is bank, cash or goods"),
        "UNKNOWN_FUND_KIND" => {
            ("资金类型应为 budget、reserve、special 或 charity", "A fund is budget, reserve, special or charity")
        }
        _ => ("操作失败", "The operation failed"),
    };
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

impl From<ValidationError> for AppError {
    fn from(v: ValidationError) -> Self {
        Self::Validation(v)
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => Self::NotFound,
            StoreError::Conflict(Conflict::UsernameTaken) => Self::UsernameTaken,
            StoreError::Conflict(_) => Self::StaleVersion,
            StoreError::Unavailable(m) => Self::Unavailable(m),
            StoreError::Database(sqlx_err) => {
                tracing::error!(error = %sqlx_err, "database error");
                Self::Internal(sqlx_err.to_string())
            }
            StoreError::Engine(m) => {
                tracing::error!(error = %m, "database error");
                Self::Internal(m)
            }
            StoreError::Corrupt(m) => {
                tracing::error!(error = %m, "store failure");
                Self::Internal(m)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_both_messages() {
        for code in [
            "INVALID_CREDENTIALS",
            "UNAUTHENTICATED",
            "FORBIDDEN",
            "NOT_FOUND",
            "USERNAME_TAKEN",
            "UNKNOWN_UNIT",
            "ROLE_UNIT_MISMATCH",
            "STALE_VERSION",
            "CSRF_FAILED",
            "SUBMISSION_RUNNING",
            "INVALID_UNIT_KIND",
            "INVALID_PROGRAMME_CODE",
            "PROGRAMME_REQUIRED",
            "SUPERVISION_NOT_INSTRUCTED",
            "NOT_A_DEMO_DATABASE",
            "NOT_A_BENCH_DATABASE",
            "CLOCK_BACKWARDS",
            "DEMO_PASSWORD_REFUSED",
            "NAME_REQUIRED",
            "UNKNOWN_LEVEL",
            "INVALID_MONTHS",
            "INVALID_FREQUENCY",
            "ROUTE_REQUIRED",
            "LEVEL_REQUIRED",
            "UNAVAILABLE",
            "INTERNAL",
            "CORRUPT_DATA",
            "WEAK_PASSWORD",
            "UNKNOWN_ROLE",
            "INVALID_TEXT",
            "NO_AUDIT_KEY",
            "UNSUPPORTED_MEDIA_TYPE",
            "BODY_TOO_LARGE",
            "AMOUNT_TOO_LARGE",
            "UNKNOWN_OPERATION",
            "SAME_PERSON",
            "UNKNOWN_DUTY_EXCEPTION",
        ] {
            assert_ne!(catalogue(code, Lang::Zh), catalogue("?", Lang::Zh), "{code}");
            assert_ne!(catalogue(code, Lang::En), catalogue("?", Lang::En), "{code}");
        }
    }

    #[test]
    fn body_errors_have_their_own_status() {
        let v = |code| AppError::Validation(ValidationError::new(code, "body"));
        assert_eq!(v("BODY_TOO_LARGE").status(), 413);
        assert_eq!(v("UNSUPPORTED_MEDIA_TYPE").status(), 415);
        assert_eq!(v("INVALID_TEXT").status(), 422);
    }

    #[test]
    fn import_errors_name_file_and_line() {
        let e = AppError::ImportMalformed { file: "d.csv".into(), line: 7, reason: "bad code".into() };
        assert!(e.message(Lang::En).contains("d.csv, line 7"));
        assert!(e.message(Lang::Zh).contains("第 7 行"));
        assert_eq!(e.status(), 422);
    }
}
