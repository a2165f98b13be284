// Professor: one session's report (?id=): the grid of marks (students ×
// rounds, each set with a click or a key: marks.js), the rounds, and the
// check-ins (GET /sessions/:id/records: flagged ones first, with how each
// was made and where from).  A round's rate: (present + late) / enrolled
// students.  After each mark saved the stats are read again (so the
// totals follow), and while the session runs the page re-reads it every
// few seconds, so scans made meanwhile show up.
import { api, explain } from './api.js';
import {
	$, h, idParam, startPage, fatal, fmtDateTime, fmtPercent, fmtTime,
	statusBadge, say, flagList, flagLegend, ready, busy,
} from './ui.js';
import { MarkGrid } from './marks.js';

const sessionId = idParam();
const POLL = 10000;	// re-read a running session this often (ms)

let grid = null;
let refreshTimer = null;
let pollTimer = null;
let running = false;

const SOURCES = { scan: 'QR', code: 'Typed code', professor: 'Set by you' };
const STATUSES = { present: 'Present', late: 'Late', excused: 'Excused', absent: 'Absent' };

function flagged(r) {
	return Array.isArray(r.flags) && r.flags.length > 0;
}

// Flagged first, then by round and time.
function byConcern(a, b) {
	return (flagged(b) - flagged(a)) || (a.roundNumber - b.roundNumber) ||
	    String(a.recordedAt).localeCompare(String(b.recordedAt));
}

// A cell with the column's name, which a phone shows beside the value.
function cell(label, attrs, ...content) {
	return h('td', { ...attrs, 'data-label': label }, ...content);
}

function showRecords(records) {
	const list = [...records].sort(byConcern);
	const count = list.filter(flagged).length;
	const link = $('#t-flagged');
	link.textContent = String(count);
	if (count)
		link.setAttribute('href', '#records-title');
	else
		link.removeAttribute('href');
	$('#records tbody').replaceChildren(...list.map((r) => h('tr', {
		class: flagged(r) ? 'flagged' : null,
		dataset: { username: r.username, round: r.roundNumber },
	    },
	    cell('Student', { class: 'student' }, r.displayName, ' ',
		h('span', { class: 'muted nowrap' }, '(' + r.username + ')')),
	    cell('Round', { class: 'num' }, String(r.roundNumber)),
	    cell('Status', { class: 'status' }, r.status === 'late'
		? h('span', { class: 'badge late' }, 'Late') : STATUSES[r.status] || r.status),
	    cell('How', { class: 'source' }, SOURCES[r.source] || r.source),
	    cell('Flags', { class: 'flags-cell wide' }, flagList(r.flags) ||
		h('span', { class: 'muted' }, 'None')),
	    cell('Address', { class: 'address wide' }, r.address
		? h('span', { class: 'mono' }, r.address)
		: h('span', { class: 'muted' }, r.source === 'professor' ? 'None' : 'Cleared')),
	    cell('Time', { class: 'nowrap' }, fmtTime(r.recordedAt)))));
	$('#records').hidden = list.length === 0;
	$('#no-records').hidden = list.length !== 0;
	const seen = [...new Set(list.flatMap((r) => r.flags || []))];
	$('#flag-help').hidden = seen.length === 0;
	$('#marks-flags').hidden = seen.length === 0;
	$('#flag-legend').replaceChildren(flagLegend(seen));
}

