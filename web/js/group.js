// Professor: one group (?id=): start a session, the group's sessions, its
// students (one, many pasted one per line, removal), editing the group.
import { api, explain } from './api.js';
import {
	$, h, idParam, startPage, fatal, say, clear, busy, confirmDialog,
	fmtDateTime, statusBadge, ready,
} from './ui.js';

const groupId = idParam();
let group = null;

function secondsText(s) {
	if (s % 60 === 0 && s >= 60)
		return `${s / 60} min`;
	return `${s} s`;
}

// A session's QR lifetime, and whether its code was everyone's (window
// mode, contract v1.1) or one student's.
function lifetimeText(s) {
	return secondsText(s.qrTtlSeconds) +
	    (s.scanMode === 'window' ? ', one code for everyone' : '');
}

async function loadGroup() {
	({ group } = await api('GET', '/groups/' + groupId));
	const { course } = await api('GET', '/courses/' + group.courseId);
	document.title = `${course.code} ${group.name} · Attendance`;
	$('#course-link').href = '/course.html?id=' + course.id;
	$('#course-link').textContent = course.code;
	$('#title').textContent = `${course.code} · ${group.name}`;
	$('#schedule').textContent = group.meetingSchedule || '';
	const form = $('#edit-form');
	form.name.value = group.name;
	form.meetingSchedule.value = group.meetingSchedule || '';
}

async function loadSessions() {
	const { sessions } = await api('GET', `/groups/${groupId}/sessions`);
	$('#sessions tbody').replaceChildren(...sessions.map((s) => h('tr', {},
	    h('td', {}, fmtDateTime(s.startsAt)),
	    h('td', {}, fmtDateTime(s.endsAt)),
	    h('td', {}, statusBadge(s)),
	    h('td', { class: 'num' }, lifetimeText(s)),
	    h('td', { class: 'num' }, secondsText(s.lateAfterSeconds)),
	    h('td', { class: 'nowrap' },
		s.isActive ? h('a', { href: '/live.html?id=' + s.id }, 'Live screen') : null,
		s.isActive ? ' · ' : null,
		h('a', { href: '/session-stats.html?id=' + s.id }, 'Statistics')))));
	$('#sessions').hidden = sessions.length === 0;
	$('#no-sessions').hidden = sessions.length !== 0;
	const active = sessions.find((s) => s.isActive);
	const running = $('#running');
	running.hidden = !active;
	if (active) {
		running.replaceChildren('A session has been running since ' +
		    fmtDateTime(active.startsAt) + ': ',
		    h('a', { href: '/live.html?id=' + active.id, id: 'running-link' },
			'open its live screen'), '.');
	}
	$('#start-form').hidden = !!active;
}

async function loadEnrollments() {
	const { enrollments } = await api('GET', `/groups/${groupId}/enrollments`);
	$('#enrollments tbody').replaceChildren(...enrollments.map((e) => h('tr', {},
	    h('td', {}, e.username),
	    h('td', {}, e.displayName),
	    h('td', {}, e.email),
	    h('td', {}, h('button', {
		    type: 'button', class: 'small secondary',
		    'aria-label': `Remove ${e.displayName}`,
		    onclick: (ev) => remove(ev.currentTarget, e),
	    }, 'Remove')))));
	$('#enrollments').hidden = enrollments.length === 0;
	$('#no-students').hidden = enrollments.length !== 0;
	$('#enrolled-count').textContent = `(${enrollments.length})`;
}

async function remove(button, e) {
	const msg = $('#enroll-list-msg');
	clear(msg);
	if (!await confirmDialog(`Remove ${e.displayName} (${e.username}) from this group?`,
	    'Remove'))
		return;
	await busy(button, async () => {
		try {
			await api('DELETE', `/groups/${groupId}/enrollments/${e.studentId}`);
			await loadEnrollments();
			say(msg, 'ok', `${e.displayName} removed.`);
		} catch (err) {
			say(msg, 'error', err.code === 'conflict'
			    ? `${e.displayName} has attendance records in this course, so cannot be removed: records are never thrown away.`
			    : explain(err, 'enrollment'));
		}
	});
}

// The start form's choice of scan mode: the large hall's label says how
// often its code is renewed, the QR code lifetime of the form.
function wireMode(form) {
	const every = () => {
		const ttl = Number(form.ttl.value);
		$('#s-every').textContent = Number.isInteger(ttl) && ttl >= 5 &&
		    ttl <= 600 ? String(ttl) : 'N';
	};
	form.ttl.addEventListener('input', every);
	every();
}

