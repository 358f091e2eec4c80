import { join } from 'node:path';
import { forEachSnapshot } from '/work/wt-drop/src/cli/replay-engine.ts';
import { readEpochsCsv } from '/work/wt-drop/src/sources/replay/epochs-csv.ts';
import { synthesizeChain } from '/work/wt-drop/src/sources/replay/synth.ts';
const root = '/work/wt-drop/';
const epochs = await readEpochsCsv(join(root, 'data/bitcoin-mainnet-epochs.csv'));
const chain = synthesizeChain({ epochs, fromEpoch: 447, toEpoch: 473, seed: 52560 }).slice(0, 52560);
const blocks = chain.map((b) => ({ id: b.id, height: b.height, timestamp: b.timestamp, bits: b.bits, feesSats: b.extras?.totalFees ?? 0, feesKnown: true, previousHash: b.previousblockhash })) as any;
for (let k = 0; k < 4; k++) { const t = performance.now(); forEachSnapshot(blocks, [], () => undefined); console.log('snap s', ((performance.now() - t) / 1000).toFixed(3)); }
