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
import { api, ApiError, explain } from './api.js';
import { $, h, say, clear, busy, fmtTime, logout, ready } from './ui.js';
import { savePendingScan, pendingScan, dropPendingScan } from './pending.js';
import { loginMethods, showMethods } from './signin.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TOKEN = /^[A-Za-z0-9_-]{1,256}$/;

// The outcome of a scan, in words: [look, word, detail].
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
};

function show(look, word, detail, key) {
	const box = $('#result');
	box.className = 'result ' + look;
	box.dataset.outcome = key || '';
	$('#result-word').textContent = word;
	$('#result-detail').textContent = detail || '';
}

function showOutcome(key, extra) {
	const [look, word, detail] = OUTCOMES[key];
	show(look, word, extra ? `${detail} ${extra}` : detail, key);
	$('#after').hidden = false;
	$('#result').focus();
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
	$('#login-box').hidden = false;
	const el = await methods;
	if (focus && el)
		el.focus();
}

function hideLogin() {
	$('#login-box').hidden = true;
}

async function showUser() {
	try {
		const { user } = await api('GET', '/auth/me');
		$('#who').textContent = `Logged in as ${user.displayName} (${user.username})`;
		$('#who-line').hidden = false;
		$('#nav').replaceChildren(h('a', { href: '/me.html' }, 'My attendance'));
	} catch (e) {
		$('#who-line').hidden = true;
	}
}

async function submit() {
	const scan = pendingScan();
	if (!scan) {
		show('info', 'Scan the code', 'Point your phone\'s camera at the QR code shown in class, and open the link.', 'idle');
		$('#after').hidden = false;
		return;
	}
	$('#retry-box').hidden = true;
	show('info', 'Recording…', 'Sending your scan.', 'sending');
	try {
		const { record } = await api('POST',
		    `/sessions/${scan.s}/rounds/${scan.r}/scan`, { token: scan.t });
		dropPendingScan();
		hideLogin();
		showOutcome(record.status === 'late' ? 'late' : 'present',
		    `Recorded at ${fmtTime(record.recordedAt)}.`);
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
			showOutcome(e.code);
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
				await submit();
				await showUser();
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
	} else {
		if (scan)
			savePendingScan({ ...scan, at: Date.now() });
		$('#after').hidden = true;
		await submit();
	}
	await showUser();
}

function main() {
	wireLogin();
	ready('login-submit');
	$('#retry').addEventListener('click', submit);
	$('#logout').addEventListener('click', logout);
	window.addEventListener('hashchange', () => {
		if (location.hash && location.hash !== '#')
			fromFragment();
	});
	fromFragment();
}

main();
