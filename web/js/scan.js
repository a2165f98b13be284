// The student's scan page, /scan#<session><round><token> in digits (or
// the older /scan#s=SESSION&r=ROUND&t=TOKEN): the QR code on the
// professor's screen encodes that URL.  The token is in the
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
//
// The in-page scanner (issue 16, scanner.js): the "Scan" button, the
// menu's Scan (/scan?camera=1), and every QR scan refused because the
// code moved on (used, expired, not valid, round over: also when the
// code outlived a login) open the rear camera.  The page posts each new
// code of this site it reads, one at a time, and after a refusal that
// a newer code may not get simply waits for the next code: the student
// holds the phone up, nothing to tap.  A record ends the scanning: the
// camera goes off, the result fills the screen, the phone vibrates.
// Camera refused or absent: the typed-code form leads, and says why.
//
// The result survives a reload: the last record (or "already recorded")
// of this tab is kept in sessionStorage with its round and student, and
// /scan without a code shows it again, with its time, for 12 hours.
import { api, ApiError, explain } from './api.js';
import { $, h, say, clear, busy, fmtTime, logout, ready } from './ui.js';
import { savePendingScan, pendingScan, dropPendingScan } from './pending.js';
import { loginMethods, showMethods } from './signin.js';
import { Scanner, CameraError, cameraPossible } from './scanner.js';

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
	session_ended: ['bad', 'Session over', 'This class session has ended, so the scan was not recorded. If you were in class, tell your professor: they can still mark you present.'],
	not_enrolled: ['bad', 'Not enrolled', 'This code is for a class group you are not enrolled in. If this class is yours, ask its professor to enroll you.'],
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

// What the scanner says while it reads codes: [word, detail].  KEEP_GOING:
// the refusals after which it keeps reading, since a newer code on the
// screen may be recorded (also what it says when it opens after such a
// refusal of a QR scan).
const LOOKING = ['Point at the QR code', 'on the class screen, and hold still: it is read by itself.'];
const AFTER_LOGIN = ['Now scan the code on the screen', 'The code you scanned changed while you logged in. Hold your phone up to the screen: the new code is read by itself.'];
const KEEP_GOING = {
	token_used: ['Someone was quicker', 'That code was just used. Keep your phone on the screen: the next code is read by itself.'],
	token_expired: ['That code expired', 'Keep your phone on the screen: the next code is read by itself.'],
	invalid_token: ['That code is not valid', 'Keep your phone on the screen: the next code is read by itself.'],
	round_closed: ['A new round started', 'Keep your phone on the screen: the new round\'s code is read by itself.'],
	not_found: ['Not a running class', 'That QR code is not of a running class session. Point at your class\'s screen.'],
};
const NOT_REACHED = ['Not sent yet', 'The server could not be reached: the code is sent again. Check the Wi-Fi.'];
const FOREIGN = ['Not an attendance code', 'That QR code is not of this site. Point at the QR code on your class\'s screen.'];
const NO_CODE_YET = 'No code read yet: come closer to the screen and hold still, or type the code shown under the QR.';
const NO_CODE_MS = 12000;
const RESEND_MS = 1500;	// an unreached code may be sent again after this
// A refused QR scan opens the scanner when the code moved on.
const OPENS_SCANNER = new Set(['token_used', 'token_expired',
    'invalid_token', 'round_closed']);
// Why the camera could not help, said over the typed-code form.
const CAMERA_WORDS = {
	denied: 'The camera is blocked for this page: allow it in the browser\'s site settings and press Scan again, or type the code shown under the QR.',
	absent: 'No camera was found on this device: type the code shown under the QR.',
	busy: 'Another app is using the camera: close it and press Scan again, or type the code shown under the QR.',
	unsupported: 'This browser cannot use the camera on this page: scan the QR code with your phone\'s camera app, or type the code shown under the QR.',
	failed: 'The camera did not start: press Scan to try again, or type the code shown under the QR.',
};

