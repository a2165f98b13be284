// Professor: a course's report (?id=): groups and students, rates as
// percentages.
import { api } from './api.js';
import { $, h, idParam, startPage, fatal, fmtPercent } from './ui.js';

const courseId = idParam();

function num(n) {
	return h('td', { class: 'num' }, String(n));
}

async function main() {
	await startPage('professor');
	try {
		const [s, { course }] = await Promise.all([
			api('GET', `/professor/courses/${courseId}/stats`),
			api('GET', '/courses/' + courseId),
		]);
		document.title = `${course.code} statistics · Attendance`;
		$('#course-link').textContent = course.code;
		$('#course-link').href = '/course.html?id=' + course.id;
		$('#title').textContent = `${course.code}: ${course.name} (${course.term})`;
		$('#t-enrolled').textContent = s.enrolledCount;
		$('#t-sessions').textContent = s.totalSessions;
		$('#t-rounds').textContent = s.totalRounds;
		const names = new Map(s.groups.map((g) => [g.groupId, g.name]));
		$('#groups tbody').replaceChildren(...s.groups.map((g) => h('tr',
		    { dataset: { group: g.name } },
		    h('td', {}, h('a', { href: '/group.html?id=' + g.groupId }, g.name)),
		    num(g.enrolledCount), num(g.sessions), num(g.rounds),
		    h('td', { class: 'num rate' }, fmtPercent(g.attendanceRate)))));
		$('#students tbody').replaceChildren(...s.students.map((st) => h('tr',
		    { dataset: { username: st.username } },
		    h('td', {}, st.username), h('td', {}, st.displayName),
		    h('td', {}, names.get(st.groupId) || ''),
		    num(st.present), num(st.late), num(st.excused), num(st.absent),
		    h('td', { class: 'num rate' }, fmtPercent(st.attendanceRate)))));
	} catch (e) {
		fatal(e, 'course');
	}
}

main();
