/**
 * The main demo: a Doist running nested DoDoers and doers, printing the
 * lifecycle trace of each. Run it with `npm start`.
 */
import { DoDoer, Doer, Doist, doify } from "../src/index.js";

/** A doer that recurs `count` times and prints each lifecycle context. */
class Tracer extends Doer {
  #count = 0;
  constructor(
    readonly label: string,
    readonly times: number,
    tock = 0,
  ) {
    super({ tock });
  }
  override enter(): void {
    log(this.tyme, this.label, "enter");
  }
  override recur(tyme: number): boolean {
    this.#count += 1;
    log(tyme, this.label, `recur ${this.#count}`);
    return this.#count >= this.times;
  }
  override clean(): void {
    log(this.tyme, this.label, "clean");
  }
  override cease(): void {
    log(this.tyme, this.label, "cease");
  }
  override exit(): void {
    log(this.tyme, this.label, "exit");
  }
}

function log(tyme: number | undefined, label: string, context: string): void {
  console.log(`tyme ${(tyme ?? 0).toFixed(3).padStart(6)}  ${label.padEnd(12)} ${context}`);
}

const heartbeat = doify(
  function* heartbeat(tymth, tock) {
    try {
      log(tymth(), "heartbeat", "enter");
      for (;;) {
        const tyme = yield tock;
        log(tyme, "heartbeat", "beat");
      }
    } finally {
      log(tymth(), "heartbeat", "exit");
    }
  },
  { name: "heartbeat", tock: 0.25 },
);

const inner = new DoDoer({ doers: [new Tracer("inner.fast", 3), new Tracer("inner.slow", 2, 0.25)] });
const outer = new DoDoer({ doers: [new Tracer("outer", 2, 0.125), inner] });
const doist = new Doist({ name: "demo", tock: 0.0625, real: true, limit: 1, doers: [outer, heartbeat] });

console.log("hio-ts demo: Doist(tock 0.0625, real time, limit 1 s) > DoDoer > DoDoer > doers\n");
const done = await doist.do();
console.log(`\ndone: ${done}; tyme ${doist.tyme}; outer.done ${outer.done}; heartbeat.done ${heartbeat.done}`);
