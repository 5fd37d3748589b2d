-- Disposition (257号 §三(二) items 1–6): the programme catalogue, actions on a case with
-- their events, durable deadlines on a working-day calendar, supervision items (督办) and
-- the district joint meeting (联席会议). Rule rows carry an effective date, a source and a
-- placeholder mark; an administrator adds new rows instead of editing code.

CREATE TABLE programmes (
    code           TEXT NOT NULL,
    name_zh        TEXT NOT NULL,
    name_en        TEXT NOT NULL,
    department     TEXT NOT NULL,
    level          TEXT NOT NULL,
    route          TEXT NOT NULL,
    hardship_types TEXT NOT NULL,
    reason_zh      TEXT NOT NULL,
    reason_en      TEXT NOT NULL,
    effective_from BIGINT NOT NULL,
    placeholder    BOOLEAN NOT NULL,
    source         TEXT NOT NULL,
    PRIMARY KEY (code, effective_from)
);

CREATE TABLE rule_deadlines (
    route               TEXT NOT NULL,
    step                TEXT NOT NULL,
    to_kind             TEXT NOT NULL,
    unit                TEXT NOT NULL,
    amount              BIGINT NOT NULL,
    warn_hours          BIGINT NOT NULL,
    escalate_after_days BIGINT NOT NULL,
    effective_from      BIGINT NOT NULL,
    placeholder         BOOLEAN NOT NULL,
    source              TEXT NOT NULL,
    created_by          TEXT NOT NULL,
    created_ms          BIGINT NOT NULL,
    PRIMARY KEY (route, step, to_kind, effective_from)
);

CREATE TABLE calendar_days (
    day         BIGINT PRIMARY KEY,
    workday     BOOLEAN NOT NULL,
    name        TEXT NOT NULL,
    placeholder BOOLEAN NOT NULL,
    source      TEXT NOT NULL
);

CREATE TABLE actions (
    id               TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL REFERENCES cases (id),
    case_number      TEXT NOT NULL,
    route            TEXT NOT NULL,
    programme        TEXT NOT NULL,
    division         TEXT NOT NULL,
    from_unit        TEXT NOT NULL,
    from_user        TEXT NOT NULL,
    to_unit          TEXT NOT NULL,
    to_party         TEXT NOT NULL,
    status           TEXT NOT NULL,
    request          TEXT NOT NULL,
    amount_fen       BIGINT NOT NULL,
    accepted_by      TEXT NOT NULL,
    return_reason    TEXT NOT NULL,
    outcome          TEXT NOT NULL,
    outcome_detail   TEXT NOT NULL,
    redirected_from  TEXT NOT NULL,
    details          TEXT NOT NULL,
    created_ms       BIGINT NOT NULL,
    updated_ms       BIGINT NOT NULL,
    version          BIGINT NOT NULL
);
CREATE INDEX actions_case ON actions (case_id, created_ms);
CREATE INDEX actions_inbox ON actions (to_unit, status, created_ms);

