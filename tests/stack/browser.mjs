// The pages end to end in headless Chromium, driven by playwright-core;
// run by tests/stack/browser.sh, which starts the stack and sets:
//   ATT_BASE       http://127.0.0.1:PORT (nginx; also allowed_origins)
//   ATT_NODE_DIR   where tools/package.json's packages are installed
//   ATT_SHOTS      the folder for the screenshots
//   ATT_CTL        a command for outages: "relay stop", "redis start", ...
//
// Two kinds of browser context: the professor's (1080p, its clock an hour
// ahead, to prove the countdown does not trust it) and each student's (a
// phone).  The QR code is read from the live screen's pixels (a
// screenshot, decoded with jsQR), never from the page's state; the typed
// code under it is read as a student reads it, from the text shown.
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { scanOfUrl, isShortScanUrl } from './scan-url.mjs';

const base = process.env.ATT_BASE;
const shots = process.env.ATT_SHOTS;
const ctlCommand = process.env.ATT_CTL;
const require = createRequire(join(process.env.ATT_NODE_DIR, 'package.json'));
const { chromium } = require('playwright-core');
const jsQR = require('jsqr');
const { PNG } = require('pngjs');
const { execSync } = await import('node:child_process');

const WAIT = 15000;
const results = [];	// [ok, step]
const notes = [];
let shotNo = 0;
let failures = 0;

mkdirSync(shots, { recursive: true });

function log(line) {
	process.stdout.write(line + '\n');
}

async function shot(page, name) {
	shotNo++;
	const file = join(shots, `${String(shotNo).padStart(2, '0')}-${name}.png`);
	await page.screenshot({ path: file, fullPage: true });
	return file;
}

// One step: runs fn, records PASS/FAIL, and keeps going only when asked
// (a failed step usually leaves nothing for the next one to stand on).
async function step(name, fn) {
	const t0 = Date.now();
	try {
		await fn();
		results.push([true, name]);
		log(`ok - ${name} (${Date.now() - t0} ms)`);
	} catch (e) {
		failures++;
		results.push([false, name]);
		log(`not ok - ${name}: ${e && e.message ? e.message.split('\n')[0] : e}`);
		throw e;
	}
}

function check(cond, what) {
	if (!cond)
		throw new Error(what);
}

async function textOf(page, sel) {
	return (await page.locator(sel).first().textContent({ timeout: WAIT }) || '').trim();
}

// Waits until the element's text matches re.
async function waitText(page, sel, re, what) {
	const deadline = Date.now() + WAIT;
	let last = '';
	while (Date.now() < deadline) {
		last = await page.locator(sel).first().textContent({ timeout: WAIT })
		    .catch(() => '') || '';
		if (re.test(last.trim()))
			return last.trim();
		await page.waitForTimeout(100);
	}
	throw new Error(`${what || sel}: "${last.trim()}" does not match ${re}`);
}

async function qrSeq(page) {
	return Number(await page.locator('#qr').getAttribute('data-seq') || 0);
}

// Waits for a QR drawn after `after` (its data-seq), shown (no overlay).
async function waitQr(page, after) {
	await page.waitForFunction((n) => {
		const c = document.querySelector('#qr');
		return Number(c.dataset.seq || 0) > n &&
		    document.querySelector('#qr-overlay').hidden;
	}, after, { timeout: WAIT });
	return {
		seq: await qrSeq(page),
		drawnAt: Number(await page.locator('#qr').getAttribute('data-drawn-at')),
	};
}

// The URL in the QR code on the screen, from a screenshot of its box.
async function readQr(page) {
	const png = PNG.sync.read(await page.locator('#qr-box').screenshot());
	const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
	check(code && code.data, 'no QR code found in the screenshot of the live screen');
	return code.data;
}

// Crockford's base32 as the live screen groups it.
const CODE_SHOWN = /^[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}$/;

// The typed code on the live screen: the text a student reads, once it
// belongs to the QR drawn (the same token) and shows.
async function codeOf(page) {
	await page.waitForFunction(() => {
		const c = document.querySelector('#typed-code');
		const box = document.querySelector('#code-box');
		return c && !box.hidden && c.dataset.seq === document.querySelector('#qr').dataset.seq &&
		    getComputedStyle(box).visibility === 'visible';
	}, null, { timeout: WAIT });
	const text = await textOf(page, '#typed-code');
	check(CODE_SHOWN.test(text), `the live screen shows the code "${text}"`);
	return text;
}

// Screenshots of a page at a phone's, a laptop's and a projector's size,
// each checked for a page wider than the screen (a sideways scroll on a
// phone); the page's own size comes back after.
const SIZES = [['phone', 390, 844], ['laptop', 1366, 768], ['projector', 1920, 1080]];
async function shotSizes(page, name, also) {
	const own = page.viewportSize();
	for (const [size, width, height] of SIZES) {
		await page.setViewportSize({ width, height });
		await page.waitForTimeout(300);	// the redraws at the new size
		if (also)
			await also(size, width, height);
		const wide = await page.evaluate(() =>
		    document.documentElement.scrollWidth - window.innerWidth);
		check(wide <= 0, `${name} at ${size} size is ${wide} px wider than the screen`);
		await shot(page, `${name}-${size}`);
	}
	await page.setViewportSize(own);
	await page.waitForTimeout(300);
}

// The QR code's URL for a student to scan now: once the code shown has
// `left` seconds to live (by its countdown), so that its renewal does not
// come between reading it and the scan.
async function liveFor(page, left) {
	await page.waitForFunction((n) => {
		const m = /^(\d+) s$/.exec(document.querySelector('#countdown').textContent.trim());
		return m && Number(m[1]) >= n && document.querySelector('#qr-overlay').hidden;
	}, left, { timeout: WAIT });
}

async function liveUrl(page, left = 4) {
	await liveFor(page, left);
	return readQr(page);
}

// The same for the typed code, as a student reads it.
async function liveCode(page, left = 4) {
	await liveFor(page, left);
	return codeOf(page);
}

// RFC 4180: fields separated by commas, records by CRLF, a field in
// double quotes may hold commas, CRLF and doubled quotes.
function parseCsv(text) {
	const rows = [];
	let row = [], field = '', i = 0, quoted = false;
	while (i < text.length) {
		const c = text[i];
		if (quoted) {
			if (c === '"' && text[i + 1] === '"') {
				field += '"';
				i += 2;
				continue;
			}
			if (c === '"')
				quoted = false;
			else
				field += c;
			i++;
			continue;
		}
		if (c === '"' && field === '') {
			quoted = true;
		} else if (c === ',') {
			row.push(field);
			field = '';
		} else if (c === '\r' && text[i + 1] === '\n') {
			row.push(field);
			rows.push(row);
			row = [];
			field = '';
			i++;
		} else {
			field += c;
		}
		i++;
	}
	check(field === '' && row.length === 0, 'the CSV does not end with a line end');
	return rows;
}

function ctl(what) {
	execSync(`${ctlCommand} ${what}`, { stdio: 'inherit' });
}

async function login(page, who, password, submit) {
	await page.fill('#login', who);
	await page.fill('#password', password);
	await page.click(submit);
}

const browser = await chromium.launch({
	executablePath: '/usr/bin/chromium',
	headless: true,
	// Playwright gives each launch a fresh temporary --user-data-dir.
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	    '--disable-background-networking', '--disable-component-update',
	    '--disable-sync'],
	timeout: 60000,
});
const pageErrors = [];
// Chromium reports each refusal of the Content-Security-Policy on the
// console: the pages must need nothing the policy does not allow.
const cspViolations = [];
function watch(page, who) {
	page.on('pageerror', (e) => pageErrors.push(`${who}: ${e.message}`));
	page.on('console', (m) => {
		if (/Content Security Policy/i.test(m.text()))
			cspViolations.push(`${who}: ${m.text()}`);
	});
	return page;
}

