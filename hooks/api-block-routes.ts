import { deleteBlock, listBlocks, putBlock } from './api-blocks.ts';
import type { Route } from './router.ts';

/** The block API (issue 15): railyard's paths, and web-ipt-d's `/chain/:chain/ipv4/:ip` for existing fail2ban actions. */
export const BLOCK_ROUTES: readonly Route[] = [
  { method: 'GET', path: '/api/blocks', auth: 'block', handle: listBlocks },
  ...['/api/blocks/:family/:ip', '/api/blocks/:family/:ip/:prefix', '/chain/:chain/:family/:ip', '/chain/:chain/:family/:ip/:prefix'].flatMap(
    (path): Route[] => [
      { method: 'PUT', path, auth: 'block', handle: putBlock },
      { method: 'DELETE', path, auth: 'block', handle: deleteBlock },
    ],
  ),
];
