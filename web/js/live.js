// The live screen of a running session (?id=SESSION), made for a
// projector.  It keeps working by itself:
//
//  - The QR code's token travels only on the WebSocket (/ws?sessionId=):
//    round:qr-updated.  The screen asks for one with POST .../qr after each
//    (re)connection (once the relay's round:started arrived, or after a
//    second without it), on relay:resync, shortly before the shown token
//    expires, and when an asked-for token does not come.
//  - Expiry is counted from when the token ARRIVED (performance.now()) and
//    the session's qrTtlSeconds, never from expiresAt against this
//    computer's clock, which may be wrong.
//  - While the socket is down, the QR is hidden behind "Reconnecting": a
//    scan meanwhile would consume the shown token and the screen would not
//    hear of the next one, so the code shown would be dead.  Reconnection
//    backs off (0.5 s doubling to 10 s, with jitter) and first asks the REST
//    API whether the session is still running.
//  - The check-ins of the round come from attendance:recorded, and from
//    the session's records (GET /sessions/:id/records) when the screen
//    opens, reconnects or resyncs, so a reload does not empty the list;
//    only those the records could not give are counted from the session's
//    stats, without names.
//  - A student without a phone is marked present by typing part of their
//    name (the group's enrolled students; PUT .../records/:studentId).
//  - A socket lives no longer than the login that opened it: when that
//    login ends (logged out in another tab, or expired) the relay closes
//    the socket with 4401, and the screen hides the code and goes to the
//    login page, which brings the person back here; it does not reconnect.
//  - Under the QR, the token's typed code (round:qr-updated.code) as
//    XXXX-XXXX, for a student whose camera fails: shown and hidden with
//    the QR, since it is the same token.
//  - Each check-in shows its flags (shared phone, off campus network, no
//    device cookie).  A shared phone is revealed by its second student,
//    and the server flags the earlier records too: the screen then reads
//    the session's records for the flags of the rows it already shows.
//  - In a session of window mode (contract v1.1, for large halls) a scan
//    does not replace the code: everyone scans the same one, and the
//    screen renews it before it expires as above; the countdown says how
//    long it lives, and "One code for everyone" beside it says why it does
//    not change after each scan.
import qrcode from '/vendor/qrcode.js';
import { api, ApiError, explain } from './api.js';
import {
	$, h, idParam, startPage, fatal, say, clear, busy, confirmDialog,
	fmtDateTime, toLogin, ready, flagList, nameMatcher,
} from './ui.js';

const sessionId = idParam();

const st = {
	session: null,
	roundId: null,
	roundNumber: null,
	enrolled: null,
	checked: new Map(),	// studentId -> attendance:recorded data
	unnamed: 0,		// checked in, but before we listened
	ttlMs: 30000,
	token: null,
	code: null,		// the token's typed code, 8 characters
	arrivedAt: 0,		// performance.now() when the token arrived
	seq: 0,			// tokens drawn so far
	qrInFlight: false,
	wantQrAt: null,		// performance.now() to ask for a token at
	ws: null,
	open: false,
	firstStart: false,	// waiting for the relay's round:started
	backoff: 0,
	retryTimer: null,
	ended: false,
	flagTimer: null,
	students: null,		// the group's enrollments, for marking by name
};

const RENEW_MARGIN_MAX = 2000;	// ask this long before expiry (ms)
const TOKEN_WAIT = 4000;	// ask again when an asked-for token is late
const LOGGED_OUT = 4401;	// the relay's close code: the login ended

function renewMargin() {
	return Math.min(RENEW_MARGIN_MAX, st.ttlMs / 4);
}

// --- the QR code --------------------------------------------------------

// The scan URL, as short as the contract lets it be (issue 16): the lower
// the QR code's version, the larger its modules on the same screen, and
// the farther back a phone reads it.  "/scan#" then the session's UUID,
// the round's and the token's 32 bytes as decimal numbers of fixed width
// (39, 39, 78 digits), which the QR code holds in its numeric mode, 3.3
// bits a digit (scan.js reads it back).  [prefix, digits]; digits null
// for a token that is not 32 bytes of base64url: then the older form,
// whole in the prefix.
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function digitsOfUuid(uuid) {
	return BigInt('0x' + uuid.replace(/-/g, '')).toString().padStart(39, '0');
}

