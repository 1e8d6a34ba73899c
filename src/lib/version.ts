import { createRequire } from 'node:module';

/** orgbridge's version, as package.json states it (the API description reports it). */
export const VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