function showStats(s) {
	$('#when').replaceChildren(statusBadge(s), ' ',
	    s.endsAt ? `${fmtDateTime(s.startsAt)} to ${fmtDateTime(s.endsAt)}`
		: `since ${fmtDateTime(s.startsAt)}`);
	running = s.status === 'active';
	const live = $('#live-link');
	live.hidden = !running;
	live.firstElementChild.href = '/live.html?id=' + s.sessionId;

	const checkins = s.rounds.reduce((n, r) => n + r.present + r.late, 0);
	const slots = s.enrolledCount * s.totalRounds;
	$('#t-enrolled').textContent = s.enrolledCount;
	$('#t-rounds').textContent = s.totalRounds;
	$('#t-checkins').textContent = checkins;
	$('#t-rate').textContent = fmtPercent(slots ? checkins / slots : 0);

	// On a phone each round is a card, each cell named.
	const n = (label, v) => cell(label, { class: 'num' }, String(v));
	$('#rounds tbody').replaceChildren(...s.rounds.map((r) => h('tr',
	    { dataset: { round: r.roundNumber } },
	    cell('Round', { class: 'lead' }, h('span', { class: 'phone-only' }, 'Round '),
		String(r.roundNumber), r.isActive ? ' (running)' : ''),
	    cell('Started', {}, fmtDateTime(r.startsAt)),
	    cell('Ended', {}, fmtDateTime(r.endsAt)),
	    n('Present', r.present), n('Late', r.late), n('Excused', r.excused),
	    n('Absent', r.absent),
	    cell('Rate', { class: 'num rate' }, fmtPercent(s.enrolledCount
		? (r.present + r.late) / s.enrolledCount : 0)))));
	$('#no-students').hidden = s.students.length !== 0;
}

// The stats and the records, read together (the grid needs both).
async function refresh() {
	clearTimeout(refreshTimer);
	refreshTimer = null;
	const since = grid.stamp;
	const [s, recs] = await Promise.all([
		api('GET', `/professor/sessions/${sessionId}/stats`),
		api('GET', `/sessions/${sessionId}/records`).catch((e) => e),
	]);
	showStats(s);
	if (recs instanceof Error) {
		$('#records').hidden = true;
		$('#t-flagged').textContent = '–';
		say($('#records-msg'), 'error', 'The check-ins could not be read: ' + explain(recs));
		// Without the records every mark would read absent: the grid
		// keeps what it showed, or waits for the next reading.
		if (grid.rounds.length === 0) {
			$('#marks').hidden = true;
			say($('#marks-msg'), 'error', 'The marks could not be read: ' +
			    explain(recs) + ' Press Refresh to try again.');
		}
		return;
	}
	$('#records-msg').textContent = '';
	if ($('#marks-msg').classList.contains('error') && grid.rounds.length === 0)
		$('#marks-msg').textContent = '';
	showRecords(recs.records);
	grid.load(s, recs.records, since);
	$('#marks').hidden = s.students.length === 0;
}

// After a mark is saved: once for several in a row.
function refreshSoon() {
	clearTimeout(refreshTimer);
	refreshTimer = setTimeout(() => refresh().catch(() => {}), 400);
}

// A running session: scans keep coming; re-read while nothing is being
// changed and the page is seen.
function poll() {
	clearTimeout(pollTimer);
	pollTimer = setTimeout(async () => {
		if (running && !document.hidden && !grid.busy && refreshTimer === null)
			await refresh().catch(() => {});
		if (running)
			poll();
	}, POLL);
}

async function main() {
	await startPage('professor');
	grid = new MarkGrid({
		table: $('#marks'),
		status: $('#marks-msg'),
		find: $('#find'),
		count: $('#marks-count'),
		sessionId,
		onSaved: refreshSoon,
	});
	try {
		const s = await api('GET', `/professor/sessions/${sessionId}/stats`);
		const [{ group }, { course }] = await Promise.all([
			api('GET', '/groups/' + s.groupId),
			api('GET', '/courses/' + s.courseId),
		]);
		document.title = `${course.code} ${group.name} session · Attendance`;
		$('#course-link').textContent = course.code;
		$('#course-link').href = '/course.html?id=' + course.id;
		$('#group-link').textContent = group.name;
		$('#group-link').href = '/group.html?id=' + group.id;
		$('#title').textContent = `${course.code} · ${group.name}: session of ${fmtDateTime(s.startsAt)}`;
		await refresh();
	} catch (e) {
		fatal(e, 'session');
		return;
	}
	$('#refresh').addEventListener('click', (ev) => busy(ev.currentTarget, async () => {
		try {
			await refresh();
		} catch (e) {
			say($('#marks-msg'), 'error', 'Could not read the session again: ' + explain(e));
		}
	}));
	ready('refresh');
	if (running)
		poll();
}

main();