function digitsOfToken(token) {
	if (!/^[A-Za-z0-9_-]{42}[AEIMQUYcgkosw048]$/.test(token))
		return null;	// not 32 bytes, or not as the server writes them
	const bin = atob(token.replace(/-/g, '+').replace(/_/g, '/') + '=');
	let hex = '';
	for (let i = 0; i < bin.length; i++)
		hex += bin.charCodeAt(i).toString(16).padStart(2, '0');
	return BigInt('0x' + hex).toString().padStart(78, '0');
}

function scanUrl(token) {
	// The page's own origin is the public base URL: the professor opened
	// the service at that address (docs/decisions.md).
	const digits = digitsOfToken(token);
	if (digits && UUID_RE.test(sessionId) && UUID_RE.test(st.roundId)) {
		return [`${location.origin}/scan#`, digitsOfUuid(sessionId) +
		    digitsOfUuid(st.roundId) + digits];
	}
	return [`${location.origin}/scan#s=${encodeURIComponent(sessionId)}` +
	    `&r=${encodeURIComponent(st.roundId)}&t=${encodeURIComponent(token)}`,
	    null];
}

let qrSide = 0;	// CSS pixels, the QR box's inner side

function drawQr() {
	const canvas = $('#qr');
	if (!st.token)
		return;
	const qr = qrcode(0, 'M');
	const [prefix, digits] = scanUrl(st.token);
	qr.addData(prefix, 'Byte');
	if (digits)
		qr.addData(digits, 'Numeric');
	qr.make();
	const n = qr.getModuleCount();
	const quiet = 4;	// the quiet zone the standard asks for
	const total = n + 2 * quiet;
	// The box's size as its ResizeObserver last saw it: reading
	// clientWidth here would lay out the whole page (300 names just
	// rendered) before the new code is drawn.
	if (!qrSide) {
		const box = $('#qr-box');
		qrSide = Math.min(box.clientWidth, box.clientHeight);
	}
	const side = qrSide || 600;
	// Whole device pixels a module, and the canvas shown at exactly
	// that size (centred in its box), so that no module is stretched a
	// pixel wider than its neighbour.
	const dpr = window.devicePixelRatio || 1;
	const cell = Math.max(2, Math.floor(side * dpr / total));
	canvas.width = canvas.height = cell * total;
	canvas.style.width = canvas.style.height = `${cell * total / dpr}px`;
	const ctx = canvas.getContext('2d');
	ctx.fillStyle = '#fff';
	ctx.fillRect(0, 0, canvas.width, canvas.height);
	ctx.fillStyle = '#000';
	for (let r = 0; r < n; r++)
		for (let c = 0; c < n; c++)
			if (qr.isDark(r, c))
				ctx.fillRect((c + quiet) * cell, (r + quiet) * cell, cell, cell);
	// For the tests: the QR code's version and a module's size.
	canvas.dataset.version = String((n - 17) / 4);
	canvas.dataset.cell = String(cell);
	canvas.dataset.seq = String(st.seq);
	// For the browser test: when it was drawn, by the real clock
	// (performance.timeOrigin does not move with Date).
	canvas.dataset.drawnAt = String(Math.round(performance.timeOrigin +
	    performance.now()));
}

// The typed code as screens show it: XXXX-XXXX.
function grouped(code) {
	return code.length === 8 ? code.slice(0, 4) + '-' + code.slice(4) : code;
}

function drawCode() {
	const box = $('#code-box');
	box.hidden = !st.code;
	if (!st.code)
		return;
	const el = $('#typed-code');
	el.textContent = grouped(st.code);
	el.dataset.seq = String(st.seq);
}

// Covers the QR and its code with a message (or uncovers them: text
// null).  The code of a hidden QR is the same dead token: hidden too.
function overlay(text, kind) {
	const o = $('#qr-overlay');
	o.hidden = text === null;
	o.textContent = text || '';
	o.className = kind || '';
	$('#qr').style.visibility = text === null ? 'visible' : 'hidden';
	$('#stage').classList.toggle('covered', text !== null);
}

