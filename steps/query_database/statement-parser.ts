import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { parse } from 'libpg-query';
import { installStatementCheck, type StatementCheckProblem } from './statement-check-port';
import { statementProblem } from './statement-policy';

/**
 * Postgres's own parser (libpg_query as WebAssembly, `libpg-query`) for `query_database` statements, and the check
 * of statement-policy.ts on its tree: `checkStatement` (async) for the activity, `checkStatementSync` for the
 * compiler, whose checks are synchronous while the WebAssembly loads asynchronously. The synchronous one asks a
 * worker thread and blocks on Atomics.wait until it answers (milliseconds; the thread is started once, on first use).
 * Node only: never part of the workflow bundle.
 */

type ParseAnswer = { tree: { stmts?: unknown[] } } | { error: { message: string; cursorPosition?: number } };

const PARSER_TIMEOUT_MS = 15_000;

/** The policy's problem, or Postgres's syntax error, for one statement; undefined when it may run. */
export async function checkStatement(sql: string): Promise<StatementCheckProblem | undefined> {
  let answer: ParseAnswer;
  try {
    answer = { tree: sql === '' ? { stmts: [] } : ((await parse(sql)) as { stmts?: unknown[] }) };
  } catch (error) {
    answer = {
      error: {
        message: (error as Error).message,
        cursorPosition: (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition,
      },
    };
  }
  return problemOf(answer, sql);
}

export function checkStatementSync(sql: string): StatementCheckProblem | undefined {
  return problemOf(parseInThread(sql), sql);
}

function problemOf(answer: ParseAnswer, sql: string): StatementCheckProblem | undefined {
  if ('error' in answer) {
    const bytes = Buffer.from(sql, 'utf8');
    const offset = bytes.subarray(0, answer.error.cursorPosition ?? 0).toString('utf8').length;
    return { offset, category: 'sql-syntax', message: `Postgres cannot parse the query: ${answer.error.message}` };
  }
  // The parser refuses an empty string; the policy reports "empty" for a comment-only one.
  return statementProblem(answer.tree as never, sql);
}

// The thread: answers each request on the port it came with, then wakes the caller through the shared flag.
const THREAD_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
let parser;
try { parser = require(workerData.parserPath); } catch (error) { parser = { failed: error }; }
parentPort.on('message', async ({ sql, port, flag }) => {
  let answer;
  try {
    if (parser.failed) throw parser.failed;
    answer = { tree: await parser.parse(sql) };
  } catch (error) {
    answer = { error: { message: String(error && error.message), cursorPosition: error && error.sqlDetails ? error.sqlDetails.cursorPosition : 0 } };
  }
  port.postMessage(answer);
  port.close();
  Atomics.store(flag, 0, 1);
  Atomics.notify(flag, 0);
});
`;

let thread: Worker | undefined;

function parseInThread(sql: string): ParseAnswer {
  if (sql === '') return { tree: { stmts: [] } };
  thread ??= startThread();
  const flag = new Int32Array(new SharedArrayBuffer(4));
  const { port1, port2 } = new MessageChannel();
  thread.postMessage({ sql, port: port2, flag }, [port2]);
  const waited = Atomics.wait(flag, 0, 0, PARSER_TIMEOUT_MS);
  const message = receiveMessageOnPort(port1);
  port1.close();
  if (waited === 'timed-out' || !message) throw new Error(`the Postgres SQL parser did not answer within ${PARSER_TIMEOUT_MS / 1000} s`);
  return message.message as ParseAnswer;
}

function startThread(): Worker {
  const worker = new Worker(THREAD_SOURCE, { eval: true, workerData: { parserPath: require.resolve('libpg-query') } });
  // The thread never keeps the process alive; it dies with it.
  worker.unref();
  return worker;
}

installStatementCheck(checkStatementSync);
