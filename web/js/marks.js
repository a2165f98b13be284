// The session page's grid of marks: one row per student enrolled, one
// column per round, each cell the student's record in that round (absent
// when there is none), with its flags.  A cell is set with a click (a
// small menu of the four marks) or from the keyboard: the arrow keys,
// Home/End and Page Up/Down move, P, L, E and A set, Enter opens the menu.
// Each change is shown at once and sent (PUT .../records/:studentId); a
// failed one is put back to what the server holds, marked "Not saved" on
// its cell, and told in words.  Changes to one cell go one at a time, the
// last one typed winning, so a quick P then L ends on L on both sides.
// Rows are sorted only when asked (a click on a column's header), never
// under the keyboard as rates change.
import { api, explain } from './api.js';
import {
	h, say, clear, STATUS, statusMark, statusWord, FLAGS, folded,
	nameMatcher, fmtTime, fmtPercent,
} from './ui.js';

const KEYS = { p: 'present', l: 'late', e: 'excused', a: 'absent' };
const SOURCES = { scan: 'QR', code: 'typed code', professor: 'set by you' };
const PAGE = 10;	// rows moved by Page Up/Down

function counts(status) {
	return status === 'present' || status === 'late';
}

export class MarkGrid {
	// table: the <table>; status: a .msg box for what was saved or not;
	// find: the search field; sessionId; onSaved(): after each record the
	// server took (the page re-reads its stats).
	constructor({ table, status, find, count, sessionId, onSaved }) {
		this.table = table;
		this.status = status;
		this.find = find;
		this.count = count;
		this.sessionId = sessionId;
		this.onSaved = onSaved || (() => {});
		this.rounds = [];
		this.students = [];
		this.cells = new Map();	// "studentId/roundId" -> cell
		this.rows = new Map();	// studentId -> <tr>
		this.sort = { by: 'name', dir: 1 };
		this.focusKey = null;	// the cell of tabindex 0
		this.query = '';
		this.menu = null;
		this.stamp = 0;		// changes sent so far
		table.setAttribute('role', 'grid');
		table.addEventListener('keydown', (ev) => this.onKey(ev));
		table.addEventListener('click', (ev) => this.onClick(ev));
		table.addEventListener('focusin', (ev) => {
			const c = this.cellOf(ev.target);
			if (c)
				this.rove(c);
		});
		find.addEventListener('input', () => this.filter(find.value));
		find.addEventListener('keydown', (ev) => {
			if (ev.key === 'Enter') {
				ev.preventDefault();
				this.focusFirstFound();
			}
		});
	}

	// Whether a change is on its way: the page waits before re-reading.
	get busy() {
		for (const c of this.cells.values())
			if (c.inFlight)
				return true;
		return this.menu !== null;
	}

	// The session's stats (students, rounds) and records: the first time
	// it builds the grid; after, cells on their way keep what was typed,
	// and so do those sent after `since` (a stamp read before asking:
	// the answer may predate them).
	load(stats, records, since = Infinity) {
		const byKey = new Map(records.map((r) => [`${r.studentId}/${r.roundId}`, r]));
		const shape = (list, key) => list.map((x) => x[key]).join();
		const rebuild = shape(stats.rounds, 'roundId') !== shape(this.rounds, 'roundId') ||
		    shape(stats.students, 'studentId') !== shape(this.students, 'studentId');
		this.rounds = stats.rounds.map((r) => ({ ...r }));
		this.students = stats.students.map((s) => ({ ...s }));
		for (const s of this.students) {
			for (const r of this.rounds) {
				const key = `${s.studentId}/${r.roundId}`;
				const rec = byKey.get(key);
				const saved = rec ? {
					status: rec.status, source: rec.source,
					recordedAt: rec.recordedAt, flags: rec.flags || [],
				} : { status: 'absent', source: null, recordedAt: null, flags: [] };
				let c = this.cells.get(key);
				if (!c) {
					c = { key, student: s, round: r, failed: null,
					    inFlight: false, queued: null, el: null, stamp: 0 };
					this.cells.set(key, c);
				}
				c.student = s;
				c.round = r;
				if (c.inFlight || c.stamp > since)
					continue;
				c.saved = saved;
				Object.assign(c, saved);
			}
		}
		if (rebuild)
			this.build();
		else
			for (const c of this.cells.values())
				if (c.el)
					this.paint(c);
		for (const s of this.students)
			this.paintRate(s.studentId);
	}

	rate(studentId) {
		if (this.rounds.length === 0)
			return 0;
		let n = 0;
		for (const r of this.rounds)
			if (counts(this.cells.get(`${studentId}/${r.roundId}`).status))
				n++;
		return n / this.rounds.length;
	}