function setConn(text, kind) {
	const c = $('#conn');
	c.textContent = text;
	c.className = 'conn ' + (kind || '');
	document.body.dataset.conn = kind || '';
}

function showToken(token, code) {
	st.token = token;
	st.code = typeof code === 'string' && /^[0-9A-Z]{8}$/.test(code)
	    ? code : null;
	st.arrivedAt = performance.now();
	st.seq++;
	st.wantQrAt = null;
	overlay(null);
	drawQr();
	drawCode();
	tick();
}

function dropToken(text, kind) {
	st.token = null;
	st.code = null;
	overlay(text, kind);
	$('#countdown').textContent = '–';
}

// --- asking for a token -----------------------------------------------

async function requestQr() {
	if (st.ended || !st.roundId || st.qrInFlight)
		return;
	st.qrInFlight = true;
	const roundId = st.roundId;
	const seq = st.seq;
	try {
		await api('POST', `/sessions/${sessionId}/rounds/${roundId}/qr`);
		// The token comes on the socket, often before this answer;
		// ask again only if it does not come.
		if (st.seq === seq)
			st.wantQrAt = performance.now() + TOKEN_WAIT;
	} catch (e) {
		await qrRefused(e).catch(() => {
			st.wantQrAt = performance.now() + 2000;
		});
	} finally {
		st.qrInFlight = false;
	}
}

async function qrRefused(e) {
	switch (e.code) {
	case 'round_closed':
		// A new round was started elsewhere (another screen).
		await syncSession();
		st.wantQrAt = performance.now();
		break;
	case 'session_ended':
		await endedElsewhere();
		break;
	case 'unauthenticated':
		toLogin();
		break;
	case 'not_found':
		fatal(e, 'session');
		stop();
		break;
	default:
		st.wantQrAt = performance.now() + 2000;
	}
}

// --- rounds and check-ins ---------------------------------------------

function setRound(roundId, roundNumber) {
	if (roundId === st.roundId)
		return;
	st.roundId = roundId;
	st.roundNumber = roundNumber;
	st.checked.clear();
	st.unnamed = 0;
	dropToken('New round: getting its code…');
	$('#round').textContent = roundNumber;
	$('#round-stage').textContent = roundNumber;
	renderChecked(null);
}

function renderChecked(freshId) {
	const list = [...st.checked.values()].sort((a, b) =>
	    b.recordedAt.localeCompare(a.recordedAt));
	$('#checked-list').replaceChildren(...list.map((d) => {
		const flags = flagList(d.flags);
		return h('li', {
			class: [d.studentId === freshId ? 'fresh' : '',
			    flags ? 'flagged' : ''].join(' ').trim() || null,
			dataset: { username: d.username },
		}, h('span', { class: 'who-in' }, d.displayName, ' ',
		    h('span', { class: 'muted' }, '(' + d.username + ')')),
		    d.status === 'late' ? [' ', h('span', { class: 'badge late' }, 'late')] : null,
		    flags ? [' ', flags] : null);
	}));
	$('#count').textContent = String(st.unnamed + st.checked.size);
	$('#enrolled').textContent = st.enrolled === null ? '–' : String(st.enrolled);
	const before = $('#before');
	before.hidden = st.unnamed === 0;
	before.textContent = `+ ${st.unnamed} checked in while this screen was not listening.`;
	$('#nobody').hidden = st.unnamed + st.checked.size > 0;
	showHallCount();
}

// The count beside the QR code, for the back row (full screen).
function showHallCount() {
	const n = st.unnamed + st.checked.size;
	$('#count-stage').textContent = st.enrolled === null ? String(n)
	    : `${n} of ${st.enrolled}`;
}

// "Hide names": the list of names goes, the counts stay; remembered in
// this browser (the projector's), since it is the hall's wish rather
// than the session's.
const HIDE_NAMES = 'attendance.live.hideNames';

