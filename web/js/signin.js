// The ways to sign in that the server offers (GET /api/auth/methods): the
// password form, single sign-on through the web server, or both; and the
// words for the reasons /api/auth/sso sends back in ?ssoError=.
//
// Single sign-on is a full-page navigation (a plain link), never a fetch:
// the web server in front sends the browser to the identity provider and
// back.  Whatever a page keeps in sessionStorage (a pending scan) survives
// that round trip: the tab stays the same.
import { api } from './api.js';

// Past this, the page stops waiting and shows the password form; a late
// answer still applies (see loginMethods).
const WAIT_MS = 3000;

// What the page shows when the server does not say (an older worker, a
// failed request): the password form, as before single sign-on.
export const FALLBACK = Object.freeze({ password: true, sso: null });

function parse(data) {
	const sso = data && data.sso;
	const label = sso && typeof sso.label === 'string' ? sso.label.trim() : '';
	return {
		password: !(data && data.password === false),
		sso: sso && typeof sso === 'object'
		    ? { label: label || 'campus sign-in' } : null,
	};
}

// Nothing focused, or the focused element just hidden (the browser
// moves the focus away only at its next rendering).
function lostFocus() {
	const el = document.activeElement;
	return !el || el === document.body || el.closest('[hidden]') !== null;
}

// Calls show(methods) once with the server's answer, or with FALLBACK
// when it fails; when it takes longer than WAIT_MS, with FALLBACK first
// and again with the answer when it comes (which takes the focus if it
// hid the focused field).  Resolves with what the first call returned:
// show returns the element that should take the focus.
export function loginMethods(show) {
	return new Promise((resolve) => {
		let shown = false;
		const once = (m) => {
			const r = show(m);
			if (!shown) {
				shown = true;
				resolve(r);
			} else if (r && lostFocus()) {
				r.focus();
			}
		};
		const timer = setTimeout(() => once(FALLBACK), WAIT_MS);
		api('GET', '/auth/methods').then((data) => {
			clearTimeout(timer);
			once(parse(data));
		}, () => {
			clearTimeout(timer);
			if (!shown)
				once(FALLBACK);
		});
	});
}

// The route the web server protects; next is a path of this site (the
// worker checks it again, and sends anything else to /).
export function ssoHref(next) {
	return '/api/auth/sso?next=' + encodeURIComponent(next || '/');
}

// ?ssoError= codes of the contract, in words for a person.
const SSO_ERRORS = {
	unauthenticated: 'The campus sign-in did not say who you are. Try ' +
	    'again, or ask IT if it keeps happening.',
	forbidden: 'Your campus account has no access to attendance (no ' +
	    'student or staff role, or no email). Ask your department.',
};

export function ssoErrorText(code) {
	return Object.prototype.hasOwnProperty.call(SSO_ERRORS, code)
	    ? SSO_ERRORS[code]
	    : 'The campus sign-in did not work. Try again, or ask IT if it ' +
	    'keeps happening.';
}

// Shows the sign-in of a page: the single sign-on link (box: its
// container, link: the <a>), the "or" line between, and the password form.
// Returns the element that should take the focus.
export function showMethods(m, { box, link, or, form, none }, next) {
	box.hidden = !m.sso;
	if (m.sso) {
		link.textContent = 'Sign in with ' + m.sso.label;
		link.href = ssoHref(next);
	}
	form.hidden = !m.password;
	or.hidden = !(m.sso && m.password);
	if (none)
		none.hidden = !!(m.sso || m.password);
	return m.sso ? link : form.querySelector('input');
}
