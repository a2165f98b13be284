// Professor: one session's report (?id=): the rounds and the students.
// A round's rate: (present + late) / enrolled students.
import { api } from './api.js';
import { $, h, idParam, startPage, fatal, fmtDateTime, fmtPercent, statusBadge } from './ui.js';

const sessionId = idParam();

function num(n) {
	return h('td', { class: 'num' }, String(n));
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
	} catch (e) {
		fatal(e, 'session');
	}
}

main();