// The last result of this tab: {sessionId, roundId, studentId, key,
// recordedAt, at}, shown again by /scan after a reload.  Cleared with
// the rest of sessionStorage at a logout (ui.js); shown only to the
// student it belongs to.
const RESULT_KEY = 'attendance.lastResult';
const RESULT_KEPT_MS = 12 * 3600 * 1000;

let me = null;		// the logged-in user, once asked
let cameraWanted = false;	// /scan?camera=1: open it once logged in

function keepResult(kept) {
	try {
		sessionStorage.setItem(RESULT_KEY,
		    JSON.stringify({ ...kept, at: Date.now() }));
	} catch (e) {
		// A full or disabled storage: the result just does not
		// survive a reload.
	}
}

function keptResult() {
	let k = null;
	try {
		k = JSON.parse(sessionStorage.getItem(RESULT_KEY));
	} catch (e) {
		k = null;
	}
	const age = k ? Date.now() - Number(k.at) : NaN;
	if (k && me && k.studentId === me.id && DONE.has(k.key) &&
	    age >= 0 && age < RESULT_KEPT_MS)
		return k;
	return null;
}

function show(look, word, detail, key) {
	const box = $('#result');
	box.hidden = false;
	box.className = 'result ' + look;
	box.dataset.outcome = key || '';
	delete box.dataset.kept;
	$('#result-word').textContent = word;
	$('#result-detail').textContent = detail || '';
}

// A scan or a typed code went through: the record, filling the screen.
// Kept for a reload.
function showRecorded(record) {
	hideLogin();
	keepResult({ sessionId: record.sessionId, roundId: record.roundId,
	    studentId: record.studentId, key: record.status === 'late'
	    ? 'late' : 'present', recordedAt: record.recordedAt });
	showOutcome(record.status === 'late' ? 'late' : 'present',
	    `Recorded at ${fmtTime(record.recordedAt)}.`);
}

// The done outcomes fill the phone's screen (the rest of the page comes
// after them); a reload shows them again.
const DONE = new Set(['present', 'late', 'already_recorded']);

function showOutcome(key, extra, table = OUTCOMES, err = null) {
	const [look, word, text] = table[key];
	const detail = text === null ? explain(err, 'code') : text;
	show(look, word, extra ? `${detail} ${extra}` : detail, key);
	$('#result').classList.toggle('done', DONE.has(key));
	$('#after').hidden = false;
	showCodeForm(AGAIN.has(key), false);
	showScanButton(key !== 'forbidden');
	$('#result').focus();
}

// After a reload: the result as it was, and under it the ways to scan
// again (a new round), the form not leading.
function showKept(kept) {
	showOutcome(kept.key, kept.recordedAt
	    ? `Recorded at ${fmtTime(kept.recordedAt)}.` : null);
	$('#result').dataset.kept = '1';
	showCodeForm(true, false);
}

function isStudent() {
	return me !== null && me.role === 'student';
}

