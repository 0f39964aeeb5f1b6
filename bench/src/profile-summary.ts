import fs from 'node:fs';
import path from 'node:path';

/**
 * Where does the CPU go? Summarises V8 .cpuprofile files (from `--cpu-prof`) by self time:
 * the top functions and a roll-up by package (node_modules/<pkg>, node internals, the app).
 *
 *   npx tsx bench/src/profile-summary.ts bench/results/prof-…/*.cpuprofile
 */
interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function owner(url: string): string {
  if (url === '') return '(native / gc / idle)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? url);
  }
  const src = url.indexOf('/server/src/');
  if (src >= 0) return `app:${url.slice(src + '/server/src/'.length).split('/')[0]}`;
  return path.basename(url);
}

function add(map: Map<string, number>, key: string, us: number): void {
  map.set(key, (map.get(key) ?? 0) + us);
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const where = url
    ? ` ${url.replace(/^.*node_modules\//, '').replace(/^.*\/server\/src\//, '')}:${lineNumber + 1}`
    : '';
  return `${functionName || '(anonymous)'}${where}`;
}

/** The nearest JavaScript caller of a native frame (writev, writeBuffer …): who asked for the work. */
function jsCaller(node: ProfileNode, parents: Map<number, ProfileNode>): string {
  let current = parents.get(node.id);
  for (let depth = 0; current && depth < 12; depth += 1) {
    const url = current.callFrame.url;
    if (url && !url.startsWith('node:')) return frameName(current);
    current = parents.get(current.id);
  }
  return '?';
}

export function summarize(files: string[], top = 25): string {
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  const byCaller = new Map<string, number>();
  let total = 0;
  for (const file of files) {
    const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
    const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
    const parents = new Map<number, ProfileNode>();
    for (const n of profile.nodes) for (const child of n.children ?? []) parents.set(child, n);
    profile.samples.forEach((id, i) => {
      const node = nodes.get(id);
      const us = profile.timeDeltas[i] ?? 0;
      if (!node) return;
      const { functionName, url } = node.callFrame;
      if (functionName === '(idle)' || functionName === '(program)') return;
      total += us;
      add(byFunction, frameName(node), us);
      add(byOwner, functionName === '(garbage collector)' ? '(garbage collector)' : owner(url), us);
      if (!url || url.startsWith('node:'))
        add(byCaller, `${functionName || '(native)'} ← ${jsCaller(node, parents)}`, us);
    });
  }
  const pct = (us: number) => `${((100 * us) / Math.max(total, 1)).toFixed(1).padStart(5)}%`;
  const lines = [
    `busy CPU in ${files.length} profile(s): ${(total / 1e6).toFixed(1)} s`,
    '',
    'by owner:',
  ];
  for (const [key, us] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, 15))
    lines.push(`  ${pct(us)}  ${key}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const [key, us] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
    lines.push(`  ${pct(us)}  ${key}`);
  lines.push('', 'native and node: time by the nearest package/app caller:');
  for (const [key, us] of [...byCaller].sort((a, b) => b[1] - a[1]).slice(0, 15))
    lines.push(`  ${pct(us)}  ${key}`);
  return lines.join('\n');
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const files = process.argv.slice(2);
  if (files.length === 0) {
    process.stderr.write('usage: tsx bench/src/profile-summary.ts <file.cpuprofile>...\n');
    process.exit(2);
  }
  process.stdout.write(`${summarize(files)}\n`);
}
