// The login page (/): username or email and password.  Logged in already:
// straight on.  After a login: the page named by ?next=, the scan a
// student was recording (kept by the scan page), or the role's home.
import { api, ApiError, explain } from './api.js';
import { $, homeOf, safeNext, say, clear, busy, ready } from './ui.js';
import { hasPendingScan } from './pending.js';

function destination(user) {
	if (user.role === 'student' && hasPendingScan())
		return '/scan';
	const next = safeNext(new URLSearchParams(location.search).get('next'));
	return next || homeOf(user);
}

async function main() {
	const params = new URLSearchParams(location.search);
	$('#bye').hidden = params.get('bye') !== '1';
	$('#scan-note').hidden = !hasPendingScan();
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
	// Already logged in: no form to fill.
	try {
		const { user } = await api('GET', '/auth/me');
		if (params.get('bye') !== '1') {
			location.replace(destination(user));
			return;
		}
	} catch (e) {
		if (!(e instanceof ApiError) || e.code !== 'unauthenticated')
			say(error, 'error', explain(e));
	}
	$('#login').focus();
}

main();