// The "Scan" button, for a logged-in student: "Scan again" under a
// result (a new round).
function showScanButton(shown) {
	shown = shown && isStudent();
	$('#scan-box').hidden = !shown;
	if (!shown)
		clear($('#camera-msg'));
	const outcome = $('#result').hidden ? 'idle' : $('#result').dataset.outcome;
	const button = $('#scan-open');
	button.textContent = DONE.has(outcome) ? 'Scan again (a new round)'
	    : 'Scan the QR code';
	// It leads where scanning is what to do next; not after a result,
	// an answer that scanning again does not change, or a camera that
	// did not open (the form leads then).
	button.classList.toggle('secondary', !(outcome === 'idle' ||
	    outcome === 'scanning' || AGAIN.has(outcome)) ||
	    $('#camera-msg').textContent !== '');
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

// A scan from the parameters of its URL's fragment, or null.
function scanOf(p) {
	const scan = { s: p.get('s'), r: p.get('r'), t: p.get('t') };
	if (!UUID.test(scan.s || '') || !UUID.test(scan.r || '') || !TOKEN.test(scan.t || ''))
		return null;
	return scan;
}

// The short form the live screen encodes since issue 16 (live.js
// scanUrl): 156 digits, the session's UUID in 39, the round's in 39 and
// the token's 32 bytes in 78, each a number written in decimal with
// leading zeros: QR codes hold digits in their numeric mode at 3.3 bits
// each, against 8 per character of "s=<uuid>&r=<uuid>&t=<token>".
const SHORT = /^(\d{39})(\d{39})(\d{78})$/;
const UUID_MAX = 1n << 128n;
const TOKEN_MAX = 1n << 256n;

function hexOf(digits, max, width) {
	const n = BigInt(digits);
	return n < max ? n.toString(16).padStart(width, '0') : null;
}

function uuidOf(digits) {
	const x = hexOf(digits, UUID_MAX, 32);
	return x && `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-` +
	    `${x.slice(16, 20)}-${x.slice(20)}`;
}

// The token as the server writes it: base64url, no padding (43 letters).
function tokenOf(digits) {
	const x = hexOf(digits, TOKEN_MAX, 64);
	if (!x)
		return null;
	let bin = '';
	for (let i = 0; i < 64; i += 2)
		bin += String.fromCharCode(parseInt(x.slice(i, i + 2), 16));
	return btoa(bin).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

// A scan from a URL's fragment (without its "#"): the short form, else
// the parameters s, r and t (the form before issue 16: a screen not yet
// reloaded after an upgrade, a link kept from then); null for anything
// else.
function scanOfFragment(fragment) {
	const m = SHORT.exec(fragment);
	if (!m)
		return scanOf(new URLSearchParams(fragment));
	const scan = { s: uuidOf(m[1]), r: uuidOf(m[2]), t: tokenOf(m[3]) };
	return scan.s && scan.r && scan.t ? scan : null;
}

function readFragment() {
	if (!location.hash || location.hash === '#')
		return undefined;
	const fragment = location.hash.slice(1);
	// Out of the address bar and the history: a reload or a shared
	// screenshot shows no token.
	history.replaceState(null, '', location.pathname);
	return scanOfFragment(fragment);
}

// The scan in a text the camera read: a URL of this site's scan page, as
// the live screen encodes it (live.js scanUrl); null for any other text.
// Another site's QR code is never posted.
function scanOfText(text) {
	let url;
	try {
		url = new URL(text);
	} catch (e) {
		return null;
	}
	if (url.origin !== location.origin || url.pathname !== '/scan')
		return null;
	return scanOfFragment(url.hash.slice(1));
}

// --- the in-page scanner ------------------------------------------------

let scanner = null;
const sc = {
	tried: new Set(),	// tokens sent (or being sent) while open
	busy: false,		// a scan in flight
	queued: null,		// the newest code read meanwhile
	tries: 0,
	seenAt: 0,		// performance.now() a code of ours was read
	saidAt: 0,		// ... and the scanner last said something
	timer: null,
};

// Yellow words while it waits for the next code after a refusal.
function scannerSays(words) {
	const [word, detail] = words;
	$('#scanner').classList.toggle('waiting',
	    words !== LOOKING && words !== FOREIGN);
	$('#scanner-word').textContent = word;
	$('#scanner-detail').textContent = detail;
	sc.saidAt = performance.now();
}

function scannerDetail(text) {
	$('#scanner-detail').textContent = text;
}

function countTry() {
	sc.tries++;
	const el = $('#scanner-tries');
	el.textContent = `Codes tried: ${sc.tries}`;
	el.hidden = false;
	$('#scanner').dataset.tries = String(sc.tries);
}

// Opens the camera, saying `words` first; resolves false when the
// camera could not open (the typed-code form leads then).  `refused`:
// the token just refused, not to be sent again.
async function openScanner(words = LOOKING, refused = null) {
	if (scanner && scanner.wanted)
		return true;
	cameraWanted = false;
	clear($('#camera-msg'));
	showScanButton(!$('#scan-box').hidden);
	sc.tried.clear();
	if (refused)
		sc.tried.add(refused);
	sc.queued = null;
	sc.tries = 0;
	$('#scanner-tries').hidden = true;
	delete $('#scanner').dataset.tries;
	scannerSays(words);
	if (!cameraPossible()) {
		cameraFailed(new CameraError('unsupported'));
		return false;
	}
	$('#scanner').hidden = false;
	document.body.classList.add('scanning');
	sc.seenAt = performance.now();
	clearInterval(sc.timer);
	sc.timer = setInterval(noCodeYet, 1000);
	if (!scanner) {
		scanner = new Scanner($('#scanner-video'),
		    { onText: codeRead, onError: cameraFailed });
	}
	try {
		await scanner.start();
	} catch (e) {
		cameraFailed(e);
		return false;
	}
	$('#scanner').dataset.decoder = scanner.decoder || '';
	$('#scanner-stop').focus();
	return true;
}

function closeScanner() {
	if (scanner)
		scanner.stop();
	clearInterval(sc.timer);
	sc.timer = null;
	$('#scanner').hidden = true;
	document.body.classList.remove('scanning');
}

function cameraFailed(e) {
	closeScanner();
	const reason = e instanceof CameraError ? e.reason : 'failed';
	$('#scanner').dataset.failed = reason;
	say($('#camera-msg'), 'error', CAMERA_WORDS[reason]);
	showScanButton(true);
	showCodeForm(true, true);
}

function noCodeYet() {
	const now = performance.now();
	if (!sc.busy && now - sc.seenAt > NO_CODE_MS && now - sc.saidAt > 3000)
		scannerDetail(NO_CODE_YET);
}

function codeRead(text) {
	const scan = scanOfText(text);
	if (scan === null) {
		// Said only when no code of ours is in view.
		const now = performance.now();
		if (!sc.busy && now - sc.seenAt > 3000 && now - sc.saidAt > 3000)
			scannerSays(FOREIGN);
		return;
	}
	sc.seenAt = performance.now();
	if (sc.tried.has(scan.t))
		return;
	if (sc.busy) {
		sc.queued = scan;
		return;
	}
	postScan(scan);
}

function vibrate() {
	try {
		if (navigator.vibrate)
			navigator.vibrate(200);
	} catch (e) {
		// Not on this phone.
	}
}

// Sends one code the camera read.  A refusal a newer code may not get
// waits for the next code; an unreached server tries the same code again
// after a moment; anything else ends the scanning with its answer.
async function postScan(scan) {
	sc.busy = true;
	sc.tried.add(scan.t);
	countTry();
	scannerDetail('Code read: sending it…');
	let record = null;
	let err = null;
	try {
		({ record } = await api('POST',
		    `/sessions/${scan.s}/rounds/${scan.r}/scan`, { token: scan.t }));
	} catch (e) {
		err = e;
	}
	sc.busy = false;
	if (record) {
		// Even if Stop came meanwhile: the student is recorded.
		closeScanner();
		$('#retry-box').hidden = true;
		showRecorded(record);
		vibrate();
		return;
	}
	if (!scanner || !scanner.wanted)
		return;
	if (!(err instanceof ApiError) || err.status === 0 ||
	    err.status >= 500) {
		// Not reached, or nothing done (503, or a proxy's 502):
		// this code again in a moment, if it is still on the screen.
		scannerSays(NOT_REACHED);
		setTimeout(() => sc.tried.delete(scan.t), RESEND_MS);
	} else if (KEEP_GOING[err.code]) {
		scannerSays(KEEP_GOING[err.code]);
	} else {
		closeScanner();
		if (err.code === 'unauthenticated' || err.code === 'forbidden')
			savePendingScan({ ...scan, at: Date.now() });
		if (err.code === 'unauthenticated' || OUTCOMES[err.code]) {
			await refused(err, scan);
		} else {
			// An answer no retry changes (a proxy's or the
			// CSRF check's): in words.
			show('bad', 'Not recorded', explain(err), 'error');
			$('#after').hidden = false;
			showScanButton(true);
			showCodeForm(true, false);
		}
		return;
	}
	const next = sc.queued;
	sc.queued = null;
	if (next && !sc.tried.has(next.t))
		postScan(next);
}

// A QR scan's final refusal (not a passing failure), in words.
async function refused(e, scan) {
	if (e.code === 'unauthenticated') {
		// Kept: sent right after the login.
		show('info', 'Log in first', 'Your scan is kept: it is sent as soon as you are logged in.', 'login');
		showScanButton(false);
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
	dropPendingScan();
	hideLogin();
	showOutcome(e.code, null, OUTCOMES, e);
	if (e.code === 'already_recorded') {
		if (me === null)
			await showUser();
		if (me !== null) {
			keepResult({ sessionId: scan.s, roundId: scan.r,
			    studentId: me.id, key: 'already_recorded',
			    recordedAt: null });
		}
	} else if (e.code === 'not_enrolled') {
		await sayEnrollments(e);
	}
}

// The class a not_enrolled answer names ("not enrolled in CS101
// Introduction to Programming (2026 Fall), Group A", issue 16), or null
// for a server that names none.
function codeClass(e) {
	const m = /^not enrolled in (.+)$/.exec(e && e.message || '');
	return m && m[1] !== 'this group' ? m[1] : null;
}

// "Not enrolled": the class of the code first, as the server names it
// (the student is in its room: its screen shows it anyway), then the
// student's own groups, for the one who sits in the wrong group's class.
async function sayEnrollments(e) {
	const cls = codeClass(e);
	const lead = cls
	    ? `This code is for ${cls}, and you are not enrolled in it.`
	    : 'This code is for a class group you are not enrolled in.';
	if (cls)
		$('#result-detail').textContent = `${lead} Ask the professor to add you.`;
	let courses;
	try {
		({ courses } = await api('GET', '/students/me/stats'));
	} catch (err) {
		return;
	}
	if ($('#result').dataset.outcome !== 'not_enrolled')
		return;
	const groups = courses.map((c) =>
	    `${c.code} ${c.name} (${c.term}), ${c.groupName}`);
	const yours = groups.length === 0 ? 'You are in no class group yet. '
	    : `Your group${groups.length > 1 ? 's' : ''}: ${groups.join('; ')}. `;
	$('#result-detail').textContent = `${lead} ${yours}` + (cls
	    ? 'If this class is yours, ask the professor to add you.'
	    : groups.length === 0
	    ? 'Ask the professor of this class to enroll you.'
	    : 'Check that this class is your group\'s; if it is, ask its professor to enroll you.');
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
		me = user;
		if (user.role !== 'student')
			closeScanner();
		$('#who').textContent = `Logged in as ${user.displayName} (${user.username})`;
		$('#who-line').hidden = false;
		$('#nav').replaceChildren(h('a', { href: '/me.html' }, 'My attendance'),
		    h('a', { href: '/scan?camera=1', onclick: (ev) => {
			ev.preventDefault();
			openScanner();
		    } }, 'Scan'));
		return true;
	} catch (e) {
		me = null;
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
			showScanButton(false);
			await showLogin(true);
			return;
		}
		if (CODE_OUTCOMES[e.code]) {
			if (e.code === 'forbidden')
				await showLogin(false);
			else
				hideLogin();
			showOutcome(e.code, null, CODE_OUTCOMES, e);
			if (e.code === 'not_enrolled')
				await sayEnrollments(e);
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

// No QR scan to send: the last result of this tab if there is one, else
// the code form leads; the Scan button either way, once logged in.
async function idle() {
	const loggedIn = await showUser();
	if (!loggedIn) {
		show('info', 'Log in first', 'Then type the code shown under the QR code in class, or scan the QR code with your phone\'s camera.', 'login');
		showCodeForm(false);
		showScanButton(false);
		await showLogin(true);
		return;
	}
	$('#after').hidden = false;
	const kept = keptResult();
	if (kept) {
		showKept(kept);
	} else {
		$('#result').hidden = true;
		$('#result').dataset.outcome = 'idle';
		showScanButton(true);
		showCodeForm(true, !cameraWanted);
	}
	if (cameraWanted && isStudent())
		await openScanner();
}

// Sends the kept QR scan; `kept`: it waited through a login (or single
// sign-on), so a code that moved on meanwhile is no surprise.
async function submit(kept = false) {
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
		if (e.code !== 'unauthenticated' && !OUTCOMES[e.code]) {
			// Not reached, or a passing failure: kept, to try
			// again.
			show('bad', 'Not recorded yet', explain(e), 'retry');
			$('#retry-box').hidden = false;
			return;
		}
		if (OPENS_SCANNER.has(e.code)) {
			await movedOn(e, scan, kept);
			return;
		}
		await refused(e, scan);
	}
}

// The code moved on: the camera reads the one on the screen now, and
// says so itself (no "just used" first, which would be the page's word
// for what the scanner is about to fix).  Under it, for after a Stop,
// the Scan button and the form.  No camera: the answer in words, and
// the form leads.
async function movedOn(e, scan, kept) {
	dropPendingScan();
	hideLogin();
	$('#result').hidden = true;
	$('#result').dataset.outcome = 'scanning';
	$('#after').hidden = false;
	if (me === null)
		await showUser();
	showScanButton(true);
	showCodeForm(true, false);
	if (await openScanner(kept ? AFTER_LOGIN : KEEP_GOING[e.code], scan.t))
		return;
	showOutcome(e.code, null, OUTCOMES, e);
	showCodeForm(true, true);
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
					await submit(true);
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
	closeScanner();
	const scan = readFragment();
	if (scan === null) {
		show('bad', 'This link is not a valid code', 'Scan the code on the screen again.', 'bad-link');
		$('#after').hidden = false;
		showCodeForm(true, false);
	} else if (scan || pendingScan()) {
		if (scan)
			savePendingScan({ ...scan, at: Date.now() });
		$('#after').hidden = true;
		// No code in the address: a scan kept through a login.
		await submit(!scan);
	} else {
		await idle();	// Tells who is logged in.
		return;
	}
	await showUser();
	if ($('#login-box').hidden && $('#result').dataset.outcome !== 'forbidden')
		showScanButton(true);
}

function wireCode() {
	$('#code-form').addEventListener('submit', (ev) => {
		ev.preventDefault();
		busy($('#code-submit'), submitCode);
	});
}

function wireScanner() {
	$('#scan-open').addEventListener('click', () => openScanner());
	$('#scanner-stop').addEventListener('click', () => {
		closeScanner();
		$('#scan-open').focus();
	});
	$('#scanner-type').addEventListener('click', () => {
		closeScanner();
		showCodeForm(true, true);
	});
	document.addEventListener('keydown', (ev) => {
		if (ev.key === 'Escape' && !$('#scanner').hidden)
			$('#scanner-stop').click();
	});
}

function main() {
	wireLogin();
	wireCode();
	wireScanner();
	ready('login-submit', 'code-submit', 'scan-open');
	$('#retry').addEventListener('click', () => submit());
	$('#logout').addEventListener('click', logout);
	// /scan?camera=1 (the menu's Scan): the camera, once logged in; out
	// of the address, so that a reload shows the result instead.
	const query = new URLSearchParams(location.search);
	if (query.has('camera')) {
		cameraWanted = true;
		history.replaceState(null, '', location.pathname + location.hash);
	}
	window.addEventListener('hashchange', () => {
		if (location.hash && location.hash !== '#')
			fromFragment();
	});
	fromFragment();
}

main();
