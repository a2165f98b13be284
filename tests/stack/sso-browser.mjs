// Single sign-on through Apache's mod_auth_openidc and the fixture OpenID
// Provider, in headless Chromium driven by playwright-core; run by
// tests/stack/oidc.sh, which starts the stack and sets:
//   ATT_BASE      http://127.0.0.1:PORT (Apache; also allowed_origins)
//   ATT_ISSUER    http://localhost:PORT (the provider, another site)
//   ATT_NODE_DIR  where tools/package.json's packages are installed
//   ATT_SHOTS     the folder for the screenshots
//   ATT_CTL       "echo" or "workers": what answers on the workers' socket
//   ATT_PENDING   1 when the workers have no single sign-on yet (issue 12's
//                 route not merged): the steps stop where the route starts
//
// Each person has a browser context of their own (a laptop or a phone), so
// nobody shares cookies with anyone, at the site or at the provider.  Only
// the two loopback origins are reachable: anything else is aborted.
import { createRequire } from 'node:module';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execSync } from 'node:child_process';

const env = process.env;
const base = env.ATT_BASE;
const issuer = env.ATT_ISSUER;
const shotDir = env.ATT_SHOTS;
const pending = env.ATT_PENDING === '1';
const require = createRequire(join(env.ATT_NODE_DIR, 'package.json'));
const { chromium } = require('playwright-core');

const WAIT = 15000;
const LAPTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const results = [];
const notes = [];
let shotNo = 0;
let failures = 0;

mkdirSync(shotDir, { recursive: true });

function log(line) {
	process.stdout.write(line + '\n');
}

function check(cond, what) {
	if (!cond)
		throw new Error(what);
}

