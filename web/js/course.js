// Professor: one course (?id=): its groups, a new group, editing and
// deleting the course.
import { api, explain } from './api.js';
import { $, h, idParam, startPage, fatal, say, clear, busy, confirmDialog, ready } from './ui.js';

const courseId = idParam();

function show(course, groups) {
	document.title = `${course.code} · Attendance`;
	$('#title').textContent = `${course.code}: ${course.name} (${course.term})`;
	$('#stats-link').href = '/course-stats.html?id=' + course.id;
	const form = $('#edit-form');
	form.code.value = course.code;
	form.name.value = course.name;
	form.term.value = course.term;
	form.description.value = course.description || '';
	$('#groups tbody').replaceChildren(...groups.map((g) => h('tr', {},
	    h('td', {}, h('a', { href: '/group.html?id=' + g.id }, g.name)),
	    h('td', {}, g.meetingSchedule || ''))));
	$('#groups').hidden = groups.length === 0;
	$('#no-groups').hidden = groups.length !== 0;
}

async function load() {
	const { course, groups } = await api('GET', '/courses/' + courseId);
	show(course, groups);
}

function wireGroupForm() {
	const form = $('#group-form');
	const msg = $('#group-msg');
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clear(msg);
		const name = form.name.value.trim();
		const schedule = form.meetingSchedule.value.trim();
		if (!name) {
			say(msg, 'error', 'Give the group a name.');
			form.name.focus();
			return;
		}
		const body = { name };
		if (schedule)
			body.meetingSchedule = schedule;
		busy($('#group-submit'), async () => {
			try {
				const { group } = await api('POST',
				    `/courses/${courseId}/groups`, body);
				form.reset();
				await load();
				say(msg, 'ok', `Group "${group.name}" added.`);
			} catch (e) {
				say(msg, 'error', explain(e));
			}
		});
	});
}

function wireEditForm() {
	const form = $('#edit-form');
	const msg = $('#edit-msg');
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clear(msg);
		const body = {
			code: form.code.value.trim(),
			name: form.name.value.trim(),
			term: form.term.value.trim(),
			description: form.description.value.trim() || null,
		};
		if (!body.code || !body.name || !body.term) {
			say(msg, 'error', 'Code, name and term cannot be empty.');
			return;
		}
		busy($('#edit-submit'), async () => {
			try {
				await api('PATCH', '/courses/' + courseId, body);
				await load();
				say(msg, 'ok', 'Saved.');
			} catch (e) {
				say(msg, 'error', explain(e));
			}
		});
	});
	$('#delete').addEventListener('click', async () => {
		clear(msg);
		if (!await confirmDialog('Delete this course and its groups? ' +
		    'A course that has held sessions cannot be deleted.',
		    'Delete course'))
			return;
		try {
			await api('DELETE', '/courses/' + courseId);
			location.assign('/courses.html');
		} catch (e) {
			say(msg, 'error', e.code === 'conflict'
			    ? 'This course has sessions, so it cannot be deleted: attendance records are never thrown away.'
			    : explain(e));
		}
	});
}

async function main() {
	await startPage('professor');
	try {
		await load();
	} catch (e) {
		fatal(e, 'course');
		return;
	}
	wireGroupForm();
	wireEditForm();
	ready('group-submit', 'edit-submit', 'delete');
}

main();
