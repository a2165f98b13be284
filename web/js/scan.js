// The student's scan page, /scan#s=SESSION&r=ROUND&t=TOKEN: the QR code
// on the professor's screen encodes that URL.  The token is in the
// fragment, which the browser never sends, so no server log holds it.
//
// The page moves the scan into sessionStorage and the fragment out of the
// address bar (and history), posts it, and says the outcome in big plain
// words.  Logged out: the scan waits in sessionStorage, the page asks for
// the login, and sends it right after (the login page also brings a
// student with a kept scan back here).  Single sign-on leaves the site for
// the identity provider and comes back to /scan in the same tab, where
// the kept scan is sent as the page loads.
//
// The typed code (POST /api/scan/code): for a student whose camera fails,
// the 8 characters under the QR.  /scan without a code in its address
// shows the form first, and every answer that says to scan again shows it
// under the answer.  A code lives seconds, so it is not kept through a
// login: it stays in the form, and is sent right after a password login.
// The page cleans it up as the server does and sends only a well-formed
// one, so a typo does not count toward the limit on wrong codes.
import { api, ApiError, explain } from './api.js';
import { $, h, say, clear, busy, fmtTime, logout, ready } from './ui.js';
import { savePendingScan, pendingScan, dropPendingScan } from './pending.js';
import { loginMethods, showMethods } from './signin.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;
// Crockford's base32, without I L O U (contract: "The typed code").
const CODE = /^[0-9A-HJKMNP-TV-Z]{8}$/;

// The outcome of a scan, in words: [look, word, detail]; a null detail is
// explain()'s.  AGAIN: the outcomes after which another try may work,
// shown with the code form.
const AGAIN = new Set(['token_used', 'token_expired', 'invalid_token',
    'round_closed', 'not_found', 'outside_network', 'bad-link',
    'rate_limited']);
const OUTCOMES = {
	present: ['ok', 'Present', 'You are checked in.'],
	late: ['warn', 'Late', 'You are checked in, as late.'],
	already_recorded: ['ok', 'Already recorded', 'You were already checked in for this round. Nothing else to do.'],
	token_used: ['bad', 'This code was just used: scan the new one', 'Each code works once. Scan the code on the screen now.'],
	token_expired: ['bad', 'This code has expired', 'Scan the code on the screen now.'],
	invalid_token: ['bad', 'This code is not valid', 'Scan the code on the screen again.'],
	round_closed: ['bad', 'This round is over', 'A new round started: scan the code on the screen now.'],
	session_ended: ['bad', 'Session over', 'This class session has ended: attendance can no longer be recorded.'],
	not_enrolled: ['bad', 'Not enrolled', 'You are not enrolled in this class group. Ask your professor.'],
	not_found: ['bad', 'Unknown session', 'This code does not belong to a class session. Scan the code on the screen again.'],
	forbidden: ['bad', 'Not a student account', 'Only students record attendance. Log in with your student account below: your scan is kept.'],
	outside_network: ['bad', 'Not on the campus network', null],
};

// The same answers to a typed code.
const CODE_OUTCOMES = {
	...OUTCOMES,
	token_used: ['bad', 'This code was just used: type the new one', 'Each code works once. Type the code on the screen now, or scan its QR code.'],
	token_expired: ['bad', 'This code has expired', 'Type the code on the screen now, or scan its QR code.'],
	invalid_token: ['bad', 'This code is not valid', 'Check the code on the screen and type it again, or scan its QR code.'],
	round_closed: ['bad', 'This round is over', 'A new round started: type the new code on the screen, or scan its QR code.'],
	forbidden: ['bad', 'Not a student account', 'Only students record attendance. Log in with your student account below, then send the code again.'],
	rate_limited: ['bad', 'Too many wrong codes', null],
};

function show(look, word, detail, key) {
	const box = $('#result');
	box.hidden = false;
	box.className = 'result ' + look;
	box.dataset.outcome = key || '';
	$('#result-word').textContent = word;
	$('#result-detail').textContent = detail || '';
}

// A scan or a typed code went through: the record, full screen.
function showRecorded(record) {
	hideLogin();
	showOutcome(record.status === 'late' ? 'late' : 'present',
	    `Recorded at ${fmtTime(record.recordedAt)}.`);
}

