/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common.js: what every dashboard page shares, as window.Tally:
 * - the session (GET /api/v1/session: who, role, CSRF token); a 401 from
 *   any call sends the browser to /login and back to this very page;
 * - the navigation bar (Overview, Stores, Fleet, Alerts, the user, Log out)
 *   drawn into <nav id="nav">, the current page marked;
 * - numbers and dates in the browser's locale (Intl), "as of" lines;
 * - the period control (today, 7 days, 30 days, a chosen range) kept in
 *   the page's URL, so a link or a reload shows the same figures;
 * - sortable tables (headers are buttons, aria-sort says the order) with
 *   their CSV download link (the API's format=csv of the same table); a
 *   wide one is a card per row on a phone (app.css, table.reflow).
 * A page script calls Tally.start(function (session) {...}).
 */
'use strict';

(function () {
	var T = {};
	window.Tally = T;

	/* The two figures, worded as on the kiosk's staff view. */
	T.HAPPY = 'Happy Index';
	T.POSITIVE = '% positive';

	var session = null;

	T.params = function () {
		return new URLSearchParams(window.location.search);
	};

	T.toLogin = function () {
		var back = window.location.pathname + window.location.search;
		window.location.replace('/login?next=' + encodeURIComponent(back));
	};

	/* GET url as JSON; rejects with an Error whose message is the API's one line. 401: to /login. */
	T.getJSON = function (url) {
		return fetch(url, { credentials: 'same-origin', headers: { Accept: 'application/json' } }).then(function (r) {
			if (r.status === 401) {
				T.toLogin();
				return new Promise(function () {}); /* the page is going away */
			}
			return r.json().catch(function () { return {}; }).then(function (body) {
				if (!r.ok)
					throw new Error(body.error || ('HTTP ' + r.status));
				return body;
			});
		});
	};

	/* POST with the session's CSRF token (state-changing requests need it). */
	T.post = function (url, body) {
		return fetch(url, {
			method: 'POST', credentials: 'same-origin',
			headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': session ? session.csrf_token : '' },
			body: body === undefined ? '{}' : JSON.stringify(body)
		});
	};

	T.logout = function () {
		return T.post('/logout').then(function () {
			window.location.replace('/login');
		}, function () {
			window.location.replace('/login');
		});
	};

	/* --- elements ---------------------------------------------------------- */

	/* el('td', {class: 'num', 'data-value': 3}, 'text' | node | [nodes]) */
	T.el = function (tag, attrs, content) {
		var e = document.createElement(tag);
		if (attrs)
			Object.keys(attrs).forEach(function (k) {
				if (attrs[k] === null || attrs[k] === undefined || attrs[k] === false)
					return;
				if (k === 'text')
					e.textContent = attrs[k];
				else if (k === 'onclick')
					e.addEventListener('click', attrs[k]);
				else
					e.setAttribute(k, attrs[k] === true ? '' : String(attrs[k]));
			});
		T.fill(e, content);
		return e;
	};

	T.fill = function (e, content) {
		if (content === undefined || content === null)
			return e;
		(Array.isArray(content) ? content : [content]).forEach(function (c) {
			if (c === null || c === undefined)
				return;
			e.appendChild(typeof c === 'object' ? c : document.createTextNode(String(c)));
		});
		return e;
	};

	T.$ = function (id) {
		return document.getElementById(id);
	};

	T.clear = function (e) {
		while (e.firstChild)
			e.removeChild(e.firstChild);
		return e;
	};

	/* Says what went wrong where the figures would be, in one line (role=alert reads it out). */
	T.showError = function (where, err) {
		T.fill(T.clear(where), T.el('p', { class: 'error', role: 'alert' }, 'Could not load: ' + err.message));
	};

	/* --- the browser's locale ------------------------------------------------ */

	var one = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
	var whole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
	var signedOne = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1, signDisplay: 'exceptZero' });
	var signedWhole = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0, signDisplay: 'exceptZero' });
	var dayFmt = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
	var shortDay = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short' });
	var stamp = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

	T.num1 = function (v) { return v === null || v === undefined ? '–' : one.format(v); };
	T.int = function (v) { return v === null || v === undefined ? '–' : whole.format(v); };
	T.change1 = function (v) { return v === null || v === undefined ? '–' : signedOne.format(v); };
	T.changeInt = function (v) { return v === null || v === undefined ? '–' : signedWhole.format(v); };

	/* 'YYYY-MM-DD' is a local calendar day, never a UTC instant. */
	T.dateOf = function (ymd) {
		var p = ymd.split('-');
		return new Date(+p[0], +p[1] - 1, +p[2]);
	};
	T.day = function (ymd) { return ymd ? dayFmt.format(T.dateOf(ymd)) : '–'; };
	T.shortDay = function (ymd) { return shortDay.format(T.dateOf(ymd)); };
	T.when = function (ms) { return ms ? stamp.format(new Date(ms)) : '–'; };
	T.span = function (from, to) {
		if (!from)
			return '';
		return from === to ? T.day(from) : T.day(from) + ' – ' + T.day(to);
	};

	/* Weekday names in the locale, 0 = Sunday as the API counts. */
	var weekdayFmt = new Intl.DateTimeFormat(undefined, { weekday: 'short' });
	T.weekday = function (wd) {
		return weekdayFmt.format(new Date(2024, 0, 7 + wd, 12)); /* 7 January 2024 was a Sunday */
	};

	/* "As of 28 Nov 2026, 22:01": every block of figures says when it was read. */
	T.asOf = function (ms) {
		return T.el('p', { class: 'asof' }, ['As of ', T.el('time', { datetime: new Date(ms).toISOString() }, T.when(ms))]);
	};

	/* A change against the previous period: its sign in words and colour (not colour alone). */
	T.change = function (v, fmt) {
		var cls = v === null || v === undefined || v === 0 ? 'flat' : v > 0 ? 'up' : 'down';
		var arrow = cls === 'up' ? '▲ ' : cls === 'down' ? '▼ ' : '';
		return T.el('span', { class: 'change ' + cls, 'data-value': v === null ? '' : v }, arrow + (fmt || T.change1)(v));
	};

	/* --- the period ---------------------------------------------------------- */

	var PERIODS = [['today', 'Today'], ['7d', '7 days'], ['30d', '30 days']];

	/* The period of the page's URL as API parameters: "period=7d" or "from=...&to=...". */
	T.periodQuery = function () {
		var p = T.params(), from = p.get('from'), to = p.get('to');
		if (from && to)
			return 'from=' + encodeURIComponent(from) + '&to=' + encodeURIComponent(to);
		return 'period=' + encodeURIComponent(p.get('period') || 'today');
	};

	/* Sets URL parameters (null removes one) without a reload. */
	T.setParams = function (changes) {
		var p = T.params();
		Object.keys(changes).forEach(function (k) {
			if (changes[k] === null)
				p.delete(k);
			else
				p.set(k, changes[k]);
		});
		var q = p.toString();
		window.history.replaceState(null, '', window.location.pathname + (q ? '?' + q : ''));
	};

	/* The period control into container; onchange() after the URL changed. */
	T.periodControl = function (container, onchange) {
		var p = T.params(), current = p.get('from') && p.get('to') ? 'range' : p.get('period') || 'today';
		var group = T.el('div', { class: 'periods', role: 'group', 'aria-label': 'Period' });
		var range = T.el('form', { class: 'range', hidden: current !== 'range' });
		var from = T.el('input', { type: 'date', id: 'range-from', required: true, value: p.get('from') || '',
					   'aria-describedby': 'range-from-text' });
		var to = T.el('input', { type: 'date', id: 'range-to', required: true, value: p.get('to') || '',
					 'aria-describedby': 'range-to-text' });
		/*
		 * A native date input writes its date in the browser's UI language
		 * (an English Chromium shows 11/01/2026 to a German manager); the
		 * page's locale is Intl's. Each input gets its chosen day echoed
		 * beside it in that locale, so what is picked reads one way.
		 */
		var fromText = T.el('output', { id: 'range-from-text', for: 'range-from', class: 'range-echo' });
		var toText = T.el('output', { id: 'range-to-text', for: 'range-to', class: 'range-echo' });
		function echo() {
			fromText.textContent = /^\d{4}-\d{2}-\d{2}$/.test(from.value) ? T.day(from.value) : '';
			toText.textContent = /^\d{4}-\d{2}-\d{2}$/.test(to.value) ? T.day(to.value) : '';
		}
		from.addEventListener('input', echo);
		to.addEventListener('input', echo);
		echo();
		T.fill(range, [T.el('label', { for: 'range-from' }, 'From'), from, fromText, T.el('label', { for: 'range-to' }, 'to'),
			to, toText, T.el('button', { type: 'submit' }, 'Show')]);
		function press(key) {
			Array.prototype.forEach.call(group.querySelectorAll('button'), function (b) {
				b.setAttribute('aria-pressed', b.getAttribute('data-period') === key ? 'true' : 'false');
			});
		}
		PERIODS.concat([['range', 'Range…']]).forEach(function (d) {
			group.appendChild(T.el('button', {
				type: 'button', 'data-period': d[0], 'aria-pressed': current === d[0] ? 'true' : 'false',
				onclick: function () {
					press(d[0]);
					if (d[0] === 'range') {
						range.hidden = false;
						from.focus();
						return;
					}
					range.hidden = true;
					T.setParams({ period: d[0], from: null, to: null });
					onchange();
				}
			}, d[1]));
		});
		range.addEventListener('submit', function (ev) {
			ev.preventDefault();
			if (from.value > to.value) {
				var t = from.value;
				from.value = to.value;
				to.value = t;
			}
			echo();
			T.setParams({ period: null, from: from.value, to: to.value });
			onchange();
		});
		T.fill(T.clear(container), [group, range]);
	};

	/* --- tables -------------------------------------------------------------- */

	/*
	 * A sortable table. cols: [{key, label, type: 'text'|'num'|'change'|'int',
	 * cell(row) -> node or text (optional), opt: true (hidden on a phone),
	 * card: the label where the column's own is not enough on its own line}];
	 * rows in the API's order, which stays the tie-break. csv: the download
	 * URL. cards: true for a table too wide for a phone, which app.css then
	 * shows as a card per row, every column a "label value" line (data-label;
	 * nothing hidden, nothing to scroll sideways), its headings a row of sort
	 * buttons. Returns a <section> with caption, table and CSV link.
	 */
	T.table = function (o) {
		var table = T.el('table', { id: o.id, class: o.cards ? 'data reflow' : 'data', role: o.cards ? 'table' : null });
		/* A table shown as cards (display: block) is a table still, for a screen reader too. */
		function role(name) {
			return o.cards ? name : null;
		}
		var caption = T.el('caption', null, o.caption);
		var thead = T.el('thead', { role: role('rowgroup') }), tbody = T.el('tbody', { role: role('rowgroup') });
		var hr = T.el('tr', { role: role('row') });
		var order = o.rows.map(function (r, i) { return { r: r, i: i }; });
		var sortKey = null, dir = 1;
		o.cols.forEach(function (c) {
			var th = T.el('th', { scope: 'col', class: numeric(c) + (c.opt ? ' opt' : ''),
					     'data-key': c.key, role: role('columnheader') });
			th.appendChild(T.el('button', { type: 'button', class: 'sort', onclick: function () { sortBy(c, th); } },
					    [c.label, T.el('span', { class: 'arrow', 'aria-hidden': 'true' })]));
			hr.appendChild(th);
		});
		thead.appendChild(hr);
		function numeric(c) {
			return c.type && c.type !== 'text' && !c.left ? 'num' : '';
		}
		function value(r, c) {
			var v = r[c.key];
			return v === undefined ? null : v;
		}
		function sortBy(c, th) {
			dir = sortKey === c.key ? -dir : (c.type && c.type !== 'text' ? -1 : 1); /* numbers: highest first */
			sortKey = c.key;
			order.sort(function (a, b) {
				var x = value(a.r, c), y = value(b.r, c);
				if (x === null && y === null)
					return a.i - b.i;
				if (x === null)
					return 1; /* nothing to say: always last */
				if (y === null)
					return -1;
				var d = typeof x === 'number' ? x - y : String(x).localeCompare(String(y));
				return d !== 0 ? d * dir : a.i - b.i;
			});
			Array.prototype.forEach.call(hr.children, function (h) {
				h.removeAttribute('aria-sort');
				h.querySelector('.arrow').textContent = '';
			});
			th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
			th.querySelector('.arrow').textContent = dir > 0 ? ' ▲' : ' ▼';
			body();
		}
		function body() {
			T.clear(tbody);
			order.forEach(function (x) {
				var tr = T.el('tr', { role: role('row') });
				o.cols.forEach(function (c, ci) {
					var v = value(x.r, c), content;
					if (c.cell)
						content = c.cell(x.r);
					else if (c.type === 'num')
						content = T.num1(v);
					else if (c.type === 'int')
						content = T.int(v);
					else if (c.type === 'change')
						content = T.change(v, c.fmt);
					else
						content = v === null ? '–' : String(v);
					var attrs = { class: numeric(c) + (c.opt ? ' opt' : ''), 'data-label': c.card || c.label,
						      'data-key': c.key, 'data-value': v === null ? '' : v,
						      role: role(ci === 0 ? 'rowheader' : 'cell') };
					tr.appendChild(T.el(ci === 0 ? 'th' : 'td', ci === 0 ? Object.assign({ scope: 'row' }, attrs) : attrs, content));
				});
				tbody.appendChild(tr);
			});
			if (!order.length)
				tbody.appendChild(T.el('tr', { role: role('row') }, T.el('td', { colspan: o.cols.length, class: 'empty', role: role('cell') },
										      o.empty || 'Nothing here.')));
		}
		body();
		T.fill(table, [caption, thead, tbody]);
		var head = T.el('div', { class: 'table-head' }, [T.el('h2', { id: o.id + '-title' }, o.title)]);
		if (o.csv)
			head.appendChild(T.el('a', { class: 'csv', href: o.csv, download: '', id: o.id + '-csv' },
					      ['Download CSV', T.el('span', { class: 'sr' }, ' of ' + o.title)]));
		table.setAttribute('aria-labelledby', o.id + '-title');
		return T.el('section', { class: 'block', 'aria-labelledby': o.id + '-title' },
			    [head, T.el('div', { class: 'table-wrap' }, table), o.asOf ? T.asOf(o.asOf) : null]);
	};

	/* --- figures ------------------------------------------------------------- */

	/* The headline cards: Happy Index, % positive, ratings, each with its change. */
	T.cards = function (f) {
		function card(id, label, value, change, changeFmt, note) {
			return T.el('div', { class: 'card', id: id }, [
				T.el('p', { class: 'label' }, label),
				T.el('p', { class: 'big', 'data-value': f[value] === null ? '' : f[value] },
				     value === 'ratings' ? T.int(f[value]) : T.num1(f[value])),
				T.el('p', { class: 'small' }, [T.change(f[change], changeFmt), T.el('span', { class: 'note' }, ' ' + note)])
			]);
		}
		return T.el('div', { class: 'cards' }, [
			card('card-happy', T.HAPPY, 'happy_index', 'change_happy_index', T.change1, 'points against the previous period'),
			card('card-positive', T.POSITIVE, 'positive_pct', 'change_positive_pct', T.change1, 'points against the previous period'),
			card('card-ratings', 'Ratings', 'ratings', 'change_ratings', T.changeInt, 'against the previous period')
		]);
	};

	/* Presses that never count in the figures, said apart, never mixed in. */
	T.apart = function (f) {
		return T.el('p', { class: 'apart', id: 'apart' }, [
			'Not in the figures: ',
			T.el('span', { 'data-key': 'misuse', 'data-value': f.misuse }, T.int(f.misuse) + ' misuse'),
			T.el('span', { class: 'note' }, ' (pressed again within the response interval)'), ', ',
			T.el('span', { 'data-key': 'closed', 'data-value': f.closed }, T.int(f.closed) + ' outside opening hours'),
			', ',
			T.el('span', { 'data-key': 'unknown_time', 'data-value': f.unknown_time },
			     T.int(f.unknown_time) + ' with an unknown time'),
			T.el('span', { class: 'note' }, ' (the kiosk\'s clock was not synced and could not be corrected)'), '.'
		]);
	};

	/* --- the page frame -------------------------------------------------------- */

	var NAV = [['/', 'Overview', 'overview'], ['/store', 'Stores', 'store'], ['/fleet', 'Fleet', 'fleet'],
		   ['/alerts', 'Alerts', 'alerts']];

	function roleText(s) {
		if (s.role === 'chain')
			return 'whole chain';
		if (s.role === 'region')
			return (s.scopes.length > 1 ? 'regions ' : 'region ') + s.scopes.join(', ');
		return 'store ' + s.scopes.join(', ');
	}

	function drawNav(s) {
		var nav = T.$('nav');
		if (!nav)
			return;
		var page = document.body.getAttribute('data-page');
		var list = T.el('ul', { class: 'links' });
		NAV.forEach(function (n) {
			list.appendChild(T.el('li', null, T.el('a', { href: n[0], 'aria-current': page === n[2] ? 'page' : null }, n[1])));
		});
		var who = T.el('div', { class: 'who' }, [
			T.el('span', { class: 'user', id: 'who' }, [T.el('strong', null, s.user), ' · ' + roleText(s)]),
			T.el('button', { type: 'button', id: 'logout', onclick: T.logout }, 'Log out')
		]);
		T.fill(T.clear(nav), [T.el('a', { class: 'brand', href: '/' }, 'Tally'), list, who]);
	}

	/* Loads the session, draws the frame, then runs the page: main(session). */
	T.start = function (main) {
		T.getJSON('/api/v1/session').then(function (s) {
			session = s;
			T.session = s;
			drawNav(s);
			main(s);
		}, function (err) {
			var m = T.$('main');
			if (m)
				T.showError(m, err);
		});
	};

	/* Pages mark the moment all their figures and charts are drawn (the render benchmark reads it). */
	T.drawn = function () {
		document.body.setAttribute('data-drawn', '1');
		if (window.performance && performance.mark)
			performance.mark('tally-drawn');
	};
})();
