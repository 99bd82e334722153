// npm run bench — runs every benchmark in bench/ (each `bench/<name>.ts` except this file), one at a time, each as
// its own child process group with a time bound; a failure or a timeout is reported and the run continues.
// Each benchmark records its own section in docs/benchmarks.md (bench/lib/record.ts); this adds a summary table of
// the headline ratios at the top.
//   npm run bench [-- --only gateway-peers,ingest] [--skip inference] [--timeout 240] [--list]
//
// Headline convention for benchmark scripts: print one line `BENCH_RESULT {"headline": "ours/plain 1.20x", …}`.
// Without it the summary shows the script's last stdout line that states a ratio (`…1.23x…`).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const docFile = path.join(root, 'docs/benchmarks.md');
const tsxLoader = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href;

const arg = (f: string) => (process.argv.includes(f) ? process.argv[process.argv.indexOf(f) + 1] : undefined);
const list = (v: string | undefined) =>
  new Set(
    (v ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
const only = list(arg('--only'));
const skip = list(arg('--skip'));
const timeoutSeconds = Number(arg('--timeout') ?? 240);
// Benchmarks that need longer than the default bound (gateway-peers: 3 gateways × 2 workloads × 2 rounds;
// import-1m: a million rows imported and predicted on the embedded database).
const LONGER: Record<string, number> = { 'gateway-peers': 480, 'import-1m': 5400 };
const boundFor = (name: string) => Math.max(timeoutSeconds, LONGER[name] ?? 0);
// The gateway comparisons first (the issue's headline), then the rest alphabetically.
const FIRST = ['gateway-peers', 'gateway-overhead'];
let currentPid: number | null = null;

export function discover(dir = here): string[] {
  const names = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ts') && !f.startsWith('.') && !f.endsWith('.d.ts') && f !== 'run.ts')
    .map((f) => f.slice(0, -3));
  return names.sort((a, b) => {
    const [ia, ib] = [FIRST.indexOf(a), FIRST.indexOf(b)].map((i) => (i < 0 ? FIRST.length : i));
    return ia - ib || a.localeCompare(b);
  });
}

export interface RunOutcome {
  name: string;
  status: 'ok' | 'failed' | 'timed out';
  code: number | null;
  seconds: number;
  headline: string;
}

/** The headline of a benchmark's output: its BENCH_RESULT line, else its last line stating a ratio. */
export function headlineOf(stdout: string): string {
  const lines = stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  for (const l of [...lines].reverse()) {
    const m = /^BENCH_RESULT (\{.*\})$/.exec(l);
    if (!m) continue;
    try {
      const r = JSON.parse(m[1]) as { headline?: string; ratios?: Record<string, number | null> };
      if (r.headline) return r.headline;
      if (r.ratios) {
        return Object.entries(r.ratios)
          .filter(([, v]) => typeof v === 'number')
          .map(([k, v]) => `${k} ${v!.toFixed(2)}x`)
          .join(', ');
      }
    } catch {
      /* not JSON: fall through */
    }
  }
  const ratioLine = [...lines].reverse().find((l) => /\d\.\d+\s*x\b/.test(l) && !l.startsWith('|'));
  return ratioLine ? ratioLine.replace(/\s+/g, ' ').slice(0, 200) : '';
}

function runOne(name: string): Promise<RunOutcome> {
  const started = Date.now();
  const bound = boundFor(name);
  console.log(`\n=== bench/${name}.ts (bounded: ${bound} s) ===`);
  return new Promise((resolve) => {
    // Its own process group: on timeout the benchmark AND every server it started are stopped.
    const child = spawn(process.execPath, ['--import', tsxLoader, path.join(here, `${name}.ts`)], {
      cwd: root,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
    });
    currentPid = child.pid ?? null;
    let stdout = '';
    child.stdout!.on('data', (d) => {
      stdout += String(d);
      process.stdout.write(d);
    });
    child.stderr!.on('data', (d) => process.stderr.write(d));
    let timedOut = false;
    const killGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), 10_000).unref();
    }, bound * 1000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      currentPid = null;
      // Servers a benchmark forgot to stop go with it.
      killGroup('SIGKILL');
      resolve({
        name,
        status: timedOut ? 'timed out' : code === 0 ? 'ok' : 'failed',
        code,
        seconds: (Date.now() - started) / 1000,
        headline: headlineOf(stdout),
      });
    });
  });
}

export function summaryMarkdown(outcomes: RunOutcome[], command: string): string {
  const rows = outcomes.map(
    (o) =>
      `| [${o.name}](#${o.name}) | ${o.status}${o.status === 'failed' ? ` (exit ${o.code})` : ''} | ${o.seconds.toFixed(0)} | ${o.headline.replace(/\|/g, '\\|') || '—'} |`,
  );
  return [
    '<!-- bench:summary -->',
    '## Summary',
    '',
    '| benchmark | status | seconds | headline (ratio vs the baseline measured in the same run) |',
    '|---|---|---:|---|',
    ...rows,
    '',
    `Run ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}. Command: \`${command}\`.` +
      (outcomes.some((o) => o.status !== 'ok')
        ? ' A benchmark that did not finish keeps the section of its previous run below.'
        : ''),
    '<!-- /bench:summary -->',
    '',
  ].join('\n');
}

/** Puts the summary right after the document's introduction (replacing an earlier summary). */
export function withSummary(doc: string, summary: string): string {
  const re = /<!-- bench:summary -->[\s\S]*?<!-- \/bench:summary -->\n?/;
  if (re.test(doc)) return doc.replace(re, summary);
  const firstSection = doc.indexOf('<!-- bench:');
  if (firstSection < 0) return doc.trimEnd() + '\n\n' + summary;
  return doc.slice(0, firstSection) + summary + '\n' + doc.slice(firstSection);
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const names = discover().filter((n) => (!only.size || only.has(n)) && !skip.has(n));
  if (process.argv.includes('--list')) {
    console.log(names.join('\n'));
    process.exit(0);
  }
  const unknown = [...only].filter((n) => !discover().includes(n));
  if (unknown.length) {
    console.error(`no such benchmark: ${unknown.join(', ')} (have: ${discover().join(', ')})`);
    process.exit(2);
  }
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      if (currentPid) {
        try {
          process.kill(-currentPid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      process.exit(130);
    });
  }
  const outcomes: RunOutcome[] = [];
  for (const name of names) outcomes.push(await runOne(name));
  const args = process.argv.slice(2);
  const command = args.length ? `npm run bench -- ${args.join(' ')}` : 'npm run bench';
  const header =
    '# Benchmarks\n\nRatios are measured side by side in one run on the same machine; absolute numbers on shared 2-core machines vary 20–35 % between runs. `npm run bench` reruns all of them.\n';
  const doc = fs.existsSync(docFile) ? fs.readFileSync(docFile, 'utf8') : header;
  fs.mkdirSync(path.dirname(docFile), { recursive: true });
  fs.writeFileSync(docFile, withSummary(doc, summaryMarkdown(outcomes, command)));
  console.log(
    '\n' +
      outcomes
        .map((o) => `${o.status.padEnd(9)} ${o.name.padEnd(18)} ${o.seconds.toFixed(0).padStart(4)} s  ${o.headline}`)
        .join('\n'),
  );
  console.log(`\ndocs/benchmarks.md updated`);
  process.exitCode = outcomes.every((o) => o.status === 'ok') ? 0 : 1;
}
