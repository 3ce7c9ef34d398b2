/* Optiscope race view: the contour panels, the paths and their playback, drawn in the browser with plotly.js.
 *
 * A classic script (no modules, no build step) that defines window.OptiscopeRace = {Race, decode, figure}.  It is
 * loaded after plotly.js, by the Streamlit component (viz/race_view/view_mount.js) or by a published page
 * (viz/static_page.py, with published.js), which works from file:// too.  The payloads it draws are documented in
 * viz/race_view/__init__.py:
 *   surface  - heights on a grid and their level scale, bounds, minima, colours: sent once per surface;
 *   runs     - every run's path, loss and optional extra marker series, the layout and the presenter options:
 *              sent on every change.  A new runs payload swaps the paths in place, keeping the step drawn and
 *              whether the race is playing.
 * Playback runs on requestAnimationFrame at up to 60 drawn steps per second; a run of up to MAX_SHOWN steps
 * shows every step, a longer one MAX_SHOWN + 1 evenly spaced steps ending on the last.
 * The root element carries data-testid="race-view", data-step (the step drawn) and data-revision (changes when
 * the drawn paths change), and data-drawn="true" once the first drawing is on screen, when it also dispatches an
 * 'optiscope-drawn' event.
 * Options (the third argument of Race): fitHeight, a function giving the height in px the whole view, controls
 * included, must fit in (a published page fits the race to its window, e.g. a 960x540 iframe on a slide).
 * figure(el, fig) draws a plain plotly figure (JSON) the way the app draws the charts beside the race.
 */
