/**
 * The operations kit cannot be run here (no container images), so its files are checked by
 * parsing them: the split compose profile has the roles and replicas issue 13 asks for, every
 * path it mounts exists, Prometheus scrapes what compose runs, the alert rules are well formed
 * (promtool's structural checks), and every metric the rules and the dashboard query is one the
 * code actually exports — so neither can silently drift from the metrics.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const root = new URL('../../../', import.meta.url).pathname;
const read = (p: string): string => readFileSync(join(root, p), 'utf8');
// merge: compose's `<<: *hashbell` (YAML 1.1 merge keys, which docker compose supports).
const yaml = (p: string): Record<string, any> => parse(read(p), { merge: true }) as Record<string, any>;

/** Every `name: 'hashbell_…'` metric declared under src/. */
function declaredMetrics(): Set<string> {
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const f of readdirSync(join(root, dir))) {
      const p = join(dir, f);
      if (statSync(join(root, p)).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) for (const m of read(p).matchAll(/name: '(hashbell_[a-z_]+)'/g)) names.add(m[1]!);
    }
  };
  walk('src');
  const reg = new Registry();
  collectDefaultMetrics({ register: reg });
  for (const m of reg.getMetricsAsArray()) names.add(m.name);
  return names;
}

const SUFFIXES = /_(bucket|count|sum)$/;
function metricsIn(expr: string): string[] {
  return [...expr.matchAll(/\b((?:hashbell|process|nodejs)_[a-z0-9_]+)/g)].map((m) => m[1]!.replace(SUFFIXES, ''));
}

