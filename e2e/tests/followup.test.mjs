// A closed case's follow-up visit (回访) recorded by the community worker who visits: the
// reviewer closes a case with nothing left open; the community worker opens it, records what the
// visit found, and the history shows it (the findings are sealed at rest like an investigation's).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { server, setUp, tearDown, newPage, shot, saveFailure, signIn, pathOf, visibleText, cli } from './harness.mjs';

before(setUp);
after(tearDown);

test('follow-up: the community worker records the visit of a closed case', { timeout: 120_000 }, async () => {
  const { context, page, browserErrors, assertNoBrowserErrors } = await newPage();
  let step = 'start';
  try {
    step = '90-reviewer-closes';
    const token = cli(['token', 'issue', '--username', 'admin', '--name', 'followup']).trim();
    const res = await fetch(`${server.base}/api/v1/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        channel: 'window', subject: { name: '钱芳' }, location_code: '110105001024',
        description: '家中失火，已临时安置', urgency: 'urgent', hardship_types: ['FIRE'],
      }),
    });
    assert.equal(res.status, 201);
    const lead = await res.json();
    await signIn(context, page, 'jw_reviewer');
    await page.goto(`${server.base}/leads/${lead.id}`);
    await page.click('#accept-lead');
    await page.waitForURL((u) => u.pathname.startsWith('/cases/'));
    const casePath = pathOf(page);
    await page.fill('#inv-findings', '入户核实，已由亲属安置。');
    await page.click('#add-investigation');
    await page.locator('#investigations tbody tr').first().waitFor({ state: 'visible' });
    await page.click('#submit-review');
    await page.fill('#rv-opinion', '已由亲属安置，无需进一步救助，结案后回访。');
    await page.click('#record-review');
    await page.locator('#case-opinion').waitFor({ state: 'visible' });
    await page.fill('#close-form input[name="note"]', '无需进一步救助');
    await page.click('#close-case');
    await page.locator('#followup-due').waitFor({ state: 'visible' });
    await shot(page, step);

    step = '91-community-worker-visits';
    await signIn(context, page, 'jw_community');
    assert.equal(await visibleText(page, '#home-followups'), '1', 'the visit waits on the community worker\'s home page');
    await page.goto(`${server.base}${casePath}`);
    assert.equal(await page.locator('#reopen-case').count(), 0, 'the community worker does not reopen cases');
    await page.fill('#followup-form input[name="findings"]', '回访：生活已恢复正常，暂无困难。');
    await page.click('#record-followup');
    await page.waitForURL((u) => u.pathname === casePath);
    assert.match(await visibleText(page, '#case-timeline'), /回访.*jw_community/s);
    assert.match(await visibleText(page, '#case-timeline'), /生活已恢复正常/);
    await page.goto(`${server.base}/`);
    assert.equal(await visibleText(page, '#home-followups'), '0', 'visited: nothing waits');
    await shot(page, step);

    step = 'browser-errors';
    assertNoBrowserErrors();
  } catch (e) {
    await saveFailure(page, `followup-${step}`, browserErrors());
    throw e;
  } finally {
    await context.close();
  }
});
