// Professor: a course's report (?id=): groups and students, rates as
// percentages; the students under a threshold (75 % unless the professor
// picks another, remembered for the course in this browser) first, then
// the others, each part sorted by the column asked for and filtered by
// name, group or "only under the threshold"; the CSV export of every
// round (GET /professor/courses/:id/export.csv); a running session's
// live screen.
import { api } from './api.js';
import {
	$, h, idParam, startPage, fatal, fmtPercent, folded, nameMatcher,
	runningSessions, liveNow,
} from './ui.js';

const courseId = idParam();
const DEFAULT_THRESHOLD = 75;
const KEY = 'attendance.threshold.' + courseId;

const view = { students: [], groups: new Map(), sort: 'rate', dir: 1 };

function num(label, n, cls) {
	return h('td', { class: 'num' + (cls ? ' ' + cls : ''), 'data-label': label }, String(n));
}

function rounds(st) {
	return st.present + st.late + st.excused + st.absent;
}

function threshold() {
	const v = Number($('#threshold').value);
	return Number.isFinite(v) && v >= 0 && v <= 100 ? v / 100 : DEFAULT_THRESHOLD / 100;
}

// Under the threshold: only a student whose group has held rounds.
function under(st, limit) {
	return rounds(st) > 0 && st.attendanceRate < limit;
}

function compare(a, b) {
	const byName = folded(a.displayName).localeCompare(folded(b.displayName)) ||
	    a.username.localeCompare(b.username);
	let d = 0;
	switch (view.sort) {
	case 'name':
		return view.dir * byName;
	case 'group':
		d = (view.groups.get(a.groupId) || '').localeCompare(view.groups.get(b.groupId) || '');
		break;
	case 'rate':
		d = a.attendanceRate - b.attendanceRate;
		break;
	default:
		d = a[view.sort] - b[view.sort];
	}
	return view.dir * d || byName;
}

function row(st, limit) {
	const low = under(st, limit);
	return h('tr', { class: low ? 'under' : null, dataset: { username: st.username } },
	    h('td', { class: 'student', 'data-label': 'Student' },
		h('span', { class: 'name' }, st.displayName), ' ',
		h('span', { class: 'muted nowrap' }, '(' + st.username + ')')),
	    h('td', { 'data-label': 'Group' }, view.groups.get(st.groupId) || ''),
	    num('Present', st.present), num('Late', st.late),
	    num('Excused', st.excused), num('Absent', st.absent, st.absent ? 'absent some' : 'absent'),
	    h('td', { class: 'num rate-cell', 'data-label': 'Rate' },
		rounds(st) ? h('span', { class: 'rate' }, fmtPercent(st.attendanceRate))
		    : h('span', { class: 'rate muted' }, 'no rounds yet'),
		low ? h('span', { class: 'under-mark' },
		    h('span', { 'aria-hidden': 'true' }, '▼ '), 'under') : null));
}

function section(body, title, list, limit) {
	body.replaceChildren(...(list.length ? [h('tr', { class: 'section' },
	    h('th', { colspan: '7', scope: 'rowgroup' }, title))] : []),
	    ...list.map((st) => row(st, limit)));
}

function render() {
	const limit = threshold();
	const pct = fmtPercent(limit);
	const match = nameMatcher($('#s-find').value);
	const group = $('#s-group').value;
	const only = $('#s-under').checked;
	const list = view.students.filter((st) => match(st) &&
	    (!group || st.groupId === group) && (!only || under(st, limit)))
	    .sort(compare);
	const low = list.filter((st) => under(st, limit));
	const rest = list.filter((st) => rounds(st) > 0 && !under(st, limit));
	const none = list.filter((st) => rounds(st) === 0);
	section($('#under-body'), `Under ${pct}: ${low.length}`, low, limit);
	section($('#rest-body'), `${pct} or more: ${rest.length}`, rest, limit);
	section($('#none-body'), `No rounds held yet: ${none.length}`, none, limit);
	$('#s-under').nextElementSibling.textContent = `Only under ${pct}`;
	$('#no-students').hidden = list.length !== 0;
	const all = view.students.length;
	const lowAll = view.students.filter((st) => under(st, limit)).length;
	$('#students-count').textContent = `${lowAll} of ${all} students under ${pct}` +
	    (list.length !== all ? `; ${list.length} shown` : '') + '.';
	for (const th of $('#students thead').querySelectorAll('th[data-sort]')) {
		const on = th.dataset.sort === view.sort;
		if (on)
			th.setAttribute('aria-sort', view.dir > 0 ? 'ascending' : 'descending');
		else
			th.removeAttribute('aria-sort');
		th.querySelector('button').dataset.arrow = on ? (view.dir > 0 ? '▲' : '▼') : '';
	}
	const choice = `${view.sort}/${view.dir}`;
	const sel = $('#s-sort');
	if ([...sel.options].some((o) => o.value === choice))
		sel.value = choice;
}

