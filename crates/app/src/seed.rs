//! The benchmark data generator: realistic leads and cases spread over Beijing's real
//! communities, with valid ID numbers, Chinese names, phones, statuses and timelines.
//! Deterministic for a given seed, so runs can be repeated.

use std::collections::HashMap;

use jiujinan_domain::aid::FundKind;
use jiujinan_domain::case::CaseStatus;
use jiujinan_domain::id_number::IdNumber;
use jiujinan_domain::lead::{Channel, HardshipType, LeadStatus, Urgency};
use jiujinan_domain::org::DivisionLevel;
use jiujinan_store::{BENCH_MARK, CaseRecord, Fund, LeadRecord, SeedBatch, SeedLead};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::Serialize;

use crate::org::OrgFiles;
use crate::seed_file::{CaseDraw, household, seed_step, worked};
use crate::users::cli_actor;
use crate::{App, AppError};

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于",
    "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆",
    "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "付",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "霞",
    "平", "刚", "桂英", "建华", "文", "华", "金凤", "玉兰", "志强", "国庆", "淑珍", "红梅", "海燕", "建国", "丹", "鹏",
    "雪", "晨", "浩然", "子涵", "欣怡",
];
const STORIES: &[&str] = &[
    "家中失火，房屋受损，暂无住处。",
    "家庭主要劳动力突发重病住院，医疗费用负担沉重。",
    "交通事故致残，失去收入来源。",
    "独居老人摔伤，无人照料。",
    "外省来京务工人员钱物被盗，滞留街头。",
    "子女就读高中学费无力承担。",
    "遭受家庭暴力，带两名子女离家。",
];

/// How much to generate.
#[derive(Debug, Clone, Copy)]
pub struct SeedPlan {
    /// Cases (each with the lead it came from).
    pub cases: u64,
    /// Extra leads still waiting for verification.
    pub open_leads: u64,
    /// Random seed.
    pub seed: u64,
}

/// What was generated.
#[derive(Debug, Clone, Serialize)]
pub struct SeedReport {
    pub leads: u64,
    pub cases: u64,
    pub timeline_steps: u64,
    pub investigations: u64,
    pub actions: u64,
    pub deadlines: u64,
    pub aid_items: u64,
    /// A sample of case ids and one street with cases, for load tests.
    pub sample_case_ids: Vec<String>,
    pub busiest_street: String,
}

struct Gen {
    rng: StdRng,
    communities: Vec<String>,
}

impl Gen {
    #[allow(clippy::indexing_slicing, reason = "the index is drawn from 0..len")]
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.rng.random_range(0..v.len())]
    }

    fn name(&mut self) -> String {
        format!("{}{}", self.pick(SURNAMES), self.pick(GIVEN))
    }

    fn id_number(&mut self, district: &str) -> String {
        let y = self.rng.random_range(1935..2012);
        let m = self.rng.random_range(1..=12);
        let d = self.rng.random_range(1..=28);
        let seq = self.rng.random_range(0..1000);
        IdNumber::with_check(&format!("{district}{y:04}{m:02}{d:02}{seq:03}")).unwrap_or_default()
    }

    fn phone(&mut self) -> String {
        format!("1{}{:09}", self.rng.random_range(3..=9), self.rng.random_range(0..1_000_000_000u64))
    }
}

impl App {
    /// Marks the database for benchmarks, or refuses with `NOT_A_BENCH_DATABASE` when it holds
    /// accounts, leads or cases and carries no benchmark mark: synthetic, unaudited rows never
    /// mix with real work (issue 19, guards).
    async fn claim_for_benchmark(&self) -> Result<(), AppError> {
        if self.store.has_mark(BENCH_MARK).await? {
            return Ok(());
        }
        if self.store.holds_work().await? {
            return Err(AppError::Conflict("NOT_A_BENCH_DATABASE"));
        }
        let audit = cli_actor().audit(
            jiujinan_domain::audit::action::INSTANCE_MARKED,
            ("instance", BENCH_MARK),
            &serde_json::json!({}),
        );
        self.store.set_mark(BENCH_MARK, audit, self.now_ms()).await?;
        Ok(())
    }

