// Disposition in the browser, with the server's test clock: a street refers a case to the
// district health commission, which accepts and feeds back; a second referral is returned
// with a reason and redirected; a third is left unanswered and, with the clock moved past
// the National Day holiday and its make-up Saturday, becomes overdue on the right day,
// opens a supervision item and escalates; the case goes to the district joint meeting and
// its decision is carried out; aid first is given and its paperwork chased; a person from
// another province is sheltered and taken home; an unknown critically ill person is routed
// to disease emergency aid.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { server, setUp, tearDown, newPage, shot, saveFailure, pathOf, signIn, visibleText, cli, pdfText } from './harness.mjs';

// This server may move its clock (administrators only) and sweeps only when told to; the
// environment is read when `setUp` starts the server.
process.env.JIUJINAN_TEST_CLOCK = 'true';
// The clock starts before the dates this test plays out; it only moves forward from there.
process.env.JIUJINAN_TEST_CLOCK_START = '2026-09-30T08:00';
process.env.JIUJINAN_SUPERVISION_INTERVAL_SECONDS = '0';

before(setUp);
after(tearDown);

test('disposition: referrals, overdue escalation, joint meeting, aid first, shelter, disease emergency', { timeout: 300_000 }, async () => {
  const { context, page, browserErrors, assertNoBrowserErrors } = await newPage();
  let step = 'start';

  const as = (username) => signIn(context, page, username);

  async function setClock(at) {
    await as('admin');
    await page.goto(`${server.base}/supervision`);
    await page.fill('#test-clock-at', at);
    assert.equal((await page.locator('#set-test-clock').innerText()).trim(), '调整时钟', 'the button says what it does');
    await page.click('#set-test-clock');
    await page.waitForLoadState('load');
    await page.goto(`${server.base}/supervision`);
    assert.equal(new URL(page.url()).pathname, '/supervision', 'moving the clock (days at a time) signs nobody out');
  }

  async function postLead(body) {
    const res = await fetch(`${server.base}/api/v1/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return res.json();
  }

  async function acceptLead(leadId) {
    await page.goto(`${server.base}/leads/${leadId}`);
    await page.click('#accept-lead');
    await page.waitForURL((u) => u.pathname.startsWith('/cases/'));
    return pathOf(page);
  }

  async function createAction(casePath, f) {
    await page.goto(`${server.base}${casePath}`);
    if ((await page.locator('#new-action').getAttribute('open')) === null) await page.click('#new-action > summary');
    await page.selectOption('#ac-route', f.route);
    // Only the chosen route's own fields show.
    const own = {
      refer: ['#ac-programme', '#ac-to'],
      shelter: ['#ac-to', '#ac-province'],
      charity: ['#ac-party'],
      joint_meeting: [],
      aid_first: ['#ac-amount', '#ac-given'],
      disease_emergency: ['#ac-to', '#ac-hospital', '#ac-unknown'],
    }[f.route];
    for (const sel of ['#ac-programme', '#ac-to', '#ac-party', '#ac-amount', '#ac-given', '#ac-hospital', '#ac-unknown', '#ac-province']) {
      assert.equal(await page.locator(sel).isVisible(), own.includes(sel), `${f.route}: ${sel} shown only for its routes`);
    }
    if (f.programme) {
      await page.selectOption('#ac-programme', f.programme);
      // The receiver is chosen by name; left alone, it is the programme's department, named.
      assert.match(await page.locator('#ac-to-default').innerText(), /：.+(委员会|局|站)/, 'the default receiver by name');
      assert.doesNotMatch(await page.locator('#ac-to').innerText(), /\d+:[a-z]+/, 'no unit codes to choose from');
    }
    await page.fill('#ac-request', f.request);
    if (f.amount) await page.fill('#ac-amount', f.amount);
    if (f.given) await page.fill('#ac-given', f.given);
    if (f.hospital) await page.fill('#ac-hospital', f.hospital);
    if (f.province) await page.fill('#ac-province', f.province);
    await page.click('#create-action');
    await page.locator('#case-saved').waitFor({ state: 'visible' });
    const ids = await page.locator('article.action').evaluateAll((els) => els.map((e) => e.id.replace('action-', '')));
    return ids[ids.length - 1];
  }

  async function openReferral(id) {
    await page.goto(`${server.base}/referrals/${id}`);
    await page.locator('#referral').waitFor({ state: 'visible' });
  }

  async function supervisionRows(username) {
    await as(username);
    await page.goto(`${server.base}/supervision`);
    return page.locator('#supervision tbody tr').evaluateAll((rows) =>
      rows.map((r) => ({ level: r.dataset.level, supervising: r.dataset.supervising, responsible: r.dataset.responsible, text: r.textContent })),
    );
  }

  let token;
  try {
    step = '30-clock-to-30-september';
    await setClock('2026-09-30T09:00');
    token = cli(['token', 'issue', '--username', 'jw_clerk', '--name', 'e2e']).trim();

    step = '31-case-reviewed';
    const lead = await postLead({
      channel: 'window',
      subject: { name: '赵强', id_number: '11010519491231002X', phone: '13800138001' },
      location_code: '110105001024',
      description: '家中失火，住院治疗，医疗费用负担重。',
      urgency: 'urgent',
      hardship_types: ['FIRE', 'MEDICAL_EXPENSE'],
    });
    await as('jw_reviewer');
    const casePath = await acceptLead(lead.id);
    await page.selectOption('#inv-method', 'home_visit');
    await page.fill('#inv-findings', '入户核实：房屋烧毁，本人住院。');
    await page.click('#add-investigation');
    await page.locator('#investigations tbody tr').first().waitFor({ state: 'visible' });
    await page.click('#submit-review');
    await page.fill('#rv-opinion', '情况属实，建议转介医疗救助并先行救助。');
    await page.check('#review-form input[value="refer"]');
    await page.click('#record-review');
    await page.locator('#case-opinion').waitFor({ state: 'visible' });
    const caseNumber = (await visibleText(page, '#case-number')).trim().split(/\s+/)[0];
    assert.ok(await page.locator('#suggestions li[data-programme="medical"]').count(), 'medical assistance is suggested');
    await shot(page, step);

    step = '32-street-refers';
    const r1 = await createAction(casePath, { route: 'refer', programme: 'medical', request: '住院自付费用申请医疗救助' });
    const r2 = await createAction(casePath, { route: 'refer', programme: 'major_illness', request: '申请重特大疾病医疗救助' });
    const r3 = await createAction(casePath, { route: 'refer', programme: 'employment', request: '家属失业，申请就业援助' });
    const aid = await createAction(casePath, { route: 'aid_first', request: '火灾当日先行救助', amount: '1000', given: '棉被两床' });
    const esc = await createAction(casePath, { route: 'joint_meeting', request: '房屋重建无对口政策，提请区联席会议研究' });
    const shelter = await createAction(casePath, { route: 'shelter', request: '随行亲属临时安置并协助返乡', province: '河北省' });
    assert.match(await visibleText(page, `#action-${r1} .accountable`), /建外街道/, 'the street stays accountable until acceptance, named');
    assert.equal(await page.locator(`#action-${r1} .accountable`).getAttribute('title'), '110105001:mz', 'its code on hover');
    await shot(page, step);

    step = '33-health-accepts-and-feeds-back';
    await as('cy_health');
    await page.click('#nav-referrals');
    await page.waitForURL((u) => u.pathname === '/referrals');
    assert.equal(await page.locator('#inbox tbody tr').count(), 2, 'two referrals wait for the health commission');
    const firstRow = page.locator('#inbox tbody tr').first();
    assert.match(await firstRow.locator('.case-number').innerText(), /^\d{9}-\d{4}-\d{5}$/, 'the case number, not the request, under 案件编号');
    assert.match(await firstRow.locator('.request').innerText(), /医疗救助/, 'the request in its own column');
    assert.match(await firstRow.locator('.from').innerText(), /建外街道/, 'the sender by name');
    await openReferral(r1);
    // The referral letter (转介单) the commission files: one A4 page, names and dates, no controls.
    await page.click('#referral-letter-link');
    await page.waitForURL((u) => u.pathname === `/referrals/${r1}/letter`);
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('input:visible, select:visible, textarea:visible, button:visible').count(), 0, 'no form controls on paper');
    const letter = await pdfText(await page.pdf({ format: 'A4', printBackground: false }));
    await page.emulateMedia({ media: 'screen' });
    assert.equal(letter.pages, 1, `the letter fits one page: ${letter.text}`);
    assert.match(letter.text, /救急难转介单/);
    assert.match(letter.text, /致 ?朝阳区卫生健康委员会/, `the receiving unit by name: ${letter.text.slice(0, 300)}`);
    assert.match(letter.text, /建外街道社会救助受理窗口/, 'the sending unit by name');
    assert.match(letter.text, /转介日期：\d{4}-\d{2}-\d{2}/, 'the day it was sent');
    assert.match(letter.text, /医疗救助/, 'what is asked');
    assert.match(letter.text, /接收时限/, 'the time limits');
    assert.match(letter.text, /接收人（签字）/, 'a receipt to sign');
    assert.doesNotMatch(letter.text, /\d{6}:[a-z]+|refer\b|medical\b/, 'no codes on paper');
    await shot(page, '33a-referral-letter');
    await openReferral(r1);
    await page.click('#accept');
    await page.locator('#referral-saved').waitFor({ state: 'visible' });
    assert.doesNotMatch(await page.locator('#referral').innerText(), /\(\d+:[a-z]+\)/, 'units by name, the code only on hover');
    const kinds = await page.locator('#ev-kind option').evaluateAll((os) => os.map((o) => o.value));
    assert.ok(kinds.includes('progress') && !kinds.includes('stay_in') && !kinds.includes('return_trip'), `a medical referral offers no relief-station events: ${kinds}`);
    await page.selectOption('#fb-outcome', 'granted');
    await page.fill('#fb-detail', '核定医疗救助 5000 元');
    await page.fill('#fb-amount', '5000');
    await page.click('#feedback');
    await page.locator('#referral-outcome').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#referral').getAttribute('data-status'), 'completed');
    await shot(page, step);

    step = '34-health-returns-with-reason';
    await openReferral(r2);
    await page.click('#return');
    await page.locator('#referral-error').waitFor({ state: 'visible' });
    assert.match(await visibleText(page, '#referral-error'), /理由/);
    await page.fill('#return-reason', '不属于重特大疾病范围，请按临时救助办理');
    await page.click('#return');
    await page.locator('#referral-saved').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#referral').getAttribute('data-status'), 'returned');
    assert.match(await visibleText(page, '#referral-accountable'), /建外街道/, 'returned, the referral is the street\'s again');
    assert.doesNotMatch(await visibleText(page, '#referral-accountable'), /卫生健康/);
    await page.goto(`${server.base}/referrals/${r2}/letter`);
    assert.match(await visibleText(page, '#letter-void'), /不再有效.*已退回/, 'a returned referral\'s letter says it asks nothing');
    await shot(page, step);

    step = '35-street-redirects';
    await as('jw_reviewer');
    await page.goto(`${server.base}${casePath}`);
    const returned = page.locator(`#action-${r2}`);
    assert.match(await returned.locator('.return-reason').textContent(), /临时救助/);
    await returned.locator('select[name="programme"]').selectOption('temporary');
    await returned.locator('button.redirect').click();
    await page.locator('#case-saved').waitFor({ state: 'visible' });
    assert.equal(await page.locator('article.action[data-route="refer"][data-status="sent"]').count(), 2);
    await shot(page, step);

    step = '36-relief-shelters-and-returns-home';
    await as('cy_relief');
    await openReferral(shelter);
    await page.click('#accept');
    await page.locator('#referral-saved').waitFor({ state: 'visible' });
    for (const [kind, detail] of [
      ['stay_in', '入站安置，提供单间'],
      ['home_contact', '联系河北省保定市民政局，约定接站'],
      ['return_trip', '购买火车票，工作人员护送'],
      ['arrival_confirmed', '保定市救助站确认接回'],
    ]) {
      await page.selectOption('#ev-kind', kind);
      await page.fill('#ev-detail', detail);
      await page.click('#record-event');
      await page.locator('#referral-saved').waitFor({ state: 'visible' });
    }
    assert.equal(await page.locator('#referral-events li').count(), 4);
    await page.selectOption('#fb-outcome', 'granted');
    await page.fill('#fb-detail', '已护送返回河北省保定市');
    await page.click('#feedback');
    await page.locator('#referral-outcome').waitFor({ state: 'visible' });
    await shot(page, step);

    step = '37-joint-meeting';
    await as('cy_approver');
    await page.click('#nav-meetings');
    await page.fill('#mt-title', '朝阳区社会救助联席会议（10月）');
    await page.fill('#mt-day', '2026-10-09');
    assert.equal(await page.locator('#mt-district option:checked').innerText(), '朝阳区', 'the district by name');
    // The member departments are ticked by name (all at first): keep health and housing.
    for (const box of await page.locator('#mt-deps input[type=checkbox]').all()) {
      await box.setChecked(['wj', 'zj'].includes(await box.getAttribute('value')));
    }
    await page.click('#create-meeting');
    await page.waitForURL((u) => u.pathname.startsWith('/meetings/'));
    const meetingPath = pathOf(page);
    assert.equal(await visibleText(page, '#meeting-district'), '朝阳区');
    const members = await visibleText(page, '#meeting-departments');
    assert.equal(members.split('、').length, 2, members);
    assert.match(members, /朝阳区卫生健康委员会/);
    assert.doesNotMatch(members, /110105|wj|zj/, 'names, not codes');
    assert.equal(await page.locator('.agenda-item').count(), 0, 'the agenda starts empty');
    const waitingCase = (await visibleText(page, '#waiting li strong')).trim();
    assert.equal(waitingCase, caseNumber, 'the escalated case waits for the agenda');
    await page.locator('#waiting .add-to-agenda').first().click();
    await page.locator('#meeting-saved').waitFor({ state: 'visible' });
    const agendaCase = (await visibleText(page, '.agenda-item h3')).trim();
    assert.equal(agendaCase, caseNumber, 'the case is on the agenda');
    assert.match(await visibleText(page, '.agenda-item .prewrap'), /房屋重建无对口政策，提请区联席会议研究/);
    assert.equal(await page.locator('#waiting li').count(), 0, 'and no longer waits');
    await page.fill('.decision-form input[name="text"]', '由区卫健委牵头协调医疗费用减免');
    await page.selectOption('.decision-form select[name="lead_unit"]', '110105:wj');
    await page.click('.add-decision');
    await page.locator('#meeting-saved').waitFor({ state: 'visible' });
    const decision = await visibleText(page, '.agenda-item .decisions li');
    assert.match(decision, /由区卫健委牵头协调医疗费用减免 · 朝阳区卫生健康委员会/, decision);
    await as('cy_health');
    await page.goto(`${server.base}${meetingPath}`);
    await page.fill('.decision-done-form input[name="note"]', '医院已减免费用 3000 元');
    await page.click('.decision-done');
    await page.locator('li.done').waitFor({ state: 'visible' });
    const done = await visibleText(page, 'li.done');
    assert.match(done, /^✓ 由区卫健委牵头协调医疗费用减免 · 朝阳区卫生健康委员会 · 医院已减免费用 3000 元/, done);
    assert.equal(await page.locator('.decision-done-form').count(), 0, 'done once: the form is gone');
    await shot(page, step);

    step = '38-disease-emergency';
    const unknown = await postLead({
      channel: 'department_transfer',
      subject: { name: '无名男子（约60岁）' },
      location_code: '110105001024',
      description: '医院报告：路人送医，昏迷，无法确认身份，需急救。',
      urgency: 'critical',
      hardship_types: ['SUDDEN_ILLNESS'],
    });
    await as('jw_reviewer');
    const sickPath = await acceptLead(unknown.id);
    assert.ok(await page.locator('#suggestions li[data-route="disease_emergency"]').count(), 'disease emergency aid is suggested');
    const de = await createAction(sickPath, {
      route: 'disease_emergency', request: '主动核查：抢救中，身份不明，申请疾病应急救助基金', hospital: '朝阳医院',
    });
    await as('city_health');
    await openReferral(de);
    await page.click('#accept');
    await page.locator('#referral-saved').waitFor({ state: 'visible' });
    await shot(page, step);

    step = '39-not-overdue-on-the-make-up-saturday';
    await setClock('2026-10-10T23:00');
    let rows = await supervisionRows('cy_approver');
    assert.ok(!rows.some((r) => r.responsible === '110105:rs'), `nothing overdue yet: ${JSON.stringify(rows)}`);

    step = '40-overdue-on-sunday-11-october';
    await setClock('2026-10-11T00:30');
    rows = await supervisionRows('cy_approver');
    const hr = rows.find((r) => r.responsible === '110105:rs');
    assert.ok(hr, `the unanswered referral is supervised: ${JSON.stringify(rows)}`);
    assert.match(hr.text, /朝阳区人力资源/, 'the responsible unit by name, not its code');
    assert.doesNotMatch(hr.text, /110105:rs/);
    assert.equal(hr.level, '1');
    assert.equal(hr.supervising, '110105:mz', 'the district supervises');
    await shot(page, step);

    step = '41-escalated-and-paperwork-chased';
    await setClock('2026-10-14T00:30');
    rows = await supervisionRows('supervisor');
    assert.ok(rows.some((r) => r.responsible === '110105:rs' && r.level === '2' && r.supervising === '11:mz'), JSON.stringify(rows));
    assert.ok(rows.some((r) => r.responsible === '110105001:mz' && r.level === '1'), `aid-first paperwork overdue: ${JSON.stringify(rows)}`);
    await shot(page, step);

    step = '42-paperwork-completed';
    await as('jw_reviewer');
    // Their home page counts the overdue paperwork and the 督办 item, and links to them.
    const openRow = page.locator('#home-work tr[data-kind="home-referrals-open"]');
    assert.ok(Number(await openRow.locator('.overdue').innerText()) >= 1, 'the overdue paperwork is counted at home');
    assert.ok(Number(await page.locator('#home-supervision').innerText()) >= 1, 'the 督办 item is counted at home');
    await page.click('#home-referrals-open');
    await page.waitForURL((u) => u.pathname === '/referrals');
    assert.equal(await page.locator(`tr[data-id="${aid}"]`).count(), 1, 'the link leads to the paperwork');
    await openReferral(aid);
    await page.fill('#paperwork-detail', '申请书、身份证明已补齐');
    await page.click('#paperwork-done');
    await page.locator('#referral-saved').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#referral').getAttribute('data-status'), 'completed');
    await page.goto(`${server.base}${casePath}`);
    const timeline = await visibleText(page, '#case-timeline');
    for (const s of ['发起处置', '接收转办', '反馈结果', '退回转办', '逾期督办', '逐级上报督办', '联席会议决定', '补齐手续']) {
      assert.ok(timeline.includes(s), `timeline shows ${s}`);
    }
    await shot(page, step);
    assert.ok(esc && r3);

    step = 'browser-errors';
    assertNoBrowserErrors();
  } catch (e) {
    await saveFailure(page, `disposition-${step}`, browserErrors());
    throw e;
  } finally {
    await context.close();
  }
});
