// The scan page's in-page scanner (issue 16) in headless Chromium, driven
// by playwright-core; run by tests/stack/scanner.sh, which starts the
// stack and sets:
//   ATT_BASE       http://127.0.0.1:PORT (nginx; also allowed_origins)
//   ATT_NODE_DIR   where tools/package.json's packages are installed
//   ATT_SHOTS      the folder for the screenshots
//   ATT_FRAMES     a folder for the fake cameras' video files
//
// The professor's live screen runs in one browser (720p, full screen, as
// on a projector).  Each phone browser is launched with Chromium's fake
// camera reading a Y4M file made here from screenshots of that live
// screen, as a phone in the room would see it (smaller, greyer, noisy):
// the codes the screen showed one after the other, the used ones first
// and then the live one, looped.  So the page really decodes what the
// projector shows, and meets "just used" as a student in a hall does.
//
// Linux Chromium has no BarcodeDetector (the shape detection API has no
// backend there): the first phone gets one made of jsQR on the page's
// thread, injected before the page loads, which takes the page's
// BarcodeDetector path (its calls are counted, and no worker may start);
// the second phone has none, and the page must start its jsQR worker.
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync, openSync, writeSync,
	closeSync } from 'node:fs';
import { join } from 'node:path';
import { scanOfUrl, isShortScanUrl, shortScanUrl } from './scan-url.mjs';

const base = process.env.ATT_BASE;
const shots = process.env.ATT_SHOTS;
const frames = process.env.ATT_FRAMES;
const require = createRequire(join(process.env.ATT_NODE_DIR, 'package.json'));
const { chromium, request } = require('playwright-core');
const jsQR = require('jsqr');
const { PNG } = require('pngjs');
const jsqrSource = readFileSync(require.resolve('jsqr'), 'utf8');
const qrcode = require('qrcode-generator');

const WAIT = 20000;
const results = [];
const notes = [];
let shotNo = 0;
let failures = 0;
mkdirSync(shots, { recursive: true });
mkdirSync(frames, { recursive: true });

function log(line) {
	process.stdout.write(line + '\n');
}

async function shot(page, name) {
	shotNo++;
	const file = join(shots, `${String(shotNo).padStart(2, '0')}-${name}.png`);
	await page.screenshot({ path: file });
	return file;
}

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

// The page's scans once every answer it has had is read.
async function scansOf(page) {
	for (let i = 0; i < 100 && page.scansReading > 0; i++)
		await new Promise((r) => setTimeout(r, 50));
	return page.scans;
}

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

// --- the camera's video ---------------------------------------------------

const CAM_W = 1280;
const CAM_H = 720;
const FPS = 5;
const SCALE = 0.55;	// the screen's share of the camera's width

// A tiny deterministic noise source (xorshift32).
function noise(seed) {
	let x = seed >>> 0 || 1;
	return () => {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		return ((x >>> 0) / 4294967296) - 0.5;
	};
}

// A phone camera's frame of the screenshot: the screen at SCALE in the
// middle of a dark room, its black a projector's grey, its white not
// quite white, sensor noise of +-8 levels; as Y4M's 4:2:0 planes (full
// range BT.601, C420jpeg).
function cameraFrame(png, seed) {
	const rnd = noise(seed);
	const y = Buffer.alloc(CAM_W * CAM_H);
	const u = Buffer.alloc(CAM_W * CAM_H / 4);
	const v = Buffer.alloc(CAM_W * CAM_H / 4);
	const sw = Math.round(CAM_W * SCALE);
	const sh = Math.round(sw * png.height / png.width);
	const x0 = Math.round((CAM_W - sw) / 2);
	const y0 = Math.round((CAM_H - sh) / 2);
	const rgb = new Float32Array(CAM_W * CAM_H * 3);
	for (let j = 0; j < CAM_H; j++) {
		for (let i = 0; i < CAM_W; i++) {
			const o = (j * CAM_W + i) * 3;
			if (i < x0 || i >= x0 + sw || j < y0 || j >= y0 + sh) {
				rgb[o] = 38; rgb[o + 1] = 36; rgb[o + 2] = 40;
				continue;
			}
			// Bilinear, from the screenshot's pixels.
			const fx = (i - x0 + 0.5) * png.width / sw - 0.5;
			const fy = (j - y0 + 0.5) * png.height / sh - 0.5;
			const ix = Math.max(0, Math.min(png.width - 2, Math.floor(fx)));
			const iy = Math.max(0, Math.min(png.height - 2, Math.floor(fy)));
			const ax = Math.min(1, Math.max(0, fx - ix));
			const ay = Math.min(1, Math.max(0, fy - iy));
			for (let c = 0; c < 3; c++) {
				const p = (yy, xx) => png.data[((iy + yy) * png.width + ix + xx) * 4 + c];
				const top = p(0, 0) * (1 - ax) + p(0, 1) * ax;
				const bot = p(1, 0) * (1 - ax) + p(1, 1) * ax;
				rgb[o + c] = 40 + (top * (1 - ay) + bot * ay) * (200 / 255);
			}
		}
	}
	for (let j = 0; j < CAM_H; j++) {
		for (let i = 0; i < CAM_W; i++) {
			const o = (j * CAM_W + i) * 3;
			const l = 0.299 * rgb[o] + 0.587 * rgb[o + 1] + 0.114 * rgb[o + 2];
			y[j * CAM_W + i] = Math.max(0, Math.min(255, Math.round(l + rnd() * 16)));
		}
	}
	for (let j = 0; j < CAM_H / 2; j++) {
		for (let i = 0; i < CAM_W / 2; i++) {
			let r = 0, g = 0, b = 0;
			for (const [dx, dy] of [[0, 0], [1, 0], [0, 1], [1, 1]]) {
				const o = ((2 * j + dy) * CAM_W + 2 * i + dx) * 3;
				r += rgb[o] / 4; g += rgb[o + 1] / 4; b += rgb[o + 2] / 4;
			}
			const k = j * CAM_W / 2 + i;
			u[k] = Math.round(128 - 0.168736 * r - 0.331264 * g + 0.5 * b);
			v[k] = Math.round(128 + 0.5 * r - 0.418688 * g - 0.081312 * b);
		}
	}
	return Buffer.concat([y, u, v]);
}

