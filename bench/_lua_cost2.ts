import { Redis } from 'ioredis';
import { privateRedis } from './engine-redis.ts';
import { RedisFreshness as NewF } from '../src/store/redis-freshness.ts';
import { RedisFreshness as OldF } from '/work/wt-evalcost-main/src/store/redis-freshness.ts';
import { engineKeys } from '../src/store/keys.ts';
const keys = engineKeys('hb-bench:');
const mk = (b: number, s: string) => Array.from({ length: 500 }, (_, i) => ({ subscriptionId: `telegram-chat-${i * 10}${s}`, height: 10000 + b, hash: (10000 + b).toString(16).padStart(64, '0'), events: [{ rule: '2' }] as any }));
const { port, stop } = await privateRedis();
const r = new Redis({ port });
const impl = { new: new NewF(r, keys), old: new OldF(r as any, keys as any) } as const;
const evalUsec = async () => Number(/cmdstat_eval:calls=\d+,usec=(\d+)/.exec(await r.info('commandstats'))?.[1] ?? 0);
const red: Record<string, number[]> = { new: [], old: [] }, node: Record<string, number[]> = { new: [], old: [] };
for (let b = 0; b < 120; b++) for (const name of ['new', 'old'] as const) {
  await r.flushall();
  const u0 = await evalUsec(); const c0 = process.cpuUsage();
  await impl[name].queued(mk(b, 'a')); await impl[name].queued(mk(b, 'b'));
  const c1 = process.cpuUsage(c0); const u1 = await evalUsec();
  red[name]!.push((u1 - u0) / 1000); node[name]!.push((c1.user + c1.system) / 1000);
}
const med = (a: number[]) => { const s = [...a].sort((x, y) => x - y); return s[s.length >> 1]!.toFixed(2); };
for (const n of ['new', 'old']) console.log(n, 'per 1000 messages: redis eval ms', med(red[n]!), 'node cpu ms', med(node[n]!));
r.disconnect(); stop();