// The professor's computer: its clock an hour ahead.
const profCtx = await browser.newContext({
	viewport: { width: 1920, height: 1080 }, locale: 'en-US',
});
await profCtx.addInitScript(() => {
	const Real = Date;
	const skew = 3600 * 1000;
	// eslint-disable-next-line no-global-assign
	Date = class extends Real {
		constructor(...a) {
			if (a.length === 0)
				super(Real.now() + skew);
			else
				super(...a);
		}
		static now() { return Real.now() + skew; }
	};
});
function phone() {
	return browser.newContext({
		viewport: { width: 390, height: 844 }, locale: 'en-US',
		isMobile: true, hasTouch: true, deviceScaleFactor: 1,
	});
}

const P = watch(await profCtx.newPage(), 'professor');
let url1, url2, qr, courseHref, sessionId, code1;
let latency = null, latencyFromResponse = null;

try {
	await step('the professor cannot log in with a wrong password, and is told', async () => {
		await P.goto(base + '/');
		await shot(P, 'login');
		await login(P, 'prof', 'not-the-password', '#login-submit');
		await waitText(P, '#login-error', /Wrong username, email or password/);
		await shot(P, 'login-error');
	});

	await step('the professor logs in and sees the courses', async () => {
		await login(P, 'prof', 'prof-demo', '#login-submit');
		await P.waitForURL(/\/courses\.html$/, { timeout: WAIT });
		await waitText(P, '#courses tbody', /CS101/);
		courseHref = await P.locator('#courses a', { hasText: 'CS101' }).getAttribute('href');
		await shot(P, 'courses');
	});

	await step('the course and its group, with 15 students', async () => {
		await P.click('text=CS101');
		await P.waitForURL(/course\.html/, { timeout: WAIT });
		await waitText(P, '#groups tbody', /Group A/);
		await shot(P, 'course');
		await P.click('#groups >> text=Group A');
		await P.waitForURL(/group\.html/, { timeout: WAIT });
		await waitText(P, '#enrolled-count', /^\(15\)$/);
		check(await P.inputValue('#s-ttl') === '15', 'QR lifetime default is not 15');
		check(await P.inputValue('#s-late') === '10', 'late default is not 10 minutes');
	});

	await step('bulk enrollment forgives a paste: a header, separators, repeats; the box keeps what needs attention, with why', async () => {
		// A spreadsheet's column: its header, a student of this group
		// twice (case aside), one of another group, an unknown one.
		await P.fill('#b-list', 'Username\nstudent16, Student01;student01\n' +
		    'nobody-like-this student02\n');
		await P.click('#bulk-submit');
		await waitText(P, '#bulk-msg', /^0 of 4 enrolled, 2 already in this group, 2 need attention\. The header line "Username" was skipped; 1 repeat was folded\. Correct them below and enroll again\.$/);
		const box = await P.inputValue('#b-list');
		check(/^student16 +# already in another group of this course\nnobody-like-this +# no such student$/.test(box),
		    `the box keeps ${JSON.stringify(box)}`);
		await shot(P, 'group-bulk-attention');
		// Corrected and sent again, the reasons are left out.
		await P.fill('#b-list', box.replace('nobody-like-this', 'student02'));
		await P.click('#bulk-submit');
		await waitText(P, '#bulk-msg', /^0 of 2 enrolled, 1 already in this group, 1 needs attention\./);
		check(/^student16 +# already in another group/.test(await P.inputValue('#b-list')),
		    'the box does not keep the one that failed');
		await P.fill('#b-list', '');
	});

	await step('the professor starts a session: the live screen shows a QR code', async () => {
		await P.click('#start-submit');
		await P.waitForURL(/live\.html\?id=/, { timeout: WAIT });
		sessionId = new URL(P.url()).searchParams.get('id');
		await waitText(P, '#round', /^1$/);
		await waitText(P, '#enrolled', /^15$/);
		qr = await waitQr(P, 0);
		code1 = await codeOf(P);
		await waitText(P, '#code-help', new RegExp(`^Scan with your phone, or type the\\s+code at\\s+${base.replace(/[.]/g, '\\.')}/scan$`));
		const size = await P.locator('#typed-code').evaluate((e) =>
		    parseFloat(getComputedStyle(e).fontSize));
		check(size >= 64, `the code is ${size} px high on a 1080p screen`);
		await shot(P, 'live');
	});

	await step('full screen: the QR code and its countdown fill the screen (F)', async () => {
		await P.keyboard.press('f');
		await P.waitForFunction(() => document.fullscreenElement &&
		    document.fullscreenElement.id === 'stage', null, { timeout: WAIT });
		await P.waitForTimeout(300);	// the redraw at the new size
		const box = await P.locator('#qr-box').boundingBox();
		check(box.height > 900, `the QR code is ${Math.round(box.height)} px high in full screen`);
		check(await readQr(P) !== '', 'unreadable in full screen');
		await codeOf(P);
		const code = await P.locator('#typed-code').boundingBox();
		check(code && code.x >= 0 && code.y >= 0 && code.x + code.width <= 1920 &&
		    code.y + code.height <= 1080, 'the code is not all on the screen in full screen');
		const size = await P.locator('#typed-code').evaluate((e) =>
		    parseFloat(getComputedStyle(e).fontSize));
		check(size >= 100, `the code is ${size} px high in full screen`);
		await shot(P, 'live-full-screen');
		await P.keyboard.press('f');
		await P.waitForFunction(() => !document.fullscreenElement, null, { timeout: WAIT });
	});

	await step('the countdown counts from the token\'s arrival, not the (wrong) clock', async () => {
		const t = await waitText(P, '#countdown', /^\d+ s$/);
		const s = Number(t.split(' ')[0]);
		check(s >= 8 && s <= 15, `countdown shows ${t} for a 15 s code`);
	});

	await step('the QR image decodes to the scan URL', async () => {
		url1 = await liveUrl(P);
		// The short form (issue 16, tests/stack/scan-url.mjs).
		const scan = scanOfUrl(url1);
		check(isShortScanUrl(url1, base) && scan.s === sessionId &&
		    /^[A-Za-z0-9_-]{43}$/.test(scan.t), `QR holds ${url1}`);
	});

	const s1Ctx = await phone();
	const S1 = watch(await s1Ctx.newPage(), 'student01');

	await step('a logged-out student opens the URL, logs in, and is present', async () => {
		await S1.goto(url1);
		await S1.locator('#login-form').waitFor({ state: 'visible', timeout: WAIT });
		check(new URL(S1.url()).hash === '', 'the token stays in the address bar');
		check(await S1.evaluate(() => !!sessionStorage.getItem('attendance.pendingScan')),
		    'the scan is not kept through the login');
		await shot(S1, 'student-scan-login');
		const sent = S1.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith('/scan'));
		const answered = S1.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/scan'));
		await login(S1, 'student01', 'student-demo', '#login-submit');
		await sent;
		const t0 = Date.now();
		const res = await answered;
		const t1 = Date.now();
		check(res.status() === 201, `scan answered ${res.status()}`);
		await waitText(S1, '#result-word', /^Present$/);
		await shot(S1, 'student-present');
		const next = await waitQr(P, qr.seq);
		latency = next.drawnAt - t0;
		latencyFromResponse = next.drawnAt - t1;
		qr = next;
	});

	await step('the live list shows the student and a new QR code, with a new typed code', async () => {
		await P.locator('#checked-list li[data-username="student01"]').waitFor({ timeout: WAIT });
		await waitText(P, '#count', /^1$/);
		url2 = await readQr(P);
		check(url2 !== url1 && isShortScanUrl(url2, base) && scanOfUrl(url2).s === sessionId,
		    'the QR code did not change after the scan');
		check(await codeOf(P) !== code1, 'the typed code did not change after the scan');
		check(await P.locator('#checked-list li[data-username="student01"] .flag').count() === 0,
		    'a student on their own phone is flagged');
		await shot(P, 'live-after-scan');
	});

	const s2Ctx = await phone();
	const S2 = watch(await s2Ctx.newPage(), 'student02');

	await step('a second student opening the first URL is told it was just used', async () => {
		await S2.goto(url1);
		await S2.locator('#login-form').waitFor({ state: 'visible', timeout: WAIT });
		await login(S2, 'student02', 'student-demo', '#login-submit');
		await waitText(S2, '#result-word', /just used: scan the new one/);
		await shot(S2, 'student-just-used');
	});

	await step('the second student scans the code now on the screen: present', async () => {
		const before = qr.seq;
		const url = await liveUrl(P);
		await S2.goto(url);
		await waitText(S2, '#result-word', /^Present$/);
		qr = await waitQr(P, before);
		await P.locator('#checked-list li[data-username="student02"]').waitFor({ timeout: WAIT });
		await waitText(P, '#count', /^2$/);
	});

	const s3Ctx = await phone();
	const S3 = watch(await s3Ctx.newPage(), 'student03');

	await step('Redis goes away: a scan still counts; back: relay:resync brings a new code and the count', async () => {
		await S3.goto(base + '/');
		await login(S3, 'student03', 'student-demo', '#login-submit');
		await S3.waitForURL(/\/me\.html$/, { timeout: WAIT });
		const url = await liveUrl(P, 8);
		const before = qr.seq;
		ctl('redis stop');
		await S3.goto(url);
		await waitText(S3, '#result-word', /^Present$/);
		check(await qrSeq(P) === before, 'a new code arrived with Redis down');
		ctl('redis start');
		qr = await waitQr(P, before);
		await waitText(P, '#count', /^3$/);
		// Not heard, but read from the session's records: by name.
		await P.locator('#checked-list li[data-username="student03"]').waitFor({ timeout: WAIT });
		check(await P.locator('#before').isHidden(), 'a check-in read from the records is counted without its name');
		await shot(P, 'live-after-resync');
	});

	await step('the relay goes away: "reconnecting", no QR; back: a fresh QR', async () => {
		ctl('relay stop');
		await P.waitForFunction(() => document.body.dataset.conn === 'reconnecting',
		    null, { timeout: WAIT });
		check(await P.locator('#qr-overlay').isVisible(), 'no reconnecting overlay');
		check(await P.locator('#qr').evaluate((c) => getComputedStyle(c).visibility) === 'hidden',
		    'a stale QR code stays visible while reconnecting');
		check(!await P.locator('#typed-code').isVisible(),
		    'a stale typed code stays visible while reconnecting');
		await waitText(P, '#qr-overlay', /Reconnecting/);
		await shot(P, 'live-reconnecting');
		ctl('relay start');
		qr = await waitQr(P, qr.seq);
		await waitText(P, '#conn', /^Live$/);
		await waitText(P, '#count', /^3$/);
		await shot(P, 'live-reconnected');
	});

	await step('a new round: round 2, nobody checked in, a new code', async () => {
		const before = qr.seq;
		await P.click('#new-round');
		await waitText(P, 'dialog[open] #confirm-text', /Everyone scans again; attendance counts per round/);
		await P.click('#confirm-yes');
		await waitText(P, '#round', /^2$/);
		qr = await waitQr(P, before);
		await waitText(P, '#count', /^0$/);
		check(await P.locator('#checked-list li').count() === 0, 'the list was not emptied');
		await shot(P, 'live-round-2');
	});

	await step('the first student scans round 2 (logged in already): present', async () => {
		const before = qr.seq;
		const url = await liveUrl(P);
		check(scanOfUrl(url).r !== scanOfUrl(url2).r, 'round 2 shows an old code');
		await S1.goto(url);
		await waitText(S1, '#result-word', /^Present$/);
		qr = await waitQr(P, before);
		await waitText(P, '#count', /^1$/);
	});

	await step('a second student on the first student\'s phone: "Shared phone" on the live screen, on both rows', async () => {
		// Same browser, so the same cookies, the device cookie (did)
		// too: a logout keeps it.
		await S1.locator('#logout').click();
		await S1.waitForURL(/\/\?bye=1$/, { timeout: WAIT });
		check((await s1Ctx.cookies()).some((c) => c.name === 'did'),
		    'the logout took the device cookie');
		await login(S1, 'student04', 'student-demo', '#login-submit');
		await S1.waitForURL(/\/me\.html$/, { timeout: WAIT });
		const before = qr.seq;
		await S1.goto(await liveUrl(P));
		await waitText(S1, '#result-word', /^Present$/);
		qr = await waitQr(P, before);
		await waitText(P, '#count', /^2$/);
		const row = '#checked-list li[data-username="student04"]';
		await waitText(P, `${row} .flag[data-flag="shared_device"]`, /^!\s*Shared phone$/);
		check(/same phone/.test(await P.locator(`${row} .flag`).first().getAttribute('title')),
		    'the flag has no explanation');
		// The server flagged the first student's record too.
		await waitText(P, '#checked-list li[data-username="student01"] .flag[data-flag="shared_device"]',
		    /Shared phone/);
		await shot(P, 'live-shared-phone');
		// The first student again, on their phone.
		await S1.goto(base + '/me.html');
		await S1.locator('#logout').click();
		await S1.waitForURL(/\/\?bye=1$/, { timeout: WAIT });
		await login(S1, 'student01', 'student-demo', '#login-submit');
		await S1.waitForURL(/\/me\.html$/, { timeout: WAIT });
	});

	const s5Ctx = await phone();
	const S5 = watch(await s5Ctx.newPage(), 'student05');

	await step('a student without a camera opens /scan, logs in and types the code read off the live screen: recorded', async () => {
		await S5.goto(base + '/scan');
		await S5.locator('#login-form').waitFor({ state: 'visible', timeout: WAIT });
		check(!await S5.locator('#code-box').isVisible(), 'the code form before the login');
		await waitText(S5, '#result-word', /^Log in first$/);
		await shot(S5, 'student-scan-no-qr-logged-out');
		await login(S5, 'student05', 'student-demo', '#login-submit');
		await S5.locator('#code').waitFor({ state: 'visible', timeout: WAIT });
		await waitText(S5, '#code-title', /^Type the code from the screen$/);
		check(await S5.evaluate(() => document.activeElement && document.activeElement.id) === 'code',
		    'the code field does not have the focus');
		check(await S5.getAttribute('#code', 'autocapitalize') === 'characters' &&
		    await S5.getAttribute('#code', 'inputmode') === 'text' &&
		    Number(await S5.getAttribute('#code', 'maxlength')) >= 9,
		    'the code field is not made for typing a code on a phone');
		// A typo is told here, and costs nothing of the limit.
		let sent = 0;
		const count = (r) => {
			if (r.url().endsWith('/api/scan/code'))
				sent++;
		};
		S5.on('request', count);
		await S5.fill('#code', 'ABC-12');
		await S5.click('#code-submit');
		await waitText(S5, '#code-error', /8 letters and digits; this has 5/);
		check(await S5.getAttribute('#code', 'aria-invalid') === 'true', 'the field is not marked invalid');
		check(sent === 0, 'a code of the wrong shape was sent');
		S5.off('request', count);
		await shot(S5, 'student-code-form');
		// As a student reads it off the screen (the screenshot's text).
		const code = await liveCode(P);
		const before = qr.seq;
		await S5.fill('#code', code.toLowerCase());
		const answered = S5.waitForResponse((r) => r.url().endsWith('/api/scan/code'));
		await S5.click('#code-submit');
		check((await answered).status() === 201, 'the typed code was not recorded');
		await waitText(S5, '#result-word', /^Present$/);
		check(!await S5.locator('#code-box').isVisible(), 'the code form stays after the check-in');
		await shot(S5, 'student-code-present');
		qr = await waitQr(P, before);
		await P.locator('#checked-list li[data-username="student05"]').waitFor({ timeout: WAIT });
		await waitText(P, '#count', /^3$/);
		check(await codeOf(P) !== code, 'the typed code did not move on');
		// The same code again, from another student: used, and the form
		// says to type the new one.
		await S2.goto(base + '/scan');
		await S2.locator('#code').waitFor({ state: 'visible', timeout: WAIT });
		await S2.fill('#code', code);
		await S2.click('#code-submit');
		await waitText(S2, '#result-word', /just used: type the new one/);
		check(await S2.locator('#code-box').isVisible(), 'no code form after "just used"');
		await shot(S2, 'student-code-used');
	});

	await step('a student without a phone: marked present by typing part of the name; after a reload the list is still there', async () => {
		await P.fill('#mark-name', 'gab');
		await waitText(P, '#mark-options', /Gabriel Silva \(student07\)/);
		await shot(P, 'live-mark-by-name-found');
		check(await P.getAttribute('#mark-name', 'aria-expanded') === 'true', 'the list of names is not told open');
		// Checked in already: said so, not offered.
		await P.fill('#mark-name', 'ADA');
		await waitText(P, '#mark-options li[data-username="student01"]', /checked in/);
		check(await P.getAttribute('#mark-options li[data-username="student01"]', 'aria-disabled') === 'true',
		    'a student checked in is offered');
		await P.fill('#mark-name', 'silva');
		await P.keyboard.press('Enter');
		await waitText(P, '#mark-msg', /^Gabriel Silva marked present in round 2\.$/);
		await P.locator('#checked-list li[data-username="student07"]').waitFor({ timeout: WAIT });
		await waitText(P, '#count', /^4$/);
		check(await P.inputValue('#mark-name') === '', 'the name stays in the field');
		check(await P.evaluate(() => !document.fullscreenElement), 'the screen changed');
		await shot(P, 'live-mark-by-name');
		// The session's page works on a running session too, and the
		// live screen follows it.
		const tab = watch(await profCtx.newPage(), 'professor, session page');
		await tab.goto(base + '/session-stats.html?id=' + sessionId);
		await tab.locator('#marks td.mark-cell').first().waitFor({ timeout: WAIT });
		await waitText(tab, '#marks th[data-round="2"]', /running/);
		await tab.fill('#find', 'hana');
		await tab.keyboard.press('Enter');
		check(await tab.evaluate(() => document.activeElement.dataset.round) === '2',
		    'Enter in the search does not go to the running round');
		await tab.keyboard.press('p');
		await waitText(tab, '#marks-msg', /^Saved: Hana Sato, round 2: Present\.$/);
		await P.locator('#checked-list li[data-username="student08"]').waitFor({ timeout: WAIT });
		await waitText(P, '#count', /^5$/);
		await tab.keyboard.press('a');
		await waitText(tab, '#marks-msg', /^Saved: Hana Sato, round 2: Absent\.$/);
		await P.locator('#checked-list li[data-username="student08"]').waitFor({ state: 'detached', timeout: WAIT });
		await waitText(P, '#count', /^4$/);
		await tab.close();
		await P.reload();
		qr = await waitQr(P, 0);
		await waitText(P, '#count', /^4$/);
		const names = await P.$$eval('#checked-list li', (lis) => lis.map((li) => li.dataset.username).sort());
		check(names.join(' ') === 'student01 student04 student05 student07',
		    `after a reload the list holds ${names.join(' ')}`);
		check(await P.locator('#before').isHidden(), 'after a reload the check-ins are counted without names');
	});

	await step('the live screen with its code, at a phone\'s, a laptop\'s and a projector\'s size', async () => {
		await shotSizes(P, 'live-sizes', async (size, width) => {
			await codeOf(P);
			const box = await P.locator('#typed-code').boundingBox();
			check(box.x >= 0 && box.x + box.width <= width,
			    `the code runs off a ${size}'s screen`);
			check(await readQr(P) !== '', `the QR code is unreadable at ${size} size`);
		});
		await shotSizes(S5, 'scan-code-form-sizes', async () => {
			await S5.goto(base + '/scan');
			await S5.locator('#code').waitFor({ state: 'visible', timeout: WAIT });
		});
	});

	await step('logged out in another tab: the live screen drops its code for the login page, and comes back after it', async () => {
		const tab = watch(await profCtx.newPage(), 'professor, second tab');
		// The close code alone says it (4401): no reconnection, and no
		// question to the API as after a lost connection.
		let sockets = 0, asked = 0;
		const opened = () => sockets++;
		const request = (r) => {
			if (r.url().includes('/api/sessions/'))
				asked++;
		};
		// A running session is one click away: the course page...
		await tab.goto(base + courseHref);
		await waitText(tab, '#live-now', /^Live now: Group A$/);
		check(await tab.getAttribute('#live-now a', 'href') === '/live.html?id=' + sessionId,
		    'the course page\'s Live now does not lead to the live screen');
		await waitText(tab, '#groups td.now', /^Live now$/);
		await shot(tab, 'course-live-now');
		// ... and the courses list.
		await tab.goto(base + '/courses.html');
		await tab.locator('#logout').waitFor({ state: 'visible', timeout: WAIT });
		await waitText(tab, '#courses td.now', /^Live now: Group A$/);
		check(await tab.getAttribute('#courses td.now a', 'href') === '/live.html?id=' + sessionId,
		    'the courses list\'s Live now does not lead to the live screen');
		await shot(tab, 'courses-live-now');
		P.on('websocket', opened);
		P.on('request', request);
		const t0 = Date.now();
		await tab.click('#logout');
		await P.waitForURL(/\/\?next=%2Flive\.html%3Fid%3D/, { timeout: WAIT });
		const took = Date.now() - t0;
		P.off('websocket', opened);
		P.off('request', request);
		check(took < 5000, `the live screen left ${took} ms after the logout`);
		check(sockets === 0, `the live screen reconnected ${sockets} times`);
		check(asked === 0, 'the live screen took the close for a lost connection');
		notes.push(`logout in another tab to the live screen's login page: ${took} ms`);
		await P.locator('#login-submit').waitFor({ timeout: WAIT });
		await shot(P, 'live-logged-out');
		await tab.close();
		await login(P, 'prof', 'prof-demo', '#login-submit');
		await P.waitForURL(/live\.html\?id=/, { timeout: WAIT });
		check(new URL(P.url()).searchParams.get('id') === sessionId,
		    'the login page sent the professor elsewhere');
		await waitText(P, '#round', /^2$/);
		qr = await waitQr(P, 0);
	});

	let lastUrl;
	await step('end session asks first, then shows the summary', async () => {
		lastUrl = await readQr(P);
		await P.click('#end');
		await P.locator('dialog[open]').waitFor({ timeout: WAIT });
		await shot(P, 'live-end-confirm');
		await P.click('#confirm-yes');
		await P.locator('#summary').waitFor({ state: 'visible', timeout: WAIT });
		await waitText(P, '#sum-rounds', /^2$/);
		await waitText(P, '#sum-count', /^7$/);
		await waitText(P, '#sum-enrolled', /^15$/);
		await waitText(P, '#sum-never-count', /^9$/);
		const never = await P.$$eval('#sum-never li', (lis) => lis.map((li) => li.dataset.username));
		check(never.join(' ') === 'student06 student08 student09 student10 student11 student12 student13 student14 student15',
		    `never checked in: ${never.join(' ')}`);
		await shot(P, 'live-summary');
	});

	await step('a scan after the end: session over', async () => {
		await S1.goto(lastUrl);
		await waitText(S1, '#result-word', /^Session over$/);
		await shot(S1, 'student-session-over');
	});

	await step('the session statistics: rounds and students', async () => {
		await P.click('#sum-stats');
		await P.waitForURL(/session-stats\.html/, { timeout: WAIT });
		await waitText(P, '#t-rounds', /^2$/);
		await waitText(P, '#t-checkins', /^7$/);
		await waitText(P, '#t-enrolled', /^15$/);
		await waitText(P, '#t-rate', /^23\.3%$/);
		await waitText(P, '#rounds tr[data-round="1"] td:nth-child(4)', /^3$/);
		await waitText(P, '#rounds tr[data-round="1"] .rate', /^20%$/);
		await waitText(P, '#rounds tr[data-round="2"] td:nth-child(4)', /^4$/);
		await waitText(P, '#marks tr[data-username="student01"] .rate', /^100%$/);
		await waitText(P, '#marks tr[data-username="student02"] .rate', /^50%$/);
		await waitText(P, '#marks tr[data-username="student03"] .rate', /^50%$/);
		await waitText(P, '#marks tr[data-username="student04"] .rate', /^50%$/);
		await waitText(P, '#marks tr[data-username="student06"] .rate', /^0%$/);
		await waitText(P, '#marks tr[data-username="student07"] .rate', /^50%$/);
		await shot(P, 'session-stats');
	});

	await step('the grid of marks: corrected from the keyboard, a failed save put back, a click; the stats follow', async () => {
		const mark = (who, n) => `#marks tr[data-username="${who}"] td.mark-cell[data-round="${n}"]`;
		check(await P.getAttribute('#marks', 'role') === 'grid', 'the marks are not a grid');
		check(await P.locator('#marks td.mark-cell[tabindex="0"]').count() === 1,
		    'not one cell in the tab order');
		await waitText(P, mark('student01', 1), /^P\s*Present/);
		await waitText(P, `${mark('student04', 2)} .gflag[data-flag="shared_device"]`, /Shared phone/);
		await waitText(P, mark('student06', 1), /^A\s*Absent$/);
		// Sorted by rate, the lowest first; by name again.
		await P.click('#marks button.sort[data-sort="rate"]');
		check(await P.getAttribute('#marks th:has(button[data-sort="rate"])', 'aria-sort') === 'ascending',
		    'the rate column is not told sorted');
		const low = await P.$$eval('#marks tbody tr', (trs) => trs.map((tr) => tr.dataset.username));
		check(low[0] === 'student06' && low[low.length - 1] === 'student01',
		    `sorted by rate: ${low.join(' ')}`);
		await P.click('#marks button.sort[data-sort="name"]');
		// A doctor's note: find the student, Enter, to round 1, E.
		await P.fill('#find', 'farah');
		await waitText(P, '#marks-count', /^1 of 15 students shown$/);
		await P.keyboard.press('Enter');
		check(await P.evaluate(() => document.activeElement.dataset.round) === '2',
		    'Enter in the search does not go to the last round\'s mark');
		await P.keyboard.press('ArrowLeft');
		await P.keyboard.press('e');
		await waitText(P, mark('student06', 1), /^E\s*Excused/);
		await waitText(P, '#marks-msg', /^Saved: Farah Haddad, round 1: Excused\.$/);
		await waitText(P, '#rounds tr[data-round="1"] td:nth-child(6)', /^1$/);
		// The next student came late without a phone: down, L.
		await P.fill('#find', '');
		await P.locator(mark('student06', 1)).focus();
		await P.keyboard.press('ArrowDown');
		await P.keyboard.press('l');
		await waitText(P, mark('student07', 1), /^L\s*Late/);
		await waitText(P, '#marks tr[data-username="student07"] .rate', /^100%$/);
		await waitText(P, '#t-checkins', /^8$/);
		await waitText(P, '#t-rate', /^26\.7%$/);
		await waitText(P, '#rounds tr[data-round="1"] td:nth-child(5)', /^1$/);
		// A save that fails is put back, visibly.
		await P.route('**/api/sessions/*/rounds/*/records/*', (route) => route.request().method() === 'PUT'
		    ? route.fulfill({ status: 503, contentType: 'application/json',
			body: '{"error":{"code":"unavailable","message":"database unavailable"}}' })
		    : route.continue());
		await P.keyboard.press('ArrowDown');
		await P.keyboard.press('l');
		await waitText(P, '#marks-msg', /^Not saved: Hana Sato, round 1 is still Absent\. The service is unavailable/);
		await waitText(P, mark('student08', 1), /^A\s*Absent\s*!\s*Not saved$/);
		check(await P.getAttribute('#marks-msg', 'role') === 'alert', 'the failure is not an alert');
		await shot(P, 'session-grid-not-saved');
		await P.unroute('**/api/sessions/*/rounds/*/records/*');
		// With a click: the menu of the four marks.
		await P.click(mark('student08', 1));
		await P.locator('.mark-menu').waitFor({ timeout: WAIT });
		check(await P.evaluate(() => document.activeElement.dataset.status) === 'absent',
		    'the menu does not start on the cell\'s mark');
		await shot(P, 'session-grid-menu');
		await P.click('.mark-menu button[data-status="late"]');
		await waitText(P, mark('student08', 1), /^L\s*Late$/);
		check(await P.locator('.mark-menu').count() === 0, 'the menu stays open');
		await waitText(P, '#t-checkins', /^9$/);
		await waitText(P, '#t-rate', /^30%$/);
		await shotSizes(P, 'session-grid', async () => {
			await P.locator('#marks').scrollIntoViewIfNeeded();
		});
	});

	await step('the session\'s check-ins: flagged first, then by round and time; how, flags, address', async () => {
		await P.reload();
		await waitText(P, '#t-flagged', /^3$/);
		const order = await P.$$eval('#records tbody tr', (trs) =>
		    trs.map((tr) => `${tr.dataset.username}/${tr.dataset.round}`));
		check(order.join(' ') === 'student01/1 student01/2 student04/2 ' +
		    'student02/1 student03/1 student06/1 student07/1 student08/1 ' +
		    'student05/2 student07/2 student08/2',
		    `the check-ins in the order ${order.join(' ')}`);
		const row = (who, n) => `#records tr[data-username="${who}"][data-round="${n}"]`;
		await waitText(P, `${row('student04', 2)} .flags-cell`, /^!\s*Shared phone$/);
		await waitText(P, `${row('student04', 2)} .source`, /^QR$/);
		await waitText(P, `${row('student04', 2)} .address`, /^127\.0\.0\.1$/);
		await waitText(P, `${row('student05', 2)} .source`, /^Typed code$/);
		await waitText(P, `${row('student05', 2)} .flags-cell`, /^None$/);
		await waitText(P, `${row('student06', 1)} .source`, /^Set by you$/);
		await waitText(P, `${row('student06', 1)} .status`, /^Excused$/);
		await waitText(P, `${row('student06', 1)} .address`, /^None$/);
		await waitText(P, '#flag-legend', /Shared phone.*same phone/s);
		await shotSizes(P, 'session-records', async () => {
			await P.locator('#records').scrollIntoViewIfNeeded();
		});
	});

	await step('the course statistics: the students under 75 % first, sorted, filtered, another threshold', async () => {
		await P.goto(base + courseHref.replace('/course.html', '/course-stats.html'));
		await waitText(P, '#t-enrolled', /^30$/);
		await waitText(P, '#t-sessions', /^1$/);
		await waitText(P, '#groups tr[data-group="Group A"] .rate', /^30%$/);
		await waitText(P, '#groups tr[data-group="Group B"] .rate', /^no rounds yet$/);
		await waitText(P, '#students tr[data-username="student01"] .rate', /^100%$/);
		check(await P.inputValue('#threshold') === '75', 'the threshold is not 75 % at first');
		await waitText(P, '#under-body tr.section', /^Under 75%: 13$/);
		await waitText(P, '#rest-body tr.section', /^75% or more: 2$/);
		await waitText(P, '#none-body tr.section', /^No rounds held yet: 15$/);
		const users = async (body) => P.$$eval(`${body} tr[data-username]`,
		    (trs) => trs.map((tr) => tr.dataset.username));
		// The lowest rate first, then by name.
		const low = await users('#under-body');
		check(low[0] === 'student06' && low.length === 13 && !low.includes('student07'),
		    `under 75 %: ${low.join(' ')}`);
		await waitText(P, '#students tr[data-username="student06"] .under-mark', /under/);
		await waitText(P, '#students-count', /^13 of 30 students under 75%\.$/);
		await shot(P, 'course-stats');
		// Sorted by name, the other way.
		await P.click('#students button.sort[data-sort="name"]');
		await P.click('#students button.sort[data-sort="name"]');
		check(await P.getAttribute('#students th[data-sort="name"]', 'aria-sort') === 'descending',
		    'the name column is not told sorted down');
		check((await users('#under-body'))[0] === 'student15', 'not sorted by name, Z to A');
		// Filtered: a name (without its accents or case), a group, only under.
		await P.fill('#s-find', 'LINDQ');
		check((await users('#students')).join(' ') === 'student02', 'the name filter');
		await waitText(P, '#students-count', /; 1 shown\.$/);
		await P.fill('#s-find', '');
		await P.selectOption('#s-group', { label: 'Group B' });
		check((await users('#under-body')).length === 0 && (await users('#none-body')).length === 15,
		    'the group filter');
		await P.selectOption('#s-group', { label: 'All groups' });
		await P.check('#s-under');
		check((await users('#students')).length === 13, 'only under the threshold');
		await P.uncheck('#s-under');
		// Another threshold: 50 % is not under 50 %; kept for the course.
		await P.fill('#threshold', '50');
		await waitText(P, '#under-body tr.section', /^Under 50%: 8$/);
		check(!(await users('#under-body')).includes('student02'), 'a student at 50 % is under 50 %');
		await P.reload();
		await waitText(P, '#under-body tr.section', /^Under 50%: 8$/, 'the threshold kept');
		check(await P.inputValue('#threshold') === '50', 'the threshold is not kept');
		await P.fill('#threshold', '75');
		check(await P.getAttribute('#csv-link', 'href') ===
		    `/api/professor/courses/${new URL(base + courseHref).searchParams.get('id')}/export.csv`,
		    'the CSV link');
		await shotSizes(P, 'course-stats-sizes', async () => {
			await P.locator('#students').scrollIntoViewIfNeeded();
		});
	});

	await step('the students see their own attendance', async () => {
		await S1.goto(base + '/me.html');
		await waitText(S1, '[data-course="CS101"] .big-rate', /^100%/);
		await waitText(S1, '[data-course="CS101"] .present', /^2$/);
		await waitText(S1, '[data-course="CS101"] .rounds', /^2$/);
		await shot(S1, 'student-my-attendance');
		await S2.goto(base + '/me.html');
		await waitText(S2, '[data-course="CS101"] .big-rate', /^50%/);
		await waitText(S2, '[data-course="CS101"] .absent', /^1$/);
	});

	await step('a short-lived code is renewed by itself before it expires', async () => {
		await P.goto(base + courseHref);
		await P.click('#groups >> text=Group B');
		await P.waitForURL(/group\.html/, { timeout: WAIT });
		await P.fill('#s-ttl', '5');
		await P.click('#start-submit');
		await P.waitForURL(/live\.html\?id=/, { timeout: WAIT });
		const first = await waitQr(P, 0);
		const u1 = await readQr(P);
		const c1 = await codeOf(P);
		const t0 = Date.now();
		qr = await waitQr(P, first.seq);
		const waited = Date.now() - t0;
		const u2 = await readQr(P);
		check(u2 !== u1, 'the renewed code is the same');
		check(await codeOf(P) !== c1, 'the typed code was not renewed with the QR code');
		check(waited < 5000, `renewed after ${waited} ms, for a code of 5 s`);
		notes.push(`a 5 s code was renewed after ${waited} ms`);
		const ctx = await phone();
		const S16 = watch(await ctx.newPage(), 'student16');
		await S16.goto(u1);
		await login(S16, 'student16', 'student-demo', '#login-submit');
		await waitText(S16, '#result-word', /just used: scan the new one|expired/);
		// Right after a renewal: the code has most of its 5 s left.
		qr = await waitQr(P, await qrSeq(P));
		await S16.goto(await readQr(P));
		await waitText(S16, '#result-word', /^Present$/);
		await P.locator('#checked-list li[data-username="student16"]').waitFor({ timeout: WAIT });
		await P.click('#end');
		await P.click('#confirm-yes');
		await waitText(P, '#sum-count', /^1$/);
	});

	// Window mode (contract v1.1), started from the group page: in a
	// session of one code for everyone the code of 5 s is renewed by the
	// screen before it expires; in one of 15 s two phones scan the same
	// code, read with time to spare.
	const startHall = async (ttl) => {
		await P.goto(base + courseHref);
		await P.click('#groups >> text=Group B');
		await P.waitForURL(/group\.html/, { timeout: WAIT });
		check(await P.isChecked('#s-single'), 'one code per student is not the default');
		await P.check('#s-window');
		await P.fill('#s-ttl', String(ttl));
		await waitText(P, 'label[for="s-window"]', new RegExp(
		    `^Large hall: one code for everyone, renewed\\s+every ${ttl} seconds$`));
		await P.click('#start-submit');
		await P.waitForURL(/live\.html\?id=/, { timeout: WAIT });
		await waitText(P, '#scan-mode', /^One code for everyone$/);
		// The text is in the page before the session is read: what
		// counts is that it shows.
		await P.locator('#scan-mode').waitFor({ state: 'visible', timeout: 5000 })
		    .catch(() => check(false, 'the live screen does not say the code is everyone\'s'));
	};

	await step('a large hall (window mode) of 5 s: the live screen renews its one code by itself before it expires', async () => {
		await startHall(5);
		let seq = (await waitQr(P, 0)).seq;
		for (let i = 0; i < 2; i++) {
			const t0 = Date.now();
			qr = await waitQr(P, seq);
			const waited = Date.now() - t0;
			check(waited < 5000, `window code renewed after ${waited} ms, for a code of 5 s`);
			if (i === 1)
				notes.push(`a 5 s window code was renewed after ${waited} ms`);
			const left = await textOf(P, '#countdown');
			check(/^[3-5] s$/.test(left), `a renewed 5 s code shows "${left}"`);
			seq = qr.seq;
		}
		await P.click('#end');
		await P.click('#confirm-yes');
		await waitText(P, '#sum-count', /^0$/);
	});

	await step('a large hall (window mode): two phones scan the same code, and both are in', async () => {
		await startHall(15);
		await shot(P, 'live-large-hall-empty');
		const phones = [];
		for (const who of ['student19', 'student21']) {
			const ctx = await phone();
			const page = watch(await ctx.newPage(), who);
			await page.goto(base + '/');
			await login(page, who, 'student-demo', '#login-submit');
			await page.waitForURL(/\/me\.html$/, { timeout: WAIT });
			phones.push([ctx, page, who]);
		}
		qr = await waitQr(P, 0);
		const url = await liveUrl(P, 8);
		await Promise.all(phones.map(([, page]) => page.goto(url)));
		for (const [, page] of phones)
			await waitText(page, '#result-word', /^Present$/);
		for (const [, , who] of phones)
			await P.locator(`#checked-list li[data-username="${who}"]`).waitFor({ timeout: WAIT });
		await waitText(P, '#count', /^2$/);
		await shot(P, 'live-large-hall');
		await P.click('#end');
		await P.click('#confirm-yes');
		await waitText(P, '#sum-count', /^2$/);
		for (const [ctx] of phones)
			await ctx.close();
		await P.goto(base + courseHref);
		await P.click('#groups >> text=Group B');
		await waitText(P, '#sessions tbody tr:first-child td:nth-child(4)',
		    /^15 s, one code for everyone$/);
		await shot(P, 'group-large-hall');
	});

	await step('the course page edits its campus networks: a bad entry is named by its line; saved as the server writes them', async () => {
		await P.goto(base + courseHref);
		await P.locator('#net-submit:enabled').waitFor({ timeout: WAIT });
		check(await P.inputValue('#n-list') === '' && await P.isChecked('#n-flag'),
		    'a new course is not open to anywhere, with policy flag');
		await P.fill('#n-list', '10.20.0.0/16\n\n10.1.2.3/8\n');
		await P.click('#net-submit');
		await waitText(P, '#n-error', /^Line 3: "10\.1\.2\.3\/8" has bits set past its prefix length/);
		check(await P.getAttribute('#n-list', 'aria-invalid') === 'true', 'the list is not marked invalid');
		check(await P.evaluate(() => document.activeElement.id) === 'n-list', 'the focus is not on the list');
		await shot(P, 'course-networks-error');
		// The browser scans from 127.0.0.1: outside these.
		await P.fill('#n-list', '10.0.0.0/8\n192.0.2.7, 2001:DB8::/32');
		await P.click('#net-submit');
		await waitText(P, '#net-msg', /^Saved: 3 networks; scans from other networks are flagged\.$/);
		check(await P.inputValue('#n-list') === '10.0.0.0/8\n192.0.2.7/32\n2001:db8::/32',
		    `the list reads ${JSON.stringify(await P.inputValue('#n-list'))} after saving`);
		check(await P.getAttribute('#n-list', 'aria-invalid') === null, 'the list stays marked invalid');
		await shotSizes(P, 'course-networks', async () => {
			await P.locator('#net-form').scrollIntoViewIfNeeded();
		});
	});

	await step('a course on campus networks: a scan from elsewhere is "Off campus network" on the live screen; under refuse, the phone says why', async () => {
		await P.click('#groups >> text=Group B');
		await P.waitForURL(/group\.html/, { timeout: WAIT });
		await P.fill('#s-ttl', '60');
		await P.click('#start-submit');
		await P.waitForURL(/live\.html\?id=/, { timeout: WAIT });
		qr = await waitQr(P, 0);
		const ctx = await phone();
		const S17 = watch(await ctx.newPage(), 'student17');
		await S17.goto(base + '/');
		await login(S17, 'student17', 'student-demo', '#login-submit');
		await S17.waitForURL(/\/me\.html$/, { timeout: WAIT });
		let before = qr.seq;
		await S17.goto(await liveUrl(P));
		await waitText(S17, '#result-word', /^Present$/);
		qr = await waitQr(P, before);
		await waitText(P, '#checked-list li[data-username="student17"] .flag[data-flag="outside_network"]',
		    /^!\s*Off campus network$/);
		await shot(P, 'live-off-campus');
		// Policy refuse, from another tab of the professor's.
		const tab = watch(await profCtx.newPage(), 'professor, course tab');
		await tab.goto(base + courseHref);
		await tab.locator('#net-submit:enabled').waitFor({ timeout: WAIT });
		await tab.check('#n-refuse');
		await tab.click('#net-submit');
		await waitText(tab, '#net-msg', /scans from other networks are refused\.$/);
		const ctx18 = await phone();
		const S18 = watch(await ctx18.newPage(), 'student18');
		await S18.goto(base + '/');
		await login(S18, 'student18', 'student-demo', '#login-submit');
		await S18.waitForURL(/\/me\.html$/, { timeout: WAIT });
		before = qr.seq;
		await S18.goto(await liveUrl(P));
		await waitText(S18, '#result-word', /^Not on the campus network$/);
		await waitText(S18, '#result-detail', /^This course only accepts scans from the campus network\. Connect to the campus Wi-Fi and scan again\.$/);
		check(await S18.locator('#code-box').isVisible(), 'no code form after "not on the campus network"');
		await shot(S18, 'student-outside-network');
		// The typed code is refused alike, and the code stays alive.
		await S18.fill('#code', await liveCode(P));
		await S18.click('#code-submit');
		await waitText(S18, '#result-detail', /only accepts scans from the campus network/);
		check(await qrSeq(P) === before, 'a refused scan moved the code on');
		check(await P.locator('#checked-list li[data-username="student18"]').count() === 0,
		    'a refused scan is on the live list');
		await P.click('#end');
		await P.click('#confirm-yes');
		await waitText(P, '#sum-count', /^1$/);
		// Anywhere again.
		await tab.fill('#n-list', '');
		await tab.check('#n-flag');
		await tab.click('#net-submit');
		await waitText(tab, '#net-msg', /^Saved: scans are accepted from anywhere\.$/);
		await tab.close();
		await ctx.close();
		await ctx18.close();
	});

	await step('a course: create, edit, a group, one student in and out, delete', async () => {
		await P.goto(base + '/courses.html');
		await P.fill('#c-code', 'BIO200');
		await P.fill('#c-term', '2027 Spring');
		await P.fill('#c-name', 'Cell Biology');
		await P.click('#create-submit');
		await P.waitForURL(/course\.html\?id=/, { timeout: WAIT });
		await waitText(P, '#title', /^BIO200: Cell Biology \(2027 Spring\)$/);
		await P.fill('#e-name', 'Cell Biology II');
		await P.click('#edit-submit');
		await waitText(P, '#edit-msg', /^Saved\.$/);
		await waitText(P, '#title', /Cell Biology II/);
		await P.fill('#g-name', 'Lab 1');
		await P.click('#group-submit');
		await waitText(P, '#groups tbody', /Lab 1/);
		await shot(P, 'course-new');
		await P.click('#groups >> text=Lab 1');
		await P.waitForURL(/group\.html/, { timeout: WAIT });
		await P.fill('#a-student', 'nobody@nowhere.example');
		await P.click('#add-submit');
		await waitText(P, '#add-msg', /No student "nobody@nowhere\.example"/);
		await P.fill('#a-student', 'Student20@demo.example.edu');
		await P.click('#add-submit');
		await waitText(P, '#add-msg', /\(student20\) enrolled/);
		await waitText(P, '#enrolled-count', /^\(1\)$/);
		await shot(P, 'group-enrolled');
		await P.click('button[aria-label^="Remove"]');
		await P.click('#confirm-yes');
		await waitText(P, '#enroll-list-msg', /removed/);
		await waitText(P, '#enrolled-count', /^\(0\)$/);
		await P.click('#delete');
		await P.click('#confirm-yes');
		await P.waitForURL(/course\.html/, { timeout: WAIT });
		await waitText(P, '#no-groups', /No groups yet/);
		await P.click('#delete');
		await P.click('#confirm-yes');
		await P.waitForURL(/courses\.html$/, { timeout: WAIT });
		await waitText(P, '#courses tbody', /CS101/);
		check(!/BIO200/.test(await textOf(P, '#courses tbody')), 'the course was not deleted');
	});

	await step('a course that held sessions cannot be deleted, and says why', async () => {
		await P.goto(base + courseHref);
		await P.click('#delete');
		await P.click('#confirm-yes');
		await waitText(P, '#edit-msg', /has sessions, so it cannot be deleted/);
	});

	await step('a student\'s rounds on a phone: each round with its mark and time, the absence plain', async () => {
		await S2.goto(base + '/me.html');
		const card = '[data-course="CS101"]';
		await S2.click(`${card} button.show-rounds`);
		check(await S2.getAttribute(`${card} button.show-rounds`, 'aria-expanded') === 'true',
		    'the button is not told open');
		await waitText(S2, `${card} .history-sum`, /^1 absence in 2 rounds\.$/);
		const round = (n) => `${card} li.round[data-round="${n}"]`;
		await waitText(S2, round(1), /^Round 1\s*P\s*Present\s*at \d{1,2}:\d\d/);
		await waitText(S2, round(2), /^Round 2\s*A\s*Absent\s*no check-in$/);
		check(await S2.getAttribute(round(2), 'data-status') === 'absent', 'the absence is not marked');
		const target = await S2.locator(`${card} button.show-rounds`).boundingBox();
		check(target.height >= 44, `the button is ${target.height} px high on a phone`);
		await shotSizes(S2, 'student-history', async () => {
			await S2.locator(`${card} .history`).scrollIntoViewIfNeeded();
		});
	});

	await step('the CSV export: downloaded, parsed; accents, absent lines of a student who joined later, flags, how', async () => {
		// A student with accents joins Group B after its sessions.
		await P.goto(base + courseHref);
		await P.click('#groups >> text=Group B');
		await P.waitForURL(/group\.html/, { timeout: WAIT });
		await P.locator('#bulk-submit:enabled').waitFor({ timeout: WAIT });
		await P.fill('#b-list', 'Email\nZOE@demo.example.edu\n');
		await P.click('#bulk-submit');
		await waitText(P, '#bulk-msg', /^1 of 1 enrolled\./);
		check(await P.inputValue('#b-list') === '', 'the box is not empty after all enrolled');
		await P.goto(base + courseHref);
		const [download] = await Promise.all([
			P.waitForEvent('download', { timeout: WAIT }),
			P.click('#csv-link'),
		]);
		check(download.suggestedFilename() === 'CS101-2026_Fall-attendance.csv',
		    `the file is named ${download.suggestedFilename()}`);
		const raw = readFileSync(await download.path(), 'utf8');
		check(raw.startsWith('\uFEFF'), 'no byte-order mark');
		const body = raw.slice(1);
		check(body.endsWith('\r\n') && !/[^\r]\n/.test(body), 'a line does not end in CRLF');
		const rows = parseCsv(body);
		check(rows[0].join(',') === 'course_code,term,group,session_id,session_started_at,' +
		    'round_number,round_started_at,username,display_name,email,status,' +
		    'recorded_at,source,flags', `the header is ${rows[0].join(',')}`);
		const lines = rows.slice(1).map((r) => Object.fromEntries(rows[0].map((k, i) => [k, r[i]])));
		// A line per round of each group and student enrolled in it now
		// (Group A: 2 rounds × 15; Group B: its sessions' rounds × 16).
		const stats = await P.evaluate(async (id) => (await fetch(
		    `/api/professor/courses/${id}/stats`)).json(),
		    new URL(base + courseHref).searchParams.get('id'));
		const expected = stats.groups.reduce((n, g) => n + g.rounds * g.enrolledCount, 0);
		const roundsB = stats.groups.find((g) => g.name === 'Group B').rounds;
		check(stats.groups.find((g) => g.name === 'Group A').rounds === 2 && roundsB >= 2,
		    'the groups do not have the rounds the steps before made');
		check(lines.length === expected, `${lines.length} lines, not ${expected}`);
		const keys = lines.map((l) => `${l.session_started_at} ${String(l.round_number).padStart(3)} ${l.username}`);
		check(keys.every((k, i) => i === 0 || keys[i - 1] <= k), 'the lines are not in order');
		const zoe = lines.filter((l) => l.username === 'zoe');
		check(zoe.length === roundsB && zoe.every((l) => l.display_name === 'Zoë Ångström-Núñez' &&
		    l.status === 'absent' && l.recorded_at === '' && l.source === '' && l.group === 'Group B'),
		    `Zoë's lines: ${JSON.stringify(zoe)}`);
		const line = (who, n) => lines.find((l) => l.username === who &&
		    l.group === 'Group A' && l.round_number === String(n));
		check(line('student06', 1).status === 'excused' && line('student06', 1).source === 'professor',
		    'the excuse set in the grid');
		check(line('student04', 2).flags === 'shared_device', 'the shared phone');
		check(line('student05', 2).source === 'code', 'the typed code');
		check(line('student09', 1).status === 'absent' && line('student09', 1).recorded_at === '' &&
		    line('student09', 1).source === '', 'a round without a record');
		check(line('student08', 2).status === 'absent' && line('student08', 2).source === 'professor' &&
		    line('student08', 2).recorded_at !== '', 'an absence set by hand');
		check(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/.test(line('student01', 1).recorded_at),
		    'a time not as the API writes it');
		notes.push(`CSV export: ${lines.length} lines, ${raw.length} bytes`);
	});

	await step('logout', async () => {
		await S1.click('#logout');
		await S1.waitForURL(/\/\?bye=1$/, { timeout: WAIT });
		await waitText(S1, '#bye', /logged out/);
		await S1.goto(base + '/me.html');
		await S1.waitForURL(/\/\?next=/, { timeout: WAIT });
		await shot(S1, 'student-logged-out');
	});

	await step('a login\'s next never leaves the site', async () => {
		// Already logged in, the login page follows next at once, with
		// no click: the known ways around a same-site check.
		const ctx = await phone();
		const page = watch(await ctx.newPage(), 'student05');
		await page.goto(base + '/');
		await login(page, 'student05', 'student-demo', '#login-submit');
		await page.waitForURL(/\/me\.html/, { timeout: WAIT });
		const origin = new URL(base).origin;
		const tricks = ['/\t/evil.example/session-expired',
		    '/%09/evil.example', '//evil.example', '/\\evil.example',
		    '/\n/evil.example', 'javascript:alert(document.domain)',
		    '%2F%2Fevil.example', 'https://evil.example/',
		    '/%2F/evil.example', '/\\/evil.example'];
		for (const trick of tricks) {
			await page.goto(base + '/?next=' + encodeURIComponent(trick));
			await page.waitForLoadState('networkidle');
			await page.waitForTimeout(200);
			const at = new URL(page.url());
			check(at.origin === origin,
			    `next=${JSON.stringify(trick)} went to ${page.url()}`);
		}
		// A real path of the site is followed.
		await page.goto(base + '/?next=' + encodeURIComponent('/me.html?x=1'));
		await page.waitForURL(/\/me\.html\?x=1$/, { timeout: WAIT });
		await ctx.close();
	});

	await step('a page takes ?id= only as a UUID', async () => {
		// "../groups/<id>" in a course link must not reach another route.
		const tab = watch(await profCtx.newPage(), 'professor, crafted link');
		const asked = [];
		tab.on('request', (r) => {
			if (r.url().includes('/api/'))
				asked.push(new URL(r.url()).pathname);
		});
		await tab.goto(base + '/course.html?id=' +
		    encodeURIComponent('../groups/00000000-0000-0000-0000-000000000000'));
		await tab.waitForLoadState('networkidle');
		check(!asked.some((u) => u.startsWith('/api/groups')),
		    `a crafted ?id= reached ${asked.join(', ')}`);
		check(asked.includes('/api/courses/null'),
		    `the page asked ${asked.join(', ')}`);
		await waitText(tab, 'body', /not found|no such|does not exist/i,
		    'a not-found message');
		await tab.close();
	});

	await step('no page broke the Content-Security-Policy', async () => {
		check(cspViolations.length === 0, cspViolations.join('; '));
	});

	await step('no page threw an uncaught error', async () => {
		check(pageErrors.length === 0, pageErrors.join('; '));
	});
} catch (e) {
	// Reported by step(); the rest depends on it.
	await shot(P, 'failed-professor').catch(() => {});
} finally {
	await browser.close();
}

if (latency !== null) {
	notes.push(`scan to new QR drawn: ${latency} ms from the scan request, ` +
	    `${latencyFromResponse} ms from its answer`);
}
writeFileSync(join(shots, 'results.txt'), results.map(([ok, n]) =>
    `${ok ? 'ok' : 'not ok'} - ${n}`).concat(notes).join('\n') + '\n');
for (const n of notes)
	log(`browser: ${n}`);
const passed = results.filter(([ok]) => ok).length;
log(`browser: ${passed} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
