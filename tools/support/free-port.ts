import { createServer } from 'node:net';

/** A loopback port free right now (for a child process to bind). */
export const freePort = (): Promise<number> =>
  new Promise((res, rej) => {
    const server = createServer();
    server.unref();
    server.on('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => res(port));
    });
  });
