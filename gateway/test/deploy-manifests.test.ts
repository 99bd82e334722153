// Deployment files, checked offline (no Docker engine, no cluster here):
//  - every Kubernetes manifest in deploy/k8s validates against the Kubernetes OpenAPI schemas (kubernetes-models,
//    ajv-compiled) and wires what the platform needs: probes on /readyz and /healthz, resources, the ConfigMap and
//    the Secret keys, Services that select their pods, a migrations Job, a Deployment per plugin;
//  - deploy/docker-compose.yml: every service, healthcheck, dependency order and environment;
//  - deploy/Dockerfile: every COPY source exists, every workspace manifest is copied before `npm ci`, the targets
//    compose builds exist, the commands name scripts that exist;
//  - the migrations entry point the Job and compose run (gateway/src/cli/migrate.ts) migrates a fresh database.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import pg from 'pg';
import { Namespace, ConfigMap, Secret, Service } from 'kubernetes-models/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { loadPlatformConfig } from '@carbon-nexus/plugin-sdk';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const deployDir = path.join(root, 'deploy');
const k8sDir = path.join(deployDir, 'k8s');

// ---------------------------------------------------------------- Kubernetes
type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: any;
};
const MODELS: Record<string, new (data: any) => { validate(): void }> = {
  'v1/Namespace': Namespace,
  'v1/ConfigMap': ConfigMap,
  'v1/Secret': Secret,
  'v1/Service': Service,
  'apps/v1/Deployment': Deployment,
  'batch/v1/Job': Job,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler,
};
const SECRET_NAME = 'carbon-nexus-secrets';
const CONFIG_NAME = 'carbon-nexus-config';

function loadManifests(file: string): Manifest[] {
  const docs = parseAllDocuments(fs.readFileSync(file, 'utf8'));
  return docs
    .map((d) => {
      expect(d.errors, `${path.basename(file)}: YAML errors`).toEqual([]);
      return d.toJSON() as Manifest;
    })
    .filter(Boolean);
}

const manifestFiles = fs.readdirSync(k8sDir).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml');
const all = manifestFiles.flatMap((f) => loadManifests(path.join(k8sDir, f)).map((m) => ({ file: f, m })));
const byKind = (kind: string) => all.filter((x) => x.m.kind === kind).map((x) => x.m);
const containersOf = (m: Manifest) => m.spec.template.spec.containers as any[];

let pluginIds: string[] = [];
beforeAll(async () => {
  pluginIds = (await loadPlatformConfig(root)).plugins.map((p) => p.id);
});

