/* SPDX-License-Identifier: Apache-2.0 */
/*
 * login.js: the form posts {"user","password"} to POST /login; head office
 * sets the session cookie (HttpOnly: no script ever sees it) and the page
 * goes back to where the visitor was sent from (?next=), only ever to a
 * path of this server, never to another site.
 */
'use strict';

(function () {
	var form = document.getElementById('login-form');
	var error = document.getElementById('login-error');

	/* "/store?store=X" yes; "//evil.example", "https://...", "/\evil" no. */
	function next() {
		var n = new URLSearchParams(window.location.search).get('next') || '/';
		return /^\/(?![\/\\])/.test(n) ? n : '/';
	}

	function say(text) {
		error.textContent = text;
		error.hidden = false;
	}

	form.addEventListener('submit', function (ev) {
		ev.preventDefault();
		error.hidden = true;
		var button = document.getElementById('login-submit');
		button.disabled = true;
		fetch('/login', {
			method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({ user: form.user.value, password: form.password.value })
		}).then(function (r) {
			return r.json().catch(function () { return {}; }).then(function (body) {
				if (r.ok) {
					window.location.replace(next());
					return;
				}
				button.disabled = false;
				if (r.status === 401)
					say('Wrong user name or password.');
				else if (r.status === 429)
					say('Too many failed logins: try again in ' + (r.headers.get('Retry-After') || 'a few') + ' seconds.');
				else
					say(body.error || ('Head office answered ' + r.status + '.'));
				form.password.select();
			});
		}, function () {
			button.disabled = false;
			say('Head office cannot be reached. Check the connection and try again.');
		});
	});
})();
