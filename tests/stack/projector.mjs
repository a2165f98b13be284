// The live screen in a hall (issue 16), in headless Chromium, driven by
// playwright-core; run by tests/stack/projector.sh, which starts the stack
// and sets:
//   ATT_BASE       http://127.0.0.1:PORT (nginx; also allowed_origins)
//   ATT_NODE_DIR   where tools/package.json's packages are installed
//   ATT_SHOTS      the folder for the screenshots
//   ATT_GROUP      the id of a group of CS101 with 300 students hall001..
//
// "The live screen keeps up": 300 students scan one after another in
// single mode, each with the newest code as soon as it is out (read from
// the professor page's own socket frames), over the API from Node.  The
// page keeps, from before it loads, the time each round:qr-updated frame
// reached it (a listener of its socket's message event, added before the
// page's own handler) and the time the canvas was drawn with it (the
// canvas's data-seq changing, data-drawn-at); every token must be drawn,
// none later than 100 ms.  Then what a professor and the back row see:
// the words, the short QR code (its version and module size at 1080p),
// hiding the names, the new round's confirmation, screenshots.
import { createRequire } from 'node:module';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { scanOfUrl, isShortScanUrl, longScanUrl } from './scan-url.mjs';

const base = process.env.ATT_BASE;
const shots = process.env.ATT_SHOTS;
const groupId = process.env.ATT_GROUP;
const require = createRequire(join(process.env.ATT_NODE_DIR, 'package.json'));
const { chromium } = require('playwright-core');
const jsQR = require('jsqr');
const { PNG } = require('pngjs');

const WAIT = 15000;
const STUDENTS = 300;
const MAX_BEHIND = 100;	// ms, the target
let failures = 0;
let shotNo = 0;

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

async function step(name, fn) {
	const t0 = Date.now();
	try {
		await fn();
		log(`ok - ${name} (${Date.now() - t0} ms)`);
	} catch (e) {
		failures++;
		log(`not ok - ${name}: ${e && e.message ? e.message.split('\n')[0] : e}`);
		throw e;
	}
}

function check(cond, what) {
	if (!cond)
		throw new Error(what);
}

async function waitText(page, sel, re, what) {
	const deadline = Date.now() + WAIT;
	let last = '';
	while (Date.now() < deadline) {
		last = await page.locator(sel).first().textContent({ timeout: WAIT })
		    .catch(() => '') || '';
		if (re.test(last.replace(/\s+/g, ' ').trim()))
			return last.trim();
		await page.waitForTimeout(100);
	}
	throw new Error(`${what || sel}: "${last.trim()}" does not match ${re}`);
}

async function readQr(page) {
	const png = PNG.sync.read(await page.locator('#qr-box').screenshot());
	const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
	check(code && code.data, 'no QR code found in the screenshot of the live screen');
	return code.data;
}

function pct(sorted, p) {
	return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

// A student on the API only, from Node: the login's cookie.
async function studentLogin(username) {
	const res = await fetch(base + '/api/auth/login', {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Origin: base },
		body: JSON.stringify({ login: username, password: 'student-demo' }),
	});
	check(res.status === 200, `${username} cannot log in: ${res.status}`);
	return res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
}

async function apiScan(cookie, s, r, t) {
	const res = await fetch(`${base}/api/sessions/${s}/rounds/${r}/scan`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Origin: base, Cookie: cookie },
		body: JSON.stringify({ token: t }),
	});
	const body = await res.json().catch(() => ({}));
	return { status: res.status, code: body.error && body.error.code };
}

const browser = await chromium.launch({
	executablePath: '/usr/bin/chromium',
	headless: true,
	args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
	    '--disable-background-networking', '--disable-component-update',
	    '--disable-sync'],
	timeout: 60000,
});
const pageErrors = [];
function watch(page, who) {
	page.on('pageerror', (e) => pageErrors.push(`${who}: ${e.message}`));
	return page;
}