function showNames() {
	const hide = $('#hide-names').checked;
	$('#checked-list').hidden = hide;
	$('#names-hidden').hidden = !hide;
}

function wireNames() {
	const sw = $('#hide-names');
	try {
		sw.checked = localStorage.getItem(HIDE_NAMES) === '1';
	} catch (e) {
		// Storage refused: the switch starts off.
	}
	showNames();
	sw.addEventListener('change', () => {
		try {
			if (sw.checked)
				localStorage.setItem(HIDE_NAMES, '1');
			else
				localStorage.removeItem(HIDE_NAMES);
		} catch (e) {
			// Not remembered, still applied.
		}
		showNames();
	});
}

function recorded(d) {
	if (d.roundId !== st.roundId)
		return;
	// A second event for one student is a second writer of its record
	// (an override racing a scan), and two workers may publish in the
	// other order than they committed: the stored state is read again.
	const again = st.checked.has(d.studentId);
	if (d.status === 'present' || d.status === 'late')
		st.checked.set(d.studentId, { ...d, heardAt: performance.now() });
	else
		st.checked.delete(d.studentId);	// an override to absent/excused
	renderChecked(d.studentId);
	if (again || (Array.isArray(d.flags) && d.flags.includes('shared_device')))
		syncFlagsSoon();
}

// The rows shown, from the session's records: the server flags the
// earlier records of a shared phone when its next student checks in,
// and no event says so; and events of one record may come out of order.
// Several events in a row make one request.
function syncFlagsSoon() {
	clearTimeout(st.flagTimer);
	st.flagTimer = setTimeout(syncFlags, 300);
}

async function syncFlags() {
	await fillFromRecords();
}

// The round's check-ins from the session's records: names the screen did
// not hear (before it opened, during an outage), overrides, and the flags
// of the rows shown.  The records are the stored state, except for a row
// heard while they were being read, which is newer.  False when the
// records could not be read.
async function fillFromRecords() {
	const roundId = st.roundId;
	const asked = performance.now();
	let records;
	try {
		({ records } = await api('GET', `/sessions/${sessionId}/records`));
	} catch (e) {
		return false;	// The stats count them without names.
	}
	if (roundId !== st.roundId)
		return false;
	let changed = false;
	for (const r of records) {
		if (r.roundId !== roundId)
			continue;
		const d = st.checked.get(r.studentId);
		if (d && d.heardAt > asked)
			continue;
		if (r.status === 'present' || r.status === 'late') {
			const next = { ...d, ...r, flags: Array.isArray(r.flags) ? r.flags : [],
			    heardAt: asked };
			if (!d || d.status !== next.status || String(d.flags || []) !== String(next.flags))
				changed = true;
			st.checked.set(r.studentId, next);
		} else if (d) {
			st.checked.delete(r.studentId);
			changed = true;
		}
	}
	if (changed)
		renderChecked(null);
	return true;
}

// The list from the records, then the counts from the stats.
async function syncList() {
	await fillFromRecords();
	await syncCounts();
}

// The session's stats: enrolled count and this round's check-ins, those
// whose names we did not hear counted without them.
async function syncCounts() {
	try {
		const stats = await api('GET', `/professor/sessions/${sessionId}/stats`);
		st.enrolled = stats.enrolledCount;
		const round = stats.rounds.find((r) => r.roundId === st.roundId);
		if (round)
			st.unnamed = Math.max(0, round.present + round.late - st.checked.size);
		renderChecked(null);
	} catch (e) {
		// Counts only: the next sync corrects them.
	}
}

// The session's scan mode, beside the countdown (v1.1).
function showScanMode(session) {
	const mode = session.scanMode === 'window' ? 'window' : 'single';
	$('#scan-mode').hidden = mode !== 'window';
	// In single mode a code lives until someone scans it: the countdown
	// is only its longest life (issue 16).
	$('#countdown-label').textContent = mode === 'window' ? 'New code in'
	    : 'Code changes after each scan, or in';
	document.body.dataset.scanMode = mode;
}

