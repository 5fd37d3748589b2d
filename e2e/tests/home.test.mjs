// The work-first home page of a street reviewer (issue 12, item 9), on a demo database with an
// overdue item: the counts are exactly what the queues hold, each links to its filtered queue;
// the unit's running clocks are listed soonest first (overdue, due today, running) and link to
// the lead; the reviewer's figures (督办 items per week, the funds) come with their numbers in a
// table; axe-core finds nothing serious on it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { server, setUp, tearDown, newPage, shot, saveFailure, pathOf, signIn, visibleText, cli, axeViolations, setTestClock } from './harness.mjs';

process.env.JIUJINAN_TEST_CLOCK = 'true';
// The clock starts before the dates this test plays out; it only moves forward from there.
process.env.JIUJINAN_TEST_CLOCK_START = '2026-12-01T08:00';

before(setUp);
after(tearDown);

const RESERVE = '建外街道临时救助备用金';

test('home: a street reviewer sees exactly what waits, soonest first, with working links', { timeout: 240_000 }, async () => {
  const { context, page, browserErrors, assertNoBrowserErrors } = await newPage();
  let step = 'start';
  const as = (username) => signIn(context, page, username);
  const setClock = (at) => setTestClock(context, page, at);
  const token = cli(['token', 'issue', '--username', 'jw_clerk', '--name', 'e2e-home']).trim();
  async function lead(name, urgency) {
    const res = await fetch(`${server.base}/api/v1/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        channel: 'hotline_12349', subject: { name, phone: '13800138000' }, location_code: '110105001024',
        description: '家中突遭变故，生活困难。', urgency, hardship_types: ['FIRE'],
      }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return res.json();
  }

  try {
    step = '90-leads-on-the-clock';
    await setClock('2026-12-01T09:00');
    const late = await lead('孙丽', 'urgent'); // 24 hours: overdue at 12-02 09:00
    const later = await lead('周强', 'normal'); // 72 hours
    await setClock('2026-12-02T09:30');
    const today = await lead('吴刚', 'critical'); // 2 hours: due at 11:30 today
    await setClock('2026-12-02T10:00');

    step = '91-reviewer-home';
    await as('jw_reviewer');
    assert.equal(await visibleText(page, '#home-to-verify'), '3');
    assert.equal(await visibleText(page, '#home-to-verify-overdue'), '1');
    const due = await page.locator('#home-due tbody tr').evaluateAll((rows) =>
      rows.map((r) => ({ state: r.dataset.state, href: r.querySelector('a').getAttribute('href'), text: r.textContent })),
    );
    assert.deepEqual(
      due.map((d) => [d.state, d.href]),
      [['overdue', `/leads/${late.id}`], ['today', `/leads/${today.id}`], ['running', `/leads/${later.id}`]],
      'the unit\'s clocks, soonest first',
    );
    assert.match(due[0].text, new RegExp(`${late.number}.*线索核查.*2026-12-02 09:00.*已超时（第1级）`, 's'));
    assert.match(due[1].text, /2026-12-02 11:30.*今日到期/s);
    assert.match(due[2].text, /还剩2天/);
    // The 督办 item the late lead opened counts this week (the week of Monday 11-30).
    const trend = await page.locator('#home-trend-data tbody tr').evaluateAll((rows) =>
      rows.map((r) => [r.querySelector('th').textContent, r.querySelector('td').textContent]),
    );
    assert.equal(trend.length, 8, 'eight weeks');
    assert.deepEqual(trend.at(-1), ['11-30', '1']);
    assert.deepEqual(trend.slice(0, 7).map((w) => w[1]), ['0', '0', '0', '0', '0', '0', '0']);
    const funds = await page.locator('#home-funds-data tbody tr', { hasText: RESERVE }).locator('td').allTextContents();
    assert.deepEqual(funds, ['50000.00', '0.00', '0.00'], 'the street reserve: available, reserved, paid');
    assert.deepEqual(await axeViolations(page), [], 'no serious or critical accessibility violation');
    await shot(page, step);

    step = '92-counts-are-the-queues';
    const counted = await page.locator('#home-work tbody a').evaluateAll((as) =>
      as.map((a) => ({ id: a.id, href: a.getAttribute('href'), n: a.textContent })),
    );
    const rowsOf = { 'home-to-verify': '#leads-table tbody tr', 'home-to-verify-overdue': '#leads-table tbody tr',
      'home-supervision': '#supervision tbody tr' };
    for (const c of counted) {
      const res = await page.goto(`${server.base}${c.href}`);
      assert.equal(res.status(), 200, `${c.id} links to a page: ${c.href}`);
      if (rowsOf[c.id]) {
        const n = await page.locator(rowsOf[c.id]).count();
        assert.equal(String(n), c.n, `${c.id}: the home page says ${c.n}, ${c.href} lists ${n}`);
      }
    }
    assert.equal(counted.find((c) => c.id === 'home-supervision')?.n, '1', 'the late lead is supervised');
    await page.goto(`${server.base}/leads?status=new&overdue=1`);
    assert.match(await page.locator('#leads-table tbody').textContent(), new RegExp(late.number));

    step = '93-the-due-list-opens-the-lead';
    await page.goto(`${server.base}/`);
    await Promise.all([page.waitForURL((u) => u.pathname === `/leads/${late.id}`), page.click(`#home-due a[href="/leads/${late.id}"]`)]);
    assert.match(await visibleText(page, '#lead-number'), new RegExp(late.number));

    step = '94-english';
    await page.goto(`${server.base}/`);
    await page.click('#lang-switch');
    await page.waitForFunction(() => document.documentElement.lang === 'en');
    assert.equal(pathOf(page), '/');
    assert.match(await page.locator('#home-due').textContent(), /Lead verification.*Overdue/s);
    await shot(page, step);
    await page.click('#lang-switch');
    await page.waitForFunction(() => document.documentElement.lang === 'zh-CN');

    step = 'browser-errors';
    assertNoBrowserErrors();
  } catch (err) {
    await saveFailure(page, `home-${step}`, browserErrors());
    throw err;
  } finally {
    await context.close();
  }
});
