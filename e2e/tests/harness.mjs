// Shared harness of the browser tests: starts the server with demo data and
// Chromium, and offers page helpers that record console and page errors.
//
// Needs:
//   JIUJINAN_BIN  absolute path of the built `jiujinan` binary (required)
//   CHROMIUM      chromium executable (default /usr/bin/chromium)
//   JIUJINAN_E2E_DATABASE_URL  optional: an empty database to run against instead of a
//                 temporary SQLite file (e.g. a fresh PostgreSQL database; one per test file)
//
// Artifacts (screenshots, server log, HTML on failure) go to e2e/artifacts/.
// The element ids and data attributes used here are the contract with the
// Rust templates: change them together.

import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const requireHere = createRequire(import.meta.url);
const ARTIFACTS = path.resolve(HERE, '..', 'artifacts');
export const PASSWORD = 'Jiujinan@2026';
const READY_TIMEOUT_MS = 60_000;
const ACTION_TIMEOUT_MS = 15_000;
const NAV_TIMEOUT_MS = 30_000;

/** The running server: { child, base, logPath, tmpDir, exited }. */
export let server;
let browser;

// ---------------------------------------------------------------- helpers

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.unref();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function tail(file, lines = 40) {
  try {
    return fs.readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no server log)';
  }
}

function resolveBinary() {
  const bin = process.env.JIUJINAN_BIN;
  if (!bin) {
    throw new Error(
      'JIUJINAN_BIN is not set. Build the server (cargo build --bin jiujinan) and run e.g.\n' +
        '  JIUJINAN_BIN="$PWD/../target/debug/jiujinan" npm test\n' +
        'or run everything with: bash scripts/test.sh',
    );
  }
  const abs = path.resolve(bin);
  try {
    fs.accessSync(abs, fs.constants.X_OK);
  } catch {
    throw new Error(`JIUJINAN_BIN=${bin} does not exist or is not executable (resolved to ${abs})`);
  }
  return abs;
}

async function startServer() {
  const bin = resolveBinary();
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiujinan-e2e-'));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const logPath = path.join(ARTIFACTS, `server-${path.basename(process.argv[1] ?? 'e2e', '.mjs')}.log`);
  const logFd = fs.openSync(logPath, 'w');
  const args = [
    'serve',
    '--demo',
    '--listen',
    `127.0.0.1:${port}`,
    '--database-url',
    process.env.JIUJINAN_E2E_DATABASE_URL || `sqlite://${tmpDir}/e2e.db`,
  ];
  console.log(`# starting: ${bin} ${args.join(' ')}`);
  // The personal-data key (PostgreSQL has no default place for it); the CLI uses the same.
  process.env.JIUJINAN_PII_KEY_FILE ||= path.join(tmpDir, 'pii.key');
  const child = spawn(bin, args, { stdio: ['ignore', logFd, logFd], env: process.env });
  fs.closeSync(logFd);
  const srv = { child, base, logPath, tmpDir, exited: null };
  child.on('exit', (code, signal) => {
    srv.exited = { code, signal };
  });
  child.on('error', (err) => {
    srv.exited = { code: null, signal: null, err };
  });

  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no response yet';
  while (Date.now() < deadline) {
    if (srv.exited) {
      throw new Error(
        `jiujinan exited before becoming ready (${JSON.stringify(srv.exited)}). ` +
          `Last lines of ${logPath}:\n${tail(logPath)}`,
      );
    }
    try {
      const res = await fetch(`${base}/readyz`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) {
        console.log(`# server ready at ${base}`);
        return srv;
      }
      last = `HTTP ${res.status}`;
    } catch (err) {
      last = String(err?.cause?.code ?? err?.message ?? err);
    }
    await sleep(250);
  }
  await stopServer(srv);
  throw new Error(
    `GET ${base}/readyz did not return 200 within ${READY_TIMEOUT_MS / 1000}s (last: ${last}). ` +
      `Last lines of ${logPath}:\n${tail(logPath)}`,
  );
}

async function stopServer(srv) {
  if (!srv) return;
  const { child } = srv;
  if (!srv.exited && child.exitCode === null && child.signalCode === null) {
    const done = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const winner = await Promise.race([done.then(() => 'exited'), sleep(10_000, null, { ref: false }).then(() => 'timeout')]);
    if (winner === 'timeout') {
      console.error('# server did not exit within 10s of SIGTERM; sending SIGKILL');
      child.kill('SIGKILL');
      await done;
    }
  }
  fs.rmSync(srv.tmpDir, { recursive: true, force: true });
}