const profCtx = await browser.newContext({
	viewport: { width: 1920, height: 1080 }, locale: 'en-US',
});
// Before the page's scripts: the arrival of each round:qr-updated frame
// (the first listener of the socket's message event, so before live.js's
// onmessage), and each drawing of the canvas with a new data-seq.  The
// clock is the page's own (performance.timeOrigin + now(), as
// data-drawn-at).
await profCtx.addInitScript(() => {
	const clock = () => performance.timeOrigin + performance.now();
	window.__arrivals = [];
	window.__draws = [];
	const Real = window.WebSocket;
	window.WebSocket = class extends Real {
		constructor(...a) {
			super(...a);
			this.addEventListener('message', (ev) => {
				let m;
				try {
					m = JSON.parse(ev.data);
				} catch (e) {
					return;
				}
				if (m && m.event === 'round:qr-updated')
					window.__arrivals.push({ token: m.data.token, at: clock() });
			});
		}
	};
	let lastSeq = null;
	const observe = () => {
		const c = document.querySelector('#qr');
		if (!c) {
			setTimeout(observe, 10);
			return;
		}
		new MutationObserver(() => {
			if (c.dataset.seq === lastSeq)
				return;
			lastSeq = c.dataset.seq;
			const a = window.__arrivals[window.__arrivals.length - 1];
			window.__draws.push({
				seq: Number(c.dataset.seq), token: a ? a.token : null,
				at: Number(c.dataset.drawnAt),
			});
		}).observe(c, { attributes: true, attributeFilter: ['data-seq'] });
	};
	document.addEventListener('DOMContentLoaded', observe);
});
const P = watch(await profCtx.newPage(), 'professor');
// The tokens as they come, for the students (Node's copy of the frames).
const tokens = [];
let tokenWaiter = null;
P.on('websocket', (ws) => ws.on('framereceived', (f) => {
	let m;
	try {
		m = JSON.parse(f.payload);
	} catch (e) {
		return;
	}
	if (m && m.event === 'round:qr-updated') {
		tokens.push(m.data);
		if (tokenWaiter)
			tokenWaiter();
	}
}));
function nextToken(after) {
	return new Promise((ok, no) => {
		const t = setTimeout(() => no(new Error('no new token for 5 s')), 5000);
		const look = () => {
			if (tokens.length > after) {
				clearTimeout(t);
				tokenWaiter = null;
				ok(tokens.length - 1);
			}
		};
		tokenWaiter = look;
		look();
	});
}

let sessionId, roundId;

// Checks each element's font size (px) against its minimum.
async function fontSizes(min) {
	const sizes = await P.evaluate((sels) => Object.fromEntries(sels.map((s) =>
	    [s, parseFloat(getComputedStyle(document.querySelector(s)).fontSize)])),
	    Object.keys(min));
	for (const [sel, px] of Object.entries(sizes))
		check(px >= min[sel], `${sel} is ${px} px high on a 1080p screen (at least ${min[sel]})`);
}
const qrFigures = [];

