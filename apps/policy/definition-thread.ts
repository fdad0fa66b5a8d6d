import { parentPort } from 'node:worker_threads';
import { DefinitionJob, JobAnswer, runJob } from './definition-jobs';

/**
 * The definition thread's entry (dist/apps/policy/definition-thread.js): one job at a time, each
 * answered with one message, after one `{kind: 'ready'}` once its modules are loaded (a job's
 * limit counts from then). The main thread ends the thread when a job runs past its limit
 * (definition-threads.ts).
 */
parentPort?.on('message', (job: DefinitionJob) => {
  let answer: JobAnswer;
  try {
    answer = runJob(job);
  } catch {
    answer = { kind: 'refused', error: { code: 'internal', message: 'the definition could not be examined' } };
  }
  parentPort?.postMessage(answer);
});
parentPort?.postMessage({ kind: 'ready' });
