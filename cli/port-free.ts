import net from 'node:net';

/**
 * Refuses a taken port before anything starts (the store, the worker, the dev server), so a second `start` exits at
 * once naming the port and its option instead of failing with EADDRINUSE after the worker began polling.
 */
export async function assertPortFree(port: number, host: string, option: string): Promise<void> {
  if (port === 0) return;
  const server = net.createServer();
  const taken = await new Promise<NodeJS.ErrnoException | null>((resolve) => {
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error));
    server.listen({ port, host, exclusive: true }, () => resolve(null));
  });
  if (!taken) {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    return;
  }
  const why = taken.code === 'EADDRINUSE' ? 'is taken (another `start` or `api`?)' : `cannot be used (${taken.code ?? taken.message})`;
  throw new Error(`port ${port} on ${host} ${why}: choose another with ${option}`);
}