function wireStart() {
	const form = $('#start-form');
	const msg = $('#start-msg');
	wireMode(form);
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clear(msg);
		const ttl = Number(form.ttl.value);
		const late = Number(form.late.value);
		if (!Number.isInteger(ttl) || ttl < 5 || ttl > 600) {
			say(msg, 'error', 'The QR code lifetime is a whole number of seconds from 5 to 600.');
			form.ttl.focus();
			return;
		}
		if (!Number.isInteger(late) || late < 0 || late > 1440) {
			say(msg, 'error', '"Late after" is a whole number of minutes from 0 to 1440.');
			form.late.focus();
			return;
		}
		busy($('#start-submit'), async () => {
			try {
				const { session } = await api('POST', `/groups/${groupId}/sessions`,
				    { qrTtlSeconds: ttl, lateAfterSeconds: late * 60,
					scanMode: form.mode.value });
				location.assign('/live.html?id=' + session.id);
			} catch (e) {
				say(msg, 'error', explain(e));
				if (e.code === 'session_active')
					await loadSessions();
			}
		});
	});
}

function wireAdd() {
	const form = $('#add-form');
	const msg = $('#add-msg');
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clear(msg);
		const student = form.student.value.trim();
		if (!student) {
			say(msg, 'error', 'Enter a username or email.');
			form.student.focus();
			return;
		}
		busy($('#add-submit'), async () => {
			try {
				const { enrollment } = await api('POST',
				    `/groups/${groupId}/enrollments`, { student });
				form.reset();
				await loadEnrollments();
				say(msg, 'ok', `${enrollment.displayName} (${enrollment.username}) enrolled.`);
			} catch (e) {
				say(msg, 'error', e.code === 'not_found'
				    ? `No student "${student}": check the username or email.`
				    : explain(e));
			}
		});
	});
}

function lineError(err) {
	switch (err.code) {
	case 'not_found':
		return 'no such student';
	case 'already_enrolled':
		return 'already in a group of this course';
	default:
		return err.message || err.code;
	}
}

function wireBulk() {
	const form = $('#bulk-form');
	const msg = $('#bulk-msg');
	const out = $('#bulk-results');
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clear(msg);
		out.replaceChildren();
		const lines = form.list.value.split(/\r?\n/).map((l) => l.trim())
		    .filter((l) => l !== '');
		if (lines.length === 0) {
			say(msg, 'error', 'Paste at least one username or email, one per line.');
			form.list.focus();
			return;
		}
		busy($('#bulk-submit'), async () => {
			const results = [];
			try {
				// The contract takes up to 1000 at once.
				for (let i = 0; i < lines.length; i += 1000) {
					const part = lines.slice(i, i + 1000);
					const r = await api('POST', `/groups/${groupId}/enrollments`,
					    { students: part });
					// Failures name the line as sent; the others enrolled.
					const failed = new Map();
					for (const f of r.failed) {
						const k = f.student.trim().toLowerCase();
						if (!failed.has(k))
							failed.set(k, []);
						failed.get(k).push(f.error);
					}
					for (const line of part) {
						const errs = failed.get(line.toLowerCase());
						results.push({ line, error: errs && errs.length ? errs.shift() : null });
					}
				}
			} catch (e) {
				say(msg, 'error', explain(e));
			}
			const ok = results.filter((r) => !r.error).length;
			out.replaceChildren(...results.map((r) => h('li',
			    { class: r.error ? 'bad' : 'ok' },
			    r.line + ': ' + (r.error ? lineError(r.error) : 'enrolled'))));
			if (results.length)
				say(msg, ok === results.length ? 'ok' : 'info',
				    `${ok} of ${results.length} enrolled.`);
			await loadEnrollments();
		});
	});
}

function wireEdit() {
	const form = $('#edit-form');
	const msg = $('#edit-msg');
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clear(msg);
		const name = form.name.value.trim();
		if (!name) {
			say(msg, 'error', 'The name cannot be empty.');
			return;
		}
		busy($('#edit-submit'), async () => {
			try {
				await api('PATCH', '/groups/' + groupId, {
					name,
					meetingSchedule: form.meetingSchedule.value.trim() || null,
				});
				await loadGroup();
				say(msg, 'ok', 'Saved.');
			} catch (e) {
				say(msg, 'error', explain(e));
			}
		});
	});
	$('#delete').addEventListener('click', async () => {
		clear(msg);
		if (!await confirmDialog('Delete this group? A group that has held sessions cannot be deleted.',
		    'Delete group'))
			return;
		try {
			await api('DELETE', '/groups/' + groupId);
			location.assign('/course.html?id=' + group.courseId);
		} catch (e) {
			say(msg, 'error', e.code === 'conflict'
			    ? 'This group has sessions, so it cannot be deleted: attendance records are never thrown away.'
			    : explain(e));
		}
	});
}

async function main() {
	await startPage('professor');
	try {
		await loadGroup();
		await Promise.all([loadSessions(), loadEnrollments()]);
	} catch (e) {
		fatal(e, 'group');
		return;
	}
	wireStart();
	wireAdd();
	wireBulk();
	wireEdit();
	ready('start-submit', 'add-submit', 'bulk-submit', 'edit-submit', 'delete');
}

main();