// A Y4M file of the screenshots, each held `seconds`; Chromium's fake
// camera plays it in a loop.
function writeVideo(name, scenes) {
	const file = join(frames, `${name}.y4m`);
	const fd = openSync(file, 'w');
	writeSync(fd, `YUV4MPEG2 W${CAM_W} H${CAM_H} F${FPS}:1 Ip A1:1 C420jpeg\n`);
	let seed = 1;
	for (const [png, seconds] of scenes) {
		for (let n = 0; n < seconds * FPS; n++) {
			writeSync(fd, 'FRAME\n');
			writeSync(fd, cameraFrame(png, seed++ * 7919));
		}
	}
	closeSync(fd);
	// One frame as a PNG, to look at what the phones see.
	const [first] = scenes[scenes.length - 1];
	const yuv = cameraFrame(first, 3);
	const out = new PNG({ width: CAM_W, height: CAM_H });
	for (let k = 0; k < CAM_W * CAM_H; k++) {
		out.data[4 * k] = out.data[4 * k + 1] = out.data[4 * k + 2] = yuv[k];
		out.data[4 * k + 3] = 255;
	}
	writeFileSync(join(shots, `camera-${name}.png`), PNG.sync.write(out));
	return file;
}

// A slide of the size of the live screen's screenshots: white, with a
// QR code of `text` (null: none) in its middle.
function slide(text) {
	const png = new PNG({ width: CAM_W, height: CAM_H });
	png.data.fill(255);
	if (text !== null) {
		const qr = qrcode(0, 'M');
		qr.addData(text);
		qr.make();
		const n = qr.getModuleCount();
		const cell = Math.floor(500 / n);
		const x0 = Math.round((CAM_W - n * cell) / 2);
		const y0 = Math.round((CAM_H - n * cell) / 2);
		for (let r = 0; r < n; r++)
			for (let c = 0; c < n; c++)
				if (qr.isDark(r, c))
					for (let j = 0; j < cell; j++)
						for (let i = 0; i < cell; i++) {
							const o = ((y0 + r * cell + j) * CAM_W + x0 + c * cell + i) * 4;
							png.data[o] = png.data[o + 1] = png.data[o + 2] = 0;
						}
	}
	return png;
}

// --- the stack's people -------------------------------------------------

const common = ['--no-sandbox', '--disable-gpu', '--disable-quic',
    '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'];

const pageErrors = [];
const cspViolations = [];
function watch(page, who) {
	page.on('pageerror', (e) => pageErrors.push(`${who}: ${e.message}`));
	page.on('console', (m) => {
		if (/Content Security Policy/i.test(m.text()))
			cspViolations.push(`${who}: ${m.text()}`);
	});
	return page;
}

// A student on the API only (a classmate scanning with another phone).
async function classmate(username) {
	const ctx = await request.newContext({ baseURL: base });
	const res = await ctx.post('/api/auth/login',
	    { data: { login: username, password: 'student-demo' } });
	check(res.status() === 200, `${username} cannot log in: ${res.status()}`);
	return ctx;
}

async function apiScan(ctx, url) {
	const { s, r, t } = scanOfUrl(url);
	const res = await ctx.post(`/api/sessions/${s}/rounds/${r}/scan`,
	    { data: { token: t } });
	return res.status();
}

