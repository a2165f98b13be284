// Professor: the list of their courses (a running session marked "Live
// now", linked to its live screen), and a new one.
import { api, explain } from './api.js';
import {
	$, h, startPage, fatal, say, clear, busy, ready, runningSessions, liveNow,
} from './ui.js';

function row(c) {
	// On a phone each course is a card, each cell named.
	return h('tr', { dataset: { course: c.id } },
	    h('td', { class: 'lead', 'data-label': 'Code' },
		h('a', { href: '/course.html?id=' + c.id }, c.code)),
	    h('td', { class: 'wide', 'data-label': 'Name' }, c.name),
	    h('td', { class: 'nowrap wide', 'data-label': 'Term' }, c.term),
	    h('td', { class: 'muted wide', 'data-label': 'Description' }, c.description || ''),
	    h('td', { class: 'now wide' }));
}

// After the list shows: each course's running sessions (the courses in
// parallel; a course that cannot be read shows nothing).
async function showRunning(courses) {
	await Promise.all(courses.map(async (c) => {
		let running;
		try {
			running = await runningSessions(c.id);
		} catch (e) {
			return;
		}
		const td = $(`#courses tr[data-course="${c.id}"] td.now`);
		if (td)
			td.replaceChildren(...running.map((r) => liveNow(r, true)));
	}));
}

async function load() {
	const { courses } = await api('GET', '/courses');
	$('#courses tbody').replaceChildren(...courses.map(row));
	$('#courses').hidden = courses.length === 0;
	$('#no-courses').hidden = courses.length !== 0;
	showRunning(courses);
}

async function main() {
	await startPage('professor');
	try {
		await load();
	} catch (e) {
		fatal(e);
		return;
	}
	const form = $('#create-form');
	const msg = $('#create-msg');
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clear(msg);
		const body = {
			code: form.code.value.trim(),
			name: form.name.value.trim(),
			term: form.term.value.trim(),
		};
		const description = form.description.value.trim();
		if (description)
			body.description = description;
		for (const [field, label] of [['code', 'a code'],
		    ['term', 'a term'], ['name', 'a name']]) {
			if (!body[field]) {
				say(msg, 'error', `Give the course ${label}.`);
				form[field].focus();
				return;
			}
		}
		busy($('#create-submit'), async () => {
			try {
				const { course } = await api('POST', '/courses', body);
				location.assign('/course.html?id=' + course.id);
			} catch (e) {
				say(msg, 'error', explain(e));
			}
		});
	});
	ready('create-submit');
}

main();
