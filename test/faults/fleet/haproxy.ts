import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../../cli/infra';
import { eventually } from '../../support/processes';

/**
 * HAProxy on loopback in front of the gateways, as a fleet's load balancer: round robin, a
 * gateway that refuses connections marked down within a second (TCP checks every 250 ms), and a
 * request whose connection failed sent to the other gateway (`option redispatch`; nothing of it
 * reached a gateway, so any method may be retried). A request a gateway dies while answering is
 * answered 502: the client sends it again with its Idempotency-Key. Every answer names the gateway
 * that gave it in `X-Served-By` (`gateway1`, `gateway2`, … in the order of `gateways`). On `port`
 * when given (a WORKGATE_PUBLIC_URL chosen before), else on any free one.
 */
export async function startHaproxy(
  dir: string,
  gateways: number[],
  port?: number,
): Promise<{ url: string; stop(): Promise<void> }> {
  port ??= await freePort();
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(
    config,
    [
      'global',
      '  maxconn 2000',
      'defaults',
      '  mode http',
      '  timeout connect 1s',
      '  timeout client 60s',
      '  timeout server 60s',
      '  retries 3',
      '  option redispatch',
      'frontend workgate',
      `  bind 127.0.0.1:${port}`,
      '  default_backend gateways',
      'backend gateways',
      '  balance roundrobin',
      '  http-response set-header X-Served-By %s',
      ...gateways.map((p, i) => `  server gateway${i + 1} 127.0.0.1:${p} check inter 250 fall 2 rise 2`),
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn('haproxy', ['-f', config, '-db'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr?.on('data', (d) => (err += d));
  const url = `http://127.0.0.1:${port}`;
  await eventually(() => fetch(`${url}/health`).then(() => true), 30_000, `HAProxy to answer ${err}`);
  return {
    url,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