// What the page is told to do and says, recorded from before it loads:
// the camera streams it opened, its vibrations, the words of its result
// and of its scanner; and, for `detector`, a BarcodeDetector made of
// jsQR where the browser has none ("none": no BarcodeDetector at all).
function initScript(detector) {
	return `(() => {
	window.__streams = [];
	window.__vibrations = [];
	window.__said = [];
	window.__detects = 0;
	// The decoding worker's time per frame (post to answer).
	window.__decodeMs = [];
	const RealWorker = window.Worker;
	window.Worker = class extends RealWorker {
		constructor(...a) {
			super(...a);
			this.addEventListener('message', () => {
				if (this.sentAt)
					window.__decodeMs.push(performance.now() - this.sentAt);
			});
		}
		postMessage(m, t) {
			this.sentAt = performance.now();
			super.postMessage(m, t);
		}
	};
	navigator.vibrate = (p) => { window.__vibrations.push(p); return true; };
	// The screen's wake lock: the locks taken, and whether each is
	// released; the second phone's is refused, as a power saver does.
	window.__locks = [];
	Object.defineProperty(navigator, 'wakeLock', { configurable: true, value: {
		request: async (type) => {
			if (${JSON.stringify(detector)} === 'none')
				throw new DOMException('power saver', 'NotAllowedError');
			const lock = { type, released: false,
			    release: async () => { lock.released = true; } };
			window.__locks.push(lock);
			return lock;
		},
	} });
	const md = navigator.mediaDevices;
	if (md && md.getUserMedia) {
		const real = md.getUserMedia.bind(md);
		md.getUserMedia = async (c) => {
			const s = await real(c);
			window.__streams.push(s);
			return s;
		};
	}
	document.addEventListener('DOMContentLoaded', () => {
		for (const id of ['result-word', 'scanner-word']) {
			const el = document.getElementById(id);
			if (el)
				new MutationObserver(() => window.__said.push(id + ': ' +
				    el.textContent)).observe(el, { childList: true,
				    characterData: true, subtree: true });
		}
	});
	if (${JSON.stringify(detector)} === 'none') {
		delete window.BarcodeDetector;
		return;
	}
	if ('BarcodeDetector' in window) {
		window.__detector = 'native';
		return;
	}
	window.__detector = 'jsqr-shim';
	const self = {};
	${jsqrSource}
	const decode = self.jsQR;
	const canvas = document.createElement('canvas');
	class BarcodeDetector {
		static async getSupportedFormats() { return ['qr_code']; }
		constructor(o) { this.formats = (o && o.formats) || ['qr_code']; }
		async detect(src) {
			window.__detects++;
			const w = src.videoWidth, h = src.videoHeight;
			if (!w || !h)
				return [];
			canvas.width = w;
			canvas.height = h;
			const ctx = canvas.getContext('2d', { willReadFrequently: true });
			ctx.drawImage(src, 0, 0);
			const r = decode(ctx.getImageData(0, 0, w, h).data, w, h,
			    { inversionAttempts: 'dontInvert' });
			return r ? [{ rawValue: r.data, format: 'qr_code',
			    boundingBox: new DOMRect(r.location.topLeftCorner.x,
			    r.location.topLeftCorner.y, 1, 1), cornerPoints: [] }] : [];
		}
	}
	window.BarcodeDetector = BarcodeDetector;
})();`;
}

// A phone browser whose camera films `video`.
async function phoneBrowser(video) {
	return chromium.launch({
		executablePath: '/usr/bin/chromium', headless: true,
		args: [...common, '--use-fake-device-for-media-stream',
		    `--use-file-for-fake-video-capture=${video}`],
		timeout: 60000,
	});
}

// A student's phone in that browser, camera allowed or not (a refused
// permission prompt), logged in through the login page.
async function phone(browser, username, { camera = true, detector = 'shim',
    login = true } = {}) {
	const ctx = await browser.newContext({
		viewport: { width: 390, height: 844 }, locale: 'en-US',
		isMobile: true, hasTouch: true, deviceScaleFactor: 1,
		permissions: camera ? ['camera'] : [],
	});
	await ctx.addInitScript({ content: initScript(detector) });
	const page = watch(await ctx.newPage(), username);
	page.workersSeen = [];
	page.on('worker', (w) => page.workersSeen.push(w.url()));
	// Every QR scan the page sends, with its answer.
	// The page may show an answer before its body reached this handler:
	// scansOf() waits for the bodies still being read.
	page.scans = [];
	page.scansReading = 0;
	page.on('response', async (res) => {
		const req = res.request();
		if (req.method() !== 'POST' || !/\/rounds\/[^/]+\/scan$/.test(req.url()))
			return;
		page.scansReading++;
		let code = null;
		try {
			code = (await res.json()).error?.code || 'created';
		} catch (e) {
			code = '?';
		}
		page.scans.push({ token: JSON.parse(req.postData()).token,
		    status: res.status(), code, at: Date.now() });
		page.scansReading--;
	});
	if (login) {
		await page.goto(base + '/');
		await page.fill('#login', username);
		await page.fill('#password', 'student-demo');
		await page.click('#login-submit');
		await page.waitForURL(/\/me\.html$/, { timeout: WAIT });
	}
	return page;
}

// No code is sent twice (but the one kept through a login).
function tokensOnce(page, who) {
	const seen = new Set();
	for (const s of page.scans.filter((x) => x.status !== 401)) {
		check(!seen.has(s.token), `${who}'s page sent one code twice`);
		seen.add(s.token);
	}
}

// The camera off, and the screen free to dim again.
async function tracksOff(page) {
	return page.evaluate(() => window.__streams.length > 0 &&
	    window.__locks.every((l) => l.released) &&
	    window.__streams.every((s) => s.getTracks().every((t) =>
		t.readyState === 'ended')) &&
	    document.querySelector('#scanner-video').srcObject === null);
}

