// Polls a synchronous condition until it holds (or fails the test after `ms`): for state that has
// no event to await, such as a process appearing in /proc or a client's flag.
export async function until(cond: () => boolean, ms = 5000, what = 'condition', everyMs = 5): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`${what} not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
