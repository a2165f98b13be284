// Student: attendance per course, rates and counts (phone first: cards).
import { api } from './api.js';
import { $, h, startPage, fatal, fmtPercent } from './ui.js';

function card(c) {
	return h('section', { class: 'card', 'aria-labelledby': 'c-' + c.courseId,
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
		h('dt', {}, 'Absent'), h('dd', { class: 'absent' }, c.absent)));
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