// --- the professor and the live screen ----------------------------------

const profBrowser = await chromium.launch({
	executablePath: '/usr/bin/chromium', headless: true, args: common,
	timeout: 60000,
});
const profCtx = await profBrowser.newContext({
	viewport: { width: CAM_W, height: CAM_H }, locale: 'en-US',
});
const P = watch(await profCtx.newPage(), 'professor');
const phones = [];
let sessionId = null;
let singleId = null;	// the single-mode session
let seq = 0;

async function profApi(method, path, body) {
	return P.evaluate(async ([m, p, b]) => {
		const res = await fetch('/api' + p, { method: m,
		    headers: b ? { 'Content-Type': 'application/json' } : {},
		    body: b ? JSON.stringify(b) : undefined });
		return { status: res.status, body: await res.json().catch(() => null) };
	}, [method, path, body]);
}

// The next code the live screen draws: its screenshot (the whole screen,
// as the projector shows it) and the URL decoded from that screenshot.
async function nextScreen() {
	await P.waitForFunction((n) => {
		const c = document.querySelector('#qr');
		return Number(c.dataset.seq || 0) > n &&
		    document.querySelector('#qr-overlay').hidden;
	}, seq, { timeout: WAIT });
	seq = Number(await P.locator('#qr').getAttribute('data-seq'));
	await P.waitForTimeout(200);	// the typed code and the countdown
	const buf = await P.screenshot();
	const png = PNG.sync.read(buf);
	const code = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
	check(code && code.data, 'no QR code in the screenshot of the live screen');
	check(isShortScanUrl(code.data, base), `the QR holds ${code.data}`);
	return { png, url: code.data, token: scanOfUrl(code.data).t };
}

async function records(id = sessionId) {
	const { status, body } = await profApi('GET', `/sessions/${id}/records`);
	check(status === 200, `the session's records: ${status}`);
	return body.records;
}

