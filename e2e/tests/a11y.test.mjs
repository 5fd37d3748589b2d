// Accessibility with axe-core (npm) in Chromium: no serious or critical violation (WCAG 2 A and
// AA rules) on the lead form, a case page, the referral inbox and each role's home page; every
// page starts with a link that skips to its content.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { server, setUp, tearDown, newPage, shot, saveFailure, signIn, cli, axeViolations as violations } from './harness.mjs';

before(setUp);
after(tearDown);

test('accessibility: lead form, case page, referral inbox, home pages', { timeout: 180_000 }, async () => {
  const { context, page, browserErrors, assertNoBrowserErrors } = await newPage();
  let step = 'start';
  const check = async (what) => {
    const found = await violations(page);
    assert.deepEqual(found, [], `${what}: serious or critical accessibility violations`);
  };
  try {
    step = '80-clerk-home-and-lead-form';
    await signIn(context, page, 'jw_clerk');
    assert.equal(await page.locator('#skip-link').getAttribute('href'), '#content');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'skip-link', 'the first Tab reaches the skip link');
    await check('clerk home');
    await page.goto(`${server.base}/leads/new`);
    await check('lead form');
    await shot(page, step);

    step = '81-case-page';
    const token = cli(['token', 'issue', '--username', 'admin', '--name', 'a11y']).trim();
    const res = await fetch(`${server.base}/api/v1/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        channel: 'window', subject: { name: '赵敏', id_number: '110105198001010016' }, location_code: '110105001024',
        description: '家中失火', urgency: 'urgent', hardship_types: ['FIRE'],
      }),
    });
    assert.equal(res.status, 201);
    const lead = await res.json();
    await signIn(context, page, 'jw_reviewer');
    await check('reviewer home');
    await page.goto(`${server.base}/leads/${lead.id}`);
    await check('lead file');
    await page.click('#accept-lead');
    await page.waitForURL((u) => u.pathname.startsWith('/cases/'));
    await check('case page');
    await shot(page, step);

    step = '82-referral-inbox';
    await signIn(context, page, 'cy_health');
    await check('department home');
    await page.goto(`${server.base}/referrals`);
    await check('referral inbox');
    for (const user of ['cy_approver', 'cy_relief', 'jw_community', 'supervisor', 'auditor', 'admin']) {
      await signIn(context, page, user);
      await check(`${user} home`);
    }
    await shot(page, step);

    step = 'browser-errors';
    assertNoBrowserErrors();
  } catch (e) {
    await saveFailure(page, `a11y-${step}`, browserErrors());
    throw e;
  } finally {
    await context.close();
  }
});
