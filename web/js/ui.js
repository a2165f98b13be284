// Small helpers every page shares: building elements, the top bar and its
// logout, the login guard, formats.  No framework: a page is a static HTML
// file and one module that fills it.
import { api, ApiError, explain } from './api.js';

export const $ = (sel, root = document) => root.querySelector(sel);

// h('a', {href: '/x', class: 'button'}, 'text', child...): an element.
// Attributes starting with "on" are listeners; false/null ones are left out.
export function h(tag, attrs, ...children) {
	const el = document.createElement(tag);
	for (const [k, v] of Object.entries(attrs || {})) {
		if (v === false || v === null || v === undefined)
			continue;
		if (k.startsWith('on') && typeof v === 'function')
			el.addEventListener(k.slice(2), v);
		else if (k === 'class')
			el.className = v;
		else if (k === 'dataset')
			Object.assign(el.dataset, v);
		else
			el.setAttribute(k, v === true ? '' : v);
	}
	for (const c of children.flat()) {
		if (c === null || c === undefined || c === false)
			continue;
		el.append(c instanceof Node ? c : String(c));
	}
	return el;
}

export function param(name) {
	return new URLSearchParams(location.search).get(name);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// The page's ?id= when it is a UUID, else null.  It goes into API paths,
// where "../groups/<id>" would turn "delete this course" into "delete
// that group"; null there is an id the API answers 404 for.
export function idParam() {
	const id = param('id');
	return id !== null && UUID.test(id) ? id.toLowerCase() : null;
}

export function homeOf(user) {
	return user.role === 'professor' ? '/courses.html' : '/me.html';
}

// Where to go after a login: only a path of this site, else null.  The
// browser's own URL parser decides, as location.assign would: it drops
// tabs and newlines and reads "\" as "/", so "/\t/evil.example" (from
// ?next=/%09/evil.example), "//host" and "/\host" all name another
// origin; "javascript:" starts with no "/".  The path, query and fragment
// as the parser wrote them (percent-encoded) are what is followed.
export function safeNext(next) {
	if (!next || !next.startsWith('/'))
		return null;
	let url;
	try {
		url = new URL(next, location.origin);
	} catch (e) {
		return null;
	}
	if (url.origin !== location.origin)
		return null;
	return url.pathname + url.search + url.hash;
}

export function toLogin() {
	location.replace('/?next=' +
	    encodeURIComponent(location.pathname + location.search));
}

const never = () => new Promise(() => {});

// Shows a message in the page's #page-error and gives up on the page.
export function fatal(err, what) {
	const box = $('#page-error');
	if (box) {
		box.textContent = explain(err, what);
		box.hidden = false;
	}
	const body = $('#page-body');
	if (body)
		body.hidden = true;
}

// The login guard of a page: the user, or a redirect (to the login page,
// or to the home of the other role) and a promise that never settles.
export async function startPage(role) {
	let user;
	try {
		({ user } = await api('GET', '/auth/me'));
	} catch (e) {
		if (e instanceof ApiError && e.code === 'unauthenticated') {
			toLogin();
			return never();
		}
		fatal(e);
		return never();
	}
	if (role && user.role !== role) {
		location.replace(homeOf(user));
		return never();
	}
	fillTopBar(user);
	return user;
}

export function fillTopBar(user) {
	const nav = $('#nav');
	if (nav) {
		nav.replaceChildren(...(user.role === 'professor'
		    ? [h('a', { href: '/courses.html' }, 'Courses')]
		    : [h('a', { href: '/me.html' }, 'My attendance'),
			// The in-page scanner, open at once (scan.js).
			h('a', { href: '/scan?camera=1' }, 'Scan')]));
	}
	const who = $('#who');
	if (who)
		who.textContent = user.displayName + ' (' + user.username + ')';
	const out = $('#logout');
	if (out) {
		out.hidden = false;
		out.onclick = logout;
	}
}

export async function logout() {
	try {
		await api('POST', '/auth/logout');
	} catch (e) {
		// Logged out already, or unreachable: the login page tells.
	}
	sessionStorage.clear();
	location.assign('/?bye=1');
}

// Formats.  The browser's locale; times in the browser's time zone.
const dateTime = new Intl.DateTimeFormat(undefined,
    { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });
const percent = new Intl.NumberFormat(undefined,
    { style: 'percent', maximumFractionDigits: 1 });

export function fmtDateTime(iso) {
	return iso ? dateTime.format(new Date(iso)) : '';
}

export function fmtTime(iso) {
	return iso ? timeOnly.format(new Date(iso)) : '';
}

export function fmtPercent(rate) {
	return percent.format(Number(rate) || 0);
}

// The buttons of a page come disabled in its HTML, so nothing is sent
// (nor a form submitted the browser's way) before the page is wired.
export function ready(...ids) {
	for (const id of ids)
		$('#' + id).disabled = false;
}

// Puts a message in a .msg box: kind "error", "ok" or "info".
export function say(box, kind, text) {
	box.className = 'msg ' + kind;
	box.setAttribute('role', kind === 'error' ? 'alert' : 'status');
	box.textContent = text;
}

export function clear(box) {
	box.textContent = '';
}

// Runs fn with the button disabled, so a double click sends one request.
export async function busy(button, fn) {
	if (button.disabled)
		return undefined;
	button.disabled = true;
	try {
		return await fn();
	} finally {
		button.disabled = false;
	}
}

// Asks with a <dialog>: resolves true when the person confirms.
export function confirmDialog(text, yes, no = 'Cancel') {
	return new Promise((resolve) => {
		const dlg = h('dialog', { 'aria-labelledby': 'confirm-text' },
		    h('p', { id: 'confirm-text' }, text),
		    h('form', { method: 'dialog', class: 'actions' },
			h('button', { value: 'no', class: 'secondary', autofocus: true }, no),
			h('button', { value: 'yes', class: 'danger', id: 'confirm-yes' }, yes)));
		dlg.addEventListener('close', () => {
			resolve(dlg.returnValue === 'yes');
			dlg.remove();
		});
		document.body.append(dlg);
		dlg.showModal();
	});
}

export function statusBadge(session) {
	return h('span', { class: 'badge ' + session.status },
	    session.status === 'active' ? 'running' : 'ended');
}

// A scan's flags (contract v1.1, "Evidence and flags"), each shown as a
// mark and a short word, never by colour alone; the title and the
// legend (flagLegend) say what it means.
export const FLAGS = Object.freeze({
	shared_device: {
		word: 'Shared phone',
		mark: '!',
		title: 'Another student checked in to this session from the same ' +
		    'phone or browser (the same device cookie): one phone may ' +
		    'have checked in several people.',
	},
	outside_network: {
		word: 'Off campus network',
		mark: '!',
		title: 'Scanned from an address outside the course\'s campus ' +
		    'networks: the student may not have been in the room.',
	},
	no_device: {
		word: 'No device cookie',
		mark: '?',
		title: 'The browser brought no device cookie of this service ' +
		    '(a private window, cleared cookies, or a first visit), so a ' +
		    'shared phone could not be seen.',
	},
});

// The flags as a list of marks and words (unknown ones by their name).
export function flagList(flags) {
	const known = (flags || []).filter((f) => typeof f === 'string');
	if (known.length === 0)
		return null;
	return h('span', { class: 'flags' }, known.map((f) => {
		const d = FLAGS[f] || { word: f.replace(/_/g, ' '), mark: '!', title: f };
		return h('span', { class: 'flag flag-' + f.replace(/[^a-z_]/g, ''),
		    title: d.title, dataset: { flag: f } },
		    h('span', { class: 'flag-mark', 'aria-hidden': 'true' }, d.mark),
		    ' ', d.word);
	}));
}

// What the flags mean, for those who cannot hover a title (a phone).
export function flagLegend(which) {
	const keys = Object.keys(FLAGS).filter((f) => !which || which.includes(f));
	return h('dl', { class: 'flag-legend' }, keys.flatMap((f) => [
		h('dt', {}, flagList([f])), h('dd', {}, FLAGS[f].title)]));
}

// The four marks of a record, each with the key that sets it on the
// session page and a letter shown beside its word (so the key is learnt
// by looking, and the mark is never told by colour alone).
export const STATUS = Object.freeze({
	present: { word: 'Present', key: 'P' },
	late: { word: 'Late', key: 'L' },
	excused: { word: 'Excused', key: 'E' },
	absent: { word: 'Absent', key: 'A' },
});

export function statusWord(status) {
	return (STATUS[status] || { word: String(status) }).word;
}

// A mark: its letter in a box, then its word.
export function statusMark(status) {
	const s = STATUS[status] || { word: String(status), key: '?' };
	return h('span', { class: 'mark mark-' + String(status).replace(/[^a-z]/g, '') },
	    h('span', { class: 'mark-key', 'aria-hidden': 'true' }, s.key),
	    h('span', { class: 'mark-word' }, s.word));
}

// Text as a search compares it: lower case, without accents, so "zoe"
// finds "Zoë" and "nunez" finds "Núñez".
export function folded(text) {
	return String(text || '').normalize('NFD').replace(/\p{M}/gu, '')
	    .toLowerCase();
}

// A test of a person against what was typed: every word typed is in
// their display name or username ("ana gar" finds "Ana García").
export function nameMatcher(query) {
	const words = folded(query).split(/\s+/).filter((w) => w !== '');
	return (person) => {
		const text = folded(person.displayName) + ' ' + folded(person.username);
		return words.every((w) => text.includes(w));
	};
}

// A course's sessions running now: one entry per group with an active
// session, {group, session}.  The contract has no list of running
// sessions, so a group's sessions (newest first) are asked for, in
// parallel; a failed group counts as not running.
export async function runningSessions(courseId, groups) {
	const list = groups || (await api('GET', '/courses/' + courseId)).groups;
	const found = await Promise.all(list.map(async (group) => {
		try {
			const { sessions } = await api('GET', `/groups/${group.id}/sessions`);
			const session = sessions.find((s) => s.isActive);
			return session ? { group, session } : null;
		} catch (e) {
			return null;
		}
	}));
	return found.filter((x) => x !== null);
}

// "Live now" with a link to the session's live screen.
export function liveNow(running, withGroup) {
	return h('a', { class: 'live-now', href: '/live.html?id=' + running.session.id,
	    dataset: { session: running.session.id } },
	    h('span', { class: 'live-dot', 'aria-hidden': 'true' }),
	    'Live now', withGroup ? ': ' + running.group.name : null);
}
