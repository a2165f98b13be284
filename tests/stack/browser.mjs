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
// screenshot, decoded with jsQR), never from the page's state.
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
let url1, url2, qr, courseHref, sessionId;
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
		check(await P.inputValue('#s-ttl') === '30', 'QR lifetime default is not 30');
		check(await P.inputValue('#s-late') === '10', 'late default is not 10 minutes');
	});

	await step('bulk enrollment reports each line', async () => {
		await P.fill('#b-list', 'student16\nnobody-like-this\n');
		await P.click('#bulk-submit');
		await waitText(P, '#bulk-results', /student16: already in a group of this course/);
		await waitText(P, '#bulk-results', /nobody-like-this: no such student/);
		await waitText(P, '#bulk-msg', /0 of 2 enrolled/);
		await shot(P, 'group');
	});

	await step('the professor starts a session: the live screen shows a QR code', async () => {
		await P.click('#start-submit');
		await P.waitForURL(/live\.html\?id=/, { timeout: WAIT });
		sessionId = new URL(P.url()).searchParams.get('id');
		await waitText(P, '#round', /^1$/);
		await waitText(P, '#enrolled', /^15$/);
		qr = await waitQr(P, 0);
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
		await shot(P, 'live-full-screen');
		await P.keyboard.press('f');
		await P.waitForFunction(() => !document.fullscreenElement, null, { timeout: WAIT });
	});

	await step('the countdown counts from the token\'s arrival, not the (wrong) clock', async () => {
		const t = await waitText(P, '#countdown', /^\d+ s$/);
		const s = Number(t.split(' ')[0]);
		check(s >= 20 && s <= 30, `countdown shows ${t} for a 30 s code`);
	});

	await step('the QR image decodes to the scan URL', async () => {
		url1 = await readQr(P);
		check(url1.startsWith(`${base}/scan#s=${sessionId}&r=`) && /&t=[A-Za-z0-9_-]{43}$/.test(url1),
		    `QR holds ${url1}`);
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

	await step('the live list shows the student and a new QR code', async () => {
		await P.locator('#checked-list li[data-username="student01"]').waitFor({ timeout: WAIT });
		await waitText(P, '#count', /^1$/);
		url2 = await readQr(P);
		check(url2 !== url1 && url2.startsWith(`${base}/scan#s=${sessionId}&r=`),
		    'the QR code did not change after the scan');
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
		const url = await readQr(P);
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
		const url = await readQr(P);
		const before = qr.seq;
		ctl('redis stop');
		await S3.goto(url);
		await waitText(S3, '#result-word', /^Present$/);
		check(await qrSeq(P) === before, 'a new code arrived with Redis down');
		ctl('redis start');
		qr = await waitQr(P, before);
		await waitText(P, '#count', /^3$/);
		await waitText(P, '#before', /^\+ 1 checked in while this screen was not listening/);
		await shot(P, 'live-after-resync');
	});

	await step('the relay goes away: "reconnecting", no QR; back: a fresh QR', async () => {
		ctl('relay stop');
		await P.waitForFunction(() => document.body.dataset.conn === 'reconnecting',
		    null, { timeout: WAIT });
		check(await P.locator('#qr-overlay').isVisible(), 'no reconnecting overlay');
		check(await P.locator('#qr').evaluate((c) => getComputedStyle(c).visibility) === 'hidden',
		    'a stale QR code stays visible while reconnecting');
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
		await waitText(P, '#round', /^2$/);
		qr = await waitQr(P, before);
		await waitText(P, '#count', /^0$/);
		check(await P.locator('#checked-list li').count() === 0, 'the list was not emptied');
		await shot(P, 'live-round-2');
	});

	await step('the first student scans round 2 (logged in already): present', async () => {
		const before = qr.seq;
		const url = await readQr(P);
		check(url.includes(`&r=`) && url !== url2, 'round 2 shows an old code');
		await S1.goto(url);
		await waitText(S1, '#result-word', /^Present$/);
		qr = await waitQr(P, before);
		await waitText(P, '#count', /^1$/);
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
		await tab.goto(base + '/courses.html');
		await tab.locator('#logout').waitFor({ state: 'visible', timeout: WAIT });
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
		await waitText(P, '#sum-count', /^4$/);
		await waitText(P, '#sum-enrolled', /^15$/);
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
		await waitText(P, '#t-checkins', /^4$/);
		await waitText(P, '#t-enrolled', /^15$/);
		await waitText(P, '#t-rate', /^13\.3%$/);
		await waitText(P, '#rounds tr[data-round="1"] td:nth-child(4)', /^3$/);
		await waitText(P, '#rounds tr[data-round="1"] .rate', /^20%$/);
		await waitText(P, '#rounds tr[data-round="2"] td:nth-child(4)', /^1$/);
		await waitText(P, '#students tr[data-username="student01"] .rate', /^100%$/);
		await waitText(P, '#students tr[data-username="student02"] .rate', /^50%$/);
		await waitText(P, '#students tr[data-username="student03"] .rate', /^50%$/);
		await waitText(P, '#students tr[data-username="student04"] .rate', /^0%$/);
		await shot(P, 'session-stats');
	});

	await step('the course statistics: groups and students', async () => {
		await P.goto(base + courseHref.replace('/course.html', '/course-stats.html'));
		await waitText(P, '#t-enrolled', /^30$/);
		await waitText(P, '#t-sessions', /^1$/);
		await waitText(P, '#groups tr[data-group="Group A"] .rate', /^13\.3%$/);
		await waitText(P, '#groups tr[data-group="Group B"] .rate', /^0%$/);
		await waitText(P, '#students tr[data-username="student01"] .rate', /^100%$/);
		await shot(P, 'course-stats');
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
		const t0 = Date.now();
		qr = await waitQr(P, first.seq);
		const waited = Date.now() - t0;
		const u2 = await readQr(P);
		check(u2 !== u1, 'the renewed code is the same');
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
