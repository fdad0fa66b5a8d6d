import { join, sep } from 'node:path';
import { Worker } from 'node:worker_threads';
import { WorkgateError } from '@workgate/contracts';
import { DefinitionJob, isJobAnswer, JobAnswer } from './definition-jobs';

/** How long checking one definition may take on the definition thread. */
export const EXAMINE_LIMIT_MS = 5_000;
/** How long one simulation's re-decisions may take in all. */
export const SIMULATION_LIMIT_MS = 20_000;
/** How long a new thread may take to load its modules before its first job fails `unavailable`. */
export const START_LIMIT_MS = 60_000;

/** The built thread's file: the sources (tests) and the build both run dist/apps/policy/definition-thread.js. */
function threadFile(): string {
  const root = __dirname.split(sep).includes('dist') ? join(__dirname, '..', '..', '..') : join(__dirname, '..', '..');
  return join(root, 'dist', 'apps', 'policy', 'definition-thread.js');
}

/** A thread started ahead of its first job (`DefinitionThreads.warm`), for the first one that needs one. */
let spare: { file: string; worker: Worker; ready: boolean } | undefined;

/** The spare thread of `file`, taken (no one else gets it), if one is there and has not failed. */
function takeSpare(file: string): { worker: Worker; ready: boolean } | undefined {
  const taken = spare?.file === file ? spare : undefined;
  if (taken) spare = undefined;
  return taken;
}

/** Keeps `worker` as the spare thread of `file`, until it is taken or fails. */
function keepSpare(file: string, worker: Worker, ready: boolean): void {
  const lost = () => {
    if (spare?.worker === worker) spare = undefined;
  };
  worker.once('error', lost);
  worker.once('exit', lost);
  worker.on('message', (m: unknown) => {
    if (isReady(m) && spare?.worker === worker) spare.ready = true;
  });
  // A thread left idle does not keep the process alive (unref after the listeners, which ref it).
  worker.unref();
  spare = { file, worker, ready };
}

/** What a thread posts once it has loaded its modules, before any answer. */
const isReady = (m: unknown): boolean => typeof m === 'object' && m !== null && 'kind' in m && m.kind === 'ready';

interface Pending {
  job: DefinitionJob;
  limitMs: number;
  resolve: (answer: JobAnswer) => void;
  reject: (error: Error) => void;
}

const overLimit = (job: DefinitionJob, limitMs: number) =>
  job.kind === 'examine' || job.kind === 'examine-pattern'
    ? new WorkgateError(
        'invalid_definition',
        `checking the definition took longer than ${limitMs / 1000} s: make it smaller or its conditions simpler`,
        [{ path: '', message: `took longer than ${limitMs / 1000} s to check` }],
      )
    : new WorkgateError(
        'invalid_definition',
        `the simulation took longer than ${limitMs / 1000} s: narrow its window (from, to) or simplify the draft's rules`,
        [{ path: 'rules', message: `took longer than ${limitMs / 1000} s to replay` }],
      );

/**
 * A worker thread that parses, validates and replays definitions sent by callers, off the thread
 * that serves HTTP and NATS (docs/policy.md, "Bounded rules"). Jobs run one at a time in the
 * order they came; one past its limit is answered 422 at its limit and the thread is ended (a
 * synchronous parse or evaluation cannot be interrupted any other way) and started again.
 */
export class DefinitionThreads {
  private worker?: Worker;
  private readonly queue: Pending[] = [];
  /** Threads that said they are ready (their modules loaded). */
  private readonly ready = new WeakSet<Worker>();
  private current?: { pending: Pending; timer: NodeJS.Timeout; startedAt: number };

  constructor(private readonly file = threadFile()) {}

  /**
   * Starts a thread now, so that it has loaded its modules when the first job comes (at startup,
   * while the other services load theirs): the first DefinitionThreads to need a thread takes it.
   */
  static warm(file = threadFile()): void {
    if (!spare) keepSpare(file, new Worker(file), false);
  }

  /** Ends the spare thread nobody took (a start that failed before policy started). */
  static async dropSpare(): Promise<void> {
    const worker = spare?.worker;
    spare = undefined;
    await worker?.terminate();
  }

  run(job: DefinitionJob, limitMs: number): Promise<JobAnswer> {
    return new Promise((resolve, reject) => {
      this.queue.push({ job, limitMs, resolve, reject });
      this.next();
    });
  }

  /**
   * Ends the thread, or, when it is ready and idle and no spare is kept, keeps it as the spare for
   * the next policy service this process starts (the threads hold nothing between jobs): a process
   * that starts workgate again, as the tests do, does not load the thread's modules again.
   */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (!worker) return;
    if (!spare && !this.current && this.queue.length === 0 && this.ready.has(worker)) {
      for (const event of ['message', 'error', 'exit']) worker.removeAllListeners(event);
      keepSpare(this.file, worker, true);
      return;
    }
    await worker.terminate();
  }

  private next(): void {
    if (this.current) return;
    const pending = this.queue.shift();
    if (!pending) return;
    const worker = (this.worker ??= this.start());
    this.current = { pending, timer: this.startLimit(worker, pending), startedAt: performance.now() };
    worker.postMessage(pending.job);
  }

  /**
   * The running job's limit, counted from when its thread is ready: a thread still loading its
   * modules (a busy machine at startup) does not spend the job's time, but gets START_LIMIT_MS.
   */
  private startLimit(worker: Worker, pending: Pending): NodeJS.Timeout {
    const ready = this.ready.has(worker);
    return setTimeout(
      () => {
        this.worker = undefined;
        void worker.terminate();
        this.finish(
          undefined,
          ready
            ? overLimit(pending.job, pending.limitMs)
            : new WorkgateError('unavailable', 'the definition thread did not start: try again'),
        );
      },
      ready ? pending.limitMs : START_LIMIT_MS,
    );
  }

  /** The thread has loaded its modules: the running job's limit starts now. */
  private readied(worker: Worker): void {
    this.ready.add(worker);
    const current = this.current;
    if (this.worker !== worker || !current) return;
    clearTimeout(current.timer);
    current.timer = this.startLimit(worker, current.pending);
    current.startedAt = performance.now();
  }

  /**
   * Settles the running job with `answer` (or `error`) and starts the next. An answer that comes
   * after the job's limit is refused as over it, even when this thread was too busy to see the
   * limit's timer first: the limit holds however loaded the process is.
   */
  private finish(answer: unknown, error?: Error): void {
    const current = this.current;
    if (!current) return;
    clearTimeout(current.timer);
    this.current = undefined;
    const { job, limitMs } = current.pending;
    if (!error && performance.now() - current.startedAt > limitMs) error = overLimit(job, limitMs);
    if (error) current.pending.reject(error);
    else if (isJobAnswer(answer)) current.pending.resolve(answer);
    else current.pending.reject(new WorkgateError('internal', 'the definition thread gave no answer'));
    this.next();
  }

  private start(): Worker {
    const taken = takeSpare(this.file);
    const spareReady = taken?.ready ?? false;
    const worker = taken?.worker ?? new Worker(this.file);
    // A thread left idle does not keep the process alive.
    worker.unref();
    if (spareReady) this.ready.add(worker);
    worker.on('message', (m: unknown) => {
      if (isReady(m)) this.readied(worker);
      else if (this.worker === worker) this.finish(m);
    });
    // A thread that failed or exited on its own (never one ended for its limit) fails its job.
    const lost = () => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.finish(undefined, new WorkgateError('unavailable', 'the definition thread stopped: try again'));
    };
    worker.on('error', lost);
    worker.on('exit', lost);
    return worker;
  }
}
