// JSON.parse for large request bodies without stalling the server: JSON.parse of an allowed 32 MiB
// body takes about 250 ms in one piece, during which nothing else (sys/health included) is
// answered. This parser builds the same value as JSON.parse, in slices of a few milliseconds with a
// turn of the event loop between them. Small bodies still go to JSON.parse, which is faster.

/** Bodies up to this many characters are parsed by JSON.parse in one piece (well under 5 ms). */
export const SLICED_PARSE_THRESHOLD = 256 * 1024;

const SLICE_MS = 4;

const yieldTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

class JsonSyntaxError extends Error {
  override readonly name = 'JsonSyntaxError';
}

const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

interface Frame {
  readonly container: unknown[] | Record<string, unknown>;
  readonly isArray: boolean;
  key: string;
}

function assign(frame: Frame, value: unknown): void {
  if (frame.isArray) (frame.container as unknown[]).push(value);
  else if (frame.key === '__proto__') {
    // JSON.parse makes `__proto__` an own property; assignment would set the prototype instead.
    Object.defineProperty(frame.container, '__proto__', {
      value,
      writable: true,
      enumerable: true,
      configurable: true,
    });
  } else (frame.container as Record<string, unknown>)[frame.key] = value;
}

/** Parse `text` as JSON.parse would (same value, throws a SyntaxError-like error on bad input), yielding while it works. */
export async function parseJsonSliced(text: string): Promise<unknown> {
  if (text.length <= SLICED_PARSE_THRESHOLD) return JSON.parse(text);
  const n = text.length;
  let i = 0;
  const stack: Frame[] = [];
  let root: unknown;
  let haveRoot = false;
  let sliceStart = performance.now();
  let steps = 0;

  const skipSpace = () => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) i++;
      else return;
    }
  };
  const fail = (): never => {
    throw new JsonSyntaxError(`Unexpected token in JSON at position ${i}`);
  };
  const readString = (): string => {
    // at the opening quote
    const start = i;
    let plain = true;
    let j = i + 1;
    for (;;) {
      if (j >= n) fail();
      const c = text.charCodeAt(j);
      if (c === 0x22) break;
      if (c === 0x5c) {
        plain = false;
        j += 2;
        continue;
      }
      if (c < 0x20) plain = false;
      j++;
    }
    i = j + 1;
    return plain ? text.slice(start + 1, j) : (JSON.parse(text.slice(start, j + 1)) as string);
  };
  /** A complete value was read: attach it, or it is the root. */
  const complete = (value: unknown) => {
    const top = stack[stack.length - 1];
    if (top) assign(top, value);
    else {
      root = value;
      haveRoot = true;
    }
  };
  /** After a value inside a container: `,` (then the next key or value) or the closer. */
  const afterValue = (): boolean => {
    // returns true when a value must follow
    for (;;) {
      skipSpace();
      const top = stack[stack.length - 1];
      if (!top) return false;
      const c = text.charCodeAt(i);
      if (c === 0x2c) {
        i++;
        if (!top.isArray) readKey(top);
        return true;
      }
      if (c === (top.isArray ? 0x5d : 0x7d)) {
        i++;
        stack.pop();
        complete(top.container);
        continue;
      }
      fail();
    }
  };
  const readKey = (frame: Frame) => {
    skipSpace();
    if (text.charCodeAt(i) !== 0x22) fail();
    frame.key = readString();
    skipSpace();
    if (text.charCodeAt(i) !== 0x3a) fail();
    i++;
  };

  for (;;) {
    if (++steps === 2048) {
      steps = 0;
      if (performance.now() - sliceStart > SLICE_MS) {
        await yieldTurn();
        sliceStart = performance.now();
      }
    }
    skipSpace();
    const c = text.charCodeAt(i);
    let needValue = true;
    if (c === 0x7b || c === 0x5b) {
      i++;
      const frame: Frame = { container: c === 0x5b ? [] : {}, isArray: c === 0x5b, key: '' };
      stack.push(frame);
      skipSpace();
      const close = c === 0x5b ? 0x5d : 0x7d;
      if (text.charCodeAt(i) === close) {
        i++;
        stack.pop();
        complete(frame.container);
        needValue = afterValue();
      } else if (!frame.isArray) readKey(frame);
    } else {
      let value: unknown;
      if (c === 0x22) value = readString();
      else if (c === 0x74 && text.startsWith('true', i)) ((value = true), (i += 4));
      else if (c === 0x66 && text.startsWith('false', i)) ((value = false), (i += 5));
      else if (c === 0x6e && text.startsWith('null', i)) ((value = null), (i += 4));
      else {
        NUMBER.lastIndex = i;
        const m = NUMBER.exec(text);
        if (!m) fail();
        value = Number(m![0]);
        i += m![0].length;
      }
      complete(value);
      needValue = afterValue();
    }
    if (!needValue && haveRoot) break;
  }
  skipSpace();
  if (i !== n) fail();
  return root;
}
