import type { DbConfig } from '../../config/db-types.ts';
import type { Env } from '../../config/env.ts';
import { CERT_RESOLVER, isAcmeBypass, PROXY_NETWORK, type Route } from './routes.ts';

/** Where the socket proxy listens for Traefik (both on the host network). */
export const DOCKER_PROXY_ENDPOINT = 'tcp://127.0.0.1:2375';
const LETSENCRYPT_STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory';
const BOUNCER_MODULE = 'github.com/maxlerebourg/crowdsec-bouncer-traefik-plugin';

type StaticEnv = Pick<Env, 'trustedIpsCidrs' | 'letsencryptEmail' | 'letsencryptStaging'>;

/**
 * `proxy/traefik/traefik.yml`. `web` (:80) and `web-secure` (:443) use
 * `reusePort`, so a second Traefik can bind them during a zero-downtime rollout;
 * every host port gets its own `<router>-<port>` entrypoint.
 */
export function traefikStatic(config: DbConfig, env: StaticEnv, routes: readonly Route[]): Record<string, unknown> {
  const crowdsec = config.plugins.crowdsec?.enabled === true ? config.plugins.crowdsec : undefined;
  const trusted = trustedIps(env.trustedIpsCidrs);
  const web = {
    address: ':80',
    reusePort: true,
    ...(routes.some(isAcmeBypass) ? { allowACMEByPass: true } : {}),
    ...trusted,
    http: {
      // Priority 1: routers on `web` (ACME passthrough) win over the redirect.
      redirections: { entryPoint: { to: 'web-secure', scheme: 'https', permanent: true, priority: 1 } },
      ...(crowdsec ? { middlewares: ['crowdsec@file'] } : {}),
    },
  };
  const webSecure = {
    address: ':443',
    reusePort: true,
    ...trusted,
    http: { middlewares: ['default-headers@file', 'rate-limit@file', ...(crowdsec ? ['crowdsec@file'] : [])] },
  };
  return {
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    log: { level: 'INFO' },
    accessLog: { filePath: '/var/log/traefik/access.log', format: 'json' },
    api: { dashboard: true, insecure: false },
    ping: { entryPoint: 'ping' },
    entryPoints: { ping: { address: '127.0.0.1:8082', reusePort: true }, web, 'web-secure': webSecure, ...hostportEntryPoints(routes, trusted) },
    certificatesResolvers: { [CERT_RESOLVER]: { acme: acme(env) } },
    providers: {
      docker: { endpoint: DOCKER_PROXY_ENDPOINT, exposedByDefault: false, network: PROXY_NETWORK, watch: true },
      file: { directory: '/etc/traefik/dynamic', watch: true },
    },
    ...(crowdsec ? { experimental: { plugins: { bouncer: { moduleName: BOUNCER_MODULE, version: crowdsec.version } } } } : {}),
  };
}

function trustedIps(cidrs: readonly string[]): Record<string, unknown> {
  if (cidrs.length === 0) return {};
  return { forwardedHeaders: { trustedIPs: [...cidrs] }, proxyProtocol: { trustedIPs: [...cidrs] } };
}

/** One entrypoint per host port, sorted by port then protocol so db.yml order does not matter. */
function hostportEntryPoints(routes: readonly Route[], trusted: Record<string, unknown>): Record<string, unknown> {
  const ports = new Map<string, { port: number; protocol: 'tcp' | 'udp' }>();
  for (const route of routes) if (route.hostport) ports.set(route.hostport.name, route.hostport);
  const sorted = [...ports].sort(([, a], [, b]) => a.port - b.port || a.protocol.localeCompare(b.protocol));
  return Object.fromEntries(
    sorted.map(([name, { port, protocol }]) => [
      name,
      { address: `:${port}/${protocol}`, reusePort: true, ...(protocol === 'tcp' ? trusted : {}) },
    ]),
  );
}

function acme(env: StaticEnv): Record<string, unknown> {
  return {
    ...(env.letsencryptEmail !== undefined ? { email: env.letsencryptEmail } : {}),
    storage: '/etc/acme/acme.json',
    ...(env.letsencryptStaging ? { caServer: LETSENCRYPT_STAGING } : {}),
    httpChallenge: { entryPoint: 'web' },
  };
}
