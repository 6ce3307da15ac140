// Go's `bytes.Buffer` as HCL's scanners read it: `ReadRune`, and `UnreadRune`, which only undoes a
// successful `ReadRune` right before it (anything else is an error the scanners turn into a panic).
// Reading past the end empties the buffer for good, as Go's `Reset` does.

import { decodeRune, GoPanic } from './go-text.js';

export class RuneBuffer {
  private off = 0;
  private lastRead = 0;
  private emptied = false;

  constructor(private readonly src: string) {}

  /** [rune, size], or undefined at the end. */
  readRune(): [number, number] | undefined {
    if (this.emptied || this.off >= this.src.length) {
      this.emptied = true;
      this.off = 0;
      this.lastRead = 0;
      return undefined;
    }
    const [r, n] = decodeRune(this.src, this.off);
    this.off += n;
    this.lastRead = n;
    return [r, n];
  }

  /** Go's scanner `unread()`: panics unless the previous operation was a successful ReadRune. */
  unreadRune(): void {
    if (this.lastRead <= 0) {
      throw new GoPanic('bytes.Buffer: UnreadRune: previous operation was not a successful ReadRune');
    }
    if (this.off >= this.lastRead) this.off -= this.lastRead;
    this.lastRead = 0;
  }

  /** Go's scanner `peek()`: the next rune (0 at the end) without consuming it. */
  peek(): number {
    const got = this.readRune();
    if (!got) return 0;
    this.unreadRune();
    return got[0];
  }
}
