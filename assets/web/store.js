/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.js: one store for a period: the headline figures, its areas and
 * kiosks side by side, a day-of-week × hour heat map of satisfaction (the
 * Happy Index of each cell, not only its count), the daily trend (uPlot),
 * the count of each face in the kiosk's order and colours, the follow-up
 * answers once kiosks ask one, and the presses that never count (misuse,
 * closed hours, unknown times) said apart. Data: GET /api/v1/store.
 */
'use strict';

(function () {
	var T = window.Tally;
	var chart = null;

	function csv(table) {
		return '/api/v1/store?store=' + encodeURIComponent(T.params().get('store') || '') + '&' + T.periodQuery() +
			'&format=csv&table=' + table;
	}

	var FIG = [
		{ key: 'happy_index', label: T.HAPPY, type: 'num' },
		{ key: 'change_happy_index', label: 'Change', type: 'change', opt: true },
		{ key: 'positive_pct', label: T.POSITIVE, type: 'num' },
		{ key: 'ratings', label: 'Ratings', type: 'int' }
	];

	/* --- heat map: colour from the Happy Index, text in whichever of black or white reads better ---- */

	var FEW = 3; /* a heat-map cell from fewer ratings is marked as thin */
	var STOPS = [[0, [198, 40, 40]], [25, [239, 108, 0]], [50, [249, 168, 37]], [75, [156, 204, 101]], [100, [46, 125, 50]]];

	function ramp(v) {
		for (var i = 1; i < STOPS.length; i++) {
			if (v <= STOPS[i][0]) {
				var a = STOPS[i - 1], b = STOPS[i], t = (v - a[0]) / (b[0] - a[0]);
				return a[1].map(function (c, k) { return Math.round(c + (b[1][k] - c) * t); });
			}
		}
		return STOPS[STOPS.length - 1][1];
	}

	function luminance(rgb) {
		var c = rgb.map(function (x) {
			x /= 255;
			return x <= 0.03928 ? x / 12.92 : Math.pow((x + 0.055) / 1.055, 2.4);
		});
		return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
	}

	/* WCAG contrast: black text on L gives (L+.05)/.05, white (1.05)/(L+.05); the better one is always >= 4.58. */
	function textOn(rgb) {
		var l = luminance(rgb);
		return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? '#000000' : '#ffffff';
	}

	function heatmap(d) {
		var cells = {}, lo = 24, hi = -1;
		d.heatmap.forEach(function (c) {
			cells[c.weekday + ':' + c.hour] = c;
			lo = Math.min(lo, c.hour);
			hi = Math.max(hi, c.hour);
		});
		if (hi < 0) {
			lo = 8;
			hi = 19;
		}
		var table = T.el('table', { class: 'heat', id: 'heatmap' });
		T.fill(table, T.el('caption', { class: 'sr' }, T.HAPPY + ' by day of the week and hour'));
		var hr = T.el('tr', null, T.el('td', { class: 'corner' }));
		for (var h = lo; h <= hi; h++)
			hr.appendChild(T.el('th', { scope: 'col' }, String(h)));
		var body = T.el('tbody');
		[1, 2, 3, 4, 5, 6, 0].forEach(function (wd) { /* Monday first, as shift rotas are */
			var tr = T.el('tr', null, T.el('th', { scope: 'row' }, T.weekday(wd)));
			for (var hh = lo; hh <= hi; hh++) {
				var c = cells[wd + ':' + hh];
				var td = T.el('td', { 'data-weekday': wd, 'data-hour': hh });
				if (c && c.happy_index !== null) {
					var rgb = ramp(c.happy_index);
					td.style.background = 'rgb(' + rgb.join(',') + ')';
					td.style.color = textOn(rgb);
					td.textContent = Math.round(c.happy_index);
					td.setAttribute('data-value', c.happy_index);
					td.setAttribute('data-ratings', c.ratings);
					/* One or two ratings make a 0 or a 100: marked, so a red square is not read as a pattern. */
					if (c.ratings < FEW)
						td.className = 'few';
					td.title = T.weekday(wd) + ' ' + hh + ':00–' + hh + ':59: ' + T.HAPPY + ' ' + T.num1(c.happy_index) + ', ' +
						T.num1(c.positive_pct) + ' ' + T.POSITIVE + ', ' + T.int(c.ratings) + ' ratings';
					td.setAttribute('aria-label', td.title);
				}
				tr.appendChild(td);
			}
			body.appendChild(tr);
		});
		T.fill(table, [T.el('thead', null, hr), body]);
		var head = T.el('div', { class: 'table-head' }, [T.el('h2', { id: 'heat-title' }, T.HAPPY + ' by weekday and hour'),
			T.el('a', { class: 'csv', href: csv('heatmap'), download: '', id: 'heatmap-csv' },
			     ['Download CSV', T.el('span', { class: 'sr' }, ' of the heat map')])]);
		return T.el('section', { class: 'block', 'aria-labelledby': 'heat-title' }, [
			head, T.el('div', { class: 'table-wrap' }, table),
			heatLegend(d), T.asOf(d.as_of_ms)]);
	}

	/* The heat map's key: what the colour means on a scale, the empty and the thin cells, the axes. */
	function heatLegend(d) {
		var ticks = T.el('span', { class: 'ticks', 'aria-hidden': 'true' }, [0, 50, 100].map(function (v) {
			return T.el('span', null, T.int(v));
		}));
		return T.el('div', { class: 'heat-legend', id: 'heat-legend' }, [
			T.el('div', { class: 'keys' }, [
				T.el('span', { class: 'key' }, [T.HAPPY + ' ', T.el('span', { class: 'scale' }, [
					T.el('span', { class: 'ramp', role: 'img', 'aria-label': 'from red at 0 through amber at 50 to green at 100' }),
					ticks])]),
				T.el('span', { class: 'key' }, [T.el('span', { class: 'cell-key', 'aria-hidden': 'true' }), 'no ratings']),
				T.el('span', { class: 'key' }, [T.el('span', { class: 'cell-key few', 'aria-hidden': 'true' }),
					'fewer than ' + T.int(FEW) + ' ratings: read with care'])]),
			T.el('p', { class: 'legend-note' }, 'Columns are the local hour in ' + d.tz + ' (9 = 09:00–09:59), rows the weekday; ' +
				'each cell is the ' + T.HAPPY + ' of its ratings. Ratings with an unknown time are not placed.')]);
	}

	/* --- the daily trend, drawn by uPlot ------------------------------------ */

	function trend(d, section) {
		var box = T.el('div', { class: 'chart', id: 'trend-chart', role: 'img',
					'aria-label': T.HAPPY + ' and ' + T.POSITIVE + ' per day, ' + T.span(d.period.from, d.period.to) });
		var head = T.el('div', { class: 'table-head' }, [T.el('h2', { id: 'trend-title' }, 'Daily trend'),
			T.el('a', { class: 'csv', href: csv('trend'), download: '', id: 'trend-csv' },
			     ['Download CSV', T.el('span', { class: 'sr' }, ' of the daily trend')])]);
		T.fill(section, [head, box, T.el('p', { class: 'legend-note' }, 'Days without ratings leave a gap.'), T.asOf(d.as_of_ms)]);
		var xs = [], hi = [], pos = [];
		d.trend.forEach(function (t) {
			xs.push(T.dateOf(t.date).getTime() / 1000 + 12 * 3600); /* midday: the point sits in its day */
			hi.push(t.happy_index);
			pos.push(t.positive_pct);
		});
		var num = function (u, v) { return v === null || v === undefined ? '–' : T.num1(v); };
		var width = Math.max(box.clientWidth, 280);
		/*
		 * One label per day where they fit, else every k-th day, worked out
		 * from the plot's width at each drawing: a phone turned, or a window
		 * made narrower, never gets labels on top of each other.
		 */
		function shown(u) {
			var w = u.bbox && u.bbox.width ? u.bbox.width / (window.uPlot.pxRatio || 1) : width - 60;
			var every = Math.max(1, Math.ceil(xs.length / Math.max(1, Math.floor(w / 64))));
			return xs.filter(function (x, i) { return (xs.length - 1 - i) % every === 0; });
		}
		var opts = {
			width: width, height: 240,
			legend: { live: false },
			scales: { x: { time: true }, y: { range: [0, 100] } },
			series: [{ value: function (u, v) { return v ? T.day(localYmd(v)) : '–'; } },
				 { label: T.HAPPY, stroke: '#1f4e79', width: 2, points: { show: true, size: 5 }, value: num },
				 { label: T.POSITIVE, stroke: '#b35c00', width: 2, dash: [6, 4], points: { show: true, size: 5 }, value: num }],
			axes: [{ splits: shown,
				 values: function (u, ticks) { return ticks.map(function (s) { return T.shortDay(localYmd(s)); }); } },
			       { values: function (u, ticks) { return ticks.map(function (v) { return T.int(v); }); } }],
			hooks: { draw: [function () { T.drawn(); }] }
		};
		if (chart)
			chart.destroy();
		chart = new window.uPlot(opts, [xs, hi, pos], box);
	}

	function localYmd(sec) {
		var dt = new Date(sec * 1000);
		var two = function (n) { return (n < 10 ? '0' : '') + n; };
		return dt.getFullYear() + '-' + two(dt.getMonth() + 1) + '-' + two(dt.getDate());
	}

	/* --- faces ------------------------------------------------------------- */

	function faces(d) {
		return T.table({
			id: 'faces', title: 'Each face', csv: csv('faces'),
			caption: 'Best face first, as on the kiosk, in its colours; each bar is the face\'s share of the ratings, ' +
				 'the whole track 100 %.',
			asOf: d.as_of_ms, rows: d.faces,
			cols: [{ key: 'label', label: 'Face', cell: function (f) {
					var sw = T.el('span', { class: 'swatch', 'aria-hidden': 'true' });
					sw.style.background = f.colour;
					return [sw, f.label];
				} },
			       { key: 'count', label: 'Count', type: 'int' },
			       { key: 'share_pct', label: 'Share', type: 'num', cell: function (f) { return T.num1(f.share_pct) + ' %'; } },
			       { key: 'value', label: '0–100 %', left: true, cell: function (f) {
					var bar = T.el('span', { class: 'facebar' });
					bar.style.background = f.colour;
					bar.style.width = (f.share_pct || 0) + '%';
					return T.el('span', { class: 'facetrack', 'aria-hidden': 'true' }, bar);
				} }]
		});
	}

	function reasons(d) {
		if (!d.reasons || !d.reasons.length)
			return T.el('section', { class: 'block', id: 'reasons' }, [T.el('h2', null, 'Follow-up answers'),
				T.el('p', { class: 'legend-note' }, 'None yet: the kiosks of this store ask no follow-up question, ' +
				     'or nobody answered it in this period.')]);
		var keys = Object.keys(d.reasons[0]);
		return T.table({
			id: 'reasons', title: 'Follow-up answers', caption: 'What customers chose after a rating.', csv: csv('reasons'),
			asOf: d.as_of_ms, rows: d.reasons,
			cols: keys.map(function (k) {
				return { key: k, label: k.replace(/_/g, ' '), type: typeof d.reasons[0][k] === 'number' ? 'num' : 'text' };
			})
		});
	}

	function draw(d) {
		T.$('store-title').textContent = d.store;
		document.title = d.store + ' · Tally';
		T.$('scope').textContent = (d.region ? 'Region ' + d.region + ' · ' : '') + 'local time ' + d.tz;
		var c = T.clear(T.$('content'));
		var trendBox = T.el('section', { class: 'block', 'aria-labelledby': 'trend-title' });
		T.fill(c, [
			T.el('p', { class: 'period-text', id: 'period' }, [T.el('strong', null, T.span(d.period.from, d.period.to)),
				', against ' + T.span(d.previous.from, d.previous.to) + ' before it.']),
			T.cards(d.totals), T.apart(d.totals), T.asOf(d.as_of_ms),
			T.el('div', { class: 'side' }, [
				T.table({ id: 'areas', title: 'Areas', caption: 'Every area of the store.', csv: csv('areas'),
					  asOf: d.as_of_ms, rows: d.areas,
					  cols: [{ key: 'area', label: 'Area' }, { key: 'kiosks', label: 'Kiosks', type: 'int', opt: true }].concat(FIG) }),
				T.table({ id: 'kiosks', title: 'Kiosks', caption: 'Each kiosk of the store.', csv: csv('kiosks'),
					  asOf: d.as_of_ms, rows: d.kiosks,
					  cols: [{ key: 'kiosk', label: 'Kiosk' }, { key: 'area', label: 'Area', opt: true }].concat(FIG) })]),
			trendBox,
			T.el('div', { class: 'side' }, [heatmap(d), faces(d)]),
			reasons(d)
		]);
		trend(d, trendBox);
	}

	function load() {
		var store = T.params().get('store');
		T.getJSON('/api/v1/store?store=' + encodeURIComponent(store) + '&' + T.periodQuery()).then(draw, function (err) {
			T.showError(T.$('content'), err);
		});
	}

	T.start(function () {
		T.getJSON('/api/v1/stores').then(function (s) {
			var pick = T.$('store-pick'), want = T.params().get('store');
			s.stores.forEach(function (st) {
				pick.appendChild(T.el('option', { value: st.store, selected: st.store === want }, st.store +
					(st.region ? ' (' + st.region + ')' : '')));
			});
			if (!s.stores.length) {
				T.fill(T.clear(T.$('content')), T.el('p', null, 'No stores in your role yet.'));
				return;
			}
			/* A store outside the role is asked for all the same: head office says no (403), and the page says so. */
			if (!want)
				T.setParams({ store: s.stores[0].store });
			pick.value = T.params().get('store');
			pick.addEventListener('change', function () {
				T.setParams({ store: pick.value });
				load();
			});
			T.periodControl(T.$('toolbar'), load);
			load();
		}, function (err) {
			T.showError(T.$('content'), err);
		});
	});

	window.addEventListener('resize', function () {
		var box = T.$('trend-chart');
		if (chart && box)
			chart.setSize({ width: Math.max(box.clientWidth, 280), height: 240 });
	});
})();
