// What a professor pastes into "Enroll many", read as a list of usernames
// or emails.  No DOM here: the browser test runs it in Node too.
//
//  - Entries are separated by new lines, commas, semicolons, tabs or
//    spaces; quotes around a cell and <...> around an email are dropped.
//  - A first line made only of column names (Username, Email, Name, ...)
//    is a spreadsheet's header and is skipped.  When it names several
//    columns, the username column (else the email one) is the one read
//    from each row below it.
//  - On a line holding an email, the other words are a name beside it
//    ("Ada Okafor <ada@uni.example>", "Okafor, Ada, ada@uni.example"):
//    only the email is read, and the result says names were left out.
//  - Repeats (case aside: usernames and emails are unique without regard
//    to case) are folded into the first.
//  - From " #" (or a "#" starting the line) on, a line is a comment: the
//    reason the page wrote after an entry that failed.

const HEADER_WORDS = new Set([
	'username', 'usernames', 'user', 'user name', 'user id', 'userid',
	'login', 'login name', 'email', 'emails', 'e-mail', 'e-mails', 'mail',
	'email address', 'e-mail address', 'student', 'students', 'student id',
	'name', 'names', 'full name', 'display name', 'first name', 'last name',
	'surname', 'given name', 'family name', 'id', 'group', 'section',
]);
const USER_COLUMNS = ['username', 'user name', 'user', 'login', 'login name',
	'user id', 'userid', 'student id', 'id'];
const EMAIL_COLUMNS = ['email', 'e-mail', 'email address', 'e-mail address', 'mail'];

function cells(line) {
	return line.split(/[,;\t]/).map((c) => c.trim().replace(/^"(.*)"$/s, '$1')
	    .replace(/^'(.*)'$/s, '$1').trim());
}

function words(cell) {
	return cell.split(/\s+/).map((w) => w.replace(/^[<("']+|[>)"']+$/g, ''))
	    .filter((w) => w !== '');
}

function headerOf(line) {
	const cs = cells(line).map((c) => c.toLowerCase().replace(/\s+/g, ' '))
	    .filter((c) => c !== '');
	if (cs.length === 0 || !cs.every((c) => HEADER_WORDS.has(c)))
		return null;
	const all = cells(line).map((c) => c.toLowerCase().replace(/\s+/g, ' '));
	let column = -1;
	for (const names of [USER_COLUMNS, EMAIL_COLUMNS]) {
		column = all.findIndex((c) => names.includes(c));
		if (column >= 0)
			break;
	}
	return { column: cs.length > 1 ? column : -1 };
}

function uncomment(line) {
	const m = /(^|\s)#/.exec(line);
	return m ? line.slice(0, m.index) : line;
}

// -> { entries: [text], header: the skipped line or null, repeats: n,
//      namesLeftOut: bool }
export function parseRoster(text) {
	const lines = String(text).replace(/^\uFEFF/, '').split(/\r\n|\n|\r/)
	    .map(uncomment);
	const out = { entries: [], header: null, repeats: 0, namesLeftOut: false };
	const seen = new Set();
	let column = -1;
	let first = true;
	for (const line of lines) {
		if (line.trim() === '')
			continue;
		if (first) {
			first = false;
			const head = headerOf(line);
			if (head) {
				out.header = line.trim().replace(/\s+/g, ' ');
				column = head.column;
				continue;
			}
		}
		const cs = cells(line);
		let found;
		if (column >= 0 && cs.length > 1)
			found = words(cs[column] || '');
		else
			found = cs.flatMap(words);
		const emails = found.filter((w) => w.includes('@'));
		if (emails.length > 0 && emails.length < found.length) {
			out.namesLeftOut = true;
			found = emails;
		}
		for (const w of found) {
			const key = w.toLowerCase();
			if (seen.has(key)) {
				out.repeats++;
				continue;
			}
			seen.add(key);
			out.entries.push(w);
		}
	}
	return out;
}