// Reads the session from the REST API: its state and its active round.
async function syncSession() {
	const { session, rounds } = await api('GET', `/sessions/${sessionId}`);
	st.session = session;
	st.ttlMs = session.qrTtlSeconds * 1000;
	showScanMode(session);
	if (session.status !== 'active')
		return false;
	const active = rounds.find((r) => r.isActive);
	if (active)
		setRound(active.id, active.roundNumber);
	return true;
}

// --- the end ------------------------------------------------------------

function stop() {
	st.ended = true;
	clearTimeout(st.retryTimer);
	clearTimeout(st.flagTimer);
	if (st.ws) {
		const ws = st.ws;
		st.ws = null;
		ws.onclose = null;
		ws.close(1000);
	}
}

function showEnded(summary, endedAt) {
	if (!st.ended)
		stop();
	if (!$('#summary').hidden)
		return;
	dropToken('Session ended', 'ended');
	setConn('Ended', 'ended');
	if (document.fullscreenElement)
		document.exitFullscreen().catch(() => {});
	$('#running').hidden = true;
	$('#sum-ended').textContent = fmtDateTime(endedAt);
	$('#sum-rounds').textContent = String(summary.totalRounds);
	$('#sum-count').textContent = String(summary.attendanceCount);
	$('#sum-enrolled').textContent = st.enrolled === null ? '–' : String(st.enrolled);
	$('#summary').hidden = false;
	$('#summary-title').focus?.();
	showNeverCheckedIn();
}

// Ended by someone else (another screen, the group page): the summary
// from the stats (attendanceCount = present + late over the rounds).
async function endedElsewhere() {
	stop();
	try {
		const stats = await api('GET', `/professor/sessions/${sessionId}/stats`);
		st.enrolled = stats.enrolledCount;
		const count = stats.rounds.reduce((n, r) => n + r.present + r.late, 0);
		showEnded({ totalRounds: stats.totalRounds, attendanceCount: count },
		    stats.endsAt);
	} catch (e) {
		fatal(e);
	}
}

// --- the socket -----------------------------------------------------------

function connect() {
	if (st.ended)
		return;
	const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
	const ws = new WebSocket(`${proto}//${location.host}/ws?sessionId=${encodeURIComponent(sessionId)}`);
	st.ws = ws;
	ws.onopen = () => {
		st.open = true;
		st.backoff = 0;
		setConn('Live', 'live');
		overlay('Getting a code…');
		// The relay says round:started first when a round is active;
		// ask for a token then, or after a second without it.
		st.firstStart = true;
		st.wantQrAt = performance.now() + 1000;
		syncList();
	};
	ws.onmessage = (ev) => {
		let msg;
		try {
			msg = JSON.parse(ev.data);
		} catch (e) {
			return;
		}
		if (msg && msg.data && msg.data.sessionId === sessionId)
			onEvent(msg.event, msg.data);
	};
	ws.onclose = (ev) => {
		if (st.ws !== ws)
			return;
		st.ws = null;
		st.open = false;
		if (st.ended)
			return;
		if (ev.code === LOGGED_OUT) {
			loggedOut();
			return;
		}
		dropToken('Reconnecting…', 'reconnecting');
		retry();
	};
}

// The login that opened the socket ended: never the last code again, and
// no reconnection (the relay would refuse it): the login page.
function loggedOut() {
	stop();
	dropToken('Logged out', 'ended');
	setConn('Logged out', 'ended');
	toLogin();
}

function retry() {
	const step = Math.min(10000, 500 * 2 ** st.backoff);
	const delay = step / 2 + Math.random() * step / 2;
	st.backoff = Math.min(st.backoff + 1, 5);
	setConn(`Reconnecting… (next try in ${Math.ceil(delay / 1000)} s)`, 'reconnecting');
	clearTimeout(st.retryTimer);
	st.retryTimer = setTimeout(async () => {
		// Still running?  Also tells a lost login from a lost relay.
		try {
			if (!await syncSession()) {
				await endedElsewhere();
				return;
			}
		} catch (e) {
			if (e instanceof ApiError && e.code === 'unauthenticated') {
				toLogin();
				return;
			}
			if (e instanceof ApiError && e.code === 'not_found') {
				fatal(e, 'session');
				stop();
				return;
			}
			// The server is unreachable too: try the socket anyway.
		}
		connect();
	}, delay);
}

