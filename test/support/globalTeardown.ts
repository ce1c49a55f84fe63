import type { RunningServer } from './mongoServer';

export default async function globalTeardown(): Promise<void> {
  const server = (globalThis as { __mongoServer?: RunningServer }).__mongoServer;
  if (server) await server.stop();
}
