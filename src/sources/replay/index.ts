export { ReplayFileError } from './errors.ts';
export { readBlocksFile, parseBlocksText, blockFromJson } from './blocks-file.ts';
export { readPricesFile, parsePricesText, priceFromJson, createPriceCursor } from './prices-file.ts';
export { readEpochsCsv, parseEpochsCsv, type EpochRow } from './epochs-csv.ts';
export {
  synthesizeChain,
  synthToJsonl,
  solveSpan,
  estimateEpochStartSec,
  SynthError,
  TIME_ANCHOR,
  type SynthBlock,
  type SynthOptions,
} from './synth.ts';
