// A drawing pad on a <canvas>: Pointer Events for mouse, touch and pen,
// a stroke list for undo, crisp rendering at any devicePixelRatio, and an
// export of the drawing as an opaque PNG data URL. Input without a pointer
// (pen.js: the keyboard's pen) draws through beginStroke / extendStroke /
// endStroke into the same stroke list, with the same events, so Undo, the
// previews and the store-once timers cannot tell the two apart.
//
// Points are stored in units of the canvas height (y in 0..1, x in 0..aspect),
// so the drawing survives a resize and renders identically on screen and in
// the export: the context transform scales by the height in pixels. The digit
// pad is square (aspect 1); the number pad is wide with the same pen.

const INK = "#000";
const PAPER = "#fff";
// Stroke width as a fraction of the canvas height: about 1/13, which after the
// server's downscale to 28x28 gives strokes ~2 px wide, like MNIST.
const LINE_WIDTH = 1 / 13;
const EXPORT_SIZE = 280; // exported height in pixels
const KEYBOARD = "keyboard"; // stands in for a pointerId while the keyboard's pen is down

/** Width factor for a point: pens vary with pressure, everything else is constant. */
function pressureFactor(event) {
  if (event.pointerType !== "pen" || !event.pressure) return 1;
  return Math.min(1.4, Math.max(0.6, 0.6 + 0.8 * event.pressure));
}

export class DrawingPad extends EventTarget {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {{lineWidth?: number, aspect?: number}} options aspect is width / height
   */
  constructor(canvas, { lineWidth = LINE_WIDTH, aspect = 1 } = {}) {
    super();
    this.canvas = canvas;
    this.ctx = canvas.getContext("2d");
    this.lineWidth = lineWidth;
    this.aspect = aspect;
    /** @type {{x: number, y: number, w: number}[][]} */
    this.strokes = [];
    /** Bumped on every change; lets callers tell whether a result is stale. */
    this.version = 0;
    this._pointerId = null;
    this._rect = null;

    canvas.addEventListener("pointerdown", this._onDown);
    canvas.addEventListener("pointermove", this._onMove);
    canvas.addEventListener("pointerup", this._onEnd);
    canvas.addEventListener("pointercancel", this._onEnd);
    canvas.addEventListener("lostpointercapture", this._onEnd);
    // A long press on a touch screen must not open a context menu.
    canvas.addEventListener("contextmenu", (event) => event.preventDefault());

    new ResizeObserver(this._onResize).observe(canvas);
    this._fitBackingStore(canvas.clientWidth * devicePixelRatio);
  }

  get isEmpty() {
    return this.strokes.length === 0;
  }

  get isDrawing() {
    return this._pointerId !== null;
  }

  /** The width of a stroke drawn without pressure, in units of the canvas height. */
  get strokeWidth() {
    return this.lineWidth;
  }

  // ---- strokes without a pointer (the keyboard's pen) ----------------------

  /** Starts a stroke at `point` ({x, y} in height units); false while another stroke is under way. */
  beginStroke(point) {
    if (this._pointerId !== null) return false;
    this._pointerId = KEYBOARD;
    this._start({ x: point.x, y: point.y, w: this.lineWidth });
    return true;
  }

  /** Draws the stroke begun by beginStroke on to `point`. */
  extendStroke(point) {
    if (this._pointerId !== KEYBOARD) return;
    this._extend({ x: point.x, y: point.y, w: this.lineWidth });
  }

  /** Ends the stroke begun by beginStroke (as lifting a pointer does). */
  endStroke() {
    if (this._pointerId !== KEYBOARD) return;
    this._finish();
  }

  undo() {
    if (this.isDrawing || this.isEmpty) return;
    this.strokes.pop();
    this._redraw();
    this._changed();
  }

  clear() {
    if (this.isDrawing || this.isEmpty) return;
    this.strokes = [];
    this._redraw();
    this._changed();
  }

  /** Pixel size of the export `height` pixels high: the server's boxes are in these pixels. */
  exportSize(height = EXPORT_SIZE) {
    return { width: Math.round(height * this.aspect), height };
  }

  /** The drawing as an opaque PNG data URL (black on white), `height` pixels high. */
  toDataURL(height = EXPORT_SIZE) {
    const out = document.createElement("canvas");
    const size = this.exportSize(height);
    out.width = size.width;
    out.height = size.height;
    this._render(out.getContext("2d"), size.width, size.height);
    return out.toDataURL("image/png");
  }

