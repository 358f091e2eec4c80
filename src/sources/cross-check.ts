/**
 * Cross-check of two chain sources (mempool.space beside a Bitcoin Core node): if their tips are
 * more than a couple of blocks apart, or they disagree on the hash or bits of a settled block,
 * something is wrong with one of them — say so once in the logs and keep a metric raised.
 * This is the operator's signal only; what gates alerts is the watcher's BlockGate
 * (src/sources/block-gate.ts), which holds every block the node does not have and never takes
 * one the node never agrees with.
 */
import type { ChainSource } from './ports.ts';
import type { WatcherMetrics } from '../observability/metrics.ts';
import type { Logger } from '../observability/logger.ts';

export interface CrossCheckDeps {
  readonly primary: ChainSource;
  readonly secondary: ChainSource;
  readonly logger: Logger;
  readonly metrics: WatcherMetrics;
  /** Default 60 s. */
  readonly intervalMs?: number;
  /** Blocks of slack before a difference counts (default 2: propagation, REST caches). */
  readonly toleranceBlocks?: number;
}

export type CrossCheckResult =
  | { readonly agree: true; readonly height: number }
  | { readonly agree: false; readonly what: 'height' | 'hash' | 'bits'; readonly detail: Record<string, unknown> }
  | { readonly agree: null; readonly error: string };

export interface CrossCheckHandle {
  stop(): void;
  /** One comparison now (also what the timer runs). */
  checkNow(): Promise<CrossCheckResult>;
}

export function startCrossCheck(deps: CrossCheckDeps): CrossCheckHandle {
  const tolerance = deps.toleranceBlocks ?? 2;
  let disagreeing = false;

  const compare = async (): Promise<CrossCheckResult> => {
    try {
      const [a, b] = await Promise.all([deps.primary.tipHeight(), deps.secondary.tipHeight()]);
      if (Math.abs(a - b) > tolerance) {
        return { agree: false, what: 'height', detail: { [deps.primary.name]: a, [deps.secondary.name]: b } };
      }
      const h = Math.max(0, Math.min(a, b) - tolerance);
      const [[pa], [pb]] = await Promise.all([deps.primary.blocks(h, h), deps.secondary.blocks(h, h)]);
      if (!pa || !pb) return { agree: null, error: `no block at ${h}` };
      if (pa.id !== pb.id)
        return {
          agree: false,
          what: 'hash',
          detail: { height: h, [deps.primary.name]: pa.id, [deps.secondary.name]: pb.id },
        };
      if (pa.bits !== pb.bits)
        return {
          agree: false,
          what: 'bits',
          detail: { height: h, [deps.primary.name]: pa.bits, [deps.secondary.name]: pb.bits },
        };
      return { agree: true, height: h };
    } catch (err) {
      return { agree: null, error: (err as Error).message };
    }
  };

  const checkNow = async (): Promise<CrossCheckResult> => {
    const r = await compare();
    if (r.agree === false) {
      if (!disagreeing) {
        deps.metrics.sourceDisagreements.inc({ what: r.what });
        deps.logger.warn(
          { what: r.what, ...r.detail },
          `chain sources disagree (${deps.primary.name} vs ${deps.secondary.name}) beyond ${tolerance} blocks`,
        );
      }
      disagreeing = true;
      deps.metrics.sourceDisagreement.set(1);
    } else if (r.agree === true) {
      if (disagreeing) deps.logger.info({ height: r.height }, 'chain sources agree again');
      disagreeing = false;
      deps.metrics.sourceDisagreement.set(0);
    }
    return r;
  };

  const timer = setInterval(() => void checkNow(), deps.intervalMs ?? 60_000);
  timer.unref();
  return { stop: () => clearInterval(timer), checkNow };
}
