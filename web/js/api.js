// The REST API of ../shared/spec/API.md, as the pages call it: same
// origin, the sid cookie (HttpOnly, so never read here), JSON both ways.
// Every failure becomes an ApiError carrying the contract's error code, and
// explain() turns a code into words for a person.

export class ApiError extends Error {
	constructor(status, code, message, retryAfter) {
		super(message);
		this.status = status;	// 0: the server was not reached
		this.code = code;
		this.retryAfter = retryAfter;
	}
}

// api('POST', '/courses', {...}) -> the parsed body (null for a 204).
export async function api(method, path, body) {
	const init = {
		method,
		credentials: 'same-origin',
		cache: 'no-store',
		headers: { Accept: 'application/json' },
	};
	if (body !== undefined) {
		init.headers['Content-Type'] = 'application/json';
		init.body = JSON.stringify(body);
	}
	let res;
	try {
		res = await fetch('/api' + path, init);
	} catch (e) {
		throw new ApiError(0, 'network', 'network error');
	}
	if (res.status === 204)
		return null;
	let data = null;
	try {
		data = await res.json();
	} catch (e) {
		data = null;
	}
	if (!res.ok || data === null) {
		const err = (data && data.error) || {};
		throw new ApiError(res.status, err.code || 'http_' + res.status,
		    err.message || res.statusText,
		    res.headers.get('Retry-After'));
	}
	return data;
}

function minutes(seconds) {
	const s = Number(seconds);
	if (!Number.isFinite(s) || s <= 0)
		return 'a moment';
	if (s < 90)
		return `${Math.ceil(s)} seconds`;
	return `${Math.ceil(s / 60)} minutes`;
}

function sentence(text) {
	if (!text)
		return '';
	const t = String(text);
	return t.charAt(0).toUpperCase() + t.slice(1) + (/[.!?]$/.test(t) ? '' : '.');
}

// Words for a person; `what` names the thing for not_found ("course"),
// or is "code" for the answers of POST /scan/code (its rate_limited is
// the limit on wrong codes, not the login throttle).
export function explain(err, what) {
	if (!(err instanceof ApiError))
		return 'Something went wrong in this page: ' + String(err && err.message || err);
	switch (err.code) {
	case 'network':
		return 'Cannot reach the server. Check the connection and try again.';
	case 'unauthenticated':
		return 'You are not logged in, or your login expired. Log in again.';
	case 'invalid_credentials':
		return 'Wrong username, email or password.';
	case 'rate_limited':
		return what === 'code'
		    ? `Too many wrong codes. Wait ${minutes(err.retryAfter)}, or scan the QR code.`
		    : `Too many failed logins. Try again in ${minutes(err.retryAfter)}.`;
	case 'outside_network':
		return 'This course only accepts scans from the campus network. ' +
		    'Connect to the campus Wi-Fi and scan again.';
	case 'forbidden':
		return 'Your account is not allowed to do this.';
	case 'csrf_origin':
		return 'Refused: this page was not opened from the service\'s own address.';
	case 'not_found':
		return what ? `This ${what} does not exist (or is not yours).`
		    : 'Not found: it does not exist, or it is not yours.';
	case 'already_enrolled':
		return 'This student is already in a group of this course.';
	case 'session_active':
		return 'This group already has a session running.';
	case 'session_ended':
		return 'This session has ended.';
	case 'round_closed':
		return 'This round is over.';
	case 'payload_too_large':
		return 'Too much text at once: send it in smaller parts.';
	case 'unavailable':
		return 'The service is unavailable for a moment (nothing was changed). Try again.';
	case 'internal':
		return 'The server failed (nothing was changed). Try again; if it persists, tell the administrators.';
	case 'conflict':
	case 'invalid_request':
		return sentence(err.message) || 'The request was refused.';
	default:
		return sentence(err.message) || `The server answered ${err.status}.`;
	}
}
