// The HTTP thread's entry (see http-thread.ts). Sources are TypeScript, loaded
// through tsx as bin/railyard.js loads them: no build step.
import { register } from 'tsx/esm/api';

register();
await import('./http-worker.ts');
