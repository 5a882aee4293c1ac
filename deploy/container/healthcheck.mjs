// The image's HEALTHCHECK: healthy while railyard's /healthz answers 200.
const port = process.env.PORT ?? '8888';
const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) }).catch(() => undefined);
process.exit(res?.status === 200 ? 0 : 1);
