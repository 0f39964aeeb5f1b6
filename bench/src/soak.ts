import type { ResourceSampler } from './resources.js';
import { sourceAddress } from './phases.js';
import { runOpenLoop, sleep } from './schedule.js';
import { PhaseRecorder, round } from './stats.js';
import { StudentSocket } from './student.js';

/**
 * The connection soak: N idle WebSockets held for M seconds, each pinging now and then
 * (an open exam tab between answers). What it costs the server is the RSS it adds per
 * connection, measured against the RSS before the first socket opened.
 */
export interface SoakReport {
  target: number;
  connected: number;
  closedDuringHold: number;
  rssBaselineMb: number | undefined;
  rssConnectedMb: number | undefined;
  rssHeldMb: number | undefined;
  rssAfterCloseMb: number | undefined;
  rssPerConnectionKb: number | undefined;
  sourceAddresses: number;
}

export interface SoakInput {
  wsBase: string;
  /** access tokens to spread the sockets over (one per student when there are enough) */
  tokens: string[];
  connections: number;
  holdSec: number;
  pingSec: number;
  connectRate: number;
  sourceAddresses: number;
  timeoutMs: number;
  sampler: ResourceSampler;
  log: (line: string) => void;
  /** brackets each phase with resource marks */
  phase: <T>(name: string, run: () => Promise<T>) => Promise<T>;
}

const mb = (bytes: number | undefined) =>
  bytes === undefined ? undefined : round(bytes / 1048576, 1);

export async function runSoak(
  input: SoakInput,
): Promise<{ report: SoakReport; recorders: PhaseRecorder[] }> {
  const sockets: StudentSocket[] = [];
  await sleep(2000);
  const baseline = await input.sampler.currentRss('app');

  const connect = new PhaseRecorder('soak connect');
  const connectWindowSec = input.connections / Math.max(1, input.connectRate);
  connect.setWindow(connectWindowSec);
  await input.phase('soak connect', async () => {
    const opening: Promise<void>[] = [];
    await runOpenLoop(input.connections, connectWindowSec * 1000, (i, scheduledAt) => {
      const socket = new StudentSocket(undefined);
      const token = input.tokens[i % input.tokens.length] as string;
      connect.sent(scheduledAt);
      opening.push(
        socket
          .connect(
            `${input.wsBase}/api/v1/ws?token=${encodeURIComponent(token)}`,
            sourceAddress(i, input.sourceAddresses),
            input.timeoutMs,
          )
          .then(
            () => {
              connect.succeeded(scheduledAt);
              sockets.push(socket);
            },
            (err: Error) => connect.failed(err.message),
          ),
      );
    });
    await Promise.all(opening);
    return connect;
  });
  input.log(`soak: ${sockets.length} of ${input.connections} sockets open`);
  await sleep(3000);
  const connected = await input.sampler.currentRss('app');

  // Each socket pings every pingSec, phase-shifted: a flat connections ÷ pingSec pings/s.
  const ping = new PhaseRecorder('soak hold (ping)');
  const rounds = Math.max(1, Math.floor(input.holdSec / input.pingSec));
  ping.setWindow(rounds * input.pingSec);
  await input.phase('soak hold (ping)', async () => {
    if (sockets.length === 0) return ping;
    await runOpenLoop(sockets.length * rounds, rounds * input.pingSec * 1000, (j, scheduledAt) => {
      (sockets[j % sockets.length] as StudentSocket).ping(scheduledAt, ping);
    });
    await sleep(Math.min(5000, input.pingSec * 1000));
    for (const socket of sockets) socket.failAllPending('NO_PONG');
    return ping;
  });
  const held = await input.sampler.currentRss('app');
  const closedDuringHold = sockets.filter((s) => !s.open).length;

  for (const socket of sockets) socket.close();
  await sleep(3000);
  for (const socket of sockets) socket.terminate();
  const after = await input.sampler.currentRss('app');

  const open = sockets.length - closedDuringHold;
  return {
    recorders: [connect, ping],
    report: {
      target: input.connections,
      connected: sockets.length,
      closedDuringHold,
      rssBaselineMb: mb(baseline),
      rssConnectedMb: mb(connected),
      rssHeldMb: mb(held),
      rssAfterCloseMb: mb(after),
      rssPerConnectionKb:
        baseline !== undefined && held !== undefined && open > 0
          ? round((held - baseline) / 1024 / open, 1)
          : undefined,
      sourceAddresses: input.sourceAddresses,
    },
  };
}
