#!/usr/bin/env node
// The `railyard` command. Sources are TypeScript, loaded through tsx so that
// `npm install && npm start` needs no build step.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
