// Supervision of every step in the browser (issue 12, item 7): a lead left unverified past its
// time limit opens a 督办 item at the district; the district's approver writes the instruction,
// the street replies, both read it on the list; verifying the lead closes the item (it stays on
// record). The case's investigation runs on its own clock and is chased the same way.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { server, setUp, tearDown, newPage, shot, saveFailure, pathOf, signIn, visibleText, cli, setTestClock } from './harness.mjs';

process.env.JIUJINAN_TEST_CLOCK = 'true';
// The clock starts before the dates this test plays out; it only moves forward from there.
process.env.JIUJINAN_TEST_CLOCK_START = '2026-12-01T08:00';

before(setUp);
after(tearDown);

const INSTRUCTION = '请于今日内完成核查并报区民政局';
const REPLY = '已安排社区工作人员入户核查';

test('supervision: an overdue verification is instructed, answered and closed by verifying', { timeout: 240_000 }, async () => {
  const { context, page, browserErrors, assertNoBrowserErrors } = await newPage();
  let step = 'start';
  const as = (username) => signIn(context, page, username);

  const setClock = (at) => setTestClock(context, page, at);

  /** The supervision list's rows, as the given user sees them. */
  async function rows(username, all = false) {
    await as(username);
    await page.goto(`${server.base}/supervision${all ? '?all=1' : ''}`);
    return page.locator('#supervision tbody tr').evaluateAll((trs) =>
      trs.map((r) => ({
        id: r.id,
        href: r.querySelector('a')?.getAttribute('href'),
        text: r.textContent,
        level: r.dataset.level,
        supervising: r.dataset.supervising,
        responsible: r.dataset.responsible,
        muted: r.classList.contains('muted'),
      })),
    );
  }

  try {
    step = '70-lead-recorded';
    await setClock('2026-12-01T09:00');
    const token = cli(['token', 'issue', '--username', 'jw_clerk', '--name', 'e2e-supervision']).trim();
    const res = await fetch(`${server.base}/api/v1/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        channel: 'hotline_12349',
        subject: { name: '钱芳', phone: '13800138077' },
        location_code: '110105001024',
        description: '独居老人摔伤，无人照料。',
        urgency: 'urgent',
        hardship_types: ['MEDICAL_EXPENSE'],
      }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const lead = await res.json();

    step = '71-not-yet-overdue';
    await setClock('2026-12-02T08:00');
    let list = await rows('cy_approver');
    assert.ok(!list.some((r) => r.text.includes(lead.number)), `not overdue within 24 hours: ${JSON.stringify(list)}`);

    step = '72-overdue-at-the-district';
    await setClock('2026-12-02T10:00');
    list = await rows('cy_approver');
    const item = list.find((r) => r.text.includes(lead.number));
    assert.ok(item, `the late verification is supervised: ${JSON.stringify(list)}`);
    assert.match(item.text, /线索核查/, 'the step by name');
    assert.match(item.text, /建外街道/, 'the responsible unit by name');
    assert.doesNotMatch(item.text, /110105001:mz|lead\.verify/, 'no codes');
    assert.equal(item.href, `/leads/${lead.id}`, 'the item links to the lead (there is no case yet)');
    assert.equal(item.level, '1');
    assert.equal(item.supervising, '110105:mz');

    await rows('jw_reviewer');
    assert.equal(await page.locator(`#${item.id} .sup-answer`).count(), 0, 'no reply before the instruction');
    await rows('cy_approver');

    step = '73-district-instructs';
    const row = page.locator(`#${item.id}`);
    await row.locator('.sup-instruct textarea').fill(INSTRUCTION);
    await Promise.all([page.waitForURL((u) => u.searchParams.has('saved')), row.locator('.sup-instruct button').click()]);
    await page.locator('#supervision-saved').waitFor({ state: 'visible' });
    assert.match(await visibleText(page, `#${item.id} .sup-instruction`), new RegExp(INSTRUCTION));
    assert.equal(await page.locator(`#${item.id} .sup-instruct`).count(), 0, 'written once');
    assert.equal(await page.locator(`#${item.id} .sup-answer`).count(), 0, 'the district does not answer its own instruction');
    await shot(page, step);

    step = '74-street-replies';
    await rows('jw_reviewer');
    await page.locator(`#${item.id} .sup-instruction`).waitFor({ state: 'visible' });
    assert.equal(await page.locator(`#${item.id} .sup-instruct`).count(), 0, 'the street cannot instruct itself');
    await page.locator(`#${item.id} .sup-answer textarea`).fill(REPLY);
    await Promise.all([page.waitForURL((u) => u.searchParams.has('saved')), page.locator(`#${item.id} .sup-answer button`).click()]);
    assert.match(await visibleText(page, `#${item.id} .sup-reply`), new RegExp(REPLY));
    await shot(page, step);

    step = '75-verifying-closes-the-item';
    await page.click(`#${item.id} a`);
    await page.waitForURL((u) => u.pathname === `/leads/${lead.id}`);
    assert.match(await visibleText(page, 'body'), /下达督办意见/, "the lead's timeline records the instruction");
    await page.click('#accept-lead');
    await page.waitForURL((u) => u.pathname.startsWith('/cases/'));
    const casePath = pathOf(page);
    list = await rows('cy_approver');
    assert.ok(!list.some((r) => r.id === item.id), 'no longer open');
    list = await rows('cy_approver', true);
    const kept = list.find((r) => r.id === item.id);
    assert.ok(kept?.muted && /已办结/.test(kept.text), `kept on record, resolved: ${JSON.stringify(kept)}`);
    assert.match(kept.text, new RegExp(REPLY), 'with its instruction and reply');
    await shot(page, step);

    step = '76-investigation-overdue';
    // Urgent: 72 hours to investigate (rule data), from 2 December 10:00.
    await setClock('2026-12-05T11:00');
    list = await rows('cy_approver');
    const inv = list.find((r) => /入户调查/.test(r.text));
    assert.ok(inv, `the case step is supervised too: ${JSON.stringify(list)}`);
    assert.equal(inv.href, casePath, 'and links to the case');
    await page.goto(`${server.base}${casePath}`);
    assert.match(await visibleText(page, '#case-supervision'), /入户调查/, 'the case page lists its 督办 item');
    const timeline = await visibleText(page, '#case-timeline');
    assert.match(timeline, /逾期督办 · 系统\s+线索核查 → 朝阳区民政局/, 'the breach names the supervising bureau');
    assert.doesNotMatch(timeline, /110105:mz/, 'by name, not code');
    await shot(page, step);
    assertNoBrowserErrors();
  } catch (err) {
    await saveFailure(page, `supervision-${step}`, browserErrors());
    throw err;
  } finally {
    await context.close();
  }
});
