// The login page (/): single sign-on, username or email and password, or
// both, as GET /api/auth/methods says.  Logged in already: straight on.
// After a login: the page named by ?next=, the scan a student was
// recording (kept by the scan page), or the role's home.  /api/auth/sso
// sends a failed sign-on back here with ?ssoError=CODE.
import { api, ApiError, explain } from './api.js';
import { $, homeOf, safeNext, say, clear, busy, ready } from './ui.js';
import { hasPendingScan } from './pending.js';
import { loginMethods, showMethods, ssoErrorText } from './signin.js';

function destination(user) {
	if (user.role === 'student' && hasPendingScan())
		return '/scan';
	const next = safeNext(new URLSearchParams(location.search).get('next'));
	return next || homeOf(user);
}

// Where single sign-on comes back to: the role is not known before it, so
// a kept scan goes to the scan page (which sends it, or says the account
// is not a student's), a ?next= to its page, and else this page, which
// sends the user on to their home.
function ssoDestination() {
	if (hasPendingScan())
		return '/scan';
	return safeNext(new URLSearchParams(location.search).get('next')) ||
	    '/';
}

// ?ssoError= is said once: out of the address bar (a reload or a
// bookmark does not show it again), the rest of the query kept.
function takeSsoError(params) {
	const code = params.get('ssoError');
	if (code === null)
		return null;
	params.delete('ssoError');
	const query = params.toString();
	history.replaceState(null, '', location.pathname +
	    (query ? '?' + query : '') + location.hash);
	return code;
}

function wireForm() {
	const form = $('#login-form');
	const error = $('#login-error');
	form.addEventListener('submit', (ev) => {
		ev.preventDefault();
		clear(error);
		const login = $('#login').value.trim();
		const password = $('#password').value;
		if (!login || !password) {
			say(error, 'error', !login
			    ? 'Enter your username or email.'
			    : 'Enter your password.');
			(login ? $('#password') : $('#login')).focus();
			return;
		}
		busy($('#login-submit'), async () => {
			try {
				const { user } = await api('POST', '/auth/login',
				    { login, password });
				location.assign(destination(user));
			} catch (e) {
				say(error, 'error', explain(e));
				$('#password').select();
			}
		});
	});
	ready('login-submit');
}

function show(methods) {
	// The password button steps back when single sign-on leads.
	$('#login-submit').classList.toggle('secondary', !!methods.sso);
	return showMethods(methods, {
		box: $('#sso'), link: $('#sso-link'), or: $('#or'),
		form: $('#login-form'), none: $('#no-method'),
	}, ssoDestination());
}

async function main() {
	const params = new URLSearchParams(location.search);
	const bye = params.get('bye') === '1';
	const ssoError = takeSsoError(params);
	$('#bye').hidden = !bye;
	$('#scan-note').hidden = !hasPendingScan();
	wireForm();
	const methods = loginMethods(show);
	// Already logged in: nothing to fill, unless the page has something
	// to say (logged out, or a sign-on that failed).
	try {
		const { user } = await api('GET', '/auth/me');
		if (!bye && ssoError === null) {
			location.replace(destination(user));
			return;
		}
	} catch (e) {
		if (!(e instanceof ApiError) || e.code !== 'unauthenticated')
			say($('#login-error'), 'error', explain(e));
	}
	if (ssoError !== null)
		say($('#sso-error'), 'error', ssoErrorText(ssoError));
	const focus = await methods;
	if (focus)
		focus.focus();
}

main();
