// Per-key mutual exclusion inside the server process: work on one key (an OTP, a token, a user) runs
// one at a time, in arrival order, while work on other keys goes on. Guards that read, decide and write
// back across awaits (single-use OTPs) need it: without it two parallel requests both read the value
// before either writes.

/** Serialises async work per key. */
export class KeyedLock {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Run `work` once every earlier `run` with the same key has settled; resolves with its result. */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
