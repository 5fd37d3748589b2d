// A form sent twice in the browser is carried out once: two copies of the investigation form
// posted at the same instant from the page, then a double click on the button, each leave one
// record; the page loaded again gives the form a new token and records again.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { server, setUp, tearDown, newPage, saveFailure, signIn, cli } from './harness.mjs';

before(setUp);
after(tearDown);

test('a form sent twice records once', { timeout: 120_000 }, async () => {
  const { context, page, browserErrors, assertNoBrowserErrors } = await newPage();
  let step = 'start';
  const rows = () => page.locator('#investigations tbody tr').count();
  try {
    step = '60-case';
    const token = cli(['token', 'issue', '--username', 'jw_clerk', '--name', 'e2e-double']).trim();
    const res = await fetch(`${server.base}/api/v1/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        channel: 'window',
        subject: { name: '周敏', id_number: '110105198001010032', phone: '13800138003' },
        location_code: '110105001024',
        description: '家中失火，无处居住。',
        urgency: 'urgent',
        hardship_types: ['FIRE'],
      }),
    });
    assert.equal(res.status, 201);
    const lead = await res.json();
    await signIn(context, page, 'jw_reviewer');
    await page.goto(`${server.base}/leads/${lead.id}`);
    await page.click('#accept-lead');
    await page.waitForURL((u) => u.pathname.startsWith('/cases/'));
    const casePage = page.url();

    step = '61-two-copies-at-once';
    await page.selectOption('#inv-method', 'home_visit');
    await page.fill('#inv-findings', '入户核实：房屋烧毁。');
    const statuses = await page.evaluate(async () => {
      const form = document.querySelector('#investigation-form');
      const body = new URLSearchParams(new FormData(form)).toString();
      const send = () => fetch(form.action, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        redirect: 'manual',
      }).then((r) => r.type === 'opaqueredirect' ? 'redirect' : String(r.status));
      return Promise.all([send(), send()]);
    });
    assert.deepEqual(statuses, ['redirect', 'redirect'], 'both copies answered with the same redirect');
    await page.goto(casePage);
    assert.equal(await rows(), 1, 'one record for two copies');

    step = '62-double-click';
    await page.selectOption('#inv-method', 'neighbours');
    await page.fill('#inv-findings', '走访邻里：情况属实。');
    await page.dblclick('#add-investigation');
    await page.waitForURL((u) => u.search.includes('saved=1'));
    await page.waitForLoadState('load');
    assert.equal(await rows(), 2, 'a double click records once');
    assertNoBrowserErrors();
  } catch (e) {
    await saveFailure(page, step, browserErrors());
    throw e;
  } finally {
    await context.close();
  }
});
