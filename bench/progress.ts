// Progress goes to stderr, so stdout carries only the report.
const began = performance.now();

export const log = (message: string) => process.stderr.write(`[bench +${((performance.now() - began) / 1000).toFixed(0)}s] ${message}\n`);

/** What a scenario gets from the dispatcher (bench/run.ts). */
export interface ScenarioContext {
  /** The command line as a reader would type it again, with every BENCH_ variable set. */
  readonly command: string;
}
