// Intake in the browser: a window clerk records a walk-in application, a community
// worker reports the same person (flagged as a duplicate), a hotline system posts a lead
// through the API twice with one Idempotency-Key (one lead), and the street reviewer
// finds them in the queue with masked ID numbers.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PASSWORD, server, setUp, tearDown, newPage, shot, saveFailure, pathOf, login, visibleText, cli } from './harness.mjs';

before(setUp);
after(tearDown);

async function recordLead(page, fields) {
  await page.goto(`${server.base}/leads/new`);
  if (fields.channel) await page.selectOption('#lf-channel', fields.channel);
  await page.fill('#lf-subject-name', fields.name);
  await page.fill('#lf-id-number', fields.id ?? '');
  await page.fill('#lf-subject-phone', fields.phone ?? '');
  await page.selectOption('#lf-location', fields.location);
  await page.selectOption('#lf-urgency', fields.urgency);
  for (const h of fields.hardship ?? []) await page.check(`input[name="hardship_types"][value="${h}"]`);
  await page.fill('#lf-description', fields.description);
  await page.click('#lf-submit');
}

test('intake: walk-in, discovery, hotline API with retries, street queue', { timeout: 180_000 }, async () => {
  const { context, page, browserErrors, assertNoBrowserErrors } = await newPage();
  let step = 'start';
  try {
    step = '10-clerk-bad-id';
    await login(page, 'jw_clerk', PASSWORD);
    await page.waitForURL((u) => u.pathname === '/');
    await page.click('#nav-leads');
    await page.click('#new-lead');
    await page.waitForURL((u) => u.pathname === '/leads/new');
    await recordLead(page, {
      name: '张伟', id: '110105194912310021', phone: '13800138000', location: '110105001024',
      urgency: 'critical', hardship: ['FIRE'], description: '家中失火，无处居住，需要临时住所。',
    });
    const err = page.locator('#lead-error');
    await err.waitFor({ state: 'visible' });
    assert.equal(await err.getAttribute('data-field'), 'subject.id_number');
    assert.match(await err.textContent(), /校验位/);
    assert.equal(await page.inputValue('#lf-subject-name'), '张伟', 'the form keeps what was typed');
    await shot(page, step);

    step = '11-clerk-walk-in';
    await page.fill('#lf-id-number', '11010519491231002X');
    await page.click('#lf-submit');
    await page.locator('#lead-created').waitFor({ state: 'visible' });
    assert.match(await visibleText(page, '#lead-number'), /L110105001-\d{4}-000001/);
    assert.match(await visibleText(page, '#lead-first-inquiry'), /jw_clerk/);
    assert.equal(await visibleText(page, '#lead-responsible'), '建外街道社会救助受理窗口', 'the unit by name');
    assert.equal(await page.getAttribute('#lead-responsible', 'title'), '110105001:mz', 'its code on hover');
    assert.match(await visibleText(page, '#lead-timeline'), /登记求助/);
    await shot(page, step);
    await page.click('#logout');

    step = '12-community-discovery';
    await login(page, 'jw_community', PASSWORD);
    await page.waitForURL((u) => u.pathname === '/');
    await recordLead(page, {
      channel: 'discovery', name: '张伟', id: '110105491231002', location: '110105001024',
      urgency: 'urgent', hardship: ['FIRE', 'SUDDEN_ILLNESS'], description: '巡查发现张伟在楼道内，身体不适。',
    });
    await page.locator('#lead-duplicate').waitFor({ state: 'visible' });
    await shot(page, step);
    await page.click('#logout');

    step = '13-hotline-api';
    const token = cli(['token', 'issue', '--username', 'admin', '--name', '12345']).trim();
    const body = {
      channel: 'hotline_12345',
      reporter: { name: '热心市民', phone: '13900000000' },
      subject: { name: '王芳', phone: '13700000000' },
      location_code: '110105001025',
      description: '12345 工单：独居老人王芳摔伤，无人照顾。',
      urgency: 'urgent',
      hardship_types: ['OTHER_ACCIDENT'],
    };
    const post = () => fetch(`${server.base}/api/v1/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'wo-20261129-0001' },
      body: JSON.stringify(body),
    });
    const first = await post();
    const again = await post();
    assert.equal(first.status, 201);
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    const a = await first.json();
    const b = await again.json();
    assert.deepEqual(a, b, 'the retry gets the same reply');
    assert.equal(a.responsible_unit, '110105001:mz');
    assert.equal(a.first_inquiry_unit, '11:mz');

    step = '14-reviewer-queue';
    await login(page, 'jw_reviewer', PASSWORD);
    await page.waitForURL((u) => u.pathname === '/');
    assert.match(await visibleText(page, '#home-to-verify'), /3/);
    // The home page lists what waits for a street reviewer, each with a link to it.
    const kinds = await page.locator('#home-work tbody tr').evaluateAll((rs) => rs.map((r) => r.dataset.kind));
    assert.deepEqual(kinds, [
      'home-to-verify', 'home-investigating', 'home-to-review', 'home-referrals', 'home-referrals-open',
      'home-aid-review', 'home-aid-approve', 'home-aid-pay', 'home-supervision', 'home-followups',
    ]);
    await page.click('#home-to-verify');
    await page.waitForURL((u) => u.pathname === '/leads');
    const rows = page.locator('#leads-table tbody tr');
    assert.equal(await rows.count(), 3, 'three leads, the retried API call counted once');
    assert.match(await rows.first().textContent(), /张伟/, 'critical first');
    const masked = await page.locator('#leads-table code.id-masked').allTextContents();
    assert.ok(masked.includes('110105********002X'), `ID numbers are masked in lists: ${masked}`);
    assert.ok(!(await page.content()).includes('11010519491231002X'), 'no full ID number in the list');
    await shot(page, step);

    step = '15-reviewer-search';
    await page.fill('#lead-search', '王芳');
    await page.press('#lead-search', 'Enter');
    await page.waitForURL((u) => u.searchParams.get('q') === '王芳');
    assert.equal(await rows.count(), 1);
    await rows.first().locator('a').click();
    await page.waitForURL((u) => u.pathname.startsWith('/leads/'));
    assert.match(await visibleText(page, '#lead-first-inquiry'), /北京市民政局/);
    assert.equal(await page.locator('#lead-first-inquiry span').first().getAttribute('title'), '11:mz');
    assert.equal(pathOf(page), `/leads/${a.id}`);
    await shot(page, step);

    // The reviewer merges the community worker's duplicate report into the walk-in lead.
    step = '16-reviewer-merge';
    await page.goto(`${server.base}/leads?status=new&q=${encodeURIComponent('张伟')}`);
    const dupRow = page.locator('#leads-table tbody tr', { hasText: '疑似重复' });
    await dupRow.locator('a').click();
    await page.waitForURL((u) => u.pathname.startsWith('/leads/'));
    assert.notEqual(await page.inputValue('#merge-into'), '', 'the duplicate target is proposed');
    await page.click('#merge-lead');
    await page.locator('#lead-outcome').waitFor({ state: 'visible' });
    await shot(page, step);

    // ... accepts the walk-in (documents later), which opens the case.
    step = '17-reviewer-accept';
    await page.goto(`${server.base}/leads?status=new&q=${encodeURIComponent('张伟')}`);
    await page.locator('#leads-table tbody tr').first().locator('a').click();
    await page.waitForURL((u) => u.pathname.startsWith('/leads/'));
    await page.check('#verify-accept input[name="documents_pending"]');
    await page.click('#accept-lead');
    await page.waitForURL((u) => u.pathname.startsWith('/cases/'));
    assert.match(await visibleText(page, '#case-number'), /110105001-\d{4}-00001/);
    assert.match(await visibleText(page, '#case-lead'), /^L110105001-\d{4}-\d{6}$/, 'the lead by its number, not its id');
    assert.match(await visibleText(page, '#case-responsible'), /jw_reviewer/);
    await shot(page, step);

    // ... fills in the household, records a home visit and submits for review.
    step = '18-case-file';
    await page.fill('input[name="member_name_1"]', '李娜');
    await page.selectOption('select[name="member_rel_1"]', 'spouse');
    await page.fill('input[name="income_kind_0"]', '养老金');
    await page.fill('input[name="income_yuan_0"]', '1800');
    await page.fill('#cf-population', '户籍人口');
    await page.click('#save-file');
    await page.locator('#case-saved').waitFor({ state: 'visible' });
    assert.equal(await visibleText(page, '#case-monthly-income'), '1800.00');
    // ID numbers are masked on the case file (the masked one was saved back unchanged) until
    // revealed, which is an audited reading of its own.
    assert.equal(await page.inputValue('input[name="member_id_0"]'), '110105********002X');
    assert.ok(!(await page.content()).includes('11010519491231002X'), 'no full ID number before the reveal');
    await page.click('#pii-reveal');
    await page.locator('#pii-revealed').waitFor({ state: 'visible' });
    assert.equal(await page.inputValue('input[name="member_id_0"]'), '11010519491231002X');
    await shot(page, '18a-case-file-revealed');
    await page.selectOption('#inv-method', 'home_visit');
    await page.fill('#inv-findings', '入户查看：房屋烧毁，暂住亲戚家，无收入来源。');
    await page.click('#add-investigation');
    await page.locator('#investigations tbody tr').first().waitFor({ state: 'visible' });
    await page.click('#submit-review');
    await page.locator('#review-panel').waitFor({ state: 'visible' });
    await shot(page, step);

    // ... and records the preliminary review opinion; the timeline shows every step.
    step = '19-case-review';
    await page.fill('#rv-opinion', '情况属实，建议先行救助并转介住建部门协助安置。');
    await page.check('#review-form input[value="aid_first"]');
    await page.check('#review-form input[value="refer"]');
    await page.click('#record-review');
    await page.locator('#case-opinion').waitFor({ state: 'visible' });
    const timeline = await visibleText(page, '#case-timeline');
    for (const s of ['登记求助', '合并重复报告', '核查受理', '建立案件', '更新家庭情况', '调查核实', '提交初审', '出具初审意见']) {
      assert.ok(timeline.includes(s), `timeline shows ${s}: ${timeline}`);
    }
    assert.match(timeline, /jw_clerk/);
    assert.match(timeline, /jw_reviewer/);
    await shot(page, step);

    step = 'browser-errors';
    assertNoBrowserErrors();
  } catch (e) {
    await saveFailure(page, `intake-${step}`, browserErrors());
    throw e;
  } finally {
    await context.close();
  }
});
