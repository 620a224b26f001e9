/* SPDX-License-Identifier: Apache-2.0 */
/*
 * overview.js: the chain (or the regions and stores of the user's role) for
 * a period: the headline figures with their change against the previous
 * period, a row per region, the ranking of stores (sortable), and the
 * biggest movers. Data: GET /api/v1/overview (docs/http-api.md).
 */
'use strict';

(function () {
	var T = window.Tally;

	function scopeText(s) {
		if (s.role === 'chain')
			return 'The whole chain.';
		if (s.role === 'region')
			return 'Your ' + (s.scopes.length > 1 ? 'regions: ' : 'region: ') + s.scopes.join(', ') + '.';
		return 'Your store: ' + s.scopes.join(', ') + '.';
	}

	function storeLink(name) {
		return T.el('a', { href: '/store?store=' + encodeURIComponent(name) + '&' + T.periodQuery() }, name);
	}

	function csv(table) {
		return '/api/v1/overview?' + T.periodQuery() + '&format=csv&table=' + table;
	}

	function periodText(d) {
		return T.el('p', { class: 'period-text', id: 'period' }, [
			T.el('strong', null, T.span(d.period.from, d.period.to)),
			', against ' + T.span(d.previous.from, d.previous.to) + ' before it.'
		]);
	}

	function movers(d) {
		var list = T.el('ol', { class: 'movers', id: 'movers-list' });
		d.movers.forEach(function (m) {
			list.appendChild(T.el('li', { 'data-store': m.store }, [
				storeLink(m.store), ' ', T.change(m.change_happy_index), ' to ',
				T.el('strong', null, T.num1(m.happy_index)), ' ' + T.HAPPY + ' (was ' + T.num1(m.prev_happy_index) + '; ' +
				T.int(m.ratings) + ' ratings)'
			]));
		});
		if (!d.movers.length)
			list.appendChild(T.el('li', null, 'No store moved, among those with at least ' + T.int(d.min_ratings) +
					      ' ratings in both periods.'));
		var head = T.el('div', { class: 'table-head' }, [T.el('h2', { id: 'movers-title' }, 'Biggest movers'),
			T.el('a', { class: 'csv', href: csv('movers'), download: '', id: 'movers-csv' },
			     ['Download CSV', T.el('span', { class: 'sr' }, ' of the biggest movers')])]);
		return T.el('section', { class: 'block', 'aria-labelledby': 'movers-title' }, [head, list, T.asOf(d.as_of_ms)]);
	}

	var FIG = [
		{ key: 'happy_index', label: T.HAPPY, type: 'num' },
		{ key: 'change_happy_index', label: 'Change', card: T.HAPPY + ', change', type: 'change' },
		{ key: 'positive_pct', label: T.POSITIVE, type: 'num' },
		{ key: 'change_positive_pct', label: 'Change', card: T.POSITIVE + ', change', type: 'change', opt: true },
		{ key: 'ratings', label: 'Ratings', type: 'int' },
		{ key: 'change_ratings', label: 'Change', card: 'Ratings, change', type: 'change', fmt: T.changeInt, opt: true }
	];

	function draw(d) {
		var c = T.clear(T.$('content'));
		T.fill(c, [periodText(d), T.cards(d.chain), T.apart(d.chain), T.asOf(d.as_of_ms)]);
		var ranking = T.table({
			id: 'ranking', title: 'Stores, best first', caption: 'Ranked by ' + T.HAPPY + '; press a heading to sort by it.',
			csv: csv('stores'), asOf: d.as_of_ms, empty: 'No stores yet.', cards: true,
			rows: d.stores,
			cols: [{ key: 'rank', label: '#', type: 'int' },
			       { key: 'store', label: 'Store', cell: function (r) { return storeLink(r.store); } },
			       { key: 'region', label: 'Region', opt: true, cell: function (r) { return r.region || '–'; } }].concat(FIG)
		});
		var regions = T.table({
			id: 'regions', title: 'Regions', caption: 'Each region of your stores.', csv: csv('regions'),
			asOf: d.as_of_ms, rows: d.regions, cards: true,
			cols: [{ key: 'region', label: 'Region', cell: function (r) { return r.region || '(no region)'; } },
			       { key: 'stores', label: 'Stores', type: 'int', opt: true }].concat(FIG)
		});
		c.appendChild(T.el('div', { class: 'grid two' }, [ranking, T.el('div', null, [movers(d), regions])]));
		T.drawn();
	}

	function load() {
		T.getJSON('/api/v1/overview?' + T.periodQuery()).then(draw, function (err) {
			T.showError(T.$('content'), err);
		});
	}

	T.start(function (s) {
		T.$('scope').textContent = scopeText(s);
		T.periodControl(T.$('toolbar'), load);
		load();
	});
})();