function wire() {
	const saved = Number(localStorage.getItem(KEY));
	if (localStorage.getItem(KEY) !== null && Number.isFinite(saved) && saved >= 0 && saved <= 100)
		$('#threshold').value = String(saved);
	$('#threshold').addEventListener('input', () => {
		const v = Number($('#threshold').value);
		const ok = $('#threshold').value !== '' && Number.isFinite(v) && v >= 0 && v <= 100;
		$('#threshold').setAttribute('aria-invalid', ok ? 'false' : 'true');
		if (ok)
			localStorage.setItem(KEY, String(v));
		render();
	});
	for (const id of ['#s-find', '#s-group', '#s-under'])
		$(id).addEventListener('input', render);
	$('#filter-form').addEventListener('submit', (ev) => ev.preventDefault());
	// The phone's sort (its table has no header to click).
	$('#s-sort').addEventListener('input', () => {
		const [by, dir] = $('#s-sort').value.split('/');
		view.sort = by;
		view.dir = Number(dir);
		render();
	});
	for (const b of $('#students thead').querySelectorAll('button.sort')) {
		b.addEventListener('click', () => {
			if (view.sort === b.dataset.sort)
				view.dir = -view.dir;
			else {
				view.sort = b.dataset.sort;
				view.dir = b.dataset.sort === 'absent' ? -1 : 1;
			}
			render();
		});
	}
}

async function main() {
	await startPage('professor');
	let course, groups;
	try {
		let s;
		[s, { course, groups }] = await Promise.all([
			api('GET', `/professor/courses/${courseId}/stats`),
			api('GET', '/courses/' + courseId),
		]);
		document.title = `${course.code} statistics · Attendance`;
		$('#course-link').textContent = course.code;
		$('#course-link').href = '/course.html?id=' + course.id;
		$('#title').textContent = `${course.code}: ${course.name} (${course.term})`;
		$('#csv-link').href = `/api/professor/courses/${course.id}/export.csv`;
		$('#t-enrolled').textContent = s.enrolledCount;
		$('#t-sessions').textContent = s.totalSessions;
		$('#t-rounds').textContent = s.totalRounds;
		view.groups = new Map(s.groups.map((g) => [g.groupId, g.name]));
		$('#groups tbody').replaceChildren(...s.groups.map((g) => h('tr',
		    { dataset: { group: g.name } },
		    h('td', { class: 'lead', 'data-label': 'Group' },
			h('a', { href: '/group.html?id=' + g.groupId }, g.name)),
		    num('Students', g.enrolledCount), num('Sessions', g.sessions),
		    num('Rounds', g.rounds),
		    g.rounds ? num('Rate', fmtPercent(g.attendanceRate), 'rate')
			: h('td', { class: 'num rate muted', 'data-label': 'Rate' }, 'no rounds yet'))));
		$('#s-group').append(...s.groups.map((g) => h('option', { value: g.groupId }, g.name)));
		view.students = s.students;
		wire();
		render();
	} catch (e) {
		fatal(e, 'course');
		return;
	}
	const running = await runningSessions(courseId, groups);
	const banner = $('#live-now');
	banner.replaceChildren(...running.map((r) => liveNow(r, true)));
	banner.hidden = running.length === 0;
}

main();