describe('Kubernetes manifests (deploy/k8s)', () => {
  it.each(manifestFiles)('%s validates against the Kubernetes schemas', (file) => {
    const manifests = loadManifests(path.join(k8sDir, file));
    expect(manifests.length).toBeGreaterThan(0);
    for (const m of manifests) {
      const Model = MODELS[`${m.apiVersion}/${m.kind}`];
      expect(Model, `${file}: no schema for ${m.apiVersion} ${m.kind}`).toBeDefined();
      expect(() => new Model(m).validate(), `${file}: ${m.kind}/${m.metadata?.name}`).not.toThrow();
      expect(m.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      if (m.kind !== 'Namespace') expect(m.metadata.namespace).toBe('carbon-nexus');
    }
  });

  it('the schema check rejects a broken manifest (the validator is live)', () => {
    const gateway = structuredClone(byKind('Deployment').find((d) => d.metadata.name === 'gateway')!);
    gateway.spec.template.spec.containers[0].readinessProbe.periodSeconds = 'often';
    expect(() => new Deployment(gateway as any).validate()).toThrow(/periodSeconds/);
    const noImage = structuredClone(gateway);
    delete noImage.spec.template.spec.containers[0].name;
    expect(() => new Deployment(noImage as any).validate()).toThrow(/name/);
  });

  it('kustomization.yaml lists every manifest except the example Secret, and an image per workload', () => {
    const k = parse(fs.readFileSync(path.join(k8sDir, 'kustomization.yaml'), 'utf8'));
    expect(k.kind).toBe('Kustomization');
    expect([...k.resources].sort()).toEqual(manifestFiles.filter((f) => f !== 'secret.example.yaml').sort());
    const images = new Set(
      all.flatMap(({ m }) => (m.spec?.template ? containersOf(m).map((c) => c.image.split(':')[0]) : [])),
    );
    expect(new Set(k.images.map((i: any) => i.name))).toEqual(images);
  });

  it('runs a Deployment and a Service per plugin, and two or more gateway replicas', () => {
    const deployments = byKind('Deployment');
    for (const id of pluginIds) {
      const d = deployments.find((x) => x.metadata.name === id);
      expect(d, `Deployment for plugin ${id}`).toBeDefined();
      expect(containersOf(d!)[0].command).toEqual(['node', '--import', 'tsx', 'gateway/src/cli/subgraph.ts', id]);
      expect(byKind('Service').some((s) => s.metadata.name === id)).toBe(true);
    }
    const gateway = deployments.find((x) => x.metadata.name === 'gateway')!;
    expect(gateway.spec.replicas).toBeGreaterThanOrEqual(2);
    expect(containersOf(gateway)[0].command).toEqual(['node', '--import', 'tsx', 'gateway/src/cli/gateway.ts']);
    // Nothing else: every Deployment is the gateway or a plugin of carbon-nexus.config.ts.
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['gateway', ...pluginIds].sort());
  });

  it('every container has readiness on /readyz, liveness on /healthz (a declared port), and resource requests and limits', () => {
    for (const d of [...byKind('Deployment')]) {
      for (const c of containersOf(d)) {
        const ports = (c.ports ?? []) as { name?: string; containerPort: number }[];
        const portOk = (p: string | number) => ports.some((x) => x.name === p || x.containerPort === p);
        expect(c.readinessProbe?.httpGet?.path, `${d.metadata.name} readiness`).toBe('/readyz');
        expect(c.livenessProbe?.httpGet?.path, `${d.metadata.name} liveness`).toBe('/healthz');
        expect(portOk(c.readinessProbe.httpGet.port)).toBe(true);
        expect(portOk(c.livenessProbe.httpGet.port)).toBe(true);
        for (const kind of ['requests', 'limits']) {
          expect(c.resources?.[kind]?.cpu, `${d.metadata.name} ${kind}.cpu`).toBeTruthy();
          expect(c.resources?.[kind]?.memory, `${d.metadata.name} ${kind}.memory`).toBeTruthy();
        }
        // PORT (what the process listens on) is the declared container port.
        const envPort = c.env.find((e: any) => e.name === 'PORT')?.value;
        expect(ports.map((p) => String(p.containerPort))).toContain(envPort);
      }
    }
  });

  it('settings come from the ConfigMap, secrets by key from the Secret (DATABASE_URL, REDIS_URL, JWT_SECRET)', () => {
    const secret = byKind('Secret').find((s) => s.metadata.name === SECRET_NAME)!;
    expect(Object.keys(secret.stringData).sort()).toEqual(['DATABASE_URL', 'JWT_SECRET', 'REDIS_URL']);
    const config = byKind('ConfigMap').find((c) => c.metadata.name === CONFIG_NAME)!;
    expect(config.data.HOST).toBe('0.0.0.0'); // containers must listen beyond loopback
    const secretKeys = (c: any) =>
      Object.fromEntries(
        c.env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => [e.name, e.valueFrom.secretKeyRef]),
      );
    const workloads = [...byKind('Deployment'), ...byKind('Job')];
    for (const w of workloads) {
      for (const c of containersOf(w)) {
        expect(c.envFrom).toContainEqual({ configMapRef: { name: CONFIG_NAME } });
        const refs = secretKeys(c);
        for (const ref of Object.values(refs) as any[]) {
          expect(ref.name).toBe(SECRET_NAME);
          expect(Object.keys(secret.stringData)).toContain(ref.key);
        }
        const needs =
          w.metadata.name === 'gateway'
            ? ['JWT_SECRET']
            : w.kind === 'Job'
              ? ['DATABASE_URL']
              : ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET'];
        expect(Object.keys(refs).sort(), `${w.kind}/${w.metadata.name} secrets`).toEqual(needs.sort());
        for (const [name, ref] of Object.entries(refs) as [string, any][]) expect(ref.key).toBe(name);
      }
    }
  });

  it('each subgraph URL in the ConfigMap points at that plugin’s Service and port', () => {
    const config = byKind('ConfigMap').find((c) => c.metadata.name === CONFIG_NAME)!;
    const services = byKind('Service');
    for (const id of pluginIds) {
      const key = `CARBON_NEXUS_SUBGRAPH_${id.toUpperCase().replace(/-/g, '_')}_URL`;
      const url = new URL(config.data[key]);
      const svc = services.find((s) => s.metadata.name === url.hostname);
      expect(svc, `${key} -> ${url.hostname}`).toBeDefined();
      expect(svc!.spec.ports.map((p: any) => String(p.port))).toContain(url.port);
      expect(url.pathname).toBe('/graphql');
    }
  });

  it('every Service selects the pods of its Deployment and targets a declared container port', () => {
    for (const svc of byKind('Service')) {
      const d = byKind('Deployment').find((x) =>
        Object.entries(svc.spec.selector).every(([k, v]) => x.spec.template.metadata.labels[k] === v),
      );
      expect(d, `Deployment behind Service ${svc.metadata.name}`).toBeDefined();
      // A Deployment's selector matches its own pod template.
      for (const [k, v] of Object.entries(d!.spec.selector.matchLabels))
        expect(d!.spec.template.metadata.labels[k]).toBe(v);
      const names = containersOf(d!).flatMap((c) => c.ports.map((p: any) => p.name));
      for (const p of svc.spec.ports) expect(names).toContain(p.targetPort);
    }
  });

  it('a migrations Job runs the migrate entry point once (never restarting forever)', () => {
    const [job] = byKind('Job');
    expect(job).toBeDefined();
    const c = containersOf(job)[0];
    expect(c.command).toEqual(['node', '--import', 'tsx', 'gateway/src/cli/migrate.ts']);
    expect(['Never', 'OnFailure']).toContain(job.spec.template.spec.restartPolicy);
    expect(job.spec.backoffLimit).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(root, 'gateway/src/cli/migrate.ts'))).toBe(true);
  });
});

