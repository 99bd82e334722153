// A TCP proxy for fault tests: put it between the app and a real service (Redis, PostgreSQL), then `cut()` to drop
// every open connection and refuse new ones (what a restart or a network partition looks like to the client), and
// `restore()` to let connections through again. The listening port stays the same throughout.
import net from 'node:net';

export interface TcpProxy {
  port: number;
  /** The target URL with host:port replaced by the proxy's (e.g. redis://127.0.0.1:<proxy>/0). */
  url(targetUrl: string): string;
  /** Drops open connections and refuses new ones until `restore()`. */
  cut(): void;
  restore(): void;
  readonly isCut: boolean;
  /** Connections accepted since start (refused ones excluded). */
  readonly connections: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<net.Socket>();
  let cut = false;
  let accepted = 0;
  const server = net.createServer((client) => {
    if (cut) return void client.destroy();
    accepted++;
    const upstream = net.connect(target.port, target.host);
    const pair = [client, upstream];
    for (const s of pair) {
      open.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        open.delete(s);
        for (const o of pair) o.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url(targetUrl) {
      const u = new URL(targetUrl);
      u.hostname = '127.0.0.1';
      u.port = String(port);
      return u.toString();
    },
    cut() {
      cut = true;
      for (const s of [...open]) s.destroy();
    },
    restore() {
      cut = false;
    },
    get isCut() {
      return cut;
    },
    get connections() {
      return accepted;
    },
    async close() {
      cut = true;
      for (const s of [...open]) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** host/port of a service URL (redis://, postgres://), for `startTcpProxy`. */
export function targetOf(url: string, defaultPort: number): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || defaultPort) };
}