  // ---- pointer input ------------------------------------------------------

  _onDown = (event) => {
    if (this._pointerId !== null) return; // one pointer at a time: a palm or second finger is ignored
    if (event.pointerType === "mouse" && event.button !== 0) return;
    event.preventDefault(); // no text selection, no focus steal, no emulated mouse events
    this.canvas.setPointerCapture(event.pointerId);
    this._pointerId = event.pointerId;
    this._rect = this.canvas.getBoundingClientRect();
    this._start(this._point(event));
  };

  _onMove = (event) => {
    if (event.pointerId !== this._pointerId) return;
    // Coalesced events carry every sample the hardware reported since the
    // last frame: smoother curves on fast strokes.
    const samples = event.getCoalescedEvents?.() ?? [];
    for (const sample of samples.length ? samples : [event]) this._extend(this._point(sample));
  };

  _onEnd = (event) => {
    if (event.pointerId !== this._pointerId) return;
    this._finish(); // capture is released by the browser on pointerup/cancel
  };

  // ---- one stroke, whatever draws it -----------------------------------------

  _start(point) {
    this.strokes.push([point]);
    this._prepare(this.ctx, this.canvas.height);
    this._drawSegment(this.ctx, point, point);
    this.dispatchEvent(new Event("strokestart"));
  }

  _extend(point) {
    const stroke = this.strokes.at(-1);
    const last = stroke.at(-1);
    if (point.x === last.x && point.y === last.y) return;
    stroke.push(point);
    this._prepare(this.ctx, this.canvas.height);
    this._drawSegment(this.ctx, last, point);
  }

  _finish() {
    this._pointerId = null;
    this._changed();
    this.dispatchEvent(new Event("strokeend"));
  }

  _point(event) {
    const rect = this._rect;
    return {
      x: ((event.clientX - rect.left) / rect.width) * this.aspect,
      y: (event.clientY - rect.top) / rect.height,
      w: this.lineWidth * pressureFactor(event),
    };
  }

  _changed() {
    this.version += 1;
    this.dispatchEvent(new Event("change"));
  }

  // ---- rendering ----------------------------------------------------------

  _onResize = (entries) => {
    // CSS size x devicePixelRatio (devicePixelContentBoxSize would snap better, but emulated
    // and some headless screens report CSS pixels there).
    this._fitBackingStore(entries[0].contentRect.width * devicePixelRatio);
  };

  /** Size the backing store to the element's device pixels (width, height from the aspect), then redraw. */
  _fitBackingStore(devicePixels) {
    const width = Math.max(1, Math.round(devicePixels));
    const height = Math.max(1, Math.round(width / this.aspect));
    if (this.canvas.width === width && this.canvas.height === height) {
      if (this.version === 0) this._redraw(); // first paint: fill the paper
      return;
    }
    this.canvas.width = width;
    this.canvas.height = height;
    this._redraw();
  }

  _redraw() {
    this._render(this.ctx, this.canvas.width, this.canvas.height);
  }

  _render(ctx, width, height) {
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = PAPER;
    ctx.fillRect(0, 0, width, height);
    this._prepare(ctx, height);
    for (const stroke of this.strokes) {
      this._drawSegment(ctx, stroke[0], stroke[0]);
      for (let i = 1; i < stroke.length; i += 1) {
        this._drawSegment(ctx, stroke[i - 1], stroke[i]);
      }
    }
  }

  /** Map height units onto pixels: one unit is the canvas height. */
  _prepare(ctx, height) {
    ctx.setTransform(height, 0, 0, height, 0, 0);
    ctx.strokeStyle = INK;
    ctx.lineCap = "round";
    ctx.lineJoin = "round";
  }

  /** One segment with round caps; a zero-length segment paints a dot. */
  _drawSegment(ctx, from, to) {
    ctx.beginPath();
    if (from.x === to.x && from.y === to.y) {
      ctx.fillStyle = INK;
      ctx.arc(from.x, from.y, from.w / 2, 0, 2 * Math.PI);
      ctx.fill();
      return;
    }
    ctx.lineWidth = (from.w + to.w) / 2;
    ctx.moveTo(from.x, from.y);
    ctx.lineTo(to.x, to.y);
    ctx.stroke();
  }
}