try {
	await step('the professor logs in and starts a session in single mode for the hall', async () => {
		await P.goto(base + '/');
		await P.fill('#login', 'prof');
		await P.fill('#password', 'prof-demo');
		await P.click('#login-submit');
		await P.waitForURL(/\/courses\.html$/, { timeout: WAIT });
		const r = await P.evaluate(async (g) => {
			const res = await fetch(`/api/groups/${g}/sessions`, {
				method: 'POST', headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ qrTtlSeconds: 60, scanMode: 'single' }),
			});
			return { status: res.status, body: await res.json() };
		}, groupId);
		check(r.status === 201, `session start: ${r.status}`);
		sessionId = r.body.session.id;
		roundId = r.body.round.id;
		await P.goto(`${base}/live.html?id=${sessionId}`);
		await P.waitForFunction(() => Number(document.querySelector('#qr').dataset.seq || 0) > 0 &&
		    document.querySelector('#qr-overlay').hidden, null, { timeout: WAIT });
		await waitText(P, '#enrolled', /^300$/);
	});

	await step('the words for the back row: the lead sentence, single mode\'s countdown', async () => {
		const host = base.replace(/^https:\/\//, '');	// http:// is typed
		await waitText(P, '#code-help', new RegExp(
		    `^Scan with your phone, or type the code at ${host.replace(/[.]/g, '\\.')}/scan$`));
		await waitText(P, '#countdown-label', /changes after each scan/i);
		// On a 1080p picture 3 m wide a pixel is 1.6 mm: 80 px numbers
		// are about 9 cm high, read from the back of a large hall; the
		// sentence and the countdown at 36-40 px from the middle rows,
		// larger in full screen.
		await fontSizes({ '#code-help': 36, '#round': 72, '#count': 72, '#countdown': 40 });
	});

	await step('the QR code holds the short URL, and says its size', async () => {
		const url = await readQr(P);
		check(isShortScanUrl(url, base), `the QR holds ${url}`);
		const scan = scanOfUrl(url);
		check(scan.s === sessionId && scan.r === roundId && /^[A-Za-z0-9_-]{43}$/.test(scan.t),
		    `the QR's URL decodes to ${JSON.stringify(scan)}`);
		const d = await P.locator('#qr').evaluate((c) => ({ ...c.dataset }));
		qrFigures.push(`normal view 1920x1080: version ${d.version}, ${d.cell} px a module`);
		await P.keyboard.press('f');
		await P.waitForFunction(() => document.fullscreenElement, null, { timeout: WAIT });
		await P.waitForTimeout(300);
		const f = await P.locator('#qr').evaluate((c) => ({ ...c.dataset }));
		qrFigures.push(`full screen 1920x1080: version ${f.version}, ${f.cell} px a module`);
		check(Number(f.version) <= 6, `the QR code is version ${f.version}`);
		check(Number(f.cell) >= 20, `a module is ${f.cell} px in full screen`);
		await fontSizes({ '#code-help': 48, '#round-stage': 60, '#count-stage': 60,
		    '#countdown': 60, '#typed-code': 100 });
		await readQr(P);
		await shot(P, 'live-full-screen-projector');
		await P.keyboard.press('f');
		await P.waitForFunction(() => !document.fullscreenElement, null, { timeout: WAIT });
		await P.waitForTimeout(300);
		for (const q of qrFigures)
			log(`# QR ${q}`);
	});

	const cookies = [];
	await step(`${STUDENTS} students log in (from Node, over the API)`, async () => {
		const names = Array.from({ length: STUDENTS },
		    (_, i) => 'hall' + String(i + 1).padStart(3, '0'));
		for (let i = 0; i < names.length; i += 4) {
			const got = await Promise.all(names.slice(i, i + 4).map(studentLogin));
			cookies.push(...got);
		}
	});

	await step(`the live screen keeps up: ${STUDENTS} scans in a row, each code drawn within ${MAX_BEHIND} ms`, async () => {
		const t0 = Date.now();
		let at = tokens.length - 1;
		check(at >= 0, 'the page has had no token');
		let lost = 0;
		for (let i = 0; i < STUDENTS; i++) {
			for (;;) {
				const d = tokens[at];
				const r = await apiScan(cookies[i], sessionId, d.roundId, d.token);
				if (r.status === 201)
					break;
				// A renewal came between: the next code.
				check(r.status === 409 && r.code === 'token_used',
				    `scan ${i + 1}: ${r.status} ${r.code}`);
				lost++;
				at = await nextToken(at + 1);
			}
			at = await nextToken(at + 1);
		}
		const took = Date.now() - t0;
		await waitText(P, '#count', new RegExp(`^${STUDENTS}$`));
		await P.waitForTimeout(300);
		const { arrivals, draws } = await P.evaluate(() =>
		    ({ arrivals: window.__arrivals, draws: window.__draws }));
		const drawnAt = new Map();
		for (const d of draws)
			if (d.token && !drawnAt.has(d.token))
				drawnAt.set(d.token, d.at);
		const delays = [];
		const missing = [];
		for (const a of arrivals) {
			if (!drawnAt.has(a.token))
				missing.push(a.token);
			else
				delays.push(drawnAt.get(a.token) - a.at);
		}
		delays.sort((x, y) => x - y);
		log(`# ${STUDENTS} scans in ${took} ms (${lost} lost to a renewal); ` +
		    `${arrivals.length} tokens, from round:qr-updated to the canvas drawn: ` +
		    `p50 ${pct(delays, 0.5).toFixed(1)} ms, p99 ${pct(delays, 0.99).toFixed(1)} ms, ` +
		    `max ${delays[delays.length - 1].toFixed(1)} ms`);
		check(arrivals.length >= STUDENTS + 1, `only ${arrivals.length} tokens reached the page`);
		check(missing.length === 0, `${missing.length} tokens never drawn`);
		check(delays[delays.length - 1] <= MAX_BEHIND,
		    `a token was drawn ${delays[delays.length - 1].toFixed(1)} ms after it came`);
		const names = await P.locator('#checked-list li').count();
		check(names === STUDENTS, `${names} names on the screen`);
		await waitText(P, '#count-stage', new RegExp(`^${STUDENTS}\\b`));
	});

	await step('the phone\'s camera app opens the short URL, and the older one still works', async () => {
		const ctx = await browser.newContext({
			viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
		});
		const S = watch(await ctx.newPage(), 'student01');
		await S.goto(base + '/');
		await S.fill('#login', 'student01');
		await S.fill('#password', 'student-demo');
		await S.click('#login-submit');
		await S.waitForURL(/\/(me|scan)/, { timeout: WAIT });
		// student01 is not in the hall's group: "not enrolled" says so,
		// which it can only say after reading the session and round.
		const url = await readQr(P);
		await S.goto(url);
		await waitText(S, '#result', /Not enrolled/);
		check(new URL(S.url()).hash === '', 'the token stays in the address bar');
		// The older form, a hall student on a new code.
		const hall = await browser.newContext({
			viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
		});
		const H = watch(await hall.newPage(), 'hall-late');
		await H.goto(base + '/');
		await H.fill('#login', 'hall001');
		await H.fill('#password', 'student-demo');
		await H.click('#login-submit');
		await H.waitForURL(/\/(me|scan)/, { timeout: WAIT });
		const { s, r, t } = scanOfUrl(await readQr(P));
		await H.goto(longScanUrl(base, s, r, t));
		await waitText(H, '#result', /Already recorded/);
		await ctx.close();
		await hall.close();
	});

	const SIZES = [['phone', 390, 844], ['laptop', 1366, 768], ['projector', 1920, 1080]];
	async function shotSizes(name, also) {
		for (const [size, width, height] of SIZES) {
			await P.setViewportSize({ width, height });
			await P.waitForTimeout(300);
			if (also)
				await also(size);
			await shot(P, `${name}-${size}`);
			const wide = await P.evaluate(() => [
			    document.documentElement.scrollWidth - window.innerWidth,
			    [...document.querySelectorAll('main *')].filter((e) =>
				e.getBoundingClientRect().right > window.innerWidth + 1)
				.map((e) => e.id || e.className || e.tagName).slice(0, 5)]);
			check(wide[0] <= 0, `${name} at ${size} size is ${wide[0]} px wider ` +
			    `than the screen (${wide[1].join(', ')})`);
		}
		await P.setViewportSize({ width: 1920, height: 1080 });
		await P.waitForTimeout(300);
	}

	await step('screenshots of the live screen with 300 names', async () => {
		await shotSizes('live', async () => {
			check(await readQr(P) !== '', 'the QR code does not decode');
		});
	});

	await step('"Hide names" keeps the count, and is remembered', async () => {
		await P.click('#hide-names');
		check(!await P.locator('#checked-list').isVisible(), 'the names still show');
		await waitText(P, '#count', new RegExp(`^${STUDENTS}$`));
		await waitText(P, '#names-hidden', /Names hidden/);
		await shotSizes('live-names-hidden');
		await P.reload();
		await P.waitForFunction(() => document.querySelector('#qr-overlay').hidden, null,
		    { timeout: WAIT });
		check(await P.locator('#hide-names').isChecked(), 'the switch is not remembered');
		check(!await P.locator('#checked-list').isVisible(), 'the names show after a reload');
		await P.click('#hide-names');
		check(await P.locator('#checked-list').isVisible(), 'the names do not come back');
	});

	await step('"New round" asks first, and says what it does', async () => {
		const before = await P.locator('#round').textContent();
		await P.click('#new-round');
		await waitText(P, 'dialog[open] #confirm-text',
		    /Everyone scans again; attendance counts per round/);
		await shotSizes('live-new-round-confirm');
		await P.click('dialog[open] button[value=no]');
		await P.waitForTimeout(300);
		check(await P.locator('#round').textContent() === before, 'cancel started a round');
		await P.click('#new-round');
		await P.click('#confirm-yes');
		await waitText(P, '#round', new RegExp(`^${Number(before) + 1}$`));
		await waitText(P, '#count', /^0$/);
	});

	check(pageErrors.length === 0, `errors in the pages: ${pageErrors.join('; ')}`);
} catch (e) {
	failures = failures || 1;
	if (!/^not ok/.test(String(e.message)))
		log(`# ${e.stack || e}`);
} finally {
	await browser.close();
}
log(failures ? `# ${failures} step(s) failed` : '# all steps passed');
process.exit(failures ? 1 : 0);