function onEvent(name, d) {
	switch (name) {
	case 'round:started':
		setRound(d.roundId, d.roundNumber);
		if (st.firstStart) {
			st.firstStart = false;
			st.wantQrAt = performance.now();
		} else if (!st.token) {
			// Its token follows when this screen started it.
			st.wantQrAt = performance.now() + 1500;
		}
		break;
	case 'round:qr-updated':
		if (d.roundId === st.roundId)
			showToken(d.token, d.code);
		break;
	case 'attendance:recorded':
		recorded(d);
		break;
	case 'session:ended':
		showEnded(d.summary, d.endedAt);
		break;
	case 'relay:resync':
		// Events were lost: the shown token may be spent, the counts
		// behind.
		st.wantQrAt = performance.now();
		syncList();
		break;
	default:
		// Clients ignore events they do not know.
	}
}

// --- the clock ----------------------------------------------------------

function tick() {
	if (st.ended || !st.open)
		return;
	const now = performance.now();
	if (st.token) {
		const left = st.ttlMs - (now - st.arrivedAt);
		const cd = $('#countdown');
		cd.textContent = `${Math.max(0, Math.ceil(left / 1000))} s`;
		cd.className = left < 5000 ? 'soon' : '';
		if (left <= 0)
			dropToken('Getting a new code…');
		if (left <= renewMargin() && st.wantQrAt === null)
			st.wantQrAt = now;
	}
	if (st.wantQrAt !== null && now >= st.wantQrAt && !st.qrInFlight) {
		st.firstStart = false;
		st.wantQrAt = now + TOKEN_WAIT;
		requestQr();
	}
}

// --- marking by name -------------------------------------------------------
//
// A student whose phone is flat tells their name; the professor types part
// of it (accents and case ignored), picks them with the arrow keys and
// Enter, or a tap, and they are marked present in the running round
// (PUT .../records/:studentId), the screen staying as it is.

const MATCHES_SHOWN = 6;

async function loadStudents() {
	if (st.students)
		return st.students;
	const { enrollments } = await api('GET', `/groups/${st.session.groupId}/enrollments`);
	st.students = enrollments;
	return st.students;
}

