// Drawing without a pointer: the pad's canvas takes focus (Tab), the arrow keys move a visible pen
// (Shift: bigger steps), Space lowers it (it draws while it moves) and lifts it again. The strokes go
// into the pad's own stroke list (canvas.js beginStroke / extendStroke / endStroke), so Undo, the live
// previews, the store-once timers and Number mode treat them exactly like strokes of a mouse or finger.
// Keys the page already has keep working on the canvas: Enter reads, Backspace or Ctrl+Z undoes, Esc
// clears; the pen is lifted first so they apply to a finished stroke. Every change is announced in
// `status` (an aria-live region); the instructions are the canvas's aria-describedby.

import { gettext, interpolate, ngettext } from "./i18n.js";

export const ROWS = 40; // pen positions from top to bottom; across, as many per unit of width
const BIG_STEP = 4; // positions per key press with Shift
const MOVES = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };

export class KeyboardPen {
  /**
   * @param {import("./canvas.js").DrawingPad} pad
   * @param {{cursor: HTMLElement, status: HTMLElement}} elements the pen's mark over the canvas (in the
   *   canvas's positioned frame) and the live region that announces each change
   */
  constructor(pad, { cursor, status }) {
    this.pad = pad;
    this.canvas = pad.canvas;
    this.cursor = cursor;
    this.status = status;
    this.columns = Math.round(ROWS * pad.aspect);
    this.column = Math.round(this.columns / 2);
    this.row = ROWS / 2;
    this.down = false;
    this.strokeCount = pad.strokes.length;

    this.canvas.tabIndex = 0;
    this.canvas.addEventListener("keydown", this._onKey);
    this.canvas.addEventListener("focus", this._onFocus);
    this.canvas.addEventListener("blur", this._onBlur);
    pad.addEventListener("change", this._onChange);
    this._place();
  }

  get isDown() {
    return this.down;
  }

  /** The pen's point in the pad's units (x 0..aspect, y 0..1). */
  get point() {
    return { x: this.column / ROWS, y: this.row / ROWS };
  }

  /** Lowers the pen (starting a stroke at its point) or lifts it (ending the stroke). */
  toggle() {
    if (this.down) {
      this.lift();
      return;
    }
    if (!this.pad.beginStroke(this.point)) return; // a mouse or finger is drawing
    this.down = true;
    this._place();
    this._say(`${gettext("Pen down: moving draws.")} ${this._where()}`);
  }

  /** Lifts the pen if it is down; the stroke ends as when a finger lifts. */
  lift({ quiet = false } = {}) {
    if (!this.down) return;
    this.down = false;
    this.pad.endStroke();
    this._place();
    if (!quiet) this._say(`${gettext("Pen up.")} ${this._strokes()}`);
  }

  move(dx, dy, big = false) {
    const step = big ? BIG_STEP : 1;
    const column = clamp(this.column + dx * step, 1, this.columns - 1);
    const row = clamp(this.row + dy * step, 1, ROWS - 1);
    const moved = column !== this.column || row !== this.row;
    this.column = column;
    this.row = row;
    this._place();
    if (this.down) this.pad.extendStroke(this.point);
    else this.pad.dispatchEvent(new Event("penmove")); // a keyboard user is still at work
    const edge = moved ? "" : ` ${gettext("Edge of the drawing area.")}`;
    this._say(`${this.down ? gettext("Drawing.") : gettext("Pen up.")} ${this._where()}${edge}`);
  }

  // ---- events -------------------------------------------------------------

  _onKey = (event) => {
    if (event.altKey || event.isComposing) return;
    const modifier = event.ctrlKey || event.metaKey;
    const move = MOVES[event.key];
    if (move && !modifier) {
      event.preventDefault(); // no scrolling
      this.move(move[0], move[1], event.shiftKey);
    } else if (event.key === " " && !modifier) {
      event.preventDefault(); // no scrolling
      if (!event.repeat) this.toggle();
    } else if (["Enter", "Escape", "Backspace"].includes(event.key) || (modifier && event.key.toLowerCase() === "z")) {
      // The page's own keys (predict, clear, undo) follow on the document: finish the stroke first.
      this.lift({ quiet: true });
    }
  };

  _onFocus = () => {
    this.cursor.hidden = false;
    this._place();
  };

  _onBlur = () => {
    this.lift();
    this.cursor.hidden = true;
  };

  /** Undo and Clear (by key or button) are said too: the count of strokes went down. */
  _onChange = () => {
    const count = this.pad.strokes.length;
    if (count < this.strokeCount) {
      this._say(count === 0 ? gettext("Drawing area is empty.") : `${gettext("Last stroke undone.")} ${this._strokes()}`);
    }
    this.strokeCount = count;
  };

  // ---- view ---------------------------------------------------------------

  _place() {
    const { x, y } = this.point;
    const style = this.cursor.style;
    style.left = `${(100 * x) / this.pad.aspect}%`;
    style.top = `${100 * y}%`;
    style.width = `${(100 * this.pad.strokeWidth) / this.pad.aspect}%`;
    this.cursor.toggleAttribute("data-down", this.down);
  }

  _where() {
    return interpolate(gettext("Column %(column)s of %(columns)s, row %(row)s of %(rows)s."), {
      column: this.column, columns: this.columns, row: this.row, rows: ROWS,
    });
  }

  _strokes() {
    const count = this.pad.strokes.length;
    if (count === 0) return gettext("Nothing drawn yet.");
    return interpolate(ngettext("%(count)s stroke drawn.", "%(count)s strokes drawn.", count), { count });
  }

  _say(text) {
    this.status.textContent = text;
  }
}

function clamp(value, low, high) {
  return Math.min(high, Math.max(low, value));
}