const screens = [];
try {
	await step('the professor starts a session of one code per student (single mode) and puts the live screen in full screen', async () => {
		await P.goto(base + '/');
		await P.fill('#login', 'prof');
		await P.fill('#password', 'prof-demo');
		await P.click('#login-submit');
		await P.waitForURL(/\/courses\.html$/, { timeout: WAIT });
		const { body: { courses } } = await profApi('GET', '/courses');
		const course = courses.find((c) => c.code === 'CS101');
		const { body: { groups } } = await profApi('GET', `/courses/${course.id}`);
		const group = groups.find((g) => g.name === 'Group A');
		// The longest life a code may have, so that only scans move
		// the code on during the test.
		const started = await profApi('POST', `/groups/${group.id}/sessions`,
		    { qrTtlSeconds: 600 });
		check(started.status === 201, `start: ${started.status}`);
		sessionId = singleId = started.body.session.id;
		await P.goto(`${base}/live.html?id=${sessionId}`);
		await P.locator('#fullscreen:enabled').waitFor({ timeout: WAIT });
		await P.keyboard.press('f');
		await P.waitForFunction(() => document.fullscreenElement, null,
		    { timeout: WAIT });
		screens.push(await nextScreen());
		await shot(P, 'live-screen');
	});

	await step('two classmates scan with other phones: the screen shows a third code', async () => {
		const s02 = await classmate('student02');
		check(await apiScan(s02, screens[0].url) === 201, 'student02 not recorded');
		screens.push(await nextScreen());
		const s03 = await classmate('student03');
		check(await apiScan(s03, screens[1].url) === 201, 'student03 not recorded');
		screens.push(await nextScreen());
		check(new Set(screens.map((s) => s.token)).size === 3,
		    'the screen showed one code twice');
	});

	const camA = writeVideo('phone-a', [[screens[0].png, 2],
	    [screens[1].png, 2], [screens[2].png, 2]]);
	const browserA = await phoneBrowser(camA);
	phones.push(browserA);
	let A;

	await step('BarcodeDetector path: the menu\'s Scan opens the camera at once; the two used codes are "just used" and the scanner keeps going; the live one records the student', async () => {
		A = await phone(browserA, 'student01');
		const t0 = Date.now();
		await A.click('#nav >> text=Scan');
		await A.waitForURL(/\/scan$/, { timeout: WAIT });
		await A.locator('#scanner').waitFor({ state: 'visible', timeout: WAIT });
		// "Someone was quicker", in yellow, while it waits.
		await A.locator('#scanner.waiting').waitFor({ timeout: WAIT });
		await waitText(A, '#scanner-word', /^Someone was quicker$/);
		await shot(A, 'phone-scanner-someone-quicker');
		await waitText(A, '#result-word', /^Present$/);
		const took = Date.now() - t0;
		check(await A.locator('#result.done').isVisible(), 'the result does not fill the screen');
		check(!await A.locator('#scanner').isVisible(), 'the scanner stays open after the record');
		await shot(A, 'phone-present');
		const box = await A.locator('#result').boundingBox();
		check(box.height >= 0.6 * 844, `the result is ${Math.round(box.height)} px high on an 844 px phone`);
		check(await A.evaluate(() => window.__detector) === 'jsqr-shim' ||
		    await A.evaluate(() => window.__detector) === 'native',
		    'no BarcodeDetector');
		check(await A.getAttribute('#scanner', 'data-decoder') === 'barcode-detector',
		    'the page did not take its BarcodeDetector path');
		check(await A.evaluate(() => window.__detects) > 0 ||
		    await A.evaluate(() => window.__detector) === 'native',
		    'the BarcodeDetector was never asked');
		check(A.workersSeen.length === 0, `a worker started beside BarcodeDetector: ${A.workersSeen}`);
		await scansOf(A);
		tokensOnce(A, 'student01');
		const used = A.scans.filter((s) => s.code === 'token_used');
		const made = A.scans.filter((s) => s.status === 201);
		check(made.length === 1 && made[0].token === screens[2].token,
		    `recorded with ${made.map((s) => s.token)}, not the live code`);
		check(used.length >= 1 && used.every((s) => s.at <= made[0].at),
		    `answers: ${A.scans.map((s) => s.code)}`);
		await scansOf(A);
		check(A.scans.length === used.length + 1, `answers: ${A.scans.map((s) => s.code)}`);
		check(JSON.stringify(await A.evaluate(() => window.__vibrations)) === '[200]',
		    'the phone did not vibrate once');
		check(await A.evaluate(() => window.__locks.length === 1 &&
		    window.__locks[0].type === 'screen'), 'the screen was not kept on while scanning');
		check(await tracksOff(A), 'the camera stays on after the record');
		const mine = (await records()).filter((r) => r.username === 'student01');
		check(mine.length === 1 && mine[0].source === 'scan' && mine[0].status === 'present',
		    `student01's records: ${JSON.stringify(mine)}`);
		await P.locator('#checked-list li[data-username="student01"]').waitFor({ timeout: WAIT });
		notes.push(`BarcodeDetector (${await A.evaluate(() => window.__detector)}): ` +
		    `${took} ms from the menu's Scan to Present, ${used.length} "just used" on the way`);
	});

	await step('the result survives a reload: the record of this round, with its time', async () => {
		await A.reload();
		await waitText(A, '#result-word', /^Present$/);
		await waitText(A, '#result-detail', /Recorded at \d/);
		check(await A.getAttribute('#result', 'data-kept') === '1', 'not the kept result');
		check(await A.locator('#result.done').isVisible(), 'the kept result does not fill the screen');
		await waitText(A, '#scan-open', /^Scan again/);
		check(!await A.locator('#scanner').isVisible(), 'a reload reopened the camera');
		await shot(A, 'phone-present-after-reload');
	});

	screens.push(await nextScreen());	// after student01's record
	const camB = writeVideo('phone-b', [[screens[2].png, 2], [screens[3].png, 2]]);
	const browserB = await phoneBrowser(camB);
	phones.push(browserB);

	await step('jsQR worker path (no BarcodeDetector): /scan\'s Scan button; the code just used by student01, then the next one: recorded', async () => {
		const B = await phone(browserB, 'student04', { detector: 'none' });
		await B.goto(base + '/scan');
		await waitText(B, '#code-title', /^Type the code from the screen$/);
		await B.locator('#scan-open:enabled').waitFor({ timeout: WAIT });
		await shot(B, 'phone-scan-idle');
		// The Wi-Fi loses the first request with the live code: the
		// scanner says so and sends the same code again.
		let lost = 0;
		await B.route('**/rounds/*/scan', (route) => {
			if (lost === 0 && JSON.parse(route.request().postData()).token === screens[3].token) {
				lost++;
				return route.abort('internetdisconnected');
			}
			return route.continue();
		});
		const t0 = Date.now();
		await B.click('#scan-open');
		await B.locator('#scanner').waitFor({ state: 'visible', timeout: WAIT });
		await waitText(B, '#scanner-word', /^Someone was quicker$/);
		await shot(B, 'phone-worker-someone-quicker');
		await waitText(B, '#scanner-word', /^Not sent yet$/);
		await shot(B, 'phone-worker-not-sent-yet');
		await waitText(B, '#result-word', /^Present$/);
		const took = Date.now() - t0;
		check(lost === 1, 'no request was lost');
		const ms = (await B.evaluate(() => window.__decodeMs)).sort((a, b) => a - b);
		check(ms.length > 3, `${ms.length} frames decoded`);
		check(await B.getAttribute('#scanner', 'data-decoder') === 'jsqr',
		    'the page did not take its jsQR path');
		check(B.workersSeen.some((u) => u === `${base}/js/qr-worker.js`),
		    `no decoding worker: ${B.workersSeen}`);
		check(await B.evaluate(() => window.__detects) === 0, 'a BarcodeDetector was used');
		await scansOf(B);
		tokensOnce(B, 'student04');
		check(B.scans.map((s) => s.code).join() === 'token_used,created' &&
		    B.scans[0].token === screens[2].token && B.scans[1].token === screens[3].token,
		    `answers: ${JSON.stringify(B.scans)}`);
		check(await tracksOff(B), 'the camera stays on after the record');
		const mine = (await records()).filter((r) => r.username === 'student04');
		check(mine.length === 1 && mine[0].source === 'scan', 'student04 has no scanned record');
		notes.push(`jsQR worker: ${took} ms from Scan to Present, through one "just used" ` +
		    `and one lost request; ${ms.length} frames decoded, ` +
		    `${Math.round(ms[ms.length >> 1])} ms per frame (p50), ` +
		    `${Math.round(ms[Math.floor(ms.length * 0.9)])} ms (p90), ` +
		    `${CAM_W}x${CAM_H} camera, whole frame and middle in turn`);
	});

	screens.push(await nextScreen());	// after student04's record

	await step('camera refused: the typed-code form leads and says why; the code read off the screen records the student', async () => {
		const D = await phone(browserB, 'student06', { camera: false });
		await D.goto(base + '/scan');
		await D.locator('#scan-open:enabled').waitFor({ timeout: WAIT });
		await D.click('#scan-open');
		await waitText(D, '#camera-msg', /camera is blocked/);
		check(!await D.locator('#scanner').isVisible(), 'the scanner stays open without a camera');
		await waitText(D, '#code-title', /^Type the code from the screen$/);
		check(await D.evaluate(() => document.activeElement && document.activeElement.id) === 'code',
		    'the code field does not have the focus');
		await shot(D, 'phone-camera-blocked');
		const code = (await P.locator('#typed-code').textContent()).trim();
		await D.fill('#code', code);
		await D.click('#code-submit');
		await waitText(D, '#result-word', /^Present$/);
	});

	screens.push(await nextScreen());	// after student06's typed code
	const camC = writeVideo('phone-c', [[screens[0].png, 1], [screens[5].png, 2]]);
	const browserC = await phoneBrowser(camC);
	phones.push(browserC);

	await step('a login outlives the kept code: the page opens the scanner by itself, without "just used", and records the code now on the screen', async () => {
		const E = await phone(browserC, 'student05', { login: false });
		await E.goto(screens[0].url);
		await E.locator('#login-form').waitFor({ state: 'visible', timeout: WAIT });
		await shot(E, 'phone-scan-login');
		await E.fill('#login', 'student05');
		await E.fill('#password', 'student-demo');
		await E.click('#login-submit');
		await waitText(E, '#result-word', /^Present$/);
		const said = await E.evaluate(() => window.__said);
		check(said.includes('scanner-word: Now scan the code on the screen'),
		    `the scanner did not say what happened: ${said}`);
		check(!said.some((s) => /^result-word: .*just used/.test(s)),
		    `"just used" was shown: ${said}`);
		await scansOf(E);
		tokensOnce(E, 'student05');
		check(E.scans.map((s) => s.code).join() === 'unauthenticated,token_used,created' &&
		    E.scans[0].token === screens[0].token && E.scans[2].token === screens[5].token,
		    `answers: ${JSON.stringify(E.scans)}`);
		await shot(E, 'phone-present-after-login');
	});

	await step('/scan?camera=1 logged out: the login first, then the camera; not enrolled: the scanner stops and names the code\'s class, then the student\'s own group', async () => {
		const F = await phone(browserC, 'student16', { login: false });
		await F.goto(base + '/scan?camera=1');
		await F.locator('#login-form').waitFor({ state: 'visible', timeout: WAIT });
		check(new URL(F.url()).search === '', 'camera=1 stays in the address');
		check(!await F.locator('#scanner').isVisible(), 'the camera opens before the login');
		await F.fill('#login', 'student16');
		await F.fill('#password', 'student-demo');
		await F.click('#login-submit');
		await waitText(F, '#result-word', /^Not enrolled$/);
		await scansOf(F);
		check(F.scans.length === 1 && F.scans[0].code === 'not_enrolled',
		    `answers: ${JSON.stringify(F.scans)}`);
		await waitText(F, '#result-detail',
		    /^This code is for CS101 Introduction to Programming \(2026 Fall\), Group A, and you are not enrolled in it\. Your group: CS101 Introduction to Programming \(2026 Fall\), Group B\. If this class is yours, ask the professor to add you\.$/);
		check(await tracksOff(F), 'the camera stays on after "not enrolled"');
		await shot(F, 'phone-not-enrolled');
	});

	await step('a login that ends while scanning: the scan is kept through the login, then the scanner reads on; an answer no retry changes stops it in words', async () => {
		const H = await phone(browserC, 'student08');
		await H.goto(base + '/scan');
		await H.locator('#scan-open:enabled').waitFor({ timeout: WAIT });
		await H.context().clearCookies();	// logged out elsewhere
		await H.click('#scan-open');
		await H.locator('#login-form').waitFor({ state: 'visible', timeout: WAIT });
		await waitText(H, '#result-word', /^Log in first$/);
		check(!await H.locator('#scanner').isVisible() && await tracksOff(H),
		    'the camera stays on behind the login');
		check(await H.evaluate(() => !!sessionStorage.getItem('attendance.pendingScan')),
		    'the scan is not kept through the login');
		await H.fill('#login', 'student08');
		await H.fill('#password', 'student-demo');
		await H.click('#login-submit');
		await waitText(H, '#scanner-word', /^Now scan the code on the screen$/);
		await waitText(H, '#scanner-word', /^Someone was quicker$/);
		await scansOf(H);
		check(H.scans.map((x) => x.code).join() === 'unauthenticated,token_used,token_used',
		    `answers: ${H.scans.map((x) => x.code)}`);
		await scansOf(H);
		tokensOnce(H, 'student08');
		await H.click('#scanner-stop');
		await H.route('**/rounds/*/scan', (route) => route.fulfill({
			status: 403, contentType: 'application/json',
			body: JSON.stringify({ error: { code: 'csrf_origin', message: 'origin not allowed' } }),
		}));
		await H.click('#scan-open');
		await waitText(H, '#result-word', /^Not recorded$/);
		await waitText(H, '#result-detail', /^Refused: this page was not opened from the service's own address\.$/);
		check(await tracksOff(H), 'the camera stays on after a refusal');
		check(await H.locator('#code-box').isVisible(), 'no code form after "not recorded"');
	});

	let G;
	await step('the page hidden turns the camera off; shown again, back on; Stop turns it off', async () => {
		G = await phone(browserC, 'student07');
		await G.goto(base + '/scan?camera=1');
		await waitText(G, '#scanner-word', /^Someone was quicker$/);
		await G.waitForFunction(() => document.querySelector('#scanner').dataset.tries === '2',
		    null, { timeout: WAIT });
		await G.waitForTimeout(1500);
		await scansOf(G);
		check(G.scans.length === 2, `the page sent ${G.scans.length} scans for 2 codes`);
		await shot(G, 'phone-waiting-for-a-new-code');
		const visibility = (hidden) => G.evaluate((h) => {
			Object.defineProperty(document, 'hidden', { value: h, configurable: true });
			Object.defineProperty(document, 'visibilityState',
			    { value: h ? 'hidden' : 'visible', configurable: true });
			document.dispatchEvent(new Event('visibilitychange'));
		}, hidden);
		check(await G.evaluate(() => window.__locks.length === 1 && !window.__locks[0].released),
		    'the screen is not kept on while scanning');
		await visibility(true);
		check(await tracksOff(G), 'the camera stays on in a hidden page');
		await visibility(false);
		await G.waitForFunction(() => window.__streams.length === 2 &&
		    window.__streams[1].getTracks().every((t) => t.readyState === 'live') &&
		    window.__locks.length === 2 && !window.__locks[1].released,
		    null, { timeout: WAIT });
		check(await G.locator('#scanner').isVisible(), 'the scanner is not back');
		await G.click('#scanner-stop');
		check(await tracksOff(G), 'Stop leaves the camera on');
		check(!await G.locator('#scanner').isVisible(), 'Stop leaves the scanner open');
	});

	await step('session over: the scanner stops and says what to do', async () => {
		const ended = await profApi('PATCH', `/sessions/${sessionId}/end`);
		check(ended.status === 200, `end: ${ended.status}`);
		// The menu's Scan, on /scan itself: no new page load.
		await G.evaluate(() => { window.__samePage = true; });
		await G.click('#nav >> text=Scan');
		await waitText(G, '#result-word', /^Session over$/);
		check(await G.evaluate(() => window.__samePage === true), 'the menu\'s Scan loaded the page again');
		await waitText(G, '#result-detail', /tell your professor: they can still mark you present/);
		check(await tracksOff(G), 'the camera stays on after "session over"');
		await shot(G, 'phone-session-over');
	});

	// Window mode (contract v1.1): one code for everyone, renewed by
	// the screen (here by the professor's .../qr, which the screen calls
	// before expiry).  The phones' camera films the code before the
	// renewal (superseded: "just used" in window mode too) and the
	// current one, which records them both.
	const hall = [];
	await step('window mode: the professor starts a "one code for everyone" session of Group B; its code is renewed once', async () => {
		const { body: { courses } } = await profApi('GET', '/courses');
		const course = courses.find((c) => c.code === 'CS101');
		const { body: { groups } } = await profApi('GET', `/courses/${course.id}`);
		const group = groups.find((g) => g.name === 'Group B');
		const started = await profApi('POST', `/groups/${group.id}/sessions`,
		    { qrTtlSeconds: 600, scanMode: 'window' });
		check(started.status === 201 && started.body.session.scanMode === 'window',
		    `start: ${started.status}`);
		sessionId = started.body.session.id;
		const roundId = started.body.round.id;
		seq = 0;
		await P.goto(`${base}/live.html?id=${sessionId}`);
		await P.locator('#fullscreen:enabled').waitFor({ timeout: WAIT });
		await P.keyboard.press('f');
		await P.waitForFunction(() => document.fullscreenElement, null,
		    { timeout: WAIT });
		hall.push(await nextScreen());
		const renewed = await profApi('POST', `/sessions/${sessionId}/rounds/${roundId}/qr`);
		check(renewed.status === 202, `renewal: ${renewed.status}`);
		hall.push(await nextScreen());
		await shot(P, 'live-screen-window-mode');
	});

	const camW = writeVideo('phone-window', [[hall[0].png, 2], [hall[1].png, 2]]);
	const browserW = await phoneBrowser(camW);
	phones.push(browserW);

	await step('window mode: two phones on the same camera view, BarcodeDetector and jsQR: both recorded with the one live code, which stays on the screen', async () => {
		const seqBefore = seq;
		const K = await phone(browserW, 'student17');
		const L = await phone(browserW, 'student18', { detector: 'none' });
		await Promise.all([K.goto(base + '/scan?camera=1'), L.goto(base + '/scan?camera=1')]);
		await Promise.all([waitText(K, '#result-word', /^Present$/),
		    waitText(L, '#result-word', /^Present$/)]);
		await shot(L, 'phone-window-present');
		check(await K.getAttribute('#scanner', 'data-decoder') === 'barcode-detector' &&
		    await L.getAttribute('#scanner', 'data-decoder') === 'jsqr',
		    'not one phone of each decoder');
		for (const [X, who] of [[K, 'student17'], [L, 'student18']]) {
			await scansOf(X);
			tokensOnce(X, who);
			const made = X.scans.filter((x) => x.status === 201);
			check(made.length === 1 && made[0].token === hall[1].token,
			    `${who}: ${JSON.stringify(X.scans)}`);
			await scansOf(X);
			check(X.scans.every((x) => x.status === 201 || (x.code === 'token_used' && x.token === hall[0].token)),
			    `${who}: ${JSON.stringify(X.scans)}`);
		}
		await scansOf(K);
		check(K.scans.length + L.scans.length > 2, 'no phone met the renewed code');
		await P.waitForTimeout(500);
		check(Number(await P.locator('#qr').getAttribute('data-seq')) === seqBefore,
		    'a window scan moved the code on');
		const all = await records();
		check(all.length === 2 && all.every((r) => r.source === 'scan' && r.status === 'present'),
		    `records: ${JSON.stringify(all)}`);
		const ended = await profApi('PATCH', `/sessions/${sessionId}/end`);
		check(ended.status === 200, `end: ${ended.status}`);
	});

	// Another site's attendance QR code (same shape of URL), and a
	// screen with no QR code at all.
	const foreignUrl = shortScanUrl('https://attendance.example.org', singleId,
	    scanOfUrl(screens[0].url).r, 'A'.repeat(43));
	const camD = writeVideo('phone-d', [[slide(foreignUrl), 1]]);
	const camE = writeVideo('phone-e', [[slide(null), 1]]);
	const browserD = await phoneBrowser(camD);
	phones.push(browserD);
	const browserE = await phoneBrowser(camE);
	phones.push(browserE);

	await step('another site\'s attendance QR code is read and never sent; the scanner says what it is', async () => {
		const I = await phone(browserD, 'student09');
		await I.goto(base + '/scan?camera=1');
		await waitText(I, '#scanner-word', /^Not an attendance code$/);
		await I.waitForTimeout(1500);
		await scansOf(I);
		check(I.scans.length === 0, 'a code of another site was sent');
		await shot(I, 'phone-foreign-code');
		await I.click('#scanner-type');
		check(await tracksOff(I), '"Type the code" leaves the camera on');
		await waitText(I, '#code-title', /^Type the code from the screen$/);
	});

	await step('no QR code in view for 12 s: the scanner says to come closer, or type the code', async () => {
		const J = await phone(browserE, 'student10');
		await J.goto(base + '/scan?camera=1');
		await waitText(J, '#scanner-word', /^Point at the QR code$/);
		const deadline = Date.now() + 16000;
		while (!/^No code read yet/.test(await J.locator('#scanner-detail').textContent()) &&
		    Date.now() < deadline)
			await J.waitForTimeout(250);
		await waitText(J, '#scanner-detail', /^No code read yet: come closer/);
		await scansOf(J);
		check(J.scans.length === 0, 'something was sent');
		await shot(J, 'phone-no-code-yet');
	});

	await step('every check-in of the single-mode session is recorded once, by the way it was made', async () => {
		const all = await records(singleId);
		const by = Object.fromEntries(all.map((r) => [r.username, r.source]));
		check(all.length === 6 && new Set(all.map((r) => r.studentId)).size === 6,
		    `records: ${all.map((r) => r.username)}`);
		check(JSON.stringify(by) === JSON.stringify({
			student02: 'scan', student03: 'scan', student01: 'scan',
			student04: 'scan', student06: 'code', student05: 'scan',
		}), `records: ${JSON.stringify(by)}`);
	});

	await step('no page broke the Content-Security-Policy', async () => {
		check(cspViolations.length === 0, cspViolations.join('; '));
	});

	await step('no page threw an uncaught error', async () => {
		check(pageErrors.length === 0, pageErrors.join('; '));
	});
} catch (e) {
	await shot(P, 'failed-professor').catch(() => {});
} finally {
	for (const b of phones)
		await b.close().catch(() => {});
	await profBrowser.close();
}

writeFileSync(join(shots, 'results.txt'), results.map(([ok, n]) =>
    `${ok ? 'ok' : 'not ok'} - ${n}`).concat(notes).join('\n') + '\n');
for (const n of notes)
	log(`scanner: ${n}`);
log(`scanner: ${results.filter(([ok]) => ok).length} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
