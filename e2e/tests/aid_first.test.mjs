// Aid first in the browser (issue 12, item 8): the 3,000 yuan a street hands over at once
// (先行救助) is put on paper afterwards as an aid item linked to the action, and that item is
// the same grant, not a second one: once the main grant for the same cause (火灾) has been
// proposed, reviewed, approved and paid, the paperwork is still proposed, reviewed, approved
// and paid without the yearly limit (同一事由一年内只救助一次, FREQUENCY_LIMIT) refusing it, while
// an ordinary second grant for the fire still is refused. Paid against the receipt signed that
// night, the money is in the street reserve fund's ledger (and its spreadsheet names the case).
// Each step by another person: the window clerk proposes and pays, the street reviewer reviews,
// a second street reviewer approves (separation of duties).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { server, setUp, tearDown, newPage, shot, saveFailure, pathOf, signIn, visibleText, cli, PASSWORD } from './harness.mjs';

before(setUp);
after(tearDown);

const RESERVE = '建外街道临时救助备用金';
const RECEIPT = '先行救助当晚签收单 No.0001';
const LIMIT_MESSAGE = /同一事由一年内已获救助/;

test('aid first: its paperwork passes the yearly limit after the main grant and is in the fund ledger', { timeout: 240_000 }, async () => {
  const { context, page, browserErrors, assertNoBrowserErrors } = await newPage();
  let step = 'start';

  const as = (username) => signIn(context, page, username);
  const status = (itemId) => page.locator(`#${itemId}`).getAttribute('data-status');

  /** Opens the case page fresh (no ?saved / ?error left from the last form). */
  async function openCase(casePath) {
    await page.goto(`${server.base}${casePath}`);
    await page.locator('#case-number').waitFor({ state: 'visible' });
  }

  /** Submits a form with `click` and waits for the redirect back with its flash. */
  async function submit(click) {
    await Promise.all([
      page.waitForURL((u) => u.searchParams.has('saved') || u.searchParams.has('error')),
      click(),
    ]);
    await page.waitForLoadState('load');
  }

  /** Fails with the page's own error message when the last form was refused. */
  async function assertSaved(what) {
    const error = page.locator('#case-error');
    if (await error.count()) assert.fail(`${what}: refused with "${await error.innerText()}" (${page.url()})`);
    await page.locator('#case-saved').waitFor({ state: 'visible' });
    const text = await page.locator('main, body').first().innerText();
    assert.doesNotMatch(text, LIMIT_MESSAGE, `${what}: no yearly-limit message`);
    assert.doesNotMatch(text, /FREQUENCY_LIMIT/, `${what}: no raw error code`);
  }

  /** Proposes aid on the case page; returns the new item's element id. */
  async function propose(casePath, f) {
    await openCase(casePath);
    if ((await page.locator('#new-aid').getAttribute('open')) === null) await page.click('#new-aid > summary');
    await page.selectOption('#aid-kind', 'cash');
    await page.selectOption('#aid-type', 'emergency');
    await page.selectOption('#aid-cause', f.cause);
    await page.selectOption('#aid-tier', String(f.tier));
    const fund = await page.locator('#aid-fund option', { hasText: RESERVE }).getAttribute('value');
    await page.selectOption('#aid-fund', fund);
    if (f.actionId !== undefined) await page.selectOption('#aid-action', f.actionId);
    const before = await page.locator('article.aid-item').count();
    await submit(() => page.click('#propose-aid'));
    const ids = await page.locator('article.aid-item').evaluateAll((els) => els.map((e) => e.id));
    return { id: ids.length > before ? ids[ids.length - 1] : null, count: ids.length };
  }

  /** Takes a step of an aid item (its form holds `button.<button>`) on the case page. */
  async function act(casePath, itemId, button, fields = {}) {
    await openCase(casePath);
    const form = page.locator(`#${itemId} form:has(button.${button})`);
    assert.equal(await form.count(), 1, `${button} is offered on ${itemId}`);
    for (const [name, value] of Object.entries(fields)) {
      if (name === 'method') await form.locator('select[name="method"]').selectOption(value);
      else await form.locator(`[name="${name}"]`).fill(value);
    }
    await submit(() => form.locator(`button.${button}`).click());
    await assertSaved(`${button} ${itemId}`);
  }

  try {
    step = '60-case-and-aid-first';
    const token = cli(['token', 'issue', '--username', 'jw_clerk', '--name', 'e2e-aid-first']).trim();
    const res = await fetch(`${server.base}/api/v1/leads`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        channel: 'window',
        subject: { name: '周建国', id_number: '110105197605180038', phone: '13800138005' },
        location_code: '110105001024',
        description: '夜间家中失火，房屋烧毁，无处安身，急需生活费用。',
        urgency: 'critical',
        hardship_types: ['FIRE'],
      }),
    });
    assert.equal(res.status, 201, await res.clone().text());
    const lead = await res.json();
    cli(['user', 'add', '--username', 'jw_head', '--unit', '110105001:mz', '--role', 'street_reviewer', '--password-stdin'], PASSWORD);

    await as('jw_reviewer');
    await page.goto(`${server.base}/leads/${lead.id}`);
    await page.click('#accept-lead');
    await page.waitForURL((u) => u.pathname.startsWith('/cases/'));
    const casePath = pathOf(page);
    const caseNumber = (await visibleText(page, '#case-number')).trim().match(/^\S+/)[0];
    assert.match(caseNumber, /^\d{9}-\d{4}-\d{5}$/, `the case number: ${caseNumber}`);
    await page.selectOption('#inv-method', 'home_visit');
    await page.fill('#inv-findings', '入户核实：房屋烧毁，当晚已先行发放现金 3000 元。');
    await page.click('#add-investigation');
    await page.locator('#investigations tbody tr').first().waitFor({ state: 'visible' });

    // The street hands over 3,000 yuan that night: an aid-first action with its amount.
    await openCase(casePath);
    if ((await page.locator('#new-action').getAttribute('open')) === null) await page.click('#new-action > summary');
    await page.selectOption('#ac-route', 'aid_first');
    assert.ok(await page.locator('#ac-amount').isVisible(), 'aid first asks for the amount given');
    await page.fill('#ac-request', '火灾当晚先行救助，发放临时生活费');
    await page.fill('#ac-amount', '3000');
    await page.fill('#ac-given', '现金 3000 元，本人当晚签收');
    await submit(() => page.click('#create-action'));
    await assertSaved('aid-first action');
    const aidFirst = page.locator('article.action[data-route="aid_first"]');
    assert.equal(await aidFirst.count(), 1, 'one aid-first action');
    const actionId = (await aidFirst.getAttribute('id')).replace('action-', '');
    assert.equal(await aidFirst.getAttribute('data-status'), 'accepted', 'given at once: in progress');
    const actionText = await aidFirst.innerText();
    assert.match(actionText, /先行救助/);
    assert.match(actionText, /3000\.00/, `the amount given, in yuan: ${actionText}`);
    assert.match(actionText, /现金 3000 元，本人当晚签收/);
    assert.match(actionText, /办理中/, 'its status in Chinese');
    assert.match(actionText, /先行救助补办手续/, 'the paperwork clock');

    // The case is then reviewed as usual.
    await page.click('#submit-review');
    await page.fill('#rv-opinion', '情况属实，已先行救助，建议给予临时救助。');
    await page.click('#record-review');
    await page.locator('#case-opinion').waitFor({ state: 'visible' });
    await shot(page, step);

    step = '61-main-grant-paid';
    await as('jw_clerk');
    const main = await propose(casePath, { cause: 'FIRE', tier: 2, actionId: '' });
    await assertSaved('main grant proposal');
    assert.ok(main.id, 'the main grant is listed');
    const mainId = main.id;
    assert.equal(await status(mainId), 'proposed');
    assert.equal(await visibleText(page, `#${mainId} .aid-amount`), '2900.00');
    assert.match(await visibleText(page, `#${mainId} .aid-calculation`), /1450\.00 × 2 × 1 = 2900\.00/);
    await as('jw_reviewer');
    await act(casePath, mainId, 'aid-review', { opinion: '火灾属实，拟给予 2 个月临时救助' });
    assert.equal(await status(mainId), 'reviewed');
    await as('jw_head');
    await act(casePath, mainId, 'aid-approve', { opinion: '同意' });
    assert.equal(await status(mainId), 'approved');
    await as('jw_clerk');
    await act(casePath, mainId, 'aid-pay', { method: 'bank', reference: '工行转账 20261201-001' });
    assert.equal(await status(mainId), 'paid');
    assert.equal(await visibleText(page, `#${mainId} .aid-status`), '已发放');
    await shot(page, step);

    step = '62-a-second-grant-for-the-fire-is-refused';
    // The yearly limit is in force: an ordinary second grant for the same fire is refused …
    const second = await propose(casePath, { cause: 'FIRE', tier: 1, actionId: '' });
    assert.equal(second.id, null, 'no second grant was created');
    assert.equal(second.count, 1);
    assert.match(await visibleText(page, '#case-error'), LIMIT_MESSAGE, 'the limit says why, in Chinese');
    assert.equal(new URL(page.url()).searchParams.get('error'), 'FREQUENCY_LIMIT', 'refused by the yearly limit');
    await shot(page, step);

    step = '63-aid-first-paperwork-proposed';
    // … but the paperwork of the 3,000 yuan given that night is the same grant, and goes through.
    await openCase(casePath);
    if ((await page.locator('#new-aid').getAttribute('open')) === null) await page.click('#new-aid > summary');
    assert.equal(await page.locator('label[for="aid-action"]').innerText(), '为哪项先行救助补办手续（可不选）', 'the choice says what it is for');
    const sources = await page.locator('#aid-action option').evaluateAll((os) => os.map((o) => [o.value, o.textContent.trim()]));
    assert.deepEqual(sources, [['', ''], [actionId, '先行救助 3000.00 火灾当晚先行救助，发放临时生活费']], 'the aid first waiting for its paperwork, named');
    const paper = await propose(casePath, { cause: 'FIRE', tier: 1, actionId });
    await assertSaved('aid-first paperwork proposal');
    assert.ok(paper.id, 'the paperwork is listed');
    const paperId = paper.id;
    assert.equal(paper.count, 2);
    assert.equal(await status(paperId), 'proposed');
    assert.equal(await visibleText(page, `#${paperId} .aid-amount`), '3000.00', 'the amount given first, not the standard');
    assert.equal(await visibleText(page, `#${paperId} .aid-status`), '待审核');
    assert.match(await visibleText(page, `#${paperId} .aid-level`), /街道/);
    assert.match(await page.locator(`#${paperId}`).innerText(), /1450\.00 → 3000\.00：先行救助已给予的金额/);
    await shot(page, step);

    step = '64-paperwork-reviewed-and-approved';
    await as('jw_reviewer');
    await act(casePath, paperId, 'aid-review', { opinion: '补办审核：当晚签收单已核对' });
    assert.equal(await status(paperId), 'reviewed');
    await as('jw_head');
    await act(casePath, paperId, 'aid-approve', { opinion: '补办审批：同意' });
    assert.equal(await status(paperId), 'approved');
    assert.equal(await visibleText(page, `#${paperId} .aid-status`), '已审批待发放');
    const done = page.locator(`#action-${actionId}`);
    assert.equal(await done.getAttribute('data-status'), 'completed', 'the approval completes the aid first');
    assert.match(await done.locator('.action-status').innerText(), /已办结/);
    assert.ok((await done.locator('.outcome').count()) === 1, 'the aid first has its outcome');
    const timeline = await page.locator('#case-timeline').innerText();
    assert.match(timeline, /补办审批[^\n]*3000\.00 元/, 'the timeline says the paperwork was approved, with the amount');
    assert.doesNotMatch(timeline, /aid [0-9a-f]{8}/, 'no internal ids in the timeline');
    await shot(page, step);

    step = '65-paperwork-paid-against-the-receipt';
    await as('jw_clerk');
    // The clerk who pays has the approvals list (its 待发放 section) and the funds in the menu.
    assert.ok(await page.locator('#nav-funds').isVisible(), 'the clerk reads the funds it pays from');
    await Promise.all([page.waitForURL((u) => u.pathname === '/approvals'), page.click('#nav-approvals')]);
    const toPay = page.locator('#to-pay tbody tr', { hasText: caseNumber });
    assert.equal(await toPay.count(), 1, 'the paperwork waits to be paid, under its case number');
    assert.match(await toPay.innerText(), /3000\.00/);
    await Promise.all([page.waitForURL((u) => u.pathname === casePath), toPay.locator('a').click()]);
    await act(casePath, paperId, 'aid-pay', { method: 'cash', reference: RECEIPT });
    assert.equal(await status(paperId), 'paid');
    assert.equal(await visibleText(page, `#${paperId} .aid-status`), '已发放');
    assert.equal(await visibleText(page, `#${paperId} .aid-delivery`), `现金（签收） · ${RECEIPT}`);
    assert.equal(await page.locator('article.aid-item[data-status="paid"]').count(), 2, 'the main grant and the aid first, both paid');
    await shot(page, step);

    step = '66-in-the-fund-ledger';
    // The street reviewer reads the books.
    await as('jw_reviewer');
    await page.click('#nav-funds');
    await page.waitForURL((u) => u.pathname === '/funds');
    await Promise.all([
      page.waitForURL((u) => u.pathname.startsWith('/funds/')),
      page.locator('#funds tbody tr', { hasText: RESERVE }).locator('a').click(),
    ]);
    // Nothing else was paid from the street reserve: 2,900 + 3,000 paid, out of 50,000.
    assert.equal(await visibleText(page, '#fund-paid'), '5900.00', 'the aid first counts in what the fund paid');
    assert.equal(await visibleText(page, '#fund-available'), '44100.00');
    assert.equal(await visibleText(page, '#fund-reserved'), '0.00');
    // The chart of what the fund holds: the month opens at 0, the demo's deposit, then it never
    // rises (a reservation, two lines of one transaction inside the fund, is one point).
    const held = JSON.parse(await page.locator('#fund-chart').getAttribute('data-chart-json')).values;
    assert.deepEqual(held.slice(0, 2), [0, 50000], `what the fund holds: ${held}`);
    assert.ok(held.every((v, i) => i < 2 || v <= held[i - 1]), `what the fund holds never rises: ${held}`);
    assert.equal(held.at(-1), 44100);
    const lines = await page.locator('#ledger tbody tr').evaluateAll((rows) =>
      rows.map((r) => Array.from(r.querySelectorAll('td'), (td) => td.textContent.trim())),
    );
    const paid = lines.filter((l) => l[2] === '支付' && l[3] === '已发放');
    assert.deepEqual(paid.map((l) => l[5]), [caseNumber, caseNumber], 'each payment names its case');
    assert.deepEqual(
      paid.map((l) => [l[4], l[6], l[7]]),
      [['2900.00', '工行转账 20261201-001', 'jw_clerk'], ['3000.00', RECEIPT, 'jw_clerk']],
      `the two payments in the ledger, the aid first against its receipt: ${JSON.stringify(lines)}`,
    );
    assert.ok(
      lines.some((l) => l[2] === '预留' && l[3] === '已预留' && l[4] === '3000.00'),
      `the approval reserved the 3,000 yuan: ${JSON.stringify(lines)}`,
    );
    assert.match(await page.locator('#ledger thead').innerText(), /金额/, 'the ledger headings in Chinese');
    assert.equal(Number(await visibleText(page, '#rc-closing')), 44100, 'the month closes at what is held');
    await shot(page, step);

    step = '67-spreadsheet-names-the-case';
    // The page's ledger has no case column; the month's spreadsheet names the case of each line.
    const xlsx = await page.request.get(`${server.base}${await page.locator('#export-xlsx').getAttribute('href')}`);
    assert.equal(xlsx.status(), 200);
    const body = await xlsx.body();
    assert.equal(body.subarray(0, 2).toString(), 'PK');
    // Stored (uncompressed) ZIP entries: the sheet's XML is readable as it is.
    const sheet = body.toString('utf8');
    const rows = sheet.match(/<row r="\d+">.*?<\/row>/gs) ?? [];
    const cells = (row) => Array.from(row.matchAll(/<c r="[A-Z]+\d+"(?: t="inlineStr")?>(?:<is><t xml:space="preserve">(.*?)<\/t><\/is>|<v>(.*?)<\/v>)<\/c>/gs), (m) => m[1] ?? m[2]);
    // Double entry: the payment moves the 3,000 yuan from reserved to paid, both lines under the case.
    const receiptRows = rows.map(cells).filter((c) => c.includes(RECEIPT)).map((c) => c.slice(2, 7));
    assert.deepEqual(
      receiptRows,
      [
        ['支付 posting', '已预留 reserved', '-3000', caseNumber, RECEIPT],
        ['支付 posting', '已支付 paid', '3000', caseNumber, RECEIPT],
      ],
      `the spreadsheet's lines for the receipt: ${JSON.stringify(receiptRows)}`,
    );

    step = 'browser-errors';
    assertNoBrowserErrors();
  } catch (e) {
    await saveFailure(page, `aid-first-${step}`, browserErrors());
    throw e;
  } finally {
    await context.close();
  }
});