// One screenshot at each size, the page's own size restored after.
async function shots(page, name) {
	shotNo++;
	const size = page.viewportSize();
	for (const [tag, s] of [['laptop', LAPTOP], ['phone', PHONE]]) {
		await page.setViewportSize(s);
		await page.waitForTimeout(100);
		await page.screenshot({ fullPage: true, path: join(shotDir,
		    `${String(shotNo).padStart(2, '0')}-${name}-${tag}.png`) });
	}
	await page.setViewportSize(size);
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

function pendingStep(name) {
	results.push([true, `PENDING ${name}`]);
	log(`PENDING - ${name} (needs the workers' /api/auth/sso)`);
}

function ctl(what) {
	execSync(`${env.ATT_CTL} ${what}`, { stdio: 'inherit' });
}

async function waitText(page, sel, re, what) {
	const deadline = Date.now() + WAIT;
	let last = '';
	while (Date.now() < deadline) {
		last = (await page.locator(sel).first().textContent({ timeout: WAIT })
		    .catch(() => '') || '').trim();
		if (re.test(last))
			return last;
		await page.waitForTimeout(100);
	}
	throw new Error(`${what || sel}: "${last}" does not match ${re}`);
}

// fetch() from the page: its cookies, its Origin.
async function api(page, method, path, body) {
	return page.evaluate(async ([m, p, b]) => {
		const r = await fetch('/api' + p, {
			method: m,
			headers: b ? { 'Content-Type': 'application/json' } : {},
			body: b ? JSON.stringify(b) : undefined,
		});
		const text = await r.text();
		let parsed = text;
		try { parsed = JSON.parse(text); } catch (e) { /* not JSON */ }
		return { status: r.status, body: parsed };
	}, [method, path, body || null]);
}

async function expectApi(page, want, method, path, body) {
	const r = await api(page, method, path, body);
	check(r.status === want, `${method} ${path}: ${r.status} ${JSON.stringify(r.body)}`);
	return r.body;
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
const origins = new Set([new URL(base).origin, new URL(issuer).origin]);

// Each answer of /api/auth/sso itself (not its callback) that the page
// got, in order, as page.sso: the last is the worker's, once the
// provider is done.
async function person(who, kind) {
	const ctx = await browser.newContext(kind === 'phone' ? {
		viewport: PHONE, locale: 'en-US', isMobile: true, hasTouch: true,
		deviceScaleFactor: 1,
	} : { viewport: LAPTOP, locale: 'en-US' });
	await ctx.route((url) => !origins.has(url.origin), (route) => route.abort());
	const page = await ctx.newPage();
	page.on('pageerror', (e) => pageErrors.push(`${who}: ${e.message}`));
	page.sso = [];
	page.on('response', (r) => {
		const u = new URL(r.url());
		if (u.origin === new URL(base).origin && u.pathname === '/api/auth/sso')
			page.sso.push({ status: r.status(), location: r.headers().location,
			    next: u.searchParams.get('next') });
	});
	return page;
}

// The worker's answer to the sign-on: 302 to location, by default the
// next= that the page asked for (the button's, or ours).
function signedOn(page, location) {
	const last = page.sso[page.sso.length - 1];
	location = location || (page.sso[0] && page.sso[0].next) || '/';
	check(last && last.status === 302 && last.location === location,
	    `/api/auth/sso answered ${JSON.stringify(last)}, expected 302 to ${location}`);
}

let ssoButtonSeen = false;

// From a page of the site to the provider's form: the page's "Sign in
// with Campus login" button when it shows one, else the navigation the
// button makes.
async function toProvider(page, next) {
	const methods = await api(page, 'GET', '/auth/methods');
	const button = page.getByRole('link', { name: /Sign in with Campus login/ })
	    .or(page.getByRole('button', { name: /Sign in with Campus login/ }));
	let clicked = false;
	if (methods.status === 200 && methods.body.sso) {
		try {
			await button.first().waitFor({ state: 'visible', timeout: 1500 });
			await button.first().click();
			clicked = true;
			ssoButtonSeen = true;
		} catch (e) {
			// Not on this page (yet): the navigation below.
		}
	}
	if (!clicked) {
		notes.push(`no "Sign in with Campus login" button on ${new URL(page.url()).pathname}: ` +
		    `went to /api/auth/sso?next=${next} as the button will`);
		await page.goto(`${base}/api/auth/sso?next=${encodeURIComponent(next)}`);
	}
	await page.waitForURL((u) => u.origin === new URL(issuer).origin &&
	    u.pathname.startsWith('/interaction/'), { timeout: WAIT });
	await page.locator('#username').waitFor({ timeout: WAIT });
}

async function signIn(page, who, password) {
	await page.fill('#username', who);
	await page.fill('#password', password);
	await page.click('#sign-in');
}

// Back at the site, where the workers' /api/auth/sso answers.
async function landed(page, pathname) {
	try {
		await page.waitForURL((u) => u.origin === new URL(base).origin &&
		    u.pathname === pathname, { timeout: WAIT });
	} catch (e) {
		await page.screenshot({ path: join(shotDir, 'failed-landing.png') }).catch(() => {});
		throw new Error(`not back at ${pathname}: at ${page.url()}`);
	}
}

// Pending: back at /api/auth/sso, which the workers do not know yet.
async function landedPending(page) {
	await landed(page, '/api/auth/sso');
	const body = JSON.parse(await page.locator('body').innerText());
	check(body.error && body.error.code === 'not_found',
	    `/api/auth/sso answered ${JSON.stringify(body)}`);
}

async function echoed(page) {
	await landed(page, '/api/auth/sso');
	const p = {};
	for (const [k, v] of JSON.parse(await page.locator('body').innerText()))
		if (!(k in p))
			p[k] = v;
	return p;
}

const P = await person('professor', 'laptop');
let session, round2;

try {
	await step('after a sign-in, the worker gets the subject and the claims, nothing a client sent', async () => {
		ctl('echo');
		for (const [who, password, want] of [
			['prof1', 'prof1-campus', {
				REMOTE_USER: 'staff-4711', OIDC_CLAIM_email: 'prof1@campus.example.edu',
				OIDC_CLAIM_name: 'Émilie Prof-Ünal', OIDC_CLAIM_preferred_username: 'prof1',
				OIDC_CLAIM_affiliation: 'staff',
			}],
			['newstudent', 'newstudent-campus', {
				REMOTE_USER: 'student-8150', OIDC_CLAIM_email: 'newstudent@campus.example.edu',
				OIDC_CLAIM_name: 'Nora Newcomer', OIDC_CLAIM_preferred_username: 'newstudent',
				OIDC_CLAIM_affiliation: 'member,student',
			}],
		]) {
			const E = await person(`echo-${who}`, 'phone');
			await E.context().setExtraHTTPHeaders({
				'Remote-User': 'mallory', 'X-Remote-User': 'mallory',
				'OIDC_CLAIM_email': 'mallory@evil.example',
				'OIDC-CLAIM-affiliation': 'staff',
			});
			await E.goto(`${base}/api/auth/sso?next=%2Fme.html`);
			await E.locator('#username').waitFor({ timeout: WAIT });
			await signIn(E, who, password);
			const p = await echoed(E);
			for (const [k, v] of Object.entries(want))
				check(p[k] === v, `${who}: ${k} is ${JSON.stringify(p[k])}, expected ${JSON.stringify(v)}`);
			check(p.AUTH_TYPE === 'openid-connect', `${who}: AUTH_TYPE ${p.AUTH_TYPE}`);
			check(p.REQUEST_URI === '/api/auth/sso?next=%2Fme.html', `${who}: REQUEST_URI ${p.REQUEST_URI}`);
			const forged = Object.entries(p).filter(([k, v]) =>
			    /mallory|evil/.test(v) && !/^HTTP_(X_)?REMOTE_USER$/.test(k));
			check(forged.length === 0, `${who}: the client's headers reached ${JSON.stringify(forged)}`);
			check(!Object.keys(p).some((k) => /^HTTP_OIDC/.test(k)),
			    `${who}: an OIDC header reached the worker`);
			await E.context().close();
		}
		ctl('workers');
	});

	await step('the login page, and the provider\'s form', async () => {
		await P.goto(base + '/');
		await P.waitForSelector('#login-submit:not([disabled])', { timeout: WAIT });
		await shots(P, 'login-page');
		await toProvider(P, '/');
		await shots(P, 'provider-form');
	});

	await step('the provider refuses a wrong password', async () => {
		await signIn(P, 'prof1', 'not-the-password');
		await waitText(P, '#error', /Wrong username or password/);
		check(new URL(P.url()).origin === new URL(issuer).origin, 'left the provider');
		await shots(P, 'provider-wrong-password');
	});

	if (pending) {
		await step('the professor signs in and comes back to /api/auth/sso (PENDING: 404 there)', async () => {
			await signIn(P, 'prof1', 'prof1-campus');
			await landedPending(P);
			await shots(P, 'professor-back-pending');
		});
		pendingStep('(a) the professor is linked by email and logged in');
		await P.goto(base + '/');
		await expectApi(P, 200, 'POST', '/auth/login', { login: 'emilie.prof', password: 'prof1-password' });
	} else {
		await step('(a) the professor signs in, is linked by email, and is logged in', async () => {
			await signIn(P, 'prof1', 'prof1-campus');
			await landed(P, '/courses.html');
			signedOn(P);
			const { user } = await expectApi(P, 200, 'GET', '/auth/me');
			check(user.role === 'professor' && user.username === 'emilie.prof' &&
			    user.email === 'prof1@campus.example.edu',
			    `the professor is ${JSON.stringify(user)}`);
			check(user.displayName === 'Émilie Prof-Ünal',
			    `display name not refreshed: ${user.displayName}`);
			const cookies = await P.context().cookies(base);
			check(cookies.some((c) => c.name === 'sid' && c.httpOnly),
			    'no HttpOnly sid cookie');
			await shots(P, 'professor-signed-in');
		});
	}

	const S = await person('newstudent', 'phone');
	if (pending) {
		await step('a new student signs in and comes back (PENDING: 404 there)', async () => {
			await S.goto(base + '/');
			await S.waitForSelector('#login-submit:not([disabled])', { timeout: WAIT });
			await toProvider(S, '/');
			await signIn(S, 'newstudent', 'newstudent-campus');
			await landedPending(S);
		});
		pendingStep('(b) the new student is provisioned with the role student');
		pendingStep('an affiliate (no known role value) gets /?ssoError=forbidden');
	} else {
		await step('(b) a new student signs in and is provisioned as a student', async () => {
			await S.goto(base + '/');
			await S.waitForSelector('#login-submit:not([disabled])', { timeout: WAIT });
			await toProvider(S, '/');
			await signIn(S, 'newstudent', 'newstudent-campus');
			await landed(S, '/me.html');
			signedOn(S);
			const { user } = await expectApi(S, 200, 'GET', '/auth/me');
			check(user.role === 'student' && user.username === 'newstudent' &&
			    user.email === 'newstudent@campus.example.edu' &&
			    user.displayName === 'Nora Newcomer',
			    `the new student is ${JSON.stringify(user)}`);
			await shots(S, 'student-signed-in');
		});

		await step('an affiliate (no known role value) is refused: /?ssoError=forbidden, no cookie', async () => {
			const V = await person('visitor', 'phone');
			await V.goto(`${base}/api/auth/sso?next=%2Fme.html`);
			await V.locator('#username').waitFor({ timeout: WAIT });
			await signIn(V, 'visitor', 'visitor-campus');
			await landed(V, '/');
			signedOn(V, '/?ssoError=forbidden');
			const cookies = await V.context().cookies(base);
			check(!cookies.some((c) => c.name === 'sid'), 'a sid cookie was set');
			await shots(V, 'affiliate-refused');
			await V.context().close();
		});
	}

	await step('the professor starts a session; its token arrives on the socket through Apache', async () => {
		const { course } = await expectApi(P, 201, 'POST', '/courses',
		    { code: 'SSO1', name: 'Signed on', term: '2026 Fall' });
		const { group } = await expectApi(P, 201, 'POST', `/courses/${course.id}/groups`, { name: 'G' });
		if (!pending)
			await expectApi(P, 201, 'POST', `/groups/${group.id}/enrollments`, { student: 'newstudent' });
		const started = await expectApi(P, 201, 'POST', `/groups/${group.id}/sessions`, { qrTtlSeconds: 300 });
		session = started.session.id;
		round2 = started.round.id;
		const token = await P.evaluate(async ([s, r]) => {
			window.events = [];
			const ws = new WebSocket(`ws://${location.host}/ws?sessionId=${s}`);
			window.ws = ws;
			ws.onmessage = (m) => window.events.push(JSON.parse(m.data));
			await new Promise((ok, no) => { ws.onopen = ok; ws.onerror = () => no(new Error('no socket')); });
			await fetch(`/api/sessions/${s}/rounds/${r}/qr`, { method: 'POST' });
			for (let i = 0; i < 100; i++) {
				const e = window.events.find((x) => x.event === 'round:qr-updated');
				if (e)
					return e.data.token;
				await new Promise((ok) => setTimeout(ok, 100));
			}
			return null;
		}, [session, round2]);
		check(token && token.length === 43, `no token on the socket: ${token}`);
		P.scanUrl = `${base}/scan#s=${session}&r=${round2}&t=${token}`;
	});

	const C = await person('newstudent-scanning', 'phone');
	await step('(c) a logged-out student opens the scan link: the scan is kept for the sign-in', async () => {
		await C.goto(P.scanUrl);
		await C.locator('#login-form').waitFor({ state: 'visible', timeout: WAIT });
		check(new URL(C.url()).hash === '', 'the token stays in the address bar');
		check(await C.evaluate(() => !!sessionStorage.getItem('attendance.pendingScan')),
		    'the scan is not kept');
		await shots(C, 'scan-logged-out');
		await toProvider(C, '/scan');
		await signIn(C, 'newstudent', 'newstudent-campus');
	});

	if (pending) {
		await step('back from the provider, the scan is still kept (PENDING: /api/auth/sso is 404)', async () => {
			await landedPending(C);
			check(await C.evaluate(() => !!sessionStorage.getItem('attendance.pendingScan')),
			    'the scan was lost on the way');
		});
		pendingStep('(c) the kept scan is recorded after the sign-on');
	} else {
		await step('(c) back on /scan, signed in: the kept scan is recorded', async () => {
			await landed(C, '/scan');
			signedOn(C);
			await waitText(C, '#result-word', /^(Present|Late)$/);
			await shots(C, 'scan-recorded');
			check(await C.evaluate(() => !sessionStorage.getItem('attendance.pendingScan')),
			    'the scan is still pending');
			const stats = await expectApi(P, 200, 'GET', `/professor/sessions/${session}/stats`);
			const row = stats.students.find((s) => s.username === 'newstudent');
			check(row && row.present + row.late === 1, `stats: ${JSON.stringify(stats.students)}`);
			const seen = await P.evaluate(() => window.events.some((e) =>
			    e.event === 'attendance:recorded' && e.data.username === 'newstudent'));
			check(seen, 'no attendance:recorded on the professor\'s socket');
		});
	}

	await step('no page threw an uncaught error', async () => {
		check(pageErrors.length === 0, pageErrors.join('; '));
	});
} catch (e) {
	await P.screenshot({ path: join(shotDir, 'failed.png'), fullPage: true }).catch(() => {});
} finally {
	await browser.close();
}

if (!ssoButtonSeen)
	notes.push('the pages showed no "Sign in with Campus login" button');
writeFileSync(join(shotDir, 'results.txt'), results.map(([ok, n]) =>
    `${ok ? 'ok' : 'not ok'} - ${n}`).concat(notes).join('\n') + '\n');
for (const n of new Set(notes))
	log(`sso-browser: ${n}`);
log(`sso-browser: ${results.filter(([ok]) => ok).length} passed, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
