// Professor: one course (?id=): its groups (a running session marked
// "Live now", linked to its live screen), a new group, its campus
// networks (allowedNetworks, networkPolicy), editing and deleting the
// course, the CSV export.
import { api, explain } from './api.js';
import {
	$, h, idParam, startPage, fatal, say, clear, busy, confirmDialog, ready,
	runningSessions, liveNow,
} from './ui.js';

const courseId = idParam();

function show(course, groups) {
	document.title = `${course.code} · Attendance`;
	$('#title').textContent = `${course.code}: ${course.name} (${course.term})`;
	$('#stats-link').href = '/course-stats.html?id=' + course.id;
	$('#csv-link').href = `/api/professor/courses/${course.id}/export.csv`;
	const form = $('#edit-form');
	form.code.value = course.code;
	form.name.value = course.name;
	form.term.value = course.term;
	form.description.value = course.description || '';
	const net = $('#net-form');
	net.networks.value = (course.allowedNetworks || []).join('\n');
	net.policy.value = course.networkPolicy === 'refuse' ? 'refuse' : 'flag';
	$('#groups tbody').replaceChildren(...groups.map((g) => h('tr',
	    { dataset: { group: g.id } },
	    h('td', { class: 'lead', 'data-label': 'Group' },
		h('a', { href: '/group.html?id=' + g.id }, g.name)),
	    h('td', { class: 'wide', 'data-label': 'Meeting schedule' }, g.meetingSchedule || ''),
	    h('td', { class: 'now nowrap wide' }))));
	$('#groups').hidden = groups.length === 0;
	$('#no-groups').hidden = groups.length !== 0;
	showRunning(groups);
}

// After the page shows: the groups' running sessions, at the top and on
// their rows, so a professor back from a logout is one click from the
// live screen.
async function showRunning(groups) {
	const running = await runningSessions(courseId, groups);
	const banner = $('#live-now');
	banner.replaceChildren(...running.map((r) => liveNow(r, true)));
	banner.hidden = running.length === 0;
	for (const r of running) {
		const td = $(`#groups tr[data-group="${r.group.id}"] td.now`);
		if (td)
			td.replaceChildren(liveNow(r, false));
	}
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

// The networks as typed: one per line (commas and spaces also separate),
// each with its line for the messages.
function readNetworks(text) {
	const entries = [];
	text.split('\n').forEach((line, i) => {
		for (const word of line.split(/[\s,;]+/))
			if (word)
				entries.push({ text: word, line: i + 1 });
	});
	return entries;
}

const MAX_NETWORKS = 50;

// The API names a bad entry by its index ("allowedNetworks[2] '10.1.2.3/8'
// has bits set ..."): said with its line instead.
function networkError(e, entries) {
	const m = /^allowedNetworks\[(\d+)\] (.*)$/.exec(e.message || '');
	if (e.code === 'invalid_request' && m && entries[Number(m[1])]) {
		const reason = m[2].replace(/^'[^']*' /, '');
		const entry = entries[Number(m[1])];
		return `Line ${entry.line}: "${entry.text}" ${reason}.`;
	}
	return explain(e);
}

function wireNetworkForm() {
	const form = $('#net-form');
	const list = form.networks;
	const error = $('#n-error');
	const msg = $('#net-msg');
	const bad = (text) => {
		say(error, 'error', text);
		list.setAttribute('aria-invalid', 'true');
		list.focus();
	};
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clear(error);
		clear(msg);
		list.removeAttribute('aria-invalid');
		const entries = readNetworks(list.value);
		if (entries.length > MAX_NETWORKS) {
			bad(`At most ${MAX_NETWORKS} networks: this list has ${entries.length}. ` +
			    'Name larger networks (10.20.0.0/16 holds 10.20.1.0/24 and 10.20.2.0/24).');
			return;
		}
		const policy = form.policy.value === 'refuse' ? 'refuse' : 'flag';
		const body = {
			allowedNetworks: entries.length ? entries.map((x) => x.text) : null,
			networkPolicy: policy,
		};
		busy($('#net-submit'), async () => {
			try {
				const { course } = await api('PATCH', '/courses/' + courseId, body);
				await load();
				const n = (course.allowedNetworks || []).length;
				say(msg, 'ok', n === 0
				    ? 'Saved: scans are accepted from anywhere.'
				    : `Saved: ${n} network${n === 1 ? '' : 's'}; scans from ` +
				    `other networks are ${course.networkPolicy === 'refuse'
					? 'refused' : 'flagged'}.`);
			} catch (e) {
				if (e.code === 'invalid_request')
					bad(networkError(e, entries));
				else
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
	wireNetworkForm();
	wireEditForm();
	ready('group-submit', 'net-submit', 'edit-submit', 'delete');
}

main();
