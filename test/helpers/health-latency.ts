// sys/health latencies while some server work runs: the regression guard of the tests that keep the
// event loop free (hostile bodies, key generation). The target figures are bench/hostile.ts's.

/** Poll `<url>/v1/sys/health` back to back until `during` settles; the latencies in ms. */
export async function healthLatencies(url: string, during: Promise<unknown>): Promise<number[]> {
  let done = false;
  void during.finally(() => (done = true));
  const latencies: number[] = [];
  while (!done) {
    const t0 = performance.now();
    const r = await fetch(`${url}/v1/sys/health`);
    await r.text();
    latencies.push(performance.now() - t0);
  }
  return latencies;
}