// ---------------------------------------------------------------- Dockerfile
interface Instruction {
  op: string;
  args: string;
  stage: string | null;
}
function parseDockerfile(file: string): Instruction[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out: Instruction[] = [];
  let buf = '';
  let stage: string | null = null;
  for (const raw of lines) {
    const line = raw.trim();
    if (!buf && (line.startsWith('#') || !line)) continue;
    if (line.startsWith('#')) continue; // comments inside a continuation
    buf += (buf ? ' ' : '') + line.replace(/\\$/, '').trim();
    if (line.endsWith('\\')) continue;
    const [, op, args] = /^(\S+)\s*(.*)$/.exec(buf)!;
    const upper = op.toUpperCase();
    if (upper === 'FROM') stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? null;
    out.push({ op: upper, args, stage });
    buf = '';
  }
  return out;
}
const dockerfile = path.join(deployDir, 'Dockerfile');
const instructions = parseDockerfile(dockerfile);
const stages = new Set(
  instructions
    .filter((i) => i.op === 'FROM')
    .map((i) => /\bAS\s+(\S+)/i.exec(i.args)?.[1])
    .filter(Boolean),
);

/** Workspace folders from the root package.json (globs like subgraphs/* expanded). */
function workspaces(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { workspaces: string[] };
  return pkg.workspaces.flatMap((w) =>
    w.endsWith('/*')
      ? fs
          .readdirSync(path.join(root, w.slice(0, -2)))
          .map((d) => `${w.slice(0, -2)}/${d}`)
          .filter((d) => fs.existsSync(path.join(root, d, 'package.json')))
      : [w],
  );
}

/** Minimal .dockerignore matching: `**` any number of folders (also none), `*` within a segment; a pattern also
 * matches everything under what it names. */