(function () {
  'use strict';
  if (window.OptiscopeRace) return;

  const MAX_SHOWN = 300;          // longest run whose every step is drawn
  const MIN_FRAME_MS = 1000 / 60; // at most 60 drawn steps per second
  const NARROW = 640;             // below this width (px) panels stack one per row and the colour bar is dropped

  /** A base64 string of little-endian float32 values as a Float32Array. */
  function decode(b64) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    return new Float32Array(bytes.buffer);
  }

  /** The steps playback draws: all of 0..steps, or MAX_SHOWN + 1 evenly spaced ones (0 and steps included). */
  function shownSteps(steps) {
    const n = Math.min(steps, MAX_SHOWN);
    const out = new Array(n + 1);
    for (let i = 0; i <= n; i++) out[i] = steps <= MAX_SHOWN ? i : Math.round((i * steps) / MAX_SHOWN);
    return out;
  }

  const FONT = '"Open Sans", verdana, arial, sans-serif';     // plotly's default font family
  let measurer = null;

  /** Width (px) of ``text`` in plotly's default font at ``size`` px. */
  function textWidth(text, size) {
    measurer = measurer || document.createElement('canvas').getContext('2d');
    measurer.font = `${size}px ${FONT}`;
    return measurer.measureText(text).width;
  }

  /** ``text`` broken at spaces into lines at most ``width`` px wide in a ``size`` px font (a longer word gets a line
   *  of its own). */
  function breakLines(text, width, size) {
    const lines = [];
    for (const word of text.split(' ')) {
      const last = lines.length ? lines[lines.length - 1] + ' ' + word : null;
      if (last !== null && textWidth(last, size) <= width) lines[lines.length - 1] = last;
      else lines.push(word);
    }
    return lines;
  }

  /** Title markup as plotly takes it (lines joined by <br>; a line may be <sup>…</sup>, drawn at 70%) broken further
   *  so that no line is wider than ``width`` px in a ``size`` px font. */
  function fitTitle(markup, width, size) {
    return markup.split('<br>').map((part) => {
      const sup = /^<sup>(.*)<\/sup>$/.exec(part);
      return sup ? breakLines(sup[1], width, 0.7 * size).map((l) => `<sup>${l}</sup>`).join('<br>')
        : breakLines(part, width, size).join('<br>');
    }).join('<br>');
  }

  /** Per-trace updates [{x, y, ...}, ...] as Plotly.restyle's columns {x: [...], y: [...], ...}. */
  function columns(updates) {
    const out = {};
    updates.forEach((u, j) => {
      for (const [k, v] of Object.entries(u)) (out[k] = out[k] || new Array(updates.length).fill(undefined))[j] = v;
    });
    return out;
  }

  /** The map from heights g = f − f* above the minima's heights ``refs`` to what is drawn: viz.figures.LevelScale
   *  (the level lines take every minimum's height, the colours the lowest alone). */
  function levelScale(scale, refs) {
    const mean = (term) => (g) => refs.reduce((sum, r) => sum + term(g - r), 0) / refs.length;
    if (scale.spacing === 'linear') return (g) => g + scale.f_star;
    if (scale.spacing === 'sqrt') return mean((h) => Math.sqrt(Math.max(h, 0)));
    return mean((h) => Math.log10(Math.max(h, 0) + scale.floor));
  }

  /** Row-major heights ``g`` on axes ``x``, ``y`` resampled bilinearly ``k`` times finer: {x, y, g}. */
  function refine(x, y, g, k) {
    const n = x.length;
    const cell = (len, i) => Math.min(Math.floor(i / k), len - 2);      // the grid cell fine point i lies in
    const fine = (axis) => Float32Array.from({length: (axis.length - 1) * k + 1}, (_, i) => {
      const c = cell(axis.length, i), t = i / k - c;
      return axis[c] + t * (axis[c + 1] - axis[c]);
    });
    const fx = fine(x), fy = fine(y), out = new Float32Array(fx.length * fy.length);
    for (let i = 0; i < fy.length; i++) {
      const r = cell(y.length, i), t = i / k - r;
      for (let j = 0; j < fx.length; j++) {
        const c = cell(n, j), u = j / k - c, q = r * n + c;
        out[i * fx.length + j] = (1 - t) * ((1 - u) * g[q] + u * g[q + 1])
          + t * ((1 - u) * g[q + n] + u * g[q + n + 1]);
      }
    }
    return {x: fx, y: fy, g: out};
  }

  /** Row-major values ``a`` on axes x, y as plotly's z: one row per y. */
  function rows(a, x, y) {
    return Array.from(y, (_, i) => a.subarray(i * x.length, (i + 1) * x.length));
  }

  /** The colour of run ``r``'s panel title: red once it has diverged. */
  function titleColor(r) {
    return r.diverged_at >= 0 ? '#b91c1c' : '#1f2937';
  }

  /** The start points of runs ``ks`` of payload ``p`` as a trace's {x, y}. */
  function startPoints(p, ks) {
    return {x: ks.map((k) => p.runs[k].x[0]), y: ks.map((k) => p.runs[k].y[0])};
  }

  /** Run ``r``'s finite path (steps 0..end) as a trace's {x, y}. */
  function path(r) {
    return {x: r.x.subarray(0, r.end + 1), y: r.y.subarray(0, r.end + 1)};
  }

  /** What decides the panels and traces (not the paths): runs with the same shape are swapped in place. */
  function shape(p) {
    return JSON.stringify([p.layout, p.present, p.trails, p.runs.map((r) => [r.color, r.markers.length, !!r.g,
                                                                           p.layout === 'side' ? '' : r.title])]);
  }

  function button(label, text, onClick) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = text;
    b.setAttribute('aria-label', label);
    b.title = label;
    b.addEventListener('click', onClick);
    return b;
  }

  function alpha(hex, a) {
    const h = hex.replace('#', '');
    return `rgba(${parseInt(h.slice(0, 2), 16)},${parseInt(h.slice(2, 4), 16)},${parseInt(h.slice(4, 6), 16)},${a})`;
  }

  /** Steps ``from``..``to`` of run ``r`` as a line with a dot at every point. */
  function polyline(ctx, r, from, to, px, py, color, width, dot) {
    ctx.beginPath();
    ctx.moveTo(px(r.x[from]), py(r.y[from]));
    for (let i = from + 1; i <= to; i++) ctx.lineTo(px(r.x[i]), py(r.y[i]));
    ctx.strokeStyle = color;
    ctx.lineWidth = width;
    ctx.stroke();
    ctx.fillStyle = color;
    if (to - from > 600) return;                        // dots would merge into the line anyway
    for (let i = from; i <= to; i++) ctx.fillRect(px(r.x[i]) - dot, py(r.y[i]) - dot, 2 * dot, 2 * dot);
  }

  /** A marker of plotly symbol ``name`` (circle, square, diamond, cross, x, triangle-up; others: circle). */
  function symbol(ctx, name, x, y, size, fill, edge) {
    const base = String(name).replace(/-open$/, '');
    ctx.beginPath();
    if (base === 'square') ctx.rect(x - size, y - size, 2 * size, 2 * size);
    else if (base === 'diamond') { ctx.moveTo(x, y - size); ctx.lineTo(x + size, y); ctx.lineTo(x, y + size); ctx.lineTo(x - size, y); ctx.closePath(); }
    else if (base === 'triangle-up') { ctx.moveTo(x, y - size); ctx.lineTo(x + size, y + size); ctx.lineTo(x - size, y + size); ctx.closePath(); }
    else if (base === 'cross' || base === 'x') {
      const t = size / 3, d = base === 'x' ? Math.PI / 4 : 0;
      for (let q = 0; q < 4; q++) {
        const c = Math.cos(d + (q * Math.PI) / 2), sn = Math.sin(d + (q * Math.PI) / 2);
        const pt = (u, v) => [x + u * c - v * sn, y + u * sn + v * c];
        const [ax, ay] = pt(t, -t), [bx, by] = pt(size, -t), [cx, cy] = pt(size, t);
        if (q === 0) ctx.moveTo(ax, ay); else ctx.lineTo(ax, ay);
        ctx.lineTo(bx, by); ctx.lineTo(cx, cy);
      }
      ctx.closePath();
    } else ctx.arc(x, y, size, 0, 2 * Math.PI);
    ctx.fillStyle = fill;
    ctx.fill();
    ctx.lineWidth = 1.5;
    ctx.strokeStyle = edge;
    ctx.stroke();
  }

  class Race {
    /** ``root``: an empty element; ``onStart(x, y)``: called when a panel is clicked (optional); ``options``:
     *  {fitHeight} (optional, see the top of this file). */
    constructor(root, onStart, options) {
      this.root = root;
      this.onStart = onStart || null;
      this.fitHeight = (options && options.fitHeight) || null;
      this.surface = null;
      this.runs = null;
      this.index = -1;           // position in this.steps of the step drawn; -1: not chosen yet (end, or 0 presenting)
      this.playing = false;
      this.busy = false;         // a drawing (Plotly.react) is in flight
      this.updating = false;     // a flush (Plotly.update) is in flight
      this.dirty = false;        // flush again when it ends
      this.width = 0;
      this.lastTick = 0;
      this.autoplayed = false;

      root.classList.add('optiscope-race');
      root.setAttribute('data-testid', 'race-view');
      root.setAttribute('data-step', '0');
      root.setAttribute('data-revision', '');
      root.setAttribute('data-drawn', 'false');
      root.tabIndex = 0;
      root.setAttribute('role', 'group');
      root.setAttribute('aria-label', 'Optimizer race: Space plays or pauses, arrow keys step, Home and End jump');

      this.counter = document.createElement('div');
      this.counter.className = 'race-counter';
      this.plot = document.createElement('div');
      this.plot.className = 'race-plot';
      const controls = document.createElement('div');
      controls.className = 'race-controls';
      this.playButton = button('Play', '▶', () => this.toggle());
      this.playButton.classList.add('race-play');
      this.slider = document.createElement('input');
      this.slider.type = 'range';
      this.slider.min = '0';
      this.slider.step = '1';
      this.slider.setAttribute('aria-label', 'Step');
      this.slider.addEventListener('input', () => { this.pause(); this.show(Number(this.slider.value)); });
      this.label = document.createElement('span');
      this.label.className = 'race-label';
      const buttons = document.createElement('div');
      buttons.className = 'race-buttons';
      buttons.append(button('Go to start', '⇤', () => { this.pause(); this.show(0); }),
                     button('Previous step', '‹', () => { this.pause(); this.show(this.index - 1); }),
                     this.playButton,
                     button('Next step', '›', () => { this.pause(); this.show(this.index + 1); }),
                     button('Go to end', '⇥', () => { this.pause(); this.show(this.steps.length - 1); }));
      const scrub = document.createElement('div');
      scrub.className = 'race-scrub';
      scrub.append(this.slider, this.label);
      controls.append(this.counter, buttons, scrub);
      root.append(this.plot, controls);

      root.addEventListener('keydown', (e) => this.key(e));
      this.resize = new ResizeObserver(() => {
        const w = Math.round(this.root.clientWidth);
        if (this.runs && this.surface && Math.abs(w - this.width) > 2) this.draw();
      });
      this.resize.observe(root);
      // Presenting on a wide window, the panels fill its height too (a projector's window often changes only in
      // height, e.g. going full screen); a phone's changes as its address bar hides, which moves nothing.
      this.windowResized = () => {
        const fills = this.runs && this.runs.present && this.surface && this.width >= NARROW;
        if (fills && window.innerHeight !== this.windowHeight) this.draw();
      };
      window.addEventListener('resize', this.windowResized);
      this.frame = (t) => this.tick(t);
    }

    destroy() {
      this.playing = false;
      this.resize.disconnect();
      window.removeEventListener('resize', this.windowResized);
      if (this.boundaries) this.boundaries.destroy();
      if (window.Plotly) window.Plotly.purge(this.plot);
      this.root.replaceChildren();
    }

    /** A new surface payload (the contour changed): redraw everything. */
    setSurface(surface) {
      if (this.surface && this.surface.id === surface.id) return;
      const x = decode(surface.x), y = decode(surface.y), g = decode(surface.g), refs = surface.scale.refs;
      const z = rows(g.map(levelScale(surface.scale, refs.slice(0, 1))), x, y);     // the colours
      const f = rows(g.map((v) => v + surface.scale.f_star), x, y);                 // the hover's values
      // The level lines.  Above a higher minimum's value they crowd closer than a grid cell, and traced on the grid
      // they would zigzag, so with several minimum values they are traced on heights resampled 3 times finer.
      let lines = {x, y, z};
      if (refs.length > 1) {
        const fine = refine(x, y, g, 3);
        lines = {x: fine.x, y: fine.y, z: rows(fine.g.map(levelScale(surface.scale, refs)), fine.x, fine.y)};
      }
      this.surface = Object.assign({}, surface, {x, y, z, f, lines});
      if (this.runs) this.draw();
    }

    /** A new runs payload: swap the paths in, keeping the step and the play state. */
    setRuns(payload) {
      if (this.runs && this.runs.revision === payload.revision) return;
      const step = this.index >= 0 ? this.steps[this.index] : null;
      const runs = payload.runs.map((r) => {
        const x = decode(r.x), y = decode(r.y), f = decode(r.f);
        const g = r.g ? decode(r.g) : null;      // gradient used by step i (i >= 1) at 2 * (i - 1)
        const hover = new Array(x.length);
        for (let i = 0; i < x.length; i++) {
          hover[i] = !g ? [i, f[i]] : i === 0 ? [0, f[0], 0, 0, 0, 0]
            : [i, f[i], g[2 * i - 2], g[2 * i - 1], x[i] - x[i - 1], y[i] - y[i - 1]];
        }
        const markers = (r.markers || []).map((m) => ({name: m.name, symbol: m.symbol || 'circle', link: !!m.link,
                                                       radius: m.radius || 0, x: decode(m.x), y: decode(m.y)}));
        return Object.assign({}, r, {x, y, f, hover, markers});
      });
      this.runs = Object.assign({}, payload, {runs});
      this.steps = shownSteps(Math.max(...runs.map((r) => r.x.length - 1)));
      if (step !== null) {             // the same step, or the nearest shown one not past it
        let i = 0;
        while (i + 1 < this.steps.length && this.steps[i + 1] <= step) i++;
        this.index = i;
      }
      this.slider.max = String(this.steps.length - 1);
      this.root.classList.toggle('present', !!payload.present);
      this.setNetwork(payload);        // network mode's decision boundaries, when the payload has them (below)
      const same = this.animated && !this.busy && this.shape === shape(this.runs) && this.titlesFit(this.runs);
      if (this.surface && same) this.swap();
      else if (this.surface) this.draw();
    }

    /** Whether runs payload ``p``'s panel titles fit the room the panels drawn leave them. */
    titlesFit(p) {
      const lines = (r) => this.panelTitle(r).split('<br>').length;
      return p.layout !== 'side' || p.runs.every((r) => lines(r) <= this.titleFont.lines);
    }

    /** New paths on the panels already drawn: repainted at once, plotly's own parts brought along by flush. */
    swap() {
      const p = this.runs;
      this.animated = this.animated.map((a, k) => Object.assign({}, a, {run: p.runs[k]}));
      this.paint();
      this.root.setAttribute('data-revision', p.revision);
      this.mark();
      this.flush();
    }

    /** What plotly shows besides the paths for runs payload ``p``: each start trace's points, each panel
     *  title, and which payload the hover carriers hold. */
    plotlyState(p) {
      return {starts: this.startTraces.map((t) => JSON.stringify(startPoints(p, t.runs))),
              titles: p.layout === 'side' ? p.runs.map((r) => this.panelTitle(r) + titleColor(r)) : [],
              carriers: p.revision};
    }

    /** Bring plotly's starts, titles and hover carriers to the runs shown.  Any Plotly call on this graph
     *  re-renders all its panels (140-240 ms), so only what changed is sent, and the carriers only while the race
     *  rests: a change during playback then costs no Plotly call unless a start or a title changed.  One call at
     *  a time; a change meanwhile is taken up when it ends. */
    flush() {
      if (!this.animated) return;
      if (this.updating) { this.dirty = true; return; }
      const p = this.runs, want = this.plotlyState(p), data = [], ids = [], layout = {};
      this.startTraces.forEach((t, j) => {
        if (want.starts[j] === this.shown.starts[j]) return;
        data.push(startPoints(p, t.runs));
        ids.push(t.index);
      });
      want.titles.forEach((title, k) => {
        if (title === this.shown.titles[k]) return;
        layout[`annotations[${k}].text`] = this.panelTitle(p.runs[k]);
        layout[`annotations[${k}].font.color`] = titleColor(p.runs[k]);
      });
      const carriers = !this.playing && want.carriers !== this.shown.carriers;
      if (carriers) {
        for (const a of this.animated) {
          data.push(Object.assign(path(a.run), {customdata: a.run.hover, name: a.run.title}));
          ids.push(a.hover);
        }
      }
      if (!ids.length && !Object.keys(layout).length) return;
      const shown = Object.assign({}, want, {carriers: carriers ? want.carriers : this.shown.carriers});
      const done = () => { this.updating = false; if (this.dirty) { this.dirty = false; this.flush(); } };
      this.updating = true;
      requestAnimationFrame(() => setTimeout(() => {          // once the new paths are on screen
        window.Plotly.update(this.plot, columns(data), layout, ids).then(() => { this.shown = shown; done(); }, done);
      }, 0));
    }

    /** Where the panels go at ``width`` px: columns, cell size, gaps, margins, the colour bar and the height.
     *  One column on a phone; otherwise two, or, with a height to fit (presenting: the window's; the fitHeight
     *  option's), as many as make the panels largest within it: a projector or a slide shows the whole race at
     *  once.  Then only the outer panels carry tick labels and the colour bar lies under the panels, so that the
     *  width goes to the panels. */
    geometry(p, width, titleLines) {
      const side = p.layout === 'side', nPanels = side ? p.runs.length : 1;
      const present = !!p.present, narrow = width < NARROW;
      const fill = (present || !!this.fitHeight) && !narrow;
      const [[x0, x1], [y0, y1]] = this.surface.bounds;
      const aspect = Math.min(Math.max((y1 - y0) / (x1 - x0), 0.5), 1.2);
      const font = present ? 18 : narrow ? 12 : 13;
      const titleSize = font + (present ? 2 : 0);
      const titleH = side ? titleLines * 1.3 * titleSize + 6 : 12;     // the panel titles, titleLines lines each
      // Overlaid on a phone, the legend (one entry a line: the runs, start, minimum) stands above the plot; room is
      // made for it, or plotly would take it from the plot, which the equal axis scale then narrows as well.
      const legendH = !side && narrow ? (p.runs.length + 1 + (this.surface.minima.length ? 1 : 0)) * 1.45 * font + 8 : 0;
      const barH = fill ? 56 : 0;                      // the colour bar under the panels: bar, tick labels, gap
      const named = fill && this.surface.axes ? 14 : 0;   // a long axis title (network mode) sits above the bar
      const margin = {l: narrow ? 40 : 56, r: narrow || fill ? 8 : 24, t: side ? 8 : (present ? 16 : 8) + legendH,
                      b: (present ? 84 : fill ? 64 : 44) + named + barH};
      const bar = narrow || fill ? 0 : 70;             // room for the colour bar at the right
      const gapX = fill ? 16 : 48;                     // room for the next panel's y tick labels, if it has any
      const gapY = titleH + (fill ? 12 : 36);          // the next row's titles, and this row's x tick labels
      const plotW = width - margin.l - margin.r - bar;
      const room = fill ? this.heightToFit() - margin.t - margin.b - titleH : Infinity;   // for the panels
      const fit = (c) => {                             // the panels' width with c columns
        const r = Math.ceil(nPanels / c);
        return Math.min((plotW - gapX * (c - 1)) / c, (room - (r - 1) * gapY) / r / aspect);
      };
      let cols = narrow || nPanels === 1 ? 1 : 2;
      if (fill) for (let c = 1; c <= nPanels; c++) if (fit(c) > fit(cols)) cols = c;
      const rows = Math.ceil(nPanels / cols);
      const cellW = fill ? Math.max(present ? 160 : 60, fit(cols)) : (plotW - gapX * (cols - 1)) / cols;
      const cellH = fill ? cellW * aspect : Math.max(220, Math.min(cellW * aspect, side && rows > 1 ? 520 : 620));
      const indent = fill ? Math.max(0, plotW - cols * cellW - (cols - 1) * gapX) / 2 : 0;   // centred
      const height = margin.t + margin.b + titleH + rows * cellH + (rows - 1) * gapY;
      return {side, nPanels, present, narrow, fill, font, titleSize, titleLines, titleH, barH, margin, bar, gapX, gapY,
              plotW, cols, rows, cellW, cellH, indent, height, inner: height - margin.t - margin.b};
    }

    /** Lines the longest panel title of runs payload ``p`` takes at geometry ``g`` (at least 2, so that a
     *  change of a title rarely moves the panels). */
    titleLines(p, g) {
      if (!g.side) return 2;
      return Math.max(2, ...p.runs.map((r) => fitTitle(r.title, g.cellW, g.titleSize).split('<br>').length));
    }

    /** Run ``r``'s panel title, broken to fit its panel. */
    panelTitle(r) {
      return fitTitle(r.title, this.titleFont.width, this.titleFont.size);
    }

    /** The height (px) the plot must fit in: presenting, from the race's top to the window's bottom; with the
     *  fitHeight option, what it gives; less the controls under the plot. */
    heightToFit() {
      const whole = this.runs.present ? window.innerHeight - this.root.getBoundingClientRect().top - 8
        : this.fitHeight();
      return whole - (this.root.offsetHeight - this.plot.offsetHeight);
    }

    /** The colour bar: at the right of the panels, or under them when presenting (see geometry). */
    colorbar(g) {
      const s = this.surface, panels = g.cols * g.cellW + (g.cols - 1) * g.gapX;
      const bar = {title: {text: s.label, side: 'right'}, tickmode: s.ticks.vals.length ? 'array' : 'auto',
                   tickvals: s.ticks.vals, ticktext: s.ticks.text};
      if (g.fill) {
        return Object.assign(bar, {orientation: 'h', thickness: 14, len: Math.min(panels, 560), lenmode: 'pixels',
                                   x: (g.indent + panels / 2) / g.plotW, xanchor: 'center',
                                   y: -(g.margin.b - g.barH) / g.inner, yanchor: 'top', ypad: 0, tickfont: {size: 15}});
      }
      return Object.assign(bar, {thickness: g.present ? 16 : 10, len: 0.9, xanchor: 'left', xpad: 8,
                                 x: Math.min(1, (panels + 16) / (g.plotW + g.bar))});
    }

    /** Panels, axes and traces for the current width; then the current step. */
    draw() {
      const Plotly = window.Plotly;
      const s = this.surface, p = this.runs;
      const width = Math.round(this.root.clientWidth) || 800;
      this.width = width;
      this.windowHeight = window.innerHeight;
      let g = this.geometry(p, width, 2);               // then again if a title takes more lines at that width
      for (let k = 0; k < 3 && this.titleLines(p, g) > g.titleLines; k++) {
        g = this.geometry(p, width, this.titleLines(p, g));
      }
      const {side, nPanels, present, narrow, font, titleH, margin, bar, gapX, gapY, plotW, cols, rows, cellW, cellH,
             inner} = g;
      const [[x0, x1], [y0, y1]] = s.bounds;
      const [xTitle, yTitle] = s.axes || ['x', 'y'];     // a plane through a network's weights names its axes
      this.titleFont = {width: cellW, size: g.titleSize, lines: g.titleLines};
      const layout = {
        width, height: g.height, margin, showlegend: !side, dragmode: false, hovermode: 'closest',
        font: {size: font}, paper_bgcolor: 'rgba(0,0,0,0)', plot_bgcolor: 'white',
        uirevision: s.id, annotations: [],
        legend: {orientation: 'h', x: 0, y: 1, xanchor: 'left', yanchor: 'bottom'},
        coloraxis: {colorscale: s.colorscale, showscale: !narrow, colorbar: this.colorbar(g)},
      };
      const traces = [], startTraces = [];
      for (let i = 0; i < nPanels; i++) {
        const row = Math.floor(i / cols), col = i % cols;
        const ax = i === 0 ? '' : String(i + 1);
        const left = (g.indent + col * (cellW + gapX)) / (plotW + bar);
        const top = 1 - (titleH + row * (cellH + gapY)) / inner;
        layout['xaxis' + ax] = {domain: [left, left + cellW / (plotW + bar)], range: [x0, x1], constrain: 'domain',
                                showgrid: false, zeroline: false, anchor: 'y' + ax, title: {text: row === rows - 1 || !side ? xTitle : ''},
                                showticklabels: !g.fill || row === rows - 1, automargin: false,
                                ticklabeloverflow: 'hide past domain'};    // side by side, the ends' labels would meet
        layout['yaxis' + ax] = {domain: [Math.max(top - cellH / inner, 0), top], range: [y0, y1],
                                scaleanchor: 'x' + ax, constrain: 'domain', showgrid: false, zeroline: false,
                                anchor: 'x' + ax, title: {text: col === 0 && !narrow ? yTitle : ''},
                                showticklabels: !g.fill || col === 0, automargin: false};
        if (side) {
          const r = p.runs[i];
          layout.annotations.push({text: this.panelTitle(r), xref: 'x' + ax + ' domain', yref: 'y' + ax + ' domain',
                                   x: 0.5, y: 1, yanchor: 'bottom', yshift: 4, showarrow: false,
                                   font: {size: this.titleFont.size, color: titleColor(r)}});
        }
        const xa = 'x' + ax, ya = 'y' + ax;
        // The colours: a heatmap the browser smooths as it scales it up ('fast': one pixel per grid point).
        // A contour trace coloured 'heatmap' would look the same but interpolates every screen pixel in script,
        // which took a third of the first drawing.  The level lines go on top, uncoloured.
        traces.push({type: 'heatmap', x: s.x, y: s.y, z: s.z, customdata: s.f, coloraxis: 'coloraxis',
                     zsmooth: 'fast', xaxis: xa, yaxis: ya, name: 'surface',
                     hovertemplate: '(%{x:.3g}, %{y:.3g})<br>f = %{customdata:.4g}<extra></extra>'});
        // The level lines exactly where Python placed them (the test of their spacing counts these).
        traces.push({type: 'contour', x: s.lines.x, y: s.lines.y, z: s.lines.z, autocontour: false, showscale: false,
                     contours: Object.assign({coloring: 'none'}, s.levels),
                     line: {width: 0.5, color: 'rgba(255,255,255,0.35)'},
                     xaxis: xa, yaxis: ya, name: 'levels', hoverinfo: 'skip', showlegend: false});
        if (s.minima.length) {
          traces.push({type: 'scatter', mode: 'markers', name: 'minimum', showlegend: !side && i === 0,
                       x: s.minima.map((m) => m[0]), y: s.minima.map((m) => m[1]), xaxis: xa, yaxis: ya,
                       marker: {symbol: 'star', size: present ? 22 : 15, color: '#111827', line: {color: 'white', width: 1.5}},
                       hovertemplate: 'minimum (%{x:.4g}, %{y:.4g})<extra></extra>'});
        }
        const own = side ? [i] : p.runs.map((_, k) => k);
        startTraces.push({index: traces.length, runs: own});
        traces.push(Object.assign(startPoints(p, own), {type: 'scatter', mode: 'markers', name: 'start',
                     showlegend: !side && i === 0, xaxis: xa, yaxis: ya,
                     marker: {symbol: 'diamond', size: present ? 15 : 10, color: 'white', line: {color: 'black', width: 1.5}},
                     hovertemplate: 'start (%{x:.4g}, %{y:.4g})<extra></extra>'}));
      }
      // Per run: a hover carrier (its whole path; hovering a step not drawn yet shows nothing, see bindHover; mode
      // 'none' hovers like markers but puts no element per point on the page) and, overlaid, a legend entry.
      // The visible paths, heads, markers and divergence marks are drawn on the overlay canvas at plotly's own
      // axis positions (see paint), so playback costs no Plotly call per step.
      const animated = [];
      p.runs.forEach((r, k) => {
        const ax = side && k > 0 ? String(k + 1) : '';
        const ids = {run: r, ax};
        ids.hover = traces.length;
        traces.push(Object.assign(path(r), {type: 'scatter', mode: 'none', name: r.title, showlegend: false,
                     customdata: r.hover, xaxis: 'x' + ax, yaxis: 'y' + ax,
                     hoverlabel: {bgcolor: r.color},
                     hovertemplate: 'step %{customdata[0]:d} · f %{customdata[1]:.4g}<br>(%{x:.4g}, %{y:.4g})' +
                                    (r.g ? '<br>gradient g = (%{customdata[2]:.3g}, %{customdata[3]:.3g})' +
                                           '<br>update Δθ = (%{customdata[4]:.3g}, %{customdata[5]:.3g})' : '') +
                                    '<extra>%{fullData.name}</extra>'}));
        if (!side) {
          traces.push({type: 'scatter', mode: 'lines+markers', name: r.title, x: [null], y: [null], hoverinfo: 'skip',
                       line: {color: r.color, width: present ? 4 : 2}, marker: {color: r.color, size: 8}});
          r.markers.forEach((m) => traces.push({type: 'scatter', mode: 'markers', name: `${r.label}: ${m.name}`,
                                               x: [null], y: [null], hoverinfo: 'skip',
                                               marker: {symbol: m.symbol, size: 10, color: 'white',
                                                        line: {color: r.color, width: 2}}}));
        }
        animated.push(ids);
      });
      if (this.index < 0) this.index = present ? 0 : this.steps.length - 1;
      this.busy = true;
      const revision = p.revision;
      this.style = {present, font, narrow};
      Plotly.react(this.plot, traces, layout, {displayModeBar: false, responsive: false, scrollZoom: false})
        .then(() => {
          this.busy = false;
          this.animated = animated;
          this.startTraces = startTraces;
          this.shape = shape(p);
          this.shown = this.plotlyState(p);
          this.bindClick();
          this.bindHover();
          this.fitCanvas();
          this.paint();
          this.root.setAttribute('data-revision', revision);
          if (this.root.getAttribute('data-drawn') !== 'true') {
            this.root.setAttribute('data-drawn', 'true');
            this.root.dispatchEvent(new CustomEvent('optiscope-drawn', {bubbles: true}));
          }
          this.mark();
          if (present && !this.autoplayed) { this.autoplayed = true; this.play(); }
        });
    }

    /** Size the overlay canvas to the plot (device pixels), above plotly's drawing, letting the mouse through. */
    fitCanvas() {
      if (!this.canvas) {
        this.canvas = document.createElement('canvas');
        this.canvas.className = 'race-canvas';
        this.plot.append(this.canvas);
      }
      const full = this.plot._fullLayout, ratio = window.devicePixelRatio || 1;
      this.canvas.width = Math.round(full.width * ratio);
      this.canvas.height = Math.round(full.height * ratio);
      this.canvas.style.width = full.width + 'px';
      this.canvas.style.height = full.height + 'px';
      this.ratio = ratio;
    }

    /** Draw every run at the step shown: path (faint beyond the trail), trail, extra markers, head, divergence. */
    paint() {
      const full = this.plot._fullLayout;
      if (!full || !this.canvas || !this.animated) return;
      const ctx = this.canvas.getContext('2d');
      const {present, font} = this.style;
      const step = this.steps[this.index], k = this.runs.trails;
      const lineW = present ? 4 : 2, dot = present ? 3 : 2, head = present ? 10 : 7;
      ctx.setTransform(this.ratio, 0, 0, this.ratio, 0, 0);
      ctx.clearRect(0, 0, full.width, full.height);
      ctx.lineJoin = 'round';
      for (const a of this.animated) {
        const r = a.run, s = Math.min(step, r.end);
        const xa = full['xaxis' + a.ax], ya = full['yaxis' + a.ax];
        if (!xa || !ya) continue;
        const px = (v) => xa._offset + xa.l2p(v), py = (v) => ya._offset + ya.l2p(v);
        ctx.save();
        ctx.beginPath();
        ctx.rect(xa._offset, ya._offset, xa._length, ya._length);
        ctx.clip();
        if (this.runs.finals) symbol(ctx, 'square', px(r.x[r.end]), py(r.y[r.end]), present ? 8 : 6, 'white', r.color);
        const from = k > 0 ? Math.max(0, s - k) : 0;
        if (from > 0) polyline(ctx, r, 0, from, px, py, alpha(r.color, 0.28), lineW, dot);
        polyline(ctx, r, from, s, px, py, r.color, k > 0 ? lineW + 1 : lineW, dot);
        const linked = r.markers.filter((m) => m.link), q = Math.max(s - 1, 0);   // q: the step before
        ctx.beginPath();
        for (const m of r.markers.filter((m) => m.radius > 0)) {    // a ball around the point before the step
          ctx.moveTo(px(r.x[q] + m.radius), py(r.y[q]));
          ctx.ellipse(px(r.x[q]), py(r.y[q]), Math.abs(px(m.radius) - px(0)), Math.abs(py(m.radius) - py(0)), 0, 0, 2 * Math.PI);
        }
        if (linked.length) {                                       // the run's point, then its linked markers
          ctx.moveTo(px(r.x[s]), py(r.y[s]));
          for (const m of linked) ctx.lineTo(px(m.x[s]), py(m.y[s]));
        }
        ctx.lineWidth = 1;
        ctx.strokeStyle = alpha(r.color, 0.8);
        ctx.stroke();
        for (const m of r.markers) symbol(ctx, m.symbol, px(m.x[s]), py(m.y[s]), present ? 8 : 6, 'white', r.color);
        ctx.beginPath();
        ctx.arc(px(r.x[s]), py(r.y[s]), head, 0, 2 * Math.PI);
        ctx.fillStyle = r.color;
        ctx.fill();
        ctx.lineWidth = 1.5;
        ctx.strokeStyle = 'black';
        ctx.stroke();
        if (r.diverged_at >= 0 && step >= r.diverged_at) {
          const x = px(r.x[r.end]), y = py(r.y[r.end]);
          symbol(ctx, 'x', x, y, present ? 10 : 8, '#b91c1c', 'white');
          ctx.font = `${font}px sans-serif`;
          ctx.textAlign = 'center';
          ctx.lineWidth = 3;
          ctx.strokeStyle = 'white';
          ctx.strokeText(`diverged at step ${r.diverged_at}`, x, y - 14);
          ctx.fillStyle = '#b91c1c';
          ctx.fillText(`diverged at step ${r.diverged_at}`, x, y - 14);
        }
        ctx.restore();
      }
      if (this.boundaries) this.boundaries.show(step);
    }

    /** Show position ``i`` of the shown steps (clamped): no Plotly call, only the overlay is repainted. */
    show(i) {
      if (!this.runs || !this.steps) return;
      this.index = Math.max(0, Math.min(this.steps.length - 1, i));
      this.paint();
      this.mark();
    }

    /** Reflect the step drawn in the attributes, the slider, the label and the counter. */
    mark() {
      const step = this.steps[this.index], last = this.steps[this.steps.length - 1];
      this.root.setAttribute('data-step', String(step));
      this.slider.value = String(this.index);
      this.label.textContent = `step ${step} / ${last}`;
      this.counter.textContent = `step ${step}`;
    }

    play() {
      if (this.playing || !this.steps) return;
      if (this.index >= this.steps.length - 1) this.show(0);
      this.playing = true;
      this.playButton.textContent = '❚❚';
      this.playButton.setAttribute('aria-label', 'Pause');
      this.playButton.title = 'Pause';
      this.lastTick = 0;
      requestAnimationFrame(this.frame);
    }

    pause() {
      const was = this.playing;
      this.playing = false;
      if (was) this.flush();       // the hover carriers catch up with a change made during playback
      this.playButton.textContent = '▶';
      this.playButton.setAttribute('aria-label', 'Play');
      this.playButton.title = 'Play';
    }

    toggle() { if (this.playing) this.pause(); else this.play(); }

    tick(t) {
      if (!this.playing) return;
      if (t - this.lastTick >= MIN_FRAME_MS - 1) {
        this.lastTick = t;
        if (this.index >= this.steps.length - 1) { this.pause(); return; }
        this.show(this.index + 1);
      }
      requestAnimationFrame(this.frame);
    }

    key(e) {
      const moves = {ArrowLeft: -1, ArrowRight: 1};
      if (e.key === ' ' || e.key === 'Spacebar') this.toggle();
      else if (e.key in moves) { this.pause(); this.show(this.index + moves[e.key]); }
      else if (e.key === 'Home') { this.pause(); this.show(0); }
      else if (e.key === 'End') { this.pause(); this.show(this.steps.length - 1); }
      else return;
      e.preventDefault();
      e.stopPropagation();
    }

    /** The hover carriers hold whole paths (updating them to the step would make plotly recompute every trace,
     *  contours included, on each step); a label for a step not drawn yet, or from carriers that still hold the
     *  runs before a change made during playback (see flush), is taken down as soon as plotly shows it. */
    bindHover() {
      if (this.hoverBound) return;
      this.hoverBound = true;
      this.plot.on('plotly_hover', (e) => {
        const step = this.steps[this.index], stale = this.shown.carriers !== this.runs.revision;
        const ahead = (pt) => this.animated.some((a) => a.hover === pt.curveNumber) && (stale || pt.pointNumber > step);
        if (e.points.length && e.points.every(ahead)) window.Plotly.Fx.unhover(this.plot);
      });
    }

    /** A click anywhere on a panel reports its data coordinates (Python rounds and checks them). */
    bindClick() {
      if (this.clickBound || !this.onStart) return;
      this.clickBound = true;
      this.plot.addEventListener('click', (e) => {
        const full = this.plot._fullLayout;
        if (!full || !this.surface) return;
        const box = this.plot.getBoundingClientRect();
        const px = e.clientX - box.left, py = e.clientY - box.top;
        for (const key of Object.keys(full).filter((k) => /^xaxis\d*$/.test(k))) {
          const xa = full[key], ya = full['yaxis' + key.slice(5)];
          if (!ya) continue;
          const u = px - xa._offset, v = py - ya._offset;
          if (u < 0 || u > xa._length || v < 0 || v > ya._length) continue;
          const x = xa.p2l(u), y = ya.p2l(v);
          if (Number.isFinite(x) && Number.isFinite(y)) this.onStart(x, y);
          return;
        }
      });
    }
  }

  /** Draw ``fig`` (a plotly figure as JSON: {data, layout}) in ``el``, filling its width: the charts beside the
   *  race, in the app (view_mount.js) and on a published page alike.  Its title is broken into lines that fit that
   *  width, again whenever the width changes, and the top margin grows by the lines it adds (see titleMargin).  The
   *  margin is set, not left to the title's automargin: after an automargin redraw plotly can leave the traces
   *  where the axes were before it, drawn off their own tick labels. */
  function figure(el, fig) {
    const layout = fig.layout, title = layout.title && layout.title.text ? layout.title : null;
    const font = (layout.font && layout.font.size) || 12;                  // plotly's title: 1.4 times the font
    const top = (layout.margin && layout.margin.t) || 40;
    el.optiscopeTitle = title && {text: title.text, x: title.x || 0, top,
                                  size: (title.font && title.font.size) || Math.round(1.4 * font)};
    if (title) {
      const fitted = fitFigureTitle(el);
      const extra = titleMargin(el, fitted) - top;
      Object.assign(title, {text: fitted, automargin: false, yref: 'paper', y: 1, yanchor: 'bottom',
                            pad: Object.assign({}, title.pad, {b: 8 + extra})});
      layout.margin = Object.assign({}, layout.margin, {t: top + extra});
    }
    if (!el.optiscopeResize) {
      el.optiscopeWidth = el.clientWidth;
      el.optiscopeResize = new ResizeObserver(() => {
        if (!el.optiscopeTitle || !el._fullLayout || Math.abs(el.clientWidth - el.optiscopeWidth) < 2) return;
        el.optiscopeWidth = el.clientWidth;
        const fitted = fitFigureTitle(el), margin = titleMargin(el, fitted);
        window.Plotly.relayout(el, {'title.text': fitted, 'margin.t': margin,
                                    'title.pad.b': 8 + margin - el.optiscopeTitle.top});
      });
      el.optiscopeResize.observe(el);
    }
    return window.Plotly.react(el, fig.data, Object.assign(layout, {autosize: true}),
                               {displayModeBar: false, responsive: true});
  }

  /** The top margin of the figure in ``el`` for its title broken as ``fitted``: the figure's own margin for one
   *  line, and a line's height more for each further line (a ``<sup>`` line is 0.7 times as high).  Plotly sets a
   *  title's first line on its anchor and the others below it, so the title's bottom pad grows by as much. */
  function titleMargin(el, fitted) {
    const {top, size} = el.optiscopeTitle;
    const extra = fitted.split('<br>').slice(1).reduce((sum, line) => sum + (line.startsWith('<sup>') ? 0.7 : 1), 0);
    return Math.ceil(top + extra * 1.3 * size);
  }

  /** The title of the figure in ``el`` broken to fit the width right of where it starts (``x``, a share of it). */
  function fitFigureTitle(el) {
    const {text, x, size} = el.optiscopeTitle, width = el.clientWidth || 600;
    return fitTitle(text, (1 - x) * width - 8, size);
  }

  /* --- Network mode: what each network has learned ---------------------------------------------------------------
   * A runs payload with a "network" field (viz/network.py) gets one small panel per run under the race: the training
   * points, the network's probability of class 1 over them and its decision boundary (p = 1/2), at the last keyframe
   * step at or before the step drawn, following the slider.  The payload carries each run's weights at the keyframes
   * and the browser evaluates the networks itself (mlpLogits), which costs a few numbers per step, not an image.  The
   * panels are plain canvases, redrawn only when the keyframe shown or their width changes.  The Race above calls
   * setNetwork on every runs payload and boundaries.show from paint; nothing else here touches it. */
  const CLASS_RGB = [[245, 147, 34], [8, 119, 189]];   // class 0 (orange) and class 1 (blue), as the page's caption says
  const BOUNDARY_CELLS = 64;                          // the probability is evaluated on (cells + 1)² nodes
  const SHADE = 0.55;                                 // strongest tint of the background, at p = 0 or 1

  /** Logits of the MLP of layer ``sizes`` ([2, h1, (h2,) 1]) and ``activation`` ('tanh' or 'relu') at the points
   *  (xs[p], ys[p]): landscapes.networks.mlp.logits.  ``w``: its flat weights, laid out as torch's
   *  parameters_to_vector (per layer W, out × in row-major, then b). */
  function mlpLogits(sizes, activation, w, xs, ys) {
    const n = xs.length;
    let a = [xs, ys], k = 0;
    for (let l = 1; l < sizes.length; l++) {
      const fanIn = sizes[l - 1], fanOut = sizes[l], hidden = l < sizes.length - 1, out = [];
      for (let u = 0; u < fanOut; u++) {
        const z = new Float64Array(n).fill(w[k + fanOut * fanIn + u]);             // the bias, then W a
        for (let i = 0; i < fanIn; i++) {
          const wi = w[k + u * fanIn + i], ai = a[i];
          for (let p = 0; p < n; p++) z[p] += wi * ai[p];
        }
        if (hidden) for (let p = 0; p < n; p++) z[p] = activation === 'tanh' ? Math.tanh(z[p]) : Math.max(z[p], 0);
        out.push(z);
      }
      k += fanOut * (fanIn + 1);
      a = out;
    }
    return a[0];
  }

  /** The level set {z = 0} of values ``z`` on m × m nodes (row-major, row i at the i-th y) by marching squares, as
   *  segments in node coordinates [x0, y0, x1, y1, ...]; a saddle cell is split by the sign at its centre. */
  function zeroSegments(z, m) {
    const out = [], t = (u, v) => u / (u - v);          // where the line from value u to value v crosses 0
    for (let i = 0; i + 1 < m; i++) {
      for (let j = 0; j + 1 < m; j++) {
        const a = z[i * m + j], b = z[i * m + j + 1], c = z[(i + 1) * m + j + 1], d = z[(i + 1) * m + j];
        const e = [];                                  // crossings on the bottom, right, top and left edges
        if ((a > 0) !== (b > 0)) e.push([j + t(a, b), i]);
        if ((b > 0) !== (c > 0)) e.push([j + 1, i + t(b, c)]);
        if ((c > 0) !== (d > 0)) e.push([j + 1 - t(c, d), i + 1]);
        if ((d > 0) !== (a > 0)) e.push([j, i + 1 - t(d, a)]);
        if (e.length === 2) out.push(...e[0], ...e[1]);
        else if (e.length === 4) {
          const joined = ((a + b + c + d) > 0) === (a > 0);   // a and c joined through the centre: b and d cut off
          if (joined) out.push(...e[0], ...e[1], ...e[2], ...e[3]);
          else out.push(...e[0], ...e[3], ...e[1], ...e[2]);
        }
      }
    }
    return out;
  }

  class Boundaries {
    /** The panels, placed right after the element ``after`` (the race's plot). */
    constructor(after) {
      this.el = document.createElement('div');
      this.el.className = 'race-boundaries';
      this.caption = document.createElement('p');
      this.caption.className = 'race-boundaries-caption';
      this.grid = document.createElement('div');
      this.grid.className = 'race-boundary-grid';
      this.el.append(this.caption, this.grid);
      after.after(this.el);
      this.panels = [];
      this.step = null;
      this.resize = new ResizeObserver(() => { if (this.step !== null) this.show(this.step); });
      this.resize.observe(this.grid);
    }

    destroy() {
      this.resize.disconnect();
      this.el.remove();
    }

    /** A new runs payload: the data, the grid of nodes over it, and each run's keyframe weights. */
    set(payload) {
      const net = payload.network, xy = decode(net.x), [[x0, x1], [y0, y1]] = net.box, m = BOUNDARY_CELLS + 1;
      const n = xy.length / 2, xs = new Float64Array(n), ys = new Float64Array(n);
      for (let p = 0; p < n; p++) { xs[p] = xy[2 * p]; ys[p] = xy[2 * p + 1]; }
      const gx = new Float64Array(m * m), gy = new Float64Array(m * m);
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) {
          gx[i * m + j] = x0 + (j / (m - 1)) * (x1 - x0);
          gy[i * m + j] = y0 + (i / (m - 1)) * (y1 - y0);
        }
      }
      this.net = {sizes: net.sizes, activation: net.activation, box: net.box, steps: net.steps, xs, ys,
                  labels: decode(net.y), gx, gy, m};
      this.caption.textContent = net.caption;
      const aspect = Math.min(Math.max((y1 - y0) / (x1 - x0), 0.5), 1);
      while (this.panels.length < payload.runs.length) this.panels.push(this.panel());
      while (this.panels.length > payload.runs.length) this.panels.pop().el.remove();
      this.panels.forEach((pn, k) => {
        const r = payload.runs[k];
        Object.assign(pn, {run: r, w: decode(r.boundary.w), accuracy: decode(r.boundary.accuracy), shown: null});
        pn.title.textContent = r.label;
        pn.title.style.color = r.color;
        pn.canvas.style.aspectRatio = String(1 / aspect);
      });
    }

    panel() {
      const el = document.createElement('figure'), canvas = document.createElement('canvas');
      const title = document.createElement('figcaption'), note = document.createElement('div');
      el.className = 'race-boundary';
      title.className = 'race-boundary-title';
      note.className = 'race-boundary-note';
      el.append(title, canvas, note);
      this.grid.append(el);
      return {el, canvas, title, note, shown: null};
    }

    /** Show each network at the last keyframe at or before ``step``. */
    show(step) {
      if (!this.net) return;
      this.step = step;
      const steps = this.net.steps;
      let k = 0;
      while (k + 1 < steps.length && steps[k + 1] <= step) k++;
      for (const pn of this.panels) {
        const width = pn.canvas.clientWidth;
        if (pn.shown === k && pn.width === width) continue;
        pn.shown = k;
        pn.width = width;
        this.paintPanel(pn, k);
        const r = pn.run, at = steps[k];
        const gone = r.diverged_at >= 0 && at >= r.diverged_at;
        pn.note.classList.toggle('diverged', gone);
        pn.note.textContent = gone ? `diverged at step ${r.diverged_at}: its last finite weights`
          : `step ${at} · ${(100 * pn.accuracy[k]).toFixed(1)}% correct`;
      }
      this.el.setAttribute('data-keyframe', String(steps[k]));
    }

    /** Draw run ``pn``'s network at keyframe ``k``: tinted probability, boundary, then the points. */
    paintPanel(pn, k) {
      const {sizes, activation, box: [[x0, x1], [y0, y1]], xs, ys, labels, gx, gy, m} = this.net;
      const d = pn.w.length / this.net.steps.length, w = pn.w.subarray(k * d, (k + 1) * d);
      const ratio = window.devicePixelRatio || 1, W = pn.canvas.clientWidth, H = pn.canvas.clientHeight;
      if (!W || !H) return;
      pn.canvas.width = Math.round(W * ratio);
      pn.canvas.height = Math.round(H * ratio);
      const ctx = pn.canvas.getContext('2d');
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      const z = mlpLogits(sizes, activation, w, gx, gy);
      const image = new ImageData(m, m);              // pixel (j, row) shows node (j, m - 1 - row): y points up
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < m; j++) {
          const p = 1 / (1 + Math.exp(-z[i * m + j])), rgb = CLASS_RGB[p > 0.5 ? 1 : 0];
          const tint = SHADE * Math.min(1, 2 * Math.abs(p - 0.5)), q = 4 * ((m - 1 - i) * m + j);
          for (let c = 0; c < 3; c++) image.data[q + c] = Math.round(255 + tint * (rgb[c] - 255));
          image.data[q + 3] = 255;
        }
      }
      const tile = document.createElement('canvas');
      tile.width = tile.height = m;
      tile.getContext('2d').putImageData(image, 0, 0);
      const cw = W / (m - 1), ch = H / (m - 1);         // pixels are centred on their nodes
      ctx.imageSmoothingEnabled = true;
      ctx.drawImage(tile, -cw / 2, -ch / 2, W + cw, H + ch);
      const seg = zeroSegments(z, m);
      ctx.beginPath();
      for (let s = 0; s < seg.length; s += 4) {
        ctx.moveTo(seg[s] * cw, H - seg[s + 1] * ch);
        ctx.lineTo(seg[s + 2] * cw, H - seg[s + 3] * ch);
      }
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#111827';
      ctx.stroke();
      const own = mlpLogits(sizes, activation, w, xs, ys), radius = W > 240 ? 3 : 2.4;
      for (let p = 0; p < xs.length; p++) {
        const label = labels[p] > 0.5 ? 1 : 0, rgb = CLASS_RGB[label], wrong = (own[p] > 0 ? 1 : 0) !== label;
        ctx.beginPath();
        ctx.arc(((xs[p] - x0) / (x1 - x0)) * W, H - ((ys[p] - y0) / (y1 - y0)) * H, radius, 0, 2 * Math.PI);
        ctx.fillStyle = `rgb(${rgb.map((v) => Math.round(0.85 * v)).join(',')})`;
        ctx.fill();
        ctx.lineWidth = wrong ? 1.6 : 0.8;
        ctx.strokeStyle = wrong ? '#111827' : 'white';
        ctx.stroke();
      }
    }
  }

  /** Network mode: make, update or drop the decision-boundary panels for runs payload ``payload``. */
  Race.prototype.setNetwork = function (payload) {
    if (!payload.network) {
      if (this.boundaries) this.boundaries.destroy();
      this.boundaries = null;
      return;
    }
    this.boundaries = this.boundaries || new Boundaries(this.plot);
    this.boundaries.set(payload);
  };

  window.OptiscopeRace = {Race, decode, shownSteps, figure, MAX_SHOWN, mlpLogits, zeroSegments};
})();
