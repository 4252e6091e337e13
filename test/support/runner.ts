// Plays the GitHub Actions runner for dist/index.js: INPUT_* and GITHUB_*
// variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, the artifact
// runtime variables, and a child process started the way the runner starts
// an action, which a test may kill with SIGKILL at a chosen moment.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ACTION_ENTRY = resolve(import.meta.dirname, '../../dist/index.js');

export interface ActionRunOptions {
  inputs: Record<string, string | undefined>;
  /** GITHUB_* and ACTIONS_* variables of the run. */
  env: Record<string, string>;
  /** Kill the process (SIGKILL, as a lost runner dies) once a line of its stdout matches. */
  killWhen?: (line: string) => boolean;
  /** Called with each line of stdout as it arrives. */
  onLine?: (line: string) => void;
  /**
   * Called once, right after the process starts, with a function that kills
   * it at once (SIGKILL): lets a test kill on an emulator event.
   */
  kill?: (killNow: () => void) => void;
  timeoutMs?: number;
  /** Options for node itself, before the entry (the benchmark preloads a peak-RSS probe). */
  nodeArgs?: string[];
}

export interface ActionRun {
  code: number | null;
  killed: boolean;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  /** Every file the action left in its temporary directories (name → content). */
  files: Record<string, string>;
}

/** Parses the GITHUB_OUTPUT file format (`name<<delimiter` … `delimiter`). */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i] ?? '');
    if (!m?.[1] || !m[2]) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i] ?? '');
    outputs[m[1]] = value.join('\n');
  }
  return outputs;
}

async function readTree(dir: string, prefix = ''): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) Object.assign(files, await readTree(path, `${prefix}${entry.name}/`));
    else files[`${prefix}${entry.name}`] = await readFile(path, 'utf8');
  }
  return files;
}

export async function runAction(options: ActionRunOptions): Promise<ActionRun> {
  const dir = await mkdtemp(join(tmpdir(), 'sfmc-runner-'));
  const outputFile = join(dir, 'output');
  const summaryFile = join(dir, 'summary');
  const runnerTemp = join(dir, 'temp');
  await writeFile(outputFile, '');
  await writeFile(summaryFile, '');
  await mkdir(runnerTemp);

  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: dir,
    TMPDIR: runnerTemp,
    RUNNER_TEMP: runnerTemp,
    GITHUB_ACTIONS: 'true',
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    ...options.env,
  };
  for (const [name, value] of Object.entries(options.inputs)) {
    if (value !== undefined) env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] = value;
  }

  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ACTION_ENTRY], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let killed = false;
  const kill = () => {
    if (!killed && child.exitCode === null) {
      killed = true;
      child.kill('SIGKILL');
    }
  };
  options.kill?.(kill);
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    stdout += text;
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    if (options.onLine) for (const line of lines) options.onLine(line);
    if (options.killWhen && lines.some(options.killWhen)) kill();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  // A hang guard only: on two loaded cores a full run can take over a minute.
  const guard = setTimeout(kill, options.timeoutMs ?? 150_000);
  const code = await new Promise<number | null>((done) => child.on('close', done));
  clearTimeout(guard);

  const result: ActionRun = {
    code,
    killed,
    stdout,
    stderr,
    outputs: parseOutputFile(await readFile(outputFile, 'utf8')),
    summary: await readFile(summaryFile, 'utf8'),
    files: await readTree(runnerTemp),
  };
  await rm(dir, { recursive: true, force: true });
  return result;
}

export interface Annotation {
  title: string;
  message: string;
}

/** Undoes @actions/core's escaping of a command's data (and, with `property`, of its properties). */
function unescapeCommand(text: string, property = false): string {
  let out = text.replaceAll('%0D', '\r').replaceAll('%0A', '\n');
  if (property) out = out.replaceAll('%3A', ':').replaceAll('%2C', ',');
  return out.replaceAll('%25', '%');
}

/** The `::error` lines of a run's stdout. */
export function errorAnnotations(stdout: string): Annotation[] {
  return stdout
    .split('\n')
    .filter((line) => line.startsWith('::error'))
    .map((line) => {
      const m = /^::error(?: (.*?))?::(.*)$/.exec(line);
      const title = /(?:^|,)title=([^,]*)/.exec(m?.[1] ?? '')?.[1] ?? '';
      return { title: unescapeCommand(title, true), message: unescapeCommand(m?.[2] ?? '') };
    });
}

/**
 * stderr without Node's DEP0005 warning (`new Buffer()`), which a dependency
 * of @actions/artifact (unzip-stream) triggers whenever a state artifact is
 * downloaded; anything else there is a crash or a stray log.
 */
export function unexpectedStderr(stderr: string): string {
  return stderr
    .split('\n')
    .filter((line) => !/\[DEP0005\] DeprecationWarning|^\(Use `node --trace-deprecation/.test(line))
    .join('\n')
    .trim();
}

/** A run's first error on one line: its `::error` annotation, else its exit code and stderr. */
export function firstError(run: ActionRun): string {
  const message = errorAnnotations(run.stdout)[0]?.message;
  if (message !== undefined) return message.replace(/\s*\n\s*/g, ' ');
  const stderr = unexpectedStderr(run.stderr);
  return `exit ${run.code}${stderr ? `: ${stderr.slice(0, 300)}` : ''}`;
}
