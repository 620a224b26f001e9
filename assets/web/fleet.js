/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fleet.js: every kiosk of the user's stores with its last batch, backlog,
 * version, clock and conflicts, those needing someone first (the API's
 * order), each reason in words; "silent" counts only opening hours, and a
 * kiosk closed now says so. Data: GET /api/v1/fleet.
 */
'use strict';

(function () {
	var T = window.Tally;
	var WHY = {
		never: ['never posted', 'bad'], silent: ['silent', 'bad'], conflicts: ['conflicts', 'bad'],
		gaps: ['ratings missing', 'warn'], clock: ['clock not synced', 'warn'], token: ['token expired', 'bad']
	};
	var rel = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto', style: 'short' });

	function ago(s) {
		if (s === null || s === undefined)
			return 'never';
		if (s < 90)
			return rel.format(-Math.round(s), 'second');
		if (s < 5400)
			return rel.format(-Math.round(s / 60), 'minute');
		if (s < 129600)
			return rel.format(-Math.round(s / 3600), 'hour');
		return rel.format(-Math.round(s / 86400), 'day');
	}

	function badges(k) {
		if (k.status === 'revoked')
			return T.el('span', { class: 'badge warn' }, 'revoked');
		if (!k.attention.length)
			return T.el('span', { class: 'badge ok' }, 'all well');
		return k.attention.map(function (a) {
			var w = WHY[a] || [a, 'warn'];
			return T.el('span', { class: 'badge ' + w[1], 'data-why': a }, w[0]);
		});
	}

	function draw(d) {
		var rows = d.kiosks.map(function (k) {
			return Object.assign({ needs: k.status === 'revoked' ? 0 : k.attention.length }, k);
		});
		var needing = rows.filter(function (k) { return k.needs > 0; }).length;
		var c = T.clear(T.$('content'));
		T.fill(c, [
			T.el('p', { class: 'period-text', id: 'fleet-summary', 'data-value': needing }, [
				T.el('strong', null, T.int(needing) + ' of ' + T.int(rows.length)), ' kiosks need attention.']),
			T.table({
				id: 'fleet', title: 'Kiosks', caption: 'Those needing attention first; press a heading to sort by it.',
				csv: '/api/v1/fleet?format=csv', asOf: d.as_of_ms, rows: rows, empty: 'No kiosks in your stores yet.',
				cards: true,
				cols: [{ key: 'kiosk', label: 'Kiosk' },
				       { key: 'store', label: 'Store' },
				       { key: 'area', label: 'Area', opt: true },
				       { key: 'needs', label: 'Attention', type: 'int', left: true, cell: badges },
				       { key: 'silent_s', label: 'Last batch', type: 'int', cell: function (k) {
						/* Quiet while the shop is shut is expected: said beside the time, not flagged. */
						return T.el('span', { title: T.when(k.last_batch_ms) },
							    k.open_now === false ? [ago(k.silent_s), T.el('span', { 'data-closed': '1' }, ' (closed now)')]
										 : ago(k.silent_s));
					} },
				       { key: 'gaps', label: 'Backlog', type: 'int' },
				       { key: 'version', label: 'Version', opt: true },
				       { key: 'clock', label: 'Clock', opt: true },
				       { key: 'conflicts', label: 'Conflicts', type: 'int', opt: true },
				       { key: 'ratings', label: 'Ratings', type: 'int', opt: true }]
			})
		]);
		T.drawn();
	}

	T.start(function () {
		T.getJSON('/api/v1/fleet').then(draw, function (err) {
			T.showError(T.$('content'), err);
		});
	});
})();