function wireMarkByName() {
	const form = $('#mark-form');
	const input = $('#mark-name');
	const list = $('#mark-options');
	const msg = $('#mark-msg');
	let shown = [];
	let active = -1;

	const close = () => {
		list.hidden = true;
		list.replaceChildren();
		input.setAttribute('aria-expanded', 'false');
		input.removeAttribute('aria-activedescendant');
		shown = [];
		active = -1;
	};
	const highlight = (i) => {
		active = i;
		[...list.children].forEach((li, j) => li.setAttribute('aria-selected',
		    j === i ? 'true' : 'false'));
		if (i >= 0 && list.children[i])
			input.setAttribute('aria-activedescendant', list.children[i].id);
		else
			input.removeAttribute('aria-activedescendant');
	};
	const show = async () => {
		const query = input.value.trim();
		if (query === '') {
			close();
			return;
		}
		let students;
		try {
			students = await loadStudents();
		} catch (e) {
			say(msg, 'error', 'The list of students could not be read: ' + explain(e));
			return;
		}
		if (input.value.trim() !== query)
			return;	// typed on meanwhile
		const match = nameMatcher(query);
		const found = students.filter(match);
		shown = found.slice(0, MATCHES_SHOWN);
		list.replaceChildren(...[...shown.map((e, i) => {
			const done = st.checked.has(e.studentId);
			return h('li', { id: 'mark-opt-' + i, role: 'option',
			    'aria-selected': 'false', 'aria-disabled': done ? 'true' : null,
			    class: done ? 'done' : null, dataset: { username: e.username },
			    onpointerdown: (ev) => ev.preventDefault(),
			    onclick: () => pick(e) },
			    h('span', { class: 'who-in' }, e.displayName), ' ',
			    h('span', { class: 'muted' }, '(' + e.username + ')'),
			    done ? h('span', { class: 'muted' }, ' · checked in') : null);
		}), found.length > shown.length
		    ? h('li', { class: 'more muted', role: 'presentation' },
			`${found.length - shown.length} more: type more of the name`)
		    : null, found.length === 0
		    ? h('li', { class: 'more muted', role: 'presentation' },
			'No student of this group has this name.')
		    : null].filter((x) => x !== null));
		list.hidden = false;
		input.setAttribute('aria-expanded', 'true');
		const first = shown.findIndex((e) => !st.checked.has(e.studentId));
		highlight(first);
	};
	const pick = async (e) => {
		if (!e)
			return;
		if (st.checked.has(e.studentId)) {
			say(msg, 'info', `${e.displayName} is already checked in this round.`);
			return;
		}
		clear(msg);
		const roundId = st.roundId;
		const roundNumber = st.roundNumber;
		try {
			const { record } = await api('PUT', `/sessions/${sessionId}/rounds/` +
			    `${roundId}/records/${e.studentId}`, { status: 'present' });
			input.value = '';
			close();
			say(msg, 'ok', `${e.displayName} marked present in round ${roundNumber}.`);
			recorded({ ...record, username: e.username,
			    displayName: e.displayName, flags: [] });
			// A scan of the same student may have raced the mark:
			// the stored one (the last written) is what stays.
			syncFlagsSoon();
		} catch (err) {
			say(msg, 'error', `${e.displayName} was not marked: ` +
			    explain(err, 'student'));
			if (err.code === 'session_ended')
				await endedElsewhere();
		}
		input.focus();
	};
	input.addEventListener('input', () => {
		clear(msg);
		show();
	});
	input.addEventListener('focus', () => {
		loadStudents().catch(() => {});
	});
	input.addEventListener('keydown', (ev) => {
		const n = shown.length;
		if (ev.key === 'ArrowDown' && n) {
			ev.preventDefault();
			highlight((active + 1) % n);
		} else if (ev.key === 'ArrowUp' && n) {
			ev.preventDefault();
			highlight((active - 1 + n) % n);
		} else if (ev.key === 'Escape') {
			input.value = '';
			close();
		}
	});
	input.addEventListener('blur', () => setTimeout(() => {
		if (document.activeElement !== input)
			close();
	}, 150));
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		if (input.value.trim() === '') {
			say(msg, 'error', 'Type part of the student\'s name.');
			return;
		}
		if (active < 0 && shown.length === 1)
			active = 0;
		if (active < 0) {
			say(msg, 'error', shown.length === 0
			    ? 'No student of this group has this name.'
			    : 'Several students match: pick one with the arrow keys or a tap.');
			return;
		}
		pick(shown[active]);
	});
	ready('mark-submit');
}

// The end's summary: who never checked in (no present or late record in
// any round), from the session's stats; an excused student says so.
async function showNeverCheckedIn() {
	const box = $('#sum-never-box');
	let stats;
	try {
		stats = await api('GET', `/professor/sessions/${sessionId}/stats`);
	} catch (e) {
		say($('#sum-never-msg'), 'error', 'The list of absent students could not be read: ' +
		    explain(e));
		box.hidden = false;
		return;
	}
	const never = stats.students.filter((x) => x.present + x.late === 0)
	    .sort((a, b) => a.displayName.localeCompare(b.displayName));
	$('#sum-never-count').textContent = String(never.length);
	$('#sum-never').replaceChildren(...never.map((x) => h('li',
	    { dataset: { username: x.username } }, x.displayName, ' ',
	    h('span', { class: 'muted' }, '(' + x.username + ')'),
	    x.excused > 0 ? h('span', { class: 'muted' }, ' · excused') : null)));
	$('#sum-never').hidden = never.length === 0;
	$('#sum-never-none').hidden = never.length !== 0;
	box.hidden = false;
}

// --- buttons --------------------------------------------------------------