CREATE TABLE action_events (
    id         TEXT PRIMARY KEY,
    action_id  TEXT NOT NULL REFERENCES actions (id),
    kind       TEXT NOT NULL,
    at_ms      BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    unit       TEXT NOT NULL,
    detail     TEXT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX action_events_action ON action_events (action_id, at_ms);

CREATE TABLE deadlines (
    id               TEXT PRIMARY KEY,
    subject_type     TEXT NOT NULL,
    subject_id       TEXT NOT NULL,
    case_id          TEXT NOT NULL,
    case_number      TEXT NOT NULL,
    division         TEXT NOT NULL,
    step             TEXT NOT NULL,
    rule             TEXT NOT NULL,
    responsible_unit TEXT NOT NULL,
    responsible_user TEXT NOT NULL,
    started_ms       BIGINT NOT NULL,
    due_ms           BIGINT NOT NULL,
    warn_ms          BIGINT NOT NULL,
    escalate_days    BIGINT NOT NULL,
    state            TEXT NOT NULL,
    warned           BOOLEAN NOT NULL,
    level            BIGINT NOT NULL,
    next_ms          BIGINT NOT NULL,
    paused_ms        BIGINT NOT NULL,
    pause_reason     TEXT NOT NULL,
    closed_ms        BIGINT NOT NULL,
    version          BIGINT NOT NULL
);
CREATE INDEX deadlines_next ON deadlines (state, paused_ms, next_ms);
CREATE INDEX deadlines_subject ON deadlines (subject_id, state);
CREATE INDEX deadlines_case ON deadlines (case_id);

CREATE TABLE supervision_items (
    id               TEXT PRIMARY KEY,
    deadline_id      TEXT NOT NULL REFERENCES deadlines (id),
    case_id          TEXT NOT NULL,
    case_number      TEXT NOT NULL,
    division         TEXT NOT NULL,
    step             TEXT NOT NULL,
    level            BIGINT NOT NULL,
    responsible_unit TEXT NOT NULL,
    responsible_user TEXT NOT NULL,
    supervising_unit TEXT NOT NULL,
    due_ms           BIGINT NOT NULL,
    created_ms       BIGINT NOT NULL,
    resolved_ms      BIGINT NOT NULL,
    UNIQUE (deadline_id, level)
);
CREATE INDEX supervision_open ON supervision_items (resolved_ms, created_ms);

CREATE TABLE joint_meetings (
    id          TEXT PRIMARY KEY,
    district    TEXT NOT NULL,
    title       TEXT NOT NULL,
    meeting_day BIGINT NOT NULL,
    departments TEXT NOT NULL,
    status      TEXT NOT NULL,
    minutes     TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_ms  BIGINT NOT NULL,
    version     BIGINT NOT NULL
);
CREATE INDEX joint_meetings_district ON joint_meetings (district, meeting_day);

CREATE TABLE joint_agenda (
    meeting_id TEXT NOT NULL REFERENCES joint_meetings (id),
    action_id  TEXT NOT NULL REFERENCES actions (id),
    case_id    TEXT NOT NULL,
    added_by   TEXT NOT NULL,
    added_ms   BIGINT NOT NULL,
    PRIMARY KEY (meeting_id, action_id)
);

CREATE TABLE joint_decisions (
    id         TEXT PRIMARY KEY,
    meeting_id TEXT NOT NULL REFERENCES joint_meetings (id),
    action_id  TEXT NOT NULL REFERENCES actions (id),
    case_id    TEXT NOT NULL,
    text       TEXT NOT NULL,
    lead_unit  TEXT NOT NULL,
    status     TEXT NOT NULL,
    done_note  TEXT NOT NULL,
    done_by    TEXT NOT NULL,
    done_ms    BIGINT NOT NULL,
    created_ms BIGINT NOT NULL
);
CREATE INDEX joint_decisions_meeting ON joint_decisions (meeting_id, created_ms);
CREATE INDEX joint_decisions_action ON joint_decisions (action_id);

-- The catalogue: the eight programmes of Order 649, disease emergency aid, vagrant relief,
-- major-illness aid, charity and social work (DOMAIN §1.2, §5). Medical assistance is routed
-- to the health commission until a medical-security unit is modelled (placeholder).
INSERT INTO programmes VALUES
 ('dibao', '最低生活保障', 'Minimum living guarantee (dibao)', 'civil_affairs', 'district', 'refer', 'BREADWINNER_DEATH,PRICE_RISE', '家庭收入低于低保标准时由区民政局审批（办法第11条）', 'Household income below the dibao standard: approved by the district civil-affairs bureau (Art. 11)', 0, FALSE, 'Order 649 Art. 9–13 (DOMAIN §1.2)'),
 ('tekun', '特困人员救助供养', 'Support for persons in extreme poverty', 'civil_affairs', 'district', 'refer', 'CARE_COST', '无劳动能力、无生活来源、无法定赡养人的老年人、残疾人、未成年人（办法第14条）', 'Elderly, disabled or minors without work capacity, income or supporter (Art. 14)', 0, FALSE, 'Order 649 Art. 14–19'),
 ('disaster', '受灾人员救助', 'Disaster victims relief', 'civil_affairs', 'district', 'refer', 'NATURAL_DISASTER', '自然灾害造成基本生活困难（办法第20条）', 'Basic life seriously affected by a natural disaster (Art. 20)', 0, TRUE, 'Order 649 Art. 20–26; emergency-management bureau not modelled, routed to civil affairs'),
 ('medical', '医疗救助', 'Medical assistance', 'health', 'district', 'refer', 'MEDICAL_EXPENSE,SUDDEN_ILLNESS', '医疗费用自付部分超出承受能力（办法第28条）', 'Out-of-pocket medical costs beyond the household''s means (Art. 28)', 0, TRUE, 'Order 649 Art. 28–30; medical-security bureau not modelled, routed to the health commission'),
 ('education', '教育救助', 'Education assistance', 'education', 'district', 'refer', 'EDUCATION_EXPENSE', '在学子女教育费用困难（办法第33条）', 'Education costs of children at school (Art. 33)', 0, FALSE, 'Order 649 Art. 33–36'),
 ('housing', '住房救助', 'Housing assistance', 'housing', 'district', 'refer', 'HOUSING_REBUILD,FIRE', '住房困难、危房或灾后住房损毁（办法第37条）', 'Housing difficulty, dangerous or destroyed housing (Art. 37)', 0, FALSE, 'Order 649 Art. 37–41'),
 ('employment', '就业救助', 'Employment assistance', 'human_resources', 'district', 'refer', 'BREADWINNER_DEATH', '有劳动能力的家庭成员失去工作或收入来源（办法第42条）', 'A member able to work lost work or income (Art. 42)', 0, FALSE, 'Order 649 Art. 42–45'),
 ('temporary', '临时救助', 'Temporary assistance', 'civil_affairs', 'district', 'refer', 'FIRE,TRAFFIC,OTHER_ACCIDENT,SUDDEN_ILLNESS,PUBLIC_EVENT,DOMESTIC_VIOLENCE,OTHER_URGENT,MEDICAL_EXPENSE,PRICE_RISE', '突发事件或刚性支出导致基本生活暂时困难（办法第47条）', 'Sudden event or unavoidable spending leaves basic life temporarily in difficulty (Art. 47)', 0, FALSE, 'Order 649 Art. 47–49; 国发〔2014〕47号'),
 ('disease_emergency', '疾病应急救助', 'Disease emergency aid', 'health', 'city', 'disease_emergency', 'SUDDEN_ILLNESS', '急危重伤病、身份不明或无力支付（国办发〔2013〕15号）', 'Critical emergency, identity unknown or unable to pay (国办发〔2013〕15号)', 0, FALSE, 'Order 649 Art. 32; DOMAIN §5.2'),
 ('vagrant', '流浪乞讨人员救助', 'Relief for vagrants and stranded people', 'relief_station', 'district', 'shelter', 'STRANDED', '临时遇困、生活无着，需临时食宿和返乡（国务院令第381号）', 'Stranded or destitute: temporary food, shelter and the way home (Order 381)', 0, FALSE, 'Order 649 Art. 50–51; Order 381 (DOMAIN §5.3)'),
 ('major_illness', '重特大疾病医疗救助', 'Major-illness medical aid', 'health', 'district', 'refer', 'MEDICAL_EXPENSE', '重特大疾病高额医疗费用', 'High costs of a major illness', 0, TRUE, '257号 §二(三); placeholder department'),
 ('charity', '慈善救助', 'Charity aid', '', 'city', 'charity', 'OTHER_URGENT,MEDICAL_EXPENSE,EDUCATION_EXPENSE', '政府救助后仍有困难，对接慈善项目（257号 §三(二)3）', 'Need left after government aid: match a charity project (257号 §三(二)3)', 0, FALSE, '257号 §二(四), §三(二)3'),
 ('social_work', '社会工作服务', 'Social-work services', 'civil_affairs', 'district', 'refer', 'DOMESTIC_VIOLENCE,BREADWINNER_DEATH', '心理疏导、资源链接、能力提升等专业服务（257号 §三(三)）', 'Counselling, resource linking and capacity building (257号 §三(三))', 0, FALSE, '257号 §三(三); 民发〔2015〕88号');

-- Time limits: no source fixes them (DOMAIN §3.7, §10); placeholders an administrator replaces.
INSERT INTO rule_deadlines VALUES
 ('refer', 'accept', '*', 'working_days', 3, 24, 2, 0, TRUE, 'placeholder: DOMAIN §3.7 gives no Beijing figure', 'system', 0),
 ('refer', 'feedback', '*', 'working_days', 10, 24, 3, 0, TRUE, 'placeholder: DOMAIN §3.7 local examples use 10 working days', 'system', 0),
 ('shelter', 'accept', '*', 'hours', 12, 2, 1, 0, TRUE, 'placeholder', 'system', 0),
 ('shelter', 'feedback', '*', 'working_days', 10, 24, 2, 0, TRUE, 'placeholder: stays generally ≤ 10 days (DOMAIN §5.3)', 'system', 0),
 ('charity', 'accept', '*', 'working_days', 5, 24, 3, 0, TRUE, 'placeholder', 'system', 0),
 ('charity', 'feedback', '*', 'working_days', 20, 48, 5, 0, TRUE, 'placeholder', 'system', 0),
 ('joint_meeting', 'accept', '*', 'working_days', 5, 24, 2, 0, TRUE, 'placeholder', 'system', 0),
 ('joint_meeting', 'decision', '*', 'working_days', 10, 24, 3, 0, TRUE, 'placeholder', 'system', 0),
 ('aid_first', 'paperwork', '*', 'working_days', 5, 24, 2, 0, TRUE, 'placeholder: Chuxiong example, formalities within 5 working days [L] (DOMAIN §3.7)', 'system', 0),
 ('disease_emergency', 'accept', '*', 'hours', 24, 4, 1, 0, TRUE, 'placeholder', 'system', 0),
 ('disease_emergency', 'feedback', '*', 'working_days', 10, 24, 3, 0, TRUE, 'placeholder', 'system', 0),
 ('case', 'followup', '*', 'working_days', 20, 48, 5, 0, TRUE, 'placeholder: 回访 after closure', 'system', 0);

-- 2026: 国务院办公厅关于2026年部分节假日安排的通知 (2025-11-04). 2027: the statutory days that fall on
-- weekdays only, until the State Council publishes its arrangement (placeholder; an administrator edits).
INSERT INTO calendar_days (day, workday, name, placeholder, source) VALUES
 (20260101, FALSE, '元旦', FALSE, '国办 2025-11-04'), (20260102, FALSE, '元旦', FALSE, '国办 2025-11-04'),
 (20260103, FALSE, '元旦', FALSE, '国办 2025-11-04'), (20260104, TRUE, '元旦调休上班', FALSE, '国办 2025-11-04'),
 (20260214, TRUE, '春节调休上班', FALSE, '国办 2025-11-04'),
 (20260215, FALSE, '春节', FALSE, '国办 2025-11-04'), (20260216, FALSE, '春节', FALSE, '国办 2025-11-04'),
 (20260217, FALSE, '春节', FALSE, '国办 2025-11-04'), (20260218, FALSE, '春节', FALSE, '国办 2025-11-04'),
 (20260219, FALSE, '春节', FALSE, '国办 2025-11-04'), (20260220, FALSE, '春节', FALSE, '国办 2025-11-04'),
 (20260221, FALSE, '春节', FALSE, '国办 2025-11-04'), (20260222, FALSE, '春节', FALSE, '国办 2025-11-04'),
 (20260223, FALSE, '春节', FALSE, '国办 2025-11-04'), (20260228, TRUE, '春节调休上班', FALSE, '国办 2025-11-04'),
 (20260404, FALSE, '清明节', FALSE, '国办 2025-11-04'), (20260405, FALSE, '清明节', FALSE, '国办 2025-11-04'),
 (20260406, FALSE, '清明节', FALSE, '国办 2025-11-04'),
 (20260501, FALSE, '劳动节', FALSE, '国办 2025-11-04'), (20260502, FALSE, '劳动节', FALSE, '国办 2025-11-04'),
 (20260503, FALSE, '劳动节', FALSE, '国办 2025-11-04'), (20260504, FALSE, '劳动节', FALSE, '国办 2025-11-04'),
 (20260505, FALSE, '劳动节', FALSE, '国办 2025-11-04'), (20260509, TRUE, '劳动节调休上班', FALSE, '国办 2025-11-04'),
 (20260619, FALSE, '端午节', FALSE, '国办 2025-11-04'), (20260620, FALSE, '端午节', FALSE, '国办 2025-11-04'),
 (20260621, FALSE, '端午节', FALSE, '国办 2025-11-04'),
 (20260920, TRUE, '国庆节调休上班', FALSE, '国办 2025-11-04'),
 (20260925, FALSE, '中秋节', FALSE, '国办 2025-11-04'), (20260926, FALSE, '中秋节', FALSE, '国办 2025-11-04'),
 (20260927, FALSE, '中秋节', FALSE, '国办 2025-11-04'),
 (20261001, FALSE, '国庆节', FALSE, '国办 2025-11-04'), (20261002, FALSE, '国庆节', FALSE, '国办 2025-11-04'),
 (20261003, FALSE, '国庆节', FALSE, '国办 2025-11-04'), (20261004, FALSE, '国庆节', FALSE, '国办 2025-11-04'),
 (20261005, FALSE, '国庆节', FALSE, '国办 2025-11-04'), (20261006, FALSE, '国庆节', FALSE, '国办 2025-11-04'),
 (20261007, FALSE, '国庆节', FALSE, '国办 2025-11-04'), (20261010, TRUE, '国庆节调休上班', FALSE, '国办 2025-11-04'),
 (20270101, FALSE, '元旦', TRUE, 'provisional: statutory day; 2027 notice not yet entered'),
 (20270205, FALSE, '春节', TRUE, 'provisional: statutory day; 2027 notice not yet entered'),
 (20270208, FALSE, '春节', TRUE, 'provisional: statutory day; 2027 notice not yet entered'),
 (20270405, FALSE, '清明节', TRUE, 'provisional: statutory day; 2027 notice not yet entered'),
 (20270609, FALSE, '端午节', TRUE, 'provisional: statutory day; 2027 notice not yet entered'),
 (20270915, FALSE, '中秋节', TRUE, 'provisional: statutory day; 2027 notice not yet entered'),
 (20271001, FALSE, '国庆节', TRUE, 'provisional: statutory day; 2027 notice not yet entered');
