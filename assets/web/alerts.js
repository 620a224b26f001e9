/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alerts.js: the recent alert episodes of the user's stores (open first),
 * the one a message linked to (?episode=N) explained at the top, and the
 * alert and report rules; the chain role edits them in a form here.
 * Data: GET /api/v1/alerts, GET /api/v1/alert-rules, GET /api/v1/stores;
 * changes: POST /api/v1/alert-rules with the session's CSRF token.
 */
'use strict';

(function () {
	var T = window.Tally;
	var KIND = {
		negative: 'Negative share', index: 'Happy Index of the day', silent: 'Silent kiosk',
		daily: 'Daily report', weekly: 'Weekly report'
	};
	/* What threshold means for each kind, for the form's label. */
	var THRESHOLD = { negative: 'Share of negative faces at least (%)', index: 'Happy Index below',
			  silent: 'Hours of silence in opening hours' };

	function words(r) {
		if (r.kind === 'negative')
			return 'negative faces ≥ ' + T.num1(r.threshold) + ' % within ' + T.int(r.window_min) + ' min (at least ' +
			       T.int(r.min_ratings) + ' ratings)';
		if (r.kind === 'index')
			return 'the day\'s Happy Index below ' + T.num1(r.threshold) + ' (after ' + T.int(r.min_ratings) + ' ratings)';
		if (r.kind === 'silent')
			return 'a kiosk silent for ' + T.num1(r.threshold) + ' h of its opening hours';
		return (r.kind === 'daily' ? 'every morning' : 'every Monday') + ' at ' + (r.send_at || 'the configured time');
	}

	function scopeText(r) {
		return (r.scope_kind === 'region' ? 'region ' : '') + r.scope;
	}

	function stateBadge(a) {
		return T.el('span', { class: 'badge ' + (a.state === 'open' ? 'bad' : 'ok') }, a.state === 'open' ? 'open' : 'cleared');
	}

	function explain(a, rule) {
		var box = T.clear(T.$('explain'));
		if (!a) {
			T.fill(box, T.el('p', { class: 'error', role: 'alert', id: 'episode-missing' },
					 'That alert is not among the recent ones of your stores.'));
			return;
		}
		var day = new Date(a.opened_ms).toISOString().slice(0, 10);
		T.fill(box, T.el('section', { class: 'block', id: 'episode', 'data-episode': a.id, 'aria-labelledby': 'episode-title' }, [
			T.el('h2', { id: 'episode-title' }, 'Alert ' + a.id + ': ' + (KIND[a.kind] || a.kind) + ' at ' + a.store),
			T.el('p', null, [stateBadge(a), ' ', a.detail]),
			T.el('p', null, rule ? 'The rule: ' + words(rule) + ', for ' + scopeText(rule) + '.' : 'Its rule has been deleted since.'),
			T.el('p', null, 'Began ' + T.when(a.opened_ms) + (a.cleared_ms ? '; all clear ' + T.when(a.cleared_ms) + '.' : '; still open.')),
			T.el('p', null, T.el('a', { href: '/store?store=' + encodeURIComponent(a.store) + '&from=' + day + '&to=' + day },
					     'The store\'s figures that day'))
		]));
	}

	function alertsTable(d, rules) {
		var byId = {};
		rules.forEach(function (r) { byId[r.id] = r; });
		return T.table({
			id: 'alerts', title: 'Recent alerts', caption: 'Open ones first, then the newest.', asOf: d.as_of_ms,
			rows: d.alerts, empty: 'No alerts for your stores.',
			cols: [{ key: 'id', label: 'Alert', type: 'int', left: true, cell: function (a) {
					return T.el('a', { href: '/alerts?episode=' + a.id }, '#' + a.id);
				} },
			       { key: 'state', label: 'State', cell: stateBadge },
			       { key: 'kind', label: 'Kind', cell: function (a) { return KIND[a.kind] || a.kind; } },
			       { key: 'store', label: 'Store' },
			       { key: 'detail', label: 'What', opt: true },
			       { key: 'opened_ms', label: 'Began', type: 'int', cell: function (a) { return T.when(a.opened_ms); } },
			       { key: 'cleared_ms', label: 'All clear', type: 'int', opt: true,
				 cell: function (a) { return a.cleared_ms ? T.when(a.cleared_ms) : '–'; } }]
		});
	}

	/* --- the rules and their form ------------------------------------------------- */

	var form = null;

	function field(id, label, input) {
		return T.el('div', { class: 'field', id: id + '-field' }, [T.el('label', { for: id }, label), input]);
	}

	function options(select, list, value) {
		T.clear(select);
		list.forEach(function (o) {
			select.appendChild(T.el('option', { value: o[0], selected: o[0] === value }, o[1]));
		});
	}

	function ruleForm(stores, defaults) {
		var kind = T.el('select', { id: 'rule-kind' }), scopeKind = T.el('select', { id: 'rule-scope-kind' });
		var scope = T.el('select', { id: 'rule-scope' });
		var threshold = T.el('input', { id: 'rule-threshold', type: 'number', step: 'any', min: '0' });
		var windowMin = T.el('input', { id: 'rule-window', type: 'number', step: '1', min: '1' });
		var minRatings = T.el('input', { id: 'rule-min', type: 'number', step: '1', min: '1' });
		var sendAt = T.el('input', { id: 'rule-at', type: 'time' });
		var mailTo = T.el('input', { id: 'rule-mail-to', type: 'text', autocomplete: 'off',
					     placeholder: 'the configured recipients' });
		var webhook = T.el('input', { id: 'rule-webhook', type: 'url', placeholder: 'the configured webhook' });
		var enabled = T.el('input', { id: 'rule-enabled', type: 'checkbox', checked: true });
		var status = T.el('p', { id: 'rule-status', role: 'status' });
		var save = T.el('button', { type: 'submit', id: 'rule-save' }, 'Save');
		var del = T.el('button', { type: 'button', id: 'rule-delete', class: 'secondary', hidden: true }, 'Delete');
		var cancel = T.el('button', { type: 'button', id: 'rule-cancel', class: 'secondary' }, 'New rule');
		var title = T.el('h2', { id: 'rule-form-title' }, 'New rule');
		var editing = null;
		options(kind, Object.keys(KIND).map(function (k) { return [k, KIND[k]]; }), 'negative');
		options(scopeKind, [['store', 'Store'], ['region', 'Region']], 'store');

		function fillScopes(value) {
			var list = scopeKind.value === 'region' ? stores.regions.map(function (r) { return [r, r]; })
								 : stores.stores.map(function (s) { return [s.store, s.store]; });
			options(scope, list, value);
		}
		var fields = {
			threshold: field('rule-threshold', '', threshold), window: field('rule-window', 'Within minutes', windowMin),
			min: field('rule-min', 'At least this many ratings', minRatings),
			at: field('rule-at', 'Send at (the store\'s time)', sendAt)
		};
		/* Only what the kind uses is shown, and only what is shown is sent. */
		function showFields() {
			var k = kind.value, report = k === 'daily' || k === 'weekly';
			fields.threshold.hidden = report;
			fields.threshold.querySelector('label').textContent = THRESHOLD[k] || '';
			fields.window.hidden = k !== 'negative';
			fields.min.hidden = k !== 'negative' && k !== 'index';
			fields.at.hidden = !report;
		}
		function load(r) {
			editing = r;
			title.textContent = r ? 'Rule ' + r.id + ': ' + KIND[r.kind] + ', ' + scopeText(r) : 'New rule';
			var d = r || Object.assign({ kind: kind.value, scope_kind: scopeKind.value, send_at: '', mail_to: '',
						     webhook: '', enabled: true }, defaults[kind.value]);
			kind.value = d.kind;
			kind.disabled = !!r; /* a rule keeps its kind */
			scopeKind.value = d.scope_kind;
			fillScopes(d.scope);
			threshold.value = d.threshold;
			windowMin.value = d.window_min;
			minRatings.value = d.min_ratings;
			sendAt.value = d.send_at || '';
			mailTo.value = d.mail_to || '';
			webhook.value = d.webhook || '';
			enabled.checked = d.enabled;
			del.hidden = !r;
			status.textContent = '';
			showFields();
		}
		kind.addEventListener('change', function () { if (!editing) load(null); });
		scopeKind.addEventListener('change', function () { fillScopes(); });
		cancel.addEventListener('click', function () { load(null); kind.focus(); });

		function send(body, done) {
			status.textContent = 'Saving…';
			status.className = '';
			T.post('/api/v1/alert-rules', body).then(function (r) {
				return r.json().catch(function () { return {}; }).then(function (b) {
					if (!r.ok)
						throw new Error(b.error || ('HTTP ' + r.status));
					return b;
				});
			}).then(done, function (err) {
				status.textContent = 'Not saved: ' + err.message;
				status.className = 'error';
			});
		}
		var f = T.el('form', { class: 'rule-form', id: 'rule-form', novalidate: true }, [
			field('rule-kind', 'Kind', kind), field('rule-scope-kind', 'For a', scopeKind), field('rule-scope', 'Which', scope),
			fields.threshold, fields.window, fields.min, fields.at,
			field('rule-mail-to', 'Mail to (comma-separated)', mailTo), field('rule-webhook', 'Webhook', webhook),
			T.el('div', { class: 'field check' }, [enabled, T.el('label', { for: 'rule-enabled' }, 'Enabled')]),
			T.el('div', { class: 'actions' }, [save, del, cancel]), status
		]);
		f.addEventListener('submit', function (e) {
			e.preventDefault();
			var body = { scope_kind: scopeKind.value, scope: scope.value, send_at: sendAt.value, mail_to: mailTo.value.trim(),
				     webhook: webhook.value.trim(), enabled: enabled.checked };
			if (editing)
				body.id = editing.id;
			else
				body.kind = kind.value;
			if (!fields.threshold.hidden)
				body.threshold = Number(threshold.value);
			if (!fields.window.hidden)
				body.window_min = parseInt(windowMin.value, 10);
			if (!fields.min.hidden)
				body.min_ratings = parseInt(minRatings.value, 10);
			send(body, function (r) { reload('Rule ' + r.id + ' saved.'); });
		});
		del.addEventListener('click', function () {
			if (editing)
				send({ id: editing.id, delete: true }, function () { reload('Rule ' + editing.id + ' deleted.'); });
		});
		form = { load: load };
		var section = T.el('section', { class: 'block', 'aria-labelledby': 'rule-form-title' }, [title, f]);
		load(null);
		return section;
	}

	function rulesTable(d) {
		var cols = [{ key: 'id', label: 'Rule', type: 'int', left: true },
			    { key: 'kind', label: 'Kind', cell: function (r) { return KIND[r.kind] || r.kind; } },
			    { key: 'scope', label: 'For', cell: scopeText },
			    { key: 'threshold', label: 'When', cell: words },
			    { key: 'enabled', label: 'On', cell: function (r) { return r.enabled ? 'yes' : 'no'; } }];
		if (d.can_edit)
			cols.push({ key: 'edit', label: 'Change', cell: function (r) {
				return T.el('button', { type: 'button', class: 'secondary', id: 'edit-rule-' + r.id, onclick: function () {
					form.load(r);
					T.$('rule-form-title').scrollIntoView();
					T.$('rule-threshold').focus();
				} }, ['Edit', T.el('span', { class: 'sr' }, ' rule ' + r.id)]);
			} });
		return T.table({ id: 'rules-table', title: 'Rules', asOf: d.as_of_ms, rows: d.rules, cols: cols,
				 caption: d.can_edit ? 'Edit a rule, or add one below.' : 'The chain\'s staff change these.',
				 empty: 'No rules for your stores yet.' });
	}

	var lastNote = '';

	function reload(note) {
		lastNote = note || '';
		Promise.all([T.getJSON('/api/v1/alerts?state=all'), T.getJSON('/api/v1/alert-rules'), T.getJSON('/api/v1/stores')])
			.then(function (x) {
				var alerts = x[0], rules = x[1], stores = x[2];
				var want = T.params().get('episode');
				if (want) {
					var a = alerts.alerts.filter(function (e) { return String(e.id) === want; })[0];
					explain(a, a && rules.rules.filter(function (r) { return r.id === a.rule_id; })[0]);
				}
				T.fill(T.clear(T.$('content')), alertsTable(alerts, rules.rules));
				var box = T.clear(T.$('rules'));
				T.fill(box, rulesTable(rules));
				if (rules.can_edit)
					box.appendChild(ruleForm(stores, rules.defaults));
				if (lastNote && T.$('rule-status'))
					T.$('rule-status').textContent = lastNote;
				T.drawn();
			}, function (err) {
				T.showError(T.$('content'), err);
			});
	}

	T.start(function () { reload(); });
})();
