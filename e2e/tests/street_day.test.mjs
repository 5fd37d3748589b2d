// A street reviewer's day where it used to slow people down (issue 12, items 1, 2, 3 and 10):
// a duplicate is merged by the lead's or the case's number (never the internal id); the case
// queue opens on the tab that has work and searches every tab; a charity referral the street
// handles itself is in its inbox; the timeline keeps the order things were recorded in (an
// investigation dated today, recorded at 21:29, comes after the 21:29 registration).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { server, setUp, tearDown, newPage, shot, saveFailure, pathOf, signIn, visibleText, cli, setTestClock } from './harness.mjs';

process.env.JIUJINAN_TEST_CLOCK = 'true';
// The clock starts before the dates this test plays out; it only moves forward from there.
process.env.JIUJINAN_TEST_CLOCK_START = '2026-12-03T21:00';

before(setUp);
after(tearDown);

const NUMBER = /^L\d{9}-\d{4}-\d{6}$/;

test('street day: merge by number, the case queue, the street\'s own charity referral, the timeline\'s order', { timeout: 240_000 }, async () => {
  const { context, page, browserErrors, assertNoBrowserErrors } = await newPage();
  let step = 'start';
  const as = (username) => signIn(context, page, username);
  const token = cli(['token', 'issue', '--username', 'jw_clerk', '--name', 'e2e-street-day']).trim();
  async function lead(name, idNumber, channel = 'window') {
    const res = await fetch(`${server.base}/api/v1/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        channel, subject: { name, id_number: idNumber }, location_code: '110105001024',
        description: '家中失火，生活无着。', urgency: 'urgent', hardship_types: ['FIRE'],
      }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return res.json();
  }

  try {
    step = '95-leads-at-night';
    await setTestClock(context, page, '2026-12-03T21:29');
    const a = await lead('王芳', '110105198203040029');
    const b = await lead('王芳', '110105198203040029', 'discovery');
    const c = await lead('李军', '110105197506070036');
    const d = await lead('李军', '110105197506070036', 'hotline_12349');

    step = '96-merge-by-the-lead-number';
    await as('jw_reviewer');
    await page.goto(`${server.base}/leads/${d.id}`);
    await page.locator('#lead-duplicate').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#lead-duplicate a').innerText(), c.number, 'the banner names the first lead by number');
    assert.equal(await page.inputValue('#merge-into'), c.number, 'the merge target is proposed by number');
    assert.match(c.number, NUMBER);
    await page.click('#merge-lead');
    await page.locator('#lead-outcome').waitFor({ state: 'visible' });
    assert.match(await visibleText(page, '#lead-outcome'), new RegExp(c.number));

    step = '97-merge-by-the-case-number';
    await page.goto(`${server.base}/leads/${a.id}`);
    await page.click('#accept-lead');
    await page.waitForURL((u) => u.pathname.startsWith('/cases/'));
    const casePath = pathOf(page);
    const caseNumber = (await page.locator('h1').first().innerText()).split(/\s/)[0];
    assert.match(caseNumber, /^\d{9}-\d{4}-\d{5}$/);
    await page.goto(`${server.base}/leads/${b.id}`);
    await page.fill('#merge-into', caseNumber);
    await page.click('#merge-lead');
    await page.locator('#lead-outcome').waitFor({ state: 'visible' });
    assert.match(await visibleText(page, '#lead-outcome'), new RegExp(caseNumber), 'merged into the case, typed by its number');
    await shot(page, step);

    step = '98-the-timeline-keeps-the-order-of-recording';
    await page.goto(`${server.base}${casePath}`);
    assert.equal(await page.inputValue('#inv-date'), '2026-12-03');
    await page.selectOption('#inv-method', 'home_visit');
    await page.fill('#inv-findings', '入户核实：房屋烧毁，无收入来源。');
    await page.click('#add-investigation');
    await page.locator('#investigations tbody tr').first().waitFor({ state: 'visible' });
    await page.click('#submit-review');
    await page.fill('#rv-opinion', '情况属实，建议慈善帮扶。');
    await page.check('#review-form input[value="charity"]');
    await page.click('#record-review');
    await page.locator('#case-opinion').waitFor({ state: 'visible' });
    const steps = await page.locator('#case-timeline li').allInnerTexts();
    const at = (what) => steps.findIndex((s) => s.includes(what));
    const order = ['登记求助', '核查受理', '建立案件', '调查核实', '提交初审', '出具初审意见'].map(at);
    assert.ok(order.every((i, k) => i >= 0 && (k === 0 || i > order[k - 1])), `in the order recorded: ${steps.join(' | ')}`);
    assert.match(steps[at('调查核实')], /2026-12-03 21:29/, 'the investigation at the time it was recorded');

    step = '99-the-street-handles-its-charity-referral';
    if ((await page.locator('#new-action').getAttribute('open')) === null) await page.click('#new-action > summary');
    await page.selectOption('#ac-route', 'charity');
    await page.fill('#ac-party', '朝阳区慈善协会');
    await page.fill('#ac-request', '协调慈善资金帮助修缮房屋');
    await page.click('#create-action');
    await page.locator('#case-saved').waitFor({ state: 'visible' });
    await page.click('#nav-referrals');
    await page.waitForURL((u) => u.pathname === '/referrals');
    const row = page.locator('#inbox tbody tr', { hasText: caseNumber });
    assert.equal(await row.count(), 1, 'the charity referral is in the street\'s own inbox');
    assert.equal(await row.locator('.case-number').innerText(), caseNumber);
    assert.match(await row.innerText(), /慈善协会/);
    await shot(page, step);

    step = '100-the-case-queue';
    // The only case is reviewed: the queue opens on 已初审, not on an empty 调查中.
    await page.goto(`${server.base}/cases`);
    assert.equal(await page.locator('#cases-table tbody tr').count(), 1, 'the queue opens on the tab with work');
    assert.match(await page.locator('[aria-current="page"], .tab.active, .tabs .active').first().innerText(), /已初审/);
    // A search looks through every tab.
    await page.goto(`${server.base}/cases?status=investigating&q=${encodeURIComponent('王芳')}`);
    assert.match(await page.locator('#cases-table tbody').innerText(), new RegExp(caseNumber), 'found whatever tab was open');
    await page.goto(`${server.base}/cases?status=closed`);
    const empty = await visibleText(page, '#cases-empty');
    assert.doesNotMatch(empty, /单位/, `the empty queue says there are no cases, not no units: ${empty}`);
    await shot(page, step);

    step = 'browser-errors';
    assertNoBrowserErrors();
  } catch (err) {
    await saveFailure(page, `street-day-${step}`, browserErrors());
    throw err;
  } finally {
    await context.close();
  }
});
