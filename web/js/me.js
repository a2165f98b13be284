// Student: attendance per course, rates and counts (phone first: cards),
// and on a click a course's rounds (GET /students/me/courses/:id/records):
// newest session first, each round with its mark and the time it was
// recorded; an absence says so in words, with a mark, not by colour.
import { api, explain } from './api.js';
import {
	$, h, startPage, fatal, fmtPercent, fmtDateTime, fmtTime, statusMark,
} from './ui.js';

const day = new Intl.DateTimeFormat(undefined,
    { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });

function plural(n, one, many) {
	return `${n} ${n === 1 ? one : many}`;
}

// The records, oldest first, as sessions (newest first) of rounds.
function bySession(records) {
	const sessions = new Map();
	for (const r of records) {
		if (!sessions.has(r.sessionId))
			sessions.set(r.sessionId, []);
		sessions.get(r.sessionId).push(r);
	}
	return [...sessions.values()].reverse();
}

function roundItem(r) {
	const absent = r.status === 'absent';
	return h('li', { class: 'round status-' + r.status, dataset: { round: r.roundNumber, status: r.status } },
	    h('span', { class: 'round-name' }, `Round ${r.roundNumber}`),
	    statusMark(r.status),
	    h('span', { class: 'round-time muted' }, absent
		? (r.recordedAt ? 'set by the professor' : 'no check-in')
		: r.recordedAt ? 'at ' + fmtTime(r.recordedAt) : ''));
}

function history(records) {
	if (records.length === 0)
		return [h('p', { class: 'muted' }, 'No rounds held yet.')];
	const absent = records.filter((r) => r.status === 'absent').length;
	const late = records.filter((r) => r.status === 'late').length;
	const excused = records.filter((r) => r.status === 'excused').length;
	const parts = [plural(absent, 'absence', 'absences')];
	if (late)
		parts.push(plural(late, 'late', 'late'));
	if (excused)
		parts.push(plural(excused, 'excused', 'excused'));
	return [
		h('p', { class: 'history-sum' + (absent ? ' has-absent' : '') },
		    parts.join(', ') + ` in ${plural(records.length, 'round', 'rounds')}.`),
		h('ol', { class: 'history', 'aria-label': 'Sessions, newest first' },
		    bySession(records).map((rounds) => h('li', { class: 'session',
			dataset: { session: rounds[0].sessionId } },
			h('div', { class: 'when' },
			    h('time', { datetime: rounds[0].startsAt, title: fmtDateTime(rounds[0].startsAt) },
				day.format(new Date(rounds[0].startsAt))),
			    ' ', h('span', { class: 'muted' }, fmtTime(rounds[0].startsAt))),
			h('ul', { class: 'rounds' }, rounds.map(roundItem))))),
	];
}

async function toggle(c, button, box, cardEl) {
	const open = button.getAttribute('aria-expanded') === 'true';
	if (open) {
		button.setAttribute('aria-expanded', 'false');
		button.textContent = 'Show my rounds';
		box.hidden = true;
		cardEl.classList.remove('open');
		return;
	}
	button.setAttribute('aria-expanded', 'true');
	button.textContent = 'Hide my rounds';
	box.hidden = false;
	cardEl.classList.add('open');
	box.replaceChildren(h('p', { class: 'muted' }, 'Reading…'));
	try {
		const { records } = await api('GET', `/students/me/courses/${c.courseId}/records`);
		box.replaceChildren(...history(records));
	} catch (e) {
		box.replaceChildren(h('p', { class: 'msg error', role: 'alert' },
		    'Your rounds could not be read: ' + explain(e, 'course')));
	}
}

function card(c) {
	const box = h('div', { class: 'history-box', id: 'h-' + c.courseId, hidden: true,
	    'aria-live': 'polite' });
	const button = h('button', { type: 'button', class: 'secondary show-rounds',
	    'aria-expanded': 'false', 'aria-controls': 'h-' + c.courseId }, 'Show my rounds');
	const el = h('section', { class: 'card', 'aria-labelledby': 'c-' + c.courseId,
	    dataset: { course: c.code } },
	    h('h3', { id: 'c-' + c.courseId }, `${c.code}: ${c.name}`),
	    h('p', { class: 'muted' }, `${c.term} · ${c.groupName}`),
	    h('p', { class: 'big-rate' }, fmtPercent(c.attendanceRate),
		h('span', { class: 'skip' }, ' attendance')),
	    h('dl', { class: 'counts' },
		h('dt', {}, 'Rounds held'), h('dd', { class: 'rounds' }, c.totalRounds),
		h('dt', {}, 'Present'), h('dd', { class: 'present' }, c.present),
		h('dt', {}, 'Late'), h('dd', { class: 'late' }, c.late),
		h('dt', {}, 'Excused'), h('dd', { class: 'excused' }, c.excused),
		h('dt', {}, 'Absent'), h('dd', { class: 'absent' }, c.absent)),
	    h('p', { class: 'card-actions' }, button),
	    box);
	button.addEventListener('click', () => toggle(c, button, box, el));
	return el;
}

async function main() {
	await startPage('student');
	try {
		const { courses } = await api('GET', '/students/me/stats');
		$('#courses').replaceChildren(...courses.map(card));
		$('#no-courses').hidden = courses.length !== 0;
	} catch (e) {
		fatal(e);
	}
}

main();