function showOutcome(key, extra, table = OUTCOMES, err = null) {
	const [look, word, text] = table[key];
	const detail = text === null ? explain(err, 'code') : text;
	show(look, word, extra ? `${detail} ${extra}` : detail, key);
	$('#after').hidden = false;
	showCodeForm(AGAIN.has(key), false);
	$('#result').focus();
}

// The code form: shown or not; when shown for typing now, it leads (its
// heading says so) and takes the focus.
function showCodeForm(shown, lead) {
	const box = $('#code-box');
	box.hidden = !shown;
	if (!shown)
		return;
	box.classList.toggle('lead', lead);
	$('#or-camera').hidden = !lead;
	$('#code-title').textContent = lead ? 'Type the code from the screen'
	    : 'No camera? Type the code';
	if (lead)
		$('#code').focus();
}

// As the server reads a code: any case, spaces and hyphens left out, I
// and L as 1, O as 0.
function cleanCode(text) {
	return text.toUpperCase().replace(/[\s-]+/g, '').replace(/[IL]/g, '1')
	    .replace(/O/g, '0');
}

function readFragment() {
	if (!location.hash || location.hash === '#')
		return undefined;
	const p = new URLSearchParams(location.hash.slice(1));
	const scan = { s: p.get('s'), r: p.get('r'), t: p.get('t') };
	// Out of the address bar and the history: a reload or a shared
	// screenshot shows no token.
	history.replaceState(null, '', location.pathname);
	if (!UUID.test(scan.s || '') || !UUID.test(scan.r || '') || !TOKEN.test(scan.t || ''))
		return null;
	return scan;
}

// The ways to log in, asked for the first time the scan needs a login
// (not on every scan: most students are logged in); resolves with the
// element to focus.
let methods = null;

function showMethodsHere(m) {
	// The password button steps back when single sign-on leads.
	$('#login-submit').classList.toggle('secondary', !!m.sso);
	return showMethods(m, {
		box: $('#sso'), link: $('#sso-link'), or: $('#or'),
		form: $('#login-form'), none: $('#no-method'),
	}, '/scan');
}

async function showLogin(focus) {
	if (methods === null)
		methods = loginMethods(showMethodsHere);
	// "and record" only when there is something to record.
	$('#login-submit').textContent = pendingScan() ||
	    cleanCode($('#code').value) !== '' ? 'Log in and record' : 'Log in';
	$('#login-box').hidden = false;
	const el = await methods;
	if (focus && el)
		el.focus();
}

function hideLogin() {
	$('#login-box').hidden = true;
}

// Says who is logged in; resolves false when nobody is.
async function showUser() {
	try {
		const { user } = await api('GET', '/auth/me');
		$('#who').textContent = `Logged in as ${user.displayName} (${user.username})`;
		$('#who-line').hidden = false;
		$('#nav').replaceChildren(h('a', { href: '/me.html' }, 'My attendance'));
		return true;
	} catch (e) {
		$('#who-line').hidden = true;
		// Unreachable is not logged out: the code form tells then.
		return !(e instanceof ApiError && e.code === 'unauthenticated');
	}
}

// The typed code: checked here for its shape, then sent.
async function submitCode() {
	const input = $('#code');
	const error = $('#code-error');
	clear(error);
	input.removeAttribute('aria-invalid');
	const code = cleanCode(input.value);
	if (!CODE.test(code)) {
		say(error, 'error', code.length === 0
		    ? 'Type the code shown under the QR code.'
		    : code.length !== 8
		    ? `A code has 8 letters and digits; this has ${code.length}.`
		    : 'A code has only digits and the letters A to Z without U.');
		input.setAttribute('aria-invalid', 'true');
		input.focus();
		return;
	}
	$('#retry-box').hidden = true;
	show('info', 'Recording…', 'Sending your code.', 'sending');
	try {
		const { record } = await api('POST', '/scan/code', { code });
		input.value = '';
		showRecorded(record);
	} catch (e) {
		if (!(e instanceof ApiError)) {
			show('bad', 'Something went wrong', String(e), 'error');
			return;
		}
		if (e.code === 'unauthenticated') {
			show('info', 'Log in first', 'Your code stays in the form: it is sent as soon as you are logged in.', 'login');
			await showLogin(true);
			return;
		}
		if (CODE_OUTCOMES[e.code]) {
			if (e.code === 'forbidden')
				await showLogin(false);
			else
				hideLogin();
			showOutcome(e.code, null, CODE_OUTCOMES, e);
			if (AGAIN.has(e.code))
				input.select();
			else
				input.value = '';
			return;
		}
		// Not reached, or a passing failure: the code stays, to send
		// again.
		show('bad', 'Not recorded yet', explain(e, 'code'), 'retry');
		showCodeForm(true, false);
	}
}

