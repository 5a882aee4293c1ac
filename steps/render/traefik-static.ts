import type { DbConfig } from '../../config/db-types.ts';
import type { Env } from '../../config/env.ts';
import { CERT_RESOLVER, PROXY_NETWORK, type Route } from './routes.ts';

/** Where the socket proxy listens for Traefik (both on the host network). */
export const DOCKER_PROXY_ENDPOINT = 'tcp://127.0.0.1:2375';
/** The loopback-only entrypoint `traefik healthcheck` pings (not itsUP's public `web`). */
export const PING_ADDRESS = '127.0.0.1:8082';
/** Priority of the HTTP→HTTPS redirect router: the lowest, so every router on `web` wins. */
export const REDIRECT_PRIORITY = 1;
const LETSENCRYPT_STAGING = 'https://acme-staging-v02.api.letsencrypt.org/directory';
const BOUNCER_MODULE = 'github.com/maxlerebourg/crowdsec-bouncer-traefik-plugin';
/** itsUP trusts forwarded headers from every Docker bridge on web and web-secure. */
const DOCKER_BRIDGES = '172.0.0.0/8';
const LOOPBACK = '127.0.0.1/32';

export type StaticEnv = Pick<Env, 'trustedIpsCidrs' | 'letsencryptEmail' | 'letsencryptStaging' | 'traefikWebAddress' | 'traefikWebSecureAddress'>;

/**
 * `proxy/traefik/traefik.yml`, as itsUP's: `web` on :8080 and `web-secure` on
 * :8443 (the ports users forward 80 and 443 to; TRAEFIK_WEB_ADDRESS and
 * TRAEFIK_WEB_SECURE_ADDRESS move them), a `<router>-<port>` entrypoint per
 * host port, the TLS-ALPN challenge, the docker provider behind the socket
 * proxy. `reusePort` lets a second Traefik bind during a rollout.
 */
export function traefikStatic(config: DbConfig, env: StaticEnv, routes: readonly Route[]): Record<string, unknown> {
  const crowdsec = config.plugins.crowdsec?.enabled === true ? config.plugins.crowdsec : undefined;
  const trusted = env.trustedIpsCidrs;
  const headers = { forwardedHeaders: { trustedIPs: [DOCKER_BRIDGES, ...trusted] }, proxyProtocol: { trustedIPs: [LOOPBACK, ...trusted] } };
  const web = {
    address: env.traefikWebAddress,
    reusePort: true,
    ...headers,
    // Not in itsUP (its redirect is commented out). Priority 1: routers on `web` are matched first.
    http: { redirections: { entryPoint: { to: ':443', scheme: 'https', permanent: true, priority: REDIRECT_PRIORITY } } },
  };
  const webSecure = {
    address: env.traefikWebSecureAddress,
    asDefault: true,
    reusePort: true,
    http3: { advertisedPort: portOf(env.traefikWebSecureAddress) },
    ...headers,
    http: { middlewares: ['default-headers@file', 'rate-limit@file', ...(crowdsec ? ['crowdsec@file'] : [])] },
  };
  return {
    accessLog: { filePath: '/var/log/traefik/access.log', format: 'json' },
    // itsUP logs at DEBUG, which writes every received configuration, the bouncer's LAPI key included.
    log: { level: 'INFO' },
    api: { insecure: false, dashboard: true, debug: true },
    ping: { entryPoint: 'ping' },
    certificatesResolvers: { [CERT_RESOLVER]: { acme: acme(env) } },
    entryPoints: { web, 'web-secure': webSecure, ping: { address: PING_ADDRESS, reusePort: true }, ...hostportEntryPoints(routes, trusted) },
    ...(crowdsec ? { experimental: { plugins: { bouncer: { moduleName: BOUNCER_MODULE, version: crowdsec.version } } } } : {}),
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    providers: {
      docker: { exposedByDefault: false, endpoint: DOCKER_PROXY_ENDPOINT, network: PROXY_NETWORK },
      file: { directory: '/etc/traefik/dynamic', watch: true },
    },
  };
}

/** The port of `:8443` or `0.0.0.0:8443`. */
export function portOf(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1).split('/')[0]);
}

/** One entrypoint per host port, sorted by port then protocol so db.yml order does not matter. */
function hostportEntryPoints(routes: readonly Route[], trusted: readonly string[]): Record<string, unknown> {
  const ports = new Map<string, { port: number; protocol: 'tcp' | 'udp' }>();
  for (const route of routes) if (route.hostport) ports.set(route.hostport.name, route.hostport);
  const sorted = [...ports].sort(([, a], [, b]) => a.port - b.port || a.protocol.localeCompare(b.protocol));
  const list = [LOOPBACK, ...trusted];
  return Object.fromEntries(
    sorted.map(([name, { port, protocol }]) => [
      name,
      { address: `:${port}/${protocol}`, reusePort: true, forwardedHeaders: { trustedIPs: list }, proxyProtocol: { trustedIPs: list } },
    ]),
  );
}

function acme(env: StaticEnv): Record<string, unknown> {
  return {
    ...(env.letsencryptStaging ? { caServer: LETSENCRYPT_STAGING } : {}),
    ...(env.letsencryptEmail !== undefined ? { email: env.letsencryptEmail } : {}),
    storage: '/etc/acme/acme.json',
    tlsChallenge: {},
  };
}
