// Writes a benchmark's latest table into docs/benchmarks.md (one section per benchmark, replaced in place).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const file = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../docs/benchmarks.md');

export function recordBenchmark(name: string, description: string, markdownTable: string, command: string): void {
  const header =
    '# Benchmarks\n\nRatios are measured side by side in one run on the same machine; absolute numbers on shared 2-core machines vary 20–35 % between runs. `npm run bench` reruns all of them.\n';
  let doc = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : header;
  const section = `<!-- bench:${name} -->\n## ${name}\n\n${description}\n\n${markdownTable}\n\nMeasured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${os.cpus().length} × ${os.cpus()[0]?.model.trim()}, Node ${process.version}. Command: \`${command}\`\n<!-- /bench:${name} -->\n`;
  const re = new RegExp(`<!-- bench:${name} -->[\\s\\S]*?<!-- /bench:${name} -->\\n?`);
  doc = re.test(doc) ? doc.replace(re, section) : doc.trimEnd() + '\n\n' + section;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, doc);
}
