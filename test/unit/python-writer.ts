// A python3 sqlite3 process driven line by line over stdin/stdout: the "other program" that
// writes a database while the engine reads it (live-writer and WAL tests).
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as readline from 'node:readline';

export class PythonWriter {
  private readonly lines: AsyncIterator<string>;
  private constructor(private readonly proc: ChildProcessWithoutNullStreams) {
    this.lines = readline.createInterface({ input: proc.stdout })[Symbol.asyncIterator]();
  }
  /** Runs `script` (which reads commands from stdin and answers one line each) with `args`. */
  static start(script: string, ...args: string[]): PythonWriter { return new PythonWriter(spawn('python3', ['-c', script, ...args])); }
  async next(): Promise<string> {
    const r = await this.lines.next();
    if (r.done) throw new Error('python writer exited early');
    return r.value;
  }
  send(cmd: string): Promise<string> { this.proc.stdin.write(`${cmd}\n`); return this.next(); }
  stop(): Promise<number | null> {
    this.proc.stdin.end('quit\n');
    return new Promise((res) => this.proc.once('exit', res));
  }
}

export const fileHash = (f: string): string => createHash('sha256').update(fs.readFileSync(f)).digest('hex');
