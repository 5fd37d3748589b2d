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
    assert.match(await visibleText(page, '#lead-responsible'), /110105001:mz/);
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
    assert.match(await visibleText(page, '#lead-first-inquiry'), /11:mz/);
    assert.equal(pathOf(page), `/leads/${a.id}`);
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
