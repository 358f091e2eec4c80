export { ReplayFileError } from './errors.ts';
export { readBlocksFile, parseBlocksText, blockFromJson } from './blocks-file.ts';
export { readPricesFile, parsePricesText, priceFromJson, createPriceCursor } from './prices-file.ts';