	sorted() {
		const byName = (a, b) => folded(a.displayName).localeCompare(folded(b.displayName)) ||
		    a.username.localeCompare(b.username);
		const list = [...this.students];
		if (this.sort.by === 'rate')
			list.sort((a, b) => this.sort.dir * (this.rate(a.studentId) - this.rate(b.studentId)) ||
			    byName(a, b));
		else
			list.sort((a, b) => this.sort.dir * byName(a, b));
		return list;
	}

	sortButton(by, label) {
		const on = this.sort.by === by;
		const arrow = on ? (this.sort.dir > 0 ? ' ▲' : ' ▼') : '';
		return h('button', { type: 'button', class: 'sort', dataset: { sort: by },
		    'aria-label': `${label}: sort by ${by === 'rate' ? 'rate' : 'name'}` },
		    label, h('span', { 'aria-hidden': 'true' }, arrow));
	}

	header() {
		const aria = (by) => this.sort.by === by
		    ? (this.sort.dir > 0 ? 'ascending' : 'descending') : null;
		return h('thead', {}, h('tr', { role: 'row' },
		    h('th', { role: 'columnheader', scope: 'col', class: 'who-col',
			'aria-sort': aria('name') }, this.sortButton('name', 'Student')),
		    this.rounds.map((r) => h('th', { role: 'columnheader', scope: 'col',
			class: 'round-col', dataset: { round: r.roundNumber } },
			`Round ${r.roundNumber}`, h('br'),
			h('span', { class: 'muted small' }, fmtTime(r.startsAt),
			    r.isActive ? ' (running)' : ''))),
		    h('th', { role: 'columnheader', scope: 'col', class: 'num',
			'aria-sort': aria('rate') }, this.sortButton('rate', 'Rate'))));
	}

	build() {
		const hadFocus = this.table.contains(document.activeElement);
		this.rows.clear();
		const body = h('tbody', {}, this.sorted().map((s) => {
			const tr = h('tr', { role: 'row', dataset: { username: s.username,
			    student: s.studentId } },
			    h('th', { role: 'rowheader', scope: 'row', class: 'who-col' },
				h('span', { class: 'name' }, s.displayName), ' ',
				h('span', { class: 'muted nowrap' }, '(' + s.username + ')')),
			    this.rounds.map((r) => {
				const c = this.cells.get(`${s.studentId}/${r.roundId}`);
				c.el = h('td', { role: 'gridcell', tabindex: '-1', class: 'mark-cell',
				    dataset: { key: c.key, round: r.roundNumber } });
				this.paint(c);
				return c.el;
			    }),
			    h('td', { role: 'gridcell', class: 'num rate', 'aria-readonly': 'true' }));
			this.rows.set(s.studentId, tr);
			return tr;
		}));
		this.table.replaceChildren(this.header(), body);
		for (const b of this.table.querySelectorAll('button.sort'))
			b.addEventListener('click', () => this.sortBy(b.dataset.sort));
		for (const s of this.students)
			this.paintRate(s.studentId);
		this.filter(this.query, true);
		const c = this.cells.get(this.focusKey) || this.firstVisible();
		if (c) {
			this.rove(c);
			if (hadFocus)
				c.el.focus();
		}
	}

	sortBy(by) {
		if (this.sort.by === by)
			this.sort.dir = -this.sort.dir;
		else
			this.sort = { by, dir: 1 };
		const focused = this.table.querySelector('button.sort:focus');
		this.build();
		if (focused)
			this.table.querySelector(`button.sort[data-sort="${by}"]`).focus();
	}

	paintRate(studentId) {
		const tr = this.rows.get(studentId);
		if (tr)
			tr.querySelector('.rate').textContent = fmtPercent(this.rate(studentId));
	}

	// What a cell says, in words, for its title.
	describe(c) {
		const parts = [`${c.student.displayName}, round ${c.round.roundNumber}: ${statusWord(c.status)}`];
		if (c.source)
			parts.push(`${SOURCES[c.source] || c.source}${c.recordedAt ? ' at ' + fmtTime(c.recordedAt) : ''}`);
		else if (c.status === 'absent')
			parts.push('no check-in');
		for (const f of c.flags || [])
			parts.push((FLAGS[f] || { word: f }).word);
		if (c.inFlight)
			parts.push('saving');
		if (c.failed)
			parts.push('not saved: ' + c.failed);
		return parts.join(' · ');
	}

