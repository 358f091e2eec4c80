/**
 * sendPicture over both PictureRefs (process memory and Redis): a mass firing's concurrent
 * deliveries of one picture upload it once and reuse it; a failed upload leaves the next one to
 * upload; a refused reference is forgotten and uploaded again; a broken store means "upload".
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  MemoryPictureRefs,
  sendPicture,
  type PictureRefs,
  type PictureSend,
} from '../../../src/platforms/picture-refs.ts';
import { RedisPictureRefs } from '../../../src/store/redis-picture-refs.ts';
import { engineKeys } from '../../../src/store/keys.ts';
import { testRedis } from '../../support/redis.ts';

const redis = testRedis(7);
const keys = engineKeys(`hb-test-picrefs-${process.pid}:`);
afterAll(async () => {
  const found = await redis.keys(keys.all());
  if (found.length > 0) await redis.del(...found);
  redis.disconnect();
});

/** A platform stand-in: uploads take 30 ms and answer a new ref; `failUploads` first uploads throw. */
function platform(failUploads = 0, staleRefs = new Set<string>()) {
  const log: string[] = [];
  let n = 0;
  const send = (who: string): PictureSend<string> => ({
    reuse: async (ref) => {
      if (staleRefs.has(ref)) throw Object.assign(new Error('stale'), { stale: true });
      log.push(`${who}:reuse:${ref}`);
      return ref;
    },
    upload: async () => {
      await new Promise((r) => setTimeout(r, 30));
      if (failUploads > 0) {
        failUploads -= 1;
        log.push(`${who}:upload-failed`);
        throw new Error('502');
      }
      n += 1;
      log.push(`${who}:upload`);
      return { result: `ref-${n}`, ref: `ref-${n}` };
    },
    isStaleRef: (e) => (e as { stale?: boolean }).stale === true,
  });
  return { log, send };
}

const stores: Array<[string, () => PictureRefs]> = [
  ['memory', () => new MemoryPictureRefs()],
  ['redis', () => new RedisPictureRefs(redis, keys, `t${Math.random().toString(36).slice(2, 8)}`)],
];

describe.each(stores)('sendPicture on %s refs', (_name, make) => {
  it('50 concurrent deliveries of one picture: one upload, 49 reuses of its ref', async () => {
    const refs = make();
    const p = platform();
    const out = await Promise.all(Array.from({ length: 50 }, (_, i) => sendPicture(refs, 'k1', p.send(`d${i}`))));
    expect(out.filter((o) => o.outcome === 'uploaded')).toHaveLength(1);
    expect(new Set(out.map((o) => o.result))).toEqual(new Set(['ref-1']));
  });

  it('a failed first upload stores nothing: a waiting delivery takes over and uploads', async () => {
    const refs = make();
    const p = platform(1);
    const out = await Promise.allSettled([sendPicture(refs, 'k2', p.send('a')), sendPicture(refs, 'k2', p.send('b'))]);
    expect(out.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(p.log.filter((l) => l.endsWith(':upload'))).toHaveLength(1);
    // The next one reuses what the second upload stored.
    expect((await sendPicture(refs, 'k2', p.send('c'))).outcome).toBe('reused');
  });

  it('a reference the platform refuses is forgotten and the picture uploaded again', async () => {
    const refs = make();
    const stale = new Set<string>();
    const p = platform(0, stale);
    await sendPicture(refs, 'k3', p.send('a'));
    stale.add('ref-1');
    const again = await sendPicture(refs, 'k3', p.send('b'));
    expect(again).toEqual({ result: 'ref-2', outcome: 'uploaded' });
    expect((await sendPicture(refs, 'k3', p.send('c'))).result).toBe('ref-2');
  });
});

it('a broken reference store means "upload", never a failed delivery', async () => {
  const broken: PictureRefs = {
    get: async () => {
      throw new Error('redis down');
    },
    claim: async () => {
      throw new Error('redis down');
    },
    put: async () => {
      throw new Error('redis down');
    },
    drop: async () => {
      throw new Error('redis down');
    },
  };
  const p = platform();
  expect(await sendPicture(broken, 'k4', p.send('a'))).toEqual({ result: 'ref-1', outcome: 'uploaded' });
});