function wireButtons() {
	const msg = $('#action-msg');
	$('#new-round').addEventListener('click', async (ev) => {
		clear(msg);
		const button = ev.currentTarget;
		// As "End session": a round started by mistake sends everyone
		// back to their phones.
		if (!await confirmDialog('Start a new round? Everyone scans again; ' +
		    'attendance counts per round.', 'New round', 'Keep this round'))
			return;
		await busy(button, newRound);
	});
	async function newRound() {
		try {
			// The events (round:started, its token) may come first.
			const { round } = await api('POST', `/sessions/${sessionId}/rounds`);
			setRound(round.id, round.roundNumber);
			if (!st.token && st.wantQrAt === null)
				st.wantQrAt = performance.now() + 1500;
		} catch (e) {
			if (e.code === 'session_ended')
				await endedElsewhere();
			else
				say(msg, 'error', explain(e));
		}
	}
	$('#end').addEventListener('click', async (ev) => {
		clear(msg);
		const button = ev.currentTarget;
		if (!await confirmDialog('End this session? Students can no longer check in.',
		    'End session', 'Keep running'))
			return;
		await busy(button, async () => {
			try {
				const r = await api('PATCH', `/sessions/${sessionId}/end`);
				showEnded(r.summary, r.session.endsAt);
			} catch (e) {
				if (e.code === 'session_ended')
					await endedElsewhere();
				else
					say(msg, 'error', explain(e));
			}
		});
	});
	const full = $('#fullscreen');
	const toggle = () => {
		if (document.fullscreenElement)
			document.exitFullscreen().catch(() => {});
		else
			$('#stage').requestFullscreen().catch((e) => say(msg, 'error',
			    'Full screen refused by the browser: ' + e.message));
	};
	full.addEventListener('click', toggle);
	document.addEventListener('keydown', (ev) => {
		if ((ev.key === 'f' || ev.key === 'F') && !ev.ctrlKey && !ev.metaKey &&
		    !ev.altKey && !(ev.target instanceof HTMLInputElement) &&
		    !document.querySelector('dialog[open]') && !st.ended) {
			ev.preventDefault();
			toggle();
		}
	});
	document.addEventListener('fullscreenchange', () => {
		full.setAttribute('aria-pressed', document.fullscreenElement ? 'true' : 'false');
		full.textContent = document.fullscreenElement ? 'Leave full screen (F)' : 'Full screen (F)';
	});
	// Redrawn whenever its box changes size: a resized window, and full
	// screen, which need not resize the window (the canvas has a fixed
	// size: whole pixels a module).
	let resizeTimer = null;
	new ResizeObserver((entries) => {
		const r = entries[entries.length - 1].contentRect;
		qrSide = Math.min(r.width, r.height);
		clearTimeout(resizeTimer);
		resizeTimer = setTimeout(drawQr, 100);
	}).observe($('#qr-box'));
	document.addEventListener('visibilitychange', tick);
}

async function main() {
	await startPage('professor');
	if (!sessionId) {
		fatal(new ApiError(404, 'not_found', 'no session'), 'session');
		return;
	}
	let running;
	try {
		running = await syncSession();
		const s = st.session;
		const [{ group }, { course }] = await Promise.all([
			api('GET', '/groups/' + s.groupId),
			api('GET', '/courses/' + s.courseId),
		]);
		const name = `${course.code} · ${group.name}`;
		document.title = `${name} (live) · Attendance`;
		$('#title').textContent = name;
		$('#group-link').href = $('#sum-group').href = '/group.html?id=' + group.id;
		$('#sum-stats').href = '/session-stats.html?id=' + sessionId;
		// The public address is the one the professor opened
		// (docs/decisions.md), as in the QR code; "https://" goes
		// without saying.
		$('#code-url').textContent =
		    location.origin.replace(/^https:\/\//, '') + '/scan';
	} catch (e) {
		fatal(e, 'session');
		return;
	}
	wireButtons();
	wireNames();
	ready('fullscreen', 'new-round', 'end');
	if (!running) {
		await endedElsewhere();
		return;
	}
	await syncList();
	wireMarkByName();
	setInterval(tick, 200);
	connect();
}

main();