	paint(c) {
		const el = c.el;
		el.className = 'mark-cell status-' + c.status +
		    (c.inFlight ? ' saving' : '') + (c.failed ? ' failed' : '') +
		    (c.source === null && c.status === 'absent' ? ' none' : '');
		el.dataset.status = c.status;
		el.title = this.describe(c);
		el.setAttribute('aria-busy', c.inFlight ? 'true' : 'false');
		const flags = (c.flags || []).map((f) => {
			const d = FLAGS[f] || { word: f.replace(/_/g, ' '), mark: '!', title: f };
			return h('span', { class: 'gflag flag-' + f.replace(/[^a-z_]/g, ''),
			    title: d.title, dataset: { flag: f } },
			    h('span', { class: 'flag-mark', 'aria-hidden': 'true' }, d.mark),
			    h('span', { class: 'gflag-word' }, d.word));
		});
		el.replaceChildren(...[statusMark(c.status),
		    flags.length ? h('span', { class: 'gflags' }, flags) : null,
		    c.inFlight ? h('span', { class: 'cell-note' },
			h('span', { class: 'note-word' }, 'Saving…')) : null,
		    c.failed ? h('span', { class: 'cell-note not-saved' },
			h('span', { class: 'flag-mark', 'aria-hidden': 'true' }, '!'),
			h('span', { class: 'note-word' }, 'Not saved')) : null,
		].filter((x) => x !== null));
	}

	// --- moving -----------------------------------------------------------

	cellOf(el) {
		const td = el && el.closest && el.closest('td.mark-cell');
		return td ? this.cells.get(td.dataset.key) : null;
	}

	visibleRows() {
		return [...this.table.tBodies[0].rows].filter((tr) => !tr.hidden);
	}

	firstVisible() {
		const tr = this.visibleRows()[0];
		return tr ? this.cellOf(tr.querySelector('td.mark-cell')) : null;
	}

	rove(c) {
		const old = this.cells.get(this.focusKey);
		if (old && old.el && old !== c)
			old.el.tabIndex = -1;
		this.focusKey = c.key;
		c.el.tabIndex = 0;
	}

	go(c) {
		if (!c)
			return;
		this.rove(c);
		c.el.focus();
	}

	move(c, dRow, dCol, ev) {
		const rows = this.visibleRows();
		const tr = this.rows.get(c.student.studentId);
		let row = rows.indexOf(tr);
		let col = this.rounds.findIndex((r) => r.roundId === c.round.roundId);
		if (ev && (ev.key === 'Home' || ev.key === 'End') && ev.ctrlKey)
			row = ev.key === 'Home' ? 0 : rows.length - 1;
		else if (ev && ev.key === 'Home')
			col = 0;
		else if (ev && ev.key === 'End')
			col = this.rounds.length - 1;
		row = Math.max(0, Math.min(rows.length - 1, row + dRow));
		col = Math.max(0, Math.min(this.rounds.length - 1, col + dCol));
		const target = rows[row];
		if (target)
			this.go(this.cells.get(`${target.dataset.student}/${this.rounds[col].roundId}`));
	}

	onKey(ev) {
		const c = this.cellOf(ev.target);
		if (!c || ev.altKey || ev.metaKey)
			return;
		const key = ev.key.length === 1 ? ev.key.toLowerCase() : ev.key;
		const moves = {
			ArrowUp: [-1, 0], ArrowDown: [1, 0], ArrowLeft: [0, -1], ArrowRight: [0, 1],
			PageUp: [-PAGE, 0], PageDown: [PAGE, 0], Home: [0, 0], End: [0, 0],
		};
		if (moves[key]) {
			ev.preventDefault();
			this.move(c, ...moves[key], ev);
		} else if (KEYS[key] && !ev.ctrlKey) {
			ev.preventDefault();
			this.set(c, KEYS[key]);
		} else if (key === 'Enter' || key === ' ' || key === 'F2') {
			ev.preventDefault();
			this.openMenu(c);
		}
	}

	onClick(ev) {
		const c = this.cellOf(ev.target);
		if (!c)
			return;
		this.go(c);
		this.openMenu(c);
	}

	// --- finding ----------------------------------------------------------

	filter(query, quiet) {
		this.query = query;
		const match = nameMatcher(query);
		let shown = 0;
		for (const s of this.students) {
			const tr = this.rows.get(s.studentId);
			const ok = match(s);
			tr.hidden = !ok;
			if (ok)
				shown++;
		}
		const all = this.students.length;
		this.count.textContent = query.trim() === '' ? `${all} students`
		    : `${shown} of ${all} students shown`;
		const cur = this.cells.get(this.focusKey);
		if (!quiet && cur && this.rows.get(cur.student.studentId).hidden) {
			const first = this.firstVisible();
			if (first)
				this.rove(first);
		}
	}

