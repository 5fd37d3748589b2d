// Names, never codes (issue 12, items 5 and 9): a window clerk finds a community of another
// district by typing two characters of its name; the lead, the queue and the case name every
// unit (codes only on hover); a referral goes to another district's department found by
// name; an overdue step's timeline line names the supervising bureau; a fund is opened for a
// street office found by name, with its kind in Chinese.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { server, setUp, tearDown, newPage, shot, saveFailure, pathOf, signIn, visibleText, cli, PASSWORD } from './harness.mjs';

before(setUp);
after(tearDown);

/** A division or unit code as a person would see it on a page, e.g. 110105001024 or 110105:wj
 * (not the lead and case numbers that begin with one, L110105001-2026-000001). */
const CODE = /(?<![\w-])11(\d{4,10}(:[a-z]+)?|:[a-z]+)(?![\w-])/;

test('names: places, receivers and fund holders are found by name and shown by name', { timeout: 240_000 }, async () => {
  const { context, page, browserErrors, assertNoBrowserErrors } = await newPage();
  let step = 'start';
  const as = (username) => signIn(context, page, username);

  /** Types into a unit picker's search box and waits for what it found. */
  async function search(selectId, text, expected) {
    await page.fill(`#${selectId}-search`, text);
    await page
      .locator(`#${selectId} option`)
      .filter({ hasText: expected })
      .first()
      .waitFor({ state: 'attached' });
    return page.locator(`#${selectId}`).evaluate((s) => [...s.options].map((o) => ({ value: o.value, text: o.textContent })));
  }

  try {
    step = '80-place-found-by-name';
    // The reviewer of the street the person lives in (Wanshoulu, Haidian).
    cli(['user', 'add', '--username', 'ws_reviewer', '--unit', '110108001:mz', '--role', 'street_reviewer', '--display-name', '万寿路街道审核员', '--password-stdin'], PASSWORD);
    await as('jw_clerk');
    await page.goto(`${server.base}/leads/new`);
    const own = await page.locator('#lf-location').innerText();
    assert.match(own, /建外街道/, "the clerk's street is offered without a search");
    assert.doesNotMatch(own, CODE, 'by name only');
    await page.fill('#lf-location-search', '翠');
    assert.match(await page.locator('#lf-location').innerText(), /建外街道/, 'one character asks nothing');
    const found = await search('lf-location', '翠微路21号', '翠微路21号社区居委会');
    assert.deepEqual(found, [{ value: '110108001002', text: '翠微路21号社区居委会（海淀区 · 万寿路街道）' }], 'placed by district and street');
    await page.locator('.unit-search-status').filter({ hasText: '找到 1 个' }).waitFor();
    await shot(page, step);

    step = '81-lead-names-its-units';
    await page.fill('#lf-subject-name', '孙丽');
    await page.fill('#lf-subject-phone', '1380');
    await page.check('input[name="hardship_types"][value="MEDICAL_EXPENSE"]');
    await page.fill('#lf-description', '外区居民来建外街道窗口求助：突发重病，医疗费用无力承担。');
    await page.click('#lf-submit');
    // A wrong phone number: the form comes back with the place found by search still chosen.
    await page.locator('#lead-error').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#lf-location').inputValue(), '110108001002', 'the searched place stays chosen');
    await page.fill('#lf-subject-phone', '13800138099');
    await page.click('#lf-submit');
    await page.locator('#lead-created').waitFor({ state: 'visible' });
    assert.equal(await visibleText(page, '#lead-location'), '万寿路街道 · 翠微路21号社区居委会');
    assert.equal(await page.locator('#lead-location span').getAttribute('title'), '110108001002');
    assert.equal(await visibleText(page, '#lead-responsible'), '万寿路街道社会救助受理窗口', "routed to the person's own street");
    assert.match(await visibleText(page, '#lead-first-inquiry'), /^建外街道社会救助受理窗口 · jw_clerk/, 'the clerk stays first-inquiry responsible');
    const leadPath = pathOf(page);
    await shot(page, step);

    step = '82-queue-by-name';
    await as('ws_reviewer');
    await page.goto(`${server.base}/leads`);
    const row = page.locator('#leads-table tbody tr').filter({ hasText: '孙丽' });
    const cells = await row.locator('td.unit').evaluateAll((tds) => tds.map((td) => [td.textContent.trim(), td.title]));
    assert.deepEqual(cells, [
      ['万寿路街道社会救助受理窗口', '110108001:mz'],
      ['建外街道社会救助受理窗口', '110105001:mz'],
    ]);
    assert.doesNotMatch(await visibleText(page, '#leads-table'), CODE, 'the queue shows no unit codes');

    step = '83-referral-to-a-department-found-by-name';
    await page.goto(`${server.base}${leadPath}`);
    await page.click('#accept-lead');
    await page.waitForURL((u) => u.pathname.startsWith('/cases/'));
    await page.selectOption('#inv-method', 'home_visit');
    await page.fill('#inv-findings', '入户核实：突发重病住院，家中无其他收入。');
    await page.click('#add-investigation');
    await page.locator('#investigations tbody tr').first().waitFor({ state: 'visible' });
    await page.click('#submit-review');
    await page.fill('#rv-opinion', '情况属实，建议转介户籍地医疗救助。');
    await page.check('#review-form input[value="refer"]');
    await page.click('#record-review');
    await page.locator('#case-opinion').waitFor({ state: 'visible' });
    const openForm = async () => {
      if ((await page.locator('#new-action').getAttribute('open')) === null) await page.click('#new-action > summary');
      await page.selectOption('#ac-route', 'refer');
    };
    await openForm();
    // A referral without its programme: the message names the field it is about.
    await page.fill('#ac-request', '户籍在朝阳区，请协调大病医疗救助。');
    await page.click('#create-action');
    await page.locator('#case-error').waitFor({ state: 'visible' });
    assert.equal(await page.getAttribute('#case-error', 'data-field'), 'programme');
    assert.match(await visibleText(page, '#case-error'), /须选择救助项目/);
    assert.equal(await page.locator('#new-action').getAttribute('open'), '', 'the form is open again');
    assert.equal(await page.getAttribute('#ac-programme', 'aria-invalid'), 'true', 'the field is marked');
    await openForm();
    await page.selectOption('#ac-programme', 'medical');
    const receivers = await search('ac-to', '朝阳区卫生', '朝阳区卫生健康委员会');
    assert.deepEqual(receivers.map((r) => r.value), ['110105:wj'], 'only departments: no division governments');
    assert.equal(receivers[0].text, '朝阳区卫生健康委员会（朝阳区）');
    await page.fill('#ac-request', '户籍在朝阳区，请协调大病医疗救助。');
    await page.click('#create-action');
    await page.locator('#case-saved').waitFor({ state: 'visible' });
    const action = page.locator('article.action').last();
    assert.match(await action.locator('h4').innerText(), /→ 朝阳区卫生健康委员会/);
    assert.match(await action.locator('table').innerText(), /接收时限.*朝阳区卫生健康委员会\s+未督办/s, 'no 督办 yet, in words');
    await shot(page, step);

    step = '84-case-page-by-name';
    const whole = await visibleText(page, 'body');
    assert.equal(whole.match(CODE)?.[0], undefined, 'the case page shows no unit codes');
    assert.doesNotMatch(await visibleText(page, '#case-timeline'), CODE, 'nor does its timeline');

    step = '85-fund-for-an-office-found-by-name';
    await as('cy_approver');
    await page.goto(`${server.base}/funds`);
    const kinds = await page.locator('#fd-kind option').allInnerTexts();
    assert.deepEqual(kinds, ['预算资金', '备用金', '专项资金', '慈善资金'], 'kinds in Chinese');
    assert.equal(await page.locator('#fd-unit option:checked').innerText(), '朝阳区民政局', "the user's own bureau first");
    await search('fd-unit', '三里屯', '三里屯街道社会救助受理窗口');
    await page.selectOption('#fd-unit', '110105004:mz');
    await page.selectOption('#fd-kind', 'reserve');
    await page.fill('#fd-name', '三里屯街道临时救助备用金');
    await page.click('#create-fund');
    await page.waitForURL((u) => /^\/funds\/[0-9a-f]+$/.test(u.pathname));
    assert.equal(await visibleText(page, '#fund-unit'), '三里屯街道社会救助受理窗口');
    await page.goto(`${server.base}/funds`);
    assert.doesNotMatch(await visibleText(page, 'table'), CODE, 'the fund list names its units');
    await shot(page, step);
    assertNoBrowserErrors();
  } catch (err) {
    await saveFailure(page, `names-${step}`, browserErrors());
    throw err;
  } finally {
    await context.close();
  }
});