/** A fresh browser context + page that records console errors and page errors. */
export async function newPage() {
  const context = await browser.newContext({
    viewport: { width: 1366, height: 768 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  context.setDefaultTimeout(ACTION_TIMEOUT_MS);
  context.setDefaultNavigationTimeout(NAV_TIMEOUT_MS);
  const page = await context.newPage();
  const consoleErrors = [];
  const pageErrors = [];
  const documentUrls = new Set();
  page.on('console', (msg) => {
    if (msg.type() === 'error') {
      consoleErrors.push({ text: msg.text(), url: msg.location()?.url ?? '', page: page.url() });
    }
  });
  page.on('pageerror', (err) => pageErrors.push({ err, page: page.url() }));
  page.on('response', (res) => {
    const req = res.request();
    if (req.isNavigationRequest() && req.frame() === page.mainFrame()) documentUrls.add(res.url());
  });

  /** JS errors and console errors seen so far, one line each. */
  function browserErrors() {
    // Chromium logs "Failed to load resource: ... status of 4xx" for every
    // non-2xx response, including top-level documents. Pages that are
    // *meant* to answer 401/403 (failed login, forbidden page) are checked
    // explicitly by the tests, so only main-frame document responses are
    // excused; any failing sub-resource (CSS, JS, htmx fragment, favicon)
    // still counts.
    const errors = consoleErrors.filter(
      (e) => !(e.text.startsWith('Failed to load resource:') && documentUrls.has(e.url)),
    );
    return [
      ...errors.map((e) => `console.error on ${e.page}: ${e.text}${e.url ? ` (${e.url})` : ''}`),
      ...pageErrors.map(({ err, page: at }) => `pageerror on ${at}: ${err.stack || err.message || err}`),
    ];
  }

  /** Fail if the browser reported any JS error or console error. */
  function assertNoBrowserErrors() {
    const lines = browserErrors();
    if (lines.length) {
      for (const l of lines) console.error(`# ${l}`);
      assert.fail(`browser reported ${lines.length} error(s):\n${lines.join('\n')}`);
    }
  }

  return { context, page, browserErrors, assertNoBrowserErrors };
}

export async function shot(page, name) {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** Save a screenshot and the HTML of the current page, for post-mortem. */
export async function saveFailure(page, name, errors = []) {
  for (const l of errors) console.error(`# (browser) ${l}`);
  try {
    await page.screenshot({ path: path.join(ARTIFACTS, `FAILED-${name}.png`), fullPage: true });
    fs.writeFileSync(path.join(ARTIFACTS, `FAILED-${name}.html`), await page.content());
    console.error(`# failure artifacts: ${path.join(ARTIFACTS, `FAILED-${name}.{png,html}`)} (url ${page.url()})`);
  } catch (err) {
    console.error(`# could not save failure artifacts: ${err.message}`);
  }
}

export function pathOf(page) {
  return new URL(page.url()).pathname;
}

/** Poll `fn` until it returns a truthy value; survives page navigations. */
export async function eventually(fn, what, timeout = ACTION_TIMEOUT_MS) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (err) {
      last = err.message; // e.g. execution context destroyed mid-navigation
    }
    await sleep(100);
  }
  assert.fail(`timed out after ${timeout} ms waiting for ${what} (last: ${last})`);
}

export async function htmlLang(page) {
  return page.evaluate(() => document.documentElement.getAttribute('lang'));
}

export async function login(page, username, password) {
  await page.goto(`${server.base}/login`);
  await page.fill('#username', username);
  await page.fill('#password', password);
  await page.click('#login-submit');
}

/** Signs in as `username` in a clean context (cookies cleared) and waits for the home page. */
export async function signIn(context, page, username) {
  await context.clearCookies();
  await login(page, username, PASSWORD);
  await page.waitForURL((u) => u.pathname === '/');
}

export async function visibleText(page, selector) {
  const loc = page.locator(selector);
  await loc.waitFor({ state: 'visible' });
  return (await loc.textContent()) ?? '';
}

/** Moves the server's test clock to `at` (Beijing `YYYY-MM-DDTHH:MM`) as the administrator,
 * on `/supervision` (the server runs with `JIUJINAN_TEST_CLOCK=true` on a demo database). */
export async function setTestClock(context, page, at) {
  await signIn(context, page, 'admin');
  await page.goto(`${server.base}/supervision`);
  await page.fill('#test-clock-at', at);
  // The move redirects to the sweep's report; a refused move answers with the error page.
  await Promise.all([
    page.waitForURL((u) => (u.pathname === '/supervision' && u.searchParams.has('report')) || u.pathname === '/admin/test-clock'),
    page.click('#set-test-clock'),
  ]);
  assert.equal(pathOf(page), '/supervision', `the clock was not moved to ${at}: ${await page.locator('main').innerText()}`);
  // The page the move lands on shows the server's time: it must be the time asked for.
  const now = await visibleText(page, '#clock-now');
  assert.equal(now.slice(0, 16), at.replace('T', ' '), `the server's clock reads ${now}, not ${at}`);
}

/** The serious and critical axe-core (npm) violations of WCAG 2 A/AA rules on the page as it
 * is now, one line each. */
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(fs.readFileSync(requireHere.resolve('axe-core/axe.min.js'), 'utf8'));
  const result = await page.evaluate(async () =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }),
  );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
}

/** The text of every page of a PDF (`page.pdf()`), in reading order, and how many pages. */
export async function pdfText(bytes) {
  const doc = await getDocument({ data: new Uint8Array(bytes), useSystemFonts: false, isEvalSupported: false }).promise;
  const pages = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(content.items.map((it) => it.str).join(''));
  }
  await doc.destroy();
  return { text: pages.join('\n'), pages: pages.length };
}

// ------------------------------------------------------------------ hooks

/** Starts the server and Chromium (call from `before`). */
export async function setUp() {
  try {
    server = await startServer();
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
      headless: true,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  } catch (err) {
    console.error(`# e2e setup failed: ${err.message}`);
    throw err;
  }
}

/** Stops Chromium and the server (call from `after`). */
export async function tearDown() {
  await browser?.close().catch(() => {});
  await stopServer(server);
}

/** Runs the `jiujinan` CLI against the running server's database (`input` on its standard
 * input, e.g. a password for `user add --password-stdin`); returns stdout. */
export function cli(args, input = '') {
  const db = process.env.JIUJINAN_E2E_DATABASE_URL || `sqlite://${server.tmpDir}/e2e.db`;
  const out = spawnSync(resolveBinary(), [...args, '--database-url', db], { encoding: 'utf8', input });
  if (out.status !== 0) {
    throw new Error(`jiujinan ${args.join(' ')} failed (${out.status}): ${out.stderr}`);
  }
  return out.stdout;
}
