// Runs a call's scripted steps strictly in order, each after a delay relative to the previous one and scaled
// by the simulator's timeScale (so a 42 s fax can take 42 ms in tests). Cancellable, e.g. on Action: Hangup.

export type Step = readonly [delayMs: number, run: () => void];

export class Timeline {
  readonly #scale: number;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #queue: Step[] = [];

  constructor(timeScale: number) {
    this.#scale = timeScale;
  }

  /** Replaces whatever was pending with these steps. */
  run(steps: readonly Step[]): void {
    this.cancel();
    this.#queue = [...steps];
    this.#next();
  }

  cancel(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
  }

  get idle(): boolean {
    return this.#timer === undefined && this.#queue.length === 0;
  }

  #next(): void {
    const step = this.#queue.shift();
    if (!step) {
      this.#timer = undefined;
      return;
    }
    const [delayMs, run] = step;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      run();
      if (this.#timer === undefined) this.#next();
    }, Math.max(0, delayMs * this.#scale));
  }
}