function balanced(expr: string): boolean {
  let depth = 0;
  for (const c of expr) {
    if (c === '(' || c === '{' || c === '[') depth++;
    if (c === ')' || c === '}' || c === ']') depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

const HASHBELL_ROLES = ['watcher', 'evaluator', 'notifier', 'bot'];

describe('deploy/docker-compose.yml (split roles)', () => {
  const compose = yaml('deploy/docker-compose.yml');
  const services = compose['services'] as Record<string, any>;

  it('runs 1 watcher, 2 evaluators, 2 notifiers, 1 bot, Redis with AOF, Prometheus and Grafana', () => {
    expect(Object.keys(services).sort()).toEqual([
      'bot',
      'evaluator',
      'grafana',
      'notifier',
      'prometheus',
      'redis',
      'redis-exporter',
      'watcher',
    ]);
    const replicas = (s: string): number => services[s]?.deploy?.replicas ?? 1;
    expect(HASHBELL_ROLES.map(replicas)).toEqual([1, 2, 2, 1]);
    expect(services['redis'].command.join(' ')).toMatch(/--appendonly yes.*--maxmemory-policy noeviction/);
  });

  it('each role runs node on its own entry point (no wrapper), drains on SIGTERM, reaches Redis, and is scrapeable', () => {
    for (const role of HASHBELL_ROLES) {
      const s = services[role];
      expect(s.command).toEqual(['node', '--import', 'tsx', `workers/${role}.ts`]);
      expect(existsSync(join(root, `workers/${role}.ts`))).toBe(true);
      expect(s.init).toBe(true);
      expect(s.stop_grace_period).toBe('30s');
      expect(s.environment).toMatchObject({ REDIS_URL: 'redis://redis:6379', HTTP_HOST: '0.0.0.0', HTTP_PORT: '9464' });
      expect(s.build).toBe('..');
      expect(s.depends_on.redis.condition).toBe('service_healthy');
    }
  });

  it('pins every image and mounts only files that exist', () => {
    for (const [name, s] of Object.entries(services)) {
      if (s.image !== undefined) expect(s.image, name).toMatch(/^[\w./-]+:[\w.-]+$/);
      if (s.image !== undefined) expect(s.image, name).not.toMatch(/:latest$/);
      for (const v of (s.volumes ?? []) as string[]) {
        if (v.startsWith('./')) expect(existsSync(join(root, 'deploy', v.split(':')[0]!)), v).toBe(true);
      }
    }
  });
});

describe('Prometheus', () => {
  const prom = yaml('deploy/prometheus/prometheus.yml');
  const compose = yaml('deploy/docker-compose.yml');

  it('scrapes every role (all replicas, through DNS) and Redis, and loads the alert rules', () => {
    const jobs = prom['scrape_configs'] as Array<Record<string, any>>;
    for (const role of HASHBELL_ROLES) {
      const job = jobs.find((j) => j['job_name'] === `hashbell-${role}`);
      expect(job, role).toBeDefined();
      expect(job!['dns_sd_configs'][0]).toEqual({ names: [role], type: 'A', port: 9464 });
      expect(compose['services'][role]).toBeDefined();
    }
    expect(jobs.some((j) => j['static_configs']?.[0]?.targets?.[0] === 'redis-exporter:9121')).toBe(true);
    expect(prom['rule_files']).toEqual(['/etc/prometheus/alerts.yml']);
    expect(compose['services']['prometheus'].volumes).toContain(
      './prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro',
    );
  });

  it('alert rules are well formed and cover staleness, backlog, delivery failures and Redis memory', () => {
    const declared = declaredMetrics();
    const groups = yaml('deploy/prometheus/alerts.yml')['groups'] as Array<{
      name: string;
      rules: Array<Record<string, any>>;
    }>;
    const names: string[] = [];
    for (const g of groups) {
      expect(g.name).toMatch(/^[a-z-]+$/);
      for (const r of g.rules) {
        names.push(r['alert']);
        expect(r['alert']).toMatch(/^[A-Z][A-Za-z]+$/);
        expect(typeof r['expr']).toBe('string');
        expect(balanced(r['expr']), r['alert']).toBe(true);
        expect(r['for']).toMatch(/^\d+[smh]$/);
        expect(['warning', 'critical']).toContain(r['labels']['severity']);
        expect(r['annotations']['summary']).toBeTruthy();
        for (const m of metricsIn(r['expr'])) expect(declared, `${r['alert']}: ${m}`).toContain(m);
      }
    }
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(
      expect.arrayContaining([
        'HashbellWatcherStale',
        'HashbellQueueBacklog',
        'HashbellDeliveryFailures',
        'RedisMemoryHigh',
      ]),
    );
  });
});

describe('Grafana', () => {
  it('provisions the Prometheus datasource and a dashboard whose every query names real metrics', () => {
    const datasource = yaml('deploy/grafana/provisioning/datasources/prometheus.yml')['datasources'][0];
    expect(datasource).toMatchObject({ uid: 'prometheus', url: 'http://prometheus:9090' });
    expect(yaml('deploy/grafana/provisioning/dashboards/hashbell.yml')['providers'][0].options.path).toBe(
      '/var/lib/grafana/dashboards',
    );
    const dash = JSON.parse(read('deploy/grafana/dashboards/hashbell.json')) as {
      uid: string;
      panels: Array<Record<string, any>>;
    };
    expect(dash.uid).toBe('hashbell');
    const declared = declaredMetrics();
    const ids = dash.panels.map((p) => p['id']);
    expect(new Set(ids).size).toBe(ids.length);
    const used = new Set<string>();
    for (const p of dash.panels) {
      expect(p['datasource'].uid).toBe(datasource.uid);
      expect(p['targets'].length).toBeGreaterThan(0);
      for (const t of p['targets'] as Array<{ expr: string }>) {
        expect(balanced(t.expr), t.expr).toBe(true);
        for (const m of metricsIn(t.expr)) {
          expect(declared, `${p['title']}: ${m}`).toContain(m);
          used.add(m);
        }
      }
    }
    // The figures issue 13 asks the dashboard to show.
    for (const m of [
      'hashbell_block_to_evaluate_seconds',
      'hashbell_evaluate_to_deliver_seconds',
      'hashbell_deliver_to_platform_seconds',
      'hashbell_last_block_height',
      'hashbell_last_block_age_seconds',
      'hashbell_queue_depth',
      'hashbell_rules',
      'hashbell_subscriptions',
      'hashbell_deliveries_total',
      'process_resident_memory_bytes',
    ])
      expect(used, m).toContain(m);
  });
});

describe('image and entry points', () => {
  it('the Dockerfile runs node directly, checks liveness, exposes metrics and webhook ports', () => {
    const df = read('Dockerfile');
    expect(df).toMatch(/^CMD \["node", "--import", "tsx", "workers\/all\.ts"\]$/m);
    expect(df).not.toMatch(/^(CMD|ENTRYPOINT).*(npx|npm)/m);
    expect(df).toMatch(/HEALTHCHECK[\s\S]*\/livez/);
    expect(df).toMatch(/^EXPOSE 9464 8443$/m);
    const ignore = read('.dockerignore').split('\n');
    for (const p of ['.env', '.hashbell', 'node_modules', '.git']) expect(ignore).toContain(p);
  });

  it('npm start execs node (signals reach the app); the hashbell bin is a node script', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string>; bin: Record<string, string> };
    expect(pkg.scripts['start']).toBe('exec node --import tsx workers/all.ts');
    expect(read(pkg.bin['hashbell']!).startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(statSync(join(root, pkg.bin['hashbell']!)).mode & 0o111).not.toBe(0);
  });

  it('the all-in-one compose file serves metrics to the host loopback only and exposes the webhook port', () => {
    const bot = yaml('docker-compose.yml')['services']['bot'];
    expect(bot.environment).toMatchObject({ HTTP_HOST: '0.0.0.0' });
    expect(bot.ports).toEqual(['127.0.0.1:9464:9464', '127.0.0.1:8443:8443']);
    expect(bot.init).toBe(true);
  });
});
