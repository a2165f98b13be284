// Professor: one session's report (?id=): the rounds, the check-ins
// (GET /sessions/:id/records: flagged ones first, with how each was made
// and where from) and the students.  A round's rate: (present + late) /
// enrolled students.
import { api, explain } from './api.js';
import {
	$, h, idParam, startPage, fatal, fmtDateTime, fmtPercent, fmtTime,
	statusBadge, say, flagList, flagLegend,
} from './ui.js';

const sessionId = idParam();

function num(n) {
	return h('td', { class: 'num' }, String(n));
}

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
	$('#flag-legend').replaceChildren(flagLegend(seen));
}

async function loadRecords() {
	try {
		const { records } = await api('GET', `/sessions/${sessionId}/records`);
		showRecords(records);
	} catch (e) {
		$('#records').hidden = true;
		$('#t-flagged').textContent = '–';
		say($('#records-msg'), 'error', 'The check-ins could not be read: ' + explain(e));
	}
}

async function main() {
	await startPage('professor');
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
		$('#when').replaceChildren(statusBadge(s), ' ',
		    s.endsAt ? `${fmtDateTime(s.startsAt)} to ${fmtDateTime(s.endsAt)}`
			: `since ${fmtDateTime(s.startsAt)}`);
		const live = $('#live-link');
		live.hidden = s.status !== 'active';
		live.firstElementChild.href = '/live.html?id=' + s.sessionId;

		const checkins = s.rounds.reduce((n, r) => n + r.present + r.late, 0);
		const slots = s.enrolledCount * s.totalRounds;
		$('#t-enrolled').textContent = s.enrolledCount;
		$('#t-rounds').textContent = s.totalRounds;
		$('#t-checkins').textContent = checkins;
		$('#t-rate').textContent = fmtPercent(slots ? checkins / slots : 0);

		$('#rounds tbody').replaceChildren(...s.rounds.map((r) => h('tr',
		    { dataset: { round: r.roundNumber } },
		    h('td', {}, String(r.roundNumber), r.isActive ? ' (running)' : ''),
		    h('td', {}, fmtDateTime(r.startsAt)),
		    h('td', {}, fmtDateTime(r.endsAt)),
		    num(r.present), num(r.late), num(r.excused), num(r.absent),
		    h('td', { class: 'num rate' }, fmtPercent(s.enrolledCount
			? (r.present + r.late) / s.enrolledCount : 0)))));
		$('#students tbody').replaceChildren(...s.students.map((st) => h('tr',
		    { dataset: { username: st.username } },
		    h('td', {}, st.username), h('td', {}, st.displayName),
		    num(st.present), num(st.late), num(st.excused), num(st.absent),
		    h('td', { class: 'num rate' }, fmtPercent(st.attendanceRate)))));
		await loadRecords();
	} catch (e) {
		fatal(e, 'session');
	}
}

main();