function ignored(patterns: string[], file: string): boolean {
  let out = false;
  for (const raw of patterns) {
    const neg = raw.startsWith('!');
    const p = (neg ? raw.slice(1) : raw).replace(/^\/+|\/+$/g, '');
    const re = new RegExp(
      '^' +
        p
          .split('**/')
          .map((part) =>
            part
              .split('**')
              .map((s) =>
                s
                  .split('*')
                  .map((t) => t.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
                  .join('[^/]*'),
              )
              .join('.*'),
          )
          .join('(.*/)?') +
        '(/.*)?$',
    );
    if (re.test(file)) out = !neg;
  }
  return out;
}

describe('Dockerfile (deploy/Dockerfile)', () => {
  const ignorePatterns = fs
    .readFileSync(path.join(deployDir, 'Dockerfile.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));

  it('every COPY source exists in the build context (the repository root) and is not ignored', () => {
    const copies = instructions.filter((i) => i.op === 'COPY' && !/--from=/.test(i.args));
    expect(copies.length).toBeGreaterThan(3);
    for (const c of copies) {
      const parts = c.args.split(/\s+/).filter((a) => !a.startsWith('--'));
      for (const src of parts.slice(0, -1)) {
        if (src === '.') continue;
        expect(fs.existsSync(path.join(root, src)), `COPY ${src}`).toBe(true);
        expect(ignored(ignorePatterns, src), `COPY ${src} is excluded by the dockerignore`).toBe(false);
      }
    }
  });

  it('copies every workspace manifest before `npm ci` (the dependency layer installs every workspace)', () => {
    const ci = instructions.findIndex((i) => i.op === 'RUN' && /npm ci\b/.test(i.args));
    expect(ci).toBeGreaterThan(0);
    const copied = instructions
      .slice(0, ci)
      .filter((i) => i.op === 'COPY')
      .flatMap((i) =>
        i.args
          .split(/\s+/)
          .filter((a) => !a.startsWith('--'))
          .slice(0, -1),
      );
    for (const ws of workspaces()) expect(copied, `workspace ${ws}`).toContain(`${ws}/package.json`);
    for (const f of ['package.json', 'package-lock.json', '.npmrc']) expect(copied).toContain(f);
  });

  it('what the services need at run time is in the context (not dockerignored)', () => {
    const needed = [
      'carbon-nexus.config.ts',
      'gateway/supergraph.graphql',
      'prisma/migrations',
      'gateway/src/cli/subgraph.ts',
      'models',
    ];
    for (const f of needed) {
      expect(fs.existsSync(path.join(root, f)), f).toBe(true);
      expect(ignored(ignorePatterns, f), `${f} is dockerignored`).toBe(false);
    }
    expect(ignored(ignorePatterns, 'gateway/node_modules/x')).toBe(true);
    expect(ignored(ignorePatterns, 'node_modules')).toBe(true);
  });

  it('has a target per kind of service, each starting a script that exists, listening beyond loopback', () => {
    for (const t of ['build', 'runtime', 'gateway', 'subgraph', 'migrate', 'embedded'])
      expect(stages, `stage ${t}`).toContain(t);
    const cmds = instructions.filter((i) => i.op === 'CMD' && i.stage !== 'runtime');
    expect(cmds.map((c) => c.stage).sort()).toEqual(['embedded', 'gateway', 'migrate', 'subgraph']);
    for (const c of cmds) {
      const scripts = [...c.args.matchAll(/([\w/.-]+\.ts)/g)].map((m) => m[1]);
      expect(scripts.length, `CMD of ${c.stage}`).toBe(1);
      expect(fs.existsSync(path.join(root, scripts[0])), scripts[0]).toBe(true);
    }
    expect(instructions.some((i) => i.op === 'ENV' && /HOST=0\.0\.0\.0/.test(i.args))).toBe(true);
    expect(instructions.some((i) => i.op === 'HEALTHCHECK' && /\/healthz/.test(i.args))).toBe(true);
    expect(instructions.some((i) => i.op === 'USER' && i.args === 'node')).toBe(true);
  });
});

// ---------------------------------------------------------------- docker-compose.yml
describe('docker-compose.yml (deploy/docker-compose.yml)', () => {
  const compose = parse(fs.readFileSync(path.join(deployDir, 'docker-compose.yml'), 'utf8'), { merge: true }) as any;
  const services = compose.services as Record<string, any>;
  const APP_ENV = ['HOST', 'DATABASE_URL', 'REDIS_URL', 'JWT_SECRET'];

  it('has PostgreSQL, Redis, the migrations one-shot, a service per plugin and the gateway', () => {
    expect(Object.keys(services).sort()).toEqual(['gateway', 'migrate', 'postgres', 'redis', ...pluginIds].sort());
    expect(services.postgres.image).toMatch(/^postgres:/);
    expect(services.redis.image).toMatch(/^redis:/);
    expect(services.gateway.deploy.replicas).toBeGreaterThanOrEqual(2);
  });

  it('every long-running service has a healthcheck; the app ones probe their own health route', () => {
    for (const [name, s] of Object.entries(services)) {
      if (name === 'migrate') {
        expect(s.restart).toBe('no');
        continue;
      }
      expect(s.healthcheck?.test, `${name} healthcheck`).toBeDefined();
      expect(Array.isArray(s.healthcheck.test) ? s.healthcheck.test[0] : s.healthcheck.test).toMatch(/^CMD/);
      if (name !== 'postgres' && name !== 'redis') expect(s.healthcheck.test.join(' ')).toMatch(/\/readyz|\/healthz/);
    }
  });

  it('starts in order: postgres -> migrate -> subgraphs (and redis) -> gateway', () => {
    expect(services.migrate.depends_on.postgres.condition).toBe('service_healthy');
    for (const id of pluginIds) {
      expect(services[id].depends_on.migrate.condition).toBe('service_completed_successfully');
      expect(services[id].depends_on.redis.condition).toBe('service_healthy');
      expect(services.gateway.depends_on[id].condition).toBe('service_healthy');
    }
  });

  it('gives every app service the database, bus, secret and subgraph URLs; each subgraph builds its plugin', () => {
    for (const name of ['gateway', ...pluginIds]) {
      const env = services[name].environment;
      for (const k of APP_ENV) expect(env[k], `${name}.${k}`).toBeTruthy();
      expect(env.HOST).toBe('0.0.0.0');
      for (const id of pluginIds) {
        const url = new URL(env[`CARBON_NEXUS_SUBGRAPH_${id.toUpperCase().replace(/-/g, '_')}_URL`]);
        expect(url.hostname).toBe(id);
        expect(url.port).toBe('4001'); // the subgraph target's PORT
      }
    }
    expect(services.migrate.environment.DATABASE_URL).toBe(services['data-core'].environment.DATABASE_URL);
    expect(services['data-core'].environment.DATABASE_URL).toContain('@postgres:5432/');
    expect(services['data-core'].environment.REDIS_URL).toBe('redis://redis:6379');
    for (const id of pluginIds) {
      expect(services[id].build.target).toBe('subgraph');
      expect(services[id].build.args.PLUGIN).toBe(id);
    }
  });

  it('builds every app image from deploy/Dockerfile with a target that exists', () => {
    for (const [name, s] of Object.entries(services)) {
      if (!s.build) continue;
      expect(path.resolve(deployDir, s.build.context)).toBe(root);
      expect(s.build.dockerfile).toBe('deploy/Dockerfile');
      expect(stages, `${name} target`).toContain(s.build.target);
    }
  });
});

// ---------------------------------------------------------------- the migrations entry point
// On PostgreSQL (what the Job runs against); two PGlite start-ups would cost too much of the suite's time.
describe.runIf(process.env.DATABASE_URL)('migrations entry point (gateway/src/cli/migrate.ts)', () => {
  it('migrates a fresh PostgreSQL database, then reports it up to date on a second run', async () => {
    const run = promisify(execFile);
    const tsx = pathToFileURL(path.join(root, 'node_modules/tsx/dist/loader.mjs')).href;
    const script = path.join(root, 'gateway/src/cli/migrate.ts');
    const name = `cn_migrate_${crypto.randomBytes(5).toString('hex')}`;
    const admin = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const u = new URL(process.env.DATABASE_URL!);
    u.pathname = `/${name}`;
    const env = { ...process.env, DATABASE_URL: u.toString() };
    const cleanup = async () => {
      const a = new pg.Client({ connectionString: process.env.DATABASE_URL });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await a.end();
    };
    try {
      const first = await run(process.execPath, ['--import', tsx, script], { cwd: root, env });
      expect(first.stdout).toMatch(/applied \d+ migration\(s\): 0000/);
      const second = await run(process.execPath, ['--import', tsx, script], { cwd: root, env });
      expect(second.stdout).toMatch(/database is up to date \(\d+ migration\(s\) already applied\)/);
    } finally {
      await cleanup();
    }
  }, 120_000);
});