	// Enter in the search field: the first student found, in the running
	// round (else the last), ready for P.
	focusFirstFound() {
		const tr = this.visibleRows()[0];
		if (!tr)
			return;
		const round = this.rounds.find((r) => r.isActive) || this.rounds[this.rounds.length - 1];
		this.go(this.cells.get(`${tr.dataset.student}/${round.roundId}`));
	}

	// --- setting ----------------------------------------------------------

	set(c, status) {
		if (!STATUS[status])
			return;
		// The same mark again changes nothing: a scanned record keeps
		// its evidence and flags.
		if (c.status === status && !c.inFlight)
			return;
		c.failed = null;
		Object.assign(c, { status, source: 'professor', recordedAt: null, flags: [] });
		this.paintRate(c.student.studentId);
		if (c.inFlight) {
			c.queued = status;
			this.paint(c);
			return;
		}
		this.send(c, status);
	}

	async send(c, status) {
		c.inFlight = true;
		c.stamp = ++this.stamp;
		this.paint(c);
		const who = `${c.student.displayName}, round ${c.round.roundNumber}`;
		try {
			const { record } = await api('PUT', `/sessions/${this.sessionId}/rounds/` +
			    `${c.round.roundId}/records/${c.student.studentId}`, { status });
			c.saved = { status: record.status, source: 'professor',
			    recordedAt: record.recordedAt, flags: [] };
			if (c.queued === null) {
				say(this.status, 'ok', `Saved: ${who}: ${statusWord(record.status)}.`);
				Object.assign(c, c.saved);
			}
		} catch (e) {
			c.queued = null;
			Object.assign(c, c.saved);
			c.failed = explain(e);
			say(this.status, 'error', `Not saved: ${who} is still ` +
			    `${statusWord(c.saved.status)}. ${c.failed}`);
		} finally {
			c.inFlight = false;
		}
		const next = c.queued;
		c.queued = null;
		if (next !== null && next !== c.saved.status) {
			this.send(c, next);
			return;
		}
		if (next !== null)
			Object.assign(c, c.saved);
		this.paint(c);
		this.paintRate(c.student.studentId);
		if (!c.failed)
			this.onSaved();
	}

	// --- the menu of a click ------------------------------------------------

	openMenu(c) {
		this.closeMenu(false);
		const items = Object.keys(STATUS).map((s) => h('button', {
			type: 'button', role: 'menuitemradio', class: 'menu-item',
			'aria-checked': c.status === s ? 'true' : 'false', dataset: { status: s },
			onclick: () => {
				this.closeMenu(true);
				this.set(c, s);
			},
		}, statusMark(s)));
		const menu = h('div', { class: 'mark-menu', role: 'menu',
		    'aria-label': `Mark for ${c.student.displayName}, round ${c.round.roundNumber}` },
		    items);
		menu.addEventListener('keydown', (ev) => {
			const i = items.indexOf(document.activeElement);
			const key = ev.key.length === 1 ? ev.key.toLowerCase() : ev.key;
			if (key === 'Escape' || key === 'Tab') {
				ev.preventDefault();
				this.closeMenu(true);
			} else if (key === 'ArrowDown' || key === 'ArrowUp') {
				ev.preventDefault();
				const n = items.length;
				items[(i + (key === 'ArrowDown' ? 1 : n - 1)) % n].focus();
			} else if (KEYS[key] && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
				ev.preventDefault();
				this.closeMenu(true);
				this.set(c, KEYS[key]);
			}
		});
		document.body.append(menu);
		const r = c.el.getBoundingClientRect();
		const w = menu.offsetWidth;
		const left = Math.max(4, Math.min(r.left, document.documentElement.clientWidth - w - 4));
		menu.style.left = `${left + window.scrollX}px`;
		menu.style.top = `${r.bottom + window.scrollY + 2}px`;
		this.menu = { el: menu, cell: c };
		this.outside = (ev) => {
			if (!menu.contains(ev.target) && !c.el.contains(ev.target))
				this.closeMenu(false);
		};
		document.addEventListener('pointerdown', this.outside, true);
		(items.find((b) => b.getAttribute('aria-checked') === 'true') || items[0]).focus();
	}

	closeMenu(refocus) {
		if (!this.menu)
			return;
		const { el, cell } = this.menu;
		this.menu = null;
		document.removeEventListener('pointerdown', this.outside, true);
		el.remove();
		if (refocus)
			cell.el.focus();
	}

	clearStatus() {
		clear(this.status);
	}
}
