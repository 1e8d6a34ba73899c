#!/usr/bin/env node
// The `orgbridge` command (npx orgbridge …). The sources are TypeScript, run through
// tsx's loader so the CLI and the server execute exactly the same code.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/bin.ts');