// No QR scan to send: the code form leads, once logged in.
async function idle() {
	const loggedIn = await showUser();
	if (!loggedIn) {
		show('info', 'Log in first', 'Then type the code shown under the QR code in class, or scan the QR code with your phone\'s camera.', 'login');
		showCodeForm(false);
		await showLogin(true);
		return;
	}
	$('#result').hidden = true;
	$('#result').dataset.outcome = 'idle';
	$('#after').hidden = false;
	showCodeForm(true, true);
}

async function submit() {
	const scan = pendingScan();
	if (!scan) {
		await idle();
		return;
	}
	$('#retry-box').hidden = true;
	show('info', 'Recording…', 'Sending your scan.', 'sending');
	try {
		const { record } = await api('POST',
		    `/sessions/${scan.s}/rounds/${scan.r}/scan`, { token: scan.t });
		dropPendingScan();
		showRecorded(record);
	} catch (e) {
		if (!(e instanceof ApiError)) {
			show('bad', 'Something went wrong', String(e), 'error');
			return;
		}
		if (e.code === 'unauthenticated') {
			// Kept: sent right after the login.
			show('info', 'Log in first', 'Your scan is kept: it is sent as soon as you are logged in.', 'login');
			await showLogin(true);
			return;
		}
		if (e.code === 'forbidden') {
			// A professor's (or someone's) phone: kept for the
			// student's own login.
			showOutcome(e.code);
			await showLogin(false);
			return;
		}
		if (OUTCOMES[e.code]) {
			dropPendingScan();
			hideLogin();
			showOutcome(e.code, null, OUTCOMES, e);
			return;
		}
		// Not reached, or a passing failure: kept, to try again.
		show('bad', 'Not recorded yet', explain(e), 'retry');
		$('#retry-box').hidden = false;
	}
}

function wireLogin() {
	const form = $('#login-form');
	const error = $('#login-error');
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clear(error);
		const login = $('#login').value.trim();
		const password = $('#password').value;
		if (!login || !password) {
			say(error, 'error', !login ? 'Enter your username or email.' : 'Enter your password.');
			return;
		}
		busy($('#login-submit'), async () => {
			try {
				const { user } = await api('POST', '/auth/login', { login, password });
				if (user.role !== 'student') {
					say(error, 'error', 'This is not a student account: only students record attendance.');
					return;
				}
				form.reset();
				hideLogin();
				// A code typed before the login goes now; else
				// the kept QR scan, or the form.
				if (pendingScan()) {
					await submit();
					await showUser();
				} else if (cleanCode($('#code').value) !== '') {
					await showUser();
					showCodeForm(true, false);
					await submitCode();
				} else {
					await idle();
				}
			} catch (e) {
				say(error, 'error', explain(e));
			}
		});
	});
}

// A code from the address: kept and sent.  Also when another code is
// opened in this tab, which changes only the fragment (no new page load).
async function fromFragment() {
	const scan = readFragment();
	if (scan === null) {
		show('bad', 'This link is not a valid code', 'Scan the code on the screen again.', 'bad-link');
		$('#after').hidden = false;
		showCodeForm(true, false);
	} else if (scan || pendingScan()) {
		if (scan)
			savePendingScan({ ...scan, at: Date.now() });
		$('#after').hidden = true;
		await submit();
	} else {
		await idle();	// Tells who is logged in.
		return;
	}
	await showUser();
}

function wireCode() {
	$('#code-form').addEventListener('submit', (ev) => {
		ev.preventDefault();
		busy($('#code-submit'), submitCode);
	});
}

function main() {
	wireLogin();
	wireCode();
	ready('login-submit', 'code-submit');
	$('#retry').addEventListener('click', submit);
	$('#logout').addEventListener('click', logout);
	window.addEventListener('hashchange', () => {
		if (location.hash && location.hash !== '#')
			fromFragment();
	});
	fromFragment();
}

main();