    /// Generates synthetic leads and cases (loading the organisation first if needed) into an
    /// empty or benchmark database. The rows carry no audit entries: nobody acted on them.
    pub async fn seed_benchmark(&self, plan: SeedPlan, mut progress: impl FnMut(u64)) -> Result<SeedReport, AppError> {
        self.claim_for_benchmark().await?;
        let city = jiujinan_domain::org::UnitCode::parse("11")?;
        if self.store.unit(&city).await?.is_none() {
            self.import_org(&cli_actor(), &OrgFiles::embedded()).await?;
        }
        // The communities this database knows (the full city, or whatever was imported).
        let mut communities = Vec::new();
        let mut street_names: HashMap<String, String> = HashMap::new();
        let mut frontier = vec!["11".to_owned()];
        while let Some(code) = frontier.pop() {
            for n in self.child_units(&code).await? {
                if n.unit.kind != "government" {
                    continue;
                }
                match DivisionLevel::parse(&n.unit.level)? {
                    DivisionLevel::Community => communities.push(n.unit.code),
                    level => {
                        if level == DivisionLevel::Street {
                            street_names.insert(n.unit.code.clone(), n.unit.name.clone());
                        }
                        frontier.push(n.unit.code)
                    }
                }
            }
        }
        communities.sort();
        if communities.is_empty() {
            return Err(AppError::NotFound);
        }
        let mut g = Gen { rng: StdRng::seed_from_u64(plan.seed), communities };
        let now = self.now_ms();
        let year = crate::calendar::beijing_date(now).0;
        let mut lead_seq: HashMap<String, i64> = HashMap::new();
        let mut case_seq: HashMap<String, i64> = HashMap::new();
        let mut report = SeedReport {
            leads: 0,
            cases: 0,
            timeline_steps: 0,
            investigations: 0,
            actions: 0,
            deadlines: 0,
            aid_items: 0,
            sample_case_ids: Vec::new(),
            busiest_street: String::new(),
        };
        let mut funds: HashMap<String, Fund> = HashMap::new();
        let total = plan.cases + plan.open_leads;
        let batch = 5_000u64;
        let mut done = 0u64;
        while done < total {
            let n = batch.min(total - done);
            let mut batch = SeedBatch::default();
            for i in 0..n {
                let is_case = done + i < plan.cases;
                let i = g.rng.random_range(0..g.communities.len());
                let community = g.communities.get(i).cloned().unwrap_or_default();
                let street = community[..9].to_owned();
                let district = community[..6].to_owned();
                let urgency = *g.pick(Urgency::ALL);
                let channel = *g.pick(Channel::ALL);
                let hardship = *g.pick(HardshipType::ALL);
                let status = if is_case {
                    *g.pick(&[
                        CaseStatus::Investigating,
                        CaseStatus::Investigating,
                        CaseStatus::Reviewing,
                        CaseStatus::Reviewed,
                    ])
                } else {
                    CaseStatus::Investigating
                };
                // A reviewed case has been worked for weeks: its steps all lie in the past.
                let oldest = if status == CaseStatus::Reviewed { 40 } else { 0 };
                let created = now - g.rng.random_range(oldest * 86_400_000..180 * 86_400_000i64);
                let name = g.name();
                let id_number = (g.rng.random_range(0..10) > 0).then(|| g.id_number(&district));
                let phone = (g.rng.random_range(0..4) > 0).then(|| g.phone());
                let lead_id = crate::ids::new_id(created);
                let seq = lead_seq.entry(street.clone()).or_insert(0);
                *seq += 1;
                let office = format!("{street}:mz");
                let lead = LeadRecord {
                    id: lead_id.clone(),
                    number: format!("L{street}-{year}-{:06}", seq),
                    channel,
                    reporter_name: g.name(),
                    reporter_phone: None,
                    reporter_relation: String::new(),
                    subject_name: name.clone(),
                    subject_id_number: id_number.clone(),
                    subject_phone: phone.clone(),
                    hukou: district.clone(),
                    location_code: community.clone(),
                    address: String::new(),
                    division: community.clone(),
                    responsible_unit: office.clone(),
                    first_inquiry_unit: office.clone(),
                    first_inquiry_user: "seed".into(),
                    description: (*g.pick(STORIES)).into(),
                    hardship_types: hardship.code().into(),
                    urgency,
                    needs: String::new(),
                    status: if is_case { LeadStatus::Accepted } else { LeadStatus::New },
                    duplicate_of: None,
                    verify_due_ms: created + 72 * 3_600_000,
                    created_ms: created,
                    version: if is_case { 2 } else { 1 },
                    outcome_note: String::new(),
                };
                batch.steps.push(seed_step(
                    ("lead", &lead_id),
                    format!("{lead_id}-1"),
                    created,
                    &office,
                    "reported",
                    channel.code().into(),
                ));
                if is_case {
                    let case_id = crate::ids::new_id(created + 1);
                    batch.steps.push(seed_step(
                        ("lead", &lead_id),
                        format!("{lead_id}-acc"),
                        created + 1,
                        &office,
                        "accepted",
                        String::new(),
                    ));
                    let cseq = case_seq.entry(street.clone()).or_insert(0);
                    *cseq += 1;
                    let number = format!("{street}-{year}-{:05}", cseq);
                    let draw = CaseDraw {
                        case_id: &case_id,
                        case_number: &number,
                        community: &community,
                        office: &office,
                        name: &name,
                        id_number: id_number.as_deref(),
                        hardship: hardship.code(),
                        status,
                        opened_ms: created + 1,
                        now_ms: now,
                    };
                    let relatives: Vec<String> = (0..4).map(|_| g.name()).collect();
                    let (household, economy, persons) = household(&mut g.rng, &draw, &relatives);
                    let paid = worked(&mut g.rng, &draw, persons, &mut batch);
                    if paid > 0 {
                        let name = street_names.get(&street).cloned().unwrap_or_else(|| street.clone());
                        let fund = funds.entry(street.clone()).or_insert_with(|| Fund {
                            id: format!("seed-fund-{street}"),
                            unit: office.clone(),
                            division: street.clone(),
                            kind: FundKind::Reserve,
                            name: format!("{name}临时救助备用金"),
                            available_fen: 0,
                            reserved_fen: 0,
                            paid_fen: 0,
                            created_ms: now - 200 * 86_400_000,
                            version: 1,
                        });
                        fund.paid_fen += paid;
                    }
                    let reviewed = status == CaseStatus::Reviewed;
                    batch.cases.push(CaseRecord {
                        id: case_id.clone(),
                        number,
                        lead_id: lead_id.clone(),
                        subject_name: name.clone(),
                        subject_id_number: id_number.clone(),
                        subject_phone: phone.clone(),
                        division: community.clone(),
                        responsible_unit: office.clone(),
                        responsible_user: "seed".into(),
                        first_inquiry_unit: office.clone(),
                        status,
                        urgency,
                        hardship_types: hardship.code().into(),
                        documents_pending: false,
                        household,
                        economy,
                        population: "户籍人口".into(),
                        review_opinion: if reviewed {
                            "情况属实，建议转介并给予临时救助".into()
                        } else {
                            String::new()
                        },
                        recommended_routes: if reviewed { "refer,charity".into() } else { String::new() },
                        step_due_ms: created + g.rng.random_range(1..400) * 3_600_000,
                        created_ms: created + 1,
                        updated_ms: created + 1,
                        version: 1,
                    });
                    batch.steps.push(seed_step(
                        ("case", &case_id),
                        format!("{case_id}-acc"),
                        created + 1,
                        &office,
                        "case_opened",
                        String::new(),
                    ));
                    // The case-file workload reads worked files: reviewed cases, with actions,
                    // clocks and aid (issue 19).
                    if reviewed && report.sample_case_ids.len() < 1_000 && g.rng.random_range(0..25) == 0 {
                        report.sample_case_ids.push(case_id);
                    }
                }
                batch.leads.push(SeedLead { lead });
            }
            report.leads += batch.leads.len() as u64;
            report.cases += batch.cases.len() as u64;
            report.timeline_steps += batch.steps.len() as u64;
            report.investigations += batch.investigations.len() as u64;
            report.actions += batch.actions.len() as u64;
            report.deadlines += batch.deadlines.len() as u64;
            report.aid_items += batch.aid.len() as u64;
            self.store.bulk_seed(&batch).await?;
            done += n;
            progress(done);
        }
        // The streets' reserve funds with what the seeded aid paid out of them (no ledger lines:
        // the benchmarks read case files, not accounts).
        let funds: Vec<Fund> = funds.into_values().collect();
        self.store.bulk_seed(&SeedBatch { funds, ..SeedBatch::default() }).await?;
        let counters = |m: &HashMap<String, i64>| m.iter().map(|(s, n)| (s.clone(), year, *n)).collect::<Vec<_>>();
        self.store.seed_counters(&counters(&lead_seq), &counters(&case_seq)).await?;
        // Plans are chosen from the tables as seeded, not from counts taken half-way (issue 18).
        self.store.refresh_statistics().await?;
        report.busiest_street = case_seq.iter().max_by_key(|(_, n)| **n).map(|(s, _)| s.clone()).unwrap_or_default();
        Ok(report)
    }
}
